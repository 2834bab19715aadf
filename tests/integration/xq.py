"""xq: helpers for exportq integration tests (Debian /usr/bin/python3, stdlib).

The stack under test is the one in $STACK_DIR (tests/lib/stack.sh); run.sh
sets it.  To run one module by hand against the dev stack:
    STACK_DIR=$PWD/.dev /usr/bin/python3 tests/integration/runner.py test_stack

    env                      dict of $STACK_DIR/env (BASE_URL, DATABASE_URL, ...)
    http(method, path, ...)  -> Response(status, headers, body, json)
    token(role=..., ...)     an HS256 JWT (or a deliberately bad one)
    sql(query, admin=True)   rows (lists of str, None for NULL) via psql
    lit(value)               a SQL literal for building queries
    redis(*args)             a reply from redis-cli -n REDIS_JOB_DB (--json decoded)
    stack(fn, *args)         run a tests/lib/stack.sh function, e.g. "stack_redis_restart"
    mails()                  paths of the .eml files in MAIL_DIR, oldest first
    wait_for(pred, timeout)  poll until pred() is truthy; returns its value
"""
import base64
import hashlib
import hmac
import http.client as httpclient
import json
import os
import shlex
import subprocess
import time
import urllib.parse

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
STACK_DIR = os.environ.get("STACK_DIR", "")


def _read_env(path):
    out = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            words = shlex.split(line, comments=True)
            if words[:1] == ["export"]:
                words = words[1:]
            for w in words:
                if "=" in w:
                    k, v = w.split("=", 1)
                    out[k] = v
    return out


if not STACK_DIR or not os.path.isfile(os.path.join(STACK_DIR, "env")):
    raise RuntimeError("STACK_DIR does not name a stack (no $STACK_DIR/env): run through run.sh")
env = _read_env(os.path.join(STACK_DIR, "env"))


class Headers:
    """Case-insensitive view of response headers; get() returns the last value."""

    def __init__(self, pairs):
        self.pairs = list(pairs)

    def get(self, name, default=None):
        name = name.lower()
        for k, v in reversed(self.pairs):
            if k.lower() == name:
                return v
        return default

    def get_all(self, name):
        return [v for k, v in self.pairs if k.lower() == name.lower()]

    def __getitem__(self, name):
        v = self.get(name)
        if v is None:
            raise KeyError(name)
        return v

    def __contains__(self, name):
        return self.get(name) is not None

    def __repr__(self):
        return "Headers(%r)" % (self.pairs,)


class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body
        try:
            self.json = json.loads(body.decode("utf-8")) if body else None
        except (ValueError, UnicodeDecodeError):
            self.json = None

    def __repr__(self):
        return "<Response %d %r>" % (self.status, self.body[:200])


def http(method, path, token=None, body=None, headers=None, raw_body=None, timeout=30):
    """One HTTP request to BASE_URL + path.  body is sent as JSON (with
    Content-Type: application/json unless headers set one); raw_body as is."""
    url = urllib.parse.urlsplit(env["BASE_URL"])
    hdrs = dict(headers or {})
    if token is not None:
        hdrs["Authorization"] = "Bearer " + token
    data = raw_body
    if body is not None:
        data = json.dumps(body).encode("utf-8")
        if not any(k.lower() == "content-type" for k in hdrs):
            hdrs["Content-Type"] = "application/json"
    conn = httpclient.HTTPConnection(url.hostname, url.port, timeout=timeout)
    try:
        conn.request(method, path, body=data, headers=hdrs)
        r = conn.getresponse()
        payload = r.read()
        return Response(r.status, Headers(r.getheaders()), payload)
    finally:
        conn.close()


