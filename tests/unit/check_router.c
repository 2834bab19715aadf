/* check_router.c - route matching, params, 405 Allow lists, 404, decoding. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "router.h"
#include "routes.h"

static const xq_route table[] = {
    {"GET", "/api/v1/health", NULL, XQ_AUTH_NONE, 0, 0},
    {"POST", "/api/v1/admin/usage/export", NULL, XQ_AUTH_TOKEN, 1, 0},
    {"DELETE", "/api/v1/admin/usage/export/:jobId", NULL, XQ_AUTH_TOKEN, 1, 0},
    {"GET", "/api/v1/admin/usage/export-status/:jobId", NULL, XQ_AUTH_TOKEN, 1, 0},
    {"GET", "/downloads/:fileName", NULL, XQ_AUTH_OPTIONAL, 0, 0},
    {"HEAD", "/downloads/:fileName", NULL, XQ_AUTH_OPTIONAL, 0, 0},
    {"POST", "/api/v1/admin/queue/jobs/:jobId/retry", NULL, XQ_AUTH_TOKEN, 2, 0},
    {"DELETE", "/api/v1/admin/queue/jobs/:jobId", NULL, XQ_AUTH_TOKEN, 2, 0},
    {"GET", "/a/:x/b/:y", NULL, XQ_AUTH_NONE, 0, 0},
};
#define N (sizeof(table) / sizeof(table[0]))

static xq_route_match m;

static xq_status match(const char *method, const char *path)
{
    return xq_router_match(table, N, method, path, strlen(path), &m);
}

START_TEST(literal_and_params)
{
    ck_assert_int_eq(match("GET", "/api/v1/health"), XQ_OK);
    ck_assert_ptr_eq(m.route, &table[0]);
    ck_assert_int_eq(m.nparams, 0);
    ck_assert_int_eq(
        match("DELETE", "/api/v1/admin/usage/export/1b4e28ba-2fa1-41d2-883f-0016d3cca427"), XQ_OK);
    ck_assert_ptr_eq(m.route, &table[2]);
    ck_assert_str_eq(xq_route_param(&m, "jobId"), "1b4e28ba-2fa1-41d2-883f-0016d3cca427");
    ck_assert_ptr_null(xq_route_param(&m, "job"));
    ck_assert_int_eq(match("POST", "/api/v1/admin/queue/jobs/j-7/retry"), XQ_OK);
    ck_assert_ptr_eq(m.route, &table[6]);
    ck_assert_str_eq(xq_route_param(&m, "jobId"), "j-7");
    ck_assert_int_eq(match("GET", "/a/one/b/two"), XQ_OK);
    ck_assert_str_eq(xq_route_param(&m, "x"), "one");
    ck_assert_str_eq(xq_route_param(&m, "y"), "two");
    ck_assert_int_eq(match("HEAD", "/downloads/f.csv"), XQ_OK);
    ck_assert_ptr_eq(m.route, &table[5]);
}
END_TEST

START_TEST(not_found)
{
    ck_assert_int_eq(match("GET", "/api/v1/healthz"), XQ_ERR_NOT_FOUND);
    ck_assert_int_eq(match("GET", "/api/v1/health/"), XQ_ERR_NOT_FOUND);
    ck_assert_int_eq(match("GET", "/api//v1/health"), XQ_ERR_NOT_FOUND);
    ck_assert_int_eq(match("GET", "/API/v1/health"), XQ_ERR_NOT_FOUND);
    ck_assert_int_eq(match("GET", "/"), XQ_ERR_NOT_FOUND);
    ck_assert_int_eq(match("GET", ""), XQ_ERR_NOT_FOUND);
    ck_assert_int_eq(match("GET", "api/v1/health"), XQ_ERR_NOT_FOUND);
    ck_assert_int_eq(match("GET", "/downloads/"), XQ_ERR_NOT_FOUND); /* empty param */
    ck_assert_int_eq(match("GET", "/downloads"), XQ_ERR_NOT_FOUND);
    ck_assert_int_eq(match("GET", "/a/one/b"), XQ_ERR_NOT_FOUND);
    ck_assert_int_eq(match("GET", "/a/one/b/two/three"), XQ_ERR_NOT_FOUND);
}
END_TEST

START_TEST(method_not_allowed)
{
    ck_assert_int_eq(match("POST", "/api/v1/health"), XQ_ERR_METHOD);
    ck_assert_str_eq(m.allow, "GET");
    ck_assert_ptr_null(m.route);
    ck_assert_int_eq(match("PUT", "/downloads/x.csv"), XQ_ERR_METHOD);
    ck_assert_str_eq(m.allow, "GET, HEAD");
    ck_assert_int_eq(match("get", "/api/v1/health"), XQ_ERR_METHOD); /* methods are exact */
    ck_assert_int_eq(match("GET", "/api/v1/admin/queue/jobs/j1"), XQ_ERR_METHOD);
    ck_assert_str_eq(m.allow, "DELETE");
    ck_assert_int_eq(match("HEAD", "/api/v1/health"), XQ_ERR_METHOD);
}
END_TEST

