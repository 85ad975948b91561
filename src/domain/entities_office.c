/*
 * entities_office.c - the department's office work as declared entities:
 * approval templates and requests, departments, the registers the flows
 * feed (fixed assets, office supplies and their moves, employee loans and
 * repayments, the seal-use log) and the sales-office duty logs.
 */
#include "entities_office.h"

#include <string.h>

#include "approval.h"
#include "entity.h"

/*---- Approval templates ----*/

static int template_check(json_t *in, json_t *before, struct app_err *err)
{
    json_t *form = json_object_get(in, "form_json");
    json_t *steps = json_object_get(in, "steps_json");
    if (form == NULL && before)
        form = json_object_get(before, "form_json");
    if (steps == NULL && before)
        steps = json_object_get(before, "steps_json");
    int rc = approval_template_check(form, steps, err);
    if (rc < 0) {
        /* Name the request field at fault. */
        if (err && strcmp(err->field, "form") == 0)
            app_strlcpy(err->field, "form_json", sizeof(err->field));
        else if (err && strcmp(err->field, "steps") == 0)
            app_strlcpy(err->field, "steps_json", sizeof(err->field));
        return rc;
    }
    const char *handler = json_string_value(json_object_get(in, "handler"));
    if (handler && *handler && approval_find_handler(handler) == NULL)
        return app_err_set(err, APP_EINVAL, "handler", "未知的处理器: %s", handler);
    return 0;
}

static int templates_before_create(struct db_conn *c,
                                   const struct auth_user *who,
                                   json_t *in,
                                   struct entity_cols *x,
                                   struct app_err *err)
{
    (void)c;
    (void)who;
    (void)x;
    return template_check(in, NULL, err);
}

static int templates_before_update(struct db_conn *c,
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
    int rc = template_check(in, before, err);
    if (rc < 0)
        return rc;
    /* Requests keep the version they were submitted under. */
    entity_cols_int(x, "version", json_integer_value(json_object_get(before, "version")) + 1);
    return 0;
}

static const struct entity_hooks templates_hooks = {.before_create = templates_before_create,
                                                    .before_update = templates_before_update};

static const struct field_option template_categories[] = {
        {"行政", "行政", "Administration", NULL},
        {"财务", "财务", "Finance", NULL},
        {"人事", "人事", "HR", NULL},
        {"资产", "资产", "Assets", NULL},
        {"客服", "客服", "Customer service", NULL},
        {NULL, NULL, NULL, NULL},
};

static const struct entity_field templates_fields[] = {
        {.name = "code",
         .label = "编码",
         .label_en = "Code",
         .type = FT_TEXT,
         .flags = F_LIST | F_FILTER | F_SORT | F_CREATE | F_REQUIRED | F_SEARCH | F_UNIQUE,
         .maxlen = 40},
        {.name = "name",
         .label = "名称",
         .label_en = "Name",
         .type = FT_TEXT,
         .flags = F_LIST | F_FILTER | F_SORT | F_CREATE | F_UPDATE | F_REQUIRED | F_SEARCH,
         .maxlen = 40},
        {.name = "category",
         .label = "分类",
         .label_en = "Category",
         .type = FT_ENUM,
         .flags = F_LIST | F_FILTER | F_SORT | F_CREATE | F_UPDATE | F_REQUIRED,
         .options = template_categories},
        {.name = "description",
         .label = "说明",
         .label_en = "Description",
         .type = FT_TEXTAREA,
         .flags = F_LIST | F_CREATE | F_UPDATE | F_DETAIL,
         .maxlen = 500},
        {.name = "handler",
         .label = "业务处理",
         .label_en = "Handler",
         .type = FT_TEXT,
         .flags = F_CREATE | F_UPDATE | F_DETAIL,
         .maxlen = 40},
        {.name = "amount_field",
         .label = "金额字段",
         .label_en = "Amount field",
         .type = FT_TEXT,
         .flags = F_CREATE | F_UPDATE | F_DETAIL,
         .maxlen = 40},
        {.name = "enabled",
         .label = "启用",
         .label_en = "Enabled",
         .type = FT_BOOL,
         .flags = F_LIST | F_FILTER | F_CREATE | F_UPDATE},
        {.name = "version",
         .label = "版本",
         .label_en = "Version",
         .type = FT_INT,
         .flags = F_LIST},
        {.name = "form_json",
         .label = "表单",
         .label_en = "Form",
         .type = FT_JSON,
         .flags = F_CREATE | F_UPDATE | F_REQUIRED | F_DETAIL},
        {.name = "steps_json",
         .label = "审批流程",
         .label_en = "Route",
         .type = FT_JSON,
         .flags = F_CREATE | F_UPDATE | F_REQUIRED | F_DETAIL},
        {.name = "updated_at",
         .label = "更新时间",
         .label_en = "Updated",
         .type = FT_DATETIME,
         .flags = F_LIST | F_SORT},
};

