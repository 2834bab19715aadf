/*
 * check_queue_states.c - every transition and refusal of the queue
 * (src/queue*.c and its Lua scripts) from one process, against a private
 * redis-server (queue_test.c, redis_fixture.c): positions, leases,
 * progress, backoff, cancel, limits, pause, lists, retention, the worker
 * registry, metrics, locks and fairness.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "queue_test.h"

START_TEST(add_get_positions)
{
    char a[37], b[37], c[37], h[37];
    long long pos;
    xq_job *j;

    ck_assert_int_eq(qt_add_job("u1", 5, a, &pos, NULL), XQ_OK);
    ck_assert(xq_job_id_valid(a));
    ck_assert_int_eq(pos, 1);
    ck_assert_int_eq(qt_add_job("u1", 5, b, &pos, NULL), XQ_OK);
    ck_assert_int_eq(pos, 2);
    ck_assert_int_eq(qt_add_job("u2", 10, c, &pos, NULL), XQ_OK);
    ck_assert_int_eq(pos, 3);
    ck_assert_int_eq(qt_add_job("u2", 1, h, &pos, NULL), XQ_OK);
    ck_assert_int_eq(pos, 1); /* high priority jumps the line */
    j = qt_get(a);
    ck_assert_int_eq(j->state, XQ_JOB_WAITING);
    ck_assert_int_eq(j->position, 2);
    ck_assert_str_eq(j->owner, "u1");
    ck_assert_str_eq(j->owner_email, "o@x.test");
    ck_assert_str_eq(j->export_type, "raw-data");
    ck_assert_int_eq(j->priority, 5);
    ck_assert_int_eq(j->attempts_made, 0);
    ck_assert(j->requested_at_ms > qt_wall_ms() - 5000);
    xq_job_free(j);
    j = qt_get(c);
    ck_assert_int_eq(j->position, 4);
    xq_job_free(j);
    /* unknown and malformed ids */
    ck_assert_int_eq(xq_queue_get(q, "00000000-0000-4000-8000-000000000000", &j, NULL),
                     XQ_ERR_NOT_FOUND);
    ck_assert_int_eq(xq_queue_get(q, "../../x", &j, NULL), XQ_ERR_NOT_FOUND);
    /* dispatch order: h, a, b, c */
    j = qt_claim("w");
    ck_assert_str_eq(j->id, h);
    xq_job_free(j);
    j = qt_get(b);
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

    qt_must_add("u1", 5, a);
    j = qt_claim("w1");
    ck_assert_ptr_nonnull(j);
    ck_assert_str_eq(j->id, a);
    ck_assert_int_eq(j->state, XQ_JOB_ACTIVE);
    ck_assert_int_eq(j->attempts_made, 1);
    ck_assert_str_eq(j->worker_id, "w1");
    ck_assert(j->lease_until_ms > qt_wall_ms());
    xq_job_free(j);
    ck_assert_ptr_null(qt_claim("w2")); /* nothing else waiting */
    ck_assert_int_eq(xq_queue_progress(q, a, "w1", 40, 400, 1000, &cancel, NULL), XQ_OK);
    ck_assert_int_eq(cancel, 0);
    ck_assert_int_eq(xq_queue_progress(q, a, "w1", 20, 300, 1000, &cancel, NULL), XQ_OK);
    j = qt_get(a);
    ck_assert_int_eq(j->progress, 40); /* never goes down */
    ck_assert_int_eq(j->rows_written, 400);
    ck_assert_int_eq(j->rows_estimated, 1000);
    ck_assert_int_eq(j->position, 0);
    xq_job_free(j);
    ck_assert_int_eq(xq_queue_progress(q, a, "w1", 100, 900, 1000, &cancel, NULL), XQ_OK);
    j = qt_get(a);
    ck_assert_int_eq(j->progress, 99); /* 100 only when completed */
    xq_job_free(j);
    ck_assert_int_eq(xq_queue_progress(q, a, "w2", 50, 1, 1, &cancel, NULL), XQ_ERR_LEASE);
    ck_assert_int_eq(xq_queue_renew(q, a, "w1", &cancel, NULL), XQ_OK);
    ck_assert_int_eq(xq_queue_renew(q, a, "w2", &cancel, NULL), XQ_ERR_LEASE);
    ck_assert_int_eq(qt_complete(a, "w2", "f.csv"), XQ_ERR_LEASE);
    ck_assert_int_eq(xq_queue_complete(q, a, "w1", "{\"fileName\":\"../x\",\"expiresAt\":1}", 1,
                                       1, NULL),
                     XQ_ERR_INVALID);
    ck_assert_int_eq(qt_complete(a, "w1", "f.csv"), XQ_OK);
    ck_assert_int_eq(qt_complete(a, "w1", "f.csv"), XQ_ERR_LEASE); /* never twice */
    j = qt_get(a);
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
    char *file = NULL;

    qt_set("EXPORT_JOB_ATTEMPTS", "2");
    qt_set("EXPORT_BACKOFF_MS", "300");
    qt_reopen();
    qt_must_add("u1", 5, a);
    j = qt_claim("w");
    xq_job_free(j);
    ck_assert_int_eq(xq_queue_fail(q, a, "w", "db lost", 1, &final, NULL), XQ_OK);
    ck_assert_int_eq(final, 0);
    j = qt_get(a);
    ck_assert_int_eq(j->state, XQ_JOB_DELAYED);
    ck_assert_int_eq(j->position, 1); /* nothing waiting, first delayed */
    xq_job_free(j);
    qt_must_add("u1", 5, b);
    j = qt_get(a);
    ck_assert_int_eq(j->position, 2); /* after the one waiting job */
    xq_job_free(j);
    xq_job_free(qt_claim("w")); /* takes b */
    ck_assert_ptr_null(qt_claim("w"));
    ck_assert_int_eq(xq_queue_promote_delayed(q, &n, NULL), XQ_OK);
    ck_assert_int_eq(n, 0);
    qt_sleep_ms(350);
    ck_assert_int_eq(xq_queue_promote_delayed(q, &n, NULL), XQ_OK);
    ck_assert_int_eq(n, 1);
    j = qt_claim("w");
    ck_assert_str_eq(j->id, a);
    ck_assert_int_eq(j->attempts_made, 2);
    xq_job_free(j);
    ck_assert_int_eq(xq_queue_fail(q, a, "w", "db lost again", 1, &final, NULL), XQ_OK);
    ck_assert_int_eq(final, 1); /* attempts used up */
    j = qt_get(a);
    ck_assert_int_eq(j->state, XQ_JOB_FAILED);
    ck_assert_str_eq(j->error, "db lost again");
    xq_job_free(j);
    ck_assert_int_eq(xq_queue_retry(q, a, NULL), XQ_OK);
    j = qt_get(a);
    ck_assert_int_eq(j->state, XQ_JOB_WAITING);
    ck_assert_int_eq(j->attempts_made, 0);
    ck_assert_ptr_null(j->error);
    xq_job_free(j);
    ck_assert_int_eq(xq_queue_retry(q, a, NULL), XQ_ERR_CONFLICT);
    /* an earlier attempt's error does not outlive a completion */
    xq_job_free(qt_claim("w"));
    ck_assert_int_eq(xq_queue_fail(q, a, "w", "flaky", 1, &final, NULL), XQ_OK);
    ck_assert_int_eq(final, 0);
    qt_sleep_ms(350);
    ck_assert_int_eq(xq_queue_promote_delayed(q, &n, NULL), XQ_OK);
    ck_assert_int_eq(n, 1);
    xq_job_free(qt_claim("w"));
    ck_assert_int_eq(qt_complete(a, "w", "a.csv"), XQ_OK);
    j = qt_get(a);
    ck_assert_int_eq(j->state, XQ_JOB_COMPLETED);
    ck_assert_int_eq(j->attempts_made, 2);
    ck_assert_ptr_null(j->error);
    xq_job_free(j);
    ck_assert_int_eq(xq_queue_forget(q, a, &file, NULL), XQ_OK);
    free(file);
    qt_must_add("u1", 5, a);
    /* a bad request fails at once */
    xq_job_free(qt_claim("w"));
    ck_assert_int_eq(xq_queue_fail(q, a, "w", "bad request", 0, &final, NULL), XQ_OK);
    ck_assert_int_eq(final, 1);
    ck_assert_int_eq(qt_state_of(a), XQ_JOB_FAILED);
}
END_TEST

