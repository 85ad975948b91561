#include "rekey.h"

#include <string.h>

#include <sodium.h>

#include "audit.h"
#include "core/crypto.h"
#include "core/strbuf.h"
#include "entity.h"

/* Re-seal one personal-data field of one entity, row by row. */
static int reseal_field(struct db_conn *c,
                        const struct entity *e,
                        const struct entity_field *f,
                        const unsigned char old_key[CRYPTO_KEY_BYTES],
                        const unsigned char new_key[CRYPTO_KEY_BYTES],
                        long long *values,
                        struct app_err *err)
{
    char *sql = xasprintf("SELECT id, %s_enc FROM %s WHERE %s_enc IS NOT NULL ORDER BY id", f->name,
                          e->table, f->name);
    char *upd =
            f->pii == PII_PHONE
                    ? xasprintf("UPDATE %s SET %s_enc = ?, %s_idx = ?, %s_tail = ? WHERE id = ?",
                                e->table, f->name, f->name, f->name)
                    : xasprintf("UPDATE %s SET %s_enc = ?, %s_idx = ? WHERE id = ?", e->table,
                                f->name, f->name);
    struct db_stmt *s = NULL;
    int rc = db_prepare(&s, c, sql);
    while (rc == 0 && (rc = db_step(s)) == DB_ROW) {
        int64_t id = db_col_int64(s, 0);
        crypto_set_master(old_key);
        char *plain = crypto_open(db_col_text(s, 1));
        crypto_set_master(new_key);
        if (plain == NULL) {
            rc = app_err_set(err, APP_EINVAL, NULL, "%s #%lld 的%s无法用当前密钥解密；换钥已取消",
                             e->label, (long long)id, f->label);
            break;
        }
        struct entity_pii sealed;
        entity_pii_seal(&sealed, f->pii, plain);
        sodium_memzero(plain, strlen(plain));
        free(plain);
        if (f->pii == PII_PHONE)
            rc = db_run(c, upd, "ttti", sealed.enc, sealed.idx, sealed.tail, id);
        else
            rc = db_run(c, upd, "tti", sealed.enc, sealed.idx, id);
        entity_pii_free(&sealed);
        rc = rc < 0 ? rc : 0;
        (*values)++;
    }
    db_finalize(s);
    free(sql);
    free(upd);
    return rc < 0 ? rc : 0;
}

int rekey_all(struct db *db,
              const char *new_key_path,
              long long *values,
              long long *audit_rows,
              struct app_err *err)
{
    unsigned char old_key[CRYPTO_KEY_BYTES], new_key[CRYPTO_KEY_BYTES];
    int64_t bad = 0, rows = 0;
    char reason[256];
    *values = 0;
    *audit_rows = 0;
    int rc = audit_verify(db, &bad, &rows, reason, sizeof(reason));
    if (rc < 0)
        return app_err_set(err, rc, NULL,
                           "audit trail does not verify under the current key (%s);"
                           " not rotating",
                           rc == APP_ECONFLICT ? reason : "unreadable");
    crypto_get_master(old_key);
    rc = crypto_load_key(new_key_path, 0, err);
    if (rc < 0)
        return rc;
    crypto_get_master(new_key);
    if (sodium_memcmp(old_key, new_key, CRYPTO_KEY_BYTES) == 0) {
        rc = app_err_set(err, APP_EINVAL, NULL, "the new key is the current key");
        goto done;
    }
    struct db_conn *c = db_acquire(db);
    rc = db_begin(c, 1);
    for (size_t i = 0; rc == 0 && i < entities_count; i++)
        for (size_t k = 0; rc == 0 && k < entities[i]->n_fields; k++)
            if (entities[i]->fields[k].pii)
                rc = reseal_field(c, entities[i], &entities[i]->fields[k], old_key, new_key, values,
                                  err);
    if (rc == 0)
        rc = audit_reseal(c, audit_rows);
    if (rc == 0)
        rc = db_commit(c);
    if (db_in_tx(c))
        db_rollback(c);
    db_release(c);
done:
    crypto_set_master(rc == 0 ? new_key : old_key);
    sodium_memzero(old_key, sizeof(old_key));
    sodium_memzero(new_key, sizeof(new_key));
    if (rc < 0 && err && err->message[0] == '\0')
        app_err_set(err, rc, NULL, "key rotation failed; nothing changed");
    return rc;
}
