/* check_core.c - unit tests for buf, jsonstr, error and config. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "config.h"
#include "error.h"
#include "jsonstr.h"
#include "log.h"

START_TEST(buf_bounded)
{
    xq_buf b;

    xq_buf_init(&b, 8);
    ck_assert_int_eq(xq_buf_append_str(&b, "12345678"), XQ_OK);
    ck_assert_int_eq(xq_buf_append_char(&b, 'x'), XQ_ERR_TOO_BIG);
    ck_assert_str_eq(xq_buf_str(&b), "12345678");
    ck_assert_uint_eq(b.len, 8);
    xq_buf_reset(&b);
    ck_assert_int_eq(xq_buf_printf(&b, "%d-%s", 42, "ab"), XQ_OK);
    ck_assert_str_eq(xq_buf_str(&b), "42-ab");
    ck_assert_int_eq(xq_buf_printf(&b, "%s", "toolong"), XQ_ERR_TOO_BIG);
    ck_assert_str_eq(xq_buf_str(&b), "42-ab");
    xq_buf_cleanup(&b);
    /* reserve on a fresh buffer leaves a terminated empty string */
    xq_buf_init(&b, 100);
    ck_assert_int_eq(xq_buf_reserve(&b, 10), XQ_OK);
    ck_assert_ptr_nonnull(b.data);
    ck_assert_int_eq(b.data[0], '\0');
    ck_assert_str_eq(xq_buf_str(&b), "");
    xq_buf_cleanup(&b);
}
END_TEST

static char *json_of(const char *s, size_t n)
{
    xq_buf b;

    xq_buf_init(&b, 1 << 20);
    ck_assert_int_eq(xq_json_append_str(&b, s, n), XQ_OK);
    return xq_buf_steal(&b);
}

START_TEST(json_escapes)
{
    char *j;

    j = json_of("a\"b\\c\n\x01", 7);
    ck_assert_str_eq(j, "\"a\\\"b\\\\c\\n\\u0001\"");
    free(j);
    /* invalid UTF-8: lone continuation, overlong, surrogate -> U+FFFD each */
    j = json_of("\x80x\xC0\xAFy\xED\xA0\x80", 8);
    ck_assert_str_eq(j, "\"\xEF\xBF\xBDx\xEF\xBF\xBD\xEF\xBF\xBDy\xEF\xBF\xBD\xEF\xBF\xBD"
                        "\xEF\xBF\xBD\"");
    free(j);
    j = json_of("\xE4\xB8\xAD\xF0\x9F\x98\x80", 7); /* CJK + emoji kept */
    ck_assert_str_eq(j, "\"\xE4\xB8\xAD\xF0\x9F\x98\x80\"");
    free(j);
}
END_TEST

START_TEST(status_table)
{
    ck_assert_int_eq(xq_status_http(XQ_ERR_NOT_FOUND), 404);
    ck_assert_int_eq(xq_status_http(XQ_ERR_LIMIT), 429);
    ck_assert_str_eq(xq_status_code(XQ_ERR_INVALID), "VALIDATION_ERROR");
    ck_assert_int_eq(xq_status_http((xq_status)999), 500);
    ck_assert(xq_status_retryable(XQ_ERR_DB));
    ck_assert(!xq_status_retryable(XQ_ERR_SQL));
}
END_TEST

START_TEST(config_parse_ok)
{
    xq_config c;
    xq_err e;

    ck_assert_int_eq(xq_config_init(&c), XQ_OK);
    ck_assert_int_eq(c.redis_job_db, 1);
    ck_assert_int_eq(c.max_rows_sync, 10000);
    ck_assert_int_eq(xq_config_parse_string(&c,
                         "# comment\n\nREDIS_PORT=6390\nJWT_SECRET=\"0123456789abcdefXYZ\"\n"
                         "DATABASE_URL=postgresql://u:pw@h/db\nEXPORT_DIR=/tmp/x\n"
                         "EXPORT_XSENDFILE=yes\nEXPORT_FILE_RETENTION_HOURS=0.5\n",
                         "t.conf", &e),
                     XQ_OK);
    ck_assert_int_eq(c.redis_port, 6390);
    ck_assert_str_eq(c.jwt_secret, "0123456789abcdefXYZ");
    ck_assert_int_eq(c.xsendfile, 1);
    ck_assert(c.file_retention_hours > 0.49 && c.file_retention_hours < 0.51);
    ck_assert_int_eq(xq_config_validate(&c, &e), XQ_OK);
    xq_config_cleanup(&c);
}
END_TEST