const struct entity approval_templates_entity = {.name = "approval-templates",
                                                 .table = "approval_templates",
                                                 .label = "审批模板",
                                                 .label_en = "Approval templates",
                                                 .fields = templates_fields,
                                                 .n_fields = ARRAY_LEN(templates_fields),
                                                 .read_perm = "approval.use",
                                                 .write_perm = "approval.admin",
                                                 .export_perm = "approval.admin",
                                                 .title_field = "name",
                                                 .default_sort = "category",
                                                 .nav_group = "approval",
                                                 .flags = E_TIMESTAMPS,
                                                 .hooks = &templates_hooks};

/*---- Approval requests (all of them, for those who oversee) ----*/

static const struct field_option request_statuses[] = {
        {"in_progress", "审批中", "In progress", "blue"},
        {"returned", "已退回", "Returned", "orange"},
        {"approved", "已通过", "Approved", "green"},
        {"rejected", "已驳回", "Rejected", "red"},
        {"withdrawn", "已撤回", "Withdrawn", "grey"},
        {NULL, NULL, NULL, NULL},
};

static const struct entity_field requests_fields[] = {
        {.name = "no",
         .label = "单号",
         .label_en = "No.",
         .type = FT_TEXT,
         .flags = F_LIST | F_FILTER | F_SORT | F_SEARCH},
        {.name = "template_name",
         .label = "类型",
         .label_en = "Type",
         .type = FT_TEXT,
         .flags = F_LIST | F_FILTER | F_SORT},
        {.name = "template_code",
         .label = "模板编码",
         .label_en = "Template",
         .type = FT_TEXT,
         .flags = F_FILTER | F_DETAIL},
        {.name = "title",
         .label = "标题",
         .label_en = "Title",
         .type = FT_TEXT,
         .flags = F_LIST | F_SEARCH},
        {.name = "applicant_name",
         .label = "申请人",
         .label_en = "Applicant",
         .type = FT_TEXT,
         .flags = F_LIST | F_FILTER | F_SEARCH},
        {.name = "department",
         .label = "部门",
         .label_en = "Department",
         .type = FT_TEXT,
         .flags = F_LIST | F_FILTER},
        {.name = "amount_fen",
         .label = "金额",
         .label_en = "Amount",
         .type = FT_MONEY,
         .flags = F_LIST | F_FILTER | F_SORT},
        {.name = "status",
         .label = "状态",
         .label_en = "Status",
         .type = FT_ENUM,
         .flags = F_LIST | F_FILTER | F_SORT,
         .options = request_statuses},
        {.name = "step_name",
         .label = "当前步骤",
         .label_en = "Step",
         .type = FT_TEXT,
         .flags = F_LIST},
        {.name = "submitted_at",
         .label = "提交时间",
         .label_en = "Submitted",
         .type = FT_DATETIME,
         .flags = F_LIST | F_FILTER | F_SORT},
        {.name = "decided_at",
         .label = "办结时间",
         .label_en = "Decided",
         .type = FT_DATETIME,
         .flags = F_LIST | F_FILTER | F_SORT},
        {.name = "data_json",
         .label = "表单内容",
         .label_en = "Form values",
         .type = FT_JSON,
         .flags = F_DETAIL},
};

