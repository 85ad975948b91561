/*
 * approval.c - the engine: submitting, routing to the next step that applies,
 * tasks per approver (with delegation), decisions, history, handlers.
 */
#include "approval.h"

#include <string.h>

#include "audit.h"
#include "core/strbuf.h"
#include "core/timeutil.h"
#include "query.h"

/*---- Handlers ----*/

#define MAX_HANDLERS 32
static const struct approval_handler *handlers[MAX_HANDLERS];
static int n_handlers;

void approval_register_handler(const struct approval_handler *h)
{
    for (int i = 0; i < n_handlers; i++)
        if (strcmp(handlers[i]->name, h->name) == 0) {
            handlers[i] = h;
            return;
        }
    if (n_handlers < MAX_HANDLERS)
        handlers[n_handlers++] = h;
}

const struct approval_handler *approval_find_handler(const char *name)
{
    for (int i = 0; name && i < n_handlers; i++)
        if (strcmp(handlers[i]->name, name) == 0)
            return handlers[i];
    return NULL;
}

/*---- Loading ----*/

/* A request as the engine works on it. */
struct req {
    json_t *row;   /* the approval_requests row */
    json_t *steps; /* parsed steps_json */
    json_t *form;  /* parsed form_json */
    json_t *data;  /* parsed data_json */
    int64_t id;
    int64_t round;
    const char *status;
};

static void req_free(struct req *r)
{
    json_decref(r->row);
    json_decref(r->steps);
    json_decref(r->form);
    json_decref(r->data);
    memset(r, 0, sizeof(*r));
}

static json_t *parse_col(json_t *row, const char *col)
{
    const char *t = json_string_value(json_object_get(row, col));
    json_t *v = t ? json_loads(t, JSON_DECODE_ANY, NULL) : NULL;
    return v ? v : json_null();
}

static int req_load(struct req *r, struct db_conn *c, int64_t id, struct app_err *err)
{
    memset(r, 0, sizeof(*r));
    struct db_params p = {0};
    db_params_int(&p, id);
    int rc = query_row(&r->row, c, "SELECT * FROM approval_requests WHERE id = ?", &p);
    db_params_free(&p);
    if (rc == APP_ENOTFOUND)
        return app_err_set(err, rc, NULL, "审批单不存在");
    if (rc < 0)
        return rc;
    r->id = id;
    r->steps = parse_col(r->row, "steps_json");
    r->form = parse_col(r->row, "form_json");
    r->data = parse_col(r->row, "data_json");
    r->round = json_integer_value(json_object_get(r->row, "round"));
    r->status = json_string_value(json_object_get(r->row, "status"));
    return 0;
}

/* Task deadlines are kept as epoch seconds (compared by the ticker) and
 * shown like every other instant. */
static void due_to_iso(json_t *rows)
{
    size_t i;
    json_t *r;
    json_array_foreach(rows, i, r)
    {
        json_int_t due = json_integer_value(json_object_get(r, "due_at"));
        if (due > 0) {
            char iso[32];
            time_format_iso(iso, sizeof(iso), due);
            json_object_set_new(r, "due_at", json_string(iso));
        } else {
            json_object_set_new(r, "due_at", json_null());
        }
    }
}

static int64_t row_int(json_t *row, const char *k)
{
    return json_integer_value(json_object_get(row, k));
}

static const char *row_str(json_t *row, const char *k)
{
    return json_string_value(json_object_get(row, k));
}

static void fill_info(struct approval_info *info, struct req *r)
{
    memset(info, 0, sizeof(*info));
    info->id = r->id;
    info->no = row_str(r->row, "no");
    info->template_code = row_str(r->row, "template_code");
    info->applicant_id = row_int(r->row, "applicant_id");
    info->applicant_name = row_str(r->row, "applicant_name");
    info->project_id = row_int(r->row, "project_id");
    info->origin_entity = row_str(r->row, "origin_entity");
    info->origin_id = row_int(r->row, "origin_id");
    info->data = r->data;
}

/*---- History, notices ----*/

static int history_add(struct db_conn *c,
                       int64_t request_id,
                       const struct auth_user *who,
                       const char *action,
                       int64_t step_index,
                       const char *step_name,
                       const char *comment,
                       json_t *detail)
{
    char at[32];
    time_now_iso(at, sizeof(at));
    char *d = detail ? json_dumps(detail, JSON_COMPACT) : NULL;
    int rc = db_run(c,
                    "INSERT INTO approval_history (request_id, at, user_id, username, display_name,"
                    " action, step_index, step_name, comment, detail_json)"
                    " VALUES (?,?,?,?,?,?,?,?,?,?)",
                    "ititttittt", request_id, at, who ? who->id : (int64_t)0,
                    who ? who->username : "system", who ? who->display_name : "系统", action,
                    step_index, step_name, comment, d);
    free(d);
    if (rc < 0)
        return rc;
    json_t *a = json_pack("{s:s, s:I, s:s?, s:s?}", "action", action, "step",
                          (json_int_t)step_index, "step_name", step_name, "comment", comment);
    rc = audit_append(c, who ? who->id : 0, who ? who->username : "system", action,
                      "approval_requests", request_id, NULL, a);
    json_decref(a);
    return rc;
}

static int
notify(struct db_conn *c, int64_t user_id, const char *kind, const char *title, int64_t request_id)
{
    char at[32], link[64];
    time_now_iso(at, sizeof(at));
    snprintf(link, sizeof(link), "#/approval/%lld", (long long)request_id);
    int rc = db_run(c,
                    "INSERT INTO notifications (user_id, at, kind, title, link) VALUES (?,?,?,?,?)",
                    "ittt"
                    "t",
                    user_id, at, kind, title, link);
    return rc < 0 ? rc : 0;
}

/*---- Routing ----*/

static double as_number(json_t *v)
{
    if (json_is_integer(v))
        return (double)json_integer_value(v);
    if (json_is_real(v))
        return json_real_value(v);
    if (json_is_true(v))
        return 1;
    return 0;
}

