/*
 * mail.c - completion/failure mails: composing, RFC 5322 + MIME formatting
 * (pure), and sending through libcurl SMTP.
 *
 * Why quoted-printable for both parts: the bodies hold UTF-8 text and long
 * links; QP keeps every line under 77 bytes whatever the input and never
 * produces "=_", so "=_exportq_..." is a boundary no body can contain.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>

#include "jsonstr.h"
#include "mail.h"

#define CHECK(expr)                                                                            \
    do {                                                                                       \
        if ((st = (expr)) != XQ_OK)                                                            \
            goto out;                                                                          \
    } while (0)

int xq_mail_addr_valid(const char *addr)
{
    size_t n, at = 0, ats = 0, i;

    if (addr == NULL)
        return 0;
    n = strlen(addr);
    if (n < 3 || n > XQ_MAIL_ADDR_MAX)
        return 0;
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)addr[i];

        if (c <= 32 || c >= 127 || strchr("<>(),;:\"\\[]", c) != NULL)
            return 0;
        if (c == '@') {
            ats++;
            at = i;
        }
    }
    return ats == 1 && at > 0 && at < n - 1;
}

/* Append a header value with CR, LF and other C0 controls turned into spaces. */
static xq_status append_header_value(xq_buf *b, const char *s)
{
    xq_status st = XQ_OK;

    for (; s != NULL && *s != '\0' && st == XQ_OK; s++) {
        unsigned char c = (unsigned char)*s;

        st = xq_buf_append_char(b, (c < 32 || c == 127) ? ' ' : (char)c);
    }
    return st;
}

static int is_ascii_printable(const char *s)
{
    for (; *s != '\0'; s++)
        if ((unsigned char)*s < 32 || (unsigned char)*s >= 127)
            return 0;
    return 1;
}

