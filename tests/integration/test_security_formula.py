"""Security review (doc/security.md): CSV/XLSX formula injection.

Users whose alias and e-mail start with = + - @ TAB CR (and one with a comma,
quote and newline) have usage on a day no other module uses.  The CSV export
prefixes those text cells with ' (SPEC §3) and quotes what must be quoted,
never touches numbers, and leaves them raw only with formulaGuard: false.
The XLSX export writes them as text cells (never formulas: no <f> in the
sheet XML), so Excel shows the text and computes nothing."""
import csv
import io
import zipfile

import xq

USAGE = "/api/v1/admin/usage"
DAY = "2033-03-03"
HOSTILE = {
    "fx-f1": ("=HYPERLINK(\"http://evil\",\"x\")", "=1+1@example.com"),
    "fx-f2": ("+SUM(A1:A9)", "+x@example.com"),
    "fx-f3": ("-2+3", "-x@example.com"),
    "fx-f4": ("@cmd|' /C calc'!A0", "@x@example.com"),
    "fx-f5": ("\tTAB=1", "tab@example.com"),
    "fx-f6": ("\rCR=1", "cr@example.com"),
    "fx-f7": ("plain, \"quoted\"\nline", "plain@example.com"),
}
GUARDED = "=+-@\t\r"


def setup():
    rows = []
    users = []
    for i, (uid, (alias, mail)) in enumerate(sorted(HOSTILE.items())):
        users.append("(%s, %s, %s)" % (xq.lit(uid), xq.lit(alias), xq.lit(mail)))
        rows.append("(%s, 'completion', %s, 10, 4, 6, timestamp %s + interval '%d minutes', "
                    "timestamp %s + interval '%d minutes', '-model', 'openai', %s)"
                    % (xq.lit("fxf-%d" % i), -1.5 - i, xq.lit(DAY), i, xq.lit(DAY), i + 1,
                       xq.lit(uid)))
    xq.sql('DELETE FROM "LiteLLM_UserTable" WHERE user_id LIKE \'fx-f%\';'
           'DELETE FROM "LiteLLM_SpendLogs" WHERE request_id LIKE \'fxf-%\';'
           'INSERT INTO "LiteLLM_UserTable"(user_id, user_alias, user_email) VALUES '
           + ", ".join(users) + ";"
           'INSERT INTO "LiteLLM_SpendLogs"(request_id, call_type, spend, total_tokens, '
           'prompt_tokens, completion_tokens, "startTime", "endTime", model, '
           'custom_llm_provider, "user") VALUES ' + ", ".join(rows) + ";")


def export(fmt, **extra):
    body = {"startDate": DAY, "endDate": DAY, "exportType": "user-breakdown", "format": fmt}
    body.update(extra)
    r = xq.http("POST", USAGE + "/export", token=xq.token(role="adminReadonly", user="fx-fq"),
                body=body)
    assert r.status == 200, (r.status, r.body[:300])
    return r.body


def csv_by_user(data):
    rows = list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))
    head = rows[0]
    return head, {r[head.index("userId")]: dict(zip(head, r)) for r in rows[1:]}


def test_csv_cells_are_guarded():
    head, by = csv_by_user(export("csv"))
    assert set(HOSTILE) <= set(by), by.keys()
    for uid, (alias, mail) in HOSTILE.items():
        got = by[uid]
        for col, raw in (("userAlias", alias), ("userEmail", mail)):
            want = "'" + raw if raw[0] in GUARDED else raw
            assert got[col] == want, (uid, col, got[col], want)
        # numbers are never altered: a negative spend keeps its sign
        assert got["spend"].startswith("-"), got
        assert not got["spend"].startswith("'"), got


def test_csv_guard_off_is_raw():
    _, by = csv_by_user(export("csv", formulaGuard=False))
    for uid, (alias, mail) in HOSTILE.items():
        assert by[uid]["userAlias"] == alias, (uid, by[uid]["userAlias"])
        assert by[uid]["userEmail"] == mail, (uid, by[uid]["userEmail"])


def test_xlsx_cells_are_text_never_formulas():
    import openpyxl
    data = export("excel")
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        for n in z.namelist():
            if n.startswith("xl/worksheets/") and n.endswith(".xml"):
                xml = z.read(n)
                assert b"<f>" not in xml and b"<f " not in xml, (n, "formula element")
    wb = openpyxl.load_workbook(io.BytesIO(data))
    ws = wb["Export"]
    rows = list(ws.iter_rows())
    head = [c.value for c in rows[0]]
    ai, ui = head.index("userAlias"), head.index("userId")
    seen = 0
    for row in rows[1:]:
        uid = row[ui].value
        if uid not in HOSTILE:
            continue
        seen += 1
        cell = row[ai]
        assert cell.data_type == "s", (uid, cell.data_type, cell.value)
        alias = HOSTILE[uid][0]
        # a CR is stored as the OOXML escape _x000D_ (Excel shows a CR)
        assert cell.value.replace("_x000D_", "\r") == alias, (uid, cell.value)
    assert seen == len(HOSTILE), seen


def test_cleanup():
    xq.sql('DELETE FROM "LiteLLM_UserTable" WHERE user_id LIKE \'fx-f%\';'
           'DELETE FROM "LiteLLM_SpendLogs" WHERE request_id LIKE \'fxf-%\';')
