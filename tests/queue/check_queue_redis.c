/*
 * check_queue_redis.c - the queue (src/queue*.c and its Lua scripts)
 * against a real redis-server started here (redis_fixture.c).  Tests run
 * in one process (CK_NOFORK) so that the restart test can stop and start
 * the server; each test starts from an empty database.  Forked helpers
 * (concurrency, crash, limits, wake-up) report through pipes and exit codes.
 */
#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "job.h"
#include "queue.h"
#include "redis_fixture.h"

static xq_config cfg;
static xq_queue *q;

static void set(const char *k, const char *v)
{
    xq_err err;

    ck_assert_msg(xq_config_set(&cfg, k, v, &err) == XQ_OK, "%s: %s", k, err.msg);
}

static void flushdb(void)
{
    redisReply *r = NULL;
    xq_err err;

    ck_assert_int_eq(xq_redis_cmd(xq_queue_redis(q), &r, &err, "FLUSHDB"), XQ_OK);
    freeReplyObject(r);
}

/* (Re)make the queue from cfg as changed by the test. */
static void reopen(void)
{
    xq_err err;

    xq_queue_free(q);
    q = NULL;
    ck_assert_msg(xq_queue_new(&cfg, &q, &err) == XQ_OK, "%s", err.msg);
}

static void setup(void)
{
    char port[16];

    ck_assert_int_eq(xq_config_init(&cfg), XQ_OK);
    snprintf(port, sizeof(port), "%d", xq_fixture_redis_port());
    set("REDIS_HOST", "127.0.0.1");
    set("REDIS_PORT", port);
    set("REDIS_JOB_DB", "3");
    set("JWT_SECRET", "test-secret-0123456789");
    set("EXPORT_DOWNLOAD_BASE_URL", "https://x.test");
    reopen();
    flushdb();
}

static void teardown(void)
{
    xq_queue_free(q);
    q = NULL;
    xq_config_cleanup(&cfg);
}

static long long mono_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static long long wall_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

    nanosleep(&ts, NULL);
}

