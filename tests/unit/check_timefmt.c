/* check_timefmt.c - ISO 8601 and Excel forms of wall times. */
#include <check.h>
#include <stdlib.h>

#include "timefmt.h"

static const char *iso(long long ms, int off)
{
    static char b[XQ_TIME_ISO_MAX];

    xq_time_format_iso(b, ms, off);
    return b;
}

START_TEST(iso_forms)
{
    ck_assert_str_eq(iso(0, 0), "1970-01-01T00:00:00.000Z");
    ck_assert_str_eq(iso(1709251200000LL, 0), "2024-03-01T00:00:00.000Z");
    ck_assert_str_eq(iso(1709164799999LL, 0), "2024-02-28T23:59:59.999Z");
    ck_assert_str_eq(iso(1709164800000LL + 43200123LL, 0), "2024-02-29T12:00:00.123Z");
    ck_assert_str_eq(iso(1711850399999LL, 3600), "2024-03-31T01:59:59.999+01:00");
    ck_assert_str_eq(iso(1711846800000LL + 7200000LL, 7200), "2024-03-31T03:00:00.000+02:00");
    ck_assert_str_eq(iso(1704067200000LL, -18000), "2024-01-01T00:00:00.000-05:00");
    ck_assert_str_eq(iso(1704067200000LL, 19800), "2024-01-01T00:00:00.000+05:30");
    ck_assert_str_eq(iso(1704067200000LL, 20700), "2024-01-01T00:00:00.000+05:45");
    ck_assert_str_eq(iso(-1, 0), "1969-12-31T23:59:59.999Z");
    ck_assert_str_eq(iso(951782400000LL, 0), "2000-02-29T00:00:00.000Z");
    ck_assert_str_eq(iso(0, 3208), "1970-01-01T00:00:00.000+00:53:28"); /* LMT */
}
END_TEST

START_TEST(excel_serial)
{
    ck_assert_double_eq(xq_time_excel_serial(0), 25569.0);
    ck_assert_double_eq_tol(xq_time_excel_serial(1709164800000LL + 43200000LL), 45351.5, 1e-9);
}
END_TEST

START_TEST(civil)
{
    int y, m, d;

    xq_time_civil(19782, &y, &m, &d); /* 2024-02-29 */
    ck_assert_int_eq(y, 2024);
    ck_assert_int_eq(m, 2);
    ck_assert_int_eq(d, 29);
    xq_time_civil(-1, &y, &m, &d);
    ck_assert_int_eq(y, 1969);
    ck_assert_int_eq(m, 12);
    ck_assert_int_eq(d, 31);
}
END_TEST

START_TEST(parse_pg)
{
    long long ms;

    ck_assert_int_eq(xq_time_parse_pg("2024-02-29 12:00:00.123", 23, &ms), 0);
    ck_assert_int_eq(ms, 1709164800000LL + 43200123LL);
    ck_assert_int_eq(xq_time_parse_pg("2024-02-29 12:00:00.1", 21, &ms), 0);
    ck_assert_int_eq(ms, 1709164800000LL + 43200100LL);
    ck_assert_int_eq(xq_time_parse_pg("2024-02-29 12:00:00", 19, &ms), 0);
    ck_assert_int_eq(ms, 1709164800000LL + 43200000LL);
    ck_assert_int_eq(xq_time_parse_pg("1969-12-31 23:59:59.999999", 26, &ms), 0);
    ck_assert_int_eq(ms, -1);
    ck_assert_int_eq(xq_time_parse_pg("2024-02-29T12:00:00", 19, &ms), -1);
    ck_assert_int_eq(xq_time_parse_pg("2024-02-29 12:00:00.", 20, &ms), -1);
    ck_assert_int_eq(xq_time_parse_pg("2024-13-29 12:00:00", 19, &ms), -1);
    ck_assert_int_eq(xq_time_parse_pg("29/02/2024 12:00:00", 19, &ms), -1);
    ck_assert_int_eq(xq_time_parse_pg("2024-02-29 12:00:00 BC", 22, &ms), -1);
    ck_assert_int_eq(xq_time_parse_pg("2024-02-29", 10, &ms), -1);
    ck_assert_int_eq(xq_time_days(1970, 1, 1), 0);
    ck_assert_int_eq(xq_time_days(2024, 2, 29), 19782);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("timefmt");
    TCase *tc = tcase_create("timefmt");
    SRunner *sr;
    int failed;

    tcase_add_test(tc, iso_forms);
    tcase_add_test(tc, excel_serial);
    tcase_add_test(tc, civil);
    tcase_add_test(tc, parse_pg);
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
