/*
 * entities_jobs.c - the scheduler as an admin sees it: the jobs (enable,
 * period, parameter) and the log of their runs.
 */
#include <string.h>

#include "entities_office.h"
#include "entity.h"
#include "survey.h"

static const struct entity_field jobs_fields[] = {
        {.name = "code",
         .label = "代码",
         .label_en = "Code",
         .type = FT_TEXT,
         .flags = F_LIST | F_FILTER},
        {.name = "name", .label = "任务", .label_en = "Job", .type = FT_TEXT, .flags = F_LIST},
        {.name = "enabled",
         .label = "启用",
         .label_en = "Enabled",
         .type = FT_BOOL,
         .flags = F_LIST | F_FILTER | F_UPDATE},
        {.name = "every_seconds",
         .label = "间隔（秒）",
         .label_en = "Every (s)",
         .type = FT_INT,
         .flags = F_LIST | F_UPDATE},
        {.name = "param",
         .label = "参数（提前天数）",
         .label_en = "Parameter (days ahead)",
         .type = FT_INT,
         .flags = F_LIST | F_UPDATE},
        {.name = "last_run_at",
         .label = "上次运行",
         .label_en = "Last run",
         .type = FT_DATETIME,
         .flags = F_LIST},
        {.name = "lease_holder",
         .label = "正在运行的服务器",
         .label_en = "Running on",
         .type = FT_TEXT,
         .flags = F_LIST},
};

static int jobs_before_update(struct db_conn *c,
                              const struct auth_user *who,
                              int64_t id,
                              json_t *in,
                              json_t *before,
                              struct entity_cols *x,
                              struct app_err *err)
{
    (void)c;
    (void)who;
    (void)id;
    (void)before;
    (void)x;
    json_t *every = json_object_get(in, "every_seconds"), *param = json_object_get(in, "param");
    if (every && (!json_is_integer(every) || json_integer_value(every) < 30 ||
                  json_integer_value(every) > 31 * 86400))
        return app_err_set(err, APP_EINVAL, "every_seconds", "间隔应在 30 秒到 31 天之间");
    if (param && !json_is_null(param) &&
        (!json_is_integer(param) || json_integer_value(param) < 0 ||
         json_integer_value(param) > 3650))
        return app_err_set(err, APP_EINVAL, "param", "参数应为 0 到 3650 之间的天数");
    return 0;
}

static const struct entity_hooks jobs_hooks = {.before_update = jobs_before_update};

const struct entity scheduled_jobs_entity = {.name = "scheduled-jobs",
                                             .table = "scheduled_jobs",
                                             .label = "定时任务",
                                             .label_en = "Scheduled jobs",
                                             .fields = jobs_fields,
                                             .n_fields = ARRAY_LEN(jobs_fields),
                                             .read_perm = "job.read",
                                             .write_perm = "job.write",
                                             .export_perm = "job.read",
                                             .title_field = "name",
                                             .default_sort = "id",
                                             .nav_group = "system",
                                             .flags = E_NO_CREATE,
                                             .hooks = &jobs_hooks};

static const struct field_option run_statuses[] = {
        {"ok", "成功", "OK", "green"},
        {"failed", "失败", "Failed", "red"},
        {NULL, NULL, NULL, NULL},
};

static const struct entity_field runs_fields[] = {
        {.name = "job",
         .label = "任务",
         .label_en = "Job",
         .type = FT_TEXT,
         .flags = F_LIST | F_FILTER},
        {.name = "holder",
         .label = "服务器",
         .label_en = "Server",
         .type = FT_TEXT,
         .flags = F_LIST | F_FILTER},
        {.name = "started_at",
         .label = "开始",
         .label_en = "Started",
         .type = FT_DATETIME,
         .flags = F_LIST | F_SORT | F_FILTER},
        {.name = "finished_at",
         .label = "结束",
         .label_en = "Finished",
         .type = FT_DATETIME,
         .flags = F_LIST},
        {.name = "status",
         .label = "结果",
         .label_en = "Result",
         .type = FT_ENUM,
         .flags = F_LIST | F_FILTER,
         .options = run_statuses},
        {.name = "fired",
         .label = "发出提醒",
         .label_en = "Notices",
         .type = FT_INT,
         .flags = F_LIST | F_FILTER},
};

const struct entity job_runs_entity = {.name = "job-runs",
                                       .table = "job_runs",
                                       .label = "任务运行记录",
                                       .label_en = "Job runs",
                                       .fields = runs_fields,
                                       .n_fields = ARRAY_LEN(runs_fields),
                                       .read_perm = "job.read",
                                       .write_perm = NULL,
                                       .export_perm = "job.read",
                                       .title_field = "job",
                                       .default_sort = "-id",
                                       .nav_group = "system",
                                       .flags = E_READONLY};

