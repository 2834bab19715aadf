# shellcheck shell=bash
# tests/lib/stack.sh — start and stop a private exportq stack under one directory.
#
# Sourced by ./dev (the dev stack under .dev/) and tests/integration/run.sh
# (a throw-away stack under mktemp -d).  Everything lives in $STACK_DIR:
#
#   env            shell-syntax variables for clients (SPEC 9, 10)
#   exportq.conf   the programs' configuration (EXPORTQ_CONFIG)
#   run/*.pid      one pid file per server; only these pids are ever signalled
#   log/           postgres.log redis.log mail.log web-error.log access.log responder.log workerd.log
#   pg/ redis/ mail/ exports/ web/   data of each part
#
# Servers listen on 127.0.0.1 only.  With `stack_init DIR --dev` the ports are
# fixed (web 8081, PostgreSQL 58432, Redis 58379, SMTP 58025) or whatever DIR
# already recorded; otherwise free ephemeral ports are picked, so any number of
# test stacks run beside the dev stack.
#
# Users: as root, PostgreSQL runs as `postgres` (it refuses root), and the
# responder (spawned by the web server) and exportq-workerd run as the
# unprivileged $STACK_RUN_USER (www-data): both read and write EXPORT_DIR,
# which that user owns (0770); exportq.conf is root:www-data 0640 because it
# holds the secrets.  Redis and the mail sink run as the caller.  As a normal
# user, everything runs as that user.
#
# Functions return non-zero with a message on stderr naming the log to read.

XQ_ROOT=${XQ_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
XQ_PGBIN=${XQ_PGBIN:-/usr/lib/postgresql/15/bin}
XQ_PY=${XQ_PY:-/usr/bin/python3}
STACK_WAIT_S=${STACK_WAIT_S:-30}

STACK_DEV_WEB_PORT=8081
STACK_DEV_PG_PORT=58432
STACK_DEV_REDIS_PORT=58379
STACK_DEV_SMTP_PORT=58025

_stack_err() { printf 'stack: %s\n' "$*" >&2; }
_stack_say() { printf 'stack: %s\n' "$*"; }

# Random hex (no shell or URL metacharacters, safe in SQL literals too).
_stack_hex() { od -An -N"$1" -tx1 /dev/urandom | tr -d ' \n'; }

_stack_is_root() { [ "$(id -u)" -eq 0 ]; }

# Run a command as the PostgreSQL owner.
_stack_as_pg() {
    if _stack_is_root; then runuser -u postgres -- "$@"; else "$@"; fi
}

# _stack_free_ports N: print N distinct free TCP ports on 127.0.0.1.
_stack_free_ports() {
    "$XQ_PY" - "$1" <<'PY'
import socket, sys
socks = []
for _ in range(int(sys.argv[1])):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    socks.append(s)
print(" ".join(str(s.getsockname()[1]) for s in socks))
PY
}

# _stack_port_open PORT: true when something accepts TCP on 127.0.0.1:PORT.
_stack_port_open() {
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# _stack_pid NAME: print the pid recorded for NAME (empty when none).
_stack_pid() {
    local f="$STACK_DIR/run/$1.pid"
    [ -s "$f" ] || return 1
    local pid
    pid=$(head -n1 "$f" | tr -dc '0-9')
    [ -n "$pid" ] || return 1
    printf '%s\n' "$pid"
}

# _stack_alive NAME: the recorded pid is alive and still runs the program we
# started (guards against a recycled pid).
_stack_alive() {
    local pid
    pid=$(_stack_pid "$1") || return 1
    kill -0 "$pid" 2>/dev/null || return 1
    local want
    case $1 in
        postgres) want=postgres ;;
        redis) want=redis-server ;;
        mail) want=mailsink ;;
        web) want="lighttpd\|apache2" ;;
        workerd) want=exportq-workerd ;;
        *) want=. ;;
    esac
    tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q "$want"
}

# _stack_wait DESC LOG CMD...: poll CMD until it succeeds or STACK_WAIT_S passes.
_stack_wait() {
    local desc=$1 log=$2 deadline=$((SECONDS + STACK_WAIT_S))
    shift 2
    while ! "$@" >/dev/null 2>&1; do
        if [ "$SECONDS" -ge "$deadline" ]; then
            _stack_err "$desc did not come up within ${STACK_WAIT_S}s; see $log"
            [ -f "$log" ] && tail -n 15 "$log" | sed 's/^/    /' >&2
            return 1
        fi
        sleep 0.1
    done
}

