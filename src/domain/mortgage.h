/*
 * mortgage.h - loans per contract through their bank stages, the weekly
 * progress report, receivables, receipts, the overdue list with accrued
 * late-payment penalties, dunning, and the collection rate (seed: 银行按揭
 * 办理流程; 回款催缴).
 *
 * Loan stages: collecting 资料收集 → signed 已面签 → reviewing 审批中 →
 * approved 已批贷 → disbursed 已放款, or refused 被拒 (with a reason, which
 * flags the contract for follow-up). Every stage change is kept with its
 * date, so the report of any past week comes out the same.
 */
#ifndef MORTGAGE_H
#define MORTGAGE_H

#include <stdint.h>

#include <jansson.h>

#include "auth.h"
#include "store/db.h"

int loan_create(int64_t *id_out,
                struct db_conn *c,
                const struct auth_user *who,
                json_t *in,
                struct app_err *err);
/* Move a loan to stage ({"on","reason","disbursed_fen"}). */
int loan_set_stage(struct db_conn *c,
                   const struct auth_user *who,
                   int64_t id,
                   const char *stage,
                   json_t *params,
                   struct app_err *err);
int loan_followup(struct db_conn *c,
                  const struct auth_user *who,
                  int64_t id,
                  json_t *in,
                  struct app_err *err);
int loan_document_set(struct db_conn *c,
                      const struct auth_user *who,
                      int64_t id,
                      int64_t doc,
                      const char *status,
                      struct app_err *err);
int loan_get(json_t **out,
             struct db_conn *c,
             const struct auth_user *who,
             int64_t id,
             struct app_err *err);

/* Counts and amounts by stage per bank and project as of the end of the
 * week containing week (Monday to Sunday), loans stuck in a stage longer
 * than stuck_days, disbursed this week and to date. */
int mortgage_weekly(json_t **out,
                    struct db_conn *c,
                    const struct auth_user *who,
                    int64_t project_id,
                    const char *week,
                    int stuck_days,
                    struct app_err *err);

/* The receivables a contract's payment method implies (定金, 首付款 or
 * 分期款, 贷款); loan_fen is the loan part (0: 70% of the price rounded to
 * ¥10,000 for loan contracts). APP_ECONFLICT when it has receivables. */
int receivables_generate(struct db_conn *c,
                         const struct auth_user *who,
                         int64_t contract_id,
                         int64_t loan_fen,
                         struct app_err *err);
int receipt_add(int64_t *id_out,
                struct db_conn *c,
                const struct auth_user *who,
                json_t *in,
                struct app_err *err);
/* Receivables past due and not fully received as of a date, with days
 * overdue and the penalty accrued at the contract's late-payment rate. */
int receivables_overdue(json_t **out,
                        struct db_conn *c,
                        const struct auth_user *who,
                        int64_t project_id,
                        const char *as_of,
                        struct app_err *err);
/* 违约金台账: receivables due in [from, to) that were paid late or are still
 * short on `to`, with the penalty accrued up to `to` (or to the receipt that
 * settled them), and whether they are paid in full (the penalty final) or
 * not (still accruing); the totals split the two. The overdue list drops a receivable once paid;
 * its penalty is here. */
int receivables_penalties(json_t **out,
                          struct db_conn *c,
                          const struct auth_user *who,
                          int64_t project_id,
                          const char *from,
                          const char *to,
                          struct app_err *err);
int dunning_add(struct db_conn *c, const struct auth_user *who, json_t *in, struct app_err *err);
/* Per project: amount due in [from, to] and how much of it was received.
 * The three reports cover the caller's projects, or only project_id when
 * it is not 0 (and in the caller's scope). */
int collection_rate(json_t **out,
                    struct db_conn *c,
                    const struct auth_user *who,
                    int64_t project_id,
                    const char *from,
                    const char *to,
                    struct app_err *err);

#endif
