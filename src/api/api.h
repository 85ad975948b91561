/*
 * api.h - the JSON API: the request context every handler gets, the route
 * table, and the entry point the HTTP server calls.
 *
 * A route declares the permission it needs: NULL for public routes, "" for
 * any logged-in user, a permission code, or "@read" / "@write" / "@export"
 * for the permission the route's {entity} declares. The dispatcher
 * authenticates, authorizes, parses the body, and runs the handler inside
 * one transaction (a write transaction for unsafe methods) that is committed
 * only when the handler succeeds.
 */
#ifndef API_H
#define API_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "core/http_router.h"
#include "core/http_server.h"
#include "domain/auth.h"
#include "domain/entity.h"
#include "store/db.h"

#define API_MAX_IMPORT     (64u << 20) /* bytes of an uploaded import file */
#define API_MAX_ATTACHMENT (10u << 20) /* bytes of an attached file */

struct api_app {
    struct db *db;
    const char *web_dir; /* serve web/ from disk instead of the embedded copy */
    int cookie_secure;   /* add "Secure" to the session cookie (behind TLS) */
};

struct api_route;

struct api_ctx {
    struct api_app *app;
    struct http_req *http;
    const struct api_route *route;
    struct route_params params;
    struct db_conn *conn;
    struct auth_user *user; /* NULL on public routes */
    const char *token;      /* the session token presented */
    int via_cookie;
    json_t *body; /* parsed body, or NULL when empty */
    const struct entity *entity;
    int64_t id; /* {id}, when the route has one */
    /* reply */
    int status;    /* 200 unless set */
    json_t *reply; /* JSON reply (owned) */
    char *raw;     /* or raw bytes (owned) */
    size_t raw_len;
    const char *raw_type;
};

typedef int (*api_fn)(struct api_ctx *ctx, struct app_err *err);

enum api_route_flag {
    ROUTE_OWN_TX = 1 << 0,  /* the handler manages its own transactions (and, on a
                               route without a permission, its own connection) */
    ROUTE_RAW_BODY = 1 << 1 /* the body is a file, not JSON */
};

struct api_route {
    const char *method;
    const char *pattern;
    api_fn fn;
    const char *perm;
    unsigned flags;
};

extern const struct api_route api_routes[];
extern const size_t api_routes_count;

/* The http_server handler; payload is the struct api_app. */
void api_handle(struct http_req *req, void *payload);
/* Bodies may be 1 MiB, imports 64 MiB. */
size_t api_body_limit(const char *method, const char *path);
/* Print the route table with entity routes expanded, as JSON lines. */
void api_print_routes(FILE *fp);

/* Helpers for handlers. */
/* RFC 5987 percent-encoding of a UTF-8 file name for Content-Disposition. */
void api_encode_filename(char *out, size_t size, const char *name);
int api_body_object(struct api_ctx *ctx, struct app_err *err);
const char *api_body_str(struct api_ctx *ctx, const char *key);
/* ?project_id= of a report: *pid = the id, or 0 when absent; 400 naming
 * project_id when it is not a positive integer. */
int api_query_project(struct api_ctx *ctx, int64_t *pid, struct app_err *err);
/* A file reply: its type, and its name for the browser (ASCII fallback and
 * the UTF-8 name). */
#define API_XLSX_TYPE "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
void api_download(struct api_ctx *ctx, const char *type, const char *ascii_name, const char *name);

/* Handlers, by file. */
int api_health(struct api_ctx *ctx, struct app_err *err);
int api_login(struct api_ctx *ctx, struct app_err *err);
int api_logout(struct api_ctx *ctx, struct app_err *err);
int api_me(struct api_ctx *ctx, struct app_err *err);
int api_me_password(struct api_ctx *ctx, struct app_err *err);
int api_meta_nav(struct api_ctx *ctx, struct app_err *err);
int api_meta_enums(struct api_ctx *ctx, struct app_err *err);
int api_meta_entity(struct api_ctx *ctx, struct app_err *err);
int api_permissions(struct api_ctx *ctx, struct app_err *err);
int api_user_password(struct api_ctx *ctx, struct app_err *err);
int api_user_unlock(struct api_ctx *ctx, struct app_err *err);
int api_entity_list(struct api_ctx *ctx, struct app_err *err);
int api_entity_get(struct api_ctx *ctx, struct app_err *err);
int api_entity_create(struct api_ctx *ctx, struct app_err *err);
int api_entity_update(struct api_ctx *ctx, struct app_err *err);
int api_entity_export(struct api_ctx *ctx, struct app_err *err);

