#!/usr/bin/env python3
"""Writes a synthetic exports directory of N users, the files `hipaa-iam audit --exports` reads.

    gen_exports.py --users 100000 --out /tmp/exports-100k

The groups, managed policies, roles, password policy and Access Analyzer files are the demo
account's (examples/demo-account); the users are made up, by index i:
  * a third console users without MFA, a third console users with a virtual MFA device,
    a third programmatic users with one or two access keys (some over a year old);
  * group memberships cycle through the demo groups (every 50th user is in `admins`);
  * every 7th user has a customer managed policy attached directly, every 10th an inline
    policy, most have the permissions boundary.
Also written: credential-report.csv (one row per user and the root row),
virtual-mfa-devices.json, account-summary.json and manifest.json with each file's SHA-256.
Deterministic: the same N gives the same bytes (except the manifest's generated_at).
"""

import argparse
import copy
import datetime
import hashlib
import json
import os
import shutil
import sys

ACCOUNT = "123456789012"
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEMO = os.path.join(ROOT, "examples", "demo-account")
BOUNDARY = f"arn:aws:iam::{ACCOUNT}:policy/permissions-boundary-base"
HEADER = (
    "user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,"
    "password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,"
    "access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,"
    "access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,"
    "access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,"
    "cert_1_last_rotated,cert_2_active,cert_2_last_rotated"
)
GROUP_CYCLE = [
    ["human-users", "clinicians"],
    ["human-users", "billing"],
    ["clinicians"],
    ["human-users", "auditors"],
    ["human-users"],
    ["contractors"],
    [],
]
INLINE = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Action": ["dynamodb:Query", "dynamodb:GetItem"], "Resource": "*"},
        {"Effect": "Deny", "Action": "dynamodb:DeleteTable", "Resource": "*"},
    ],
}
NOW = datetime.datetime(2026, 11, 16, 14, 0, 0, tzinfo=datetime.timezone.utc)


def iso(t, z=True):
    s = t.strftime("%Y-%m-%dT%H:%M:%S")
    return s + ("Z" if z else "+00:00")


