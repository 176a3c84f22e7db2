#!/usr/bin/env bash
# The composite action's logic (action.yml runs it; it never runs `${{ }}` expressions).
#
#   run.sh validate   check the INPUT_* values; fail with ::error:: naming the bad one
#   run.sh download   fetch the release asset for this runner and verify its SHA-256 against
#                     the release's checksum file (INPUT_VERSION set)
#   run.sh build      cargo build --release --locked from the action's own source
#   run.sh audit      run `hipaa-iam audit --github` with the inputs
#   run.sh lint       run `hipaa-iam lint-policy --github` on the files INPUT_LINT_POLICIES
#                     matches; problems are reported (output failed=true), not yet failed on
#   run.sh lint-verdict  fail the job on the policy problems (after the audit has run)
#
# Inputs arrive as environment variables only (INPUT_FAIL_ON, INPUT_CHECKS, INPUT_CONFIG,
# INPUT_EXPORTS_DIR, INPUT_REGIONS, INPUT_OUTPUT_DIR, INPUT_FORMAT, INPUT_VERSION, INPUT_ORG,
# INPUT_ROLE_NAME, INPUT_SHARD, INPUT_LINT_POLICIES, INPUT_AUDIT, INPUT_PREVIOUS_REPORT_DIR)
# and are only ever used as quoted arguments, never evaluated (the lint-policies globs are
# expanded as file names only).
#
# HIPAA_IAM_BIN: a hipaa-iam binary to use instead of downloading or building one (for
# offline or self-hosted runners that provide it, and for the action's own tests).
set -euo pipefail

ACTION_PATH=${GITHUB_ACTION_PATH:-$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)}
REPOSITORY=${HIPAA_IAM_REPOSITORY:-hipaa-iam/hipaa-iam}

