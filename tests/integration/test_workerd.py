"""test_workerd: exportq-workerd against the real PostgreSQL, Redis and mail sink.

Each test starts its own exportq-workerd (as root, in the foreground) with a
Redis key prefix of its own, so the stack's workerd never sees these jobs and
the tests do not see each other's.  Jobs are queued and read back with
tests/tools/xq-qtool (the queue API in C); the worker is what is under test.

Data: 500,000 spend rows dated January 2001 (request ids "wd-..."), loaded
once in setup() and left out of every other module's date ranges.
"""
import email
import email.policy
import glob
import hashlib
import hmac
import json
import os
import shutil
import signal
import subprocess
import time
import urllib.parse

import xq
from xq import env, sql, stack, wait_for

BUILD = env.get("XQ_BUILD") or os.path.join(xq.ROOT, "build")
WORKERD = os.path.join(BUILD, "workerd", "exportq-workerd")
QTOOL = os.path.join(BUILD, "tests", "tools", "xq-qtool")
BIG_ROWS = 500000

SMALL = {"startDate": "2001-01-01", "endDate": "2001-01-01", "exportType": "model-breakdown",
         "format": "csv"}
BIG = {"startDate": "2001-01-01", "endDate": "2001-01-31", "exportType": "raw-data",
       "format": "csv"}

# Quick settings so that the failure paths run in seconds.
FAST = {
    "EXPORT_LEASE_MS": "3000",
    "EXPORT_REAPER_INTERVAL_MS": "200",
    "EXPORT_BACKOFF_MS": "300",
    "EXPORT_JOB_ATTEMPTS": "3",
    "EXPORT_MAX_CONCURRENT_JOBS": "1",
    "EXPORT_SHUTDOWN_GRACE_S": "30",
    "LOG_LEVEL": "info",
}


def setup():
    have = sql("SELECT count(*) FROM \"LiteLLM_SpendLogs\" WHERE request_id LIKE 'wd-%'")[0][0]
    if int(have) != BIG_ROWS:
        sql("""
DELETE FROM "LiteLLM_SpendLogs" WHERE request_id LIKE 'wd-%';
INSERT INTO "LiteLLM_SpendLogs" (request_id, call_type, spend, total_tokens, prompt_tokens,
    completion_tokens, "startTime", "endTime", request_duration_ms, model, model_group,
    custom_llm_provider, "user", team_id, end_user, status, cache_hit)
SELECT 'wd-' || lpad(g::text, 7, '0'), 'completion', (g % 1000) / 1000.0, 30, 10, 20,
    timestamp '2001-01-01' + g * interval '5 seconds',
    timestamp '2001-01-01' + g * interval '5 seconds' + interval '1 second',
    1000, 'gpt-' || (g % 5), NULL, 'openai', 'wd-user-' || (g % 50), 'team-1', NULL,
    'success', 'False'
FROM generate_series(1, {rows}) g;
ANALYZE "LiteLLM_SpendLogs";
""".format(rows=BIG_ROWS))


