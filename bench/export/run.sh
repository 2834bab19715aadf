#!/bin/bash
# bench/export/run.sh [--rows N] [--skip-baselines] [--quick] [path/to/exportqctl]
# (--quick: one CSV run instead of the interleaved progress-cost trio)
# Private PostgreSQL, N raw-data rows (default 1,000,000), then per format
# our export against its baseline measured in the same run, peak RSS via
# /usr/bin/time, and the cost of progress/cancel checks.  Prints ratios.
# Needs: npm install exceljs (into this folder), python3-xlsxwriter, time.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
rows=1000000
baselines=1
quick=0
while [ $# -gt 0 ]; do
    case "$1" in
    --rows) rows=$2; shift 2 ;;
    --skip-baselines) baselines=0; shift ;;
    --quick) quick=1; shift ;;
    *) break ;;
    esac
done
ctl=${1:-$here/../../build/ctl/exportqctl}
ctl=$(cd "$(dirname "$ctl")" && pwd)/$(basename "$ctl")
[ -d "$here/node_modules/exceljs" ] || (cd "$here" && npm install --no-audit --no-fund --silent exceljs@4)
. "$here/../../tests/export/pg.sh"
work=$(mktemp -d /tmp/xq-bench.XXXXXX)
chmod 777 "$work"
XQ_PG_OPTS="-c shared_buffers=512MB -c fsync=off -c synchronous_commit=off -c max_wal_size=4GB"
trap 'pg_stop; rm -rf "$work"' EXIT
pg_start
psql -X -q -v ON_ERROR_STOP=1 -c 'SET client_min_messages=warning' \
    -f <(sed '/CREATE INDEX/d' "$here/../../tests/export/schema.sql") >/dev/null
t0=$(date +%s.%N)
psql -X -q -v ON_ERROR_STOP=1 -v rows="$rows" -f "$here/generate.sql" >/dev/null
psql -X -q -v ON_ERROR_STOP=1 -c "$(grep 'CREATE INDEX' "$here/../../tests/export/schema.sql")" \
    -c 'VACUUM ANALYZE' >/dev/null
printf 'loaded %d rows in %.1f s\n' "$rows" "$(echo "$(date +%s.%N) - $t0" | bc)"

args=(--type raw-data --start 2024-01-01 --end 2024-12-31 --database-url "$XQ_PG_URL" --quiet)
# the engine's own SQL with its parameters as literals, for the psql baselines
sql=$("$ctl" export "${args[@]}" --format csv --print-sql -o /dev/null | /usr/bin/python3 -c '
import sys, re
lines = sys.stdin.read().splitlines()
sql, params = lines[0], {}
for l in lines[1:]:
    k, v = l.split(" = ", 1)
    params[k[1:]] = "'"'"'" + v.replace("'"'"'", "'"'"''"'"'") + "'"'"'"
print(re.sub(r"\$(\d+)", lambda m: params[m.group(1)], sql))')

# timed NAME CMD...: wall seconds and peak RSS (MB) into $work/NAME.t
timed() {
    local name=$1; shift
    sync; echo 3 > /proc/sys/vm/drop_caches 2>/dev/null || true
    /usr/bin/time -f '%e %M %U %S' -o "$work/$name.t" "$@" >/dev/null 2>"$work/$name.err" ||
        { echo "$name failed:"; cat "$work/$name.err"; return 1; }
    read -r secs kb us ss <"$work/$name.t"
    printf '  %-28s %8.2f s  %7.1f MB  cpu %6.2f s  %s\n' "$name" "$secs" \
        "$(echo "$kb / 1024" | bc -l)" "$(echo "$us + $ss" | bc -l)" \
        "$(stat -c %s "$work/$name.out" 2>/dev/null || echo '-')"
}
secs() { cut -d' ' -f1 "$work/$1.t"; }
cpu() { echo "$(cut -d' ' -f3 "$work/$1.t") + $(cut -d' ' -f4 "$work/$1.t")" | bc -l; }
mb() { echo "$(cut -d' ' -f2 "$work/$1.t") / 1024" | bc -l; }
ratio() { printf '%-46s %6.2f   (aim %s)\n' "$1" "$(echo "$(secs "$2") / $(secs "$3")" | bc -l)" "$4"; }

echo "raw-data, $rows rows (seconds, peak RSS, bytes):"
if [ $baselines = 1 ]; then
    timed psql-csv psql -X -q -c "\\copy ($sql) to '$work/psql-csv.out' csv"
    timed psql-json psql -X -q -c "\\copy (SELECT row_to_json(t) FROM ($sql) t) to '$work/psql-json.out'"
