/*
 * jwt.c - HS256 verification.  The order of checks matters: sizes first
 * (a huge token costs nothing), then the header (alg must be HS256 before
 * any key is used, so "none" and RS256/HS384 confusion cannot happen), then
 * the signature in constant time, and only then the claims, so that json-c
 * never parses a payload an attacker could not sign.
 */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include <json-c/json.h>

#include "jwt.h"
#include "sig.h"

#define JSON_DEPTH 8

static const char b64url_alpha[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

static int b64url_val(unsigned char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '-')
        return 62;
    if (c == '_')
        return 63;
    return -1;
}

xq_status xq_b64url_encode(const void *data, size_t n, xq_buf *out)
{
    const unsigned char *p = data;
    char q[4];
    size_t i;
    xq_status st = XQ_OK;

    for (i = 0; i + 3 <= n && st == XQ_OK; i += 3) {
        q[0] = b64url_alpha[p[i] >> 2];
        q[1] = b64url_alpha[((p[i] & 3) << 4) | (p[i + 1] >> 4)];
        q[2] = b64url_alpha[((p[i + 1] & 15) << 2) | (p[i + 2] >> 6)];
        q[3] = b64url_alpha[p[i + 2] & 63];
        st = xq_buf_append(out, q, 4);
    }
    if (st != XQ_OK)
        return st;
    if (n - i == 1) {
        q[0] = b64url_alpha[p[i] >> 2];
        q[1] = b64url_alpha[(p[i] & 3) << 4];
        st = xq_buf_append(out, q, 2);
    } else if (n - i == 2) {
        q[0] = b64url_alpha[p[i] >> 2];
        q[1] = b64url_alpha[((p[i] & 3) << 4) | (p[i + 1] >> 4)];
        q[2] = b64url_alpha[(p[i + 1] & 15) << 2];
        st = xq_buf_append(out, q, 3);
    }
    return st;
}

xq_status xq_b64url_decode(const char *s, size_t n, unsigned char *out, size_t outcap,
                           size_t *outlen)
{
    size_t i, o = 0, need;
    unsigned long acc = 0;
    int bits = 0, v;

    *outlen = 0;
    if (n % 4 == 1)
        return XQ_ERR_INVALID;
    need = n / 4 * 3 + (n % 4 ? n % 4 - 1 : 0);
    if (need > outcap)
        return XQ_ERR_INVALID;
    for (i = 0; i < n; i++) {
        if ((v = b64url_val((unsigned char)s[i])) < 0)
            return XQ_ERR_INVALID;
        acc = (acc << 6) | (unsigned long)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[o++] = (unsigned char)(acc >> bits);
            acc &= (1UL << bits) - 1;
        }
    }
    /* Leftover bits must be zero: one token, one spelling. */
    if (acc != 0)
        return XQ_ERR_INVALID;
    *outlen = o;
    return XQ_OK;
}

/* Parse JSON text of n bytes as an object (strict, bounded depth). */
static json_object *parse_object(const unsigned char *text, size_t n)
{
    json_tokener *tok;
    json_object *obj = NULL;

    if (n == 0 || n > XQ_JWT_MAX_LEN)
        return NULL;
    if ((tok = json_tokener_new_ex(JSON_DEPTH)) == NULL)
        return NULL;
    json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
    obj = json_tokener_parse_ex(tok, (const char *)text, (int)n);
    if (obj != NULL && (json_tokener_get_error(tok) != json_tokener_success ||
                        json_tokener_get_parse_end(tok) != n ||
                        !json_object_is_type(obj, json_type_object))) {
        json_object_put(obj);
        obj = NULL;
    }
    json_tokener_free(tok);
    return obj;
}

/* Copy a JSON string member into dst; 1 ok, 0 absent, -1 bad type/size/NUL. */
static int copy_str(json_object *o, const char *key, char *dst, size_t dstsz)
{
    json_object *v;
    const char *s;
    int len;

    if (!json_object_object_get_ex(o, key, &v) || v == NULL)
        return 0;
    if (!json_object_is_type(v, json_type_string))
        return -1;
    s = json_object_get_string(v);
    len = json_object_get_string_len(v);
    if (len < 0 || (size_t)len >= dstsz || strlen(s) != (size_t)len)
        return -1;
    memcpy(dst, s, (size_t)len + 1);
    return 1;
}

