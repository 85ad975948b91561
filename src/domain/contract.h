/*
 * contract.h - the sales-contract lifecycle (seed: 合同签约流程, 合同备案及
 * 预告登记流程, 合同作废流程).
 *
 * States: subscribed 认购 → signed 已签约 → filed 已备案 → preregistered
 * 已预告登记; cancelled 已作废 only through an approved amendment. The
 * forward moves are a declared transition table (action, from, to,
 * permission, guard); an illegal move is APP_ECONFLICT naming the current
 * state. Amendments (rename 更名, unit_change 换房, cancel 退房/作废) start
 * an approval and take effect only when it is approved. The unit's status
 * follows its contract; the database allows one live contract per unit.
 */
#ifndef CONTRACT_H
#define CONTRACT_H

#include <stdint.h>

#include <jansson.h>

#include "auth.h"
#include "store/db.h"

struct contract_transition {
    const char *action;
    const char *from;
    const char *to;
    const char *perm;
    const char *label;
    /* Refuse with APP_EINVAL when the contract may not move yet. */
    int (*guard)(struct db_conn *c, int64_t id, json_t *params, struct app_err *err);
};

extern const struct contract_transition contract_transitions[];
extern const size_t contract_transitions_count;

/* Label of a status ("已签约"). */
const char *contract_status_label(const char *status);
/* The unit status a contract status implies. */
const char *contract_unit_status(const char *status);

/* Subscribe: a new contract on a free unit with its buyers; creates the
 * document checklist. *id_out is the contract. */
/* Adds an event to the timeline of every buyer of a contract (what happened
 * to the contract, its loan, its money), linked to entity/entity_id. */
int contract_tell_buyers(struct db_conn *c,
                         int64_t contract_id,
                         const char *kind,
                         const char *title,
                         const char *entity,
                         int64_t entity_id,
                         const struct auth_user *who);
int contract_create(int64_t *id_out,
                    struct db_conn *c,
                    const struct auth_user *who,
                    json_t *in,
                    struct app_err *err);

/* Apply a forward transition (sign, file, preregister) with its params
 * ({"signed_on"}, {"filing_no","filed_on"}, {"prereg_no","preregistered_on"}). */
int contract_transition(struct db_conn *c,
                        const struct auth_user *who,
                        int64_t id,
                        const char *action,
                        json_t *params,
                        struct app_err *err);

/* The checklist: mark a document received or missing, or waive it with a
 * reason (managers). */
int contract_document_set(struct db_conn *c,
                          const struct auth_user *who,
                          int64_t contract_id,
                          int64_t doc_id,
                          const char *status,
                          const char *reason,
                          struct app_err *err);

/* Request an amendment: kind "cancel" | "rename" ({"buyers":[…]}) |
 * "unit_change" ({"new_unit_id"}); starts its approval. */
int contract_amend(int64_t *amendment_id,
                   struct db_conn *c,
                   const struct auth_user *who,
                   int64_t id,
                   const char *kind,
                   const char *reason_category,
                   const char *comment,
                   json_t *payload,
                   struct app_err *err);

/* The contract with buyers, documents, amendments, deadlines and the
 * transitions open to who. */
int contract_get(json_t **out,
                 struct db_conn *c,
                 const struct auth_user *who,
                 int64_t id,
                 struct app_err *err);

/* Contracts whose filing or pre-registration deadline falls within `within`
 * days from today, or has passed. */
int contract_deadlines(json_t **out,
                       struct db_conn *c,
                       const struct auth_user *who,
                       int64_t project_id,
                       int within,
                       struct app_err *err);

/* Signed, filed and cancelled counts per project per week (Monday-based)
 * between two dates. */
int contract_weekly(json_t **out,
                    struct db_conn *c,
                    const struct auth_user *who,
                    int64_t project_id,
                    const char *from,
                    const char *to,
                    struct app_err *err);

/* Register the approval handler that applies approved amendments. */
void contract_init(void);

#endif