static xq_status add_job(const char *owner, int prio, char id[XQ_JOB_ID_LEN + 1],
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

static void must_add(const char *owner, int prio, char id[XQ_JOB_ID_LEN + 1])
{
    ck_assert_int_eq(add_job(owner, prio, id, NULL, NULL), XQ_OK);
}

static xq_job *get(const char *id)
{
    xq_job *j = NULL;
    xq_err err;

    ck_assert_msg(xq_queue_get(q, id, &j, &err) == XQ_OK, "get: %s", err.msg);
    return j;
}

static xq_job *claim(const char *worker)
{
    xq_job *j = NULL;
    xq_err err;

    ck_assert_msg(xq_queue_claim(q, worker, 0, &j, &err) == XQ_OK, "claim: %s", err.msg);
    return j;
}

static xq_status complete(const char *id, const char *worker, const char *file)
{
    char res[256];

    snprintf(res, sizeof(res),
             "{\"fileName\":\"%s\",\"rowCount\":7,\"fileSize\":99,\"completedAt\":%lld,"
             "\"expiresAt\":%lld}",
             file, wall_ms(), wall_ms() + 3600000);
    return xq_queue_complete(q, id, worker, res, 7, 99, NULL);
}

static xq_job_state state_of(const char *id)
{
    xq_job *j = get(id);
    xq_job_state s = j->state;

    xq_job_free(j);
    return s;
}

START_TEST(add_get_positions)
{
    char a[37], b[37], c[37], h[37];
    long long pos;
    xq_job *j;

    ck_assert_int_eq(add_job("u1", 5, a, &pos, NULL), XQ_OK);
    ck_assert(xq_job_id_valid(a));
    ck_assert_int_eq(pos, 1);
    ck_assert_int_eq(add_job("u1", 5, b, &pos, NULL), XQ_OK);
    ck_assert_int_eq(pos, 2);
    ck_assert_int_eq(add_job("u2", 10, c, &pos, NULL), XQ_OK);
    ck_assert_int_eq(pos, 3);
    ck_assert_int_eq(add_job("u2", 1, h, &pos, NULL), XQ_OK);
    ck_assert_int_eq(pos, 1); /* high priority jumps the line */
    j = get(a);
    ck_assert_int_eq(j->state, XQ_JOB_WAITING);
    ck_assert_int_eq(j->position, 2);
    ck_assert_str_eq(j->owner, "u1");
    ck_assert_str_eq(j->owner_email, "o@x.test");
    ck_assert_str_eq(j->export_type, "raw-data");
    ck_assert_int_eq(j->priority, 5);
    ck_assert_int_eq(j->attempts_made, 0);
    ck_assert(j->requested_at_ms > wall_ms() - 5000);
    xq_job_free(j);
    j = get(c);
    ck_assert_int_eq(j->position, 4);
    xq_job_free(j);
    /* unknown and malformed ids */
    ck_assert_int_eq(xq_queue_get(q, "00000000-0000-4000-8000-000000000000", &j, NULL),
                     XQ_ERR_NOT_FOUND);
    ck_assert_int_eq(xq_queue_get(q, "../../x", &j, NULL), XQ_ERR_NOT_FOUND);
    /* dispatch order: h, a, b, c */
    j = claim("w");
    ck_assert_str_eq(j->id, h);
    xq_job_free(j);
    j = get(b);
    ck_assert_int_eq(j->position, 2);
    xq_job_free(j);
}
END_TEST

START_TEST(claim_progress_complete)
{
    char a[37];
    xq_job *j;
    int cancel = 1;
    xq_status st;
    char *file = NULL;

    must_add("u1", 5, a);
    j = claim("w1");
    ck_assert_ptr_nonnull(j);
    ck_assert_str_eq(j->id, a);
    ck_assert_int_eq(j->state, XQ_JOB_ACTIVE);
    ck_assert_int_eq(j->attempts_made, 1);
    ck_assert_str_eq(j->worker_id, "w1");
    ck_assert(j->lease_until_ms > wall_ms());
    xq_job_free(j);
    ck_assert_ptr_null(claim("w2")); /* nothing else waiting */
    ck_assert_int_eq(xq_queue_progress(q, a, "w1", 40, 400, 1000, &cancel, NULL), XQ_OK);
    ck_assert_int_eq(cancel, 0);
    ck_assert_int_eq(xq_queue_progress(q, a, "w1", 20, 300, 1000, &cancel, NULL), XQ_OK);
    j = get(a);
    ck_assert_int_eq(j->progress, 40); /* never goes down */
    ck_assert_int_eq(j->rows_written, 400);
    ck_assert_int_eq(j->rows_estimated, 1000);
    ck_assert_int_eq(j->position, 0);
    xq_job_free(j);
    ck_assert_int_eq(xq_queue_progress(q, a, "w1", 100, 900, 1000, &cancel, NULL), XQ_OK);
    j = get(a);
    ck_assert_int_eq(j->progress, 99); /* 100 only when completed */
    xq_job_free(j);
    ck_assert_int_eq(xq_queue_progress(q, a, "w2", 50, 1, 1, &cancel, NULL), XQ_ERR_LEASE);
    ck_assert_int_eq(xq_queue_renew(q, a, "w1", &cancel, NULL), XQ_OK);
    ck_assert_int_eq(xq_queue_renew(q, a, "w2", &cancel, NULL), XQ_ERR_LEASE);
    ck_assert_int_eq(complete(a, "w2", "f.csv"), XQ_ERR_LEASE);
    ck_assert_int_eq(xq_queue_complete(q, a, "w1", "{\"fileName\":\"../x\",\"expiresAt\":1}", 1,
                                       1, NULL),
                     XQ_ERR_INVALID);
    ck_assert_int_eq(complete(a, "w1", "f.csv"), XQ_OK);
    ck_assert_int_eq(complete(a, "w1", "f.csv"), XQ_ERR_LEASE); /* never twice */
    j = get(a);
    ck_assert_int_eq(j->state, XQ_JOB_COMPLETED);
    ck_assert_int_eq(j->progress, 100);
    ck_assert_int_eq(j->rows_written, 7);
    ck_assert_ptr_null(j->worker_id);
    ck_assert(j->finished_at_ms >= j->started_at_ms && j->started_at_ms > 0);
    ck_assert_ptr_nonnull(strstr(j->result_json, "\"f.csv\""));
    xq_job_free(j);
    /* refusals on a finished job */
    int was = 0;
    st = xq_queue_cancel(q, a, &was, NULL);
    ck_assert_int_eq(st, XQ_ERR_CONFLICT);
    ck_assert_int_eq(xq_queue_retry(q, a, NULL), XQ_ERR_CONFLICT);
    ck_assert_int_eq(xq_queue_fail(q, a, "w1", "x", 1, &was, NULL), XQ_ERR_LEASE);
    ck_assert_int_eq(xq_queue_release(q, a, "w1", NULL), XQ_ERR_LEASE);
    ck_assert_int_eq(xq_queue_forget(q, a, &file, NULL), XQ_OK);
    ck_assert_str_eq(file, "f.csv");
    free(file);
    ck_assert_int_eq(xq_queue_get(q, a, &j, NULL), XQ_ERR_NOT_FOUND);
    ck_assert_int_eq(xq_queue_forget(q, a, &file, NULL), XQ_ERR_NOT_FOUND);
}
END_TEST

START_TEST(fail_backoff_retry)
{
    char a[37], b[37];
    xq_job *j;
    int final = -1;
    long long n = -1;

    set("EXPORT_JOB_ATTEMPTS", "2");
    set("EXPORT_BACKOFF_MS", "300");
    reopen();
    must_add("u1", 5, a);
    j = claim("w");
    xq_job_free(j);
    ck_assert_int_eq(xq_queue_fail(q, a, "w", "db lost", 1, &final, NULL), XQ_OK);
    ck_assert_int_eq(final, 0);
    j = get(a);
    ck_assert_int_eq(j->state, XQ_JOB_DELAYED);
    ck_assert_int_eq(j->position, 1); /* nothing waiting, first delayed */
    xq_job_free(j);
    must_add("u1", 5, b);
    j = get(a);
    ck_assert_int_eq(j->position, 2); /* after the one waiting job */
    xq_job_free(j);
    xq_job_free(claim("w")); /* takes b */
    ck_assert_ptr_null(claim("w"));
    ck_assert_int_eq(xq_queue_promote_delayed(q, &n, NULL), XQ_OK);
    ck_assert_int_eq(n, 0);
    sleep_ms(350);
    ck_assert_int_eq(xq_queue_promote_delayed(q, &n, NULL), XQ_OK);
    ck_assert_int_eq(n, 1);
    j = claim("w");
    ck_assert_str_eq(j->id, a);
    ck_assert_int_eq(j->attempts_made, 2);
    xq_job_free(j);
    ck_assert_int_eq(xq_queue_fail(q, a, "w", "db lost again", 1, &final, NULL), XQ_OK);
    ck_assert_int_eq(final, 1); /* attempts used up */
    j = get(a);
    ck_assert_int_eq(j->state, XQ_JOB_FAILED);
    ck_assert_str_eq(j->error, "db lost again");
    xq_job_free(j);
    ck_assert_int_eq(xq_queue_retry(q, a, NULL), XQ_OK);
    j = get(a);
    ck_assert_int_eq(j->state, XQ_JOB_WAITING);
    ck_assert_int_eq(j->attempts_made, 0);
    ck_assert_ptr_null(j->error);
    xq_job_free(j);
    ck_assert_int_eq(xq_queue_retry(q, a, NULL), XQ_ERR_CONFLICT);
    /* a bad request fails at once */
    xq_job_free(claim("w"));
    ck_assert_int_eq(xq_queue_fail(q, a, "w", "bad request", 0, &final, NULL), XQ_OK);
    ck_assert_int_eq(final, 1);
    ck_assert_int_eq(state_of(a), XQ_JOB_FAILED);
}
END_TEST

START_TEST(cancel_and_remove)
{
    char a[37], b[37], c[37], d[37];
    int was = -1, cancel = 0;
    xq_job *j;
    char *file = NULL;
    int final;

    must_add("u1", 5, a);
    must_add("u1", 5, b);
    must_add("u1", 5, c);
    ck_assert_int_eq(xq_queue_cancel(q, a, &was, NULL), XQ_OK);
    ck_assert_int_eq(was, 0);
    ck_assert_int_eq(state_of(a), XQ_JOB_CANCELLED);
    ck_assert_int_eq(xq_queue_cancel(q, a, &was, NULL), XQ_ERR_CONFLICT);
    j = claim("w"); /* b */
    ck_assert_str_eq(j->id, b);
    xq_job_free(j);
    ck_assert_int_eq(xq_queue_ack_cancel(q, b, "w", NULL), XQ_ERR_CONFLICT); /* no request */
    ck_assert_int_eq(xq_queue_cancel(q, b, &was, NULL), XQ_OK);
    ck_assert_int_eq(was, 1);
    ck_assert_int_eq(state_of(b), XQ_JOB_ACTIVE);
    ck_assert_int_eq(xq_queue_progress(q, b, "w", 10, 1, 10, &cancel, NULL), XQ_OK);
    ck_assert_int_eq(cancel, 1);
    ck_assert_int_eq(xq_queue_ack_cancel(q, b, "other", NULL), XQ_ERR_LEASE);
    ck_assert_int_eq(xq_queue_ack_cancel(q, b, "w", NULL), XQ_OK);
    ck_assert_int_eq(state_of(b), XQ_JOB_CANCELLED);
    ck_assert_int_eq(xq_queue_forget(q, b, &file, NULL), XQ_OK);
    ck_assert_ptr_null(file);
    ck_assert_int_eq(xq_queue_forget(q, c, &file, NULL), XQ_ERR_CONFLICT);
    /* delayed jobs cancel at once */
    set("EXPORT_BACKOFF_MS", "60000");
    reopen();
    xq_job_free(claim("w")); /* c */
    ck_assert_int_eq(xq_queue_fail(q, c, "w", "x", 1, &final, NULL), XQ_OK);
    ck_assert_int_eq(state_of(c), XQ_JOB_DELAYED);
    ck_assert_int_eq(xq_queue_cancel(q, c, &was, NULL), XQ_OK);
    ck_assert_int_eq(was, 0);
    ck_assert_int_eq(state_of(c), XQ_JOB_CANCELLED);
    /* admin remove of an active job: the worker sees cancel, then its lease gone */
    must_add("u1", 5, d);
    xq_job_free(claim("w"));
    ck_assert_int_eq(xq_queue_remove(q, d, &file, NULL), XQ_OK);
    ck_assert_int_eq(xq_queue_get(q, d, &j, NULL), XQ_ERR_NOT_FOUND);
    cancel = 0;
    ck_assert_int_eq(xq_queue_progress(q, d, "w", 20, 1, 1, &cancel, NULL), XQ_OK);
    ck_assert_int_eq(cancel, 1);
    ck_assert_int_eq(xq_queue_ack_cancel(q, d, "w", NULL), XQ_ERR_NOT_FOUND);
    ck_assert_int_eq(xq_queue_remove(q, d, &file, NULL), XQ_ERR_NOT_FOUND);
    /* the pending count followed every exit: a fresh add has position 1 */
    xq_queue_stats s;
    ck_assert_int_eq(xq_queue_stats_get(q, &s, NULL), XQ_OK);
    ck_assert_int_eq(s.active, 0);
    ck_assert_int_eq(s.waiting, 0);
    ck_assert_int_eq(s.cancelled, 2);
}
END_TEST

START_TEST(release_keeps_place)
{
    char a[37], b[37];
    xq_job *j;

    must_add("u1", 5, a);
    must_add("u2", 5, b);
    xq_job_free(claim("w"));
    ck_assert_int_eq(xq_queue_release(q, a, "w", NULL), XQ_OK);
    j = get(a);
    ck_assert_int_eq(j->state, XQ_JOB_WAITING);
    ck_assert_int_eq(j->attempts_made, 0);
    ck_assert_int_eq(j->position, 1);
    xq_job_free(j);
}
END_TEST

START_TEST(pending_limit)
{
    char id[37];
    long retry = 0;
    xq_job **jobs = NULL;
    size_t n = 0;
    long long total = 0;
    xq_err err;
    xq_job_spec s = {"u1", NULL, "{}", "raw-data", "csv", 5};
    long long pos;

    set("EXPORT_USER_MAX_PENDING", "3");
    reopen();
    must_add("u1", 5, id);
    must_add("u1", 5, id);
    must_add("u1", 5, id);
    ck_assert_int_eq(xq_queue_add(q, &s, id, &pos, &retry, &err), XQ_ERR_LIMIT);
    ck_assert_int_eq(retry, 30);
    ck_assert_str_eq(id, "");
    ck_assert_int_eq(xq_queue_list_owner(q, "u1", 0, 10, &jobs, &n, &total, NULL), XQ_OK);
    ck_assert_int_eq(total, 3);
    xq_job_list_free(jobs, n);
    must_add("u2", 5, id); /* another user is not affected */
    /* a finished job frees a slot */
    xq_job *j = claim("w");
    ck_assert_int_eq(complete(j->id, "w", "a.csv"), XQ_OK);
    xq_job_free(j);
    must_add("u1", 5, id);
}
END_TEST

START_TEST(hourly_limit)
{
    char id[37];
    long retry = 0;

    set("EXPORT_USER_RATE_PER_HOUR", "3");
    reopen();
    ck_assert_int_eq(xq_queue_charge_sync(q, "u1", &retry, NULL), XQ_OK);
    must_add("u1", 5, id);
    must_add("u1", 5, id);
    ck_assert_int_eq(add_job("u1", 5, id, NULL, &retry), XQ_ERR_LIMIT);
    ck_assert(retry > 3590 && retry <= 3600);
    ck_assert_int_eq(xq_queue_charge_sync(q, "u1", &retry, NULL), XQ_ERR_LIMIT);
    ck_assert(retry > 3590 && retry <= 3600);
    /* refusals count toward nothing: cancelling frees no hourly slot, but
     * the refused ones did not take any either */
    must_add("u2", 5, id);
    ck_assert_int_eq(xq_queue_charge_sync(q, "u2", &retry, NULL), XQ_OK);
    ck_assert_int_eq(xq_queue_charge_sync(q, "u2", &retry, NULL), XQ_OK);
    ck_assert_int_eq(xq_queue_charge_sync(q, "u2", &retry, NULL), XQ_ERR_LIMIT);
}
END_TEST

START_TEST(pause_resume)
{
    char a[37];
    xq_queue_stats s;
    xq_job *j;

    ck_assert_int_eq(xq_queue_set_paused(q, 1, NULL), XQ_OK);
    must_add("u1", 5, a);
    ck_assert_ptr_null(claim("w"));
    ck_assert_int_eq(xq_queue_stats_get(q, &s, NULL), XQ_OK);
    ck_assert_int_eq(s.paused, 1);
    ck_assert_int_eq(s.waiting, 1);
    ck_assert_int_eq(xq_queue_set_paused(q, 0, NULL), XQ_OK);
    j = claim("w");
    ck_assert_ptr_nonnull(j);
    xq_job_free(j);
    ck_assert_int_eq(xq_queue_stats_get(q, &s, NULL), XQ_OK);
    ck_assert_int_eq(s.paused, 0);
    ck_assert_int_eq(s.active, 1);
}
END_TEST

START_TEST(lists)
{
    char ids[5][37];
    xq_job **jobs = NULL;
    size_t n = 0;
    long long total = 0;
    int i;

    for (i = 0; i < 5; i++)
        must_add("u1", 5, ids[i]);
    ck_assert_int_eq(xq_queue_list_owner(q, "u1", 1, 2, &jobs, &n, &total, NULL), XQ_OK);
    ck_assert_int_eq(total, 5);
    ck_assert_uint_eq(n, 2);
    ck_assert_str_eq(jobs[0]->id, ids[3]); /* newest first */
    ck_assert_str_eq(jobs[1]->id, ids[2]);
    ck_assert_int_eq(jobs[0]->position, 4);
    xq_job_list_free(jobs, n);
    ck_assert_int_eq(xq_queue_list_state(q, XQ_JOB_WAITING, 0, 100, &jobs, &n, &total, NULL),
                     XQ_OK);
    ck_assert_uint_eq(n, 5);
    ck_assert_str_eq(jobs[0]->id, ids[0]); /* dispatch order */
    xq_job_list_free(jobs, n);
    ck_assert_int_eq(xq_queue_list_owner(q, "nobody", 0, 10, &jobs, &n, &total, NULL), XQ_OK);
    ck_assert_int_eq(total, 0);
    ck_assert_uint_eq(n, 0);
    ck_assert_int_eq(xq_queue_list_owner(q, "u1", 0, 101, &jobs, &n, &total, NULL),
                     XQ_ERR_INVALID);
    ck_assert_int_eq(xq_queue_list_owner(q, "u1", -1, 10, &jobs, &n, &total, NULL),
                     XQ_ERR_INVALID);
    for (i = 0; i < 2; i++) {
        xq_job *j = claim("w");
        ck_assert_int_eq(complete(j->id, "w", "z.csv"), XQ_OK);
        xq_job_free(j);
        sleep_ms(3);
    }
    ck_assert_int_eq(xq_queue_list_state(q, XQ_JOB_COMPLETED, 0, 10, &jobs, &n, &total, NULL),
                     XQ_OK);
    ck_assert_uint_eq(n, 2);
    ck_assert_str_eq(jobs[0]->id, ids[1]); /* newest first */
    xq_job_list_free(jobs, n);
}
END_TEST

START_TEST(trim_clean_expire)
{
    char a[37], b[37], c[37], d[37];
    char **names = NULL;
    size_t nn = 0;
    long long removed = 0, now = wall_ms();
    int final;
    xq_job *j;

    must_add("u1", 5, a);
    must_add("u2", 5, b);
    must_add("u3", 5, c);
    j = claim("w");
    ck_assert_int_eq(complete(a, "w", "a.csv"), XQ_OK);
    xq_job_free(j);
    j = claim("w");
    ck_assert_int_eq(xq_queue_fail(q, b, "w", "bad", 0, &final, NULL), XQ_OK);
    xq_job_free(j);
    /* expiry: the file expires in an hour */
    ck_assert_int_eq(xq_queue_expire_files(q, now, &names, &nn, NULL), XQ_OK);
    ck_assert_uint_eq(nn, 0);
    free(names);
    ck_assert_int_eq(xq_queue_expire_files(q, now + 3700000, &names, &nn, NULL), XQ_OK);
    ck_assert_uint_eq(nn, 1);
    ck_assert_str_eq(names[0], "a.csv");
    free(names[0]);
    free(names);
    ck_assert_int_eq(xq_queue_expire_files(q, now + 3700000, &names, &nn, NULL), XQ_OK);
    ck_assert_uint_eq(nn, 0);
    free(names);
    /* retention */
    ck_assert_int_eq(xq_queue_trim(q, now + 6LL * 86400000, &removed, &names, &nn, NULL), XQ_OK);
    ck_assert_int_eq(removed, 0);
    free(names);
    ck_assert_int_eq(xq_queue_trim(q, now + 8LL * 86400000, &removed, &names, &nn, NULL), XQ_OK);
    ck_assert_int_eq(removed, 1); /* completed > 7 days */
    ck_assert_uint_eq(nn, 1);
    free(names[0]);
    free(names);
    ck_assert_int_eq(xq_queue_get(q, a, &j, NULL), XQ_ERR_NOT_FOUND);
    ck_assert_int_eq(state_of(b), XQ_JOB_FAILED);
    ck_assert_int_eq(xq_queue_trim(q, now + 15LL * 86400000, &removed, &names, &nn, NULL), XQ_OK);
    ck_assert_int_eq(removed, 1); /* failed > 14 days */
    free(names);
    /* clean: waiting older than 1 h: none; older than 0: c */
    must_add("u4", 5, d);
    ck_assert_int_eq(xq_queue_clean(q, XQ_JOB_WAITING, 3600000, &removed, &names, &nn, NULL),
                     XQ_OK);
    ck_assert_int_eq(removed, 0);
    free(names);
    sleep_ms(5);
    ck_assert_int_eq(xq_queue_clean(q, XQ_JOB_WAITING, 0, &removed, &names, &nn, NULL), XQ_OK);
    ck_assert_int_eq(removed, 2);
    free(names);
    ck_assert_int_eq(xq_queue_clean(q, XQ_JOB_ACTIVE, 0, &removed, &names, &nn, NULL),
                     XQ_ERR_INVALID);
    /* the owner's history forgot them too */
    xq_job **jobs = NULL;
    size_t n = 0;
    long long total = -1;
    ck_assert_int_eq(xq_queue_list_owner(q, "u3", 0, 10, &jobs, &n, &total, NULL), XQ_OK);
    ck_assert_int_eq(total, 0);
    xq_job_list_free(jobs, n);
}
END_TEST

START_TEST(trim_keeps_1000_newest)
{
    char id[37];
    char **names = NULL;
    size_t nn = 0, i;
    long long removed = 0;
    xq_queue_stats s;
    int k;

    set("EXPORT_USER_MAX_PENDING", "100000");
    set("EXPORT_USER_RATE_PER_HOUR", "100000");
    set("EXPORT_USER_MAX_ACTIVE", "1000");
    reopen();
    for (k = 0; k < 1005; k++) {
        xq_job *j;

        must_add("u1", 5, id);
        j = claim("w");
        ck_assert_int_eq(complete(j->id, "w", "f.csv"), XQ_OK);
        xq_job_free(j);
    }
    ck_assert_int_eq(xq_queue_trim(q, wall_ms(), &removed, &names, &nn, NULL), XQ_OK);
    ck_assert_int_eq(removed, 5);
    ck_assert_uint_eq(nn, 5);
    for (i = 0; i < nn; i++)
        free(names[i]);
    free(names);
    ck_assert_int_eq(xq_queue_stats_get(q, &s, NULL), XQ_OK);
    ck_assert_int_eq(s.completed, 1000);
}
END_TEST

START_TEST(worker_registry)
{
    xq_worker_info *w = NULL;
    size_t n = 0;
    xq_queue_stats s;

    ck_assert_int_eq(xq_queue_heartbeat(q, "h:1:0", "host-a", 4242, "", wall_ms(), 300, NULL),
                     XQ_OK);
    ck_assert_int_eq(xq_queue_heartbeat(q, "h:2:0", "host-b", 4343, "abc", wall_ms(), 5000, NULL),
                     XQ_OK);
    ck_assert_int_eq(xq_queue_workers(q, &w, &n, NULL), XQ_OK);
    ck_assert_uint_eq(n, 2);
    ck_assert_str_eq(w[0].id, "h:1:0");
    ck_assert_str_eq(w[0].host, "host-a");
    ck_assert_int_eq(w[0].pid, 4242);
    ck_assert_str_eq(w[0].job_id, "");
    ck_assert(w[0].heartbeat_ms > 0);
    ck_assert_str_eq(w[1].job_id, "abc");
    xq_worker_info_free(w, n);
    sleep_ms(400);
    ck_assert_int_eq(xq_queue_stats_get(q, &s, NULL), XQ_OK);
    ck_assert_int_eq(s.workers, 1); /* the first expired by itself */
    ck_assert_int_eq(xq_queue_worker_gone(q, "h:2:0", NULL), XQ_OK);
    ck_assert_int_eq(xq_queue_workers(q, &w, &n, NULL), XQ_OK);
    ck_assert_uint_eq(n, 0);
    xq_worker_info_free(w, n);
}
END_TEST

START_TEST(metrics_and_lock)
{
    char a[37];
    xq_buf b;
    xq_job *j;
    int got = 0;

    must_add("u1", 5, a);
    j = claim("w");
    ck_assert_int_eq(complete(a, "w", "m.csv"), XQ_OK);
    xq_job_free(j);
    ck_assert_int_eq(xq_queue_metric_incr(q, "mail_failures_total", 2, NULL), XQ_OK);
    ck_assert_int_eq(xq_queue_metric_incr(q, "bad name\n", 1, NULL), XQ_ERR_INVALID);
    xq_buf_init(&b, 1 << 20);
    ck_assert_int_eq(xq_queue_metrics_text(q, &b, NULL), XQ_OK);
    ck_assert_ptr_nonnull(
        strstr(b.data, "export_jobs_total{status=\"completed\",export_type=\"raw-data\"} 1\n"));
    ck_assert_ptr_nonnull(strstr(b.data, "# TYPE export_jobs_total counter\n"));
    ck_assert_ptr_nonnull(strstr(b.data, "export_job_duration_seconds_bucket{le=\"1\"} 1\n"));
    ck_assert_ptr_nonnull(strstr(b.data, "export_job_duration_seconds_bucket{le=\"+Inf\"} 1\n"));
    ck_assert_ptr_nonnull(strstr(b.data, "export_job_duration_seconds_count 1\n"));
    ck_assert_ptr_nonnull(strstr(b.data, "export_rows_total{export_type=\"raw-data\"} 7\n"));
    ck_assert_ptr_nonnull(strstr(b.data, "export_bytes_total{export_type=\"raw-data\"} 99\n"));
    ck_assert_ptr_nonnull(strstr(b.data, "mail_failures_total 2\n"));
    ck_assert_ptr_nonnull(strstr(b.data, "export_queue_jobs{state=\"completed\"} 1\n"));
    xq_buf_cleanup(&b);
    ck_assert_int_eq(xq_queue_try_lock(q, "purge", "A", 200, &got, NULL), XQ_OK);
    ck_assert_int_eq(got, 1);
    ck_assert_int_eq(xq_queue_try_lock(q, "purge", "B", 200, &got, NULL), XQ_OK);
    ck_assert_int_eq(got, 0);
    ck_assert_int_eq(xq_queue_try_lock(q, "purge", "A", 200, &got, NULL), XQ_OK);
    ck_assert_int_eq(got, 1);
    sleep_ms(250);
    ck_assert_int_eq(xq_queue_try_lock(q, "purge", "B", 200, &got, NULL), XQ_OK);
    ck_assert_int_eq(got, 1);
}
END_TEST

START_TEST(fairness)
{
    char a[10][37], bj[37];
    xq_job *j[4];
    int i;

    /* EXPORT_USER_MAX_ACTIVE = 2 (default) */
    for (i = 0; i < 10; i++)
        must_add("A", 5, a[i]);
    must_add("B", 5, bj);
    for (i = 0; i < 4; i++)
        j[i] = claim("w");
    ck_assert_str_eq(j[0]->id, a[0]);
    ck_assert_str_eq(j[1]->id, a[1]);
    ck_assert_str_eq(j[2]->id, bj); /* B starts before A's third */
    ck_assert_ptr_null(j[3]);       /* A at its cap does not block, nor run */
    ck_assert_int_eq(complete(a[0], "w", "x.csv"), XQ_OK);
    j[3] = claim("w");
    ck_assert_str_eq(j[3]->id, a[2]);
    for (i = 0; i < 4; i++)
        xq_job_free(j[i]);
}
END_TEST

/* Forked children: each claims until the queue is empty and writes the
 * ids it completed to a pipe. */
static void claimer(int fd, const char *wid)
{
    xq_job *j = NULL;
    xq_err err;

    xq_queue_after_fork(q);
    for (;;) {
        if (xq_queue_claim(q, wid, 300, &j, &err) != XQ_OK)
            _exit(2);
        if (j == NULL)
            _exit(0);
        if (complete(j->id, wid, "c.csv") == XQ_OK &&
            write(fd, j->id, XQ_JOB_ID_LEN) != XQ_JOB_ID_LEN)
            _exit(3);
        xq_job_free(j);
    }
}

START_TEST(concurrent_claims)
{
    enum { JOBS = 200, KIDS = 4 };
    char ids[JOBS][37], got[JOBS * 2][37], wid[16], owner[16];
    int p[2], k, i, m, st, ngot = 0, count;
    pid_t kids[KIDS];
    ssize_t r;
    xq_queue_stats s;

    set("EXPORT_USER_MAX_ACTIVE", "100");
    set("EXPORT_USER_MAX_PENDING", "1000");
    set("EXPORT_USER_RATE_PER_HOUR", "1000");
    reopen();
    for (i = 0; i < JOBS; i++) {
        snprintf(owner, sizeof(owner), "u%d", i % 7);
        must_add(owner, i % 3 == 0 ? 1 : 5, ids[i]);
    }
    ck_assert_int_eq(pipe(p), 0);
    for (k = 0; k < KIDS; k++) {
        snprintf(wid, sizeof(wid), "w%d", k);
        if ((kids[k] = fork()) == 0) {
            close(p[0]);
            claimer(p[1], wid);
        }
    }
    close(p[1]);
    while (ngot < JOBS * 2 && (r = read(p[0], got[ngot], XQ_JOB_ID_LEN)) == XQ_JOB_ID_LEN) {
        got[ngot][XQ_JOB_ID_LEN] = '\0';
        ngot++;
    }
    close(p[0]);
    for (k = 0; k < KIDS; k++) {
        ck_assert_int_eq(waitpid(kids[k], &st, 0), kids[k]);
        ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    }
    ck_assert_int_eq(ngot, JOBS);
    for (i = 0; i < JOBS; i++) {
        count = 0;
        for (m = 0; m < ngot; m++)
            count += strcmp(ids[i], got[m]) == 0;
        ck_assert_msg(count == 1, "job %s completed %d times", ids[i], count);
    }
    ck_assert_int_eq(xq_queue_stats_get(q, &s, NULL), XQ_OK);
    ck_assert_int_eq(s.completed, JOBS);
    ck_assert_int_eq(s.waiting + s.active, 0);
}
END_TEST

START_TEST(crash_recovery)
{
    char a[37], buf[40];
    int p[2], st;
    pid_t kid;
    long long n = -1;
    xq_job *j;

    set("EXPORT_LEASE_MS", "1000");
    reopen();
    must_add("u1", 5, a);
    ck_assert_int_eq(pipe(p), 0);
    if ((kid = fork()) == 0) {
        xq_job *cj = NULL;

        close(p[0]);
        xq_queue_after_fork(q);
        if (xq_queue_claim(q, "doomed", 1000, &cj, NULL) != XQ_OK || cj == NULL)
            _exit(2);
        if (write(p[1], cj->id, XQ_JOB_ID_LEN) != XQ_JOB_ID_LEN)
            _exit(3);
        for (;;)
            pause();
    }
    close(p[1]);
    ck_assert_int_eq(read(p[0], buf, XQ_JOB_ID_LEN), XQ_JOB_ID_LEN);
    close(p[0]);
    kill(kid, SIGKILL);
    ck_assert_int_eq(waitpid(kid, &st, 0), kid);
    ck_assert(WIFSIGNALED(st));
    ck_assert_int_eq(state_of(a), XQ_JOB_ACTIVE);
    ck_assert_int_eq(xq_queue_recover_leases(q, &n, NULL), XQ_OK);
    ck_assert_int_eq(n, 0); /* lease still running */
    sleep_ms(1100);
    ck_assert_int_eq(xq_queue_recover_leases(q, &n, NULL), XQ_OK);
    ck_assert_int_eq(n, 1);
    j = get(a);
    ck_assert_int_eq(j->state, XQ_JOB_WAITING);
    ck_assert_int_eq(j->attempts_made, 1);
    ck_assert_int_eq(j->position, 1);
    xq_job_free(j);
    ck_assert_int_eq(complete(a, "doomed", "x.csv"), XQ_ERR_LEASE);
    j = claim("rescuer");
    ck_assert_str_eq(j->id, a);
    ck_assert_int_eq(j->attempts_made, 2);
    xq_job_free(j);
    ck_assert_int_eq(complete(a, "rescuer", "x.csv"), XQ_OK);
    ck_assert_int_eq(complete(a, "rescuer", "x.csv"), XQ_ERR_LEASE);
    ck_assert_int_eq(state_of(a), XQ_JOB_COMPLETED);
}
END_TEST

START_TEST(lease_expiry_uses_attempts)
{
    char a[37];
    long long n;
    xq_job *j;

    set("EXPORT_LEASE_MS", "1000");
    set("EXPORT_JOB_ATTEMPTS", "1");
    reopen();
    must_add("u1", 5, a);
    xq_job_free(claim("w"));
    sleep_ms(1050);
    ck_assert_int_eq(xq_queue_recover_leases(q, &n, NULL), XQ_OK);
    ck_assert_int_eq(n, 1);
    j = get(a);
    ck_assert_int_eq(j->state, XQ_JOB_FAILED);
    ck_assert_ptr_nonnull(j->error);
    xq_job_free(j);
}
END_TEST

START_TEST(restart_keeps_jobs)
{
    char a[37], b[37], c[37];
    int final, tries;
    xq_job *j = NULL;
    xq_status st = XQ_ERR_REDIS;

    set("EXPORT_BACKOFF_MS", "60000");
    reopen();
    must_add("u1", 5, a);
    must_add("u1", 5, b);
    must_add("u2", 5, c);
    xq_job_free(claim("w")); /* a */
    ck_assert_int_eq(xq_queue_fail(q, a, "w", "x", 1, &final, NULL), XQ_OK);
    ck_assert_int_eq(xq_fixture_redis_restart(), 0);
    /* the same object: the first call may see the dead socket; then it
     * reconnects by itself and reloads its scripts (NOSCRIPT) */
    for (tries = 0; tries < 3 && st != XQ_OK; tries++)
        st = xq_queue_get(q, b, &j, NULL);
    ck_assert_int_eq(st, XQ_OK);
    ck_assert_int_eq(j->state, XQ_JOB_WAITING);
    ck_assert_int_eq(j->position, 1);
    xq_job_free(j);
    j = get(a);
    ck_assert_int_eq(j->state, XQ_JOB_DELAYED);
    ck_assert_int_eq(j->position, 3);
    xq_job_free(j);
    j = claim("w2");
    ck_assert_str_eq(j->id, b);
    xq_job_free(j);
    ck_assert_int_eq(complete(b, "w2", "b.csv"), XQ_OK);
}
END_TEST

START_TEST(script_cache_flushed)
{
    char a[37];
    redisReply *r = NULL;

    must_add("u1", 5, a);
    ck_assert_int_eq(xq_redis_cmd(xq_queue_redis(q), &r, NULL, "SCRIPT FLUSH"), XQ_OK);
    freeReplyObject(r);
    ck_assert_int_eq(state_of(a), XQ_JOB_WAITING);
}
END_TEST

START_TEST(pending_limit_concurrent)
{
    enum { KIDS = 50 };
    pid_t kids[KIDS];
    int k, st, ok = 0, limited = 0;
    xq_job **jobs = NULL;
    size_t n = 0;
    long long total = 0;

    set("EXPORT_USER_MAX_PENDING", "10");
    reopen();
    for (k = 0; k < KIDS; k++) {
        if ((kids[k] = fork()) == 0) {
            char id[37];
            xq_status s;

            xq_queue_after_fork(q);
            s = add_job("racer", 5, id, NULL, NULL);
            _exit(s == XQ_OK ? 0 : s == XQ_ERR_LIMIT ? 1 : 2);
        }
    }
    for (k = 0; k < KIDS; k++) {
        ck_assert_int_eq(waitpid(kids[k], &st, 0), kids[k]);
        ck_assert(WIFEXITED(st));
        ok += WEXITSTATUS(st) == 0;
        limited += WEXITSTATUS(st) == 1;
    }
    ck_assert_int_eq(ok, 10);
    ck_assert_int_eq(limited, 40);
    ck_assert_int_eq(xq_queue_list_owner(q, "racer", 0, 100, &jobs, &n, &total, NULL), XQ_OK);
    ck_assert_int_eq(total, 10);
    xq_job_list_free(jobs, n);
}
END_TEST

START_TEST(wake_latency)
{
    char a[37];
    int p[2], st;
    long long t_add, t_woke = 0;
    pid_t kid;

    ck_assert_int_eq(pipe(p), 0);
    if ((kid = fork()) == 0) {
        xq_job *j = NULL;
        long long t;

        close(p[0]);
        xq_queue_after_fork(q);
        if (xq_queue_claim(q, "sleeper", 5000, &j, NULL) != XQ_OK || j == NULL)
            _exit(2);
        t = mono_ms();
        if (write(p[1], &t, sizeof(t)) != sizeof(t))
            _exit(3);
        _exit(0);
    }
    close(p[1]);
    sleep_ms(300); /* the child is blocked in BLPOP by now */
    t_add = mono_ms();
    must_add("u1", 5, a);
    ck_assert_int_eq(read(p[0], &t_woke, sizeof(t_woke)), (ssize_t)sizeof(t_woke));
    close(p[0]);
    ck_assert_int_eq(waitpid(kid, &st, 0), kid);
    ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    ck_assert_msg(t_woke - t_add < 100, "woke %lld ms after the add", t_woke - t_add);
    ck_assert_int_eq(state_of(a), XQ_JOB_ACTIVE);
}
END_TEST

START_TEST(claim_blocks_then_times_out)
{
    long long t0 = mono_ms();
    xq_job *j = NULL;

    ck_assert_int_eq(xq_queue_claim(q, "w", 300, &j, NULL), XQ_OK);
    ck_assert_ptr_null(j);
    ck_assert(mono_ms() - t0 >= 290);
    ck_assert(mono_ms() - t0 < 1500);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("queue-redis");
    TCase *tc = tcase_create("redis");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, add_get_positions);
    tcase_add_test(tc, claim_progress_complete);
    tcase_add_test(tc, fail_backoff_retry);
    tcase_add_test(tc, cancel_and_remove);
    tcase_add_test(tc, release_keeps_place);
    tcase_add_test(tc, pending_limit);
    tcase_add_test(tc, hourly_limit);
    tcase_add_test(tc, pause_resume);
    tcase_add_test(tc, lists);
    tcase_add_test(tc, trim_clean_expire);
    tcase_add_test(tc, trim_keeps_1000_newest);
    tcase_add_test(tc, worker_registry);
    tcase_add_test(tc, metrics_and_lock);
    tcase_add_test(tc, fairness);
    tcase_add_test(tc, concurrent_claims);
    tcase_add_test(tc, crash_recovery);
    tcase_add_test(tc, lease_expiry_uses_attempts);
    tcase_add_test(tc, restart_keeps_jobs);
    tcase_add_test(tc, script_cache_flushed);
    tcase_add_test(tc, pending_limit_concurrent);
    tcase_add_test(tc, wake_latency);
    tcase_add_test(tc, claim_blocks_then_times_out);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr;
    int failed;

    if (xq_fixture_redis_start() != 0) {
        fprintf(stderr, "cannot start redis-server (is it installed?)\n");
        return 99; /* automake: hard error */
    }
    sr = srunner_create(suite());
    srunner_set_fork_status(sr, CK_NOFORK);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    xq_fixture_redis_stop();
    xq_fixture_redis_cleanup();
    return failed == 0 ? 0 : 1;
}