/* A numeric claim as whole seconds; 1 ok, 0 absent, -1 not a finite number. */
static int get_time(json_object *o, const char *key, long long *out)
{
    json_object *v;
    double d;

    if (!json_object_object_get_ex(o, key, &v) || v == NULL)
        return 0;
    if (json_object_is_type(v, json_type_int)) {
        *out = (long long)json_object_get_int64(v);
        return 1;
    }
    if (json_object_is_type(v, json_type_double)) {
        d = json_object_get_double(v);
        if (!isfinite(d) || d > 9.0e15 || d < -9.0e15)
            return -1;
        *out = (long long)floor(d);
        return 1;
    }
    return -1;
}

static xq_status check_header(const unsigned char *text, size_t n, xq_err *err)
{
    json_object *h = parse_object(text, n), *v;
    xq_status st = XQ_ERR_AUTH;

    if (h == NULL) {
        xq_err_set(err, XQ_ERR_AUTH, "token header is not a JSON object");
        goto out;
    }
    if (!json_object_object_get_ex(h, "alg", &v) || !json_object_is_type(v, json_type_string)) {
        xq_err_set(err, XQ_ERR_AUTH, "token header has no alg");
        goto out;
    }
    if (strcmp(json_object_get_string(v), "HS256") != 0 ||
        (size_t)json_object_get_string_len(v) != 5) {
        xq_err_set(err, XQ_ERR_AUTH, "token alg is not HS256");
        goto out;
    }
    if (json_object_object_get_ex(h, "typ", &v) && !json_object_is_type(v, json_type_string)) {
        xq_err_set(err, XQ_ERR_AUTH, "token typ is not a string");
        goto out;
    }
    if (json_object_object_get_ex(h, "crit", &v)) {
        xq_err_set(err, XQ_ERR_AUTH, "token header has crit extensions");
        goto out;
    }
    st = XQ_OK;
out:
    json_object_put(h);
    return st;
}

static xq_status read_claims(const unsigned char *text, size_t n, time_t now,
                             xq_jwt_claims *c, xq_err *err)
{
    json_object *p = parse_object(text, n), *roles, *r;
    long long nbf;
    size_t i, nr;
    int rc;
    xq_status st = XQ_ERR_AUTH;

    if (p == NULL) {
        xq_err_set(err, XQ_ERR_AUTH, "token payload is not a JSON object");
        goto out;
    }
    rc = get_time(p, "exp", &c->exp);
    if (rc == 0) {
        xq_err_set(err, XQ_ERR_AUTH, "token has no exp");
        goto out;
    }
    if (rc < 0) {
        xq_err_set(err, XQ_ERR_AUTH, "token exp is not a number");
        goto out;
    }
    if (c->exp <= (long long)now - XQ_JWT_LEEWAY_S) {
        xq_err_set(err, XQ_ERR_AUTH, "token expired");
        goto out;
    }
    rc = get_time(p, "nbf", &nbf);
    if (rc < 0 || (rc > 0 && nbf > (long long)now + XQ_JWT_LEEWAY_S)) {
        xq_err_set(err, XQ_ERR_AUTH, "token not valid yet (nbf)");
        goto out;
    }
    /* SPEC §10: with both userId and sub, userId wins. */
    rc = copy_str(p, "userId", c->user_id, sizeof(c->user_id));
    if (rc == 0)
        rc = copy_str(p, "sub", c->user_id, sizeof(c->user_id));
    if (rc <= 0 || c->user_id[0] == '\0') {
        xq_err_set(err, XQ_ERR_AUTH, "token has no usable userId or sub");
        goto out;
    }
    if (copy_str(p, "email", c->email, sizeof(c->email)) < 0) {
        xq_err_set(err, XQ_ERR_AUTH, "token email is not a string");
        goto out;
    }
    if (json_object_object_get_ex(p, "roles", &roles) && roles != NULL) {
        if (!json_object_is_type(roles, json_type_array)) {
            xq_err_set(err, XQ_ERR_AUTH, "token roles is not an array");
            goto out;
        }
        nr = json_object_array_length(roles);
        if (nr > XQ_JWT_ROLES_MAX) {
            xq_err_set(err, XQ_ERR_AUTH, "token has more than %d roles", XQ_JWT_ROLES_MAX);
            goto out;
        }
        for (i = 0; i < nr; i++) {
            r = json_object_array_get_idx(roles, i);
            if (r == NULL || !json_object_is_type(r, json_type_string) ||
                (size_t)json_object_get_string_len(r) >= XQ_JWT_ROLE_MAX ||
                strlen(json_object_get_string(r)) != (size_t)json_object_get_string_len(r)) {
                xq_err_set(err, XQ_ERR_AUTH, "token role %zu is not a short string", i);
                goto out;
            }
            memcpy(c->roles[c->nroles++], json_object_get_string(r),
                   (size_t)json_object_get_string_len(r) + 1);
        }
    }
    st = XQ_OK;
out:
    json_object_put(p);
    return st;
}

