#include "timeutil.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "app.h"

static int64_t fake_now;

int64_t time_now(void)
{
    if (fake_now)
        return fake_now;
    return (int64_t)time(NULL);
}

void time_set_fake(int64_t epoch)
{
    fake_now = epoch;
}

void time_format_iso(char *buf, size_t size, int64_t t)
{
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

void time_now_iso(char *buf, size_t size)
{
    time_format_iso(buf, size, time_now());
}

static int is_leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int y, int m)
{
    static const int dm[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : dm[m - 1];
}

static int digits(const char *s, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return APP_EINVAL;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 0;
}

int date_parse(int *y, int *m, int *d, const char *s)
{
    if (s == NULL || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return APP_EINVAL;
    if (digits(s, 4, y) || digits(s + 5, 2, m) || digits(s + 8, 2, d))
        return APP_EINVAL;
    if (*y < 1900 || *m < 1 || *m > 12 || *d < 1 || *d > days_in_month(*y, *m))
        return APP_EINVAL;
    return 0;
}

/* Days from 1970-01-01 to the civil date (Howard Hinnant's algorithm). */
int64_t date_to_days(int y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

int time_parse_iso(int64_t *out, const char *s)
{
    *out = 0;
    int y, mo, d, h, mi, se;
    if (s == NULL || strlen(s) != 20 || s[10] != 'T' || s[13] != ':' || s[16] != ':' ||
        s[19] != 'Z')
        return APP_EINVAL;
    char date[11];
    memcpy(date, s, 10);
    date[10] = '\0';
    if (date_parse(&y, &mo, &d, date))
        return APP_EINVAL;
    if (digits(s + 11, 2, &h) || digits(s + 14, 2, &mi) || digits(s + 17, 2, &se))
        return APP_EINVAL;
    if (h > 23 || mi > 59 || se > 59)
        return APP_EINVAL;
    *out = date_to_days(y, mo, d) * 86400 + h * 3600 + mi * 60 + se;
    return 0;
}

double time_mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

void date_from_days(char out[11], int64_t z)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t y = yoe + era * 400;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int64_t d = doy - (153 * mp + 2) / 5 + 1;
    int64_t m = mp < 10 ? mp + 3 : mp - 9;
    y += m <= 2;
    snprintf(out, 11, "%04d-%02d-%02d", (int)y, (int)m, (int)d);
}

int date_add_days(char out[11], const char *date, int64_t n)
{
    int y, m, d;
    if (date_parse(&y, &m, &d, date) < 0)
        return APP_EINVAL;
    date_from_days(out, date_to_days(y, m, d) + n);
    return 0;
}

int date_diff_days(int64_t *out, const char *a, const char *b)
{
    int y1, m1, d1, y2, m2, d2;
    if (date_parse(&y1, &m1, &d1, a) < 0 || date_parse(&y2, &m2, &d2, b) < 0)
        return APP_EINVAL;
    *out = date_to_days(y2, m2, d2) - date_to_days(y1, m1, d1);
    return 0;
}

void date_today(char out[11])
{
    date_from_days(out, (time_now() + 8 * 3600) / 86400);
}
