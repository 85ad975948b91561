/*
 * timeutil.h - instants as UTC ISO-8601 text ("2026-03-05T06:30:00Z"), the
 * form anjia stores and sends; and civil dates ("2026-03-05").
 */
#ifndef TIMEUTIL_H
#define TIMEUTIL_H

#include <stddef.h>
#include <stdint.h>

/* Seconds since the epoch, UTC. Tests may pin it with time_set_fake(). */
int64_t time_now(void);
void time_set_fake(int64_t epoch); /* 0 restores the clock */
/* Write the instant t as "YYYY-MM-DDTHH:MM:SSZ" into buf (>= 21 bytes). */
void time_format_iso(char *buf, size_t size, int64_t t);
void time_now_iso(char *buf, size_t size);
/* Parse "YYYY-MM-DDTHH:MM:SSZ"; 0 or APP_EINVAL. */
int time_parse_iso(int64_t *out, const char *s);
/* Validate a civil date "YYYY-MM-DD" (real calendar day); 0 or APP_EINVAL. */
int date_parse(int *y, int *m, int *d, const char *s);
/* Days since 1970-01-01 of a civil date, and back. */
int64_t date_to_days(int y, int m, int d);
void date_from_days(char out[11], int64_t days);
/* out = date + n days ("YYYY-MM-DD"); APP_EINVAL for a bad date. */
int date_add_days(char out[11], const char *date, int64_t n);
/* *out = b - a in days; APP_EINVAL for a bad date. */
int date_diff_days(int64_t *out, const char *a, const char *b);
/* Today in Asia/Shanghai (UTC+8, no daylight saving) as "YYYY-MM-DD". */
void date_today(char out[11]);

/* Monotonic milliseconds, for latencies. */
double time_mono_ms(void);

#endif