START_TEST(real_table_allow)
{
    const char *p = "/api/v1/admin/usage/export";
    size_t i;
    int seen_health = 0;

    ck_assert_int_eq(xq_router_match(xq_routes, xq_nroutes, "GET", p, strlen(p), &m),
                     XQ_ERR_METHOD);
    ck_assert_str_eq(m.allow, "POST");
    p = "/api/v1/admin/usage/my-exports/abc";
    ck_assert_int_eq(xq_router_match(xq_routes, xq_nroutes, "GET", p, strlen(p), &m),
                     XQ_ERR_METHOD);
    ck_assert_str_eq(m.allow, "DELETE");
    /* every route of SPEC §5 is in the table with a handler and sane auth */
    for (i = 0; i < xq_nroutes; i++) {
        ck_assert_ptr_nonnull(xq_routes[i].handler);
        if (xq_routes[i].auth == XQ_AUTH_TOKEN)
            ck_assert_uint_ne(xq_routes[i].perm, 0);
        if (strcmp(xq_routes[i].pattern, "/api/v1/health") == 0)
            seen_health = xq_routes[i].auth == XQ_AUTH_NONE;
    }
    ck_assert(seen_health);
    ck_assert_uint_eq(xq_nroutes, 18);
}
END_TEST

START_TEST(percent_decoding)
{
    ck_assert_int_eq(match("GET", "/api/v1/%68ealth"), XQ_OK); /* %68 = h */
    ck_assert_ptr_eq(m.route, &table[0]);
    ck_assert_int_eq(match("GET", "/downloads/a%20b.csv"), XQ_OK);
    ck_assert_str_eq(xq_route_param(&m, "fileName"), "a b.csv");
    ck_assert_int_eq(match("GET", "/downloads/a+b.csv"), XQ_OK); /* '+' is literal in paths */
    ck_assert_str_eq(xq_route_param(&m, "fileName"), "a+b.csv");
    /* an encoded slash never splits a segment: refused */
    ck_assert_int_eq(match("GET", "/downloads/..%2f..%2fetc%2fpasswd"), XQ_ERR_INVALID);
    ck_assert_int_eq(match("GET", "/downloads/%2e%2e%2f"), XQ_ERR_INVALID);
    ck_assert_int_eq(match("GET", "/downloads/%2e%2e"), XQ_ERR_INVALID);
    ck_assert_int_eq(match("GET", "/downloads/%2E"), XQ_ERR_INVALID);
    ck_assert_int_eq(match("GET", "/downloads/.."), XQ_ERR_INVALID);
    ck_assert_int_eq(match("GET", "/downloads/a%00.csv"), XQ_ERR_INVALID);
    ck_assert_int_eq(match("GET", "/downloads/a%zz"), XQ_ERR_INVALID);
    ck_assert_int_eq(match("GET", "/downloads/a%4"), XQ_ERR_INVALID);
    ck_assert_int_eq(match("GET", "/downloads/a%"), XQ_ERR_INVALID);
    /* double encoding decodes once only */
    ck_assert_int_eq(match("GET", "/downloads/%252e%252e%252f"), XQ_OK);
    ck_assert_str_eq(xq_route_param(&m, "fileName"), "%2e%2e%2f");
    ck_assert_int_eq(match("GET", "/downloads/...."), XQ_OK);
}
END_TEST

START_TEST(pct_decode_fn)
{
    char out[8];
    size_t n;

    ck_assert_int_eq(xq_pct_decode("a+b%21", 6, 1, out, sizeof(out), &n), XQ_OK);
    ck_assert_str_eq(out, "a b!");
    ck_assert_uint_eq(n, 4);
    ck_assert_int_eq(xq_pct_decode("a+b", 3, 0, out, sizeof(out), &n), XQ_OK);
    ck_assert_str_eq(out, "a+b");
    ck_assert_int_eq(xq_pct_decode("12345678", 8, 0, out, sizeof(out), &n), XQ_ERR_TOO_BIG);
    ck_assert_int_eq(xq_pct_decode("%00", 3, 0, out, sizeof(out), &n), XQ_ERR_INVALID);
    ck_assert_int_eq(xq_pct_decode("%FF", 3, 0, out, sizeof(out), &n), XQ_OK);
    ck_assert_int_eq((unsigned char)out[0], 0xff);
}
END_TEST

START_TEST(bounds)
{
    char *p = malloc(XQ_ROUTE_PATH_MAX + 64);
    size_t i;

    /* overlong path */
    memcpy(p, "/downloads/", 12);
    for (i = 11; i < XQ_ROUTE_PATH_MAX + 10; i++)
        p[i] = 'a';
    p[i] = '\0';
    ck_assert_int_eq(match("GET", p), XQ_ERR_NOT_FOUND);
    /* a long but allowed one */
    p[XQ_ROUTE_PATH_MAX - 1] = '\0';
    ck_assert_int_eq(match("GET", p), XQ_OK);
    ck_assert_uint_eq(strlen(xq_route_param(&m, "fileName")), XQ_ROUTE_PATH_MAX - 12);
    /* too many segments */
    for (i = 0; i < XQ_ROUTE_SEGS_MAX + 1; i++)
        memcpy(p + 2 * i, "/x", 2);
    p[2 * i] = '\0';
    ck_assert_int_eq(match("GET", p), XQ_ERR_NOT_FOUND);
    free(p);
}
END_TEST

static Suite *router_suite(void)
{
    Suite *s = suite_create("router");
    TCase *tc = tcase_create("router");

    tcase_add_test(tc, literal_and_params);
    tcase_add_test(tc, not_found);
    tcase_add_test(tc, method_not_allowed);
    tcase_add_test(tc, real_table_allow);
    tcase_add_test(tc, percent_decoding);
    tcase_add_test(tc, pct_decode_fn);
    tcase_add_test(tc, bounds);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(router_suite());
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
