"""Security review (doc/security.md): tokens.  HS256 only (no alg confusion,
no "none"), exp required and checked, the signature checked, role names exact,
on a route of each permission; and every other route of the table refuses a
missing or forged token before any handler runs."""
import base64
import hashlib
import hmac
import json
import time

import xq

STATS = "/api/v1/admin/queue/stats"           # admin:queue
MINE = "/api/v1/admin/usage/my-exports"       # admin:usage


def b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def forge(header, claims, key=None, digest=hashlib.sha256, sig=None):
    si = b64(json.dumps(header).encode()) + "." + b64(json.dumps(claims).encode())
    if sig is None:
        k = (key if key is not None else xq.env["JWT_SECRET"]).encode()
        sig = b64(hmac.new(k, si.encode(), digest).digest())
    return si + "." + sig


def claims(**over):
    c = {"userId": "sec-auth", "email": "s@example.com", "roles": ["admin"],
         "exp": int(time.time()) + 600}
    c.update(over)
    for k in [k for k, v in c.items() if v is None]:
        del c[k]
    return c


def assert_401(tok, what):
    for path in (STATS, MINE):
        r = xq.http("GET", path, token=tok)
        assert r.status == 401, (what, path, r.status, r.body[:200])
        assert r.json["error"]["code"] == "UNAUTHORIZED", (what, r.body[:200])
        assert r.headers.get("Cache-Control") == "no-store", r.headers


def test_a_good_token_is_accepted():
    tok = forge({"alg": "HS256", "typ": "JWT"}, claims())
    for path in (STATS, MINE):
        r = xq.http("GET", path, token=tok)
        assert r.status == 200, (path, r.status, r.body[:200])


def test_alg_none_and_alg_confusion_are_refused():
    good = claims()
    cases = {
        "alg none, no signature": forge({"alg": "none"}, good, sig=""),
        "alg None, no signature": forge({"alg": "None"}, good, sig=""),
        "alg none with an HS256 signature": forge({"alg": "none"}, good),
        "HS384 with the secret": forge({"alg": "HS384"}, good, digest=hashlib.sha384),
        "HS512 with the secret": forge({"alg": "HS512"}, good, digest=hashlib.sha512),
        "RS256 header, HMAC signature": forge({"alg": "RS256"}, good),
        "ES256 header, HMAC signature": forge({"alg": "ES256"}, good),
        "hs256 in lower case": forge({"alg": "hs256"}, good),
        "no alg": forge({"typ": "JWT"}, good),
        "alg as a list": forge({"alg": ["HS256"]}, good),
        "crit header": forge({"alg": "HS256", "crit": ["exp"], "exp": 1}, good),
        "jwk in header, key in token": forge({"alg": "HS256", "jwk": {"kty": "oct", "k": "YQ"}},
                                             good, key="a"),
    }
    for what, tok in cases.items():
        assert_401(tok, what)


def test_signature_and_exp_are_checked():
    now = int(time.time())
    h = {"alg": "HS256", "typ": "JWT"}
    good = forge(h, claims())
    head, body, sig = good.split(".")
    flipped = sig[:-2] + ("A" if sig[-2] != "A" else "B") + sig[-1]
    cases = {
        "wrong secret": forge(h, claims(), key=xq.env["JWT_SECRET"] + "x"),
        "empty secret": forge(h, claims(), key=""),
        "signature changed": ".".join((head, body, flipped)),
        "signature dropped": head + "." + body + ".",
        "claims changed after signing": ".".join(
            (head, b64(json.dumps(claims(roles=["admin"], userId="someone-else")).encode()), sig)),
        "no exp": forge(h, claims(exp=None)),
        "exp long past": forge(h, claims(exp=now - 3600)),
        "exp past the leeway": forge(h, claims(exp=now - 120)),
        "exp as text": forge(h, claims(exp=str(now + 600))),
        "no user": forge(h, claims(userId=None)),
        "two segments": head + "." + body,
        "padding": good + "==",
        "spaces inside": good[:10] + " " + good[10:],
    }
    for what, tok in cases.items():
        assert_401(tok, what)


def test_roles_are_exact():
    for role in ("Admin", "ADMIN", "admin ", "adminreadonly", "", "root"):
        tok = forge({"alg": "HS256"}, claims(roles=[role]))
        r = xq.http("GET", STATS, token=tok)
        assert r.status == 403, (role, r.status, r.body[:200])
        r = xq.http("GET", MINE, token=tok)
        assert r.status == 403, (role, r.status, r.body[:200])
    # adminReadonly may read usage, not the queue
    tok = forge({"alg": "HS256"}, claims(roles=["adminReadonly"]))
    assert xq.http("GET", MINE, token=tok).status == 200
    assert xq.http("GET", STATS, token=tok).status == 403


def test_authorization_header_forms():
    tok = forge({"alg": "HS256"}, claims())
    for value in ("Basic " + b64(b"u:p"), tok, "Bearer", "Bearer ", "Token " + tok,
                  "Bearer " + tok + " extra"):
        r = xq.http("GET", STATS, headers={"Authorization": value})
        assert r.status == 401, (value[:20], r.status)
    r = xq.http("GET", STATS, headers={"Authorization": "bearer  " + tok})
    assert r.status == 200, r


ROUTES = [
    ("POST", "/api/v1/admin/usage/export-async"),
    ("POST", "/api/v1/admin/usage/export"),
    ("GET", "/api/v1/admin/usage/export-status/0b7c4d2e-8f1a-4c3b-9d5e-6f7a8b9c0d1e"),
    ("DELETE", "/api/v1/admin/usage/export/0b7c4d2e-8f1a-4c3b-9d5e-6f7a8b9c0d1e"),
    ("GET", "/api/v1/admin/usage/my-exports"),
    ("DELETE", "/api/v1/admin/usage/my-exports/0b7c4d2e-8f1a-4c3b-9d5e-6f7a8b9c0d1e"),
    ("GET", "/api/v1/admin/queue/stats"),
    ("GET", "/api/v1/admin/queue/jobs"),
    ("POST", "/api/v1/admin/queue/jobs/0b7c4d2e-8f1a-4c3b-9d5e-6f7a8b9c0d1e/retry"),
    ("DELETE", "/api/v1/admin/queue/jobs/0b7c4d2e-8f1a-4c3b-9d5e-6f7a8b9c0d1e"),
    ("POST", "/api/v1/admin/queue/pause"),
    ("POST", "/api/v1/admin/queue/resume"),
    ("POST", "/api/v1/admin/queue/clean"),
    ("GET", "/api/v1/admin/queue/workers"),
]


def test_every_protected_route_needs_a_valid_token():
    forged = forge({"alg": "none"}, claims(), sig="")
    expired = forge({"alg": "HS256"}, claims(exp=int(time.time()) - 3600))
    for method, path in ROUTES:
        for tok in (None, forged, expired):
            r = xq.http(method, path, token=tok, body={} if method == "POST" else None)
            assert r.status == 401, (method, path, r.status, r.body[:200])
            assert r.json["error"]["statusCode"] == 401, r.body[:200]