int api_search(struct api_ctx *ctx, struct app_err *err);
int api_customer_360(struct api_ctx *ctx, struct app_err *err);
int api_entity_reveal(struct api_ctx *ctx, struct app_err *err);
int api_customer_duplicates(struct api_ctx *ctx, struct app_err *err);
int api_customer_merge(struct api_ctx *ctx, struct app_err *err);
int api_customer_merge_undo(struct api_ctx *ctx, struct app_err *err);
int api_customer_privacy_export(struct api_ctx *ctx, struct app_err *err);
int api_customer_anonymise(struct api_ctx *ctx, struct app_err *err);
int api_building_grid(struct api_ctx *ctx, struct app_err *err);

int api_import_start(struct api_ctx *ctx, struct app_err *err);
int api_import_status(struct api_ctx *ctx, struct app_err *err);
int api_import_template(struct api_ctx *ctx, struct app_err *err);

int api_approvals_list(struct api_ctx *ctx, struct app_err *err);
int api_approvals_counts(struct api_ctx *ctx, struct app_err *err);
int api_approvals_lookup(struct api_ctx *ctx, struct app_err *err);
int api_approvals_submit(struct api_ctx *ctx, struct app_err *err);
int api_approvals_get(struct api_ctx *ctx, struct app_err *err);
int api_approvals_act(struct api_ctx *ctx, struct app_err *err);
int api_approvals_resubmit(struct api_ctx *ctx, struct app_err *err);
int api_templates_export(struct api_ctx *ctx, struct app_err *err);
int api_templates_import(struct api_ctx *ctx, struct app_err *err);
int api_delegations_list(struct api_ctx *ctx, struct app_err *err);
int api_delegations_create(struct api_ctx *ctx, struct app_err *err);
int api_delegations_revoke(struct api_ctx *ctx, struct app_err *err);
int api_notifications_list(struct api_ctx *ctx, struct app_err *err);
int api_notifications_read(struct api_ctx *ctx, struct app_err *err);
int api_attachments_upload(struct api_ctx *ctx, struct app_err *err);
int api_attachments_get(struct api_ctx *ctx, struct app_err *err);
int api_seal_stamp(struct api_ctx *ctx, struct app_err *err);
int api_loan_repay(struct api_ctx *ctx, struct app_err *err);
int api_supply_adjust(struct api_ctx *ctx, struct app_err *err);

int api_contracts_create(struct api_ctx *ctx, struct app_err *err);
int api_contracts_full(struct api_ctx *ctx, struct app_err *err);
int api_contracts_transition(struct api_ctx *ctx, struct app_err *err);
int api_contracts_document(struct api_ctx *ctx, struct app_err *err);
int api_contracts_amend(struct api_ctx *ctx, struct app_err *err);
int api_contracts_deadlines(struct api_ctx *ctx, struct app_err *err);
int api_contracts_weekly(struct api_ctx *ctx, struct app_err *err);
int api_contracts_weekly_xlsx(struct api_ctx *ctx, struct app_err *err);

