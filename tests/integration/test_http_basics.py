"""The responder's HTTP basics through the real web server: health (and its
reconnects after Redis and PostgreSQL restarts), 401, 403, 404, 405, 413,
415, the SPEC error body and the headers every answer carries.  Runs under
both web servers."""
import re

import xq

WEB_SERVERS = ("lighttpd", "apache")

USAGE_ROUTE = "/api/v1/admin/usage/my-exports"
QUEUE_ROUTE = "/api/v1/admin/queue/stats"
BODY_ROUTE = "/api/v1/admin/usage/export-async"
HEX32 = re.compile(r"^[0-9a-f]{32}$")
# Several requests in a row: the web server spreads them over its pool, so
# every responder process is seen to notice a failure and a recovery.
ROUNDS = 8


def assert_api_headers(r):
    assert r.headers.get("Cache-Control") == "no-store", r.headers
    assert r.headers.get("X-Content-Type-Options") == "nosniff", r.headers
    rid = r.headers.get("X-Request-Id")
    assert rid and re.match(r"^[A-Za-z0-9._-]{1,64}$", rid), r.headers


def assert_error(r, status, code):
    """Exactly the SPEC body: {"error": {"code", "message", "statusCode"}}."""
    assert r.status == status, (r.status, r.body[:300])
    ctype = r.headers.get("Content-Type") or ""
    assert ctype.split(";")[0].strip() == "application/json", r.headers
    assert isinstance(r.json, dict) and list(r.json) == ["error"], r.body[:300]
    err = r.json["error"]
    assert set(err) == {"code", "message", "statusCode"}, err
    assert err["code"] == code, err
    assert err["statusCode"] == status and isinstance(err["statusCode"], int), err
    assert isinstance(err["message"], str) and err["message"], err
    assert int(r.headers.get("Content-Length")) == len(r.body), r.headers
    assert_api_headers(r)
    return err


def health():
    return xq.http("GET", "/api/v1/health", timeout=10)


def assert_health_ok(r):
    assert r.status == 200, (r.status, r.body)
    assert r.json == {"status": "ok", "redis": "ok", "postgres": "ok"}, r.body
    assert r.headers.get("Content-Type") == "application/json", r.headers
    assert_api_headers(r)


def all_healthy():
    return all(health().status == 200 for _ in range(ROUNDS))


# ------------------------------------------------------------------ health

def test_health_ok():
    for _ in range(ROUNDS):
        assert_health_ok(health())


def test_health_names_redis_when_it_is_down_and_recovers():
    xq.stack("stack_redis_stop")
    try:
        for _ in range(ROUNDS):
            r = health()
            assert r.status == 503, (r.status, r.body)
            assert r.json == {"status": "down", "redis": "down", "postgres": "ok"}, r.body
            assert r.headers.get("Retry-After") == "5", r.headers
            assert_api_headers(r)
    finally:
        xq.stack("stack_redis_start")
    # The same processes reconnect on their next request: no restart needed.
    xq.wait_for(all_healthy, timeout=15, what="health 200 after Redis came back")
    assert_health_ok(health())


def test_health_names_postgres_when_it_is_down_and_recovers():
    xq.stack("stack_pg_stop")
    try:
        for _ in range(ROUNDS):
            r = health()
            assert r.status == 503, (r.status, r.body)
            assert r.json == {"status": "down", "redis": "ok", "postgres": "down"}, r.body
            assert r.headers.get("Retry-After") == "5", r.headers
    finally:
        xq.stack("stack_pg_start")
    xq.wait_for(all_healthy, timeout=20, what="health 200 after PostgreSQL came back")
    assert_health_ok(health())


def test_path_is_routed_from_the_raw_request_uri():
    # Both servers pass REQUEST_URI as sent; the responder decodes each
    # segment once, and the query string is not part of the path.
    assert_health_ok(xq.http("GET", "/api/v1/%68ealth"))
    assert_health_ok(xq.http("GET", "/api/v1/health?x=1&y=%2F"))
    assert_error(xq.http("GET", "/api/v1/health%3Fx=1"), 404, "NOT_FOUND")


def test_health_needs_no_token_and_ignores_a_bad_one():
    assert_health_ok(xq.http("GET", "/api/v1/health", token="not.a.token"))


# ------------------------------------------------------------------ 401

def test_401_without_token():
    err = assert_error(xq.http("GET", USAGE_ROUTE), 401, "UNAUTHORIZED")
    assert err["message"] == "missing bearer token", err


def test_401_for_bad_tokens():
    bad = {
        "bad signature": xq.token(secret="not-the-stack-secret"),
        "alg none": xq.token(alg="none"),
        "alg HS384": xq.token(alg="HS384"),
        "alg HS512": xq.token(alg="HS512"),
        "expired beyond leeway": xq.token(exp_delta=-120),
        "no exp": xq.token(exp_delta=None),
        "exp not a number": xq.token(extra={"exp": "tomorrow"}),
        "roles not an array": xq.token(extra={"roles": "admin"}),
        "no user": xq.token(extra={"userId": None}),
        "garbage": "abc.def.ghi",
        "two segments": "abc.def",
        "padding": xq.token() + "=",
        "3 KiB of signature": xq.token() + "A" * 3000,
    }
    for what, tok in bad.items():
        for route in (USAGE_ROUTE, QUEUE_ROUTE):
            r = xq.http("GET", route, token=tok)
            err = assert_error(r, 401, "UNAUTHORIZED")
            # A short reason only: the detail goes to the debug log.
            assert err["message"] == "invalid or expired token", (what, err)
            assert r.headers.get("WWW-Authenticate") == "Bearer", (what, r.headers)