# _stack_kill NAME TIMEOUT_S: SIGTERM the recorded pid, wait, then SIGKILL.
_stack_kill() {
    local name=$1 timeout=${2:-10} pid i
    if ! _stack_alive "$name"; then
        rm -f "$STACK_DIR/run/$name.pid"
        return 0
    fi
    pid=$(_stack_pid "$name")
    kill -TERM "$pid" 2>/dev/null
    for ((i = 0; i < timeout * 10; i++)); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
        _stack_err "$name (pid $pid) ignored SIGTERM for ${timeout}s: SIGKILL"
        kill -KILL "$pid" 2>/dev/null
        sleep 0.2
    fi
    rm -f "$STACK_DIR/run/$name.pid"
}

_stack_q() { printf "'%s'" "${1//\'/\'\\\'\'}"; }

# Write $STACK_DIR/env from the current variables.
_stack_write_env() {
    local f="$STACK_DIR/env" v tmp
    tmp="$f.tmp.$$"
    {
        echo "# exportq private stack: written by tests/lib/stack.sh; source it."
        for v in STACK_DIR BASE_URL DATABASE_URL DATABASE_ADMIN_URL REDIS_URL REDIS_HOST \
                 REDIS_PORT REDIS_JOB_DB JWT_SECRET EXPORT_DIR MAIL_DIR SMTP_URL EXPORTQ_CONFIG \
                 XQ_BUILD XQ_ROOT PG_PORT PG_DATA WEB_PORT SMTP_PORT WEB_SERVER STACK_RUN_USER \
                 XQ_PG_ADMIN_PASSWORD XQ_PG_RO_PASSWORD; do
            printf 'export %s=%s\n' "$v" "$(_stack_q "${!v}")"
        done
    } >"$tmp" && chmod 0600 "$tmp" && mv "$tmp" "$f"
}

_stack_write_config() {
    local f="$STACK_DIR/exportq.conf" tmp
    tmp="$f.tmp.$$"
    {
        echo "# exportq configuration of the private stack (tests/lib/stack.sh)"
        echo "DATABASE_URL=$DATABASE_URL"
        echo "REDIS_HOST=$REDIS_HOST"
        echo "REDIS_PORT=$REDIS_PORT"
        echo "REDIS_JOB_DB=$REDIS_JOB_DB"
        echo "REDIS_KEY_PREFIX=exportq"
        echo "JWT_SECRET=$JWT_SECRET"
        echo "EXPORT_DIR=$EXPORT_DIR"
        echo "EXPORT_DOWNLOAD_BASE_URL=$BASE_URL"
        echo "EXPORT_MAX_CONCURRENT_JOBS=2"
        echo "EXPORT_XSENDFILE=1"
        echo "SMTP_URL=$SMTP_URL"
        echo "SMTP_FROM=exportq@localhost"
        echo "LOG_LEVEL=info"
        # Extra KEY=value lines for keys not listed above (tests that need
        # other limits); the programs reject unknown keys.
        if [ -n "${STACK_CONFIG_EXTRA:-}" ]; then printf '%s\n' "$STACK_CONFIG_EXTRA"; fi
    } >"$tmp" || return 1
    if _stack_is_root; then
        chown "root:$STACK_RUN_USER" "$tmp" && chmod 0640 "$tmp"
    else
        chmod 0600 "$tmp"
    fi && mv "$tmp" "$f"
}

