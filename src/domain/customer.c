/*
 * customer.c - search for a live phone call, the 360 view and timeline,
 * duplicates and merges, personal-data export and anonymisation, and the
 * building grid.
 */
#include "customer.h"

#include <string.h>

#include <ctype.h>

#include "audit.h"
#include "core/crypto.h"
#include "core/strbuf.h"
#include "core/timeutil.h"
#include "core/validate.h"
#include "entity.h"
#include "query.h"

/* The columns a customer shows in search results and duplicate groups. */
#define CUSTOMER_BRIEF                                                                             \
    "t.id, t.name, t.kind, t.status, t.phone_mask AS phone, t.id_number_mask AS id_number,"        \
    " (SELECT p.name || ' ' || u.room_code FROM unit_owners uo JOIN units u ON u.id ="             \
    " uo.unit_id JOIN projects p ON p.id = u.project_id WHERE uo.customer_id = t.id"               \
    " ORDER BY u.id LIMIT 1) AS unit_summary"

/* The owner a unit is known by: the primary owner, else the first. */
#define UNIT_OWNER_NAME                                                                            \
    "(SELECT c.name FROM unit_owners uo JOIN customers c ON c.id = uo.customer_id"                 \
    " WHERE uo.unit_id = t.id ORDER BY uo.is_primary DESC, c.id LIMIT 1)"
#define UNIT_OWNER_ID                                                                              \
    "(SELECT uo.customer_id FROM unit_owners uo WHERE uo.unit_id = t.id"                           \
    " ORDER BY uo.is_primary DESC, uo.customer_id LIMIT 1)"

/* Append the caller's scope predicate of entity e (alias t). */
static void
add_scope(struct strbuf *sql, struct db_params *p, const char *entity, const struct auth_user *who)
{
    const struct entity *e = entity_find(entity);
    if (e && e->scope_sql && !who->all_projects) {
        strbuf_printf(sql, " AND (%s)", e->scope_sql);
        db_params_int_each(p, e->scope_sql, who->id);
    }
}

static int in_scope(struct db_conn *c,
                    const struct auth_user *who,
                    const char *entity,
                    int64_t id,
                    struct app_err *err)
{
    json_t *rec = NULL;
    int rc = entity_get(&rec, c, entity_find(entity), who, id, err);
    json_decref(rec);
    return rc;
}

/*---- Search ----*/

static int only_digits(const char *s)
{
    if (*s == '\0')
        return 0;
    for (; *s; s++)
        if (!isdigit((unsigned char)*s))
            return 0;
    return 1;
}

static size_t count_digits(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += isdigit((unsigned char)*s) != 0;
    return n;
}

static int only_letters(const char *s)
{
    if (*s == '\0')
        return 0;
    for (; *s; s++)
        if (!isalpha((unsigned char)*s))
            return 0;
    return 1;
}

/* "3-2-1501", "3-2", "1501"-like room codes: digits and dashes with a dash. */
static int looks_like_room(const char *s)
{
    int dash = 0;
    for (; *s; s++) {
        if (*s == '-')
            dash = 1;
        else if (!isalnum((unsigned char)*s))
            return 0;
    }
    return dash;
}

/* Customers matching where, in order_by order: the searched index, so the
 * first rows come without sorting every match. */
static int search_customers(json_t **out,
                            struct db_conn *c,
                            const struct auth_user *who,
                            const char *where,
                            const char *order_by,
                            struct db_params *p,
                            int limit)
{
    struct strbuf sql;
    strbuf_init(&sql, 8192);
    strbuf_printf(&sql,
                  "SELECT " CUSTOMER_BRIEF " FROM customers t WHERE t.status = 'active' AND (%s)",
                  where);
    add_scope(&sql, p, "customers", who);
    strbuf_printf(&sql, " ORDER BY %s LIMIT ?", order_by);
    db_params_int(p, limit);
    int rc = query_rows(out, c, strbuf_str(&sql), p);
    strbuf_free(&sql);
    return rc;
}

/* Units matching where. The index gives the first 200 in code order
 * (1-1-1001 before 1-1-101); those are then shown by project, floor and
 * code, the way a sales office reads them. */