/* Does the step's condition hold for the form values? No condition holds. */
static int condition_holds(json_t *when, json_t *data)
{
    if (when == NULL || json_is_null(when))
        return 1;
    const char *field = json_string_value(json_object_get(when, "field"));
    const char *op = json_string_value(json_object_get(when, "op"));
    json_t *want = json_object_get(when, "value");
    json_t *have = json_object_get(data, field ? field : "");
    if (op == NULL)
        return 0;
    if (strcmp(op, "in") == 0) {
        size_t i;
        json_t *x;
        json_array_foreach(want, i, x) if (json_equal(x, have)) return 1;
        return 0;
    }
    if (json_is_string(have) || json_is_string(want)) {
        int eq = json_equal(have, want);
        return strcmp(op, "==") == 0 ? eq : strcmp(op, "!=") == 0 ? !eq : 0;
    }
    double a = as_number(have), b = as_number(want);
    if (strcmp(op, ">") == 0)
        return a > b;
    if (strcmp(op, ">=") == 0)
        return a >= b;
    if (strcmp(op, "<") == 0)
        return a < b;
    if (strcmp(op, "<=") == 0)
        return a <= b;
    if (strcmp(op, "==") == 0)
        return a == b;
    if (strcmp(op, "!=") == 0)
        return a != b;
    return 0;
}

/* The users a step names, active ones only. *out = [{"id","name"}]. */
static int resolve_approvers(json_t **out, struct db_conn *c, json_t *approver, struct req *r)
{
    const char *type = row_str(approver, "type");
    struct db_params p = {0};
    const char *sql;
    if (strcmp(type, "role") == 0) {
        db_params_text(&p, row_str(approver, "role"));
        sql = "SELECT u.id, u.display_name AS name FROM users u JOIN roles r ON r.id = u.role_id"
              " WHERE r.code = ? AND u.status = 'active' ORDER BY u.id";
    } else if (strcmp(type, "user") == 0) {
        db_params_text(&p, row_str(approver, "username"));
        sql = "SELECT id, display_name AS name FROM users WHERE username = ? AND status = 'active'";
    } else if (strcmp(type, "dept_head") == 0) {
        db_params_int(&p, row_int(r->row, "applicant_id"));
        sql = "SELECT u.id, u.display_name AS name FROM departments d"
              " JOIN users u ON u.id = d.head_user_id"
              " WHERE d.name = (SELECT department FROM users WHERE id = ?) AND u.status = 'active'";
    } else {
        db_params_int(&p, row_int(r->row, "project_id"));
        sql = "SELECT u.id, u.display_name AS name FROM projects pr"
              " JOIN users u ON u.id = pr.manager_user_id WHERE pr.id = ? AND u.status = 'active'";
    }
    int rc = query_rows(out, c, sql, &p);
    db_params_free(&p);
    return rc;
}

/* Open a task for approver (or whoever stands in for them today). */
static int open_task(struct db_conn *c,
                     struct req *r,
                     int64_t step,
                     const char *step_name,
                     int64_t approver,
                     int64_t limit_hours)
{
    char today[32], at[32];
    time_now_iso(at, sizeof(at));
    int64_t now = time_now();
    /* Delegations are civil dates in Shanghai. */
    time_format_iso(today, sizeof(today), now + 8 * 3600);
    today[10] = '\0';
    int64_t delegate = 0;
    int rc = db_query_int64(c, &delegate,
                            "SELECT d.delegate_id FROM approval_delegations d JOIN users u"
                            " ON u.id = d.delegate_id WHERE d.user_id = ? AND d.status = 'active'"
                            " AND d.start_date <= ? AND d.end_date >= ? AND u.status = 'active'"
                            " ORDER BY d.id DESC LIMIT 1",
                            "itt", approver, today, today);
    if (rc < 0 && rc != APP_ENOTFOUND)
        return rc;
    int64_t assignee = rc == 0 && delegate != row_int(r->row, "applicant_id") ? delegate : approver;
    char *name = NULL;
    rc = db_query_text(c, &name, "SELECT display_name FROM users WHERE id = ?", "i", assignee);
    if (rc < 0)
        return rc;
    rc = db_run(c,
                "INSERT INTO approval_tasks (request_id, step_index, step_name, round, approver_id,"
                " approver_name, delegated_from, status, created_at, due_at)"
                " VALUES (?,?,?,?,?,?,NULLIF(?, 0),'pending',?,?)",
                "iitiit"
                "iti",
                r->id, step, step_name, r->round, assignee, name,
                assignee != approver ? approver : (int64_t)0, at,
                limit_hours > 0 ? now + limit_hours * 3600 : (int64_t)0);
    if (rc >= 0) {
        char title[256];
        snprintf(title, sizeof(title), "待审批：%s", row_str(r->row, "title"));
        rc = notify(c, assignee, "approval_todo", title, r->id);
    }
    free(name);
    return rc < 0 ? rc : 0;
}

static int finish(struct db_conn *c,
                  struct req *r,
                  enum approval_outcome outcome,
                  const struct auth_user *who,
                  struct app_err *err);

/* Move to the first step at or after from that applies and has approvers
 * other than the applicant; none left means approved. */
static int advance(struct db_conn *c,
                   struct req *r,
                   int64_t from,
                   const struct auth_user *who,
                   struct app_err *err)
{
    int64_t n = (int64_t)json_array_size(r->steps);
    int64_t applicant = row_int(r->row, "applicant_id");
    for (int64_t s = from; s < n; s++) {
        json_t *step = json_array_get(r->steps, (size_t)s);
        const char *name = row_str(step, "name");
        if (!condition_holds(json_object_get(step, "when"), r->data))
            continue;
        json_t *people = NULL;
        int rc = resolve_approvers(&people, c, json_object_get(step, "approver"), r);
        if (rc < 0)
            return rc;
        if (json_array_size(people) == 0) {
            json_decref(people);
            return app_err_set(
                    err, APP_ECONFLICT, NULL,
                    "审批步骤“%"
                    "s”找不到审批人，请联系管理员设置（部门负责人、项目负责人或角色成员）",
                    name);
        }
        size_t i;
        json_t *u;
        int opened = 0;
        json_array_foreach(people, i, u)
        {
            int64_t uid = row_int(u, "id");
            if (uid == applicant)
                continue; /* nobody approves their own request */
            rc = open_task(c, r, s, name, uid, row_int(step, "limit_hours"));
            if (rc < 0)
                break;
            opened++;
        }
        json_decref(people);
        if (rc < 0)
            return rc;
        if (opened == 0) {
            rc = history_add(c, r->id, NULL, "skip", s, name, "申请人即审批人，自动跳过", NULL);
            if (rc < 0)
                return rc;
            continue;
        }
        char at[32];
        time_now_iso(at, sizeof(at));
        rc = db_run(c,
                    "UPDATE approval_requests SET step_index = ?, step_name = ?, updated_at = ?"
                    " WHERE id = ?",
                    "itti", s, name, at, r->id);
        return rc < 0 ? rc : 0;
    }
    return finish(c, r, APPROVAL_APPROVED, who, err);
}

