/*
 * api_entity.c - the generic handlers behind /api/v1/<entity>: list, get,
 * create, update, Excel export, and the metadata the UI is built from.
 */
#include <string.h>

#include "api.h"
#include "core/timeutil.h"
#include "core/xlsx.h"
#include "domain/nav.h"

/*---- Query string ----*/

struct query_parse {
    struct entity_query *q;
    struct app_err *err;
    int rc;
};

static int query_arg(const char *key, const char *value, void *payload)
{
    struct query_parse *qp = payload;
    struct entity_query *q = qp->q;
    if (!app_utf8_valid(key, strlen(key)) || !app_utf8_valid(value, strlen(value))) {
        qp->rc = app_err_set(qp->err, APP_EBADREQ, NULL, "查询参数不是有效的 UTF-8");
        return 1;
    }
    if (strcmp(key, "sort") == 0) {
        q->sort = value;
    } else if (strcmp(key, "limit") == 0) {
        if (app_parse_int64(&q->limit, value) < 0 || q->limit < 1) {
            qp->rc = app_err_set(qp->err, APP_EBADREQ, "limit", "limit 应为正整数");
            return 1;
        }
    } else if (strcmp(key, "offset") == 0 || strcmp(key, "cursor") == 0) {
        if (app_parse_int64(&q->offset, value) < 0 || q->offset < 0) {
            qp->rc = app_err_set(qp->err, APP_EBADREQ, key, "%s 无效", key);
            return 1;
        }
    } else if (strcmp(key, "_") == 0) {
        /* cache buster */
    } else {
        if (q->n >= (int)ARRAY_LEN(q->key)) {
            qp->rc = app_err_set(qp->err, APP_EBADREQ, NULL, "筛选条件过多");
            return 1;
        }
        q->key[q->n] = key;
        q->value[q->n] = value;
        q->n++;
    }
    return 0;
}

static int parse_query(struct api_ctx *ctx, struct entity_query *q, struct app_err *err)
{
    memset(q, 0, sizeof(*q));
    struct query_parse qp = {q, err, 0};
    http_query_each(ctx->http, query_arg, &qp);
    return qp.rc;
}

/*---- CRUD ----*/

int api_entity_list(struct api_ctx *ctx, struct app_err *err)
{
    struct entity_query q;
    int rc = parse_query(ctx, &q, err);
    if (rc < 0)
        return rc;
    return entity_list(&ctx->reply, ctx->conn, ctx->entity, ctx->user, &q, err);
}

int api_entity_get(struct api_ctx *ctx, struct app_err *err)
{
    return entity_get(&ctx->reply, ctx->conn, ctx->entity, ctx->user, ctx->id, err);
}

int api_entity_create(struct api_ctx *ctx, struct app_err *err)
{
    int rc = api_body_object(ctx, err);
    if (rc < 0)
        return rc;
    rc = entity_create(&ctx->reply, ctx->conn, ctx->entity, ctx->user, ctx->body, err);
    if (rc == 0)
        ctx->status = 201;
    return rc;
}

int api_entity_update(struct api_ctx *ctx, struct app_err *err)
{
    int rc = api_body_object(ctx, err);
    if (rc < 0)
        return rc;
    return entity_update(&ctx->reply, ctx->conn, ctx->entity, ctx->user, ctx->id, ctx->body, err);
}

/*---- Metadata ----*/

int api_meta_entity(struct api_ctx *ctx, struct app_err *err)
{
    (void)err;
    ctx->reply = entity_meta(ctx->entity, ctx->user);
    return 0;
}

int api_meta_enums(struct api_ctx *ctx, struct app_err *err)
{
    (void)err;
    ctx->reply = entity_enums();
    return 0;
}

int api_meta_nav(struct api_ctx *ctx, struct app_err *err)
{
    (void)err;
    json_t *groups = json_array();
    for (size_t g = 0; g < nav_groups_count; g++) {
        json_t *items = json_array();
        for (size_t i = 0; i < entities_count; i++) {
            const struct entity *e = entities[i];
            if (e->nav_group == NULL || strcmp(e->nav_group, nav_groups[g].key) != 0)
                continue;
            if (!auth_has(ctx->user, e->read_perm))
                continue;
            json_array_append_new(items, json_pack("{s:s, s:s, s:s}", "entity", e->name, "label",
                                                   e->label, "label_en", e->label_en));
        }
        if (json_array_size(items) == 0) {
            json_decref(items);
            continue;
        }
        json_array_append_new(groups, json_pack("{s:s, s:s, s:s, s:o}", "key", nav_groups[g].key,
                                                "label", nav_groups[g].label, "label_en",
                                                nav_groups[g].label_en, "items", items));
    }
    ctx->reply = json_pack("{s:o}", "groups", groups);
    return 0;
}

/*---- Excel export ----*/

#define EXPORT_MAX_ROWS 1000000
#define EXPORT_MAX_COLS 48

struct export_state {
    const struct entity *e;
    struct xlsx *x;
    const struct entity_field *cols[EXPORT_MAX_COLS];
    int ncols;
    uint32_t row;
};

static int exportable(const struct entity_field *f)
{
    return !(f->flags & F_NOEXPORT) && f->type != FT_PASSWORD && f->type != FT_REFS &&
           f->type != FT_ENUMS;
}

