"""The user's routes end to end through the web server and exportq-workerd:
export-async, the sync export, export-status, cancel, my-exports, forget;
validation details, permissions, ownership, limits (pending and hourly,
50 concurrent submissions), and 503 with Redis or PostgreSQL stopped."""
import io
import json

import openpyxl

import api
import xq
from api import USAGE

WEB_SERVERS = ("lighttpd", "apache")

DAY_WHERE = "\"startTime\" >= '2031-01-01' AND \"startTime\" < '2031-01-02'"


def setup():
    api.load_fixture()


# ------------------------------------------------------------ export-async

def test_async_queues_runs_and_reports_the_job():
    u = api.user()
    tok = api.admin(u)
    r = api.submit(tok, api.req("csv", modelId="gpt-1"))
    assert r.status == 202, r
    api.assert_headers(r)
    assert set(r.json) == {"message", "jobId", "position", "statusUrl"}, r.json
    assert api.UUID4.match(r.json["jobId"]), r.json
    assert r.json["statusUrl"] == USAGE + "/export-status/" + r.json["jobId"]
    assert r.headers["Location"] == r.json["statusUrl"]
    assert isinstance(r.json["position"], int) and r.json["position"] >= 1
    job = api.wait_state(tok, r.json["jobId"])
    want = api.sql_count(DAY_WHERE + " AND COALESCE(NULLIF(model_group, ''), model) = 'gpt-1'")
    assert job["progress"] == 100 and job["rowsWritten"] == want, job
    assert job["exportType"] == "raw-data" and job["format"] == "csv", job
    assert job["filters"]["modelId"] == "gpt-1", job
    assert job["attemptsMade"] == 1 and job["priority"] == "normal", job
    res = job["result"]
    assert res["rowCount"] == want and res["expired"] is False, res
    assert res["fileName"] == "raw-data-%s.csv" % job["jobId"], res
    d = xq.http("GET", api.path_of(res["downloadUrl"]))
    assert d.status == 200, d
    rows = api.csv_rows(d.body)
    assert len(rows) == want + 1 and rows[0][0] == "requestId", rows[:2]
    assert all(row[4] == "gpt-1" for row in rows[1:])
    assert int(d.headers["Content-Length"]) == len(d.body) == res["fileSize"]


def test_async_validation_names_fields():
    tok = api.admin()
    r = api.submit(tok, api.req("csv", bogus=1))
    api.assert_error(r, 400, "VALIDATION_ERROR", field="bogus")
    r = api.submit(tok, {"startDate": "2031-02-30", "endDate": "2031-01-01",
                         "exportType": "nope", "format": "pdf"})
    err = api.assert_error(r, 400, "VALIDATION_ERROR")
    fields = {d["field"] for d in err["details"]}
    assert {"startDate", "exportType", "format"} <= fields, err
    r = api.submit(tok, api.req("csv", userId=""))
    api.assert_error(r, 400, "VALIDATION_ERROR", field="userId")
    r = xq.http("POST", USAGE + "/export-async", token=tok, raw_body=b"[1,2",
                headers={"Content-Type": "application/json"})
    api.assert_error(r, 400, "VALIDATION_ERROR")
    # Nothing was queued by any of these.
    r = xq.http("GET", USAGE + "/my-exports", token=tok)
    assert r.status == 200 and r.json["total"] == 0, r


def test_priority_high_is_for_admins():
    r = api.submit(api.reader(), api.req("csv", priority="high"))
    api.assert_error(r, 403, "FORBIDDEN")
    tok = api.admin()
    r = api.submit(tok, api.req("csv", priority="high"))
    assert r.status == 202, r
    assert api.wait_state(tok, r.json["jobId"])["priority"] == "high"


def test_auth_and_body_errors():
    api.assert_error(api.submit(None), 401, "UNAUTHORIZED")
    api.assert_error(api.submit(xq.token(role="viewer")), 403, "FORBIDDEN")
    r = xq.http("POST", USAGE + "/export-async", token=api.admin(), raw_body=b"x" * 70000,
                headers={"Content-Type": "application/json"})
    api.assert_error(r, 413, "PAYLOAD_TOO_LARGE")
    r = xq.http("POST", USAGE + "/export-async", token=api.admin(),
                raw_body=json.dumps(api.req()).encode(), headers={"Content-Type": "text/plain"})
    api.assert_error(r, 415, "UNSUPPORTED_MEDIA_TYPE")
    r = xq.http("PUT", USAGE + "/export-async", token=api.admin())
    api.assert_error(r, 405, "METHOD_NOT_ALLOWED")
    assert r.headers["Allow"] == "POST", r.headers
    r = xq.http("GET", USAGE + "/export/00000000-0000-4000-8000-000000000000", token=api.admin())
    api.assert_error(r, 405, "METHOD_NOT_ALLOWED")
    assert r.headers["Allow"] == "DELETE", r.headers