# stack_init DIR [--dev]
stack_init() {
    local dir=$1 dev=0 caller_jwt=${JWT_SECRET:-}
    [ "${2:-}" = --dev ] && dev=1
    if [ -z "$dir" ]; then _stack_err "stack_init: no directory given"; return 1; fi
    mkdir -p "$dir" || return 1
    STACK_DIR=$(cd "$dir" && pwd)
    export STACK_DIR
    mkdir -p "$STACK_DIR"/{run,log,redis,mail,exports,web/tmp,web/sock,web/apache} || return 1
    # Others (postgres, www-data) must traverse it; mktemp -d makes 0700.
    chmod 0711 "$STACK_DIR"

    if _stack_is_root; then STACK_RUN_USER=${STACK_RUN_USER:-www-data}; else STACK_RUN_USER=$(id -un); fi

    # What an earlier init of this directory recorded (ports, passwords, secret).
    local old_pg='' old_redis='' old_web='' old_smtp='' old_jwt='' old_admin='' old_ro='' old_pgdata=''
    local old_server=''
    if [ -f "$STACK_DIR/env" ]; then
        old_pg=$( . "$STACK_DIR/env"; echo "${PG_PORT:-}")
        old_redis=$( . "$STACK_DIR/env"; echo "${REDIS_PORT:-}")
        old_web=$( . "$STACK_DIR/env"; echo "${WEB_PORT:-}")
        old_smtp=$( . "$STACK_DIR/env"; echo "${SMTP_PORT:-}")
        old_jwt=$( . "$STACK_DIR/env"; echo "${JWT_SECRET:-}")
        old_admin=$( . "$STACK_DIR/env"; echo "${XQ_PG_ADMIN_PASSWORD:-}")
        old_ro=$( . "$STACK_DIR/env"; echo "${XQ_PG_RO_PASSWORD:-}")
        old_pgdata=$( . "$STACK_DIR/env"; echo "${PG_DATA:-}")
        old_server=$( . "$STACK_DIR/env"; echo "${WEB_SERVER:-}")
    fi

    if [ -n "$old_pg" ] && [ -n "$old_redis" ] && [ -n "$old_web" ] && [ -n "$old_smtp" ]; then
        PG_PORT=$old_pg REDIS_PORT=$old_redis WEB_PORT=$old_web SMTP_PORT=$old_smtp
    elif [ "$dev" = 1 ]; then
        PG_PORT=$STACK_DEV_PG_PORT REDIS_PORT=$STACK_DEV_REDIS_PORT
        WEB_PORT=$STACK_DEV_WEB_PORT SMTP_PORT=$STACK_DEV_SMTP_PORT
    else
        local ports
        ports=$(_stack_free_ports 4) || { _stack_err "cannot find free ports"; return 1; }
        read -r PG_PORT REDIS_PORT WEB_PORT SMTP_PORT <<<"$ports"
    fi

    JWT_SECRET=${caller_jwt:-${old_jwt:-$(_stack_hex 32)}}
    XQ_PG_ADMIN_PASSWORD=${old_admin:-$(_stack_hex 16)}
    XQ_PG_RO_PASSWORD=${old_ro:-$(_stack_hex 16)}
    WEB_SERVER=${old_server:-lighttpd}

    # PostgreSQL needs a data dir its user can reach; when the path to
    # STACK_DIR is not traversable by postgres, use one under /tmp.
    if [ -n "$old_pgdata" ]; then
        PG_DATA=$old_pgdata
    elif ! _stack_is_root || runuser -u postgres -- test -x "$STACK_DIR"; then
        PG_DATA=$STACK_DIR/pg
    else
        PG_DATA=$(mktemp -d /tmp/xq-pg.XXXXXX) || return 1
    fi

    XQ_BUILD=${XQ_BUILD:-$XQ_ROOT/build}
    XQ_BUILD=$(cd "$XQ_BUILD" 2>/dev/null && pwd || echo "$XQ_BUILD")
    BASE_URL="http://127.0.0.1:$WEB_PORT"
    REDIS_HOST=127.0.0.1
    REDIS_JOB_DB=${REDIS_JOB_DB:-1}
    REDIS_URL="redis://127.0.0.1:$REDIS_PORT/$REDIS_JOB_DB"
    DATABASE_URL="postgresql://exportq_ro:$XQ_PG_RO_PASSWORD@127.0.0.1:$PG_PORT/litellm"
    DATABASE_ADMIN_URL="postgresql://exportq_admin:$XQ_PG_ADMIN_PASSWORD@127.0.0.1:$PG_PORT/litellm"
    EXPORT_DIR=$STACK_DIR/exports
    MAIL_DIR=$STACK_DIR/mail
    SMTP_URL="smtp://127.0.0.1:$SMTP_PORT"
    EXPORTQ_CONFIG=$STACK_DIR/exportq.conf
    export BASE_URL DATABASE_URL DATABASE_ADMIN_URL REDIS_URL REDIS_HOST REDIS_PORT REDIS_JOB_DB \
           JWT_SECRET EXPORT_DIR MAIL_DIR SMTP_URL EXPORTQ_CONFIG XQ_BUILD XQ_ROOT PG_PORT \
           PG_DATA WEB_PORT SMTP_PORT WEB_SERVER STACK_RUN_USER

    if _stack_is_root; then
        chown "$STACK_RUN_USER:$STACK_RUN_USER" "$EXPORT_DIR" "$STACK_DIR/web/tmp" "$STACK_DIR/web/sock"
        chmod 0770 "$EXPORT_DIR"
    fi
    _stack_write_config && _stack_write_env
}