def user_id(prefix, i):
    # 21 characters like AWS's unique IDs: a prefix and base-32 digits.
    digits = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
    out, n = [], i * 2654435761 % (32**17)
    for _ in range(17):
        out.append(digits[n % 32])
        n //= 32
    return prefix + "".join(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--users", type=int, required=True)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    if args.users < 1:
        sys.exit("gen_exports.py: --users must be at least 1")
    n = args.users
    os.makedirs(args.out, exist_ok=True)

    with open(os.path.join(DEMO, "authorization-details.json"), encoding="utf-8") as f:
        demo = json.load(f)
    customer = [p for p in demo["Policies"] if p["Arn"].startswith(f"arn:aws:iam::{ACCOUNT}:policy/")]
    attachable = [p for p in customer if p["PolicyName"] not in ("deny-without-mfa", "permissions-boundary-base")]

    users, rows, mfa = [], [], []
    rows.append(
        f"<root_account>,arn:aws:iam::{ACCOUNT}:root,2019-03-04T16:20:11+00:00,not_supported,"
        "2026-07-28T18:02:37+00:00,not_supported,not_supported,true,false,N/A,N/A,N/A,N/A,"
        "false,N/A,N/A,N/A,N/A,false,N/A,false,N/A"
    )
    for i in range(n):
        name = f"user{i:06d}"
        arn = f"arn:aws:iam::{ACCOUNT}:user/{name}"
        created = NOW - datetime.timedelta(days=30 + i % 900, seconds=i % 86400)
        groups = list(GROUP_CYCLE[i % len(GROUP_CYCLE)])
        if i % 50 == 0:
            groups.append("admins")
        attached = []
        if i % 7 == 0:
            p = attachable[i % len(attachable)]
            attached.append({"PolicyName": p["PolicyName"], "PolicyArn": p["Arn"]})
        inline = []
        if i % 10 == 0:
            inline.append({"PolicyName": "query", "PolicyDocument": copy.deepcopy(INLINE)})
        u = {
            "Path": "/",
            "UserName": name,
            "UserId": user_id("AIDA", i + 1),
            "Arn": arn,
            "CreateDate": iso(created),
            "UserPolicyList": inline,
            "GroupList": groups,
            "AttachedManagedPolicies": attached,
        }
        if i % 5 != 4:
            u["PermissionsBoundary"] = {"PermissionsBoundaryType": "PermissionsBoundaryPolicy", "PermissionsBoundaryArn": BOUNDARY}
        users.append(u)

        kind = i % 3
        console = kind in (0, 1)
        has_mfa = kind == 1
        if has_mfa:
            mfa.append(
                {
                    "SerialNumber": f"arn:aws:iam::{ACCOUNT}:mfa/{name}",
                    "User": {"Path": "/", "UserName": name, "UserId": u["UserId"], "Arn": arn, "CreateDate": u["CreateDate"]},
                    "EnableDate": iso(created + datetime.timedelta(hours=1)),
                }
            )
        used = NOW - datetime.timedelta(days=i % 200, hours=i % 24)
        pw = (
            ["true", iso(used, False), iso(created, False), "N/A"]
            if console
            else ["false", "N/A", "N/A", "N/A"]
        )
        keys = []
        nkeys = (1 + (i % 2)) if kind == 2 else (1 if i % 4 == 0 else 0)
        for k in range(2):
            if k < nkeys:
                rotated = NOW - datetime.timedelta(days=(i * 37 + k * 11) % 800)
                keys += ["true", iso(rotated, False), iso(used, False), "us-east-1", "s3"]
            else:
                keys += ["false", "N/A", "N/A", "N/A", "N/A"]
        rows.append(",".join([name, arn, iso(created, False)] + pw + ["true" if has_mfa else "false"] + keys + ["false", "N/A", "false", "N/A"]))

    auth = {
        "UserDetailList": users,
        "GroupDetailList": demo["GroupDetailList"],
        "RoleDetailList": demo["RoleDetailList"],
        "Policies": demo["Policies"],
    }
    files = {}
    files["authorization-details.json"] = json.dumps(auth, indent=4).encode() + b"\n"
    files["credential-report.csv"] = ("\n".join([HEADER] + rows) + "\n").encode()
    files["virtual-mfa-devices.json"] = json.dumps({"VirtualMFADevices": mfa}, indent=4).encode() + b"\n"
    with open(os.path.join(DEMO, "account-summary.json"), encoding="utf-8") as f:
        summary = json.load(f)
    summary["SummaryMap"].update({"Users": n, "UsersQuota": max(5000, n), "MFADevices": len(mfa), "MFADevicesInUse": len(mfa)})
    files["account-summary.json"] = json.dumps(summary, indent=4).encode() + b"\n"
    for name in ["password-policy.json", "access-analyzer/us-east-1/analyzers.json", "access-analyzer/us-east-1/findings.json"]:
        with open(os.path.join(DEMO, name), "rb") as f:
            files[name] = f.read()

    aa = os.path.join(args.out, "access-analyzer")
    if os.path.isdir(aa):
        shutil.rmtree(aa)
    for name, data in files.items():
        path = os.path.join(args.out, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(data)
    manifest = {
        "tool": "hipaa-iam",
        "version": "0.1.0",
        "generated_at": iso(datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)),
        "account_id": ACCOUNT,
        "caller_arn": f"arn:aws:iam::{ACCOUNT}:user/user000000",
        "credential_report_generated_at": iso(NOW),
        "regions": ["us-east-1"],
        "not_collected": {},
        "files": {name: hashlib.sha256(data).hexdigest() for name, data in sorted(files.items())},
    }
    with open(os.path.join(args.out, "manifest.json"), "w", encoding="utf-8") as f:
        json.dump(manifest, f, indent=2)
        f.write("\n")
    size = sum(len(d) for d in files.values())
    print(f"wrote {args.out}: {n} users, {len(mfa)} virtual MFA devices, {size / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
