#!/usr/bin/python3
"""Export engine checks: run exportqctl against the fixture database and
compare every value of every file with what the spend log in SQL says it
should be (derived in Python from the raw rows, independently of the
engine's SQL), then with the golden files.  Run by run.sh."""
import argparse, csv, re, datetime as dt, decimal, io, json, os, signal, subprocess, sys, time
from decimal import Decimal
from zoneinfo import ZoneInfo

import openpyxl

TYPES = ["user-breakdown", "model-breakdown", "provider-breakdown", "raw-data"]
FORMATS = {"csv": "csv", "json": "json", "excel": "xlsx"}
COLS = {
    "user-breakdown": [("userId", "t"), ("userEmail", "t"), ("userAlias", "t"), ("requests", "i"),
                       ("promptTokens", "i"), ("completionTokens", "i"), ("totalTokens", "i"),
                       ("spend", "n"), ("models", "i")],
    "model-breakdown": [("modelId", "t"), ("provider", "t"), ("requests", "i"), ("uniqueUsers", "i"),
                        ("promptTokens", "i"), ("completionTokens", "i"), ("totalTokens", "i"),
                        ("spend", "n")],
    "provider-breakdown": [("provider", "t"), ("requests", "i"), ("uniqueUsers", "i"), ("models", "i"),
                           ("promptTokens", "i"), ("completionTokens", "i"), ("totalTokens", "i"),
                           ("spend", "n")],
    "raw-data": [("requestId", "t"), ("startTime", "ts"), ("endTime", "ts"), ("userId", "t"),
                 ("modelId", "t"), ("model", "t"), ("provider", "t"), ("callType", "t"),
                 ("status", "t"), ("promptTokens", "i"), ("completionTokens", "i"),
                 ("totalTokens", "i"), ("spend", "n"), ("durationMs", "i"), ("cacheHit", "t"),
                 ("teamId", "t"), ("endUser", "t")],
}

args = None
failures = []
checks = 0


def fail(msg):
    failures.append(msg)
    print("FAIL:", msg[:2000])


def check(cond, msg):
    global checks
    checks += 1
    if not cond:
        fail(msg)


def psql_json(sql):
    out = subprocess.run(["psql", "-X", "-At", "-d", args.db, "-c",
                          "SELECT coalesce(json_agg(t), '[]') FROM (%s) t" % sql],
                         check=True, capture_output=True).stdout
    return json.loads(out.decode("utf-8"), parse_float=Decimal)


def load_rows():
    rows = psql_json("""SELECT request_id, call_type, spend::numeric::text AS spend,
        total_tokens, prompt_tokens, completion_tokens,
        to_char("startTime", 'YYYY-MM-DD"T"HH24:MI:SS.MS') AS st,
        to_char("endTime", 'YYYY-MM-DD"T"HH24:MI:SS.MS') AS et,
        request_duration_ms, model, model_group, custom_llm_provider, "user", team_id,
        end_user, status, cache_hit FROM "LiteLLM_SpendLogs" """)
    users = {u["user_id"]: u for u in psql_json('SELECT * FROM "LiteLLM_UserTable"')}
    for r in rows:
        r["st"] = dt.datetime.fromisoformat(r["st"]).replace(tzinfo=dt.timezone.utc)
        r["et"] = dt.datetime.fromisoformat(r["et"]).replace(tzinfo=dt.timezone.utc)
        r["uid"] = r["user"] if r["user"] is not None else ""
        r["mid"] = r["model_group"] if r["model_group"] not in (None, "") else r["model"]
        r["prov"] = r["custom_llm_provider"] if r["custom_llm_provider"] not in (None, "") else "unknown"
        r["spend"] = Decimal(r["spend"])
    return rows, users


def r6(d):
    q = d.quantize(Decimal("0.000001"), rounding=decimal.ROUND_HALF_UP)
    return q.normalize() if q != 0 else Decimal(0)


def iso(t, tz):
    s = t.astimezone(ZoneInfo(tz)).isoformat(timespec="milliseconds")
    return s[:-6] + "Z" if s.endswith("+00:00") else s