static const struct field_option channels[] = {
        {"email", "电子邮件", "Email", NULL},
        {"sms", "短信", "SMS", NULL},
        {"letter", "纸质信函", "Letter", NULL},
        {NULL, NULL, NULL, NULL},
};

static const struct field_option message_kinds[] = {
        {"service", "服务通知", "Service notice", NULL},
        {"marketing", "营销信息", "Marketing", "orange"},
        {NULL, NULL, NULL, NULL},
};

static const struct field_option message_statuses[] = {
        {"pending", "待发送", "Pending", "grey"},   {"sending", "发送中", "Sending", "blue"},
        {"sent", "已发送", "Sent", "green"},        {"failed", "失败", "Failed", "red"},
        {"skipped", "未发送", "Skipped", "orange"}, {NULL, NULL, NULL, NULL},
};

static const struct entity_field outbox_fields[] = {
        {.name = "channel",
         .label = "渠道",
         .label_en = "Channel",
         .type = FT_ENUM,
         .flags = F_LIST | F_FILTER,
         .options = channels},
        {.name = "kind",
         .label = "类别",
         .label_en = "Kind",
         .type = FT_ENUM,
         .flags = F_LIST | F_FILTER,
         .options = message_kinds},
        {.name = "customer_id",
         .label = "客户",
         .label_en = "Customer",
         .type = FT_REF,
         .flags = F_LIST | F_FILTER,
         .ref = "customers",
         .ref_label = "customer_name",
         .ref_label_sql = "(SELECT c.name FROM customers c WHERE c.id = t.customer_id)"},
        {.name = "subject",
         .label = "主题",
         .label_en = "Subject",
         .type = FT_TEXT,
         .flags = F_LIST | F_SEARCH},
        {.name = "body",
         .label = "内容",
         .label_en = "Text",
         .type = FT_TEXTAREA,
         .flags = F_DETAIL},
        {.name = "status",
         .label = "状态",
         .label_en = "Status",
         .type = FT_ENUM,
         .flags = F_LIST | F_FILTER,
         .options = message_statuses},
        {.name = "attempts",
         .label = "尝试次数",
         .label_en = "Attempts",
         .type = FT_INT,
         .flags = F_LIST},
        {.name = "last_error",
         .label = "原因",
         .label_en = "Reason",
         .type = FT_TEXT,
         .flags = F_LIST},
        {.name = "source",
         .label = "来源",
         .label_en = "Source",
         .type = FT_TEXT,
         .flags = F_LIST | F_FILTER},
        {.name = "created_at",
         .label = "创建时间",
         .label_en = "Queued",
         .type = FT_DATETIME,
         .flags = F_LIST | F_SORT},
        {.name = "sent_at",
         .label = "发送时间",
         .label_en = "Sent",
         .type = FT_DATETIME,
         .flags = F_LIST | F_SORT},
};

const struct entity outbox_entity = {.name = "outbox",
                                     .table = "outbox",
                                     .label = "发送队列",
                                     .label_en = "Outbox",
                                     .fields = outbox_fields,
                                     .n_fields = ARRAY_LEN(outbox_fields),
                                     .read_perm = "outbox.read",
                                     .write_perm = NULL,
                                     .export_perm = "outbox.read",
                                     .title_field = "subject",
                                     .default_sort = "-id",
                                     .nav_group = "system",
                                     .flags = E_READONLY};

static const struct field_option newsletter_kinds[] = {
        {"service", "服务通知（工程进度、交付、社区）", "Service (progress, handover, community)",
         NULL},
        {"marketing", "营销推广（需业主同意）", "Marketing (consent needed)", "orange"},
        {NULL, NULL, NULL, NULL},
};

static const struct field_option newsletter_statuses[] = {
        {"draft", "草稿", "Draft", "grey"},
        {"sent", "已发送", "Sent", "green"},
        {NULL, NULL, NULL, NULL},
};

