/*
 * survey.c - raising surveys, recording answers, the report.
 */
#include "survey.h"

#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "core/strbuf.h"
#include "core/timeutil.h"
#include "customer.h"
#include "query.h"

static int64_t row_int(json_t *row, const char *k)
{
    return json_integer_value(json_object_get(row, k));
}

static const char *row_str(json_t *row, const char *k)
{
    return json_string_value(json_object_get(row, k));
}

int survey_invite(struct db_conn *c,
                  const char *trigger,
                  int64_t customer_id,
                  int64_t project_id,
                  const char *source)
{
    if (customer_id <= 0)
        return 0;
    char today[11], at[32];
    date_today(today);
    time_now_iso(at, sizeof(at));
    int rc = db_run(c,
                    "INSERT INTO survey_responses (template_id, customer_id, project_id, stage,"
                    " source, status, invited_on, created_at) SELECT id, ?, ?, trigger_on, ?,"
                    " 'invited', ?, ? FROM survey_templates WHERE trigger_on = ? AND active = 1"
                    " ON CONFLICT DO NOTHING",
                    "iittt"
                    "t",
                    customer_id, project_id, source, today, at, trigger);
    return rc < 0 ? rc : 0;
}

int survey_questions_check(const char *text, struct app_err *err)
{
    json_error_t je;
    json_t *q = text ? json_loads(text, JSON_REJECT_DUPLICATES, &je) : NULL;
    int rc = 0;
    if (!json_is_array(q) || json_array_size(q) == 0 || json_array_size(q) > 50) {
        rc = app_err_set(err, APP_EINVAL, "questions_json", "题目应为 1 到 50 道题的 JSON 数组");
        goto done;
    }
    size_t i, j;
    json_t *x, *y;
    json_array_foreach(q, i, x)
    {
        const char *key = row_str(x, "key"), *type = row_str(x, "type"), *t = row_str(x, "text");
        if (key == NULL || *key == '\0' || strlen(key) > 40 || t == NULL || *t == '\0') {
            rc = app_err_set(err, APP_EINVAL, "questions_json", "第 %zu 题缺少 key 或题目", i + 1);
            goto done;
        }
        json_array_foreach(q, j, y) if (j < i && strcmp(row_str(y, "key"), key) == 0)
        {
            rc = app_err_set(err, APP_EINVAL, "questions_json", "第 %zu 题的 key 重复", i + 1);
            goto done;
        }
        if (type == NULL || (strcmp(type, "scale") && strcmp(type, "nps") &&
                             strcmp(type, "choice") && strcmp(type, "text"))) {
            rc = app_err_set(err, APP_EINVAL, "questions_json",
                             "第 %zu 题的类型应为 scale、nps、choice 或 text", i + 1);
            goto done;
        }
        json_t *opts = json_object_get(x, "options");
        if (strcmp(type, "choice") == 0 &&
            (!json_is_array(opts) || json_array_size(opts) < 2 || json_array_size(opts) > 20)) {
            rc = app_err_set(err, APP_EINVAL, "questions_json",
                             "第 %zu 题（选择题）需要 2 到 20 个选项", i + 1);
            goto done;
        }
    }
done:
    json_decref(q);
    return rc;
}

