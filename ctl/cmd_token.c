/*
 * cmd_token.c - `exportqctl token`: mint an HS256 token for a user with
 * roles, signed with JWT_SECRET from the configuration, for scripts and
 * smoke tests (curl -H "Authorization: Bearer $(exportqctl token ...)").
 * Claims: userId and sub (the same), email, roles, iat, exp (SPEC §4).
 * Whoever can read exportq.conf can mint any token; that is the same trust
 * the secret already implies.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "cmd_ops.h"
#include "ctlout.h"
#include "jwt.h"

#define TTL_MAX_S (366L * 24 * 3600)

static const char token_usage[] =
    "token --user ID [--email ADDR] [--role ROLE]... [--ttl SECONDS] [--json] "
        "[--config FILE]";

void xq_ctl_token_usage(void)
{
    printf("usage: exportqctl %s\n", token_usage);
}

int xq_ctl_token(int argc, char **argv)
{
    const char *usage = token_usage;
    static const struct option longopts[] = {
        {"user", required_argument, NULL, 'u'}, {"email", required_argument, NULL, 'e'},
        {"role", required_argument, NULL, 'r'}, {"ttl", required_argument, NULL, 't'},
        {"json", no_argument, NULL, 'j'},       {"config", required_argument, NULL, 'c'},
        {"help", no_argument, NULL, 'h'},       {NULL, 0, NULL, 0}};
    const char *config = NULL, *user = NULL, *email = NULL;
    const char *roles[XQ_JWT_ROLES_MAX];
    int nroles = 0, json = 0, c, rc, i;
    long ttl = 3600;
    long long now_s, exp;
    xq_config cfg;
    json_object *claims = NULL, *arr;
    const char *text;
    xq_buf tok;
    xq_err err;

    optind = 0;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "u:e:r:t:jc:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'u':
            user = optarg;
            break;
        case 'e':
            email = optarg;
            break;
        case 'r':
            if (nroles == XQ_JWT_ROLES_MAX)
                return xq_ctl_usage(argv[0], usage, "at most %d roles", XQ_JWT_ROLES_MAX);
            if (optarg[0] == '\0' || strlen(optarg) >= XQ_JWT_ROLE_MAX)
                return xq_ctl_usage(argv[0], usage, "a role is 1..%d bytes",
                                    XQ_JWT_ROLE_MAX - 1);
            roles[nroles++] = optarg;
            break;
        case 't':
            if (xq_ctl_parse_long(optarg, 1, TTL_MAX_S, &ttl) != 0)
                return xq_ctl_usage(argv[0], usage, "--ttl takes 1..%ld seconds", TTL_MAX_S);
            break;
        case 'j':
            json = 1;
            break;
        case 'c':
            config = optarg;
            break;
        case 'h':
            printf("usage: exportqctl %s\n", usage);
            return 0;
        default:
            return xq_ctl_usage(argv[0], usage, "unknown option '%.64s'", argv[optind - 1]);
        }
    }
    if (optind != argc)
        return xq_ctl_usage(argv[0], usage, "unexpected argument '%.64s'", argv[optind]);
    if (user == NULL || user[0] == '\0' || strlen(user) >= XQ_JWT_USER_MAX)
        return xq_ctl_usage(argv[0], usage, "--user is required (1..%d bytes)",
                            XQ_JWT_USER_MAX - 1);
    if (email != NULL && strlen(email) >= XQ_JWT_EMAIL_MAX)
        return xq_ctl_usage(argv[0], usage, "--email is at most %d bytes",
                            XQ_JWT_EMAIL_MAX - 1);

    rc = xq_ctl_load_config(argv[0], config, &cfg);
    if (rc != 0)
        return rc;
    xq_buf_init(&tok, XQ_JWT_MAX_LEN);
    now_s = xq_ctl_now_ms() / 1000;
    exp = now_s + ttl;
    claims = json_object_new_object();
    arr = json_object_new_array();
    if (claims == NULL || arr == NULL) {
        json_object_put(arr);
        rc = XQ_CTL_EXIT_FAIL;
        goto out;
    }
    for (i = 0; i < nroles; i++)
        json_object_array_add(arr, json_object_new_string(roles[i]));
    json_object_object_add(claims, "userId", json_object_new_string(user));
    json_object_object_add(claims, "sub", json_object_new_string(user));
    if (email != NULL)
        json_object_object_add(claims, "email", json_object_new_string(email));
    json_object_object_add(claims, "roles", arr);
    json_object_object_add(claims, "iat", json_object_new_int64(now_s));
    json_object_object_add(claims, "exp", json_object_new_int64(exp));

    xq_err_clear(&err);
    text = json_object_to_json_string_ext(claims, JSON_C_TO_STRING_PLAIN |
                                                      JSON_C_TO_STRING_NOSLASHESCAPE);
    if (text == NULL ||
        xq_jwt_sign_hs256(text, cfg.jwt_secret, strlen(cfg.jwt_secret), &tok) != XQ_OK) {
        xq_err_set(&err, XQ_ERR_INTERNAL, "cannot sign the token");
        rc = xq_ctl_fail(argv[0], &err);
        goto out;
    }
    if (json) {
        json_object *o = json_object_new_object();

        json_object_object_add(o, "token", json_object_new_string(xq_buf_str(&tok)));
        json_object_object_add(o, "expiresAt", json_object_new_int64(exp));
        json_object_object_add(o, "claims", json_object_get(claims));
        xq_ctl_json_print(stdout, o);
        json_object_put(o);
    } else {
        printf("%s\n", xq_buf_str(&tok));
    }
out:
    json_object_put(claims);
    xq_buf_cleanup(&tok);
    xq_config_cleanup(&cfg);
    return rc;
}
