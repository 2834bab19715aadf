/* check_filename.c - generated export file names and their strict check. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "filename.h"

#define UUID "0b6f4a2e-5a7e-4c3e-9a43-2f7d1c7f0e11"

START_TEST(make_and_check)
{
    char n[XQ_FILENAME_MAX], n2[XQ_FILENAME_MAX];

    ck_assert_int_eq(xq_filename_make(XQ_TYPE_MODEL, UUID, XQ_FMT_XLSX, n, sizeof(n), NULL), XQ_OK);
    ck_assert_str_eq(n, "model-breakdown-" UUID ".xlsx");
    ck_assert(xq_filename_valid(n));
    ck_assert_int_eq(xq_filename_format(n), XQ_FMT_XLSX);
    ck_assert_int_eq(xq_filename_make(XQ_TYPE_RAW, "not-a-uuid", XQ_FMT_CSV, n, sizeof(n), NULL),
                     XQ_ERR_INVALID);
    /* sync exports: a fresh v4 UUID each time */
    ck_assert_int_eq(xq_filename_make(XQ_TYPE_RAW, NULL, XQ_FMT_CSV, n, sizeof(n), NULL), XQ_OK);
    ck_assert_int_eq(xq_filename_make(XQ_TYPE_RAW, NULL, XQ_FMT_CSV, n2, sizeof(n2), NULL), XQ_OK);
    ck_assert(xq_filename_valid(n));
    ck_assert_str_ne(n, n2);
    ck_assert_int_eq(n[strlen("raw-data-") + 14], '4');
}
END_TEST

START_TEST(strict)
{
    ck_assert(xq_filename_valid("raw-data-" UUID ".csv"));
    ck_assert(xq_filename_valid("user-breakdown-" UUID ".json"));
    ck_assert(!xq_filename_valid("raw-data-" UUID ".csv.part"));
    ck_assert(!xq_filename_valid(".raw-data-" UUID ".csv.part"));
    ck_assert(!xq_filename_valid("raw-data-" UUID ".xls"));
    ck_assert(!xq_filename_valid("raw-data-0B6F4A2E-5A7E-4C3E-9A43-2F7D1C7F0E11.csv"));
    ck_assert(!xq_filename_valid("../raw-data-" UUID ".csv"));
    ck_assert(!xq_filename_valid("raw-data-" UUID ".csv/"));
    ck_assert(!xq_filename_valid("raw-data-" UUID ".csv\n"));
    ck_assert(!xq_filename_valid("team-breakdown-" UUID ".csv"));
    ck_assert(!xq_filename_valid("raw-data-0b6f4a2e5a7e4c3e9a432f7d1c7f0e11.csv"));
    ck_assert(!xq_filename_valid(""));
    ck_assert(!xq_filename_valid(NULL));
}
END_TEST

START_TEST(display)
{
    xq_export_request req;
    char n[128];

    xq_request_init(&req);
    req.type = XQ_TYPE_MODEL;
    req.format = XQ_FMT_CSV;
    memcpy(req.start_date, "2024-01-01", 11);
    memcpy(req.end_date, "2024-12-31", 11);
    ck_assert_str_eq(xq_filename_display(&req, n, sizeof(n)),
                     "model-breakdown_2024-01-01_2024-12-31.csv");
    req.format = XQ_FMT_XLSX;
    ck_assert_str_eq(xq_filename_display(&req, n, sizeof(n)),
                     "model-breakdown_2024-01-01_2024-12-31.xlsx");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("filename");
    TCase *tc = tcase_create("filename");
    SRunner *sr;
    int failed;

    tcase_add_test(tc, make_and_check);
    tcase_add_test(tc, strict);
    tcase_add_test(tc, display);
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
