/*
 * rekey.h - rotating the master key: every sealed personal-data value is
 * re-encrypted and re-indexed, and the audit chain re-sealed, under a new
 * key, in one transaction. The chain is verified under the old key first,
 * so a rotation never launders a tampered trail.
 */
#ifndef REKEY_H
#define REKEY_H

#include "store/db.h"

/* With the current key loaded, move everything to the key in new_key_path
 * (which must exist: `anjia rekey` creates it). On success the process uses
 * the new key. *values counts re-sealed values, *audit_rows the chain. */
int rekey_all(struct db *db,
              const char *new_key_path,
              long long *values,
              long long *audit_rows,
              struct app_err *err);

#endif
