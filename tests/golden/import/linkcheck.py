#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
# linkcheck.py DIR: every internal href/src in the built site DIR must
# name a file of DIR (a folder: its index.html).  Prints each broken
# reference as "PAGE: URL" (sorted) and the count; exit 1 if any.
import html.parser
import os
import sys
import urllib.parse

root = sys.argv[1]


class Refs(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.refs = []

    def handle_starttag(self, tag, attrs):
        for k, v in attrs:
            if k in ("href", "src") and v:
                self.refs.append(v)


def exists(page, ref):
    u = urllib.parse.urlsplit(ref)
    if u.scheme or u.netloc or ref.startswith("#"):
        return True     # external, or an anchor on the page itself
    path = urllib.parse.unquote(u.path)
    if not path:
        return True
    if not path.startswith("/"):
        path = os.path.join("/" + os.path.dirname(page), path)
    f = os.path.normpath(os.path.join(root, path.lstrip("/")))
    if os.path.isdir(f):
        f = os.path.join(f, "index.html")
    return os.path.isfile(f)


broken = []
for d, _, files in os.walk(root):
    for n in files:
        if not n.endswith(".html"):
            continue
        page = os.path.relpath(os.path.join(d, n), root)
        p = Refs()
        with open(os.path.join(d, n), encoding="utf-8") as fh:
            p.feed(fh.read())
        for ref in p.refs:
            if not exists(page, ref):
                broken.append("%s: %s" % (page, ref))
for b in sorted(set(broken)):
    print("broken link " + b)
print("link check: %d broken" % len(set(broken)))
sys.exit(1 if broken else 0)