static const struct entity_field newsletters_fields[] = {
        {.name = "project_id",
         .label = "项目",
         .label_en = "Project",
         .type = FT_REF,
         .flags = F_LIST | F_FILTER | F_CREATE | F_REQUIRED,
         .ref = "projects",
         .ref_label = "project_name",
         .ref_label_sql = "(SELECT p.name FROM projects p WHERE p.id = t.project_id)"},
        {.name = "title",
         .label = "标题",
         .label_en = "Title",
         .type = FT_TEXT,
         .flags = F_LIST | F_SEARCH | F_CREATE | F_UPDATE | F_REQUIRED,
         .maxlen = 60},
        {.name = "body",
         .label = "正文",
         .label_en = "Text",
         .type = FT_TEXTAREA,
         .flags = F_DETAIL | F_CREATE | F_UPDATE | F_REQUIRED,
         .maxlen = 4000},
        {.name = "kind",
         .label = "类别",
         .label_en = "Kind",
         .type = FT_ENUM,
         .flags = F_LIST | F_FILTER | F_CREATE | F_UPDATE,
         .options = newsletter_kinds},
        {.name = "status",
         .label = "状态",
         .label_en = "Status",
         .type = FT_ENUM,
         .flags = F_LIST | F_FILTER,
         .options = newsletter_statuses},
        {.name = "target",
         .label = "发送范围",
         .label_en = "Sent to",
         .type = FT_TEXT,
         .flags = F_LIST},
        {.name = "recipients",
         .label = "收件业主",
         .label_en = "Recipients",
         .type = FT_INT,
         .flags = F_LIST},
        {.name = "sent_at",
         .label = "发送时间",
         .label_en = "Sent",
         .type = FT_DATETIME,
         .flags = F_LIST | F_SORT},
        {.name = "sent_by",
         .label = "发送人",
         .label_en = "Sent by",
         .type = FT_TEXT,
         .flags = F_LIST},
};

static int newsletters_before_update(struct db_conn *c,
                                     const struct auth_user *who,
                                     int64_t id,
                                     json_t *in,
                                     json_t *before,
                                     struct entity_cols *x,
                                     struct app_err *err)
{
    (void)c;
    (void)who;
    (void)id;
    (void)in;
    (void)x;
    const char *st = json_string_value(json_object_get(before, "status"));
    if (st && strcmp(st, "draft") != 0)
        return app_err_set(err, APP_ECONFLICT, "status", "已发送的客户通讯不能修改");
    return 0;
}

static const struct entity_hooks newsletters_hooks = {.before_update = newsletters_before_update};

const struct entity newsletters_entity = {
        .name = "newsletters",
        .table = "newsletters",
        .label = "客户通讯",
        .label_en = "Newsletters",
        .fields = newsletters_fields,
        .n_fields = ARRAY_LEN(newsletters_fields),
        .read_perm = "newsletter.read",
        .write_perm = "newsletter.write",
        .export_perm = "newsletter.read",
        .title_field = "title",
        .default_sort = "-id",
        .scope_sql = "t.project_id IN (SELECT project_id FROM user_projects WHERE user_id = ?)",
        .scope_field = "project_id",
        .nav_group = "service",
        .flags = E_TIMESTAMPS,
        .hooks = &newsletters_hooks};

static const struct field_option survey_triggers[] = {
        {"signing", "签约后", "After signing", NULL},
        {"handover", "交付后", "After handover", NULL},
        {"ticket_closed", "工单关闭后", "After a closed ticket", NULL},
        {"campaign", "专项调查", "Campaign", NULL},
        {NULL, NULL, NULL, NULL},
};

static const struct entity_field survey_templates_fields[] = {
        {.name = "name",
         .label = "问卷",
         .label_en = "Survey",
         .type = FT_TEXT,
         .flags = F_LIST | F_SEARCH | F_CREATE | F_UPDATE | F_REQUIRED,
         .maxlen = 60},
        {.name = "trigger_on",
         .label = "发起时机",
         .label_en = "Raised",
         .type = FT_ENUM,
         .flags = F_LIST | F_FILTER | F_CREATE | F_UPDATE | F_REQUIRED,
         .options = survey_triggers},
        {.name = "questions_json",
         .label = "题目（JSON）",
         .label_en = "Questions (JSON)",
         .type = FT_TEXTAREA,
         .flags = F_DETAIL | F_CREATE | F_UPDATE | F_REQUIRED,
         .maxlen = 20000},
        {.name = "active",
         .label = "启用",
         .label_en = "Active",
         .type = FT_BOOL,
         .flags = F_LIST | F_FILTER | F_CREATE | F_UPDATE},
};

static int surveys_check(json_t *in, struct app_err *err)
{
    json_t *q = json_object_get(in, "questions_json");
    return q ? survey_questions_check(json_string_value(q), err) : 0;
}

static int surveys_before_create(struct db_conn *c,
                                 const struct auth_user *who,
                                 json_t *in,
                                 struct entity_cols *x,
                                 struct app_err *err)
{
    (void)c;
    (void)who;
    (void)x;
    return surveys_check(in, err);
}

