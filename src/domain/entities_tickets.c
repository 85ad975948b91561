/*
 * entities_tickets.c - the ticket module's records as declared entities:
 * the ticket ledger (list, filters, Excel export of every field), and the
 * configuration a manager edits (categories, SLA policies, warranty
 * periods, contractors), compensations and defect cases. Intake and every
 * state change go through ticket.c.
 */
#include <string.h>

#include "core/validate.h"
#include "entities_office.h"
#include "entity.h"

static const struct field_option ticket_types[] = {
        {"consult", "咨询", "Enquiry", "grey"},
        {"complaint", "投诉", "Complaint", "red"},
        {"repair", "报修", "Repair", "blue"},
        {"suggestion", "建议", "Suggestion", "grey"},
        {"compensation", "赔付", "Compensation", "orange"},
        {NULL, NULL, NULL, NULL},
};

static const struct field_option ticket_channels[] = {
        {"phone", "来电", "Phone", NULL},   {"visit", "来访", "Visit", NULL},
        {"online", "网络", "Online", NULL}, {"hotline", "12345热线", "12345 hotline", "red"},
        {"letter", "信函", "Letter", NULL}, {"media", "媒体", "Media", "orange"},
        {NULL, NULL, NULL, NULL},
};

static const struct field_option ticket_severities[] = {
        {"urgent", "紧急", "Urgent", "red"},
        {"high", "重要", "High", "orange"},
        {"normal", "一般", "Normal", "blue"},
        {"low", "轻微", "Low", "grey"},
        {NULL, NULL, NULL, NULL},
};

static const struct field_option ticket_statuses[] = {
        {"new", "新建", "New", "orange"},
        {"accepted", "已受理", "Accepted", "blue"},
        {"processing", "处理中", "In progress", "blue"},
        {"callback", "待回访", "Callback due", "orange"},
        {"closed", "已关闭", "Closed", "green"},
        {"merged", "已合并", "Merged", "grey"},
        {NULL, NULL, NULL, NULL},
};

static const struct field_option dispatch_kinds[] = {
        {"department", "部门", "Department", NULL},
        {"contractor", "施工单位", "Contractor", NULL},
        {"property", "物业公司", "Property management", NULL},
        {NULL, NULL, NULL, NULL},
};

static const struct field_option sla_units[] = {
        {"work_hours", "工作小时", "Working hours", NULL},
        {"work_days", "工作日", "Working days", NULL},
        {"calendar_days", "自然日", "Calendar days", NULL},
        {"hours", "小时（自然时间）", "Hours (wall clock)", NULL},
        {NULL, NULL, NULL, NULL},
};

static const struct field_option warranty_components[] = {
        {"structure", "地基基础和主体结构", "Foundation and structure", NULL},
        {"roof_waterproof", "屋面防水", "Roof waterproofing", NULL},
        {"wet_room_waterproof", "卫生间、房间防水", "Wet-room waterproofing", NULL},
        {"facade_leak", "外墙面防渗漏", "Facade leaks", NULL},
        {"heating_cooling", "供热与供冷系统", "Heating and cooling", NULL},
        {"electrical", "电气管线", "Electrical", NULL},
        {"plumbing", "给排水管道", "Plumbing", NULL},
        {"equipment", "设备安装", "Equipment", NULL},
        {"decoration", "装修工程", "Decoration", NULL},
        {"doors_windows", "门窗", "Doors and windows", NULL},
        {NULL, NULL, NULL, NULL},
};

#define PROJECT_REF                                                                                \
    {                                                                                              \
        .name = "project_id", .label = "项目", .label_en = "Project", .type = FT_REF,              \
        .flags = F_LIST | F_FILTER, .ref = "projects", .ref_label = "project_name",                \
        .ref_label_sql = "(SELECT p.name FROM projects p WHERE p.id = t.project_id)"               \
    }

#define SCOPED "t.project_id IN (SELECT project_id FROM user_projects WHERE user_id = ?)"

