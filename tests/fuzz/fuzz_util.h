/*
 * fuzz_util.h - helpers shared by the libFuzzer targets in tests/fuzz/.
 *
 * A target calls FUZZ_CHECK(cond) for every property it asserts beyond "no
 * crash": a false condition prints the property and aborts, which libFuzzer
 * reports as a crash and saves the input.  Header-only, static functions.
 */
#ifndef XQ_FUZZ_UTIL_H
#define XQ_FUZZ_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonstr.h"

#define FUZZ_CHECK(cond)                                                                   \
    do {                                                                                   \
        if (!(cond)) {                                                                     \
            fprintf(stderr, "fuzz property failed: %s (%s:%d)\n", #cond, __FILE__,        \
                    __LINE__);                                                             \
            abort();                                                                       \
        }                                                                                  \
    } while (0)

/* A NUL-terminated heap copy of data[0..n) (the caller frees). */
static inline char *fuzz_cstr(const uint8_t *data, size_t n)
{
    char *s = malloc(n + 1);

    if (s == NULL)
        abort();
    if (n > 0)
        memcpy(s, data, n);
    s[n] = '\0';
    return s;
}

/* 1 when s[0..n) is well-formed UTF-8 (by the product's own decoder). */
static inline int fuzz_utf8_ok(const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0, k;

    while (i < n) {
        if (u[i] < 0x80) {
            i++;
            continue;
        }
        k = xq_utf8_seq(u + i, n - i, NULL);
        if (k == 0)
            return 0;
        i += k;
    }
    return 1;
}

/*
 * Split data at the first occurrence of byte sep: part one is data[0..*n1),
 * part two the rest after the separator (empty when sep is absent).
 */
static inline void fuzz_split(const uint8_t *data, size_t n, uint8_t sep, size_t *n1,
                              const uint8_t **p2, size_t *n2)
{
    const uint8_t *q = memchr(data, sep, n);

    if (q == NULL) {
        *n1 = n;
        *p2 = data + n;
        *n2 = 0;
        return;
    }
    *n1 = (size_t)(q - data);
    *p2 = q + 1;
    *n2 = n - *n1 - 1;
}

#endif
