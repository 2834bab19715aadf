/*
 * timefmt.h - timestamps as exported files show them (SPEC §2, §10).  Pure.
 *
 * The engine receives from PostgreSQL, per timestamp, the wall time in the
 * request's time zone and the UTC time as text; their difference is the
 * zone's offset at that instant.  PostgreSQL's own zone rules (AT TIME
 * ZONE) decide both; "local ms" below counts milliseconds since
 * 1970-01-01T00:00 of the wall clock.
 */
#ifndef XQ_TIMEFMT_H
#define XQ_TIMEFMT_H

#include <stddef.h>

/* "YYYY-MM-DDTHH:MM:SS.mmm" then "Z" for offset 0, else "+HH:MM"/"-HH:MM".
 * out needs XQ_TIME_ISO_MAX bytes; returns the length written. */
#define XQ_TIME_ISO_MAX 40
size_t xq_time_format_iso(char *out, long long local_ms, int offset_s);

/* Same for UTC now-style API times: epoch ms -> "...Z". */
size_t xq_time_format_utc(char *out, long long epoch_ms);

/* Excel serial date-time (1900 date system) of a local wall time. */
double xq_time_excel_serial(long long local_ms);

/*
 * Parse PostgreSQL's ISO text of a timestamp without time zone,
 * "YYYY-MM-DD HH:MM:SS[.ffffff]" (DateStyle ISO), into milliseconds since
 * 1970-01-01 of that wall clock (fractions below 1 ms are dropped).
 * Returns 0, or -1 when s[0..n) is not of that form.
 */
int xq_time_parse_pg(const char *s, size_t n, long long *ms);

/* Day number since 1970-01-01 of a proleptic Gregorian date. */
long long xq_time_days(int y, int m, int d);

/* Civil date of a day number since 1970-01-01 (proleptic Gregorian). */
void xq_time_civil(long long days, int *y, int *m, int *d);

#endif
