/* check_queue_pure.c - the queue's pure parts: states, ids, times, field
 * parsing and the SPEC §5 job object (src/job.c). */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "job.h"
#include "sig.h"

START_TEST(state_names)
{
    int i;

    for (i = 0; i < XQ_JOB_STATE_COUNT; i++)
        ck_assert_int_eq(xq_job_state_parse(xq_job_state_name((xq_job_state)i)), i);
    ck_assert_str_eq(xq_job_state_name(XQ_JOB_DELAYED), "delayed");
    ck_assert_int_eq(xq_job_state_parse("Waiting"), -1);
    ck_assert_int_eq(xq_job_state_parse(NULL), -1);
    ck_assert(!xq_job_state_finished(XQ_JOB_ACTIVE));
    ck_assert(!xq_job_state_finished(XQ_JOB_DELAYED));
    ck_assert(xq_job_state_finished(XQ_JOB_CANCELLED));
    ck_assert(xq_job_state_finished(XQ_JOB_FAILED));
    ck_assert_str_eq(xq_job_priority_name(1), "high");
    ck_assert_ptr_null(xq_job_priority_name(2));
}
END_TEST

START_TEST(uuid_v4)
{
    char a[37], b[37];

    ck_assert_int_eq(xq_job_new_id(a, NULL), XQ_OK);
    ck_assert_int_eq(xq_job_new_id(b, NULL), XQ_OK);
    ck_assert(xq_job_id_valid(a));
    ck_assert_str_ne(a, b);
    ck_assert_int_eq(a[14], '4');
    ck_assert(strchr("89ab", a[19]) != NULL);
    ck_assert(!xq_job_id_valid("1234"));
    ck_assert(!xq_job_id_valid("0000000000000000000000000000000000000"));
    ck_assert(!xq_job_id_valid("ABCDEF00-0000-4000-8000-000000000000"));
    ck_assert(xq_job_id_valid("abcdef00-0000-4000-8000-000000000000"));
}
END_TEST

START_TEST(iso_times)
{
    char t[32];

    xq_time_iso_ms(0, t);
    ck_assert_str_eq(t, "1970-01-01T00:00:00.000Z");
    xq_time_iso_ms(1709294400123LL, t);
    ck_assert_str_eq(t, "2024-03-01T12:00:00.123Z");
    ck_assert_int_eq(xq_time_parse_iso_ms("2024-03-01T12:00:00.123Z"), 1709294400123LL);
    ck_assert_int_eq(xq_time_parse_iso_ms("2024-03-01T12:00:00Z"), 1709294400000LL);
    ck_assert_int_eq(xq_time_parse_iso_ms("2024-03-01T12:00:00+01:00"), -1);
    ck_assert_int_eq(xq_time_parse_iso_ms("2024-13-01T12:00:00Z"), -1);
    ck_assert_int_eq(xq_time_parse_iso_ms("garbage"), -1);
}
END_TEST

static void setf(xq_job *j, const char *k, const char *v)
{
    ck_assert_int_eq(xq_job_set_field(j, k, v, strlen(v)), XQ_OK);
}

START_TEST(fields_hostile)
{
    xq_job *j = xq_job_alloc();
    char *big;

    ck_assert_int_eq(xq_job_set_field(j, "state", "zombie", 6), XQ_ERR_INVALID);
    ck_assert_int_eq(xq_job_set_field(j, "id", "short", 5), XQ_ERR_INVALID);
    setf(j, "progress", "250");
    ck_assert_int_eq(j->progress, 100);
    setf(j, "progress", "-5");
    ck_assert_int_eq(j->progress, 0);
    setf(j, "rows", "12x");
    ck_assert_int_eq(j->rows_written, 0);
    setf(j, "rps", "nan");
    ck_assert(j->rows_per_second == 0);
    setf(j, "unknown", "ignored");
    big = malloc(XQ_JOB_FIELD_MAX + 2);
    memset(big, 'a', XQ_JOB_FIELD_MAX + 1);
    ck_assert_int_eq(xq_job_set_field(j, "error", big, XQ_JOB_FIELD_MAX + 1), XQ_ERR_TOO_BIG);
    ck_assert_ptr_null(j->error);
    free(big);
    setf(j, "worker", "w1");
    ck_assert_str_eq(j->worker_id, "w1");
    setf(j, "worker", "");
    ck_assert_ptr_null(j->worker_id);
    xq_job_free(j);
    xq_job_free(NULL);
}
END_TEST