START_TEST(config_parse_errors)
{
    xq_config c;
    xq_err e;

    ck_assert_int_eq(xq_config_init(&c), XQ_OK);
    ck_assert_int_eq(xq_config_parse_string(&c, "\nREDIS_PORT=abc\n", "t.conf", &e),
                     XQ_ERR_CONFIG);
    ck_assert_str_eq(e.msg, "t.conf:2: REDIS_PORT: 'abc' is not an integer");
    ck_assert_int_eq(xq_config_parse_string(&c, "REDIS_PORT=70000", "t.conf", &e),
                     XQ_ERR_CONFIG);
    ck_assert_str_eq(e.msg, "t.conf:1: REDIS_PORT: 70000 is out of range 1..65535");
    ck_assert_int_eq(xq_config_parse_string(&c, "REDIS_PROT=1", "t.conf", &e), XQ_ERR_CONFIG);
    ck_assert_str_eq(e.msg, "t.conf:1: REDIS_PROT: unknown configuration key");
    ck_assert_int_eq(xq_config_parse_string(&c, "junk", "t.conf", &e), XQ_ERR_CONFIG);
    ck_assert_int_eq(xq_config_parse_string(&c, "LOG_LEVEL=loud", "t.conf", &e), XQ_ERR_CONFIG);
    ck_assert_int_eq(xq_config_validate(&c, &e), XQ_ERR_CONFIG);
    ck_assert_str_eq(e.msg, "configuration: DATABASE_URL: required key is missing");
    xq_config_cleanup(&c);
}
END_TEST

START_TEST(config_prefix_too_long)
{
    xq_config c;
    xq_err e;
    char text[512];

    ck_assert_int_eq(xq_config_init(&c), XQ_OK);
    snprintf(text, sizeof(text),
             "DATABASE_URL=postgresql://x/y\nJWT_SECRET=0123456789abcdef\n"
             "EXPORT_DIR=/tmp\nREDIS_KEY_PREFIX=%065d\n", 0);
    ck_assert_int_eq(xq_config_parse_string(&c, text, "t.conf", &e), XQ_OK);
    ck_assert_int_eq(xq_config_validate(&c, &e), XQ_ERR_CONFIG);
    ck_assert_ptr_nonnull(strstr(e.msg, "REDIS_KEY_PREFIX"));
    snprintf(text, sizeof(text), "REDIS_KEY_PREFIX=%064d\n", 0);
    ck_assert_int_eq(xq_config_parse_string(&c, text, "t.conf", &e), XQ_OK);
    ck_assert_int_eq(xq_config_validate(&c, &e), XQ_OK);
    xq_config_cleanup(&c);
}
END_TEST

START_TEST(redact_password)
{
    char out[256];

    xq_log_redact_url("postgresql://u:secret@h:5432/db", out, sizeof(out));
    ck_assert_str_eq(out, "postgresql://u:***@h:5432/db");
    xq_log_redact_url("host=h password=secret dbname=d", out, sizeof(out));
    ck_assert_str_eq(out, "host=h password=*** dbname=d");
    /* libpq allows blanks around '=' and quoted values */
    xq_log_redact_url("host=h password = secret dbname=d", out, sizeof(out));
    ck_assert_ptr_null(strstr(out, "secret"));
    ck_assert_str_eq(out, "host=h password=*** dbname=d");
    xq_log_redact_url("host=h password='se cr\\'et' dbname=d", out, sizeof(out));
    ck_assert_ptr_null(strstr(out, "cr"));
    ck_assert_str_eq(out, "host=h password=*** dbname=d");
    xq_log_redact_url("postgresql://u@h/db?password=secret&sslmode=off", out, sizeof(out));
    ck_assert_str_eq(out, "postgresql://u@h/db?password=***&sslmode=off");
    xq_log_redact_url("host=h passwordx", out, sizeof(out));
    ck_assert_ptr_null(strstr(out, "x"));
}
END_TEST

static Suite *core_suite(void)
{
    Suite *s = suite_create("core");
    TCase *tc = tcase_create("core");

    tcase_add_test(tc, buf_bounded);
    tcase_add_test(tc, json_escapes);
    tcase_add_test(tc, status_table);
    tcase_add_test(tc, config_parse_ok);
    tcase_add_test(tc, config_parse_errors);
    tcase_add_test(tc, redact_password);
    tcase_add_test(tc, config_prefix_too_long);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(core_suite());
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
