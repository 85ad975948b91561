/*
 * newsletter.h - owner newsletters (客户通讯) and printed letters.
 *
 * A newsletter is written once and sent to the owners of a project, some
 * of its buildings or a delivery batch, by SMS, email and/or printed
 * letter through the outbox; every recipient is recorded. Marketing
 * newsletters reach only owners who consented (DOMAIN.md §7).
 */
#ifndef NEWSLETTER_H
#define NEWSLETTER_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "auth.h"
#include "store/db.h"

/* {"channels":["sms","email","letter"], "building_ids":[…] | "batch_id":N}
 * (neither: the whole project). *recipients is how many owners. */
int newsletter_send(int *recipients,
                    struct db_conn *c,
                    const struct auth_user *who,
                    int64_t id,
                    json_t *in,
                    struct app_err *err);

/* Every letter waiting in the outbox as one printable PDF, one page per
 * letter with the owner's name and address; the letters are then sent. */
int letters_pdf(char **data,
                size_t *len,
                struct db_conn *c,
                const struct auth_user *who,
                struct app_err *err);

#endif
