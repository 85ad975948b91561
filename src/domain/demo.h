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
    int projects, buildings, units, customers, contracts, users;
};

/* The size of the demo: projects, buildings per project, flats per landing
 * (each building has two stairwells and 11-18 floors). */
struct demo_options {
    int projects;  /* default 3 × scale */
    int buildings; /* default 4 */
    int flats;     /* default 2 */
    uint64_t seed;
};

/* Fill an empty installation with projects, buildings, units and owners, and
 * create the demo users (one per role) with password, skipping what exists
 * already. One transaction. */
int demo_generate(struct db *db,
                  const struct demo_options *opt,
                  const char *password,
                  struct demo_counts *counts,
                  struct app_err *err);

/* The demo users, for printing the logins. */
size_t demo_user_count(void);
const char *demo_user_name(size_t i, const char **role_label);

#endif