int survey_answer(struct db_conn *c,
                  const struct auth_user *who,
                  int64_t id,
                  json_t *answers,
                  struct app_err *err)
{
    json_t *r = NULL, *q = NULL;
    struct db_params p = {0};
    db_params_int(&p, id);
    int rc = query_row(&r, c,
                       "SELECT s.*, t.questions_json, t.name FROM survey_responses s JOIN"
                       " survey_templates t ON t.id = s.template_id WHERE s.id = ?",
                       &p);
    db_params_free(&p);
    if (rc == APP_ENOTFOUND)
        return app_err_set(err, rc, NULL, "回访不存在");
    if (rc < 0)
        return rc;
    if (!auth_in_scope(who, row_int(r, "project_id"))) {
        rc = app_err_set(err, APP_EFORBIDDEN, NULL, "您没有该项目的权限");
        goto done;
    }
    if (strcmp(row_str(r, "status"), "answered") == 0) {
        rc = app_err_set(err, APP_ECONFLICT, "status", "这份回访已记录答案");
        goto done;
    }
    if (!json_is_object(answers)) {
        rc = app_err_set(err, APP_EINVAL, "answers", "请填写答案");
        goto done;
    }
    q = json_loads(row_str(r, "questions_json"), 0, NULL);
    char field[80];
    const char *key;
    json_t *v;
    json_object_foreach(answers, key, v)
    {
        int known = 0;
        size_t i;
        json_t *x;
        json_array_foreach(q, i, x) known |= strcmp(row_str(x, "key"), key) == 0;
        if (!known) {
            snprintf(field, sizeof(field), "answers.%.60s", key);
            rc = app_err_set(err, APP_EINVAL, field, "没有这道题: %s", key);
            goto done;
        }
    }
    int64_t scale_sum = 0, scale_n = 0, nps = -1;
    size_t i;
    json_t *x;
    json_array_foreach(q, i, x)
    {
        const char *k = row_str(x, "key"), *type = row_str(x, "type");
        json_t *a = json_object_get(answers, k);
        snprintf(field, sizeof(field), "answers.%.60s", k);
        if (a == NULL || json_is_null(a) || (json_is_string(a) && *json_string_value(a) == '\0')) {
            if (json_is_true(json_object_get(x, "required"))) {
                rc = app_err_set(err, APP_EINVAL, field, "请回答：%s", row_str(x, "text"));
                goto done;
            }
            continue;
        }
        if (strcmp(type, "scale") == 0 || strcmp(type, "nps") == 0) {
            int64_t hi = strcmp(type, "scale") == 0 ? 5 : 10, lo = strcmp(type, "scale") == 0;
            if (!json_is_integer(a) || json_integer_value(a) < lo || json_integer_value(a) > hi) {
                rc = app_err_set(err, APP_EINVAL, field, "“%s”应为 %lld 到 %lld 分",
                                 row_str(x, "text"), (long long)lo, (long long)hi);
                goto done;
            }
            if (hi == 5) {
                scale_sum += json_integer_value(a);
                scale_n++;
            } else {
                nps = json_integer_value(a);
            }
        } else if (strcmp(type, "choice") == 0) {
            int ok = 0;
            size_t j;
            json_t *o;
            json_array_foreach(json_object_get(x, "options"), j, o) ok |= json_equal(o, a);
            if (!ok) {
                rc = app_err_set(err, APP_EINVAL, field, "“%s”请从选项中选择", row_str(x, "text"));
                goto done;
            }
        } else if (!json_is_string(a) || strlen(json_string_value(a)) > 3000) {
            rc = app_err_set(err, APP_EINVAL, field, "“%s”应为不超过 1000 字的文字",
                             row_str(x, "text"));
            goto done;
        }
    }
    char at[32];
    time_now_iso(at, sizeof(at));
    char *text = json_dumps(answers, JSON_COMPACT | JSON_SORT_KEYS);
    /* The mean of the 1–5 questions in hundredths, half-up. */
    int64_t avg = scale_n ? (scale_sum * 200 + scale_n) / (2 * scale_n) : -1;
    rc = db_run(
            c,
            "UPDATE survey_responses SET status = 'answered', answered_at = ?, answers_json = ?,"
            " score_avg100 = NULLIF(?, -1), nps = NULLIF(?, -1), recorded_by = ? WHERE id = ?",
            "ttiiti", at, text, avg, nps, who->display_name, id);
    free(text);
    char title[200];
    if (avg >= 0)
        snprintf(title, sizeof(title), "%s：满意度 %lld.%02lld 分%s", row_str(r, "name"),
                 (long long)(avg / 100), (long long)(avg % 100), nps >= 0 ? "" : "");
    else
        snprintf(title, sizeof(title), "%s：已回访", row_str(r, "name"));
    if (rc >= 0)
        rc = customer_event_add(c, row_int(r, "customer_id"), "survey", title, "survey-responses",
                                id, who);
    if (rc >= 0)
        rc = audit_append(c, who->id, who->username, "answer", "survey-responses", id, NULL,
                          answers);
done:
    json_decref(q);
    json_decref(r);
    return rc < 0 ? rc : 0;
}