def test_huge_token_never_gets_in():
    # Over the responder's 8 KiB token limit; the web servers' own header
    # limits (lighttpd 431, Apache 400) may answer first.
    r = xq.http("GET", USAGE_ROUTE, token=xq.token(extra={"pad": "p" * 9000}))
    assert r.status in (400, 401, 431), (r.status, r.body[:200])
    if r.status == 401:
        assert_error(r, 401, "UNAUTHORIZED")


def test_401_for_other_schemes():
    for value in ("Basic dXNlcjpwYXNz", "Bearer", "Token " + xq.token(), xq.token()):
        r = xq.http("GET", USAGE_ROUTE, headers={"Authorization": value})
        assert_error(r, 401, "UNAUTHORIZED")


def test_token_within_leeway_and_any_case_scheme_pass_authentication():
    for hdr in ("Bearer " + xq.token(exp_delta=-30), "bearer " + xq.token(),
                "BEARER  " + xq.token()):
        r = xq.http("GET", QUEUE_ROUTE, headers={"Authorization": hdr})
        assert r.status not in (401, 403), (hdr[:10], r.status, r.body)


# ------------------------------------------------------------------ 403

def test_403_without_admin_role():
    for role in ("user", "Admin", "ADMIN", "adminreadonly", [], None):
        tok = xq.token(role=role, user="u-plain")
        for route in (USAGE_ROUTE, QUEUE_ROUTE):
            err = assert_error(xq.http("GET", route, token=tok), 403, "FORBIDDEN")
            assert "admin:" in err["message"], err


def test_admin_readonly_has_usage_but_not_queue():
    tok = xq.token(role="adminReadonly", user="u-ro")
    err = assert_error(xq.http("GET", QUEUE_ROUTE, token=tok), 403, "FORBIDDEN")
    assert err["message"] == "permission admin:queue required", err
    r = xq.http("GET", USAGE_ROUTE, token=tok)
    assert r.status not in (401, 403), (r.status, r.body)


def test_403_comes_before_body_checks():
    tok = xq.token(role="user")
    r = xq.http("POST", BODY_ROUTE, token=tok, raw_body=b"x" * (70 * 1024),
                headers={"Content-Type": "text/plain"})
    assert_error(r, 403, "FORBIDDEN")


# ------------------------------------------------------------------ 404 / 405

def test_404_json_for_unknown_paths():
    for path in ("/api/v1/nope", "/api/v1/health/extra", "/api/v2/health", "/api/v1/Health",
                 "/api/v1/admin/usage/export-status", "/api/", "/metricsx/../api/x"):
        r = xq.http("GET", path, token=xq.token())
        if path == "/metricsx/../api/x" and r.status != 404:
            continue  # the web server may normalise this one itself
        assert_error(r, 404, "NOT_FOUND")


def test_405_with_allow():
    cases = [
        ("POST", "/api/v1/health", "GET"),
        ("DELETE", "/api/v1/health", "GET"),
        ("GET", "/api/v1/admin/usage/export", "POST"),
        ("PUT", "/api/v1/admin/queue/jobs/abc", "DELETE"),
        ("GET", "/api/v1/admin/queue/pause", "POST"),
        ("POST", "/downloads/some-file.csv", "GET, HEAD"),
    ]
    for method, path, allow in cases:
        r = xq.http(method, path, token=xq.token(), raw_body=b"" if method == "POST" else None)
        assert_error(r, 405, "METHOD_NOT_ALLOWED")
        assert r.headers.get("Allow") == allow, (method, path, r.headers)


# ------------------------------------------------------------------ 413 / 415

def test_413_over_64_kib():
    for size in (65 * 1024 + 1, 1024 * 1024):
        r = xq.http("POST", BODY_ROUTE, token=xq.token(), raw_body=b"{" + b" " * (size - 1),
                    headers={"Content-Type": "application/json"})
        assert_error(r, 413, "PAYLOAD_TOO_LARGE")
    # The connection stays sane: the next request on the same process works.
    assert_health_ok(health())


def test_64_kib_exactly_is_not_413():
    r = xq.http("POST", BODY_ROUTE, token=xq.token(), raw_body=b" " * (64 * 1024),
                headers={"Content-Type": "application/json"})
    assert r.status not in (413, 415), (r.status, r.body)


def test_415_for_non_json():
    for ctype in ("text/plain", "application/x-www-form-urlencoded", "application/jsonx", None):
        hdrs = {"Content-Type": ctype} if ctype else {}
        r = xq.http("POST", BODY_ROUTE, token=xq.token(), raw_body=b"{}", headers=hdrs)
        assert_error(r, 415, "UNSUPPORTED_MEDIA_TYPE")
    for ctype in ("application/json", "application/json; charset=utf-8", "Application/JSON"):
        r = xq.http("POST", BODY_ROUTE, token=xq.token(), raw_body=b"{}",
                    headers={"Content-Type": ctype})
        assert r.status != 415, (ctype, r.status, r.body)


# ------------------------------------------------------------------ request id

def test_request_id_echoed_when_safe_else_generated():
    r = xq.http("GET", "/api/v1/health", headers={"X-Request-Id": "trace-42.a_b"})
    assert r.headers.get("X-Request-Id") == "trace-42.a_b", r.headers
    for unsafe in ("a b", "x" * 65, "<script>", "id;drop"):
        r = xq.http("GET", "/api/v1/health", headers={"X-Request-Id": unsafe})
        assert HEX32.match(r.headers.get("X-Request-Id") or ""), (unsafe, r.headers)
    ids = {xq.http("GET", "/api/v1/nope").headers.get("X-Request-Id") for _ in range(20)}
    assert len(ids) == 20 and all(HEX32.match(i) for i in ids), ids
