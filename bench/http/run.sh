#!/bin/bash
# bench/http/run.sh - the HTTP API under lighttpd with wrk, each figure beside
# a hello-world libfcgi responder (bench/http/hello.c) run under the very same
# lighttpd configuration in the same run (ratio = exportq / hello).
#
#   make -C build bench && bench/http/run.sh [build-dir]
#
# Starts its own stack (tests/lib/stack.sh) under mktemp -d on free ports and
# destroys it on exit.  Measures, for each responder pool size in PROCS
# (default "2 4 8"):
#   hello world GET, GET export-status/:id (JWT verified, job read),
#   hello world POST, POST export-async (JWT, validation, atomic limits;
#   USERS distinct users, limits raised so nothing is refused);
# then, with 4 processes, downloads of a 100 MB export file with X-Sendfile
# and streamed by the responder: sequential time per download, and the
# status route's rate while 8 slow clients (--limit-rate) download.
# DURATION (s, default 10), CONNS (default 64), USERS (default 1000).
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
XQ_ROOT=$(cd "$here/../.." && pwd)
export XQ_ROOT
XQ_BUILD=$(cd "${1:-$XQ_ROOT/build}" && pwd) || exit 2
export XQ_BUILD
HELLO=$XQ_BUILD/bench/http/hello
FCGI=$XQ_BUILD/fcgi/exportq.fcgi
DURATION=${DURATION:-10}
CONNS=${CONNS:-64}
USERS=${USERS:-1000}
PROCS=${PROCS:-"2 4 8"}
PY=/usr/bin/python3
[ -x "$HELLO" ] || { echo "run: $HELLO missing: make -C $XQ_BUILD bench" >&2; exit 2; }
command -v wrk >/dev/null || { echo "run: wrk is not installed" >&2; exit 2; }

. "$XQ_ROOT/tests/lib/stack.sh"
STACK_DIR=$(mktemp -d "${TMPDIR:-/tmp}/exportq-bench.XXXXXX") || exit 1
export STACK_DIR
cleanup() { trap '' INT TERM; stack_destroy >/dev/null 2>&1; }
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

export STACK_CONFIG_EXTRA="EXPORT_USER_MAX_PENDING=1000000
EXPORT_USER_RATE_PER_HOUR=10000000"
export XQ_WITHOUT_WORKERD=1
{ stack_init "$STACK_DIR" && stack_up --server lighttpd; } >"$STACK_DIR/up.log" 2>&1 ||
    { cat "$STACK_DIR/up.log"; exit 1; }
. "$STACK_DIR/env"
BASE_CONF=$STACK_DIR/web/lighttpd.conf
cp "$BASE_CONF" "$STACK_DIR/web/base.conf"

# web BIN PROCS: lighttpd with the shipped exportq.conf, pool size PROCS, BIN as responder.
web() {
    stack_web_stop >/dev/null 2>&1
    sed "s/\"max-procs\" *=> *[0-9]*/\"max-procs\"          => $2/" \
        "$XQ_ROOT/etc/lighttpd/exportq.conf" >"$STACK_DIR/web/exportq-bench.conf"
    sed -e "s|^var.exportq_fcgi = .*|var.exportq_fcgi = \"$1\"|" \
        -e "s|^include \".*/etc/lighttpd/exportq.conf\"|include \"$STACK_DIR/web/exportq-bench.conf\"|" \
        "$STACK_DIR/web/base.conf" >"$STACK_DIR/web/variant.conf"
    lighttpd -f "$STACK_DIR/web/variant.conf" </dev/null >>"$STACK_DIR/log/web-error.log" 2>&1 ||
        { echo "run: lighttpd did not start" >&2; exit 1; }
    local i=0
    until curl -s -o /dev/null "$BASE_URL/api/v1/health"; do
        i=$((i + 1)); [ $i -lt 100 ] || { echo "run: lighttpd not answering" >&2; exit 1; }
        sleep 0.1
    done
    sleep 0.5
}

tok() { JWT_SECRET=$JWT_SECRET "$PY" "$XQ_ROOT/tests/tools/mint_token.py" --user "$1" --ttl 86400; }

