/*
 * outbox.c - queue and send outbound messages.
 */
#include "outbox.h"

#include <stdlib.h>
#include <string.h>

#include "core/crypto.h"
#include "core/log.h"
#include "core/net.h"
#include "core/strbuf.h"
#include "core/timeutil.h"
#include "query.h"

#define BATCH         50
#define CLAIM_SECONDS 600
#define MAX_ATTEMPTS  8

static struct {
    char smtp_url[256], smtp_from[128], smtp_user[128], smtp_password[128], smtp_tls[16];
    int smtp_verify;
    char sms_url[256], sms_template[512], sms_signature[64];
} settings;

void outbox_configure(const struct config *cfg)
{
    app_strlcpy(settings.smtp_url, cfg->smtp_url, sizeof(settings.smtp_url));
    app_strlcpy(settings.smtp_from, cfg->smtp_from, sizeof(settings.smtp_from));
    app_strlcpy(settings.smtp_user, cfg->smtp_user, sizeof(settings.smtp_user));
    app_strlcpy(settings.smtp_password, cfg->smtp_password, sizeof(settings.smtp_password));
    app_strlcpy(settings.smtp_tls, cfg->smtp_tls, sizeof(settings.smtp_tls));
    settings.smtp_verify = cfg->smtp_verify;
    app_strlcpy(settings.sms_url, cfg->sms_url, sizeof(settings.sms_url));
    app_strlcpy(settings.sms_template, cfg->sms_template, sizeof(settings.sms_template));
    app_strlcpy(settings.sms_signature, cfg->sms_signature, sizeof(settings.sms_signature));
}

static int64_t row_int(json_t *row, const char *k)
{
    return json_integer_value(json_object_get(row, k));
}

static const char *row_str(json_t *row, const char *k)
{
    return json_string_value(json_object_get(row, k));
}

int outbox_enqueue_with(struct db_conn *c,
                        const char *channel,
                        const char *kind,
                        int64_t customer_id,
                        int64_t project_id,
                        const char *subject,
                        const char *body,
                        const char *source,
                        const char *attach_entity,
                        int64_t attach_id)
{
    char at[32];
    time_now_iso(at, sizeof(at));
    int rc = db_run(c,
                    "INSERT INTO outbox (channel, kind, customer_id, project_id, subject, body,"
                    " status, attempts, next_attempt_at, source, attach_entity, attach_id,"
                    " created_at) VALUES (?,?,NULLIF(?, 0),NULLIF(?, 0),?,?,'pending',0,0,?,?,"
                    "NULLIF(?, 0),?)",
                    "ttiitttti"
                    "t",
                    channel, kind, customer_id, project_id, subject, body, source, attach_entity,
                    attach_id, at);
    return rc < 0 ? rc : 0;
}

int outbox_enqueue(struct db_conn *c,
                   const char *channel,
                   const char *kind,
                   int64_t customer_id,
                   int64_t project_id,
                   const char *subject,
                   const char *body,
                   const char *source)
{
    return outbox_enqueue_with(c, channel, kind, customer_id, project_id, subject, body, source,
                               NULL, 0);
}

/* Fill the SMS template: {phone} {text} {signature}, JSON-escaped. */
static void sms_body(struct strbuf *out, const char *phone, const char *text)
{
    const char *keys[] = {"phone", "text", "signature"};
    const char *values[] = {phone, text, settings.sms_signature};
    for (const char *p = settings.sms_template; *p;) {
        int hit = 0;
        for (size_t i = 0; *p == '{' && i < ARRAY_LEN(keys); i++) {
            size_t kl = strlen(keys[i]);
            if (strncmp(p + 1, keys[i], kl) == 0 && p[kl + 1] == '}') {
                json_t *s = json_string(values[i]);
                char *enc = json_dumps(s, JSON_ENCODE_ANY);
                /* The value without its quotes: the template has them. */
                if (enc && strlen(enc) >= 2)
                    strbuf_append(out, enc + 1, strlen(enc) - 2);
                free(enc);
                json_decref(s);
                p += kl + 2;
                hit = 1;
            }
        }
        if (!hit)
            strbuf_append(out, p++, 1);
    }
}

