#!/usr/bin/env python3
"""Audits an exports directory through the hipaa-iam C ABI with ctypes and prints the failing
findings, one per line: "<check_id> <severity> <resource_name>".

    python3 ffi/examples/audit_demo.py target/debug/libhipaa_iam.so examples/demo-account

With --json, prints the whole response (the same JSON `hipaa-iam audit --format json` prints).
Exit status: 0 no failing finding, 1 failing findings, 2 the audit could not run.
"""
import ctypes
import json
import sys


class HipaaIam:
    """A thin wrapper: JSON in, JSON out; errors raise with the library's message."""

    def __init__(self, path):
        self.lib = ctypes.CDLL(path)
        self.lib.hipaa_iam_version.restype = ctypes.c_char_p
        self.lib.hipaa_iam_last_error.restype = ctypes.c_char_p
        self.lib.hipaa_iam_string_free.argtypes = [ctypes.c_void_p]
        self.lib.hipaa_iam_string_free.restype = None

    def version(self):
        return self.lib.hipaa_iam_version().decode()

    def call(self, name, request):
        fn = getattr(self.lib, name)
        fn.argtypes = [ctypes.c_char_p, ctypes.POINTER(ctypes.c_void_p)]
        fn.restype = ctypes.c_int32
        out = ctypes.c_void_p()
        status = fn(json.dumps(request).encode(), ctypes.byref(out))
        if status != 0:
            raise RuntimeError(f"{name} failed (status {status}): {self.lib.hipaa_iam_last_error().decode()}")
        try:
            return json.loads(ctypes.string_at(out.value).decode())
        finally:
            self.lib.hipaa_iam_string_free(out)


def main(argv):
    as_json = "--json" in argv
    args = [a for a in argv[1:] if a != "--json"]
    if len(args) != 2:
        print(f"usage: {argv[0]} [--json] LIBRARY EXPORTS_DIR", file=sys.stderr)
        return 2
    lib = HipaaIam(args[0])
    try:
        report = lib.call("hipaa_iam_audit", {"exports_dir": args[1]})
    except RuntimeError as e:
        print(e, file=sys.stderr)
        return 2
    if as_json:
        print(json.dumps(report, indent=2))
    else:
        print(f"hipaa-iam {lib.version()}")
    failing = [f for f in report["findings"] if f["status"] == "fail"]
    if not as_json:
        for f in failing:
            # Each check's metadata (severity, title, ...) is stated once, under "checks".
            severity = report["checks"][f["check_id"]]["severity"]
            print(f"{f['check_id']} {severity} {f['resource_name']}")
        print(f"{len(failing)} failing finding(s)")
    return 1 if failing else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
