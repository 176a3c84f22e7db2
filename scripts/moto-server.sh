#!/usr/bin/env bash
# Starts, stops or reports on a local moto server (a fake AWS that speaks the real APIs over
# HTTP) for the tests and for examples/make-demo-account.sh.
#
#   scripts/moto-server.sh start    start one on 127.0.0.1 on a free port; print export lines
#   scripts/moto-server.sh stop     stop it
#   scripts/moto-server.sh status   say whether it runs; print export lines if it does
#
# Use it as:  eval "$(scripts/moto-server.sh start)"
#
# Environment:
#   HIPAA_IAM_VENV   the Python venv with moto[server] (default: .venv in the repository;
#                    .ci/run makes it from scripts/requirements-test.txt)
#   MOTO_PORT        the port to use (default: a free one)
#   MOTO_STATE_DIR   where the pid, port and log are kept (default: .moto in the repository)
#   MOTO_START_TIMEOUT  seconds to wait for the server to answer (default: 60)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VENV=${HIPAA_IAM_VENV:-$ROOT/.venv}
STATE=${MOTO_STATE_DIR:-$ROOT/.moto}
TIMEOUT=${MOTO_START_TIMEOUT:-60}

die() {
    echo "moto-server.sh: $*" >&2
    exit 1
}

moto_bin() {
    if [ -x "$VENV/bin/moto_server" ]; then
        echo "$VENV/bin/moto_server"
    elif command -v moto_server >/dev/null 2>&1; then
        command -v moto_server
    else
        die "moto_server not found in $VENV/bin or on PATH; run .ci/run once (it makes the venv), or: python3 -m venv .venv && .venv/bin/pip install -r scripts/requirements-test.txt"
    fi
}

python_bin() {
    if [ -x "$VENV/bin/python" ]; then echo "$VENV/bin/python"; else echo python3; fi
}

free_port() {
    "$(python_bin)" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# Exit status 0 when a moto server answers on port $1.
answers() {
    "$(python_bin)" - "$1" <<'PY' >/dev/null 2>&1
import sys, urllib.request
with urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/moto-api/", timeout=2) as r:
    sys.exit(0 if r.status == 200 else 1)
PY
}

running_pid() {
    [ -f "$STATE/pid" ] || return 1
    local pid
    pid=$(cat "$STATE/pid")
    kill -0 "$pid" 2>/dev/null || return 1
    echo "$pid"
}

print_exports() {
    local port=$1 aws_cli=aws python=python3
    [ -x "$VENV/bin/aws" ] && aws_cli=$VENV/bin/aws
    [ -x "$VENV/bin/python" ] && python=$VENV/bin/python
    cat <<EXPORTS
export AWS_ENDPOINT_URL=http://127.0.0.1:$port
export AWS_ACCESS_KEY_ID=testing
export AWS_SECRET_ACCESS_KEY=testing
export AWS_SESSION_TOKEN=testing
export AWS_REGION=us-east-1
export AWS_DEFAULT_REGION=us-east-1
export AWS_EC2_METADATA_DISABLED=true
export HIPAA_IAM_AWS_CLI=$aws_cli
export HIPAA_IAM_PYTHON=$python
EXPORTS
}

start() {
    if pid=$(running_pid); then
        local port
        port=$(cat "$STATE/port")
        echo "moto-server.sh: already running (pid $pid, port $port)" >&2
        print_exports "$port"
        return 0
    fi
    local bin
    bin=$(moto_bin)
    mkdir -p "$STATE"
    local attempt port pid waited
    # A free port can be taken between choosing it and binding it: try a few.
    for attempt in 1 2 3; do
        port=${MOTO_PORT:-$(free_port)}
        : >"$STATE/log"
        MOTO_IAM_LOAD_MANAGED_POLICIES=true nohup "$bin" -H 127.0.0.1 -p "$port" \
            >>"$STATE/log" 2>&1 </dev/null &
        pid=$!
        echo "$pid" >"$STATE/pid"
        echo "$port" >"$STATE/port"
        waited=0
        while [ "$waited" -lt "$((TIMEOUT * 4))" ]; do
            if ! kill -0 "$pid" 2>/dev/null; then
                break
            fi
            if answers "$port"; then
                echo "moto-server.sh: moto answers on 127.0.0.1:$port (pid $pid, log $STATE/log)" >&2
                print_exports "$port"
                return 0
            fi
            sleep 0.25
            waited=$((waited + 1))
        done
        if kill -0 "$pid" 2>/dev/null; then
            kill "$pid" 2>/dev/null || true
            wait "$pid" 2>/dev/null || true
            rm -f "$STATE/pid"
            echo "moto-server.sh: moto did not answer on 127.0.0.1:$port within ${TIMEOUT}s; its log:" >&2
            sed 's/^/    /' "$STATE/log" >&2
            exit 1
        fi
        rm -f "$STATE/pid"
        echo "moto-server.sh: moto exited at start (attempt $attempt, port $port); its log:" >&2
        sed 's/^/    /' "$STATE/log" >&2
        [ -n "${MOTO_PORT:-}" ] && break
    done
    die "could not start moto (log: $STATE/log)"
}

stop() {
    local pid
    if pid=$(running_pid); then
        kill "$pid" 2>/dev/null || true
        local i
        for i in $(seq 1 40); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.25
        done
        kill -9 "$pid" 2>/dev/null || true
        echo "moto-server.sh: stopped (pid $pid)" >&2
    else
        echo "moto-server.sh: not running" >&2
    fi
    rm -f "$STATE/pid" "$STATE/port"
}

status() {
    local pid port
    if pid=$(running_pid); then
        port=$(cat "$STATE/port")
        if answers "$port"; then
            echo "moto-server.sh: running (pid $pid, port $port, log $STATE/log)" >&2
            print_exports "$port"
            return 0
        fi
        echo "moto-server.sh: process $pid is alive but does not answer on port $port (log $STATE/log)" >&2
        return 1
    fi
    echo "moto-server.sh: not running" >&2
    return 3
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    status) status ;;
    *)
        echo "usage: $0 start|stop|status" >&2
        exit 2
        ;;
esac