class Workerd:
    """One exportq-workerd with its own key prefix, export dir and log."""

    def __init__(self, name, export_dir=None, prefix=None, **overrides):
        self.name = name
        self.prefix = prefix or "wdt-%s-%d-%d" % (name, os.getpid(), int(time.time() * 1000))
        self.dir = export_dir
        if self.dir is None:  # a fresh directory of its own
            self.dir = os.path.join(xq.STACK_DIR, "wd-" + name)
            shutil.rmtree(self.dir, ignore_errors=True)
            os.makedirs(self.dir)
        self.log = os.path.join(xq.STACK_DIR, "log", "workerd-%s.log" % name)
        open(self.log, "wb").close()  # this instance's lines only
        self.env = dict(os.environ, EXPORTQ_CONFIG=env["EXPORTQ_CONFIG"],
                        REDIS_KEY_PREFIX=self.prefix, EXPORT_DIR=self.dir)
        self.env.update(FAST)
        self.env.update(overrides)
        self.proc = None
        self.args = []

    def start(self, *args, want=None):
        self.args = list(args)
        logf = open(self.log, "ab")
        self.proc = subprocess.Popen([WORKERD] + self.args, env=self.env, stdin=subprocess.DEVNULL,
                                     stdout=logf, stderr=logf)
        logf.close()
        # ready when every worker has registered a heartbeat
        want = want or int(self.env.get("EXPORT_MAX_CONCURRENT_JOBS", "1"))
        wait_for(lambda: len(self.workers()) >= want, 15, 0.1, "%s workers registered" % self.name)
        return self

    def stop(self, timeout=60):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        # under --enable-sanitizers, any report of the supervisor or a child
        text = self.log_text() if os.path.exists(self.log) else ""
        for mark in ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:"):
            assert mark not in text, "sanitizer report in %s: %s" % (
                self.log, text[text.index(mark) - 200:][:2000])
        return self.proc.returncode if self.proc else None

    def children(self):
        """pids of the supervisor's live children."""
        out = []
        for stat in glob.glob("/proc/[0-9]*/stat"):
            try:
                with open(stat) as f:
                    fields = f.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == self.proc.pid and fields[0] != "Z":
                out.append(int(stat.split("/")[2]))
        return sorted(out)

    def qtool(self, *args, check=True):
        p = subprocess.run([QTOOL] + list(args), env=self.env, capture_output=True, timeout=30)
        if check and p.returncode != 0:
            raise RuntimeError("xq-qtool %s: %s" % (args[0], p.stderr.decode().strip()))
        return p.stdout.decode()

    def add(self, req, owner="wd-user", mail=""):
        return self.qtool("add", owner, mail, json.dumps(req)).strip()

    def job(self, job_id):
        return json.loads(self.qtool("get", job_id))

    def workers(self):
        try:
            return json.loads(self.qtool("workers"))
        except (RuntimeError, ValueError):
            return []

    def log_text(self):
        with open(self.log, encoding="utf-8", errors="replace") as f:
            return f.read()

    def files(self):
        return sorted(os.listdir(self.dir))

    def wait_status(self, job_id, states, timeout, seen=None):
        def check():
            j = self.job(job_id)
            if seen is not None:
                seen.append(j["status"])
            return j if j["status"] in states else None
        try:
            return wait_for(check, timeout, 0.05, "job %s to be %s" % (job_id, states))
        except AssertionError as exc:
            raise AssertionError("%s; job %s; log tail: %s" % (
                exc, self.job(job_id), self.log_text()[-1500:]))


def worker_pid(job):
    return int(job["_workerId"].split(":")[-2])


def csv_lines(path):
    with open(path, "rb") as f:
        data = f.read()
    assert data.endswith(b"\r\n"), "file does not end with CRLF"
    return data.count(b"\r\n")


def verify_link(url, file_name):
    """The signed link per SPEC §10: sig = HMAC-SHA256(JWT_SECRET, name\\nexpires)."""
    u = urllib.parse.urlsplit(url)
    assert u.path.endswith("/downloads/" + file_name), u.path
    q = urllib.parse.parse_qs(u.query)
    expires = q["expires"][0]
    want = hmac.new(env["JWT_SECRET"].encode(), ("%s\n%s" % (file_name, expires)).encode(),
                    hashlib.sha256).hexdigest()
    assert hmac.compare_digest(q["sig"][0], want), "bad signature in %s" % url
    return int(expires)


def mail_to(addr, since):
    """Parsed mails to addr stored after `since` (path mtime)."""
    out = []
    for p in xq.mails():
        if os.path.getmtime(p) < since:
            continue
        with open(p, "rb") as f:
            m = email.message_from_binary_file(f, policy=email.policy.default)
        if addr in (m.get("X-Mailsink-To") or "") or addr in (m.get("To") or ""):
            out.append(m)
    return out


def mail_parts(m):
    text = m.get_body(("plain",)).get_content()
    html = m.get_body(("html",)).get_content()
    return text, html


# ---------------------------------------------------------------- tests


