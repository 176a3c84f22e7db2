#!/usr/bin/env python3
"""Fills a moto server with a synthetic IAM account of N users, with boto3 in parallel batches.

    seed.py --endpoint http://127.0.0.1:5201 --users 1000

The account, by user index i (0-based):
  * i % 3 == 0: a console user (login profile) without MFA, in the `human-users` group;
  * i % 3 == 1: a console user with an enabled virtual MFA device, in `human-users`;
  * i % 3 == 2: a programmatic user with an access key, in `service-accounts`;
  * every 50th user is also in the `admins` group (AdministratorAccess attached);
  * every 4th user also has an access key, every 10th an inline policy.
Groups: human-users (ReadOnlyAccess), service-accounts (a customer managed S3 policy),
admins (AdministratorAccess). A password policy is set.

Prints one line: the number of users, groups and keys made. No secret is printed.
"""

import argparse
import concurrent.futures
import json
import sys

import boto3
import botocore.config

GROUPS = {
    "human-users": "arn:aws:iam::aws:policy/ReadOnlyAccess",
    "service-accounts": None,  # the customer managed policy below
    "admins": "arn:aws:iam::aws:policy/AdministratorAccess",
}

S3_POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Action": ["s3:GetObject", "s3:PutObject"],
            "Resource": "arn:aws:s3:::phi-bucket/*",
        }
    ],
}

INLINE = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "dynamodb:Query", "Resource": "*"}],
}


def client(endpoint):
    return boto3.client(
        "iam",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=botocore.config.Config(max_pool_connections=32, retries={"max_attempts": 10, "mode": "standard"}),
    )


def make_user(iam, i):
    name = f"user{i:06d}"
    iam.create_user(UserName=name)
    keys = 0
    kind = i % 3
    if kind in (0, 1):
        iam.create_login_profile(UserName=name, Password="Bench-Passw0rd-Not-Secret!", PasswordResetRequired=False)
        iam.add_user_to_group(GroupName="human-users", UserName=name)
    else:
        iam.add_user_to_group(GroupName="service-accounts", UserName=name)
    if kind == 1:
        serial = iam.create_virtual_mfa_device(VirtualMFADeviceName=name)["VirtualMFADevice"]["SerialNumber"]
        iam.enable_mfa_device(
            UserName=name, SerialNumber=serial, AuthenticationCode1="123456", AuthenticationCode2="654321"
        )
    if kind == 2 or i % 4 == 0:
        iam.create_access_key(UserName=name)  # the secret is discarded
        keys += 1
    if i % 50 == 0:
        iam.add_user_to_group(GroupName="admins", UserName=name)
    if i % 10 == 0:
        iam.put_user_policy(UserName=name, PolicyName="query", PolicyDocument=json.dumps(INLINE))
    return keys


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--endpoint", required=True)
    ap.add_argument("--users", type=int, required=True)
    ap.add_argument("--threads", type=int, default=8)
    args = ap.parse_args()
    if args.users < 1:
        sys.exit("seed.py: --users must be at least 1")

    iam = client(args.endpoint)
    s3 = iam.create_policy(PolicyName="phi-bucket-rw", PolicyDocument=json.dumps(S3_POLICY))["Policy"]["Arn"]
    for group, arn in GROUPS.items():
        iam.create_group(GroupName=group)
        iam.attach_group_policy(GroupName=group, PolicyArn=arn or s3)
    iam.update_account_password_policy(MinimumPasswordLength=14, RequireSymbols=True, MaxPasswordAge=90)

    keys = 0
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.threads) as pool:
        # One client per thread would be cleaner, but boto3 clients are thread-safe.
        for done in pool.map(lambda i: make_user(iam, i), range(args.users)):
            keys += done
    print(f"seeded {args.users} users, {len(GROUPS)} groups, {keys} access keys")


if __name__ == "__main__":
    main()