def expected(req, rows, users):
    """The rows a file must hold, as typed Python values, in file order."""
    tz = ZoneInfo(req.get("timezone", "UTC"))
    lo = dt.datetime.combine(dt.date.fromisoformat(req["start"]), dt.time(), tz)
    hi = dt.datetime.combine(dt.date.fromisoformat(req["end"]) + dt.timedelta(days=1), dt.time(), tz)
    sel = [r for r in rows if lo <= r["st"] < hi
           and ("user" not in req or r["uid"] == req["user"])
           and ("model" not in req or r["mid"] == req["model"])
           and ("provider" not in req or r["prov"] == req["provider"])]
    t = req["type"]
    tzname = req.get("timezone", "UTC")
    if t == "raw-data":
        sel.sort(key=lambda r: (r["st"], r["request_id"].encode()))
        return [[r["request_id"], (iso(r["st"], tzname), r["st"].astimezone(tz).replace(tzinfo=None)),
                 (iso(r["et"], tzname), r["et"].astimezone(tz).replace(tzinfo=None)),
                 r["uid"], r["mid"], r["model"], r["prov"], r["call_type"], r["status"],
                 r["prompt_tokens"], r["completion_tokens"], r["total_tokens"], r6(r["spend"]),
                 r["request_duration_ms"], r["cache_hit"], r["team_id"], r["end_user"]] for r in sel]
    key = {"user-breakdown": "uid", "model-breakdown": "mid", "provider-breakdown": "prov"}[t]
    groups = {}
    for r in sel:
        groups.setdefault(r[key], []).append(r)
    out = []
    for k, g in groups.items():
        spend = r6(sum((r["spend"] for r in g), Decimal(0)))
        pt = sum(r["prompt_tokens"] for r in g)
        ct = sum(r["completion_tokens"] for r in g)
        tt = sum(r["total_tokens"] for r in g)
        users_n = len({r["uid"] for r in g if r["uid"]})
        models_n = len({r["mid"] for r in g if r["mid"]})
        if t == "user-breakdown":
            u = users.get(k, {})
            out.append([k, u.get("user_email") or "", u.get("user_alias") or "", len(g), pt, ct, tt,
                        spend, models_n])
        elif t == "model-breakdown":
            counts = {}
            for r in g:
                counts[r["prov"]] = counts.get(r["prov"], 0) + 1
            top = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0].encode()))[0][0]
            out.append([k, top, len(g), users_n, pt, ct, tt, spend])
        else:
            out.append([k, len(g), users_n, models_n, pt, ct, tt, spend])
    spend_col = len(out[0]) - 1 if out and t != "user-breakdown" else 7
    out.sort(key=lambda row: (-row[spend_col], row[0].encode()))
    return out


def run_ctl(req, path, extra=(), expect_rc=0):
    cmd = [args.ctl, "export", "--quiet", "--type", req["type"], "--format", req["format"],
           "--start", req["start"], "--end", req["end"], "--database-url", args.db, "-o", path]
    for k, opt in (("user", "--user-id"), ("model", "--model-id"), ("provider", "--provider"),
                   ("timezone", "--timezone")):
        if k in req:
            cmd += [opt, req[k]]
    if req.get("bom"):
        cmd.append("--csv-bom")
    if req.get("noguard"):
        cmd.append("--no-formula-guard")
    if "job" in req:
        cmd += ["--job-id", req["job"]]
    cmd += list(extra)
    p = subprocess.run(cmd, capture_output=True)
    check(p.returncode == expect_rc, "%s: exit %d, expected %d: %s" % (path, p.returncode, expect_rc,
                                                                     p.stderr.decode(errors="replace")))
    if p.returncode == 0 and os.path.exists(path):
        # every format the same mode (libxlsxwriter alone would follow the umask)
        mode = os.stat(path).st_mode & 0o777
        check(mode == 0o640, "%s: mode %o, expected 640" % (path, mode))
    return p


