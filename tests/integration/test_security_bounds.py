"""Security review (doc/security.md): resource bounds.

Bodies (64 KiB at the responder, 1 MiB at the web server), header values
(an 9 KB+ Authorization), paths, query values, filter lengths and JSON
nesting are refused with the SPEC error body, and the responder keeps
serving.  An export streams: a worker's resident memory grows by far less
than the file it writes (100,000 rows to CSV and to XLSX)."""
import json
import os
import time

import api
import xq

USAGE = "/api/v1/admin/usage"
BIG_DAY = "2034-04-04"
BIG_ROWS = 100000


def alive():
    r = xq.http("GET", "/api/v1/health")
    assert r.status == 200, r


def test_body_limits():
    tok = api.reader()
    body = json.dumps(api.req("csv")).encode()
    exact = body + b" " * (64 * 1024 - len(body))
    r = xq.http("POST", USAGE + "/export-async", token=tok, raw_body=exact,
                headers={"Content-Type": "application/json"})
    assert r.status == 202, (r.status, r.body[:200])
    r = xq.http("POST", USAGE + "/export-async", token=tok, raw_body=exact + b" ",
                headers={"Content-Type": "application/json"})
    assert r.status == 413 and r.json["error"]["statusCode"] == 413, (r.status, r.body[:200])
    r = xq.http("POST", USAGE + "/export-async", token=tok, raw_body=b"x" * (1024 * 1024 + 1),
                headers={"Content-Type": "application/json"})
    assert r.status == 413, r.status
    deep = b"[" * 20000 + b"]" * 20000
    r = xq.http("POST", USAGE + "/export-async", token=tok, raw_body=deep,
                headers={"Content-Type": "application/json"})
    assert r.status == 400, (r.status, r.body[:200])
    alive()


def test_header_path_query_and_field_limits():
    tok = api.reader()
    r = xq.http("GET", USAGE + "/my-exports", headers={"Authorization": "Bearer " + "a" * 9000})
    assert r.status == 401 and r.json["error"]["code"] == "UNAUTHORIZED", r.status
    r = xq.http("GET", "/api/v1/admin/usage/export-status/" + "a" * 3000, token=tok)
    assert r.status in (404, 414), r.status
    if r.status == 404:
        assert r.json["error"]["statusCode"] == 404, r.body[:200]
    for q in ("limit=99999999999999999999", "limit=-1", "limit=abc", "offset=-5",
              "limit=1e3", "limit=" + "9" * 500):
        r = xq.http("GET", USAGE + "/my-exports?" + q, token=tok)
        assert r.status == 400, (q, r.status, r.body[:200])
    for field in ("userId", "modelId", "provider"):
        r = api.submit(tok, api.req("csv", **{field: "u" * 257}))
        api.assert_error(r, 400, "VALIDATION_ERROR", field)
        r = api.submit(tok, api.req("csv", **{field: "\u00e9" * 129}))  # 258 bytes
        api.assert_error(r, 400, "VALIDATION_ERROR", field)
    r = api.submit(tok, api.req("csv", userId="u" * 256))
    assert r.status == 202, r
    r = api.submit(tok, api.req("csv", timezone="A" * 5000))
    api.assert_error(r, 400, "VALIDATION_ERROR", "timezone")
    alive()


def _rss_kb(pid):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def _export_peak(tok, fmt):
    adm = api.admin()
    r = api.submit(tok, {"startDate": BIG_DAY, "endDate": BIG_DAY, "exportType": "raw-data",
                         "format": fmt})
    assert r.status == 202, r
    jid = r.json["jobId"]
    pid = None
    base = None
    peak = 0
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        if pid is None:
            w = xq.http("GET", "/api/v1/admin/queue/workers", token=adm)
            for x in w.json.get("workers", []):
                if x.get("jobId") == jid:
                    pid = int(x["pid"])
                    base = _rss_kb(pid)
        else:
            v = _rss_kb(pid)
            if v:
                peak = max(peak, v)
        s = api.status(tok, jid).json
        if s["status"] in ("completed", "failed", "cancelled"):
            break
        time.sleep(0.05)
    assert s["status"] == "completed", s
    return s, base, peak


def test_export_memory_stays_flat():
    if os.environ.get("ASAN_OPTIONS"):
        # ASan keeps freed memory in quarantine: RSS says nothing there
        print("skipped under AddressSanitizer (RSS includes the quarantine)")
        return
    xq.sql('DELETE FROM "LiteLLM_SpendLogs" WHERE request_id LIKE \'fxm-%\';'
           'INSERT INTO "LiteLLM_SpendLogs"(request_id, call_type, spend, total_tokens, '
           'prompt_tokens, completion_tokens, "startTime", "endTime", model, '
           'custom_llm_provider, "user", end_user, team_id) '
           "SELECT 'fxm-' || g, 'completion', g * 0.000001, 30, 10, 20, "
           "timestamp '" + BIG_DAY + "' + g * interval '500 ms', "
           "timestamp '" + BIG_DAY + "' + g * interval '500 ms' + interval '2 s', "
           "'model-' || (g % 9), 'openai', 'mem-user-' || (g % 50), "
           "repeat('e', 40), repeat('t', 40) FROM generate_series(1, %d) g;" % BIG_ROWS)
    try:
        tok = api.reader()
        for fmt in ("csv", "excel"):
            job, base, peak = _export_peak(tok, fmt)
            size = job["result"]["fileSize"]
            assert job["result"]["rowCount"] == BIG_ROWS, job
            assert base is not None and peak > 0, ("worker not seen", fmt, base, peak)
            grew = (peak - base) * 1024
            # the CSV is ~20 MB and the sheet 1.7 million cells: a worker that
            # held the rows (or the cells) would grow by far more than this
            if fmt == "csv":
                assert size > 8 * 1024 * 1024, (fmt, size)
            assert grew < 24 * 1024 * 1024, (fmt, base, peak, size)
    finally:
        xq.sql('DELETE FROM "LiteLLM_SpendLogs" WHERE request_id LIKE \'fxm-%\';')
