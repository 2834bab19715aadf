"""exportqctl against the private stack: every operator command, its human
output and its --json output, its exit codes (0 ok, 1 operational failure,
2 usage/config, 3 not found, 4 conflict), check-config on good and bad
files, and tokens the responder accepts.

exportqctl runs with a clean environment (PATH and EXPORTQ_CONFIG only):
the runner's environment carries the stack's JWT_SECRET, DATABASE_URL...,
which would override the files under test.  Jobs are queued with
tests/tools/xq-qtool (the queue API, as the export-async route does);
tests that need jobs to stay waiting pause dispatch and always resume it.
"""
import contextlib
import json
import os
import socket
import subprocess
import tempfile
import time
import urllib.parse
import uuid

import xq
from xq import env, wait_for

BUILD = env.get("XQ_BUILD") or os.path.join(xq.ROOT, "build")
CTL = os.path.join(BUILD, "ctl", "exportqctl")
QTOOL = os.path.join(BUILD, "tests", "tools", "xq-qtool")
CONF = env["EXPORTQ_CONFIG"]
EXPORT_DIR = env["EXPORT_DIR"]
SMALL = {"startDate": "2024-01-01", "endDate": "2024-12-31",
         "exportType": "provider-breakdown", "format": "csv"}
NO_SUCH_JOB = "00000000-0000-4000-8000-000000000000"


def ctl(*args, config=CONF, extra_env=None):
    """Run exportqctl; return (exit code, stdout, stderr)."""
    e = {"PATH": "/usr/bin:/bin", "EXPORTQ_CONFIG": config}
    e.update(extra_env or {})
    p = subprocess.run([CTL] + [str(a) for a in args], env=e, capture_output=True, timeout=60)
    return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")


def ctl_json(*args, want=0):
    rc, out, err = ctl(*(list(args) + ["--json"]))
    assert rc == want, (args, rc, out, err)
    return json.loads(out) if out.strip() else None


def add_job(owner, body=None):
    e = dict(os.environ, EXPORTQ_CONFIG=CONF)
    p = subprocess.run([QTOOL, "add", owner, owner + "@example.com", json.dumps(body or SMALL)],
                       env=e, capture_output=True, timeout=30)
    assert p.returncode == 0, p.stderr
    jid = p.stdout.decode().strip()
    assert len(jid) == 36, jid
    return jid


def show(jid):
    return ctl_json("show", jid)


@contextlib.contextmanager
def paused():
    assert ctl("pause")[0] == 0
    try:
        yield
    finally:
        rc, out, err = ctl("resume")
        assert rc == 0, err


def setup():
    assert os.access(CTL, os.X_OK), CTL
    assert os.access(QTOOL, os.X_OK), QTOOL
    ctl("resume")


# ---------------------------------------------------------------- check-config

def test_check_config_prints_effective_config_with_secrets_hidden():
    rc, out, err = ctl("check-config")
    assert rc == 0, err
    lines = out.splitlines()
    assert lines[0] == "# %s: ok" % CONF, lines[0]
    kv = dict(l.split("=", 1) for l in lines[1:])
    assert kv["JWT_SECRET"] == "***"
    assert env["JWT_SECRET"] not in out
    assert env["XQ_PG_RO_PASSWORD"] not in out
    assert kv["DATABASE_URL"].startswith("postgresql://exportq_ro:***@127.0.0.1:"), kv
    assert kv["REDIS_PORT"] == env["REDIS_PORT"]
    assert kv["EXPORT_DIR"] == EXPORT_DIR
    assert kv["LOG_LEVEL"] == "info"
    assert len(kv) >= 30
    j = ctl_json("check-config")
    assert j["ok"] is True and j["source"] == CONF and j["warnings"] == []
    assert j["config"]["JWT_SECRET"] == "***" and j["config"] == kv
    rc, out, err = ctl("check-config", "--quiet")
    assert (rc, out, err) == (0, "", "")


def _bad(text, name="bad.conf"):
    d = tempfile.mkdtemp(dir=xq.STACK_DIR)
    path = os.path.join(d, name)
    with open(path, "w") as f:
        f.write(text)
    return path