START_TEST(cancel_and_remove)
{
    char a[37], b[37], c[37], d[37];
    int was = -1, cancel = 0;
    xq_job *j;
    char *file = NULL;
    int final;

    qt_must_add("u1", 5, a);
    qt_must_add("u1", 5, b);
    qt_must_add("u1", 5, c);
    ck_assert_int_eq(xq_queue_cancel(q, a, &was, NULL), XQ_OK);
    ck_assert_int_eq(was, 0);
    ck_assert_int_eq(qt_state_of(a), XQ_JOB_CANCELLED);
    ck_assert_int_eq(xq_queue_cancel(q, a, &was, NULL), XQ_ERR_CONFLICT);
    j = qt_claim("w"); /* b */
    ck_assert_str_eq(j->id, b);
    xq_job_free(j);
    ck_assert_int_eq(xq_queue_ack_cancel(q, b, "w", NULL), XQ_ERR_CONFLICT); /* no request */
    ck_assert_int_eq(xq_queue_cancel(q, b, &was, NULL), XQ_OK);
    ck_assert_int_eq(was, 1);
    ck_assert_int_eq(qt_state_of(b), XQ_JOB_ACTIVE);
    ck_assert_int_eq(xq_queue_progress(q, b, "w", 10, 1, 10, &cancel, NULL), XQ_OK);
    ck_assert_int_eq(cancel, 1);
    ck_assert_int_eq(xq_queue_ack_cancel(q, b, "other", NULL), XQ_ERR_LEASE);
    ck_assert_int_eq(xq_queue_ack_cancel(q, b, "w", NULL), XQ_OK);
    ck_assert_int_eq(qt_state_of(b), XQ_JOB_CANCELLED);
    ck_assert_int_eq(xq_queue_forget(q, b, &file, NULL), XQ_OK);
    ck_assert_ptr_null(file);
    ck_assert_int_eq(xq_queue_forget(q, c, &file, NULL), XQ_ERR_CONFLICT);
    /* delayed jobs cancel at once */
    qt_set("EXPORT_BACKOFF_MS", "60000");
    qt_reopen();
    xq_job_free(qt_claim("w")); /* c */
    ck_assert_int_eq(xq_queue_fail(q, c, "w", "x", 1, &final, NULL), XQ_OK);
    ck_assert_int_eq(qt_state_of(c), XQ_JOB_DELAYED);
    ck_assert_int_eq(xq_queue_cancel(q, c, &was, NULL), XQ_OK);
    ck_assert_int_eq(was, 0);
    ck_assert_int_eq(qt_state_of(c), XQ_JOB_CANCELLED);
    /* admin remove of an active job: the worker sees cancel, then its lease gone */
    qt_must_add("u1", 5, d);
    xq_job_free(qt_claim("w"));
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

    qt_must_add("u1", 5, a);
    qt_must_add("u2", 5, b);
    xq_job_free(qt_claim("w"));
    ck_assert_int_eq(xq_queue_release(q, a, "w", NULL), XQ_OK);
    j = qt_get(a);
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

    qt_set("EXPORT_USER_MAX_PENDING", "3");
    qt_reopen();
    qt_must_add("u1", 5, id);
    qt_must_add("u1", 5, id);
    qt_must_add("u1", 5, id);
    ck_assert_int_eq(xq_queue_add(q, &s, id, &pos, &retry, &err), XQ_ERR_LIMIT);
    ck_assert_int_eq(retry, 30);
    ck_assert_str_eq(id, "");
    ck_assert_int_eq(xq_queue_list_owner(q, "u1", 0, 10, &jobs, &n, &total, NULL), XQ_OK);
    ck_assert_int_eq(total, 3);
    xq_job_list_free(jobs, n);
    qt_must_add("u2", 5, id); /* another user is not affected */
    /* a finished job frees a slot */
    xq_job *j = qt_claim("w");
    ck_assert_int_eq(qt_complete(j->id, "w", "a.csv"), XQ_OK);
    xq_job_free(j);
    qt_must_add("u1", 5, id);
}
END_TEST