static int search_units(json_t **out,
                        struct db_conn *c,
                        const struct auth_user *who,
                        const char *where,
                        struct db_params *p,
                        int limit)
{
    struct strbuf sql;
    strbuf_init(&sql, 8192);
    strbuf_printf(&sql,
                  "SELECT t.id, t.room_code, t.status, t.project_id, t.building_id,"
                  " (SELECT p.name FROM projects p WHERE p.id = t.project_id) AS project_name,"
                  " (SELECT b.name FROM buildings b WHERE b.id = t.building_id) AS building_name,"
                  " " UNIT_OWNER_NAME " AS owner_name, " UNIT_OWNER_ID " AS owner_id"
                  " FROM (SELECT * FROM units t WHERE (%s)",
                  where);
    add_scope(&sql, p, "units", who);
    strbuf_puts(&sql, " ORDER BY t.room_code LIMIT 200) t"
                      " ORDER BY t.project_id, t.floor, t.room_code LIMIT ?");
    db_params_int(p, limit);
    int rc = query_rows(out, c, strbuf_str(&sql), p);
    strbuf_free(&sql);
    return rc;
}

int customer_search(json_t **out,
                    struct db_conn *c,
                    const struct auth_user *who,
                    const char *q,
                    int limit,
                    struct app_err *err)
{
    *out = NULL;
    char term[128], norm[64], idx[CRYPTO_HASH_HEX];
    struct db_params p = {0};
    json_t *customers = NULL, *units = NULL;
    const char *kind;
    int rc = 0;
    size_t o = 0;
    /* Keep what people type in a phone number or room code; drop spaces. */
    for (const char *s = q ? q : ""; *s && o + 1 < sizeof(term); s++)
        if (*s != ' ' && *s != '\t')
            term[o++] = *s;
    term[o] = '\0';
    if (o == 0)
        return app_err_set(err, APP_EBADREQ, "q", "请输入姓名、电话、证件号或房号");
    if (limit < 1 || limit > 50)
        limit = 10;
    int can_customers = auth_has(who, "customer.read");
    int can_units = auth_has(who, "unit.read");

