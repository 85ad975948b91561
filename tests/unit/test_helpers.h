/*
 * test_helpers.h - shared fixtures for the cmocka unit tests: an in-memory
 * SQLite database with every migration applied, and a temporary key.
 */
#ifndef TEST_HELPERS_H
#define TEST_HELPERS_H

/* cmocka.h needs these first, in this order. */
/* clang-format off */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
/* clang-format on */

#include <unistd.h>

#include "core/crypto.h"
#include "store/db.h"

/* Open a fresh migrated in-memory database (one connection). */
static inline struct db *test_db_open(void)
{
    struct db *db = NULL;
    struct app_err err = {0};
    assert_int_equal(db_open(&db, "sqlite::memory:", 1, &err), 0);
    assert_true(db_migrate(db, &err) >= 1);
    return db;
}

/* Load a new random master key from a temporary file. */
static inline void test_key_init(void)
{
    char path[] = "/tmp/anjia-test-key-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    unlink(path);
    struct app_err err = {0};
    assert_int_equal(crypto_init(2), 0);
    assert_int_equal(crypto_load_key(path, 1, &err), 0);
    unlink(path);
}

#endif