static int surveys_before_update(struct db_conn *c,
                                 const struct auth_user *who,
                                 int64_t id,
                                 json_t *in,
                                 json_t *before,
                                 struct entity_cols *x,
                                 struct app_err *err)
{
    (void)c;
    (void)who;
    (void)id;
    (void)before;
    (void)x;
    return surveys_check(in, err);
}

static const struct entity_hooks surveys_hooks = {.before_create = surveys_before_create,
                                                  .before_update = surveys_before_update};

const struct entity survey_templates_entity = {.name = "survey-templates",
                                               .table = "survey_templates",
                                               .label = "回访问卷",
                                               .label_en = "Survey templates",
                                               .fields = survey_templates_fields,
                                               .n_fields = ARRAY_LEN(survey_templates_fields),
                                               .read_perm = "survey.read",
                                               .write_perm = "survey.admin",
                                               .export_perm = "survey.read",
                                               .title_field = "name",
                                               .default_sort = "id",
                                               .nav_group = "service",
                                               .flags = E_TIMESTAMPS,
                                               .hooks = &surveys_hooks};

static const struct field_option survey_statuses[] = {
        {"invited", "待回访", "To do", "orange"},
        {"answered", "已回访", "Answered", "green"},
        {NULL, NULL, NULL, NULL},
};

static const struct entity_field survey_responses_fields[] = {
        {.name = "template_id",
         .label = "问卷",
         .label_en = "Survey",
         .type = FT_REF,
         .flags = F_LIST | F_FILTER,
         .ref = "survey-templates",
         .ref_label = "template_name",
         .ref_label_sql = "(SELECT x.name FROM survey_templates x WHERE x.id = t.template_id)"},
        {.name = "customer_id",
         .label = "客户",
         .label_en = "Customer",
         .type = FT_REF,
         .flags = F_LIST | F_FILTER,
         .ref = "customers",
         .ref_label = "customer_name",
         .ref_label_sql = "(SELECT c.name FROM customers c WHERE c.id = t.customer_id)"},
        {.name = "project_id",
         .label = "项目",
         .label_en = "Project",
         .type = FT_REF,
         .flags = F_LIST | F_FILTER,
         .ref = "projects",
         .ref_label = "project_name",
         .ref_label_sql = "(SELECT p.name FROM projects p WHERE p.id = t.project_id)"},
        {.name = "stage",
         .label = "阶段",
         .label_en = "Stage",
         .type = FT_ENUM,
         .flags = F_LIST | F_FILTER,
         .options = survey_triggers},
        {.name = "status",
         .label = "状态",
         .label_en = "Status",
         .type = FT_ENUM,
         .flags = F_LIST | F_FILTER,
         .options = survey_statuses},
        {.name = "invited_on",
         .label = "发起日期",
         .label_en = "Raised",
         .type = FT_DATE,
         .flags = F_LIST | F_FILTER | F_SORT},
        {.name = "score_avg100",
         .label = "满意度（×100）",
         .label_en = "Satisfaction (×100)",
         .type = FT_INT,
         .flags = F_LIST | F_FILTER | F_SORT},
        {.name = "nps",
         .label = "推荐意愿（0–10）",
         .label_en = "Would recommend (0–10)",
         .type = FT_INT,
         .flags = F_LIST | F_FILTER},
        {.name = "answers_json",
         .label = "答案",
         .label_en = "Answers",
         .type = FT_JSON,
         .flags = F_DETAIL},
        {.name = "answered_at",
         .label = "回访时间",
         .label_en = "Answered",
         .type = FT_DATETIME,
         .flags = F_LIST | F_SORT},
        {.name = "recorded_by",
         .label = "回访人",
         .label_en = "Recorded by",
         .type = FT_TEXT,
         .flags = F_LIST},
        {.name = "source",
         .label = "来源",
         .label_en = "Source",
         .type = FT_TEXT,
         .flags = F_DETAIL},
};

const struct entity survey_responses_entity = {
        .name = "survey-responses",
        .table = "survey_responses",
        .label = "满意度回访",
        .label_en = "Survey responses",
        .fields = survey_responses_fields,
        .n_fields = ARRAY_LEN(survey_responses_fields),
        .read_perm = "survey.read",
        .write_perm = NULL,
        .export_perm = "survey.read",
        .title_field = "source",
        .default_sort = "-id",
        .scope_sql = "t.project_id IN (SELECT project_id FROM user_projects WHERE user_id = ?)",
        .scope_field = "project_id",
        .nav_group = "service",
        .flags = E_READONLY};
