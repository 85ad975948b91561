/*
 * api_ticket.c - tickets (intake, actions, queues, dashboard, clusters),
 * compensations, defect cases and the working-day calendar.
 */
#include <string.h>

#include "api.h"
#include "core/timeutil.h"
#include "core/xlsx.h"
#include "domain/newsletter.h"
#include "domain/query.h"
#include "domain/survey.h"
#include "domain/ticket.h"
#include "domain/warranty.h"
#include "domain/workcal.h"

int api_tickets_create(struct api_ctx *ctx, struct app_err *err)
{
    int rc = api_body_object(ctx, err);
    if (rc < 0)
        return rc;
    int64_t id = 0;
    json_t *cluster = NULL;
    rc = ticket_create(&id, &cluster, ctx->conn, ctx->user, ctx->body, err);
    if (rc == 0)
        rc = ticket_get(&ctx->reply, ctx->conn, ctx->user, id, err);
    if (rc == 0) {
        ctx->status = 201;
        json_object_set_new(ctx->reply, "cluster", cluster ? cluster : json_null());
        cluster = NULL;
    }
    json_decref(cluster);
    return rc;
}

int api_tickets_full(struct api_ctx *ctx, struct app_err *err)
{
    return ticket_get(&ctx->reply, ctx->conn, ctx->user, ctx->id, err);
}

int api_tickets_act(struct api_ctx *ctx, struct app_err *err)
{
    int rc = api_body_object(ctx, err);
    if (rc < 0)
        return rc;
    rc = ticket_act(ctx->conn, ctx->user, ctx->id, api_body_str(ctx, "action"), ctx->body, err);
    if (rc < 0)
        return rc;
    return ticket_get(&ctx->reply, ctx->conn, ctx->user, ctx->id, err);
}

static int query_int(struct api_ctx *ctx,
                     const char *name,
                     int64_t *out,
                     int64_t lo,
                     int64_t hi,
                     struct app_err *err)
{
    const char *v = http_query(ctx->http, name);
    if (v == NULL || *v == '\0')
        return 0;
    if (app_parse_int64(out, v) < 0 || *out < lo || *out > hi)
        return app_err_set(err, APP_EINVAL, name, "%s 应为 %lld 到 %lld 之间的整数", name,
                           (long long)lo, (long long)hi);
    return 0;
}

int api_tickets_queue(struct api_ctx *ctx, struct app_err *err)
{
    int64_t pid = 0, limit = 40, offset = 0;
    int rc = api_query_project(ctx, &pid, err);
    if (rc == 0)
        rc = query_int(ctx, "limit", &limit, 1, 200, err);
    if (rc == 0)
        rc = query_int(ctx, "offset", &offset, 0, INT64_MAX / 2, err);
    if (rc < 0)
        return rc;
    return ticket_queue(&ctx->reply, ctx->conn, ctx->user, http_query(ctx->http, "view"), pid,
                        http_query(ctx->http, "age"), limit, offset, err);
}

int api_tickets_dashboard(struct api_ctx *ctx, struct app_err *err)
{
    int64_t pid = 0;
    int rc = api_query_project(ctx, &pid, err);
    if (rc < 0)
        return rc;
    return ticket_dashboard(&ctx->reply, ctx->conn, ctx->user, pid, http_query(ctx->http, "from"),
                            http_query(ctx->http, "to"), err);
}

int api_tickets_clusters(struct api_ctx *ctx, struct app_err *err)
{
    int64_t pid = 0, days = 3, min = 3;
    int rc = api_query_project(ctx, &pid, err);
    if (rc == 0)
        rc = query_int(ctx, "days", &days, 1, 30, err);
    if (rc == 0)
        rc = query_int(ctx, "min", &min, 2, 1000, err);
    if (rc < 0)
        return rc;
    return ticket_clusters(&ctx->reply, ctx->conn, ctx->user, pid, (int)days, (int)min, err);
}

