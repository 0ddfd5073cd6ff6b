#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""cdn_api_server.py PORT LOG TOKEN

A stand-in for the CDN providers' APIs (no real one can be reached from
here), built from their documentation, that checks the exact request
shape and records each accepted call as a JSON line in LOG:

  CloudFront CreateInvalidation: POST /2020-05-31/distribution/ID/
    invalidation, an InvalidationBatch XML (namespace 2020-05-31, Quantity
    equal to the number of Path items, a CallerReference), SigV4 for
    service "cloudfront" recomputed with botocore (credentials S3RVER);
  Cloudflare: POST /client/v4/zones/ZONE/purge_cache, "Authorization:
    Bearer TOKEN", JSON {"files": [...]} of at most 30 full URLs;
  Fastly: POST /purge/HOST/PATH with "Fastly-Key: TOKEN";
  /hook: kiln's webhooks (CDN lists, reports), HMAC signature checked.
"""
import http.server
import json
import socketserver
import sys
import threading
import xml.etree.ElementTree as ET

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

PORT, LOG, TOKEN = int(sys.argv[1]), sys.argv[2], sys.argv[3]
LOCK = threading.Lock()
NS = "{http://cloudfront.amazonaws.com/doc/2020-05-31/}"


def record(entry):
    with LOCK, open(LOG, "a") as f:
        f.write(json.dumps(entry) + "\n")


def sigv4_ok(method, path, headers, body):
    auth = headers.get("Authorization", "")
    if not auth.startswith("AWS4-HMAC-SHA256 "):
        return False
    parts = dict(p.strip().split("=", 1) for p in auth[17:].split(","))
    akid, _, region, service, _ = parts["Credential"].split("/")
    req = AWSRequest(method=method, url="http://" + headers["Host"] + path,
                     data=body)
    for h in parts["SignedHeaders"].split(";"):
        req.headers[h] = headers.get(h, "")
    signer = SigV4Auth(Credentials(akid, "S3RVER"), service, region)
    req.context["timestamp"] = headers["x-amz-date"]
    sts = signer.string_to_sign(req, signer.canonical_request(req))
    return service == "cloudfront" and \
        signer.signature(sts, req) == parts["Signature"]


class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def answer(self, code, body, ctype="application/json"):
        data = body.encode()
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n) if n else b""
        p = self.path
        if p.startswith("/2020-05-31/distribution/") and p.endswith("/invalidation"):
            if not sigv4_ok("POST", p, self.headers, body):
                return self.answer(403, "<Error><Code>SignatureDoesNotMatch</Code></Error>", "text/xml")
            root = ET.fromstring(body)
            items = [e.text for e in root.iter(NS + "Path")]
            qty = int(root.find(NS + "Paths/" + NS + "Quantity").text)
            ref = root.find(NS + "CallerReference")
            if root.tag != NS + "InvalidationBatch" or qty != len(items) or ref is None:
                return self.answer(400, "<Error><Code>MalformedInput</Code></Error>", "text/xml")
            record({"provider": "cloudfront", "distribution": p.split("/")[3],
                    "paths": items, "caller_reference": ref.text})
            return self.answer(201, "<Invalidation><Id>I1</Id><Status>InProgress</Status></Invalidation>", "text/xml")
        if p.startswith("/client/v4/zones/") and p.endswith("/purge_cache"):
            if self.headers.get("Authorization") != "Bearer " + TOKEN:
                return self.answer(403, '{"success": false}')
            files = json.loads(body)["files"]
            if not (1 <= len(files) <= 30) or not all(f.startswith("http") for f in files):
                return self.answer(400, '{"success": false}')
            record({"provider": "cloudflare", "zone": p.split("/")[4], "files": files})
            return self.answer(200, '{"success": true, "result": {"id": "x"}}')
        if p.startswith("/service/") and "/purge/" in p:
            if self.headers.get("Fastly-Key") != TOKEN:
                return self.answer(401, '{"msg": "Provided credentials are missing or invalid"}')
            parts = p.split("/")
            record({"provider": "fastly", "service": parts[2], "key": parts[4]})
            return self.answer(200, '{"status": "ok", "id": "x"}')
        if p.startswith("/purge/"):
            if self.headers.get("Fastly-Key") != TOKEN:
                return self.answer(401, '{"msg": "Provided credentials are missing or invalid"}')
            record({"provider": "fastly", "url": p[len("/purge/"):]})
            return self.answer(200, '{"status": "ok", "id": "x"}')
        if p == "/hook":
            # kiln's own webhooks: CDN invalidation lists and reports,
            # signed with HMAC-SHA256 of the body (secret = TOKEN)
            import hashlib
            import hmac
            want = "sha256=" + hmac.new(TOKEN.encode(), body,
                                        hashlib.sha256).hexdigest()
            sig = self.headers.get("X-Kiln-Signature")
            record({"provider": "hook", "signed": sig == want,
                    "body": json.loads(body)})
            return self.answer(200, '{"ok": true}')
        return self.answer(404, '{"error": "no such route"}')


class S(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


S(("127.0.0.1", PORT), H).serve_forever()