const struct entity approval_requests_entity = {.name = "approval-requests",
                                                .table = "approval_requests",
                                                .label = "审批单",
                                                .label_en = "Approval requests",
                                                .fields = requests_fields,
                                                .n_fields = ARRAY_LEN(requests_fields),
                                                .read_perm = "approval.read_all",
                                                .export_perm = "approval.read_all",
                                                .title_field = "title",
                                                .default_sort = "-id",
                                                .nav_group = "approval",
                                                .flags = E_READONLY};

/*---- Departments ----*/

static const struct entity_field departments_fields[] = {
        {.name = "name",
         .label = "部门",
         .label_en = "Department",
         .type = FT_TEXT,
         .flags = F_LIST | F_FILTER | F_SORT | F_CREATE | F_UPDATE | F_REQUIRED | F_UNIQUE |
                  F_SEARCH,
         .maxlen = 40},
        {.name = "head_user_id",
         .label = "负责人",
         .label_en = "Head",
         .type = FT_REF,
         .flags = F_LIST | F_FILTER | F_CREATE | F_UPDATE,
         .ref = "users",
         .ref_label = "head_name",
         .ref_label_sql = "(SELECT u.display_name FROM users u WHERE u.id = t.head_user_id)"},
        {.name = "member_count",
         .label = "人数",
         .label_en = "Members",
         .type = FT_INT,
         .flags = F_LIST,
         .sql = "(SELECT COUNT(*) FROM users u WHERE u.department = t.name AND"
                " u.status = 'active')"},
};

const struct entity departments_entity = {.name = "departments",
                                          .table = "departments",
                                          .label = "部门",
                                          .label_en = "Departments",
                                          .fields = departments_fields,
                                          .n_fields = ARRAY_LEN(departments_fields),
                                          .read_perm = "department.read",
                                          .write_perm = "department.write",
                                          .export_perm = "department.read",
                                          .title_field = "name",
                                          .default_sort = "id",
                                          .nav_group = "system",
                                          .flags = E_CREATED_AT};

/*---- Registers ----*/

static const struct field_option asset_statuses[] = {
        {"in_use", "在用", "In use", "green"},
        {"scrapped", "已报废", "Scrapped", "grey"},
        {NULL, NULL, NULL, NULL},
};