# measure ARGS...: "req/s p99_ms non2xx" from one wrk run.
measure() {
    local out
    out=$(wrk -t2 -c"$CONNS" -d"${DURATION}s" --latency "$@" 2>&1)
    echo "$out" >>"$STACK_DIR/wrk.log"
    "$PY" - "$out" <<'PY'
import re, sys
out = sys.argv[1]
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
m = re.search(r"\s99%\s+([\d.]+)(us|ms|s)\b", out)
p99 = float(m.group(1)) * {"us": 0.001, "ms": 1, "s": 1000}[m.group(2)]
bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
err = re.search(r"Socket errors: (.*)", out)
print("%.0f %.2f %d %s" % (rps, p99, int(bad.group(1)) if bad else 0, "yes" if err else "no"))
PY
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

# One user polls its job's status (token cached per process, as a polling client).
T=$(tok bench-poller)
JOB=$(curl -sS -X POST -H "Authorization: Bearer $T" -H 'Content-Type: application/json' \
      -d '{"startDate":"2026-01-01","endDate":"2026-01-31","exportType":"model-breakdown","format":"csv"}' \
      "$BASE_URL/api/v1/admin/usage/export-async" | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["jobId"])')
STATUS="$BASE_URL/api/v1/admin/usage/export-status/$JOB"
: >"$STACK_DIR/tokens"
for ((u = 0; u < USERS; u++)); do echo "bench-user-$u"; done |
    JWT_SECRET=$JWT_SECRET "$PY" -c '
import sys
sys.path.insert(0, sys.argv[1])
import os, time
from mint_token import mint
now = int(time.time())
for line in sys.stdin:
    u = line.strip()
    print(mint(os.environ["JWT_SECRET"], {"userId": u, "email": u + "@example.com",
          "roles": ["admin"], "iat": now, "exp": now + 86400}))
' "$XQ_ROOT/tests/tools" >"$STACK_DIR/tokens"
export TOKENS=$STACK_DIR/tokens
BODY='{"startDate":"2026-01-01","endDate":"2026-01-31","exportType":"model-breakdown","format":"csv"}'
printf 'wrk -t2 -c%s -d%ss on %s cores, lighttpd, %s distinct users for POST\n' "$CONNS" "$DURATION" "$(nproc)" "$USERS"
printf '%-6s %-34s %10s %9s %7s %6s %8s\n' procs measure "req/s" "p99 ms" ratio non2xx sockerr
for p in $PROCS; do
    web "$HELLO" "$p"
    read -r hg hgp _ hge <<<"$(measure -H "Authorization: Bearer $T" "$STATUS")"
    read -r hp hpp _ hpe <<<"$(measure -s "$here/submit.lua" "$BASE_URL/api/v1/admin/usage/export-async")"
    web "$FCGI" "$p"
    read -r sg sgp sgb sge <<<"$(measure -H "Authorization: Bearer $T" "$STATUS")"
    read -r sp spp spb spe <<<"$(measure -s "$here/submit.lua" "$BASE_URL/api/v1/admin/usage/export-async")"
    printf '%-6s %-34s %10s %9s %7s %6s %8s\n' "$p" "hello world GET" "$hg" "$hgp" 1.00 0 "$hge"
    printf '%-6s %-34s %10s %9s %7s %6s %8s\n' "$p" "GET export-status/:id" "$sg" "$sgp" "$(ratio "$sg" "$hg")" "$sgb" "$sge"
    printf '%-6s %-34s %10s %9s %7s %6s %8s\n' "$p" "hello world POST" "$hp" "$hpp" 1.00 0 "$hpe"
    printf '%-6s %-34s %10s %9s %7s %6s %8s\n' "$p" "POST export-async (jobs/s)" "$sp" "$spp" "$(ratio "$sp" "$hp")" "$spb" "$spe"
done
jobs=$(redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" -n "$REDIS_JOB_DB" zcard exportq:waiting)
echo "jobs queued in total: $jobs (all waiting: no workerd in this run)"

# ---- downloads: one real job, its file replaced by 100 MB
stack_workerd_start >/dev/null 2>&1 || { echo "run: workerd did not start" >&2; exit 1; }
web "$FCGI" 4
redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" -n "$REDIS_JOB_DB" del exportq:waiting >/dev/null
D=$(tok bench-dl)
DJOB=$(curl -sS -X POST -H "Authorization: Bearer $D" -H 'Content-Type: application/json' \
       -d '{"startDate":"2026-01-01","endDate":"2026-01-31","exportType":"provider-breakdown","format":"csv"}' \
       "$BASE_URL/api/v1/admin/usage/export-async" | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["jobId"])')
for ((i = 0; i < 100; i++)); do
    R=$(curl -sS -H "Authorization: Bearer $D" "$BASE_URL/api/v1/admin/usage/export-status/$DJOB")
    case $R in *'"status":"completed"'*) break ;; esac
    sleep 0.2
done
NAME=$(printf '%s' "$R" | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["result"]["fileName"])') ||
    { echo "run: the download job did not complete: $R" >&2; exit 1; }
head -c $((100 * 1024 * 1024)) /dev/urandom >"$EXPORT_DIR/$NAME"
URL="$BASE_URL/downloads/$NAME"

download_round() { # label
    local t n=5 total=0 i
    for ((i = 0; i < n; i++)); do
        t=$(curl -sS -o /dev/null -w '%{time_total}' -H "Authorization: Bearer $D" "$URL")
        total=$(awk -v a="$total" -v b="$t" 'BEGIN { print a + b }')
    done
    local per; per=$(awk -v a="$total" -v n=$n 'BEGIN { printf "%.3f", a / n }')
    # 8 slow clients (20 MB/s each, ~5 s per file) hold what they hold ...
    local pids=() k
    for ((k = 0; k < 8; k++)); do
        curl -sS -o /dev/null --limit-rate 20M -H "Authorization: Bearer $D" "$URL" & pids+=($!)
    done
    sleep 0.5
    # ... while a status poller measures what is left for API requests.
    local saved=$DURATION; DURATION=3
    read -r sr sp99 _ serr <<<"$(CONNS=16 measure -H "Authorization: Bearer $T" "$STATUS")"
    DURATION=$saved
    for k in "${pids[@]}"; do wait "$k"; done
    printf '%-28s %8s s/100MB %8.0f MB/s   status during 8 slow downloads: %6s req/s, p99 %s ms, socket errors %s\n' \
        "$1" "$per" "$(awk -v p="$per" 'BEGIN { print 100 / p }')" "$sr" "$sp99" "$serr"
}
conf=$STACK_DIR/exportq.conf
sed -i 's/^EXPORT_XSENDFILE=.*/EXPORT_XSENDFILE=1/' "$conf"
web "$FCGI" 4
download_round "X-Sendfile (lighttpd)"
sed -i 's/^EXPORT_XSENDFILE=.*/EXPORT_XSENDFILE=0/' "$conf"
web "$FCGI" 4
download_round "streamed by the responder"
echo "(raw wrk output: kept only while the run lasts, in $STACK_DIR/wrk.log)"
