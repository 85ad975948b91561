/*
 * newsletter.c - sending newsletters to owners; printing letters.
 */
#include "newsletter.h"

#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "core/crypto.h"
#include "core/pdf.h"
#include "core/strbuf.h"
#include "core/timeutil.h"
#include "customer.h"
#include "outbox.h"
#include "query.h"

static int64_t row_int(json_t *row, const char *k)
{
    return json_integer_value(json_object_get(row, k));
}

static const char *row_str(json_t *row, const char *k)
{
    return json_string_value(json_object_get(row, k));
}

int newsletter_send(int *recipients,
                    struct db_conn *c,
                    const struct auth_user *who,
                    int64_t id,
                    json_t *in,
                    struct app_err *err)
{
    *recipients = 0;
    json_t *n = NULL;
    struct db_params p = {0};
    db_params_int(&p, id);
    int rc = query_row(&n, c, "SELECT * FROM newsletters WHERE id = ?", &p);
    db_params_free(&p);
    if (rc == APP_ENOTFOUND)
        return app_err_set(err, rc, NULL, "客户通讯不存在");
    if (rc < 0)
        return rc;
    int64_t project = row_int(n, "project_id");
    if (!auth_in_scope(who, project)) {
        rc = app_err_set(err, APP_EFORBIDDEN, NULL, "您没有该项目的权限");
        goto done;
    }
    if (strcmp(row_str(n, "status"), "draft") != 0) {
        rc = app_err_set(err, APP_ECONFLICT, "status", "这期客户通讯已发送");
        goto done;
    }
    const char *key;
    json_t *v;
    json_object_foreach(in, key, v) if (strcmp(key, "channels") != 0 &&
                                        strcmp(key, "building_ids") != 0 &&
                                        strcmp(key, "batch_id") != 0)
    {
        rc = app_err_set(err, APP_EINVAL, key, "未知字段: %s", key);
        goto done;
    }
    json_t *ch = json_object_get(in, "channels");
    int sms = 0, email = 0, letter = 0;
    size_t i;
    json_array_foreach(ch, i, v)
    {
        const char *s = json_string_value(v);
        sms |= s && strcmp(s, "sms") == 0;
        email |= s && strcmp(s, "email") == 0;
        letter |= s && strcmp(s, "letter") == 0;
    }
    if (!json_is_array(ch) || (!sms && !email && !letter) ||
        json_array_size(ch) != (size_t)(sms + email + letter)) {
        rc = app_err_set(err, APP_EINVAL, "channels", "请选择发送渠道：sms、email、letter");
        goto done;
    }
    /* Who: the owners of the flats targeted. */
    struct strbuf sql;
    strbuf_init(&sql, 4096);
    strbuf_puts(&sql,
                "SELECT DISTINCT c.id, c.email, c.phone_enc, c.marketing_consent FROM unit_owners o"
                " JOIN units u ON u.id = o.unit_id JOIN customers c ON c.id = o.customer_id WHERE"
                " u.project_id = ? AND c.status = 'active'");
    db_params_int(&p, project);
    char target[200] = "全项目";
    json_t *b = json_object_get(in, "building_ids"), *batch = json_object_get(in, "batch_id");
    if (b && batch) {
        strbuf_free(&sql);
        db_params_free(&p);
        rc = app_err_set(err, APP_EINVAL, "batch_id", "按楼栋或按交付批次，二选一");
        goto done;
    }
    if (b) {
        if (!json_is_array(b) || json_array_size(b) == 0 || json_array_size(b) > 200) {
            strbuf_free(&sql);
            db_params_free(&p);
            rc = app_err_set(err, APP_EINVAL, "building_ids", "请选择楼栋");
            goto done;
        }
        strbuf_puts(&sql, " AND u.building_id IN (");
        json_array_foreach(b, i, v)
        {
            strbuf_puts(&sql, i ? ",?" : "?");
            db_params_int(&p, json_is_integer(v) ? json_integer_value(v) : -1);
        }
        strbuf_puts(&sql, ")");
        snprintf(target, sizeof(target), "%zu 栋楼", json_array_size(b));
    } else if (batch) {
        strbuf_puts(&sql, " AND u.id IN (SELECT h.unit_id FROM handovers h WHERE h.batch_id = ?)");
        db_params_int(&p, json_is_integer(batch) ? json_integer_value(batch) : -1);
        snprintf(target, sizeof(target), "交付批次 %lld", (long long)json_integer_value(batch));
    }
    strbuf_puts(&sql, " ORDER BY c.id");
    json_t *owners = NULL;
    rc = query_rows(&owners, c, strbuf_str(&sql), &p);
    strbuf_free(&sql);
    db_params_free(&p);
    if (rc < 0)
        goto done;
    int marketing = strcmp(row_str(n, "kind"), "marketing") == 0;
    json_t *o;
    json_array_foreach(owners, i, o)
    {
        if (marketing && row_int(o, "marketing_consent") != 1)
            continue; /* no consent: not a recipient at all */
        char channels[32] = "";
        int64_t cid = row_int(o, "id");
        const char *kind = marketing ? "marketing" : "service";
        if (rc >= 0 && sms && row_str(o, "phone_enc")) {
            rc = outbox_enqueue(c, "sms", kind, cid, project, row_str(n, "title"),
                                row_str(n, "body"), "newsletter");
            snprintf(channels + strlen(channels), sizeof(channels) - strlen(channels), "sms ");
        }
        if (rc >= 0 && email && row_str(o, "email") && *row_str(o, "email")) {
            rc = outbox_enqueue_with(c, "email", kind, cid, project, row_str(n, "title"),
                                     row_str(n, "body"), "newsletter", "newsletters", id);
            snprintf(channels + strlen(channels), sizeof(channels) - strlen(channels), "email ");
        }
        if (rc >= 0 && letter) {
            rc = outbox_enqueue(c, "letter", kind, cid, project, row_str(n, "title"),
                                row_str(n, "body"), "newsletter");
            snprintf(channels + strlen(channels), sizeof(channels) - strlen(channels), "letter ");
        }
        if (rc < 0)
            break;
        if (channels[0] == '\0')
            continue; /* nothing to reach them by */
        channels[strlen(channels) - 1] = '\0';
        rc = db_run(c,
                    "INSERT INTO newsletter_recipients (newsletter_id, customer_id, channels)"
                    " VALUES (?,?,?)",
                    "iit", id, cid, channels);
        char title[300];
        snprintf(title, sizeof(title), "客户通讯：%s（%s）", row_str(n, "title"), channels);
        if (rc >= 0)
            rc = customer_event_add(c, cid, "newsletter", title, "newsletters", id, who);
        if (rc < 0)
            break;
        (*recipients)++;
    }
    json_decref(owners);
    if (rc < 0)
        goto done;
    char at[32];
    time_now_iso(at, sizeof(at));
    rc = db_run(c,
                "UPDATE newsletters SET status = 'sent', sent_at = ?, sent_by = ?, target = ?,"
                " recipients = ?, updated_at = ? WHERE id = ?",
                "tttiti", at, who->display_name, target, (int64_t)*recipients, at, id);
    if (rc >= 0) {
        json_t *d = json_pack("{s:i, s:s, s:O}", "recipients", *recipients, "target", target,
                              "channels", ch);
        rc = audit_append(c, who->id, who->username, "send", "newsletters", id, NULL, d);
        json_decref(d);
    }
done:
    json_decref(n);
    return rc < 0 ? rc : 0;
}

