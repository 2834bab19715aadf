/* check_mail.c - unit tests for mail composing and formatting (no server). */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "mail.h"

/* The header block of a formatted message (up to the first empty line). */
static char *headers_of(const char *msg)
{
    const char *end = strstr(msg, "\r\n\r\n");
    size_t n;
    char *h;

    ck_assert_ptr_nonnull(end);
    n = (size_t)(end - msg) + 2;
    h = malloc(n + 1);
    ck_assert_ptr_nonnull(h);
    memcpy(h, msg, n);
    h[n] = '\0';
    return h;
}

static char *format_msg(const char *subject, const char *text, const char *html)
{
    xq_mail_message m = {"exportq@example.com", "alice@example.com", subject, text, html,
                         1796403713, "0f1e2d3c-aaaa-4bbb-8ccc-123456789abc"};
    xq_buf b;
    xq_err err;

    xq_buf_init(&b, XQ_MAIL_MAX);
    ck_assert_int_eq(xq_mail_format(&m, &b, &err), XQ_OK);
    return xq_buf_steal(&b);
}

START_TEST(addr_validation)
{
    ck_assert_int_eq(xq_mail_addr_valid("a@b.c"), 1);
    ck_assert_int_eq(xq_mail_addr_valid("first.last+tag@example.co.uk"), 1);
    ck_assert_int_eq(xq_mail_addr_valid(""), 0);
    ck_assert_int_eq(xq_mail_addr_valid(NULL), 0);
    ck_assert_int_eq(xq_mail_addr_valid("no-at-sign"), 0);
    ck_assert_int_eq(xq_mail_addr_valid("@b.c"), 0);
    ck_assert_int_eq(xq_mail_addr_valid("a@"), 0);
    ck_assert_int_eq(xq_mail_addr_valid("a@b@c"), 0);
    ck_assert_int_eq(xq_mail_addr_valid("a b@c.d"), 0);
    ck_assert_int_eq(xq_mail_addr_valid("a@c.d\r\nBcc: evil@x.y"), 0);
    ck_assert_int_eq(xq_mail_addr_valid("a@c.d>\r\nRCPT TO:<x@y.z"), 0);
    ck_assert_int_eq(xq_mail_addr_valid("\xc3\xa9@b.c"), 0);
}
END_TEST

START_TEST(headers_and_structure)
{
    char *msg = format_msg("Your export is ready", "line one\nline two\n", "<p>x</p>\n");
    char *h = headers_of(msg);

    ck_assert_ptr_nonnull(strstr(h, "Date: Fri, 04 Dec 2026 17:01:53"));
    ck_assert_ptr_nonnull(strstr(h, " +0000\r\n"));
    ck_assert_ptr_nonnull(strstr(h, "From: <exportq@example.com>\r\n"));
    ck_assert_ptr_nonnull(strstr(h, "To: <alice@example.com>\r\n"));
    ck_assert_ptr_nonnull(
        strstr(h, "Message-ID: <0f1e2d3c-aaaa-4bbb-8ccc-123456789abc@example.com>\r\n"));
    ck_assert_ptr_nonnull(strstr(h, "Subject: Your export is ready\r\n"));
    ck_assert_ptr_nonnull(strstr(h, "MIME-Version: 1.0\r\n"));
    ck_assert_ptr_nonnull(strstr(h, "multipart/alternative; boundary=\"=_exportq_0f1e2d3c"));
    ck_assert_ptr_nonnull(strstr(msg, "Content-Type: text/plain; charset=UTF-8\r\n"));
    ck_assert_ptr_nonnull(strstr(msg, "Content-Type: text/html; charset=UTF-8\r\n"));
    ck_assert_ptr_nonnull(strstr(msg, "line one\r\nline two\r\n"));
    ck_assert_ptr_nonnull(strstr(msg, "--=_exportq_0f1e2d3c-aaaa-4bbb-8ccc-123456789abc--\r\n"));
    /* no bare LF anywhere */
    for (const char *p = msg; *p; p++)
        if (*p == '\n')
            ck_assert_int_eq(p > msg && p[-1] == '\r', 1);
    free(h);
    free(msg);
}
END_TEST

