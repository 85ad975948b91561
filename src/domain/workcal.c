/*
 * workcal.c - working days and working hours on the Chinese calendar.
 */
#include "workcal.h"

#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "core/timeutil.h"
#include "query.h"

#define LOCAL_OFFSET (8 * 3600)
#define DAY          (86400)

/* The working periods of a working day, in local seconds of the day. */
static const struct {
    int64_t from, to;
} periods[] = {{9 * 3600, 12 * 3600}, {13 * 3600, 18 * 3600}};

int workcal_set(struct workcal *w, int64_t day, int workday)
{
    size_t lo = 0, hi = w->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (w->days[mid].day < day)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < w->n && w->days[lo].day == day) {
        w->days[lo].workday = workday;
        return 0;
    }
    struct workcal_day *d = realloc(w->days, (w->n + 1) * sizeof(*d));
    if (d == NULL)
        return APP_EINTERNAL;
    w->days = d;
    memmove(&d[lo + 1], &d[lo], (w->n - lo) * sizeof(*d));
    d[lo].day = day;
    d[lo].workday = workday;
    w->n++;
    return 0;
}

void workcal_free(struct workcal *w)
{
    free(w->days);
    w->days = NULL;
    w->n = 0;
}

int workcal_load(struct workcal *w, struct db_conn *c)
{
    json_t *rows = NULL;
    struct db_params p = {0};
    int rc = query_rows(&rows, c, "SELECT day, kind FROM calendar_days ORDER BY day", &p);
    if (rc < 0)
        return rc;
    size_t i;
    json_t *r;
    json_array_foreach(rows, i, r)
    {
        int y, m, d;
        const char *day = json_string_value(json_object_get(r, "day"));
        const char *kind = json_string_value(json_object_get(r, "kind"));
        if (day == NULL || kind == NULL || date_parse(&y, &m, &d, day) < 0)
            continue;
        rc = workcal_set(w, date_to_days(y, m, d), strcmp(kind, "workday") == 0);
        if (rc < 0)
            break;
    }
    json_decref(rows);
    return rc < 0 ? rc : 0;
}

int workcal_is_workday(const struct workcal *w, int64_t day)
{
    size_t lo = 0, hi = w->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (w->days[mid].day == day)
            return w->days[mid].workday;
        if (w->days[mid].day < day)
            lo = mid + 1;
        else
            hi = mid;
    }
    int64_t weekday = ((day % 7) + 7 + 4) % 7; /* 1970-01-01 was a Thursday; 0 = Sunday */
    return weekday != 0 && weekday != 6;
}

int64_t workcal_add_workdays(const struct workcal *w, int64_t day, int64_t n)
{
    while (n > 0) {
        day++;
        if (workcal_is_workday(w, day))
            n--;
    }
    return day;
}

int64_t workcal_local_day(int64_t t)
{
    int64_t local = t + LOCAL_OFFSET;
    return local >= 0 ? local / DAY : -((-local + DAY - 1) / DAY);
}

int64_t workcal_add_work_seconds(const struct workcal *w, int64_t t, int64_t seconds)
{
    if (seconds <= 0)
        return t;
    int64_t day = workcal_local_day(t);
    int64_t sod = t + LOCAL_OFFSET - day * DAY;
    for (;;) {
        if (workcal_is_workday(w, day)) {
            for (size_t i = 0; i < ARRAY_LEN(periods); i++) {
                if (sod >= periods[i].to)
                    continue;
                int64_t start = sod > periods[i].from ? sod : periods[i].from;
                int64_t avail = periods[i].to - start;
                if (seconds <= avail)
                    return day * DAY + start + seconds - LOCAL_OFFSET;
                seconds -= avail;
                sod = periods[i].to;
            }
        }
        day++;
        sod = 0;
    }
}

int64_t workcal_work_seconds(const struct workcal *w, int64_t a, int64_t b)
{
    if (b <= a)
        return 0;
    int64_t total = 0, first = workcal_local_day(a), last = workcal_local_day(b);
    for (int64_t day = first; day <= last; day++) {
        if (!workcal_is_workday(w, day))
            continue;
        for (size_t i = 0; i < ARRAY_LEN(periods); i++) {
            int64_t from = day * DAY + periods[i].from - LOCAL_OFFSET;
            int64_t to = day * DAY + periods[i].to - LOCAL_OFFSET;
            if (from < a)
                from = a;
            if (to > b)
                to = b;
            if (to > from)
                total += to - from;
        }
    }
    return total;
}

