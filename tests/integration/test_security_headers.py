"""Security review (doc/security.md): response headers on every kind of answer.

Every answer of the responder (success, each error class, a download) has
Cache-Control: no-store, X-Content-Type-Options: nosniff and an X-Request-Id
of safe characters; errors are JSON, never HTML; downloads are attachments
with a quoted, plain name; a hostile incoming X-Request-Id is not echoed."""
import api
import xq

WEB_SERVERS = ("lighttpd", "apache")
SAFE_ID = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-")


def check(r, what):
    assert r.headers.get("Cache-Control") == "no-store", (what, r.headers)
    assert r.headers.get("X-Content-Type-Options") == "nosniff", (what, r.headers)
    rid = r.headers.get("X-Request-Id")
    assert rid and set(rid) <= SAFE_ID and len(rid) <= 64, (what, rid)
    ctype = r.headers.get("Content-Type", "")
    assert "html" not in ctype.lower(), (what, ctype)
    if r.status >= 400:
        assert ctype.startswith("application/json"), (what, ctype)
        assert r.json["error"]["statusCode"] == r.status, (what, r.body[:200])


def test_every_kind_of_answer_has_the_headers():
    api.load_fixture()
    tok = api.reader()
    cases = [
        ("health", "GET", "/api/v1/health", None, None, None),
        ("200 list", "GET", "/api/v1/admin/usage/my-exports", tok, None, None),
        ("401", "GET", "/api/v1/admin/usage/my-exports", None, None, None),
        ("403", "GET", "/api/v1/admin/queue/stats", tok, None, None),
        ("404 route", "GET", "/api/v1/nope", tok, None, None),
        ("404 job", "GET", "/api/v1/admin/usage/export-status/x", tok, None, None),
        ("405", "PUT", "/api/v1/admin/usage/my-exports", tok, None, None),
        ("400", "POST", "/api/v1/admin/usage/export-async", tok, {"x": 1}, None),
        ("415", "POST", "/api/v1/admin/usage/export-async", tok, None, b"{}"),
        ("413", "POST", "/api/v1/admin/usage/export-async", tok, None,
         b'{"a":"' + b"x" * 70000 + b'"}'),
        ("202", "POST", "/api/v1/admin/usage/export-async", tok, api.req("json"), None),
    ]
    for what, method, path, t, body, raw in cases:
        hdrs = {"Content-Type": "application/json"} if raw is not None and what != "415" else None
        if what == "415":
            hdrs = {"Content-Type": "text/plain"}
        r = xq.http(method, path, token=t, body=body, raw_body=raw, headers=hdrs)
        check(r, what)
        if what == "202":
            job = api.wait_state(tok, r.json["jobId"])
            name = job["result"]["fileName"]
            d = xq.http("GET", "/downloads/" + name, token=tok)
            assert d.status == 200, d
            check(d, "download")
            cd = d.headers.get("Content-Disposition", "")
            assert cd.startswith("attachment;"), cd
            assert '"' in cd and "\r" not in cd and "\n" not in cd and "/" not in cd, cd
            assert d.headers.get("Content-Type", "").startswith("application/json"), d.headers
            assert int(d.headers.get("Content-Length")) == len(d.body), d.headers


def test_hostile_request_id_is_replaced():
    for rid in ("<script>", "a" * 65, "a b", "x;y", "../x", "\u00e9"):
        r = xq.http("GET", "/api/v1/health", headers={"X-Request-Id": rid.encode().decode("latin-1")})
        got = r.headers.get("X-Request-Id")
        assert got != rid and set(got) <= SAFE_ID, (rid, got)
    r = xq.http("GET", "/api/v1/health", headers={"X-Request-Id": "ok-id_1.2"})
    assert r.headers.get("X-Request-Id") == "ok-id_1.2", r.headers
