/* check_request.c - request parsing and validation (SPEC §2, §5). */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "request.h"
#include "check_util.h"

static xq_status parse(const char *body, xq_export_request *req, xq_field_errors *fe)
{
    xq_err err;

    return xq_request_parse(body, strlen(body), req, fe, &err);
}

START_TEST(parse_full)
{
    xq_export_request req;
    xq_field_errors fe;

    xq_request_init(&req);
    ck_assert_int_eq(parse("{\"startDate\":\"2024-01-01\",\"endDate\":\"2024-12-31\","
                           "\"exportType\":\"model-breakdown\",\"format\":\"excel\","
                           "\"userId\":\"u1\",\"modelId\":\"m\",\"provider\":\"openai\","
                           "\"timezone\":\"Europe/Berlin\",\"priority\":\"high\","
                           "\"csvBom\":true,\"formulaGuard\":false}  \n",
                           &req, &fe),
                     XQ_OK);
    ck_assert_int_eq(req.type, XQ_TYPE_MODEL);
    ck_assert_int_eq(req.format, XQ_FMT_XLSX);
    ck_assert_str_eq(req.start_date, "2024-01-01");
    ck_assert_str_eq(req.end_date, "2024-12-31");
    ck_assert_str_eq(req.user_id, "u1");
    ck_assert_str_eq(req.model_id, "m");
    ck_assert_str_eq(req.provider, "openai");
    ck_assert_str_eq(req.timezone, "Europe/Berlin");
    ck_assert_int_eq(req.priority, XQ_PRIO_HIGH);
    ck_assert_int_eq(req.csv_bom, 1);
    ck_assert_int_eq(req.formula_guard, 0);
    xq_request_cleanup(&req);
}
END_TEST

START_TEST(defaults)
{
    xq_export_request req;
    xq_field_errors fe;

    xq_request_init(&req);
    ck_assert_int_eq(parse("{\"startDate\":\"2024-02-29\",\"endDate\":\"2024-02-29\","
                           "\"exportType\":\"raw-data\",\"format\":\"csv\"}", &req, &fe), XQ_OK);
    ck_assert_str_eq(req.timezone, "UTC");
    ck_assert_int_eq(req.priority, XQ_PRIO_NORMAL);
    ck_assert_int_eq(req.formula_guard, 1);
    ck_assert_int_eq(req.csv_bom, 0);
    ck_assert_ptr_null(req.user_id);
    xq_request_cleanup(&req);
}
END_TEST