    if (only_digits(term) && o == 4) {
        kind = "phone_tail";
        crypto_blind_index(idx, "phone4", term);
        db_params_text(&p, idx);
        db_params_text(&p, idx);
        if (can_customers)
            rc = search_customers(&customers, c, who, "t.phone_tail = ? OR t.phone2_tail = ?",
                                  "t.name, t.id", &p, limit);
    } else if (validate_mobile(norm, sizeof(norm), term, "q", NULL) == 0) {
        kind = "phone";
        entity_pii_index(idx, PII_PHONE, norm);
        db_params_text(&p, idx);
        db_params_text(&p, idx);
        if (can_customers)
            rc = search_customers(&customers, c, who, "t.phone_idx = ? OR t.phone2_idx = ?",
                                  "t.name, t.id", &p, limit);
    } else if ((o == 18 || o == 15) && validate_id_card(norm, sizeof(norm), term, "q", NULL) == 0) {
        kind = "id_number";
        entity_pii_index(idx, PII_ID, norm);
        db_params_text(&p, idx);
        if (can_customers)
            rc = search_customers(&customers, c, who, "t.id_number_idx = ?", "t.id", &p, limit);
    } else if ((term[0] == 'H' || term[0] == 'h') && (term[1] == 'T' || term[1] == 't') &&
               term[2] == '-') {
        /* A contract number (HT-P001-00012) or its beginning: its unit and buyers. */
        kind = "contract";
        char upper[140], norm_no[128];
        for (size_t i = 0; i <= o && i < sizeof(norm_no); i++)
            norm_no[i] = (char)toupper((unsigned char)term[i]);
        snprintf(upper, sizeof(upper), "%s\xf4\x8f\xbf\xbf", norm_no);
        db_params_text(&p, norm_no);
        db_params_text(&p, upper);
        if (can_units)
            rc = search_units(&units, c, who,
                              "t.id IN (SELECT k.unit_id FROM contracts k WHERE k.no >= ? AND"
                              " k.no < ? AND k.status <> 'cancelled')",
                              &p, limit);
        if (rc == 0 && can_customers) {
            db_params_free(&p);
            db_params_text(&p, norm_no);
            db_params_text(&p, upper);
            rc = search_customers(&customers, c, who,
                                  "t.id IN (SELECT b.customer_id FROM contract_buyers b JOIN"
                                  " contracts k ON k.id = b.contract_id WHERE k.no >= ? AND"
                                  " k.no < ?)",
                                  "t.name, t.id", &p, limit);
        }
    } else if (looks_like_room(term)) {
        /* "3-2-15" finds 3-2-1501, 3-2-1502 …: an index range on the code. */
        kind = "room";
        char upper[140];
        snprintf(upper, sizeof(upper), "%s\xf4\x8f\xbf\xbf", term);
        db_params_text(&p, term);
        db_params_text(&p, upper);
        if (can_units)
            rc = search_units(&units, c, who, "t.room_code >= ? AND t.room_code < ?", &p, limit);
    } else if (only_letters(term)) {
        /* Initials are stored lower-case ASCII: "zs" is the range [zs, zs\x7f). */
        kind = "initials";
        char lower[128], upper[140];
        for (size_t i = 0; i <= o; i++)
            lower[i] = (char)tolower((unsigned char)term[i]);
        snprintf(upper, sizeof(upper), "%s\x7f", lower);
        db_params_text(&p, lower);
        db_params_text(&p, upper);
        if (can_customers)
            rc = search_customers(&customers, c, who,
                                  "t.name_initials >= ? AND t.name_initials < ?",
                                  "t.name_initials, t.id", &p, limit);
    } else if (o >= 6 &&
               (validate_id_card(norm, sizeof(norm), term, "q", NULL) == 0 ||
                validate_document_no(norm, sizeof(norm), term, "q", NULL) == 0) &&
               count_digits(term) > 3) {
        kind = "id_number";
        entity_pii_index(idx, PII_ID, norm);
        db_params_text(&p, idx);
        if (can_customers)
            rc = search_customers(&customers, c, who, "t.id_number_idx = ?", "t.id", &p, limit);
    } else {
        /* A name or its beginning: an index range, not a scan. */
        kind = "name";
        char upper[140];
        snprintf(upper, sizeof(upper), "%s\xf4\x8f\xbf\xbf", term);
        db_params_text(&p, term);
        db_params_text(&p, upper);
        if (can_customers)
            rc = search_customers(&customers, c, who, "t.name >= ? AND t.name < ?", "t.name, t.id",
                                  &p, limit);
    }
    if (rc < 0)
        goto done;
    *out = json_pack("{s:s, s:o, s:o}", "kind", kind, "customers",
                     customers ? customers : json_array(), "units", units ? units : json_array());
    customers = units = NULL;
done:
    db_params_free(&p);
    json_decref(customers);
    json_decref(units);
    if (rc < 0 && err && err->code == 0)
        app_err_set(err, rc, NULL, "查询失败");
    return rc;
}

/*---- Timeline and 360 ----*/

int customer_event_add(struct db_conn *c,
                       int64_t customer_id,
                       const char *kind,
                       const char *title,
                       const char *entity,
                       int64_t entity_id,
                       const struct auth_user *who)
{
    char at[32];
    time_now_iso(at, sizeof(at));
    int rc = db_run(c,
                    "INSERT INTO customer_events (customer_id, at, kind, title, entity, entity_id,"
                    " user_id, username) VALUES (?,?,?,?,?,?,?,?)",
                    "ittttiit", customer_id, at, kind, title, entity, entity_id,
                    who ? who->id : (int64_t)0, who ? who->username : "system");
    return rc < 0 ? rc : 0;
}

/* Timeline order: newest first ("at" is ISO-8601 UTC, so text order is time
 * order). */
static int newest_first(json_t *a, json_t *b)
{
    const char *x = json_string_value(json_object_get(a, "at"));
    const char *y = json_string_value(json_object_get(b, "at"));
    return strcmp(y ? y : "", x ? x : "");
}

