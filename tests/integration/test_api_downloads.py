"""GET and HEAD /downloads/:fileName through the web server: token (owner or
admin) or signed link, hostile names, tampered and expired signatures, 410
after expiry, purge and forget, the headers, X-Sendfile under both servers."""
import json
import os
import time

import api
import xq
from api import USAGE

WEB_SERVERS = ("lighttpd", "apache")

_job = {}


def setup():
    api.load_fixture()
    u = api.user()
    tok = api.reader(u)
    r = api.submit(tok, api.req("csv", etype="model-breakdown"))
    assert r.status == 202, r
    job = api.wait_state(tok, r.json["jobId"])
    _job.update(user=u, token=tok, job=job, name=job["result"]["fileName"],
                url=api.path_of(job["result"]["downloadUrl"]))


def test_owner_token_download_has_the_headers():
    r = xq.http("GET", "/downloads/" + _job["name"], token=_job["token"])
    assert r.status == 200, r
    api.assert_headers(r)
    assert r.headers["Content-Type"].startswith("text/csv"), r.headers
    assert r.headers["Content-Disposition"] == \
        'attachment; filename="model-breakdown_2031-01-01_2031-01-01.csv"', r.headers
    assert int(r.headers["Content-Length"]) == len(r.body) == _job["job"]["result"]["fileSize"]
    with open(os.path.join(xq.env["EXPORT_DIR"], _job["name"]), "rb") as f:
        assert f.read() == r.body
    rows = api.csv_rows(r.body)
    models = xq.sql("SELECT count(DISTINCT COALESCE(NULLIF(model_group, ''), model)) FROM "
                    "\"LiteLLM_SpendLogs\" WHERE \"startTime\" >= '2031-01-01' AND "
                    "\"startTime\" < '2031-01-02'")[0][0]
    assert len(rows) - 1 == int(models) == _job["job"]["result"]["rowCount"]


def test_head_has_the_head_and_no_body():
    r = xq.http("HEAD", "/downloads/" + _job["name"], token=_job["token"])
    assert r.status == 200 and r.body == b"", r
    assert int(r.headers["Content-Length"]) == _job["job"]["result"]["fileSize"], r.headers
    assert "attachment" in r.headers["Content-Disposition"]


def test_signed_link_needs_no_token():
    r = xq.http("GET", _job["url"])
    assert r.status == 200 and len(r.body) == _job["job"]["result"]["fileSize"], r


def test_credentials_and_signatures():
    name = _job["name"]
    api.assert_error(xq.http("GET", "/downloads/" + name), 401, "UNAUTHORIZED")
    api.assert_error(xq.http("GET", "/downloads/" + name, token="x.y.z"), 401, "UNAUTHORIZED")
    exp = api.now() + 600
    good = api.sign(name, exp)
    bad = ("0" if good[0] != "0" else "1") + good[1:]
    api.assert_error(xq.http("GET", "/downloads/%s?expires=%d&sig=%s" % (name, exp, bad)), 403,
                     "FORBIDDEN")
    # The signature covers the expiry: moving it is tampering.
    api.assert_error(xq.http("GET", "/downloads/%s?expires=%d&sig=%s" % (name, exp + 1, good)),
                     403, "FORBIDDEN")
    api.assert_error(xq.http("GET", "/downloads/%s?expires=%d&sig=%s" % (name, exp, good.upper())),
                     403, "FORBIDDEN")
    api.assert_error(xq.http("GET", "/downloads/%s?sig=%s" % (name, good)), 403, "FORBIDDEN")
    old = api.now() - 10
    api.assert_error(xq.http("GET", "/downloads/%s?expires=%d&sig=%s" % (name, old,
                                                                        api.sign(name, old))),
                     410, "GONE")
    wrong_key = api.sign(name, exp, secret="not-the-secret")
    api.assert_error(xq.http("GET", "/downloads/%s?expires=%d&sig=%s" % (name, exp, wrong_key)),
                     403, "FORBIDDEN")
    assert xq.http("GET", "/downloads/%s?expires=%d&sig=%s" % (name, exp, good)).status == 200


def test_someone_elses_file_is_404_admin_may():
    api.assert_error(xq.http("GET", "/downloads/" + _job["name"], token=api.reader()), 404,
                     "NOT_FOUND")
    assert xq.http("GET", "/downloads/" + _job["name"], token=api.admin()).status == 200


def _web_index():
    with open(os.path.join(xq.ROOT, "www", "index.html"), "rb") as f:
        return f.read()