static const struct entity_field tickets_fields[] = {
        {.name = "no",
         .label = "工单编号",
         .label_en = "No.",
         .type = FT_TEXT,
         .flags = F_LIST | F_FILTER | F_SORT | F_SEARCH},
        {.name = "type",
         .label = "类型",
         .label_en = "Type",
         .type = FT_ENUM,
         .flags = F_LIST | F_FILTER,
         .options = ticket_types},
        {.name = "channel",
         .label = "来源",
         .label_en = "Channel",
         .type = FT_ENUM,
         .flags = F_LIST | F_FILTER,
         .options = ticket_channels},
        {.name = "severity",
         .label = "紧急程度",
         .label_en = "Severity",
         .type = FT_ENUM,
         .flags = F_LIST | F_FILTER | F_SORT,
         .options = ticket_severities},
        {.name = "status",
         .label = "状态",
         .label_en = "Status",
         .type = FT_ENUM,
         .flags = F_LIST | F_FILTER | F_SORT,
         .options = ticket_statuses},
        {.name = "title",
         .label = "标题",
         .label_en = "Title",
         .type = FT_TEXT,
         .flags = F_LIST | F_SEARCH | F_UPDATE,
         .maxlen = 100},
        PROJECT_REF,
        {.name = "unit_id",
         .label = "房号",
         .label_en = "Unit",
         .type = FT_REF,
         .flags = F_LIST | F_FILTER,
         .ref = "units",
         .ref_label = "room_code",
         .ref_label_sql = "(SELECT u.room_code FROM units u WHERE u.id = t.unit_id)"},
        {.name = "customer_id",
         .label = "客户",
         .label_en = "Customer",
         .type = FT_REF,
         .flags = F_LIST | F_FILTER,
         .ref = "customers",
         .ref_label = "customer_name",
         .ref_label_sql = "(SELECT c.name FROM customers c WHERE c.id = t.customer_id)"},
        {.name = "caller_name",
         .label = "来电人",
         .label_en = "Caller",
         .type = FT_TEXT,
         .flags = F_DETAIL | F_SEARCH},
        {.name = "caller_phone",
         .label = "来电号码",
         .label_en = "Caller phone",
         .type = FT_TEXT,
         .flags = F_DETAIL | F_FILTER,
         .maxlen = 40,
         .pii = PII_PHONE,
         .reveal_perm = "customer.pii_phone"},
        {.name = "category_id",
         .label = "分类",
         .label_en = "Category",
         .type = FT_REF,
         .flags = F_LIST | F_FILTER,
         .ref = "ticket-categories",
         .ref_label = "category_name",
         .ref_label_sql = "(SELECT k.name FROM ticket_categories k WHERE k.id = t.category_id)"},
        {.name = "description",
         .label = "问题描述",
         .label_en = "Description",
         .type = FT_TEXTAREA,
         .flags = F_DETAIL | F_SEARCH | F_UPDATE,
         .maxlen = 4000},
        {.name = "location",
         .label = "部位",
         .label_en = "Location",
         .type = FT_TEXT,
         .flags = F_DETAIL | F_UPDATE,
         .maxlen = 200},
        {.name = "assignee_id",
         .label = "处理人",
         .label_en = "Assignee",
         .type = FT_REF,
         .flags = F_LIST | F_FILTER,
         .ref = "users",
         .ref_label = "assignee_name",
         .ref_label_sql = "(SELECT u.display_name FROM users u WHERE u.id = t.assignee_id)"},
        {.name = "dispatch_kind",
         .label = "派单对象",
         .label_en = "Dispatched to (kind)",
         .type = FT_ENUM,
         .flags = F_DETAIL | F_FILTER,
         .options = dispatch_kinds},
        {.name = "dispatch_to",
         .label = "派往单位",
         .label_en = "Dispatched to",
         .type = FT_TEXT,
         .flags = F_DETAIL | F_FILTER},
        {.name = "work_order_no",
         .label = "派工单号",
         .label_en = "Work order",
         .type = FT_TEXT,
         .flags = F_DETAIL | F_FILTER},
        {.name = "hotline_no",
         .label = "热线工单号",
         .label_en = "Hotline no.",
         .type = FT_TEXT,
         .flags = F_DETAIL | F_FILTER},
        {.name = "hotline_deadline",
         .label = "热线时限",
         .label_en = "Hotline deadline",
         .type = FT_DATETIME,
         .flags = F_DETAIL},
        {.name = "opened_on",
         .label = "受理日期",
         .label_en = "Opened",
         .type = FT_DATE,
         .flags = F_LIST | F_FILTER | F_SORT},
        {.name = "response_due_at",
         .label = "响应时限",
         .label_en = "Response due",
         .type = FT_DATETIME,
         .flags = F_DETAIL | F_SORT},
        {.name = "resolve_due_at",
         .label = "办结时限",
         .label_en = "Resolution due",
         .type = FT_DATETIME,
         .flags = F_LIST | F_FILTER | F_SORT},
        {.name = "responded_at",
         .label = "响应时间",
         .label_en = "Responded",
         .type = FT_DATETIME,
         .flags = F_DETAIL},
        {.name = "resolved_at",
         .label = "办结时间",
         .label_en = "Resolved",
         .type = FT_DATETIME,
         .flags = F_DETAIL | F_FILTER | F_SORT},
        {.name = "closed_at",
         .label = "关闭时间",
         .label_en = "Closed",
         .type = FT_DATETIME,
         .flags = F_DETAIL | F_FILTER | F_SORT},
        {.name = "escalation_level",
         .label = "升级级别",
         .label_en = "Escalation",
         .type = FT_INT,
         .flags = F_DETAIL | F_FILTER},
        {.name = "resolution",
         .label = "处理结果",
         .label_en = "Resolution",
         .type = FT_TEXTAREA,
         .flags = F_DETAIL},
        {.name = "satisfaction",
         .label = "满意度",
         .label_en = "Satisfaction",
         .type = FT_INT,
         .flags = F_LIST | F_FILTER | F_SORT},
        {.name = "callback_comment",
         .label = "回访意见",
         .label_en = "Callback comment",
         .type = FT_TEXT,
         .flags = F_DETAIL},
        {.name = "callback_failures",
         .label = "回访未接通次数",
         .label_en = "Failed callbacks",
         .type = FT_INT,
         .flags = F_DETAIL},
        {.name = "reopen_count",
         .label = "重开次数",
         .label_en = "Reopened",
         .type = FT_INT,
         .flags = F_DETAIL | F_FILTER},
        {.name = "is_defect",
         .label = "质量缺陷",
         .label_en = "Quality defect",
         .type = FT_BOOL,
         .flags = F_DETAIL | F_FILTER},
        {.name = "defect_case_id",
         .label = "缺陷案例",
         .label_en = "Defect case",
         .type = FT_REF,
         .flags = F_DETAIL | F_FILTER,
         .ref = "defect-cases",
         .ref_label = "defect_case_no",
         .ref_label_sql = "(SELECT d.no FROM defect_cases d WHERE d.id = t.defect_case_id)"},
        {.name = "parent_id",
         .label = "主工单",
         .label_en = "Parent ticket",
         .type = FT_REF,
         .flags = F_DETAIL | F_FILTER,
         .ref = "tickets",
         .ref_label = "parent_no",
         .ref_label_sql = "(SELECT x.no FROM tickets x WHERE x.id = t.parent_id)"},
        {.name = "created_at",
         .label = "登记时间",
         .label_en = "Created",
         .type = FT_DATETIME,
         .flags = F_DETAIL | F_FILTER | F_SORT},
        {.name = "updated_at",
         .label = "更新时间",
         .label_en = "Updated",
         .type = FT_DATETIME,
         .flags = F_DETAIL},
};

