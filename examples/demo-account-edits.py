"""The hand edits of examples/demo-account (examples/demo-account.md lists them) and its manifest.

Usage: demo-account-edits.py RAW_DIR OUT_DIR

RAW_DIR holds what the AWS CLI exported from moto; OUT_DIR receives the edited files and
manifest.json. Everything moto cannot make, or makes differently from AWS, is set here, and
every date and ID is fixed so that re-running gives the same files. Standard library only.
"""

import base64
import csv
import hashlib
import io
import json
import os
import sys

ACCOUNT = "123456789012"
REGION = "us-east-1"
# The credential report's generation time: the instant the audit measures ages to.
REPORT_GENERATED = "2026-11-16T14:05:12Z"
MANIFEST_GENERATED = "2026-11-16T14:07:31Z"
BOUNDARY_ARN = f"arn:aws:iam::{ACCOUNT}:policy/permissions-boundary-base"

ROOT = {
    "created": "2019-03-04T16:20:11",
    "password_last_used": "2026-07-28T18:02:37",
    "mfa_enabled": "2019-03-04T16:25:40",
}

# name: created, password last used / changed (None: no password, or never used),
# MFA enable date (None: no MFA), access keys (rotated, last used, region, service),
# and whether the user has the permissions boundary.
USERS = {
    "dr.patel": dict(created="2021-03-15T16:02:44", used="2026-11-15T21:47:03", changed="2026-09-01T13:10:27",
                     mfa="2021-03-15T16:09:12", keys=[], boundary=True),
    "dr.nguyen": dict(created="2022-06-01T14:31:09", used="2026-11-14T08:03:51", changed="2026-08-20T09:44:18",
                      mfa="2022-06-01T14:40:55", keys=[], boundary=True),
    "dr.okafor": dict(created="2020-10-05T11:20:33", used="2026-06-02T17:25:40", changed="2026-03-10T10:02:11",
                      mfa="2020-10-05T11:31:02", keys=[], boundary=True),
    "nurse.garcia": dict(created="2023-01-09T15:12:47", used="2026-11-13T07:58:29", changed="2025-01-09T15:20:03",
                         mfa=None, keys=[], boundary=True),
    "nurse.kim": dict(created="2024-02-12T13:45:30", used="2026-11-10T19:11:45", changed="2026-05-01T08:30:00",
                      mfa=None, keys=[], boundary=True),
    "reception.smith": dict(created="2023-05-22T12:00:18", used="2026-11-15T08:01:12", changed="2026-10-02T08:05:44",
                            mfa="2023-05-22T12:14:37", keys=[], boundary=True),
    "maria.lopez": dict(created="2022-11-01T09:30:00", used="2026-11-12T16:40:09", changed="2026-09-15T09:02:50",
                        mfa="2022-11-01T09:41:27", keys=[], boundary=True),
    "compliance.officer": dict(created="2025-02-03T10:15:22", used="2026-11-03T14:22:05",
                               changed="2026-08-03T10:00:31", mfa="2025-02-03T10:21:48", keys=[], boundary=True),
    "jordan.lee": dict(created="2019-03-04T16:41:57", used="2026-11-16T09:05:13", changed="2026-10-20T15:33:20",
                       mfa="2019-03-04T16:50:02",
                       keys=[("2026-10-20T15:40:12", "2026-11-16T09:12:00", REGION, "iam")], boundary=False),
    "break-glass": dict(created="2019-03-04T17:02:10", used="2025-12-01T03:17:44", changed="2025-11-30T22:00:09",
                        mfa="2019-03-04T17:08:36", keys=[], boundary=False),
    "temp.contractor": dict(created="2026-10-01T13:00:00", used=None, changed="2026-10-01T13:00:00",
                            mfa=None, keys=[], boundary=False),
    "billing-svc": dict(created="2020-04-20T10:11:12", used=None, changed=None, mfa=None,
                        keys=[("2024-07-15T18:22:09", "2026-11-16T13:58:41", REGION, "s3"),
                              ("2026-10-01T10:00:00", "2026-11-15T23:10:05", REGION, "sqs")],
                        boundary=True),
}