int survey_campaign(int *n,
                    int *owners_out,
                    struct db_conn *c,
                    const struct auth_user *who,
                    json_t *in,
                    struct app_err *err)
{
    *n = 0;
    *owners_out = 0;
    if (!json_is_object(in))
        return app_err_set(err, APP_EINVAL, NULL, "请求体应为 JSON 对象");
    json_t *dry = json_object_get(in, "dry_run");
    if (dry && !json_is_boolean(dry))
        return app_err_set(err, APP_EINVAL, "dry_run", "dry_run 应为 true 或 false");
    json_t *tid = json_object_get(in, "template_id"), *pid = json_object_get(in, "project_id");
    char *trigger = NULL;
    if (!json_is_integer(tid) ||
        db_query_text(c, &trigger,
                      "SELECT trigger_on FROM survey_templates WHERE id = ? AND"
                      " active = 1",
                      "i", (int64_t)json_integer_value(tid)) < 0)
        return app_err_set(err, APP_EINVAL, "template_id", "请选择一份启用的问卷");
    int campaign = trigger && strcmp(trigger, "campaign") == 0;
    free(trigger);
    if (!campaign)
        return app_err_set(err, APP_EINVAL, "template_id", "只有“专项调查”类问卷可以批量发起");
    int64_t k = 0;
    if (!json_is_integer(pid) ||
        db_query_int64(c, &k, "SELECT COUNT(*) FROM projects WHERE id = ?", "i",
                       (int64_t)json_integer_value(pid)) < 0 ||
        k == 0)
        return app_err_set(err, APP_EINVAL, "project_id", "请选择项目");
    if (!auth_in_scope(who, json_integer_value(pid)))
        return app_err_set(err, APP_EFORBIDDEN, "project_id", "您没有该项目的权限");
    struct strbuf sql;
    struct db_params p = {0};
    strbuf_init(&sql, 4096);
    strbuf_puts(&sql,
                "SELECT DISTINCT o.customer_id FROM unit_owners o JOIN units u ON u.id = o.unit_id"
                " JOIN customers c ON c.id = o.customer_id WHERE u.project_id = ? AND c.status ="
                " 'active'");
    db_params_int(&p, json_integer_value(pid));
    json_t *b = json_object_get(in, "building_ids");
    if (b) {
        if (!json_is_array(b) || json_array_size(b) == 0 || json_array_size(b) > 200) {
            strbuf_free(&sql);
            db_params_free(&p);
            return app_err_set(err, APP_EINVAL, "building_ids", "请选择楼栋");
        }
        size_t i;
        json_t *v;
        strbuf_puts(&sql, " AND u.building_id IN (");
        json_array_foreach(b, i, v)
        {
            strbuf_puts(&sql, i ? ",?" : "?");
            db_params_int(&p, json_is_integer(v) ? json_integer_value(v) : -1);
        }
        strbuf_puts(&sql, ")");
    }
    json_t *owners = NULL;
    int rc = query_rows(&owners, c, strbuf_str(&sql), &p);
    strbuf_free(&sql);
    db_params_free(&p);
    if (rc < 0)
        return rc;
    char today[11], source[48];
    date_today(today);
    snprintf(source, sizeof(source), "campaign %lld %s", (long long)json_integer_value(tid), today);
    char at[32];
    time_now_iso(at, sizeof(at));
    size_t i;
    json_t *o;
    *owners_out = (int)json_array_size(owners);
    json_array_foreach(owners, i, o)
    {
        if (json_is_true(dry)) {
            /* How many would be asked: those not asked by this campaign today. */
            int64_t asked = 0;
            rc = db_query_int64(c, &asked,
                                "SELECT COUNT(*) FROM survey_responses WHERE template_id = ? AND"
                                " source = ? AND customer_id = ?",
                                "iti", (int64_t)json_integer_value(tid), source,
                                row_int(o, "customer_id"));
            if (rc < 0)
                break;
            *n += asked == 0;
            continue;
        }
        rc = db_run(c,
                    "INSERT INTO survey_responses (template_id, customer_id, project_id, stage,"
                    " source, status, invited_on, created_at) VALUES (?,?,?,'campaign',?,"
                    "'invited',?,?) ON CONFLICT DO NOTHING",
                    "iiittt", (int64_t)json_integer_value(tid), row_int(o, "customer_id"),
                    (int64_t)json_integer_value(pid), source, today, at);
        if (rc < 0)
            break;
        *n += rc;
    }
    json_decref(owners);
    if (rc < 0)
        return rc;
    if (json_is_true(dry))
        return 0;
    json_t *d = json_pack("{s:I, s:i}", "template_id", (json_int_t)json_integer_value(tid),
                          "surveys", *n);
    rc = audit_append(c, who->id, who->username, "campaign", "survey-responses", 0, NULL, d);
    json_decref(d);
    return rc < 0 ? rc : 0;
}