static const struct entity_field assets_fields[] = {
        {.name = "code",
         .label = "资产编号",
         .label_en = "Code",
         .type = FT_TEXT,
         .flags = F_LIST | F_FILTER | F_SORT | F_SEARCH},
        {.name = "name",
         .label = "名称",
         .label_en = "Name",
         .type = FT_TEXT,
         .flags = F_LIST | F_FILTER | F_SORT | F_SEARCH},
        {.name = "category",
         .label = "类别",
         .label_en = "Category",
         .type = FT_TEXT,
         .flags = F_LIST | F_FILTER},
        {.name = "spec",
         .label = "规格型号",
         .label_en = "Model",
         .type = FT_TEXT,
         .flags = F_LIST},
        {.name = "unit_price_fen",
         .label = "单价",
         .label_en = "Price",
         .type = FT_MONEY,
         .flags = F_LIST | F_SORT | F_FILTER},
        {.name = "location",
         .label = "存放地点",
         .label_en = "Location",
         .type = FT_TEXT,
         .flags = F_LIST | F_FILTER | F_UPDATE,
         .maxlen = 100},
        {.name = "custodian",
         .label = "保管人",
         .label_en = "Custodian",
         .type = FT_TEXT,
         .flags = F_LIST | F_FILTER | F_UPDATE,
         .maxlen = 40},
        {.name = "status",
         .label = "状态",
         .label_en = "Status",
         .type = FT_ENUM,
         .flags = F_LIST | F_FILTER,
         .options = asset_statuses},
        {.name = "purchased_at",
         .label = "购置时间",
         .label_en = "Purchased",
         .type = FT_DATETIME,
         .flags = F_LIST | F_SORT | F_FILTER},
        {.name = "purchase_request_id",
         .label = "购置审批单",
         .label_en = "Purchase request",
         .type = FT_INT,
         .flags = F_DETAIL},
        {.name = "scrapped_at",
         .label = "报废时间",
         .label_en = "Scrapped",
         .type = FT_DATETIME,
         .flags = F_LIST | F_FILTER},
        {.name = "scrap_request_id",
         .label = "报废审批单",
         .label_en = "Scrap request",
         .type = FT_INT,
         .flags = F_DETAIL},
        {.name = "note",
         .label = "备注",
         .label_en = "Note",
         .type = FT_TEXTAREA,
         .flags = F_UPDATE | F_DETAIL,
         .maxlen = 500},
};

const struct entity fixed_assets_entity = {.name = "fixed-assets",
                                           .table = "fixed_assets",
                                           .label = "固定资产",
                                           .label_en = "Fixed assets",
                                           .fields = assets_fields,
                                           .n_fields = ARRAY_LEN(assets_fields),
                                           .read_perm = "register.read",
                                           .write_perm = "register.write",
                                           .export_perm = "register.read",
                                           .title_field = "name",
                                           .default_sort = "-id",
                                           .nav_group = "approval",
                                           .flags = E_NO_CREATE};

static const struct entity_field supplies_fields[] = {
        {.name = "name",
         .label = "物品",
         .label_en = "Item",
         .type = FT_TEXT,
         .flags = F_LIST | F_FILTER | F_SORT | F_CREATE | F_UPDATE | F_REQUIRED | F_UNIQUE |
                  F_SEARCH,
         .maxlen = 60},
        {.name = "unit",
         .label = "单位",
         .label_en = "Unit",
         .type = FT_TEXT,
         .flags = F_LIST | F_CREATE | F_UPDATE | F_REQUIRED,
         .maxlen = 10},
        {.name = "stock",
         .label = "库存",
         .label_en = "Stock",
         .type = FT_INT,
         .flags = F_LIST | F_SORT | F_FILTER},
        {.name = "min_stock",
         .label = "最低库存",
         .label_en = "Minimum",
         .type = FT_INT,
         .flags = F_LIST | F_CREATE | F_UPDATE},
        {.name = "low",
         .label = "需补货",
         .label_en = "Reorder",
         .type = FT_BOOL,
         .flags = F_LIST | F_FILTER,
         .sql = "(CASE WHEN t.stock <= t.min_stock THEN 1 ELSE 0 END)"},
};

const struct entity office_supplies_entity = {.name = "office-supplies",
                                              .table = "office_supplies",
                                              .label = "办公用品",
                                              .label_en = "Office supplies",
                                              .fields = supplies_fields,
                                              .n_fields = ARRAY_LEN(supplies_fields),
                                              .read_perm = "register.read",
                                              .write_perm = "register.write",
                                              .export_perm = "register.read",
                                              .title_field = "name",
                                              .default_sort = "name",
                                              .nav_group = "approval",
                                              .flags = E_CREATED_AT};

