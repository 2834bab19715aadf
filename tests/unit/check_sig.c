/* check_sig.c - HMAC-SHA256 (RFC 4231), constant-time compare, signed links. */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "sig.h"

static void hex(const unsigned char *b, size_t n, char *out)
{
    size_t i;

    for (i = 0; i < n; i++)
        snprintf(out + 2 * i, 3, "%02x", b[i]);
}

START_TEST(rfc4231_case2)
{
    unsigned char mac[32];
    char h[65];

    ck_assert_int_eq(xq_hmac_sha256("Jefe", 4, "what do ya want for nothing?", 28, mac), XQ_OK);
    hex(mac, 32, h);
    ck_assert_str_eq(h, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}
END_TEST

START_TEST(rfc4231_case1)
{
    unsigned char key[20], mac[32];
    char h[65];

    memset(key, 0x0b, sizeof(key));
    ck_assert_int_eq(xq_hmac_sha256(key, sizeof(key), "Hi There", 8, mac), XQ_OK);
    hex(mac, 32, h);
    ck_assert_str_eq(h, "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
}
END_TEST

/* A key longer than the 64-byte block is hashed first (RFC 4231 case 6). */
START_TEST(rfc4231_case6_long_key)
{
    static const char msg[] = "Test Using Larger Than Block-Size Key - Hash Key First";
    unsigned char key[131], mac[32];
    char h[65];

    memset(key, 0xaa, sizeof(key));
    ck_assert_int_eq(xq_hmac_sha256(key, sizeof(key), msg, sizeof(msg) - 1, mac), XQ_OK);
    hex(mac, 32, h);
    ck_assert_str_eq(h, "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}
END_TEST

/* An empty message and an empty key are valid input. */
START_TEST(empty_key_and_message)
{
    unsigned char mac[32];
    char h[65];

    ck_assert_int_eq(xq_hmac_sha256("", 0, "", 0, mac), XQ_OK);
    hex(mac, 32, h);
    ck_assert_str_eq(h, "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
}
END_TEST

START_TEST(ct_equal)
{
    ck_assert(xq_ct_equal("abcdef", "abcdef", 6));
    ck_assert(!xq_ct_equal("abcdef", "abcdeg", 6));
    ck_assert(!xq_ct_equal("xbcdef", "abcdef", 6));
    ck_assert(xq_ct_equal("a", "b", 0));
}
END_TEST

START_TEST(sign_and_verify)
{
    char sig[XQ_SIG_HEX_LEN + 1], bad[XQ_SIG_HEX_LEN + 1];
    unsigned char mac[32];
    char want[65];
    const char *name = "user-breakdown_2024-01-01_2024-01-31_0123abcd.csv";

    ck_assert_int_eq(xq_sig_sign("s3cret", name, 1700000000LL, sig), XQ_OK);
    ck_assert_uint_eq(strlen(sig), 64);
    /* the message is "<fileName>\n<expires>" (SPEC §10) */
    {
        char msg[256];
        int n = snprintf(msg, sizeof(msg), "%s\n%lld", name, 1700000000LL);

        ck_assert_int_eq(xq_hmac_sha256("s3cret", 6, msg, (size_t)n, mac), XQ_OK);
        hex(mac, 32, want);
        ck_assert_str_eq(sig, want);
    }
    ck_assert_int_eq(xq_sig_verify("s3cret", name, "1700000000", sig, 1699999999), XQ_OK);
    /* expired: at and after expires */
    ck_assert_int_eq(xq_sig_verify("s3cret", name, "1700000000", sig, 1700000000), XQ_ERR_GONE);
    ck_assert_int_eq(xq_sig_verify("s3cret", name, "1700000000", sig, 1800000000), XQ_ERR_GONE);
    /* wrong secret, other file, other expiry: forbidden, even when expired */
    ck_assert_int_eq(xq_sig_verify("other", name, "1700000000", sig, 1), XQ_ERR_FORBIDDEN);
    ck_assert_int_eq(xq_sig_verify("s3cret", "x.csv", "1700000000", sig, 1), XQ_ERR_FORBIDDEN);
    ck_assert_int_eq(xq_sig_verify("s3cret", name, "1700000001", sig, 1), XQ_ERR_FORBIDDEN);
    ck_assert_int_eq(xq_sig_verify("s3cret", name, "1700000001", sig, 1800000000),
                     XQ_ERR_FORBIDDEN);
    memcpy(bad, sig, sizeof(bad));
    bad[10] = bad[10] == 'a' ? 'b' : 'a';
    ck_assert_int_eq(xq_sig_verify("s3cret", name, "1700000000", bad, 1), XQ_ERR_FORBIDDEN);
}
END_TEST

START_TEST(verify_malformed)
{
    char sig[XQ_SIG_HEX_LEN + 1], upper[XQ_SIG_HEX_LEN + 1];
    size_t i;

    ck_assert_int_eq(xq_sig_sign("k", "f.csv", 2000000000LL, sig), XQ_OK);
    ck_assert_int_eq(xq_sig_verify("k", "f.csv", "2000000000", sig, 1), XQ_OK);
    ck_assert_int_eq(xq_sig_verify("k", "f.csv", "", sig, 1), XQ_ERR_FORBIDDEN);
    ck_assert_int_eq(xq_sig_verify("k", "f.csv", "-2000000000", sig, 1), XQ_ERR_FORBIDDEN);
    ck_assert_int_eq(xq_sig_verify("k", "f.csv", "+2000000000", sig, 1), XQ_ERR_FORBIDDEN);
    ck_assert_int_eq(xq_sig_verify("k", "f.csv", "2000000000 ", sig, 1), XQ_ERR_FORBIDDEN);
    ck_assert_int_eq(xq_sig_verify("k", "f.csv", "0x77359400", sig, 1), XQ_ERR_FORBIDDEN);
    ck_assert_int_eq(xq_sig_verify("k", "f.csv", "99999999999999999999", sig, 1),
                     XQ_ERR_FORBIDDEN);
    ck_assert_int_eq(xq_sig_verify("k", "f.csv", "2000000000", "abc", 1), XQ_ERR_FORBIDDEN);
    ck_assert_int_eq(xq_sig_verify("k", "f.csv", "2000000000", "", 1), XQ_ERR_FORBIDDEN);
    ck_assert_int_eq(xq_sig_verify("k", "f.csv", "2000000000", NULL, 1), XQ_ERR_FORBIDDEN);
    ck_assert_int_eq(xq_sig_verify("k", "f.csv", NULL, sig, 1), XQ_ERR_FORBIDDEN);
    /* hex is lowercase: an uppercase copy is not the signature */
    for (i = 0; i < XQ_SIG_HEX_LEN + 1; i++)
        upper[i] = (sig[i] >= 'a' && sig[i] <= 'f') ? (char)(sig[i] - 32) : sig[i];
    ck_assert_int_eq(xq_sig_verify("k", "f.csv", "2000000000", upper, 1), XQ_ERR_FORBIDDEN);
}
END_TEST

static Suite *sig_suite(void)
{
    Suite *s = suite_create("sig");
    TCase *tc = tcase_create("sig");

    tcase_add_test(tc, rfc4231_case2);
    tcase_add_test(tc, rfc4231_case1);
    tcase_add_test(tc, rfc4231_case6_long_key);
    tcase_add_test(tc, empty_key_and_message);
    tcase_add_test(tc, ct_equal);
    tcase_add_test(tc, sign_and_verify);
    tcase_add_test(tc, verify_malformed);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(sig_suite());
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
