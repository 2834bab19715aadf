#!/usr/bin/python3
"""make_seeds: write the seed corpus of every fuzz target into corpus/<target>/.

    /usr/bin/python3 tests/fuzz/make_seeds.py

Seeds are small valid and near-valid inputs of each kind (tokens, paths,
config files, download links, request bodies, hostile cell text), so that
the fuzzers start from the shapes the product really sees.  The files are
committed; re-running rewrites the same names with the same bytes (the
clock is fixed), and never deletes other files (crash reproducers added by
hand stay).
"""
import base64
import hashlib
import hmac
import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))
SECRET = b"fuzz-secret-0123456789abcdef"  # the targets' secret
NOW = 1767225600  # the targets' clock (2026-01-01)
UUID = "0b7c4d2e-8f1a-4c3b-9d5e-6f7a8b9c0d1e"


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=")


def token(claims, alg="HS256", secret=SECRET, header=None):
    head = header if header is not None else {"alg": alg, "typ": "JWT"}
    si = b64url(json.dumps(head).encode()) + b"." + b64url(json.dumps(claims).encode())
    sig = hmac.new(secret, si, hashlib.sha256).digest()
    return si + b"." + b64url(sig)


def sign(name, exp):
    msg = name.encode() + b"\n" + str(exp).encode()
    return hmac.new(SECRET, msg, hashlib.sha256).hexdigest().encode()


