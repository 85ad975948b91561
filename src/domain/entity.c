/*
 * entity.c - the generic code behind every declared entity: list queries
 * with filters, sorting, paging and project scope; validated create and
 * update with audit records; metadata for the UI.
 *
 * All SQL here is assembled from names in the static declarations only;
 * every value from a request is bound.
 */
#include "entity.h"

#include <string.h>

#include "audit.h"
#include "core/crypto.h"
#include "core/strbuf.h"
#include "core/timeutil.h"
#include "core/validate.h"

#define SQL_MAX          (64u * 1024)
#define LIST_DEFAULT     40
#define LIST_MAX         200
#define TEXT_DEFAULT_MAX 200

void entity_cols_text(struct entity_cols *x, const char *name, const char *value)
{
    if (x->n >= 8)
        abort();
    x->name[x->n] = name;
    x->is_text[x->n] = 1;
    x->t[x->n] = value ? xstrdup(value) : NULL;
    x->n++;
}

void entity_cols_int(struct entity_cols *x, const char *name, int64_t value)
{
    if (x->n >= 8)
        abort();
    x->name[x->n] = name;
    x->is_text[x->n] = 0;
    x->i[x->n] = value;
    x->t[x->n] = NULL;
    x->n++;
}

static void cols_free(struct entity_cols *x)
{
    for (int k = 0; k < x->n; k++)
        free(x->t[k]);
    x->n = 0;
}

/*---- Lookup ----*/

const struct entity *entity_find(const char *name)
{
    for (size_t i = 0; i < entities_count; i++)
        if (strcmp(entities[i]->name, name) == 0)
            return entities[i];
    return NULL;
}

const struct entity_field *entity_field(const struct entity *e, const char *name)
{
    for (size_t i = 0; i < e->n_fields; i++)
        if (strcmp(e->fields[i].name, name) == 0)
            return &e->fields[i];
    return NULL;
}

const char *entity_type_name(enum field_type t)
{
    static const char *names[] = {"text", "textarea", "int",      "money", "area",
                                  "date", "datetime", "bool",     "enum",  "enums",
                                  "ref",  "refs",     "password", "json"};
    return (size_t)t < ARRAY_LEN(names) ? names[t] : "text";
}

const char *entity_option_label(const struct entity_field *f, const char *value)
{
    for (const struct field_option *o = f->options; o && o->value; o++)
        if (strcmp(o->value, value) == 0)
            return o->label;
    return value;
}

static int is_linked(const struct entity_field *f)
{
    return f->type == FT_REFS || f->type == FT_ENUMS;
}

static int is_numeric(const struct entity_field *f)
{
    return f->type == FT_INT || f->type == FT_MONEY || f->type == FT_AREA || f->type == FT_REF;
}

/* SQL expression reading field f. */
static void field_expr(struct strbuf *sb, const struct entity_field *f)
{
    if (f->pii)
        strbuf_printf(sb, "t.%s_mask", f->name);
    else if (f->sql)
        strbuf_puts(sb, f->sql);
    else
        strbuf_printf(sb, "t.%s", f->name);
}

/*---- Reading rows ----*/

/* Which output a selected column feeds. */
struct colmap {
    int n;
    const struct entity_field *field[64];
    const char *key[64];
};

static void select_columns(struct strbuf *sb, struct colmap *m, const struct entity *e, int detail)
{
    m->n = 0;
    strbuf_puts(sb, "SELECT t.id");
    m->field[m->n] = NULL;
    m->key[m->n++] = "id";
    for (size_t i = 0; i < e->n_fields; i++) {
        const struct entity_field *f = &e->fields[i];
        if (is_linked(f) || f->type == FT_PASSWORD || strcmp(f->name, "id") == 0)
            continue;
        if ((f->flags & F_DETAIL) && !detail)
            continue;
        strbuf_puts(sb, ", ");
        field_expr(sb, f);
        m->field[m->n] = f;
        m->key[m->n++] = f->name;
        if (f->ref_label_sql) {
            strbuf_printf(sb, ", %s", f->ref_label_sql);
            m->field[m->n] = NULL;
            m->key[m->n++] = f->ref_label;
        }
    }
    strbuf_printf(sb, " FROM %s t", e->table);
}

static json_t *row_json(struct db_stmt *s, const struct colmap *m)
{
    json_t *o = json_object();
    for (int i = 0; i < m->n; i++) {
        const struct entity_field *f = m->field[i];
        json_t *v;
        switch (db_col_type(s, i)) {
        case DB_NULL:
            v = json_null();
            break;
        case DB_INT:
        case DB_FLOAT:
            if (f && f->type == FT_BOOL)
                v = json_boolean(db_col_int64(s, i) != 0);
            else
                v = json_integer(db_col_int64(s, i));
            break;
        default: {
            const char *t = db_col_text(s, i);
            if (f && f->type == FT_JSON) {
                v = json_loads(t ? t : "null", JSON_DECODE_ANY, NULL);
                if (v == NULL)
                    v = json_string(t ? t : "");
            } else {
                v = json_string(t ? t : "");
                if (v == NULL) /* not UTF-8: never leak invalid text */
                    v = json_string("");
            }
            break;
        }
        }
        json_object_set_new(o, m->key[i], v);
    }
    return o;
}

/*---- Filters ----*/

static void like_pattern(char *out, size_t size, const char *v)
{
    size_t o = 0;
    if (size < 4)
        return;
    out[o++] = '%';
    for (; *v && o + 3 < size; v++) {
        if (*v == '%' || *v == '_' || *v == '\\')
            out[o++] = '\\';
        out[o++] = *v;
    }
    out[o++] = '%';
    out[o] = '\0';
}

static int scope_check(const struct entity *e,
                       const struct auth_user *who,
                       const struct entity_field *f,
                       int64_t v,
                       struct app_err *err)
{
    if (e->scope_field && strcmp(f->name, e->scope_field) == 0 && !auth_in_scope(who, v))
        return app_err_set(err, APP_EFORBIDDEN, f->name, "您没有该项目的权限");
    return 0;
}