START_TEST(hourly_limit)
{
    char id[37];
    long retry = 0;

    qt_set("EXPORT_USER_RATE_PER_HOUR", "3");
    qt_reopen();
    ck_assert_int_eq(xq_queue_charge_sync(q, "u1", &retry, NULL), XQ_OK);
    qt_must_add("u1", 5, id);
    qt_must_add("u1", 5, id);
    ck_assert_int_eq(qt_add_job("u1", 5, id, NULL, &retry), XQ_ERR_LIMIT);
    ck_assert(retry > 3590 && retry <= 3600);
    ck_assert_int_eq(xq_queue_charge_sync(q, "u1", &retry, NULL), XQ_ERR_LIMIT);
    ck_assert(retry > 3590 && retry <= 3600);
    /* refusals count toward nothing: cancelling frees no hourly slot, but
     * the refused ones did not take any either */
    qt_must_add("u2", 5, id);
    ck_assert_int_eq(xq_queue_charge_sync(q, "u2", &retry, NULL), XQ_OK);
    ck_assert_int_eq(xq_queue_charge_sync(q, "u2", &retry, NULL), XQ_OK);
    ck_assert_int_eq(xq_queue_charge_sync(q, "u2", &retry, NULL), XQ_ERR_LIMIT);
}
END_TEST