def test_job_completes_with_file_and_mail():
    wd = Workerd("complete")
    addr = "alice-%d@example.com" % os.getpid()
    t0 = time.time() - 1
    try:
        job_id = wd.add(SMALL, owner="alice", mail=addr)
        assert wd.job(job_id)["status"] == "waiting"
        wd.start()
        seen = []
        j = wd.wait_status(job_id, ("completed", "failed"), 30, seen)
        assert j["status"] == "completed", j
        assert j["progress"] == 100 and j["attemptsMade"] == 1, j
        assert j["startedAt"] <= j["finishedAt"], j
        r = j["result"]
        path = os.path.join(wd.dir, r["fileName"])
        assert os.path.isfile(path), wd.files()
        assert os.path.getsize(path) == r["fileSize"], (os.path.getsize(path), r)
        assert r["rowCount"] == 5, r
        assert csv_lines(path) == 6
        with open(path, "rb") as f:
            head = f.read().split(b"\r\n")
        assert head[0].startswith(b"modelId,provider,requests"), head[0]
        assert sorted(x.split(b",")[0] for x in head[1:6]) == [b"gpt-%d" % i for i in range(5)]
        assert r["expired"] is False
        assert not [n for n in wd.files() if n.endswith(".part")], wd.files()
        # the mail: both parts, the signed link to that very file, rows, size, expiry
        msgs = wait_for(lambda: mail_to(addr, t0), 10, 0.1, "the completion mail")
        assert len(msgs) == 1, len(msgs)
        m = msgs[0]
        assert "is ready" in m["Subject"], m["Subject"]
        text, html = mail_parts(m)
        links = [w for w in text.split() if "/downloads/" in w]
        assert links == [r["downloadUrl"]], (links, r["downloadUrl"])
        expires = verify_link(links[0], r["fileName"])
        assert abs(expires * 1000 - _ms(r["expiresAt"])) < 2000, (expires, r["expiresAt"])
        assert "Rows:     5" in text and "Size:" in text and "Expires:" in text, text
        assert r["downloadUrl"].replace("&", "&amp;") in html, html
        # the link's file is the one on disk (served from EXPORT_DIR by name)
        name = urllib.parse.urlsplit(links[0]).path.rsplit("/", 1)[1]
        assert os.path.samefile(os.path.join(wd.dir, name), path)
        # heartbeats: the registry lists the live worker with this host and its pid
        ws = wd.workers()
        assert len(ws) == 1 and ws[0]["pid"] in wd.children(), (ws, wd.children())
        assert ws[0]["id"].startswith(ws[0]["host"] + ":%d:" % ws[0]["pid"]), ws
    finally:
        rc = wd.stop()
    assert rc == 0, rc
    # a clean stop removes the worker from the registry
    assert wd.workers() == [], wd.workers()


def _ms(iso):
    if isinstance(iso, (int, float)):
        return int(iso)
    t = time.strptime(iso[:19], "%Y-%m-%dT%H:%M:%S")
    return int((time.mktime(t) - time.timezone) * 1000) + int(iso[20:23])


def _wait_running(wd, job_id, min_rows=1):
    """Wait until the job is active with rows written; returns the job."""
    def running():
        j = wd.job(job_id)
        assert j["status"] not in ("completed", "failed"), "finished too soon: %s" % j
        return j if j["status"] == "active" and j["rowsWritten"] >= min_rows else None
    return wait_for(running, 30, 0.02, "job running")


def test_sigkill_worker_midway():
    wd = Workerd("sigkill")
    try:
        wd.start()
        before = wd.children()
        job_id = wd.add(BIG)
        j = _wait_running(wd, job_id)
        victim = worker_pid(j)
        assert victim in before, (victim, before)
        os.kill(victim, signal.SIGKILL)
        # the supervisor replaces it (same count, a new pid) and says why
        wait_for(lambda: len(wd.children()) == len(before) and victim not in wd.children(),
                 10, 0.1, "replacement worker")
        wait_for(lambda: "killed by signal 9" in wd.log_text(), 5, 0.1, "exit status logged")
        j = wd.wait_status(job_id, ("completed", "failed"), 120)
        assert j["status"] == "completed", j
        assert j["attemptsMade"] == 2, j
        r = j["result"]
        assert r["rowCount"] == BIG_ROWS, r
        path = os.path.join(wd.dir, r["fileName"])
        assert csv_lines(path) == BIG_ROWS + 1
        assert os.path.getsize(path) == r["fileSize"]
        assert wd.files() == [r["fileName"]], wd.files()  # no .part left, one file
    finally:
        assert wd.stop() == 0