int customer_360(json_t **out,
                 struct db_conn *c,
                 const struct auth_user *who,
                 int64_t id,
                 struct app_err *err)
{
    *out = NULL;
    json_t *cust = NULL, *units = NULL, *events = NULL, *audit = NULL;
    struct db_params p = {0};
    int rc = entity_get(&cust, c, entity_find("customers"), who, id, err);
    if (rc < 0)
        return rc;
    db_params_int(&p, id);
    rc = query_rows(
            &units, c,
            "SELECT u.id, u.room_code, u.status, u.layout, u.contract_area_dm2,"
            " u.measured_area_dm2, u.list_price_fen, u.project_id, p.name AS project_name,"
            " u.building_id, b.name AS building_name, uo.share_bp, uo.is_primary"
            " FROM unit_owners uo JOIN units u ON u.id = uo.unit_id"
            " JOIN projects p ON p.id = u.project_id JOIN buildings b ON b.id = u.building_id"
            " WHERE uo.customer_id = ? ORDER BY u.project_id, u.room_code",
            &p);
    if (rc < 0)
        goto done;
    size_t i;
    json_t *u;
    json_array_foreach(units, i, u)
    {
        struct db_params q = {0};
        json_t *owners = NULL;
        db_params_int(&q, json_integer_value(json_object_get(u, "id")));
        rc = query_rows(&owners, c,
                        "SELECT c.id, c.name, c.phone_mask AS phone, uo.share_bp, uo.is_primary"
                        " FROM unit_owners uo JOIN customers c ON c.id = uo.customer_id"
                        " WHERE uo.unit_id = ? ORDER BY uo.is_primary DESC, c.id",
                        &q);
        db_params_free(&q);
        if (rc < 0)
            goto done;
        json_object_set_new(u, "owners", owners);
    }
    rc = query_rows(&events, c,
                    "SELECT at, kind, title, entity, entity_id, username FROM customer_events"
                    " WHERE customer_id = ? ORDER BY at DESC, id DESC LIMIT 200",
                    &p);
    if (rc < 0)
        goto done;
    /* Changes to the record itself come from the audit trail. */
    rc = query_rows(&audit, c,
                    "SELECT at, action AS kind, action AS title, entity, entity_id, username,"
                    " after_json AS detail"
                    " FROM audit_log WHERE entity = 'customers' AND entity_id = ?"
                    " ORDER BY id DESC LIMIT 200",
                    &p);
    if (rc < 0)
        goto done;
    static const struct {
        const char *action, *title;
    } titles[] = {{"create", "建档"},
                  {"update", "修改资料"},
                  {"reveal", "查看完整信息"},
                  {"merge", "合并客户"},
                  {"merge_undo", "撤销合并"},
                  {"anonymise", "匿名化"},
                  {"privacy_export", "导出个人信息"},
                  {"import", "批量导入"}};
    json_array_foreach(audit, i, u)
    {
        const char *a = json_string_value(json_object_get(u, "kind"));
        for (size_t k = 0; a && k < ARRAY_LEN(titles); k++)
            if (strcmp(a, titles[k].action) == 0)
                json_object_set_new(u, "title", json_string(titles[k].title));
        /* A reveal says which field was read (never the value). */
        json_t *detail = json_loads(json_string_value(json_object_get(u, "detail"))
                                            ? json_string_value(json_object_get(u, "detail"))
                                            : "null",
                                    JSON_DECODE_ANY, NULL);
        const char *field = json_string_value(json_object_get(detail, "field"));
        const struct entity_field *f = field ? entity_field(entity_find("customers"), field) : NULL;
        if (a && strcmp(a, "reveal") == 0 && f) {
            char title[96];
            snprintf(title, sizeof(title), "查看完整%s", f->label);
            json_object_set_new(u, "title", json_string(title));
            json_object_set_new(u, "field", json_string(field));
        }
        json_decref(detail);
        json_object_del(u, "detail");
        json_array_append(events, u);
    }
    query_sort_rows(events, newest_first); /* whichever source */
    *out = json_pack("{s:O, s:O, s:O}", "customer", cust, "units", units, "timeline", events);
done:
    db_params_free(&p);
    json_decref(cust);
    json_decref(units);
    json_decref(events);
    json_decref(audit);
    if (rc < 0 && err && err->code == 0)
        app_err_set(err, rc, NULL, "查询失败");
    return rc;
}

/*---- Duplicates and merges ----*/

