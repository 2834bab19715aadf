/*
 * queue_test.c - what the queue test programs share: a config pointing at
 * the private redis-server (redis_fixture.c), a fresh database per test, and
 * short helpers that assert as they go.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "queue_test.h"
#include "redis_fixture.h"

xq_config cfg;
xq_queue *q;

void qt_set(const char *k, const char *v)
{
    xq_err err;

    ck_assert_msg(xq_config_set(&cfg, k, v, &err) == XQ_OK, "%s: %s", k, err.msg);
}

void qt_flushdb(void)
{
    redisReply *r = NULL;
    xq_err err;

    ck_assert_int_eq(xq_redis_cmd(xq_queue_redis(q), &r, &err, "FLUSHDB"), XQ_OK);
    freeReplyObject(r);
}

/* (Re)make the queue from cfg as changed by the test. */
void qt_reopen(void)
{
    xq_err err;

    xq_queue_free(q);
    q = NULL;
    ck_assert_msg(xq_queue_new(&cfg, &q, &err) == XQ_OK, "%s", err.msg);
}

void qt_setup(void)
{
    char port[16];

    ck_assert_int_eq(xq_config_init(&cfg), XQ_OK);
    snprintf(port, sizeof(port), "%d", xq_fixture_redis_port());
    qt_set("REDIS_HOST", "127.0.0.1");
    qt_set("REDIS_PORT", port);
    qt_set("REDIS_JOB_DB", "3");
    qt_set("JWT_SECRET", "test-secret-0123456789");
    qt_set("EXPORT_DOWNLOAD_BASE_URL", "https://x.test");
    qt_reopen();
    qt_flushdb();
}

void qt_teardown(void)
{
    xq_queue_free(q);
    q = NULL;
    xq_config_cleanup(&cfg);
}

long long qt_mono_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

long long qt_wall_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void qt_sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

    nanosleep(&ts, NULL);
}

xq_status qt_add_job(const char *owner, int prio, char id[XQ_JOB_ID_LEN + 1],
                         long long *pos, long *retry)
{
    xq_job_spec s = {owner, "o@x.test",
                     "{\"startDate\":\"2024-01-01\",\"endDate\":\"2024-01-31\","
                     "\"exportType\":\"raw-data\",\"format\":\"csv\"}",
                     "raw-data", "csv", prio};
    long long p;
    long r;

    return xq_queue_add(q, &s, id, pos ? pos : &p, retry ? retry : &r, NULL);
}

void qt_must_add(const char *owner, int prio, char id[XQ_JOB_ID_LEN + 1])
{
    ck_assert_int_eq(qt_add_job(owner, prio, id, NULL, NULL), XQ_OK);
}

xq_job *qt_get(const char *id)
{
    xq_job *j = NULL;
    xq_err err;

    ck_assert_msg(xq_queue_get(q, id, &j, &err) == XQ_OK, "get: %s", err.msg);
    return j;
}

xq_job *qt_claim(const char *worker)
{
    xq_job *j = NULL;
    xq_err err;

    ck_assert_msg(xq_queue_claim(q, worker, 0, &j, &err) == XQ_OK, "claim: %s", err.msg);
    return j;
}

xq_status qt_complete(const char *id, const char *worker, const char *file)
{
    char res[256];

    snprintf(res, sizeof(res),
             "{\"fileName\":\"%s\",\"rowCount\":7,\"fileSize\":99,\"completedAt\":%lld,"
             "\"expiresAt\":%lld}",
             file, qt_wall_ms(), qt_wall_ms() + 3600000);
    return xq_queue_complete(q, id, worker, res, 7, 99, NULL);
}

xq_job_state qt_state_of(const char *id)
{
    xq_job *j = qt_get(id);
    xq_job_state s = j->state;

    xq_job_free(j);
    return s;
}


int qt_run(Suite *s)
{
    SRunner *sr;
    int failed;

    if (xq_fixture_redis_start() != 0) {
        fprintf(stderr, "cannot start redis-server (is it installed?)\n");
        return 99; /* automake: hard error */
    }
    sr = srunner_create(s);
    /* one process, so that a test may stop and start the server */
    srunner_set_fork_status(sr, CK_NOFORK);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    xq_fixture_redis_stop();
    xq_fixture_redis_cleanup();
    return failed == 0 ? 0 : 1;
}
