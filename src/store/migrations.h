/*
 * migrations.h - the numbered SQL migrations compiled into the binary.
 * The table is generated at build time from migrations/NNNN_name.sql.
 */
#ifndef MIGRATIONS_H
#define MIGRATIONS_H

#include <stddef.h>

struct db_migration {
    int version;      /* NNNN from the file name */
    const char *name; /* the rest of the file name */
    const char *sql;  /* the file's text */
};

extern const struct db_migration db_migrations[];
extern const size_t db_migrations_count;

#endif