_stack_need_init() {
    if [ -z "${STACK_DIR:-}" ] || [ ! -f "$STACK_DIR/env" ]; then
        _stack_err "stack_init has not run (STACK_DIR=${STACK_DIR:-unset})"
        return 1
    fi
}

# _stack_claim_port NAME PORT: fail when a foreign process holds PORT.
_stack_claim_port() {
    if _stack_port_open "$2"; then
        _stack_err "$1: port 127.0.0.1:$2 is already in use by a process that is not ours"
        return 1
    fi
}

# ---------------------------------------------------------------- PostgreSQL

_stack_psql_super() {
    _stack_as_pg psql -X -q -v ON_ERROR_STOP=1 \
        -h "$PG_DATA" -p "$PG_PORT" -U postgres "$@"
}

stack_pg_start() {
    _stack_need_init || return 1
    local log=$STACK_DIR/log/postgres.log
    if _stack_alive postgres; then
        _stack_say "postgres already running (pid $(_stack_pid postgres))"
    else
        _stack_claim_port postgres "$PG_PORT" || return 1
        mkdir -p "$PG_DATA" && touch "$log" || return 1
        if _stack_is_root; then
            chown postgres:postgres "$PG_DATA" "$log" && chmod 0700 "$PG_DATA"
        fi
        if [ ! -f "$PG_DATA/PG_VERSION" ]; then
            _stack_as_pg "$XQ_PGBIN/initdb" -D "$PG_DATA" -U postgres -E UTF8 --locale=C.UTF-8 \
                --auth-local=trust --auth-host=scram-sha-256 >>"$log" 2>&1 ||
                { _stack_err "initdb failed; see $log"; return 1; }
            # Loopback only, socket in the data dir; wal_level=minimal lets the
            # demo load (TRUNCATE + INSERT in one transaction) skip the WAL.
            cat >>"$PG_DATA/postgresql.conf" <<CONF

# exportq private stack
listen_addresses = '127.0.0.1'
unix_socket_directories = '$PG_DATA'
wal_level = minimal
max_wal_senders = 0
max_wal_size = 2GB
max_connections = 100
password_encryption = scram-sha-256
CONF
        fi
        # The port is given at start so a stack re-inited with other ports works.
        _stack_as_pg "$XQ_PGBIN/pg_ctl" -D "$PG_DATA" -l "$log" -o "-p $PG_PORT" -w -t "$STACK_WAIT_S" \
            start >/dev/null 2>&1 || { _stack_err "postgres did not start; see $log"; tail -n 15 "$log" >&2; return 1; }
        head -n1 "$PG_DATA/postmaster.pid" >"$STACK_DIR/run/postgres.pid"
        _stack_wait "postgres" "$log" pg_isready -q -h 127.0.0.1 -p "$PG_PORT" || return 1
    fi
    stack_pg_setup
}

# Roles, database, schema and grants; idempotent.
stack_pg_setup() {
    _stack_need_init || return 1
    _stack_psql_super -d postgres -v admin_pw="$XQ_PG_ADMIN_PASSWORD" -v ro_pw="$XQ_PG_RO_PASSWORD" <<'SQL' || return 1
SELECT 'CREATE ROLE exportq_admin LOGIN'
    WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'exportq_admin') \gexec
SELECT 'CREATE ROLE exportq_ro LOGIN'
    WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'exportq_ro') \gexec
