/*
 * auth.h - who is calling: the Authorization header, the JWT behind it and
 * the permissions its roles give (SPEC §4).  Pure: the clock is passed in.
 *
 * Roles (case-sensitive): "admin" -> admin:usage + admin:queue and may act
 * on anyone's jobs; "adminReadonly" -> admin:usage; anything else -> none.
 */
#ifndef XQ_AUTH_H
#define XQ_AUTH_H

#include <time.h>

#include "error.h"
#include "jwt.h"

#define XQ_PERM_ADMIN_USAGE 0x1u
#define XQ_PERM_ADMIN_QUEUE 0x2u

typedef struct xq_principal {
    char user_id[XQ_JWT_USER_MAX];
    char email[XQ_JWT_EMAIL_MAX];
    int is_admin;     /* role admin: may see, cancel, download anyone's jobs */
    unsigned perms;   /* XQ_PERM_* bits */
} xq_principal;

/* Permission bits one role gives (0 for an unknown role). */
unsigned xq_auth_role_perms(const char *role);

/* "admin:usage" / "admin:queue" / "" for a single bit (logs, docs). */
const char *xq_auth_perm_name(unsigned perm);

/*
 * Find the token in an Authorization header value: scheme "Bearer" in any
 * case, one or more spaces, then the token (no spaces inside; trailing
 * spaces ignored).  *tok points into header (borrowed).  XQ_ERR_AUTH when
 * the header is NULL, empty, another scheme or has no token.
 */
xq_status xq_auth_bearer(const char *header, const char **tok, size_t *toklen);

/* Principal from verified claims (pure mapping). */
void xq_auth_principal_from_claims(const xq_jwt_claims *c, xq_principal *p);

/*
 * Header -> principal: bearer parse + xq_jwt_verify + role mapping.
 * XQ_ERR_AUTH with a reason in err (never the token) on any failure.
 */
xq_status xq_auth_authenticate(const char *authorization, const char *secret, time_t now,
                               xq_principal *p, xq_err *err);

/*
 * A small per-process cache of tokens already verified, so that a client
 * sending the same token again (a frontend polling a job) skips the HMAC
 * and the JSON parsing.  The key is the whole token, compared in constant
 * time (only its length can be told by timing); a hit is still checked
 * against exp with the same leeway.  Embedded; not shared across processes.
 */
#define XQ_AUTH_CACHE_SLOTS 4

typedef struct xq_auth_cache {
    struct {
        size_t len;                 /* 0: empty slot */
        long long exp;
        xq_principal p;
        char tok[XQ_JWT_MAX_LEN];
    } slot[XQ_AUTH_CACHE_SLOTS];
    unsigned next;                  /* slot replaced next */
    unsigned long hits, misses;
} xq_auth_cache;

void xq_auth_cache_init(xq_auth_cache *c);

/*
 * xq_auth_authenticate through cache (may be NULL: no caching).  Only
 * successes are cached; the secret must be the same on every call.
 */
xq_status xq_auth_authenticate_cached(xq_auth_cache *cache, const char *authorization,
                                      const char *secret, time_t now, xq_principal *p,
                                      xq_err *err);

/* 1 when p holds every bit of perm. */
int xq_auth_has(const xq_principal *p, unsigned perm);

/*
 * /metrics access: 1 when no METRICS_TOKEN is configured (empty or NULL),
 * or when the header is "Bearer <METRICS_TOKEN>".  Compared through HMAC
 * digests in constant time, so neither content nor length leaks by timing.
 */
int xq_auth_metrics_ok(const char *metrics_token, const char *authorization);

#endif
