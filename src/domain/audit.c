#include "audit.h"

#include <string.h>

#include "core/crypto.h"
#include "core/strbuf.h"
#include "core/timeutil.h"

/* The MAC of a row: length-prefixed fields so no two rows collide. */
static void row_mac(char out[CRYPTO_HASH_HEX],
                    const char *prev,
                    int64_t id,
                    const char *at,
                    int64_t user_id,
                    const char *username,
                    const char *action,
                    const char *entity,
                    int64_t entity_id,
                    const char *before,
                    const char *after)
{
    struct strbuf sb;
    strbuf_init(&sb, 64u << 20);
    const char *texts[] = {prev, at, username, action, entity, before, after};
    strbuf_printf(&sb, "%lld|%lld|%lld|", (long long)id, (long long)user_id, (long long)entity_id);
    for (size_t i = 0; i < ARRAY_LEN(texts); i++) {
        const char *t = texts[i] ? texts[i] : "";
        strbuf_printf(&sb, "%zu:", strlen(t));
        strbuf_puts(&sb, t);
        strbuf_puts(&sb, texts[i] ? "|" : "~");
    }
    crypto_mac_hex(out, CRYPTO_KEY_AUDIT, sb.data, sb.len);
    strbuf_free(&sb);
}

static char *canonical(json_t *v)
{
    return v ? json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY) : NULL;
}

int audit_append(struct db_conn *c,
                 int64_t user_id,
                 const char *username,
                 const char *action,
                 const char *entity,
                 int64_t entity_id,
                 json_t *before,
                 json_t *after)
{
    char *prev = NULL, *b = canonical(before), *a = canonical(after);
    char at[32], mac[CRYPTO_HASH_HEX];
    int64_t id = 0;
    time_now_iso(at, sizeof(at));
    /* Touch the head first: it takes the row lock that orders appenders. */
    int rc = db_run(c, "UPDATE audit_head SET last_id = last_id WHERE id = 1", "");
    if (rc < 0)
        goto done;
    rc = db_query_text(c, &prev, "SELECT last_hash FROM audit_head WHERE id = 1", "");
    if (rc < 0)
        goto done;
    rc = db_query_int64(c, &id,
                        "INSERT INTO audit_log (at, user_id, username, action, entity, entity_id,"
                        " before_json, after_json, prev_hash, hash)"
                        " VALUES (?,?,?,?,?,?,?,?,?,'') RETURNING id",
                        "titttittt", at, user_id, username, action, entity, entity_id, b, a,
                        prev ? prev : "");
    if (rc < 0)
        goto done;
    row_mac(mac, prev ? prev : "", id, at, user_id, username, action, entity, entity_id, b, a);
    rc = db_run(c, "UPDATE audit_log SET hash = ? WHERE id = ?", "ti", mac, id);
    if (rc < 0)
        goto done;
    rc = db_run(c, "UPDATE audit_head SET last_id = ?, last_hash = ? WHERE id = 1", "it", id, mac);
    if (rc > 0)
        rc = 0;
done:
    free(prev);
    free(b);
    free(a);
    return rc < 0 ? rc : 0;
}

static const char *col(struct db_stmt *s, int i)
{
    const char *t = db_col_text(s, i);
    return t;
}

int audit_verify(struct db *db, int64_t *bad_id, int64_t *rows, char *reason, size_t reason_size)
{
    *bad_id = 0;
    *rows = 0;
    reason[0] = '\0';
    struct db_conn *c = db_acquire(db);
    struct db_stmt *s = NULL;
    char expect_prev[CRYPTO_HASH_HEX] = "";
    int64_t last_id = 0;
    int rc = db_begin(c, 0);
    if (rc < 0)
        goto done;
    rc = db_prepare(&s, c,
                    "SELECT id, at, user_id, username, action, entity, entity_id, before_json,"
                    " after_json, prev_hash, hash FROM audit_log ORDER BY id");
    if (rc < 0)
        goto done;
    while ((rc = db_step(s)) == DB_ROW) {
        int64_t id = db_col_int64(s, 0);
        const char *prev = col(s, 9), *hash = col(s, 10);
        char mac[CRYPTO_HASH_HEX];
        (*rows)++;
        if (prev == NULL || strcmp(prev, expect_prev) != 0) {
            *bad_id = id;
            snprintf(reason, reason_size,
                     "row %lld does not follow the previous row (a row before it was removed"
                     " or inserted)",
                     (long long)id);
            rc = APP_ECONFLICT;
            goto done;
        }
        row_mac(mac, prev, id, col(s, 1), db_col_int64(s, 2), col(s, 3), col(s, 4), col(s, 5),
                db_col_int64(s, 6), col(s, 7), col(s, 8));
        if (hash == NULL || !crypto_streq(mac, hash)) {
            *bad_id = id;
            snprintf(reason, reason_size, "row %lld was altered (its hash does not match)",
                     (long long)id);
            rc = APP_ECONFLICT;
            goto done;
        }
        app_strlcpy(expect_prev, hash, sizeof(expect_prev));
        last_id = id;
    }
    if (rc < 0)
        goto done;
    db_finalize(s);
    s = NULL;
    char *head_hash = NULL;
    int64_t head_id = 0;
    rc = db_query_int64(c, &head_id, "SELECT last_id FROM audit_head WHERE id = 1", "");
    if (rc == 0)
        rc = db_query_text(c, &head_hash, "SELECT last_hash FROM audit_head WHERE id = 1", "");
    if (rc < 0)
        goto done;
    if (head_id != last_id || head_hash == NULL || strcmp(head_hash, expect_prev) != 0) {
        *bad_id = head_id;
        snprintf(reason, reason_size,
                 "the chain ends at row %lld but its head says %lld (rows were removed from the"
                 " end or the head was altered)",
                 (long long)last_id, (long long)head_id);
        rc = APP_ECONFLICT;
    }
    free(head_hash);
done:
    db_finalize(s);
    if (db_in_tx(c))
        db_rollback(c);
    db_release(c);
    return rc < 0 ? rc : 0;
}

int audit_reseal(struct db_conn *c, long long *rows)
{
    struct db_stmt *s = NULL;
    char prev[CRYPTO_HASH_HEX] = "";
    int64_t last = 0;
    *rows = 0;
    int rc = db_prepare(&s, c,
                        "SELECT id, at, user_id, username, action, entity, entity_id, before_json,"
                        " after_json FROM audit_log ORDER BY id");
    if (rc < 0)
        return rc;
    while ((rc = db_step(s)) == DB_ROW) {
        char mac[CRYPTO_HASH_HEX];
        int64_t id = db_col_int64(s, 0);
        row_mac(mac, prev, id, col(s, 1), db_col_int64(s, 2), col(s, 3), col(s, 4), col(s, 5),
                db_col_int64(s, 6), col(s, 7), col(s, 8));
        rc = db_run(c, "UPDATE audit_log SET prev_hash = ?, hash = ? WHERE id = ?", "tti", prev,
                    mac, id);
        if (rc < 0)
            break;
        app_strlcpy(prev, mac, sizeof(prev));
        last = id;
        (*rows)++;
    }
    db_finalize(s);
    if (rc < 0)
        return rc;
    rc = db_run(c, "UPDATE audit_head SET last_id = ?, last_hash = ? WHERE id = 1", "it", last,
                prev);
    return rc < 0 ? rc : 0;
}
