/*
 * approval_handlers.c - what the department's office flows change when they
 * are approved: the fixed-asset register, office-supplies stock, employee
 * loans (and their offset against expense claims), and the seal-use log.
 */
#include "approval_handlers.h"

#include <string.h>

#include "approval.h"
#include "core/timeutil.h"
#include "query.h"

static int64_t data_int(json_t *data, const char *k)
{
    return json_integer_value(json_object_get(data, k));
}

static const char *data_str(json_t *data, const char *k)
{
    return json_string_value(json_object_get(data, k));
}

/*---- 资产购置: each unit bought becomes one asset ----*/

static int asset_purchase_decided(struct db_conn *c,
                                  const struct approval_info *req,
                                  enum approval_outcome outcome,
                                  const struct auth_user *who,
                                  struct app_err *err)
{
    (void)who;
    (void)err;
    if (outcome != APPROVAL_APPROVED)
        return 0;
    char at[32];
    time_now_iso(at, sizeof(at));
    size_t i;
    json_t *row;
    int seq = 0;
    json_array_foreach(json_object_get(req->data, "items"), i, row)
    {
        int64_t qty = data_int(row, "quantity");
        for (int64_t k = 0; k < (qty > 0 ? qty : 1); k++) {
            char code[64];
            snprintf(code, sizeof(code), "ZC-%s-%02d", req->no, ++seq);
            int rc = db_run(c,
                            "INSERT INTO fixed_assets (code, name, category, spec, unit_price_fen,"
                            " location, custodian, status, purchased_at, purchase_request_id,"
                            " created_at) VALUES (?,?,?,?,?,?,?,'in_use',?,?,?)",
                            "ttttittt"
                            "it",
                            code, data_str(row, "name"), data_str(row, "category"),
                            data_str(row, "spec"), data_int(row, "unit_price"),
                            data_str(req->data, "location"), req->applicant_name, at, req->id, at);
            if (rc < 0)
                return rc;
        }
    }
    return 0;
}

/*---- 固定资产报废 ----*/

static int
asset_scrap_check(struct db_conn *c, const struct approval_info *req, struct app_err *err)
{
    char *status = NULL;
    int rc = db_query_text(c, &status, "SELECT status FROM fixed_assets WHERE id = ?", "i",
                           data_int(req->data, "asset"));
    if (rc < 0)
        return app_err_set(err, APP_EINVAL, "asset", "资产不存在");
    int ok = strcmp(status, "in_use") == 0;
    free(status);
    if (!ok)
        return app_err_set(err, APP_ECONFLICT, "asset", "该资产已报废");
    return 0;
}

static int asset_scrap_decided(struct db_conn *c,
                               const struct approval_info *req,
                               enum approval_outcome outcome,
                               const struct auth_user *who,
                               struct app_err *err)
{
    (void)who;
    if (outcome != APPROVAL_APPROVED)
        return 0;
    char at[32];
    time_now_iso(at, sizeof(at));
    int rc = db_run(c,
                    "UPDATE fixed_assets SET status = 'scrapped', scrapped_at = ?,"
                    " scrap_request_id = ? WHERE id = ? AND status = 'in_use'",
                    "tii", at, req->id, data_int(req->data, "asset"));
    if (rc == 0)
        return app_err_set(err, APP_ECONFLICT, "asset", "该资产已报废");
    return rc < 0 ? rc : 0;
}

/*---- 办公用品申购领用 ----*/

static int supplies_check(struct db_conn *c, const struct approval_info *req, struct app_err *err)
{
    const char *kind = data_str(req->data, "kind");
    if (kind == NULL || strcmp(kind, "领用") != 0)
        return 0;
    size_t i;
    json_t *line;
    json_array_foreach(json_object_get(req->data, "lines"), i, line)
    {
        int64_t stock = 0;
        char *name = NULL;
        db_query_int64(c, &stock, "SELECT stock FROM office_supplies WHERE id = ?", "i",
                       data_int(line, "supply_id"));
        db_query_text(c, &name, "SELECT name FROM office_supplies WHERE id = ?", "i",
                      data_int(line, "supply_id"));
        if (data_int(line, "qty") > stock) {
            int rc = app_err_set(err, APP_EINVAL, "lines", "%s库存不足：现有 %lld，申领 %lld",
                                 name ? name : "", (long long)stock,
                                 (long long)data_int(line, "qty"));
            free(name);
            return rc;
        }
        free(name);
    }
    return 0;
}