ALTER ROLE exportq_admin PASSWORD :'admin_pw';
ALTER ROLE exportq_ro PASSWORD :'ro_pw';
ALTER ROLE exportq_ro SET default_transaction_read_only = on;
SELECT 'CREATE DATABASE litellm OWNER exportq_admin ENCODING ''UTF8'' TEMPLATE template0'
    WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = 'litellm') \gexec
REVOKE ALL ON DATABASE litellm FROM PUBLIC;
GRANT CONNECT, TEMPORARY ON DATABASE litellm TO exportq_admin;
GRANT CONNECT ON DATABASE litellm TO exportq_ro;
SQL
    _stack_psql_super -d litellm <<'SQL' || return 1
REVOKE ALL ON SCHEMA public FROM PUBLIC;
GRANT USAGE, CREATE ON SCHEMA public TO exportq_admin;
GRANT USAGE ON SCHEMA public TO exportq_ro;
SQL
    stack_pg_schema
}

# (Re)create the schema as the admin role and grant the read-only role
# SELECT on the two tables (also after a test dropped and recreated them).
stack_pg_schema() {
    _stack_need_init || return 1
    psql -X -q -v ON_ERROR_STOP=1 "$DATABASE_ADMIN_URL" -f "$XQ_ROOT/etc/schema/litellm-subset.sql" \
        >>"$STACK_DIR/log/postgres-client.log" 2>&1 &&
    psql -X -q -v ON_ERROR_STOP=1 "$DATABASE_ADMIN_URL" \
        -c 'GRANT SELECT ON "LiteLLM_SpendLogs", "LiteLLM_UserTable" TO exportq_ro' \
        >>"$STACK_DIR/log/postgres-client.log" 2>&1 ||
        { _stack_err "loading the schema failed; see $STACK_DIR/log/postgres-client.log"; return 1; }
}

stack_pg_stop() {
    [ -n "${STACK_DIR:-}" ] || return 0
    if _stack_alive postgres && [ -n "${PG_DATA:-}" ] && [ -f "$PG_DATA/postmaster.pid" ]; then
        _stack_as_pg "$XQ_PGBIN/pg_ctl" -D "$PG_DATA" -m fast -w -t 30 stop >/dev/null 2>&1
    fi
    _stack_kill postgres 10
}

# ---------------------------------------------------------------- Redis

_stack_redis_ours() {
    local pid
    pid=$(_stack_pid redis) || return 1
    redis-cli -h 127.0.0.1 -p "$REDIS_PORT" INFO server 2>/dev/null | tr -d '\r' |
        grep -qx "process_id:$pid"
}

stack_redis_start() {
    _stack_need_init || return 1
    local log=$STACK_DIR/log/redis.log
    if _stack_alive redis; then
        _stack_say "redis already running (pid $(_stack_pid redis))"
        return 0
    fi
    _stack_claim_port redis "$REDIS_PORT" || return 1
    rm -f "$STACK_DIR/run/redis.pid"
    redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --dir "$STACK_DIR/redis" \
        --daemonize yes --pidfile "$STACK_DIR/run/redis.pid" --logfile "$log" \
        --appendonly yes --appendfsync everysec --maxmemory-policy noeviction \
        --save '' --protected-mode yes </dev/null >>"$log" 2>&1 ||
        { _stack_err "redis-server failed to start; see $log"; return 1; }
    _stack_wait "redis" "$log" _stack_redis_ours
}

stack_redis_stop() {
    [ -n "${STACK_DIR:-}" ] || return 0
    if _stack_alive redis; then
        # SHUTDOWN flushes the AOF; fall back to signals by pid.
        redis-cli -h 127.0.0.1 -p "$REDIS_PORT" SHUTDOWN >/dev/null 2>&1
        local pid i
        pid=$(_stack_pid redis)
        for ((i = 0; i < 50; i++)); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
    fi
    _stack_kill redis 10
}

stack_redis_restart() { stack_redis_stop && stack_redis_start; }

# ---------------------------------------------------------------- mail sink

