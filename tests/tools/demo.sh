#!/bin/bash
# tests/tools/demo.sh — the main job of exportq as a user runs it, with curl
# through the web server (run by ./dev demo, with .dev/env sourced).
#
# Loads DEMO_ROWS (default 1,000,000) demo rows if fewer are there, gets a
# token, queues a raw-data export of the whole range as Excel and one as
# CSV, shows both progress bars live, downloads each file through its signed
# link (no token), checks the row counts against PostgreSQL and the job, and
# prints where the files are and how long each took.
set -uo pipefail

PY=/usr/bin/python3
XQ_ROOT=${XQ_ROOT:?}
START=2025-10-27 END=2026-11-30 # the demo data's 400 days
OUT=${DEMO_OUT:-$STACK_DIR/demo}

die() { printf 'demo: %s\n' "$*" >&2; exit 1; }
say() { printf 'demo: %s\n' "$*"; }
json() { "$PY" -c "import json,sys; j=json.load(sys.stdin); print($1)"; }

mkdir -p "$OUT" || die "cannot create $OUT"
# shellcheck source=tests/lib/stack.sh
. "$XQ_ROOT/tests/lib/stack.sh"
stack_load_demo "${DEMO_ROWS:-1000000}" || die "demo data load failed"

token=$(JWT_SECRET=$JWT_SECRET "$PY" "$XQ_ROOT/tests/tools/mint_token.py" --role admin \
        --user demo-user --email demo-user@example.com) || die "cannot mint a token"
say "token for demo-user (role admin): TOKEN=\$(./dev token --user demo-user)"

want=$(psql -X -qAt "$DATABASE_URL" -c "SELECT count(*) FROM \"LiteLLM_SpendLogs\"
        WHERE \"startTime\" >= '$START' AND \"startTime\" < date '$END' + 1") ||
    die "cannot count rows in PostgreSQL"
say "PostgreSQL holds $want spend rows from $START to $END"

declare -A job t0
for fmt in excel csv; do
    body="{\"startDate\":\"$START\",\"endDate\":\"$END\",\"exportType\":\"raw-data\",\"format\":\"$fmt\"}"
    say "curl -X POST $BASE_URL/api/v1/admin/usage/export-async -H \"Authorization: Bearer \$TOKEN\" -H 'Content-Type: application/json' -d '$body'"
    reply=$(curl -sS -X POST -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
            --data "$body" -w '\n%{http_code}' "$BASE_URL/api/v1/admin/usage/export-async") ||
        die "request failed"
    code=${reply##*$'\n'} reply=${reply%$'\n'*}
    [ "$code" = 202 ] || die "expected 202, got $code: $reply"
    echo "  $reply"
    job[$fmt]=$(printf '%s' "$reply" | json 'j["jobId"]') || die "no jobId"
    t0[$fmt]=$(date +%s.%N)
done

status() { # status FMT -> the job JSON
    curl -sS -H "Authorization: Bearer $token" \
        "$BASE_URL/api/v1/admin/usage/export-status/${job[$1]}"
}
bar() { # bar PERCENT
    local n=$(($1 * 30 / 100))
    printf '[%-30s] %3d%%' "$(printf '%*s' "$n" '' | tr ' ' '#')" "$1"
}

declare -A state took
say "progress (refreshed every 0.5 s):"
deadline=$((SECONDS + 1800))
while :; do
    line=""
    done_all=1
    for fmt in excel csv; do
        if [ "${state[$fmt]:-}" != completed ]; then
            st=$(status "$fmt") || die "status request failed"
            read -r s p rows est eta <<<"$(printf '%s' "$st" | json \
                'j["status"], j["progress"], j["rowsWritten"], j["rowsEstimated"], j.get("etaSeconds", "-")')"
            state[$fmt]=$s
            case $s in
                completed) took[$fmt]=$("$PY" -c "import time; print('%.1f' % (time.time() - ${t0[$fmt]}))")
                           printf '%s' "$st" >"$OUT/${fmt}.job.json" ;;
                failed | cancelled) echo; printf '%s\n' "$st"; die "the $fmt export $s" ;;
            esac
            [ "$s" = completed ] || done_all=0
            line+=$(printf '%-5s %-9s %s %8s/%-8s eta %ss   ' "$fmt" "$s" "$(bar "$p")" "$rows" "$est" "$eta")
        else
            line+=$(printf '%-5s completed %s in %ss          ' "$fmt" "$(bar 100)" "${took[$fmt]}")
        fi
    done
    printf '\r%s' "$line"
    [ $done_all = 1 ] && break
    [ $SECONDS -lt $deadline ] || { echo; die "not finished after 30 minutes"; }
    sleep 0.5
done
echo

for fmt in excel csv; do
    j=$OUT/${fmt}.job.json
    url=$(json 'j["result"]["downloadUrl"]' <"$j")
    rows=$(json 'j["result"]["rowCount"]' <"$j")
    name=$(json 'j["result"]["fileName"]' <"$j")
    say "curl -OJ '$url'   (signed link, no token)"
    t=$(date +%s.%N)
    (cd "$OUT" && curl -sS -f -OJ -w '  %{http_code} %{size_download} bytes in %{time_total}s, %{speed_download} B/s\n' "$url") ||
        die "download of the $fmt file failed"
    dl=$("$PY" -c "import time; print('%.2f' % (time.time() - $t))")
    file=$(ls -t "$OUT"/raw-data_"${START}"_"${END}".* | head -n1)
    case $fmt in
        csv) got=$(($(wc -l <"$file") - 1)) ;;
        excel) got=$("$PY" "$XQ_ROOT/tests/tools/xlsx_rows.py" "$file") || die "cannot read $file" ;;
    esac
    [ "$got" = "$want" ] && [ "$rows" = "$want" ] ||
        die "$fmt: $got data rows in the file, job says $rows, PostgreSQL $want"
    say "$fmt OK: $got rows = job rowCount = PostgreSQL count; queued to completed in ${took[$fmt]} s, downloaded in $dl s"
    say "  $file ($(stat -c %s "$file") bytes; on the server: $EXPORT_DIR/$name)"
done
say "done: both files are in $OUT"