xq_status xq_jwt_verify(const char *token, size_t len, const void *secret, size_t secretlen,
                        time_t now, xq_jwt_claims *out, xq_err *err)
{
    unsigned char dec[XQ_JWT_MAX_LEN];
    unsigned char mac[32];
    const char *dot1, *dot2;
    size_t hlen, plen, slen, n;
    xq_status st;

    memset(out, 0, sizeof(*out));
    if (token == NULL || len == 0)
        return xq_err_set(err, XQ_ERR_AUTH, "empty token");
    if (len > XQ_JWT_MAX_LEN)
        return xq_err_set(err, XQ_ERR_AUTH, "token longer than %d bytes", XQ_JWT_MAX_LEN);
    dot1 = memchr(token, '.', len);
    dot2 = dot1 ? memchr(dot1 + 1, '.', len - (size_t)(dot1 + 1 - token)) : NULL;
    if (dot1 == NULL || dot2 == NULL ||
        memchr(dot2 + 1, '.', len - (size_t)(dot2 + 1 - token)) != NULL)
        return xq_err_set(err, XQ_ERR_AUTH, "token does not have three segments");
    hlen = (size_t)(dot1 - token);
    plen = (size_t)(dot2 - dot1 - 1);
    slen = len - (size_t)(dot2 + 1 - token);
    if (hlen == 0 || plen == 0 || slen == 0)
        return xq_err_set(err, XQ_ERR_AUTH, "token has an empty segment");

    if (xq_b64url_decode(token, hlen, dec, sizeof(dec), &n) != XQ_OK)
        return xq_err_set(err, XQ_ERR_AUTH, "token header is not base64url");
    if ((st = check_header(dec, n, err)) != XQ_OK)
        return st;

    if (xq_b64url_decode(dot2 + 1, slen, dec, sizeof(dec), &n) != XQ_OK)
        return xq_err_set(err, XQ_ERR_AUTH, "token signature is not base64url");
    if (n != sizeof(mac))
        return xq_err_set(err, XQ_ERR_AUTH, "token signature has the wrong length");
    if (xq_hmac_sha256(secret, secretlen, token, (size_t)(dot2 - token), mac) != XQ_OK)
        return xq_err_set(err, XQ_ERR_INTERNAL, "HMAC-SHA256 failed");
    if (!xq_ct_equal(mac, dec, sizeof(mac)))
        return xq_err_set(err, XQ_ERR_AUTH, "token signature does not match");

    if (xq_b64url_decode(dot1 + 1, plen, dec, sizeof(dec), &n) != XQ_OK)
        return xq_err_set(err, XQ_ERR_AUTH, "token payload is not base64url");
    st = read_claims(dec, n, now, out, err);
    if (st != XQ_OK) {
        memset(out, 0, sizeof(*out));
        return st;
    }
    return XQ_OK;
}

xq_status xq_jwt_sign_hs256(const char *claims_json, const void *secret, size_t secretlen,
                            xq_buf *out)
{
    static const char header[] = "{\"alg\":\"HS256\",\"typ\":\"JWT\"}";
    unsigned char mac[32];
    size_t start = out->len;
    xq_status st;

    if ((st = xq_b64url_encode(header, sizeof(header) - 1, out)) != XQ_OK ||
        (st = xq_buf_append_char(out, '.')) != XQ_OK ||
        (st = xq_b64url_encode(claims_json, strlen(claims_json), out)) != XQ_OK)
        return st;
    if ((st = xq_hmac_sha256(secret, secretlen, out->data + start, out->len - start, mac)) !=
        XQ_OK)
        return st;
    if ((st = xq_buf_append_char(out, '.')) != XQ_OK)
        return st;
    return xq_b64url_encode(mac, sizeof(mac), out);
}