static const struct entity_field moves_fields[] = {
        {.name = "at",
         .label = "时间",
         .label_en = "Time",
         .type = FT_DATETIME,
         .flags = F_LIST | F_SORT | F_FILTER},
        {.name = "supply_id",
         .label = "物品",
         .label_en = "Item",
         .type = FT_REF,
         .flags = F_LIST | F_FILTER,
         .ref = "office-supplies",
         .ref_label = "supply_name",
         .ref_label_sql = "(SELECT s.name FROM office_supplies s WHERE s.id = t.supply_id)"},
        {.name = "qty", .label = "数量", .label_en = "Quantity", .type = FT_INT, .flags = F_LIST},
        {.name = "request_id",
         .label = "审批单",
         .label_en = "Request",
         .type = FT_INT,
         .flags = F_LIST | F_FILTER},
        {.name = "note", .label = "说明", .label_en = "Note", .type = FT_TEXT, .flags = F_LIST},
};

const struct entity supply_moves_entity = {.name = "supply-moves",
                                           .table = "supply_moves",
                                           .label = "出入库记录",
                                           .label_en = "Stock moves",
                                           .fields = moves_fields,
                                           .n_fields = ARRAY_LEN(moves_fields),
                                           .read_perm = "register.read",
                                           .export_perm = "register.read",
                                           .title_field = "note",
                                           .default_sort = "-id",
                                           .flags = E_READONLY};

static const struct field_option loan_statuses[] = {
        {"outstanding", "未还清", "Outstanding", "orange"},
        {"settled", "已还清", "Settled", "green"},
        {NULL, NULL, NULL, NULL},
};

static const struct entity_field loans_fields[] = {
        {.name = "borrower",
         .label = "借款人",
         .label_en = "Borrower",
         .type = FT_TEXT,
         .flags = F_LIST | F_FILTER | F_SORT | F_SEARCH},
        {.name = "user_id",
         .label = "借款人编号",
         .label_en = "User",
         .type = FT_INT,
         .flags = F_FILTER | F_DETAIL},
        {.name = "purpose",
         .label = "用途",
         .label_en = "Purpose",
         .type = FT_TEXT,
         .flags = F_LIST},
        {.name = "amount_fen",
         .label = "借款金额",
         .label_en = "Amount",
         .type = FT_MONEY,
         .flags = F_LIST | F_SORT | F_FILTER},
        {.name = "repaid_fen",
         .label = "已还金额",
         .label_en = "Repaid",
         .type = FT_MONEY,
         .flags = F_LIST},
        {.name = "owed_fen",
         .label = "未还金额",
         .label_en = "Owed",
         .type = FT_MONEY,
         .flags = F_LIST | F_SORT,
         .sql = "(t.amount_fen - t.repaid_fen)"},
        {.name = "status",
         .label = "状态",
         .label_en = "Status",
         .type = FT_ENUM,
         .flags = F_LIST | F_FILTER,
         .options = loan_statuses},
        {.name = "due_date",
         .label = "约定还款日",
         .label_en = "Due",
         .type = FT_DATE,
         .flags = F_LIST | F_SORT | F_FILTER},
        {.name = "request_id",
         .label = "借款审批单",
         .label_en = "Request",
         .type = FT_INT,
         .flags = F_DETAIL},
        {.name = "created_at",
         .label = "借款时间",
         .label_en = "Lent",
         .type = FT_DATETIME,
         .flags = F_LIST | F_SORT},
        {.name = "settled_at",
         .label = "还清时间",
         .label_en = "Settled",
         .type = FT_DATETIME,
         .flags = F_DETAIL},
};

const struct entity employee_loans_entity = {.name = "employee-loans",
                                             .table = "employee_loans",
                                             .label = "员工借款",
                                             .label_en = "Employee loans",
                                             .fields = loans_fields,
                                             .n_fields = ARRAY_LEN(loans_fields),
                                             .read_perm = "register.read",
                                             .export_perm = "register.read",
                                             .title_field = "borrower",
                                             .default_sort = "-id",
                                             .nav_group = "approval",
                                             .flags = E_READONLY};

static const struct field_option repayment_kinds[] = {
        {"cash", "现金还款", "Cash", NULL},
        {"offset", "报销冲抵", "Offset by expenses", NULL},
        {NULL, NULL, NULL, NULL},
};

