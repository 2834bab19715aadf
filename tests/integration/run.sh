#!/bin/bash
# tests/integration/run.sh [FILTER] — the integration suite on a private stack.
#
# Starts PostgreSQL, Redis, the mail sink, lighttpd + exportq.fcgi and
# exportq-workerd under a fresh mktemp -d on free ports, runs every
# tests/integration/test_*.py with runner.py, then (unless XQ_SKIP_APACHE=1)
# swaps lighttpd for Apache and runs the modules marked
# WEB_SERVERS = ("lighttpd", "apache") again.  The stack is always torn down
# and the directory removed, on success, failure or ^C.  Last line:
# "N passed, N failed".  XQ_BUILD (default ./build) names the build dir.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
XQ_ROOT=$(cd "$here/../.." && pwd)
export XQ_ROOT
export XQ_BUILD=${XQ_BUILD:-$XQ_ROOT/build}
PY=/usr/bin/python3
filter=${1:-}

. "$XQ_ROOT/tests/lib/stack.sh"

STACK_DIR=$(mktemp -d "${TMPDIR:-/tmp}/exportq-it.XXXXXX") || exit 1
export STACK_DIR
cleanup() {
    local rc=$?
    trap "" INT TERM
    trap - EXIT
    stack_destroy >/dev/null 2>&1
    exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

pass=0 fail=0
summary() { echo "$pass passed, $fail failed"; }

# run_runner ARGS...: run runner.py, add its counts.
run_runner() {
    local out line p f rc
    out=$STACK_DIR/runner.out
    "$PY" "$here/runner.py" "$@" 2>&1 | tee "$out"
    rc=${PIPESTATUS[0]}
    line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$out" | tail -n1)
    rm -f "$out"
    if [ -n "$line" ]; then
        read -r p _ f _ <<<"$line"
        pass=$((pass + p)) fail=$((fail + f))
    else
        echo "FAIL runner: no summary line (exit $rc)"
        fail=$((fail + 1))
    fi
}

if ! { stack_init "$STACK_DIR" && stack_up --server lighttpd; }; then
    echo "FAIL stack: the private stack did not start (logs were in $STACK_DIR/log)"
    for f in "$STACK_DIR"/log/*.log; do
        [ -s "$f" ] && { echo "--- $f"; tail -n 20 "$f"; }
    done
    fail=$((fail + 1))
    summary
    exit 1
fi

echo "== lighttpd ($BASE_URL)"
run_runner --server lighttpd ${filter:+"$filter"}

if [ "${XQ_SKIP_APACHE:-0}" != 1 ]; then
    if stack_web_stop && stack_web_start apache; then
        echo "== apache ($BASE_URL)"
        run_runner --server apache ${filter:+"$filter"}
    else
        echo "FAIL apache: did not start; see $STACK_DIR/log/web-error.log"
        tail -n 20 "$STACK_DIR/log/web-error.log"
        fail=$((fail + 1))
    fi
fi

summary
[ "$fail" -eq 0 ]