int api_calc_mortgage(struct api_ctx *ctx, struct app_err *err);
int api_calc_true_up(struct api_ctx *ctx, struct app_err *err);
int api_calc_late_delivery(struct api_ctx *ctx, struct app_err *err);
int api_calc_warranty_end(struct api_ctx *ctx, struct app_err *err);
int api_tickets_create(struct api_ctx *ctx, struct app_err *err);
int api_tickets_full(struct api_ctx *ctx, struct app_err *err);
int api_tickets_act(struct api_ctx *ctx, struct app_err *err);
int api_tickets_queue(struct api_ctx *ctx, struct app_err *err);
int api_tickets_dashboard(struct api_ctx *ctx, struct app_err *err);
int api_tickets_clusters(struct api_ctx *ctx, struct app_err *err);
int api_units_warranty(struct api_ctx *ctx, struct app_err *err);
int api_compensations_create(struct api_ctx *ctx, struct app_err *err);
int api_compensations_pay(struct api_ctx *ctx, struct app_err *err);
int api_defect_cases_create(struct api_ctx *ctx, struct app_err *err);
int api_defect_cases_report(struct api_ctx *ctx, struct app_err *err);
int api_calendar_year(struct api_ctx *ctx, struct app_err *err);
int api_calendar_import(struct api_ctx *ctx, struct app_err *err);
int api_calendar_add_workdays(struct api_ctx *ctx, struct app_err *err);
int api_warranty_expiring(struct api_ctx *ctx, struct app_err *err);
int api_newsletters_send(struct api_ctx *ctx, struct app_err *err);
int api_newsletters_recipients(struct api_ctx *ctx, struct app_err *err);
int api_letters_pdf(struct api_ctx *ctx, struct app_err *err);
int api_attachments_list(struct api_ctx *ctx, struct app_err *err);
int api_units_warranties(struct api_ctx *ctx, struct app_err *err);
int api_survey_answer(struct api_ctx *ctx, struct app_err *err);
int api_survey_campaign(struct api_ctx *ctx, struct app_err *err);
int api_survey_report(struct api_ctx *ctx, struct app_err *err);
int api_survey_report_xlsx(struct api_ctx *ctx, struct app_err *err);
int api_batches_create(struct api_ctx *ctx, struct app_err *err);
int api_batches_full(struct api_ctx *ctx, struct app_err *err);
int api_batches_slot(struct api_ctx *ctx, struct app_err *err);
int api_batches_notices(struct api_ctx *ctx, struct app_err *err);
int api_batches_true_up(struct api_ctx *ctx, struct app_err *err);
int api_batches_late(struct api_ctx *ctx, struct app_err *err);
int api_batches_late_xlsx(struct api_ctx *ctx, struct app_err *err);
int api_batches_daily(struct api_ctx *ctx, struct app_err *err);
int api_batches_defects(struct api_ctx *ctx, struct app_err *err);
int api_batches_package(struct api_ctx *ctx, struct app_err *err);
int api_handovers_full(struct api_ctx *ctx, struct app_err *err);
int api_handovers_book(struct api_ctx *ctx, struct app_err *err);
int api_handovers_mail(struct api_ctx *ctx, struct app_err *err);
int api_handovers_deliver(struct api_ctx *ctx, struct app_err *err);
int api_handovers_refuse(struct api_ctx *ctx, struct app_err *err);
int api_handovers_inspect(struct api_ctx *ctx, struct app_err *err);
int api_defects_update(struct api_ctx *ctx, struct app_err *err);
int api_defects_ticket(struct api_ctx *ctx, struct app_err *err);
int api_certificates_create(struct api_ctx *ctx, struct app_err *err);
int api_certificates_advance(struct api_ctx *ctx, struct app_err *err);
int api_certificates_deadlines(struct api_ctx *ctx, struct app_err *err);
int api_loans_create(struct api_ctx *ctx, struct app_err *err);
int api_loans_full(struct api_ctx *ctx, struct app_err *err);
int api_loans_stage(struct api_ctx *ctx, struct app_err *err);
int api_loans_followup(struct api_ctx *ctx, struct app_err *err);
int api_loans_document(struct api_ctx *ctx, struct app_err *err);
int api_mortgage_weekly(struct api_ctx *ctx, struct app_err *err);
int api_mortgage_weekly_xlsx(struct api_ctx *ctx, struct app_err *err);
int api_receivables_generate(struct api_ctx *ctx, struct app_err *err);
int api_receipts_create(struct api_ctx *ctx, struct app_err *err);
int api_receivables_overdue(struct api_ctx *ctx, struct app_err *err);
int api_receivables_overdue_xlsx(struct api_ctx *ctx, struct app_err *err);
int api_dunning_create(struct api_ctx *ctx, struct app_err *err);
int api_collection_rate(struct api_ctx *ctx, struct app_err *err);
int api_collection_rate_xlsx(struct api_ctx *ctx, struct app_err *err);
int api_receivables_penalties(struct api_ctx *ctx, struct app_err *err);
int api_receivables_penalties_xlsx(struct api_ctx *ctx, struct app_err *err);

/* Serve a file of the web UI (GET/HEAD outside /api/). */
void api_static(struct http_req *req, struct api_app *app);

#endif
