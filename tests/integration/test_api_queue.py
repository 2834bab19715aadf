"""The admin's queue routes and /metrics through the web server: stats, jobs
by state, retry of a really failed job, remove (file deleted, link 410),
pause and resume, clean (files deleted too), workers; permissions and
parameter errors."""
import os

import api
import xq
from api import QUEUE, USAGE

WEB_SERVERS = ("lighttpd", "apache")
STATES = ("waiting", "active", "delayed", "completed", "failed", "cancelled")


def setup():
    api.load_fixture()


def test_permissions():
    for method, path in (("GET", "/stats"), ("GET", "/jobs"), ("POST", "/pause"),
                         ("GET", "/workers")):
        api.assert_error(xq.http(method, QUEUE + path), 401, "UNAUTHORIZED")
        api.assert_error(xq.http(method, QUEUE + path, token=api.reader()), 403, "FORBIDDEN")


def test_stats_shape_and_counts():
    r = xq.http("GET", QUEUE + "/stats", token=api.admin())
    assert r.status == 200, r
    api.assert_headers(r)
    assert set(r.json) == set(STATES) | {"paused", "workers"}, r.json
    assert all(isinstance(r.json[s], int) and r.json[s] >= 0 for s in STATES), r.json
    assert r.json["paused"] is False and r.json["workers"] >= 1, r.json
    zc = xq.redis("ZCARD", "exportq:completed")
    assert r.json["completed"] == zc, (r.json, zc)


def test_pause_resume_and_jobs_by_state():
    boss = api.admin()
    tok = api.reader()
    with api.paused():
        st = xq.http("GET", QUEUE + "/stats", token=boss).json
        assert st["paused"] is True, st
        ids = [api.submit(tok).json["jobId"] for _ in range(2)]
        r = xq.http("GET", QUEUE + "/jobs?state=waiting&limit=100", token=boss)
        assert r.status == 200 and r.json["total"] >= 2, r
        waiting = [j["jobId"] for j in r.json["jobs"]]
        assert ids[0] in waiting and ids[1] in waiting
        assert waiting.index(ids[0]) < waiting.index(ids[1]), "dispatch order"
        assert all(j["status"] == "waiting" for j in r.json["jobs"])
        assert api.status(tok, ids[0]).json["status"] == "waiting"
    for jid in ids:
        api.wait_state(tok, jid)
    r = xq.http("GET", QUEUE + "/jobs?state=completed&limit=5", token=boss)
    assert r.status == 200 and len(r.json["jobs"]) <= 5, r
    assert all(j["status"] == "completed" for j in r.json["jobs"])
    for q in ("state=bogus", "state=waiting&limit=0", "limit=abc", "offset=-3", "limit=1000"):
        api.assert_error(xq.http("GET", QUEUE + "/jobs?" + q, token=boss), 400, "VALIDATION_ERROR")


def test_retry_a_failed_job_and_409_otherwise():
    boss = api.admin()
    xq.sql('REVOKE SELECT ON "LiteLLM_SpendLogs" FROM exportq_ro')
    try:
        jid = api.submit(boss).json["jobId"]
        failed = api.wait_state(boss, jid, states=("failed",), timeout=30)
        assert failed["error"], failed
    finally:
        xq.sql('GRANT SELECT ON "LiteLLM_SpendLogs" TO exportq_ro')
    r = xq.http("POST", QUEUE + "/jobs/%s/retry" % jid, token=boss)
    assert r.status == 200 and r.json["jobId"] == jid, r
    done = api.wait_state(boss, jid)
    assert done["attemptsMade"] == 1 and done["result"]["rowCount"] > 0, done
    api.assert_error(xq.http("POST", QUEUE + "/jobs/%s/retry" % jid, token=boss), 409, "CONFLICT")
    api.assert_error(xq.http("POST", QUEUE + "/jobs/00000000-0000-4000-8000-000000000000/retry",
                             token=boss), 404, "NOT_FOUND")


