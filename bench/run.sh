#!/usr/bin/env bash
# Benchmarks hipaa-iam against the seed guide's MFA audit and Prowler, live against moto, and
# offline on large exports directories beside Cloudsplaining (which scans the same
# authorization-details.json). Prints one table per part and the targets (PASS / MISS);
# BENCHMARKS.md records a run.
#
#   bench/run.sh            the full benchmark: live N = 300, 1000, 3000 (3 runs each; the
#                           guide's method at N = 300 only), offline N = 10000, 100000
#                           (Cloudsplaining at 10000 only: see --cloudsplaining-max), and
#                           the IAM-023 shapes (gen_exports.py --shape) at N = 10000
#   bench/run.sh --smoke    N = 50, one run, every tool; offline and shapes N = 1000 (for
#                           .ci/run: it fails when a tool fails or the table is malformed,
#                           never on timings). Cloudsplaining runs when its venv exists or
#                           can be installed, and is left out (with a note) otherwise
#
# Options (after or instead of --smoke):
#   --sizes "N ..."           live sizes            --runs R          runs per measurement
#   --prowler-runs R, --guide-runs R   runs of Prowler / the guide's method (default: --runs)
#   --prowler-max N           run Prowler only at sizes up to N
#   --guide-sizes "N ..."     live sizes for the guide's method ("" = none)
#   --offline-sizes "N ..."   offline sizes ("" = none)
#   --shape-sizes "N ..."     sizes of the IAM-023 shapes ("" = none)
#   --shapes "S ..."          which shapes (default: own-keys many-statements long-names)
#   --no-prowler              leave Prowler out
#   --install-prowler         only make (or check) Prowler's pinned venv, then exit
#   --cloudsplaining-runs R   runs of Cloudsplaining (default: --runs)
#   --cloudsplaining-max N    run Cloudsplaining only at offline sizes up to N (default
#                             10000: its time grows about with the square of the users,
#                             6.6 s at 10,000 and 78 s at 30,000; see BENCHMARKS.md)
#   --no-cloudsplaining       leave Cloudsplaining out
#   --install-cloudsplaining  only make (or check) Cloudsplaining's pinned venv, then exit
#                             (with --install-prowler: both)
#   --work DIR                where moto's log, the exports and the outputs go (default: a
#                             temporary directory, removed at the end unless --keep)
#   --keep                    keep the work directory
#
# Environment:
#   HIPAA_IAM_BIN        the hipaa-iam binary (default: $CARGO_TARGET_DIR or target, /dist/: the
#                        distribution build, `cargo build --profile dist`)
#   HIPAA_IAM_VENV       Python venv with moto[server], awscli and boto3 (default: .venv, as
#                        .ci/run makes it from scripts/requirements-test.txt)
#   BENCH_PROWLER_VENV   Prowler's own venv (default: bench/.venv-prowler; made when missing
#                        with `pip install prowler==$PROWLER_VERSION`)
#   BENCH_CLOUDSPLAINING_VENV  Cloudsplaining's own venv (default: bench/.venv-cloudsplaining;
#                        made when missing with `pip install cloudsplaining==$CLOUDSPLAINING_VERSION`)
#   BENCH_MOTO_PORT      the port of the benchmark's own moto server (default: a free one)
#   BENCH_CRITERION_DIR  criterion's output (default: $CARGO_TARGET_DIR or target, /criterion)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PROWLER_VERSION=5.46.0
CLOUDSPLAINING_VERSION=0.9.1
TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
BIN=${HIPAA_IAM_BIN:-$TARGET_DIR/dist/hipaa-iam}
VENV=${HIPAA_IAM_VENV:-$ROOT/.venv}
PROWLER_VENV=${BENCH_PROWLER_VENV:-$ROOT/bench/.venv-prowler}
CLOUDSPLAINING_VENV=${BENCH_CLOUDSPLAINING_VENV:-$ROOT/bench/.venv-cloudsplaining}
CRITERION_DIR=${BENCH_CRITERION_DIR:-$TARGET_DIR/criterion}