int api_units_warranty(struct api_ctx *ctx, struct app_err *err)
{
    int64_t category = 0, project = 0;
    int rc = query_int(ctx, "category_id", &category, 1, INT64_MAX / 2, err);
    if (rc < 0)
        return rc;
    int64_t known = 0;
    if (category > 0)
        db_query_int64(ctx->conn, &known, "SELECT COUNT(*) FROM ticket_categories WHERE id = ?",
                       "i", category);
    if (known == 0)
        return app_err_set(err, APP_EINVAL, "category_id", "请选择问题分类");
    rc = db_query_int64(ctx->conn, &project, "SELECT project_id FROM units WHERE id = ?", "i",
                        ctx->id);
    if (rc == APP_ENOTFOUND)
        return app_err_set(err, rc, NULL, "房源不存在");
    if (rc < 0)
        return rc;
    if (!auth_in_scope(ctx->user, project))
        return app_err_set(err, APP_EFORBIDDEN, NULL, "您没有该项目的权限");
    return ticket_warranty(&ctx->reply, ctx->conn, ctx->id, category);
}

int api_compensations_create(struct api_ctx *ctx, struct app_err *err)
{
    int rc = api_body_object(ctx, err);
    if (rc < 0)
        return rc;
    int64_t id = 0;
    rc = ticket_compensation_request(&id, ctx->conn, ctx->user, ctx->id, ctx->body, err);
    if (rc < 0)
        return rc;
    ctx->status = 201;
    rc = ticket_get(&ctx->reply, ctx->conn, ctx->user, ctx->id, err);
    if (rc == 0)
        json_object_set_new(ctx->reply, "compensation_id", json_integer(id));
    return rc;
}

int api_compensations_pay(struct api_ctx *ctx, struct app_err *err)
{
    int rc = api_body_object(ctx, err);
    if (rc < 0)
        return rc;
    rc = ticket_compensation_pay(ctx->conn, ctx->user, ctx->id, ctx->body, err);
    if (rc < 0)
        return rc;
    int64_t ticket = 0;
    db_query_int64(ctx->conn, &ticket, "SELECT ticket_id FROM compensations WHERE id = ?", "i",
                   ctx->id);
    return ticket_get(&ctx->reply, ctx->conn, ctx->user, ticket, err);
}

int api_defect_cases_create(struct api_ctx *ctx, struct app_err *err)
{
    int rc = api_body_object(ctx, err);
    if (rc < 0)
        return rc;
    int64_t id = 0;
    rc = ticket_defect_case_create(&id, ctx->conn, ctx->user, ctx->body, err);
    if (rc < 0)
        return rc;
    ctx->status = 201;
    return entity_get(&ctx->reply, ctx->conn, entity_find("defect-cases"), ctx->user, id, err);
}

int api_defect_cases_report(struct api_ctx *ctx, struct app_err *err)
{
    int64_t pid = 0;
    int rc = api_query_project(ctx, &pid, err);
    if (rc < 0)
        return rc;
    return ticket_defect_report(&ctx->reply, ctx->conn, ctx->user, http_query(ctx->http, "by"), pid,
                                err);
}

/*---- Calendar ----*/

int api_calendar_year(struct api_ctx *ctx, struct app_err *err)
{
    char today[11];
    date_today(today);
    int64_t year = (today[0] - '0') * 1000 + (today[1] - '0') * 100 + (today[2] - '0') * 10 +
                   (today[3] - '0');
    int rc = query_int(ctx, "year", &year, 2000, 2100, err);
    if (rc < 0)
        return rc;
    return workcal_year(&ctx->reply, ctx->conn, (int)year);
}

