/*
 * approval.h - the approval engine every flow goes through: the department's
 * office flows, and contract cancellations and compensations started by
 * other modules.
 *
 * A template is data: a form (typed fields) and a route of steps. A step
 * names its approvers (a role, a user, the applicant's department head, the
 * project's manager), may apply only when a condition on the form holds
 * ("amount > 5000 adds a step"), and needs one of its approvers or all of
 * them (会签). Requests snapshot the template they were submitted under.
 *
 * Every action runs inside the caller's transaction, is recorded in the
 * request's history and the audit trail, and the final decision calls the
 * template's handler in that same transaction.
 */
#ifndef APPROVAL_H
#define APPROVAL_H

#include <stdint.h>

#include <jansson.h>

#include "auth.h"
#include "store/db.h"

enum approval_outcome { APPROVAL_APPROVED = 1, APPROVAL_REJECTED = 2, APPROVAL_WITHDRAWN = 3 };

/* What a handler learns about a request. Borrowed for the call. */
struct approval_info {
    int64_t id;
    const char *no;
    const char *template_code;
    int64_t applicant_id;
    const char *applicant_name;
    int64_t project_id;
    const char *origin_entity;
    int64_t origin_id;
    json_t *data; /* the form values */
};

/* A handler ties a template to what its approval changes. check runs at
 * submit (refuse early: stock, loan balance); decided runs once, with the
 * final outcome, in the decision's transaction. Either may be NULL. */
struct approval_handler {
    const char *name;
    int (*check)(struct db_conn *c, const struct approval_info *req, struct app_err *err);
    int (*decided)(struct db_conn *c,
                   const struct approval_info *req,
                   enum approval_outcome outcome,
                   const struct auth_user *who,
                   struct app_err *err);
};

/* Register a handler (modules at start-up, tests). Later registrations of
 * the same name replace earlier ones. */
void approval_register_handler(const struct approval_handler *h);
const struct approval_handler *approval_find_handler(const char *name);

/* Check a template's form and steps; APP_EINVAL naming the fault. */
int approval_template_check(json_t *form, json_t *steps, struct app_err *err);
/* Check and normalise form values against a form; errors name the field. */
int approval_form_check(json_t **out, json_t *form, json_t *data, struct app_err *err);

/* Submit a request on template code for who. project_id may be 0; origin
 * (entity, id) names a record of another module, or NULL. */
int approval_submit(int64_t *request_id,
                    struct db_conn *c,
                    const struct auth_user *who,
                    const char *template_code,
                    const char *title,
                    json_t *data,
                    int64_t project_id,
                    const char *origin_entity,
                    int64_t origin_id,
                    struct app_err *err);

/* Act on a request: "approve", "reject", "return", "transfer" (to_user),
 * "comment", "withdraw". updates (may be NULL) are checklist ticks an
 * approver records with an approval. APP_EFORBIDDEN when who may not act,
 * APP_ECONFLICT when the request or task is no longer open. */
int approval_act(struct db_conn *c,
                 const struct auth_user *who,
                 int64_t request_id,
                 const char *action,
                 const char *comment,
                 int64_t to_user,
                 json_t *updates,
                 struct app_err *err);

/* Resubmit a returned request with corrected values; the route restarts. */
int approval_resubmit(struct db_conn *c,
                      const struct auth_user *who,
                      int64_t request_id,
                      json_t *data,
                      struct app_err *err);

/* The request with its tasks, history and the actions open to who. */
int approval_get(json_t **out,
                 struct db_conn *c,
                 const struct auth_user *who,
                 int64_t request_id,
                 struct app_err *err);

/* Inbox lists: "todo" (waiting for me), "mine" (submitted by me), "done"
 * (handled by me), "all" (approval.read_all). */
int approval_inbox(json_t **out,
                   struct db_conn *c,
                   const struct auth_user *who,
                   const char *box,
                   const char *status,
                   int64_t limit,
                   int64_t offset,
                   struct app_err *err);
/* Counts for the navigation badge. */
int approval_counts(json_t **out, struct db_conn *c, const struct auth_user *who);

/* Remind approvers of tasks waiting past their step's limit, once per task.
 * Returns how many reminders were written. Safe on several servers. */
int approval_remind_overdue(struct db_conn *c, int64_t now);

#endif