/* The hourly window counts only the last hour: entries older than that are
 * not counted, and are pruned (with the key's expiry pushed to 2 h) when
 * the key's TTL has fallen under an hour. */
/* The integer answer of a command just run (st and *r from xq_redis_cmd). */
static long long int_reply(xq_status st, redisReply **r)
{
    long long v;

    ck_assert_int_eq(st, XQ_OK);
    ck_assert_int_eq((*r)->type, REDIS_REPLY_INTEGER);
    v = (*r)->integer;
    freeReplyObject(*r);
    *r = NULL;
    return v;
}
#define RCMD(...) int_reply(xq_redis_cmd(xq_queue_redis(q), &rr, NULL, __VA_ARGS__), &rr)

START_TEST(hourly_window_prunes)
{
    static const char *const old[] = {"old0", "old1", "old2"};
    long long stale = qt_wall_ms() - 3700000;
    char id[37];
    redisReply *rr = NULL;
    long retry = 0;
    int i;

    qt_set("EXPORT_USER_RATE_PER_HOUR", "3");
    qt_reopen();
    for (i = 0; i < 3; i++)
        ck_assert_int_eq(RCMD("ZADD exportq:rate:u9 %lld %s", stale, old[i]), 1);
    ck_assert_int_eq(RCMD("PEXPIRE exportq:rate:u9 600000"), 1);
    /* three entries, all older than an hour: the window is empty */
    qt_must_add("u9", 5, id);
    ck_assert_int_eq(RCMD("ZCARD exportq:rate:u9"), 1);
    ck_assert(RCMD("PTTL exportq:rate:u9") > 3600000);
    qt_must_add("u9", 5, id);
    ck_assert_int_eq(xq_queue_charge_sync(q, "u9", &retry, NULL), XQ_OK);
    ck_assert_int_eq(qt_add_job("u9", 5, id, NULL, &retry), XQ_ERR_LIMIT);
    ck_assert(retry > 3590 && retry <= 3600);
    ck_assert_int_eq(RCMD("ZCARD exportq:rate:u9"), 3);
}
END_TEST

