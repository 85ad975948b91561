/*
 * audit.h - the append-only, hash-chained audit trail.
 *
 * Each row's hash is a keyed BLAKE2b MAC (key derived from the master key
 * file) over the previous row's hash and the row's own fields, so altering,
 * inserting or removing a row breaks the chain; audit_head holds the tip, so
 * removing the newest rows is caught too.
 */
#ifndef AUDIT_H
#define AUDIT_H

#include <stdint.h>

#include <jansson.h>

#include "store/db.h"

/* Append one record inside the caller's transaction. before/after are
 * borrowed (NULL allowed) and stored as canonical JSON. */
int audit_append(struct db_conn *c,
                 int64_t user_id,
                 const char *username,
                 const char *action,
                 const char *entity,
                 int64_t entity_id,
                 json_t *before,
                 json_t *after);

/* Check the whole chain. Returns 0 when intact; APP_ECONFLICT when broken,
 * with *bad_id the first bad row (0 when the tip itself is wrong) and reason
 * filled; *rows the number of rows checked. */
int audit_verify(struct db *db, int64_t *bad_id, int64_t *rows, char *reason, size_t reason_size);

/* Recompute every row's chain hash under the loaded key, in the caller's
 * transaction (key rotation, after audit_verify() under the old key). */
int audit_reseal(struct db_conn *c, long long *rows);

#endif
