#!/bin/bash
# run.sh - export engine tests against a private PostgreSQL: every export
# type x format on the hostile fixture, read back by Python csv/json and
# openpyxl and compared with values computed from SQL, plus the golden
# files, date edges, the sheet split, cancel and unwritable directories.
#   tests/export/run.sh [path/to/exportqctl]     (--update rewrites goldens)
# PostgreSQL is tests/lib/stack.sh's (stack_pg_start: roles, the litellm
# database and the shipped schema, etc/schema, SPEC §2), started in a
# subshell so none of the stack's variables (EXPORTQ_CONFIG, DATABASE_URL,
# REDIS_*, ...) reach exportqctl; the fixture is loaded, and the checks run,
# as the database's owner (DATABASE_ADMIN_URL: the cancel and close checks
# insert rows).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
update=
if [ "${1:-}" = "--update" ]; then update=--update; shift; fi
ctl=${1:-${EXPORTQCTL:-$here/../../build/ctl/exportqctl}}
[ -x "$ctl" ] || { echo "run.sh: no exportqctl at $ctl (build first)" >&2; exit 2; }
ctl=$(cd "$(dirname "$ctl")" && pwd)/$(basename "$ctl")
. "$here/../lib/stack.sh"
work=$(mktemp -d /tmp/xq-export-test.XXXXXX)
stack=$(mktemp -d /tmp/xq-export-stack.XXXXXX)
trap '( [ -f "$stack/env" ] && . "$stack/env" && stack_destroy ) >/dev/null 2>&1; rm -rf "$work" "$stack"' EXIT
( stack_init "$stack" && stack_pg_start ) >/dev/null
db=$( . "$stack/env" && printf '%s' "$DATABASE_ADMIN_URL")
psql -X -q -v ON_ERROR_STOP=1 -d "$db" -f "$here/fixture.sql" >/dev/null
/usr/bin/python3 "$here/check_export.py" $update --ctl "$ctl" --db "$db" \
    --work "$work" --golden "$here/golden"
# the XLSX close phase: progress advances after the last row; a cancel there
# stops within the SPEC's 2 s and leaves nothing
/usr/bin/python3 "$here/check_xlsx_close.py" --ctl "$ctl" --db "$db" --work "$work"