START_TEST(pause_resume)
{
    char a[37];
    xq_queue_stats s;
    xq_job *j;

    ck_assert_int_eq(xq_queue_set_paused(q, 1, NULL), XQ_OK);
    qt_must_add("u1", 5, a);
    ck_assert_ptr_null(qt_claim("w"));
    ck_assert_int_eq(xq_queue_stats_get(q, &s, NULL), XQ_OK);
    ck_assert_int_eq(s.paused, 1);
    ck_assert_int_eq(s.waiting, 1);
    ck_assert_int_eq(xq_queue_set_paused(q, 0, NULL), XQ_OK);
    j = qt_claim("w");
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
        qt_must_add("u1", 5, ids[i]);
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
        xq_job *j = qt_claim("w");
        ck_assert_int_eq(qt_complete(j->id, "w", "z.csv"), XQ_OK);
        xq_job_free(j);
        qt_sleep_ms(3);
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
    long long removed = 0, now = qt_wall_ms();
    int final;
    xq_job *j;

    qt_must_add("u1", 5, a);
    qt_must_add("u2", 5, b);
    qt_must_add("u3", 5, c);
    j = qt_claim("w");
    ck_assert_int_eq(qt_complete(a, "w", "a.csv"), XQ_OK);
    xq_job_free(j);
    j = qt_claim("w");
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
    ck_assert_int_eq(qt_state_of(b), XQ_JOB_FAILED);
    ck_assert_int_eq(xq_queue_trim(q, now + 15LL * 86400000, &removed, &names, &nn, NULL), XQ_OK);
    ck_assert_int_eq(removed, 1); /* failed > 14 days */
    free(names);
    /* clean: waiting older than 1 h: none; older than 0: c */
    qt_must_add("u4", 5, d);
    ck_assert_int_eq(xq_queue_clean(q, XQ_JOB_WAITING, 3600000, &removed, &names, &nn, NULL),
                     XQ_OK);
    ck_assert_int_eq(removed, 0);
    free(names);
    qt_sleep_ms(5);
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

    qt_set("EXPORT_USER_MAX_PENDING", "100000");
    qt_set("EXPORT_USER_RATE_PER_HOUR", "100000");
    qt_set("EXPORT_USER_MAX_ACTIVE", "1000");
    qt_reopen();
    for (k = 0; k < 1005; k++) {
        xq_job *j;

        qt_must_add("u1", 5, id);
        j = qt_claim("w");
        ck_assert_int_eq(qt_complete(j->id, "w", "f.csv"), XQ_OK);
        xq_job_free(j);
    }
    ck_assert_int_eq(xq_queue_trim(q, qt_wall_ms(), &removed, &names, &nn, NULL), XQ_OK);
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

    ck_assert_int_eq(xq_queue_heartbeat(q, "h:1:0", "host-a", 4242, "", qt_wall_ms(), 300, NULL),
                     XQ_OK);
    ck_assert_int_eq(xq_queue_heartbeat(q, "h:2:0", "host-b", 4343, "abc", qt_wall_ms(), 5000, NULL),
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
    qt_sleep_ms(400);
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

    qt_must_add("u1", 5, a);
    j = qt_claim("w");
    ck_assert_int_eq(qt_complete(a, "w", "m.csv"), XQ_OK);
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
    qt_sleep_ms(250);
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
        qt_must_add("A", 5, a[i]);
    qt_must_add("B", 5, bj);
    for (i = 0; i < 4; i++)
        j[i] = qt_claim("w");
    ck_assert_str_eq(j[0]->id, a[0]);
    ck_assert_str_eq(j[1]->id, a[1]);
    ck_assert_str_eq(j[2]->id, bj); /* B starts before A's third */
    ck_assert_ptr_null(j[3]);       /* A at its cap does not block, nor run */
    ck_assert_int_eq(qt_complete(a[0], "w", "x.csv"), XQ_OK);
    j[3] = qt_claim("w");
    ck_assert_str_eq(j[3]->id, a[2]);
    for (i = 0; i < 4; i++)
        xq_job_free(j[i]);
}
END_TEST

START_TEST(cancel_wins_over_complete)
{
    char a[37];
    int was = -1;
    xq_job *j;

    /* cancel answered 202 after the worker's last progress call: complete
     * is refused, the job stays active for the worker's ackcancel */
    qt_must_add("u1", 5, a);
    xq_job_free(qt_claim("w"));
    ck_assert_int_eq(xq_queue_cancel(q, a, &was, NULL), XQ_OK);
    ck_assert_int_eq(was, 1);
    ck_assert_int_eq(qt_complete(a, "w", "f.csv"), XQ_ERR_CANCELLED);
    ck_assert_int_eq(qt_state_of(a), XQ_JOB_ACTIVE);
    ck_assert_int_eq(xq_queue_ack_cancel(q, a, "w", NULL), XQ_OK);
    ck_assert_int_eq(qt_state_of(a), XQ_JOB_CANCELLED);
    ck_assert_int_eq(xq_queue_get(q, a, &j, NULL), XQ_OK);
    ck_assert_ptr_null(j->result_json);
    xq_job_free(j);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("queue-states");
    TCase *tc = tcase_create("redis");

    tcase_add_checked_fixture(tc, qt_setup, qt_teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, add_get_positions);
    tcase_add_test(tc, claim_progress_complete);
    tcase_add_test(tc, fail_backoff_retry);
    tcase_add_test(tc, cancel_and_remove);
    tcase_add_test(tc, release_keeps_place);
    tcase_add_test(tc, pending_limit);
    tcase_add_test(tc, hourly_limit);
    tcase_add_test(tc, hourly_window_prunes);
    tcase_add_test(tc, pause_resume);
    tcase_add_test(tc, lists);
    tcase_add_test(tc, trim_clean_expire);
    tcase_add_test(tc, trim_keeps_1000_newest);
    tcase_add_test(tc, worker_registry);
    tcase_add_test(tc, metrics_and_lock);
    tcase_add_test(tc, fairness);
    tcase_add_test(tc, cancel_wins_over_complete);
    suite_add_tcase(s, tc);
    return qt_run(s);
}