/* Append " AND <condition>" for one filter key=value. */
static int add_filter(struct strbuf *sb,
                      struct db_params *p,
                      const struct entity *e,
                      const struct auth_user *who,
                      const char *key,
                      const char *value,
                      struct app_err *err)
{
    if (strcmp(key, "q") == 0) {
        if (*value == '\0')
            return 0;
        char pat[512];
        like_pattern(pat, sizeof(pat), value);
        int any = 0;
        for (size_t i = 0; i < e->n_fields; i++) {
            const struct entity_field *f = &e->fields[i];
            if (!(f->flags & F_SEARCH))
                continue;
            strbuf_puts(sb, any ? " OR " : " AND (");
            field_expr(sb, f);
            strbuf_puts(sb, " LIKE ? ESCAPE '\\'");
            db_params_text(p, pat);
            any = 1;
        }
        if (any)
            strbuf_puts(sb, ")");
        return 0;
    }
    char base[64];
    const char *op = "=";
    app_strlcpy(base, key, sizeof(base));
    size_t kl = strlen(base);
    const struct entity_field *f = entity_field(e, base);
    if (f == NULL && kl > 5 && strcmp(base + kl - 5, "_from") == 0) {
        base[kl - 5] = '\0';
        op = ">=";
        f = entity_field(e, base);
    } else if (f == NULL && kl > 3 && strcmp(base + kl - 3, "_to") == 0) {
        base[kl - 3] = '\0';
        op = "<=";
        f = entity_field(e, base);
    }
    if (e->project_filter && strcmp(key, "project_id") == 0) {
        int64_t v;
        if (app_parse_int64(&v, value) < 0)
            return app_err_set(err, APP_EBADREQ, key, "应为整数: %s", key);
        if (!auth_in_scope(who, v))
            return app_err_set(err, APP_EFORBIDDEN, key, "您没有该项目的权限");
        strbuf_printf(sb, " AND (%s)", e->project_filter);
        db_params_int_each(p, e->project_filter, v);
        return 0;
    }
    if (f == NULL || !(f->flags & F_FILTER) || is_linked(f))
        return app_err_set(err, APP_EBADREQ, key, "不支持的筛选条件: %s", key);
    int ranged = strcmp(op, "=") != 0;
    if (ranged && !(is_numeric(f) || f->type == FT_DATE || f->type == FT_DATETIME))
        return app_err_set(err, APP_EBADREQ, key, "该字段不支持范围筛选: %s", key);
    if (*value == '\0')
        return 0; /* an empty filter box means no filter */
    if (f->pii) {
        /* Exact match through the blind index; four digits match a phone's tail. */
        char norm[64], idx[CRYPTO_HASH_HEX];
        size_t vl = strlen(value);
        int digits4 = vl == 4 && strspn(value, "0123456789") == 4;
        if (ranged)
            return app_err_set(err, APP_EBADREQ, key, "该字段不支持范围筛选: %s", key);
        if (f->pii == PII_PHONE && digits4) {
            crypto_blind_index(idx, "phone4", value);
            strbuf_printf(sb, " AND t.%s_tail = ?", f->name);
        } else {
            struct app_err e2 = {0};
            int rc = entity_pii_normalise(norm, sizeof(norm), f->pii, "id_card", value, key, &e2);
            if (rc < 0 && f->pii == PII_ID)
                rc = entity_pii_normalise(norm, sizeof(norm), f->pii, "passport", value, key, &e2);
            if (rc < 0)
                return app_err_set(err, APP_EBADREQ, key, "%s", e2.message);
            entity_pii_index(idx, f->pii, norm);
            strbuf_printf(sb, " AND t.%s_idx = ?", f->name);
        }
        db_params_text(p, idx);
        return 0;
    }
    strbuf_puts(sb, " AND ");
    field_expr(sb, f);
    if (is_numeric(f)) {
        int64_t v;
        if (app_parse_int64(&v, value) < 0)
            return app_err_set(err, APP_EBADREQ, key, "应为整数: %s", key);
        int rc = ranged ? 0 : scope_check(e, who, f, v, err);
        if (rc < 0)
            return rc;
        strbuf_printf(sb, " %s ?", op);
        db_params_int(p, v);
    } else if (f->type == FT_BOOL) {
        int b = strcmp(value, "true") == 0 || strcmp(value, "1") == 0;
        if (!b && strcmp(value, "false") != 0 && strcmp(value, "0") != 0)
            return app_err_set(err, APP_EBADREQ, key, "应为 true 或 false: %s", key);
        strbuf_puts(sb, " = ?");
        db_params_int(p, b);
    } else if (f->type == FT_ENUM) {
        if (strcmp(entity_option_label(f, value), value) == 0 && f->options) {
            int found = 0;
            for (const struct field_option *o = f->options; o->value; o++)
                found |= strcmp(o->value, value) == 0;
            if (!found)
                return app_err_set(err, APP_EBADREQ, key, "没有这个选项: %s", value);
        }
        strbuf_puts(sb, " = ?");
        db_params_text(p, value);
    } else if (f->type == FT_DATE || f->type == FT_DATETIME) {
        int y, m, d;
        int64_t t;
        if (date_parse(&y, &m, &d, value) < 0 && time_parse_iso(&t, value) < 0)
            return app_err_set(err, APP_EBADREQ, key, "日期格式应为 YYYY-MM-DD: %s", key);
        if (f->type == FT_DATETIME && strlen(value) == 10 && strcmp(op, "<=") == 0) {
            char end[32];
            snprintf(end, sizeof(end), "%sT23:59:59Z", value);
            strbuf_puts(sb, " <= ?");
            db_params_text(p, end);
        } else {
            strbuf_printf(sb, " %s ?", op);
            db_params_text(p, value);
        }
    } else {
        char pat[512];
        like_pattern(pat, sizeof(pat), value);
        strbuf_puts(sb, " LIKE ? ESCAPE '\\'");
        db_params_text(p, pat);
    }
    return 0;
}

/* The WHERE clause (always starting "WHERE 1=1") for a query by who. */
static int build_where(struct strbuf *sb,
                       struct db_params *p,
                       const struct entity *e,
                       const struct auth_user *who,
                       const struct entity_query *q,
                       struct app_err *err)
{
    strbuf_puts(sb, " WHERE 1=1");
    if (e->scope_sql && !who->all_projects) {
        strbuf_printf(sb, " AND (%s)", e->scope_sql);
        db_params_int_each(p, e->scope_sql, who->id);
    }
    for (int i = 0; i < q->n; i++) {
        int rc = add_filter(sb, p, e, who, q->key[i], q->value[i], err);
        if (rc < 0)
            return rc;
    }
    return 0;
}

