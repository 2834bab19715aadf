"""What doc/operations.md tells an operator to install, tried for real on the
private stack:

- etc/schema/readonly-role.sql: the role it creates can run an export and
  read the two LiteLLM tables, and nothing else (no write, no other table,
  no DDL); re-running it is harmless; without a password it refuses.
- etc/redis/exportq.conf: a redis-server started with it has AOF on and
  noeviction, and under memory pressure refuses writes instead of evicting.
- the exportq-fcgi.service pool: its ExecStart (spawn-fcgi + multiwatch),
  taken from the generated unit, serves a lighttpd that only connects to
  the socket; a killed responder is replaced.
"""
import http.client as httpclient
import json
import os
import pwd
import re
import shlex
import signal
import socket
import subprocess
import time
import urllib.parse

import xq
from xq import env, wait_for

BUILD = env.get("XQ_BUILD") or os.path.join(xq.ROOT, "build")
ROLE_SQL = os.path.join(xq.ROOT, "etc", "schema", "readonly-role.sql")
REDIS_SNIPPET = os.path.join(xq.ROOT, "etc", "redis", "exportq.conf")
RUN_USER = env.get("STACK_RUN_USER", "www-data")


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def psql_super(*args, input=None):
    cmd = ["psql", "-X", "-q", "-h", env["PG_DATA"], "-p", env["PG_PORT"], "-U", "postgres",
           "-d", "litellm"] + list(args)
    if os.geteuid() == 0:
        cmd = ["runuser", "-u", "postgres", "--"] + cmd
    return subprocess.run(cmd, input=input, capture_output=True, timeout=60)


def psql_as(url, query):
    return subprocess.run(["psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-c", query,
                           url], capture_output=True, timeout=60)


# ---------------------------------------------------------------- PostgreSQL role

def test_readonly_role_sql_grants_exactly_the_two_tables():
    role, pw = "xq_ro_test", "pw-" + os.urandom(8).hex()
    url = "postgresql://%s:%s@127.0.0.1:%s/litellm" % (role, pw, env["PG_PORT"])
    # without -v password the script refuses and creates nothing
    p = psql_super("-v", "ON_ERROR_STOP=1", "-v", "role=" + role, "-f", ROLE_SQL)
    assert p.returncode != 0 and b"set the role password" in p.stderr, p.stderr
    assert psql_super("-Atc", "SELECT count(*) FROM pg_roles WHERE rolname = '%s'" % role
                      ).stdout.strip() == b"0"
    xq.sql('CREATE TABLE IF NOT EXISTS "LiteLLM_VerificationToken" (token text PRIMARY KEY);'
           'INSERT INTO "LiteLLM_VerificationToken" VALUES (\'sk-secret\') ON CONFLICT DO NOTHING')
    try:
        for _ in range(2):  # idempotent
            p = psql_super("-v", "ON_ERROR_STOP=1", "-v", "role=" + role, "-v", "password=" + pw,
                           "-f", ROLE_SQL)
            assert p.returncode == 0, p.stderr
        n = psql_as(url, 'SELECT count(*) FROM "LiteLLM_SpendLogs"')
        assert n.returncode == 0, n.stderr
        assert int(n.stdout) == int(xq.sql('SELECT count(*) FROM "LiteLLM_SpendLogs"')[0][0])
        assert psql_as(url, 'SELECT count(*) FROM "LiteLLM_UserTable"').returncode == 0
        for q, why in [
            ('SELECT * FROM "LiteLLM_VerificationToken"', b"permission denied"),
            ('INSERT INTO "LiteLLM_UserTable" (user_id) VALUES (\'x\')', b"read-only"),
            # even with the read-only default overridden, the grants refuse
            ('BEGIN READ WRITE; INSERT INTO "LiteLLM_UserTable" (user_id) VALUES (\'x\'); '
             'COMMIT', b"permission denied"),
            ('CREATE TABLE t (a int)', b"read-only"),
            ('BEGIN READ WRITE; CREATE TABLE t (a int); COMMIT', b"permission denied"),
        ]:
            r = psql_as(url, q)
            assert r.returncode != 0 and why in r.stderr, (q, r.stderr)
        # and exportq itself works through it: a real export with this role
        out = os.path.join(xq.STACK_DIR, "ro-role-export.csv")
        e = {"PATH": "/usr/bin:/bin", "EXPORTQ_CONFIG": env["EXPORTQ_CONFIG"]}
        p = subprocess.run([os.path.join(BUILD, "ctl", "exportqctl"), "export", "--type",
                            "provider-breakdown", "--format", "csv", "--start", "2020-01-01",
                            "--end", "2030-12-31", "--database-url", url, "--quiet", "-o", out],
                           env=e, capture_output=True, timeout=120)
        assert p.returncode == 0, p.stderr
        with open(out, "rb") as f:
            head = f.readline()
        assert head.startswith(b"provider,requests,uniqueUsers"), head
        os.unlink(out)
    finally:
        psql_super("-c", 'DROP TABLE IF EXISTS "LiteLLM_VerificationToken"')
        psql_super("-c", "DROP OWNED BY %s" % role)
        psql_super("-c", "DROP ROLE IF EXISTS %s" % role)