static const struct entity_field repayments_fields[] = {
        {.name = "at",
         .label = "时间",
         .label_en = "Time",
         .type = FT_DATETIME,
         .flags = F_LIST | F_SORT | F_FILTER},
        {.name = "loan_id",
         .label = "借款",
         .label_en = "Loan",
         .type = FT_INT,
         .flags = F_LIST | F_FILTER},
        {.name = "amount_fen",
         .label = "金额",
         .label_en = "Amount",
         .type = FT_MONEY,
         .flags = F_LIST},
        {.name = "kind",
         .label = "方式",
         .label_en = "Kind",
         .type = FT_ENUM,
         .flags = F_LIST | F_FILTER,
         .options = repayment_kinds},
        {.name = "request_id",
         .label = "报销审批单",
         .label_en = "Expense claim",
         .type = FT_INT,
         .flags = F_LIST},
        {.name = "note", .label = "说明", .label_en = "Note", .type = FT_TEXT, .flags = F_LIST},
};

const struct entity loan_repayments_entity = {.name = "loan-repayments",
                                              .table = "loan_repayments",
                                              .label = "还款记录",
                                              .label_en = "Loan repayments",
                                              .fields = repayments_fields,
                                              .n_fields = ARRAY_LEN(repayments_fields),
                                              .read_perm = "register.read",
                                              .export_perm = "register.read",
                                              .title_field = "kind",
                                              .default_sort = "-id",
                                              .flags = E_READONLY};

static const struct entity_field seals_fields[] = {
        {.name = "approved_at",
         .label = "批准时间",
         .label_en = "Approved",
         .type = FT_DATETIME,
         .flags = F_LIST | F_SORT | F_FILTER},
        {.name = "seal",
         .label = "印章",
         .label_en = "Seal",
         .type = FT_TEXT,
         .flags = F_LIST | F_FILTER},
        {.name = "document",
         .label = "用印文件",
         .label_en = "Document",
         .type = FT_TEXT,
         .flags = F_LIST | F_SEARCH},
        {.name = "copies", .label = "份数", .label_en = "Copies", .type = FT_INT, .flags = F_LIST},
        {.name = "applicant",
         .label = "申请人",
         .label_en = "Applicant",
         .type = FT_TEXT,
         .flags = F_LIST | F_FILTER | F_SEARCH},
        {.name = "stamped_by",
         .label = "盖章人",
         .label_en = "Stamped by",
         .type = FT_TEXT,
         .flags = F_LIST | F_FILTER},
        {.name = "stamped_at",
         .label = "盖章时间",
         .label_en = "Stamped",
         .type = FT_DATETIME,
         .flags = F_LIST | F_SORT},
        {.name = "request_id",
         .label = "用章审批单",
         .label_en = "Request",
         .type = FT_INT,
         .flags = F_DETAIL},
        {.name = "note", .label = "备注", .label_en = "Note", .type = FT_TEXT, .flags = F_DETAIL},
};

const struct entity seal_uses_entity = {.name = "seal-uses",
                                        .table = "seal_uses",
                                        .label = "用章登记",
                                        .label_en = "Seal log",
                                        .fields = seals_fields,
                                        .n_fields = ARRAY_LEN(seals_fields),
                                        .read_perm = "register.read",
                                        .export_perm = "register.read",
                                        .title_field = "document",
                                        .default_sort = "-id",
                                        .nav_group = "approval",
                                        .flags = E_READONLY};

/*---- Sales-office duty logs ----*/

static const struct field_option duty_kinds[] = {
        {"security", "保安", "Security", NULL},
        {"cleaning", "保洁", "Cleaning", NULL},
        {NULL, NULL, NULL, NULL},
};

