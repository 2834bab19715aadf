/* check_auth.c - Authorization header parsing, roles -> permissions. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "jwt.h"

#define SECRET "auth-test-secret"
#define NOW 1700000000

static char header[4096];

/* "Bearer <token>" for the given claims, signed with SECRET. */
static const char *bearer(const char *scheme, const char *claims)
{
    xq_buf b;

    xq_buf_init(&b, 8192);
    ck_assert_int_eq(xq_jwt_sign_hs256(claims, SECRET, strlen(SECRET), &b), XQ_OK);
    snprintf(header, sizeof(header), "%s %s", scheme, b.data);
    xq_buf_cleanup(&b);
    return header;
}

START_TEST(bearer_parse)
{
    const char *t;
    size_t n;

    ck_assert_int_eq(xq_auth_bearer("Bearer abc.def.ghi", &t, &n), XQ_OK);
    ck_assert_uint_eq(n, 11);
    ck_assert(strncmp(t, "abc.def.ghi", n) == 0);
    ck_assert_int_eq(xq_auth_bearer("bEaReR   tok  ", &t, &n), XQ_OK);
    ck_assert_uint_eq(n, 3);
    ck_assert(strncmp(t, "tok", 3) == 0);
    ck_assert_int_eq(xq_auth_bearer("Bearer\ttok", &t, &n), XQ_OK);
    ck_assert_int_eq(xq_auth_bearer("Bearer", &t, &n), XQ_ERR_AUTH);
    ck_assert_int_eq(xq_auth_bearer("Bearer ", &t, &n), XQ_ERR_AUTH);
    ck_assert_int_eq(xq_auth_bearer("Bearertok", &t, &n), XQ_ERR_AUTH);
    ck_assert_int_eq(xq_auth_bearer("Basic dXNlcjpwYXNz", &t, &n), XQ_ERR_AUTH);
    ck_assert_int_eq(xq_auth_bearer("Bearer a b", &t, &n), XQ_ERR_AUTH);
    ck_assert_int_eq(xq_auth_bearer("", &t, &n), XQ_ERR_AUTH);
    ck_assert_int_eq(xq_auth_bearer(NULL, &t, &n), XQ_ERR_AUTH);
    ck_assert_ptr_null(t);
}
END_TEST

START_TEST(role_mapping)
{
    ck_assert_uint_eq(xq_auth_role_perms("admin"), XQ_PERM_ADMIN_USAGE | XQ_PERM_ADMIN_QUEUE);
    ck_assert_uint_eq(xq_auth_role_perms("adminReadonly"), XQ_PERM_ADMIN_USAGE);
    ck_assert_uint_eq(xq_auth_role_perms("Admin"), 0);
    ck_assert_uint_eq(xq_auth_role_perms("adminreadonly"), 0);
    ck_assert_uint_eq(xq_auth_role_perms("user"), 0);
    ck_assert_uint_eq(xq_auth_role_perms(""), 0);
    ck_assert_uint_eq(xq_auth_role_perms(NULL), 0);
    ck_assert_str_eq(xq_auth_perm_name(XQ_PERM_ADMIN_QUEUE), "admin:queue");
    ck_assert_str_eq(xq_auth_perm_name(XQ_PERM_ADMIN_USAGE), "admin:usage");
}
END_TEST

START_TEST(authenticate)
{
    xq_principal p;
    xq_err e;

    ck_assert_int_eq(xq_auth_authenticate(bearer("Bearer",
                                                 "{\"userId\":\"u1\",\"email\":\"u1@x.org\","
                                                 "\"roles\":[\"admin\"],\"exp\":1900000000}"),
                                          SECRET, NOW, &p, &e),
                     XQ_OK);
    ck_assert_str_eq(p.user_id, "u1");
    ck_assert_str_eq(p.email, "u1@x.org");
    ck_assert_int_eq(p.is_admin, 1);
    ck_assert(xq_auth_has(&p, XQ_PERM_ADMIN_USAGE | XQ_PERM_ADMIN_QUEUE));

    ck_assert_int_eq(xq_auth_authenticate(bearer("bearer",
                                                 "{\"sub\":\"r1\",\"roles\":[\"adminReadonly\"],"
                                                 "\"exp\":1900000000}"),
                                          SECRET, NOW, &p, &e),
                     XQ_OK);
    ck_assert_str_eq(p.user_id, "r1");
    ck_assert_int_eq(p.is_admin, 0);
    ck_assert(xq_auth_has(&p, XQ_PERM_ADMIN_USAGE));
    ck_assert(!xq_auth_has(&p, XQ_PERM_ADMIN_QUEUE));

    /* unknown and wrongly-cased roles give nothing */
    ck_assert_int_eq(xq_auth_authenticate(bearer("Bearer",
                                                 "{\"userId\":\"n\",\"roles\":[\"Admin\",\"user\"],"
                                                 "\"exp\":1900000000}"),
                                          SECRET, NOW, &p, &e),
                     XQ_OK);
    ck_assert_uint_eq(p.perms, 0);
    ck_assert_int_eq(p.is_admin, 0);
    ck_assert(!xq_auth_has(&p, XQ_PERM_ADMIN_USAGE));

    ck_assert_int_eq(xq_auth_authenticate(NULL, SECRET, NOW, &p, &e), XQ_ERR_AUTH);
    ck_assert_int_eq(xq_auth_authenticate("Basic abc", SECRET, NOW, &p, &e), XQ_ERR_AUTH);
    ck_assert_int_eq(xq_auth_authenticate(bearer("Bearer", "{\"userId\":\"u\",\"exp\":1}"), SECRET,
                                          NOW, &p, &e),
                     XQ_ERR_AUTH);
    ck_assert_str_eq(e.msg, "token expired");
    ck_assert_str_eq(p.user_id, "");
    ck_assert_int_eq(xq_auth_authenticate(bearer("Bearer",
                                                 "{\"userId\":\"u\",\"exp\":1900000000}"),
                                          "another-secret", NOW, &p, &e),
                     XQ_ERR_AUTH);
    ck_assert(!xq_auth_has(NULL, XQ_PERM_ADMIN_USAGE));
}
END_TEST

