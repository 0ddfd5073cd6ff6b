#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""aws_batch.py ENDPOINT

Debian's AWS CLI, run many times in one process: each line on stdin is a
JSON array of arguments for `aws --endpoint-url ENDPOINT ...`; the CLI's
own driver (awscli.clidriver) runs it with its output on stderr, and its
exit status is written as one line on stdout.  The CLI takes seconds to
start on a loaded machine; a test that reads the bucket back after each
of 50 trials starts it once.
"""
import contextlib
import json
import sys

from awscli.clidriver import create_clidriver

ENDPOINT = sys.argv[1]

for line in sys.stdin:
    args = ["--endpoint-url", ENDPOINT] + json.loads(line)
    with contextlib.redirect_stdout(sys.stderr):
        try:
            rc = create_clidriver().main(args)
        except SystemExit as e:
            rc = e.code if isinstance(e.code, int) else 1
        except Exception as e:  # report, keep serving
            sys.stderr.write("aws_batch: %r\n" % e)
            rc = 255
    sys.stdout.write("%d\n" % (rc or 0))
    sys.stdout.flush()
