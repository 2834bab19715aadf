/*
 * jsonstr.c - UTF-8 validation (Unicode 15 table 3-7) and JSON escaping.
 * Runs of plain ASCII are copied in one append so the common case is a
 * memcpy, not a byte loop of appends.
 */
#include <string.h>

#include "jsonstr.h"

size_t xq_utf8_seq(const unsigned char *s, size_t n, unsigned *cp)
{
    unsigned c, v;
    size_t len, i;

    if (n == 0)
        return 0;
    c = s[0];
    if (c < 0x80) {
        v = c;
        len = 1;
    } else if (c >= 0xC2 && c <= 0xDF) {
        v = c & 0x1F;
        len = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
        v = c & 0x0F;
        len = 3;
    } else if (c >= 0xF0 && c <= 0xF4) {
        v = c & 0x07;
        len = 4;
    } else {
        return 0;
    }
    if (len > n)
        return 0;
    for (i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        v = (v << 6) | (s[i] & 0x3F);
    }
    if ((len == 3 && (v < 0x800 || (v >= 0xD800 && v <= 0xDFFF))) ||
        (len == 4 && (v < 0x10000 || v > 0x10FFFF)))
        return 0;
    if (cp != NULL)
        *cp = v;
    return len;
}

xq_status xq_json_append_str(xq_buf *b, const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0, run = 0, k;
    xq_status st;
    char esc[8];

    if ((st = xq_buf_append_char(b, '"')) != XQ_OK)
        return st;
    while (i < n) {
        unsigned char c = p[i];

        if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
            i++;
            run++;
            continue;
        }
        if (run > 0 && (st = xq_buf_append(b, p + i - run, run)) != XQ_OK)
            return st;
        run = 0;
        if (c >= 0x80) {
            k = xq_utf8_seq(p + i, n - i, NULL);
            if (k == 0) {
                st = xq_buf_append(b, "\xEF\xBF\xBD", 3);
                k = 1;
            } else {
                st = xq_buf_append(b, p + i, k);
            }
            i += k;
        } else {
            switch (c) {
            case '"': st = xq_buf_append(b, "\\\"", 2); break;
            case '\\': st = xq_buf_append(b, "\\\\", 2); break;
            case '\n': st = xq_buf_append(b, "\\n", 2); break;
            case '\r': st = xq_buf_append(b, "\\r", 2); break;
            case '\t': st = xq_buf_append(b, "\\t", 2); break;
            case '\b': st = xq_buf_append(b, "\\b", 2); break;
            case '\f': st = xq_buf_append(b, "\\f", 2); break;
            default:
                esc[0] = '\\';
                esc[1] = 'u';
                esc[2] = '0';
                esc[3] = '0';
                esc[4] = "0123456789abcdef"[c >> 4];
                esc[5] = "0123456789abcdef"[c & 15];
                st = xq_buf_append(b, esc, 6);
            }
            i++;
        }
        if (st != XQ_OK)
            return st;
    }
    if (run > 0 && (st = xq_buf_append(b, p + n - run, run)) != XQ_OK)
        return st;
    return xq_buf_append_char(b, '"');
}

xq_status xq_json_append_cstr(xq_buf *b, const char *s)
{
    if (s == NULL)
        s = "";
    return xq_json_append_str(b, s, strlen(s));
}
