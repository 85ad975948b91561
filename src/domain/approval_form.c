/*
 * approval_form.c - templates as data: checking a template's form and route,
 * and checking the values a request carries against its form.
 *
 * Form: {"fields":[{"name","label","type","required","options","min","max",
 *                   "maxlen","columns","items","help"}]}
 * Types: text, textarea, int, money (fen), date, datetime ("YYYY-MM-DD HH:MM"),
 * enum (options), bool, user, project, asset, loan, supply_lines
 * ([{"supply_id","qty"}]), items (rows of "columns", scalar types only),
 * checklist ([{"item","done"}] over the template's "items").
 *
 * Steps: [{"name","approver":{"type":"role","role"}|{"type":"user","username"}
 *          |{"type":"dept_head"}|{"type":"project_manager"},
 *          "mode":"any"|"all","when":{"field","op","value"},"limit_hours"}]
 */
#include <string.h>

#include <ctype.h>

#include "approval.h"
#include "core/timeutil.h"

static const char *const field_types[] = {
        "text", "textarea", "int",   "money", "date",         "datetime", "enum",     "bool",
        "user", "project",  "asset", "loan",  "supply_lines", "items",    "checklist"};
static const char *const scalar_types[] = {"text", "textarea", "int",  "money",
                                           "date", "datetime", "enum", "bool"};
static const char *const ops[] = {">", ">=", "<", "<=", "==", "!=", "in"};

static int in_list(const char *v, const char *const *list, size_t n)
{
    for (size_t i = 0; v && i < n; i++)
        if (strcmp(v, list[i]) == 0)
            return 1;
    return 0;
}

static int name_ok(const char *n)
{
    if (n == NULL || *n == '\0' || strlen(n) > 40)
        return 0;
    for (; *n; n++)
        if (!islower((unsigned char)*n) && !isdigit((unsigned char)*n) && *n != '_')
            return 0;
    return 1;
}

static json_t *field_def(json_t *form, const char *name)
{
    size_t i;
    json_t *f;
    json_array_foreach(json_object_get(form, "fields"), i, f)
    {
        const char *n = json_string_value(json_object_get(f, "name"));
        if (n && strcmp(n, name) == 0)
            return f;
    }
    return NULL;
}

/* One field definition; prefix names the position for errors. */
static int check_field_def(json_t *f, const char *where, int scalar_only, struct app_err *err)
{
    const char *name = json_string_value(json_object_get(f, "name"));
    const char *type = json_string_value(json_object_get(f, "type"));
    if (!json_is_object(f) || !name_ok(name))
        return app_err_set(err, APP_EINVAL, "form",
                           "%s: 字段名应为小写字母、数字或下划线（不超过 40 个字符）", where);
    if (!json_is_string(json_object_get(f, "label")))
        return app_err_set(err, APP_EINVAL, "form", "%s: 字段 %s 缺少标题 label", where, name);
    if (scalar_only ? !in_list(type, scalar_types, ARRAY_LEN(scalar_types))
                    : !in_list(type, field_types, ARRAY_LEN(field_types)))
        return app_err_set(err, APP_EINVAL, "form", "%s: 字段 %s 的类型无效: %s", where, name,
                           type ? type : "(空)");
    if (strcmp(type, "enum") == 0) {
        json_t *opts = json_object_get(f, "options");
        if (!json_is_array(opts) || json_array_size(opts) == 0)
            return app_err_set(err, APP_EINVAL, "form", "%s: 选项字段 %s 需要 options", where,
                               name);
        size_t i;
        json_t *o;
        json_array_foreach(opts, i, o) if (!json_is_string(o)) return app_err_set(
                err, APP_EINVAL, "form", "%s: 字段 %s 的选项应为文本", where, name);
    }
    if (strcmp(type, "items") == 0) {
        json_t *cols = json_object_get(f, "columns");
        if (!json_is_array(cols) || json_array_size(cols) == 0)
            return app_err_set(err, APP_EINVAL, "form", "%s: 明细字段 %s 需要 columns", where,
                               name);
        size_t i;
        json_t *c;
        json_array_foreach(cols, i, c)
        {
            char sub[96];
            snprintf(sub, sizeof(sub), "%s.%s", where, name);
            int rc = check_field_def(c, sub, 1, err);
            if (rc < 0)
                return rc;
        }
    }
    if (strcmp(type, "checklist") == 0) {
        json_t *items = json_object_get(f, "items");
        if (!json_is_array(items) || json_array_size(items) == 0)
            return app_err_set(err, APP_EINVAL, "form", "%s: 清单字段 %s 需要 items", where, name);
    }
    return 0;
}

