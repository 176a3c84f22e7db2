#!/usr/bin/env python3
"""Access queries through the hipaa-iam C ABI with ctypes.

    python3 ffi/examples/access_demo.py LIBRARY EXPORTS_DIR ACTION RESOURCE             # who-can
    python3 ffi/examples/access_demo.py LIBRARY EXPORTS_DIR PRINCIPAL ACTION RESOURCE   # explain

Prints the response's JSON (what `hipaa-iam access who-can --format json` or `hipaa-iam
access explain --format json` prints). Exit status: 0 answered, 2 the query could not run.
"""
import json
import sys

from audit_demo import HipaaIam


def main(argv):
    if len(argv) not in (5, 6):
        print(f"usage: {argv[0]} LIBRARY EXPORTS_DIR [PRINCIPAL] ACTION RESOURCE", file=sys.stderr)
        return 2
    lib = HipaaIam(argv[1])
    try:
        if len(argv) == 6:
            request = {"principal": argv[3], "action": argv[4], "resource": argv[5]}
            result = lib.call("hipaa_iam_access_explain", {"exports_dir": argv[2], "requests": [request]})
        else:
            result = lib.call("hipaa_iam_access_who_can",
                              {"exports_dir": argv[2], "action": argv[3], "resource": argv[4]})
    except RuntimeError as e:
        print(e, file=sys.stderr)
        return 2
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