static int
build_order(struct strbuf *sb, const struct entity *e, const char *sort, struct app_err *err)
{
    if (sort == NULL || *sort == '\0')
        sort = e->default_sort ? e->default_sort : "-id";
    int desc = sort[0] == '-';
    const char *name = desc ? sort + 1 : sort;
    if (strcmp(name, "id") == 0) {
        strbuf_printf(sb, " ORDER BY t.id %s", desc ? "DESC" : "ASC");
        return 0;
    }
    const struct entity_field *f = entity_field(e, name);
    if (f == NULL || !(f->flags & F_SORT))
        return app_err_set(err, APP_EBADREQ, "sort", "不能按此字段排序: %s", name);
    strbuf_puts(sb, " ORDER BY ");
    field_expr(sb, f);
    strbuf_printf(sb, " %s, t.id %s", desc ? "DESC" : "ASC", desc ? "DESC" : "ASC");
    return 0;
}

static int run_rows(struct db_conn *c,
                    const char *sql,
                    const struct db_params *p,
                    const struct colmap *m,
                    entity_row_fn fn,
                    void *payload)
{
    struct db_stmt *s = NULL;
    int rc = db_prepare(&s, c, sql);
    if (rc < 0)
        return rc;
    db_params_bind(s, p);
    while ((rc = db_step(s)) == DB_ROW) {
        json_t *row = row_json(s, m);
        int r = fn(row, payload);
        json_decref(row);
        if (r < 0) {
            rc = r;
            break;
        }
    }
    db_finalize(s);
    return rc < 0 ? rc : 0;
}

static int collect_row(json_t *row, void *payload)
{
    json_array_append(payload, row);
    return 0;
}

int entity_each(struct db_conn *c,
                const struct entity *e,
                const struct auth_user *who,
                const struct entity_query *q,
                entity_row_fn fn,
                void *payload,
                struct app_err *err)
{
    struct strbuf sb;
    struct db_params p = {0};
    struct colmap m;
    strbuf_init(&sb, SQL_MAX);
    select_columns(&sb, &m, e, 1); /* exports carry every field */
    int rc = build_where(&sb, &p, e, who, q, err);
    if (rc == 0)
        rc = build_order(&sb, e, q->sort, err);
    if (rc == 0)
        rc = run_rows(c, strbuf_str(&sb), &p, &m, fn, payload);
    if (rc < 0 && err && err->code == 0)
        app_err_set(err, rc, NULL, "查询失败");
    strbuf_free(&sb);
    db_params_free(&p);
    return rc;
}

int entity_list(json_t **out,
                struct db_conn *c,
                const struct entity *e,
                const struct auth_user *who,
                const struct entity_query *q,
                struct app_err *err)
{
    *out = NULL;
    struct strbuf sb, where;
    struct db_params p = {0};
    struct colmap m;
    json_t *items = json_array();
    int64_t total = 0;
    int64_t limit = q->limit == 0 ? LIST_DEFAULT : q->limit;
    strbuf_init(&sb, SQL_MAX);
    strbuf_init(&where, SQL_MAX);
    int rc = 0;
    if (limit < 1 || limit > LIST_MAX) {
        rc = app_err_set(err, APP_EBADREQ, "limit", "limit 应在 1 到 %d 之间", LIST_MAX);
        goto done;
    }
    if (q->offset < 0) {
        rc = app_err_set(err, APP_EBADREQ, "offset", "offset 不能为负");
        goto done;
    }
    rc = build_where(&where, &p, e, who, q, err);
    if (rc < 0)
        goto done;
    /* The count first, with the same parameters. */
    strbuf_printf(&sb, "SELECT COUNT(*) FROM %s t%s", e->table, strbuf_str(&where));
    {
        struct db_stmt *s = NULL;
        rc = db_prepare(&s, c, strbuf_str(&sb));
        if (rc < 0)
            goto done;
        db_params_bind(s, &p);
        rc = db_step(s);
        if (rc == DB_ROW)
            total = db_col_int64(s, 0);
        db_finalize(s);
        if (rc < 0)
            goto done;
    }
    strbuf_reset(&sb);
    select_columns(&sb, &m, e, 0);
    strbuf_puts(&sb, strbuf_str(&where));
    rc = build_order(&sb, e, q->sort, err);
    if (rc < 0)
        goto done;
    strbuf_puts(&sb, " LIMIT ? OFFSET ?");
    db_params_int(&p, limit);
    db_params_int(&p, q->offset);
    rc = run_rows(c, strbuf_str(&sb), &p, &m, collect_row, items);
    if (rc < 0)
        goto done;
    json_t *next = json_null();
    if (q->offset + limit < total) {
        char buf[32];
        snprintf(buf, sizeof(buf), "%lld", (long long)(q->offset + limit));
        json_decref(next);
        next = json_string(buf);
    }
    *out = json_pack("{s:O, s:I, s:o}", "items", items, "total", (json_int_t)total, "next", next);
done:
    if (rc < 0 && err && err->code == 0)
        app_err_set(err, rc, NULL, "查询失败");
    json_decref(items);
    strbuf_free(&sb);
    strbuf_free(&where);
    db_params_free(&p);
    return rc;
}

/* Fill the link-table fields of record id into o. */
static int load_links(json_t *o, struct db_conn *c, const struct entity *e, int64_t id)
{
    for (size_t i = 0; i < e->n_fields; i++) {
        const struct entity_field *f = &e->fields[i];
        if (!is_linked(f))
            continue;
        char *sql = xasprintf("SELECT %s FROM %s WHERE %s = ? ORDER BY %s", f->link_other,
                              f->link_table, f->link_self, f->link_other);
        struct db_stmt *s = NULL;
        int rc = db_prepare(&s, c, sql);
        free(sql);
        if (rc < 0)
            return rc;
        db_bind_int64(s, 1, id);
        json_t *arr = json_array();
        while ((rc = db_step(s)) == DB_ROW) {
            if (f->type == FT_REFS)
                json_array_append_new(arr, json_integer(db_col_int64(s, 0)));
            else
                json_array_append_new(arr, json_string(db_col_text(s, 0)));
        }
        db_finalize(s);
        json_object_set_new(o, f->name, arr);
        if (rc < 0)
            return rc;
    }
    return 0;
}