def write(target, name, data):
    d = os.path.join(HERE, "corpus", target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def jwt_seeds():
    good = {"userId": "u1", "email": "u1@example.com", "roles": ["admin"], "exp": NOW + 3600}
    seeds = {
        "valid": b"\x00" + token(good),
        "sub": b"\x00" + token({"sub": "s1", "roles": ["adminReadonly"], "exp": NOW + 60}),
        "expired": b"\x00" + token(dict(good, exp=NOW - 3600)),
        "noexp": b"\x00" + token({"userId": "u1", "roles": ["admin"]}),
        "alg-none": b"\x00" + token(good, alg="none").rsplit(b".", 1)[0] + b".",
        "alg-rs256": b"\x00" + token(good, alg="RS256"),
        "alg-case": b"\x00" + token(good, alg="hs256"),
        "crit": b"\x00" + token(good, header={"alg": "HS256", "crit": ["exp"]}),
        "badsig": b"\x00" + token(good, secret=b"another-secret-0123456789"),
        "padded": b"\x00" + token(good) + b"==",
        "claims": b"\x01" + json.dumps(good).encode(),
        "claims-both": b"\x01" + json.dumps(dict(good, sub="s2")).encode(),
        "claims-roles": b"\x01" + json.dumps(dict(good, roles=["a"] * 40)).encode(),
        "claims-types": b"\x01" + b'{"userId":1,"exp":"1e99","roles":"admin"}',
        "claims-nbf": b"\x01" + json.dumps(dict(good, nbf=NOW + 999)).encode(),
        "claims-float": b"\x01" + b'{"userId":"u","exp":1.8e9,"roles":[]}',
        "header": b"\x02Bearer " + token(good),
        "header-case": b"\x02bEaReR   " + token(good) + b"   ",
        "header-basic": b"\x02Basic dTE6cGFzcw==",
        "header-empty": b"\x02Bearer ",
    }
    for k, v in seeds.items():
        write("jwt", k, v)


def router_seeds():
    paths = [
        (0, "/api/v1/health"),
        (1, "/api/v1/admin/usage/export-async"),
        (0, "/api/v1/admin/usage/export-status/" + UUID),
        (2, "/api/v1/admin/usage/export/" + UUID),
        (0, "/api/v1/admin/usage/my-exports"),
        (0, "/downloads/raw-data-" + UUID + ".csv"),
        (3, "/downloads/raw-data-" + UUID + ".xlsx"),
        (0, "/downloads/..%2F..%2Fetc%2Fpasswd"),
        (0, "/downloads/%2e%2e"),
        (0, "/downloads/a%00b"),
        (0, "/downloads/%zz"),
        (1, "/api/v1/admin/queue/jobs/" + UUID + "/retry"),
        (0, "/api/v1/admin/queue/stats"),
        (4, "/api/v1/health"),
        (0, "//api//v1/health/"),
        (0, "/metrics"),
        (0, "/api/v1/admin/usage/export-status/a+b%20c"),
        (0, "/" + "a/" * 20),
    ]
    for i, (m, p) in enumerate(paths):
        write("router", "path%02d" % i, bytes([m]) + p.encode())


def config_seeds():
    base = ("# exportq.conf\nDATABASE_URL=postgresql://exportq_ro:pw@127.0.0.1:5432/litellm\n"
            "JWT_SECRET='0123456789abcdef0123456789abcdef'\nREDIS_HOST=127.0.0.1\n"
            "REDIS_PORT=6379\nEXPORT_DIR=/var/lib/exportq/exports\n")
    seeds = {
        "minimal": base,
        "full": base + ("REDIS_PASSWORD=\"secret\"\nREDIS_JOB_DB=1\nEXPORT_MAX_CONCURRENT_JOBS=4\n"
                        "EXPORT_MAX_ROWS_SYNC=10000\nEXPORT_FILE_RETENTION_HOURS=0.5\n"
                        "EXPORT_JOB_ATTEMPTS=3\nEXPORT_BACKOFF_MS=2000\nEXPORT_USER_MAX_ACTIVE=2\n"
                        "EXPORT_USER_MAX_PENDING=10\nEXPORT_USER_RATE_PER_HOUR=30\n"
                        "EXPORT_XSENDFILE=yes\nSMTP_URL=smtp://127.0.0.1:25\nSMTP_FROM=a@b\n"
                        "SMTP_PASSWORD=pw\nMETRICS_TOKEN=m\nLOG_LEVEL=debug\n"),
        "export-prefix": "export " + base.replace("\n", "\nexport "),
        "bad-number": base + "REDIS_PORT=65536\n",
        "bad-int": base + "EXPORT_BACKOFF_MS=12abc\n",
        "unknown-key": base + "NOPE=1\n",
        "no-equals": "JUST A LINE\n",
        "crlf": base.replace("\n", "\r\n"),
        "quotes": "JWT_SECRET=\"unterminated\nDATABASE_URL='x'\n",
        "empty": "",
    }
    for k, v in seeds.items():
        write("config", k, v.encode())


def download_seeds():
    name = "model-breakdown-" + UUID + ".csv"
    seeds = {
        "valid": (name, NOW + 3600, None),
        "expired": (name, NOW - 1, None),
        "xlsx": ("raw-data-" + UUID + ".xlsx", NOW + 86400, None),
        "json": ("user-breakdown-" + UUID + ".json", NOW + 5, None),
        "badsig": (name, NOW + 3600, b"0" * 64),
        "upper": (name, NOW + 3600, sign(name, NOW + 3600).upper()),
        "traversal": ("../" + name, NOW + 3600, None),
        "upper-uuid": ("raw-data-" + UUID.upper() + ".csv", NOW + 3600, None),
        "plus-exp": (name, "+1767229200", None),
        "long-exp": (name, "9" * 20, None),
        "dot": ("provider-breakdown-" + UUID + ".csv.", NOW + 3600, None),
    }
    for k, (n, e, s) in seeds.items():
        if s is None:
            s = sign(n, e)
        write("download", k, n.encode() + b"\n" + str(e).encode() + b"\n" + s)


def request_seeds():
    base = {"startDate": "2026-01-01", "endDate": "2026-11-30",
            "exportType": "model-breakdown", "format": "csv"}
    seeds = {
        "minimal": base,
        "all": dict(base, userId="u1", modelId="gpt-4o", provider="openai",
                    timezone="Europe/Berlin", priority="high", csvBom=True, formulaGuard=False),
        "raw-excel": dict(base, exportType="raw-data", format="excel", timezone="America/New_York"),
        "json-low": dict(base, exportType="user-breakdown", format="json", priority="low"),
        "unknown": dict(base, extra=1),
        "reversed": dict(base, startDate="2026-12-01"),
        "feb30": dict(base, endDate="2026-02-30"),
        "leap": dict(base, startDate="2024-02-29", endDate="2024-02-29"),
        "tz-traversal": dict(base, timezone="../../etc/passwd"),
        "tz-abs": dict(base, timezone="/etc/localtime"),
        "empty-filter": dict(base, userId=""),
        "long-filter": dict(base, userId="x" * 300),
        "types": dict(base, csvBom="yes", priority=5, userId=7),
    }
    for k, v in seeds.items():
        write("request", k, json.dumps(v).encode())
    write("request", "nul-filter", b'{"startDate":"2026-01-01","endDate":"2026-01-02",'
          b'"exportType":"raw-data","format":"csv","userId":"a\\u0000b"}')
    write("request", "dup-key", b'{"startDate":"2026-01-01","startDate":"2026-01-02",'
          b'"endDate":"2026-01-02","exportType":"raw-data","format":"csv"}')
    write("request", "trailing", json.dumps(base).encode() + b" x")
    write("request", "not-object", b"[1,2,3]")
    write("request", "deep", b"[" * 200 + b"]" * 200)


def text_seeds():
    values = [
        b"plain", b"=SUM(A1:A2)", b"+1", b"-2", b"@cmd", b"\tlead", b"\rlead", b"a,b",
        b'say "hi"', b"line\r\nbreak", "emoji \U0001F600 CJK \u6f22 RTL \u202e".encode(),
        b"\xff\xfe bad utf8 \xc0\xaf", b"ctl \x01\x02\x1f\x7f", b"\xef\xbf\xbe nonchar",
        b"\xed\xa0\x80 surrogate", b"nul\x00inside", b"<b>html</b>&amp;", b"12.500000",
        b"-0.000001", b"1e309", b"NaN", b"Infinity", b"0012", b"",
    ]
    for i, v in enumerate(values):
        write("text", "v%02d" % i, bytes([i % 4]) + v)
    write("text", "long", b"\x02" + "\u00e9".encode() * 33000)


if __name__ == "__main__":
    jwt_seeds()
    router_seeds()
    config_seeds()
    download_seeds()
    request_seeds()
    text_seeds()
