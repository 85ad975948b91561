/*
 * customer.h - what the department does with its customers beyond editing
 * fields: finding the caller during a phone call, the 360 view with one
 * timeline, duplicates and merges (undoable), a person's data exported for
 * them and anonymised on request (PIPL), and the building grid.
 *
 * Every function checks the caller's project scope; writes run inside the
 * caller's transaction and are audited.
 */
#ifndef CUSTOMER_H
#define CUSTOMER_H

#include <stdint.h>

#include <jansson.h>

#include "auth.h"
#include "store/db.h"

/* One search box: name or its prefix, pinyin initials ("zs"), full mobile or
 * its last four digits, full ID number, room code ("3-2-1501"). *out =
 * {"kind":"phone_tail"|...,"customers":[...],"units":[...]}. APP_EBADREQ for
 * an empty query. */
int customer_search(json_t **out,
                    struct db_conn *c,
                    const struct auth_user *who,
                    const char *q,
                    int limit,
                    struct app_err *err);

/* The customer, their units with co-owners, and their timeline. */
int customer_360(json_t **out,
                 struct db_conn *c,
                 const struct auth_user *who,
                 int64_t id,
                 struct app_err *err);

/* Add an event to a customer's timeline: the one interface through which
 * every module (contracts, loans, tickets …) reports what happened.
 * who may be NULL for the system. */
int customer_event_add(struct db_conn *c,
                       int64_t customer_id,
                       const char *kind,
                       const char *title,
                       const char *entity,
                       int64_t entity_id,
                       const struct auth_user *who);

/* Groups of likely duplicates: same ID number; same name and phone. */
int customer_duplicates(json_t **out,
                        struct db_conn *c,
                        const struct auth_user *who,
                        struct app_err *err);
/* Merge customer from_id into keep_id: units and events move, from_id is
 * marked merged. *merge_id is the record an administrator can undo. */
int customer_merge(int64_t *merge_id,
                   struct db_conn *c,
                   const struct auth_user *who,
                   int64_t keep_id,
                   int64_t from_id,
                   struct app_err *err);
int customer_merge_undo(struct db_conn *c,
                        const struct auth_user *who,
                        int64_t merge_id,
                        struct app_err *err);

/* Everything held about a person, unmasked, for their access request. */
int customer_privacy_export(json_t **out,
                            struct db_conn *c,
                            const struct auth_user *who,
                            int64_t id,
                            struct app_err *err);
/* Erase a person's identifying data on request; the audit trail keeps that
 * it happened and why. */
int customer_anonymise(struct db_conn *c,
                       const struct auth_user *who,
                       int64_t id,
                       const char *reason,
                       struct app_err *err);

/* A building as the sales office sees it: floors × flats with status. */
int building_grid(json_t **out,
                  struct db_conn *c,
                  const struct auth_user *who,
                  int64_t building_id,
                  struct app_err *err);

#endif
