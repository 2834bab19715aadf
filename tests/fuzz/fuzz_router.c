/*
 * fuzz_router.c - the router and the percent-decoder (fcgi/router.c), on
 * the responder's real route table (fcgi/routes.c).
 *
 * Input: one byte choosing the method, then the raw path.  Properties:
 * a match's parameters are non-empty, NUL-terminated, hold no '/' and are
 * neither "." nor ".." (so no parameter can walk out of a directory); a
 * 405 lists an Allow header; the decoder never writes more than it read,
 * and a successful decode holds no NUL.
 */
#include <stdint.h>
#include <string.h>

#include "fuzz_util.h"
#include "router.h"
#include "routes.h"

static const char *const methods[] = {"GET", "POST", "DELETE", "HEAD", "PUT", "get", ""};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static xq_route_match m;
    char out[XQ_ROUTE_PATH_MAX + 1];
    const char *path;
    size_t n, outlen = 0, i;
    xq_status st;
    int j;

    if (size < 1)
        return 0;
    path = (const char *)data + 1;
    n = size - 1;

    st = xq_router_match(xq_routes, xq_nroutes, methods[data[0] % 7], path, n, &m);
    if (st == XQ_OK) {
        FUZZ_CHECK(m.route != NULL);
        FUZZ_CHECK(m.nparams >= 0 && m.nparams <= XQ_ROUTE_PARAMS_MAX);
        for (j = 0; j < m.nparams; j++) {
            const char *v = m.params[j].value;

            FUZZ_CHECK(v != NULL && v[0] != '\0');
            FUZZ_CHECK(strchr(v, '/') == NULL);
            FUZZ_CHECK(strcmp(v, ".") != 0 && strcmp(v, "..") != 0);
        }
    } else if (st == XQ_ERR_METHOD) {
        FUZZ_CHECK(m.allow[0] != '\0');
    } else {
        FUZZ_CHECK(st == XQ_ERR_NOT_FOUND || st == XQ_ERR_INVALID);
    }

    for (j = 0; j < 2; j++) {
        memset(out, 'Z', sizeof(out));
        st = xq_pct_decode(path, n, j, out, sizeof(out), &outlen);
        if (st == XQ_OK) {
            FUZZ_CHECK(outlen <= n && outlen < sizeof(out));
            FUZZ_CHECK(out[outlen] == '\0');
            for (i = 0; i < outlen; i++)
                FUZZ_CHECK(out[i] != '\0');
            if (j == 1)
                FUZZ_CHECK(memchr(out, '+', outlen) == NULL || memchr(path, '%', n) != NULL);
        } else {
            FUZZ_CHECK(st == XQ_ERR_INVALID || st == XQ_ERR_TOO_BIG);
        }
    }
    return 0;
}