static int duplicate_group(json_t *groups,
                           struct db_conn *c,
                           const struct auth_user *who,
                           const char *reason,
                           const char *col,
                           const char *value,
                           const char *name)
{
    struct strbuf sql;
    struct db_params p = {0};
    json_t *members = NULL;
    strbuf_init(&sql, 8192);
    strbuf_printf(&sql,
                  "SELECT " CUSTOMER_BRIEF
                  " FROM customers t WHERE t.status = 'active' AND t.%s = ?",
                  col);
    db_params_text(&p, value);
    if (name) {
        strbuf_puts(&sql, " AND t.name = ?");
        db_params_text(&p, name);
    }
    add_scope(&sql, &p, "customers", who);
    strbuf_puts(&sql, " ORDER BY t.id");
    int rc = query_rows(&members, c, strbuf_str(&sql), &p);
    strbuf_free(&sql);
    db_params_free(&p);
    if (rc < 0)
        return rc;
    if (json_array_size(members) > 1)
        json_array_append_new(groups,
                              json_pack("{s:s, s:o}", "reason", reason, "customers", members));
    else
        json_decref(members);
    return 0;
}

int customer_duplicates(json_t **out,
                        struct db_conn *c,
                        const struct auth_user *who,
                        struct app_err *err)
{
    *out = NULL;
    json_t *groups = json_array(), *keys = NULL;
    int rc = query_rows(&keys, c,
                        "SELECT id_number_idx AS v, NULL AS name FROM customers"
                        " WHERE status = 'active' AND id_number_idx IS NOT NULL"
                        " GROUP BY id_number_idx HAVING COUNT(*) > 1 LIMIT 200",
                        NULL);
    size_t i;
    json_t *k;
    json_array_foreach(keys, i, k)
    {
        if (rc < 0)
            break;
        rc = duplicate_group(groups, c, who, "same_id_number", "id_number_idx",
                             json_string_value(json_object_get(k, "v")), NULL);
    }
    json_decref(keys);
    keys = NULL;
    if (rc == 0)
        rc = query_rows(&keys, c,
                        "SELECT phone_idx AS v, name FROM customers"
                        " WHERE status = 'active' AND phone_idx IS NOT NULL"
                        " GROUP BY name, phone_idx HAVING COUNT(*) > 1 LIMIT 200",
                        NULL);
    json_array_foreach(keys, i, k)
    {
        if (rc < 0)
            break;
        rc = duplicate_group(groups, c, who, "same_name_phone", "phone_idx",
                             json_string_value(json_object_get(k, "v")),
                             json_string_value(json_object_get(k, "name")));
    }
    json_decref(keys);
    if (rc < 0) {
        json_decref(groups);
        return app_err_set(err, rc, NULL, "查询失败");
    }
    *out = json_pack("{s:o}", "groups", groups);
    return 0;
}

static int customer_status(struct db_conn *c, int64_t id, char **status)
{
    return db_query_text(c, status, "SELECT status FROM customers WHERE id = ?", "i", id);
}