static int checklist_complete(struct req *r, struct app_err *err)
{
    size_t i;
    json_t *def;
    json_array_foreach(json_object_get(r->form, "fields"), i, def)
    {
        if (strcmp(row_str(def, "type"), "checklist") != 0)
            continue;
        size_t k;
        json_t *it;
        json_array_foreach(json_object_get(r->data, row_str(def, "name")), k, it)
        {
            if (!json_is_true(json_object_get(it, "done")))
                return app_err_set(err, APP_EINVAL, row_str(def, "name"), "%s未完成：%s",
                                   row_str(def, "label"), row_str(it, "item"));
        }
    }
    return 0;
}

static int finish(struct db_conn *c,
                  struct req *r,
                  enum approval_outcome outcome,
                  const struct auth_user *who,
                  struct app_err *err)
{
    static const char *const status[] = {"", "approved", "rejected", "withdrawn"};
    char at[32];
    int rc;
    if (outcome == APPROVAL_APPROVED) {
        rc = checklist_complete(r, err);
        if (rc < 0)
            return rc;
    }
    time_now_iso(at, sizeof(at));
    rc = db_run(c,
                "UPDATE approval_tasks SET status = 'cancelled' WHERE request_id = ? AND"
                " status = 'pending'",
                "i", r->id);
    if (rc >= 0)
        rc = db_run(c,
                    "UPDATE approval_requests SET status = ?, decided_at = ?, updated_at = ?"
                    " WHERE id = ?",
                    "ttti", status[outcome], at, at, r->id);
    if (rc < 0)
        return rc;
    rc = history_add(c, r->id, NULL, status[outcome], -1, NULL, NULL, NULL);
    if (rc < 0)
        return rc;
    const struct approval_handler *h = approval_find_handler(row_str(r->row, "handler"));
    if (h && h->decided) {
        struct approval_info info;
        fill_info(&info, r);
        rc = h->decided(c, &info, outcome, who, err);
        if (rc < 0)
            return rc;
    }
    if (outcome != APPROVAL_WITHDRAWN) {
        char title[256];
        snprintf(title, sizeof(title), "%s：%s", outcome == APPROVAL_APPROVED ? "已通过" : "已驳回",
                 row_str(r->row, "title"));
        rc = notify(c, row_int(r->row, "applicant_id"), "approval_result", title, r->id);
    }
    return rc;
}

/*---- Submitting ----*/

/* Check references a form makes (users, projects, assets, loans, supplies). */
static int check_refs(struct db_conn *c, json_t *form, json_t *data, struct app_err *err)
{
    static const struct {
        const char *type, *table;
    } refs[] = {{"user", "users"},
                {"project", "projects"},
                {"asset", "fixed_assets"},
                {"loan", "employee_loans"}};
    size_t i;
    json_t *def;
    json_array_foreach(json_object_get(form, "fields"), i, def)
    {
        const char *type = row_str(def, "type"), *name = row_str(def, "name");
        json_t *v = json_object_get(data, name);
        if (v == NULL)
            continue;
        for (size_t k = 0; k < ARRAY_LEN(refs); k++) {
            if (strcmp(type, refs[k].type) != 0)
                continue;
            char *sql = xasprintf("SELECT COUNT(*) FROM %s WHERE id = ?", refs[k].table);
            int64_t n = 0;
            int rc = db_query_int64(c, &n, sql, "i", (int64_t)json_integer_value(v));
            free(sql);
            if (rc < 0)
                return rc;
            if (n == 0)
                return app_err_set(err, APP_EINVAL, name, "%s不存在", row_str(def, "label"));
        }
        if (strcmp(type, "supply_lines") == 0) {
            size_t k;
            json_t *line;
            json_array_foreach(v, k, line)
            {
                int64_t n = 0;
                int rc = db_query_int64(
                        c, &n, "SELECT COUNT(*) FROM office_supplies WHERE id = ?", "i",
                        (int64_t)json_integer_value(json_object_get(line, "supply_id")));
                if (rc < 0)
                    return rc;
                if (n == 0)
                    return app_err_set(err, APP_EINVAL, name, "第 %zu 行的物品不存在", k + 1);
            }
        }
    }
    return 0;
}

/* The amount a request is listed and routed by: the template's amount
 * field, or the sum of a line column named amount. */
static int64_t amount_of(json_t *data, const char *amount_field)
{
    if (amount_field == NULL)
        return -1;
    json_t *v = json_object_get(data, amount_field);
    return json_is_integer(v) ? json_integer_value(v) : -1;
}

/* Fill computed totals: a money field named total = the sum of the items
 * rows' amount column. */
static void compute_totals(json_t *form, json_t *data)
{
    size_t i;
    json_t *def;
    json_array_foreach(json_object_get(form, "fields"), i, def)
    {
        if (strcmp(row_str(def, "type"), "items") != 0)
            continue;
        json_t *rows = json_object_get(data, row_str(def, "name"));
        int64_t sum = 0;
        int any = 0;
        size_t k;
        json_t *row;
        json_array_foreach(rows, k, row)
        {
            json_t *a = json_object_get(row, "amount");
            if (json_is_integer(a)) {
                sum += json_integer_value(a);
                any = 1;
            }
        }
        if (any && json_object_get(json_object_get(form, "computed"), "total"))
            json_object_set_new(data, "total", json_integer(sum));
    }
}

