"""The private stack itself: both PostgreSQL roles, Redis persistence, the
mail sink and the web server in front of the responder.  Runs under both web
servers."""
import os
import smtplib
import socket
import urllib.parse
from email.message import EmailMessage

import xq

WEB_SERVERS = ("lighttpd", "apache")


def test_postgres_answers_as_both_roles():
    assert xq.sql("SELECT current_user", admin=True) == [["exportq_admin"]]
    assert xq.sql("SELECT current_user", admin=False) == [["exportq_ro"]]
    # The read-only role may read both tables of the LiteLLM subset, no more.
    rows = xq.sql("""SELECT has_table_privilege('"LiteLLM_SpendLogs"', 'SELECT'),
                            has_table_privilege('"LiteLLM_UserTable"', 'SELECT'),
                            has_table_privilege('"LiteLLM_SpendLogs"', 'INSERT'),
                            has_table_privilege('"LiteLLM_UserTable"', 'UPDATE')""", admin=False)
    assert rows == [["t", "t", "f", "f"]], rows


def test_schema_matches_spec():
    cols = xq.sql("SELECT column_name, data_type, is_nullable FROM information_schema.columns "
                  "WHERE table_name = 'LiteLLM_SpendLogs' ORDER BY column_name")
    got = {c[0]: (c[1], c[2]) for c in cols}
    assert got["startTime"] == ("timestamp without time zone", "NO"), got["startTime"]
    assert got["spend"][0] == "double precision"
    assert got["total_tokens"][0] == "integer"
    assert got["request_duration_ms"] == ("integer", "YES")
    for col in ("model_group", "custom_llm_provider", "user", "team_id", "end_user",
                "status", "cache_hit"):
        assert got[col] == ("text", "YES"), (col, got[col])
    assert len(got) == 17, sorted(got)
    prec = xq.sql("SELECT datetime_precision FROM information_schema.columns "
                  "WHERE table_name = 'LiteLLM_SpendLogs' AND column_name = 'endTime'")
    assert prec == [["3"]], prec
    idx = xq.sql("SELECT indexdef FROM pg_indexes WHERE tablename = 'LiteLLM_SpendLogs' "
                 "AND indexname = 'LiteLLM_SpendLogs_startTime_idx'")
    assert len(idx) == 1 and '("startTime")' in idx[0][0], idx


def test_readonly_role_cannot_write():
    for stmt in ("INSERT INTO \"LiteLLM_UserTable\" (user_id) VALUES ('ro-intruder')",
                 "DELETE FROM \"LiteLLM_SpendLogs\"",
                 "CREATE TABLE ro_table (x int)"):
        try:
            xq.sql(stmt, admin=False)
        except RuntimeError as exc:
            assert "read-only" in str(exc) or "permission denied" in str(exc), exc
        else:
            raise AssertionError("read-only role could run: " + stmt)
    # Not even with the read-only default switched off for the session.
    try:
        xq.sql("SET default_transaction_read_only = off; "
               "INSERT INTO \"LiteLLM_UserTable\" (user_id) VALUES ('ro-intruder')", admin=False)
    except RuntimeError as exc:
        assert "permission denied" in str(exc), exc
    else:
        raise AssertionError("read-only role could INSERT")
    assert xq.sql("SELECT count(*) FROM \"LiteLLM_UserTable\" WHERE user_id = 'ro-intruder'") \
        == [["0"]]


def test_admin_role_writes_and_roundtrips_hostile_text():
    alias = 'O\'Brien, "Bob"\n=1+1 🦊 张伟'
    xq.sql('INSERT INTO "LiteLLM_UserTable" (user_id, user_alias) VALUES (%s, %s) '
           'ON CONFLICT (user_id) DO UPDATE SET user_alias = EXCLUDED.user_alias'
           % (xq.lit("it-stack-user"), xq.lit(alias)))
    got = xq.sql('SELECT user_alias, user_email FROM "LiteLLM_UserTable" '
                 "WHERE user_id = 'it-stack-user'", admin=False)
    assert got == [[alias, None]], got
    xq.sql("DELETE FROM \"LiteLLM_UserTable\" WHERE user_id = 'it-stack-user'")


