/*
 * outbox.h - outbound messages: queued in the caller's transaction, sent by
 * the scheduler's `outbox` job outside any transaction (email over SMTP,
 * SMS through the HTTP gateway), retried with backoff, failures kept on
 * the row. Marketing goes only to customers who consented (DOMAIN.md §7);
 * service notices go to everyone.
 */
#ifndef OUTBOX_H
#define OUTBOX_H

#include <stdint.h>

#include "core/config.h"
#include "store/db.h"

/* The transports, from the settings (once at start-up). */
void outbox_configure(const struct config *cfg);

/* Queue a message: channel "email" | "sms" | "letter", kind "service" |
 * "marketing". The address is read from the customer when it is sent. */
int outbox_enqueue(struct db_conn *c,
                   const char *channel,
                   const char *kind,
                   int64_t customer_id,
                   int64_t project_id,
                   const char *subject,
                   const char *body,
                   const char *source);
/* The same with the attachments of a record (entity, id) going along with
 * an email (a newsletter's photos). */
int outbox_enqueue_with(struct db_conn *c,
                        const char *channel,
                        const char *kind,
                        int64_t customer_id,
                        int64_t project_id,
                        const char *subject,
                        const char *body,
                        const char *source,
                        const char *attach_entity,
                        int64_t attach_id);

/* The job: send what is due; returns how many went out, or < 0. */
int outbox_send_due(struct db *db, int64_t now, int64_t param);

#endif
