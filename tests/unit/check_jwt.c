/* check_jwt.c - HS256 verification: every way a token can be wrong. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jwt.h"
#include "sig.h"

#define SECRET "test-secret-0123456789abcdef"
#define NOW 1700000000LL

static xq_buf tokbuf;

/* A token signed with SECRET over the given claims (header HS256). */
static const char *mint(const char *claims)
{
    xq_buf_cleanup(&tokbuf);
    xq_buf_init(&tokbuf, 1 << 20);
    ck_assert_int_eq(xq_jwt_sign_hs256(claims, SECRET, strlen(SECRET), &tokbuf), XQ_OK);
    return xq_buf_str(&tokbuf);
}

/* A token with an arbitrary header, signed with HS256 over both parts. */
static const char *mint_hdr(const char *header, const char *claims, const char *secret)
{
    unsigned char mac[32];

    xq_buf_cleanup(&tokbuf);
    xq_buf_init(&tokbuf, 1 << 20);
    ck_assert_int_eq(xq_b64url_encode(header, strlen(header), &tokbuf), XQ_OK);
    ck_assert_int_eq(xq_buf_append_char(&tokbuf, '.'), XQ_OK);
    ck_assert_int_eq(xq_b64url_encode(claims, strlen(claims), &tokbuf), XQ_OK);
    ck_assert_int_eq(xq_hmac_sha256(secret, strlen(secret), tokbuf.data, tokbuf.len, mac), XQ_OK);
    ck_assert_int_eq(xq_buf_append_char(&tokbuf, '.'), XQ_OK);
    ck_assert_int_eq(xq_b64url_encode(mac, 32, &tokbuf), XQ_OK);
    return xq_buf_str(&tokbuf);
}

static xq_status verify(const char *tok, xq_jwt_claims *c, xq_err *e)
{
    return xq_jwt_verify(tok, strlen(tok), SECRET, strlen(SECRET), (time_t)NOW, c, e);
}

static char claims_buf[512];
static const char *claims_exp(long long exp)
{
    snprintf(claims_buf, sizeof(claims_buf),
             "{\"userId\":\"u1\",\"email\":\"a@b.c\",\"roles\":[\"admin\"],\"exp\":%lld}", exp);
    return claims_buf;
}

START_TEST(good_token)
{
    xq_jwt_claims c;
    xq_err e;

    ck_assert_int_eq(verify(mint(claims_exp(NOW + 3600)), &c, &e), XQ_OK);
    ck_assert_str_eq(c.user_id, "u1");
    ck_assert_str_eq(c.email, "a@b.c");
    ck_assert_int_eq(c.nroles, 1);
    ck_assert_str_eq(c.roles[0], "admin");
    ck_assert_int_eq(c.exp, NOW + 3600);
}
END_TEST

START_TEST(bad_signature)
{
    xq_jwt_claims c;
    xq_err e;
    char *t;
    size_t n;

    ck_assert_int_eq(verify(mint_hdr("{\"alg\":\"HS256\"}", claims_exp(NOW + 60), "other"), &c,
                            &e),
                     XQ_ERR_AUTH);
    ck_assert_str_eq(e.msg, "token signature does not match");
    ck_assert_str_eq(c.user_id, "");
    /* Flip one signature character of a good token. */
    t = strdup(mint(claims_exp(NOW + 60)));
    n = strlen(t);
    t[n - 2] = t[n - 2] == 'A' ? 'B' : 'A';
    ck_assert_int_eq(verify(t, &c, &e), XQ_ERR_AUTH);
    free(t);
    /* Payload changed after signing. */
    t = strdup(mint(claims_exp(NOW + 60)));
    {
        char *d1 = strchr(t, '.');
        xq_buf other;

        xq_buf_init(&other, 4096);
        ck_assert_int_eq(xq_b64url_encode("{\"userId\":\"evil\",\"exp\":9999999999}", 34, &other),
                         XQ_OK);
        /* splice: header . other-payload . original signature */
        {
            char *d2 = strchr(d1 + 1, '.');
            char spliced[2048];

            snprintf(spliced, sizeof(spliced), "%.*s.%s%s", (int)(d1 - t), t, other.data, d2);
            ck_assert_int_eq(verify(spliced, &c, &e), XQ_ERR_AUTH);
            ck_assert_str_eq(e.msg, "token signature does not match");
        }
        xq_buf_cleanup(&other);
    }
    free(t);
}
END_TEST

