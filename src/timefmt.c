/*
 * timefmt.c - ISO 8601 and Excel serial forms of a wall time (see timefmt.h).
 * Integer arithmetic only, no libc time zone state, so it is the same in
 * every process and needs no TZ environment.
 */
#include "timefmt.h"

static long long floor_div(long long a, long long b)
{
    long long q = a / b;

    if ((a % b != 0) && ((a < 0) != (b < 0)))
        q--;
    return q;
}

/* Howard Hinnant's civil_from_days. */
void xq_time_civil(long long days, int *y, int *m, int *d)
{
    long long z = days + 719468;
    long long era = floor_div(z, 146097);
    long long doe = z - era * 146097;
    long long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long long yy = yoe + era * 400;
    long long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long long mp = (5 * doy + 2) / 153;
    long long dd = doy - (153 * mp + 2) / 5 + 1;
    long long mm = mp < 10 ? mp + 3 : mp - 9;

    *y = (int)(yy + (mm <= 2));
    *m = (int)mm;
    *d = (int)dd;
}

long long xq_time_days(int y, int m, int d)
{
    long long yy = m <= 2 ? y - 1 : y;
    long long era = floor_div(yy, 400);
    long long yoe = yy - era * 400;
    long long doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    long long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

    return era * 146097 + doe - 719468;
}

static int digits(const char *s, int n, int *out)
{
    int i, v = 0;

    for (i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 0;
}

int xq_time_parse_pg(const char *s, size_t n, long long *ms)
{
    int y, mo, d, h, mi, se, frac = 0, k;
    size_t i;

    if (n < 19 || s[4] != '-' || s[7] != '-' || s[10] != ' ' || s[13] != ':' || s[16] != ':')
        return -1;
    if (digits(s, 4, &y) || digits(s + 5, 2, &mo) || digits(s + 8, 2, &d) ||
        digits(s + 11, 2, &h) || digits(s + 14, 2, &mi) || digits(s + 17, 2, &se))
        return -1;
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60)
        return -1;
    if (n > 19) {
        if (s[19] != '.' || n == 20 || n > 26)
            return -1;
        for (i = 20, k = 0; i < n; i++, k++) {
            if (s[i] < '0' || s[i] > '9')
                return -1;
            if (k < 3)
                frac = frac * 10 + (s[i] - '0');
        }
        for (; k < 3; k++)
            frac *= 10;
    }
    *ms = ((xq_time_days(y, mo, d) * 24 + h) * 60 + mi) * 60000LL + se * 1000LL + frac;
    return 0;
}

static char *put2(char *p, int v)
{
    p[0] = (char)('0' + v / 10 % 10);
    p[1] = (char)('0' + v % 10);
    return p + 2;
}

size_t xq_time_format_iso(char *out, long long local_ms, int offset_s)
{
    long long days = floor_div(local_ms, 86400000LL);
    long long rest = local_ms - days * 86400000LL;
    int y, m, d, ms = (int)(rest % 1000), sec = (int)(rest / 1000);
    char *p = out;

    xq_time_civil(days, &y, &m, &d);
    if (y < 0 || y > 9999)
        y = y < 0 ? 0 : 9999; /* PostgreSQL's range is wider than ISO's 4 digits */
    p = put2(p, y / 100);
    p = put2(p, y % 100);
    *p++ = '-';
    p = put2(p, m);
    *p++ = '-';
    p = put2(p, d);
    *p++ = 'T';
    p = put2(p, sec / 3600);
    *p++ = ':';
    p = put2(p, sec / 60 % 60);
    *p++ = ':';
    p = put2(p, sec % 60);
    *p++ = '.';
    *p++ = (char)('0' + ms / 100);
    p = put2(p, ms % 100);
    if (offset_s == 0) {
        *p++ = 'Z';
    } else {
        int a = offset_s < 0 ? -offset_s : offset_s;

        *p++ = offset_s < 0 ? '-' : '+';
        p = put2(p, a / 3600);
        *p++ = ':';
        p = put2(p, a / 60 % 60);
        /* historic LMT offsets have seconds; ISO 8601 allows +HH:MM:SS */
        if (a % 60) {
            *p++ = ':';
            p = put2(p, a % 60);
        }
    }
    *p = '\0';
    return (size_t)(p - out);
}

size_t xq_time_format_utc(char *out, long long epoch_ms)
{
    return xq_time_format_iso(out, epoch_ms, 0);
}

double xq_time_excel_serial(long long local_ms)
{
    /* 25569 = serial of 1970-01-01 in the 1900 system (with Excel's 1900 leap bug) */
    return 25569.0 + (double)local_ms / 86400000.0;
}
