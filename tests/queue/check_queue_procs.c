/*
 * check_queue_procs.c - the queue with several processes and a restarting
 * server: concurrent claimers (each job done once), a SIGKILLed worker, a
 * Redis restart with AOF, the pending limit under concurrent submissions,
 * wake-up latency and an idle claimer's CPU.  Forked helpers report through
 * pipes and exit codes.
 */
#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "queue_test.h"
#include "redis_fixture.h"

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
        if (qt_complete(j->id, wid, "c.csv") == XQ_OK &&
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

    qt_set("EXPORT_USER_MAX_ACTIVE", "100");
    qt_set("EXPORT_USER_MAX_PENDING", "1000");
    qt_set("EXPORT_USER_RATE_PER_HOUR", "1000");
    qt_reopen();
    for (i = 0; i < JOBS; i++) {
        snprintf(owner, sizeof(owner), "u%d", i % 7);
        qt_must_add(owner, i % 3 == 0 ? 1 : 5, ids[i]);
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

    qt_set("EXPORT_LEASE_MS", "1000");
    qt_reopen();
    qt_must_add("u1", 5, a);
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
    ck_assert_int_eq(qt_state_of(a), XQ_JOB_ACTIVE);
    ck_assert_int_eq(xq_queue_recover_leases(q, &n, NULL), XQ_OK);
    ck_assert_int_eq(n, 0); /* lease still running */
    qt_sleep_ms(1100);
    ck_assert_int_eq(xq_queue_recover_leases(q, &n, NULL), XQ_OK);
    ck_assert_int_eq(n, 1);
    j = qt_get(a);
    ck_assert_int_eq(j->state, XQ_JOB_WAITING);
    ck_assert_int_eq(j->attempts_made, 1);
    ck_assert_int_eq(j->position, 1);
    xq_job_free(j);
    ck_assert_int_eq(qt_complete(a, "doomed", "x.csv"), XQ_ERR_LEASE);
    j = qt_claim("rescuer");
    ck_assert_str_eq(j->id, a);
    ck_assert_int_eq(j->attempts_made, 2);
    xq_job_free(j);
    ck_assert_int_eq(qt_complete(a, "rescuer", "x.csv"), XQ_OK);
    ck_assert_int_eq(qt_complete(a, "rescuer", "x.csv"), XQ_ERR_LEASE);
    ck_assert_int_eq(qt_state_of(a), XQ_JOB_COMPLETED);
}
END_TEST

START_TEST(lease_expiry_uses_attempts)
{
    char a[37];
    long long n;
    xq_job *j;

    qt_set("EXPORT_LEASE_MS", "1000");
    qt_set("EXPORT_JOB_ATTEMPTS", "1");
    qt_reopen();
    qt_must_add("u1", 5, a);
    xq_job_free(qt_claim("w"));
    qt_sleep_ms(1050);
    ck_assert_int_eq(xq_queue_recover_leases(q, &n, NULL), XQ_OK);
    ck_assert_int_eq(n, 1);
    j = qt_get(a);
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

    qt_set("EXPORT_BACKOFF_MS", "60000");
    qt_reopen();
    qt_must_add("u1", 5, a);
    qt_must_add("u1", 5, b);
    qt_must_add("u2", 5, c);
    xq_job_free(qt_claim("w")); /* a */
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
    j = qt_get(a);
    ck_assert_int_eq(j->state, XQ_JOB_DELAYED);
    ck_assert_int_eq(j->position, 3);
    xq_job_free(j);
    j = qt_claim("w2");
    ck_assert_str_eq(j->id, b);
    xq_job_free(j);
    ck_assert_int_eq(qt_complete(b, "w2", "b.csv"), XQ_OK);
}
END_TEST

START_TEST(script_cache_flushed)
{
    char a[37];
    redisReply *r = NULL;

    qt_must_add("u1", 5, a);
    ck_assert_int_eq(xq_redis_cmd(xq_queue_redis(q), &r, NULL, "SCRIPT FLUSH"), XQ_OK);
    freeReplyObject(r);
    ck_assert_int_eq(qt_state_of(a), XQ_JOB_WAITING);
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

    qt_set("EXPORT_USER_MAX_PENDING", "10");
    qt_reopen();
    for (k = 0; k < KIDS; k++) {
        if ((kids[k] = fork()) == 0) {
            char id[37];
            xq_status s;

            xq_queue_after_fork(q);
            s = qt_add_job("racer", 5, id, NULL, NULL);
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
        t = qt_mono_ms();
        if (write(p[1], &t, sizeof(t)) != sizeof(t))
            _exit(3);
        _exit(0);
    }
    close(p[1]);
    qt_sleep_ms(300); /* the child is blocked in BLPOP by now */
    t_add = qt_mono_ms();
    qt_must_add("u1", 5, a);
    ck_assert_int_eq(read(p[0], &t_woke, sizeof(t_woke)), (ssize_t)sizeof(t_woke));
    close(p[0]);
    ck_assert_int_eq(waitpid(kid, &st, 0), kid);
    ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    ck_assert_msg(t_woke - t_add < 100, "woke %lld ms after the add", t_woke - t_add);
    ck_assert_int_eq(qt_state_of(a), XQ_JOB_ACTIVE);
}
END_TEST

START_TEST(claim_blocks_then_times_out)
{
    long long t0 = qt_mono_ms();
    xq_job *j = NULL;

    struct rusage ru;
    pid_t kid;
    int st;
    long cpu_us;

    ck_assert_int_eq(xq_queue_claim(q, "w", 300, &j, NULL), XQ_OK);
    ck_assert_ptr_null(j);
    ck_assert(qt_mono_ms() - t0 >= 290);
    ck_assert(qt_mono_ms() - t0 < 1500);
    /* an idle worker waits in the server: about no CPU for a second */
    if ((kid = fork()) == 0) {
        xq_queue_after_fork(q);
        _exit(xq_queue_claim(q, "idle", 1000, &j, NULL) == XQ_OK && j == NULL ? 0 : 1);
    }
    ck_assert_int_eq(wait4(kid, &st, 0, &ru), kid);
    ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    cpu_us = (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000L + ru.ru_utime.tv_usec +
             ru.ru_stime.tv_usec;
    ck_assert_msg(cpu_us < 50000, "idle claimer used %ld us of CPU in 1 s", cpu_us);
}
END_TEST


int main(void)
{
    Suite *s = suite_create("queue-procs");
    TCase *tc = tcase_create("redis");

    tcase_add_checked_fixture(tc, qt_setup, qt_teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, concurrent_claims);
    tcase_add_test(tc, crash_recovery);
    tcase_add_test(tc, lease_expiry_uses_attempts);
    tcase_add_test(tc, restart_keeps_jobs);
    tcase_add_test(tc, script_cache_flushed);
    tcase_add_test(tc, pending_limit_concurrent);
    tcase_add_test(tc, wake_latency);
    tcase_add_test(tc, claim_blocks_then_times_out);
    suite_add_tcase(s, tc);
    return qt_run(s);
}