def test_check_config_refuses_bad_files_with_one_line():
    good = open(CONF).read()
    cases = [
        (good + "REDIS_PORT=abc\n", "REDIS_PORT: 'abc' is not an integer"),
        (good + "REDIS_PORT=70000\n", "REDIS_PORT: 70000 is out of range 1..65535"),
        (good + "EXPORT_XSENDFILE=maybe\n", "EXPORT_XSENDFILE: 'maybe' is not a boolean"),
        (good + "TYPO_KEY=1\n", "TYPO_KEY: unknown configuration key"),
        (good + "no equals sign\n", "expected KEY=value"),
        ("\n".join(l for l in good.splitlines() if not l.startswith("JWT_SECRET=")) + "\n",
         "JWT_SECRET: required key is missing"),
        (good + "JWT_SECRET=short\n", "JWT_SECRET: must be at least 16 bytes"),
        (good + "EXPORT_DIR=relative/dir\n", "EXPORT_DIR: 'relative/dir' is not an absolute path"),
    ]
    for text, want in cases:
        path = _bad(text)
        rc, out, err = ctl("check-config", path)
        assert rc == 2, (want, rc, out, err)
        assert out == "", out
        assert len(err.splitlines()) == 1, err
        assert want in err, (want, err)
        if "required" not in want and "at least" not in want and "absolute" not in want:
            # parse errors name the file and the line
            assert err.startswith("exportqctl: check-config: %s:%d: " % (
                path, len(text.splitlines()))), err
        rc, out, _ = ctl("check-config", path, "--json")
        j = json.loads(out)
        assert rc == 2 and j["ok"] is False and want in j["error"], (rc, out)
    rc, out, err = ctl("check-config", "/nonexistent/exportq.conf")
    assert rc == 2 and "cannot open configuration file" in err, err
    # the other commands refuse a bad configuration the same way
    rc, out, err = ctl("stats", config=_bad(good + "REDIS_PORT=abc\n"))
    assert rc == 2 and "REDIS_PORT: 'abc' is not an integer" in err, err


def test_check_config_warns_about_missing_export_dir():
    path = _bad(open(CONF).read() + "EXPORT_DIR=/nonexistent/xq-exports\n")
    rc, out, err = ctl("check-config", path)
    assert rc == 0, err
    assert "warning: EXPORT_DIR /nonexistent/xq-exports: No such file or directory" in err, err
    j = ctl_json("check-config", path)
    assert j["warnings"] == ["EXPORT_DIR /nonexistent/xq-exports: No such file or directory"]


# ---------------------------------------------------------------- usage, failures

def test_usage_errors_exit_2():
    for args, want in [
        (["frobnicate"], "unknown command"),
        (["jobs", "--state", "bogus"], "unknown state 'bogus'"),
        (["jobs", "--limit", "0"], "--limit takes 1..100"),
        (["show"], "expected one JOB id"),
        (["show", "a", "b"], "expected one JOB id"),
        (["clean", "--state", "failed"], "--older-than is required"),
        (["clean", "--older-than", "1"], "--state is required"),
        (["clean", "--state", "active", "--older-than", "1"], "active jobs cannot be cleaned"),
        (["clean", "--state", "failed", "--older-than", "1e3"], "--older-than takes hours"),
        (["stats", "--state", "failed"], "--state is not an option of stats"),
        (["token"], "--user is required"),
        (["token", "--user", "u", "--ttl", "0"], "--ttl takes"),
        (["stats", "--bogus"], "unknown option '--bogus'"),
    ]:
        rc, out, err = ctl(*args)
        assert rc == 2, (args, rc, out, err)
        assert want in err, (args, err)
    rc, out, err = ctl("--help")
    assert rc == 0 and "check-config" in out and "workers" in out
    rc, out, err = ctl("jobs", "--help")
    assert rc == 0 and out.startswith("usage: exportqctl jobs"), out


def test_redis_down_is_exit_1():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()  # nothing listens there now
    for cmd in (["stats"], ["jobs"], ["pause"], ["workers"], ["purge"], ["show", NO_SUCH_JOB]):
        t0 = time.monotonic()
        rc, out, err = ctl(*cmd, extra_env={"REDIS_PORT": str(port)})
        assert rc == 1, (cmd, rc, out, err)
        assert err.startswith("exportqctl: %s: " % cmd[0]) and len(err.splitlines()) == 1, err
        assert "redis" in err.lower(), err
        assert time.monotonic() - t0 < 10


# ---------------------------------------------------------------- queue commands