START_TEST(header_injection_impossible)
{
    char *msg = format_msg("ready\r\nBcc: evil@example.org\nX-Evil: 1", "t", "h");
    char *h = headers_of(msg);

    ck_assert_ptr_null(strstr(h, "\r\nBcc:"));
    ck_assert_ptr_null(strstr(h, "\nX-Evil"));
    ck_assert_ptr_nonnull(strstr(h, "Subject: ready  Bcc: evil@example.org X-Evil: 1\r\n"));
    free(h);
    free(msg);
}
END_TEST

START_TEST(bad_addresses_refused)
{
    xq_mail_message m = {"exportq@example.com", "a@b.c\r\nBcc: x@y.z", "s", "t", "h", 0, "id"};
    xq_buf b;
    xq_err err;

    xq_buf_init(&b, XQ_MAIL_MAX);
    ck_assert_int_eq(xq_mail_format(&m, &b, &err), XQ_ERR_INVALID);
    m.to = "ok@b.c";
    m.from = "";
    ck_assert_int_eq(xq_mail_format(&m, &b, &err), XQ_ERR_INVALID);
    xq_buf_cleanup(&b);
}
END_TEST

START_TEST(utf8_subject_encoded)
{
    char *msg = format_msg("Export pr\xc3\xaat: caf\xc3\xa9 \xe2\x82\xac", "t", "h");
    char *h = headers_of(msg);

    /* base64 of "Export prêt: café €" */
    ck_assert_ptr_nonnull(strstr(h, "Subject: =?UTF-8?B?RXhwb3J0IHByw6p0OiBjYWbDqSDigqw=?=\r\n"));
    free(h);
    free(msg);
}
END_TEST

START_TEST(quoted_printable_lines_bounded)
{
    char text[3000];
    char *msg, *line, *save = NULL;

    memset(text, 'a', sizeof(text) - 1);
    text[sizeof(text) - 1] = '\0';
    text[100] = '=';
    msg = format_msg("s", text, "<a href=\"x\">caf\xc3\xa9</a>");
    ck_assert_ptr_nonnull(strstr(msg, "=3D"));
    ck_assert_ptr_nonnull(strstr(msg, "caf=C3=A9"));
    ck_assert_ptr_nonnull(strstr(msg, "href=3D\"x\""));
    for (line = msg; line != NULL; line = save) {
        char *nl = strstr(line, "\r\n");

        save = nl ? nl + 2 : NULL;
        ck_assert_int_le(nl ? (long)(nl - line) : (long)strlen(line), 998);
        if (line > strstr(msg, "quoted-printable"))
            ck_assert_int_le(nl ? (long)(nl - line) : (long)strlen(line), 76);
    }
    free(msg);
}
END_TEST

START_TEST(trailing_space_encoded)
{
    char *msg = format_msg("s", "end with space \nnext", "h");

    ck_assert_ptr_nonnull(strstr(msg, "end with space=20\r\nnext"));
    free(msg);
}
END_TEST

