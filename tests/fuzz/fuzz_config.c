/*
 * fuzz_config.c - the configuration parser (src/config.c): KEY=value text
 * as an operator (or an attacker with write access to a drop-in) could
 * write it.  Properties: a failure always leaves one line naming the
 * source; a success that validates has its required keys set; the dump
 * prints every secret key (JWT_SECRET, REDIS_PASSWORD, SMTP_PASSWORD,
 * METRICS_TOKEN) as "***" or empty, never its value.
 */
#include <stdint.h>
#include <string.h>

#include "config.h"
#include "fuzz_util.h"

static const char *const secret_keys[] = {"JWT_SECRET=", "REDIS_PASSWORD=", "SMTP_PASSWORD=",
                                           "METRICS_TOKEN="};

static void check_dump(const xq_config *cfg)
{
    char *text = NULL, *line, *next;
    size_t len = 0, i, kl;
    FILE *f = open_memstream(&text, &len);

    if (f == NULL)
        abort();
    xq_config_dump(cfg, f);
    if (fclose(f) != 0)
        abort();
    for (line = text; line != NULL && *line != '\0'; line = next) {
        next = strchr(line, '\n');
        if (next != NULL)
            *next++ = '\0';
        for (i = 0; i < sizeof(secret_keys) / sizeof(secret_keys[0]); i++) {
            kl = strlen(secret_keys[i]);
            if (strncmp(line, secret_keys[i], kl) == 0)
                FUZZ_CHECK(strcmp(line + kl, "***") == 0 || line[kl] == '\0');
        }
    }
    free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    xq_config cfg;
    xq_err err;
    char *text;
    xq_status st;

    if (size > 64 * 1024)
        return 0;
    text = fuzz_cstr(data, size);
    if (xq_config_init(&cfg) != XQ_OK)
        abort();
    xq_err_clear(&err);
    st = xq_config_parse_string(&cfg, text, "fuzz.conf", &err);
    if (st != XQ_OK) {
        FUZZ_CHECK(strncmp(err.msg, "fuzz.conf", 9) == 0);
        FUZZ_CHECK(strchr(err.msg, '\n') == NULL);
    } else if (xq_config_validate(&cfg, &err) == XQ_OK) {
        FUZZ_CHECK(cfg.database_url != NULL && cfg.jwt_secret != NULL);
        FUZZ_CHECK(cfg.redis_port >= 1 && cfg.redis_port <= 65535);
        check_dump(&cfg);
    } else {
        FUZZ_CHECK(err.msg[0] != '\0');
    }
    xq_config_cleanup(&cfg);
    free(text);
    return 0;
}