START_TEST(wrong_algs)
{
    xq_jwt_claims c;
    xq_err e;
    const char *cl = claims_exp(NOW + 600);
    char none[1024];
    xq_buf b;

    ck_assert_int_eq(verify(mint_hdr("{\"alg\":\"none\"}", cl, SECRET), &c, &e), XQ_ERR_AUTH);
    ck_assert_str_eq(e.msg, "token alg is not HS256");
    ck_assert_int_eq(verify(mint_hdr("{\"alg\":\"HS384\"}", cl, SECRET), &c, &e), XQ_ERR_AUTH);
    ck_assert_int_eq(verify(mint_hdr("{\"alg\":\"RS256\"}", cl, SECRET), &c, &e), XQ_ERR_AUTH);
    ck_assert_int_eq(verify(mint_hdr("{\"alg\":\"hs256\"}", cl, SECRET), &c, &e), XQ_ERR_AUTH);
    ck_assert_int_eq(verify(mint_hdr("{\"typ\":\"JWT\"}", cl, SECRET), &c, &e), XQ_ERR_AUTH);
    ck_assert_str_eq(e.msg, "token header has no alg");
    ck_assert_int_eq(verify(mint_hdr("{\"alg\":256}", cl, SECRET), &c, &e), XQ_ERR_AUTH);
    ck_assert_int_eq(verify(mint_hdr("{\"alg\":\"HS256\",\"crit\":[\"x\"]}", cl, SECRET), &c, &e),
                     XQ_ERR_AUTH);
    ck_assert_int_eq(verify(mint_hdr("[\"HS256\"]", cl, SECRET), &c, &e), XQ_ERR_AUTH);
    /* typ is optional, and any string */
    ck_assert_int_eq(verify(mint_hdr("{\"alg\":\"HS256\"}", cl, SECRET), &c, &e), XQ_OK);
    ck_assert_int_eq(verify(mint_hdr("{\"alg\":\"HS256\",\"typ\":\"at+jwt\"}", cl, SECRET), &c, &e),
                     XQ_OK);
    /* the classic unsigned token: alg none with an empty signature */
    xq_buf_init(&b, 4096);
    ck_assert_int_eq(xq_b64url_encode("{\"alg\":\"none\"}", 14, &b), XQ_OK);
    ck_assert_int_eq(xq_buf_append_char(&b, '.'), XQ_OK);
    ck_assert_int_eq(xq_b64url_encode(cl, strlen(cl), &b), XQ_OK);
    snprintf(none, sizeof(none), "%s.", b.data);
    ck_assert_int_eq(verify(none, &c, &e), XQ_ERR_AUTH);
    xq_buf_cleanup(&b);
}
END_TEST

START_TEST(expiry_and_leeway)
{
    xq_jwt_claims c;
    xq_err e;

    ck_assert_int_eq(verify(mint(claims_exp(NOW - 30)), &c, &e), XQ_OK);  /* within 60 s */
    ck_assert_int_eq(verify(mint(claims_exp(NOW - 59)), &c, &e), XQ_OK);
    ck_assert_int_eq(verify(mint(claims_exp(NOW - 60)), &c, &e), XQ_ERR_AUTH);
    ck_assert_str_eq(e.msg, "token expired");
    ck_assert_int_eq(verify(mint(claims_exp(NOW - 3600)), &c, &e), XQ_ERR_AUTH);
    ck_assert_int_eq(verify(mint("{\"userId\":\"u\",\"roles\":[]}"), &c, &e), XQ_ERR_AUTH);
    ck_assert_str_eq(e.msg, "token has no exp");
    ck_assert_int_eq(verify(mint("{\"userId\":\"u\",\"exp\":\"1900000000\"}"), &c, &e),
                     XQ_ERR_AUTH);
    ck_assert_str_eq(e.msg, "token exp is not a number");
    ck_assert_int_eq(verify(mint("{\"userId\":\"u\",\"exp\":null}"), &c, &e), XQ_ERR_AUTH);
    ck_assert_int_eq(verify(mint("{\"userId\":\"u\",\"exp\":1900000000.5}"), &c, &e), XQ_OK);
    ck_assert_int_eq(c.exp, 1900000000LL);
    /* nbf in the future beyond leeway */
    ck_assert_int_eq(verify(mint("{\"userId\":\"u\",\"exp\":1900000000,\"nbf\":1700000100}"), &c,
                            &e),
                     XQ_ERR_AUTH);
    ck_assert_int_eq(verify(mint("{\"userId\":\"u\",\"exp\":1900000000,\"nbf\":1700000030}"), &c,
                            &e),
                     XQ_OK);
}
END_TEST

