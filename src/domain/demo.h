/*
 * demo.h - deterministic demo data for trying anjia out and for tests.
 */
#ifndef DEMO_H
#define DEMO_H

#include <stddef.h>
#include <stdint.h>

#include "auth.h"
#include "store/db.h"

struct demo_counts {
    int projects, buildings, units, customers, users;
};

/* Fill an empty installation with scale × 3 projects (4 buildings each, with
 * units and owners) and create the demo users (one per role) with password,
 * skipping what exists already. One transaction. */
int demo_generate(struct db *db,
                  int scale,
                  uint64_t seed,
                  const char *password,
                  struct demo_counts *counts,
                  struct app_err *err);

/* The demo users, for printing the logins. */
size_t demo_user_count(void);
const char *demo_user_name(size_t i, const char **role_label);

#endif
