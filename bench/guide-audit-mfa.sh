#!/usr/bin/env bash
# The seed hardening guide's MFA audit (its Audit-MFA.ps1), done the same way with the AWS CLI:
# `aws iam list-users`, then `aws iam list-mfa-devices --user-name` once per user; prints
# "USER HAS_MFA" or "USER NO_MFA" per user and writes the CSV the guide keeps as evidence.
#
#   guide-audit-mfa.sh OUT.csv      (AWS_CLI: the aws executable, default `aws`)
set -euo pipefail

[ "$#" -eq 1 ] || {
    echo "usage: $0 OUT.csv" >&2
    exit 2
}
out=$1
aws=${AWS_CLI:-aws}

echo "UserName,MFA" >"$out"
# The AWS CLI pages through every user itself.
users=$("$aws" iam list-users --query 'Users[].UserName' --output text)
for user in $users; do
    count=$("$aws" iam list-mfa-devices --user-name "$user" --query 'length(MFADevices)' --output text)
    if [ "$count" -gt 0 ]; then status=HAS_MFA; else status=NO_MFA; fi
    echo "$user $status"
    echo "$user,$status" >>"$out"
done