struct job {
    int64_t id;
    char channel[16];
    char *to;      /* owned */
    char *subject; /* owned */
    char *body;    /* owned */
    int attempts;
    int ok, permanent;
    char error[300];
    json_t *files; /* [{"file_name","content_type","data_b64"}] for an email */
};

static void job_free(struct job *j)
{
    json_decref(j->files);
    free(j->to);
    free(j->subject);
    free(j->body);
}

/* Claim what is due, resolving addresses and consent in one transaction. */
static int claim(struct db *db, int64_t now, struct job *jobs, int *n)
{
    *n = 0;
    struct db_conn *c = db_acquire(db);
    int rc = db_begin(c, 1);
    json_t *rows = NULL;
    if (rc == 0) {
        struct db_params p = {0};
        db_params_int(&p, now);
        db_params_int(&p, BATCH);
        rc = query_rows(&rows, c,
                        "SELECT o.id, o.channel, o.kind, o.subject, o.body, o.attempts,"
                        " o.customer_id, o.attach_entity, o.attach_id, c.email, c.phone_enc,"
                        " c.marketing_consent, c.status AS"
                        " customer_status FROM outbox o LEFT JOIN customers c ON c.id ="
                        " o.customer_id WHERE o.status IN ('pending', 'sending') AND"
                        " o.next_attempt_at <= ? AND o.channel IN ('email', 'sms') ORDER BY o.id"
                        " LIMIT ?",
                        &p);
        db_params_free(&p);
    }
    char at[32];
    time_now_iso(at, sizeof(at));
    size_t i;
    json_t *r;
    json_array_foreach(rows, i, r)
    {
        if (rc < 0)
            break;
        const char *skip = NULL;
        char *to = NULL;
        int email = strcmp(row_str(r, "channel"), "email") == 0;
        if (strcmp(row_str(r, "kind"), "marketing") == 0 && row_int(r, "marketing_consent") != 1)
            skip = "客户未同意接收营销信息";
        else if (row_str(r, "customer_status") && strcmp(row_str(r, "customer_status"), "active"))
            skip = "客户已合并或匿名化";
        else if (email && (row_str(r, "email") == NULL || *row_str(r, "email") == '\0'))
            skip = "客户没有电子邮箱";
        else if (!email && row_str(r, "phone_enc") == NULL)
            skip = "客户没有手机号";
        if (skip == NULL) {
            to = email ? strdup(row_str(r, "email")) : crypto_open(row_str(r, "phone_enc"));
            if (to == NULL)
                skip = "无法读取联系方式";
        }
        if (skip) {
            rc = db_run(c, "UPDATE outbox SET status = 'skipped', last_error = ? WHERE id = ?",
                        "ti", skip, row_int(r, "id"));
            free(to);
            continue;
        }
        rc = db_run(c, "UPDATE outbox SET status = 'sending', next_attempt_at = ? WHERE id = ?",
                    "ii", now + CLAIM_SECONDS, row_int(r, "id"));
        struct job *j = &jobs[(*n)++];
        memset(j, 0, sizeof(*j));
        j->id = row_int(r, "id");
        app_strlcpy(j->channel, row_str(r, "channel"), sizeof(j->channel));
        j->to = to;
        j->subject = strdup(row_str(r, "subject"));
        j->body = strdup(row_str(r, "body"));
        j->attempts = (int)row_int(r, "attempts");
        if (email && row_str(r, "attach_entity")) {
            struct db_params q = {0};
            db_params_text(&q, row_str(r, "attach_entity"));
            db_params_int(&q, row_int(r, "attach_id"));
            rc = query_rows(&j->files, c,
                            "SELECT file_name, content_type, data_b64 FROM attachments WHERE"
                            " owner_entity = ? AND owner_id = ? ORDER BY id LIMIT 10",
                            &q);
            db_params_free(&q);
        }
    }
    json_decref(rows);
    if (rc >= 0)
        rc = db_commit(c);
    if (db_in_tx(c))
        db_rollback(c);
    db_release(c);
    return rc < 0 ? rc : 0;
}

