/*
 * handover.h - handing flats over to their owners (交房) and the property
 * certificates that follow (产权证), docs/handover.md.
 *
 * A delivery batch gathers the signed flats of some buildings; each flat is
 * a handover that moves pending → notified → booked → inspected →
 * delivered (or refused). Delivery sets the unit's delivered_on, which
 * starts its warranty (ticket.c reads it). Every write runs inside the
 * caller's transaction, is audited and told to the owner's timeline.
 */
#ifndef HANDOVER_H
#define HANDOVER_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "auth.h"
#include "store/db.h"

int handover_batch_create(int64_t *id_out,
                          struct db_conn *c,
                          const struct auth_user *who,
                          json_t *in,
                          struct app_err *err);
/* The batch with its counts, slots and flats. */
int handover_batch_get(json_t **out,
                       struct db_conn *c,
                       const struct auth_user *who,
                       int64_t id,
                       struct app_err *err);
int handover_slot_add(struct db_conn *c,
                      const struct auth_user *who,
                      int64_t batch_id,
                      json_t *in,
                      struct app_err *err);

/* Per flat: book a slot, record mailing, inspect, deliver, refuse. */
int handover_book(struct db_conn *c,
                  const struct auth_user *who,
                  int64_t id,
                  json_t *in,
                  struct app_err *err);
int handover_mail(struct db_conn *c,
                  const struct auth_user *who,
                  int64_t id,
                  json_t *in,
                  struct app_err *err);
int handover_inspect(int64_t *inspection_id,
                     struct db_conn *c,
                     const struct auth_user *who,
                     int64_t id,
                     json_t *in,
                     struct app_err *err);
int handover_deliver(struct db_conn *c,
                     const struct auth_user *who,
                     int64_t id,
                     json_t *in,
                     struct app_err *err);
int handover_refuse(struct db_conn *c,
                    const struct auth_user *who,
                    int64_t id,
                    json_t *in,
                    struct app_err *err);
/* One flat with its inspections, defects, mailings and statement. */
int handover_get(json_t **out,
                 struct db_conn *c,
                 const struct auth_user *who,
                 int64_t id,
                 struct app_err *err);

/* Defects: "rectified" / "verified"; or a repair ticket of the owner. */
int handover_defect_update(struct db_conn *c,
                           const struct auth_user *who,
                           int64_t id,
                           json_t *in,
                           struct app_err *err);
int handover_defect_ticket(int64_t *ticket_id,
                           struct db_conn *c,
                           const struct auth_user *who,
                           int64_t id,
                           struct app_err *err);
/* Defects of a batch grouped "building", "category" or "contractor". */
int handover_defect_rollup(json_t **out,
                           struct db_conn *c,
                           const struct auth_user *who,
                           int64_t batch_id,
                           const char *by,
                           struct app_err *err);

/* Area true-up statements of a batch (run: make the missing ones). */
int handover_true_up(json_t **out,
                     struct db_conn *c,
                     const struct auth_user *who,
                     int64_t batch_id,
                     int run,
                     struct app_err *err);
/* 延期交房违约金明细 of a batch as of today. */
int handover_late_delivery(json_t **out,
                           struct db_conn *c,
                           const struct auth_user *who,
                           int64_t batch_id,
                           struct app_err *err);
/* Booked, inspected, delivered and refused per day. */
int handover_daily(json_t **out,
                   struct db_conn *c,
                   const struct auth_user *who,
                   int64_t batch_id,
                   struct app_err *err);
/* Rows of the package for the property company. */
int handover_property_package(json_t **out,
                              struct db_conn *c,
                              const struct auth_user *who,
                              int64_t batch_id,
                              struct app_err *err);
/* The batch's move-in notices as one PDF; marks pending flats notified. */
int handover_notices_pdf(char **data,
                         size_t *len,
                         struct db_conn *c,
                         const struct auth_user *who,
                         int64_t batch_id,
                         struct app_err *err);

/* Certificates. */
int certificate_create(int64_t *id_out,
                       struct db_conn *c,
                       const struct auth_user *who,
                       int64_t contract_id,
                       struct app_err *err);
int certificate_advance(struct db_conn *c,
                        const struct auth_user *who,
                        int64_t id,
                        json_t *in,
                        struct app_err *err);
int certificate_deadlines(json_t **out,
                          struct db_conn *c,
                          const struct auth_user *who,
                          int64_t project_id,
                          int within,
                          struct app_err *err);

#endif
