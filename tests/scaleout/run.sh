#!/bin/bash
# tests/scaleout/run.sh [N] - two "hosts" on one machine sharing one Redis,
# one PostgreSQL and one EXPORT_DIR, as doc/operations.md §12 lays out:
#
#   host A: the whole private stack (tests/lib/stack.sh): PostgreSQL, Redis,
#           mail sink, lighttpd + its responder pool, exportq-workerd
#   host B: a second lighttpd (own port, own responder pool) and a second
#           exportq-workerd, configured with A's Redis, PostgreSQL, mail
#           sink and EXPORT_DIR (a second STACK_DIR whose env/config point
#           at A's services; only B's web server and workerd are started)
#
# N jobs (default 24, six users, every type and format) are queued
# alternating between the two web servers when the export-async route
# answers, else through the queue API (tests/tools/xq-qtool add, the calls
# the route makes).  Then it checks:
#   - every job completed, attemptsMade 1, exactly one file per job;
#   - every job started and completed exactly once over both workerd logs,
#     and both supervisors completed jobs;
#   - the completed-jobs counter grew by exactly N;
#   - exportqctl workers lists the workers of both supervisors;
#   - each file downloads, byte-identical, through either web server with
#     its signed link (reported as SKIP while the responder has no download
#     route, i.e. before the routes branch is merged).
# It also times the same load on A's workerd alone and on both.
# Exit 0 when every check passes; the last line is "N passed, N failed".
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
XQ_ROOT=$(cd "$here/../.." && pwd)
export XQ_ROOT
export XQ_BUILD=${XQ_BUILD:-$XQ_ROOT/build}
PY=/usr/bin/python3
N=${1:-24}
CTL=$XQ_BUILD/ctl/exportqctl
QTOOL=$XQ_BUILD/tests/tools/xq-qtool
unset JWT_SECRET DATABASE_URL REDIS_HOST REDIS_PORT EXPORT_DIR EXPORTQ_CONFIG STACK_DIR

. "$XQ_ROOT/tests/lib/stack.sh"

base=$(mktemp -d "${TMPDIR:-/tmp}/xq-scaleout.XXXXXX") || exit 1
chmod 0711 "$base"
A=$base/a B=$base/b
pass=0 fail=0
ok() { echo "ok $*"; pass=$((pass + 1)); }
bad() { echo "FAIL $*"; fail=$((fail + 1)); }
check() { local what=$1; shift; if "$@"; then ok "$what"; else bad "$what"; fi; }

cleanup() {
    local rc=$?
    trap "" INT TERM
    trap - EXIT
    (STACK_DIR=$B; [ -f "$B/env" ] && . "$B/env" && stack_workerd_stop && stack_web_stop) >/dev/null 2>&1
    (STACK_DIR=$A; stack_destroy) >/dev/null 2>&1
    rm -rf "$base"
    exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

for f in "$CTL" "$QTOOL" "$XQ_BUILD/workerd/exportq-workerd" "$XQ_BUILD/fcgi/exportq.fcgi"; do
    [ -x "$f" ] || { bad "build: $f missing (make -C $XQ_BUILD)"; echo "$pass passed, $fail failed"; exit 1; }
done

# ---- host A: the whole stack; user limits raised so N jobs of 6 users fit
echo "== host A: $A"
if ! (STACK_CONFIG_EXTRA=$'EXPORT_USER_MAX_PENDING=1000\nEXPORT_USER_RATE_PER_HOUR=100000' \
      stack_init "$A" >/dev/null && DEMO_ROWS=${DEMO_ROWS:-20000} stack_up); then
    bad "host A did not start (logs in $A/log)"
    for f in "$A"/log/*.log; do [ -s "$f" ] && { echo "--- $f"; tail -n 15 "$f"; }; done
    echo "$pass passed, $fail failed"
    exit 1
fi

# ---- host B: its own web server and workerd, A's services and EXPORT_DIR
echo "== host B: $B"
if ! (
    STACK_CONFIG_EXTRA=$'EXPORT_USER_MAX_PENDING=1000\nEXPORT_USER_RATE_PER_HOUR=100000'
    stack_init "$B" >/dev/null || exit 1
    # what B shares with A (ports of B's own PostgreSQL/Redis/mail stay unused)
    eval "$(grep -E '^export (PG_PORT|PG_DATA|REDIS_PORT|REDIS_URL|DATABASE_URL|DATABASE_ADMIN_URL|JWT_SECRET|EXPORT_DIR|MAIL_DIR|SMTP_PORT|SMTP_URL|XQ_PG_ADMIN_PASSWORD|XQ_PG_RO_PASSWORD)=' "$A/env")"
    _stack_write_config && _stack_write_env && stack_web_start lighttpd && stack_workerd_start
); then
    bad "host B did not start (logs in $B/log)"
    for f in "$B"/log/*.log; do [ -s "$f" ] && { echo "--- $f"; tail -n 15 "$f"; }; done
    echo "$pass passed, $fail failed"
    exit 1
fi

envA() { (. "$A/env"; eval "echo \"\$$1\""); }
envB() { (. "$B/env"; eval "echo \"\$$1\""); }
URL_A=$(envA BASE_URL) URL_B=$(envB BASE_URL)
CONF_A=$(envA EXPORTQ_CONFIG) CONF_B=$(envB EXPORTQ_CONFIG)
check "B shares A's Redis, PostgreSQL and EXPORT_DIR" \
    test "$(envB REDIS_PORT)/$(envB PG_PORT)/$(envB EXPORT_DIR)" = \
         "$(envA REDIS_PORT)/$(envA PG_PORT)/$(envA EXPORT_DIR)"
check "A and B serve on different ports ($URL_A, $URL_B)" test "$URL_A" != "$URL_B"
WD_A=$(cat "$A/run/workerd.pid") WD_B=$(cat "$B/run/workerd.pid")

# ---- the load and its checks, in Python (HTTP, JSON, byte comparisons)
export URL_A URL_B CONF_A CONF_B CTL QTOOL N WD_A WD_B
export LOG_A=$A/log/workerd.log LOG_B=$B/log/workerd.log EXPORT_DIR_SHARED=$(envA EXPORT_DIR)
export JWT=$(envA JWT_SECRET)
out=$base/scaleout.out
"$PY" "$here/scaleout.py" | tee "$out"
line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$out" | tail -n1)
if [ -n "$line" ]; then
    read -r p _ f _ <<<"$line"
    pass=$((pass + p)) fail=$((fail + f))
else
    bad "scaleout.py printed no summary"
fi
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
