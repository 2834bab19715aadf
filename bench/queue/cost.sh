#!/bin/bash
# bench/queue/cost.sh - server instructions per queue operation, counted by
# valgrind's callgrind in a private redis-server (AOF on, fsync every
# second, as in run.sh), beside a trivial EVALSHA.  Unlike a rate, an
# instruction count does not move with the machine's load, so this is the
# figure to compare two versions of the scripts with.
#
#   make -C build bench && bench/queue/cost.sh [build-dir]
#
# Only the execution of commands is counted (processCommand and what it
# calls: scripts, the commands they run, their AOF propagation), not the
# socket reads and writes (the same for every command) nor the server's
# timed housekeeping, which under valgrind's slowdown would weigh with the
# machine's load.  Each phase runs from a zeroed counter to a dump
# (callgrind_control); N operations a phase (default 500).  Starts its server on a free port under a temp dir, stops it by pid.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:-$here/../../build}" && pwd) || exit 2
bin=$build/bench/queue/bench_queue
N=${N:-500}
[ -x "$bin" ] || { echo "cost: $bin missing: make -C $build bench" >&2; exit 2; }
command -v callgrind_control >/dev/null || { echo "cost: valgrind is not installed" >&2; exit 2; }

tmp=$(mktemp -d)
pid=
cleanup() {
    if [ -n "$pid" ]; then kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; fi
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
valgrind --tool=callgrind --callgrind-out-file="$tmp/cg.%p.%n" --collect-atstart=no --toggle-collect=processCommand \
    redis-server --port "$port" --bind 127.0.0.1 --dir "$tmp" --appendonly yes \
    --appendfsync everysec --save '' --daemonize no >"$tmp/redis.log" 2>&1 &
pid=$!
i=0
until redis-cli -p "$port" ping >/dev/null 2>&1; do
    i=$((i + 1)); [ $i -lt 300 ] || { echo "cost: redis did not start" >&2; exit 1; }
    sleep 0.1
done

# phase NAME OPS COMMAND...: instructions of the server while COMMAND runs, per op
phase() {
    local name=$1 ops=$2 f ir
    shift 2
    callgrind_control -z "$pid" >/dev/null 2>&1
    "$@" >/dev/null || { echo "cost: $name failed" >&2; exit 1; }
    callgrind_control -d "$pid" >/dev/null 2>&1
    sleep 0.5
    f=$(ls -t "$tmp"/cg.* | head -1)
    ir=$(awk '/^(summary|totals):/ { print $2; exit }' "$f")
    awk -v n="$name" -v ir="$ir" -v c="$ops" 'BEGIN { printf "%-30s %10.0f\n", n, ir / c }'
}
sha=$(redis-cli -p "$port" script load "return redis.call('INCR', KEYS[1])")
"$bin" "$port" add 1 50 >/dev/null # scripts loaded, warm
printf '%-30s %10s\n' "operation (1 client)" "instr/op"
phase "trivial EVALSHA (baseline)" "$N" redis-benchmark -p "$port" -c 1 -n "$N" evalsha "$sha" 1 bench:n
phase "add" "$N" "$bin" "$port" add 1 "$N"
phase "add+claim+complete" "$N" "$bin" "$port" cycle 1 "$N"