SIZES="300 1000 3000"
GUIDE_SIZES="300"
OFFLINE_SIZES="10000 100000"
SHAPE_SIZES="10000"
SHAPES="own-keys many-statements long-names"
RUNS=3
PROWLER_RUNS=
GUIDE_RUNS=
PROWLER_MAX=
PROWLER=1
CLOUDSPLAINING_RUNS=
CLOUDSPLAINING_MAX=10000
CLOUDSPLAINING=1
SMOKE=0
WORK=
KEEP=0
INSTALL_ONLY=0
INSTALL_PROWLER=0
INSTALL_CLOUDSPLAINING=0

die() {
    echo "bench/run.sh: $*" >&2
    exit 1
}
say() { echo "==> $*" >&2; }

while [ "$#" -gt 0 ]; do
    case "$1" in
        --smoke)
            SMOKE=1
            SIZES="50"
            GUIDE_SIZES="50"
            OFFLINE_SIZES="1000"
            SHAPE_SIZES="1000"
            RUNS=1
            ;;
        --sizes) SIZES=${2?--sizes needs a value}; shift ;;
        --guide-sizes) GUIDE_SIZES=${2?--guide-sizes needs a value}; shift ;;
        --offline-sizes) OFFLINE_SIZES=${2?--offline-sizes needs a value}; shift ;;
        --shape-sizes) SHAPE_SIZES=${2?--shape-sizes needs a value}; shift ;;
        --shapes) SHAPES=${2?--shapes needs a value}; shift ;;
        --runs) RUNS=${2?--runs needs a value}; shift ;;
        --prowler-runs) PROWLER_RUNS=${2?--prowler-runs needs a value}; shift ;;
        --guide-runs) GUIDE_RUNS=${2?--guide-runs needs a value}; shift ;;
        --prowler-max) PROWLER_MAX=${2?--prowler-max needs a value}; shift ;;
        --no-prowler) PROWLER=0 ;;
        --install-prowler) INSTALL_ONLY=1 INSTALL_PROWLER=1 ;;
        --cloudsplaining-runs) CLOUDSPLAINING_RUNS=${2?--cloudsplaining-runs needs a value}; shift ;;
        --cloudsplaining-max) CLOUDSPLAINING_MAX=${2?--cloudsplaining-max needs a value}; shift ;;
        --no-cloudsplaining) CLOUDSPLAINING=0 ;;
        --install-cloudsplaining) INSTALL_ONLY=1 INSTALL_CLOUDSPLAINING=1 ;;
        --work) WORK=${2?--work needs a value}; shift ;;
        --keep) KEEP=1 ;;
        -h | --help)
            sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'
            exit 0
            ;;
        *) die "unknown argument '$1' (see --help)" ;;
    esac
    shift
done
PROWLER_RUNS=${PROWLER_RUNS:-$RUNS}
GUIDE_RUNS=${GUIDE_RUNS:-$RUNS}
CLOUDSPLAINING_RUNS=${CLOUDSPLAINING_RUNS:-$RUNS}
for n in "$RUNS" "$PROWLER_RUNS" "$GUIDE_RUNS" "$CLOUDSPLAINING_RUNS" "$CLOUDSPLAINING_MAX" ${PROWLER_MAX:+"$PROWLER_MAX"}; do
    [[ "$n" =~ ^[1-9][0-9]*$ ]] || die "run counts, --prowler-max and --cloudsplaining-max must be positive numbers, not '$n'"
done
# shellcheck disable=SC2086 # word splitting of the size lists is intended
for n in $SIZES $GUIDE_SIZES $OFFLINE_SIZES $SHAPE_SIZES; do
    [[ "$n" =~ ^[1-9][0-9]*$ ]] || die "sizes must be positive numbers, not '$n'"
done
# shellcheck disable=SC2086 # word splitting of the shape list is intended
for shape in $SHAPES; do
    case "$shape" in
        own-keys | many-statements | long-names) ;;
        *) die "unknown shape '$shape' (own-keys, many-statements, long-names)" ;;
    esac
done

[ "$INSTALL_ONLY" -eq 1 ] || [ -x "$BIN" ] || die "hipaa-iam binary not found at $BIN; build it (cargo build --profile dist --workspace) or set HIPAA_IAM_BIN"
[ "$INSTALL_ONLY" -eq 1 ] || [ -x /usr/bin/time ] || die "/usr/bin/time not found (apt-get install time): it measures wall time and peak RSS"
PY=$VENV/bin/python
for tool in python moto_server aws; do
    [ -x "$VENV/bin/$tool" ] || die "$VENV/bin/$tool not found; make the venv (.ci/run does) or set HIPAA_IAM_VENV"