def test_stats_jobs_show_text_and_json():
    owner = "ctl-" + uuid.uuid4().hex[:8]
    with paused():
        before = ctl_json("stats")
        assert before["paused"] is True
        ids = [add_job(owner) for _ in range(3)]
        try:
            st = ctl_json("stats")
            assert set(st) == {"waiting", "active", "delayed", "completed", "failed",
                               "cancelled", "paused", "workers"}
            assert st["waiting"] == before["waiting"] + 3, (before, st)
            rc, out, _ = ctl("stats")
            assert rc == 0
            rows = dict(l.split(None, 1) for l in out.splitlines())
            assert rows["waiting"] == str(st["waiting"]) and rows["paused"] == "yes", rows

            page = ctl_json("jobs", "--state", "waiting", "--limit", "100")
            assert page["total"] == st["waiting"]
            mine = [j for j in page["jobs"] if j["owner"] == owner]
            assert [j["jobId"] for j in mine] == ids  # dispatch order: submission order
            positions = [j["position"] for j in mine]
            assert positions == sorted(positions) and len(set(positions)) == 3
            for j in mine:
                assert j["status"] == "waiting" and j["attemptsMade"] == 0
                assert j["exportType"] == "provider-breakdown" and j["format"] == "csv"
                assert j["ownerEmail"] == owner + "@example.com"
                assert j["filters"]["startDate"] == "2024-01-01"

            rc, out, _ = ctl("jobs", "--state", "waiting", "--limit", "100")
            lines = out.splitlines()
            assert lines[0].split() == ["JOB", "STATE", "TYPE", "FORMAT", "PRIO", "PROGRESS",
                                        "ROWS", "TRIES", "OWNER", "REQUESTED"], lines[0]
            for jid in ids:
                row = [l for l in lines if l.startswith(jid)]
                assert len(row) == 1, (jid, out)
                cells = row[0].split()
                assert cells[1:9] == ["waiting", "provider-breakdown", "csv", "normal", "0%",
                                      "0", "0", owner], cells
            assert lines[-1] == "(%d shown of %d)" % (len(lines) - 2, page["total"]), lines[-1]

            # all states: one page across them, offset and limit honoured
            all_ = ctl_json("jobs", "--limit", "100")
            assert all_["total"] == sum(st[k] for k in ("waiting", "active", "delayed",
                                                         "completed", "failed", "cancelled"))
            assert set(ids) <= {j["jobId"] for j in all_["jobs"]}
            one = ctl_json("jobs", "--limit", "1", "--offset", "1")
            assert len(one["jobs"]) == 1 and one["jobs"][0]["jobId"] == all_["jobs"][1]["jobId"]

            j = show(ids[0])
            assert j["jobId"] == ids[0] and j["status"] == "waiting" and j["owner"] == owner
            assert j["position"] == positions[0]
            rc, out, _ = ctl("show", ids[0])
            fields = dict((l[:12].strip(), l[13:]) for l in out.splitlines())
            assert fields["job"] == ids[0] and fields["state"] == "waiting"
            assert fields["owner"] == owner and fields["type"] == "provider-breakdown"
            assert json.loads(fields["request"])["exportType"] == "provider-breakdown"
        finally:
            for jid in ids:
                ctl("remove", jid)


def test_cancel_retry_remove_clean_exit_codes():
    owner = "ctl-" + uuid.uuid4().hex[:8]
    with paused():
        a, b, c = add_job(owner), add_job(owner), add_job(owner)
        try:
            rc, out, err = ctl("cancel", a)
            assert (rc, out) == (0, "%s: cancelled\n" % a), (rc, out, err)
            assert show(a)["status"] == "cancelled"
            rc, out, err = ctl("cancel", a)
            assert rc == 4 and "already finished" in err, (rc, err)
            rc, out, err = ctl("retry", a)
            assert rc == 4 and "only a failed job" in err, (rc, err)
            assert ctl_json("cancel", b) == {"jobId": b, "status": "cancelled"}

            for cmd in ("show", "cancel", "retry", "remove"):
                rc, out, err = ctl(cmd, NO_SUCH_JOB)
                assert rc == 3, (cmd, rc, err)
                assert err == "exportqctl: %s: no such job\n" % cmd, err

            assert ctl_json("remove", c) == {"jobId": c, "status": "removed"}
            assert ctl("show", c)[0] == 3

            # clean: only cancelled jobs older than the cut; ours are seconds old
            assert ctl_json("clean", "--state", "cancelled", "--older-than", "1") == {"removed": 0}
            time.sleep(0.05)
            r = ctl_json("clean", "--state", "cancelled", "--older-than", "0")
            assert r["removed"] >= 2, r
            assert ctl("show", a)[0] == 3 and ctl("show", b)[0] == 3
            rc, out, _ = ctl("clean", "--state", "cancelled", "--older-than", "0")
            assert (rc, out) == (0, "removed 0 cancelled jobs older than 0 h\n"), out
        finally:
            for jid in (a, b, c):
                ctl("remove", jid)