const struct entity tickets_entity = {.name = "tickets",
                                      .table = "tickets",
                                      .label = "工单",
                                      .label_en = "Tickets",
                                      .fields = tickets_fields,
                                      .n_fields = ARRAY_LEN(tickets_fields),
                                      .read_perm = "ticket.read",
                                      .write_perm = "ticket.write",
                                      .export_perm = "ticket.export",
                                      .title_field = "no",
                                      .default_sort = "-id",
                                      .scope_sql = SCOPED,
                                      .scope_field = "project_id",
                                      .nav_group = "service",
                                      .flags = E_TIMESTAMPS | E_NO_CREATE};

static const struct entity_field categories_fields[] = {
        {.name = "name",
         .label = "分类",
         .label_en = "Category",
         .type = FT_TEXT,
         .flags = F_LIST | F_FILTER | F_SORT | F_CREATE | F_UPDATE | F_REQUIRED | F_SEARCH,
         .maxlen = 40},
        {.name = "parent_id",
         .label = "上级分类",
         .label_en = "Parent",
         .type = FT_REF,
         .flags = F_LIST | F_FILTER | F_CREATE | F_UPDATE,
         .ref = "ticket-categories",
         .ref_label = "parent_name",
         .ref_label_sql = "(SELECT p.name FROM ticket_categories p WHERE p.id = t.parent_id)"},
        {.name = "component",
         .label = "保修部位",
         .label_en = "Warranty component",
         .type = FT_ENUM,
         .flags = F_LIST | F_FILTER | F_CREATE | F_UPDATE,
         .options = warranty_components},
        {.name = "sort",
         .label = "排序",
         .label_en = "Order",
         .type = FT_INT,
         .flags = F_LIST | F_SORT | F_CREATE | F_UPDATE},
        {.name = "active",
         .label = "启用",
         .label_en = "Active",
         .type = FT_BOOL,
         .flags = F_LIST | F_FILTER | F_CREATE | F_UPDATE},
};