def test_remove_deletes_the_file_and_the_link_answers_410():
    boss = api.admin()
    tok = api.reader()
    job = api.wait_state(tok, api.submit(tok).json["jobId"])
    name = job["result"]["fileName"]
    assert os.path.exists(os.path.join(xq.env["EXPORT_DIR"], name))
    r = xq.http("DELETE", QUEUE + "/jobs/" + job["jobId"], token=boss)
    assert r.status == 200, r
    assert not os.path.exists(os.path.join(xq.env["EXPORT_DIR"], name))
    api.assert_error(api.status(tok, job["jobId"]), 404, "NOT_FOUND")
    # Its tombstone names no owner: the signed link and an admin learn 410.
    api.assert_error(xq.http("GET", api.path_of(job["result"]["downloadUrl"])), 410, "GONE")
    api.assert_error(xq.http("GET", "/downloads/" + name, token=boss), 410, "GONE")
    api.assert_error(xq.http("GET", "/downloads/" + name, token=api.reader()), 404, "NOT_FOUND")
    api.assert_error(xq.http("GET", api.path_of(job["result"]["downloadUrl"])), 410, "GONE")
    api.assert_error(xq.http("DELETE", QUEUE + "/jobs/" + job["jobId"], token=boss), 404,
                     "NOT_FOUND")


def test_clean_validates_and_removes_with_files():
    boss = api.admin()
    for body in ({}, {"state": "active", "olderThanHours": 1},
                 {"state": "completed", "olderThanHours": -1},
                 {"state": "completed", "olderThanHours": "1"},
                 {"state": "completed", "olderThanHours": 1, "extra": True}):
        api.assert_error(xq.http("POST", QUEUE + "/clean", token=boss, body=body), 400,
                         "VALIDATION_ERROR")
    tok = api.reader()
    job = api.wait_state(tok, api.submit(tok).json["jobId"])
    name = job["result"]["fileName"]
    r = xq.http("POST", QUEUE + "/clean", token=boss,
                body={"state": "completed", "olderThanHours": 1000})
    assert r.status == 200 and isinstance(r.json["removed"], int), r
    assert os.path.exists(os.path.join(xq.env["EXPORT_DIR"], name)), "too young to be cleaned"
    before = xq.redis("ZCARD", "exportq:completed")
    r = xq.http("POST", QUEUE + "/clean", token=boss,
                body={"state": "completed", "olderThanHours": 0})
    assert r.status == 200 and r.json["removed"] == before >= 1, (r, before)
    assert not os.path.exists(os.path.join(xq.env["EXPORT_DIR"], name))
    api.assert_error(api.status(tok, job["jobId"]), 404, "NOT_FOUND")
    # Its tombstone names no owner: the signed link and an admin learn 410.
    api.assert_error(xq.http("GET", api.path_of(job["result"]["downloadUrl"])), 410, "GONE")
    api.assert_error(xq.http("GET", "/downloads/" + name, token=boss), 410, "GONE")
    api.assert_error(xq.http("GET", "/downloads/" + name, token=api.reader()), 404, "NOT_FOUND")


def test_workers_are_listed():
    r = xq.http("GET", QUEUE + "/workers", token=api.admin())
    assert r.status == 200 and len(r.json["workers"]) >= 1, r
    for w in r.json["workers"]:
        assert w["host"] and isinstance(w["pid"], int) and w["pid"] > 0, w
        assert w["since"].endswith("Z") and w["lastHeartbeat"].endswith("Z"), w
        assert w["jobId"] is None or api.UUID4.match(w["jobId"]), w


def test_metrics_text():
    tok = api.admin()
    api.wait_state(tok, api.submit(tok).json["jobId"])
    r = xq.http("GET", "/metrics")
    assert r.status == 200, r
    assert r.headers["Content-Type"].startswith("text/plain; version=0.0.4"), r.headers
    api.assert_headers(r)
    text = r.body.decode()
    stats = xq.http("GET", QUEUE + "/stats", token=tok).json
    for s in STATES:
        line = 'export_queue_jobs{state="%s"} ' % s
        assert line in text, (s, text[:500])
    assert "export_workers_live %d" % stats["workers"] in text, text
    assert 'export_jobs_total{status="completed",export_type="raw-data"}' in text, text
    for line in text.splitlines():
        assert line.startswith("#") or len(line.split(" ")) == 2, line