int letters_pdf(char **data,
                size_t *len,
                struct db_conn *c,
                const struct auth_user *who,
                struct app_err *err)
{
    *data = NULL;
    *len = 0;
    json_t *rows = NULL;
    struct strbuf sql;
    struct db_params p = {0};
    strbuf_init(&sql, 2048);
    strbuf_puts(&sql,
                "SELECT o.id, o.subject, o.body, o.kind, c.name, c.address, c.marketing_consent,"
                " c.status AS customer_status FROM outbox o JOIN customers c ON c.id ="
                " o.customer_id WHERE o.channel = 'letter' AND o.status = 'pending'");
    if (!who->all_projects) {
        strbuf_puts(&sql, " AND o.project_id IN (SELECT project_id FROM user_projects WHERE"
                          " user_id = ?)");
        db_params_int(&p, who->id);
    }
    strbuf_puts(&sql, " ORDER BY o.id LIMIT 5000");
    int rc = query_rows(&rows, c, strbuf_str(&sql), &p);
    strbuf_free(&sql);
    db_params_free(&p);
    if (rc < 0)
        return rc;
    struct pdf *pdf = NULL;
    int pages = 0;
    char at[32];
    time_now_iso(at, sizeof(at));
    size_t i;
    json_t *r;
    json_array_foreach(rows, i, r)
    {
        const char *skip = NULL;
        if (strcmp(row_str(r, "kind"), "marketing") == 0 && row_int(r, "marketing_consent") != 1)
            skip = "客户未同意接收营销信息";
        else if (strcmp(row_str(r, "customer_status"), "active") != 0)
            skip = "客户已合并或匿名化";
        else if (row_str(r, "address") == NULL || *row_str(r, "address") == '\0')
            skip = "客户没有通讯地址";
        if (skip) {
            rc = db_run(c, "UPDATE outbox SET status = 'skipped', last_error = ? WHERE id = ?",
                        "ti", skip, row_int(r, "id"));
            if (rc < 0)
                break;
            continue;
        }
        if (pdf == NULL && (rc = pdf_begin(&pdf)) < 0)
            break;
        struct strbuf body;
        strbuf_init(&body, 65536);
        strbuf_printf(&body, "%s 收\n%s\n\n尊敬的%s：\n\n%s", row_str(r, "name"),
                      row_str(r, "address"), row_str(r, "name"), row_str(r, "body"));
        char footer[64];
        snprintf(footer, sizeof(footer), "信函 %lld", (long long)row_int(r, "id"));
        pdf_page(pdf, row_str(r, "subject"), strbuf_str(&body), footer);
        strbuf_free(&body);
        rc = db_run(c,
                    "UPDATE outbox SET status = 'sent', sent_at = ?, attempts = attempts + 1 WHERE"
                    " id = ?",
                    "ti", at, row_int(r, "id"));
        if (rc < 0)
            break;
        pages++;
    }
    json_decref(rows);
    if (rc < 0) {
        pdf_free(pdf);
        return rc;
    }
    if (pages == 0) {
        pdf_free(pdf);
        return app_err_set(err, APP_ECONFLICT, NULL, "没有待打印的信函");
    }
    rc = pdf_finish(pdf, data, len);
    if (rc < 0)
        return app_err_set(err, rc, NULL, "无法生成 PDF");
    json_t *d = json_pack("{s:i}", "letters", pages);
    rc = audit_append(c, who->id, who->username, "print", "outbox", 0, NULL, d);
    json_decref(d);
    return rc < 0 ? rc : 0;
}