int entity_get(json_t **out,
               struct db_conn *c,
               const struct entity *e,
               const struct auth_user *who,
               int64_t id,
               struct app_err *err)
{
    *out = NULL;
    struct strbuf sb;
    struct db_params p = {0};
    struct colmap m;
    json_t *row = NULL;
    strbuf_init(&sb, SQL_MAX);
    select_columns(&sb, &m, e, 1);
    strbuf_puts(&sb, " WHERE t.id = ?");
    db_params_int(&p, id);
    struct db_stmt *s = NULL;
    int rc = db_prepare(&s, c, strbuf_str(&sb));
    if (rc < 0)
        goto done;
    db_params_bind(s, &p);
    rc = db_step(s);
    if (rc == DB_ROW)
        row = row_json(s, &m);
    db_finalize(s);
    if (rc < 0)
        goto done;
    if (row == NULL) {
        rc = app_err_set(err, APP_ENOTFOUND, NULL, "%s不存在", e->label);
        goto done;
    }
    if (e->scope_sql && who && !who->all_projects) {
        /* Same predicate as lists, so a record is readable iff it is listed. */
        strbuf_reset(&sb);
        db_params_free(&p);
        strbuf_printf(&sb, "SELECT COUNT(*) FROM %s t WHERE t.id = ? AND (%s)", e->table,
                      e->scope_sql);
        db_params_int(&p, id);
        db_params_int_each(&p, e->scope_sql, who->id);
        int64_t n = 0;
        rc = db_prepare(&s, c, strbuf_str(&sb));
        if (rc < 0)
            goto done;
        db_params_bind(s, &p);
        rc = db_step(s);
        if (rc == DB_ROW)
            n = db_col_int64(s, 0);
        db_finalize(s);
        if (rc < 0)
            goto done;
        if (n == 0) {
            rc = app_err_set(err, APP_EFORBIDDEN, NULL, "您没有该项目的权限");
            goto done;
        }
    }
    rc = load_links(row, c, e, id);
    if (rc < 0)
        goto done;
    *out = row;
    row = NULL;
done:
    if (rc < 0 && err && err->code == 0)
        app_err_set(err, rc, NULL, "查询失败");
    json_decref(row);
    strbuf_free(&sb);
    db_params_free(&p);
    return rc;
}

/*---- Writing ----*/

static size_t utf8_len(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        if (((unsigned char)*s & 0xC0) != 0x80)
            n++;
    return n;
}

static int has_option(const struct entity_field *f, const char *v)
{
    for (const struct field_option *o = f->options; o && o->value; o++)
        if (strcmp(o->value, v) == 0)
            return 1;
    return 0;
}

static int ref_exists(struct db_conn *c, const char *ref, int64_t id)
{
    const struct entity *re = entity_find(ref);
    if (re == NULL)
        return 0;
    char *sql = xasprintf("SELECT COUNT(*) FROM %s WHERE id = ?", re->table);
    int64_t n = 0;
    int rc = db_query_int64(c, &n, sql, "i", id);
    free(sql);
    return rc == 0 && n > 0;
}

/* Columns and values of one INSERT or UPDATE. */
struct colset {
    int n;
    char name[48][48];
    struct db_params p; /* values, parallel to name */
};

static void colset_text(struct colset *cs, const char *name, const char *v)
{
    if (cs->n >= 48)
        abort(); /* more columns than any declared entity has */
    app_strlcpy(cs->name[cs->n++], name, sizeof(cs->name[0]));
    db_params_text(&cs->p, v);
}

static void colset_int(struct colset *cs, const char *name, int64_t v)
{
    if (cs->n >= 48)
        abort();
    app_strlcpy(cs->name[cs->n++], name, sizeof(cs->name[0]));
    db_params_int(&cs->p, v);
}

static void colset_suffixed(struct colset *cs, const char *base, const char *suffix, const char *v)
{
    char name[48];
    snprintf(name, sizeof(name), "%s%s", base, suffix);
    colset_text(cs, name, v);
}

/* The document type that applies to an ID-number field: given in this
 * request, else the record's current one, else the resident ID card. */
static const char *pii_doc_type(const struct entity_field *f, json_t *in, json_t *before)
{
    const char *t = NULL;
    if (f->pii_type_field) {
        t = json_string_value(json_object_get(in, f->pii_type_field));
        if (t == NULL && before)
            t = json_string_value(json_object_get(before, f->pii_type_field));
    }
    return t ? t : "id_card";
}

int entity_pii_normalise(char *out,
                         size_t size,
                         enum pii_kind kind,
                         const char *doc_type,
                         const char *value,
                         const char *field,
                         struct app_err *err)
{
    switch (kind) {
    case PII_PHONE:
        return validate_mobile(out, size, value, field, err);
    case PII_ACCOUNT: {
        size_t o = 0;
        for (const char *q = value; *q; q++) {
            if (*q == ' ' || *q == '-')
                continue;
            if (*q < '0' || *q > '9' || o + 1 >= size)
                return app_err_set(err, APP_EINVAL, field, "银行账号应为10到30位数字");
            out[o++] = *q;
        }
        out[o] = '\0';
        if (o < 10 || o > 30)
            return app_err_set(err, APP_EINVAL, field, "银行账号应为10到30位数字");
        return 0;
    }
    case PII_ID:
        if (strcmp(doc_type, "id_card") == 0)
            return validate_id_card(out, size, value, field, err);
        if (strcmp(doc_type, "hmt_permit") == 0)
            return validate_hmt_permit(out, size, value, field, err);
        if (strcmp(doc_type, "foreign_prc") == 0) {
            int rc = validate_id_card(out, size, value, field, err);
            if (rc == 0 && out[0] != '9')
                return app_err_set(err, APP_EINVAL, field, "外国人永久居留身份证号码应以9开头");
            return rc;
        }
        if (strcmp(doc_type, "uscc") == 0)
            return validate_uscc(out, size, value, field, err);
        return validate_document_no(out, size, value, field, err);
    default:
        return app_err_set(err, APP_EINVAL, field, "不支持的字段");
    }
}

static const char *pii_purpose(enum pii_kind kind)
{
    return kind == PII_PHONE ? "phone" : kind == PII_ACCOUNT ? "account" : "id";
}

