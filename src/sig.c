/*
 * sig.c - HMAC via OpenSSL's one-shot HMAC(); comparison in constant time so
 * a timing attack cannot guess a signature byte by byte.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "sig.h"

xq_status xq_hmac_sha256(const void *key, size_t keylen, const void *msg, size_t msglen,
                         unsigned char out[32])
{
    unsigned int outlen = 0;

    if (keylen > 0x7fffffff)
        return XQ_ERR_INVALID;
    if (HMAC(EVP_sha256(), key, (int)keylen, msg, msglen, out, &outlen) == NULL || outlen != 32)
        return XQ_ERR_INTERNAL;
    return XQ_OK;
}

int xq_ct_equal(const void *a, const void *b, size_t n)
{
    const volatile unsigned char *x = a, *y = b;
    unsigned char d = 0;
    size_t i;

    for (i = 0; i < n; i++)
        d |= (unsigned char)(x[i] ^ y[i]);
    return d == 0;
}

xq_status xq_sig_sign(const char *secret, const char *file_name, long long expires,
                      char hex[XQ_SIG_HEX_LEN + 1])
{
    char msg[512];
    unsigned char mac[32];
    int n, i;
    xq_status st;

    n = snprintf(msg, sizeof(msg), "%s\n%lld", file_name, expires);
    if (n < 0 || (size_t)n >= sizeof(msg))
        return XQ_ERR_INVALID;
    st = xq_hmac_sha256(secret, strlen(secret), msg, (size_t)n, mac);
    if (st != XQ_OK)
        return st;
    for (i = 0; i < 32; i++) {
        hex[2 * i] = "0123456789abcdef"[mac[i] >> 4];
        hex[2 * i + 1] = "0123456789abcdef"[mac[i] & 15];
    }
    hex[XQ_SIG_HEX_LEN] = '\0';
    return XQ_OK;
}

xq_status xq_sig_verify(const char *secret, const char *file_name, const char *expires_text,
                        const char *sig_hex, time_t now)
{
    char want[XQ_SIG_HEX_LEN + 1];
    long long expires;
    char *end;
    size_t i, n;

    if (expires_text == NULL || sig_hex == NULL || file_name == NULL)
        return XQ_ERR_FORBIDDEN;
    n = strlen(expires_text);
    if (n == 0 || n > 12)
        return XQ_ERR_FORBIDDEN;
    for (i = 0; i < n; i++)
        if (expires_text[i] < '0' || expires_text[i] > '9')
            return XQ_ERR_FORBIDDEN;
    errno = 0;
    expires = strtoll(expires_text, &end, 10);
    if (errno != 0 || *end != '\0')
        return XQ_ERR_FORBIDDEN;
    if (strlen(sig_hex) != XQ_SIG_HEX_LEN)
        return XQ_ERR_FORBIDDEN;
    if (xq_sig_sign(secret, file_name, expires, want) != XQ_OK)
        return XQ_ERR_FORBIDDEN;
    if (!xq_ct_equal(want, sig_hex, XQ_SIG_HEX_LEN))
        return XQ_ERR_FORBIDDEN;
    if ((long long)now >= expires)
        return XQ_ERR_GONE;
    return XQ_OK;
}
