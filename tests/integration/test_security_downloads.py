"""Security review (doc/security.md): the download traversal matrix.

A canary file is planted beside EXPORT_DIR and a file with a non-generated
name inside it.  Every hostile spelling of a name (encoded and double-encoded
dots and slashes, overlong UTF-8, backslashes, NUL, absolute paths, case,
suffixes, the real name with a twist) is refused by the responder with
400/401/404, or answered by the web server itself where it normalises the
path out of /downloads/ (its docroot: the web page, or its 403/404), with a token,
a valid signature of that very name, or nothing; and the canary's bytes never
come back.  Signatures are bound to the name and the expiry."""
import os

import api
import xq

WEB_SERVERS = ("lighttpd", "apache")

CANARY = b"CANARY-8f3e-must-never-be-served\n"
_s = {}


def setup():
    api.load_fixture()
    u = api.user()
    tok = api.reader(u)
    r = api.submit(tok, api.req("csv", etype="provider-breakdown"))
    assert r.status == 202, r
    job = api.wait_state(tok, r.json["jobId"])
    name = job["result"]["fileName"]
    export_dir = xq.env["EXPORT_DIR"]
    outside = os.path.join(os.path.dirname(export_dir), "canary-" + name)
    with open(outside, "wb") as f:
        f.write(CANARY)
    inside = os.path.join(export_dir, "notes.txt")
    with open(inside, "wb") as f:
        f.write(CANARY)
    _s.update(token=tok, name=name, outside=outside, inside=inside,
              base=name.rsplit(".", 1)[0], uuid=name.rsplit(".", 1)[0][-36:])


def teardown_files():
    for p in (_s.get("outside"), _s.get("inside")):
        if p and os.path.exists(p):
            os.unlink(p)


def hostile_names():
    n, base, u = _s["name"], _s["base"], _s["uuid"]
    canary = os.path.basename(_s["outside"])
    return [
        "../" + canary, "..%2f" + canary, "..%2F" + canary, "%2e%2e%2f" + canary,
        "%2e%2e/" + canary, "%252e%252e%252f" + canary, "..%252f" + canary,
        "%c0%ae%c0%ae%c0%af" + canary, "..%c0%af" + canary, "..\\" + canary,
        "..%5c" + canary, "%2e%2e%5c" + canary, "/" + canary, "%2f" + canary,
        "notes.txt", "..", ".", "%2e", "%2e%2e", n + "%00", n + "%00.csv", "%00" + n,
        n.upper(), base + ".CSV", base + ".exe", base + ".csv.bak", n + ".", n + "%20",
        n + ";.csv", n + "%3b", base + ".txt", "x" + n, n[1:], base.replace(u, u.upper()) + ".csv",
        base.replace(u, u[:-1]) + ".csv", n + "/", n + "%2f", n + "%2f..", "~root", "%7e",
        "x" * 300 + ".csv", "con.csv", "exports/" + n, "a%0d%0aSet-Cookie:x=1",
        "raw-data-" + u + ".csv/../../" + canary,
    ]


def test_hostile_names_are_refused_and_never_leak():
    sig_exp = api.now() + 600
    try:
        for name in hostile_names():
            sig = "?expires=%d&sig=%s" % (sig_exp, api.sign(name, sig_exp))
            for tok, q in ((_s["token"], ""), (None, sig), (None, "")):
                r = xq.http("GET", "/downloads/" + name + q, token=tok)
                assert CANARY not in r.body, (name, r.status)
                assert b"root:" not in r.body, name
                assert not r.body.startswith(b"provider,"), (name, "an export file was sent")
                if r.headers.get("X-Request-Id") is not None:
                    # the responder answered: its JSON error, never 403 for a name
                    assert r.status in (400, 401, 404), (name, q[:10], r.status, r.body[:200])
                    assert r.json and "error" in r.json, (name, r.body[:200])
                else:
                    # the web server answered itself: a path it normalised out
                    # of /downloads/ (to its docroot: the web page's index, or
                    # its own 403/404) or an encoding it rejects (400); never
                    # a file of EXPORT_DIR (checked above)
                    assert r.status in (200, 400, 403, 404), (name, r.status)
                    if r.status == 200:
                        assert r.body.lstrip().lower().startswith(b"<!doctype html"), \
                            (name, r.body[:100])
    finally:
        teardown_files()


def test_signature_bound_to_name_and_expiry():
    n = _s["name"]
    exp = api.now() + 600
    good = api.sign(n, exp)
    r = xq.http("GET", "/downloads/%s?expires=%d&sig=%s" % (n, exp, good))
    assert r.status == 200, r
    # the same signature with another expiry, another name, upper case hex,
    # a signature made with another key, or an expiry with a sign or spaces
    for q in ("expires=%d&sig=%s" % (exp + 1, good),
              "expires=%d&sig=%s" % (exp, good.upper()),
              "expires=%d&sig=%s" % (exp, api.sign(n, exp, secret="another-secret-0123456789")),
              "expires=+%d&sig=%s" % (exp, good), "expires=%d.0&sig=%s" % (exp, good),
              "expires=%d%%20&sig=%s" % (exp, good), "expires=-%d&sig=%s" % (exp, good),
              "expires=%d&sig=%s" % (exp, good[:-1]), "expires=%d" % exp, "sig=" + good):
        r = xq.http("GET", "/downloads/%s?%s" % (n, q))
        assert r.status in (401, 403), (q, r.status, r.body[:200])
        assert r.status == 403 or "sig=" not in q or "expires=" in q, (q, r.status)
    # a correct signature that has expired is 410, not the file
    old = api.now() - 5
    r = xq.http("GET", "/downloads/%s?expires=%d&sig=%s" % (n, old, api.sign(n, old)))
    assert r.status == 410, r