stack_mail_start() {
    _stack_need_init || return 1
    local log=$STACK_DIR/log/mail.log
    if _stack_alive mail; then
        _stack_say "mail sink already running (pid $(_stack_pid mail))"
        return 0
    fi
    _stack_claim_port mail "$SMTP_PORT" || return 1
    "$XQ_PY" "$XQ_ROOT/tests/tools/mailsink.py" --host 127.0.0.1 --port "$SMTP_PORT" \
        --dir "$MAIL_DIR" </dev/null >>"$log" 2>&1 &
    echo $! >"$STACK_DIR/run/mail.pid"
    _stack_wait "mail sink" "$log" _stack_mail_up
}

_stack_mail_up() { _stack_alive mail && _stack_port_open "$SMTP_PORT"; }

stack_mail_stop() {
    [ -n "${STACK_DIR:-}" ] || return 0
    _stack_kill mail 10
}

# ---------------------------------------------------------------- web server

_stack_www_root() {
    if [ -d "$XQ_ROOT/www" ]; then echo "$XQ_ROOT/www"; else mkdir -p "$STACK_DIR/web/empty" && echo "$STACK_DIR/web/empty"; fi
}

_stack_lighttpd_conf() {
    local conf=$STACK_DIR/web/lighttpd.conf
    {
        echo "# generated by tests/lib/stack.sh"
        echo "server.bind = \"127.0.0.1\""
        echo "server.port = $WEB_PORT"
        echo "server.document-root = \"$(_stack_www_root)\""
        echo "server.pid-file = \"$STACK_DIR/run/web.pid\""
        echo "server.errorlog = \"$STACK_DIR/log/web-error.log\""
        # the responder's stderr (its JSON log lines); without it lighttpd
        # hands spawned FastCGI processes /dev/null and every line is lost
        echo "server.breakagelog = \"$STACK_DIR/log/responder.log\""
        echo "server.upload-dirs = ( \"$STACK_DIR/web/tmp\" )"
        echo "server.modules = ( \"mod_accesslog\" )"
        echo "accesslog.filename = \"$STACK_DIR/log/access.log\""
        echo "index-file.names = ( \"index.html\" )"
        echo "mimetype.assign = ( \".html\" => \"text/html; charset=utf-8\", \".js\" => \"text/javascript\", \".css\" => \"text/css\", \".json\" => \"application/json\", \".svg\" => \"image/svg+xml\", \".png\" => \"image/png\" )"
        if _stack_is_root; then
            echo "server.username = \"$STACK_RUN_USER\""
            echo "server.groupname = \"$STACK_RUN_USER\""
        fi
        echo "var.exportq_fcgi = \"$XQ_BUILD/fcgi/exportq.fcgi\""
        echo "var.exportq_config = \"$EXPORTQ_CONFIG\""
        echo "var.exportq_export_dir = \"$EXPORT_DIR\""
        echo "var.exportq_socket = \"$STACK_DIR/web/sock/exportq.sock\""
        echo "var.exportq_www = \"$(_stack_www_root)\""
        echo "include \"$XQ_ROOT/etc/lighttpd/exportq.conf\""
    } >"$conf"
    echo "$conf"
}

_stack_apache_conf() {
    local conf=$STACK_DIR/web/apache.conf ap=$STACK_DIR/web/apache m=/usr/lib/apache2/modules
    mkdir -p "$ap/run" "$ap/fcgid"
    _stack_is_root && chown "$STACK_RUN_USER:$STACK_RUN_USER" "$ap/fcgid"
    {
        echo "# generated by tests/lib/stack.sh"
        echo "ServerRoot \"$ap\""
        echo "DefaultRuntimeDir \"$ap/run\""
        echo "PidFile \"$STACK_DIR/run/web.pid\""
        echo "Listen 127.0.0.1:$WEB_PORT"
        echo "ServerName 127.0.0.1:$WEB_PORT"
        for mod in mpm_event authz_core mime dir alias rewrite fcgid xsendfile; do
            echo "LoadModule ${mod}_module $m/mod_$mod.so"
        done
        if _stack_is_root; then
            echo "User $STACK_RUN_USER"
            echo "Group $STACK_RUN_USER"
        fi
        echo "ErrorLog \"$STACK_DIR/log/web-error.log\""
        echo "LogLevel warn"
        echo "LogFormat \"%h %l %u %t \\\"%r\\\" %>s %b\" common"
        echo "CustomLog \"$STACK_DIR/log/access.log\" common"
        echo "TypesConfig /etc/mime.types"
        echo "DocumentRoot \"$(_stack_www_root)\""
        echo "<Directory \"$(_stack_www_root)\">"
        echo "    Require all granted"
        echo "</Directory>"
        echo "DirectoryIndex index.html"
        echo "FcgidIPCDir \"$ap/fcgid\""
        echo "FcgidProcessTableFile \"$ap/fcgid/shm\""
        echo "Define EXPORTQ_FCGI \"$XQ_BUILD/fcgi/exportq.fcgi\""
        echo "Define EXPORTQ_FCGI_DIR \"$XQ_BUILD/fcgi\""
        echo "Define EXPORTQ_CONFIG \"$EXPORTQ_CONFIG\""
        echo "Define EXPORTQ_EXPORT_DIR \"$EXPORT_DIR\""
        echo "Define EXPORTQ_WWW \"$(_stack_www_root)\""
        echo "Include \"$XQ_ROOT/etc/apache/exportq.conf\""
    } >"$conf"
    echo "$conf"
}