int64_t workcal_end_of_workday(const struct workcal *w, int64_t t, int64_t n)
{
    int64_t day = workcal_add_workdays(w, workcal_local_day(t), n);
    return day * DAY + periods[ARRAY_LEN(periods) - 1].to - LOCAL_OFFSET;
}

/*---- The table ----*/

int workcal_year(json_t **out, struct db_conn *c, int year)
{
    char from[16], to[16];
    snprintf(from, sizeof(from), "%04d-01-01", year);
    snprintf(to, sizeof(to), "%04d-12-31", year);
    struct db_params p = {0};
    db_params_text(&p, from);
    db_params_text(&p, to);
    json_t *days = NULL;
    int rc = query_rows(&days, c,
                        "SELECT day, kind, name FROM calendar_days WHERE day >= ? AND day <= ?"
                        " ORDER BY day",
                        &p);
    db_params_free(&p);
    if (rc < 0)
        return rc;
    *out = json_pack("{s:i, s:o}", "year", year, "days", days);
    return 0;
}

int workcal_import(
        struct db_conn *c, const struct auth_user *who, int year, json_t *days, struct app_err *err)
{
    if (year < 2000 || year > 2100)
        return app_err_set(err, APP_EINVAL, "year", "年份应在 2000 到 2100 之间");
    if (!json_is_array(days) || json_array_size(days) > 366)
        return app_err_set(err, APP_EINVAL, "days", "请提供当年的节假日和调休上班日列表");
    char field[48], prefix[8];
    snprintf(prefix, sizeof(prefix), "%04d-", year);
    size_t i, j;
    json_t *d, *o;
    json_array_foreach(days, i, d)
    {
        const char *day = json_string_value(json_object_get(d, "day"));
        const char *kind = json_string_value(json_object_get(d, "kind"));
        const char *name = json_string_value(json_object_get(d, "name"));
        int y, m, dd;
        snprintf(field, sizeof(field), "days[%zu].day", i);
        if (!json_is_object(d) || day == NULL || date_parse(&y, &m, &dd, day) < 0)
            return app_err_set(err, APP_EINVAL, field, "第 %zu 行日期无效", i + 1);
        if (strncmp(day, prefix, 5) != 0)
            return app_err_set(err, APP_EINVAL, field, "第 %zu 行日期不在 %d 年", i + 1, year);
        json_array_foreach(days, j, o) if (j < i && json_equal(json_object_get(o, "day"),
                                                               json_object_get(d, "day")))
        {
            return app_err_set(err, APP_EINVAL, field, "第 %zu 行日期重复: %s", i + 1, day);
        }
        snprintf(field, sizeof(field), "days[%zu].kind", i);
        if (kind == NULL || (strcmp(kind, "holiday") != 0 && strcmp(kind, "workday") != 0))
            return app_err_set(err, APP_EINVAL, field,
                               "第 %zu 行类型应为 holiday（放假）或 workday（调休上班）", i + 1);
        struct workcal none = {0};
        if (strcmp(kind, "workday") == 0 && workcal_is_workday(&none, date_to_days(y, m, dd)))
            return app_err_set(err, APP_EINVAL, field, "第 %zu 行：调休上班日应为周六或周日",
                               i + 1);
        snprintf(field, sizeof(field), "days[%zu].name", i);
        if (name && strlen(name) > 60)
            return app_err_set(err, APP_EINVAL, field, "第 %zu 行名称过长", i + 1);
    }
    json_t *before = NULL;
    int rc = workcal_year(&before, c, year);
    if (rc < 0)
        return rc;
    char from[16], to[16], at[32];
    snprintf(from, sizeof(from), "%04d-01-01", year);
    snprintf(to, sizeof(to), "%04d-12-31", year);
    time_now_iso(at, sizeof(at));
    rc = db_run(c, "DELETE FROM calendar_days WHERE day >= ? AND day <= ?", "tt", from, to);
    json_array_foreach(days, i, d)
    {
        if (rc < 0)
            break;
        rc = db_run(c, "INSERT INTO calendar_days (day, kind, name, updated_at) VALUES (?,?,?,?)",
                    "tttt", json_string_value(json_object_get(d, "day")),
                    json_string_value(json_object_get(d, "kind")),
                    json_string_value(json_object_get(d, "name")), at);
    }
    json_t *after = NULL;
    if (rc >= 0)
        rc = workcal_year(&after, c, year);
    if (rc >= 0)
        rc = audit_append(c, who ? who->id : 0, who ? who->username : "system", "import",
                          "calendar", year, before, after);
    json_decref(before);
    json_decref(after);
    return rc < 0 ? rc : 0;
}
