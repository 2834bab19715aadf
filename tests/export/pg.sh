# pg.sh - sourced: start a private PostgreSQL 15 under a mktemp dir owned by
# postgres on a free loopback port; pg_stop stops it by its pid.  Sets
# PGHOST PGPORT PGUSER PGDATABASE XQ_PG_DIR XQ_PG_URL.
# Only bench/export/run.sh uses it now: it starts the server with its own
# options (XQ_PG_OPTS: shared_buffers, fsync=off, ...), which
# tests/lib/stack.sh's stack_pg_start has no way to pass.  The export tests
# (run.sh here) use stack.sh.
XQ_PG_BIN=${XQ_PG_BIN:-/usr/lib/postgresql/15/bin}

xq_free_port() {
    /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

pg_start() {
    XQ_PG_DIR=$(mktemp -d /tmp/xq-pg.XXXXXX)
    chown postgres: "$XQ_PG_DIR"
    PGPORT=$(xq_free_port)
    runuser -u postgres -- "$XQ_PG_BIN/initdb" -D "$XQ_PG_DIR/data" -A trust -U postgres \
        -E UTF8 --locale=C.UTF-8 >"$XQ_PG_DIR/initdb.log" 2>&1 || { cat "$XQ_PG_DIR/initdb.log"; return 1; }
    runuser -u postgres -- "$XQ_PG_BIN/pg_ctl" -D "$XQ_PG_DIR/data" -l "$XQ_PG_DIR/pg.log" -w \
        -o "-h 127.0.0.1 -p $PGPORT -k $XQ_PG_DIR ${XQ_PG_OPTS:-}" start >/dev/null || { cat "$XQ_PG_DIR/pg.log"; return 1; }
    export PGHOST=127.0.0.1 PGPORT PGUSER=postgres PGDATABASE=postgres
    XQ_PG_URL="postgresql://postgres@127.0.0.1:$PGPORT/postgres"
}

pg_stop() {
    local pid
    [ -n "${XQ_PG_DIR:-}" ] || return 0
    if [ -f "$XQ_PG_DIR/data/postmaster.pid" ]; then
        pid=$(head -1 "$XQ_PG_DIR/data/postmaster.pid")
        kill -INT "$pid" 2>/dev/null
        for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    fi
    rm -rf "$XQ_PG_DIR"
    XQ_PG_DIR=
}
