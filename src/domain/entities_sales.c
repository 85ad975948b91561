/*
 * entities_sales.c - sales contracts as a declared entity: the list with
 * filters, the ledgers (签约、备案、作废台账) as Excel exports, and the
 * fields that may be corrected after subscription. Creation and every state
 * change go through contract.c.
 */
#include <stdlib.h>
#include <string.h>

#include "entities_office.h"
#include "entity.h"

static const struct field_option contract_statuses[] = {
        {"subscribed", "认购", "Subscribed", "grey"},
        {"signed", "已签约", "Signed", "blue"},
        {"filed", "已备案", "Filed", "blue"},
        {"preregistered", "已预告登记", "Pre-registered", "green"},
        {"cancelled", "已作废", "Cancelled", "red"},
        {NULL, NULL, NULL, NULL},
};

static const struct field_option payment_methods[] = {
        {"full", "一次性付款", "Full payment", NULL},
        {"installment", "分期付款", "Installments", NULL},
        {"commercial_loan", "商业贷款", "Commercial loan", NULL},
        {"provident_loan", "公积金贷款", "Provident-fund loan", NULL},
        {"combined", "组合贷款", "Combined loan", NULL},
        {NULL, NULL, NULL, NULL},
};

static const struct entity_field contracts_fields[] = {
        {.name = "no",
         .label = "合同编号",
         .label_en = "No.",
         .type = FT_TEXT,
         .flags = F_LIST | F_FILTER | F_SORT | F_SEARCH},
        {.name = "project_id",
         .label = "项目",
         .label_en = "Project",
         .type = FT_REF,
         .flags = F_LIST | F_FILTER,
         .ref = "projects",
         .ref_label = "project_name",
         .ref_label_sql = "(SELECT p.name FROM projects p WHERE p.id = t.project_id)"},
        {.name = "unit_id",
         .label = "房号",
         .label_en = "Unit",
         .type = FT_REF,
         .flags = F_LIST | F_FILTER,
         .ref = "units",
         .ref_label = "room_code",
         .ref_label_sql = "(SELECT u.room_code FROM units u WHERE u.id = t.unit_id)"},
        {.name = "buyer_names",
         .label = "买受人",
         .label_en = "Buyers",
         .type = FT_TEXT,
         .flags = F_LIST | F_FILTER | F_SEARCH},
        {.name = "status",
         .label = "状态",
         .label_en = "Status",
         .type = FT_ENUM,
         .flags = F_LIST | F_FILTER | F_SORT,
         .options = contract_statuses},
        {.name = "total_price_fen",
         .label = "合同总价",
         .label_en = "Total price",
         .type = FT_MONEY,
         .flags = F_LIST | F_FILTER | F_SORT},
        {.name = "deposit_fen",
         .label = "定金",
         .label_en = "Deposit",
         .type = FT_MONEY,
         .flags = F_DETAIL},
        {.name = "payment_method",
         .label = "付款方式",
         .label_en = "Payment",
         .type = FT_ENUM,
         .flags = F_LIST | F_FILTER,
         .options = payment_methods},
        {.name = "presale_permit",
         .label = "预售许可证",
         .label_en = "Pre-sale permit",
         .type = FT_TEXT,
         .flags = F_DETAIL | F_UPDATE,
         .maxlen = 100},
        {.name = "subscribed_on",
         .label = "认购日期",
         .label_en = "Subscribed",
         .type = FT_DATE,
         .flags = F_LIST | F_FILTER | F_SORT},
        {.name = "signed_on",
         .label = "签约日期",
         .label_en = "Signed",
         .type = FT_DATE,
         .flags = F_LIST | F_FILTER | F_SORT},
        {.name = "filing_no",
         .label = "备案号",
         .label_en = "Filing no.",
         .type = FT_TEXT,
         .flags = F_DETAIL | F_FILTER},
        {.name = "filed_on",
         .label = "备案日期",
         .label_en = "Filed",
         .type = FT_DATE,
         .flags = F_LIST | F_FILTER | F_SORT},
        {.name = "prereg_no",
         .label = "预告登记证明号",
         .label_en = "Pre-registration no.",
         .type = FT_TEXT,
         .flags = F_DETAIL},
        {.name = "preregistered_on",
         .label = "预告登记日期",
         .label_en = "Pre-registered",
         .type = FT_DATE,
         .flags = F_DETAIL | F_FILTER},
        {.name = "delivery_deadline",
         .label = "约定交付日期",
         .label_en = "Delivery deadline",
         .type = FT_DATE,
         .flags = F_LIST | F_FILTER | F_SORT | F_UPDATE},
        {.name = "late_delivery_rate",
         .label = "逾期交付日违约金（万分之）",
         .label_en = "Late-delivery rate (per 10,000/day)",
         .type = FT_TEXT,
         .flags = F_DETAIL | F_UPDATE,
         .maxlen = 12},
        {.name = "late_delivery_grace_days",
         .label = "逾期交付宽限天数",
         .label_en = "Late-delivery grace days",
         .type = FT_INT,
         .flags = F_DETAIL | F_UPDATE},
        {.name = "late_payment_rate",
         .label = "逾期付款日违约金（万分之）",
         .label_en = "Late-payment rate (per 10,000/day)",
         .type = FT_TEXT,
         .flags = F_DETAIL | F_UPDATE,
         .maxlen = 12},
        {.name = "late_payment_grace_days",
         .label = "逾期付款宽限天数",
         .label_en = "Late-payment grace days",
         .type = FT_INT,
         .flags = F_DETAIL | F_UPDATE},
        {.name = "certificate_days",
         .label = "办证期限（交付后天数）",
         .label_en = "Certificate due (days after delivery)",
         .type = FT_INT,
         .flags = F_DETAIL | F_UPDATE},
        {.name = "cancelled_on",
         .label = "作废日期",
         .label_en = "Cancelled",
         .type = FT_DATE,
         .flags = F_LIST | F_FILTER | F_SORT},
        {.name = "cancel_reason",
         .label = "作废原因",
         .label_en = "Cancel reason",
         .type = FT_TEXT,
         .flags = F_DETAIL | F_FILTER},
        {.name = "follow_up",
         .label = "待跟进",
         .label_en = "Follow up",
         .type = FT_TEXT,
         .flags = F_LIST | F_FILTER | F_UPDATE,
         .maxlen = 600},
        {.name = "note",
         .label = "备注",
         .label_en = "Note",
         .type = FT_TEXTAREA,
         .flags = F_DETAIL | F_UPDATE,
         .maxlen = 2000},
        {.name = "created_at",
         .label = "录入时间",
         .label_en = "Created",
         .type = FT_DATETIME,
         .flags = F_DETAIL | F_SORT},
        {.name = "updated_at",
         .label = "更新时间",
         .label_en = "Updated",
         .type = FT_DATETIME,
         .flags = F_DETAIL},
};

