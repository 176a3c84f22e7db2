#!/usr/bin/env bash
# Makes the IAM Identity Center files of an exports directory with the AWS CLI alone: the
# same files, in the same places, that `hipaa-iam collect` writes (README.md, "The exports
# directory"). Run it with the credentials of the account that administers the instance
# (the organization's management account or a delegated administrator).
#
#   scripts/collect-identity-center.sh --region us-east-1 [--region eu-west-1 ...] \
#       [--profile NAME] --output DIR
#
# For each region it writes DIR/identity-center/<region>/instances.json and, for each
# instance, its permission sets (description, managed and customer-managed policies, inline
# policy, permissions boundary, the accounts each is provisioned to and the assignments in
# each account), and the identity store's users, groups and group memberships. Each file is
# one AWS CLI command's output (`--output json`, every page merged by the CLI). IDs for the
# next commands come from the same listings asked again with `--query ... --output text`.
#
# A command that fails leaves its file out (it is never half-written) and says so on
# stderr; the rest is still made, and the script ends with status 1. The permissions
# boundary of a permission set that has none (ResourceNotFoundException) is no file and no
# failure. IDs that could not name a file safely are refused, as `hipaa-iam collect` does.
#
# Needs bash and the AWS CLI (v1 or v2; `$HIPAA_IAM_AWS_CLI` or `aws` on PATH); nothing else.
# The CLI v1 prints the timestamps of these services (CreatedDate) as epoch seconds, v2 as
# ISO 8601: hipaa-iam reads both.
set -euo pipefail
# IDs are split into words below; none of them may be expanded as a file name pattern.
set -f

AWS=${HIPAA_IAM_AWS_CLI:-aws}
PROG=collect-identity-center.sh
REGIONS=()
PROFILE=()
OUT=

usage() {
    sed -n '2,9p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
    exit "${1:-2}"
}

die() {
    echo "$PROG: $*" >&2
    exit 2
}

while [ $# -gt 0 ]; do
    case $1 in
    --region)
        [ $# -ge 2 ] || die "--region needs a value"
        IFS=, read -r -a more <<<"$2"
        REGIONS+=("${more[@]}")
        shift 2
        ;;
    --profile)
        [ $# -ge 2 ] || die "--profile needs a value"
        PROFILE=(--profile "$2")
        shift 2
        ;;
    --output)
        [ $# -ge 2 ] || die "--output needs a value"
        OUT=$2
        shift 2
        ;;
    -h | --help) usage 0 ;;
    *) die "unknown argument: $1 (see --help)" ;;
    esac