int approval_template_check(json_t *form, json_t *steps, struct app_err *err)
{
    json_t *fields = json_object_get(form, "fields");
    if (!json_is_object(form) || !json_is_array(fields))
        return app_err_set(err, APP_EINVAL, "form", "表单应为 {\"fields\": [...]}");
    if (json_array_size(fields) > 60)
        return app_err_set(err, APP_EINVAL, "form", "表单字段不能超过 60 个");
    size_t i, j;
    json_t *f, *g;
    json_array_foreach(fields, i, f)
    {
        char where[48];
        snprintf(where, sizeof(where), "第 %zu 个字段", i + 1);
        int rc = check_field_def(f, where, 0, err);
        if (rc < 0)
            return rc;
        json_array_foreach(
                fields, j,
                g) if (j < i &&
                       json_equal(
                               json_object_get(f, "name"),
                               json_object_get(
                                       g, "name"))) return app_err_set(err, APP_EINVAL, "form",
                                                                       "字段名重复: %s",
                                                                       json_string_value(
                                                                               json_object_get(
                                                                                       f, "name")));
    }
    if (!json_is_array(steps) || json_array_size(steps) == 0)
        return app_err_set(err, APP_EINVAL, "steps", "审批流程至少要有一个步骤");
    if (json_array_size(steps) > 20)
        return app_err_set(err, APP_EINVAL, "steps", "审批步骤不能超过 20 个");
    json_t *s;
    json_array_foreach(steps, i, s)
    {
        const char *name = json_string_value(json_object_get(s, "name"));
        json_t *ap = json_object_get(s, "approver");
        const char *type = json_string_value(json_object_get(ap, "type"));
        const char *mode = json_string_value(json_object_get(s, "mode"));
        if (name == NULL || *name == '\0')
            return app_err_set(err, APP_EINVAL, "steps", "第 %zu 步缺少名称", i + 1);
        static const char *const types[] = {"role", "user", "dept_head", "project_manager"};
        if (!in_list(type, types, ARRAY_LEN(types)))
            return app_err_set(err, APP_EINVAL, "steps",
                               "第 %zu 步“%s”的审批人类型应为 role、user、dept_head 或"
                               " project_manager",
                               i + 1, name);
        if (strcmp(type, "role") == 0 && !json_is_string(json_object_get(ap, "role")))
            return app_err_set(err, APP_EINVAL, "steps", "第 %zu 步“%s”需要指定角色 role", i + 1,
                               name);
        if (strcmp(type, "user") == 0 && !json_is_string(json_object_get(ap, "username")))
            return app_err_set(err, APP_EINVAL, "steps", "第 %zu 步“%s”需要指定用户 username",
                               i + 1, name);
        if (mode && strcmp(mode, "any") != 0 && strcmp(mode, "all") != 0)
            return app_err_set(err, APP_EINVAL, "steps", "第 %zu 步“%s”的 mode 应为 any 或 all",
                               i + 1, name);
        json_t *lim = json_object_get(s, "limit_hours");
        if (lim &&
            (!json_is_integer(lim) || json_integer_value(lim) < 1 || json_integer_value(lim) > 720))
            return app_err_set(err, APP_EINVAL, "steps", "第 %zu 步的时限应为 1 到 720 小时",
                               i + 1);
        json_t *when = json_object_get(s, "when");
        if (when) {
            const char *field = json_string_value(json_object_get(when, "field"));
            const char *op = json_string_value(json_object_get(when, "op"));
            if (field == NULL || field_def(form, field) == NULL)
                return app_err_set(err, APP_EINVAL, "steps", "第 %zu 步的条件引用了不存在的字段",
                                   i + 1);
            if (!in_list(op, ops, ARRAY_LEN(ops)))
                return app_err_set(err, APP_EINVAL, "steps",
                                   "第 %zu 步的条件运算符应为 > >= < <= == != in", i + 1);
            if (json_object_get(when, "value") == NULL)
                return app_err_set(err, APP_EINVAL, "steps", "第 %zu 步的条件缺少 value", i + 1);
        }
    }
    return 0;
}

/*---- Values ----*/

static size_t utf8_chars(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        if (((unsigned char)*s & 0xC0) != 0x80)
            n++;
    return n;
}

static int datetime_ok(const char *s)
{
    /* "YYYY-MM-DD HH:MM", Shanghai wall time as people write it. */
    if (strlen(s) != 16 || s[10] != ' ' || s[13] != ':')
        return 0;
    char d[11];
    memcpy(d, s, 10);
    d[10] = '\0';
    int y, m, dd;
    if (date_parse(&y, &m, &dd, d) < 0)
        return 0;
    if (!isdigit((unsigned char)s[11]) || !isdigit((unsigned char)s[12]) ||
        !isdigit((unsigned char)s[14]) || !isdigit((unsigned char)s[15]))
        return 0;
    return (s[11] - '0') * 10 + (s[12] - '0') < 24 && (s[14] - '0') * 10 + (s[15] - '0') < 60;
}