/* One level of children only: a child's parent is a top category. */
static int categories_check(struct db_conn *c, json_t *in, int64_t self, struct app_err *err)
{
    json_t *p = json_object_get(in, "parent_id");
    if (!json_is_integer(p))
        return 0;
    int64_t grand = 0, kids = 0;
    int rc = db_query_int64(c, &grand,
                            "SELECT COALESCE(parent_id, 0) FROM ticket_categories"
                            " WHERE id = ?",
                            "i", (int64_t)json_integer_value(p));
    if (rc < 0 || grand != 0 || json_integer_value(p) == self)
        return app_err_set(err, APP_EINVAL, "parent_id", "上级分类应为一级分类");
    db_query_int64(c, &kids, "SELECT COUNT(*) FROM ticket_categories WHERE parent_id = ?", "i",
                   self);
    if (kids > 0)
        return app_err_set(err, APP_EINVAL, "parent_id",
                           "该分类下已有子分类，不能再挂到别的分类下");
    return 0;
}

static int categories_before_create(struct db_conn *c,
                                    const struct auth_user *who,
                                    json_t *in,
                                    struct entity_cols *x,
                                    struct app_err *err)
{
    (void)who;
    (void)x;
    return categories_check(c, in, 0, err);
}

static int categories_before_update(struct db_conn *c,
                                    const struct auth_user *who,
                                    int64_t id,
                                    json_t *in,
                                    json_t *before,
                                    struct entity_cols *x,
                                    struct app_err *err)
{
    (void)who;
    (void)before;
    (void)x;
    return categories_check(c, in, id, err);
}

static const struct entity_hooks categories_hooks = {.before_create = categories_before_create,
                                                     .before_update = categories_before_update};

const struct entity ticket_categories_entity = {.name = "ticket-categories",
                                                .table = "ticket_categories",
                                                .label = "工单分类",
                                                .label_en = "Ticket categories",
                                                .fields = categories_fields,
                                                .n_fields = ARRAY_LEN(categories_fields),
                                                .read_perm = "ticket.read",
                                                .write_perm = "ticket.admin",
                                                .export_perm = "ticket.read",
                                                .title_field = "name",
                                                .default_sort = "sort",
                                                .nav_group = "service",
                                                .flags = E_CREATED_AT,
                                                .hooks = &categories_hooks};