def test_pause_resume():
    with paused():
        assert ctl_json("stats")["paused"] is True
        assert ctl_json("pause") == {"paused": True}
        jid = add_job("ctl-pause")
        time.sleep(2.5)  # longer than a worker's claim wait: nothing may start
        assert show(jid)["status"] == "waiting"
    rc, out, _ = ctl("resume")
    assert (rc, out) == (0, "queue resumed\n")
    assert ctl_json("stats")["paused"] is False
    wait_for(lambda: show(jid)["status"] == "completed", 60, 0.2, "job done after resume")
    ctl("remove", jid)


def test_workers_lists_the_live_workers():
    w = wait_for(lambda: ctl_json("workers")["workers"], 15, 0.2, "workers registered")
    j = ctl_json("workers")
    assert j["total"] == len(j["workers"]) >= 2  # the stack runs 2 per workerd
    host = socket.gethostname()
    for e in w:
        assert set(e) >= {"id", "host", "pid", "jobId", "since", "lastHeartbeat"}, e
        assert e["host"] == host and e["pid"] > 0
        assert os.path.exists("/proc/%d" % e["pid"]), e
        assert e["lastHeartbeat"].endswith("Z") and e["since"] <= e["lastHeartbeat"]
    rc, out, _ = ctl("workers")
    lines = out.splitlines()
    assert lines[0].split() == ["WORKER", "HOST", "PID", "JOB", "SINCE", "HEARTBEAT"]
    assert lines[-1] == "(%d live workers)" % len(lines[1:-1])
    assert all(str(e["pid"]) in out for e in w)


def test_completed_job_then_remove_deletes_its_file():
    jid = add_job("ctl-done")
    j = wait_for(lambda: (lambda x: x if x["status"] in ("completed", "failed") else None)(
        show(jid)), 60, 0.2, "job finished")
    assert j["status"] == "completed", j
    assert j["progress"] == 100 and j["attemptsMade"] == 1
    name = j["result"]["fileName"]
    path = os.path.join(EXPORT_DIR, name)
    assert os.path.getsize(path) == j["result"]["fileSize"]
    assert "sig=" in j["result"]["downloadUrl"]
    rc, out, _ = ctl("show", jid)
    assert "state        completed" in out and name in out
    u = urllib.parse.urlsplit(j["result"]["downloadUrl"])
    r = xq.http("GET", u.path + "?" + u.query)
    assert r.status == 200, r
    assert ctl_json("remove", jid)["status"] == "removed"
    assert not os.path.exists(path)
    assert ctl("show", jid)[0] == 3
    # tombstoned like the admin route does: the owner and signed links get
    # 410 (it existed), someone else 404
    assert xq.redis("GET", "exportq:gone:" + name) == "ctl-done"
    assert xq.http("GET", u.path + "?" + u.query).status == 410
    assert xq.http("GET", u.path, token=xq.token(role="adminReadonly", user="ctl-done")
                   ).status == 410
    assert xq.http("GET", u.path, token=xq.token(role="adminReadonly", user="someone-else")
                   ).status == 404


def test_failed_job_retry_resets_attempts():
    xq.sql('REVOKE SELECT ON "LiteLLM_SpendLogs" FROM exportq_ro')
    try:
        jid = add_job("ctl-retry")
        j = wait_for(lambda: (lambda x: x if x["status"] in ("completed", "failed") else None)(
            show(jid)), 60, 0.2, "job failed")
    finally:
        xq.sql('GRANT SELECT ON "LiteLLM_SpendLogs" TO exportq_ro')
    try:
        assert j["status"] == "failed" and j["error"], j
        assert j["attemptsMade"] == 1  # a permission error is not retried
        failed = ctl_json("jobs", "--state", "failed", "--limit", "100")
        assert jid in [x["jobId"] for x in failed["jobs"]]
        rc, out, _ = ctl("show", jid)
        assert "error        " in out
        assert ctl_json("retry", jid) == {"jobId": jid, "status": "waiting"}
        j = wait_for(lambda: (lambda x: x if x["status"] in ("completed", "failed") else None)(
            show(jid)), 60, 0.2, "retried job finished")
        assert j["status"] == "completed" and j["attemptsMade"] == 1, j
    finally:
        ctl("remove", jid)