static int supplies_decided(struct db_conn *c,
                            const struct approval_info *req,
                            enum approval_outcome outcome,
                            const struct auth_user *who,
                            struct app_err *err)
{
    (void)who;
    if (outcome != APPROVAL_APPROVED)
        return 0;
    int out = data_str(req->data, "kind") && strcmp(data_str(req->data, "kind"), "领用") == 0;
    char at[32];
    time_now_iso(at, sizeof(at));
    size_t i;
    json_t *line;
    json_array_foreach(json_object_get(req->data, "lines"), i, line)
    {
        int64_t id = data_int(line, "supply_id"), qty = data_int(line, "qty");
        int rc = out ? db_run(c,
                              "UPDATE office_supplies SET stock = stock - ? WHERE id = ? AND"
                              " stock >= ?",
                              "iii", qty, id, qty)
                     : db_run(c, "UPDATE office_supplies SET stock = stock + ? WHERE id = ?", "ii",
                              qty, id);
        if (rc == 0)
            return app_err_set(err, APP_ECONFLICT, "lines", "第 %zu 行物品库存不足，无法领用",
                               i + 1);
        if (rc < 0)
            return rc;
        rc = db_run(c,
                    "INSERT INTO supply_moves (supply_id, qty, request_id, at, note)"
                    " VALUES (?,?,?,?,?)",
                    "iiitt", id, out ? -qty : qty, req->id, at, out ? "领用" : "申购入库");
        if (rc < 0)
            return rc;
    }
    return 0;
}

/*---- 借款 and 日常费用报销 (which may offset a loan) ----*/

static int loan_decided(struct db_conn *c,
                        const struct approval_info *req,
                        enum approval_outcome outcome,
                        const struct auth_user *who,
                        struct app_err *err)
{
    (void)who;
    (void)err;
    if (outcome != APPROVAL_APPROVED)
        return 0;
    char at[32];
    time_now_iso(at, sizeof(at));
    int rc =
            db_run(c,
                   "INSERT INTO employee_loans (request_id, user_id, borrower, purpose, amount_fen,"
                   " due_date, created_at) VALUES (?,?,?,?,?,?,?)",
                   "iittitt", req->id, req->applicant_id, req->applicant_name,
                   data_str(req->data, "purpose"), data_int(req->data, "amount"),
                   data_str(req->data, "repay_date"), at);
    return rc < 0 ? rc : 0;
}

/* The loan an expense claim offsets must be the applicant's and open, and
 * the offset may not exceed what is owed nor what is claimed. */
static int expense_check(struct db_conn *c, const struct approval_info *req, struct app_err *err)
{
    int64_t loan = data_int(req->data, "offset_loan");
    int64_t amount = data_int(req->data, "offset_amount");
    if (loan == 0 && amount == 0)
        return 0;
    if (loan == 0)
        return app_err_set(err, APP_EINVAL, "offset_loan", "冲抵金额需要选择借款");
    json_t *row = NULL;
    struct db_params p = {0};
    db_params_int(&p, loan);
    int rc = query_row(&row, c,
                       "SELECT user_id, amount_fen - repaid_fen AS owed, status FROM employee_loans"
                       " WHERE id = ?",
                       &p);
    db_params_free(&p);
    if (rc < 0)
        return app_err_set(err, APP_EINVAL, "offset_loan", "借款不存在");
    int64_t owed = data_int(row, "owed");
    int mine = data_int(row, "user_id") == req->applicant_id;
    int open = strcmp(data_str(row, "status"), "outstanding") == 0;
    json_decref(row);
    if (!mine)
        return app_err_set(err, APP_EINVAL, "offset_loan", "只能冲抵本人的借款");
    if (!open)
        return app_err_set(err, APP_ECONFLICT, "offset_loan", "该借款已还清");
    if (amount <= 0 || amount > owed)
        return app_err_set(err, APP_EINVAL, "offset_amount",
                           "冲抵金额应在 0 到未还金额 %lld.%02lld"
                           " 元之间",
                           (long long)(owed / 100), (long long)(owed % 100));
    if (amount > data_int(req->data, "total"))
        return app_err_set(err, APP_EINVAL, "offset_amount", "冲抵金额不能超过报销总额");
    return 0;
}