START_TEST(metrics_token)
{
    ck_assert(xq_auth_metrics_ok(NULL, NULL));
    ck_assert(xq_auth_metrics_ok("", "whatever"));
    ck_assert(xq_auth_metrics_ok("m3trics", "Bearer m3trics"));
    ck_assert(xq_auth_metrics_ok("m3trics", "BEARER m3trics"));
    ck_assert(!xq_auth_metrics_ok("m3trics", "Bearer m3tric"));
    ck_assert(!xq_auth_metrics_ok("m3trics", "Bearer m3tricss"));
    ck_assert(!xq_auth_metrics_ok("m3trics", "m3trics"));
    ck_assert(!xq_auth_metrics_ok("m3trics", NULL));
    ck_assert(!xq_auth_metrics_ok("m3trics", "Bearer "));
}
END_TEST

START_TEST(token_cache)
{
    xq_auth_cache *c = malloc(sizeof(*c));
    xq_principal p;
    xq_err e;
    char hdr[4096], other[4096];
    size_t n;

    xq_auth_cache_init(c);
    snprintf(hdr, sizeof(hdr), "%s",
             bearer("Bearer", "{\"userId\":\"c1\",\"roles\":[\"adminReadonly\"],"
                              "\"exp\":1700000100}"));
    ck_assert_int_eq(xq_auth_authenticate_cached(c, hdr, SECRET, NOW, &p, &e), XQ_OK);
    ck_assert_uint_eq(c->misses, 1);
    ck_assert_int_eq(xq_auth_authenticate_cached(c, hdr, SECRET, NOW, &p, &e), XQ_OK);
    ck_assert_uint_eq(c->hits, 1);
    ck_assert_str_eq(p.user_id, "c1");
    ck_assert_uint_eq(p.perms, XQ_PERM_ADMIN_USAGE);
    /* a token of the same length with one byte changed is not a hit */
    memcpy(other, hdr, sizeof(other));
    n = strlen(other);
    other[n - 3] = other[n - 3] == 'A' ? 'B' : 'A';
    ck_assert_int_eq(xq_auth_authenticate_cached(c, other, SECRET, NOW, &p, &e), XQ_ERR_AUTH);
    ck_assert_str_eq(p.user_id, "");
    ck_assert_uint_eq(c->hits, 1);
    /* a cached token still expires (with the same 60 s leeway) */
    ck_assert_int_eq(xq_auth_authenticate_cached(c, hdr, SECRET, NOW + 159, &p, &e), XQ_OK);
    ck_assert_int_eq(xq_auth_authenticate_cached(c, hdr, SECRET, NOW + 160, &p, &e), XQ_ERR_AUTH);
    ck_assert_str_eq(e.msg, "token expired");
    ck_assert_int_eq(xq_auth_authenticate_cached(c, hdr, SECRET, NOW, &p, &e), XQ_OK);
    ck_assert_uint_eq(c->misses, 3); /* evicted on expiry, verified again */
    ck_assert_int_eq(xq_auth_authenticate_cached(c, NULL, SECRET, NOW, &p, &e), XQ_ERR_AUTH);
    ck_assert_int_eq(xq_auth_authenticate_cached(NULL, hdr, SECRET, NOW, &p, &e), XQ_OK);
    free(c);
}
END_TEST

static Suite *auth_suite(void)
{
    Suite *s = suite_create("auth");
    TCase *tc = tcase_create("auth");

    tcase_add_test(tc, bearer_parse);
    tcase_add_test(tc, role_mapping);
    tcase_add_test(tc, authenticate);
    tcase_add_test(tc, metrics_token);
    tcase_add_test(tc, token_cache);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(auth_suite());
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
