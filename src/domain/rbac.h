/*
 * rbac.h - the permission catalogue. Every permission a route or an entity
 * may require is declared here once, with its labels for the role editor.
 * It is a field_option list so the role entity's "permissions" field uses it
 * directly as its options.
 */
#ifndef RBAC_H
#define RBAC_H

#include <stddef.h>

#include "entity.h"

/* NULL-terminated; value = permission code ("user.write"). */
extern const struct field_option rbac_perm_options[];

/* Is code a declared permission? */
int rbac_known(const char *code);
/* Heading of the group a permission belongs to ("系统设置"). */
const char *rbac_group(const char *code);

#endif