def redis_config(name):
    reply = xq.redis("CONFIG", "GET", name)
    if isinstance(reply, dict):
        return reply[name]
    assert isinstance(reply, list) and len(reply) == 2 and reply[0] == name, reply
    return reply[1]


def test_redis_has_aof_on():
    assert xq.redis("PING") == "PONG"
    assert redis_config("appendonly") == "yes"
    assert redis_config("appendfsync") == "everysec"
    assert redis_config("maxmemory-policy") == "noeviction"
    assert redis_config("bind") == "127.0.0.1"


def test_redis_data_survives_restart():
    xq.redis("SET", "it:stack:persist", "kept")
    xq.stack("stack_redis_restart")
    assert xq.redis("GET", "it:stack:persist") == "kept"
    xq.redis("DEL", "it:stack:persist")


def test_mail_sink_stores_one_eml_per_message():
    before = set(xq.mails())
    url = urllib.parse.urlsplit(xq.env["SMTP_URL"])
    msg = EmailMessage()
    msg["From"] = "exportq@localhost"
    msg["To"] = "someone@example.com"
    msg["Subject"] = "stack test ✓"
    msg.set_content("download: http://example.invalid/x\n")
    with smtplib.SMTP(url.hostname, url.port, timeout=10) as s:
        s.ehlo()
        assert not s.has_extn("auth"), "the sink must not ask for AUTH"
        refused = s.send_message(msg, to_addrs=["someone@example.com", "other@example.org"])
        assert refused == {}
    new = xq.wait_for(lambda: sorted(set(xq.mails()) - before), 5, what="a new .eml")
    assert len(new) == 1, new
    with open(new[0], "rb") as f:
        data = f.read()
    assert b"X-Mailsink-To: someone@example.com, other@example.org" in data
    assert b"download: http://example.invalid/x" in data
    # Nothing half-written is left visible.
    assert not [n for n in os.listdir(xq.env["MAIL_DIR"]) if n.startswith(".tmp-")]


def test_web_server_answers_on_base_url():
    r = xq.http("GET", "/api/v1/health")
    # Until the responder is complete any status is acceptable here; what
    # matters is that the web server answered through the FastCGI route.
    assert 100 <= r.status <= 599
    server = (r.headers.get("Server") or "").lower()
    want = "apache" if xq.env["WEB_SERVER"] == "apache" else "lighttpd"
    assert want in server, r.headers


def listening_addresses(port):
    """Local addresses with a TCP socket in LISTEN state on port (from /proc)."""
    found = []
    for table, v6 in (("/proc/net/tcp", False), ("/proc/net/tcp6", True)):
        try:
            with open(table) as f:
                lines = f.readlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            addr, p = fields[1].split(":")
            if fields[3] == "0A" and int(p, 16) == port:
                if v6:
                    found.append(socket.inet_ntop(socket.AF_INET6, bytes.fromhex(addr)))
                else:
                    found.append(socket.inet_ntoa(bytes.fromhex(addr)[::-1]))
    return found


def test_servers_listen_on_loopback_only():
    for key in ("WEB_PORT", "PG_PORT", "REDIS_PORT", "SMTP_PORT"):
        addrs = listening_addresses(int(xq.env[key]))
        assert addrs, "nothing listens on %s" % key
        assert set(addrs) == {"127.0.0.1"}, (key, addrs)


def test_web_server_refuses_bodies_over_one_mib():
    # Up to 1 MiB reaches the responder (which answers 413 itself above
    # 64 KiB); beyond that the web server refuses before the responder.
    r = xq.http("POST", "/api/v1/admin/usage/export", token=xq.token(),
                headers={"Content-Type": "application/json"}, raw_body=b" " * (1048576 + 1))
    assert r.status == 413, r
