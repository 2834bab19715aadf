/*
 * check_conf_sample.c - the shipped etc/exportq.conf against the key table
 * in src/config.c: every key the code knows is in the sample exactly once,
 * the sample names no key the code does not know, every commented-out
 * default equals the built-in default, and the required keys are present
 * but empty (a fresh install must refuse to start until they are set).
 * Also: exportq.conf(5) names every key.
 */
#include <check.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

#ifndef XQ_TOP_SRCDIR
#error "XQ_TOP_SRCDIR must name the source tree"
#endif

#define MAXKEYS 128

typedef struct {
    char key[64];
    char val[256];
    int commented;
} entry;

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "r");
    char *buf;
    size_t n;

    ck_assert_msg(f != NULL, "cannot open %s", path);
    buf = calloc(1, 1 << 20);
    ck_assert_ptr_nonnull(buf);
    n = fread(buf, 1, (1 << 20) - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

/* The defaults as xq_config_dump prints them, one entry per key. */
static int code_defaults(entry *e)
{
    xq_config cfg;
    char *mem = NULL, *line, *next, *eq;
    size_t len = 0;
    FILE *f;
    int n = 0;

    ck_assert_int_eq(xq_config_init(&cfg), XQ_OK);
    f = open_memstream(&mem, &len);
    ck_assert_ptr_nonnull(f);
    xq_config_dump(&cfg, f);
    fclose(f);
    for (line = mem; line && *line; line = next) {
        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        eq = strchr(line, '=');
        ck_assert_ptr_nonnull(eq);
        *eq = '\0';
        ck_assert_int_lt(n, MAXKEYS);
        snprintf(e[n].key, sizeof(e[n].key), "%s", line);
        snprintf(e[n].val, sizeof(e[n].val), "%s", eq + 1);
        n++;
    }
    free(mem);
    xq_config_cleanup(&cfg);
    return n;
}

/* KEY=value lines of the sample, commented (`#KEY=`) or not.  Comment lines
 * that are prose (lower case, spaces before '=') are skipped. */
static int sample_entries(entry *e)
{
    char *text = slurp(XQ_TOP_SRCDIR "/etc/exportq.conf");
    char *line, *next, *p, *eq;
    int n = 0, commented;

    for (line = text; line && *line; line = next) {
        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        p = line;
        commented = 0;
        if (*p == '#') {
            commented = 1;
            p++;
        }
        if (!isupper((unsigned char)*p))
            continue;
        eq = p;
        while (isupper((unsigned char)*eq) || isdigit((unsigned char)*eq) || *eq == '_')
            eq++;
        if (*eq != '=')
            continue;
        *eq = '\0';
        ck_assert_int_lt(n, MAXKEYS);
        snprintf(e[n].key, sizeof(e[n].key), "%s", p);
        snprintf(e[n].val, sizeof(e[n].val), "%s", eq + 1);
        e[n].commented = commented;
        n++;
    }
    free(text);
    return n;
}

static const entry *find(const entry *e, int n, const char *key, int *count)
{
    const entry *hit = NULL;
    int i;

    *count = 0;
    for (i = 0; i < n; i++)
        if (strcmp(e[i].key, key) == 0) {
            hit = &e[i];
            (*count)++;
        }
    return hit;
}

START_TEST(sample_lists_every_key_with_its_default)
{
    static entry code[MAXKEYS], sample[MAXKEYS];
    int nc = code_defaults(code), ns = sample_entries(sample), i, cnt;
    const entry *s;

    ck_assert_int_ge(nc, 20);
    for (i = 0; i < nc; i++) {
        s = find(sample, ns, code[i].key, &cnt);
        ck_assert_msg(cnt == 1, "%s appears %d times in etc/exportq.conf", code[i].key, cnt);
        if (strcmp(code[i].key, "DATABASE_URL") == 0 || strcmp(code[i].key, "JWT_SECRET") == 0) {
            ck_assert_msg(!s->commented && s->val[0] == '\0',
                          "%s must be present and empty in the sample", code[i].key);
            continue;
        }
        ck_assert_msg(s->commented, "%s should be a commented-out default", code[i].key);
        ck_assert_msg(strcmp(s->val, code[i].val) == 0,
                      "%s: sample says '%s', the code's default is '%s'", code[i].key, s->val,
                      code[i].val);
    }
    for (i = 0; i < ns; i++) {
        find(code, nc, sample[i].key, &cnt);
        ck_assert_msg(cnt == 1, "etc/exportq.conf names %s, which src/config.c does not know",
                      sample[i].key);
    }
}
END_TEST

START_TEST(sample_parses_once_required_keys_are_set)
{
    xq_config cfg;
    xq_err err;
    char *text = slurp(XQ_TOP_SRCDIR "/etc/exportq.conf");

    ck_assert_int_eq(xq_config_init(&cfg), XQ_OK);
    ck_assert_int_eq(xq_config_parse_string(&cfg, text, "exportq.conf", &err), XQ_OK);
    /* as shipped: required keys empty, so validation must refuse it */
    ck_assert_int_eq(xq_config_validate(&cfg, &err), XQ_ERR_CONFIG);
    ck_assert_ptr_nonnull(strstr(err.msg, "DATABASE_URL"));
    ck_assert_int_eq(xq_config_set(&cfg, "DATABASE_URL", "postgresql://u@h/db", &err), XQ_OK);
    ck_assert_int_eq(xq_config_set(&cfg, "JWT_SECRET", "0123456789abcdef0123", &err), XQ_OK);
    ck_assert_int_eq(xq_config_validate(&cfg, &err), XQ_OK);
    xq_config_cleanup(&cfg);
    free(text);
}
END_TEST

START_TEST(man_page_names_every_key)
{
    static entry code[MAXKEYS];
    int nc = code_defaults(code), i;
    char *man = slurp(XQ_TOP_SRCDIR "/doc/man/exportq.conf.5");

    for (i = 0; i < nc; i++) {
        char pat[96];

        /* roff escapes '_' nowhere, so the key appears literally after .B */
        snprintf(pat, sizeof(pat), ".B %.63s\n", code[i].key);
        ck_assert_msg(strstr(man, pat) != NULL, "exportq.conf(5) does not describe %s",
                      code[i].key);
    }
    free(man);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("conf_sample");
    TCase *tc = tcase_create("keys");

    tcase_add_test(tc, sample_lists_every_key_with_its_default);
    tcase_add_test(tc, sample_parses_once_required_keys_are_set);
    tcase_add_test(tc, man_page_names_every_key);
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