/* Corrections must keep the values valid contracts need. */
static int contracts_before_update(struct db_conn *c,
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
    (void)x;
    const char *status = json_string_value(json_object_get(before, "status"));
    if (status && strcmp(status, "cancelled") == 0)
        return app_err_set(err, APP_ECONFLICT, "status", "合同已作废，不能修改");
    static const char *const rates[] = {"late_delivery_rate", "late_payment_rate"};
    for (size_t i = 0; i < ARRAY_LEN(rates); i++) {
        const char *r = json_string_value(json_object_get(in, rates[i]));
        if (r == NULL && json_object_get(in, rates[i]))
            return app_err_set(err, APP_EINVAL, rates[i], "日违约金比例不能为空");
        if (r) {
            char *end = NULL;
            double v = strtod(r, &end);
            if (end == r || *end != '\0' || !(v > 0 && v <= 100))
                return app_err_set(err, APP_EINVAL, rates[i],
                                   "日违约金比例应为万分之几的数字，如 \"2\" 或 \"0.5\"");
        }
    }
    static const char *const days[] = {"late_delivery_grace_days", "late_payment_grace_days",
                                       "certificate_days"};
    for (size_t i = 0; i < ARRAY_LEN(days); i++) {
        json_t *v = json_object_get(in, days[i]);
        if (v && (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > 3650))
            return app_err_set(err, APP_EINVAL, days[i], "天数应在 0 到 3650 之间");
    }
    return 0;
}

static const struct entity_hooks contracts_hooks = {.before_update = contracts_before_update};

const struct entity contracts_entity = {
        .name = "contracts",
        .table = "contracts",
        .label = "合同",
        .label_en = "Contracts",
        .fields = contracts_fields,
        .n_fields = ARRAY_LEN(contracts_fields),
        .read_perm = "contract.read",
        .write_perm = "contract.write",
        .export_perm = "contract.export",
        .title_field = "no",
        .default_sort = "-id",
        .scope_sql = "t.project_id IN (SELECT project_id FROM user_projects WHERE user_id = ?)",
        .scope_field = "project_id",
        .nav_group = "contract",
        .flags = E_TIMESTAMPS | E_NO_CREATE,
        .hooks = &contracts_hooks};

/*---- The document checklist, configurable per project ----*/

static const struct field_option buyer_types[] = {
        {"local", "本地户籍", "Local hukou", NULL},
        {"nonlocal", "外地户籍", "Non-local hukou", NULL},
        {"company", "企业", "Company", NULL},
        {NULL, NULL, NULL, NULL},
};

static const struct entity_field doc_rules_fields[] = {
        {.name = "project_id",
         .label = "项目（空为默认）",
         .label_en = "Project (empty: default)",
         .type = FT_REF,
         .flags = F_LIST | F_FILTER | F_CREATE,
         .ref = "projects",
         .ref_label = "project_name",
         .ref_label_sql = "(SELECT p.name FROM projects p WHERE p.id = t.project_id)"},
        {.name = "buyer_type",
         .label = "买受人类型",
         .label_en = "Buyer type",
         .type = FT_ENUM,
         .flags = F_LIST | F_FILTER | F_SORT | F_CREATE | F_UPDATE | F_REQUIRED,
         .options = buyer_types},
        {.name = "doc_code",
         .label = "资料代码",
         .label_en = "Code",
         .type = FT_TEXT,
         .flags = F_LIST | F_CREATE | F_UPDATE | F_REQUIRED,
         .maxlen = 40},
        {.name = "doc_name",
         .label = "资料名称",
         .label_en = "Document",
         .type = FT_TEXT,
         .flags = F_LIST | F_FILTER | F_CREATE | F_UPDATE | F_REQUIRED | F_SEARCH,
         .maxlen = 60},
        {.name = "sort",
         .label = "顺序",
         .label_en = "Order",
         .type = FT_INT,
         .flags = F_LIST | F_SORT | F_CREATE | F_UPDATE},
};

const struct entity contract_doc_rules_entity = {.name = "contract-doc-rules",
                                                 .table = "contract_doc_rules",
                                                 .label = "签约资料清单",
                                                 .label_en = "Signing checklist",
                                                 .fields = doc_rules_fields,
                                                 .n_fields = ARRAY_LEN(doc_rules_fields),
                                                 .read_perm = "contract.read",
                                                 .write_perm = "project.write",
                                                 .export_perm = "contract.read",
                                                 .title_field = "doc_name",
                                                 .default_sort = "buyer_type",
                                                 .nav_group = "contract"};