void entity_pii_index(char out[CRYPTO_HASH_HEX], enum pii_kind kind, const char *norm)
{
    crypto_blind_index(out, pii_purpose(kind), norm);
}

void entity_pii_seal(struct entity_pii *out, enum pii_kind kind, const char *norm)
{
    size_t n = strlen(norm);
    entity_pii_index(out->idx, kind, norm);
    out->tail[0] = '\0';
    if (kind == PII_PHONE) {
        crypto_blind_index(out->tail, "phone4", n >= 4 ? norm + n - 4 : norm);
        mask_phone(out->mask, sizeof(out->mask), norm);
    } else if (kind == PII_ID && n >= 15) {
        mask_id(out->mask, sizeof(out->mask), norm);
    } else {
        mask_tail(out->mask, sizeof(out->mask), norm);
    }
    out->enc = crypto_seal(norm);
}

void entity_pii_free(struct entity_pii *p)
{
    free(p->enc);
    p->enc = NULL;
}

/* A personal-data field: normalised, sealed, blind-indexed and masked. */
static int pii_value(struct colset *cs,
                     struct db_conn *c,
                     const struct entity *e,
                     const struct entity_field *f,
                     json_t *v,
                     json_t *in,
                     json_t *before,
                     int64_t self_id,
                     struct app_err *err)
{
    if (json_is_null(v) || (json_is_string(v) && json_string_length(v) == 0)) {
        if (f->flags & F_REQUIRED)
            return app_err_set(err, APP_EINVAL, f->name, "%s不能为空", f->label);
        colset_suffixed(cs, f->name, "_enc", NULL);
        colset_suffixed(cs, f->name, "_idx", NULL);
        colset_suffixed(cs, f->name, "_mask", NULL);
        if (f->pii == PII_PHONE)
            colset_suffixed(cs, f->name, "_tail", NULL);
        return 0;
    }
    if (!json_is_string(v))
        return app_err_set(err, APP_EINVAL, f->name, "%s应为文本", f->label);
    char norm[64];
    int rc = entity_pii_normalise(norm, sizeof(norm), f->pii, pii_doc_type(f, in, before),
                                  json_string_value(v), f->name, err);
    if (rc < 0)
        return rc;
    struct entity_pii sealed;
    entity_pii_seal(&sealed, f->pii, norm);
    if (f->flags & F_UNIQUE) {
        char *sql = xasprintf("SELECT COUNT(*) FROM %s WHERE %s_idx = ? AND id <> ?", e->table,
                              f->name);
        int64_t n = 0;
        rc = db_query_int64(c, &n, sql, "ti", sealed.idx, self_id);
        free(sql);
        if (rc == 0 && n > 0)
            rc = app_err_set(err, APP_ECONFLICT, f->name, "已有相同%s的记录", f->label);
        if (rc < 0) {
            entity_pii_free(&sealed);
            return rc;
        }
    }
    colset_suffixed(cs, f->name, "_enc", sealed.enc);
    colset_suffixed(cs, f->name, "_idx", sealed.idx);
    colset_suffixed(cs, f->name, "_mask", sealed.mask);
    if (f->pii == PII_PHONE)
        colset_suffixed(cs, f->name, "_tail", sealed.tail);
    entity_pii_free(&sealed);
    return 0;
}

/* Validate v for field f and add its column(s) to cs. Text is trimmed. */
static int check_value(struct colset *cs,
                       struct db_conn *c,
                       const struct entity *e,
                       const struct auth_user *who,
                       const struct entity_field *f,
                       json_t *v,
                       json_t *in,
                       json_t *before,
                       int64_t self_id,
                       struct app_err *err)
{
    const char *n = f->name;
    if (f->pii)
        return pii_value(cs, c, e, f, v, in, before, self_id, err);
    if (json_is_null(v)) {
        if (f->flags & F_REQUIRED)
            return app_err_set(err, APP_EINVAL, n, "%s不能为空", f->label);
        colset_text(cs, n, NULL);
        return 0;
    }
    switch (f->type) {
    case FT_TEXT:
    case FT_TEXTAREA:
    case FT_DATE:
    case FT_DATETIME:
    case FT_ENUM: {
        if (!json_is_string(v))
            return app_err_set(err, APP_EINVAL, n, "%s应为文本", f->label);
        const char *s = json_string_value(v);
        while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
            s++;
        size_t len = strlen(s);
        while (len && (s[len - 1] == ' ' || s[len - 1] == '\t' || s[len - 1] == '\n' ||
                       s[len - 1] == '\r'))
            len--;
        char *t = xstrndup(s, len);
        int rc = 0;
        int maxlen = f->maxlen ? f->maxlen : TEXT_DEFAULT_MAX;
        if (*t == '\0' && (f->flags & F_REQUIRED))
            rc = app_err_set(err, APP_EINVAL, n, "%s不能为空", f->label);
        else if (utf8_len(t) > (size_t)maxlen)
            rc = app_err_set(err, APP_EINVAL, n, "%s不能超过 %d 个字", f->label, maxlen);
        for (const char *q = t; rc == 0 && *q; q++)
            if ((unsigned char)*q < 0x20 && !(f->type == FT_TEXTAREA && (*q == '\n' || *q == '\t')))
                rc = app_err_set(err, APP_EINVAL, n, "%s含有不可见的控制字符", f->label);
        if (rc == 0 && f->normalise && *t) {
            char norm[128];
            rc = f->normalise(norm, sizeof(norm), t, n, err);
            if (rc == 0) {
                free(t);
                t = xstrdup(norm);
            }
        }
        if (rc == 0 && f->type == FT_ENUM && !has_option(f, t))
            rc = app_err_set(err, APP_EINVAL, n, "%s的取值无效: %s", f->label, t);
        if (rc == 0 && f->type == FT_DATE && *t) {
            int y, m, d;
            if (date_parse(&y, &m, &d, t) < 0)
                rc = app_err_set(err, APP_EINVAL, n, "%s应为有效日期 YYYY-MM-DD", f->label);
        }
        if (rc == 0 && f->type == FT_DATETIME && *t) {
            int64_t ts;
            if (time_parse_iso(&ts, t) < 0)
                rc = app_err_set(err, APP_EINVAL, n, "%s应为 YYYY-MM-DDTHH:MM:SSZ", f->label);
        }
        if (rc == 0 && (f->flags & F_UNIQUE) && *t) {
            char *sql = xasprintf("SELECT COUNT(*) FROM %s WHERE %s = ? AND id <> ?", e->table, n);
            int64_t cnt = 0;
            rc = db_query_int64(c, &cnt, sql, "ti", t, self_id);
            free(sql);
            if (rc == 0 && cnt > 0)
                rc = app_err_set(err, APP_ECONFLICT, n, "%s已存在: %s", f->label, t);
        }
        if (rc == 0)
            colset_text(cs, n, *t || (f->flags & F_REQUIRED) ? t : NULL);
        free(t);
        return rc;
    }
    case FT_INT:
    case FT_MONEY:
    case FT_AREA:
    case FT_REF: {
        if (!json_is_integer(v))
            return app_err_set(err, APP_EINVAL, n, "%s应为整数", f->label);
        int64_t i = json_integer_value(v);
        if ((f->type == FT_MONEY || f->type == FT_AREA) && i < 0)
            return app_err_set(err, APP_EINVAL, n, "%s不能为负数", f->label);
        if (f->type == FT_REF) {
            if (i <= 0 || !ref_exists(c, f->ref, i))
                return app_err_set(err, APP_EINVAL, n, "%s不存在", f->label);
            int rc = scope_check(e, who, f, i, err);
            if (rc < 0)
                return rc;
        }
        colset_int(cs, n, i);
        return 0;
    }
    case FT_BOOL:
        if (!json_is_boolean(v))
            return app_err_set(err, APP_EINVAL, n, "%s应为 true 或 false", f->label);
        colset_int(cs, n, json_is_true(v));
        return 0;
    case FT_JSON: {
        if (!json_is_object(v) && !json_is_array(v))
            return app_err_set(err, APP_EINVAL, n, "%s应为 JSON 对象或数组", f->label);
        char *text = json_dumps(v, JSON_COMPACT);
        int rc = strlen(text) > 200000 ? app_err_set(err, APP_EINVAL, n, "%s过大", f->label) : 0;
        if (rc == 0)
            colset_text(cs, n, text);
        free(text);
        return rc;
    }
    default:
        return app_err_set(err, APP_EINVAL, n, "%s不能直接设置", f->label);
    }
}

