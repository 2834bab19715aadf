/*
 * check_purge.c - the parts of src/purge.c that need no Redis: which names
 * may be unlinked, xq_purge_delete_files on a scratch EXPORT_DIR (refusals,
 * names already gone, nothing outside the directory), and the sweep (old
 * generated files and stale temporaries go, fresh ones and foreign files
 * stay).  The queue half of a pass is covered by the integration test of
 * `exportqctl purge` (tests/integration/test_ctl.py).
 */
#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include "config.h"
#include "purge.h"

#define UUID "0b6f1e0c-3d5a-4c1e-9a55-1d2b3c4d5e6f"
#define CSV "model-breakdown-" UUID ".csv"
#define XLSX "raw-data-" UUID ".xlsx"

static char base[64], dir[256], outside[300];
static xq_config cfg;

static void mkfile(const char *name, long age_s)
{
    char path[512];
    struct timeval tv[2];
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs("x\r\n", f);
    fclose(f);
    gettimeofday(&tv[0], NULL);
    tv[0].tv_sec -= age_s;
    tv[1] = tv[0];
    ck_assert_int_eq(utimes(path, tv), 0);
}

static int exists(const char *name)
{
    char path[512];

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    return access(path, F_OK) == 0;
}

static void setup(void)
{
    char tmpl[] = "/tmp/xq-purge.XXXXXX";
    FILE *f;

    ck_assert_ptr_nonnull(mkdtemp(tmpl));
    snprintf(base, sizeof(base), "%s", tmpl);
    snprintf(dir, sizeof(dir), "%s/exports", tmpl);
    ck_assert_int_eq(mkdir(dir, 0700), 0);
    /* a generated name one level up: must survive every call */
    snprintf(outside, sizeof(outside), "%s/%s", tmpl, CSV);
    f = fopen(outside, "w");
    ck_assert_ptr_nonnull(f);
    fclose(f);
    ck_assert_int_eq(xq_config_init(&cfg), XQ_OK);
    free(cfg.export_dir);
    cfg.export_dir = strdup(dir);
    cfg.file_retention_hours = 24;
}

static void teardown(void)
{
    const char *names[] = {CSV, XLSX, "." CSV ".part", "." XLSX ".part", "notes.txt",
                           "model-breakdown-" UUID ".txt"};
    char p[600];
    size_t i;

    ck_assert(access(outside, F_OK) == 0);
    xq_config_cleanup(&cfg);
    for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        snprintf(p, sizeof(p), "%s/%s", dir, names[i]);
        unlink(p);
    }
    rmdir(dir);
    unlink(outside);
    rmdir(base);
}

START_TEST(name_rules)
{
    ck_assert(xq_purge_name_ok(CSV));
    ck_assert(xq_purge_name_ok(XLSX));
    ck_assert(!xq_purge_name_ok("../" CSV));
    ck_assert(!xq_purge_name_ok("/etc/passwd"));
    ck_assert(!xq_purge_name_ok("." CSV ".part"));
    ck_assert(!xq_purge_name_ok("notes.txt"));
    ck_assert(!xq_purge_name_ok(""));
    ck_assert(!xq_purge_name_ok(NULL));
    ck_assert(!xq_purge_name_ok("model-breakdown-0B6F1E0C-3D5A-4C1E-9A55-1D2B3C4D5E6F.csv"));
    ck_assert(xq_purge_part_name_ok("." CSV ".part"));
    ck_assert(!xq_purge_part_name_ok(CSV ".part"));
    ck_assert(!xq_purge_part_name_ok("..part"));
    ck_assert(!xq_purge_part_name_ok("./" CSV ".part"));
    ck_assert(!xq_purge_part_name_ok(".notes.txt.part"));
    ck_assert(!xq_purge_part_name_ok(NULL));
}
END_TEST

START_TEST(delete_files)
{
    const char *names[] = {CSV, "../" CSV, XLSX, "notes.txt", NULL, ""};
    long long deleted = -1, failed = -1;
    xq_err err;

    mkfile(CSV, 0);
    mkfile("notes.txt", 0);
    /* XLSX does not exist: already gone is fine */
    ck_assert_int_eq(xq_purge_delete_files(&cfg, names, 6, &deleted, &failed, &err), XQ_ERR_IO);
    ck_assert_int_eq(deleted, 1);
    ck_assert_int_eq(failed, 2); /* "../x" and notes.txt refused */
    ck_assert_ptr_nonnull(strstr(err.msg, "not a generated file name"));
    ck_assert(!exists(CSV));
    ck_assert(exists("notes.txt"));

    /* all fine: XQ_OK */
    mkfile(XLSX, 0);
    ck_assert_int_eq(xq_purge_delete_files(&cfg, names + 2, 1, &deleted, &failed, &err), XQ_OK);
    ck_assert_int_eq(deleted, 1);
    ck_assert_int_eq(failed, 0);

    /* a missing EXPORT_DIR is one clear error */
    free(cfg.export_dir);
    cfg.export_dir = strdup("/nonexistent/xq-purge");
    ck_assert_int_eq(xq_purge_delete_files(&cfg, names, 1, &deleted, &failed, &err), XQ_ERR_IO);
    ck_assert_int_eq(failed, 1);
    ck_assert_ptr_nonnull(strstr(err.msg, "EXPORT_DIR /nonexistent/xq-purge"));
    free(cfg.export_dir);
    cfg.export_dir = strdup(dir);
}
END_TEST

START_TEST(sweep)
{
    xq_purge_stats st;
    long long now_ms;
    struct timeval tv;
    long keep = 24 * 3600 + XQ_PURGE_ORPHAN_GRACE_S;

    mkfile(CSV, keep + 60);                              /* past every expiry: goes */
    mkfile(XLSX, keep - 60);                             /* may still be linked: stays */
    mkfile("." CSV ".part", XQ_PURGE_PART_STALE_S + 60);  /* dead worker's: goes */
    mkfile("." XLSX ".part", 10);                        /* being written: stays */
    mkfile("notes.txt", keep * 10);                      /* not ours: stays */
    mkfile("model-breakdown-" UUID ".txt", keep * 10);  /* not a generated name: stays */
    memset(&st, 0, sizeof(st));
    gettimeofday(&tv, NULL);
    now_ms = (long long)tv.tv_sec * 1000;
    xq_purge_sweep(&cfg, now_ms, &st);
    ck_assert_int_eq(st.orphans_deleted, 2);
    ck_assert_int_eq(st.errors, 0);
    ck_assert(!exists(CSV));
    ck_assert(exists(XLSX));
    ck_assert(!exists("." CSV ".part"));
    ck_assert(exists("." XLSX ".part"));
    ck_assert(exists("notes.txt"));
    ck_assert(exists("model-breakdown-" UUID ".txt"));

    /* a second sweep finds nothing more */
    memset(&st, 0, sizeof(st));
    xq_purge_sweep(&cfg, now_ms, &st);
    ck_assert_int_eq(st.orphans_deleted, 0);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("purge");
    TCase *tc = tcase_create("files");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, name_rules);
    tcase_add_test(tc, delete_files);
    tcase_add_test(tc, sweep);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(suite());
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
