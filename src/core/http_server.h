/*
 * http_server.h - the HTTP server (libmicrohttpd, one thread per connection).
 * The only module that includes microhttpd.h.
 *
 * The server reads the whole request body (up to HTTP_MAX_BODY; beyond that
 * the request is marked too_large and the body dropped), calls the handler
 * once per request, and sends what the handler set with http_reply*().
 */
#ifndef HTTP_SERVER_H
#define HTTP_SERVER_H

#include <stddef.h>
#include <stdint.h>

#include "app.h"

#define HTTP_MAX_BODY (1u << 20)

struct http_server;
struct http_header {
    char *name, *value;
};

struct http_req {
    void *conn;         /* the MHD connection; opaque */
    const char *method; /* "GET", ... (borrowed from MHD) */
    const char *path;   /* URL path without the query (borrowed) */
    char *body;         /* NUL-terminated request body (owned) */
    size_t body_len;
    size_t body_cap; /* bytes allocated for body */
    int too_large;   /* body exceeded its limit */
    size_t max_body; /* the limit for this request */
    int replied;     /* the handler has run */
    char remote[64]; /* peer address */
    int64_t user_id; /* set by the API layer, for the access log */
    double started_ms;
    void *ctx; /* the API layer's per-request state */
    /* reply */
    int status;
    const char *content_type;
    char *resp; /* owned; freed by the server */
    size_t resp_len;
    struct http_header headers[8];
    int n_headers;
};

typedef void (*http_handler_fn)(struct http_req *req, void *payload);
/* The largest body a request may carry (HTTP_MAX_BODY unless a route needs more). */
typedef size_t (*http_body_limit_fn)(const char *method, const char *path);

/* Start serving on host:port (port 0 picks a free one). body_limit may be NULL. */
int http_server_start(struct http_server **out,
                      const char *host,
                      int port,
                      http_handler_fn handler,
                      http_body_limit_fn body_limit,
                      void *payload,
                      struct app_err *err);
/* The port actually bound. */
int http_server_port(const struct http_server *s);
/* Stop accepting, let in-flight requests finish (at most grace_ms), stop. */
void http_server_stop(struct http_server *s, int grace_ms);

/* Request accessors; returned strings are borrowed for the request. */
const char *http_query(struct http_req *req, const char *key);
const char *http_header(struct http_req *req, const char *name);
const char *http_cookie(struct http_req *req, const char *name);
/* Call fn for every query argument, in order; stop when it returns non-zero. */
typedef int (*http_kv_fn)(const char *key, const char *value, void *payload);
void http_query_each(struct http_req *req, http_kv_fn fn, void *payload);

/* Set the reply; body is taken over (freed by the server). */
void http_reply(struct http_req *req, int status, const char *content_type, char *body, size_t len);
/* Add a response header (copied). At most 8. */
void http_add_header(struct http_req *req, const char *name, const char *value);

#endif