int api_calendar_import(struct api_ctx *ctx, struct app_err *err)
{
    int rc = api_body_object(ctx, err);
    if (rc < 0)
        return rc;
    json_t *year = json_object_get(ctx->body, "year");
    if (!json_is_integer(year))
        return app_err_set(err, APP_EINVAL, "year", "请填写年份");
    rc = workcal_import(ctx->conn, ctx->user, (int)json_integer_value(year),
                        json_object_get(ctx->body, "days"), err);
    if (rc < 0)
        return rc;
    return workcal_year(&ctx->reply, ctx->conn, (int)json_integer_value(year));
}

int api_calendar_add_workdays(struct api_ctx *ctx, struct app_err *err)
{
    const char *from = http_query(ctx->http, "from");
    int y, m, d;
    if (from == NULL || date_parse(&y, &m, &d, from) < 0)
        return app_err_set(err, APP_EINVAL, "from", "from 应为日期 YYYY-MM-DD");
    const char *days = http_query(ctx->http, "days");
    int64_t n = 0;
    if (days == NULL || app_parse_int64(&n, days) < 0 || n < 0 || n > 3650)
        return app_err_set(err, APP_EINVAL, "days", "days 应为 0 到 3650 之间的整数");
    struct workcal w = {0};
    int rc = workcal_load(&w, ctx->conn);
    if (rc < 0) {
        workcal_free(&w);
        return rc;
    }
    char out[11];
    date_from_days(out, workcal_add_workdays(&w, date_to_days(y, m, d), n));
    workcal_free(&w);
    ctx->reply = json_pack("{s:s}", "date", out);
    return 0;
}

int api_warranty_expiring(struct api_ctx *ctx, struct app_err *err)
{
    int64_t pid = 0, within = 60;
    int rc = api_query_project(ctx, &pid, err);
    if (rc == 0)
        rc = query_int(ctx, "within", &within, 0, 3650, err);
    if (rc < 0)
        return rc;
    char from[11], to[11];
    date_today(from);
    date_add_days(to, from, within);
    return warranty_expiring(&ctx->reply, ctx->conn, ctx->user, pid, from, to, err);
}

int api_newsletters_send(struct api_ctx *ctx, struct app_err *err)
{
    int rc = api_body_object(ctx, err);
    int n = 0;
    if (rc == 0)
        rc = newsletter_send(&n, ctx->conn, ctx->user, ctx->id, ctx->body, err);
    if (rc < 0)
        return rc;
    return entity_get(&ctx->reply, ctx->conn, entity_find("newsletters"), ctx->user, ctx->id, err);
}

int api_newsletters_recipients(struct api_ctx *ctx, struct app_err *err)
{
    json_t *n = NULL;
    int rc = entity_get(&n, ctx->conn, entity_find("newsletters"), ctx->user, ctx->id, err);
    json_decref(n);
    if (rc < 0)
        return rc;
    json_t *rows = NULL;
    struct db_params p = {0};
    db_params_int(&p, ctx->id);
    rc = query_rows(&rows, ctx->conn,
                    "SELECT r.customer_id, c.name, r.channels FROM newsletter_recipients r JOIN"
                    " customers c ON c.id = r.customer_id WHERE r.newsletter_id = ? ORDER BY c.id",
                    &p);
    db_params_free(&p);
    if (rc < 0)
        return rc;
    ctx->reply = json_pack("{s:o}", "items", rows);
    return 0;
}

int api_letters_pdf(struct api_ctx *ctx, struct app_err *err)
{
    int rc = letters_pdf(&ctx->raw, &ctx->raw_len, ctx->conn, ctx->user, err);
    if (rc < 0)
        return rc;
    api_download(ctx, "application/pdf", "letters.pdf", "待寄信函.pdf");
    return 0;
}

int api_survey_answer(struct api_ctx *ctx, struct app_err *err)
{
    int rc = api_body_object(ctx, err);
    if (rc == 0)
        rc = survey_answer(ctx->conn, ctx->user, ctx->id, json_object_get(ctx->body, "answers"),
                           err);
    if (rc < 0)
        return rc;
    return entity_get(&ctx->reply, ctx->conn, entity_find("survey-responses"), ctx->user, ctx->id,
                      err);
}