static const struct entity_field sla_fields[] = {
        {.name = "name",
         .label = "名称",
         .label_en = "Name",
         .type = FT_TEXT,
         .flags = F_LIST | F_FILTER | F_CREATE | F_UPDATE | F_REQUIRED | F_SEARCH,
         .maxlen = 40},
        {.name = "type",
         .label = "工单类型（空=全部）",
         .label_en = "Type (empty = any)",
         .type = FT_ENUM,
         .flags = F_LIST | F_FILTER | F_CREATE | F_UPDATE,
         .options = ticket_types},
        {.name = "severity",
         .label = "紧急程度（空=全部）",
         .label_en = "Severity (empty = any)",
         .type = FT_ENUM,
         .flags = F_LIST | F_FILTER | F_CREATE | F_UPDATE,
         .options = ticket_severities},
        {.name = "channel",
         .label = "来源（空=全部）",
         .label_en = "Channel (empty = any)",
         .type = FT_ENUM,
         .flags = F_LIST | F_FILTER | F_CREATE | F_UPDATE,
         .options = ticket_channels},
        {.name = "response_amount",
         .label = "响应时限",
         .label_en = "Response target",
         .type = FT_INT,
         .flags = F_LIST | F_CREATE | F_UPDATE | F_REQUIRED},
        {.name = "response_unit",
         .label = "响应单位",
         .label_en = "Response unit",
         .type = FT_ENUM,
         .flags = F_LIST | F_CREATE | F_UPDATE | F_REQUIRED,
         .options = sla_units},
        {.name = "resolve_amount",
         .label = "办结时限",
         .label_en = "Resolution target",
         .type = FT_INT,
         .flags = F_LIST | F_CREATE | F_UPDATE | F_REQUIRED},
        {.name = "resolve_unit",
         .label = "办结单位",
         .label_en = "Resolution unit",
         .type = FT_ENUM,
         .flags = F_LIST | F_CREATE | F_UPDATE | F_REQUIRED,
         .options = sla_units},
        {.name = "warn_percent",
         .label = "预警（已用时限%）",
         .label_en = "Warn at (% used)",
         .type = FT_INT,
         .flags = F_LIST | F_CREATE | F_UPDATE},
        {.name = "active",
         .label = "启用",
         .label_en = "Active",
         .type = FT_BOOL,
         .flags = F_LIST | F_FILTER | F_CREATE | F_UPDATE},
        {.name = "note",
         .label = "说明",
         .label_en = "Note",
         .type = FT_TEXT,
         .flags = F_LIST | F_CREATE | F_UPDATE,
         .maxlen = 200},
};

static int sla_check(json_t *in, struct app_err *err)
{
    static const char *const amounts[] = {"response_amount", "resolve_amount"};
    for (size_t i = 0; i < ARRAY_LEN(amounts); i++) {
        json_t *v = json_object_get(in, amounts[i]);
        if (v && (!json_is_integer(v) || json_integer_value(v) < 1 || json_integer_value(v) > 1000))
            return app_err_set(err, APP_EINVAL, amounts[i], "时限应为 1 到 1000 之间的整数");
    }
    json_t *w = json_object_get(in, "warn_percent");
    if (w && !json_is_null(w) &&
        (!json_is_integer(w) || json_integer_value(w) < 1 || json_integer_value(w) > 99))
        return app_err_set(err, APP_EINVAL, "warn_percent", "预警比例应在 1 到 99 之间");
    return 0;
}

static int sla_before_create(struct db_conn *c,
                             const struct auth_user *who,
                             json_t *in,
                             struct entity_cols *x,
                             struct app_err *err)
{
    (void)c;
    (void)who;
    (void)x;
    return sla_check(in, err);
}

static int sla_before_update(struct db_conn *c,
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
    return sla_check(in, err);
}

static const struct entity_hooks sla_hooks = {.before_create = sla_before_create,
                                              .before_update = sla_before_update};

const struct entity sla_policies_entity = {.name = "sla-policies",
                                           .table = "sla_policies",
                                           .label = "SLA 时限",
                                           .label_en = "SLA policies",
                                           .fields = sla_fields,
                                           .n_fields = ARRAY_LEN(sla_fields),
                                           .read_perm = "ticket.read",
                                           .write_perm = "ticket.admin",
                                           .export_perm = "ticket.read",
                                           .title_field = "name",
                                           .default_sort = "id",
                                           .nav_group = "service",
                                           .flags = E_CREATED_AT,
                                           .hooks = &sla_hooks};

