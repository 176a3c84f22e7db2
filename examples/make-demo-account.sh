#!/usr/bin/env bash
# Makes examples/demo-account/: the account data of a small clinic, as the AWS CLI writes it.
#
# It starts a moto server (scripts/moto-server.sh), builds the account with `aws iam ...`
# commands, exports the files with the same CLI commands a client would run against a real
# account (README.md, "Account data"), then applies the hand edits that
# examples/demo-account.md lists (what moto cannot make) and writes manifest.json
# with the SHA-256 of every file. Re-running it gives the same files.
#
# Needs the venv .ci/run makes (.venv/, or $HIPAA_IAM_VENV) with moto[server] and awscli.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
OUT=$ROOT/examples/demo-account
export HIPAA_IAM_VENV=${HIPAA_IAM_VENV:-$ROOT/.venv}
[ -x "$HIPAA_IAM_VENV/bin/aws" ] || {
    echo "make-demo-account.sh: no AWS CLI in $HIPAA_IAM_VENV; run .ci/run once, or: python3 -m venv .venv && .venv/bin/pip install -r scripts/requirements-test.txt" >&2
    exit 1
}

MOTO_STATE_DIR=$(mktemp -d "${TMPDIR:-/tmp}/demo-account-moto.XXXXXX")
export MOTO_STATE_DIR
RAW=$MOTO_STATE_DIR/raw
mkdir -p "$RAW"
trap '"$ROOT/scripts/moto-server.sh" stop 2>/dev/null || true; rm -rf "$MOTO_STATE_DIR"' EXIT
eval "$("$ROOT/scripts/moto-server.sh" start)"
export AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null
unset AWS_PROFILE AWS_DEFAULT_PROFILE

ACCOUNT=123456789012
aws() { "$HIPAA_IAM_AWS_CLI" "$@" --output json; }
# Commands whose output is not needed (or holds a secret: access keys) print nothing.
quiet() { aws "$@" >/dev/null; }
policy_arn() { echo "arn:aws:iam::$ACCOUNT:policy/$1"; }
AWS_POLICY=arn:aws:iam::aws:policy

POLICIES=$MOTO_STATE_DIR/policies
mkdir -p "$POLICIES"

