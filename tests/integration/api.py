"""api: helpers shared by the test_api_*.py modules (not a test module).

Fixture data lives in years no other test uses:
  2031-01-01  FIX_DAY_ROWS raw rows (5 users fx-user-0..4, models gpt-0..2)
  2031-02-01..2031-02-10  FIX_BIG_ROWS rows (more than EXPORT_MAX_ROWS_SYNC)
"""
import csv
import hashlib
import hmac
import io
import re
import threading
import time
import urllib.parse
import uuid

import xq

FIX_DAY_ROWS = 500
FIX_BIG_ROWS = 10050
DAY = {"startDate": "2031-01-01", "endDate": "2031-01-01"}
BIG = {"startDate": "2031-02-01", "endDate": "2031-02-10"}
UUID4 = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
USAGE = "/api/v1/admin/usage"
QUEUE = "/api/v1/admin/queue"

_loaded = False


def load_fixture():
    global _loaded
    if _loaded:
        return
    xq.sql("""
INSERT INTO "LiteLLM_SpendLogs"(request_id, call_type, spend, total_tokens, prompt_tokens,
    completion_tokens, "startTime", "endTime", model, custom_llm_provider, "user")
SELECT 'fxd-' || g, 'completion', g * 0.001, 30, 10, 20,
       timestamp '2031-01-01' + g * interval '1 minute',
       timestamp '2031-01-01' + g * interval '1 minute' + interval '1 second',
       'gpt-' || (g % 3), 'openai', 'fx-user-' || (g % 5)
FROM generate_series(1, {day}) g ON CONFLICT DO NOTHING;
INSERT INTO "LiteLLM_SpendLogs"(request_id, call_type, spend, total_tokens, prompt_tokens,
    completion_tokens, "startTime", "endTime", model, custom_llm_provider, "user")
SELECT 'fxb-' || g, 'completion', 0.5, 3, 1, 2,
       timestamp '2031-02-01' + g * interval '1 minute',
       timestamp '2031-02-01' + g * interval '1 minute' + interval '1 second',
       'big-model', 'anthropic', 'fx-big-' || (g % 7)
FROM generate_series(1, {big}) g ON CONFLICT DO NOTHING;
""".replace("{day}", str(FIX_DAY_ROWS)).replace("{big}", str(FIX_BIG_ROWS)))
    _loaded = True


def user():
    """A fresh user id, so per-user limits never leak between tests or runs."""
    return "t-" + uuid.uuid4().hex[:12]


def admin(u=None):
    return xq.token(role="admin", user=u or user())


def reader(u=None):
    """adminReadonly: admin:usage only, sees only their own jobs."""
    return xq.token(role="adminReadonly", user=u or user())


def req(fmt="csv", etype="raw-data", rng=None, **extra):
    body = dict(rng or DAY, exportType=etype, format=fmt)
    body.update(extra)
    return body


def submit(tok, body=None, path="/export-async"):
    return xq.http("POST", USAGE + path, token=tok, body=body if body is not None else req())


def status(tok, job_id):
    return xq.http("GET", USAGE + "/export-status/" + job_id, token=tok)


def wait_state(tok, job_id, states=("completed",), timeout=30):
    def done():
        r = status(tok, job_id)
        assert r.status == 200, r
        return r.json if r.json["status"] in states else None
    return xq.wait_for(done, timeout=timeout, what="job %s in %s" % (job_id, states))


def path_of(url):
    u = urllib.parse.urlsplit(url)
    return u.path + ("?" + u.query if u.query else "")


def sign(name, expires, secret=None):
    key = (secret or xq.env["JWT_SECRET"]).encode()
    return hmac.new(key, ("%s\n%d" % (name, expires)).encode(), hashlib.sha256).hexdigest()


def csv_rows(body):
    text = body.decode("utf-8")
    assert text.endswith("\r\n"), text[-20:]
    return list(csv.reader(io.StringIO(text, newline="")))


def assert_headers(r):
    assert r.headers.get("Cache-Control") == "no-store", r.headers
    assert r.headers.get("X-Content-Type-Options") == "nosniff", r.headers


def assert_error(r, status, code, field=None):
    assert r.status == status, (r.status, r.body[:400])
    assert r.json and r.json["error"]["code"] == code, r.body[:400]
    assert r.json["error"]["statusCode"] == status, r.body[:400]
    assert_headers(r)
    if field is not None:
        fields = [d["field"] for d in r.json["error"].get("details", [])]
        assert field in fields, r.json
        for d in r.json["error"]["details"]:
            assert set(d) == {"field", "message"} and d["message"], d
    return r.json["error"]


def sql_count(where):
    return int(xq.sql('SELECT count(*) FROM "LiteLLM_SpendLogs" WHERE ' + where)[0][0])


def paused():
    """Context manager: dispatch paused for the block (jobs stay waiting)."""
    class _P:
        def __enter__(self):
            r = xq.http("POST", QUEUE + "/pause", token=admin())
            assert r.status == 200 and r.json["paused"] is True, r

        def __exit__(self, *a):
            r = xq.http("POST", QUEUE + "/resume", token=admin())
            assert r.status == 200 and r.json["paused"] is False, r
    return _P()


def parallel(fn, n):
    """Run fn(i) in n threads started together; the results in order."""
    out = [None] * n
    gate = threading.Barrier(n)

    def run(i):
        gate.wait()
        try:
            out[i] = fn(i)
        except Exception as exc:  # reported by the caller's asserts
            out[i] = exc
    ts = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in ts:
        t.start()
    for t in ts:
        t.join(120)
    return out


def now():
    return int(time.time())
