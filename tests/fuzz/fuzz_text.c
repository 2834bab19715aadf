/*
 * fuzz_text.c - the text cleaners every database value goes through on its
 * way into a file (SPEC §3): CSV fields (src/fmt_csv.c), XLSX text
 * (src/fmt_xlsx.c), JSON strings (src/jsonstr.c, the JSON writer, the log
 * and the error bodies) and the JSON number check (src/fmt_json.c).
 *
 * The first byte holds flags (guard, is_text); the rest is the value, as
 * hostile as a spend-log row can be.  Properties:
 * - CSV: valid UTF-8; quoted exactly when it must be, with quotes doubled;
 *   with the guard, a text starting with = + - @ TAB CR gets a leading ';
 *   without it, or for numbers, the bytes are unchanged when valid UTF-8;
 * - XLSX: valid UTF-8 with no character XML 1.0 forbids and at most 32,767
 *   code points;
 * - JSON: a string json-c parses back, to the input itself when the input
 *   was valid UTF-8 without NUL;
 * - a JSON number accepted is one json-c reads as a number.
 */
#include <stdint.h>
#include <string.h>

#include <json-c/json.h>

#include "buf.h"
#include "fmt.h"
#include "fuzz_util.h"
#include "jsonstr.h"

static int guarded_start(const uint8_t *s, size_t n)
{
    return n > 0 && (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@' ||
                     s[0] == '\t' || s[0] == '\r');
}

static void check_csv(const uint8_t *s, size_t n, int is_text, int guard)
{
    xq_buf b;
    const char *o;
    size_t i, olen;
    int quoted, special;

    xq_buf_init(&b, 4 * n + 16);
    FUZZ_CHECK(xq_csv_field(&b, (const char *)s, n, is_text, guard) == XQ_OK);
    o = b.data != NULL ? b.data : "";
    olen = b.len;
    if (!is_text) {
        FUZZ_CHECK(olen == n && (n == 0 || memcmp(o, s, n) == 0));
        goto out;
    }
    FUZZ_CHECK(fuzz_utf8_ok(o, olen));
    special = memchr(s, ',', n) || memchr(s, '"', n) || memchr(s, '\r', n) ||
              memchr(s, '\n', n);
    quoted = olen >= 2 && o[0] == '"' && o[olen - 1] == '"';
    if (special)
        FUZZ_CHECK(quoted);
    if (quoted) {
        /* inside the quotes every '"' is doubled */
        for (i = 1; i + 1 < olen; i++) {
            if (o[i] == '"') {
                FUZZ_CHECK(i + 2 < olen && o[i + 1] == '"');
                i++;
            }
        }
    } else {
        FUZZ_CHECK(memchr(o, '"', olen) == NULL);
    }
    if (guard && guarded_start(s, n))
        FUZZ_CHECK(o[quoted ? 1 : 0] == '\'');
    if (!guard && !special && fuzz_utf8_ok((const char *)s, n))
        FUZZ_CHECK(olen == n && (n == 0 || memcmp(o, s, n) == 0));
out:
    xq_buf_cleanup(&b);
}

static void check_xlsx(const uint8_t *s, size_t n)
{
    xq_buf b;
    const unsigned char *u;
    size_t i = 0, k, cps = 0;
    unsigned cp;

    xq_buf_init(&b, 4 * n + 16);
    FUZZ_CHECK(xq_xlsx_clean(&b, (const char *)s, n) == XQ_OK);
    u = (const unsigned char *)(b.data != NULL ? b.data : "");
    while (i < b.len) {
        k = u[i] < 0x80 ? 1 : xq_utf8_seq(u + i, b.len - i, &cp);
        FUZZ_CHECK(k > 0);
        if (k == 1) {
            cp = u[i];
            FUZZ_CHECK(cp >= 0x20 || cp == '\t' || cp == '\n' || cp == '\r');
        }
        FUZZ_CHECK(cp != 0xFFFE && cp != 0xFFFF && !(cp >= 0xD800 && cp <= 0xDFFF));
        i += k;
        cps++;
    }
    FUZZ_CHECK(cps <= XQ_XLSX_TEXT_MAX);
    xq_buf_cleanup(&b);
}

static void check_json(const uint8_t *s, size_t n)
{
    xq_buf b;
    json_tokener *tok;
    json_object *o;

    xq_buf_init(&b, 6 * n + 16);
    FUZZ_CHECK(xq_json_append_str(&b, (const char *)s, n) == XQ_OK);
    FUZZ_CHECK(fuzz_utf8_ok(b.data, b.len));
    tok = json_tokener_new();
    if (tok == NULL)
        abort();
    json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
    o = json_tokener_parse_ex(tok, b.data, (int)b.len);
    FUZZ_CHECK(o != NULL && json_object_is_type(o, json_type_string));
    if (fuzz_utf8_ok((const char *)s, n) && memchr(s, '\0', n) == NULL)
        FUZZ_CHECK((size_t)json_object_get_string_len(o) == n &&
                   memcmp(json_object_get_string(o), s, n) == 0);
    json_object_put(o);
    json_tokener_free(tok);
    xq_buf_cleanup(&b);

    if (xq_json_number_valid((const char *)s, n)) {
        char *c = fuzz_cstr(s, n);

        o = json_tokener_parse(c);
        FUZZ_CHECK(o != NULL && (json_object_is_type(o, json_type_int) ||
                                 json_object_is_type(o, json_type_double)));
        json_object_put(o);
        free(c);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *s;
    size_t n;

    if (size < 1 || size > 128 * 1024)
        return 0;
    s = data + 1;
    n = size - 1;
    check_csv(s, n, (data[0] & 1) != 0, (data[0] & 2) != 0);
    check_xlsx(s, n);
    check_json(s, n);
    return 0;
}