fail() {
    # ::error:: with the message escaped as a workflow command's data.
    local msg=$1
    msg=${msg//'%'/'%25'}
    msg=${msg//$'\r'/'%0D'}
    msg=${msg//$'\n'/'%0A'}
    echo "::error::$msg"
    exit 1
}

output() {
    [ -n "${GITHUB_OUTPUT:-}" ] && printf '%s=%s\n' "$1" "$2" >>"$GITHUB_OUTPUT"
    return 0
}

# The binary the other commands put in place, as a file next to the outputs.
# split VALUE: the comma-separated items of VALUE, spaces removed, one per line (no glob
# expansion, no evaluation).
split() {
    local items item
    IFS=, read -r -a items <<<"${1// /}"
    for item in "${items[@]}"; do
        [ -z "$item" ] || printf '%s\n' "$item"
    done
}

# patterns VALUE: the globs of VALUE separated by commas or line ends, surrounding blanks
# trimmed, one per line.
patterns() {
    local item
    while IFS= read -r item; do
        item=${item#"${item%%[![:space:]]*}"}
        item=${item%"${item##*[![:space:]]}"}
        [ -z "$item" ] || printf '%s\n' "$item"
    done < <(printf '%s\n' "${1//,/$'\n'}")
}

# lint_files: LINT_FILES set to the files and directories the lint-policies globs match
# (globstar: ** matches any depth). A glob that matches nothing fails, naming it.
lint_files() {
    local pattern f matched
    # Pathname expansion only: with IFS empty there is no word splitting, and the result of
    # an expansion is never evaluated as code.
    local IFS=
    LINT_FILES=()
    shopt -s globstar nullglob 2>/dev/null || fail "input lint-policies: bash ${BASH_VERSION} cannot expand **; bash 4 or newer is needed"
    while read -r pattern; do
        matched=0
        for f in $pattern; do
            # A name without wildcards stays as it is: it must exist.
            [ -e "$f" ] || continue
            LINT_FILES+=("$f")
            matched=1
        done
        [ "$matched" = 1 ] || fail "input lint-policies: '$pattern' matches no file"
    done < <(patterns "${INPUT_LINT_POLICIES:-}")
}

bin_dir() { echo "${RUNNER_TEMP:-${TMPDIR:-/tmp}}/hipaa-iam-bin"; }
exe_suffix() { [ "${RUNNER_OS:-}" = "Windows" ] && echo ".exe" || true; }

validate() {
    local v
    case "${INPUT_FAIL_ON:-high}" in
        critical | high | medium | low | none) ;;
        *) fail "input fail-on: '${INPUT_FAIL_ON}' is not one of critical, high, medium, low, none" ;;
    esac
    while read -r v; do
        case "$v" in
            sarif | junit) ;;
            *) fail "input format: '$v' is not one of sarif, junit (comma-separated)" ;;
        esac
    done < <(split "${INPUT_FORMAT:-}")
    while read -r v; do
        [[ "$v" =~ ^IAM-[0-9]{3}$ ]] || fail "input checks: '$v' is not a check ID like IAM-002 (comma-separated)"
    done < <(split "${INPUT_CHECKS:-}")
    while read -r v; do
        [[ "$v" =~ ^[a-z]{2}(-[a-z]+)+-[0-9]+$ ]] || fail "input regions: '$v' is not an AWS region like us-east-1 (comma-separated)"
    done < <(split "${INPUT_REGIONS:-}")
    if [ -n "${INPUT_VERSION:-}" ] && ! [[ "$INPUT_VERSION" =~ ^v?[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$ ]]; then
        fail "input version: '${INPUT_VERSION}' is not a release version like v0.1.0"
    fi
    if [ -n "${INPUT_EXPORTS_DIR:-}" ] && [ ! -d "$INPUT_EXPORTS_DIR" ]; then
        fail "input exports-dir: '${INPUT_EXPORTS_DIR}' is not a directory"
    fi
    if [ -n "${INPUT_CONFIG:-}" ] && [ ! -f "$INPUT_CONFIG" ]; then
        fail "input config: '${INPUT_CONFIG}' is not a file"
    fi
    [ -n "${INPUT_OUTPUT_DIR:-}" ] || fail "input output-dir: must not be empty"
    if [ -n "${INPUT_PREVIOUS_REPORT_DIR:-}" ]; then
        [ -f "$INPUT_PREVIOUS_REPORT_DIR/manifest.json" ] ||
            fail "input previous-report-dir: '${INPUT_PREVIOUS_REPORT_DIR}' holds no manifest.json (give an earlier output-dir)"
        [ "${INPUT_ORG:-false}" != true ] ||
            fail "input previous-report-dir: not available with org: true (compare organization evidence with hipaa-iam diff)"
    fi
    case "${INPUT_AUDIT:-true}" in
        true | false) ;;
        *) fail "input audit: '${INPUT_AUDIT}' is not true or false" ;;
    esac
    output audit "${INPUT_AUDIT:-true}"
    if [ -n "$(patterns "${INPUT_LINT_POLICIES:-}")" ]; then
        lint_files
        output lint true
    else
        [ "${INPUT_AUDIT:-true}" = true ] || fail "input audit: false, but lint-policies is empty: there is nothing to do"
        output lint false
    fi
    case "${INPUT_ORG:-false}" in
        true | false) ;;
        *) fail "input org: '${INPUT_ORG}' is not true or false" ;;
    esac
    if [ "${INPUT_ORG:-false}" = true ]; then
        if [ -n "${INPUT_ROLE_NAME:-}" ] && ! [[ "$INPUT_ROLE_NAME" =~ ^[A-Za-z0-9+=,.@_-]+(/[A-Za-z0-9+=,.@_-]+)*$ ]]; then
            fail "input role-name: '${INPUT_ROLE_NAME}' is not an IAM role name (letters, digits and +=,.@_- , optionally path/name)"
        fi
        if [ -n "${INPUT_SHARD:-}" ]; then
            [[ "$INPUT_SHARD" =~ ^([1-9][0-9]{0,5})/([1-9][0-9]{0,5})$ ]] && [ "${BASH_REMATCH[1]}" -le "${BASH_REMATCH[2]}" ] ||
                fail "input shard: '${INPUT_SHARD}' is not I/N with 1 <= I <= N (e.g. 2/4)"
        fi
        [ -z "${INPUT_FORMAT:-}" ] || fail "input format: sarif and junit are not available with org: true (output-dir has every account's evidence)"
    else
        [ -z "${INPUT_ROLE_NAME:-}" ] || fail "input role-name: '${INPUT_ROLE_NAME}' is given, but role-name only applies with org: true"
        [ -z "${INPUT_SHARD:-}" ] || fail "input shard: '${INPUT_SHARD}' is given, but shard only applies with org: true"
    fi
    # Where the binary comes from, for the next steps' `if:`.
    if [ -n "${HIPAA_IAM_BIN:-}" ]; then
        [ -x "$HIPAA_IAM_BIN" ] || fail "HIPAA_IAM_BIN: '$HIPAA_IAM_BIN' is not an executable file"
        output source given
    elif [ -n "${INPUT_VERSION:-}" ]; then
        output source download
    else
        output source build
        # The build cache's key: hashFiles() reads only the workspace, not the action's path.
        local lock=$ACTION_PATH/../Cargo.lock
        [ -f "$lock" ] || fail "no Cargo.lock next to the action at $ACTION_PATH/..; set input version to download a release"
        output cache-key "hipaa-iam-${RUNNER_OS:-os}-${RUNNER_ARCH:-arch}-$(sha256 "$lock")"
    fi
}

sha256() {
    if command -v sha256sum >/dev/null 2>&1; then
        sha256sum "$1" | cut -d' ' -f1
    else
        shasum -a 256 "$1" | cut -d' ' -f1
    fi
}