HOSTILE = [
    "../exportq.conf", "..%2fexportq.conf", "%2e%2e%2fexportq.conf", "%2e%2e%2f%2e%2e%2fetc%2fpasswd",
    "..%5c..%5cexportq.conf", "%5cetc%5cpasswd", "raw-data-x.csv%00", "a%00b",
    "%2fetc%2fpasswd", "/etc/passwd", "A" * 4096, "%41" * 1400, "..%2f", "%2e%2e%2f",
    "raw-data-00000000-0000-4000-8000-000000000000.csv%2f..", "raw-data-%2e%2e.csv",
    "raw-data-00000000-0000-4000-8000-00000000000.csv", "RAW-DATA-x.CSV", "..%252f..%252fetc",
    ".raw-data-00000000-0000-4000-8000-000000000000.csv.part", "env", "exports",
]


def test_hostile_names_never_leave_export_dir():
    tok = api.admin()
    for name in HOSTILE:
        for t in (tok, None):
            r = xq.http("GET", "/downloads/" + name, token=t)
            allowed = (400, 404)
            if name.startswith("..%2f") or name.startswith("%2e%2e%2f"):
                # lighttpd decodes and normalises these to "/" before routing:
                # its docroot, whose index it refuses (403) or, with the web
                # page in www/, the page's index.html itself; no export file.
                allowed = (400, 403, 404)
                if r.status == 200:
                    assert r.body == _web_index(), (name, r.body[:200])
                    continue
            assert r.status in allowed, (name, r.status, r.body[:200])
            assert b"root:" not in r.body and b"JWT_SECRET" not in r.body, name
    # Encoded too far for the router, absolute paths and backslashes as a whole name.
    for raw in ("/downloads/%2Fetc%2Fpasswd", "/downloads//etc/passwd", "/downloads/..\\..\\x",
                "/downloads/" + _job["name"] + "/.."):
        r = xq.http("GET", raw, token=tok)
        assert r.status in (400, 404), (raw, r.status)


def test_expired_purged_and_forgotten_are_410():
    u = api.user()
    tok = api.reader(u)
    jobs = []
    for _ in range(3):
        r = api.submit(tok, api.req("json", etype="provider-breakdown"))
        jobs.append(api.wait_state(tok, r.json["jobId"]))
    # Expired: its expiresAt has passed (the file is still on disk).
    j0 = jobs[0]
    key = "exportq:job:" + j0["jobId"]
    stored = json.loads(xq.redis("HGET", key, "result"))
    stored["expiresAt"] = 1000
    xq.redis("HSET", key, "result", json.dumps(stored))
    r0 = api.status(tok, j0["jobId"]).json["result"]
    assert r0["expired"] is True, r0
    api.assert_error(xq.http("GET", "/downloads/" + r0["fileName"], token=tok), 410, "GONE")
    # Purged from disk, record intact.
    j1 = jobs[1]
    os.unlink(os.path.join(xq.env["EXPORT_DIR"], j1["result"]["fileName"]))
    api.assert_error(xq.http("GET", "/downloads/" + j1["result"]["fileName"], token=tok), 410,
                     "GONE")
    api.assert_error(xq.http("GET", api.path_of(j1["result"]["downloadUrl"])), 410, "GONE")
    # Forgotten: record and file gone, the name still answers 410 to its owner and link.
    j2 = jobs[2]
    name = j2["result"]["fileName"]
    assert xq.http("DELETE", USAGE + "/my-exports/" + j2["jobId"], token=tok).status == 200
    assert not os.path.exists(os.path.join(xq.env["EXPORT_DIR"], name))
    api.assert_error(xq.http("GET", "/downloads/" + name, token=tok), 410, "GONE")
    api.assert_error(xq.http("GET", api.path_of(j2["result"]["downloadUrl"])), 410, "GONE")
    api.assert_error(xq.http("GET", "/downloads/" + name, token=api.reader()), 404, "NOT_FOUND")
    # A well-formed name the service never made: 404.
    api.assert_error(xq.http("GET", "/downloads/raw-data-%s.csv" %
                             "11111111-2222-4333-8444-555555555555", token=tok), 404, "NOT_FOUND")


def test_download_methods():
    r = xq.http("POST", "/downloads/" + _job["name"], token=_job["token"])
    api.assert_error(r, 405, "METHOD_NOT_ALLOWED")
    assert r.headers["Allow"] == "GET, HEAD", r.headers


def test_xsendfile_sends_big_files_whole():
    """EXPORT_XSENDFILE=1 in the stack: the web server sends the bytes; a
    ~2 MB file arrives whole with the right length."""
    tok = api.admin()
    r = api.submit(tok, api.req("csv", rng=api.BIG))
    job = api.wait_state(tok, r.json["jobId"], timeout=60)
    t0 = time.monotonic()
    d = xq.http("GET", "/downloads/" + job["result"]["fileName"], token=tok)
    assert d.status == 200 and len(d.body) == job["result"]["fileSize"], d
    assert int(d.headers["Content-Length"]) == len(d.body)
    assert "X-Sendfile" not in d.headers, d.headers
    assert len(api.csv_rows(d.body)) == job["result"]["rowCount"] + 1
    assert time.monotonic() - t0 < 10
