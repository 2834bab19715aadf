/*
 * router.c - split, decode, compare.  Patterns are parsed on the fly: a
 * table of ~20 routes with a handful of segments each costs less than one
 * allocation, and nothing is cached that could go stale.
 */
#include <string.h>

#include "router.h"

static int hexval(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

xq_status xq_pct_decode(const char *s, size_t n, int plus_space, char *out, size_t outcap,
                        size_t *outlen)
{
    size_t i, o = 0;
    int hi, lo;
    char c;

    if (outlen != NULL)
        *outlen = 0;
    if (outcap == 0)
        return XQ_ERR_TOO_BIG;
    for (i = 0; i < n; i++) {
        c = s[i];
        if (c == '%') {
            if (i + 2 >= n || (hi = hexval((unsigned char)s[i + 1])) < 0 ||
                (lo = hexval((unsigned char)s[i + 2])) < 0)
                return XQ_ERR_INVALID;
            c = (char)(hi << 4 | lo);
            if (c == '\0')
                return XQ_ERR_INVALID;
            i += 2;
        } else if (c == '+' && plus_space) {
            c = ' ';
        } else if (c == '\0') {
            return XQ_ERR_INVALID;
        }
        if (o + 1 >= outcap)
            return XQ_ERR_TOO_BIG;
        out[o++] = c;
    }
    out[o] = '\0';
    if (outlen != NULL)
        *outlen = o;
    return XQ_OK;
}

/* Split and decode the path into m->seg; XQ_ERR_NOT_FOUND when too big. */
static xq_status split_path(const char *path, size_t pathlen, xq_route_match *m)
{
    size_t pos = 1, start, used = 0, dl;
    xq_status st;

    if (pathlen == 0 || path[0] != '/')
        return XQ_ERR_NOT_FOUND;
    if (pathlen > XQ_ROUTE_PATH_MAX)
        return XQ_ERR_NOT_FOUND;
    m->nseg = 0;
    for (;;) {
        start = pos;
        while (pos < pathlen && path[pos] != '/')
            pos++;
        if (m->nseg == XQ_ROUTE_SEGS_MAX)
            return XQ_ERR_NOT_FOUND;
        st = xq_pct_decode(path + start, pos - start, 0, m->segbuf + used,
                           sizeof(m->segbuf) - used, &dl);
        if (st != XQ_OK)
            return st == XQ_ERR_TOO_BIG ? XQ_ERR_NOT_FOUND : st;
        if (memchr(m->segbuf + used, '/', dl) != NULL || strcmp(m->segbuf + used, ".") == 0 ||
            strcmp(m->segbuf + used, "..") == 0)
            return XQ_ERR_INVALID;
        m->seg[m->nseg++] = m->segbuf + used;
        used += dl + 1;
        if (pos >= pathlen)
            break;
        pos++; /* skip '/' */
    }
    return XQ_OK;
}

/* 1 when the pattern matches m's segments; fills params when fill. */
static int pattern_match(const char *pat, xq_route_match *m, int fill)
{
    const char *p = pat + 1, *e;
    size_t len;
    int i = 0, np = 0;

    if (pat[0] != '/')
        return 0;
    for (;;) {
        e = strchr(p, '/');
        len = e ? (size_t)(e - p) : strlen(p);
        if (i >= m->nseg)
            return 0;
        if (len > 0 && p[0] == ':') {
            if (m->seg[i][0] == '\0' || np >= XQ_ROUTE_PARAMS_MAX)
                return 0;
            if (fill) {
                m->params[np].name = p + 1;
                m->params[np].name_len = len - 1;
                m->params[np].value = m->seg[i];
            }
            np++;
        } else if (strlen(m->seg[i]) != len || memcmp(m->seg[i], p, len) != 0) {
            return 0;
        }
        i++;
        if (e == NULL)
            break;
        p = e + 1;
    }
    if (i != m->nseg)
        return 0;
    if (fill)
        m->nparams = np;
    return 1;
}

static void allow_add(char *allow, const char *method)
{
    size_t al = strlen(allow), ml = strlen(method);
    const char *p = allow;

    /* skip duplicates: compare whole list items */
    while (*p != '\0') {
        const char *q = strchr(p, ',');
        size_t il = q ? (size_t)(q - p) : strlen(p);

        if (il == ml && memcmp(p, method, ml) == 0)
            return;
        if (q == NULL)
            break;
        p = q + 2;
    }
    if (al + (al ? 2 : 0) + ml + 1 > XQ_ROUTE_ALLOW_MAX)
        return;
    if (al) {
        memcpy(allow + al, ", ", 2);
        al += 2;
    }
    memcpy(allow + al, method, ml + 1);
}

xq_status xq_router_match(const xq_route *routes, size_t n, const char *method,
                          const char *path, size_t pathlen, xq_route_match *m)
{
    size_t i;
    int path_known = 0;
    xq_status st;

    m->route = NULL;
    m->nparams = 0;
    m->allow[0] = '\0';
    m->nseg = 0;
    if ((st = split_path(path, pathlen, m)) != XQ_OK)
        return st;
    for (i = 0; i < n; i++) {
        if (!pattern_match(routes[i].pattern, m, 0))
            continue;
        path_known = 1;
        if (method != NULL && strcmp(routes[i].method, method) == 0) {
            pattern_match(routes[i].pattern, m, 1);
            m->route = &routes[i];
            return XQ_OK;
        }
        allow_add(m->allow, routes[i].method);
    }
    return path_known ? XQ_ERR_METHOD : XQ_ERR_NOT_FOUND;
}

const char *xq_route_param(const xq_route_match *m, const char *name)
{
    size_t nl = strlen(name);
    int i;

    for (i = 0; i < m->nparams; i++)
        if (m->params[i].name_len == nl && memcmp(m->params[i].name, name, nl) == 0)
            return m->params[i].value;
    return NULL;
}
