/*
 * cmd_token.c - `exportqctl token`: mint an HS256 token for a user with
 * roles, signed with JWT_SECRET from the configuration, for scripts and
 * smoke tests (curl -H "Authorization: Bearer $(exportqctl token ...)").
 * Claims: userId and sub (the same), email, roles, iat, exp (SPEC §4).
 * Whoever can read exportq.conf can mint any token; that is the same trust
 * the secret already implies.
 */
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

typedef struct {
    const char *user, *email;
    const char *roles[XQ_JWT_ROLES_MAX];
    int nroles;
    long ttl;
} topts;

static const topts topts_init = {.ttl = 3600};

static const struct option token_longopts[] = {
    {"user", required_argument, NULL, 'u'}, {"email", required_argument, NULL, 'e'},
    {"role", required_argument, NULL, 'r'}, {"ttl", required_argument, NULL, 't'},
    {"json", no_argument, NULL, 'j'},       {"config", required_argument, NULL, 'c'},
    {"help", no_argument, NULL, 'h'},       {NULL, 0, NULL, 0}};

static int token_option(xq_ctl_ctx *ctx, int c, const char *arg)
{
    topts *o = ctx->opts;

    switch (c) {
    case 'u':
        o->user = arg;
        break;
    case 'e':
        o->email = arg;
        break;
    case 'r':
        if (o->nroles == XQ_JWT_ROLES_MAX)
            return xq_ctl_usage(ctx->name, token_usage, "at most %d roles", XQ_JWT_ROLES_MAX);
        if (arg[0] == '\0' || strlen(arg) >= XQ_JWT_ROLE_MAX)
            return xq_ctl_usage(ctx->name, token_usage, "a role is 1..%d bytes",
                                XQ_JWT_ROLE_MAX - 1);
        o->roles[o->nroles++] = arg;
        break;
    default: /* 't' */
        if (xq_ctl_parse_long(arg, 1, TTL_MAX_S, &o->ttl) != 0)
            return xq_ctl_usage(ctx->name, token_usage, "--ttl takes 1..%ld seconds", TTL_MAX_S);
        break;
    }
    return 0;
}

static int token_check(xq_ctl_ctx *ctx)
{
    const topts *o = ctx->opts;

    if (o->user == NULL || o->user[0] == '\0' || strlen(o->user) >= XQ_JWT_USER_MAX)
        return xq_ctl_usage(ctx->name, token_usage, "--user is required (1..%d bytes)",
                            XQ_JWT_USER_MAX - 1);
    if (o->email != NULL && strlen(o->email) >= XQ_JWT_EMAIL_MAX)
        return xq_ctl_usage(ctx->name, token_usage, "--email is at most %d bytes",
                            XQ_JWT_EMAIL_MAX - 1);
    return 0;
}

static int token_run(xq_ctl_ctx *ctx)
{
    const topts *o = ctx->opts;
    int rc = 0, i;
    long long now_s, exp;
    json_object *claims = NULL, *arr;
    const char *text;
    xq_buf tok;
    xq_err err;

    xq_buf_init(&tok, XQ_JWT_MAX_LEN);
    now_s = xq_ctl_now_ms() / 1000;
    exp = now_s + o->ttl;
    claims = json_object_new_object();
    arr = json_object_new_array();
    if (claims == NULL || arr == NULL) {
        json_object_put(arr);
        rc = XQ_CTL_EXIT_FAIL;
        goto out;
    }
    for (i = 0; i < o->nroles; i++)
        json_object_array_add(arr, json_object_new_string(o->roles[i]));
    json_object_object_add(claims, "userId", json_object_new_string(o->user));
    json_object_object_add(claims, "sub", json_object_new_string(o->user));
    if (o->email != NULL)
        json_object_object_add(claims, "email", json_object_new_string(o->email));
    json_object_object_add(claims, "roles", arr);
    json_object_object_add(claims, "iat", json_object_new_int64(now_s));
    json_object_object_add(claims, "exp", json_object_new_int64(exp));

    xq_err_clear(&err);
    text = json_object_to_json_string_ext(claims, JSON_C_TO_STRING_PLAIN |
                                                      JSON_C_TO_STRING_NOSLASHESCAPE);
    if (text == NULL ||
        xq_jwt_sign_hs256(text, ctx->cfg.jwt_secret, strlen(ctx->cfg.jwt_secret), &tok) != XQ_OK) {
        xq_err_set(&err, XQ_ERR_INTERNAL, "cannot sign the token");
        rc = xq_ctl_fail(ctx->name, &err);
        goto out;
    }
    if (ctx->json) {
        json_object *r = json_object_new_object();

        json_object_object_add(r, "token", json_object_new_string(xq_buf_str(&tok)));
        json_object_object_add(r, "expiresAt", json_object_new_int64(exp));
        json_object_object_add(r, "claims", json_object_get(claims));
        xq_ctl_json_print(stdout, r);
        json_object_put(r);
    } else {
        printf("%s\n", xq_buf_str(&tok));
    }
out:
    json_object_put(claims);
    xq_buf_cleanup(&tok);
    return rc;
}

const xq_ctl_cmd xq_ctl_cmd_token = {
    .name = "token",
    .summary = "mint a token for a user (scripts)",
    .usage = token_usage,
    .shortopts = "u:e:r:t:jc:h",
    .longopts = token_longopts,
    .option = token_option,
    .args = XQ_CTL_ARGS_NONE,
    .check = token_check,
    .need = XQ_CTL_NEED_CONFIG,
    .opts_size = sizeof(topts),
    .opts_init = &topts_init,
    .run = token_run,
};