int customer_merge(int64_t *merge_id,
                   struct db_conn *c,
                   const struct auth_user *who,
                   int64_t keep_id,
                   int64_t from_id,
                   struct app_err *err)
{
    *merge_id = 0;
    json_t *owners = NULL, *events = NULL, *moved = NULL;
    struct db_params p = {0};
    char *s1 = NULL, *s2 = NULL;
    if (keep_id == from_id)
        return app_err_set(err, APP_EINVAL, "from_id", "不能与自己合并");
    int rc = in_scope(c, who, "customers", keep_id, err);
    if (rc == 0)
        rc = in_scope(c, who, "customers", from_id, err);
    if (rc < 0)
        return rc;
    rc = customer_status(c, keep_id, &s1);
    if (rc == 0)
        rc = customer_status(c, from_id, &s2);
    if (rc < 0)
        goto done;
    if (strcmp(s1, "active") != 0 || strcmp(s2, "active") != 0) {
        rc = app_err_set(err, APP_ECONFLICT, "from_id", "只能合并状态正常的客户");
        goto done;
    }
    db_params_int(&p, from_id);
    rc = query_rows(&owners, c,
                    "SELECT unit_id, share_bp, is_primary FROM unit_owners WHERE customer_id = ?",
                    &p);
    if (rc == 0)
        rc = query_rows(&events, c, "SELECT id FROM customer_events WHERE customer_id = ?", &p);
    if (rc < 0)
        goto done;
    size_t i;
    json_t *o;
    json_array_foreach(owners, i, o)
    {
        int64_t unit = json_integer_value(json_object_get(o, "unit_id"));
        int64_t both = 0;
        rc = db_query_int64(
                c, &both, "SELECT COUNT(*) FROM unit_owners WHERE unit_id = ? AND customer_id = ?",
                "ii", unit, keep_id);
        if (rc < 0)
            goto done;
        /* The kept record already owns the unit: the duplicate row goes. */
        json_object_set_new(o, "action", json_string(both ? "dropped" : "moved"));
        if (both)
            rc = db_run(c, "DELETE FROM unit_owners WHERE unit_id = ? AND customer_id = ?", "ii",
                        unit, from_id);
        else
            rc = db_run(c,
                        "UPDATE unit_owners SET customer_id = ? WHERE unit_id = ? AND"
                        " customer_id = ?",
                        "iii", keep_id, unit, from_id);
        if (rc < 0)
            goto done;
    }
    rc = db_run(c, "UPDATE customer_events SET customer_id = ? WHERE customer_id = ?", "ii",
                keep_id, from_id);
    if (rc < 0)
        goto done;
    char at[32];
    time_now_iso(at, sizeof(at));
    rc = db_run(c,
                "UPDATE customers SET status = 'merged', merged_into = ?, updated_at = ?"
                " WHERE id = ?",
                "iti", keep_id, at, from_id);
    if (rc < 0)
        goto done;
    moved = json_pack("{s:O, s:O}", "unit_owners", owners, "events", events);
    char *moved_text = json_dumps(moved, JSON_COMPACT);
    rc = db_query_int64(c, merge_id,
                        "INSERT INTO customer_merges (kept_id, merged_id, moved_json, at, user_id,"
                        " username) VALUES (?,?,?,?,?,?) RETURNING id",
                        "iittit", keep_id, from_id, moved_text, at, who->id, who->username);
    free(moved_text);
    if (rc < 0)
        goto done;
    json_t *detail =
            json_pack("{s:I, s:I, s:I, s:O}", "merge_id", (json_int_t)*merge_id, "kept_id",
                      (json_int_t)keep_id, "merged_id", (json_int_t)from_id, "moved", moved);
    rc = audit_append(c, who->id, who->username, "merge", "customers", keep_id, NULL, detail);
    if (rc == 0)
        rc = audit_append(c, who->id, who->username, "merge", "customers", from_id, NULL, detail);
    json_decref(detail);
    if (rc < 0)
        goto done;
    char title[96];
    snprintf(title, sizeof(title), "合并了重复客户 #%lld", (long long)from_id);
    rc = customer_event_add(c, keep_id, "merge", title, "customers", from_id, who);
done:
    db_params_free(&p);
    json_decref(owners);
    json_decref(events);
    json_decref(moved);
    free(s1);
    free(s2);
    if (rc < 0 && err && err->code == 0)
        app_err_set(err, rc, NULL, "合并失败");
    return rc;
}