static int
validate_data(json_t **clean, struct db_conn *c, json_t *form, json_t *data, struct app_err *err)
{
    int rc = approval_form_check(clean, form, data, err);
    if (rc < 0)
        return rc;
    compute_totals(form, *clean);
    rc = check_refs(c, form, *clean, err);
    if (rc < 0) {
        json_decref(*clean);
        *clean = NULL;
    }
    return rc;
}

static int run_check(struct db_conn *c, struct req *r, struct app_err *err)
{
    const struct approval_handler *h = approval_find_handler(row_str(r->row, "handler"));
    if (h == NULL || h->check == NULL)
        return 0;
    struct approval_info info;
    fill_info(&info, r);
    return h->check(c, &info, err);
}

int approval_submit(int64_t *request_id,
                    struct db_conn *c,
                    const struct auth_user *who,
                    const char *template_code,
                    const char *title,
                    json_t *data,
                    int64_t project_id,
                    const char *origin_entity,
                    int64_t origin_id,
                    struct app_err *err)
{
    *request_id = 0;
    json_t *tpl = NULL, *form = NULL, *steps = NULL, *clean = NULL;
    struct req r;
    memset(&r, 0, sizeof(r));
    struct db_params p = {0};
    db_params_text(&p, template_code ? template_code : "");
    int rc = query_row(&tpl, c, "SELECT * FROM approval_templates WHERE code = ?", &p);
    db_params_free(&p);
    if (rc == APP_ENOTFOUND)
        return app_err_set(err, APP_EINVAL, "template", "审批模板不存在: %s",
                           template_code ? template_code : "");
    if (rc < 0)
        return rc;
    if (row_int(tpl, "enabled") == 0) {
        rc = app_err_set(err, APP_ECONFLICT, "template", "审批模板已停用: %s",
                         row_str(tpl, "name"));
        goto done;
    }
    form = parse_col(tpl, "form_json");
    steps = parse_col(tpl, "steps_json");
    rc = validate_data(&clean, c, form, data, err);
    if (rc < 0)
        goto done;
    if (project_id > 0) {
        int64_t n = 0;
        rc = db_query_int64(c, &n, "SELECT COUNT(*) FROM projects WHERE id = ?", "i", project_id);
        if (rc < 0)
            goto done;
        if (n == 0) {
            rc = app_err_set(err, APP_EINVAL, "project_id", "项目不存在");
            goto done;
        }
        if (!auth_in_scope(who, project_id)) {
            rc = app_err_set(err, APP_EFORBIDDEN, "project_id", "您没有该项目的权限");
            goto done;
        }
    }
    char at[32], no[40], day[16];
    time_now_iso(at, sizeof(at));
    char local[32];
    time_format_iso(local, sizeof(local), time_now() + 8 * 3600);
    snprintf(day, sizeof(day), "%.4s%.2s%.2s", local, local + 5, local + 8);
    int64_t seq = 0;
    char like[32];
    snprintf(like, sizeof(like), "SP%s-%%", day);
    int64_t have = 0;
    rc = db_query_int64(c, &have, "SELECT COUNT(*) FROM approval_requests WHERE no LIKE ?", "t",
                        like);
    char series[32];
    snprintf(series, sizeof(series), "approval %s", day);
    if (rc >= 0)
        rc = db_counter_next(c, series, have, &seq);
    if (rc < 0)
        goto done;
    snprintf(no, sizeof(no), "SP%s-%04lld", day, (long long)seq);
    char t[200];
    if (title == NULL || *title == '\0') {
        snprintf(t, sizeof(t), "%s的%s", who->display_name ? who->display_name : who->username,
                 row_str(tpl, "name"));
        title = t;
    }
    char *form_text = json_dumps(form, JSON_COMPACT), *steps_text = json_dumps(steps, JSON_COMPACT);
    char *data_text = json_dumps(clean, JSON_COMPACT);
    int64_t amount = amount_of(clean, row_str(tpl, "amount_field"));
    char *dept = NULL;
    db_query_text(c, &dept, "SELECT department FROM users WHERE id = ?", "i", who->id);
    struct db_params q = {0};
    db_params_text(&q, no);
    db_params_int(&q, row_int(tpl, "id"));
    db_params_text(&q, row_str(tpl, "code"));
    db_params_text(&q, row_str(tpl, "name"));
    db_params_int(&q, row_int(tpl, "version"));
    db_params_text(&q, form_text);
    db_params_text(&q, steps_text);
    db_params_text(&q, row_str(tpl, "handler"));
    db_params_text(&q, title);
    db_params_int(&q, who->id);
    db_params_text(&q, who->display_name ? who->display_name : who->username);
    db_params_text(&q, dept);
    if (project_id > 0)
        db_params_int(&q, project_id);
    else
        db_params_text(&q, NULL);
    db_params_text(&q, data_text);
    if (amount >= 0)
        db_params_int(&q, amount);
    else
        db_params_text(&q, NULL);
    db_params_text(&q, origin_entity);
    if (origin_entity)
        db_params_int(&q, origin_id);
    else
        db_params_text(&q, NULL);
    db_params_text(&q, at);
    db_params_text(&q, at);
    db_params_text(&q, at);
    free(form_text);
    free(steps_text);
    free(data_text);
    free(dept);
    json_t *ins = NULL;
    rc = query_row(&ins, c,
                   "INSERT INTO approval_requests (no, template_id, template_code, template_name,"
                   " template_version, form_json, steps_json, handler, title, applicant_id,"
                   " applicant_name, department, project_id, data_json, amount_fen, status,"
                   " round, origin_entity, origin_id, submitted_at, created_at, updated_at)"
                   " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,'in_progress',1,?,?,?,?,?) RETURNING id",
                   &q);
    db_params_free(&q);
    if (rc < 0)
        goto done;
    *request_id = row_int(ins, "id");
    json_decref(ins);
    rc = req_load(&r, c, *request_id, err);
    if (rc < 0)
        goto done;
    rc = run_check(c, &r, err);
    if (rc < 0)
        goto done;
    rc = history_add(c, r.id, who, "submit", -1, NULL, NULL, NULL);
    if (rc < 0)
        goto done;
    rc = advance(c, &r, 0, who, err);
done:
    req_free(&r);
    json_decref(tpl);
    json_decref(form);
    json_decref(steps);
    json_decref(clean);
    if (rc < 0) {
        *request_id = 0;
        if (err && err->code == 0)
            app_err_set(err, rc, NULL, "提交失败");
    }
    return rc;
}

