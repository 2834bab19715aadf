/*
 * check_fuzz_regress.c - every input the fuzzers (tests/fuzz/) found to
 * break a property, as a plain Check test that runs in every build (the
 * normal one and the sanitizer one), so a fix cannot silently regress.
 * Each test names the target and the corpus file that reproduces it under
 * libFuzzer (tests/fuzz/corpus/<target>/regress-*).
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "request.h"
#include "check_util.h"

/*
 * fuzz_request, corpus/request/regress-invalid-utf8-filter: json-c keeps
 * raw bytes in strings, so a filter of ill-formed UTF-8 was accepted; it
 * would have made the job's "filters" invalid JSON and the query fail.
 */
START_TEST(request_filter_not_utf8)
{
    static const char *const bodies[] = {
        "{\"startDate\":\"2026-01-01\",\"endDate\":\"2026-01-02\",\"exportType\":\"raw-data\","
        "\"format\":\"csv\",\"userId\":\"a\xff" "b\"}",
        "{\"startDate\":\"2026-01-01\",\"endDate\":\"2026-01-02\",\"exportType\":\"raw-data\","
        "\"format\":\"csv\",\"modelId\":\"\xc0\xaf\"}",
        "{\"startDate\":\"2026-01-01\",\"endDate\":\"2026-01-02\",\"exportType\":\"raw-data\","
        "\"format\":\"csv\",\"provider\":\"\xed\xa0\x80\"}",
    };
    static const char *const fields[] = {"userId", "modelId", "provider"};
    static const char good[] = "{\"startDate\":\"2026-01-01\",\"endDate\":\"2026-01-02\","
                               "\"exportType\":\"raw-data\",\"format\":\"csv\","
                               "\"userId\":\"\xc3\xa9\xe6\xbc\xa2\xf0\x9f\x98\x80\"}";
    xq_export_request req;
    xq_field_errors fe;
    xq_err err;
    size_t i;

    for (i = 0; i < 3; i++) {
        xq_request_init(&req);
        memset(&fe, 0, sizeof(fe));
        ck_assert_int_eq(xq_request_parse(bodies[i], strlen(bodies[i]), &req, &fe, &err),
                         XQ_ERR_INVALID);
        ck_assert_msg(xq_check_has_field(&fe, fields[i]), "no error for %s", fields[i]);
        ck_assert_ptr_null(req.user_id);
        xq_request_cleanup(&req);
    }
    /* well-formed multi-byte filters still pass */
    xq_request_init(&req);
    ck_assert_int_eq(xq_request_parse(good, strlen(good), &req, &fe, &err), XQ_OK);
    ck_assert_str_eq(req.user_id, "\xc3\xa9\xe6\xbc\xa2\xf0\x9f\x98\x80");
    xq_request_cleanup(&req);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("fuzz_regress");
    TCase *tc = tcase_create("found");
    SRunner *sr;
    int failed;

    tcase_add_test(tc, request_filter_not_utf8);
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
