#!/bin/sh
# bench/queue/run.sh - queue throughput and wake-up latency, each printed
# beside redis-benchmark running a trivial EVALSHA on the same private
# redis-server in the same run (ratio = queue rate / baseline rate).
#
#   make -C build bench && sh bench/queue/run.sh [build-dir]
#
# Starts its own redis-server on a free port under a temp dir and stops it
# by its pid on exit.  JOBS (per client, default 5000), ROUNDS (wake-ups,
# default 300) and REPEAT (measurements per line, default 3) may be set in
# the environment.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-$here/../../build}
bin=$build/bench/queue/bench_queue
[ -x "$bin" ] || { echo "run: $bin missing: make -C $build bench" >&2; exit 2; }
JOBS=${JOBS:-5000}
ROUNDS=${ROUNDS:-300}
REPEAT=${REPEAT:-3}

tmp=$(mktemp -d)
pid=
cleanup() {
    if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
    rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
redis-server --port "$port" --bind 127.0.0.1 --dir "$tmp" --appendonly yes \
    --appendfsync everysec --save '' --daemonize no >"$tmp/redis.log" 2>&1 &
pid=$!
i=0
until redis-cli -p "$port" ping >/dev/null 2>&1; do
    i=$((i + 1)); [ $i -lt 100 ] || { echo "run: redis did not start" >&2; exit 1; }
    sleep 0.05
done

sha=$(redis-cli -p "$port" script load "return redis.call('INCR', KEYS[1])")
baseline() { # clients -> requests/s of a trivial EVALSHA
    redis-benchmark -p "$port" -c "$1" -n $((JOBS * $1 > 20000 ? JOBS * $1 : 20000)) --csv \
        evalsha "$sha" 1 bench:n 2>/dev/null | tail -1 | cut -d'"' -f4
}

# The baseline and the queue share this one server and its settings: AOF
# on with fsync every second (the queue's production setting), no RDB.
printf '%s, appendonly %s, appendfsync %s; load average %s\n' \
    "$(redis-server --version | cut -d' ' -f1-3)" \
    "$(redis-cli -p "$port" config get appendonly | tail -1)" \
    "$(redis-cli -p "$port" config get appendfsync | tail -1)" "$(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-34s %12s %14s %7s\n' measure "jobs/s" "EVALSHA/s" ratio
# On a shared machine the baseline itself moves by a factor of two from
# one second to the next, so each queue measurement is put between two
# baseline runs and compared with their mean, REPEAT times (default 3);
# the line shows the median ratio (and the jobs/s and baseline of that
# repetition).
median_line() { sort -n -k1,1 | awk '{ a[NR] = $0 } END { print a[int((NR + 1) / 2)] }'; }
for c in 1 8; do
    for mode in add cycle; do
        : >"$tmp/rows"
        r=0
        while [ $r -lt "$REPEAT" ]; do
            b1=$(baseline $c)
            q=$("$bin" "$port" $mode $c "$JOBS")
            b2=$(baseline $c)
            awk -v q="$q" -v a="$b1" -v b="$b2" \
                'BEGIN { m = (a + b) / 2; printf "%.2f %s %.0f\n", q / m, q, m }' >>"$tmp/rows"
            r=$((r + 1))
        done
        set -- $(median_line <"$tmp/rows")
        label="add"
        [ $mode = cycle ] && label="add+claim+complete"
        printf '%-34s %12s %14s %7s\n' "$label, $c client(s)" "$2" "$3" "$1"
    done
done
set -- $("$bin" "$port" wake "$ROUNDS")
printf 'wake-up after add (blocked claimer): p50 %s us, p99 %s us (aim: p99 < 1000 us)\n' "$1" "$2"
