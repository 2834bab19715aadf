/*
 * sig.h - HMAC-SHA256 and signed download links (SPEC §10).
 *
 * sig = lowercase hex HMAC-SHA256, key JWT_SECRET, message
 * "<fileName>\n<expires>", expires in Unix seconds.  Pure (no I/O).
 */
#ifndef XQ_SIG_H
#define XQ_SIG_H

#include <stddef.h>
#include <time.h>

#include "error.h"

#define XQ_SIG_HEX_LEN 64

/* out receives 32 bytes. */
xq_status xq_hmac_sha256(const void *key, size_t keylen, const void *msg, size_t msglen,
                         unsigned char out[32]);

/* Constant-time comparison of n bytes: 1 when equal. */
int xq_ct_equal(const void *a, const void *b, size_t n);

/* hex receives 64 lowercase hex digits and a NUL. */
xq_status xq_sig_sign(const char *secret, const char *file_name, long long expires,
                      char hex[XQ_SIG_HEX_LEN + 1]);

/*
 * Check a link: XQ_OK when sig matches and now < expires; XQ_ERR_FORBIDDEN
 * for a malformed or wrong signature (checked first, so that an attacker
 * learns nothing about expiry); XQ_ERR_GONE when it matches but has expired.
 * expires_text is the raw query value (strictly decimal digits).
 */
xq_status xq_sig_verify(const char *secret, const char *file_name, const char *expires_text,
                        const char *sig_hex, time_t now);

#endif