GROUPS = {
    "human-users": "2021-03-15T15:52:18",
    "clinicians": "2021-03-15T15:58:40",
    "billing": "2020-04-20T10:05:31",
    "admins": "2019-03-04T16:38:02",
    "auditors": "2025-02-03T10:11:47",
    "contractors": "2024-06-10T11:00:00",
}

ROLES = {
    "AWSServiceRoleForAccessAnalyzer": "2023-04-11T09:14:27",
    "ehr-app-server": "2021-02-08T20:31:55",
    "ops-admin": "2019-05-17T13:06:44",
    "AWSReservedSSO_AdministratorAccess_3f9a1c2b4d5e6f70": "2025-11-01T13:05:00",
    "AWSReservedSSO_ClinicianAccess_8b1e4d7a2c5f9e03": "2025-11-01T13:05:00",
    "AWSReservedSSO_BillingAccess_c4f2a8e6b0d3175a": "2025-11-01T13:05:00",
    "AWSReservedSSO_FrontDeskCalendar_19d7e3b5a0c2f846": "2025-11-01T13:05:00",
}

CUSTOMER_POLICIES = {
    "deny-without-mfa": "2021-03-15T15:50:02",
    "permissions-boundary-base": "2023-04-11T09:02:15",
    "clinician-ehr-access": "2021-03-15T15:57:11",
    "billing-claims-access": "2020-04-20T10:04:48",
    "imaging-s3-full-access": "2024-08-22T16:45:30",
}


def stable_id(prefix, name):
    """An AWS-looking unique ID (prefix + 17 characters) that depends only on the name."""
    digest = base64.b32encode(hashlib.sha256(name.encode()).digest()).decode()
    return prefix + digest.replace("=", "")[:17]


def z(t):
    """The JSON APIs' time format."""
    return t + "Z"


def report_time(t):
    """The credential report's time format."""
    return t + "+00:00"