_stack_web_up() { _stack_alive web && _stack_port_open "$WEB_PORT"; }

# stack_web_start [lighttpd|apache]
stack_web_start() {
    _stack_need_init || return 1
    local server=${1:-lighttpd} log=$STACK_DIR/log/web-error.log conf
    case $server in lighttpd | apache) ;; *) _stack_err "unknown web server: $server"; return 1 ;; esac
    if _stack_alive web; then
        _stack_say "web server already running ($WEB_SERVER, pid $(_stack_pid web))"
        return 0
    fi
    if [ ! -x "$XQ_BUILD/fcgi/exportq.fcgi" ]; then
        _stack_err "responder missing: $XQ_BUILD/fcgi/exportq.fcgi (build first: make -C $XQ_BUILD)"
        return 1
    fi
    _stack_claim_port "$server" "$WEB_PORT" || return 1
    rm -f "$STACK_DIR/run/web.pid"
    touch "$log" "$STACK_DIR/log/access.log" "$STACK_DIR/log/responder.log"
    # lighttpd opens its logs after dropping privileges.
    _stack_is_root && chown "$STACK_RUN_USER" "$log" "$STACK_DIR/log/access.log" "$STACK_DIR/log/responder.log"
    if [ "$server" = lighttpd ]; then
        conf=$(_stack_lighttpd_conf)
        lighttpd -tt -f "$conf" >>"$log" 2>&1 || { _stack_err "bad lighttpd config $conf; see $log"; return 1; }
        # In the foreground (-D) and sent to the background here, so that the
        # responders lighttpd spawns keep its stderr: their log lines land in
        # $log (a daemonised lighttpd gives them /dev/null).
        lighttpd -D -f "$conf" </dev/null >>"$log" 2>&1 &
    else
        conf=$(_stack_apache_conf)
        apache2 -f "$conf" -t >>"$log" 2>&1 || { _stack_err "bad apache config $conf; see $log"; return 1; }
        apache2 -f "$conf" -k start </dev/null >>"$log" 2>&1 || { _stack_err "apache2 failed; see $log"; return 1; }
    fi
    WEB_SERVER=$server
    export WEB_SERVER
    _stack_write_env
    _stack_wait "$server" "$log" _stack_web_up
}

stack_web_stop() {
    [ -n "${STACK_DIR:-}" ] || return 0
    # Both servers stop their FastCGI children on SIGTERM.
    _stack_kill web 15
    rm -f "$STACK_DIR"/web/sock/exportq.sock*
}

# ---------------------------------------------------------------- workerd