int survey_report(json_t **out,
                  struct db_conn *c,
                  const struct auth_user *who,
                  const char *group,
                  int64_t project_id,
                  const char *from,
                  const char *to,
                  struct app_err *err)
{
    static const struct {
        const char *group, *key, *label;
    } groups[] = {
            {"project", "s.project_id", "(SELECT name FROM projects WHERE id = s.project_id)"},
            {"stage", "s.stage", "s.stage"},
            {"month", "SUBSTR(s.invited_on, 1, 7)", "SUBSTR(s.invited_on, 1, 7)"},
    };
    int k = group ? -1 : 0;
    for (size_t i = 0; group && i < ARRAY_LEN(groups); i++)
        if (strcmp(groups[i].group, group) == 0)
            k = (int)i;
    if (k < 0)
        return app_err_set(err, APP_EINVAL, "group", "分组应为 project、stage 或 month");
    int y, m, d;
    if (from && date_parse(&y, &m, &d, from) < 0)
        return app_err_set(err, APP_EINVAL, "from", "日期格式应为 YYYY-MM-DD");
    if (to && date_parse(&y, &m, &d, to) < 0)
        return app_err_set(err, APP_EINVAL, "to", "日期格式应为 YYYY-MM-DD");
    if (project_id > 0 && !auth_in_scope(who, project_id))
        return app_err_set(err, APP_EFORBIDDEN, "project_id", "您没有该项目的权限");
    struct strbuf sql;
    struct db_params p = {0};
    strbuf_init(&sql, 4096);
    strbuf_printf(&sql,
                  "SELECT %s AS key, %s AS label, COUNT(*) AS invited, SUM(CASE WHEN s.status ="
                  " 'answered' THEN 1 ELSE 0 END) AS answered, SUM(COALESCE(s.score_avg100, 0))"
                  " AS score_sum, SUM(CASE WHEN s.score_avg100 IS NULL THEN 0 ELSE 1 END) AS"
                  " scored, SUM(CASE WHEN s.nps >= 9 THEN 1 ELSE 0 END) AS promoters, SUM(CASE"
                  " WHEN s.nps BETWEEN 7 AND 8 THEN 1 ELSE 0 END) AS passives, SUM(CASE WHEN"
                  " s.nps <= 6 THEN 1 ELSE 0 END) AS detractors FROM survey_responses s WHERE"
                  " 1 = 1",
                  groups[k].key, groups[k].label);
    if (from) {
        strbuf_puts(&sql, " AND s.invited_on >= ?");
        db_params_text(&p, from);
    }
    if (to) {
        strbuf_puts(&sql, " AND s.invited_on <= ?");
        db_params_text(&p, to);
    }
    query_report_scope(&sql, &p, "s.project_id", who, project_id);
    strbuf_printf(&sql, " GROUP BY %s ORDER BY 1", groups[k].key);
    json_t *rows = NULL;
    int rc = query_rows(&rows, c, strbuf_str(&sql), &p);
    strbuf_free(&sql);
    db_params_free(&p);
    if (rc < 0)
        return rc;
    static const struct {
        const char *code, *label;
    } stages[] = {{"signing", "签约"},
                  {"handover", "交付"},
                  {"ticket_closed", "维修回访"},
                  {"campaign", "专项调查"}};
    size_t i;
    json_t *r;
    json_array_foreach(rows, i, r)
    {
        int64_t scored = row_int(r, "scored");
        int64_t np = row_int(r, "promoters") + row_int(r, "passives") + row_int(r, "detractors");
        json_object_set_new(r, "satisfaction_avg100",
                            scored ? json_integer(row_int(r, "score_sum") / scored) : json_null());
        /* NPS = %promoters − %detractors, in hundredths of a point. */
        json_object_set_new(
                r, "nps100",
                np ? json_integer((row_int(r, "promoters") - row_int(r, "detractors")) * 10000 / np)
                   : json_null());
        for (size_t s = 0; k == 1 && s < ARRAY_LEN(stages); s++)
            if (row_str(r, "key") && strcmp(stages[s].code, row_str(r, "key")) == 0)
                json_object_set_new(r, "label", json_string(stages[s].label));
        json_object_del(r, "score_sum");
    }
    *out = json_pack("{s:s, s:o}", "group", groups[k].group, "rows", rows);
    return 0;
}
