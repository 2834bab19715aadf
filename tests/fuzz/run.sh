#!/bin/bash
# tests/fuzz/run.sh [SECONDS] [TARGET...] - build the libFuzzer targets and
# run each for SECONDS (default 60), two at a time on the machine's cores.
#
# Each target starts from its committed seeds (tests/fuzz/corpus/<t>/) and a
# working corpus kept in build-fuzz/corpus/<t>/ (git-ignored, so the repo's
# seeds stay small and reviewable).  A crash, leak, sanitizer report, timeout
# (10 s for one input) or out-of-memory (2 GiB) fails the run; the input is
# saved as build-fuzz/crashes/<t>-crash-<sha1> and the log kept in
# build-fuzz/log/<t>.log.  Prints one line per target with its executions,
# then "fuzz: N targets, N failed"; exits non-zero on any failure.
#
# Environment: XQ_ROOT (source tree; default: two levels up), XQ_FUZZ_OUT
# (default $XQ_ROOT/build-fuzz), XQ_FUZZ_JOBS (parallel targets, default 2).
set -uo pipefail

ROOT=${XQ_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
OUT=${XQ_FUZZ_OUT:-$ROOT/build-fuzz}
JOBS=${XQ_FUZZ_JOBS:-2}
SECONDS_EACH=${1:-60}
shift || true
ALL="jwt router config download request text"
TARGETS=${*:-$ALL}

case $SECONDS_EACH in '' | *[!0-9]*) echo "fuzz: SECONDS must be a number" >&2; exit 2 ;; esac
for t in $TARGETS; do
    case " $ALL " in *" $t "*) ;; *) echo "fuzz: unknown target $t (targets: $ALL)" >&2; exit 2 ;; esac
done
command -v clang >/dev/null 2>&1 || { echo "fuzz: clang is missing (apt-get install clang libclang-rt-14-dev)" >&2; exit 1; }

make -s -f "$ROOT/tests/fuzz/Makefile" OUT="$OUT" -j2 || { echo "fuzz: build failed" >&2; exit 1; }
mkdir -p "$OUT/log" "$OUT/crashes"

# The runtime options: reports abort, leaks count, the fuzzer's own limits.
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1:symbolize=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

run_one() {
    local t=$1 bin=$OUT/fuzz_$1 work=$OUT/corpus/$1 log=$OUT/log/$1.log rc execs
    mkdir -p "$work"
    "$bin" -max_total_time="$SECONDS_EACH" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
        -print_final_stats=1 -artifact_prefix="$OUT/crashes/$t-" \
        "$work" "$ROOT/tests/fuzz/corpus/$t" >"$log" 2>&1
    rc=$?
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n1)
    if [ $rc -eq 0 ]; then
        printf 'fuzz: %-9s ok      %10s executions in %s s (%s/s)\n' "$t" "${execs:-?}" \
            "$SECONDS_EACH" "$(( ${execs:-0} / (SECONDS_EACH > 0 ? SECONDS_EACH : 1) ))"
    else
        printf 'fuzz: %-9s FAILED  exit %d after %s executions; log %s\n' "$t" $rc \
            "${execs:-?}" "$log"
        grep -E '^(==[0-9]+==ERROR|SUMMARY|.*runtime error|fuzz property failed|artifact_prefix|Test unit written)' \
            "$log" | head -n 8 | sed 's/^/    /'
    fi
    return $rc
}

failed=0
n=0
pids=()
names=()
for t in $TARGETS; do
    run_one "$t" &
    pids+=($!)
    names+=("$t")
    n=$((n + 1))
    if [ ${#pids[@]} -ge "$JOBS" ]; then
        wait "${pids[0]}" || failed=$((failed + 1))
        pids=("${pids[@]:1}")
        names=("${names[@]:1}")
    fi
done
for p in "${pids[@]}"; do
    wait "$p" || failed=$((failed + 1))
done
echo "fuzz: $n targets, $failed failed"
[ $failed -eq 0 ]
