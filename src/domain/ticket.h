/*
 * ticket.h - complaints, repairs, consultations, suggestions and
 * compensation claims (工单), docs/tickets.md.
 *
 * A ticket moves through a declared action table (accept, dispatch, assign,
 * pause, resume, resolve, callback, close, reopen, merge, set_parent,
 * mark_defect); each action names the states it starts from, the permission
 * it needs and its handler. SLA due times come from the most specific policy
 * on the working-day calendar (workcal.h); ticket_sla_sweep() warns and
 * escalates, each once. Every action is one ticket_events row, one audit row
 * and an event on the customer's timeline, inside the caller's transaction.
 */
#ifndef TICKET_H
#define TICKET_H

#include <stdint.h>

#include <jansson.h>

#include "auth.h"
#include "store/db.h"

struct ticket_ctx;

struct ticket_action {
    const char *action;
    const char *label;
    const char *perm;
    const char *from[6]; /* states it starts from */
    const char *to;      /* NULL: the state does not change */
    int while_paused;    /* allowed while the clock is paused */
    int (*run)(struct ticket_ctx *x, json_t *params, struct app_err *err);
};

extern const struct ticket_action ticket_actions[];
extern const size_t ticket_actions_count;

const char *ticket_status_label(const char *status);

/* Create a ticket from the intake body; *id_out is the new ticket. *cluster
 * (may be NULL) receives the possible group complaint it joined. */
int ticket_create(int64_t *id_out,
                  json_t **cluster,
                  struct db_conn *c,
                  const struct auth_user *who,
                  json_t *in,
                  struct app_err *err);

/* Apply an action with its params (docs/tickets.md). */
int ticket_act(struct db_conn *c,
               const struct auth_user *who,
               int64_t id,
               const char *action,
               json_t *params,
               struct app_err *err);

/* The ticket with its history, callbacks, compensations, attachments,
 * children, warranty, SLA state and the actions open to who. */
int ticket_get(json_t **out,
               struct db_conn *c,
               const struct auth_user *who,
               int64_t id,
               struct app_err *err);

/* May who see ticket id (exists and in scope)? 0, APP_ENOTFOUND or
 * APP_EFORBIDDEN. */
int ticket_visible(struct db_conn *c, const struct auth_user *who, int64_t id, struct app_err *err);

/* Queues: view "mine", "team", "overdue", "open"; age "0-1", "1-3", "3-7",
 * "7-" (days since opened). */
int ticket_queue(json_t **out,
                 struct db_conn *c,
                 const struct auth_user *who,
                 const char *view,
                 int64_t project_id,
                 const char *age,
                 int64_t limit,
                 int64_t offset,
                 struct app_err *err);

/* Warranty of a unit for a category's component:
 * {"status":"under_warranty"|"expired"|"not_delivered"|"no_component", …}. */
int ticket_warranty(json_t **out, struct db_conn *c, int64_t unit_id, int64_t category_id);

/* Warnings and escalations due at now, each fired once. Returns how many
 * fired, or < 0. */
int ticket_sla_sweep(struct db_conn *c, int64_t now);

/* Compensation: request (starts approval "compensation"), payment. */
int ticket_compensation_request(int64_t *id_out,
                                struct db_conn *c,
                                const struct auth_user *who,
                                int64_t ticket_id,
                                json_t *in,
                                struct app_err *err);
int ticket_compensation_pay(struct db_conn *c,
                            const struct auth_user *who,
                            int64_t id,
                            json_t *in,
                            struct app_err *err);

/* Dashboard numbers for a project (0 = every project in scope) between two
 * local dates. */
int ticket_dashboard(json_t **out,
                     struct db_conn *c,
                     const struct auth_user *who,
                     int64_t project_id,
                     const char *from,
                     const char *to,
                     struct app_err *err);

/* Possible group complaints: at least min repair/complaint tickets of one
 * building and top category opened within `days` days, in the last 30. */
int ticket_clusters(json_t **out,
                    struct db_conn *c,
                    const struct auth_user *who,
                    int64_t project_id,
                    int days,
                    int min,
                    struct app_err *err);

/* Defect cases: create from defect tickets; the roll-up report by
 * "project", "building", "category" or "contractor". */
int ticket_defect_case_create(int64_t *id_out,
                              struct db_conn *c,
                              const struct auth_user *who,
                              json_t *in,
                              struct app_err *err);
int ticket_defect_report(json_t **out,
                         struct db_conn *c,
                         const struct auth_user *who,
                         const char *by,
                         int64_t project_id,
                         struct app_err *err);

/* Register the compensation approval handler. */
void ticket_init(void);

#endif