/* Check one scalar value; *out is the normalised value (new reference). */
static int
check_scalar(json_t **out, json_t *def, json_t *v, const char *fname, struct app_err *err)
{
    const char *type = json_string_value(json_object_get(def, "type"));
    const char *label = json_string_value(json_object_get(def, "label"));
    *out = NULL;
    if (strcmp(type, "text") == 0 || strcmp(type, "textarea") == 0 || strcmp(type, "date") == 0 ||
        strcmp(type, "datetime") == 0 || strcmp(type, "enum") == 0) {
        if (!json_is_string(v))
            return app_err_set(err, APP_EINVAL, fname, "%s应为文本", label);
        const char *s = json_string_value(v);
        while (*s == ' ')
            s++;
        size_t n = strlen(s);
        while (n && s[n - 1] == ' ')
            n--;
        char *t = xstrndup(s, n);
        int rc = 0;
        json_t *maxlen = json_object_get(def, "maxlen");
        size_t lim = json_is_integer(maxlen)         ? (size_t)json_integer_value(maxlen)
                     : strcmp(type, "textarea") == 0 ? 2000
                                                     : 200;
        if (utf8_chars(t) > lim)
            rc = app_err_set(err, APP_EINVAL, fname, "%s不能超过 %zu 个字", label, lim);
        int y, m, d;
        if (rc == 0 && strcmp(type, "date") == 0 && *t && date_parse(&y, &m, &d, t) < 0)
            rc = app_err_set(err, APP_EINVAL, fname, "%s应为日期 YYYY-MM-DD", label);
        if (rc == 0 && strcmp(type, "datetime") == 0 && *t && !datetime_ok(t))
            rc = app_err_set(err, APP_EINVAL, fname, "%s应为 YYYY-MM-DD HH:MM", label);
        if (rc == 0 && strcmp(type, "enum") == 0 && *t) {
            int found = 0;
            size_t i;
            json_t *o;
            json_array_foreach(json_object_get(def, "options"), i, o) found |=
                    strcmp(json_string_value(o), t) == 0;
            if (!found)
                rc = app_err_set(err, APP_EINVAL, fname, "%s的取值无效: %s", label, t);
        }
        if (rc == 0 && *t)
            *out = json_string(t);
        free(t);
        return rc;
    }
    if (strcmp(type, "bool") == 0) {
        if (!json_is_boolean(v))
            return app_err_set(err, APP_EINVAL, fname, "%s应为是或否", label);
        *out = json_incref(v);
        return 0;
    }
    /* int, money */
    if (!json_is_integer(v))
        return app_err_set(err, APP_EINVAL, fname, "%s应为整数%s", label,
                           strcmp(type, "money") == 0 ? "（以分计）" : "");
    json_int_t n = json_integer_value(v);
    json_t *min = json_object_get(def, "min"), *max = json_object_get(def, "max");
    if (strcmp(type, "money") == 0 && n < 0)
        return app_err_set(err, APP_EINVAL, fname, "%s不能为负数", label);
    if (json_is_integer(min) && n < json_integer_value(min))
        return app_err_set(err, APP_EINVAL, fname, "%s不能小于 %lld", label,
                           (long long)json_integer_value(min));
    if (json_is_integer(max) && n > json_integer_value(max))
        return app_err_set(err, APP_EINVAL, fname, "%s不能大于 %lld", label,
                           (long long)json_integer_value(max));
    *out = json_integer(n);
    return 0;
}

static int is_empty(json_t *v)
{
    return v == NULL || json_is_null(v) || (json_is_string(v) && json_string_length(v) == 0) ||
           (json_is_array(v) && json_array_size(v) == 0);
}

