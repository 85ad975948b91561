/*
 * survey.h - satisfaction surveys (满意度回访).
 *
 * An active template of a trigger ("signing", "handover", "ticket_closed",
 * "campaign") raises one survey per customer and source when the event
 * happens; an agent records the answers (usually during the callback);
 * reports give satisfaction and NPS by project, stage and month.
 * Questions: [{"key","text","type":"scale"|"nps"|"choice"|"text",
 * "options":[…],"required":bool}]; scale is 1–5, nps 0–10.
 */
#ifndef SURVEY_H
#define SURVEY_H

#include <stdint.h>

#include <jansson.h>

#include "auth.h"
#include "store/db.h"

/* Raise the surveys of trigger for a customer (once per source, e.g.
 * "contracts 12"). In the caller's transaction; quiet when no template of
 * that trigger is active. */
int survey_invite(struct db_conn *c,
                  const char *trigger,
                  int64_t customer_id,
                  int64_t project_id,
                  const char *source);

/* Check a template's questions; APP_EINVAL naming the fault. */
int survey_questions_check(const char *json, struct app_err *err);

int survey_answer(struct db_conn *c,
                  const struct auth_user *who,
                  int64_t id,
                  json_t *answers,
                  struct app_err *err);

/* A campaign: {"template_id","project_id","building_ids"?} → a survey for
 * every active owner there; *n how many. */
int survey_campaign(int *n,
                    int *owners,
                    struct db_conn *c,
                    const struct auth_user *who,
                    json_t *in,
                    struct app_err *err);

/* group: "project" | "stage" | "month"; from/to: invited dates. */
int survey_report(json_t **out,
                  struct db_conn *c,
                  const struct auth_user *who,
                  const char *group,
                  int64_t project_id,
                  const char *from,
                  const char *to,
                  struct app_err *err);

#endif