done

if [ -z "$WORK" ]; then
    WORK=$(mktemp -d "${TMPDIR:-/tmp}/hipaa-iam-bench.XXXXXX")
else
    mkdir -p "$WORK"
    WORK=$(cd "$WORK" && pwd)
fi
RESULTS=$WORK/results.tsv
: >"$RESULTS"
MOTO_PID=
MOTO_LOG=$WORK/moto.log

cleanup() {
    local status=$?
    if declare -F stop_moto >/dev/null; then stop_moto; fi
    if [ "$KEEP" -eq 0 ]; then rm -rf "$WORK"; else echo "bench/run.sh: work directory kept: $WORK" >&2; fi
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---------------------------------------------------------------------------------------
# Prowler and Cloudsplaining, each in its own venv, pinned. --install-prowler and
# --install-cloudsplaining install only what they name; a run installs what it will use.
# ---------------------------------------------------------------------------------------
# The offline sizes Cloudsplaining runs at (up to --cloudsplaining-max).
CLOUDSPLAINING_SIZES=
if [ "$CLOUDSPLAINING" -eq 1 ]; then
    # shellcheck disable=SC2086 # word splitting of the size list is intended
    for n in $OFFLINE_SIZES; do
        if [ "$n" -le "$CLOUDSPLAINING_MAX" ]; then CLOUDSPLAINING_SIZES="$CLOUDSPLAINING_SIZES $n"; fi
    done
fi
if [ "$INSTALL_ONLY" -eq 1 ]; then
    PROWLER=$INSTALL_PROWLER
    CLOUDSPLAINING_SIZES=
    if [ "$INSTALL_CLOUDSPLAINING" -eq 1 ]; then CLOUDSPLAINING_SIZES=install; fi
fi

# installed VENV PACKAGE: the version of PACKAGE in VENV, empty when it has none.
installed() {
    "$1/bin/python" -c 'import importlib.metadata as m, sys; print(m.version(sys.argv[1]))' "$2" 2>/dev/null || true
}

if [ "$PROWLER" -eq 1 ] && { [ -n "$SIZES" ] || [ "$INSTALL_ONLY" -eq 1 ]; }; then
    if [ "$(installed "$PROWLER_VENV" prowler)" != "$PROWLER_VERSION" ]; then
        say "installing prowler==$PROWLER_VERSION into $PROWLER_VENV (once)"
        python3 -m venv "$PROWLER_VENV"
        "$PROWLER_VENV/bin/python" -m pip install --quiet --disable-pip-version-check "prowler==$PROWLER_VERSION"
    fi
fi
if [ -n "$CLOUDSPLAINING_SIZES" ] && [ "$(installed "$CLOUDSPLAINING_VENV" cloudsplaining)" != "$CLOUDSPLAINING_VERSION" ]; then
    say "installing cloudsplaining==$CLOUDSPLAINING_VERSION into $CLOUDSPLAINING_VENV (once)"
    if ! { python3 -m venv "$CLOUDSPLAINING_VENV" &&
        "$CLOUDSPLAINING_VENV/bin/python" -m pip install --quiet --disable-pip-version-check \
            "cloudsplaining==$CLOUDSPLAINING_VERSION"; }; then
        if [ "$SMOKE" -eq 0 ] || [ "$INSTALL_ONLY" -eq 1 ]; then
            die "installing cloudsplaining==$CLOUDSPLAINING_VERSION into $CLOUDSPLAINING_VENV failed (pip's output above); --no-cloudsplaining leaves it out"
        fi
        # The smoke run proves the benchmark works with what the machine has: without
        # Cloudsplaining it still checks every other tool.
        say "Cloudsplaining could not be installed (pip's output above): the smoke run leaves it out"
        CLOUDSPLAINING_SIZES=
    fi
fi
[ "$INSTALL_ONLY" -eq 0 ] || exit 0

# ---------------------------------------------------------------------------------------
# moto, one server per size (a fresh account each time), its request log in $MOTO_LOG.
# ---------------------------------------------------------------------------------------
stop_moto() {
    if [ -n "$MOTO_PID" ]; then
        kill "$MOTO_PID" 2>/dev/null || true
        wait "$MOTO_PID" 2>/dev/null || true
        MOTO_PID=
    fi
}

start_moto() {
    local port=${BENCH_MOTO_PORT:-}
    if [ -z "$port" ]; then
        port=$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
    fi
    : >"$MOTO_LOG"
    MOTO_IAM_LOAD_MANAGED_POLICIES=true "$VENV/bin/moto_server" -H 127.0.0.1 -p "$port" >>"$MOTO_LOG" 2>&1 </dev/null &
    MOTO_PID=$!
    local i
    for i in $(seq 1 240); do
        kill -0 "$MOTO_PID" 2>/dev/null || die "moto exited at start; its log: $(cat "$MOTO_LOG")"
        if "$PY" -c "import urllib.request,sys; urllib.request.urlopen('http://127.0.0.1:$port/moto-api/', timeout=2)" 2>/dev/null; then
            export AWS_ENDPOINT_URL=http://127.0.0.1:$port
            return 0
        fi
        sleep 0.25
    done
    die "moto did not answer on port $port within 60 s"
}

# The number of HTTP requests in moto's log (werkzeug's one access line per request).
requests_logged() {
    grep -cE '^127\.0\.0\.1 - - \[[^]]+\] "[A-Z]+ ' "$MOTO_LOG" || true
}

# measure PART TOOL N RUN CMD...: runs CMD under /usr/bin/time -v with its output in
# $WORK/out/..., records wall, requests (live) and peak RSS. Fails when CMD fails (exit
# status 0, or 1 = findings for hipaa-iam, count as success).
measure() {
    local part=$1 tool=$2 n=$3 run=$4
    shift 4
    local tag=${part}-${tool// /_}-${n}-${run}
    local out=$WORK/out/$tag
    mkdir -p "$out"
    local before=0 after status=0
    [ "$part" = live ] && before=$(requests_logged)
    /usr/bin/time -v -o "$out/time.txt" "$@" >"$out/stdout.txt" 2>"$out/stderr.txt" || status=$?
    if [ "$status" -ne 0 ] && ! { [ "$tool" = hipaa-iam ] && [ "$status" -eq 1 ]; }; then
        echo "bench/run.sh: $tool (N=$n, run $run) exited with status $status; its stderr:" >&2
        tail -n 30 "$out/stderr.txt" >&2
        exit 1
    fi
    local requests=-
    if [ "$part" = live ]; then
        # werkzeug writes the access line after the response: let the last ones land.
        sleep 0.5
        after=$(requests_logged)
        requests=$((after - before))
    fi
    local wall rss
    wall=$("$PY" - "$out/time.txt" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
m = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (?:(\d+):)?(\d+):([\d.]+)", text)
if not m:
    sys.exit("no elapsed time in " + sys.argv[1])
h, mi, s = m.groups()
print(f"{int(h or 0) * 3600 + int(mi) * 60 + float(s):.2f}")
PY
)
    rss=$(sed -n 's/^[[:space:]]*Maximum resident set size (kbytes): \([0-9]*\)$/\1/p' "$out/time.txt")
    [ -n "$rss" ] || die "no peak RSS in $out/time.txt"
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$part" "$tool" "$n" "$run" "$wall" "$requests" "$rss" >>"$RESULTS"
    say "$tool N=$n run $run: ${wall} s, $requests requests, $((rss / 1024)) MB"
    LAST_OUT=$out
}

# expect WHAT GOT WANT: the tool's output must show what the seeded account holds.
expect() {
    [ "$2" = "$3" ] || die "$1: found $2, expected $3 (see $LAST_OUT)"
}

# check_cloudsplaining DIR N: Cloudsplaining's scan of authorization-details.json must have
# written, into DIR, its HTML report (iam-report-authorization-details.html) and its two JSON
# files (iam-results-authorization-details.json, iam-findings-authorization-details.json: the
# same results, by groups, users, roles and policies), each JSON listing the N generated users.
check_cloudsplaining() {
    "$PY" - "$1" "$2" <<'PY' || die "Cloudsplaining (N=$2) did not write its results into $1 (see $LAST_OUT)"
import json, os, sys
out, n = sys.argv[1], int(sys.argv[2])
ok = True
def bad(msg):
    global ok
    ok = False
    print(f"bench/run.sh: cloudsplaining: {msg}", file=sys.stderr)
for kind in ("results", "findings"):
    path = os.path.join(out, f"iam-{kind}-authorization-details.json")
    try:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
    except (OSError, ValueError) as e:
        bad(f"{path}: not readable JSON ({e})")
        continue
    users = data.get("users") if isinstance(data, dict) else None
    if not isinstance(users, dict) or len(users) != n:
        bad(f"{path}: expected {n} users, found {len(users) if isinstance(users, dict) else 'none'}")
path = os.path.join(out, "iam-report-authorization-details.html")
try:
    with open(path, encoding="utf-8") as f:
        head = f.read(4096)
    if "<html" not in head.lower() or "Cloudsplaining" not in head:
        bad(f"{path}: empty or not Cloudsplaining's HTML report")
except (OSError, ValueError) as e:
    bad(f"{path}: not readable ({e})")
sys.exit(0 if ok else 1)
PY
}

# Console users without MFA / users without any MFA device in the seeded account (seed.py).
no_mfa_console() { echo $((($1 + 2) / 3)); }
no_mfa_any() { echo $(($1 - ($1 + 1) / 3)); }

export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_REGION=us-east-1 \
    AWS_DEFAULT_REGION=us-east-1 AWS_EC2_METADATA_DISABLED=true \
    AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null
unset AWS_SESSION_TOKEN AWS_PROFILE AWS_DEFAULT_PROFILE

TOOLS_RUN="hipaa-iam"
for n in $SIZES; do
    say "live N=$n: starting moto and seeding $n users"
    start_moto
    "$PY" "$ROOT/bench/seed.py" --endpoint "$AWS_ENDPOINT_URL" --users "$n" >&2
    for run in $(seq 1 "$RUNS"); do
        measure live hipaa-iam "$n" "$run" "$BIN" audit --regions us-east-1 --output-dir "$WORK/out/evidence-$n-$run"
        expect "hipaa-iam console users without MFA (IAM-002 FAIL rows)" \
            "$(grep -cE '^ +FAIL +IAM-002 ' "$LAST_OUT/stdout.txt" || true)" "$(no_mfa_console "$n")"
        [ -f "$WORK/out/evidence-$n-$run/manifest.json" ] || die "hipaa-iam wrote no evidence manifest"
    done
    if [[ " $GUIDE_SIZES " == *" $n "* ]]; then
        for run in $(seq 1 "$GUIDE_RUNS"); do
            measure live "guide (aws cli)" "$n" "$run" env AWS_CLI="$VENV/bin/aws" \
                "$ROOT/bench/guide-audit-mfa.sh" "$WORK/out/guide-$n-$run.csv"
            expect "the guide's users without MFA" "$(grep -c ' NO_MFA$' "$LAST_OUT/stdout.txt" || true)" "$(no_mfa_any "$n")"
        done
        [[ "$TOOLS_RUN" == *guide* ]] || TOOLS_RUN="$TOOLS_RUN,guide (aws cli)"
    fi
    if [ "$PROWLER" -eq 1 ] && { [ -z "$PROWLER_MAX" ] || [ "$n" -le "$PROWLER_MAX" ]; }; then
        for run in $(seq 1 "$PROWLER_RUNS"); do
            pdir=$WORK/out/prowler-$n-$run
            measure live prowler "$n" "$run" "$PROWLER_VENV/bin/prowler" aws -s iam --region us-east-1 \
                -M csv -z -b -o "$pdir"
            csv=$(find "$pdir" -maxdepth 1 -name '*.csv' | head -n 1)
            [ -n "$csv" ] || die "prowler wrote no CSV in $pdir"
            expect "prowler console users without MFA (iam_user_mfa_enabled_console_access FAIL)" \
                "$(awk -F';' '$11 == "iam_user_mfa_enabled_console_access" && $14 == "FAIL"' "$csv" | wc -l)" "$(no_mfa_console "$n")"
        done
        [[ "$TOOLS_RUN" == *prowler* ]] || TOOLS_RUN="$TOOLS_RUN,prowler"
    fi
    stop_moto
done

for n in $OFFLINE_SIZES; do
    say "offline N=$n: generating the exports directory"
    "$PY" "$ROOT/bench/gen_exports.py" --users "$n" --out "$WORK/exports-$n" >&2
    for run in $(seq 1 "$RUNS"); do
        rm -rf "$WORK/out/offline-evidence-$n"
        measure offline hipaa-iam "$n" "$run" "$BIN" audit --exports "$WORK/exports-$n" \
            --output-dir "$WORK/out/offline-evidence-$n"
        expect "hipaa-iam console users without MFA (IAM-002 FAIL rows)" \
            "$(grep -cE '^ +FAIL +IAM-002 ' "$LAST_OUT/stdout.txt" || true)" "$(no_mfa_console "$n")"
    done
    # Cloudsplaining on the same authorization-details.json, with its defaults (its own
    # exclusions file); --skip-open-report: no browser.
    if [[ " $CLOUDSPLAINING_SIZES " == *" $n "* ]]; then
        for run in $(seq 1 "$CLOUDSPLAINING_RUNS"); do
            cdir=$WORK/out/cloudsplaining-$n
            rm -rf "$cdir"
            mkdir -p "$cdir"
            measure offline cloudsplaining "$n" "$run" "$CLOUDSPLAINING_VENV/bin/cloudsplaining" scan \
                --input-file "$WORK/exports-$n/authorization-details.json" --output "$cdir" --skip-open-report
            check_cloudsplaining "$cdir" "$n"
        done
    fi
done

# The IAM-023 shapes: the audit alone (every check, the table on stdout, no evidence
# directory: the offline part above measures writing evidence).
for n in $SHAPE_SIZES; do
    for shape in $SHAPES; do
        say "shape $shape N=$n: generating the exports directory"
        "$PY" "$ROOT/bench/gen_exports.py" --users "$n" --shape "$shape" --out "$WORK/exports-$shape-$n" >&2
        for run in $(seq 1 "$RUNS"); do
            measure "shape-$shape" hipaa-iam "$n" "$run" "$BIN" audit --exports "$WORK/exports-$shape-$n"
            expect "hipaa-iam console users without MFA (IAM-002 FAIL rows)" \
                "$(grep -cE '^ +FAIL +IAM-002 ' "$LAST_OUT/stdout.txt" || true)" "$(no_mfa_console "$n")"
        done
    done
done

TABLE=$WORK/table.md
"$PY" "$ROOT/bench/table.py" render "$RESULTS" --criterion "$CRITERION_DIR" >"$TABLE"
{
    echo
    echo "hipaa-iam benchmark, $(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg)"
    echo
    cat "$TABLE"
}
# shellcheck disable=SC2086 # word splitting of the size lists is intended
commas() { local words; words=$(echo $1); echo "${words// /,}"; }
"$PY" "$ROOT/bench/table.py" check "$TABLE" --tools hipaa-iam --live-sizes "$(commas "$SIZES")" \
    --offline-sizes "$(commas "$OFFLINE_SIZES")" --shape-sizes "$(commas "$SHAPE_SIZES")" \
    --shapes "$(commas "$SHAPES")" || die "the table is malformed"
if [[ "$TOOLS_RUN" == *guide* ]]; then
    "$PY" "$ROOT/bench/table.py" check "$TABLE" --tools "guide (aws cli)" --live-sizes "$(commas "$GUIDE_SIZES")" ||
        die "the table is malformed"
fi
if [[ "$TOOLS_RUN" == *prowler* ]]; then
    prowler_sizes=
    for n in $SIZES; do
        if [ -z "$PROWLER_MAX" ] || [ "$n" -le "$PROWLER_MAX" ]; then prowler_sizes="$prowler_sizes $n"; fi
    done
    "$PY" "$ROOT/bench/table.py" check "$TABLE" --tools prowler --live-sizes "$(commas "$prowler_sizes")" ||
        die "the table is malformed"
fi
if [ -n "$CLOUDSPLAINING_SIZES" ]; then
    "$PY" "$ROOT/bench/table.py" check "$TABLE" --tools cloudsplaining --offline-sizes "$(commas "$CLOUDSPLAINING_SIZES")" ||
        die "the table is malformed"
fi
echo "bench/run.sh: the table is well formed ($(wc -l <"$RESULTS") measurements)" >&2