int customer_merge_undo(struct db_conn *c,
                        const struct auth_user *who,
                        int64_t merge_id,
                        struct app_err *err)
{
    json_t *m = NULL, *moved = NULL;
    struct db_params p = {0};
    db_params_int(&p, merge_id);
    int rc = query_row(&m, c,
                       "SELECT kept_id, merged_id, moved_json, undone_at FROM customer_merges"
                       " WHERE id = ?",
                       &p);
    db_params_free(&p);
    if (rc == APP_ENOTFOUND)
        return app_err_set(err, rc, NULL, "合并记录不存在");
    if (rc < 0)
        return rc;
    int64_t keep = json_integer_value(json_object_get(m, "kept_id"));
    int64_t from = json_integer_value(json_object_get(m, "merged_id"));
    if (!json_is_null(json_object_get(m, "undone_at"))) {
        rc = app_err_set(err, APP_ECONFLICT, NULL, "该合并已撤销");
        goto done;
    }
    /* Only a record still marked merged comes back (not one anonymised since). */
    char *status = NULL;
    rc = customer_status(c, from, &status);
    if (rc < 0)
        goto done;
    int still_merged = strcmp(status, "merged") == 0;
    free(status);
    if (!still_merged) {
        rc = app_err_set(err, APP_ECONFLICT, NULL,
                         "被合并的客户状态已变更（如已匿名化），不能撤销");
        goto done;
    }
    moved = json_loads(json_string_value(json_object_get(m, "moved_json")), 0, NULL);
    if (moved == NULL) {
        rc = app_err_set(err, APP_EINTERNAL, NULL, "合并记录已损坏");
        goto done;
    }
    size_t i;
    json_t *o;
    json_array_foreach(json_object_get(moved, "unit_owners"), i, o)
    {
        int64_t unit = json_integer_value(json_object_get(o, "unit_id"));
        const char *action = json_string_value(json_object_get(o, "action"));
        if (action && strcmp(action, "moved") == 0) {
            rc = db_run(c,
                        "UPDATE unit_owners SET customer_id = ? WHERE unit_id = ? AND"
                        " customer_id = ?",
                        "iii", from, unit, keep);
            if (rc == 0)
                rc = app_err_set(err, APP_ECONFLICT, NULL,
                                 "合并后房产 #%lld 的产权人已变更，无法自动撤销", (long long)unit);
        } else {
            rc = db_run(c,
                        "INSERT INTO unit_owners (unit_id, customer_id, share_bp, is_primary)"
                        " VALUES (?,?,?,?)",
                        "iiii", unit, from,
                        (int64_t)json_integer_value(json_object_get(o, "share_bp")),
                        (int64_t)json_integer_value(json_object_get(o, "is_primary")));
        }
        if (rc < 0)
            goto done;
    }
    json_array_foreach(json_object_get(moved, "events"), i, o)
    {
        rc = db_run(c, "UPDATE customer_events SET customer_id = ? WHERE id = ?", "ii", from,
                    (int64_t)json_integer_value(json_object_get(o, "id")));
        if (rc < 0)
            goto done;
    }
    char at[32];
    time_now_iso(at, sizeof(at));
    rc = db_run(c,
                "UPDATE customers SET status = 'active', merged_into = NULL, updated_at = ?"
                " WHERE id = ?",
                "ti", at, from);
    if (rc >= 0)
        rc = db_run(c, "UPDATE customer_merges SET undone_at = ?, undone_by = ? WHERE id = ?",
                    "tti", at, who->username, merge_id);
    if (rc < 0)
        goto done;
    json_t *detail = json_pack("{s:I, s:I, s:I}", "merge_id", (json_int_t)merge_id, "kept_id",
                               (json_int_t)keep, "merged_id", (json_int_t)from);
    rc = audit_append(c, who->id, who->username, "merge_undo", "customers", keep, NULL, detail);
    if (rc == 0)
        rc = audit_append(c, who->id, who->username, "merge_undo", "customers", from, NULL, detail);
    json_decref(detail);
done:
    json_decref(m);
    json_decref(moved);
    if (rc < 0 && err && err->code == 0)
        app_err_set(err, rc, NULL, "撤销失败");
    return rc < 0 ? rc : 0;
}

/*---- Personal data (PIPL arts. 45-47) ----*/

static const char *const sealed_fields[] = {"id_number", "phone", "phone2", "bank_account"};

