"""Security review (doc/security.md): no token, secret or password in any log.

Requests carrying distinctive tokens (valid, forged, expired, malformed, and a
token in the query string) go through every kind of route; then every log of
the stack (web server access and error logs, responder and workerd logs,
PostgreSQL's, the mail sink's) is searched for the tokens, their signature
segments, JWT_SECRET and the database passwords.  The responders run at
LOG_LEVEL=debug for this test (they log each refused token's reason there),
and the request id sent with each request must appear in their log, so the
search is over logs that did record these requests."""
import glob
import os
import time
import uuid

import api
import xq

WEB_SERVERS = ("lighttpd", "apache")


def _secrets_of(tokens):
    out = set()
    for t in tokens:
        out.add(t)
        parts = t.split(".")
        if len(parts) == 3 and len(parts[2]) >= 16:
            out.add(parts[2])          # the signature alone
        if len(parts) >= 2 and len(parts[1]) >= 16:
            out.add(parts[0] + "." + parts[1])
    out.add(xq.env["JWT_SECRET"])
    for url in (xq.env["DATABASE_URL"], xq.env["DATABASE_ADMIN_URL"]):
        pw = url.split("://", 1)[1].split("@", 1)[0].split(":", 1)[1]
        out.add(pw)
    return {s for s in out if len(s) >= 12}


def _set_level(level):
    """LOG_LEVEL in the stack's config, then restart the web server so the
    responders read it (workerd keeps its level until a reload)."""
    path = xq.env["EXPORTQ_CONFIG"]
    with open(path, encoding="utf-8") as f:
        lines = [l for l in f.read().splitlines() if not l.startswith("LOG_LEVEL=")]
    lines.append("LOG_LEVEL=" + level)
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    server = xq.env.get("WEB_SERVER", "lighttpd")
    xq.stack("stack_web_stop")
    xq.stack("stack_web_start", server)


def test_no_token_or_secret_in_any_log():
    # at debug level the responder logs every refused token's reason: the
    # level where a careless message would print the token itself
    _set_level("debug")
    try:
        _probe()
    finally:
        _set_level("info")


def _probe():
    api.load_fixture()
    probe = "logprobe-" + uuid.uuid4().hex[:8]
    good = xq.token(role="admin", user=probe)
    forged = xq.token(role="admin", user=probe, secret="not-the-secret-" + probe)
    expired = xq.token(role="admin", user=probe, exp_delta=-3600)
    none = xq.token(role="admin", user=probe, alg="none")
    tokens = [good, forged, expired, none]
    rid = "sec-log-" + uuid.uuid4().hex[:12]
    sent = 0
    for t in tokens:
        for method, path, body in [
                ("GET", "/api/v1/admin/usage/my-exports", None),
                ("GET", "/api/v1/admin/queue/stats", None),
                ("POST", "/api/v1/admin/usage/export-async", api.req("csv")),
                ("GET", "/downloads/raw-data-" + str(uuid.uuid4()) + ".csv", None),
                ("GET", "/metrics", None)]:
            r = xq.http(method, path, token=t, body=body, headers={"X-Request-Id": rid})
            assert r.status < 500, (method, path, r.status, r.body[:200])
            sent += 1
    # a token where it does not belong: query string and a broken header
    qtok = xq.token(role="admin", user=probe + "-q")
    xq.http("GET", "/api/v1/admin/usage/my-exports?access_token=" + qtok,
            headers={"X-Request-Id": rid})
    xq.http("GET", "/api/v1/admin/usage/my-exports",
            headers={"Authorization": "Bearer " + good + "x" * 9000, "X-Request-Id": rid})
    time.sleep(1.5)  # let the logs flush
    logs = [p for p in glob.glob(os.path.join(xq.STACK_DIR, "log", "*")) if os.path.isfile(p)]
    assert logs, "no logs under " + xq.STACK_DIR
    seen_rid = False
    secrets = _secrets_of(tokens)
    in_url = _secrets_of([qtok]) - _secrets_of([])
    for path in logs:
        with open(path, "rb") as f:
            data = f.read()
        if rid.encode() in data:
            seen_rid = True
        for s in secrets:
            assert s.encode() not in data, "secret %s... found in %s" % (s[:6], path)
        # the query-string token is the client's own leak into the web
        # server's access log (URLs are what access logs record); it must
        # still never reach exportq's own logs
        if not os.path.basename(path).startswith("access"):
            for s in in_url:
                assert s.encode() not in data, "URL token %s... found in %s" % (s[:6], path)
    assert seen_rid, "no log recorded request id %s at debug level" % rid
    assert sent == 20