int loan_repay(struct db_conn *c,
               int64_t loan_id,
               int64_t amount,
               const char *kind,
               int64_t request_id,
               const char *note,
               struct app_err *err)
{
    char at[32];
    time_now_iso(at, sizeof(at));
    int rc = db_run(c,
                    "UPDATE employee_loans SET repaid_fen = repaid_fen + ? WHERE id = ? AND"
                    " status = 'outstanding' AND repaid_fen + ? <= amount_fen",
                    "iii", amount, loan_id, amount);
    if (rc == 0)
        return app_err_set(err, APP_ECONFLICT, "amount_fen", "还款金额超过未还金额，或借款已还清");
    if (rc < 0)
        return rc;
    rc = db_run(c,
                "UPDATE employee_loans SET status = 'settled', settled_at = ? WHERE id = ? AND"
                " repaid_fen = amount_fen",
                "ti", at, loan_id);
    if (rc < 0)
        return rc;
    rc = db_run(c,
                "INSERT INTO loan_repayments (loan_id, amount_fen, kind, request_id, at, note)"
                " VALUES (?,?,?,NULLIF(?, 0),?,?)",
                "iitit"
                "t",
                loan_id, amount, kind, request_id, at, note);
    return rc < 0 ? rc : 0;
}

static int expense_decided(struct db_conn *c,
                           const struct approval_info *req,
                           enum approval_outcome outcome,
                           const struct auth_user *who,
                           struct app_err *err)
{
    (void)who;
    int64_t loan = data_int(req->data, "offset_loan");
    if (outcome != APPROVAL_APPROVED || loan == 0)
        return 0;
    return loan_repay(c, loan, data_int(req->data, "offset_amount"), "offset", req->id, "报销冲抵",
                      err);
}

/*---- 用章: the approved use waits in the seal log for its stamp ----*/

static int seal_decided(struct db_conn *c,
                        const struct approval_info *req,
                        enum approval_outcome outcome,
                        const struct auth_user *who,
                        struct app_err *err)
{
    (void)who;
    (void)err;
    if (outcome != APPROVAL_APPROVED)
        return 0;
    char at[32];
    time_now_iso(at, sizeof(at));
    int64_t copies = data_int(req->data, "copies");
    int rc = db_run(c,
                    "INSERT INTO seal_uses (request_id, seal, document, copies, applicant,"
                    " approved_at, note) VALUES (?,?,?,?,?,?,?)",
                    "ittitt"
                    "t",
                    req->id, data_str(req->data, "seal"), data_str(req->data, "document"),
                    copies > 0 ? copies : (int64_t)1, req->applicant_name, at,
                    data_str(req->data, "purpose"));
    return rc < 0 ? rc : 0;
}

static const struct approval_handler builtin[] = {
        {"asset_purchase", NULL, asset_purchase_decided},
        {"asset_scrap", asset_scrap_check, asset_scrap_decided},
        {"supplies", supplies_check, supplies_decided},
        {"loan", NULL, loan_decided},
        {"expense", expense_check, expense_decided},
        {"seal", NULL, seal_decided},
};

void approval_handlers_init(void)
{
    for (size_t i = 0; i < ARRAY_LEN(builtin); i++)
        approval_register_handler(&builtin[i]);
}
