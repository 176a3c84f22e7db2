#!/usr/bin/env python3
"""Audits over time through the hipaa-iam C ABI with ctypes: compares two evidence
directories (hipaa_iam_diff), then runs an access review of the newer one: starts it
(hipaa_iam_review_start), keeps every principal but revokes those named, and signs it
(hipaa_iam_review_sign). Prints one JSON document: {"diff", "started", "signed"}.

    python3 ffi/examples/history_demo.py target/debug/libhipaa_iam.so OLD NEW ROSTER_COPY [REVOKE...]

Exit status: 0 done, 2 a call failed (the library's message on stderr).
"""
import csv
import json
import shutil
import sys

from audit_demo import HipaaIam


def main(argv):
    if len(argv) < 5:
        print(f"usage: {argv[0]} LIBRARY OLD NEW ROSTER_COPY [REVOKE...]", file=sys.stderr)
        return 2
    lib, old, new, roster = HipaaIam(argv[1]), argv[2], argv[3], argv[4]
    revoke = set(argv[5:])
    try:
        diff = lib.call("hipaa_iam_diff", {"old_dir": old, "new_dir": new, "fail_on": "high"})
        started = lib.call("hipaa_iam_review_start", {"evidence_dir": new})
        shutil.copyfile(started["roster"], roster)
        with open(roster, newline="") as f:
            rows = list(csv.reader(f))
        for r in rows[1:]:
            r[11] = "revoke" if r[2] in revoke else "keep"
        with open(roster, "w", newline="") as f:
            csv.writer(f, lineterminator="\r\n").writerows(rows)
        signed = lib.call(
            "hipaa_iam_review_sign",
            {"evidence_dir": new, "roster": roster, "reviewer": "Jane Doe", "title": "Privacy Officer"},
        )
    except RuntimeError as e:
        print(e, file=sys.stderr)
        return 2
    print(json.dumps({"diff": diff, "started": started, "signed": signed}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