fi
# progress/cancel cost: the three CSV variants interleaved, best of three each
for i in $( [ $quick = 1 ] && echo 1 || echo 1 2 3); do
    for v in ours-csv:200 $( [ $quick = 1 ] || echo ours-csv-noprogress:-1 ours-csv-progress-every:0); do
        timed "${v%%:*}-$i" "$ctl" export "${args[@]}" --format csv \
            --progress-interval "${v##*:}" -o "$work/${v%%:*}-$i.out"
        rm -f "$work/${v%%:*}-$i.out"
    done
done
for v in ours-csv ours-csv-noprogress ours-csv-progress-every; do
    cat "$work/$v"-[123].t 2>/dev/null | sort -n | head -1 >"$work/$v.t"
    # client CPU (user + sys), best of three: what the checks themselves cost
    for t in "$work/$v"-[123].t; do [ -e "$t" ] && cpu "$(basename "$t" .t)"; done |
        sort -n | head -1 >"$work/$v.cpu"
done
timed ours-json "$ctl" export "${args[@]}" --format json -o "$work/ours-json.out"
# the XLSX row phase ends when libxlsxwriter starts the zip (workbook_close
# creates the file): watch for it, to check the progress split (doc/export.md)
( t0=$(date +%s.%N)
  while [ ! -e "$work/.ours-xlsx.out.part" ]; do sleep 0.05; done
  echo "$(date +%s.%N) - $t0" | bc >"$work/xlsx-rowphase" ) &
watcher=$!
timed ours-xlsx "$ctl" export "${args[@]}" --format excel -o "$work/ours-xlsx.out"
wait $watcher 2>/dev/null || true
printf '  xlsx row phase %.1f s of %.1f s (%.0f%%; progress reaches 40%% there)\n' \
    "$(cat "$work/xlsx-rowphase")" "$(secs ours-xlsx)" \
    "$(echo "100 * $(cat "$work/xlsx-rowphase") / $(secs ours-xlsx)" | bc -l)"
if [ $baselines = 1 ]; then
    psql -X -q -c "\\copy ($sql) to '$work/rows.tsv'"
    timed exceljs node "$here/excel_node.js" "$work/rows.tsv" "$work/exceljs.out"
    timed python-xlsxwriter /usr/bin/python3 "$here/xlsx_py.py" "$work/rows.tsv" "$work/python-xlsxwriter.out"
fi
/usr/bin/python3 -c '
import sys, zipfile, re
names = re.findall(r"<sheet name=\"([^\"]+)\"", zipfile.ZipFile(sys.argv[1]).read("xl/workbook.xml").decode())
print("  xlsx sheets:", ", ".join(names))' "$work/ours-xlsx.out"

echo "ratios:"
if [ $baselines = 1 ]; then
    ratio "CSV  ours / psql \\copy csv" ours-csv psql-csv "<= 1.1"
    ratio "JSON ours / psql row_to_json" ours-json psql-json "<= 0.6"
    ratio "XLSX ours / exceljs" ours-xlsx exceljs "<= 1.0"
    printf '%-46s %6.3f   (aim <= 0.05)\n' "XLSX peak RSS ours / exceljs" "$(echo "$(mb ours-xlsx) / $(mb exceljs)" | bc -l)"
    printf '%-46s %6.2f   (aim >= 4)\n' "XLSX python-xlsxwriter / ours (speed-up)" "$(echo "$(secs python-xlsxwriter) / $(secs ours-xlsx)" | bc -l)"
fi
[ $quick = 1 ] || {
printf '%-46s %6.3f   (aim <= 1.02)\n' "progress+cancel wall: 200 ms / no callback" "$(echo "$(secs ours-csv) / $(secs ours-csv-noprogress)" | bc -l)"
printf '%-46s %6.3f   (aim <= 1.02)\n' "progress+cancel client CPU: 200 ms / none" "$(echo "$(cat "$work/ours-csv.cpu") / $(cat "$work/ours-csv-noprogress.cpu")" | bc -l)"
printf '%-46s %6.3f\n' "progress+cancel client CPU: every 512 rows / none" "$(echo "$(cat "$work/ours-csv-progress-every.cpu") / $(cat "$work/ours-csv-noprogress.cpu")" | bc -l)"
}
printf 'peak RSS MB: csv %.1f  json %.1f  xlsx %.1f   (aim <= 32, flat in rows)\n' "$(mb ours-csv)" "$(mb ours-json)" "$(mb ours-xlsx)"