static const char b64chars[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static xq_status append_base64(xq_buf *b, const unsigned char *s, size_t n)
{
    xq_status st = XQ_OK;
    size_t i;

    for (i = 0; i < n && st == XQ_OK; i += 3) {
        unsigned v = (unsigned)s[i] << 16;
        char q[4];

        if (i + 1 < n)
            v |= (unsigned)s[i + 1] << 8;
        if (i + 2 < n)
            v |= s[i + 2];
        q[0] = b64chars[(v >> 18) & 63];
        q[1] = b64chars[(v >> 12) & 63];
        q[2] = i + 1 < n ? b64chars[(v >> 6) & 63] : '=';
        q[3] = i + 2 < n ? b64chars[v & 63] : '=';
        st = xq_buf_append(b, q, 4);
    }
    return st;
}

/*
 * Subject header: ASCII as is; otherwise RFC 2047 encoded-words of at most
 * 45 input bytes (60 base64 chars, 72 with the markers), never splitting a
 * UTF-8 sequence, folded onto continuation lines.  Input bytes that are not
 * well-formed UTF-8 become U+FFFD first so the header is valid UTF-8.
 */
static xq_status append_subject(xq_buf *b, const char *subject)
{
    xq_buf clean;
    xq_status st = XQ_OK;
    const unsigned char *s;
    size_t n, i = 0;
    int first = 1;

    xq_buf_init(&clean, 4096);
    CHECK(append_header_value(&clean, subject));
    if (is_ascii_printable(xq_buf_str(&clean))) {
        st = xq_buf_append(b, clean.data ? clean.data : "", clean.len);
        goto out;
    }
    s = (const unsigned char *)xq_buf_str(&clean);
    n = clean.len;
    while (i < n) {
        unsigned char chunk[64];
        size_t used = 0;

        while (i < n) {
            size_t l = xq_utf8_seq(s + i, n - i, NULL);
            const unsigned char *src = s + i;

            if (l == 0) { /* replace an ill-formed byte by U+FFFD */
                src = (const unsigned char *)"\xEF\xBF\xBD";
                if (used + 3 > 45)
                    break;
                memcpy(chunk + used, src, 3);
                used += 3;
                i++;
                continue;
            }
            if (used + l > 45)
                break;
            memcpy(chunk + used, src, l);
            used += l;
            i += l;
        }
        if (!first)
            CHECK(xq_buf_append_str(b, "\r\n "));
        first = 0;
        CHECK(xq_buf_append_str(b, "=?UTF-8?B?"));
        CHECK(append_base64(b, chunk, used));
        CHECK(xq_buf_append_str(b, "?="));
    }
out:
    xq_buf_cleanup(&clean);
    return st;
}

/*
 * Quoted-printable (RFC 2045 §6.7) with CRLF hard breaks: LF or CRLF in the
 * input become CRLF, a lone CR is encoded, soft breaks keep lines <= 76.
 */
static xq_status append_qp(xq_buf *b, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    xq_status st = XQ_OK;
    size_t col = 0;

    for (; s != NULL && *s != '\0'; s++) {
        unsigned char c = (unsigned char)*s;
        char enc[3];
        size_t elen;

        if (c == '\r' && s[1] == '\n')
            continue;
        if (c == '\n') {
            CHECK(xq_buf_append_str(b, "\r\n"));
            col = 0;
            continue;
        }
        /* a space or tab before a line end (or the end) must be encoded */
        if ((c >= 33 && c <= 126 && c != '=') ||
            ((c == ' ' || c == '\t') && s[1] != '\0' && s[1] != '\n' && s[1] != '\r')) {
            enc[0] = (char)c;
            elen = 1;
        } else {
            enc[0] = '=';
            enc[1] = hex[c >> 4];
            enc[2] = hex[c & 15];
            elen = 3;
        }
        if (col + elen > 75) {
            CHECK(xq_buf_append_str(b, "=\r\n"));
            col = 0;
        }
        CHECK(xq_buf_append(b, enc, elen));
        col += elen;
    }
out:
    return st;
}

static xq_status append_html_escaped(xq_buf *b, const char *s)
{
    xq_status st = XQ_OK;

    for (; s != NULL && *s != '\0' && st == XQ_OK; s++) {
        switch (*s) {
        case '&': st = xq_buf_append_str(b, "&amp;"); break;
        case '<': st = xq_buf_append_str(b, "&lt;"); break;
        case '>': st = xq_buf_append_str(b, "&gt;"); break;
        case '"': st = xq_buf_append_str(b, "&quot;"); break;
        case '\'': st = xq_buf_append_str(b, "&#39;"); break;
        default: st = xq_buf_append_char(b, *s); break;
        }
    }
    return st;
}

void xq_mail_human_size(long long bytes, char *out, size_t outsz)
{
    static const char *const units[] = {"KB", "MB", "GB", "TB"};
    double v = (double)bytes;
    int u = -1;

    if (bytes < 1024) {
        snprintf(out, outsz, "%lld byte%s", bytes < 0 ? 0 : bytes, bytes == 1 ? "" : "s");
        return;
    }
    while (v >= 1024.0 && u < 3) {
        v /= 1024.0;
        u++;
    }
    snprintf(out, outsz, "%.1f %s", v, units[u]);
}

/* 1234567 -> "1,234,567" */
static void group_digits(long long v, char *out, size_t outsz)
{
    char raw[32];
    size_t n, i, o = 0;
    int neg = v < 0;

    snprintf(raw, sizeof(raw), "%lld", neg ? -v : v);
    n = strlen(raw);
    if (neg && o + 1 < outsz)
        out[o++] = '-';
    for (i = 0; i < n && o + 2 < outsz; i++) {
        if (i > 0 && (n - i) % 3 == 0)
            out[o++] = ',';
        out[o++] = raw[i];
    }
    out[o] = '\0';
}

static void format_utc(long long ms, char *out, size_t outsz)
{
    time_t t = (time_t)(ms / 1000);
    struct tm tm;

    if (gmtime_r(&t, &tm) == NULL || strftime(out, outsz, "%Y-%m-%d %H:%M UTC", &tm) == 0)
        snprintf(out, outsz, "(unknown)");
}

static const char *nz(const char *s, const char *dflt)
{
    return (s != NULL && s[0] != '\0') ? s : dflt;
}

xq_status xq_mail_compose(const xq_mail_job *j, int failed, xq_buf *subject, xq_buf *text,
                          xq_buf *html)
{
    char rows[40], size[40], expires[40];
    const char *type = nz(j->export_type, "usage"), *fmt = nz(j->format, "file");
    const char *from = nz(j->start_date, "?"), *to = nz(j->end_date, "?");
    xq_status st = XQ_OK;

    group_digits(j->rows, rows, sizeof(rows));
    xq_mail_human_size(j->bytes, size, sizeof(size));
    format_utc(j->expires_at_ms, expires, sizeof(expires));

    if (failed) {
        const char *why = nz(j->error, "the export could not be completed");

        CHECK(xq_buf_printf(subject, "Your %s export (%s to %s) failed", type, from, to));
        CHECK(xq_buf_printf(text,
                            "Hello,\n\n"
                            "your %s export (%s, %s to %s) could not be completed.\n\n"
                            "Reason: %s\n\n"
                            "You can request the export again; if it keeps failing, "
                            "contact your administrator and quote the job id.\n\n"
                            "Job: %s\n",
                            type, fmt, from, to, why, nz(j->job_id, "-")));
        CHECK(xq_buf_append_str(html, "<!DOCTYPE html>\n<html><body>\n<p>Hello,</p>\n<p>your "));
        CHECK(append_html_escaped(html, type));
        CHECK(xq_buf_append_str(html, " export ("));
        CHECK(append_html_escaped(html, fmt));
        CHECK(xq_buf_append_str(html, ", "));
        CHECK(append_html_escaped(html, from));
        CHECK(xq_buf_append_str(html, " to "));
        CHECK(append_html_escaped(html, to));
        CHECK(xq_buf_append_str(html, ") could not be completed.</p>\n"
                                      "<p><strong>Reason:</strong> "));
        CHECK(append_html_escaped(html, why));
        CHECK(xq_buf_append_str(html, "</p>\n<p>You can request the export again; if it keeps "
                                      "failing, contact your administrator and quote the job "
                                      "id.</p>\n<p>Job: "));
        CHECK(append_html_escaped(html, nz(j->job_id, "-")));
        CHECK(xq_buf_append_str(html, "</p>\n</body></html>\n"));
        goto out;
    }

    CHECK(xq_buf_printf(subject, "Your %s export (%s to %s) is ready", type, from, to));
    CHECK(xq_buf_printf(text,
                        "Hello,\n\n"
                        "your export is ready to download.\n\n"
                        "  Export:   %s (%s)\n"
                        "  Period:   %s to %s\n"
                        "  File:     %s\n"
                        "  Rows:     %s\n"
                        "  Size:     %s\n"
                        "  Expires:  %s\n\n"
                        "Download:\n%s\n\n"
                        "The link works without signing in until it expires.\n\n"
                        "Job: %s\n",
                        type, fmt, from, to, nz(j->file_name, "-"), rows, size, expires,
                        nz(j->download_url, "-"), nz(j->job_id, "-")));
    CHECK(xq_buf_append_str(html, "<!DOCTYPE html>\n<html><body>\n<p>Hello,</p>\n"
                                  "<p>your export is ready to download.</p>\n<table>\n"
                                  "<tr><td>Export</td><td>"));
    CHECK(append_html_escaped(html, type));
    CHECK(xq_buf_append_str(html, " ("));
    CHECK(append_html_escaped(html, fmt));
    CHECK(xq_buf_append_str(html, ")</td></tr>\n<tr><td>Period</td><td>"));
    CHECK(append_html_escaped(html, from));
    CHECK(xq_buf_append_str(html, " to "));
    CHECK(append_html_escaped(html, to));
    CHECK(xq_buf_append_str(html, "</td></tr>\n<tr><td>File</td><td>"));
    CHECK(append_html_escaped(html, nz(j->file_name, "-")));
    CHECK(xq_buf_printf(html, "</td></tr>\n<tr><td>Rows</td><td>%s</td></tr>\n"
                              "<tr><td>Size</td><td>%s</td></tr>\n"
                              "<tr><td>Expires</td><td>%s</td></tr>\n</table>\n"
                              "<p><a href=\"",
                        rows, size, expires));
    CHECK(append_html_escaped(html, nz(j->download_url, "")));
    CHECK(xq_buf_append_str(html, "\">Download the file</a></p>\n"
                                  "<p>The link works without signing in until it expires.</p>\n"
                                  "<p>Job: "));
    CHECK(append_html_escaped(html, nz(j->job_id, "-")));
    CHECK(xq_buf_append_str(html, "</p>\n</body></html>\n"));
out:
    return st;
}

/* RFC 5322 date, locale-independent: "Thu, 03 Dec 2026 17:01:53 +0000". */
static xq_status append_date(xq_buf *b, time_t t)
{
    static const char *const wd[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char *const mo[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    struct tm tm;

    if (gmtime_r(&t, &tm) == NULL)
        return XQ_ERR_INVALID;
    return xq_buf_printf(b, "%s, %02d %s %04d %02d:%02d:%02d +0000", wd[tm.tm_wday], tm.tm_mday,
                         mo[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

xq_status xq_mail_format(const xq_mail_message *m, xq_buf *out, xq_err *err)
{
    char idpart[80];
    const char *domain;
    size_t i, o = 0;
    xq_status st = XQ_OK;

    if (!xq_mail_addr_valid(m->from))
        return xq_err_set(err, XQ_ERR_INVALID, "mail: invalid sender address");
    if (!xq_mail_addr_valid(m->to))
        return xq_err_set(err, XQ_ERR_INVALID, "mail: invalid recipient address");
    /* Message-ID left part: keep only characters safe in a msg-id */
    for (i = 0; m->message_id != NULL && m->message_id[i] != '\0' && o + 1 < sizeof(idpart);
         i++) {
        unsigned char c = (unsigned char)m->message_id[i];

        if (isalnum(c) || c == '-' || c == '.')
            idpart[o++] = (char)c;
    }
    idpart[o] = '\0';
    if (o == 0)
        snprintf(idpart, sizeof(idpart), "%lld", (long long)m->date);
    domain = strchr(m->from, '@') + 1;

    CHECK(xq_buf_append_str(out, "Date: "));
    CHECK(append_date(out, m->date));
    CHECK(xq_buf_printf(out, "\r\nFrom: <%s>\r\nTo: <%s>\r\nMessage-ID: <%s@%s>\r\nSubject: ",
                        m->from, m->to, idpart, domain));
    CHECK(append_subject(out, m->subject ? m->subject : ""));
    CHECK(xq_buf_printf(out,
                        "\r\nMIME-Version: 1.0\r\n"
                        "Auto-Submitted: auto-generated\r\n"
                        "Content-Type: multipart/alternative; boundary=\"=_exportq_%s\"\r\n"
                        "\r\n"
                        "This is a MIME message.\r\n"
                        "--=_exportq_%s\r\n"
                        "Content-Type: text/plain; charset=UTF-8\r\n"
                        "Content-Transfer-Encoding: quoted-printable\r\n\r\n",
                        idpart, idpart));
    CHECK(append_qp(out, m->text));
    CHECK(xq_buf_printf(out,
                        "\r\n--=_exportq_%s\r\n"
                        "Content-Type: text/html; charset=UTF-8\r\n"
                        "Content-Transfer-Encoding: quoted-printable\r\n\r\n",
                        idpart));
    CHECK(append_qp(out, m->html));
    CHECK(xq_buf_printf(out, "\r\n--=_exportq_%s--\r\n", idpart));
out:
    if (st != XQ_OK)
        xq_err_set(err, st, "mail: message too large or out of memory");
    return st;
}

/* ---- sending ---- */

typedef struct upload {
    const char *data;
    size_t len, off;
} upload;

static size_t read_cb(char *ptr, size_t size, size_t nmemb, void *userdata)
{
    upload *u = userdata;
    size_t room = size * nmemb, n = u->len - u->off;

    if (n > room)
        n = room;
    memcpy(ptr, u->data + u->off, n);
    u->off += n;
    return n;
}

static int curl_ready;

xq_status xq_mail_send(const xq_config *cfg, const char *to, const char *msg, size_t len,
                       xq_err *err)
{
    CURL *c = NULL;
    struct curl_slist *rcpt = NULL;
    char addr[XQ_MAIL_ADDR_MAX + 3], from[XQ_MAIL_ADDR_MAX + 3];
    char ebuf[CURL_ERROR_SIZE];
    upload u = {msg, len, 0};
    CURLcode rc;
    xq_status st = XQ_OK;

    if (cfg->smtp_url == NULL || cfg->smtp_url[0] == '\0')
        return xq_err_set(err, XQ_ERR_INVALID, "mail: SMTP_URL is not set");
    if (!xq_mail_addr_valid(to) || !xq_mail_addr_valid(cfg->smtp_from))
        return xq_err_set(err, XQ_ERR_INVALID, "mail: invalid sender or recipient address");
    if (!curl_ready) {
        if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
            return xq_err_set(err, XQ_ERR_INTERNAL, "mail: curl_global_init failed");
        curl_ready = 1;
    }
    snprintf(addr, sizeof(addr), "<%s>", to);
    snprintf(from, sizeof(from), "<%s>", cfg->smtp_from);
    c = curl_easy_init();
    if (c == NULL || (rcpt = curl_slist_append(NULL, addr)) == NULL) {
        st = xq_err_set(err, XQ_ERR_NOMEM, "mail: out of memory");
        goto out;
    }
    ebuf[0] = '\0';
    curl_easy_setopt(c, CURLOPT_URL, cfg->smtp_url);
#if LIBCURL_VERSION_NUM >= 0x075500
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
#else
    curl_easy_setopt(c, CURLOPT_PROTOCOLS, (long)(CURLPROTO_SMTP | CURLPROTO_SMTPS));
#endif
    curl_easy_setopt(c, CURLOPT_MAIL_FROM, from);
    curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt);
    curl_easy_setopt(c, CURLOPT_READFUNCTION, read_cb);
    curl_easy_setopt(c, CURLOPT_READDATA, &u);
    curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, (curl_off_t)len);
    curl_easy_setopt(c, CURLOPT_USE_SSL, (long)CURLUSESSL_TRY);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 10L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, ebuf);
    if (cfg->smtp_user != NULL && cfg->smtp_user[0] != '\0') {
        curl_easy_setopt(c, CURLOPT_USERNAME, cfg->smtp_user);
        curl_easy_setopt(c, CURLOPT_PASSWORD, cfg->smtp_password ? cfg->smtp_password : "");
    }
    rc = curl_easy_perform(c);
    if (rc != CURLE_OK)
        st = xq_err_set(err, XQ_ERR_IO, "mail: smtp: %s",
                        ebuf[0] != '\0' ? ebuf : curl_easy_strerror(rc));
out:
    curl_slist_free_all(rcpt);
    curl_easy_cleanup(c);
    return st;
}
