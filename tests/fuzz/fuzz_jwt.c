/*
 * fuzz_jwt.c - the JWT parser/verifier and the Authorization header parser
 * (src/jwt.c, src/auth.c; SPEC §4).
 *
 * The first byte picks a mode:
 *   0: the rest is a token, verified as it comes (hostile tokens);
 *   1: the rest is claims JSON, signed with the right key and then verified
 *      (reaches the claims parser, which a random token never gets past
 *      the signature to);
 *   2: the rest is an Authorization header value for xq_auth_authenticate.
 * Properties: a verified token has a non-empty user id and an exp not in the
 * past beyond the leeway; a token signed with one secret never verifies with
 * another; a header value never verifies unless it is Bearer + token.
 */
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "auth.h"
#include "buf.h"
#include "fuzz_util.h"
#include "jwt.h"

#define SECRET "fuzz-secret-0123456789abcdef"
#define OTHER "fuzz-secret-0123456789abcdeX"
#define NOW ((time_t)1767225600) /* 2026-01-01 */

static void check_claims(const xq_jwt_claims *c)
{
    FUZZ_CHECK(c->user_id[0] != '\0');
    FUZZ_CHECK(memchr(c->user_id, '\0', sizeof(c->user_id)) != NULL);
    FUZZ_CHECK(memchr(c->email, '\0', sizeof(c->email)) != NULL);
    FUZZ_CHECK(c->nroles >= 0 && c->nroles <= XQ_JWT_ROLES_MAX);
    FUZZ_CHECK(c->exp >= (long long)NOW - XQ_JWT_LEEWAY_S);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    xq_jwt_claims c;
    xq_principal p;
    xq_err err;
    xq_buf tok;
    char *s;
    xq_status st;

    if (size < 1 || size > 2 * XQ_JWT_MAX_LEN)
        return 0;
    s = fuzz_cstr(data + 1, size - 1);
    switch (data[0] % 3) {
    case 0:
        st = xq_jwt_verify(s, size - 1, SECRET, strlen(SECRET), NOW, &c, &err);
        if (st == XQ_OK) {
            check_claims(&c);
            /* a token cannot be good under two secrets */
            FUZZ_CHECK(xq_jwt_verify(s, size - 1, OTHER, strlen(OTHER), NOW, &c, &err) ==
                       XQ_ERR_AUTH);
        }
        break;
    case 1:
        xq_buf_init(&tok, XQ_JWT_MAX_LEN * 2);
        if (xq_jwt_sign_hs256(s, SECRET, strlen(SECRET), &tok) == XQ_OK) {
            st = xq_jwt_verify(tok.data, tok.len, SECRET, strlen(SECRET), NOW, &c, &err);
            if (st == XQ_OK) {
                check_claims(&c);
                FUZZ_CHECK(xq_jwt_verify(tok.data, tok.len, OTHER, strlen(OTHER), NOW, &c,
                                         &err) == XQ_ERR_AUTH);
                xq_auth_principal_from_claims(&c, &p);
                FUZZ_CHECK(strcmp(p.user_id, c.user_id) == 0);
            }
        }
        xq_buf_cleanup(&tok);
        break;
    default:
        st = xq_auth_authenticate(s, SECRET, NOW, &p, &err);
        if (st == XQ_OK) {
            FUZZ_CHECK(p.user_id[0] != '\0');
            /* the scheme, then blanks (SP or HTAB, as HTTP's OWS) */
            FUZZ_CHECK(strncasecmp(s, "bearer", 6) == 0 && (s[6] == ' ' || s[6] == '\t'));
        } else {
            FUZZ_CHECK(p.perms == 0 && p.user_id[0] == '\0'); /* nothing granted */
        }
        break;
    }
    free(s);
    return 0;
}
