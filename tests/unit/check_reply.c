/* check_reply.c - the responder's shared reply helpers that need no server:
 * strict counts (limit/offset), who may see a job, and the real route table
 * (every route has a handler; paths never overlap between methods). */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "reply.h"
#include "routes.h"

START_TEST(counts_are_strict)
{
    long long v = -1;

    ck_assert_int_eq(xq_parse_count("0", 100, &v), 1);
    ck_assert_int_eq(v, 0);
    ck_assert_int_eq(xq_parse_count("100", 100, &v), 1);
    ck_assert_int_eq(v, 100);
    ck_assert_int_eq(xq_parse_count("101", 100, &v), 0);
    ck_assert_int_eq(xq_parse_count("", 100, &v), 0);
    ck_assert_int_eq(xq_parse_count(NULL, 100, &v), 0);
    ck_assert_int_eq(xq_parse_count("-1", 100, &v), 0);
    ck_assert_int_eq(xq_parse_count("+1", 100, &v), 0);
    ck_assert_int_eq(xq_parse_count(" 1", 100, &v), 0);
    ck_assert_int_eq(xq_parse_count("1 ", 100, &v), 0);
    ck_assert_int_eq(xq_parse_count("1.0", 100, &v), 0);
    ck_assert_int_eq(xq_parse_count("0x10", 100, &v), 0);
    ck_assert_int_eq(xq_parse_count("1e2", 1000, &v), 0);
    ck_assert_int_eq(xq_parse_count("999999999999999999", 1000000000000000000LL, &v), 1);
    ck_assert_int_eq(xq_parse_count("9999999999999999999", 1000000000000000000LL, &v), 0);
    ck_assert_int_eq(v, 999999999999999999LL);
}
END_TEST

START_TEST(job_visibility)
{
    xq_principal p;
    xq_job job;
    char alice[] = "alice", alice2[] = "alice2";

    memset(&p, 0, sizeof(p));
    memset(&job, 0, sizeof(job));
    memcpy(p.user_id, "alice", sizeof("alice"));
    job.owner = alice;
    ck_assert_int_eq(xq_job_visible(&p, &job), 1);
    job.owner = alice2;
    ck_assert_int_eq(xq_job_visible(&p, &job), 0);
    job.owner = NULL;
    ck_assert_int_eq(xq_job_visible(&p, &job), 0);
    p.is_admin = 1;
    ck_assert_int_eq(xq_job_visible(&p, &job), 1);
}
END_TEST

START_TEST(every_route_has_a_handler)
{
    size_t i, j;

    ck_assert_uint_eq(xq_nroutes, 18);
    for (i = 0; i < xq_nroutes; i++) {
        ck_assert_ptr_nonnull(xq_routes[i].handler);
        for (j = i + 1; j < xq_nroutes; j++)
            ck_assert(strcmp(xq_routes[i].method, xq_routes[j].method) != 0 ||
                      strcmp(xq_routes[i].pattern, xq_routes[j].pattern) != 0);
    }
}
END_TEST

static Suite *reply_suite(void)
{
    Suite *s = suite_create("reply");
    TCase *tc = tcase_create("pure");

    tcase_add_test(tc, counts_are_strict);
    tcase_add_test(tc, job_visibility);
    tcase_add_test(tc, every_route_has_a_handler);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(reply_suite());
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