/* Validate a link-table field's array value. */
static int
check_links(struct db_conn *c, const struct entity_field *f, json_t *v, struct app_err *err)
{
    size_t i;
    json_t *x;
    if (!json_is_array(v))
        return app_err_set(err, APP_EINVAL, f->name, "%s应为数组", f->label);
    if (json_array_size(v) > 1000)
        return app_err_set(err, APP_EINVAL, f->name, "%s项数过多", f->label);
    json_array_foreach(v, i, x)
    {
        if (f->type == FT_REFS) {
            if (!json_is_integer(x) || !ref_exists(c, f->ref, json_integer_value(x)))
                return app_err_set(err, APP_EINVAL, f->name, "%s含有不存在的项", f->label);
        } else if (!json_is_string(x) || !has_option(f, json_string_value(x))) {
            return app_err_set(err, APP_EINVAL, f->name, "%s含有无效的项", f->label);
        }
    }
    return 0;
}

static int write_links(struct db_conn *c, const struct entity_field *f, int64_t id, json_t *v)
{
    size_t i;
    json_t *x;
    char *del = xasprintf("DELETE FROM %s WHERE %s = ?", f->link_table, f->link_self);
    char *ins = xasprintf("INSERT INTO %s (%s, %s) VALUES (?, ?)", f->link_table, f->link_self,
                          f->link_other);
    int rc = db_run(c, del, "i", id);
    json_array_foreach(v, i, x)
    {
        if (rc < 0)
            break;
        /* Skip duplicates within the array. */
        int dup = 0;
        for (size_t k = 0; k < i; k++)
            dup |= json_equal(json_array_get(v, k), x);
        if (dup)
            continue;
        if (f->type == FT_REFS)
            rc = db_run(c, ins, "ii", id, (int64_t)json_integer_value(x));
        else
            rc = db_run(c, ins, "it", id, json_string_value(x));
    }
    free(del);
    free(ins);
    return rc < 0 ? rc : 0;
}

static void now_iso(char *buf, size_t size)
{
    time_now_iso(buf, size);
}

/* Check that every key of in is a field writable in this mode. */
static int check_keys(const struct entity *e, json_t *in, unsigned flag, struct app_err *err)
{
    const char *key;
    json_t *v;
    if (!json_is_object(in))
        return app_err_set(err, APP_EINVAL, NULL, "请求体应为 JSON 对象");
    json_object_foreach(in, key, v)
    {
        const struct entity_field *f = entity_field(e, key);
        if (f == NULL)
            return app_err_set(err, APP_EINVAL, key, "未知字段: %s", key);
        if (!(f->flags & flag))
            return app_err_set(err, APP_EINVAL, key,
                               flag == F_CREATE ? "%s不能在新建时设置" : "%s不能修改", f->label);
    }
    return 0;
}

/* Validate the plain fields of in into cs and the link fields in place. */
static int collect(struct colset *cs,
                   struct db_conn *c,
                   const struct entity *e,
                   const struct auth_user *who,
                   json_t *in,
                   json_t *before,
                   int64_t self_id,
                   struct app_err *err)
{
    for (size_t i = 0; i < e->n_fields; i++) {
        const struct entity_field *f = &e->fields[i];
        json_t *v = json_object_get(in, f->name);
        if (v == NULL || f->type == FT_PASSWORD)
            continue;
        int rc = is_linked(f) ? check_links(c, f, v, err)
                              : check_value(cs, c, e, who, f, v, in, before, self_id, err);
        if (rc < 0)
            return rc;
    }
    return 0;
}

static void add_hook_cols(struct colset *cs, struct entity_cols *x)
{
    for (int k = 0; k < x->n; k++) {
        if (x->is_text[k])
            colset_text(cs, x->name[k], x->t[k]);
        else
            colset_int(cs, x->name[k], x->i[k]);
    }
}

static int save_links(struct db_conn *c, const struct entity *e, int64_t id, json_t *in)
{
    for (size_t i = 0; i < e->n_fields; i++) {
        const struct entity_field *f = &e->fields[i];
        json_t *v = json_object_get(in, f->name);
        if (v && is_linked(f)) {
            int rc = write_links(c, f, id, v);
            if (rc < 0)
                return rc;
        }
    }
    return 0;
}