def test_purge_removes_stale_files_only():
    old = time.time() - 3 * 24 * 3600
    orphan = os.path.join(EXPORT_DIR, "raw-data-%s.csv" % uuid.uuid4())
    stale = os.path.join(EXPORT_DIR, ".raw-data-%s.json.part" % uuid.uuid4())
    fresh = os.path.join(EXPORT_DIR, ".raw-data-%s.json.part" % uuid.uuid4())
    foreign = os.path.join(EXPORT_DIR, "operator-notes.txt")
    for p in (orphan, stale, fresh, foreign):
        with open(p, "w") as f:
            f.write("x")
    for p in (orphan, stale, foreign):
        os.utime(p, (old, old))
    try:
        r = ctl_json("purge")
        assert set(r) == {"filesExpired", "jobsTrimmed", "filesDeleted", "orphansDeleted",
                          "errors"}, r
        assert r["orphansDeleted"] >= 2 and r["errors"] == 0, r
        assert not os.path.exists(orphan) and not os.path.exists(stale)
        assert os.path.exists(fresh) and os.path.exists(foreign)
        rc, out, _ = ctl("purge")
        assert rc == 0 and "orphans deleted  0" in out, out
    finally:
        for p in (orphan, stale, fresh, foreign):
            if os.path.exists(p):
                os.unlink(p)


def test_ctl_and_http_api_agree():
    """The CLI and the admin routes run the same scripts: same numbers, same jobs."""
    tok = xq.token(role="admin", user="ctl-admin")
    owner = "ctl-" + uuid.uuid4().hex[:8]
    with paused():
        ids = [add_job(owner) for _ in range(2)]
        try:
            r = xq.http("GET", "/api/v1/admin/queue/stats", token=tok)
            assert r.status == 200, r
            assert r.json == ctl_json("stats"), (r.json, ctl_json("stats"))
            r = xq.http("GET", "/api/v1/admin/queue/jobs?state=waiting&limit=100", token=tok)
            assert r.status == 200, r
            mine = ctl_json("jobs", "--state", "waiting", "--limit", "100")
            assert r.json["total"] == mine["total"]
            assert [j["jobId"] for j in r.json["jobs"]] == [j["jobId"] for j in mine["jobs"]]
            api = {j["jobId"]: j for j in r.json["jobs"]}
            for j in mine["jobs"]:
                a = api[j["jobId"]]
                extra = {k: v for k, v in j.items() if k not in a}
                assert set(extra) <= {"owner", "ownerEmail", "workerId"}, extra
                assert {k: j[k] for k in a} == a, (j, a)
            # what one side does, the other sees
            r = xq.http("DELETE", "/api/v1/admin/queue/jobs/" + ids[0], token=tok)
            assert r.status == 200, r
            assert ctl("show", ids[0])[0] == 3
            assert ctl_json("cancel", ids[1])["status"] == "cancelled"
            r = xq.http("GET", "/api/v1/admin/usage/export-status/" + ids[1], token=tok)
            assert r.status == 200 and r.json["status"] == "cancelled", r
            w = xq.http("GET", "/api/v1/admin/queue/workers", token=tok).json["workers"]
            assert sorted(x["id"] for x in w) == sorted(x["id"] for x in
                                                        ctl_json("workers")["workers"])
        finally:
            for jid in ids:
                ctl("remove", jid)


# ---------------------------------------------------------------- token

def _claims(tok):
    import base64
    seg = tok.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(seg + "=" * (-len(seg) % 4)))


def test_token_is_accepted_by_the_responder():
    rc, out, _ = ctl("token", "--user", "ops", "--email", "ops@example.com", "--role", "admin",
                     "--ttl", "600")
    assert rc == 0
    tok = out.strip()
    c = _claims(tok)
    assert c["userId"] == "ops" and c["sub"] == "ops" and c["email"] == "ops@example.com"
    assert c["roles"] == ["admin"] and c["exp"] - c["iat"] == 600
    assert abs(c["iat"] - time.time()) < 5
    # the responder accepts it on an admin:queue route
    r = xq.http("GET", "/api/v1/admin/queue/stats", token=tok)
    assert r.status == 200 and "waiting" in r.json, r
    # a role without permissions: 403; none at all: 401
    tok2 = ctl_json("token", "--user", "ops", "--role", "viewer")["token"]
    assert xq.http("GET", "/api/v1/admin/queue/stats", token=tok2).status == 403
    assert xq.http("GET", "/api/v1/admin/queue/stats").status == 401
    # signed with the configured secret, not some other one
    j = ctl_json("token", "--user", "u1", "--role", "admin", "--role", "adminReadonly")
    assert j["claims"]["roles"] == ["admin", "adminReadonly"] and j["token"].count(".") == 2
    forged = xq.token(role="admin", user="u1", secret="not-the-stack-secret-at-all")
    assert xq.http("GET", "/api/v1/admin/queue/stats", token=forged).status == 401