static const struct entity_field warranty_fields[] = {
        {.name = "component",
         .label = "部位",
         .label_en = "Component",
         .type = FT_ENUM,
         .flags = F_LIST | F_FILTER | F_CREATE | F_REQUIRED,
         .options = warranty_components},
        {.name = "project_id",
         .label = "项目（空=默认）",
         .label_en = "Project (empty = default)",
         .type = FT_REF,
         .flags = F_LIST | F_FILTER | F_CREATE,
         .ref = "projects",
         .ref_label = "project_name",
         .ref_label_sql = "(SELECT p.name FROM projects p WHERE p.id = t.project_id)"},
        {.name = "name",
         .label = "名称",
         .label_en = "Name",
         .type = FT_TEXT,
         .flags = F_LIST | F_CREATE | F_UPDATE | F_REQUIRED,
         .maxlen = 60},
        {.name = "years",
         .label = "年",
         .label_en = "Years",
         .type = FT_INT,
         .flags = F_LIST | F_CREATE | F_UPDATE},
        {.name = "months",
         .label = "月",
         .label_en = "Months",
         .type = FT_INT,
         .flags = F_LIST | F_CREATE | F_UPDATE},
        {.name = "basis",
         .label = "依据",
         .label_en = "Basis",
         .type = FT_TEXT,
         .flags = F_LIST | F_CREATE | F_UPDATE,
         .maxlen = 200},
};

static int warranty_check(json_t *in, struct app_err *err)
{
    json_t *y = json_object_get(in, "years"), *m = json_object_get(in, "months");
    if (y && (!json_is_integer(y) || json_integer_value(y) < 0 || json_integer_value(y) > 100))
        return app_err_set(err, APP_EINVAL, "years", "年数应在 0 到 100 之间");
    if (m && (!json_is_integer(m) || json_integer_value(m) < 0 || json_integer_value(m) > 1200))
        return app_err_set(err, APP_EINVAL, "months", "月数应在 0 到 1200 之间");
    return 0;
}

static int warranty_before_create(struct db_conn *c,
                                  const struct auth_user *who,
                                  json_t *in,
                                  struct entity_cols *x,
                                  struct app_err *err)
{
    (void)who;
    (void)x;
    int rc = warranty_check(in, err);
    if (rc < 0)
        return rc;
    /* One row per component and project (the defaults are one more). */
    int64_t n = 0;
    json_t *p = json_object_get(in, "project_id");
    if (json_is_integer(p))
        db_query_int64(c, &n,
                       "SELECT COUNT(*) FROM warranty_periods WHERE component = ? AND project_id"
                       " = ?",
                       "ti", json_string_value(json_object_get(in, "component")),
                       (int64_t)json_integer_value(p));
    else
        db_query_int64(c, &n,
                       "SELECT COUNT(*) FROM warranty_periods WHERE component = ? AND project_id"
                       " IS NULL",
                       "t", json_string_value(json_object_get(in, "component")));
    if (n > 0)
        return app_err_set(err, APP_ECONFLICT, "component", "该项目已设置这一部位的保修期");
    return 0;
}

static int warranty_before_update(struct db_conn *c,
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
    return warranty_check(in, err);
}

static const struct entity_hooks warranty_hooks = {.before_create = warranty_before_create,
                                                   .before_update = warranty_before_update};

const struct entity warranty_periods_entity = {.name = "warranty-periods",
                                               .table = "warranty_periods",
                                               .label = "保修期",
                                               .label_en = "Warranty periods",
                                               .fields = warranty_fields,
                                               .n_fields = ARRAY_LEN(warranty_fields),
                                               .read_perm = "ticket.read",
                                               .write_perm = "ticket.admin",
                                               .export_perm = "ticket.read",
                                               .title_field = "name",
                                               .default_sort = "id",
                                               .nav_group = "service",
                                               .flags = E_CREATED_AT,
                                               .hooks = &warranty_hooks};