/* Run an INSERT ... RETURNING id (id_out set) or an UPDATE (id_out NULL);
 * a constraint the checks did not foresee is a conflict naming the entity. */
static int write_row(int64_t *id_out,
                     struct db_conn *c,
                     const struct entity *e,
                     const char *sql,
                     const struct db_params *p,
                     struct app_err *err)
{
    struct db_stmt *s = NULL;
    int rc = db_prepare(&s, c, sql);
    if (rc < 0)
        return rc;
    db_params_bind(s, p);
    rc = db_step(s);
    if (rc == DB_ROW && id_out)
        *id_out = db_col_int64(s, 0);
    db_finalize(s);
    if (rc == APP_ECONFLICT)
        return app_err_set(err, APP_ECONFLICT, NULL, "%s与已有记录冲突", e->label);
    return rc < 0 ? rc : 0;
}

int entity_insert(int64_t *id_out,
                  struct db_conn *c,
                  const struct entity *e,
                  const struct auth_user *who,
                  json_t *in,
                  struct app_err *err)
{
    *id_out = 0;
    struct strbuf sb;
    struct colset cs;
    struct entity_cols x = {0};
    int64_t id = 0;
    memset(&cs, 0, sizeof(cs));
    strbuf_init(&sb, SQL_MAX);
    int rc = check_keys(e, in, F_CREATE, err);
    if (rc < 0)
        goto done;
    for (size_t i = 0; i < e->n_fields; i++) {
        const struct entity_field *f = &e->fields[i];
        if ((f->flags & F_REQUIRED) && (f->flags & F_CREATE) &&
            json_object_get(in, f->name) == NULL) {
            rc = app_err_set(err, APP_EINVAL, f->name, "%s为必填项", f->label);
            goto done;
        }
    }
    rc = collect(&cs, c, e, who, in, NULL, 0, err);
    if (rc < 0)
        goto done;
    if (e->hooks && e->hooks->before_create) {
        rc = e->hooks->before_create(c, who, in, &x, err);
        if (rc < 0)
            goto done;
    }
    add_hook_cols(&cs, &x);
    if (e->flags & (E_TIMESTAMPS | E_CREATED_AT)) {
        char at[32];
        now_iso(at, sizeof(at));
        colset_text(&cs, "created_at", at);
        if (e->flags & E_TIMESTAMPS)
            colset_text(&cs, "updated_at", at);
    }
    strbuf_printf(&sb, "INSERT INTO %s (", e->table);
    for (int k = 0; k < cs.n; k++)
        strbuf_printf(&sb, "%s%s", k ? ", " : "", cs.name[k]);
    strbuf_puts(&sb, ") VALUES (");
    for (int k = 0; k < cs.n; k++)
        strbuf_puts(&sb, k ? ", ?" : "?");
    strbuf_puts(&sb, ") RETURNING id");
    rc = write_row(&id, c, e, strbuf_str(&sb), &cs.p, err);
    if (rc < 0)
        goto done;
    rc = save_links(c, e, id, in);
    if (rc < 0)
        goto done;
    *id_out = id;
    rc = 0;
done:
    if (rc < 0 && err && err->code == 0)
        app_err_set(err, rc, NULL, "保存失败");
    strbuf_free(&sb);
    db_params_free(&cs.p);
    cols_free(&x);
    return rc;
}

int entity_create(json_t **out,
                  struct db_conn *c,
                  const struct entity *e,
                  const struct auth_user *who,
                  json_t *in,
                  struct app_err *err)
{
    *out = NULL;
    json_t *after = NULL;
    int64_t id = 0;
    int rc = entity_insert(&id, c, e, who, in, err);
    if (rc < 0)
        return rc;
    rc = entity_get(&after, c, e, NULL, id, err);
    if (rc < 0)
        return rc;
    rc = audit_append(c, who ? who->id : 0, who ? who->username : "system", "create", e->name, id,
                      NULL, after);
    if (rc < 0) {
        json_decref(after);
        return app_err_set(err, rc, NULL, "保存失败");
    }
    *out = after;
    return 0;
}

int entity_update(json_t **out,
                  struct db_conn *c,
                  const struct entity *e,
                  const struct auth_user *who,
                  int64_t id,
                  json_t *in,
                  struct app_err *err)
{
    *out = NULL;
    struct strbuf sb;
    struct colset cs;
    struct entity_cols x = {0};
    json_t *before = NULL, *after = NULL;
    memset(&cs, 0, sizeof(cs));
    strbuf_init(&sb, SQL_MAX);
    int rc = check_keys(e, in, F_UPDATE, err);
    if (rc < 0)
        goto done;
    rc = entity_get(&before, c, e, who, id, err);
    if (rc < 0)
        goto done;
    rc = collect(&cs, c, e, who, in, before, id, err);
    if (rc < 0)
        goto done;
    if (e->hooks && e->hooks->before_update) {
        rc = e->hooks->before_update(c, who, id, in, before, &x, err);
        if (rc < 0)
            goto done;
    }
    add_hook_cols(&cs, &x);
    if (cs.n > 0 && (e->flags & E_TIMESTAMPS)) {
        char at[32];
        now_iso(at, sizeof(at));
        colset_text(&cs, "updated_at", at);
    }
    if (cs.n > 0) {
        strbuf_printf(&sb, "UPDATE %s SET ", e->table);
        for (int k = 0; k < cs.n; k++)
            strbuf_printf(&sb, "%s%s = ?", k ? ", " : "", cs.name[k]);
        strbuf_puts(&sb, " WHERE id = ?");
        db_params_int(&cs.p, id);
        rc = write_row(NULL, c, e, strbuf_str(&sb), &cs.p, err);
        if (rc < 0)
            goto done;
    }
    rc = save_links(c, e, id, in);
    if (rc < 0)
        goto done;
    rc = entity_get(&after, c, e, NULL, id, err);
    if (rc < 0)
        goto done;
    if (e->hooks && e->hooks->after_update) {
        rc = e->hooks->after_update(c, who, id, before, after, err);
        if (rc < 0)
            goto done;
    }
    /* updated_at alone is no change worth a record. */
    json_t *b = json_deep_copy(before), *a = json_deep_copy(after);
    json_object_del(b, "updated_at");
    json_object_del(a, "updated_at");
    int changed = !json_equal(a, b);
    json_decref(a);
    json_decref(b);
    if (changed) {
        rc = audit_append(c, who ? who->id : 0, who ? who->username : "system", "update", e->name,
                          id, before, after);
        if (rc < 0)
            goto done;
    }
    *out = after;
    after = NULL;
done:
    if (rc < 0 && err && err->code == 0)
        app_err_set(err, rc, NULL, "保存失败");
    json_decref(before);
    json_decref(after);
    strbuf_free(&sb);
    db_params_free(&cs.p);
    cols_free(&x);
    return rc;
}