# ---------------------------------------------------------------- Redis snippet

def _redis(port, *args):
    p = subprocess.run(["redis-cli", "-p", str(port)] + [str(a) for a in args],
                       capture_output=True, timeout=30)
    return p.stdout.decode().strip()


def test_redis_snippet_persists_and_never_evicts():
    port = free_port()
    d = os.path.join(xq.STACK_DIR, "redis-snippet")
    os.makedirs(d, exist_ok=True)
    conf = os.path.join(d, "redis.conf")
    with open(conf, "w") as f:
        f.write("include %s\nport %d\nbind 127.0.0.1\ndir %s\nsave \"\"\n" % (
            REDIS_SNIPPET, port, d))
    log = open(os.path.join(d, "redis.log"), "wb")
    proc = subprocess.Popen(["redis-server", conf], stdout=log, stderr=log)
    try:
        wait_for(lambda: _redis(port, "PING") == "PONG", 10, 0.1, "redis with the snippet")
        assert _redis(port, "CONFIG", "GET", "appendonly").split() == ["appendonly", "yes"]
        assert _redis(port, "CONFIG", "GET", "appendfsync").split() == ["appendfsync",
                                                                         "everysec"]
        assert _redis(port, "CONFIG", "GET", "maxmemory-policy").split() == [
            "maxmemory-policy", "noeviction"]
        assert _redis(port, "CONFIG", "GET", "maxmemory").split() == ["maxmemory", "268435456"]
        # under pressure: writes refused, nothing evicted
        for i in range(20):
            _redis(port, "-n", "1", "SET", "job:%d" % i, "x" * 1000)
        used = int(re.search(r"used_memory:(\d+)", _redis(port, "INFO", "memory")).group(1))
        _redis(port, "CONFIG", "SET", "maxmemory", str(used + 1024))
        errors = 0
        for i in range(20, 200):
            r = _redis(port, "-n", "1", "SET", "job:%d" % i, "x" * 1000)
            errors += r.startswith("OOM") or "OOM" in r
        assert errors > 0
        for i in range(20):
            assert _redis(port, "-n", "1", "EXISTS", "job:%d" % i) == "1", i
        # and the AOF is there to survive a restart
        assert os.path.isdir(os.path.join(d, "appendonlydir")), os.listdir(d)
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=20)
        log.close()


# ---------------------------------------------------------------- spawn-fcgi pool

def _unit_execstart():
    unit = os.path.join(BUILD, "etc", "systemd", "exportq-fcgi.service")
    text = open(unit).read().replace("\\\n", " ")
    line = [l for l in text.splitlines() if l.startswith("ExecStart=")][0]
    return shlex.split(line[len("ExecStart="):])


def _children(pid):
    out = []
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open("/proc/%s/status" % d) as f:
                    st = f.read()
            except OSError:
                continue
            if re.search(r"^PPid:\s+%d$" % pid, st, re.M):
                out.append(int(d))
    return out


