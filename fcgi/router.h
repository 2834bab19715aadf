/*
 * router.h - route table matching, pure (no FastCGI, no I/O), so the unit
 * tests drive it directly.
 *
 * A pattern is "/"-separated segments, each literal or ":name" (matches one
 * non-empty segment).  The raw path (REQUEST_URI without its query) is split
 * on "/" first and each segment percent-decoded once, so "%2F" can never
 * create a segment boundary; a decoded segment holding NUL or "/", or equal
 * to "." or "..", makes the path malformed (400).  Paths longer than
 * XQ_ROUTE_PATH_MAX or with more than XQ_ROUTE_SEGS_MAX segments match
 * nothing (404).  Methods compare exactly ("GET" is not "get"); HEAD is
 * allowed only where a route lists it.
 */
#ifndef XQ_ROUTER_H
#define XQ_ROUTER_H

#include <stddef.h>

#include "error.h"

#define XQ_ROUTE_PATH_MAX 2048
#define XQ_ROUTE_SEGS_MAX 16
#define XQ_ROUTE_PARAMS_MAX 4
#define XQ_ROUTE_ALLOW_MAX 96

struct xq_app;
struct xq_http;

/*
 * A handler answers the request through the http.h helpers and returns
 * XQ_OK.  If it returns a failure without having answered, the dispatcher
 * logs err and answers with the status's generic SPEC error body.
 */
typedef xq_status (*xq_handler_fn)(struct xq_app *app, struct xq_http *h, xq_err *err);

typedef enum {
    XQ_AUTH_NONE = 0,   /* public (health) */
    XQ_AUTH_TOKEN,      /* valid JWT with every bit of perm, else 401/403 */
    XQ_AUTH_OPTIONAL,   /* token checked when sent; the handler decides (downloads) */
    XQ_AUTH_METRICS     /* METRICS_TOKEN bearer when configured */
} xq_auth_mode;

#define XQ_ROUTE_JSON_BODY 0x1u /* reads a JSON body: 413 / 415 checks first */

typedef struct xq_route {
    const char *method;
    const char *pattern;
    xq_handler_fn handler;
    xq_auth_mode auth;
    unsigned perm;   /* XQ_PERM_* bits for XQ_AUTH_TOKEN */
    unsigned flags;  /* XQ_ROUTE_* */
} xq_route;

typedef struct xq_route_match {
    const xq_route *route;                 /* set on XQ_OK */
    int nparams;
    struct {
        const char *name;                  /* into the pattern, not terminated */
        size_t name_len;
        const char *value;                 /* decoded, NUL-terminated */
    } params[XQ_ROUTE_PARAMS_MAX];
    char allow[XQ_ROUTE_ALLOW_MAX];        /* "GET, HEAD" on XQ_ERR_METHOD */
    /* private: decoded segments */
    int nseg;
    const char *seg[XQ_ROUTE_SEGS_MAX];
    char segbuf[XQ_ROUTE_PATH_MAX + XQ_ROUTE_SEGS_MAX + 1];
} xq_route_match;

/*
 * Match method + path[0..pathlen) against routes[0..n).  XQ_OK (m->route and
 * params set), XQ_ERR_METHOD (m->allow lists the methods of that path),
 * XQ_ERR_NOT_FOUND, or XQ_ERR_INVALID (malformed percent-encoding).  The
 * first route in table order wins.  m is owned by the caller; params point
 * into it and into the route table.
 */
xq_status xq_router_match(const xq_route *routes, size_t n, const char *method,
                          const char *path, size_t pathlen, xq_route_match *m);

/* Decoded value of parameter name, or NULL. Borrowed from m. */
const char *xq_route_param(const xq_route_match *m, const char *name);

/*
 * Percent-decode s[0..n) into out (capacity outcap, NUL-terminated).
 * plus_space: '+' becomes ' ' (query strings).  XQ_ERR_INVALID for a bad
 * escape or an encoded NUL; XQ_ERR_TOO_BIG when out is too small.
 */
xq_status xq_pct_decode(const char *s, size_t n, int plus_space, char *out, size_t outcap,
                        size_t *outlen);

#endif