static const struct entity_field contractors_fields[] = {
        {.name = "name",
         .label = "施工单位",
         .label_en = "Contractor",
         .type = FT_TEXT,
         .flags = F_LIST | F_FILTER | F_SORT | F_CREATE | F_UPDATE | F_REQUIRED | F_UNIQUE |
                  F_SEARCH,
         .maxlen = 80},
        {.name = "uscc",
         .label = "统一社会信用代码",
         .label_en = "USCC",
         .type = FT_TEXT,
         .flags = F_LIST | F_FILTER | F_CREATE | F_UPDATE,
         .maxlen = 18,
         .normalise = validate_uscc},
        {.name = "trade",
         .label = "专业",
         .label_en = "Trade",
         .type = FT_TEXT,
         .flags = F_LIST | F_FILTER | F_CREATE | F_UPDATE,
         .maxlen = 40},
        {.name = "contact_name",
         .label = "联系人",
         .label_en = "Contact",
         .type = FT_TEXT,
         .flags = F_LIST | F_CREATE | F_UPDATE,
         .maxlen = 40},
        {.name = "contact_phone",
         .label = "联系电话",
         .label_en = "Phone",
         .type = FT_TEXT,
         .flags = F_LIST | F_CREATE | F_UPDATE,
         .maxlen = 40},
        {.name = "note",
         .label = "备注",
         .label_en = "Note",
         .type = FT_TEXTAREA,
         .flags = F_DETAIL | F_CREATE | F_UPDATE,
         .maxlen = 1000},
};

const struct entity contractors_entity = {.name = "contractors",
                                          .table = "contractors",
                                          .label = "施工单位",
                                          .label_en = "Contractors",
                                          .fields = contractors_fields,
                                          .n_fields = ARRAY_LEN(contractors_fields),
                                          .read_perm = "contractor.read",
                                          .write_perm = "contractor.write",
                                          .export_perm = "contractor.read",
                                          .title_field = "name",
                                          .default_sort = "name",
                                          .nav_group = "service",
                                          .flags = E_CREATED_AT};

static const struct field_option compensation_statuses[] = {
        {"pending", "审批中", "Pending", "orange"}, {"approved", "已批准", "Approved", "blue"},
        {"rejected", "未批准", "Rejected", "red"},  {"withdrawn", "已撤回", "Withdrawn", "grey"},
        {"paid", "已付款", "Paid", "green"},        {NULL, NULL, NULL, NULL},
};

static const struct entity_field compensations_fields[] = {
        {.name = "ticket_id",
         .label = "工单",
         .label_en = "Ticket",
         .type = FT_REF,
         .flags = F_LIST | F_FILTER,
         .ref = "tickets",
         .ref_label = "ticket_no",
         .ref_label_sql = "(SELECT x.no FROM tickets x WHERE x.id = t.ticket_id)"},
        PROJECT_REF,
        {.name = "customer_id",
         .label = "客户",
         .label_en = "Customer",
         .type = FT_REF,
         .flags = F_LIST | F_FILTER,
         .ref = "customers",
         .ref_label = "customer_name",
         .ref_label_sql = "(SELECT c.name FROM customers c WHERE c.id = t.customer_id)"},
        {.name = "amount_fen",
         .label = "赔付金额",
         .label_en = "Amount",
         .type = FT_MONEY,
         .flags = F_LIST | F_FILTER | F_SORT},
        {.name = "reason_category",
         .label = "原因类别",
         .label_en = "Reason",
         .type = FT_TEXT,
         .flags = F_LIST | F_FILTER},
        {.name = "reason",
         .label = "赔付说明",
         .label_en = "Explanation",
         .type = FT_TEXT,
         .flags = F_DETAIL | F_SEARCH},
        {.name = "status",
         .label = "状态",
         .label_en = "Status",
         .type = FT_ENUM,
         .flags = F_LIST | F_FILTER,
         .options = compensation_statuses},
        {.name = "paid_fen",
         .label = "已付金额",
         .label_en = "Paid",
         .type = FT_MONEY,
         .flags = F_LIST},
        {.name = "paid_on",
         .label = "付款日期",
         .label_en = "Paid on",
         .type = FT_DATE,
         .flags = F_LIST | F_FILTER | F_SORT},
        {.name = "payment_ref",
         .label = "付款凭证号",
         .label_en = "Payment ref.",
         .type = FT_TEXT,
         .flags = F_DETAIL},
        {.name = "requested_by",
         .label = "申请人",
         .label_en = "Requested by",
         .type = FT_TEXT,
         .flags = F_LIST},
        {.name = "created_at",
         .label = "申请时间",
         .label_en = "Requested",
         .type = FT_DATETIME,
         .flags = F_LIST | F_SORT},
};