def test_fcgi_unit_pool_serves_lighttpd_without_bin_path():
    argv = _unit_execstart()
    assert argv[0] == "/usr/bin/spawn-fcgi" and "/usr/bin/multiwatch" in argv, argv
    if not os.access("/usr/bin/multiwatch", os.X_OK):
        raise AssertionError("multiwatch is not installed (apt-get install multiwatch)")
    d = os.path.join(xq.STACK_DIR, "fcgi-pool")
    os.makedirs(d, exist_ok=True)
    sock = os.path.join(d, "fcgi.sock")
    fcgi = os.path.join(BUILD, "fcgi", "exportq.fcgi")
    # the unit's command with this stack's socket and build
    argv = [sock if a == "/run/exportq/fcgi.sock" else a for a in argv]
    argv[-1] = fcgi
    if os.geteuid() == 0:
        pw = pwd.getpwnam(RUN_USER)
        os.chown(d, pw.pw_uid, pw.pw_gid)
        argv = ["setpriv", "--reuid", RUN_USER, "--regid", RUN_USER, "--init-groups", "--"] + argv
    log = open(os.path.join(d, "pool.log"), "wb")
    pool = subprocess.Popen(argv, stdout=log, stderr=log,
                            env={"PATH": "/usr/bin:/bin", "EXPORTQ_CONFIG": env["EXPORTQ_CONFIG"]})
    port = free_port()
    conf = os.path.join(d, "lighttpd.conf")
    with open(conf, "w") as f:
        f.write('server.bind = "127.0.0.1"\nserver.port = %d\nserver.document-root = "%s"\n'
                'server.pid-file = "%s/lighttpd.pid"\nserver.errorlog = "%s/error.log"\n'
                'server.modules = ( "mod_fastcgi" )\n' % (port, d, d, d))
        if os.geteuid() == 0:
            f.write('server.username = "%s"\nserver.groupname = "%s"\n' % (RUN_USER, RUN_USER))
        f.write('$HTTP["url"] =~ "^/(api/|downloads/|metrics$)" {\n'
                '  fastcgi.server = ( "/" => ( "exportq" => ( "socket" => "%s",\n'
                '    "check-local" => "disable" ) ) )\n}\n' % sock)
    web = None
    try:
        wait_for(lambda: os.path.exists(sock) and len(_children(pool.pid)) == 4, 15, 0.1,
                 "spawn-fcgi socket and 4 responders under multiwatch")
        assert oct(os.stat(sock).st_mode & 0o777) == "0o660"
        web = subprocess.Popen(["lighttpd", "-D", "-f", conf], stdout=log, stderr=log)
        url = "http://127.0.0.1:%d" % port

        def health():
            try:
                c = httpclient.HTTPConnection("127.0.0.1", port, timeout=5)
                c.request("GET", "/api/v1/health")
                r = c.getresponse()
                return r.status, json.loads(r.read() or b"null")
            except OSError:
                return None
        st = wait_for(health, 15, 0.1, "lighttpd -> pool")
        assert st[0] == 200 and st[1]["status"] == "ok", (url, st)
        victims = _children(pool.pid)
        os.kill(victims[0], signal.SIGKILL)
        wait_for(lambda: len(_children(pool.pid)) == 4 and victims[0] not in _children(pool.pid),
                 15, 0.1, "multiwatch replaced the killed responder")
        for _ in range(8):
            assert health()[0] == 200
        responders = _children(pool.pid)
    finally:
        if web is not None:
            web.terminate()
            web.wait(timeout=20)
        pool.terminate()
        pool.wait(timeout=20)
        log.close()
    # stopping the service stops every responder
    wait_for(lambda: not any(os.path.exists("/proc/%d" % r) for r in responders), 10, 0.1,
             "responders gone after SIGTERM to the pool")


# ---------------------------------------------------------------- backup and restore

def _ctl(port, *args):
    e = {"PATH": "/usr/bin:/bin", "EXPORTQ_CONFIG": env["EXPORTQ_CONFIG"],
         "REDIS_PORT": str(port)}
    p = subprocess.run([os.path.join(BUILD, "ctl", "exportqctl")] + list(args), env=e,
                       capture_output=True, timeout=60)
    return p.returncode, p.stdout.decode(), p.stderr.decode()


def _add(port, owner):
    e = dict(os.environ, EXPORTQ_CONFIG=env["EXPORTQ_CONFIG"], REDIS_PORT=str(port))
    body = {"startDate": "2026-01-01", "endDate": "2026-01-31", "exportType": "raw-data",
            "format": "csv"}
    p = subprocess.run([os.path.join(BUILD, "tests", "tools", "xq-qtool"), "add", owner,
                        owner + "@example.com", json.dumps(body)], env=e, capture_output=True,
                       timeout=30)
    assert p.returncode == 0, p.stderr
    return p.stdout.decode().strip()


def _start_redis(conf, d, *extra):
    log = open(os.path.join(d, "redis.log"), "ab")
    p = subprocess.Popen(["redis-server", conf] + list(extra), stdout=log, stderr=log)
    log.close()
    return p


