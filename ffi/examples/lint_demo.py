#!/usr/bin/env python3
"""Lints policy files through the hipaa-iam C ABI with ctypes and prints each problem, one
per line: "<file>:<line>:<column> <severity> <rule>".

    python3 ffi/examples/lint_demo.py target/debug/libhipaa_iam.so examples/policies

With --json, prints the whole response (the same JSON `hipaa-iam lint-policy --format json
--fail-on high` prints). Exit status: 0 no problem at or above high, 1 problems at or above
high, 2 the lint could not run.
"""
import json
import sys

from audit_demo import HipaaIam


def main(argv):
    as_json = "--json" in argv
    args = [a for a in argv[1:] if a != "--json"]
    if len(args) < 2:
        print(f"usage: {argv[0]} [--json] LIBRARY FILE_OR_DIR...", file=sys.stderr)
        return 2
    lib = HipaaIam(args[0])
    try:
        result = lib.call("hipaa_iam_lint_policy", {"paths": args[1:], "fail_on": "high"})
    except RuntimeError as e:
        print(e, file=sys.stderr)
        return 2
    if as_json:
        print(json.dumps(result, indent=2))
    else:
        for p in result["report"]["problems"]:
            print(f"{p['file']}:{p['line']}:{p['column']} {p['severity']} {p['rule']}")
    return 1 if result["verdict"]["failed"] else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