# --- Customer-managed policies -------------------------------------------------------
# The hardening guide's step 3, verbatim.
cat >"$POLICIES/deny-without-mfa.json" <<'JSON'
{
  "Version": "2012-10-17",
  "Statement": [{
    "Sid": "DenyAllActionsIfNoMFA",
    "Effect": "Deny",
    "NotAction": [
      "iam:CreateVirtualMFADevice",
      "iam:EnableMFADevice",
      "iam:ListMFADevices",
      "iam:ListVirtualMFADevices",
      "iam:ResyncMFADevice",
      "iam:DeleteVirtualMFADevice",
      "iam:GetUser",
      "sts:GetCallerIdentity",
      "sts:GetSessionToken",
      "iam:ChangePassword"
    ],
    "Resource": "*",
    "Condition": {
      "BoolIfExists": {
        "aws:MultiFactorAuthPresent": "false"
      }
    }
  }]
}
JSON
# The guide's step 5 boundary (policies/permissions_boundary.json), verbatim.
cat >"$POLICIES/permissions-boundary-base.json" <<'JSON'
{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "DenyIAMPolicyTampering",
      "Effect": "Deny",
      "Action": [
        "iam:CreatePolicyVersion",
        "iam:SetDefaultPolicyVersion",
        "iam:CreatePolicy",
        "iam:DeletePolicy",
        "iam:AttachUserPolicy",
        "iam:AttachRolePolicy",
        "iam:AttachGroupPolicy",
        "iam:PutUserPolicy",
        "iam:PutRolePolicy",
        "iam:PutGroupPolicy",
        "iam:UpdateAssumeRolePolicy",
        "iam:CreateUser",
        "iam:CreateRole",
        "iam:CreateAccessKey",
        "iam:CreateLoginProfile",
        "iam:UpdateLoginProfile",
        "iam:AddUserToGroup",
        "iam:RemoveUserFromGroup",
        "iam:DeleteUser",
        "iam:DeleteRole"
      ],
      "Resource": "*"
    },
    {
      "Sid": "DenyPassRoleWildcard",
      "Effect": "Deny",
      "Action": "iam:PassRole",
      "Resource": "*"
    },
    {
      "Sid": "DenyOrgAndAccountAdmin",
      "Effect": "Deny",
      "Action": [
        "organizations:*",
        "account:*",
        "sso:*",
        "sso-admin:*"
      ],
      "Resource": "*"
    },
    {
      "Sid": "AllowSafeReadOnlyStarter",
      "Effect": "Allow",
      "Action": [
        "ec2:Describe*",
        "s3:Get*",
        "s3:List*",
        "logs:Describe*",
        "logs:Get*",
        "logs:List*",
        "cloudwatch:Describe*",
        "cloudwatch:Get*",
        "cloudwatch:List*",
        "iam:Get*",
        "iam:List*",
        "sts:GetCallerIdentity"
      ],
      "Resource": "*"
    }
  ]
}
JSON
cat >"$POLICIES/clinician-ehr-access.json" <<'JSON'
{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "ReadPatientRecords",
      "Effect": "Allow",
      "Action": ["s3:GetObject", "s3:ListBucket"],
      "Resource": ["arn:aws:s3:::clinic-ehr-records", "arn:aws:s3:::clinic-ehr-records/*"]
    },
    {
      "Sid": "DecryptPatientRecords",
      "Effect": "Allow",
      "Action": "kms:Decrypt",
      "Resource": "arn:aws:kms:us-east-1:123456789012:key/6f1c2a4e-3b9d-4c1e-8a7f-0d2e5b6c7a81"
    }
  ]
}
JSON
cat >"$POLICIES/billing-claims-access.json" <<'JSON'
{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "ClaimsFiles",
      "Effect": "Allow",
      "Action": ["s3:GetObject", "s3:PutObject", "s3:ListBucket"],
      "Resource": ["arn:aws:s3:::clinic-billing-claims", "arn:aws:s3:::clinic-billing-claims/*"]
    },
    {
      "Sid": "ClaimsQueue",
      "Effect": "Allow",
      "Action": ["sqs:SendMessage", "sqs:ReceiveMessage", "sqs:DeleteMessage"],
      "Resource": "arn:aws:sqs:us-east-1:123456789012:claims-outbound"
    }
  ]
}
JSON
# A convenience policy someone made for the imaging team: every S3 action on every bucket.
cat >"$POLICIES/imaging-s3-full-access.json" <<'JSON'
{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "ImagingEverything",
      "Effect": "Allow",
      "Action": "s3:*",
      "Resource": "*"
    }
  ]
}
JSON
cat >"$POLICIES/appointment-calendar-read.json" <<'JSON'
{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": "s3:GetObject",
      "Resource": "arn:aws:s3:::clinic-schedules/*"
    }
  ]
}
JSON
cat >"$POLICIES/ehr-records-rw.json" <<'JSON'
{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": ["s3:GetObject", "s3:PutObject"],
      "Resource": "arn:aws:s3:::clinic-ehr-records/*"
    },
    {
      "Effect": "Allow",
      "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
      "Resource": "arn:aws:kms:us-east-1:123456789012:key/6f1c2a4e-3b9d-4c1e-8a7f-0d2e5b6c7a81"
    }
  ]
}
JSON
cat >"$POLICIES/trust-ec2.json" <<'JSON'
{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
JSON
cat >"$POLICIES/trust-access-analyzer.json" <<'JSON'
{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "access-analyzer.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
JSON
cat >"$POLICIES/trust-account-with-mfa.json" <<'JSON'
{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"}, "Action": "sts:AssumeRole", "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}}]}
JSON

echo "make-demo-account.sh: building the account in moto" >&2
for p in deny-without-mfa permissions-boundary-base clinician-ehr-access billing-claims-access imaging-s3-full-access; do
    quiet iam create-policy --policy-name "$p" --policy-document "file://$POLICIES/$p.json"
done

# --- Password policy: weaker than the guide's step 2 ------------------------------------
quiet iam update-account-password-policy --minimum-password-length 8 --require-numbers \
    --require-lowercase-characters --allow-users-to-change-password