GUARD = ("=", "+", "-", "@", "\t", "\r")


def xlsx_text(s):
    s = "".join(c for c in s if c >= " " or c in "\t\n\r")
    s = "".join(c for c in s if c not in "\ufffe\uffff")
    return s[:32767]


def compare_csv(req, path, exp):
    raw = open(path, "rb").read()
    bom = raw.startswith(b"\xef\xbb\xbf")
    check(bom == bool(req.get("bom")), "%s: BOM %s" % (path, bom))
    check(raw.endswith(b"\r\n"), "%s: last record must end with CRLF" % path)
    text = raw.decode("utf-8")
    if bom:
        text = text[1:]
    recs = list(csv.reader(io.StringIO(text, newline="")))
    cols = COLS[req["type"]]
    check(recs[0] == [c for c, _ in cols], "%s: header %r" % (path, recs[0]))
    check(len(recs) - 1 == len(exp), "%s: %d rows, expected %d" % (path, len(recs) - 1, len(exp)))
    guard = not req.get("noguard")
    for i, (got, want) in enumerate(zip(recs[1:], exp)):
        for (name, kind), g, w in zip(cols, got, want):
            if kind == "t":
                w = w if w is not None else ""
                if guard and w.startswith(GUARD):
                    w = "'" + w
                ok = g == w
            elif kind == "i":
                ok = g == ("" if w is None else str(w))
            elif kind == "n":
                ok = Decimal(g) == w
            else:
                ok = g == w[0]
            check(ok, "%s row %d %s: got %r want %r" % (path, i, name, g[:80], str(w)[:80]))


def compare_json(req, path, exp, job=None):
    raw = open(path, "rb").read()
    doc = json.loads(raw.decode("utf-8"), parse_float=Decimal)
    md = doc["metadata"]
    check(list(doc) == ["metadata", "data"], "%s: top-level keys %r" % (path, list(doc)))
    check(md["exportType"] == req["type"] and md["format"] == "json", "%s: metadata %r" % (path, md))
    check(md["recordCount"] == len(exp), "%s: recordCount %r" % (path, md["recordCount"]))
    check(md["timezone"] == req.get("timezone", "UTC"), "%s: timezone" % path)
    check(md["jobId"] == job, "%s: jobId %r" % (path, md["jobId"]))
    f = {"startDate": req["start"], "endDate": req["end"]}
    for k, n in (("user", "userId"), ("model", "modelId"), ("provider", "provider")):
        if k in req:
            f[n] = req[k]
    check(md["filters"] == f, "%s: filters %r" % (path, md["filters"]))
    check(md["exportedAt"].endswith("Z") and len(md["exportedAt"]) == 24, "%s: exportedAt" % path)
    cols = COLS[req["type"]]
    check(len(doc["data"]) == len(exp), "%s: %d rows" % (path, len(doc["data"])))
    for i, (got, want) in enumerate(zip(doc["data"], exp)):
        check(list(got) == [c for c, _ in cols], "%s row %d keys" % (path, i))
        for (name, kind), w in zip(cols, want):
            g = got[name]
            if kind == "t":
                ok = g == (w if w is not None else "")
            elif kind == "i":
                ok = g == w and (w is None or type(g) is int)
            elif kind == "n":
                ok = isinstance(g, Decimal) and g == w
            else:
                ok = g == w[0]
            check(ok, "%s row %d %s: got %r want %r" % (path, i, name, str(g)[:80], str(w)[:80]))