/*---- Acting ----*/

static int pending_task(int64_t *task_id, struct db_conn *c, struct req *r, int64_t user)
{
    return db_query_int64(c, task_id,
                          "SELECT id FROM approval_tasks WHERE request_id = ? AND round = ? AND"
                          " step_index = ? AND approver_id = ? AND status = 'pending'",
                          "iiii", r->id, r->round, row_int(r->row, "step_index"), user);
}

static int can_view(struct db_conn *c, struct req *r, const struct auth_user *who)
{
    if (row_int(r->row, "applicant_id") == who->id || auth_has(who, "approval.read_all"))
        return 1;
    int64_t n = 0;
    db_query_int64(c, &n,
                   "SELECT COUNT(*) FROM approval_tasks WHERE request_id = ? AND"
                   " (approver_id = ? OR delegated_from = ?)",
                   "iii", r->id, who->id, who->id);
    return n > 0;
}

/* Has anyone decided anything in this round? (Withdrawal is only before.) */
static int decided_in_round(struct db_conn *c, struct req *r)
{
    int64_t n = 0;
    db_query_int64(c, &n,
                   "SELECT COUNT(*) FROM approval_tasks WHERE request_id = ? AND round = ? AND"
                   " status IN ('approved', 'rejected', 'returned')",
                   "ii", r->id, r->round);
    return n > 0;
}

/* Apply an approver's checklist ticks to the request's values. */
static int apply_updates(struct db_conn *c, struct req *r, json_t *updates, struct app_err *err)
{
    if (updates == NULL || json_is_null(updates))
        return 0;
    if (!json_is_object(updates))
        return app_err_set(err, APP_EINVAL, "updates", "updates 应为对象");
    const char *key;
    json_t *v;
    json_object_foreach(updates, key, v)
    {
        json_t *def = NULL;
        size_t i;
        json_t *d;
        json_array_foreach(json_object_get(r->form, "fields"), i,
                           d) if (strcmp(row_str(d, "name"), key) == 0) def = d;
        if (def == NULL || strcmp(row_str(def, "type"), "checklist") != 0)
            return app_err_set(err, APP_EINVAL, key, "审批时只能勾选清单项");
        json_t *wrapped = json_pack("{s:O}", key, v), *fdefs = json_pack("{s:[O]}", "fields", def);
        json_t *clean = NULL;
        int rc = approval_form_check(&clean, fdefs, wrapped, err);
        json_decref(wrapped);
        json_decref(fdefs);
        if (rc < 0)
            return rc;
        json_object_set(r->data, key, json_object_get(clean, key));
        json_decref(clean);
    }
    char *text = json_dumps(r->data, JSON_COMPACT);
    int rc =
            db_run(c, "UPDATE approval_requests SET data_json = ? WHERE id = ?", "ti", text, r->id);
    free(text);
    return rc < 0 ? rc : 0;
}