target_triple() {
    local arch
    case "${RUNNER_ARCH:-$(uname -m)}" in
        X64 | x86_64 | amd64) arch=x86_64 ;;
        ARM64 | arm64 | aarch64) arch=aarch64 ;;
        *) fail "no hipaa-iam release for runner architecture '${RUNNER_ARCH:-unknown}'" ;;
    esac
    case "${RUNNER_OS:-$(uname -s)}" in
        Linux) echo "$arch-unknown-linux-gnu" ;;
        macOS | Darwin) echo "$arch-apple-darwin" ;;
        Windows) echo "$arch-pc-windows-msvc" ;;
        *) fail "no hipaa-iam release for runner OS '${RUNNER_OS:-unknown}'" ;;
    esac
}

download() {
    local version=$INPUT_VERSION triple asset base dir expected actual
    [[ "$version" == v* ]] || version="v$version"
    triple=$(target_triple)
    asset="hipaa-iam-$version-$triple.tar.gz"
    base="https://github.com/$REPOSITORY/releases/download/$version"
    dir=$(bin_dir)
    mkdir -p "$dir"
    curl -fsSL --retry 3 -o "$dir/$asset" "$base/$asset" || fail "could not download $base/$asset"
    curl -fsSL --retry 3 -o "$dir/SHA256SUMS" "$base/SHA256SUMS" || fail "could not download $base/SHA256SUMS"
    expected=$(awk -v a="$asset" '$2 == a || $2 == "*" a { print $1 }' "$dir/SHA256SUMS")
    [ -n "$expected" ] || fail "SHA256SUMS of $version has no line for $asset"
    actual=$(sha256 "$dir/$asset")
    [ "$actual" = "$expected" ] || fail "SHA-256 of $asset is $actual, SHA256SUMS says $expected"
    tar -xzf "$dir/$asset" -C "$dir"
    chmod +x "$dir/hipaa-iam$(exe_suffix)"
    echo "hipaa-iam $version ($triple) verified against SHA256SUMS"
}

build() {
    (cd "$ACTION_PATH/.." && cargo build --release --locked --bin hipaa-iam)
    local dir
    dir=$(bin_dir)
    mkdir -p "$dir"
    cp "${CARGO_TARGET_DIR:-$ACTION_PATH/../target}/release/hipaa-iam$(exe_suffix)" "$dir/"
}

audit() {
    local bin=${HIPAA_IAM_BIN:-$(bin_dir)/hipaa-iam$(exe_suffix)}
    local out=$INPUT_OUTPUT_DIR v
    local args=(audit --github --fail-on "${INPUT_FAIL_ON:-high}" --output-dir "$out")
    [ -z "${INPUT_EXPORTS_DIR:-}" ] || args+=(--exports "$INPUT_EXPORTS_DIR")
    [ -z "${INPUT_CONFIG:-}" ] || args+=(--config "$INPUT_CONFIG")
    [ -z "${INPUT_PREVIOUS_REPORT_DIR:-}" ] || args+=(--previous "$INPUT_PREVIOUS_REPORT_DIR")
    [ -z "${INPUT_CHECKS:-}" ] || args+=(--checks "${INPUT_CHECKS// /}")
    [ -z "${INPUT_REGIONS:-}" ] || args+=(--regions "${INPUT_REGIONS// /}")
    if [ "${INPUT_ORG:-false}" = true ]; then
        args+=(--org)
        [ -z "${INPUT_ROLE_NAME:-}" ] || args+=(--role-name "$INPUT_ROLE_NAME")
        [ -z "${INPUT_SHARD:-}" ] || args+=(--shard "$INPUT_SHARD")
    fi
    while read -r v; do
        case "$v" in
            sarif) args+=(--sarif-file "$out/hipaa-iam.sarif") ;;
            junit) args+=(--junit-file "$out/hipaa-iam.junit.xml") ;;
        esac
    done < <(split "${INPUT_FORMAT:-}")
    # The exit status is the action's verdict: 1 findings at or above fail-on, 2 an error
    # (with org: an account that could not be audited).
    exec "$bin" "${args[@]}"
}

lint() {
    local bin=${HIPAA_IAM_BIN:-$(bin_dir)/hipaa-iam$(exe_suffix)}
    local out=$INPUT_OUTPUT_DIR status=0
    lint_files
    mkdir -p "$out"
    local sarif=$out/hipaa-iam-policies.sarif
    # Problems at or above fail-on (status 1) fail the job in the last step, after the audit;
    # a file that cannot be read (status 2) fails it now.
    "$bin" lint-policy --github --fail-on "${INPUT_FAIL_ON:-high}" --sarif-file "$sarif" -- "${LINT_FILES[@]}" || status=$?
    case "$status" in
        0) output failed false ;;
        1) output failed true ;;
        *) exit "$status" ;;
    esac
    output sarif-file "$sarif"
}

lint_verdict() {
    fail "policy problems at or above ${INPUT_FAIL_ON:-high} (see the Lint policies step and its annotations)"
}

case "${1:-}" in
    validate | download | build | audit | lint) "$1" ;;
    lint-verdict) lint_verdict ;;
    *) fail "usage: run.sh validate|download|build|audit|lint|lint-verdict" ;;
esac