int api_survey_campaign(struct api_ctx *ctx, struct app_err *err)
{
    int rc = api_body_object(ctx, err);
    int n = 0, owners = 0;
    if (rc == 0)
        rc = survey_campaign(&n, &owners, ctx->conn, ctx->user, ctx->body, err);
    if (rc < 0)
        return rc;
    int dry = json_is_true(json_object_get(ctx->body, "dry_run"));
    ctx->status = dry ? 200 : 201;
    ctx->reply = json_pack("{s:i, s:i, s:b}", "surveys", n, "owners", owners, "dry_run", dry);
    return 0;
}

static int survey_report_of(struct api_ctx *ctx, json_t **out, struct app_err *err)
{
    int64_t pid = 0;
    int rc = api_query_project(ctx, &pid, err);
    if (rc < 0)
        return rc;
    return survey_report(out, ctx->conn, ctx->user, http_query(ctx->http, "group"), pid,
                         http_query(ctx->http, "from"), http_query(ctx->http, "to"), err);
}

int api_survey_report(struct api_ctx *ctx, struct app_err *err)
{
    return survey_report_of(ctx, &ctx->reply, err);
}

int api_survey_report_xlsx(struct api_ctx *ctx, struct app_err *err)
{
    json_t *r = NULL;
    int rc = survey_report_of(ctx, &r, err);
    if (rc < 0)
        return rc;
    static const char *const headers[] = {"分组",   "发起",   "已回访", "满意度（5分制）",
                                          "推荐者", "中立者", "贬损者", "NPS"};
    static const enum xlsx_kind kinds[] = {XLSX_TEXT, XLSX_INT, XLSX_INT, XLSX_TEXT,
                                           XLSX_INT,  XLSX_INT, XLSX_INT, XLSX_TEXT};
    struct xlsx *x = NULL;
    rc = xlsx_begin(&x, "满意度统计", headers, kinds, 8);
    if (rc < 0) {
        json_decref(r);
        return app_err_set(err, rc, NULL, "无法生成 Excel 文件");
    }
    size_t i;
    json_t *row;
    json_array_foreach(json_object_get(r, "rows"), i, row)
    {
        uint32_t n = (uint32_t)i + 1;
        json_t *label = json_object_get(row, "label");
        char buf[32];
        if (json_is_string(label))
            xlsx_text(x, n, 0, json_string_value(label));
        xlsx_int(x, n, 1, json_integer_value(json_object_get(row, "invited")));
        xlsx_int(x, n, 2, json_integer_value(json_object_get(row, "answered")));
        json_t *s = json_object_get(row, "satisfaction_avg100");
        if (json_is_integer(s)) {
            snprintf(buf, sizeof(buf), "%.2f", (double)json_integer_value(s) / 100);
            xlsx_text(x, n, 3, buf);
        }
        xlsx_int(x, n, 4, json_integer_value(json_object_get(row, "promoters")));
        xlsx_int(x, n, 5, json_integer_value(json_object_get(row, "passives")));
        xlsx_int(x, n, 6, json_integer_value(json_object_get(row, "detractors")));
        json_t *nps = json_object_get(row, "nps100");
        if (json_is_integer(nps)) {
            snprintf(buf, sizeof(buf), "%.2f", (double)json_integer_value(nps) / 100);
            xlsx_text(x, n, 7, buf);
        }
    }
    json_decref(r);
    rc = xlsx_finish(x, &ctx->raw, &ctx->raw_len);
    if (rc < 0)
        return app_err_set(err, rc, NULL, "无法生成 Excel 文件");
    api_download(ctx, API_XLSX_TYPE, "surveys.xlsx", "满意度统计.xlsx");
    return 0;
}

int api_units_warranties(struct api_ctx *ctx, struct app_err *err)
{
    return warranty_of_unit(&ctx->reply, ctx->conn, ctx->user, ctx->id, err);
}
