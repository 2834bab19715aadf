"""Security review (doc/security.md): per-user data isolation on every route.

User A owns a completed job.  User B (same role, adminReadonly) cannot see,
list, cancel, forget or download it on any route: each answers 404, as if it
did not exist (SPEC §4), with no trace of A's data in the body.  B cannot
reach any queue administration route (403).  An admin may act on it.  The
signed link works for anyone holding it, and only for that file."""
import api
import xq
from api import QUEUE, USAGE

_a = {}


def setup():
    api.load_fixture()
    a = api.user()
    tok = api.reader(a)
    r = api.submit(tok, api.req("csv", etype="user-breakdown"))
    assert r.status == 202, r
    job = api.wait_state(tok, r.json["jobId"])
    _a.update(user=a, token=tok, job=job, id=job["jobId"], name=job["result"]["fileName"],
              url=api.path_of(job["result"]["downloadUrl"]))


def _clean(r):
    """No byte of A's identity or file in B's answer."""
    for secret in (_a["user"], _a["name"], _a["id"]):
        assert secret.encode() not in r.body, (secret, r.body[:300])


def test_other_user_gets_404_everywhere():
    b = api.reader()
    checks = [
        ("GET", USAGE + "/export-status/" + _a["id"]),
        ("DELETE", USAGE + "/export/" + _a["id"]),
        ("DELETE", USAGE + "/my-exports/" + _a["id"]),
        ("GET", "/downloads/" + _a["name"]),
        ("HEAD", "/downloads/" + _a["name"]),
    ]
    for method, path in checks:
        r = xq.http(method, path, token=b)
        assert r.status == 404, (method, path, r.status, r.body[:200])
        if method != "HEAD":
            assert r.json["error"]["code"] == "NOT_FOUND", r.body[:200]
            # the same answer as for a job that never existed
            _clean(r)
    r = xq.http("GET", USAGE + "/my-exports?limit=100&offset=0", token=b)
    assert r.status == 200 and r.json["total"] == 0 and r.json["jobs"] == [], r.body[:300]
    _clean(r)
    # A's job is untouched by B's attempts
    r = api.status(_a["token"], _a["id"])
    assert r.status == 200 and r.json["status"] == "completed", r


def test_unknown_job_answers_like_someone_elses():
    b = api.reader()
    ghost = "0b7c4d2e-8f1a-4c3b-9d5e-6f7a8b9c0d1e"
    r1 = xq.http("GET", USAGE + "/export-status/" + ghost, token=b)
    r2 = xq.http("GET", USAGE + "/export-status/" + _a["id"], token=b)
    assert r1.status == r2.status == 404, (r1, r2)
    assert r1.json["error"]["code"] == r2.json["error"]["code"], (r1.body, r2.body)


def test_reader_cannot_reach_queue_administration():
    b = api.reader()
    routes = [
        ("GET", QUEUE + "/stats", None), ("GET", QUEUE + "/jobs?state=completed", None),
        ("POST", QUEUE + "/jobs/" + _a["id"] + "/retry", None),
        ("DELETE", QUEUE + "/jobs/" + _a["id"], None),
        ("POST", QUEUE + "/pause", None), ("POST", QUEUE + "/resume", None),
        ("POST", QUEUE + "/clean", {"state": "completed", "olderThanHours": 0}),
        ("GET", QUEUE + "/workers", None),
    ]
    for method, path, body in routes:
        r = xq.http(method, path, token=b, body=body)
        assert r.status == 403, (method, path, r.status, r.body[:200])
        _clean(r)
    # nothing was removed or paused by those attempts
    r = api.status(_a["token"], _a["id"])
    assert r.status == 200 and r.json["status"] == "completed", r


def test_no_role_user_gets_403_on_usage_routes():
    nobody = xq.token(role="viewer", user=api.user())
    for method, path in [("GET", USAGE + "/export-status/" + _a["id"]),
                         ("GET", USAGE + "/my-exports"),
                         ("DELETE", USAGE + "/export/" + _a["id"])]:
        r = xq.http(method, path, token=nobody)
        assert r.status == 403, (method, path, r.status)
        _clean(r)
    r = xq.http("POST", USAGE + "/export-async", token=nobody, body=api.req())
    assert r.status == 403, r


def test_admin_may_act_on_it():
    adm = api.admin()
    r = api.status(adm, _a["id"])
    assert r.status == 200 and r.json["jobId"] == _a["id"], r
    r = xq.http("GET", "/downloads/" + _a["name"], token=adm)
    assert r.status == 200 and r.body.startswith(b"userId,"), (r.status, r.body[:80])


def test_signed_link_is_bound_to_its_file():
    # the link of A's file, with no token, works ...
    r = xq.http("GET", _a["url"])
    assert r.status == 200, r
    # ... but its signature opens no other file, even one of the same user
    other = api.submit(_a["token"], api.req("json", etype="model-breakdown"))
    assert other.status == 202, other
    job = api.wait_state(_a["token"], other.json["jobId"])
    query = _a["url"].split("?", 1)[1]
    r = xq.http("GET", "/downloads/" + job["result"]["fileName"] + "?" + query)
    assert r.status == 403, (r.status, r.body[:200])