# ------------------------------------------------------------ sync export

def test_sync_small_export_is_the_file():
    u = api.user()
    tok = api.admin(u)
    want = api.sql_count(DAY_WHERE)
    r = api.submit(tok, api.req("csv"), path="/export")
    assert r.status == 200, r
    api.assert_headers(r)
    assert r.headers["Content-Type"].startswith("text/csv"), r.headers
    assert r.headers["Content-Disposition"] == \
        'attachment; filename="raw-data_2031-01-01_2031-01-01.csv"', r.headers
    assert int(r.headers["Content-Length"]) == len(r.body)
    rows = api.csv_rows(r.body)
    assert len(rows) == want + 1, (len(rows), want)
    r = api.submit(tok, api.req("json", etype="user-breakdown"), path="/export")
    assert r.status == 200 and r.json["metadata"]["jobId"] is None, r
    users = int(xq.sql('SELECT count(DISTINCT COALESCE("user", \'\')) FROM "LiteLLM_SpendLogs" '
                       "WHERE " + DAY_WHERE)[0][0])
    assert r.json["metadata"]["recordCount"] == users == len(r.json["data"]), r.json["metadata"]
    r = api.submit(tok, api.req("excel"), path="/export")
    assert r.status == 200, r
    wb = openpyxl.load_workbook(io.BytesIO(r.body), read_only=True)
    assert sum(1 for _ in wb["Export"].iter_rows()) == want + 1
    # Sync exports leave nothing behind in EXPORT_DIR and count in no history.
    assert not [n for n in __import__("os").listdir(xq.env["EXPORT_DIR"]) if "sync" in n]
    r = xq.http("GET", USAGE + "/my-exports", token=tok)
    assert r.json["total"] == 0, r.json


def test_sync_over_the_threshold_is_queued():
    tok = api.admin()
    r = api.submit(tok, api.req("csv", rng=api.BIG), path="/export")
    assert r.status == 202, r
    assert r.headers["Location"] == r.json["statusUrl"]
    job = api.wait_state(tok, r.json["jobId"], timeout=60)
    assert job["result"]["rowCount"] == api.FIX_BIG_ROWS + api.sql_count(
        "\"startTime\" >= '2031-02-01' AND \"startTime\" < '2031-02-11' "
        "AND request_id NOT LIKE 'fxb-%'")


# ------------------------------------------------------------ status, cancel, forget

def test_status_of_unknown_and_malformed_ids_is_404():
    tok = api.admin()
    api.assert_error(api.status(tok, "00000000-0000-4000-8000-000000000000"), 404, "NOT_FOUND")
    api.assert_error(api.status(tok, "not-a-uuid"), 404, "NOT_FOUND")


def test_cancel_waiting_then_409_and_forget():
    tok = api.reader()
    with api.paused():
        r = api.submit(tok)
        jid = r.json["jobId"]
        st = api.status(tok, jid).json
        assert st["status"] == "waiting" and st["position"] >= 1, st
        r = xq.http("DELETE", USAGE + "/my-exports/" + jid, token=tok)
        api.assert_error(r, 409, "CONFLICT")
        r = xq.http("DELETE", USAGE + "/export/" + jid, token=tok)
        assert r.status == 200 and r.json["status"] == "cancelled", r
        r = xq.http("DELETE", USAGE + "/export/" + jid, token=tok)
        api.assert_error(r, 409, "CONFLICT")
    assert api.status(tok, jid).json["status"] == "cancelled"
    r = xq.http("DELETE", USAGE + "/my-exports/" + jid, token=tok)
    assert r.status == 200 and isinstance(r.json["message"], str), r
    api.assert_error(api.status(tok, jid), 404, "NOT_FOUND")


def test_my_exports_newest_first_and_paging():
    u = api.user()
    tok = api.reader(u)
    ids = []
    with api.paused():
        for _ in range(3):
            ids.append(api.submit(tok).json["jobId"])
        r = xq.http("GET", USAGE + "/my-exports?limit=2&offset=0", token=tok)
        assert r.status == 200 and r.json["total"] == 3, r
        assert [j["jobId"] for j in r.json["jobs"]] == ids[::-1][:2]
        r = xq.http("GET", USAGE + "/my-exports?limit=2&offset=2", token=tok)
        assert [j["jobId"] for j in r.json["jobs"]] == ids[:1]
        for q in ("limit=0", "limit=101", "limit=abc", "offset=-1", "limit=1.5", "offset=%2B1"):
            r = xq.http("GET", USAGE + "/my-exports?" + q, token=tok)
            api.assert_error(r, 400, "VALIDATION_ERROR")
        for jid in ids:
            assert xq.http("DELETE", USAGE + "/export/" + jid, token=tok).status == 200