int approval_act(struct db_conn *c,
                 const struct auth_user *who,
                 int64_t request_id,
                 const char *action,
                 const char *comment,
                 int64_t to_user,
                 json_t *updates,
                 struct app_err *err)
{
    struct req r;
    char at[32];
    int64_t task = 0;
    int rc = req_load(&r, c, request_id, err);
    if (rc < 0)
        return rc;
    time_now_iso(at, sizeof(at));
    int64_t step = row_int(r.row, "step_index");
    const char *step_name = row_str(r.row, "step_name");
    int open = strcmp(r.status, "in_progress") == 0;
    if (!can_view(c, &r, who)) {
        rc = app_err_set(err, APP_EFORBIDDEN, NULL, "您不是这张审批单的申请人或审批人");
        goto done;
    }
    if (action == NULL) {
        rc = app_err_set(err, APP_EINVAL, "action", "请指定操作");
        goto done;
    }
    if (comment && strlen(comment) > 2000) {
        rc = app_err_set(err, APP_EINVAL, "comment", "意见不能超过 2000 个字符");
        goto done;
    }
    if (strcmp(action, "comment") == 0) {
        if (comment == NULL || *comment == '\0') {
            rc = app_err_set(err, APP_EINVAL, "comment", "请填写评论内容");
            goto done;
        }
        rc = history_add(c, r.id, who, "comment", step, step_name, comment, NULL);
        goto done;
    }
    if (strcmp(action, "withdraw") == 0) {
        if (row_int(r.row, "applicant_id") != who->id) {
            rc = app_err_set(err, APP_EFORBIDDEN, NULL, "只有申请人可以撤回");
            goto done;
        }
        if (!open) {
            rc = app_err_set(err, APP_ECONFLICT, NULL, "审批单状态为“%s”，不能撤回", r.status);
            goto done;
        }
        if (decided_in_round(c, &r)) {
            rc = app_err_set(err, APP_ECONFLICT, NULL, "已有审批意见，不能撤回");
            goto done;
        }
        rc = history_add(c, r.id, who, "withdraw", step, step_name, comment, NULL);
        if (rc == 0)
            rc = finish(c, &r, APPROVAL_WITHDRAWN, who, err);
        goto done;
    }
    static const char *const decisions[] = {"approve", "reject", "return", "transfer"};
    int known = 0;
    for (size_t i = 0; i < ARRAY_LEN(decisions); i++)
        known |= strcmp(action, decisions[i]) == 0;
    if (!known) {
        rc = app_err_set(err, APP_EINVAL, "action", "未知操作: %s", action);
        goto done;
    }
    rc = open ? pending_task(&task, c, &r, who->id) : APP_ENOTFOUND;
    if (rc == APP_ENOTFOUND) {
        /* Someone on this round's route has decided already (409); anyone else is
         * outside the route (403). */
        int64_t mine = 0;
        db_query_int64(c, &mine,
                       "SELECT COUNT(*) FROM approval_tasks WHERE request_id = ? AND round = ? AND"
                       " approver_id = ?",
                       "iii", r.id, r.round, who->id);
        rc = open && mine == 0 ? app_err_set(err, APP_EFORBIDDEN, NULL, "当前步骤不由您审批")
                               : app_err_set(err, APP_ECONFLICT, NULL,
                                             open ? "您已处理过这张审批单（或已由他人处理）"
                                                  : "审批单已结束（%s）",
                                             r.status);
        goto done;
    }
    if (rc < 0)
        goto done;
    if ((strcmp(action, "reject") == 0 || strcmp(action, "return") == 0) &&
        (comment == NULL || *comment == '\0')) {
        rc = app_err_set(err, APP_EINVAL, "comment", "驳回或退回时请填写原因");
        goto done;
    }
    if (strcmp(action, "transfer") == 0) {
        char *name = NULL;
        rc = db_query_text(c, &name,
                           "SELECT display_name FROM users WHERE id = ? AND status ="
                           " 'active'",
                           "i", to_user);
        if (rc == APP_ENOTFOUND || to_user == who->id ||
            to_user == row_int(r.row, "applicant_id")) {
            free(name);
            rc = app_err_set(err, APP_EINVAL, "to_user", "请选择申请人和自己以外的有效用户");
            goto done;
        }
        if (rc < 0)
            goto done;
        int64_t dup = 0;
        db_query_int64(c, &dup,
                       "SELECT COUNT(*) FROM approval_tasks WHERE request_id = ? AND round = ?"
                       " AND step_index = ? AND approver_id = ? AND status = 'pending'",
                       "iiii", r.id, r.round, step, to_user);
        if (dup > 0) {
            rc = app_err_set(err, APP_ECONFLICT, "to_user", "%s已是当前步骤的审批人", name);
            free(name);
            goto done;
        }
        rc = db_run(c,
                    "UPDATE approval_tasks SET status = 'transferred', acted_at = ?, comment = ?"
                    " WHERE id = ?",
                    "tti", at, comment, task);
        int64_t limit = row_int(json_array_get(r.steps, (size_t)step), "limit_hours");
        if (rc >= 0)
            rc = db_run(c,
                        "INSERT INTO approval_tasks (request_id, step_index, step_name, round,"
                        " approver_id, approver_name, status, created_at, due_at)"
                        " VALUES (?,?,?,?,?,?,'pending',?,?)",
                        "iitiitti", r.id, step, step_name, r.round, to_user, name, at,
                        limit > 0 ? time_now() + limit * 3600 : (int64_t)0);
        json_t *detail = json_pack("{s:I, s:s?}", "to_user", (json_int_t)to_user, "to_name", name);
        if (rc >= 0)
            rc = history_add(c, r.id, who, "transfer", step, step_name, comment, detail);
        json_decref(detail);
        if (rc >= 0) {
            char title[256];
            snprintf(title, sizeof(title), "待审批（转交）：%s", row_str(r.row, "title"));
            rc = notify(c, to_user, "approval_todo", title, r.id);
        }
        free(name);
        goto done;
    }
    const char *task_status = strcmp(action, "approve") == 0  ? "approved"
                              : strcmp(action, "reject") == 0 ? "rejected"
                                                              : "returned";
    rc = db_run(c, "UPDATE approval_tasks SET status = ?, acted_at = ?, comment = ? WHERE id = ?",
                "ttti", task_status, at, comment, task);
    if (rc < 0)
        goto done;
    if (strcmp(action, "approve") == 0) {
        rc = apply_updates(c, &r, updates, err);
        if (rc == 0)
            rc = history_add(c, r.id, who, "approve", step, step_name, comment, updates);
        if (rc < 0)
            goto done;
        const char *mode = row_str(json_array_get(r.steps, (size_t)step), "mode");
        int all = mode && strcmp(mode, "all") == 0;
        if (!all)
            rc = db_run(c,
                        "UPDATE approval_tasks SET status = 'skipped' WHERE request_id = ? AND"
                        " round = ? AND step_index = ? AND status = 'pending'",
                        "iii", r.id, r.round, step);
        if (rc < 0)
            goto done;
        int64_t left = 0;
        rc = db_query_int64(c, &left,
                            "SELECT COUNT(*) FROM approval_tasks WHERE request_id = ? AND round = ?"
                            " AND step_index = ? AND status = 'pending'",
                            "iii", r.id, r.round, step);
        if (rc == 0 && left == 0)
            rc = advance(c, &r, step + 1, who, err);
    } else if (strcmp(action, "reject") == 0) {
        rc = history_add(c, r.id, who, "reject", step, step_name, comment, NULL);
        if (rc == 0)
            rc = finish(c, &r, APPROVAL_REJECTED, who, err);
    } else {
        rc = db_run(c,
                    "UPDATE approval_tasks SET status = 'cancelled' WHERE request_id = ? AND"
                    " status = 'pending'",
                    "i", r.id);
        if (rc >= 0)
            rc = db_run(c,
                        "UPDATE approval_requests SET status = 'returned', updated_at = ?"
                        " WHERE id = ?",
                        "ti", at, r.id);
        if (rc >= 0)
            rc = history_add(c, r.id, who, "return", step, step_name, comment, NULL);
        if (rc >= 0) {
            char title[256];
            snprintf(title, sizeof(title), "已退回修改：%s", row_str(r.row, "title"));
            rc = notify(c, row_int(r.row, "applicant_id"), "approval_returned", title, r.id);
        }
    }
done:
    req_free(&r);
    if (rc < 0 && err && err->code == 0)
        app_err_set(err, rc, NULL, "操作失败");
    return rc < 0 ? rc : 0;
}

