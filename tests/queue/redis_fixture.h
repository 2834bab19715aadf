/*
 * redis_fixture.h - a private redis-server for the queue tests: a free
 * port on 127.0.0.1, a mkdtemp() directory, AOF on.  The server is a child
 * of the process that started it and is stopped by its pid, also when the
 * test process exits early or is killed by SIGINT/SIGTERM/SIGABRT/SIGSEGV.
 */
#ifndef XQ_REDIS_FIXTURE_H
#define XQ_REDIS_FIXTURE_H

/* Start the server (port 0: pick a free one).  0 on success. */
int xq_fixture_redis_start(void);
/* Stop it (SIGTERM, so AOF is flushed) and wait for it.  0 on success. */
int xq_fixture_redis_stop(void);
/* Stop and start again on the same directory and port. */
int xq_fixture_redis_restart(void);
/* Remove the directory (after stop). */
void xq_fixture_redis_cleanup(void);
int xq_fixture_redis_port(void);
const char *xq_fixture_redis_dir(void);

#endif