def read_json(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def cli_json(value):
    """JSON as the AWS CLI prints it (--output json)."""
    return (json.dumps(value, indent=4, ensure_ascii=False) + "\n").encode()


def fail(message):
    sys.exit(f"demo-account-edits.py: {message}")


def authorization_details(raw):
    d = read_json(raw)
    for u in d["UserDetailList"]:
        spec = USERS.get(u["UserName"]) or fail(f"unexpected user {u['UserName']}")
        u["UserId"] = stable_id("AIDA", u["UserName"])
        u["CreateDate"] = z(spec["created"])
        # moto drops user permissions boundaries; AWS lists them here.
        u.pop("PermissionsBoundary", None)
        if spec["boundary"]:
            u["PermissionsBoundary"] = {
                "PermissionsBoundaryType": "PermissionsBoundaryPolicy",
                "PermissionsBoundaryArn": BOUNDARY_ARN,
            }
    for g in d["GroupDetailList"]:
        g["GroupId"] = stable_id("AGPA", g["GroupName"])
        g["CreateDate"] = z(GROUPS[g["GroupName"]])
    for r in d["RoleDetailList"]:
        r["RoleId"] = stable_id("AROA", r["RoleName"])
        r["CreateDate"] = z(ROLES[r["RoleName"]])
    policies = []
    for p in d["Policies"]:
        aws_managed = p["Arn"].startswith("arn:aws:iam::aws:")
        # moto lists every AWS-managed policy; AWS lists only those attached to something.
        if aws_managed and p.get("AttachmentCount", 0) == 0:
            continue
        name = p["Arn"].rsplit("/", 1)[1]
        # moto leaves out PolicyName and PolicyId; AWS gives both.
        fixed = {"PolicyName": name, "PolicyId": stable_id("ANPA", p["Arn"])}
        fixed.update((k, v) for k, v in p.items() if k not in ("PolicyName", "PolicyId"))
        if not aws_managed:
            created = z(CUSTOMER_POLICIES[name])
            fixed["CreateDate"] = created
            fixed["UpdateDate"] = created
            for v in fixed["PolicyVersionList"]:
                v["CreateDate"] = created
        policies.append(fixed)
    d["Policies"] = policies
    return d


def credential_report(raw):
    with open(raw, encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    header, body = rows[0], rows[1:]
    col = {name: i for i, name in enumerate(header)}
    seen = set()
    for row in body:
        name = row[col["user"]]
        spec = USERS.get(name) or fail(f"unexpected credential report row {name}")
        seen.add(name)
        row[col["user_creation_time"]] = report_time(spec["created"])
        has_password = row[col["password_enabled"]] == "true"
        if has_password != (spec["changed"] is not None):
            fail(f"{name}: moto says password_enabled={row[col['password_enabled']]}")
        if has_password:
            row[col["password_last_changed"]] = report_time(spec["changed"])
            if spec["used"]:
                row[col["password_last_used"]] = report_time(spec["used"])
        else:
            # moto writes a change time and not_supported for a user without a password.
            row[col["password_last_used"]] = "N/A"
            row[col["password_last_changed"]] = "N/A"
        # moto writes not_supported where AWS writes N/A (no password expiry in this
        # account; keys never used).
        for name_ in header:
            if name_ == "password_next_rotation" or name_.endswith(("_last_used_region", "_last_used_service")):
                if row[col[name_]] == "not_supported":
                    row[col[name_]] = "N/A"
        if (row[col["mfa_active"]] == "true") != (spec["mfa"] is not None):
            fail(f"{name}: moto says mfa_active={row[col['mfa_active']]}")
        for n in (1, 2):
            active = row[col[f"access_key_{n}_active"]] == "true"
            if active != (len(spec["keys"]) >= n):
                fail(f"{name}: moto says access_key_{n}_active={active}")
            if active:
                rotated, used, region, service = spec["keys"][n - 1]
                row[col[f"access_key_{n}_last_rotated"]] = report_time(rotated)
                row[col[f"access_key_{n}_last_used_date"]] = report_time(used)
                row[col[f"access_key_{n}_last_used_region"]] = region
                row[col[f"access_key_{n}_last_used_service"]] = service
    if seen != set(USERS):
        fail(f"credential report rows differ from the users: {sorted(set(USERS) ^ seen)}")
    # moto's report has no root row; AWS's always starts with one.
    root = {name: "N/A" for name in header}
    root.update({
        "user": "<root_account>",
        "arn": f"arn:aws:iam::{ACCOUNT}:root",
        "user_creation_time": report_time(ROOT["created"]),
        "password_enabled": "not_supported",
        "password_last_used": report_time(ROOT["password_last_used"]),
        "password_last_changed": "not_supported",
        "password_next_rotation": "not_supported",
        "mfa_active": "true",
        "access_key_1_active": "false",
        "access_key_2_active": "false",
        "cert_1_active": "false",
        "cert_2_active": "false",
    })
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(header)
    w.writerow([root[name] for name in header])
    w.writerows(body)
    return out.getvalue().encode()


def virtual_mfa_devices(raw):
    d = read_json(raw)
    devices = []
    for dev in d["VirtualMFADevices"]:
        # moto returns each device's seed and QR code; AWS does not, and they are secrets.
        dev.pop("Base32StringSeed", None)
        dev.pop("QRCodePNG", None)
        user = dev.get("User")
        if user:
            spec = USERS[user["UserName"]]
            user["UserId"] = stable_id("AIDA", user["UserName"])
            user["CreateDate"] = z(spec["created"])
            dev["EnableDate"] = z(spec["mfa"])
        devices.append(dev)
    # The root user's virtual MFA device (moto has no root user).
    devices.insert(0, {
        "SerialNumber": f"arn:aws:iam::{ACCOUNT}:mfa/root-account-mfa-device",
        "User": {
            "UserId": ACCOUNT,
            "Arn": f"arn:aws:iam::{ACCOUNT}:root",
            "CreateDate": z(ROOT["created"]),
            "PasswordLastUsed": z(ROOT["password_last_used"]),
        },
        "EnableDate": z(ROOT["mfa_enabled"]),
    })
    d["VirtualMFADevices"] = devices
    return d


def password_policy(raw):
    d = read_json(raw)
    # moto prints MaxPasswordAge 0 when passwords do not expire; AWS leaves the field out.
    if d["PasswordPolicy"].get("MaxPasswordAge") == 0:
        del d["PasswordPolicy"]["MaxPasswordAge"]
    return d


def account_summary(raw):
    d = read_json(raw)
    # The root user has MFA (see the credential report's root row).
    d["SummaryMap"]["AccountMFAEnabled"] = 1
    d["SummaryMap"]["AccountAccessKeysPresent"] = 0
    return d


ANALYZER_ARN = f"arn:aws:access-analyzer:{REGION}:{ACCOUNT}:analyzer/clinic-account-analyzer"

# `aws accessanalyzer list-analyzers` (moto has no Access Analyzer).
ANALYZERS = {
    "analyzers": [
        {
            "arn": ANALYZER_ARN,
            "name": "clinic-account-analyzer",
            "type": "ACCOUNT",
            "createdAt": "2023-04-11T09:14:25Z",
            "lastResourceAnalyzed": "arn:aws:s3:::clinic-patient-portal-uploads",
            "lastResourceAnalyzedAt": "2026-11-16T13:41:08Z",
            "tags": {},
            "status": "ACTIVE",
        }
    ]
}

# `aws accessanalyzer list-findings-v2 --analyzer-arn ...`: a patient-upload bucket any
# AWS account can write to (ACTIVE), and a KMS key shared with the claims clearinghouse
# that the security officer reviewed and archived.
FINDINGS = {
    "findings": [
        {
            "analyzedAt": "2026-11-16T13:41:08Z",
            "createdAt": "2026-09-03T17:22:51Z",
            "id": "6b1f0c2e-94d3-4a57-b8e1-3c2d7f9a0e41",
            "resource": "arn:aws:s3:::clinic-patient-portal-uploads",
            "resourceType": "AWS::S3::Bucket",
            "resourceOwnerAccount": ACCOUNT,
            "status": "ACTIVE",
            "updatedAt": "2026-09-03T17:22:51Z",
            "findingType": "ExternalAccess",
        },
        {
            "analyzedAt": "2026-11-16T13:40:52Z",
            "createdAt": "2024-02-20T10:05:33Z",
            "id": "d4a8e7b0-1c6f-4e2a-9b3d-5f0e8c7a2b19",
            "resource": f"arn:aws:kms:{REGION}:{ACCOUNT}:key/0a9b8c7d-6e5f-4a3b-2c1d-0e9f8a7b6c5d",
            "resourceType": "AWS::KMS::Key",
            "resourceOwnerAccount": ACCOUNT,
            "status": "ARCHIVED",
            "updatedAt": "2024-02-21T15:47:10Z",
            "findingType": "ExternalAccess",
        },
    ]
}


def stable_uuid(name):
    """A UUID-shaped ID (the identity store's) that depends only on the name."""
    h = hashlib.sha256(name.encode()).hexdigest()
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-8{h[17:20]}-{h[20:32]}"


def stable_lower(prefix, name, n):
    """`prefix` + n lower-case letters and digits that depend only on the name."""
    digest = base64.b32encode(hashlib.sha256(name.encode()).digest()).decode().lower()
    return prefix + digest.replace("=", "")[:n]


IC_CREATED = 1762002000.0  # 2025-11-01T13:00:00Z, every permission set's CreatedDate


def identity_center(raw):
    """The Identity Center files moto exported, with its random IDs replaced by IDs that
    depend only on names (instance, identity store, permission sets, users, groups,
    memberships) and every CreatedDate fixed: {relative path: bytes}."""
    base = os.path.join(raw, "identity-center")
    files = {}
    for root, _, names in os.walk(base):
        for name in names:
            path = os.path.join(root, name)
            files[os.path.relpath(path, raw).replace(os.sep, "/")] = read_json(path)
    ids = {}
    for rel, doc in files.items():
        if rel.endswith("/instances.json"):
            for i in doc["Instances"]:
                ids[i["InstanceArn"].rsplit("/", 1)[1]] = "ssoins-" + "7223a1b2c3d4e5f6"
                ids[i["IdentityStoreId"]] = "d-9067a1b2c3"
                i["CreatedDate"] = IC_CREATED
        elif rel.endswith("/users.json"):
            for u in doc["Users"]:
                ids[u["UserId"]] = stable_uuid("user " + u["UserName"])
        elif rel.endswith("/groups.json"):
            for g in doc["Groups"]:
                ids[g["GroupId"]] = stable_uuid("group " + g["DisplayName"])
        elif rel.endswith("/permission-set.json"):
            ps = doc["PermissionSet"]
            ids[ps["PermissionSetArn"].rsplit("/", 1)[1]] = stable_lower("ps-", ps["Name"], 16)
            ps["CreatedDate"] = IC_CREATED
    for rel, doc in files.items():
        if "/group-memberships/" in rel:
            for m in doc["GroupMemberships"]:
                group, user = ids[m["GroupId"]], ids[m["MemberId"]["UserId"]]
                ids[m["MembershipId"]] = stable_uuid(f"membership {group} {user}")
    def swap(text):
        for old, new in ids.items():
            text = text.replace(old, new)
        return text
    out = {}
    for rel, doc in sorted(files.items()):
        out[swap(rel)] = swap(cli_json(doc).decode()).encode()
    if len(out) != len(files):
        fail("two Identity Center files mapped to one name")
    return out


def main():
    raw, out = sys.argv[1], sys.argv[2]
    files = {
        "authorization-details.json": cli_json(authorization_details(os.path.join(raw, "authorization-details.json"))),
        "credential-report.csv": credential_report(os.path.join(raw, "credential-report.csv")),
        "password-policy.json": cli_json(password_policy(os.path.join(raw, "password-policy.json"))),
        "account-summary.json": cli_json(account_summary(os.path.join(raw, "account-summary.json"))),
        "virtual-mfa-devices.json": cli_json(virtual_mfa_devices(os.path.join(raw, "virtual-mfa-devices.json"))),
        f"access-analyzer/{REGION}/analyzers.json": cli_json(ANALYZERS),
        f"access-analyzer/{REGION}/findings.json": cli_json(FINDINGS),
    }
    files.update(identity_center(raw))
    for name, data in files.items():
        path = os.path.join(out, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(data)
    # The manifest in the shape `hipaa-iam collect` writes (core/src/manifest.rs).
    manifest = {
        "tool": "hipaa-iam",
        "version": "0.1.0",
        "generated_at": MANIFEST_GENERATED,
        "account_id": ACCOUNT,
        "caller_arn": f"arn:aws:iam::{ACCOUNT}:user/jordan.lee",
        "credential_report_generated_at": REPORT_GENERATED,
        "regions": [REGION],
        "not_collected": {},
        "files": {name: hashlib.sha256(data).hexdigest() for name, data in sorted(files.items())},
    }
    with open(os.path.join(out, "manifest.json"), "w", encoding="utf-8") as f:
        f.write(json.dumps(manifest, indent=2) + "\n")


if __name__ == "__main__":
    main()
