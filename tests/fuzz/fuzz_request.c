/*
 * fuzz_request.c - the JSON export-request validator (src/request.c,
 * SPEC §5): the body every POST /export(-async) hands to it.
 *
 * Properties of an accepted request: real dates with start <= end, a known
 * type, format and priority, every filter present non-empty, within
 * XQ_FILTER_MAX and free of NUL; its stored form (what the queue keeps)
 * reads back to the very same stored form.  A refused request names at
 * least one field, and never more than the record holds.
 */
#include <stdint.h>
#include <string.h>

#include "buf.h"
#include "fuzz_util.h"
#include "request.h"

static void check_filter(const char *f)
{
    if (f == NULL)
        return;
    FUZZ_CHECK(f[0] != '\0');
    FUZZ_CHECK(strlen(f) <= XQ_FILTER_MAX);
    FUZZ_CHECK(fuzz_utf8_ok(f, strlen(f)));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    xq_export_request req, back;
    xq_field_errors fe;
    xq_buf one, two;
    xq_err err;
    xq_status st;

    if (size > 128 * 1024)
        return 0;
    xq_request_init(&req);
    xq_request_init(&back);
    xq_buf_init(&one, 1 << 20);
    xq_buf_init(&two, 1 << 20);
    memset(&fe, 0, sizeof(fe));
    st = xq_request_parse((const char *)data, size, &req, &fe, &err);
    if (st == XQ_OK) {
        FUZZ_CHECK(xq_date_valid(req.start_date) && xq_date_valid(req.end_date));
        FUZZ_CHECK(strcmp(req.start_date, req.end_date) <= 0);
        FUZZ_CHECK((int)req.type >= 0 && req.type < XQ_TYPE_COUNT);
        FUZZ_CHECK((int)req.format >= 0 && req.format < XQ_FMT_COUNT);
        FUZZ_CHECK(req.priority == XQ_PRIO_HIGH || req.priority == XQ_PRIO_NORMAL ||
                   req.priority == XQ_PRIO_LOW);
        FUZZ_CHECK(req.timezone[0] != '\0');
        FUZZ_CHECK(strstr(req.timezone, "..") == NULL && req.timezone[0] != '/');
        check_filter(req.user_id);
        check_filter(req.model_id);
        check_filter(req.provider);
        FUZZ_CHECK(xq_request_to_json(&req, &one) == XQ_OK);
        FUZZ_CHECK(xq_request_from_json(xq_buf_str(&one), &back, &err) == XQ_OK);
        FUZZ_CHECK(xq_request_to_json(&back, &two) == XQ_OK);
        FUZZ_CHECK(one.len == two.len && memcmp(one.data, two.data, one.len) == 0);
    } else {
        FUZZ_CHECK(st == XQ_ERR_INVALID || st == XQ_ERR_TOO_BIG);
        FUZZ_CHECK(fe.count >= 1 && fe.count <= XQ_FIELD_ERRORS_MAX);
        FUZZ_CHECK(req.user_id == NULL && req.model_id == NULL && req.provider == NULL);
    }
    xq_request_cleanup(&req);
    xq_request_cleanup(&back);
    xq_buf_cleanup(&one);
    xq_buf_cleanup(&two);
    return 0;
}
