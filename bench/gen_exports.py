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

`--shape` adds, to that account, what once made IAM-023 (privilege escalation) grow with
the square of the number of users: one group that every user is in, with one customer managed
policy, and no permissions boundary on anyone (the guide's boundary would rule every
escalation action out before any resource is looked at):
  * own-keys: AWS's documented "rotate their own credentials" policy (`iam:*AccessKey*` and
    more on `arn:aws:iam::*:user/${aws:username}`);
  * many-statements: one policy of 100 statements, each granting IAM user actions (access
    keys, login profiles, policies, group membership) on one team's path, which none of the
    users is on;
  * long-names: 64-character user names (IAM's longest) and statements whose resources have
    many wildcards and long literal runs that nearly match those names.
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


# AWS's documented example "IAM: Allows IAM users to rotate their own credentials
# programmatically and in the console".
OWN_CREDENTIALS = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Action": [
                "iam:*AccessKey*",
                "iam:ChangePassword",
                "iam:GetUser",
                "iam:*ServiceSpecificCredential*",
                "iam:*SigningCertificate*",
            ],
            "Resource": ["arn:aws:iam::*:user/${aws:username}"],
        },
        {"Effect": "Allow", "Action": ["iam:GetAccountPasswordPolicy"], "Resource": "*"},
    ],
}

USER_ACTIONS = [
    "iam:CreateAccessKey",
    "iam:UpdateAccessKey",
    "iam:CreateLoginProfile",
    "iam:UpdateLoginProfile",
    "iam:AttachUserPolicy",
    "iam:PutUserPolicy",
    "iam:GetUser",
    "iam:ListAccessKeys",
]


def team_statements():
    """100 statements, each on one team's users, groups and roles (paths nobody here is on)."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": f"Team{k:03d}",
                "Effect": "Allow",
                "Action": USER_ACTIONS + ["iam:AddUserToGroup", "iam:UpdateAssumeRolePolicy", "iam:PassRole"],
                "Resource": [
                    f"arn:aws:iam::{ACCOUNT}:user/team{k:03d}/*",
                    f"arn:aws:iam::{ACCOUNT}:group/team{k:03d}/*",
                    f"arn:aws:iam::{ACCOUNT}:role/team{k:03d}/*",
                ],
            }
            for k in range(100)
        ],
    }


def wildcard_statements():
    """Resources with many wildcards and long literal runs of the names' letter: each nearly
    matches every long name (`user000001-aaaa...`) and matches none."""
    resources = []
    for k in range(16, 56, 2):
        resources.append("arn:aws:iam::*:user/*" + "a" * k + "b*")
        resources.append("arn:aws:iam::*:user/" + "*a" * (k // 2) + "*?b")
    return {
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": f"Wild{k}", "Effect": "Allow", "Action": USER_ACTIONS, "Resource": resources[k::4]}
            for k in range(4)
        ],
    }


SHAPES = {
    "own-keys": ("self-service", "rotate-own-credentials", OWN_CREDENTIALS),
    "many-statements": ("teams", "team-access", team_statements()),
    "long-names": ("platform", "platform-users", wildcard_statements()),
}


def shape_policy(name, document):
    return {
        "PolicyName": name,
        "PolicyId": "ANPA" + name.upper().replace("-", "")[:17].ljust(17, "X"),
        "Arn": f"arn:aws:iam::{ACCOUNT}:policy/{name}",
        "Path": "/",
        "DefaultVersionId": "v1",
        "AttachmentCount": 1,
        "PermissionsBoundaryUsageCount": 0,
        "IsAttachable": True,
        "CreateDate": "2026-01-05T10:00:00Z",
        "UpdateDate": "2026-01-05T10:00:00Z",
        "PolicyVersionList": [
            {"Document": document, "VersionId": "v1", "IsDefaultVersion": True, "CreateDate": "2026-01-05T10:00:00Z"}
        ],
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--users", type=int, required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--shape", choices=sorted(SHAPES), help="add one of the IAM-023 scale shapes (see above)")
    args = ap.parse_args()
    if args.users < 1:
        sys.exit("gen_exports.py: --users must be at least 1")
    n = args.users
    os.makedirs(args.out, exist_ok=True)

    with open(os.path.join(DEMO, "authorization-details.json"), encoding="utf-8") as f:
        demo = json.load(f)
    customer = [p for p in demo["Policies"] if p["Arn"].startswith(f"arn:aws:iam::{ACCOUNT}:policy/")]
    attachable = [p for p in customer if p["PolicyName"] not in ("deny-without-mfa", "permissions-boundary-base")]
    shape_group = None
    if args.shape:
        shape_group, policy_name, document = SHAPES[args.shape]
        policy = shape_policy(policy_name, document)
        demo["Policies"].append(policy)
        demo["GroupDetailList"].append(
            {
                "Path": "/",
                "GroupName": shape_group,
                "GroupId": "AGPA" + shape_group.upper().replace("-", "")[:17].ljust(17, "X"),
                "Arn": f"arn:aws:iam::{ACCOUNT}:group/{shape_group}",
                "CreateDate": "2026-01-05T10:00:00Z",
                "GroupPolicyList": [],
                "AttachedManagedPolicies": [{"PolicyName": policy_name, "PolicyArn": policy["Arn"]}],
            }
        )

    users, rows, mfa = [], [], []
    rows.append(
        f"<root_account>,arn:aws:iam::{ACCOUNT}:root,2019-03-04T16:20:11+00:00,not_supported,"
        "2026-07-28T18:02:37+00:00,not_supported,not_supported,true,false,N/A,N/A,N/A,N/A,"
        "false,N/A,N/A,N/A,N/A,false,N/A,false,N/A"
    )
    for i in range(n):
        name = f"user{i:06d}"
        if args.shape == "long-names":
            name = (name + "-").ljust(64, "a")
        arn = f"arn:aws:iam::{ACCOUNT}:user/{name}"
        created = NOW - datetime.timedelta(days=30 + i % 900, seconds=i % 86400)
        groups = list(GROUP_CYCLE[i % len(GROUP_CYCLE)])
        if i % 50 == 0:
            groups.append("admins")
        if shape_group:
            groups.append(shape_group)
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
        if i % 5 != 4 and not shape_group:
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