START_TEST(compose_completed)
{
    xq_mail_job j = {"0f1e2d3c-aaaa-4bbb-8ccc-123456789abc",
                     "model-breakdown",
                     "csv",
                     "2024-01-01",
                     "2024-12-31",
                     "model-breakdown_2024-01-01_2024-12-31_0f1e2d3c.csv",
                     "https://x.example/downloads/f.csv?expires=1796403713&sig=ab<script>",
                     1234567,
                     1572864,
                     1796403713000LL,
                     NULL};
    xq_buf s, t, h;

    xq_buf_init(&s, 4096);
    xq_buf_init(&t, 65536);
    xq_buf_init(&h, 65536);
    ck_assert_int_eq(xq_mail_compose(&j, 0, &s, &t, &h), XQ_OK);
    ck_assert_str_eq(xq_buf_str(&s),
                     "Your model-breakdown export (2024-01-01 to 2024-12-31) is ready");
    ck_assert_ptr_nonnull(strstr(xq_buf_str(&t), "Rows:     1,234,567\n"));
    ck_assert_ptr_nonnull(strstr(xq_buf_str(&t), "Size:     1.5 MB\n"));
    ck_assert_ptr_nonnull(strstr(xq_buf_str(&t), "Expires:  2026-12-04 "));
    ck_assert_ptr_nonnull(strstr(xq_buf_str(&t), "expires=1796403713&sig=ab<script>\n"));
    /* the HTML part escapes every value */
    ck_assert_ptr_null(strstr(xq_buf_str(&h), "<script>"));
    ck_assert_ptr_nonnull(strstr(xq_buf_str(&h), "expires=1796403713&amp;sig=ab&lt;script&gt;"));
    ck_assert_ptr_nonnull(strstr(xq_buf_str(&h), "<td>1,234,567</td>"));
    xq_buf_cleanup(&s);
    xq_buf_cleanup(&t);
    xq_buf_cleanup(&h);
}
END_TEST

START_TEST(compose_failed)
{
    xq_mail_job j = {0};
    xq_buf s, t, h;

    j.job_id = "id-1";
    j.export_type = "raw-data";
    j.format = "json";
    j.start_date = "2024-01-01";
    j.end_date = "2024-01-02";
    j.error = "the database is unavailable & <retries> ran out";
    xq_buf_init(&s, 4096);
    xq_buf_init(&t, 65536);
    xq_buf_init(&h, 65536);
    ck_assert_int_eq(xq_mail_compose(&j, 1, &s, &t, &h), XQ_OK);
    ck_assert_str_eq(xq_buf_str(&s), "Your raw-data export (2024-01-01 to 2024-01-02) failed");
    ck_assert_ptr_nonnull(
        strstr(xq_buf_str(&t), "Reason: the database is unavailable & <retries> ran out\n"));
    ck_assert_ptr_nonnull(strstr(xq_buf_str(&h), "unavailable &amp; &lt;retries&gt; ran out"));
    ck_assert_ptr_null(strstr(xq_buf_str(&t), "Download"));
    xq_buf_cleanup(&s);
    xq_buf_cleanup(&t);
    xq_buf_cleanup(&h);
}
END_TEST

START_TEST(human_sizes)
{
    char b[32];

    xq_mail_human_size(0, b, sizeof(b));
    ck_assert_str_eq(b, "0 bytes");
    xq_mail_human_size(1, b, sizeof(b));
    ck_assert_str_eq(b, "1 byte");
    xq_mail_human_size(1023, b, sizeof(b));
    ck_assert_str_eq(b, "1023 bytes");
    xq_mail_human_size(1536, b, sizeof(b));
    ck_assert_str_eq(b, "1.5 KB");
    xq_mail_human_size(3LL << 30, b, sizeof(b));
    ck_assert_str_eq(b, "3.0 GB");
}
END_TEST

START_TEST(send_without_url_refused)
{
    xq_config cfg;
    xq_err err;

    ck_assert_int_eq(xq_config_init(&cfg), XQ_OK);
    ck_assert_int_eq(xq_mail_send(&cfg, "a@b.c", "x", 1, &err), XQ_ERR_INVALID);
    xq_config_cleanup(&cfg);
}
END_TEST

static Suite *mail_suite(void)
{
    Suite *s = suite_create("mail");
    TCase *tc = tcase_create("core");

    tcase_add_test(tc, addr_validation);
    tcase_add_test(tc, headers_and_structure);
    tcase_add_test(tc, header_injection_impossible);
    tcase_add_test(tc, bad_addresses_refused);
    tcase_add_test(tc, utf8_subject_encoded);
    tcase_add_test(tc, quoted_printable_lines_bounded);
    tcase_add_test(tc, trailing_space_encoded);
    tcase_add_test(tc, compose_completed);
    tcase_add_test(tc, compose_failed);
    tcase_add_test(tc, human_sizes);
    tcase_add_test(tc, send_without_url_refused);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(mail_suite());
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