def _b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def token(role="admin", user="u-admin", email=None, exp_delta=3600, alg="HS256",
          secret=None, extra=None):
    """A JWT for the stack.  role: a string, a list of roles, or None (no roles
    claim).  exp_delta: seconds from now (negative: expired; None: no exp).
    alg: HS256/HS384/HS512 sign with that HMAC; "none" gives no signature.
    secret: defaults to the stack's JWT_SECRET.  extra: claims to add; a value
    of None removes that claim."""
    now = int(time.time())
    claims = {"userId": user, "email": email if email is not None else user + "@example.com",
              "iat": now}
    if role is not None:
        claims["roles"] = [role] if isinstance(role, str) else list(role)
    if exp_delta is not None:
        claims["exp"] = now + exp_delta
    for k, v in (extra or {}).items():
        if v is None:
            claims.pop(k, None)
        else:
            claims[k] = v
    header = {"alg": alg, "typ": "JWT"}
    signing_input = (_b64url(json.dumps(header, separators=(",", ":")).encode()) + "."
                     + _b64url(json.dumps(claims, separators=(",", ":")).encode()))
    if alg == "none":
        return signing_input + "."
    digest = {"HS256": hashlib.sha256, "HS384": hashlib.sha384, "HS512": hashlib.sha512}[alg]
    key = (secret if secret is not None else env["JWT_SECRET"]).encode()
    return signing_input + "." + _b64url(hmac.new(key, signing_input.encode(), digest).digest())


_NULL = "\x1a"


def lit(value):
    """A SQL literal: NULL, a number, or a quoted string."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    return "'" + str(value).replace("'", "''") + "'"


def sql(query, admin=True):
    """Run SQL (several statements allowed) as the admin role (admin=True) or
    the read-only role; return the rows of every result, as lists of str with
    None for NULL.  Raises RuntimeError with psql's message on error."""
    url = env["DATABASE_ADMIN_URL"] if admin else env["DATABASE_URL"]
    p = subprocess.run(
        ["psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-F", "\x1f", "-R", "\x1e",
         "-P", "null=" + _NULL, "-f", "-", url],
        input=query.encode("utf-8"), capture_output=True, timeout=300)
    if p.returncode != 0:
        raise RuntimeError("psql: " + p.stderr.decode("utf-8", "replace").strip())
    text = p.stdout.decode("utf-8")
    rows = []
    for rec in text.split("\x1e"):
        rec = rec.strip("\n")
        if rec == "":
            continue
        rows.append([None if c == _NULL else c for c in rec.split("\x1f")])
    return rows


def redis(*args):
    """One Redis command on the job database; the reply decoded from
    redis-cli --json (str, int, list, None).  Raises RuntimeError on an error."""
    p = subprocess.run(
        ["redis-cli", "-h", env["REDIS_HOST"], "-p", env["REDIS_PORT"],
         "-n", env.get("REDIS_JOB_DB", "1"), "--json"] + [str(a) for a in args],
        capture_output=True, timeout=30)
    out = p.stdout.decode("utf-8", "replace").strip()
    if p.returncode != 0 or out.startswith("(error)") or out.startswith("ERR"):
        raise RuntimeError("redis-cli %s: %s %s" % (args[:1], out,
                                                   p.stderr.decode("utf-8", "replace").strip()))
    return json.loads(out) if out else None


def stack(fn, *args, check=True):
    """Run a tests/lib/stack.sh function (e.g. "stack_redis_restart",
    "stack_web_stop") on this stack in a bash subshell; returns the
    CompletedProcess (output captured)."""
    script = ('. "$XQ_ROOT/tests/lib/stack.sh" && . "$STACK_DIR/env" && "$@"')
    e = dict(os.environ, STACK_DIR=STACK_DIR, XQ_ROOT=ROOT)
    p = subprocess.run(["bash", "-c", script, "stack", fn] + [str(a) for a in args],
                       env=e, capture_output=True, timeout=120)
    if check and p.returncode != 0:
        raise RuntimeError("%s failed: %s" % (fn, (p.stdout + p.stderr).decode("utf-8", "replace")))
    return p


def mails():
    """Paths of the stored messages, oldest first (names sort by time)."""
    d = env["MAIL_DIR"]
    return sorted(os.path.join(d, n) for n in os.listdir(d) if n.endswith(".eml"))


def wait_for(predicate, timeout=10.0, interval=0.1, what=None):
    """Poll predicate() until it returns something truthy; return that value.
    Raises AssertionError naming `what` (or the predicate) after timeout s."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise AssertionError("timed out after %.1fs waiting for %s"
                                 % (timeout, what or getattr(predicate, "__name__", "condition")))
        time.sleep(interval)
