/* check_fmt.c - the pure parts of the writers (CSV field, XLSX text
 * cleaning, JSON numbers) and the CSV/JSON writers on a temporary file. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fmt.h"
#include "query.h"

static char *csv(const char *s, size_t n, int text, int guard)
{
    xq_buf b;

    xq_buf_init(&b, 1 << 20);
    ck_assert_int_eq(xq_csv_field(&b, s, n, text, guard), XQ_OK);
    return xq_buf_steal(&b);
}

#define CSV_EQ(in, text, guard, want)                                    \
    do {                                                                 \
        char *g_ = csv(in, sizeof(in) - 1, text, guard);                 \
        ck_assert_str_eq(g_, want);                                      \
        free(g_);                                                        \
    } while (0)

START_TEST(csv_quoting)
{
    CSV_EQ("plain", 1, 1, "plain");
    CSV_EQ("", 1, 1, "");
    CSV_EQ("a,b", 1, 1, "\"a,b\"");
    CSV_EQ("say \"hi\"", 1, 1, "\"say \"\"hi\"\"\"");
    CSV_EQ("l1\r\nl2", 1, 1, "\"l1\r\nl2\"");
    CSV_EQ("only\nlf", 1, 1, "\"only\nlf\"");
    CSV_EQ("\xE4\xB8\xAD\xF0\x9F\x98\x80", 1, 1, "\xE4\xB8\xAD\xF0\x9F\x98\x80");
    CSV_EQ("bad\xC3(", 1, 1, "bad\xEF\xBF\xBD(");
}
END_TEST

START_TEST(csv_guard)
{
    CSV_EQ("=1+1", 1, 1, "'=1+1");
    CSV_EQ("+1", 1, 1, "'+1");
    CSV_EQ("-1", 1, 1, "'-1");
    CSV_EQ("@SUM(A1)", 1, 1, "'@SUM(A1)");
    CSV_EQ("\tx", 1, 1, "'\tx");
    CSV_EQ("\rx", 1, 1, "\"'\rx\"");
    CSV_EQ("=HYPERLINK(\"u\",\"t\")", 1, 1, "\"'=HYPERLINK(\"\"u\"\",\"\"t\"\")\"");
    CSV_EQ("a=1", 1, 1, "a=1");
    CSV_EQ("=1+1", 1, 0, "=1+1");      /* formulaGuard: false */
    CSV_EQ("-0.5", 0, 1, "-0.5");      /* numbers never altered */
}
END_TEST

static char *clean(const char *s, size_t n)
{
    xq_buf b;

    xq_buf_init(&b, 4 * XQ_XLSX_TEXT_MAX + 16);
    ck_assert_int_eq(xq_xlsx_clean(&b, s, n), XQ_OK);
    return xq_buf_steal(&b);
}

START_TEST(xlsx_cleaning)
{
    char *g, *big;
    size_t i, cps;

    g = clean("a\x01" "b\x07\tc\r\nd\x1b", 10);
    ck_assert_str_eq(g, "ab\tc\r\nd");
    free(g);
    g = clean("=1+1", 4); /* text stays text: no guard in XLSX */
    ck_assert_str_eq(g, "=1+1");
    free(g);
    g = clean("x\xEF\xBF\xBEy\xFF", 6); /* U+FFFE removed, bad byte replaced */
    ck_assert_str_eq(g, "xy\xEF\xBF\xBD");
    free(g);
    /* the cut counts code points: 40,000 x U+1F600 keeps 32,767 of them */
    big = malloc(4 * 40000);
    for (i = 0; i < 40000; i++)
        memcpy(big + 4 * i, "\xF0\x9F\x98\x80", 4);
    g = clean(big, 4 * 40000);
    ck_assert_uint_eq(strlen(g), 4 * XQ_XLSX_TEXT_MAX);
    free(g);
    /* mixed: 1-byte and 3-byte characters count one each */
    for (i = 0; i < 40000; i++)
        big[i] = (char)('a' + i % 26);
    memcpy(big + 32766, "\xE9\x95\xBF", 3);
    g = clean(big, 40000);
    for (i = 0, cps = 0; g[i]; i++)
        cps += ((unsigned char)g[i] & 0xC0) != 0x80;
    ck_assert_uint_eq(cps, XQ_XLSX_TEXT_MAX);
    ck_assert_str_eq(g + strlen(g) - 3, "\xE9\x95\xBF");
    free(g);
    free(big);
}
END_TEST

