#!/bin/sh
# SPDX-License-Identifier: ISC
# gen-corpus.sh N DIR: a Hugo-style content tree of N pages in 20
# sections (DIR/_index.md, DIR/sN/_index.md, DIR/sN/page-I.md) with YAML
# front matter and a few paragraphs of Markdown each.  Deterministic.
set -eu
n=$1
dir=$2
rm -rf "$dir"
/usr/bin/python3 - "$n" "$dir" <<'PY'
import os, sys
n, d = int(sys.argv[1]), sys.argv[2]
os.makedirs(d)
words = ("council budget river library park road school bridge market "
         "festival report meeting housing transport museum theatre garden "
         "recycling station hospital").split()
def para(i, k):
    return " ".join(words[(i * 7 + k * 3 + j) % len(words)] for j in range(40)).capitalize() + "."
with open(os.path.join(d, "_index.md"), "w") as f:
    f.write("---\ntitle: Home\n---\nWelcome to the benchmark site.\n")
for s in range(20):
    os.makedirs(os.path.join(d, "s%d" % s))
    with open(os.path.join(d, "s%d" % s, "_index.md"), "w") as f:
        f.write("---\ntitle: Section %d\n---\nPages of section %d.\n" % (s, s))
for i in range(n):
    s = i % 20
    with open(os.path.join(d, "s%d" % s, "page-%d.md" % i), "w") as f:
        f.write("---\ntitle: \"Page %d: %s\"\ndate: 2026-%02d-%02dT10:00:00Z\n"
                "tags: [%s, %s]\nsummary: \"Summary of page %d\"\n---\n"
                % (i, words[i % len(words)], 1 + i % 12, 1 + i % 28,
                   words[i % 19], words[(i + 5) % 19], i))
        f.write("## Heading %d\n\n%s\n\n%s\n\n- item one\n- item **two**\n"
                "- [a link](https://example.org/%d)\n\n%s\n"
                % (i, para(i, 1), para(i, 2), i, para(i, 3)))
PY
echo "$n pages in $dir"