static const struct field_option duty_shifts[] = {
        {"早班", "早班", "Morning", NULL},
        {"中班", "中班", "Day", NULL},
        {"晚班", "晚班", "Night", NULL},
        {NULL, NULL, NULL, NULL},
};

static const struct field_option duty_statuses[] = {
        {"normal", "正常", "Normal", "green"},
        {"issue", "有问题", "Issue found", "orange"},
        {"handled", "已处理", "Handled", "blue"},
        {NULL, NULL, NULL, NULL},
};

static const struct entity_field duty_fields[] = {
        {.name = "duty_date",
         .label = "日期",
         .label_en = "Date",
         .type = FT_DATE,
         .flags = F_LIST | F_FILTER | F_SORT | F_CREATE | F_UPDATE | F_REQUIRED},
        {.name = "project_id",
         .label = "售楼处",
         .label_en = "Sales office",
         .type = FT_REF,
         .flags = F_LIST | F_FILTER | F_CREATE | F_UPDATE,
         .ref = "projects",
         .ref_label = "project_name",
         .ref_label_sql = "(SELECT p.name FROM projects p WHERE p.id = t.project_id)"},
        {.name = "kind",
         .label = "类别",
         .label_en = "Kind",
         .type = FT_ENUM,
         .flags = F_LIST | F_FILTER | F_CREATE | F_UPDATE | F_REQUIRED,
         .options = duty_kinds},
        {.name = "shift",
         .label = "班次",
         .label_en = "Shift",
         .type = FT_ENUM,
         .flags = F_LIST | F_FILTER | F_CREATE | F_UPDATE | F_REQUIRED,
         .options = duty_shifts},
        {.name = "staff",
         .label = "当班人员",
         .label_en = "Staff",
         .type = FT_TEXT,
         .flags = F_LIST | F_FILTER | F_CREATE | F_UPDATE | F_REQUIRED | F_SEARCH,
         .maxlen = 60},
        {.name = "patrols",
         .label = "巡查次数",
         .label_en = "Patrols",
         .type = FT_INT,
         .flags = F_LIST | F_CREATE | F_UPDATE},
        {.name = "findings",
         .label = "发现问题",
         .label_en = "Findings",
         .type = FT_TEXTAREA,
         .flags = F_LIST | F_CREATE | F_UPDATE | F_SEARCH,
         .maxlen = 1000},
        {.name = "handling",
         .label = "处理情况",
         .label_en = "Handling",
         .type = FT_TEXTAREA,
         .flags = F_CREATE | F_UPDATE | F_DETAIL,
         .maxlen = 1000},
        {.name = "status",
         .label = "状态",
         .label_en = "Status",
         .type = FT_ENUM,
         .flags = F_LIST | F_FILTER | F_CREATE | F_UPDATE,
         .options = duty_statuses},
        {.name = "recorded_by",
         .label = "记录人",
         .label_en = "Recorded by",
         .type = FT_TEXT,
         .flags = F_LIST},
};

static int duty_before_create(struct db_conn *c,
                              const struct auth_user *who,
                              json_t *in,
                              struct entity_cols *x,
                              struct app_err *err)
{
    (void)c;
    (void)in;
    (void)err;
    if (who)
        entity_cols_text(x, "recorded_by", who->display_name);
    return 0;
}

static const struct entity_hooks duty_hooks = {.before_create = duty_before_create};

const struct entity duty_logs_entity = {.name = "duty-logs",
                                        .table = "duty_logs",
                                        .label = "保安保洁值班",
                                        .label_en = "Duty logs",
                                        .fields = duty_fields,
                                        .n_fields = ARRAY_LEN(duty_fields),
                                        .read_perm = "duty.read",
                                        .write_perm = "duty.write",
                                        .export_perm = "duty.read",
                                        .title_field = "staff",
                                        .default_sort = "-duty_date",
                                        .nav_group = "approval",
                                        .flags = E_TIMESTAMPS,
                                        .hooks = &duty_hooks};