def test_someone_elses_job_is_404_but_admin_may_act():
    alice = api.reader()
    bob = api.reader()
    boss = api.admin()
    with api.paused():
        jid = api.submit(alice).json["jobId"]
        api.assert_error(api.status(bob, jid), 404, "NOT_FOUND")
        api.assert_error(xq.http("DELETE", USAGE + "/export/" + jid, token=bob), 404, "NOT_FOUND")
        api.assert_error(xq.http("DELETE", USAGE + "/my-exports/" + jid, token=bob), 404,
                         "NOT_FOUND")
        assert api.status(boss, jid).status == 200
        r = xq.http("DELETE", USAGE + "/export/" + jid, token=boss)
        assert r.status == 200, r
    r = xq.http("DELETE", USAGE + "/my-exports/" + jid, token=boss)
    assert r.status == 200, r
    # Bob's history never shows it.
    assert xq.http("GET", USAGE + "/my-exports", token=bob).json == {"jobs": [], "total": 0}


# ------------------------------------------------------------ limits

def test_pending_limit_with_50_concurrent_submissions():
    u = api.user()
    tok = api.reader(u)
    with api.paused():
        res = api.parallel(lambda i: api.submit(tok), 50)
        codes = [r.status for r in res]
        assert codes.count(202) == 10 and codes.count(429) == 40, codes
        for r in res:
            if r.status == 429:
                api.assert_error(r, 429, "RATE_LIMITED")
                assert int(r.headers["Retry-After"]) >= 1, r.headers
        listing = xq.http("GET", USAGE + "/my-exports?limit=100", token=tok).json
        assert listing["total"] == 10, listing["total"]
        for j in listing["jobs"]:
            assert xq.http("DELETE", USAGE + "/export/" + j["jobId"], token=tok).status == 200


def test_hourly_limit_refuses_and_creates_nothing():
    tok = api.reader()
    with api.paused():
        for i in range(30):
            r = api.submit(tok)
            assert r.status == 202, (i, r)
            assert xq.http("DELETE", USAGE + "/export/" + r.json["jobId"], token=tok).status == 200
        r = api.submit(tok)
        api.assert_error(r, 429, "RATE_LIMITED")
        assert 1 <= int(r.headers["Retry-After"]) <= 3600, r.headers
        r = api.submit(tok, path="/export")
        api.assert_error(r, 429, "RATE_LIMITED")
        assert xq.http("GET", USAGE + "/my-exports", token=tok).json["total"] == 30


# ------------------------------------------------------------ dependencies down

def redis_ready():
    try:
        return xq.redis("PING") == "PONG"
    except (RuntimeError, ValueError):  # LOADING while it replays its AOF
        return False


def test_503_with_redis_stopped():
    tok = api.admin()
    xq.stack("stack_redis_stop")
    try:
        for r in (api.submit(tok), api.status(tok, "00000000-0000-4000-8000-000000000000"),
                  xq.http("GET", USAGE + "/my-exports", token=tok),
                  xq.http("GET", api.QUEUE + "/stats", token=tok)):
            api.assert_error(r, 503, "SERVICE_UNAVAILABLE")
            assert int(r.headers["Retry-After"]) >= 1, r.headers
    finally:
        xq.stack("stack_redis_start")
    xq.wait_for(redis_ready, timeout=30, what="redis done loading its AOF")
    # Every process of the pool notices its dead connection before using it:
    # the very first requests after the restart succeed.
    for _ in range(8):
        r = xq.http("GET", api.QUEUE + "/stats", token=tok)
        assert r.status == 200, r
    assert api.submit(api.admin()).status == 202


def test_503_with_postgres_stopped():
    tok = api.admin()
    xq.stack("stack_pg_stop")
    try:
        r = api.submit(tok, path="/export")
        api.assert_error(r, 503, "SERVICE_UNAVAILABLE")
        assert int(r.headers["Retry-After"]) >= 1, r.headers
    finally:
        xq.stack("stack_pg_start")
    for _ in range(8):
        r = api.submit(api.admin(), path="/export")
        assert r.status == 200, r