static xq_job *sample(const char *state)
{
    xq_job *j = xq_job_alloc();

    setf(j, "id", "abcdef00-0000-4000-8000-000000000001");
    setf(j, "state", state);
    setf(j, "owner", "u1");
    setf(j, "req",
         "{\"startDate\":\"2024-01-01\",\"endDate\":\"2024-01-31\",\"userId\":\"bob\","
         "\"exportType\":\"raw-data\",\"format\":\"csv\",\"csvBom\":true}");
    setf(j, "type", "raw-data");
    setf(j, "fmt", "csv");
    setf(j, "prio", "5");
    setf(j, "reqAt", "1709294400000");
    return j;
}

static const char *str_of(json_object *o, const char *k)
{
    json_object *v;

    ck_assert_msg(json_object_object_get_ex(o, k, &v), "missing %s", k);
    return json_object_get_string(v);
}

static int has(json_object *o, const char *k)
{
    return json_object_object_get_ex(o, k, NULL);
}

START_TEST(api_waiting)
{
    xq_config cfg;
    xq_job *j = sample("waiting");
    json_object *o, *f;

    xq_config_init(&cfg);
    setf(j, "position", "3");
    o = xq_job_to_api_json(j, &cfg, 0);
    ck_assert_str_eq(str_of(o, "jobId"), "abcdef00-0000-4000-8000-000000000001");
    ck_assert_str_eq(str_of(o, "status"), "waiting");
    ck_assert_str_eq(str_of(o, "position"), "3");
    ck_assert_str_eq(str_of(o, "priority"), "normal");
    ck_assert_str_eq(str_of(o, "requestedAt"), "2024-03-01T12:00:00.000Z");
    ck_assert_str_eq(str_of(o, "attemptsMade"), "0");
    ck_assert(!has(o, "startedAt") && !has(o, "finishedAt") && !has(o, "result"));
    ck_assert(!has(o, "etaSeconds") && !has(o, "error"));
    ck_assert(json_object_object_get_ex(o, "filters", &f));
    ck_assert_str_eq(str_of(f, "startDate"), "2024-01-01");
    ck_assert_str_eq(str_of(f, "userId"), "bob");
    ck_assert(!has(f, "csvBom") && !has(f, "modelId"));
    json_object_put(o);
    xq_job_free(j);
    xq_config_cleanup(&cfg);
}
END_TEST

START_TEST(api_active_eta)
{
    xq_config cfg;
    xq_job *j = sample("active");
    json_object *o;

    xq_config_init(&cfg);
    setf(j, "position", "0");
    setf(j, "rows", "1000");
    setf(j, "rowsEst", "5000");
    setf(j, "rps", "400.000");
    setf(j, "startAt", "1709294401000");
    setf(j, "progress", "20");
    /* 10 s for 20%: 40 s for the other 80% */
    o = xq_job_to_api_json(j, &cfg, 1709294411000LL);
    ck_assert_str_eq(str_of(o, "etaSeconds"), "40");
    ck_assert_str_eq(str_of(o, "progress"), "20");
    ck_assert_str_eq(str_of(o, "startedAt"), "2024-03-01T12:00:01.000Z");
    ck_assert(!has(o, "position"));
    json_object_put(o);
    /* the XLSX close phase: every row written, 60% after 30 s; rows alone
     * would say 0 s left */
    setf(j, "rows", "5000");
    setf(j, "progress", "60");
    o = xq_job_to_api_json(j, &cfg, 1709294431000LL);
    ck_assert_str_eq(str_of(o, "etaSeconds"), "20");
    json_object_put(o);
    /* no percent yet, or a clock behind startedAt: no estimate */
    setf(j, "progress", "0");
    o = xq_job_to_api_json(j, &cfg, 1709294431000LL);
    ck_assert(!has(o, "etaSeconds"));
    json_object_put(o);
    setf(j, "progress", "50");
    o = xq_job_to_api_json(j, &cfg, 1709294400000LL);
    ck_assert(!has(o, "etaSeconds"));
    json_object_put(o);
    xq_job_free(j);
    xq_config_cleanup(&cfg);
}
END_TEST

