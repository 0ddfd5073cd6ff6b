#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
# pages.py KILN: every page of the site here as `kiln page show --json`,
# without what differs between two stores holding the same pages (ids,
# revision numbers), one JSON document per line, sorted by path.
import json
import subprocess
import sys

kiln = sys.argv[1]
pages = json.loads(subprocess.check_output([kiln, "page", "list", "--json"]))
for p in sorted(pages, key=lambda p: p["path"]):
    d = json.loads(subprocess.check_output(
        [kiln, "page", "show", p["path"] or "/", "--json"]))
    for k in ("id", "live_revision", "latest_revision", "scheduled_revision",
              "parent"):
        d.pop(k, None)
    print(json.dumps(d, sort_keys=True))
