# SPDX-License-Identifier: ISC
# lib/varnish.sh: Debian's Varnish as the CDN (sourced after lib.sh).
#   varnish_start ORIGIN_PORT [ORIGIN_HOST]
#                              -> varnishd on a free port in front of
#                                 127.0.0.1:ORIGIN_PORT (sending Host:
#                                 ORIGIN_HOST if given), caching for an
#                                 hour, PURGE and BAN allowed from
#                                 127.0.0.1; sets VARNISH_PORT
# Varnish drops privileges: its VCL and the folders above it must be
# readable by others (DESIGN §9).
varnish_start() {
	local vdir=$T/varnish hostline=""
	[ -n "${2:-}" ] && hostline="set bereq.http.host = \"$2\";"
	mkdir -p "$vdir"
	chmod 755 "$T" "$vdir"
	VARNISH_PORT=$(free_port)
	cat > "$vdir/kiln.vcl" <<VCL
vcl 4.1;
backend default { .host = "127.0.0.1"; .port = "$1"; }
acl purgers { "127.0.0.1"; }
sub vcl_recv {
	if (req.method == "PURGE") {
		if (!client.ip ~ purgers) { return (synth(405)); }
		return (purge);
	}
	if (req.method == "BAN") {
		if (!client.ip ~ purgers) { return (synth(405)); }
		ban("req.url == " + req.url);
		return (synth(200, "Banned"));
	}
}
sub vcl_backend_fetch {
	$hostline
}
sub vcl_backend_response {
	set beresp.ttl = 1h;
	if (beresp.status == 404) { set beresp.ttl = 1h; }
}
sub vcl_deliver {
	if (obj.hits > 0) {
		set resp.http.X-Cache = "HIT";
	} else {
		set resp.http.X-Cache = "MISS";
	}
}
VCL
	chmod 644 "$vdir/kiln.vcl"
	/usr/sbin/varnishd -F -a 127.0.0.1:$VARNISH_PORT -f "$vdir/kiln.vcl" \
	    -n "$vdir/work" -s malloc,32m -T none >"$T/varnish.log" 2>&1 &
	bg_pid $!
	wait_port $VARNISH_PORT 30
}