def compare_xlsx(req, path, exp, sheet_rows=1048575):
    wb = openpyxl.load_workbook(path)
    cols = COLS[req["type"]]
    nsheets = max(1, -(-len(exp) // sheet_rows))
    names = ["Export"] + ["Export %d" % i for i in range(2, nsheets + 1)] + ["Metadata"]
    check(wb.sheetnames == names, "%s: sheets %r, expected %r" % (path, wb.sheetnames, names))
    got_rows = []
    for name in names[:-1]:
        ws = wb[name]
        hdr = [c.value for c in ws[1]]
        check(hdr == [c for c, _ in cols], "%s %s: header %r" % (path, name, hdr))
        check(all(c.font.b for c in ws[1]), "%s %s: header not bold" % (path, name))
        check(ws.freeze_panes == "A2", "%s %s: freeze %r" % (path, name, ws.freeze_panes))
        n = ws.max_row - 1
        last = openpyxl.utils.get_column_letter(len(cols))
        check(ws.auto_filter.ref == "A1:%s%d" % (last, n + 1), "%s %s: autofilter %r" % (path, name, ws.auto_filter.ref))
        for row in ws.iter_rows(min_row=2, max_col=len(cols)):
            got_rows.append(row)
    check(len(got_rows) == len(exp), "%s: %d rows, expected %d" % (path, len(got_rows), len(exp)))
    for i, (got, want) in enumerate(zip(got_rows, exp)):
        for (name, kind), cell, w in zip(cols, got, want):
            g = cell.value
            if kind == "t":
                w = xlsx_text(w or "")
                if isinstance(g, str):  # OOXML ST_Xstring escapes (_x000D_ for CR)
                    g = re.sub(r"_x([0-9A-Fa-f]{4})_", lambda m: chr(int(m.group(1), 16)), g)
                ok = (g or "") == w and cell.data_type in ("s", "n")
            elif kind == "i":
                ok = g == w and (w is None or type(g) is int)
            elif kind == "n":
                ok = isinstance(g, (int, float)) and abs(Decimal(repr(g)) - w) <= Decimal("1e-12")
            else:
                ok = isinstance(g, dt.datetime) and abs((g - w[1]).total_seconds()) < 0.0005 \
                    and cell.number_format == "yyyy-mm-dd hh:mm:ss.000"
            check(ok, "%s row %d %s: got %r want %r" % (path, i, name, str(g)[:80], str(w)[:80]))
    md = {r[0].value: r[1].value for r in wb["Metadata"].iter_rows(min_row=2)}
    check([c.value for c in wb["Metadata"][1]] == ["key", "value"], "%s: Metadata header" % path)
    check(md.get("recordCount") == len(exp) and md.get("exportType") == req["type"]
          and md.get("format") == "excel" and md.get("timezone") == req.get("timezone", "UTC"),
          "%s: Metadata %r" % (path, md))
    check(json.loads(md["filters"])["startDate"] == req["start"], "%s: Metadata filters" % path)
    return wb


def xlsx_dump(wb):
    out = {}
    for ws in wb.worksheets:
        rows = []
        for row in ws.iter_rows(values_only=True):
            rows.append([v.isoformat() if isinstance(v, dt.datetime) else v for v in row])
        if ws.title == "Metadata":
            rows = [r for r in rows if r[0] != "exportedAt"]
        out[ws.title] = rows
    return json.dumps(out, ensure_ascii=False, indent=0, sort_keys=True) + "\n"


def golden(name, data):
    p = os.path.join(args.golden, name)
    if args.update:
        open(p, "wb").write(data)
        return
    check(os.path.exists(p), "golden %s missing (run with --update)" % name)
    if os.path.exists(p):
        check(open(p, "rb").read() == data, "golden %s differs" % name)


def json_normalised(path):
    doc = json.loads(open(path, "rb").read().decode("utf-8"))
    doc["metadata"]["exportedAt"] = "<exportedAt>"
    return (json.dumps(doc, ensure_ascii=False, indent=0) + "\n").encode("utf-8")


def one(req, rows, users, name=None, extra=(), sheet_rows=1048575, gold=False):
    ext = FORMATS[req["format"]]
    path = os.path.join(args.work, name or "%s.%s" % (req["type"], ext))
    run_ctl(req, path, extra)
    if not os.path.exists(path):
        fail("%s: not written" % path)
        return
    exp = expected(req, rows, users)
    if req["format"] == "csv":
        compare_csv(req, path, exp)
        if gold:
            golden(os.path.basename(path), open(path, "rb").read())
    elif req["format"] == "json":
        compare_json(req, path, exp, req.get("job"))
        if gold:
            golden(os.path.basename(path), json_normalised(path))
    else:
        wb = compare_xlsx(req, path, exp, sheet_rows)
        if gold:
            golden(os.path.basename(path) + ".json", xlsx_dump(wb).encode("utf-8"))
    leftovers = [f for f in os.listdir(args.work) if f.endswith(".part")]
    check(not leftovers, "temporary files left: %r" % leftovers)
    return exp


def ids(exp):
    return [r[0] for r in exp]


def main():
    global args
    ap = argparse.ArgumentParser()
    ap.add_argument("--ctl", required=True)
    ap.add_argument("--db", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--golden", required=True)
    ap.add_argument("--update", action="store_true")
    args = ap.parse_args()
    rows, users = load_rows()
    year = {"start": "2024-01-01", "end": "2024-12-31"}

    # every type x format on the hostile fixture, with golden files
    for t in TYPES:
        for f in FORMATS:
            req = dict(year, type=t, format=f)
            if t == "raw-data" and f == "json":
                req["job"] = "0b6f4a2e-5a7e-4c3e-9a43-2f7d1c7f0e11"
            one(req, rows, users, gold=True)

    # inclusive end date, and the edges of the range
    exp = one(dict(year, type="raw-data", format="csv"), rows, users, name="edges.csv")
    check("h-lastms" in ids(exp) and "h-nextday" not in ids(exp) and "h-before" not in ids(exp),
          "inclusive end date / range edges")
    # 29 February alone
    exp = one({"start": "2024-02-29", "end": "2024-02-29", "type": "raw-data", "format": "json"},
              rows, users, name="leap.json")
    check(set(ids(exp)) == {"h-quote", "h-formula"}, "29 February: %r" % ids(exp))
    # a non-UTC zone across the DST change (Berlin, 2024-03-31 02:00 -> 03:00)
    for f in FORMATS:
        exp = one({"start": "2024-03-31", "end": "2024-03-31", "type": "raw-data", "format": f,
                   "timezone": "Europe/Berlin"}, rows, users, name="dst." + FORMATS[f])
    check([r[1][0] for r in exp if r[0] in ("h-ctl", "h-dst")] ==
          ["2024-03-31T01:59:59.999+01:00", "2024-03-31T03:00:00.000+02:00"], "DST offsets %r" % exp)
    # a zone that moves the range: New York's 2024-12-31 ends at 05:00 UTC on 1 January
    exp = one(dict(year, type="raw-data", format="csv", timezone="America/New_York"), rows, users,
              name="ny.csv")
    check("h-nextday" in ids(exp) and "h-before" not in ids(exp), "New York range %r" % ids(exp)[-3:])
    # breakdowns in another zone and with filters
    for t in TYPES[:3]:
        one(dict(year, type=t, format="json", timezone="Asia/Kolkata", user="alice"), rows, users,
            name="f-%s.json" % t)
    one(dict(year, type="raw-data", format="excel", model="グループ"), rows, users, name="f-model.xlsx")
    one(dict(year, type="provider-breakdown", format="csv", provider="unknown"), rows, users,
        name="f-prov.csv")
    # BOM on, guard off
    one(dict(year, type="user-breakdown", format="csv", bom=True, noguard=True), rows, users,
        name="bom.csv", gold=True)
    # empty result: header only, empty data array, header-only sheet
    for f in FORMATS:
        exp = one({"start": "2022-06-01", "end": "2022-06-02", "type": "raw-data", "format": f},
                  rows, users, name="empty." + FORMATS[f])
        check(exp == [], "empty")
    check(open(os.path.join(args.work, "empty.csv"), "rb").read().count(b"\r\n") == 1, "empty csv")
    # sheet split (test hook: 40 rows per sheet)
    one(dict(year, type="raw-data", format="excel"), rows, users, name="split.xlsx",
        extra=["--xlsx-sheet-rows", "40"], sheet_rows=40)
    # validation before anything runs
    bad = os.path.join(args.work, "bad.csv")
    run_ctl(dict(year, type="raw-data", format="csv", timezone="Mars/Olympus"), bad, expect_rc=2)
    run_ctl({"start": "2023-02-29", "end": "2023-03-01", "type": "raw-data", "format": "csv"}, bad,
            expect_rc=2)
    run_ctl({"start": "2024-03-02", "end": "2024-03-01", "type": "raw-data", "format": "csv"}, bad,
            expect_rc=2)
    check(not os.path.exists(bad), "no file for an invalid request")
    # unwritable directories: nothing left behind
    p = run_ctl(dict(year, type="raw-data", format="csv"), "/nonexistent-xq/dir/x.csv", expect_rc=1)
    check(b"could not be written" in p.stderr, "missing dir message: %r" % p.stderr)
    ro = os.path.join(args.work, "ro")
    os.mkdir(ro, 0o755)
    for f in FORMATS:
        cmd = ["runuser", "-u", "nobody", "--", args.ctl, "export", "--quiet", "--type", "raw-data",
               "--format", f, "--start", "2024-01-01", "--end", "2024-12-31", "--database-url",
               args.db, "-o", os.path.join(ro, "x." + FORMATS[f])]
        pr = subprocess.run(cmd, capture_output=True)
        check(pr.returncode == 1 and b"could not be written" in pr.stderr,
              "unwritable dir %s: exit %d %r" % (f, pr.returncode, pr.stderr))
        check(os.listdir(ro) == [], "unwritable dir %s: left %r" % (f, os.listdir(ro)))
    # cancel mid-export: 300,000 rows in 2026, SIGINT after the first progress
    subprocess.run(["psql", "-X", "-q", "-d", args.db, "-c", """INSERT INTO "LiteLLM_SpendLogs"
        SELECT 'big-' || i, 'completion', i * 0.001, 10, 5, 5,
               timestamp '2026-01-01' + i * interval '1 second', timestamp '2026-01-01' + i * interval '1 second',
               10, 'gpt-4o', NULL, 'openai', 'user-' || (i % 100), NULL, NULL, 'success', NULL
        FROM generate_series(1, 300000) i"""], check=True)
    cdir = os.path.join(args.work, "cancel")
    os.mkdir(cdir)
    for f in FORMATS:
        cmd = [args.ctl, "export", "--quiet", "--type", "raw-data", "--format", f, "--start",
               "2026-01-01", "--end", "2026-12-31", "--database-url", args.db, "-o",
               os.path.join(cdir, "big." + FORMATS[f])]
        pr = subprocess.Popen(cmd, stderr=subprocess.PIPE)
        time.sleep(0.8)
        running = pr.poll() is None
        pr.send_signal(signal.SIGINT)
        err = pr.communicate()[1]
        check(running, "cancel %s: export finished before the signal" % f)
        check(pr.returncode == 1 and b"cancelled" in err, "cancel %s: exit %d %r" % (f, pr.returncode, err))
        check(os.listdir(cdir) == [], "cancel %s: left %r" % (f, os.listdir(cdir)))
    # a full file system: a clear "disk full" error and nothing left behind
    full = os.path.join(args.work, "full")
    os.mkdir(full)
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", full],
                      capture_output=True).returncode != 0:
        print("SKIP: cannot mount a tmpfs for the disk-full case")
    else:
        try:
            for f in FORMATS:
                cmd = [args.ctl, "export", "--quiet", "--type", "raw-data", "--format", f, "--start",
                       "2026-01-01", "--end", "2026-12-31", "--database-url", args.db, "-o",
                       os.path.join(full, "big." + FORMATS[f])]
                pr = subprocess.run(cmd, capture_output=True)
                check(pr.returncode == 1 and b"disk full" in pr.stderr,
                      "disk full %s: exit %d %r" % (f, pr.returncode, pr.stderr))
                check(os.listdir(full) == [], "disk full %s: left %r" % (f, os.listdir(full)))
        finally:
            subprocess.run(["umount", full])
    print("%d checks, %d failures" % (checks, len(failures)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
