#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""sigv4_gateway.py LISTEN_PORT UPSTREAM_PORT STATE_DIR

A checking reverse proxy in front of s3rver, which neither verifies SigV4
signatures nor implements If-None-Match on PUT.  For every request it:

  * recomputes the SigV4 signature with botocore's own S3 signer from the
    headers the client signed, and answers 403 SignatureDoesNotMatch on a
    mismatch (credentials: S3RVER / S3RVER);
  * checks that x-amz-content-sha256 is the SHA-256 of the body, and that
    Content-MD5, when present, is its MD5 (400 BadDigest otherwise);
  * enforces If-None-Match: * on PUT (412 when the object exists);
  * counts requests by kind (PUT, GET, HEAD, DELETE, LIST, POST) into
    STATE_DIR/counts.json;
  * applies fault rules from STATE_DIR/faults.json, a list of
    {"method": "PUT", "contains": "news/", "status": 503,
     "code": "SlowDown", "times": 2} or {"reset": true, ...} or
    {"delay_ms": 200, ...}; "times" counts down, -1 is forever.
    "reset" drops the connection before the request reaches s3rver,
    "reset_after" after s3rver has done it (the client never learns
    the outcome).  Two more kinds of rule:
      {"prob": 0.05, "seed": 7, "choices": [{"status": 500}, ...]}:
        a fault drawn from choices for that share of the requests, from
        a random generator seeded with seed (one per seed);
      {"hold_at": N, "id": "t1", "after_upstream": true}: the Nth PUT or
        DELETE under this id is held: with after_upstream it is done
        first; then STATE_DIR/held is written and the request waits
        (120 s at most) for STATE_DIR/release, then its connection is
        dropped.  A test kills the client meanwhile: a deploy killed at
        exactly its Nth request, whatever the timing.
