/*
 * auth.c - bearer parsing and role mapping.  The role table is the single
 * place where a role becomes permissions.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "auth.h"
#include "sig.h"

static const struct {
    const char *role;
    unsigned perms;
    int is_admin;
} role_table[] = {
    {"admin", XQ_PERM_ADMIN_USAGE | XQ_PERM_ADMIN_QUEUE, 1},
    {"adminReadonly", XQ_PERM_ADMIN_USAGE, 0},
};

#define NROLES (sizeof(role_table) / sizeof(role_table[0]))

unsigned xq_auth_role_perms(const char *role)
{
    size_t i;

    for (i = 0; role != NULL && i < NROLES; i++)
        if (strcmp(role, role_table[i].role) == 0)
            return role_table[i].perms;
    return 0;
}

static int role_is_admin(const char *role)
{
    size_t i;

    for (i = 0; i < NROLES; i++)
        if (strcmp(role, role_table[i].role) == 0)
            return role_table[i].is_admin;
    return 0;
}

const char *xq_auth_perm_name(unsigned perm)
{
    switch (perm) {
    case XQ_PERM_ADMIN_USAGE:
        return "admin:usage";
    case XQ_PERM_ADMIN_QUEUE:
        return "admin:queue";
    default:
        return "";
    }
}

xq_status xq_auth_bearer(const char *header, const char **tok, size_t *toklen)
{
    const char *p, *end;

    *tok = NULL;
    *toklen = 0;
    if (header == NULL || strncasecmp(header, "Bearer", 6) != 0)
        return XQ_ERR_AUTH;
    p = header + 6;
    if (*p != ' ' && *p != '\t')
        return XQ_ERR_AUTH;
    while (*p == ' ' || *p == '\t')
        p++;
    end = p;
    while (*end != '\0' && *end != ' ' && *end != '\t')
        end++;
    if (end == p)
        return XQ_ERR_AUTH;
    /* Only trailing blanks may follow: "Bearer a b" is not one token. */
    for (const char *q = end; *q != '\0'; q++)
        if (*q != ' ' && *q != '\t')
            return XQ_ERR_AUTH;
    *tok = p;
    *toklen = (size_t)(end - p);
    return XQ_OK;
}

void xq_auth_principal_from_claims(const xq_jwt_claims *c, xq_principal *p)
{
    int i;

    memset(p, 0, sizeof(*p));
    snprintf(p->user_id, sizeof(p->user_id), "%s", c->user_id);
    snprintf(p->email, sizeof(p->email), "%s", c->email);
    for (i = 0; i < c->nroles && i < XQ_JWT_ROLES_MAX; i++) {
        p->perms |= xq_auth_role_perms(c->roles[i]);
        p->is_admin |= role_is_admin(c->roles[i]);
    }
}

xq_status xq_auth_authenticate(const char *authorization, const char *secret, time_t now,
                               xq_principal *p, xq_err *err)
{
    xq_jwt_claims c;
    const char *tok;
    size_t toklen;
    xq_status st;

    memset(p, 0, sizeof(*p));
    if (authorization == NULL || authorization[0] == '\0')
        return xq_err_set(err, XQ_ERR_AUTH, "no Authorization header");
    if (xq_auth_bearer(authorization, &tok, &toklen) != XQ_OK)
        return xq_err_set(err, XQ_ERR_AUTH, "Authorization is not a Bearer token");
    if (secret == NULL || secret[0] == '\0')
        return xq_err_set(err, XQ_ERR_INTERNAL, "JWT_SECRET is not configured");
    st = xq_jwt_verify(tok, toklen, secret, strlen(secret), now, &c, err);
    if (st != XQ_OK)
        return st;
    xq_auth_principal_from_claims(&c, p);
    return XQ_OK;
}

void xq_auth_cache_init(xq_auth_cache *c)
{
    unsigned i;

    for (i = 0; i < XQ_AUTH_CACHE_SLOTS; i++)
        c->slot[i].len = 0;
    c->next = 0;
    c->hits = c->misses = 0;
}

xq_status xq_auth_authenticate_cached(xq_auth_cache *cache, const char *authorization,
                                      const char *secret, time_t now, xq_principal *p,
                                      xq_err *err)
{
    xq_jwt_claims c;
    const char *tok;
    size_t toklen;
    unsigned i;
    xq_status st;

    if (cache == NULL)
        return xq_auth_authenticate(authorization, secret, now, p, err);
    memset(p, 0, sizeof(*p));
    if (authorization == NULL || authorization[0] == '\0')
        return xq_err_set(err, XQ_ERR_AUTH, "no Authorization header");
    if (xq_auth_bearer(authorization, &tok, &toklen) != XQ_OK)
        return xq_err_set(err, XQ_ERR_AUTH, "Authorization is not a Bearer token");
    for (i = 0; i < XQ_AUTH_CACHE_SLOTS; i++) {
        if (cache->slot[i].len != toklen || !xq_ct_equal(cache->slot[i].tok, tok, toklen))
            continue;
        if (cache->slot[i].exp <= (long long)now - XQ_JWT_LEEWAY_S) {
            cache->slot[i].len = 0;
            return xq_err_set(err, XQ_ERR_AUTH, "token expired");
        }
        cache->hits++;
        *p = cache->slot[i].p;
        return XQ_OK;
    }
    cache->misses++;
    if (secret == NULL || secret[0] == '\0')
        return xq_err_set(err, XQ_ERR_INTERNAL, "JWT_SECRET is not configured");
    st = xq_jwt_verify(tok, toklen, secret, strlen(secret), now, &c, err);
    if (st != XQ_OK)
        return st;
    xq_auth_principal_from_claims(&c, p);
    i = cache->next++ % XQ_AUTH_CACHE_SLOTS;
    cache->slot[i].len = toklen;
    cache->slot[i].exp = c.exp;
    cache->slot[i].p = *p;
    memcpy(cache->slot[i].tok, tok, toklen);
    return XQ_OK;
}

int xq_auth_has(const xq_principal *p, unsigned perm)
{
    return p != NULL && (p->perms & perm) == perm;
}

int xq_auth_metrics_ok(const char *metrics_token, const char *authorization)
{
    static const char key[] = "exportq metrics token comparison";
    unsigned char want[32], got[32];
    const char *tok;
    size_t toklen;

    if (metrics_token == NULL || metrics_token[0] == '\0')
        return 1;
    if (xq_auth_bearer(authorization, &tok, &toklen) != XQ_OK)
        return 0;
    if (xq_hmac_sha256(key, sizeof(key) - 1, metrics_token, strlen(metrics_token), want) !=
            XQ_OK ||
        xq_hmac_sha256(key, sizeof(key) - 1, tok, toklen, got) != XQ_OK)
        return 0;
    return xq_ct_equal(want, got, sizeof(want));
}