int approval_resubmit(struct db_conn *c,
                      const struct auth_user *who,
                      int64_t request_id,
                      json_t *data,
                      struct app_err *err)
{
    struct req r;
    json_t *clean = NULL;
    int rc = req_load(&r, c, request_id, err);
    if (rc < 0)
        return rc;
    if (row_int(r.row, "applicant_id") != who->id) {
        rc = app_err_set(err, APP_EFORBIDDEN, NULL, "只有申请人可以重新提交");
        goto done;
    }
    if (strcmp(r.status, "returned") != 0) {
        rc = app_err_set(err, APP_ECONFLICT, NULL, "只有被退回的审批单可以重新提交");
        goto done;
    }
    rc = validate_data(&clean, c, r.form, data ? data : r.data, err);
    if (rc < 0)
        goto done;
    char at[32];
    time_now_iso(at, sizeof(at));
    char *text = json_dumps(clean, JSON_COMPACT);
    json_t *tpl_amount = NULL;
    struct db_params p = {0};
    db_params_int(&p, row_int(r.row, "template_id"));
    query_row(&tpl_amount, c, "SELECT amount_field FROM approval_templates WHERE id = ?", &p);
    db_params_free(&p);
    int64_t amount = amount_of(clean, row_str(tpl_amount, "amount_field"));
    json_decref(tpl_amount);
    rc = db_run(c,
                "UPDATE approval_requests SET data_json = ?, amount_fen = NULLIF(?, -1),"
                " status = 'in_progress', round = round + 1, step_index = -1, submitted_at = ?,"
                " updated_at = ? WHERE id = ?",
                "titti", text, amount, at, at, r.id);
    free(text);
    if (rc < 0)
        goto done;
    req_free(&r);
    rc = req_load(&r, c, request_id, err);
    if (rc == 0)
        rc = run_check(c, &r, err);
    if (rc == 0)
        rc = history_add(c, r.id, who, "resubmit", -1, NULL, NULL, NULL);
    if (rc == 0)
        rc = advance(c, &r, 0, who, err);
done:
    req_free(&r);
    json_decref(clean);
    if (rc < 0 && err && err->code == 0)
        app_err_set(err, rc, NULL, "提交失败");
    return rc < 0 ? rc : 0;
}

/*---- Reading ----*/

int approval_get(json_t **out,
                 struct db_conn *c,
                 const struct auth_user *who,
                 int64_t request_id,
                 struct app_err *err)
{
    *out = NULL;
    struct req r;
    json_t *tasks = NULL, *history = NULL, *files = NULL;
    struct db_params p = {0};
    int rc = req_load(&r, c, request_id, err);
    if (rc < 0)
        return rc;
    if (!can_view(c, &r, who)) {
        rc = app_err_set(err, APP_EFORBIDDEN, NULL, "您不是这张审批单的申请人或审批人");
        goto done;
    }
    db_params_int(&p, r.id);
    rc = query_rows(&tasks, c,
                    "SELECT k.id, k.step_index, k.step_name, k.round, k.approver_id,"
                    " k.approver_name, k.delegated_from, (SELECT u.display_name FROM users u"
                    " WHERE u.id = k.delegated_from) AS delegated_from_name, k.status,"
                    " k.created_at, k.due_at, k.acted_at, k.comment"
                    " FROM approval_tasks k WHERE k.request_id = ? ORDER BY k.round,"
                    " k.step_index, k.id",
                    &p);
    if (rc == 0)
        rc = query_rows(&history, c,
                        "SELECT at, username, display_name, action, step_index, step_name,"
                        " comment, detail_json FROM approval_history WHERE request_id = ?"
                        " ORDER BY id",
                        &p);
    if (rc == 0)
        rc = query_rows(&files, c,
                        "SELECT id, file_name, content_type, size, uploaded_at FROM attachments"
                        " WHERE owner_entity = 'approval_requests' AND owner_id = ? ORDER BY id",
                        &p);
    if (rc < 0)
        goto done;
    json_t *actions = json_array();
    int64_t task = 0;
    int open = strcmp(r.status, "in_progress") == 0;
    if (open && pending_task(&task, c, &r, who->id) == 0) {
        json_array_append_new(actions, json_string("approve"));
        json_array_append_new(actions, json_string("reject"));
        json_array_append_new(actions, json_string("return"));
        json_array_append_new(actions, json_string("transfer"));
    }
    int applicant = row_int(r.row, "applicant_id") == who->id;
    if (applicant && open && !decided_in_round(c, &r))
        json_array_append_new(actions, json_string("withdraw"));
    if (applicant && strcmp(r.status, "returned") == 0)
        json_array_append_new(actions, json_string("resubmit"));
    json_array_append_new(actions, json_string("comment"));
    json_t *o = json_deep_copy(r.row);
    json_object_del(o, "form_json");
    json_object_del(o, "steps_json");
    json_object_del(o, "data_json");
    json_object_set(o, "form", r.form);
    json_object_set(o, "steps", r.steps);
    json_object_set(o, "data", r.data);
    due_to_iso(tasks);
    json_object_set_new(o, "tasks", tasks);
    json_object_set_new(o, "history", history);
    json_object_set_new(o, "attachments", files);
    json_object_set_new(o, "actions", actions);
    tasks = history = files = NULL;
    *out = o;
done:
    db_params_free(&p);
    json_decref(tasks);
    json_decref(history);
    json_decref(files);
    req_free(&r);
    return rc;
}

