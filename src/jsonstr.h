/*
 * jsonstr.h - JSON string writing that is valid UTF-8 whatever the input.
 *
 * Used by the log, the HTTP error bodies and the JSON export writer: bytes
 * that are not well-formed UTF-8 become U+FFFD, control characters are
 * escaped, and `"` `\` are escaped.  Pure: no I/O.
 */
#ifndef XQ_JSONSTR_H
#define XQ_JSONSTR_H

#include <stddef.h>

#include "buf.h"

/* Append s[0..n) as a quoted JSON string to b. */
xq_status xq_json_append_str(xq_buf *b, const char *s, size_t n);

/* Same, for a NUL-terminated string; NULL is written as "". */
xq_status xq_json_append_cstr(xq_buf *b, const char *s);

/*
 * Length of the well-formed UTF-8 sequence at s[0..n), or 0 when s does not
 * start with one (overlongs, surrogates and > U+10FFFF are ill-formed).
 * *cp receives the code point when not NULL.
 */
size_t xq_utf8_seq(const unsigned char *s, size_t n, unsigned *cp);

#endif