START_TEST(malformed)
{
    xq_jwt_claims c;
    xq_err e;
    char t[2048];
    const char *good = mint(claims_exp(NOW + 600));
    size_t n = strlen(good);

    ck_assert_int_eq(verify("", &c, &e), XQ_ERR_AUTH);
    ck_assert_int_eq(verify("abc", &c, &e), XQ_ERR_AUTH);
    ck_assert_str_eq(e.msg, "token does not have three segments");
    ck_assert_int_eq(verify("a.b", &c, &e), XQ_ERR_AUTH);
    ck_assert_int_eq(verify("a.b.c.d", &c, &e), XQ_ERR_AUTH);
    ck_assert_int_eq(verify("..", &c, &e), XQ_ERR_AUTH);
    snprintf(t, sizeof(t), "%s.", good);
    ck_assert_int_eq(verify(t, &c, &e), XQ_ERR_AUTH); /* four segments */
    /* characters outside base64url: '+', '/', '=' padding, space */
    snprintf(t, sizeof(t), "%s", good);
    t[3] = '+';
    ck_assert_int_eq(verify(t, &c, &e), XQ_ERR_AUTH);
    ck_assert_str_eq(e.msg, "token header is not base64url");
    snprintf(t, sizeof(t), "%s=", good);
    ck_assert_int_eq(verify(t, &c, &e), XQ_ERR_AUTH);
    snprintf(t, sizeof(t), "%s", good);
    t[n - 1] = '/';
    ck_assert_int_eq(verify(t, &c, &e), XQ_ERR_AUTH);
    /* header that is base64url of non-JSON */
    ck_assert_int_eq(verify(mint_hdr("not json", claims_exp(NOW + 60), SECRET), &c, &e),
                     XQ_ERR_AUTH);
    ck_assert_str_eq(e.msg, "token header is not a JSON object");
    /* payload that is not an object, or JSON with trailing junk */
    ck_assert_int_eq(verify(mint("[1,2]"), &c, &e), XQ_ERR_AUTH);
    ck_assert_int_eq(verify(mint("{\"userId\":\"u\",\"exp\":1900000000} x"), &c, &e), XQ_ERR_AUTH);
    ck_assert_str_eq(e.msg, "token payload is not a JSON object");
}
END_TEST

START_TEST(b64url_strict)
{
    unsigned char out[16];
    size_t n;

    ck_assert_int_eq(xq_b64url_decode("TWFu", 4, out, sizeof(out), &n), XQ_OK);
    ck_assert_uint_eq(n, 3);
    ck_assert(memcmp(out, "Man", 3) == 0);
    ck_assert_int_eq(xq_b64url_decode("TWE", 3, out, sizeof(out), &n), XQ_OK);
    ck_assert_uint_eq(n, 2);
    ck_assert_int_eq(xq_b64url_decode("TWF", 3, out, sizeof(out), &n), XQ_ERR_INVALID); /* bits */
    ck_assert_int_eq(xq_b64url_decode("TWFuT", 5, out, sizeof(out), &n), XQ_ERR_INVALID);
    ck_assert_int_eq(xq_b64url_decode("TW==", 4, out, sizeof(out), &n), XQ_ERR_INVALID);
    ck_assert_int_eq(xq_b64url_decode("TWFu", 4, out, 2, &n), XQ_ERR_INVALID); /* room */
    ck_assert_int_eq(xq_b64url_decode("-_8", 3, out, sizeof(out), &n), XQ_OK);
    ck_assert_uint_eq(n, 2);
    ck_assert_int_eq(out[0], 0xfb);
    ck_assert_int_eq(out[1], 0xff);
}
END_TEST

START_TEST(huge_token)
{
    xq_jwt_claims c;
    xq_err e;
    size_t n = XQ_JWT_MAX_LEN + 1;
    char *t = malloc(n + 1);
    char *claims = malloc(XQ_JWT_MAX_LEN + 100);

    memset(t, 'A', n);
    t[10] = '.';
    t[20] = '.';
    t[n] = '\0';
    ck_assert_int_eq(verify(t, &c, &e), XQ_ERR_AUTH);
    ck_assert_str_eq(e.msg, "token longer than 8192 bytes");
    /* a validly signed token whose payload makes it too long */
    snprintf(claims, XQ_JWT_MAX_LEN + 100, "{\"userId\":\"u\",\"exp\":1900000000,\"pad\":\"%0*d\"}",
             XQ_JWT_MAX_LEN - 40, 0);
    ck_assert_int_eq(verify(mint(claims), &c, &e), XQ_ERR_AUTH);
    free(t);
    free(claims);
}
END_TEST

