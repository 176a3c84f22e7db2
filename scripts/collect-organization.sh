#!/usr/bin/env bash
# Writes the organization data of an AWS Organization into DIR/organization/ with the AWS CLI
# alone: the same files `hipaa-iam collect --org --output DIR` writes there (README.md,
# "Organization data"), so an auditor can be handed them without the tool.
#
#   scripts/collect-organization.sh DIR
#
# Run it with the management account's credentials (or a delegated administrator's): the
# AWS CLI's standard credential chain, profile and region (AWS_PROFILE, AWS_REGION, ...).
# The CLI follows every page itself and prints one merged document per call. A call that
# fails (e.g. AccessDenied: not the management account) leaves its file out and is reported
# on stderr; the audit then says that what depends on it is unknown. Requests: one
# describe-organization and list-roots, two list-children per root and organizational unit,
# one list-policies per enabled policy type, two calls per policy: never one per account.
set -u -o pipefail

if [ $# -ne 1 ] || [ -z "$1" ]; then
    echo "usage: $0 DIR   (writes DIR/organization/)" >&2
    exit 2
fi
out="$1/organization"
aws="${AWS_CLI:-aws}"
mkdir -p "$out" || exit 2
failed=0

# call FILE ARGS...: `aws organizations ARGS --output json` into $out/FILE, or a note.
call() {
    local file="$out/$1"
    shift
    mkdir -p "$(dirname "$file")" || return 1
    if "$aws" organizations "$@" --output json >"$file.tmp" 2>"$file.err"; then
        mv "$file.tmp" "$file"
        rm -f "$file.err"
    else
        echo "not collected: organization/${file#"$out/"}: $(tr '\n' ' ' <"$file.err")" >&2
        rm -f "$file.tmp" "$file.err"
        failed=1
        return 1
    fi
}

# ids QUERY ARGS...: the IDs a query picks from `aws organizations ARGS`, one a line.
ids() {
    local query="$1"
    shift
    "$aws" organizations "$@" --query "$query" --output text 2>/dev/null | tr '\t' '\n' | grep -v '^None$' | grep -v '^$'
}

call organization.json describe-organization || exit 1
call roots.json list-roots || exit 1

# The tree, root by root, down every organizational unit.
queue=$(ids 'Roots[].Id' list-roots)
while [ -n "$queue" ]; do
    next=""
    for parent in $queue; do
        case "$parent" in
            r-* | ou-*) ;;
            *) continue ;;
        esac
        call "children/$parent/organizational-units.json" list-children --parent-id "$parent" --child-type ORGANIZATIONAL_UNIT &&
            next="$next $(ids 'Children[].Id' list-children --parent-id "$parent" --child-type ORGANIZATIONAL_UNIT)"
        call "children/$parent/accounts.json" list-children --parent-id "$parent" --child-type ACCOUNT
    done
    queue=$(echo "$next" | xargs)
done

# The policies of each type enabled at the root, with their contents and targets.
for kind in SERVICE_CONTROL_POLICY:service-control-policies RESOURCE_CONTROL_POLICY:resource-control-policies; do
    type="${kind%%:*}"
    listing="policies/${kind#*:}.json"
    enabled=$(ids "Roots[].PolicyTypes[?Type=='$type' && Status=='ENABLED'].Type" list-roots)
    if [ -z "$enabled" ]; then
        echo "not collected: organization/$listing: $type is not enabled at the root" >&2
        continue
    fi
    call "$listing" list-policies --filter "$type" || continue
    for id in $(ids 'Policies[].Id' list-policies --filter "$type"); do
        case "$id" in
            p-*) ;;
            *) continue ;;
        esac
        call "policies/$id/policy.json" describe-policy --policy-id "$id"
        call "policies/$id/targets.json" list-targets-for-policy --policy-id "$id"
    done
done

exit "$failed"