"""
import base64
import hashlib
import http.client
import http.server
import json
import os
import random
import socketserver
import sys
import threading
import time

from botocore.auth import S3SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

SECRETS = {"S3RVER": "S3RVER"}
LOCK = threading.Lock()
LISTEN, UPSTREAM, STATE = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
COUNTS = os.path.join(STATE, "counts.json")
COND_LOCK = threading.Lock()
FAULTS = os.path.join(STATE, "faults.json")
RNGS = {}       # seed -> random.Random, for "prob" rules
HOLDS = {}      # rule id -> PUTs and DELETEs seen, for "hold_at" rules


def count(kind):
    with LOCK:
        try:
            with open(COUNTS) as f:
                counts = json.load(f)
        except (OSError, ValueError):
            counts = {}
        counts[kind] = counts.get(kind, 0) + 1
        tmp = COUNTS + ".tmp"
        with open(tmp, "w") as f:
            json.dump(counts, f)
        os.replace(tmp, COUNTS)


def fault_for(method, path):
    with LOCK:
        try:
            with open(FAULTS) as f:
                rules = json.load(f)
        except (OSError, ValueError):
            return None
        for r in rules:
            if r.get("method", method) != method:
                continue
            if r.get("contains", "") not in path:
                continue
            if "prob" in r:
                rng = RNGS.setdefault(r.get("seed", 0),
                                      random.Random(r.get("seed", 0)))
                if rng.random() >= r["prob"]:
                    continue
                return dict(rng.choice(r["choices"]))
            if "hold_at" in r:
                if method not in ("PUT", "DELETE"):
                    continue
                n = HOLDS[r.get("id", "")] = HOLDS.get(r.get("id", ""), 0) + 1
                if n != r["hold_at"]:
                    continue
                return {"hold": True,
                        "after_upstream": r.get("after_upstream", False)}
            if r.get("times", -1) == 0:
                continue
            if r.get("times", -1) > 0:
                r["times"] -= 1
                with open(FAULTS + ".tmp", "w") as f:
                    json.dump(rules, f)
                os.replace(FAULTS + ".tmp", FAULTS)
            return dict(r)
    return None


def verify(method, path, headers, body):
    auth = headers.get("Authorization", "")
    if not auth.startswith("AWS4-HMAC-SHA256 "):
        return "missing SigV4 Authorization"
    parts = dict(p.strip().split("=", 1) for p in auth[17:].split(","))
    if "x-amz-date" not in headers:
        return "x-amz-date missing"
    akid, date, region, service, _ = parts["Credential"].split("/")
    signed = parts["SignedHeaders"].split(";")
    if akid not in SECRETS:
        return "unknown key id"
    req = AWSRequest(method=method, url="http://" + headers["Host"] + path,
                     data=body)
    for h in signed:
        v = headers.get(h)
        if v is None:
            return "signed header %s missing" % h
        req.headers[h] = v
    # the client's signed set is what must be signed
    if "x-amz-content-sha256" not in signed:
        return "x-amz-content-sha256 is not signed"
    signer = S3SigV4Auth(Credentials(akid, SECRETS[akid]), service, region)
    req.context["timestamp"] = headers["x-amz-date"]
    cr = signer.canonical_request(req)
    sts = signer.string_to_sign(req, cr)
    want = signer.signature(sts, req)
    if want != parts["Signature"]:
        return "signature mismatch"
    return None


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def reply(self, status, code, msg, extra=None):
        body = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>%s"
                "</Code><Message>%s</Message></Error>" % (code, msg)).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/xml")
        self.send_header("Content-Length", str(len(body)))
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def read_body(self):
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            body = b""
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip(), 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    break
                body += self.rfile.read(size)
                self.rfile.readline()
        else:
            n = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(n) if n else b""
        return body

    @staticmethod
    def aws_chunked(body):
        """decode aws-chunked framing (hex;chunk-signature=...\r\n data \r\n)"""
        out, i = b"", 0
        while i < len(body):
            j = body.index(b"\r\n", i)
            size = int(body[i:j].split(b";")[0], 16)
            if size == 0:
                break
            out += body[j + 2:j + 2 + size]
            i = j + 2 + size + 2
        return out

    def handle_any(self):
        try:
            self.handle_checked()
        except Exception as e:  # never drop a connection silently
            sys.stderr.write("gateway: %s %s: %r\n" % (self.command,
                                                       self.path, e))
            try:
                self.reply(500, "GatewayError", repr(e))
            except Exception:
                pass

    def handle_checked(self):
        body = self.read_body()
        path = self.path
        kind = self.command
        bare = path.split("?")[0].strip("/")
        if self.command == "GET" and ("list-type" in path or "/" not in bare):
            kind = "LIST"
        count(kind)
        why = verify(self.command, path, self.headers, body)
        if why:
            return self.reply(403, "SignatureDoesNotMatch", why)
        sha = self.headers.get("x-amz-content-sha256")
        if sha and sha.startswith("STREAMING-"):
            body = self.aws_chunked(body)
        elif sha and sha != "UNSIGNED-PAYLOAD" and \
                sha != hashlib.sha256(body).hexdigest():
            return self.reply(400, "XAmzContentSHA256Mismatch",
                              "body does not match x-amz-content-sha256")
        md5 = self.headers.get("Content-MD5")
        if md5 and md5 != base64.b64encode(hashlib.md5(body).digest()).decode():
            return self.reply(400, "BadDigest", "Content-MD5 mismatch")
        f = fault_for(self.command, path) or {}
        if f.get("delay_ms"):
            time.sleep(f["delay_ms"] / 1000.0)
        if f.get("reset") or (f.get("hold") and not f["after_upstream"]):
            return self.drop(f.get("hold"))
        if f.get("status"):
            return self.reply(f["status"], f.get("code", "InternalError"),
                              "injected fault")
        answer = self.forward(path, body)
        if f.get("reset_after") or f.get("hold"):
            return self.drop(f.get("hold"))
        if answer:
            self.answer(*answer)

    def drop(self, hold):
        """drop the connection; when held, first wait for the release"""
        if hold:
            with open(os.path.join(STATE, "held"), "w") as f:
                f.write("%s %s\n" % (self.command, self.path))
            release = os.path.join(STATE, "release")
            for _ in range(1200):
                if os.path.exists(release):
                    break
                time.sleep(0.1)
        self.close_connection = True
        try:
            self.connection.shutdown(2)
        except OSError:
            pass

    def answer(self, status, headers, data):
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def forward(self, path, body):
        """do the request on s3rver: (status, headers, body), or None
        when answered here (412)"""
        # a conditional PUT is atomic, as on S3: its check and its write
        # under one lock (concurrent unit builds race for shared files)
        if self.command == "PUT" and self.headers.get("If-None-Match") == "*":
            with COND_LOCK:
                return self.forward_one(path, body)
        return self.forward_one(path, body)

    def forward_one(self, path, body):
        up = http.client.HTTPConnection("127.0.0.1", UPSTREAM, timeout=60)
        if self.command == "PUT" and self.headers.get("If-None-Match") == "*":
            up.request("HEAD", path.split("?")[0])
            r = up.getresponse()
            r.read()
            if r.status == 200:
                self.reply(412, "PreconditionFailed",
                           "At least one of the pre-conditions you "
                           "specified did not hold")
                return None
        hdrs = {k: v for k, v in self.headers.items()
                if k.lower() not in ("host", "if-none-match", "expect",
                                     "transfer-encoding", "content-length",
                                     "x-amz-decoded-content-length")}
        if hdrs.get("Content-Encoding") == "aws-chunked":
            del hdrs["Content-Encoding"]
        hdrs["Content-Length"] = str(len(body))
        hdrs["Host"] = "127.0.0.1:%d" % UPSTREAM
        up.request(self.command, path, body=body, headers=hdrs)
        r = up.getresponse()
        data = r.read()
        headers = [(k, v) for k, v in r.getheaders()
                   if k.lower() not in ("transfer-encoding", "connection",
                                        "content-length")]
        # a HEAD answer keeps the object's length
        headers.append(("Content-Length", r.getheader("Content-Length", "0")
                        if self.command == "HEAD" else str(len(data))))
        up.close()
        return r.status, headers, data

    do_GET = do_PUT = do_DELETE = do_HEAD = do_POST = handle_any


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


if __name__ == "__main__":
    Server(("127.0.0.1", LISTEN), Handler).serve_forever()