static int check_value(json_t **out, json_t *def, json_t *v, struct app_err *err)
{
    const char *name = json_string_value(json_object_get(def, "name"));
    const char *type = json_string_value(json_object_get(def, "type"));
    const char *label = json_string_value(json_object_get(def, "label"));
    *out = NULL;
    if (strcmp(type, "checklist") == 0) {
        /* The template's items, in order, each with its done flag. */
        json_t *items = json_object_get(def, "items"), *list = json_array();
        size_t i;
        json_t *it;
        json_array_foreach(items, i, it)
        {
            json_t *given = json_is_array(v) ? json_array_get(v, i) : NULL;
            if (given && !json_equal(json_object_get(given, "item"), it)) {
                json_decref(list);
                return app_err_set(err, APP_EINVAL, name, "%s的第 %zu 项应为“%s”", label, i + 1,
                                   json_string_value(it));
            }
            json_array_append_new(list, json_pack("{s:O, s:b}", "item", it, "done",
                                                  json_is_true(json_object_get(given, "done"))));
        }
        *out = list;
        return 0;
    }
    if (is_empty(v)) {
        if (json_is_true(json_object_get(def, "required")))
            return app_err_set(err, APP_EINVAL, name, "%s为必填项", label);
        return 0;
    }
    if (strcmp(type, "user") == 0 || strcmp(type, "project") == 0 || strcmp(type, "asset") == 0 ||
        strcmp(type, "loan") == 0) {
        if (!json_is_integer(v) || json_integer_value(v) <= 0)
            return app_err_set(err, APP_EINVAL, name, "请选择%s", label);
        *out = json_incref(v); /* existence is checked against the database by the caller */
        return 0;
    }
    if (strcmp(type, "supply_lines") == 0 || strcmp(type, "items") == 0) {
        if (!json_is_array(v))
            return app_err_set(err, APP_EINVAL, name, "%s应为列表", label);
        if (json_array_size(v) > 200)
            return app_err_set(err, APP_EINVAL, name, "%s不能超过 200 行", label);
        json_t *rows = json_array();
        size_t i;
        json_t *row;
        json_array_foreach(v, i, row)
        {
            if (!json_is_object(row)) {
                json_decref(rows);
                return app_err_set(err, APP_EINVAL, name, "%s第 %zu 行格式错误", label, i + 1);
            }
            json_t *clean = json_object();
            if (strcmp(type, "supply_lines") == 0) {
                json_t *sid = json_object_get(row, "supply_id"), *qty = json_object_get(row, "qty");
                if (!json_is_integer(sid) || !json_is_integer(qty) ||
                    json_integer_value(qty) <= 0) {
                    json_decref(clean);
                    json_decref(rows);
                    return app_err_set(err, APP_EINVAL, name, "%s第 %zu 行应选择物品并填写数量",
                                       label, i + 1);
                }
                json_object_set(clean, "supply_id", sid);
                json_object_set(clean, "qty", qty);
            } else {
                size_t k;
                json_t *col;
                json_array_foreach(json_object_get(def, "columns"), k, col)
                {
                    const char *cn = json_string_value(json_object_get(col, "name"));
                    char fname[96];
                    snprintf(fname, sizeof(fname), "%s[%zu].%s", name, i, cn);
                    json_t *cv = json_object_get(row, cn), *norm = NULL;
                    if (is_empty(cv)) {
                        if (json_is_true(json_object_get(col, "required"))) {
                            json_decref(clean);
                            json_decref(rows);
                            return app_err_set(err, APP_EINVAL, fname, "%s第 %zu 行的%s为必填项",
                                               label, i + 1,
                                               json_string_value(json_object_get(col, "label")));
                        }
                        continue;
                    }
                    int rc = check_scalar(&norm, col, cv, fname, err);
                    if (rc < 0) {
                        json_decref(clean);
                        json_decref(rows);
                        return rc;
                    }
                    if (norm)
                        json_object_set_new(clean, cn, norm);
                }
            }
            json_array_append_new(rows, clean);
        }
        *out = rows;
        return 0;
    }
    return check_scalar(out, def, v, name, err);
}

int approval_form_check(json_t **out, json_t *form, json_t *data, struct app_err *err)
{
    *out = NULL;
    if (data == NULL)
        data = json_object();
    else
        json_incref(data);
    if (!json_is_object(data)) {
        json_decref(data);
        return app_err_set(err, APP_EINVAL, "data", "表单内容应为 JSON 对象");
    }
    const char *key;
    json_t *v;
    json_object_foreach(data, key, v)
    {
        if (field_def(form, key) == NULL) {
            json_decref(data);
            return app_err_set(err, APP_EINVAL, key, "表单中没有这个字段: %s", key);
        }
    }
    json_t *clean = json_object();
    size_t i;
    json_t *def;
    int rc = 0;
    json_array_foreach(json_object_get(form, "fields"), i, def)
    {
        json_t *norm = NULL;
        rc = check_value(&norm, def,
                         json_object_get(data, json_string_value(json_object_get(def, "name"))),
                         err);
        if (rc < 0)
            break;
        if (norm)
            json_object_set_new(clean, json_string_value(json_object_get(def, "name")), norm);
    }
    json_decref(data);
    if (rc < 0) {
        json_decref(clean);
        return rc;
    }
    *out = clean;
    return 0;
}
