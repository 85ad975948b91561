/*
 * ticket_demo.h - demo tickets for `anjia demo`.
 */
#ifndef TICKET_DEMO_H
#define TICKET_DEMO_H

#include <stdint.h>

#include "store/db.h"

/* Half a year of tickets up to last_day ("YYYY-MM-DD"), per_project for
 * each of the first two projects, played through intake and the action
 * table; nothing when tickets exist or the demo users are missing. */
int ticket_demo_seed(struct db_conn *c, uint64_t seed, const char *last_day, int per_project);

#endif
