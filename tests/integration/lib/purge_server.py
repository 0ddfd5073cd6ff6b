#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""purge_server.py PORT LOG STATE_DIR

An HTTP cache's purge endpoint, as Varnish or nginx expose it, that
records what it was told: every PURGE or BAN it accepts is one line
"METHOD PATH" appended to LOG.  While STATE_DIR/fail exists it refuses
every purge with 503 (a CDN that is down), logging nothing.
"""
import http.server
import os
import socketserver
import sys
import threading

PORT, LOG, STATE = int(sys.argv[1]), sys.argv[2], sys.argv[3]
LOCK = threading.Lock()


class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def answer(self, code, text):
        data = text.encode()
        self.send_response(code)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def purge(self):
        if os.path.exists(os.path.join(STATE, "fail")):
            return self.answer(503, "purging is down\n")
        with LOCK, open(LOG, "a") as f:
            f.write("%s %s\n" % (self.command, self.path))
        return self.answer(200, "purged\n")

    do_PURGE = do_BAN = purge

    def do_GET(self):
        return self.answer(404, "not a cache\n")


class S(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


S(("127.0.0.1", PORT), H).serve_forever()