const struct entity compensations_entity = {.name = "compensations",
                                            .table = "compensations",
                                            .label = "赔付台账",
                                            .label_en = "Compensations",
                                            .fields = compensations_fields,
                                            .n_fields = ARRAY_LEN(compensations_fields),
                                            .read_perm = "compensation.read",
                                            .write_perm = NULL,
                                            .export_perm = "compensation.read",
                                            .title_field = "reason_category",
                                            .default_sort = "-id",
                                            .scope_sql = SCOPED,
                                            .scope_field = "project_id",
                                            .nav_group = "service",
                                            .flags = E_READONLY};

static const struct field_option case_statuses[] = {
        {"open", "整改中", "Open", "orange"},
        {"closed", "已结案", "Closed", "green"},
        {NULL, NULL, NULL, NULL},
};

static const struct entity_field defect_cases_fields[] = {
        {.name = "no",
         .label = "案例编号",
         .label_en = "No.",
         .type = FT_TEXT,
         .flags = F_LIST | F_FILTER | F_SORT | F_SEARCH},
        {.name = "title",
         .label = "案例名称",
         .label_en = "Title",
         .type = FT_TEXT,
         .flags = F_LIST | F_SEARCH | F_UPDATE,
         .maxlen = 100},
        PROJECT_REF,
        {.name = "building_id",
         .label = "楼栋",
         .label_en = "Building",
         .type = FT_REF,
         .flags = F_LIST | F_FILTER,
         .ref = "buildings",
         .ref_label = "building_name",
         .ref_label_sql = "(SELECT b.name FROM buildings b WHERE b.id = t.building_id)"},
        {.name = "category_id",
         .label = "分类",
         .label_en = "Category",
         .type = FT_REF,
         .flags = F_LIST | F_FILTER | F_UPDATE,
         .ref = "ticket-categories",
         .ref_label = "category_name",
         .ref_label_sql = "(SELECT k.name FROM ticket_categories k WHERE k.id = t.category_id)"},
        {.name = "contractor_id",
         .label = "责任施工单位",
         .label_en = "Responsible contractor",
         .type = FT_REF,
         .flags = F_LIST | F_FILTER | F_UPDATE,
         .ref = "contractors",
         .ref_label = "contractor_name",
         .ref_label_sql = "(SELECT k.name FROM contractors k WHERE k.id = t.contractor_id)"},
        {.name = "root_cause",
         .label = "原因分析",
         .label_en = "Root cause",
         .type = FT_TEXTAREA,
         .flags = F_DETAIL | F_UPDATE | F_SEARCH,
         .maxlen = 2000},
        {.name = "fix",
         .label = "整改措施",
         .label_en = "Fix",
         .type = FT_TEXTAREA,
         .flags = F_DETAIL | F_UPDATE,
         .maxlen = 2000},
        {.name = "cost_fen",
         .label = "整改费用",
         .label_en = "Cost",
         .type = FT_MONEY,
         .flags = F_LIST | F_SORT | F_UPDATE},
        {.name = "ticket_count",
         .label = "工单数",
         .label_en = "Tickets",
         .type = FT_INT,
         .flags = F_LIST,
         .sql = "(SELECT COUNT(*) FROM tickets x WHERE x.defect_case_id = t.id)"},
        {.name = "status",
         .label = "状态",
         .label_en = "Status",
         .type = FT_ENUM,
         .flags = F_LIST | F_FILTER | F_UPDATE,
         .options = case_statuses},
        {.name = "created_at",
         .label = "建档时间",
         .label_en = "Created",
         .type = FT_DATETIME,
         .flags = F_LIST | F_SORT},
};

const struct entity defect_cases_entity = {.name = "defect-cases",
                                           .table = "defect_cases",
                                           .label = "质量缺陷案例",
                                           .label_en = "Defect cases",
                                           .fields = defect_cases_fields,
                                           .n_fields = ARRAY_LEN(defect_cases_fields),
                                           .read_perm = "defect.read",
                                           .write_perm = "defect.write",
                                           .export_perm = "defect.read",
                                           .title_field = "no",
                                           .default_sort = "-id",
                                           .scope_sql = SCOPED,
                                           .scope_field = "project_id",
                                           .nav_group = "service",
                                           .flags = E_TIMESTAMPS | E_NO_CREATE};