# --- Groups ---------------------------------------------------------------------------
for g in human-users clinicians billing admins auditors contractors; do
    quiet iam create-group --group-name "$g"
done
quiet iam attach-group-policy --group-name human-users --policy-arn "$(policy_arn deny-without-mfa)"
quiet iam attach-group-policy --group-name clinicians --policy-arn "$(policy_arn clinician-ehr-access)"
quiet iam attach-group-policy --group-name billing --policy-arn "$(policy_arn billing-claims-access)"
quiet iam attach-group-policy --group-name admins --policy-arn "$AWS_POLICY/AdministratorAccess"
quiet iam attach-group-policy --group-name auditors --policy-arn "$AWS_POLICY/SecurityAudit"
# `contractors` stays empty.

# --- Users ----------------------------------------------------------------------------
# user  groups(comma-separated or -)  console(yes/no)  mfa(yes/no)  access-keys(0/1/2)
USERS="
dr.patel            human-users,clinicians  yes yes 0
dr.nguyen           human-users,clinicians  yes yes 0
dr.okafor           human-users,clinicians  yes yes 0
nurse.garcia        human-users,clinicians  yes no  0
nurse.kim           clinicians              yes no  0
reception.smith     human-users             yes yes 0
maria.lopez         human-users,billing     yes yes 0
compliance.officer  human-users,auditors    yes yes 0
jordan.lee          human-users,admins      yes yes 1
break-glass         admins                  yes yes 0
temp.contractor     -                       yes no  0
billing-svc         billing                 no  no  2
"
while read -r user groups console mfa keys; do
    [ -n "$user" ] || continue
    quiet iam create-user --user-name "$user"
    if [ "$groups" != "-" ]; then
        for g in ${groups//,/ }; do
            quiet iam add-user-to-group --user-name "$user" --group-name "$g"
        done
    fi
    if [ "$console" = yes ]; then
        # A throwaway password that only ever exists inside this moto server.
        quiet iam create-login-profile --user-name "$user" --password "Demo-$RANDOM-$RANDOM-pw1"
    fi
    if [ "$mfa" = yes ]; then
        # The seed and QR code are secrets: written only to moto's temporary directory.
        quiet iam create-virtual-mfa-device --virtual-mfa-device-name "$user" \
            --outfile "$MOTO_STATE_DIR/$user-qr.png" --bootstrap-method QRCodePNG
        quiet iam enable-mfa-device --user-name "$user" --serial-number "arn:aws:iam::$ACCOUNT:mfa/$user" \
            --authentication-code1 123456 --authentication-code2 654321
    fi
    for _ in $(seq 1 "$keys"); do
        quiet iam create-access-key --user-name "$user"
    done
done <<<"$USERS"

# A policy attached directly to a user, and an inline user policy.
quiet iam attach-user-policy --user-name dr.okafor --policy-arn "$(policy_arn imaging-s3-full-access)"
quiet iam put-user-policy --user-name reception.smith --policy-name appointment-calendar-read \
    --policy-document "file://$POLICIES/appointment-calendar-read.json"

# --- Roles ----------------------------------------------------------------------------
quiet iam create-role --role-name AWSServiceRoleForAccessAnalyzer --path /aws-service-role/access-analyzer.amazonaws.com/ \
    --assume-role-policy-document "file://$POLICIES/trust-access-analyzer.json"
quiet iam attach-role-policy --role-name AWSServiceRoleForAccessAnalyzer \
    --policy-arn "$AWS_POLICY/aws-service-role/AccessAnalyzerServiceRolePolicy"
quiet iam create-role --role-name ehr-app-server --assume-role-policy-document "file://$POLICIES/trust-ec2.json" \
    --permissions-boundary "$(policy_arn permissions-boundary-base)"
quiet iam put-role-policy --role-name ehr-app-server --policy-name ehr-records-rw \
    --policy-document "file://$POLICIES/ehr-records-rw.json"
quiet iam create-role --role-name ops-admin --assume-role-policy-document "file://$POLICIES/trust-account-with-mfa.json"
quiet iam attach-role-policy --role-name ops-admin --policy-arn "$AWS_POLICY/AdministratorAccess"

# --- IAM Identity Center ----------------------------------------------------------------
# The clinic signs its IT staff and clinicians in through Identity Center (the instance of
# this account, the organization's management account).
echo "make-demo-account.sh: building Identity Center in moto" >&2
INSTANCE=$("$HIPAA_IAM_AWS_CLI" sso-admin list-instances --query 'Instances[0].InstanceArn' --output text)
STORE=$("$HIPAA_IAM_AWS_CLI" sso-admin list-instances --query 'Instances[0].IdentityStoreId' --output text)
ic_user() {
    "$HIPAA_IAM_AWS_CLI" identitystore create-user --identity-store-id "$STORE" --user-name "$1" \
        --display-name "$2" --name "GivenName=$3,FamilyName=$4" --query UserId --output text
}
ic_group() {
    "$HIPAA_IAM_AWS_CLI" identitystore create-group --identity-store-id "$STORE" --display-name "$1" \
        --query GroupId --output text
}
member() { quiet identitystore create-group-membership --identity-store-id "$STORE" --group-id "$1" --member-id "UserId=$2"; }
U_ADMIN=$(ic_user alex.rivera "Alex Rivera" Alex Rivera)
U_CLIN=$(ic_user dr.reyes "Dr. Sofia Reyes" Sofia Reyes)
U_BILL=$(ic_user pat.morgan "Pat Morgan" Pat Morgan)
U_CONTR=$(ic_user sam.contractor "Sam (contractor)" Sam Contractor)
G_ADMIN=$(ic_group IT-Admins)
G_CLIN=$(ic_group Clinicians)
G_BILL=$(ic_group Billing)
member "$G_ADMIN" "$U_ADMIN"
member "$G_CLIN" "$U_CLIN"
member "$G_BILL" "$U_BILL"
# sam.contractor is in no group.
perm_set() {
    "$HIPAA_IAM_AWS_CLI" sso-admin create-permission-set --instance-arn "$INSTANCE" --name "$1" \
        --session-duration "$2" --description "$3" --query PermissionSet.PermissionSetArn --output text
}
PS_ADMIN=$(perm_set AdministratorAccess PT12H "Full administrator access for IT")
PS_CLIN=$(perm_set ClinicianAccess PT4H "Read and write EHR records")
PS_BILL=$(perm_set BillingAccess PT4H "Claims processing")
PS_READ=$(perm_set FrontDeskCalendar PT8H "Read the appointment calendar")
quiet sso-admin attach-managed-policy-to-permission-set --instance-arn "$INSTANCE" --permission-set-arn "$PS_ADMIN" \
    --managed-policy-arn "$AWS_POLICY/AdministratorAccess"
quiet sso-admin put-inline-policy-to-permission-set --instance-arn "$INSTANCE" --permission-set-arn "$PS_CLIN" \
    --inline-policy "file://$POLICIES/ehr-records-rw.json"
quiet sso-admin attach-customer-managed-policy-reference-to-permission-set --instance-arn "$INSTANCE" \
    --permission-set-arn "$PS_BILL" --customer-managed-policy-reference Name=billing-claims-access,Path=/
quiet sso-admin put-inline-policy-to-permission-set --instance-arn "$INSTANCE" --permission-set-arn "$PS_READ" \
    --inline-policy "file://$POLICIES/appointment-calendar-read.json"
assign() {
    quiet sso-admin create-account-assignment --instance-arn "$INSTANCE" --target-id "$ACCOUNT" --target-type AWS_ACCOUNT \
        --permission-set-arn "$1" --principal-type "$2" --principal-id "$3"
}
assign "$PS_ADMIN" GROUP "$G_ADMIN"
assign "$PS_CLIN" GROUP "$G_CLIN"
assign "$PS_BILL" GROUP "$G_BILL"
assign "$PS_READ" USER "$U_CONTR"
for ps in "$PS_ADMIN" "$PS_CLIN" "$PS_BILL" "$PS_READ"; do
    quiet sso-admin provision-permission-set --instance-arn "$INSTANCE" --permission-set-arn "$ps" \
        --target-type AWS_ACCOUNT --target-id "$ACCOUNT"
done
# Provisioning makes a role per permission set in the account, which moto does not: the roles
# AWS makes, with AWS's path, name shape, SAML trust and the permission set's policies.
cat >"$POLICIES/trust-identity-center.json" <<'JSON'
{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Federated": "arn:aws:iam::123456789012:saml-provider/AWSSSO_5e3a9c1f7b2d4e60_DO_NOT_DELETE"}, "Action": ["sts:AssumeRoleWithSAML", "sts:TagSession"], "Condition": {"StringEquals": {"SAML:aud": "https://signin.aws.amazon.com/saml"}}}]}
JSON
sso_role() {
    quiet iam create-role --role-name "AWSReservedSSO_$1" --path /aws-reserved/sso.amazonaws.com/ \
        --assume-role-policy-document "file://$POLICIES/trust-identity-center.json" --max-session-duration "$2"
}
sso_role AdministratorAccess_3f9a1c2b4d5e6f70 43200
quiet iam attach-role-policy --role-name AWSReservedSSO_AdministratorAccess_3f9a1c2b4d5e6f70 \
    --policy-arn "$AWS_POLICY/AdministratorAccess"
sso_role ClinicianAccess_8b1e4d7a2c5f9e03 14400
quiet iam put-role-policy --role-name AWSReservedSSO_ClinicianAccess_8b1e4d7a2c5f9e03 --policy-name AwsSSOInlinePolicy \
    --policy-document "file://$POLICIES/ehr-records-rw.json"
sso_role BillingAccess_c4f2a8e6b0d3175a 14400
quiet iam attach-role-policy --role-name AWSReservedSSO_BillingAccess_c4f2a8e6b0d3175a \
    --policy-arn "$(policy_arn billing-claims-access)"
sso_role FrontDeskCalendar_19d7e3b5a0c2f846 28800
quiet iam put-role-policy --role-name AWSReservedSSO_FrontDeskCalendar_19d7e3b5a0c2f846 --policy-name AwsSSOInlinePolicy \
    --policy-document "file://$POLICIES/appointment-calendar-read.json"

# --- Export, exactly as a client would --------------------------------------------------
echo "make-demo-account.sh: exporting the account data" >&2
aws iam get-account-authorization-details >"$RAW/authorization-details.json"
state=
for _ in $(seq 1 30); do
    state=$("$HIPAA_IAM_AWS_CLI" iam generate-credential-report --query State --output text)
    [ "$state" = COMPLETE ] && break
    sleep 1
done
[ "$state" = COMPLETE ] || { echo "make-demo-account.sh: the credential report never completed" >&2; exit 1; }
"$HIPAA_IAM_AWS_CLI" iam get-credential-report --query Content --output text | base64 -d >"$RAW/credential-report.csv"
aws iam get-account-password-policy >"$RAW/password-policy.json"
aws iam get-account-summary >"$RAW/account-summary.json"
aws iam list-virtual-mfa-devices >"$RAW/virtual-mfa-devices.json"

# Identity Center, with the script README.md ("Account data") documents. moto does not
# implement get-permissions-boundary-for-permission-set (the demo's permission sets have no
# boundary): those files are the only ones the script may fail to make.
IC_ERR=$MOTO_STATE_DIR/identity-center.err
if ! "$ROOT/scripts/collect-identity-center.sh" --region "$AWS_REGION" --output "$RAW" 2>"$IC_ERR"; then
    if grep ' not made: ' "$IC_ERR" | grep -v '/permissions-boundary.json not made: ' >&2 \
        || ! grep -q ' not made: ' "$IC_ERR"; then
        cat "$IC_ERR" >&2
        echo "make-demo-account.sh: exporting Identity Center failed" >&2
        exit 1
    fi
fi

# --- The hand edits (examples/demo-account.md lists them) and the manifest -------
echo "make-demo-account.sh: applying the hand edits, writing $OUT" >&2
"$HIPAA_IAM_VENV/bin/python" "$ROOT/examples/demo-account-edits.py" "$RAW" "$OUT"
echo "make-demo-account.sh: done" >&2
