/*
 * fuzz_download.c - the two checks a download passes before any file is
 * touched (SPEC §5, §10): the strict file-name pattern (src/filename.c)
 * and the signed-link check (src/sig.c).
 *
 * Input: "<fileName>\n<expires>\n<sig>".  Properties:
 * - a name the check accepts is exactly what xq_filename_make() writes for
 *   its type, UUID and format (so it has no '/', no "..", no NUL, and stays
 *   inside EXPORT_DIR when joined to it);
 * - a signature that verifies is the one xq_sig_sign() computes, and it is
 *   bound to both the name and the expiry: changing either refuses it;
 * - a link signed for the fuzzed name and expiry verifies (or is expired),
 *   and never verifies for a name one byte different.
 */
#include <stdint.h>
#include <string.h>

#include "filename.h"
#include "fuzz_util.h"
#include "request.h"
#include "sig.h"

#define SECRET "fuzz-secret-0123456789abcdef"
#define NOW ((time_t)1767225600)

static void check_name(const char *name)
{
    char again[XQ_FILENAME_MAX];
    char type[32];
    const char *dash, *dot;
    size_t len = strlen(name);
    int t, f;
    xq_err err;

    f = xq_filename_format(name);
    if (f < 0)
        return;
    FUZZ_CHECK(len < XQ_FILENAME_MAX);
    FUZZ_CHECK(strchr(name, '/') == NULL && strstr(name, "..") == NULL);
    dot = strrchr(name, '.');
    FUZZ_CHECK(dot != NULL && dot - name > XQ_UUID_LEN + 1);
    dash = dot - XQ_UUID_LEN - 1;
    FUZZ_CHECK(*dash == '-' && (size_t)(dash - name) < sizeof(type));
    memcpy(type, name, (size_t)(dash - name));
    type[dash - name] = '\0';
    t = xq_export_type_parse(type);
    FUZZ_CHECK(t >= 0);
    FUZZ_CHECK(xq_filename_uuid_valid(dash + 1, XQ_UUID_LEN));
    {
        char uuid[XQ_UUID_LEN + 1];

        memcpy(uuid, dash + 1, XQ_UUID_LEN);
        uuid[XQ_UUID_LEN] = '\0';
        FUZZ_CHECK(xq_filename_make((xq_export_type)t, uuid, (xq_format)f, again,
                                    sizeof(again), &err) == XQ_OK);
    }
    FUZZ_CHECK(strcmp(again, name) == 0);
}

static void check_sig(const char *name, const char *exp_text, const char *sig)
{
    char want[XQ_SIG_HEX_LEN + 1], other[XQ_FILENAME_MAX + 600];
    long long e;
    xq_status st = xq_sig_verify(SECRET, name, exp_text, sig, NOW);

    FUZZ_CHECK(st == XQ_OK || st == XQ_ERR_FORBIDDEN || st == XQ_ERR_GONE);
    if (st == XQ_ERR_FORBIDDEN)
        return;
    /* it verified (perhaps expired): the signature is the real one */
    e = strtoll(exp_text, NULL, 10);
    FUZZ_CHECK(xq_sig_sign(SECRET, name, e, want) == XQ_OK);
    FUZZ_CHECK(strcmp(want, sig) == 0);
    FUZZ_CHECK(st == XQ_OK ? (long long)NOW < e : (long long)NOW >= e);
    if (strlen(name) + 2 < sizeof(other)) {
        snprintf(other, sizeof(other), "%sx", name);
        FUZZ_CHECK(xq_sig_verify(SECRET, other, exp_text, sig, NOW) == XQ_ERR_FORBIDDEN);
    }
    snprintf(other, sizeof(other), "%lld", e + 1);
    FUZZ_CHECK(xq_sig_verify(SECRET, name, other, sig, NOW) == XQ_ERR_FORBIDDEN);
}

static void check_roundtrip(char *name, const uint8_t *data, size_t n)
{
    char hex[XQ_SIG_HEX_LEN + 1], exp_text[32];
    long long e = (long long)NOW - 1000;
    size_t i, len = strlen(name);
    xq_status st;

    for (i = 0; i < n && i < 4; i++)
        e += (long long)data[i] << (8 * i);  /* 0 .. 2^32 s around now */
    snprintf(exp_text, sizeof(exp_text), "%lld", e);
    if (xq_sig_sign(SECRET, name, e, hex) != XQ_OK) {
        /* only a message over the signer's bound (511 bytes) is refused,
         * and such a name never verifies either */
        FUZZ_CHECK(len + 1 + strlen(exp_text) >= 512);
        FUZZ_CHECK(xq_sig_verify(SECRET, name, exp_text, "0000000000000000000000000000000000"
                                 "000000000000000000000000000000", NOW) == XQ_ERR_FORBIDDEN);
        return;
    }
    st = xq_sig_verify(SECRET, name, exp_text, hex, NOW);
    FUZZ_CHECK(st == (e > (long long)NOW ? XQ_OK : XQ_ERR_GONE));
    if (len > 0) {
        name[len / 2] ^= 0x01;
        if (name[len / 2] != '\0')
            FUZZ_CHECK(xq_sig_verify(SECRET, name, exp_text, hex, NOW) == XQ_ERR_FORBIDDEN);
        name[len / 2] ^= 0x01;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *p2, *p3;
    size_t n1, n2, n3, rest;
    char *name, *exp_text, *sig;

    if (size > 4096)
        return 0;
    fuzz_split(data, size, '\n', &n1, &p2, &rest);
    fuzz_split(p2, rest, '\n', &n2, &p3, &n3);
    name = fuzz_cstr(data, n1);
    exp_text = fuzz_cstr(p2, n2);
    sig = fuzz_cstr(p3, n3);

    check_name(name);
    check_sig(name, exp_text, sig);
    check_roundtrip(name, p2, n2);

    free(name);
    free(exp_text);
    free(sig);
    return 0;
}