def _lock_spend_logs():
    """A psql session holding an ACCESS EXCLUSIVE lock on the spend table:
    every export query blocks (no row, no progress) until _unlock()."""
    locker = subprocess.Popen(
        ["psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", env["DATABASE_ADMIN_URL"]],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    locker.stdin.write(b'BEGIN;\nLOCK TABLE "LiteLLM_SpendLogs" IN ACCESS EXCLUSIVE MODE;\n'
                       b"SELECT 'locked';\n")
    locker.stdin.flush()
    line = locker.stdout.readline().strip()
    if line != b"locked":
        _unlock(locker)
        raise AssertionError("could not lock the spend table: %r" % line)
    return locker


def _unlock(locker):
    if locker.stdin.closed:  # already unlocked
        return
    try:
        locker.stdin.write(b"ROLLBACK;\n\\q\n")
        locker.stdin.close()
    except OSError:
        pass
    locker.wait(10)


def test_sigterm_hands_job_back():
    """SIGTERM with a job that cannot finish within the 1 s grace: its query
    is blocked on a lock held by another session, so the outcome does not
    depend on how fast the engine is (a 500k-row CSV now fits in 1 s)."""
    wd = Workerd("sigterm", EXPORT_SHUTDOWN_GRACE_S="1")
    locker = _lock_spend_logs()
    try:
        wd.start()
        job_id = wd.add(BIG)
        wd.wait_status(job_id, ("active",), 10)
        t0 = time.monotonic()
        wd.proc.send_signal(signal.SIGTERM)
        rc = wd.proc.wait(15)
        took = time.monotonic() - t0
        assert rc == 0, rc
        assert took < 1 + 5, took  # grace 1 s, plus the hand-back
        j = wd.job(job_id)
        assert j["status"] == "waiting", j
        assert j["attemptsMade"] == 0, j  # not charged
        assert j["rowsWritten"] == 0, j   # it really was held up, not finished
        assert not [n for n in wd.files() if n.endswith(".part")], wd.files()
        assert "handed back" in wd.log_text()
        # nothing lost: once the lock is gone the next workerd runs it to completion
        _unlock(locker)
        wd.env["EXPORT_SHUTDOWN_GRACE_S"] = "30"
        wd.start()
        j = wd.wait_status(job_id, ("completed", "failed"), 120)
        assert j["status"] == "completed" and j["attemptsMade"] == 1, j
        assert j["result"]["rowCount"] == BIG_ROWS
    finally:
        _unlock(locker)
        wd.stop()


def test_sigterm_lets_job_finish_within_grace():
    wd = Workerd("sigterm-finish", EXPORT_SHUTDOWN_GRACE_S="60")
    try:
        wd.start()
        job_id = wd.add(BIG)
        _wait_running(wd, job_id)
        wd.proc.send_signal(signal.SIGTERM)
        rc = wd.proc.wait(90)
        assert rc == 0, rc
        j = wd.job(job_id)
        assert j["status"] == "completed" and j["attemptsMade"] == 1, j
    finally:
        wd.stop()


def test_postgres_down_retries_then_fails():
    addr = "pgdown-%d@example.com" % os.getpid()
    wd = Workerd("pgdown", EXPORT_BACKOFF_MS="500")
    t0 = time.time() - 1
    try:
        wd.start()
        stack("stack_pg_stop")
        try:
            job_id = wd.add(SMALL, owner="bob", mail=addr)
            seen = []
            j = wd.wait_status(job_id, ("failed", "completed"), 60, seen)
        finally:
            stack("stack_pg_start")
        assert j["status"] == "failed", j
        assert j["attemptsMade"] == 3, j
        assert "delayed" in seen, seen  # retried with backoff in between
        err = j["error"]
        assert err and "database" in err.lower(), err
        for bad in ("SELECT", "LiteLLM", "/", "postgresql://", "FATAL"):
            assert bad not in err, err
        msgs = wait_for(lambda: mail_to(addr, t0), 10, 0.1, "the failure mail")
        assert "failed" in msgs[0]["Subject"], msgs[0]["Subject"]
        text, _ = mail_parts(msgs[0])
        assert err in text, text
        # PostgreSQL back: new jobs work with the same workers
        job2 = wd.add(SMALL)
        j2 = wd.wait_status(job2, ("completed", "failed"), 60)
        assert j2["status"] == "completed", j2
    finally:
        assert wd.stop() == 0


def test_missing_table_fails_at_once():
    wd = Workerd("sqlerr")
    try:
        wd.start()
        sql('ALTER TABLE "LiteLLM_SpendLogs" RENAME TO "LiteLLM_SpendLogs_away"')
        try:
            job_id = wd.add(SMALL)
            j = wd.wait_status(job_id, ("failed", "completed"), 30)
        finally:
            sql('ALTER TABLE "LiteLLM_SpendLogs_away" RENAME TO "LiteLLM_SpendLogs"')
        assert j["status"] == "failed" and j["attemptsMade"] == 1, j
        assert "relation" not in j["error"] and "SELECT" not in j["error"], j["error"]
    finally:
        wd.stop()


def test_redis_restart_workers_reconnect():
    wd = Workerd("redis")
    try:
        wd.start()
        pids = wd.children()
        stack("stack_redis_restart")
        job_id = wait_for(lambda: _try_add(wd), 20, 0.2, "redis back")
        j = wd.wait_status(job_id, ("completed", "failed"), 60)
        assert j["status"] == "completed", j
        assert wd.children() == pids, (pids, wd.children())  # nobody restarted
        # and a restart in the middle of an export: the job still ends whole
        big = wd.add(BIG)
        _wait_running(wd, big)
        stack("stack_redis_restart")
        j = wd.wait_status(big, ("completed", "failed"), 120)
        assert j["status"] == "completed" and j["attemptsMade"] in (1, 2), j
        r = j["result"]
        assert r["rowCount"] == BIG_ROWS
        assert csv_lines(os.path.join(wd.dir, r["fileName"])) == BIG_ROWS + 1
        assert not [n for n in wd.files() if n.endswith(".part")], wd.files()
        assert wd.children() == pids, (pids, wd.children())
        assert "ended" not in wd.log_text()
    finally:
        assert wd.stop() == 0


def _try_add(wd):
    try:
        return wd.add(SMALL)
    except RuntimeError:
        return None


def test_disk_full_fails_cleanly():
    mnt = os.path.join(xq.STACK_DIR, "wd-tmpfs")
    os.makedirs(mnt, exist_ok=True)
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", mnt], check=True)
    wd = Workerd("diskfull", export_dir=mnt, EXPORT_JOB_ATTEMPTS="2", EXPORT_BACKOFF_MS="200")
    try:
        wd.start()
        job_id = wd.add(BIG)
        j = wd.wait_status(job_id, ("failed", "completed"), 120)
        assert j["status"] == "failed", j
        assert "disk" in j["error"].lower() or "space" in j["error"].lower(), j["error"]
        assert mnt not in j["error"], j["error"]
        assert os.listdir(mnt) == [], os.listdir(mnt)
        assert wd.proc.poll() is None  # the daemon lives on
    finally:
        wd.stop()
        subprocess.run(["umount", mnt], check=False)


def test_cancel_active_job():
    wd = Workerd("cancel")
    try:
        wd.start()
        job_id = wd.add(BIG)
        _wait_running(wd, job_id)
        t0 = time.monotonic()
        assert json.loads(wd.qtool("cancel", job_id)) == {"wasActive": 1}
        j = wd.wait_status(job_id, ("cancelled", "completed", "failed"), 5)
        took = time.monotonic() - t0
        assert j["status"] == "cancelled", j
        assert took <= 2.0, took
        wait_for(lambda: wd.files() == [], 2, 0.05, "partial file gone")
        # the worker takes the next job
        j2 = wd.wait_status(wd.add(SMALL), ("completed", "failed"), 30)
        assert j2["status"] == "completed", j2
    finally:
        wd.stop()


def test_purge_expires_files():
    # two workerd sharing one prefix and one EXPORT_DIR, both purging
    opts = dict(EXPORT_FILE_RETENTION_HOURS="0.0005", EXPORT_PURGE_INTERVAL_S="1")
    a = Workerd("purge-a", **opts)
    b = Workerd("purge-b", export_dir=a.dir, prefix=a.prefix, **opts)
    try:
        a.start()
        b.start()
        jobs = [a.add(SMALL), a.add(dict(SMALL, format="json"))]
        done = [a.wait_status(j, ("completed", "failed"), 30) for j in jobs]
        for j in done:
            assert j["status"] == "completed", j
        names = [j["result"]["fileName"] for j in done]
        # retention 1.8 s, purge every second: gone within a few seconds
        wait_for(lambda: not any(os.path.exists(os.path.join(a.dir, n)) for n in names),
                 15, 0.2, "files purged")
        for jid in jobs:
            j = a.job(jid)
            assert j["status"] == "completed" and j["result"]["expired"] is True, j
        assert a.files() == [], a.files()
        for w in (a, b):
            assert "purge pass failed" not in w.log_text()
        # the signed link of a purged file answers 410 through the web server
        # (until the download route lands, the responder answers 501 for it)
        u = urllib.parse.urlsplit(done[0]["result"]["downloadUrl"])
        r = xq.http("GET", u.path + "?" + u.query)
        if r.status != 501:
            assert r.status == 410, r
    finally:
        assert a.stop() == 0
        assert b.stop() == 0


def test_stale_temp_file_purged():
    wd = Workerd("stale", EXPORT_PURGE_INTERVAL_S="1")
    old = os.path.join(wd.dir, ".raw-data-0f1e2d3c-aaaa-4bbb-8ccc-123456789abc.csv.part")
    fresh = os.path.join(wd.dir, ".raw-data-1f1e2d3c-aaaa-4bbb-8ccc-123456789abc.csv.part")
    other = os.path.join(wd.dir, "notes.txt")
    for p in (old, fresh, other):
        with open(p, "w") as f:
            f.write("x")
    past = time.time() - 2 * 3600
    os.utime(old, (past, past))
    os.utime(other, (past, past))
    try:
        wd.start()
        wait_for(lambda: not os.path.exists(old), 10, 0.2, "stale .part removed")
        assert os.path.exists(fresh) and os.path.exists(other)
    finally:
        wd.stop()


def test_sighup_rolls_workers_and_keeps_bad_config():
    conf = os.path.join(xq.STACK_DIR, "wd-hup.conf")
    shutil.copy(env["EXPORTQ_CONFIG"], conf)
    with open(conf, "a") as f:
        f.write("EXPORT_MAX_CONCURRENT_JOBS=1\n")
    wd = Workerd("hup")
    del wd.env["EXPORT_MAX_CONCURRENT_JOBS"]  # the environment would win over the file
    wd.env["EXPORTQ_CONFIG"] = conf
    try:
        wd.start(want=1)
        first = wd.children()
        assert len(first) == 3, first  # reaper, purger, one worker
        with open(conf, "a") as f:
            f.write("EXPORT_MAX_CONCURRENT_JOBS=2\n")
        wd.proc.send_signal(signal.SIGHUP)
        def rolled_all():
            now = wd.children()  # one snapshot: the old worker may exit meanwhile
            return now if len(now) == 4 and not set(first) & set(now) else None
        rolled = wait_for(rolled_all, 15, 0.1, "children rolled with 2 workers")
        with open(conf, "a") as f:
            f.write("EXPORT_MAX_CONCURRENT_JOBS=banana\n")
        wd.proc.send_signal(signal.SIGHUP)
        wait_for(lambda: "new configuration refused" in wd.log_text(), 5, 0.1, "refusal logged")
        time.sleep(0.5)
        assert wd.children() == rolled and wd.proc.poll() is None, (rolled, wd.children(),
                                                                   wd.log_text()[-3000:])
    finally:
        assert wd.stop() == 0


def test_config_error_one_line_exit_1():
    e = dict(os.environ, EXPORTQ_CONFIG=env["EXPORTQ_CONFIG"], REDIS_PORT="notaport")
    p = subprocess.run([WORKERD], env=e, capture_output=True, timeout=10)
    assert p.returncode == 1, p
    lines = p.stderr.decode().strip().splitlines()
    assert len(lines) == 1 and "REDIS_PORT" in lines[0], lines
    p = subprocess.run([WORKERD, "--help"], capture_output=True, timeout=10)
    assert p.returncode == 0 and b"EXPORT_SHUTDOWN_GRACE_S" in p.stdout


def test_supervisor_death_takes_children():
    wd = Workerd("orphans")
    try:
        wd.start()
        kids = wd.children()
        assert kids
        os.kill(wd.proc.pid, signal.SIGKILL)
        wd.proc.wait(5)

        def all_gone():
            return all(not os.path.exists("/proc/%d" % k) or _zombie(k) for k in kids)
        wait_for(all_gone, 10, 0.1, "children to exit after the supervisor")
    finally:
        wd.stop()


def _zombie(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return True


def test_silent_query_keeps_lease_and_cancels():
    """A query that returns no row for a long time (here: blocked on a lock)
    gets no progress callback; the lease must still be renewed, and a cancel
    must still stop it within 2 s (the keeper's PQcancel)."""
    wd = Workerd("silent")
    locker = subprocess.Popen(
        ["psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", env["DATABASE_ADMIN_URL"]],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        locker.stdin.write(b'BEGIN;\nLOCK TABLE "LiteLLM_SpendLogs" IN ACCESS EXCLUSIVE MODE;\n'
                           b"SELECT 'locked';\n")
        locker.stdin.flush()
        assert locker.stdout.readline().strip() == b"locked"
        wd.start()
        job_id = wd.add(SMALL)
        wd.wait_status(job_id, ("active",), 10)
        # three lease periods without a row: still ours, never recovered
        time.sleep(3 * 3.0)
        j = wd.job(job_id)
        assert j["status"] == "active" and j["attemptsMade"] == 1, j
        assert j["_leaseUntil"] > time.time() * 1000, j
        assert "recovered" not in wd.log_text()
        t0 = time.monotonic()
        assert json.loads(wd.qtool("cancel", job_id)) == {"wasActive": 1}
        j = wd.wait_status(job_id, ("cancelled", "completed", "failed"), 5)
        took = time.monotonic() - t0
        assert j["status"] == "cancelled", j
        assert took <= 2.0, took
        assert wd.files() == [], wd.files()
    finally:
        try:
            locker.stdin.write(b"ROLLBACK;\n\\q\n")
            locker.stdin.close()
        except OSError:
            pass
        locker.wait(10)
        wd.stop()


def _metric(wd, name):
    for line in wd.qtool("metrics").splitlines():
        if line.startswith("#"):
            continue
        parts = line.split()
        if len(parts) == 2 and parts[0].split("{")[0].endswith(name):
            return float(parts[1])
    return 0.0


def test_mail_failure_never_fails_the_job():
    # an SMTP port nobody listens on
    p = subprocess.run(["bash", "-c", ". %s/tests/lib/stack.sh && _stack_free_ports 1" % xq.ROOT],
                       capture_output=True, timeout=10)
    port = p.stdout.decode().split()[0]
    wd = Workerd("nomail", SMTP_URL="smtp://127.0.0.1:%s" % port)
    try:
        wd.start()
        before = _metric(wd, "mail_failures_total")
        j = wd.wait_status(wd.add(SMALL, mail="carol@example.com"), ("completed", "failed"), 60)
        assert j["status"] == "completed", j
        wait_for(lambda: _metric(wd, "mail_failures_total") == before + 1, 15, 0.2,
                 "mail failure counted")
        assert "mail not sent" in wd.log_text()
    finally:
        wd.stop()


def test_xlsx_close_phase_progress_and_cancel():
    """An Excel job after its last row is in the zip step, which has no
    callback in libxlsxwriter: progress (and etaSeconds) must keep moving,
    and a cancel then must stop it within the SPEC's 2 s (5 s allowed for a
    loaded machine) and leave no file.  The worker has its keeper thread, so
    this also runs the forked close from a threaded process."""
    wd = Workerd("xlsx-close")
    try:
        wd.start()
        job_id = wd.add(dict(BIG, format="excel"))

        def in_close():
            j = wd.job(job_id)
            assert j["status"] not in ("completed", "failed", "cancelled"), j
            if j["status"] == "active" and j["rowsWritten"] == BIG_ROWS == j["rowsEstimated"]:
                return j
            return None
        samples = [wait_for(in_close, 120, 0.05, "the close phase")]
        t_close = time.monotonic()
        while len(set(s["progress"] for s in samples)) < 3 and time.monotonic() < t_close + 30:
            time.sleep(0.3)
            samples.append(wd.job(job_id))
            assert samples[-1]["status"] == "active", samples
        pcs = [s["progress"] for s in samples]
        assert pcs == sorted(pcs) and len(set(pcs)) >= 3, pcs
        assert 40 <= pcs[0] and pcs[-1] < 99, pcs
        assert all(s.get("etaSeconds", 0) > 0 for s in samples), samples
        t0 = time.monotonic()
        assert json.loads(wd.qtool("cancel", job_id)) == {"wasActive": 1}
        j = wd.wait_status(job_id, ("cancelled", "completed", "failed"), 10)
        took = time.monotonic() - t0
        print("close phase: progress %s over %.1f s; cancel took %.2f s"
              % (pcs, t0 - t_close, took))
        assert j["status"] == "cancelled", j
        assert took <= 5.0, took
        assert wd.files() == [], wd.files()
    finally:
        assert wd.stop() == 0
