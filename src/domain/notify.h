/*
 * notify.h - in-app notifications (the bell): to one user, or to every
 * active user of a role who sees a project. In the caller's transaction.
 */
#ifndef NOTIFY_H
#define NOTIFY_H

#include <stdint.h>

#include "store/db.h"

int notify_user(
        struct db_conn *c, int64_t user_id, const char *kind, const char *title, const char *link);
/* project 0: every user of the role. */
int notify_role(struct db_conn *c,
                const char *role,
                int64_t project,
                const char *kind,
                const char *title,
                const char *link);

#endif
