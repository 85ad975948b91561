/*
 * import.h - bulk import of projects, units and customers from CSV or XLSX
 * files as sales systems export them.
 *
 * Columns are matched by header: a field's Chinese label (as in our own
 * Excel exports and templates), its API name, or a common alias (身份证号,
 * 手机号 …). Every row goes through the same validation as the API. A dry
 * run lists every bad row with its reason and writes nothing; a real run
 * writes everything in one transaction or nothing at all.
 *
 * Imports run as jobs in a background thread; progress is kept in memory
 * while the job runs and the result in import_jobs when it ends.
 */
#ifndef IMPORT_H
#define IMPORT_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "auth.h"
#include "store/db.h"

#define IMPORT_MAX_ERRORS 1000

/* Progress and outcome of one import. */
struct import_result {
    int64_t total;   /* data rows */
    int64_t done;    /* rows processed */
    int64_t bad;     /* rows refused */
    json_t *errors;  /* [{"row","column","field","message"}], first IMPORT_MAX_ERRORS */
    json_t *columns; /* [{"column","field"}] as matched */
    char message[256];
};

/* Is kind one we import ("projects", "units", "customers")? */
int import_kind_known(const char *kind);

/* Run an import synchronously on its own connection. progress (may be NULL)
 * is updated as rows are processed. Returns 0 when the file was read and all
 * rows valid (and, unless dry_run, written); APP_EINVAL when rows or the file
 * were refused (details in res); other codes for failures. */
int import_run(struct import_result *res,
               struct db *db,
               const struct auth_user *who,
               const char *kind,
               int dry_run,
               const char *file_name,
               const char *data,
               size_t len,
               struct app_err *err);
void import_result_free(struct import_result *res);

/* Start a job: records it, takes over data (freed when done), returns its id. */
int import_start(int64_t *job_id,
                 struct db *db,
                 struct db_conn *c,
                 const struct auth_user *who,
                 const char *kind,
                 int dry_run,
                 const char *file_name,
                 char *data,
                 size_t len,
                 struct app_err *err);
/* The job as the UI polls it. APP_ENOTFOUND. */
int import_status(json_t **out, struct db_conn *c, int64_t job_id, struct app_err *err);
/* Wait until no import job of this process is running (for shutdown). */
void import_wait_all(void);

/* A template for kind: CSV (UTF-8 with BOM, for Excel) or XLSX, with the
 * header row and one example row. *data is the caller's to free. */
int import_template(char **data,
                    size_t *len,
                    const char **content_type,
                    const char *kind,
                    const char *format,
                    struct app_err *err);

#endif