/* A UTC instant as Asia/Shanghai wall time (UTC+8, no daylight saving). */
static void shanghai_time(char *out, size_t size, const char *iso)
{
    int64_t t;
    if (time_parse_iso(&t, iso) < 0) {
        app_strlcpy(out, iso, size);
        return;
    }
    char buf[32];
    time_format_iso(buf, sizeof(buf), t + 8 * 3600);
    snprintf(out, size, "%.10s %.5s", buf, buf + 11);
}

static int export_row(json_t *row, void *payload)
{
    struct export_state *st = payload;
    if (st->row >= EXPORT_MAX_ROWS)
        return APP_EINVAL;
    st->row++;
    for (int c = 0; c < st->ncols; c++) {
        const struct entity_field *f = st->cols[c];
        json_t *v = json_object_get(row, f->name);
        if (f->type == FT_REF && f->ref_label) {
            json_t *label = json_object_get(row, f->ref_label);
            if (json_is_string(label)) {
                xlsx_text(st->x, st->row, c, json_string_value(label));
                continue;
            }
        }
        if (v == NULL || json_is_null(v))
            continue;
        switch (f->type) {
        case FT_BOOL:
            xlsx_text(st->x, st->row, c, json_is_true(v) ? "是" : "否");
            break;
        case FT_ENUM:
            xlsx_text(st->x, st->row, c, entity_option_label(f, json_string_value(v)));
            break;
        case FT_DATETIME: {
            char buf[32];
            shanghai_time(buf, sizeof(buf), json_string_value(v));
            xlsx_text(st->x, st->row, c, buf);
            break;
        }
        case FT_JSON: {
            char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
            xlsx_text(st->x, st->row, c, s);
            free(s);
            break;
        }
        default:
            if (json_is_integer(v))
                xlsx_int(st->x, st->row, c, json_integer_value(v));
            else if (json_is_string(v))
                xlsx_text(st->x, st->row, c, json_string_value(v));
            break;
        }
    }
    return 0;
}

void api_encode_filename(char *out, size_t size, const char *name)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t o = 0;
    for (const unsigned char *p = (const unsigned char *)name; *p && o + 4 < size; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
            *p == '-' || *p == '.' || *p == '_') {
            out[o++] = (char)*p;
        } else {
            out[o++] = '%';
            out[o++] = hex[*p >> 4];
            out[o++] = hex[*p & 15];
        }
    }
    out[o] = '\0';
}

int api_entity_export(struct api_ctx *ctx, struct app_err *err)
{
    const struct entity *e = ctx->entity;
    struct export_state st;
    struct entity_query q;
    const char *headers[EXPORT_MAX_COLS];
    enum xlsx_kind kinds[EXPORT_MAX_COLS];
    memset(&st, 0, sizeof(st));
    int rc = parse_query(ctx, &q, err);
    if (rc < 0)
        return rc;
    q.limit = -1;
    st.e = e;
    for (size_t i = 0; i < e->n_fields && st.ncols < EXPORT_MAX_COLS; i++) {
        const struct entity_field *f = &e->fields[i];
        if (!exportable(f))
            continue;
        st.cols[st.ncols] = f;
        headers[st.ncols] = f->label;
        kinds[st.ncols] = f->type == FT_MONEY  ? XLSX_MONEY
                          : f->type == FT_AREA ? XLSX_AREA
                          : f->type == FT_INT  ? XLSX_INT
                                               : XLSX_TEXT;
        if (f->type == FT_MONEY)
            headers[st.ncols] = xasprintf("%s(元)", f->label);
        else if (f->type == FT_AREA)
            headers[st.ncols] = xasprintf("%s(m²)", f->label);
        st.ncols++;
    }
    rc = xlsx_begin(&st.x, e->label, headers, kinds, st.ncols);
    for (int c = 0; c < st.ncols; c++)
        if (st.cols[c]->type == FT_MONEY || st.cols[c]->type == FT_AREA)
            free((char *)headers[c]);
    if (rc < 0)
        return app_err_set(err, rc, NULL, "无法生成 Excel 文件");
    rc = entity_each(ctx->conn, e, ctx->user, &q, export_row, &st, err);
    if (rc < 0) {
        xlsx_free(st.x);
        if (st.row >= EXPORT_MAX_ROWS)
            return app_err_set(err, APP_EINVAL, NULL, "导出行数超过 %d，请缩小筛选范围",
                               EXPORT_MAX_ROWS);
        return rc;
    }
    rc = xlsx_finish(st.x, &ctx->raw, &ctx->raw_len);
    if (rc < 0)
        return app_err_set(err, rc, NULL, "无法生成 Excel 文件");
    ctx->raw_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    char day[32], name[128], enc[512], disp[700];
    time_now_iso(day, sizeof(day));
    snprintf(name, sizeof(name), "%s-%.4s%.2s%.2s.xlsx", e->label, day, day + 5, day + 8);
    api_encode_filename(enc, sizeof(enc), name);
    snprintf(disp, sizeof(disp), "attachment; filename=\"%s.xlsx\"; filename*=UTF-8''%s", e->name,
             enc);
    http_add_header(ctx->http, "Content-Disposition", disp);
    return 0;
}
