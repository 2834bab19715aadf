#!/bin/bash
# tests/soak/run.sh [--jobs N] [--chaos-seconds S] [soak.py options] - the
# fault-injection soak (issue 8) on its own private stack.
#
# Starts the stack (tests/lib/stack.sh) under a fresh mktemp -d with
# DEMO_ROWS (default 150000) demo rows, EXPORT_DIR on a 256 MiB tmpfs (so the
# soak can fill it: needs root; without root the disk-full phase is skipped
# and said so), 4 workers, short leases and backoff so that killed jobs come
# back within seconds, then runs tests/soak/soak.py, which prints the counts.
# The stack and the tmpfs are always removed; on failure the programs' logs
# are kept in build/soak-logs/ (or $XQ_SOAK_LOGS).  ./dev soak runs 300 jobs,
# ./dev test a short form (60).
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
XQ_ROOT=$(cd "$here/../.." && pwd)
export XQ_ROOT
export XQ_BUILD=${XQ_BUILD:-$XQ_ROOT/build}
PY=/usr/bin/python3
LOGS_KEEP=${XQ_SOAK_LOGS:-$XQ_BUILD/soak-logs}
TMPFS_MB=${XQ_SOAK_TMPFS_MB:-256}
WORKERS=4
ATTEMPTS=5

. "$XQ_ROOT/tests/lib/stack.sh"

STACK_DIR=$(mktemp -d "${TMPDIR:-/tmp}/exportq-soak.XXXXXX") || exit 1
export STACK_DIR
mounted=0
cleanup() {
    local rc=$?
    trap "" INT TERM
    trap - EXIT
    stack_down >/dev/null 2>&1
    if [ $rc -ne 0 ] && [ -d "$STACK_DIR/log" ]; then
        rm -rf "$LOGS_KEEP" && mkdir -p "$LOGS_KEEP" && cp -r "$STACK_DIR/log/." "$LOGS_KEEP/"
        echo "soak: logs kept in $LOGS_KEEP"
    fi
    [ $mounted = 1 ] && umount "$STACK_DIR/exports"
    stack_destroy >/dev/null 2>&1
    exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Keys the generated config does not set; killed jobs must come back fast.
export STACK_CONFIG_EXTRA="EXPORT_LEASE_MS=3000
EXPORT_REAPER_INTERVAL_MS=500
EXPORT_JOB_ATTEMPTS=$ATTEMPTS
EXPORT_BACKOFF_MS=1000
EXPORT_USER_MAX_PENDING=20
EXPORT_USER_RATE_PER_HOUR=1000"
export DEMO_ROWS=${DEMO_ROWS:-150000}

stack_init "$STACK_DIR" || exit 1
# The generated config sets 2 workers; the soak wants more to kill.
sed -i "s/^EXPORT_MAX_CONCURRENT_JOBS=.*/EXPORT_MAX_CONCURRENT_JOBS=$WORKERS/" "$EXPORTQ_CONFIG" || exit 1

disk=(--disk-full)
if [ "$(id -u)" -eq 0 ] && mount -t tmpfs -o "size=${TMPFS_MB}m,mode=0770" tmpfs "$STACK_DIR/exports"; then
    mounted=1
    chown "$STACK_RUN_USER:$STACK_RUN_USER" "$STACK_DIR/exports"
else
    echo "soak: not root or no tmpfs: the disk-full phase is SKIPPED"
    disk=(--no-disk-full)
fi

if ! stack_up --server lighttpd; then
    echo "soak: FAIL the private stack did not start"
    for f in "$STACK_DIR"/log/*.log; do
        [ -s "$f" ] && { echo "--- $f"; tail -n 20 "$f"; }
    done
    exit 1
fi

"$PY" "$here/soak.py" --workers $WORKERS --attempts $ATTEMPTS "${disk[@]}" "$@"