int customer_privacy_export(json_t **out,
                            struct db_conn *c,
                            const struct auth_user *who,
                            int64_t id,
                            struct app_err *err)
{
    *out = NULL;
    json_t *view = NULL;
    /* An access request's answer is complete, so it needs every personal-data
     * permission, not only the privacy one. */
    static const char *const need[] = {"customer.pii_id", "customer.pii_phone",
                                       "customer.pii_account"};
    for (size_t i = 0; i < ARRAY_LEN(need); i++)
        if (!auth_has(who, need[i]))
            return app_err_set(err, APP_EFORBIDDEN, NULL,
                               "导出个人信息需要同时具有查看完整证件号、手机号和银行账号的权限");
    int rc = customer_360(&view, c, who, id, err);
    if (rc < 0)
        return rc;
    json_t *cust = json_object_get(view, "customer");
    for (size_t i = 0; i < ARRAY_LEN(sealed_fields); i++) {
        char *sql = xasprintf("SELECT %s_enc FROM customers WHERE id = ?", sealed_fields[i]);
        char *sealed = NULL;
        rc = db_query_text(c, &sealed, sql, "i", id);
        free(sql);
        if (rc < 0)
            goto done;
        char *plain = sealed ? crypto_open(sealed) : NULL;
        free(sealed);
        json_object_set_new(cust, sealed_fields[i], plain ? json_string(plain) : json_null());
        free(plain);
    }
    char at[32];
    time_now_iso(at, sizeof(at));
    json_object_set_new(view, "exported_at", json_string(at));
    json_object_set_new(view, "exported_by", json_string(who->username));
    rc = audit_append(c, who->id, who->username, "privacy_export", "customers", id, NULL, NULL);
    if (rc < 0)
        goto done;
    *out = view;
    view = NULL;
done:
    json_decref(view);
    return rc;
}

int customer_anonymise(struct db_conn *c,
                       const struct auth_user *who,
                       int64_t id,
                       const char *reason,
                       struct app_err *err)
{
    if (reason == NULL || *reason == '\0')
        return app_err_set(err, APP_EINVAL, "reason", "请填写匿名化的原因（如客户申请编号）");
    if (strlen(reason) > 500)
        return app_err_set(err, APP_EINVAL, "reason", "原因不能超过 500 字");
    int rc = in_scope(c, who, "customers", id, err);
    if (rc < 0)
        return rc;
    char *status = NULL;
    rc = customer_status(c, id, &status);
    if (rc < 0)
        return rc;
    int anonymised = strcmp(status, "anonymised") == 0;
    free(status);
    if (anonymised)
        return app_err_set(err, APP_ECONFLICT, NULL, "该客户已匿名化");
    char name[64], at[32];
    snprintf(name, sizeof(name), "已匿名化客户%lld", (long long)id);
    time_now_iso(at, sizeof(at));
    rc = db_run(c,
                "UPDATE customers SET name = ?, name_initials = NULL, gender = NULL,"
                " id_number_enc = NULL, id_number_idx = NULL, id_number_mask = NULL,"
                " phone_enc = NULL, phone_idx = NULL, phone_mask = NULL, phone_tail = NULL,"
                " phone2_enc = NULL, phone2_idx = NULL, phone2_mask = NULL, phone2_tail = NULL,"
                " bank_name = NULL, bank_account_enc = NULL, bank_account_idx = NULL,"
                " bank_account_mask = NULL, address = NULL, note = NULL, hukou = NULL,"
                " marital = NULL, status = 'anonymised', updated_at = ? WHERE id = ?",
                "tti", name, at, id);
    if (rc < 0)
        return rc;
    json_t *detail = json_pack("{s:s}", "reason", reason);
    rc = audit_append(c, who->id, who->username, "anonymise", "customers", id, NULL, detail);
    json_decref(detail);
    return rc;
}

/*---- Building grid ----*/

int building_grid(json_t **out,
                  struct db_conn *c,
                  const struct auth_user *who,
                  int64_t building_id,
                  struct app_err *err)
{
    *out = NULL;
    json_t *b = NULL, *units = NULL;
    struct db_params p = {0};
    int rc = entity_get(&b, c, entity_find("buildings"), who, building_id, err);
    if (rc < 0)
        return rc;
    db_params_int(&p, building_id);
    rc = query_rows(
            &units, c,
            "SELECT t.id, t.room_code, t.unit_no, t.floor, t.room, t.status, t.layout,"
            " t.contract_area_dm2, t.list_price_fen, " UNIT_OWNER_NAME
            " AS owner_name, " UNIT_OWNER_ID " AS owner_id"
            " FROM units t WHERE t.building_id = ? ORDER BY t.floor DESC, t.unit_no, t.room",
            &p);
    db_params_free(&p);
    if (rc < 0) {
        json_decref(b);
        return app_err_set(err, rc, NULL, "查询失败");
    }
    *out = json_pack("{s:o, s:o}", "building", b, "units", units);
    return 0;
}
