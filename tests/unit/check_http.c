/* check_http.c - request parsing from FastCGI params (no socket needed):
 * path, query decoding, Content-Length, Content-Type, request id. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"

static xq_http h;
static FCGX_Request req;

static void begin(const char **envp)
{
    memset(&req, 0, sizeof(req));
    req.envp = (char **)envp; /* FCGX_GetParam only reads it */
    xq_http_begin(&h, &req);
}

static void setup(void)
{
    xq_http_init(&h);
}

static void teardown(void)
{
    xq_http_cleanup(&h);
}

START_TEST(path_and_query)
{
    const char *env[] = {"REQUEST_METHOD=GET",
                   "REQUEST_URI=/api/v1/admin/queue/jobs?state=fail%65d&limit=20&x&e=&sp=a+b%20c",
                   "QUERY_STRING=state=fail%65d&limit=20&x&e=&sp=a+b%20c&bad=%zz&nul=%00",
                   NULL};
    char v[16];
    int found;

    begin(env);
    ck_assert_str_eq(h.method, "GET");
    ck_assert_uint_eq(h.path_len, strlen("/api/v1/admin/queue/jobs"));
    ck_assert(strncmp(h.path, "/api/v1/admin/queue/jobs", h.path_len) == 0);
    ck_assert_int_eq(xq_http_query(&h, "state", v, sizeof(v), &found), XQ_OK);
    ck_assert_int_eq(found, 1);
    ck_assert_str_eq(v, "failed");
    ck_assert_int_eq(xq_http_query(&h, "limit", v, sizeof(v), &found), XQ_OK);
    ck_assert_str_eq(v, "20");
    ck_assert_int_eq(xq_http_query(&h, "x", v, sizeof(v), &found), XQ_OK);
    ck_assert_int_eq(found, 1);
    ck_assert_str_eq(v, "");
    ck_assert_int_eq(xq_http_query(&h, "e", v, sizeof(v), &found), XQ_OK);
    ck_assert_str_eq(v, "");
    ck_assert_int_eq(xq_http_query(&h, "sp", v, sizeof(v), &found), XQ_OK);
    ck_assert_str_eq(v, "a b c");
    ck_assert_int_eq(xq_http_query(&h, "offset", v, sizeof(v), &found), XQ_OK);
    ck_assert_int_eq(found, 0);
    ck_assert_int_eq(xq_http_query(&h, "bad", v, sizeof(v), &found), XQ_ERR_INVALID);
    ck_assert_int_eq(xq_http_query(&h, "nul", v, sizeof(v), &found), XQ_ERR_INVALID);
    ck_assert_int_eq(xq_http_query(&h, "state", v, 4, &found), XQ_ERR_TOO_BIG);
}
END_TEST

START_TEST(path_fallback)
{
    const char *env[] = {"REQUEST_METHOD=POST", "SCRIPT_NAME=/api", "PATH_INFO=/v1/health", NULL};

    begin(env);
    ck_assert_uint_eq(h.path_len, strlen("/api/v1/health"));
    ck_assert_str_eq(h.path, "/api/v1/health");
    ck_assert_str_eq(h.query, "");
    ck_assert_ptr_null(h.authorization);
}
END_TEST

START_TEST(content_length_and_type)
{
    const char *ok[] = {"CONTENT_LENGTH=65537", "CONTENT_TYPE=Application/JSON; charset=utf-8",
                        NULL};
    const char *bad[] = {"CONTENT_LENGTH=12abc", "CONTENT_TYPE=application/jsonx", NULL};
    const char *neg[] = {"CONTENT_LENGTH=-1", "CONTENT_TYPE=text/plain", NULL};
    const char *huge[] = {"CONTENT_LENGTH=99999999999999999999", NULL};
    const char *none[] = {NULL};
    xq_err e;

    begin(ok);
    ck_assert_int_eq(h.content_length, 65537);
    ck_assert_int_eq(h.content_length_bad, 0);
    ck_assert(xq_http_is_json(&h));
    ck_assert_int_eq(xq_http_read_body(&h, &e), XQ_ERR_TOO_BIG); /* before any read */
    begin(bad);
    ck_assert_int_eq(h.content_length_bad, 1);
    ck_assert(!xq_http_is_json(&h));
    ck_assert_int_eq(xq_http_read_body(&h, &e), XQ_ERR_INVALID);
    begin(neg);
    ck_assert_int_eq(h.content_length_bad, 1);
    ck_assert(!xq_http_is_json(&h));
    begin(huge);
    ck_assert_int_eq(h.content_length_bad, 1);
    begin(none);
    ck_assert_int_eq(h.content_length, -1);
    ck_assert_int_eq(h.content_length_bad, 0);
    ck_assert(!xq_http_is_json(&h));
    ck_assert_int_eq(xq_http_read_body(&h, &e), XQ_OK); /* no body: empty */
    ck_assert_uint_eq(h.body.len, 0);
    ck_assert_str_eq(h.method, "");
}
END_TEST

START_TEST(request_id)
{
    const char *safe[] = {"HTTP_X_REQUEST_ID=req-1.A_b", NULL};
    const char *unsafe[] = {"HTTP_X_REQUEST_ID=a b", NULL};
    const char *none[] = {NULL};
    char first[XQ_HTTP_REQID_MAX + 1];
    size_t i;

    begin(safe);
    ck_assert_str_eq(h.request_id, "req-1.A_b");
    begin(unsafe);
    ck_assert_uint_eq(strlen(h.request_id), 32);
    for (i = 0; i < 32; i++)
        ck_assert(strchr("0123456789abcdef", h.request_id[i]) != NULL);
    memcpy(first, h.request_id, sizeof(first));
    begin(none);
    ck_assert_uint_eq(strlen(h.request_id), 32);
    ck_assert_str_ne(h.request_id, first);
}
END_TEST

START_TEST(reasons)
{
    ck_assert_str_eq(xq_http_reason(413), "Payload Too Large");
    ck_assert_str_eq(xq_http_reason(501), "Not Implemented");
    ck_assert_str_eq(xq_http_reason(299), "Unknown");
}
END_TEST

static Suite *http_suite(void)
{
    Suite *s = suite_create("http");
    TCase *tc = tcase_create("http");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, path_and_query);
    tcase_add_test(tc, path_fallback);
    tcase_add_test(tc, content_length_and_type);
    tcase_add_test(tc, request_id);
    tcase_add_test(tc, reasons);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(http_suite());
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