int entity_reveal(char **out,
                  struct db_conn *c,
                  const struct entity *e,
                  const struct auth_user *who,
                  int64_t id,
                  const char *field,
                  struct app_err *err)
{
    *out = NULL;
    const struct entity_field *f = field ? entity_field(e, field) : NULL;
    if (f == NULL || !f->pii)
        return app_err_set(err, APP_EINVAL, "field", "该字段没有需要显示的完整内容");
    if (!auth_has(who, f->reveal_perm))
        return app_err_set(err, APP_EFORBIDDEN, field, "您的岗位不能查看完整的%s", f->label);
    json_t *rec = NULL;
    int rc = entity_get(&rec, c, e, who, id, err); /* existence and scope */
    json_decref(rec);
    if (rc < 0)
        return rc;
    char *sql = xasprintf("SELECT %s_enc FROM %s WHERE id = ?", f->name, e->table);
    char *sealed = NULL;
    rc = db_query_text(c, &sealed, sql, "i", id);
    free(sql);
    if (rc < 0)
        return rc;
    if (sealed == NULL) {
        *out = NULL; /* nothing recorded */
        return 0;
    }
    char *plain = crypto_open(sealed);
    free(sealed);
    if (plain == NULL)
        return app_err_set(err, APP_EINTERNAL, NULL, "无法解密%s（密钥不匹配？）", f->label);
    /* The read itself is the event: which field, never the value. */
    json_t *detail = json_pack("{s:s}", "field", f->name);
    rc = audit_append(c, who->id, who->username, "reveal", e->name, id, NULL, detail);
    json_decref(detail);
    if (rc < 0) {
        free(plain);
        return rc;
    }
    *out = plain;
    return 0;
}

/*---- Metadata ----*/

static json_t *options_json(const struct field_option *o)
{
    json_t *arr = json_array();
    for (; o && o->value; o++) {
        json_t *x = json_pack("{s:s, s:s, s:s}", "value", o->value, "label", o->label, "label_en",
                              o->label_en ? o->label_en : o->label);
        if (o->color)
            json_object_set_new(x, "color", json_string(o->color));
        json_array_append_new(arr, x);
    }
    return arr;
}

json_t *entity_enums(void)
{
    json_t *out = json_object();
    for (size_t i = 0; i < entities_count; i++) {
        const struct entity *e = entities[i];
        for (size_t k = 0; k < e->n_fields; k++) {
            const struct entity_field *f = &e->fields[k];
            if (f->options == NULL)
                continue;
            char key[128];
            snprintf(key, sizeof(key), "%s.%s", e->name, f->name);
            json_object_set_new(out, key,
                                json_pack("{s:s, s:s, s:s, s:s, s:o}", "name", f->name, "type",
                                          "enum", "label", f->label, "label_en",
                                          f->label_en ? f->label_en : f->label, "options",
                                          options_json(f->options)));
        }
    }
    return out;
}

json_t *entity_meta(const struct entity *e, const struct auth_user *who)
{
    json_t *fields = json_array();
    for (size_t i = 0; i < e->n_fields; i++) {
        const struct entity_field *f = &e->fields[i];
        json_t *o = json_pack(
                "{s:s, s:s, s:s, s:s, s:b, s:b, s:b, s:b, s:b, s:b, s:b, s:b}", "name", f->name,
                "label", f->label, "label_en", f->label_en ? f->label_en : f->label, "type",
                entity_type_name(f->type), "required", (f->flags & F_REQUIRED) != 0, "list",
                (f->flags & F_LIST) != 0, "filter", (f->flags & F_FILTER) != 0, "sort",
                (f->flags & F_SORT) != 0, "create", (f->flags & F_CREATE) != 0, "update",
                (f->flags & F_UPDATE) != 0, "search", (f->flags & F_SEARCH) != 0, "masked",
                f->pii != 0);
        if (f->pii)
            json_object_set_new(o, "reveal", json_boolean(auth_has(who, f->reveal_perm)));
        if (f->type == FT_TEXT || f->type == FT_TEXTAREA || f->type == FT_PASSWORD)
            json_object_set_new(o, "maxlen",
                                json_integer(f->maxlen ? f->maxlen : TEXT_DEFAULT_MAX));
        if (f->options)
            json_object_set_new(o, "options", options_json(f->options));
        if (f->ref)
            json_object_set_new(o, "ref", json_string(f->ref));
        if (f->ref_label)
            json_object_set_new(o, "ref_label", json_string(f->ref_label));
        json_array_append_new(fields, o);
    }
    int writable = e->write_perm && !(e->flags & E_READONLY) && auth_has(who, e->write_perm);
    int creatable = writable && !(e->flags & E_NO_CREATE);
    char path[96];
    snprintf(path, sizeof(path), "/api/v1/%s", e->name);
    json_t *meta = json_pack("{s:s, s:s, s:s, s:s, s:s?, s:s?, s:b, s:b, s:b, s:b, s:s?, s:o}",
                             "name", e->name, "label", e->label, "label_en", e->label_en, "path",
                             path, "title_field", e->title_field, "default_sort", e->default_sort,
                             "can_create", creatable, "can_update", writable, "can_export",
                             e->export_perm && auth_has(who, e->export_perm), "project_scoped",
                             e->scope_sql != NULL, "read_perm", e->read_perm, "fields", fields);
    /* Scoped lists all take ?project_id= (the top bar's project switcher). */
    json_object_set_new(
            meta, "project_filter",
            json_boolean(e->project_filter != NULL ||
                         (e->scope_field && strcmp(e->scope_field, "project_id") == 0)));
    return meta;
}