START_TEST(json_numbers)
{
    ck_assert(xq_json_number_valid("0", 1));
    ck_assert(xq_json_number_valid("-12", 3));
    ck_assert(xq_json_number_valid("0.000002", 8));
    ck_assert(xq_json_number_valid("1e-7", 4));
    ck_assert(!xq_json_number_valid("NaN", 3));
    ck_assert(!xq_json_number_valid("Infinity", 8));
    ck_assert(!xq_json_number_valid("-Infinity", 9));
    ck_assert(!xq_json_number_valid("01", 2));
    ck_assert(!xq_json_number_valid("1.", 2));
    ck_assert(!xq_json_number_valid("", 0));
}
END_TEST

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    char *d;
    long n;

    ck_assert_ptr_nonnull(f);
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    rewind(f);
    d = calloc(1, (size_t)n + 1);
    ck_assert_uint_eq(fread(d, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    return d;
}

/* Drive a writer over two provider-breakdown rows, one with hostile bytes. */
static char *write_file(xq_format f, int bom, long long count)
{
    static const char *row1[] = {"=evil\"\xC3", "3", "1", "2", "10", "20", "30", "NaN"};
    static const char *row2[] = {"\xE4\xB8\xAD\x01", "1", "0", "0", "1", "1", "2", "0.5"};
    const struct xq_format_ops *ops = xq_fmt_ops(f);
    const xq_column *cols;
    xq_export_request req;
    xq_fmt_meta meta;
    xq_cell cells[8];
    char path[] = "/tmp/check_fmt.XXXXXX";
    void *st = NULL;
    int ncols, i, fd;
    char *out;

    fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    close(fd);
    xq_request_init(&req);
    memcpy(req.start_date, "2024-01-01", 11);
    memcpy(req.end_date, "2024-01-31", 11);
    req.type = XQ_TYPE_PROVIDER;
    req.format = f;
    req.csv_bom = bom;
    memset(&meta, 0, sizeof(meta));
    meta.req = &req;
    meta.record_count = count;
    memcpy(meta.exported_at, "2026-01-01T00:00:00.000Z", 25);
    cols = xq_query_columns(XQ_TYPE_PROVIDER, &ncols);
    ck_assert_int_eq(ncols, 8);
    ck_assert_int_eq(ops->begin(&st, path, cols, ncols, &meta, NULL), XQ_OK);
    memset(cells, 0, sizeof(cells));
    for (i = 0; i < 8; i++) {
        cells[i].s = row1[i];
        cells[i].len = strlen(row1[i]);
    }
    cells[2].null = 1;
    ck_assert_int_eq(ops->row(st, cells, NULL), XQ_OK);
    for (i = 0; i < 8; i++) {
        cells[i].s = row2[i];
        cells[i].len = strlen(row2[i]);
        cells[i].null = 0;
    }
    ck_assert_int_eq(ops->row(st, cells, NULL), XQ_OK);
    if (count != 2) {
        ck_assert_int_eq(ops->end(st, 2, NULL), XQ_ERR_INTERNAL);
        unlink(path);
        return NULL;
    }
    ck_assert_int_eq(ops->end(st, 2, NULL), XQ_OK);
    out = slurp(path);
    unlink(path);
    return out;
}

START_TEST(csv_file)
{
    char *d = write_file(XQ_FMT_CSV, 1, 2);

    ck_assert_str_eq(d, "\xEF\xBB\xBFprovider,requests,uniqueUsers,models,promptTokens,"
                        "completionTokens,totalTokens,spend\r\n"
                        "\"'=evil\"\"\xEF\xBF\xBD\",3,,2,10,20,30,NaN\r\n"
                        "\xE4\xB8\xAD\x01,1,0,0,1,1,2,0.5\r\n");
    free(d);
}
END_TEST

START_TEST(json_file)
{
    char *d = write_file(XQ_FMT_JSON, 0, 2);

    ck_assert_str_eq(d, "{\"metadata\":{\"exportType\":\"provider-breakdown\",\"format\":\"json\","
                        "\"filters\":{\"startDate\":\"2024-01-01\",\"endDate\":\"2024-01-31\"},"
                        "\"timezone\":\"UTC\",\"recordCount\":2,"
                        "\"exportedAt\":\"2026-01-01T00:00:00.000Z\",\"jobId\":null},\n\"data\":[\n"
                        "{\"provider\":\"=evil\\\"\xEF\xBF\xBD\",\"requests\":3,\"uniqueUsers\":null,"
                        "\"models\":2,\"promptTokens\":10,\"completionTokens\":20,"
                        "\"totalTokens\":30,\"spend\":null},\n"
                        "{\"provider\":\"\xE4\xB8\xAD\\u0001\",\"requests\":1,\"uniqueUsers\":0,"
                        "\"models\":0,\"promptTokens\":1,\"completionTokens\":1,"
                        "\"totalTokens\":2,\"spend\":0.5}\n]}\n");
    free(d);
    /* a count that does not match the rows is refused, never written */
    ck_assert_ptr_null(write_file(XQ_FMT_JSON, 0, 3));
}
END_TEST

int main(void)
{
    Suite *s = suite_create("fmt");
    TCase *tc = tcase_create("fmt");
    SRunner *sr;
    int failed;

    tcase_add_test(tc, csv_quoting);
    tcase_add_test(tc, csv_guard);
    tcase_add_test(tc, xlsx_cleaning);
    tcase_add_test(tc, json_numbers);
    tcase_add_test(tc, csv_file);
    tcase_add_test(tc, json_file);
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