stack_workerd_start() {
    _stack_need_init || return 1
    local log=$STACK_DIR/log/workerd.log bin=$XQ_BUILD/workerd/exportq-workerd
    if _stack_alive workerd; then
        _stack_say "workerd already running (pid $(_stack_pid workerd))"
        return 0
    fi
    if [ ! -x "$bin" ]; then
        _stack_err "workerd missing: $bin (build first: make -C $XQ_BUILD)"
        return 1
    fi
    # A plain command, not a function, so that $! is the program itself.
    local -a drop=()
    _stack_is_root && drop=(setpriv "--reuid=$STACK_RUN_USER" "--regid=$STACK_RUN_USER" --init-groups --)
    EXPORTQ_CONFIG=$EXPORTQ_CONFIG "${drop[@]}" "$bin" --foreground </dev/null >>"$log" 2>&1 &
    echo $! >"$STACK_DIR/run/workerd.pid"
    # No port to probe: alive for a second and not dead on its config.
    sleep 1
    if ! _stack_alive workerd; then
        _stack_err "exportq-workerd exited at start; see $log"
        tail -n 15 "$log" | sed 's/^/    /' >&2
        rm -f "$STACK_DIR/run/workerd.pid"
        return 1
    fi
}

stack_workerd_stop() {
    [ -n "${STACK_DIR:-}" ] || return 0
    _stack_kill workerd 40
}

# ---------------------------------------------------------------- demo data

# stack_load_demo ROWS: (re)generate ROWS demo rows unless that many are there.
stack_load_demo() {
    _stack_need_init || return 1
    local rows=${1:-200000} have log=$STACK_DIR/log/demo.log
    case $rows in '' | *[!0-9]*) _stack_err "stack_load_demo: bad row count '$rows'"; return 1 ;; esac
    have=$(psql -X -qAt "$DATABASE_ADMIN_URL" -c 'SELECT count(*) FROM "LiteLLM_SpendLogs"') ||
        { _stack_err "cannot count demo rows"; return 1; }
    if [ "$have" -ge "$rows" ]; then
        _stack_say "demo data: $have rows already loaded"
        return 0
    fi
    _stack_say "demo data: generating $rows rows (log: $log)"
    local t0=$SECONDS
    psql -X -q -v ON_ERROR_STOP=1 -v rows="$rows" -f "$XQ_ROOT/etc/schema/demo-data.sql" \
        "$DATABASE_ADMIN_URL" >>"$log" 2>&1 ||
        { _stack_err "demo data load failed; see $log"; tail -n 15 "$log" >&2; return 1; }
    _stack_say "demo data: $rows rows in $((SECONDS - t0))s"
}

# ---------------------------------------------------------------- whole stack

# stack_up [--server lighttpd|apache]; loads $DEMO_ROWS demo rows when set > 0;
# XQ_WITHOUT_WORKERD=1 leaves workerd out.
stack_up() {
    local server=lighttpd
    if [ "${1:-}" = --server ]; then server=${2:-}; fi
    stack_pg_start && stack_redis_start && stack_mail_start || return 1
    if [ "${DEMO_ROWS:-0}" -gt 0 ] 2>/dev/null; then stack_load_demo "$DEMO_ROWS" || return 1; fi
    stack_web_start "$server" || return 1
    # Only for testing the responder alone before workerd exists; ./dev up
    # never sets it.
    if [ "${XQ_WITHOUT_WORKERD:-0}" = 1 ]; then
        _stack_say "workerd: not started (XQ_WITHOUT_WORKERD=1)"
        return 0
    fi
    stack_workerd_start
}

# stack_down: stop whatever has a pid file, newest first; never fails.
stack_down() {
    [ -n "${STACK_DIR:-}" ] && [ -d "$STACK_DIR" ] || return 0
    [ -f "$STACK_DIR/env" ] && . "$STACK_DIR/env"
    stack_workerd_stop
    stack_web_stop
    stack_mail_stop
    stack_redis_stop
    stack_pg_stop
    return 0
}

# stack_destroy: stack_down, then remove STACK_DIR and an outside PG_DATA.
stack_destroy() {
    [ -n "${STACK_DIR:-}" ] && [ -d "$STACK_DIR" ] || return 0
    stack_down
    case ${PG_DATA:-} in /tmp/xq-pg.*) rm -rf "$PG_DATA" ;; esac
    rm -rf "$STACK_DIR"
}

stack_status() {
    _stack_need_init || return 1
    local name pid state rc=0
    for name in postgres redis mail web workerd; do
        if pid=$(_stack_pid "$name"); then
            if _stack_alive "$name"; then state=running; else state="dead (stale pid file)"; rc=1; fi
        else
            pid=- state="not started"; rc=1
        fi
        printf '%-9s %-8s %s\n' "$name" "$pid" "$state"
    done
    return $rc
}