done
[ -n "$OUT" ] || die "--output DIR is required"
[ ${#REGIONS[@]} -gt 0 ] || die "at least one --region is required"
for r in "${REGIONS[@]}"; do
    # As hipaa-iam checks them: lower-case parts joined by '-', letters first, digits last.
    [[ $r =~ ^[a-z]+-[a-z0-9]+(-[a-z0-9]+)*-[0-9]+$ ]] || die "'$r' is not an AWS region name (like us-east-1)"
    [ -e "$OUT/identity-center/$r" ] && die "$OUT/identity-center/$r exists: remove it first, so that no file of an earlier run is mixed in"
done

# An ID (instance, permission set, account, group) that may name a file or folder.
safe_id() { [[ $1 =~ ^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$ ]]; }

FAILED=0
WRITTEN=0

# The AWS CLI's error text on one line, without the blank lines around it.
one_line() {
    local text
    text=$(printf '%s' "$1" | tr -s '\n\t' '  ')
    text=${text#"${text%%[![:space:]]*}"}
    printf '%s' "${text%"${text##*[![:space:]]}"}"
}

# run FILE ARGS...: the AWS CLI's JSON output of ARGS into FILE (through a temporary file,
# so a failed command leaves none). Returns 1 when the command failed (and says so), 2 when
# it answered ResourceNotFoundException (nothing said: the caller decides).
run() {
    local file=$1 err
    shift
    mkdir -p "$(dirname "$file")"
    err=$("$AWS" "$@" "${PROFILE[@]}" --output json 2>&1 >"$file.tmp.$$") || {
        rm -f "$file.tmp.$$"
        if [[ $err == *"(ResourceNotFoundException)"* ]]; then
            return 2
        fi
        echo "$PROG: ${file#"$OUT"/} not made: $(one_line "$err")" >&2
        FAILED=$((FAILED + 1))
        return 1
    }
    mv "$file.tmp.$$" "$file"
    WRITTEN=$((WRITTEN + 1))
}

# words WHAT ARGS...: the words the AWS CLI prints for ARGS with `--output text`, one a
# line (`None` where a value is absent). Fails, saying so, when the command does.
words() {
    local what=$1 out
    shift
    out=$("$AWS" "$@" "${PROFILE[@]}" --output text 2>&1) || {
        echo "$PROG: the $what could not be listed: $(one_line "$out")" >&2
        FAILED=$((FAILED + 1))
        return 1
    }
    local word
    for word in $out; do
        printf '%s\n' "$word"
    done
}

# ids WHAT ARGS...: like words, for a plain list of IDs (`None`, an absent list, is none).
ids() {
    local out word
    out=$(words "$@") || return 1
    for word in $out; do
        [ "$word" = None ] || printf '%s\n' "$word"
    done
}

# checked WHAT ID: prints ID when it may name a file, else says so and fails.
checked() {
    if safe_id "$2"; then
        printf '%s\n' "$2"
    else
        echo "$PROG: refused $1 ID '$2' (it cannot name a file)" >&2
        FAILED=$((FAILED + 1))
        return 1
    fi
}

permission_set() {
    local region=$1 instance=$2 dir=$3 ps_arn=$4 ps
    ps=$(checked "permission set" "${ps_arn##*/}") || return 0
    local ps_dir=$dir/permission-sets/$ps
    local args=(--instance-arn "$instance" --permission-set-arn "$ps_arn" --region "$region")
    run "$ps_dir/permission-set.json" sso-admin describe-permission-set "${args[@]}" || true
    run "$ps_dir/managed-policies.json" sso-admin list-managed-policies-in-permission-set "${args[@]}" || true
    run "$ps_dir/customer-managed-policies.json" sso-admin list-customer-managed-policy-references-in-permission-set "${args[@]}" || true
    run "$ps_dir/inline-policy.json" sso-admin get-inline-policy-for-permission-set "${args[@]}" || true
    # ResourceNotFoundException: the permission set has no boundary, so no file and no failure.
    run "$ps_dir/permissions-boundary.json" sso-admin get-permissions-boundary-for-permission-set "${args[@]}" || true
    run "$ps_dir/accounts.json" sso-admin list-accounts-for-provisioned-permission-set "${args[@]}" || return 0
    local accounts account
    accounts=$(ids "accounts of $ps" sso-admin list-accounts-for-provisioned-permission-set "${args[@]}" \
        --query 'AccountIds[]') || return 0
    for account in $accounts; do
        account=$(checked account "$account") || continue
        run "$ps_dir/assignments/$account.json" sso-admin list-account-assignments \
            --instance-arn "$instance" --account-id "$account" --permission-set-arn "$ps_arn" \
            --region "$region" || true
    done
    return 0
}

instance() {
    local region=$1 arn=$2 store=$3 id
    id=$(checked instance "${arn##*/}") || return 0
    local dir=$OUT/identity-center/$region/$id
    if run "$dir/permission-sets.json" sso-admin list-permission-sets --instance-arn "$arn" --region "$region"; then
        local sets ps_arn
        if sets=$(ids "permission sets of $id" sso-admin list-permission-sets --instance-arn "$arn" \
            --region "$region" --query 'PermissionSets[]'); then
            for ps_arn in $sets; do
                permission_set "$region" "$arn" "$dir" "$ps_arn"
            done
        fi
    fi
    if [ "$store" = None ] || [ -z "$store" ]; then
        echo "$PROG: the instance $arn has no IdentityStoreId: no users, groups or memberships" >&2
        FAILED=$((FAILED + 1))
        return 0
    fi
    local store_args=(--identity-store-id "$store" --region "$region")
    run "$dir/users.json" identitystore list-users "${store_args[@]}" || true
    if run "$dir/groups.json" identitystore list-groups "${store_args[@]}"; then
        local groups group
        if groups=$(ids "groups of $id" identitystore list-groups "${store_args[@]}" --query 'Groups[].GroupId'); then
            for group in $groups; do
                group=$(checked group "$group") || continue
                run "$dir/group-memberships/$group.json" identitystore list-group-memberships \
                    "${store_args[@]}" --group-id "$group" || true
            done
        fi
    fi
}

for region in "${REGIONS[@]}"; do
    run "$OUT/identity-center/$region/instances.json" sso-admin list-instances --region "$region" || continue
    rows=$(words "instances in $region" sso-admin list-instances --region "$region" \
        --query 'Instances[].[InstanceArn,IdentityStoreId]') || continue
    # Pairs of words: the instance ARN, then its identity store ID (`None` when absent).
    # shellcheck disable=SC2086 # split into words on purpose
    set -- $rows
    while [ $# -ge 2 ]; do
        instance "$region" "$1" "$2"
        shift 2
    done
done

echo "$PROG: $WRITTEN files written under $OUT/identity-center, $FAILED failures" >&2
[ "$FAILED" -eq 0 ]
