#!/bin/bash
# run.sh - export engine tests against a private PostgreSQL: every export
# type x format on the hostile fixture, read back by Python csv/json and
# openpyxl and compared with values computed from SQL, plus the golden
# files, date edges, the sheet split, cancel and unwritable directories.
#   tests/export/run.sh [path/to/exportqctl]     (--update rewrites goldens)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
update=
if [ "${1:-}" = "--update" ]; then update=--update; shift; fi
ctl=${1:-${EXPORTQCTL:-$here/../../build/ctl/exportqctl}}
[ -x "$ctl" ] || { echo "run.sh: no exportqctl at $ctl (build first)" >&2; exit 2; }
ctl=$(cd "$(dirname "$ctl")" && pwd)/$(basename "$ctl")
. "$here/pg.sh"
work=$(mktemp -d /tmp/xq-export-test.XXXXXX)
trap 'pg_stop; rm -rf "$work"' EXIT
pg_start
# the shipped schema (etc/schema, SPEC §2); schema.sql here is the same
# subset, kept for the benchmark, which builds the index after loading
schema=$here/../../etc/schema/litellm-subset.sql
[ -f "$schema" ] || schema=$here/schema.sql
psql -q -v ON_ERROR_STOP=1 -f "$schema" -f "$here/fixture.sql" >/dev/null
/usr/bin/python3 "$here/check_export.py" $update --ctl "$ctl" --db "$XQ_PG_URL" \
    --work "$work" --golden "$here/golden"
# the XLSX close phase: progress advances after the last row; a cancel there
# stops within the SPEC's 2 s and leaves nothing
/usr/bin/python3 "$here/check_xlsx_close.py" --ctl "$ctl" --db "$XQ_PG_URL" --work "$work"