def test_backup_and_restore_procedure_of_operations_md():
    """doc/operations.md §10, step by step, on a Redis with the shipped snippet
    (the stack's own Redis is left alone: no worker touches these jobs)."""
    port = free_port()
    d = os.path.join(xq.STACK_DIR, "redis-restore")
    os.makedirs(d, exist_ok=True)
    conf = os.path.join(d, "redis.conf")
    with open(conf, "w") as f:
        f.write("include %s\nport %d\nbind 127.0.0.1\ndir %s\n" % (REDIS_SNIPPET, port, d))
    proc = _start_redis(conf, d)
    procs = [proc]
    try:
        wait_for(lambda: _redis(port, "PING") == "PONG", 10, 0.1, "redis up")
        kept = [_add(port, "restore-%d" % i) for i in range(3)]
        assert _ctl(port, "cancel", kept[2])[0] == 0  # a finished state survives too
        # backup: BGSAVE, wait for the rdb_saves counter to move, copy
        def saves():
            return re.search(r"^rdb_saves:(\d+)", _redis(port, "INFO", "persistence"),
                             re.M).group(1)
        before = saves()
        assert _redis(port, "BGSAVE").startswith("Background saving")
        dump = os.path.join(d, "dump.rdb")

        def saved():
            # a BGSAVE may be scheduled behind the start-up AOF rewrite: wait for
            # the counter, no save in progress, and the file itself
            info = _redis(port, "INFO", "persistence")
            return (saves() != before and "rdb_bgsave_in_progress:0" in info and
                    os.path.exists(dump))
        wait_for(saved, 30, 0.1, "BGSAVE done")
        assert "rdb_last_bgsave_status:ok" in _redis(port, "INFO", "persistence")
        backup = os.path.join(d, "backup.rdb")
        with open(os.path.join(d, "dump.rdb"), "rb") as src, open(backup, "wb") as dst:
            dst.write(src.read())
        lost = _add(port, "restore-late")  # after the backup: gone after the restore
        # disaster: the data is wiped (and the AOF records the wipe)
        _redis(port, "FLUSHALL")
        assert _ctl(port, "show", kept[0])[0] == 3
        _redis(port, "SHUTDOWN")
        proc.wait(timeout=20)

        # restore, as written
        subprocess.run(["rm", "-rf", os.path.join(d, "appendonlydir")], check=True)
        os.replace(backup, os.path.join(d, "dump.rdb"))
        proc = _start_redis(conf, d, "--appendonly", "no")
        procs.append(proc)
        wait_for(lambda: _redis(port, "PING") == "PONG", 10, 0.1, "redis up (AOF off)")
        assert _redis(port, "CONFIG", "SET", "appendonly", "yes") == "OK"
        wait_for(lambda: not re.search(r"^aof_rewrite_(in_progress|scheduled):1",
                                       _redis(port, "INFO", "persistence"), re.M),
                 30, 0.1, "AOF rewritten")
        assert _redis(port, "CONFIG", "REWRITE") == "OK"
        _redis(port, "SHUTDOWN")
        proc.wait(timeout=20)
        proc = _start_redis(conf, d)
        procs.append(proc)
        wait_for(lambda: _redis(port, "PING") == "PONG", 10, 0.1, "redis up (normal start)")
        assert _redis(port, "CONFIG", "GET", "appendonly").split() == ["appendonly", "yes"]
        # the jobs of the backup are back, with their states; the later one is not
        states = []
        for jid in kept:
            rc, out, err = _ctl(port, "show", jid, "--json")
            assert rc == 0, err
            states.append(json.loads(out)["status"])
        assert states == ["waiting", "waiting", "cancelled"], states
        assert _ctl(port, "show", lost)[0] == 3
        rc, out, _ = _ctl(port, "stats", "--json")
        st = json.loads(out)
        assert (st["waiting"], st["cancelled"]) == (2, 1), st
        # and a further plain restart (AOF only now) still has them
        _redis(port, "SHUTDOWN")
        proc.wait(timeout=20)
        os.unlink(os.path.join(d, "dump.rdb"))
        proc = _start_redis(conf, d)
        procs.append(proc)
        wait_for(lambda: _redis(port, "PING") == "PONG", 10, 0.1, "redis up (AOF only)")
        assert _ctl(port, "show", kept[0])[0] == 0
    finally:
        for p in procs:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
                p.wait(timeout=20)
