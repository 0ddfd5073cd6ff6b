# SPDX-License-Identifier: ISC
"""manifest_join.py BASE: the manifest a destination holds (decision
0370), joined: BASE is a folder (a dir target) or a URL (a bucket on
s3rver, read directly).  Reads BASE/.kiln/manifest.json (the head,
version 2), every shard it names, checks each shard's SHA-256 against
the head and that every entry is in its shard (FNV-1a of the path, low
byte), and prints the joined manifest as version 1 JSON, files sorted
by path.  Exits 1 with a reason on anything wrong."""
import hashlib
import json
import sys
import urllib.request


def fetch(base, key):
    if base.startswith("http://"):
        with urllib.request.urlopen(base.rstrip("/") + "/" + key) as r:
            return r.read()
    with open(base.rstrip("/") + "/" + key, "rb") as f:
        return f.read()


def fnv1a32(s):
    h = 0x811C9DC5
    for b in s.encode():
        h = ((h ^ b) * 0x01000193) & 0xFFFFFFFF
    return h


def main():
    base = sys.argv[1]
    head = json.loads(fetch(base, ".kiln/manifest.json"))
    if head.get("version") != 2 or not isinstance(head.get("shards"), dict):
        sys.exit("head: not a version 2 head with shards")
    files = []
    for k, sha in head["shards"].items():
        text = fetch(base, ".kiln/manifest/%s.json" % k)
        if hashlib.sha256(text).hexdigest() != sha:
            sys.exit("shard %s: SHA-256 differs from the head's" % k)
        shard = json.loads(text)
        if shard["build"] != "" or shard["generated"] != "" or not shard["files"]:
            sys.exit("shard %s: a build, a time or no files" % k)
        for e in shard["files"]:
            if "%02x" % (fnv1a32(e["path"]) % 256) != k:
                sys.exit("shard %s: %s is not its entry" % (k, e["path"]))
        files += shard["files"]
    files.sort(key=lambda e: e["path"].encode())
    json.dump({"version": 1, "build": head["build"],
               "generated": head["generated"], "files": files},
              sys.stdout, separators=(",", ":"))
    print()


main()
