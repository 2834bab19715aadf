"""Regressions found by the hostile review (each test names the bug it pins
down).  Runs under lighttpd only."""
import json

import api
import xq

USAGE = api.USAGE
QUEUE = api.QUEUE


def setup():
    api.load_fixture()


def test_filter_with_ill_formed_utf8_is_400_not_500():
    # json-c passed the bytes through and PostgreSQL refused them: 500
    # "database query failed" (sync) or a job failed with an SQL error (async).
    tok = api.admin()
    body = (b'{"startDate":"2031-01-01","endDate":"2031-01-01","exportType":"raw-data",'
            b'"format":"json","userId":"a\xff\xfe"}')
    for path in ("/export", "/export-async"):
        r = xq.http("POST", USAGE + path, token=tok, raw_body=body,
                    headers={"Content-Type": "application/json"})
        api.assert_error(r, 400, "VALIDATION_ERROR", field="userId")
    # well-formed UTF-8 still works
    r = api.submit(tok, api.req(fmt="json", userId="J\u00fcrgen \U0001F600"), path="/export")
    assert r.status == 200, (r.status, r.body[:200])
    assert r.json["metadata"]["recordCount"] == 0, r.json["metadata"]


def _clean(raw):
    return xq.http("POST", QUEUE + "/clean", token=api.admin(), raw_body=raw,
                   headers={"Content-Type": "application/json"})


def test_clean_refuses_nan_and_non_json():
    # json-c's lenient mode took NaN (which passed "< 0 || > 1e6" and became
    # an undefined (long long) cast) and single-quoted "JSON".
    for raw in (b'{"state":"completed","olderThanHours":NaN}',
                b'{"state":"completed","olderThanHours":-NaN}'):
        api.assert_error(_clean(raw), 400, "VALIDATION_ERROR")
    api.assert_error(_clean(b"{'state':'completed','olderThanHours':1}"), 400,
                     "VALIDATION_ERROR", field="body")
    # real JSON, trailing blanks included, is still accepted
    r = _clean(b'{"state":"completed","olderThanHours":100000}\r\n')
    assert r.status == 200 and isinstance(r.json["removed"], int), (r.status, r.body)


def test_responder_log_lines_reach_a_file_under_lighttpd():
    # lighttpd gave the spawned responders /dev/null as stderr: every log
    # line (the reason of a 500 included) was lost.  The stack now sets
    # server.breakagelog.
    import os
    path = os.path.join(xq.STACK_DIR, "log", "responder.log")
    r = xq.http("GET", "/api/v1/health")  # the pool is up
    assert r.status == 200, r.status
    assert os.path.isfile(path), path
    lines = [json.loads(l) for l in open(path, encoding="utf-8") if l.startswith("{")]
    assert any(l.get("program") == "exportq.fcgi" and l.get("msg") == "responder ready"
               for l in lines), lines[-5:]


def test_offset_over_the_queue_limit_is_a_400_with_details():
    # the route accepted offsets up to 1e12, the queue refused those over 1e9:
    # a bare "invalid request" without saying which parameter
    for path, tok in ((USAGE + "/my-exports", api.reader()), (QUEUE + "/jobs", api.admin())):
        r = xq.http("GET", path + "?offset=1000000001", token=tok)
        api.assert_error(r, 400, "VALIDATION_ERROR", field="offset")
        r = xq.http("GET", path + "?offset=1000000000", token=tok)
        assert r.status == 200 and r.json["jobs"] == [], (r.status, r.body[:200])


def test_purger_removes_a_dead_sync_exports_directory():
    # A responder that died mid sync export (SIGKILL, OOM) left its private
    # EXPORT_DIR/.sync-XXXXXX directory and partial file forever.
    import os
    import time
    from test_workerd import Workerd
    wd = Workerd("review-sync", EXPORT_PURGE_INTERVAL_S="1")
    past = time.time() - 2 * 3600
    dead = os.path.join(wd.dir, ".sync-AbC123")
    live = os.path.join(wd.dir, ".sync-xYz789")
    for d in (dead, live):
        os.makedirs(d)
        p = os.path.join(d, ".raw-data-0f1e2d3c-aaaa-4bbb-8ccc-123456789abc.csv.part")
        with open(p, "w") as f:
            f.write("x")
        if d == dead:
            os.utime(p, (past, past))
    os.utime(dead, (past, past))
    os.utime(live, (past, past))  # an old directory whose file is still being written
    try:
        wd.start()
        xq.wait_for(lambda: not os.path.exists(dead), 10, 0.2, "dead .sync dir removed")
        assert os.listdir(live), "a running sync export's file was removed"
    finally:
        wd.stop()


def test_infinite_or_out_of_range_timestamps_do_not_fail_the_export():
    # One row with "endTime" = 'infinity' (or a BC / year 10000+ time) made
    # every raw-data export of its range fail: 500 "database query failed"
    # on the sync route, a job failed at once on the async one.
    xq.sql("""
DELETE FROM "LiteLLM_SpendLogs" WHERE request_id LIKE 'rvts-%';
INSERT INTO "LiteLLM_SpendLogs"(request_id, call_type, spend, total_tokens, prompt_tokens,
    completion_tokens, "startTime", "endTime", model, "user") VALUES
('rvts-1', 'c', 1, 1, 1, 1, '2033-04-01 10:00:00', 'infinity', 'm', 'u'),
('rvts-2', 'c', 1, 1, 1, 1, '2033-04-01 10:00:01', '0044-03-15 12:00:00 BC', 'm', 'u'),
('rvts-3', 'c', 1, 1, 1, 1, '2033-04-01 10:00:02', '12345-01-01 00:00:00', 'm', 'u'),
('rvts-4', 'c', 1, 1, 1, 1, '2033-04-01 10:00:03', '2033-04-01 10:00:04', 'm', 'u');
""")
    tok = api.admin()
    rng = {"startDate": "2033-04-01", "endDate": "2033-04-01"}
    try:
        r = api.submit(tok, api.req(fmt="json", rng=rng), path="/export")
        assert r.status == 200, (r.status, r.body[:300])
        ends = {d["requestId"]: d["endTime"] for d in r.json["data"]}
        assert ends == {"rvts-1": None, "rvts-2": None, "rvts-3": None,
                        "rvts-4": "2033-04-01T10:00:04.000Z"}, ends
        for fmt in ("csv", "excel"):
            r = api.submit(tok, api.req(fmt=fmt, rng=rng, timezone="Pacific/Kiritimati"),
                           path="/export")
            assert r.status == 200, (fmt, r.status, r.body[:300])
        r = api.submit(tok, api.req(fmt="csv", rng=rng))
        job = api.wait_state(tok, r.json["jobId"], ("completed", "failed"))
        assert job["status"] == "completed" and job["result"]["rowCount"] == 4, job
    finally:
        xq.sql("""DELETE FROM "LiteLLM_SpendLogs" WHERE request_id LIKE 'rvts-%';""")
