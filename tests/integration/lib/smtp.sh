# SPDX-License-Identifier: ISC
# lib/smtp.sh: a real SMTP server (Debian's python3-aiosmtpd), sourced
# after lib.sh.
#   smtp_start   -> aiosmtpd on a free port delivering to $T/mail (a
#                   maildir); sets SMTP_PORT
#   smtp_count   -> messages delivered so far
#   smtp_all     -> every message, concatenated
smtp_start() {
	mkdir -p "$T/mail/tmp" "$T/mail/new" "$T/mail/cur"
	SMTP_PORT=$(free_port)
	$PY -m aiosmtpd -n -l 127.0.0.1:$SMTP_PORT \
	    -c aiosmtpd.handlers.Mailbox "$T/mail" >"$T/smtp.log" 2>&1 &
	bg_pid $!
	wait_port $SMTP_PORT 20
}
smtp_count() { ls "$T/mail/new" | wc -l; }
smtp_all() { cat "$T/mail/new"/* 2>/dev/null; }