START_TEST(rejects)
{
    xq_export_request req;
    xq_field_errors fe;
    char big[400];

    xq_request_init(&req);
    ck_assert_int_eq(parse("{\"startDate\":\"2023-02-29\",\"endDate\":\"2024-13-01\","
                           "\"exportType\":\"raw\",\"format\":\"xls\",\"timezone\":\"Mars/Base\","
                           "\"priority\":\"urgent\",\"extra\":1}", &req, &fe),
                     XQ_ERR_INVALID);
    ck_assert(xq_check_has_field(&fe, "startDate"));
    ck_assert(xq_check_has_field(&fe, "endDate"));
    ck_assert(xq_check_has_field(&fe, "exportType"));
    ck_assert(xq_check_has_field(&fe, "format"));
    ck_assert(xq_check_has_field(&fe, "timezone"));
    ck_assert(xq_check_has_field(&fe, "priority"));
    ck_assert(xq_check_has_field(&fe, "extra"));

    ck_assert_int_eq(parse("{\"startDate\":\"2024-03-02\",\"endDate\":\"2024-03-01\","
                           "\"exportType\":\"raw-data\",\"format\":\"csv\"}", &req, &fe),
                     XQ_ERR_INVALID);
    ck_assert(xq_check_has_field(&fe, "endDate"));
    ck_assert_int_eq(parse("{\"exportType\":\"raw-data\",\"format\":\"csv\"}", &req, &fe),
                     XQ_ERR_INVALID);
    ck_assert(xq_check_has_field(&fe, "startDate"));
    ck_assert_int_eq(parse("{\"startDate\":\"2024-01-01\",\"endDate\":\"2024-01-02\","
                           "\"exportType\":\"raw-data\",\"format\":\"csv\",\"userId\":\"\"}",
                           &req, &fe), XQ_ERR_INVALID);
    ck_assert(xq_check_has_field(&fe, "userId"));
    ck_assert_int_eq(parse("{\"startDate\":\"2024-01-01\",\"endDate\":\"2024-01-02\","
                           "\"exportType\":\"raw-data\",\"format\":\"csv\",\"userId\":5,"
                           "\"csvBom\":\"yes\"}", &req, &fe), XQ_ERR_INVALID);
    ck_assert(xq_check_has_field(&fe, "userId"));
    ck_assert(xq_check_has_field(&fe, "csvBom"));
    memset(big, 'x', sizeof(big));
    memcpy(big, "{\"startDate\":\"2024-01-01\",\"endDate\":\"2024-01-02\",\"exportType\":\"raw-data\","
                "\"format\":\"csv\",\"modelId\":\"", 99);
    memcpy(big + sizeof(big) - 3, "\"}", 3);
    ck_assert_int_eq(parse(big, &req, &fe), XQ_ERR_INVALID);
    ck_assert(xq_check_has_field(&fe, "modelId"));
    ck_assert_int_eq(parse("{\"startDate\":\"2024-01-01\\u0000x\",\"endDate\":"
                           "\"2024-01-02\",\"exportType\":\"raw-data\",\"format\":"
                           "\"csv\",\"timezone\":\"UTC\\u0000\"}", &req, &fe),
                     XQ_ERR_INVALID);
    ck_assert(xq_check_has_field(&fe, "startDate"));
    ck_assert(xq_check_has_field(&fe, "timezone"));
    ck_assert_int_eq(parse("[1]", &req, &fe), XQ_ERR_INVALID);
    ck_assert_int_eq(parse("{\"startDate\":", &req, &fe), XQ_ERR_INVALID);
    ck_assert_int_eq(parse("{} {}", &req, &fe), XQ_ERR_INVALID);
    ck_assert_ptr_null(req.model_id);
    xq_request_cleanup(&req);
}
END_TEST

START_TEST(dates)
{
    ck_assert(xq_date_valid("2024-02-29"));
    ck_assert(xq_date_valid("2000-02-29"));
    ck_assert(!xq_date_valid("1900-02-29"));
    ck_assert(!xq_date_valid("2023-02-29"));
    ck_assert(!xq_date_valid("2024-04-31"));
    ck_assert(!xq_date_valid("2024-00-10"));
    ck_assert(!xq_date_valid("2024-1-01"));
    ck_assert(!xq_date_valid("2024-01-01T"));
    ck_assert(!xq_date_valid("0000-01-01"));
    ck_assert(!xq_date_valid(NULL));
}
END_TEST

START_TEST(timezones)
{
    ck_assert(xq_request_timezone_known("UTC"));
    ck_assert(xq_request_timezone_known("Europe/Berlin"));
    ck_assert(xq_request_timezone_known("America/Argentina/Buenos_Aires"));
    ck_assert(xq_request_timezone_known("Etc/GMT+5"));
    ck_assert(!xq_request_timezone_known("Mars/Olympus"));
    ck_assert(!xq_request_timezone_known("../../etc/passwd"));
    ck_assert(!xq_request_timezone_known("/etc/localtime"));
    ck_assert(!xq_request_timezone_known("Europe//Berlin"));
    ck_assert(!xq_request_timezone_known("Europe"));      /* a directory */
    ck_assert(!xq_request_timezone_known("zone.tab"));    /* not a zone file */
    ck_assert(!xq_request_timezone_known("localtime"));
    ck_assert(!xq_request_timezone_known(""));
}
END_TEST