int approval_inbox(json_t **out,
                   struct db_conn *c,
                   const struct auth_user *who,
                   const char *box,
                   const char *status,
                   int64_t limit,
                   int64_t offset,
                   struct app_err *err)
{
    *out = NULL;
    struct strbuf where;
    struct db_params p = {0};
    strbuf_init(&where, 4096);
    if (box == NULL || strcmp(box, "todo") == 0) {
        strbuf_puts(&where, "EXISTS (SELECT 1 FROM approval_tasks k WHERE k.request_id = r.id"
                            " AND k.round = r.round AND k.status = 'pending' AND k.approver_id = ?)"
                            " AND r.status = 'in_progress'");
        db_params_int(&p, who->id);
    } else if (strcmp(box, "mine") == 0) {
        strbuf_puts(&where, "r.applicant_id = ?");
        db_params_int(&p, who->id);
    } else if (strcmp(box, "done") == 0) {
        strbuf_puts(&where, "EXISTS (SELECT 1 FROM approval_tasks k WHERE k.request_id = r.id"
                            " AND k.approver_id = ? AND k.status IN ('approved', 'rejected',"
                            " 'returned', 'transferred'))");
        db_params_int(&p, who->id);
    } else if (strcmp(box, "all") == 0) {
        if (!auth_has(who, "approval.read_all")) {
            strbuf_free(&where);
            return app_err_set(err, APP_EFORBIDDEN, "box", "您没有查看全部审批单的权限");
        }
        strbuf_puts(&where, "1=1");
    } else {
        strbuf_free(&where);
        return app_err_set(err, APP_EBADREQ, "box", "box 应为 todo、mine、done 或 all");
    }
    if (status && *status) {
        static const char *const st[] = {"in_progress", "approved", "rejected", "returned",
                                         "withdrawn"};
        int ok = 0;
        for (size_t i = 0; i < ARRAY_LEN(st); i++)
            ok |= strcmp(st[i], status) == 0;
        if (!ok) {
            strbuf_free(&where);
            db_params_free(&p);
            return app_err_set(err, APP_EBADREQ, "status", "状态无效: %s", status);
        }
        strbuf_puts(&where, " AND r.status = ?");
        db_params_text(&p, status);
    }
    if (limit <= 0 || limit > 200)
        limit = 40;
    char *count_sql =
            xasprintf("SELECT COUNT(*) FROM approval_requests r WHERE %s", strbuf_str(&where));
    int64_t total = 0;
    struct db_stmt *s = NULL;
    int rc = db_prepare(&s, c, count_sql);
    free(count_sql);
    if (rc == 0) {
        db_params_bind(s, &p);
        if (db_step(s) == DB_ROW)
            total = db_col_int64(s, 0);
        db_finalize(s);
    }
    char *sql = xasprintf(
            "SELECT r.id, r.no, r.template_code, r.template_name, r.title, r.applicant_name,"
            " r.department, r.amount_fen, r.status, r.step_name, r.submitted_at, r.decided_at,"
            " (SELECT MIN(k.due_at) FROM approval_tasks k WHERE k.request_id = r.id AND"
            " k.status = 'pending' AND k.due_at > 0) AS due_at"
            " FROM approval_requests r WHERE %s ORDER BY r.id DESC LIMIT ? OFFSET ?",
            strbuf_str(&where));
    db_params_int(&p, limit);
    db_params_int(&p, offset);
    json_t *items = NULL;
    if (rc == 0)
        rc = query_rows(&items, c, sql, &p);
    free(sql);
    strbuf_free(&where);
    db_params_free(&p);
    if (rc < 0)
        return app_err_set(err, rc, NULL, "查询失败");
    int64_t now = time_now();
    size_t i;
    json_t *it;
    json_array_foreach(items, i, it)
    {
        int64_t due = row_int(it, "due_at");
        json_object_set_new(it, "overdue",
                            json_boolean(due > 0 && due < now &&
                                         strcmp(row_str(it, "status"), "in_progress") == 0));
    }
    due_to_iso(items);
    *out = json_pack("{s:o, s:I}", "items", items, "total", (json_int_t)total);
    return 0;
}

int approval_counts(json_t **out, struct db_conn *c, const struct auth_user *who)
{
    int64_t todo = 0, overdue = 0, returned = 0, unread = 0;
    db_query_int64(c, &todo,
                   "SELECT COUNT(*) FROM approval_tasks k JOIN approval_requests r ON r.id ="
                   " k.request_id WHERE k.approver_id = ? AND k.status = 'pending' AND"
                   " r.status = 'in_progress'",
                   "i", who->id);
    db_query_int64(c, &overdue,
                   "SELECT COUNT(*) FROM approval_tasks WHERE approver_id = ? AND status ="
                   " 'pending' AND due_at > 0 AND due_at < ?",
                   "ii", who->id, time_now());
    db_query_int64(c, &returned,
                   "SELECT COUNT(*) FROM approval_requests WHERE applicant_id = ? AND status ="
                   " 'returned'",
                   "i", who->id);
    db_query_int64(c, &unread,
                   "SELECT COUNT(*) FROM notifications WHERE user_id = ? AND read_at IS NULL", "i",
                   who->id);
    *out = json_pack("{s:I, s:I, s:I, s:I}", "todo", (json_int_t)todo, "overdue",
                     (json_int_t)overdue, "returned", (json_int_t)returned, "unread",
                     (json_int_t)unread);
    return 0;
}

int approval_remind_overdue(struct db_conn *c, int64_t now)
{
    char at[32];
    time_now_iso(at, sizeof(at));
    json_t *due = NULL;
    struct db_params p = {0};
    db_params_text(&p, at);
    db_params_int(&p, now);
    /* Claiming the rows and reading them is one statement: a task is reminded
     * once even when several servers run this at the same moment. */
    int rc = query_rows(&due, c,
                        "UPDATE approval_tasks SET reminded_at = ? WHERE status = 'pending' AND"
                        " due_at > 0 AND due_at < ? AND reminded_at IS NULL"
                        " RETURNING id, request_id, approver_id, step_name",
                        &p);
    db_params_free(&p);
    if (rc < 0)
        return rc;
    size_t i;
    json_t *t;
    int n = 0;
    json_array_foreach(due, i, t)
    {
        char *title = NULL;
        db_query_text(c, &title, "SELECT title FROM approval_requests WHERE id = ?", "i",
                      row_int(t, "request_id"));
        char msg[300];
        snprintf(msg, sizeof(msg), "审批超时提醒：%s（%s）", title ? title : "",
                 row_str(t, "step_name"));
        free(title);
        rc = notify(c, row_int(t, "approver_id"), "approval_overdue", msg,
                    row_int(t, "request_id"));
        if (rc < 0)
            break;
        n++;
    }
    json_decref(due);
    return rc < 0 ? rc : n;
}
