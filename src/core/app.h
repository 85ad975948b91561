/*
 * app.h - what every anjia source file shares: error codes, the error detail
 * carried up to the HTTP layer, allocation wrappers that abort on OOM, and the
 * list of banned libc functions.
 *
 * Conventions (see STYLE.md): fallible functions return 0 or a negative
 * APP_E* code; detail goes into an optional struct app_err.
 */
#ifndef APP_H
#define APP_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define APP_VERSION "0.1.0"

enum app_code {
    APP_OK = 0,
    APP_EINVAL = -1,     /* a value breaks a rule (422) */
    APP_ENOTFOUND = -2,  /* no such record (404) */
    APP_ECONFLICT = -3,  /* wrong state, duplicate (409) */
    APP_EFORBIDDEN = -4, /* not allowed (403) */
    APP_EBUSY = -5,      /* try again later (429/503) */
    APP_EDB = -6,        /* storage failed (500) */
    APP_EAUTH = -7,      /* not authenticated (401) */
    APP_ELOCKED = -8,    /* account locked (423) */
    APP_EBADREQ = -9,    /* malformed request (400) */
    APP_EIO = -10,       /* file or system call failed (500) */
    APP_EINTERNAL = -11  /* a bug (500) */
};

/* Detail of a failure, for the person at the screen. */
struct app_err {
    int code;          /* APP_E* */
    char message[512]; /* Chinese first; never internals; cut at a character, with … */
    char field[64];    /* request field at fault, or "" */
};

/* Record code, field (may be NULL) and a printf-style message in err (may be
 * NULL). Returns code so callers can write `return app_err_set(...)`. */
int app_err_set(struct app_err *err, int code, const char *field, const char *fmt, ...)
        __attribute__((format(printf, 4, 5)));

/* Allocation that never returns NULL: on exhaustion it logs and aborts. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* Formatted string in fresh memory; the caller frees it. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Copy at most size-1 bytes of src into dst and terminate it. */
void app_strlcpy(char *dst, const char *src, size_t size);

/* Is s (len bytes) well-formed UTF-8 (no overlong forms, no bytes past U+10FFFF)? */
int app_utf8_valid(const char *s, size_t len);

/* Parse a whole decimal int64; 0 on success, APP_EINVAL otherwise. */
int app_parse_int64(int64_t *out, const char *s);

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* Banned: unbounded or error-blind libc calls (curl's list). */
#pragma GCC poison sprintf strcpy strcat strtok atoi atol gets

#endif
