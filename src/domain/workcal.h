/*
 * workcal.h - the Chinese working-day calendar: Monday to Friday are working
 * days unless the State Council makes them holidays, and some weekend days
 * are make-up working days (调休上班). Working hours are 09:00–12:00 and
 * 13:00–18:00 Asia/Shanghai (UTC+8, no daylight saving), 8 hours a day.
 *
 * A calendar is loaded once per request from calendar_days; the arithmetic
 * itself never touches the database, so unit tests build calendars by hand.
 * Days are counted since 1970-01-01; instants are epoch seconds, UTC.
 */
#ifndef WORKCAL_H
#define WORKCAL_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "auth.h"
#include "core/app.h"
#include "store/db.h"

#define WORKCAL_DAY_SECONDS (8 * 3600)

struct workcal_day {
    int64_t day; /* days since the epoch */
    int workday; /* 1 = make-up working day, 0 = holiday */
};

struct workcal {
    struct workcal_day *days; /* sorted by day */
    size_t n;
};

/* Add an exception day (unit tests, loading). Keeps the array sorted; a
 * later call for the same day replaces the earlier one. */
int workcal_set(struct workcal *w, int64_t day, int workday);
void workcal_free(struct workcal *w);
/* Load every row of calendar_days. */
int workcal_load(struct workcal *w, struct db_conn *c);

int workcal_is_workday(const struct workcal *w, int64_t day);
/* The n-th working day after day (day itself not counted); n = 0 → day. */
int64_t workcal_add_workdays(const struct workcal *w, int64_t day, int64_t n);
/* The instant `seconds` of working time after t (t outside working hours
 * starts at the next working period). */
int64_t workcal_add_work_seconds(const struct workcal *w, int64_t t, int64_t seconds);
/* Working seconds between a and b (0 when b <= a). */
int64_t workcal_work_seconds(const struct workcal *w, int64_t a, int64_t b);
/* 18:00 local of the n-th working day after the local day of t. */
int64_t workcal_end_of_workday(const struct workcal *w, int64_t t, int64_t n);

/* The local (UTC+8) day number of an instant. */
int64_t workcal_local_day(int64_t t);

/* calendar_days of one year as {"year","days":[{"day","kind","name"}]}. */
int workcal_year(json_t **out, struct db_conn *c, int year);
/* Replace one year's rows with days [{"day","kind","name"}]; errors name
 * the offending row ("days[3].day"). */
int workcal_import(struct db_conn *c,
                   const struct auth_user *who,
                   int year,
                   json_t *days,
                   struct app_err *err);

#endif
