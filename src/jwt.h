/*
 * jwt.h - HS256 JSON Web Token verification (SPEC §4), pure: no I/O, the
 * clock is passed in.
 *
 * Accepted: three base64url segments (strict alphabet, no padding, canonical
 * trailing bits), a header whose "alg" is exactly "HS256" ("typ" optional,
 * any "crit" refused), a 32-byte signature equal (in constant time) to
 * HMAC-SHA256(secret, "<header>.<payload>"), and claims with a numeric "exp"
 * not more than XQ_JWT_LEEWAY_S in the past.  Everything else is
 * XQ_ERR_AUTH with a short reason in err (never the token itself).
 */
#ifndef XQ_JWT_H
#define XQ_JWT_H

#include <stddef.h>
#include <time.h>

#include "buf.h"
#include "error.h"

#define XQ_JWT_MAX_LEN 8192     /* bytes of a whole token */
#define XQ_JWT_LEEWAY_S 60      /* clock skew allowed on exp and nbf */
#define XQ_JWT_USER_MAX 256     /* bytes of userId/sub, NUL included */
#define XQ_JWT_EMAIL_MAX 320
#define XQ_JWT_ROLES_MAX 32     /* more roles than this: token refused */
#define XQ_JWT_ROLE_MAX 64      /* bytes of one role name, NUL included */

typedef struct xq_jwt_claims {
    char user_id[XQ_JWT_USER_MAX];  /* "userId", else "sub"; never empty */
    char email[XQ_JWT_EMAIL_MAX];   /* "" when absent */
    int nroles;
    char roles[XQ_JWT_ROLES_MAX][XQ_JWT_ROLE_MAX]; /* case kept as given */
    long long exp;                  /* Unix seconds */
} xq_jwt_claims;

/*
 * Verify token[0..len) with secret[0..secretlen) at time now and fill out.
 * XQ_OK, or XQ_ERR_AUTH (anything wrong with the token, reason in err),
 * XQ_ERR_NOMEM, XQ_ERR_INTERNAL.  out is zeroed first on every path.
 */
xq_status xq_jwt_verify(const char *token, size_t len, const void *secret, size_t secretlen,
                        time_t now, xq_jwt_claims *out, xq_err *err);

/*
 * Build an HS256 token over the claims JSON text given (used by tests and
 * tools that mint tokens); appended to out.
 */
xq_status xq_jwt_sign_hs256(const char *claims_json, const void *secret, size_t secretlen,
                            xq_buf *out);

/* base64url without padding, appended to out. */
xq_status xq_b64url_encode(const void *data, size_t n, xq_buf *out);

/*
 * Strict base64url decode of s[0..n) into out (capacity outcap); *outlen
 * receives the byte count.  XQ_ERR_INVALID for any character outside
 * [A-Za-z0-9_-], padding, a length of 1 mod 4, non-zero trailing bits, or
 * output larger than outcap.
 */
xq_status xq_b64url_decode(const char *s, size_t n, unsigned char *out, size_t outcap,
                           size_t *outlen);

#endif