static void deliver(struct job *j)
{
    if (strcmp(j->channel, "email") == 0) {
        if (settings.smtp_url[0] == '\0') {
            snprintf(j->error, sizeof(j->error), "未配置邮件服务器（smtp_url）");
            return;
        }
        struct smtp_settings s = {
                settings.smtp_url,  settings.smtp_from[0] ? settings.smtp_from : "anjia@localhost",
                settings.smtp_user, settings.smtp_password,
                settings.smtp_tls,  settings.smtp_verify};
        struct net_attachment files[10];
        size_t n = 0, i;
        json_t *f;
        json_array_foreach(j->files, i, f)
        {
            if (n == ARRAY_LEN(files))
                break;
            files[n].name = row_str(f, "file_name");
            files[n].type = row_str(f, "content_type");
            files[n].b64 = row_str(f, "data_b64");
            n++;
        }
        j->ok = net_smtp_send(&s, j->to, j->subject, j->body, files, n, j->error, sizeof(j->error),
                              &j->permanent) == 0;
        return;
    }
    if (settings.sms_url[0] == '\0') {
        snprintf(j->error, sizeof(j->error), "未配置短信网关（sms_url）");
        return;
    }
    struct strbuf body;
    strbuf_init(&body, 65536);
    sms_body(&body, j->to, j->body);
    j->ok = net_post_json(settings.sms_url, strbuf_str(&body), j->error, sizeof(j->error),
                          &j->permanent) == 0;
    strbuf_free(&body);
}

int outbox_send_due(struct db *db, int64_t now, int64_t param)
{
    (void)param;
    struct job jobs[BATCH];
    int n = 0;
    int rc = claim(db, now, jobs, &n);
    if (rc < 0)
        return rc;
    for (int i = 0; i < n; i++)
        deliver(&jobs[i]);
    /* The results, in one transaction. */
    struct db_conn *c = db_acquire(db);
    rc = db_begin(c, 1);
    char at[32];
    time_now_iso(at, sizeof(at));
    int sent = 0;
    for (int i = 0; rc >= 0 && i < n; i++) {
        struct job *j = &jobs[i];
        if (j->ok) {
            rc = db_run(c,
                        "UPDATE outbox SET status = 'sent', sent_at = ?, attempts = attempts + 1,"
                        " last_error = NULL WHERE id = ?",
                        "ti", at, j->id);
            sent++;
            continue;
        }
        int attempts = j->attempts + 1;
        int give_up = j->permanent || attempts >= MAX_ATTEMPTS;
        /* 1, 2, 4 … minutes, at most six hours. */
        int64_t wait = (int64_t)60 << (attempts - 1 < 9 ? attempts - 1 : 9);
        if (wait > 6 * 3600)
            wait = 6 * 3600;
        rc = db_run(c,
                    "UPDATE outbox SET status = ?, attempts = ?, next_attempt_at = ?, last_error ="
                    " ? WHERE id = ?",
                    "tiiti", give_up ? "failed" : "pending", (int64_t)attempts, now + wait,
                    j->error, j->id);
        log_warn("outbox: message %lld not sent (attempt %d): %s", (long long)j->id, attempts,
                 j->error);
    }
    if (rc >= 0)
        rc = db_commit(c);
    if (db_in_tx(c))
        db_rollback(c);
    db_release(c);
    for (int i = 0; i < n; i++)
        job_free(&jobs[i]);
    return rc < 0 ? rc : sent;
}
