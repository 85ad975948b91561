/*
 * nav.h - the navigation groups of the UI (UI.md's left menu). Entities name
 * the group they appear in; a group shows only when the caller can read at
 * least one of its entities.
 */
#ifndef NAV_H
#define NAV_H

#include <stddef.h>

struct nav_group {
    const char *key;
    const char *label;
    const char *label_en;
};

extern const struct nav_group nav_groups[];
extern const size_t nav_groups_count;

#endif
