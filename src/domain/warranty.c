/*
 * warranty.c - the warranty ledger over delivered flats.
 */
#include "warranty.h"

#include <string.h>

#include "calc.h"
#include "core/strbuf.h"
#include "query.h"

static int64_t row_int(json_t *row, const char *k)
{
    return json_integer_value(json_object_get(row, k));
}

static const char *row_str(json_t *row, const char *k)
{
    return json_string_value(json_object_get(row, k));
}

int warranty_periods_for(json_t **out, struct db_conn *c, int64_t project_id)
{
    struct db_params p = {0};
    db_params_int(&p, project_id);
    db_params_int(&p, project_id);
    /* A project's row for a component replaces the default one. */
    int rc =
            query_rows(out, c,
                       "SELECT w.component, w.name, w.years, w.months FROM warranty_periods w WHERE"
                       " w.project_id = ? OR (w.project_id IS NULL AND NOT EXISTS (SELECT 1 FROM"
                       " warranty_periods o WHERE o.component = w.component AND o.project_id ="
                       " ?)) ORDER BY w.id",
                       &p);
    db_params_free(&p);
    return rc;
}

static int ledger(json_t **out,
                  struct db_conn *c,
                  const struct auth_user *who,
                  int64_t project_id,
                  int64_t unit_id,
                  const char *from,
                  const char *to,
                  struct app_err *err)
{
    *out = NULL;
    if (project_id > 0 && !auth_in_scope(who, project_id))
        return app_err_set(err, APP_EFORBIDDEN, "project_id", "您没有该项目的权限");
    struct strbuf sql;
    struct db_params p = {0};
    strbuf_init(&sql, 4096);
    strbuf_puts(&sql,
                "SELECT u.id AS unit_id, u.room_code, u.project_id, u.delivered_on,"
                " (SELECT name FROM projects WHERE id = u.project_id) AS project_name,"
                " (SELECT completion_accepted_on FROM projects WHERE id = u.project_id) AS"
                " completion_accepted_on, (SELECT c.name FROM unit_owners o JOIN customers c ON"
                " c.id = o.customer_id WHERE o.unit_id = u.id ORDER BY o.is_primary DESC LIMIT 1)"
                " AS owner_name FROM units u WHERE u.delivered_on IS NOT NULL");
    query_report_scope(&sql, &p, "u.project_id", who, project_id);
    if (unit_id > 0) {
        strbuf_puts(&sql, " AND u.id = ?");
        db_params_int(&p, unit_id);
    }
    strbuf_puts(&sql, " ORDER BY u.project_id, u.room_code");
    json_t *units = NULL;
    int rc = query_rows(&units, c, strbuf_str(&sql), &p);
    strbuf_free(&sql);
    db_params_free(&p);
    if (rc < 0)
        return rc;
    json_t *items = json_array(), *periods = NULL;
    int64_t periods_of = -1;
    size_t i;
    json_t *u;
    json_array_foreach(units, i, u)
    {
        if (row_int(u, "project_id") != periods_of) {
            json_decref(periods);
            periods = NULL;
            periods_of = row_int(u, "project_id");
            if ((rc = warranty_periods_for(&periods, c, periods_of)) < 0)
                break;
        }
        size_t j;
        json_t *w;
        json_array_foreach(periods, j, w)
        {
            char end[11], cend[11] = "";
            int years = (int)row_int(w, "years"), months = (int)row_int(w, "months");
            if (calc_period_end(end, row_str(u, "delivered_on"), years, months) < 0)
                continue;
            if (strcmp(end, from) < 0 || strcmp(end, to) > 0)
                continue;
            const char *accepted = row_str(u, "completion_accepted_on");
            if (accepted)
                calc_period_end(cend, accepted, years, months);
            json_array_append_new(
                    items,
                    json_pack("{s:I, s:s, s:I, s:s?, s:s?, s:s, s:s, s:s, s:s, s:s?, s:b}",
                              "unit_id", (json_int_t)row_int(u, "unit_id"), "room_code",
                              row_str(u, "room_code"), "project_id",
                              (json_int_t)row_int(u, "project_id"), "project_name",
                              row_str(u, "project_name"), "owner_name", row_str(u, "owner_name"),
                              "component", row_str(w, "component"), "name", row_str(w, "name"),
                              "delivered_on", row_str(u, "delivered_on"), "end", end,
                              "contractor_end", cend[0] ? cend : NULL, "mismatch",
                              cend[0] && strcmp(cend, end) < 0));
        }
    }
    json_decref(periods);
    json_decref(units);
    if (rc < 0) {
        json_decref(items);
        return rc;
    }
    *out = json_pack("{s:s, s:s, s:o}", "from", from, "to", to, "items", items);
    return 0;
}

int warranty_expiring(json_t **out,
                      struct db_conn *c,
                      const struct auth_user *who,
                      int64_t project_id,
                      const char *from,
                      const char *to,
                      struct app_err *err)
{
    return ledger(out, c, who, project_id, 0, from, to, err);
}

int warranty_of_unit(json_t **out,
                     struct db_conn *c,
                     const struct auth_user *who,
                     int64_t unit_id,
                     struct app_err *err)
{
    int64_t project = 0;
    int rc = db_query_int64(c, &project, "SELECT project_id FROM units WHERE id = ?", "i", unit_id);
    if (rc == APP_ENOTFOUND)
        return app_err_set(err, rc, NULL, "房源不存在");
    if (rc < 0)
        return rc;
    if (!auth_in_scope(who, project))
        return app_err_set(err, APP_EFORBIDDEN, NULL, "您没有该项目的权限");
    return ledger(out, c, who, project, unit_id, "0000-01-01", "9999-12-31", err);
}