START_TEST(round_trip)
{
    xq_export_request req, back;
    xq_field_errors fe;
    xq_buf b;
    xq_err err;
    json_object *f;

    xq_request_init(&req);
    xq_request_init(&back);
    ck_assert_int_eq(parse("{\"startDate\":\"2024-01-01\",\"endDate\":\"2024-01-31\","
                           "\"exportType\":\"user-breakdown\",\"format\":\"json\","
                           "\"userId\":\"a\\\"b\\u00e9\",\"priority\":\"low\","
                           "\"timezone\":\"Asia/Kolkata\"}", &req, &fe), XQ_OK);
    xq_buf_init(&b, 4096);
    ck_assert_int_eq(xq_request_to_json(&req, &b), XQ_OK);
    ck_assert_int_eq(xq_request_from_json(xq_buf_str(&b), &back, &err), XQ_OK);
    ck_assert_int_eq(back.type, XQ_TYPE_USER);
    ck_assert_int_eq(back.format, XQ_FMT_JSON);
    ck_assert_str_eq(back.user_id, "a\"b\xc3\xa9");
    ck_assert_int_eq(back.priority, XQ_PRIO_LOW);
    ck_assert_str_eq(back.timezone, "Asia/Kolkata");
    ck_assert_int_eq(back.formula_guard, 1);
    f = xq_request_filters_json(&req);
    ck_assert_str_eq(json_object_to_json_string_ext(f, JSON_C_TO_STRING_PLAIN),
                     "{\"startDate\":\"2024-01-01\",\"endDate\":\"2024-01-31\",\"userId\":\"a\\\"b\xc3\xa9\"}");
    json_object_put(f);
    xq_buf_cleanup(&b);
    xq_request_cleanup(&req);
    xq_request_cleanup(&back);
}
END_TEST

START_TEST(names)
{
    ck_assert_str_eq(xq_export_type_name(XQ_TYPE_PROVIDER), "provider-breakdown");
    ck_assert_int_eq(xq_export_type_parse("raw-data"), XQ_TYPE_RAW);
    ck_assert_int_eq(xq_export_type_parse("Raw-Data"), -1);
    ck_assert_int_eq(xq_format_parse("excel"), XQ_FMT_XLSX);
    ck_assert_int_eq(xq_format_parse("xlsx"), -1);
    ck_assert_str_eq(xq_format_ext(XQ_FMT_XLSX), "xlsx");
    ck_assert_str_eq(xq_priority_name(XQ_PRIO_HIGH), "high");
    ck_assert_ptr_nonnull(strstr(xq_format_mime(XQ_FMT_XLSX), "spreadsheetml"));
}
END_TEST

START_TEST(rejects_bad_utf8)
{
    xq_export_request req;
    xq_field_errors fe;

    xq_request_init(&req);
    /* a lone 0xFF and a UTF-16 surrogate encoded as UTF-8 (CESU) */
    ck_assert_int_eq(parse("{\"startDate\":\"2024-01-01\",\"endDate\":\"2024-01-01\","
                           "\"exportType\":\"raw-data\",\"format\":\"csv\","
                           "\"userId\":\"a\xff\xfe\"}",
                           &req, &fe),
                     XQ_ERR_INVALID);
    ck_assert(xq_check_has_field(&fe, "userId"));
    ck_assert_int_eq(parse("{\"startDate\":\"2024-01-01\",\"endDate\":\"2024-01-01\","
                           "\"exportType\":\"raw-data\",\"format\":\"csv\","
                           "\"modelId\":\"\xed\xa0\x80\"}",
                           &req, &fe),
                     XQ_ERR_INVALID);
    ck_assert(xq_check_has_field(&fe, "modelId"));
    /* well-formed multibyte text is still fine */
    ck_assert_int_eq(parse("{\"startDate\":\"2024-01-01\",\"endDate\":\"2024-01-01\","
                           "\"exportType\":\"raw-data\",\"format\":\"csv\","
                           "\"userId\":\"J\xc3\xbcrgen \xf0\x9f\x98\x80\"}",
                           &req, &fe),
                     XQ_OK);
    ck_assert_str_eq(req.user_id, "J\xc3\xbcrgen \xf0\x9f\x98\x80");
    xq_request_cleanup(&req);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("request");
    TCase *tc = tcase_create("request");
    SRunner *sr;
    int failed;

    tcase_add_test(tc, parse_full);
    tcase_add_test(tc, defaults);
    tcase_add_test(tc, rejects);
    tcase_add_test(tc, dates);
    tcase_add_test(tc, timezones);
    tcase_add_test(tc, round_trip);
    tcase_add_test(tc, names);
    tcase_add_test(tc, rejects_bad_utf8);
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