START_TEST(api_completed_signed)
{
    xq_config cfg;
    xq_job *j = sample("completed");
    json_object *o, *r;
    char hex[XQ_SIG_HEX_LEN + 1], url[512];
    xq_err err;

    xq_config_init(&cfg);
    ck_assert_int_eq(xq_config_set(&cfg, "JWT_SECRET", "s3cret-s3cret-s3cret", &err), XQ_OK);
    ck_assert_int_eq(xq_config_set(&cfg, "EXPORT_DOWNLOAD_BASE_URL", "https://ex.test", &err),
                     XQ_OK);
    setf(j, "finAt", "1709294500000");
    setf(j, "startAt", "1709294401000");
    setf(j, "result", "{\"fileName\":\"raw-data_x.csv\",\"rowCount\":12,\"fileSize\":345,"
                      "\"completedAt\":1709294500000,\"expiresAt\":\"2024-03-02T12:01:40.000Z\"}");
    o = xq_job_to_api_json(j, &cfg, 1709294500000LL);
    ck_assert(json_object_object_get_ex(o, "result", &r));
    ck_assert_str_eq(str_of(r, "fileName"), "raw-data_x.csv");
    ck_assert_str_eq(str_of(r, "rowCount"), "12");
    ck_assert_str_eq(str_of(r, "fileSize"), "345");
    ck_assert_str_eq(str_of(r, "completedAt"), "2024-03-01T12:01:40.000Z");
    ck_assert_str_eq(str_of(r, "expiresAt"), "2024-03-02T12:01:40.000Z");
    ck_assert_str_eq(str_of(r, "expired"), "false");
    ck_assert_int_eq(xq_sig_sign("s3cret-s3cret-s3cret", "raw-data_x.csv", 1709380900LL, hex),
                     XQ_OK);
    snprintf(url, sizeof(url),
             "https://ex.test/downloads/raw-data_x.csv?expires=1709380900&sig=%s", hex);
    ck_assert_str_eq(str_of(r, "downloadUrl"), url);
    ck_assert_str_eq(str_of(o, "finishedAt"), "2024-03-01T12:01:40.000Z");
    json_object_put(o);
    o = xq_job_to_api_json(j, &cfg, 1709380900000LL);
    ck_assert(json_object_object_get_ex(o, "result", &r));
    ck_assert_str_eq(str_of(r, "expired"), "true");
    json_object_put(o);
    xq_job_free(j);
    xq_config_cleanup(&cfg);
}
END_TEST

START_TEST(api_failed_error)
{
    xq_config cfg;
    xq_job *j = sample("failed");
    json_object *o;

    xq_config_init(&cfg);
    setf(j, "error", "table missing");
    setf(j, "attempts", "3");
    setf(j, "finAt", "1709294500000");
    setf(j, "prio", "1");
    o = xq_job_to_api_json(j, &cfg, 0);
    ck_assert_str_eq(str_of(o, "error"), "table missing");
    ck_assert_str_eq(str_of(o, "attemptsMade"), "3");
    ck_assert_str_eq(str_of(o, "priority"), "high");
    ck_assert(!has(o, "result"));
    json_object_put(o);
    xq_job_free(j);
    xq_config_cleanup(&cfg);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("queue-pure");
    TCase *tc = tcase_create("pure");
    SRunner *sr;
    int failed;

    tcase_add_test(tc, state_names);
    tcase_add_test(tc, uuid_v4);
    tcase_add_test(tc, iso_times);
    tcase_add_test(tc, fields_hostile);
    tcase_add_test(tc, api_waiting);
    tcase_add_test(tc, api_active_eta);
    tcase_add_test(tc, api_completed_signed);
    tcase_add_test(tc, api_failed_error);
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
