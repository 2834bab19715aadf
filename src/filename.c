/*
 * filename.c - generated export file names and their strict check.  The
 * check accepts a closed set (type, UUID, extension) so that a download
 * name can never carry '/', '..' or anything the file system would read
 * differently.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

#include "filename.h"

int xq_filename_uuid_valid(const char *s, size_t len)
{
    size_t i;

    if (len != XQ_UUID_LEN)
        return 0;
    for (i = 0; i < len; i++) {
        char c = s[i];

        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (c != '-')
                return 0;
        } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
            return 0;
        }
    }
    return 1;
}

xq_status xq_filename_new_uuid(char out[XQ_UUID_LEN + 1], xq_err *err)
{
    static const char hex[] = "0123456789abcdef";
    unsigned char r[16];
    size_t got = 0;
    int i, o = 0;

    while (got < sizeof(r)) {
        ssize_t k = getrandom(r + got, sizeof(r) - got, 0);

        if (k < 0) {
            if (errno == EINTR)
                continue;
            return xq_err_set(err, XQ_ERR_IO, "getrandom: %s", strerror(errno));
        }
        got += (size_t)k;
    }
    r[6] = (unsigned char)((r[6] & 0x0f) | 0x40); /* version 4 */
    r[8] = (unsigned char)((r[8] & 0x3f) | 0x80); /* RFC 4122 variant */
    for (i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            out[o++] = '-';
        out[o++] = hex[r[i] >> 4];
        out[o++] = hex[r[i] & 15];
    }
    out[o] = '\0';
    return XQ_OK;
}

xq_status xq_filename_make(xq_export_type t, const char *job_id, xq_format f, char *out,
                           size_t n, xq_err *err)
{
    char uuid[XQ_UUID_LEN + 1];
    xq_status st;
    int k;

    if ((unsigned)t >= XQ_TYPE_COUNT || (unsigned)f >= XQ_FMT_COUNT)
        return xq_err_set(err, XQ_ERR_INVALID, "file name: bad type or format");
    if (job_id == NULL) {
        if ((st = xq_filename_new_uuid(uuid, err)) != XQ_OK)
            return st;
        job_id = uuid;
    } else if (!xq_filename_uuid_valid(job_id, strlen(job_id))) {
        return xq_err_set(err, XQ_ERR_INVALID, "file name: job id is not a UUID");
    }
    k = snprintf(out, n, "%s-%s.%s", xq_export_type_name(t), job_id, xq_format_ext(f));
    if (k < 0 || (size_t)k >= n)
        return xq_err_set(err, XQ_ERR_INTERNAL, "file name: buffer too small");
    return XQ_OK;
}

/* Length of the export type name name starts with followed by '-', or 0. */
static size_t type_prefix(const char *name)
{
    int t;

    for (t = 0; t < XQ_TYPE_COUNT; t++) {
        const char *tn = xq_export_type_name((xq_export_type)t);
        size_t k = strlen(tn);

        if (strncmp(name, tn, k) == 0 && name[k] == '-')
            return k + 1;
    }
    return 0;
}

int xq_filename_format(const char *name)
{
    size_t p, len;
    int f;

    if (name == NULL)
        return -1;
    len = strlen(name);
    if ((p = type_prefix(name)) == 0 || len < p + XQ_UUID_LEN + 1)
        return -1;
    if (!xq_filename_uuid_valid(name + p, XQ_UUID_LEN) || name[p + XQ_UUID_LEN] != '.')
        return -1;
    for (f = 0; f < XQ_FMT_COUNT; f++)
        if (strcmp(name + p + XQ_UUID_LEN + 1, xq_format_ext((xq_format)f)) == 0)
            return f;
    return -1;
}

int xq_filename_valid(const char *name)
{
    return xq_filename_format(name) >= 0;
}

char *xq_filename_display(const xq_export_request *req, char *out, size_t n)
{
    if (n > 0)
        snprintf(out, n, "%s_%s_%s.%s", xq_export_type_name(req->type), req->start_date,
                 req->end_date, xq_format_ext(req->format));
    return out;
}