START_TEST(user_claims)
{
    xq_jwt_claims c;
    xq_err e;

    ck_assert_int_eq(verify(mint("{\"sub\":\"s1\",\"userId\":\"u1\",\"exp\":1900000000}"), &c, &e),
                     XQ_OK);
    ck_assert_str_eq(c.user_id, "u1"); /* userId wins over sub, in either order */
    ck_assert_int_eq(verify(mint("{\"userId\":\"u1\",\"sub\":\"s1\",\"exp\":1900000000}"), &c, &e),
                     XQ_OK);
    ck_assert_str_eq(c.user_id, "u1");
    ck_assert_int_eq(verify(mint("{\"sub\":\"s1\",\"exp\":1900000000}"), &c, &e), XQ_OK);
    ck_assert_str_eq(c.user_id, "s1");
    ck_assert_str_eq(c.email, "");
    ck_assert_int_eq(c.nroles, 0);
    ck_assert_int_eq(verify(mint("{\"exp\":1900000000}"), &c, &e), XQ_ERR_AUTH);
    ck_assert_int_eq(verify(mint("{\"userId\":\"\",\"exp\":1900000000}"), &c, &e), XQ_ERR_AUTH);
    ck_assert_int_eq(verify(mint("{\"userId\":42,\"exp\":1900000000}"), &c, &e), XQ_ERR_AUTH);
    ck_assert_int_eq(verify(mint("{\"userId\":\"a\\u0000b\",\"exp\":1900000000}"), &c, &e),
                     XQ_ERR_AUTH);
    ck_assert_int_eq(verify(mint("{\"userId\":\"u\",\"email\":7,\"exp\":1900000000}"), &c, &e),
                     XQ_ERR_AUTH);
}
END_TEST

START_TEST(roles_claim)
{
    xq_jwt_claims c;
    xq_err e;
    char big[4096];
    size_t o;
    int i;

    ck_assert_int_eq(verify(mint("{\"userId\":\"u\",\"roles\":\"admin\",\"exp\":1900000000}"), &c,
                            &e),
                     XQ_ERR_AUTH);
    ck_assert_str_eq(e.msg, "token roles is not an array");
    ck_assert_int_eq(verify(mint("{\"userId\":\"u\",\"roles\":[\"admin\",1],\"exp\":1900000000}"),
                            &c, &e),
                     XQ_ERR_AUTH);
    ck_assert_int_eq(
        verify(mint("{\"userId\":\"u\",\"roles\":[\"Admin\",\"ADMINREADONLY\",\"adminReadonly\"],"
                    "\"exp\":1900000000}"),
               &c, &e),
        XQ_OK);
    ck_assert_int_eq(c.nroles, 3);
    ck_assert_str_eq(c.roles[0], "Admin"); /* case kept: mapping decides, exactly */
    ck_assert_str_eq(c.roles[2], "adminReadonly");
    o = (size_t)snprintf(big, sizeof(big), "{\"userId\":\"u\",\"exp\":1900000000,\"roles\":[");
    for (i = 0; i < XQ_JWT_ROLES_MAX + 1; i++)
        o += (size_t)snprintf(big + o, sizeof(big) - o, "%s\"r%d\"", i ? "," : "", i);
    snprintf(big + o, sizeof(big) - o, "]}");
    ck_assert_int_eq(verify(mint(big), &c, &e), XQ_ERR_AUTH);
}
END_TEST

static Suite *jwt_suite(void)
{
    Suite *s = suite_create("jwt");
    TCase *tc = tcase_create("jwt");

    tcase_add_test(tc, good_token);
    tcase_add_test(tc, bad_signature);
    tcase_add_test(tc, wrong_algs);
    tcase_add_test(tc, expiry_and_leeway);
    tcase_add_test(tc, malformed);
    tcase_add_test(tc, b64url_strict);
    tcase_add_test(tc, huge_token);
    tcase_add_test(tc, user_claims);
    tcase_add_test(tc, roles_claim);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(jwt_suite());
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    xq_buf_cleanup(&tokbuf);
    return failed == 0 ? 0 : 1;
}
