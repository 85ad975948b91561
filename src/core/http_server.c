/*
 * http_server.c - libmicrohttpd glue: body accumulation with a cap, one
 * handler call per request, security headers, the access log, and graceful
 * shutdown (quiesce, drain, stop).
 */
#include "http_server.h"

#include <string.h>

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdatomic.h>
#include <sys/socket.h>
#include <unistd.h>

#include "log.h"
#include "timeutil.h"

struct http_server {
    struct MHD_Daemon *daemon;
    http_handler_fn handler;
    http_body_limit_fn body_limit;
    void *payload;
    int port;
    atomic_int inflight;
};

static void req_free(struct http_req *req)
{
    if (req == NULL)
        return;
    free(req->body);
    free(req->resp);
    for (int i = 0; i < req->n_headers; i++) {
        free(req->headers[i].name);
        free(req->headers[i].value);
    }
    free(req);
}

void http_reply(struct http_req *req, int status, const char *content_type, char *body, size_t len)
{
    free(req->resp);
    req->status = status;
    req->content_type = content_type;
    req->resp = body;
    req->resp_len = len;
}

void http_add_header(struct http_req *req, const char *name, const char *value)
{
    if (req->n_headers >= (int)ARRAY_LEN(req->headers))
        return;
    req->headers[req->n_headers].name = xstrdup(name);
    req->headers[req->n_headers].value = xstrdup(value);
    req->n_headers++;
}

const char *http_query(struct http_req *req, const char *key)
{
    return MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, key);
}

const char *http_header(struct http_req *req, const char *name)
{
    return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

const char *http_cookie(struct http_req *req, const char *name)
{
    return MHD_lookup_connection_value(req->conn, MHD_COOKIE_KIND, name);
}

struct each_ctx {
    http_kv_fn fn;
    void *payload;
};

static enum MHD_Result
each_cb(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
    (void)kind;
    struct each_ctx *ctx = cls;
    return ctx->fn(key, value ? value : "", ctx->payload) ? MHD_NO : MHD_YES;
}

void http_query_each(struct http_req *req, http_kv_fn fn, void *payload)
{
    struct each_ctx ctx = {fn, payload};
    MHD_get_connection_values(req->conn, MHD_GET_ARGUMENT_KIND, each_cb, &ctx);
}

static void peer_address(struct MHD_Connection *conn, char *out, size_t size)
{
    const union MHD_ConnectionInfo *ci =
            MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    out[0] = '\0';
    if (ci == NULL || ci->client_addr == NULL)
        return;
    const struct sockaddr *sa = ci->client_addr;
    if (sa->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, out,
                  (socklen_t)size);
    else if (sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, out,
                  (socklen_t)size);
}

static enum MHD_Result send_reply(struct MHD_Connection *conn, struct http_req *req)
{
    struct MHD_Response *resp;
    if (req->resp == NULL) {
        resp = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
    } else {
        resp = MHD_create_response_from_buffer(req->resp_len, req->resp, MHD_RESPMEM_MUST_FREE);
        req->resp = NULL; /* MHD frees it now */
    }
    if (resp == NULL)
        return MHD_NO;
    if (req->content_type)
        MHD_add_response_header(resp, "Content-Type", req->content_type);
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(resp, "X-Frame-Options", "DENY");
    MHD_add_response_header(resp, "Referrer-Policy", "same-origin");
    MHD_add_response_header(resp, "Content-Security-Policy",
                            "default-src 'self'; img-src 'self' data: blob:; "
                            "style-src 'self' 'unsafe-inline'; frame-ancestors 'none'");
    int has_cache = 0;
    for (int i = 0; i < req->n_headers; i++) {
        MHD_add_response_header(resp, req->headers[i].name, req->headers[i].value);
        if (strcasecmp(req->headers[i].name, "Cache-Control") == 0)
            has_cache = 1;
    }
    if (!has_cache)
        MHD_add_response_header(resp, "Cache-Control", "no-store");
    enum MHD_Result r = MHD_queue_response(conn, (unsigned)req->status, resp);
    MHD_destroy_response(resp);
    return r;
}

static enum MHD_Result on_request(void *cls,
                                  struct MHD_Connection *conn,
                                  const char *url,
                                  const char *method,
                                  const char *version,
                                  const char *upload_data,
                                  size_t *upload_data_size,
                                  void **con_cls)
{
    (void)version;
    struct http_server *s = cls;
    struct http_req *req = *con_cls;
    if (req == NULL) {
        req = xcalloc(1, sizeof(*req));
        req->conn = conn;
        req->method = method;
        req->path = url;
        req->started_ms = time_mono_ms();
        req->status = 500;
        peer_address(conn, req->remote, sizeof(req->remote));
        atomic_fetch_add(&s->inflight, 1);
        *con_cls = req;
        req->max_body = s->body_limit ? s->body_limit(method, url) : HTTP_MAX_BODY;
        const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Length");
        int64_t n = 0;
        if (cl && app_parse_int64(&n, cl) == 0 && n > (int64_t)req->max_body) {
            /* Refuse before reading the body; MHD closes the connection. */
            req->too_large = 1;
            req->replied = 1;
            s->handler(req, s->payload);
            return send_reply(conn, req);
        }
        return MHD_YES;
    }
    if (req->replied) {
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (*upload_data_size > 0) {
        if (!req->too_large) {
            if (req->body_len + *upload_data_size > req->max_body) {
                req->too_large = 1;
                free(req->body);
                req->body = NULL;
                req->body_len = 0;
                req->body_cap = 0;
            } else {
                size_t need = req->body_len + *upload_data_size + 1;
                if (need > req->body_cap) {
                    /* Grow geometrically: a 64 MiB upload arrives in many small pieces. */
                    size_t cap = req->body_cap ? req->body_cap : 4096;
                    while (cap < need)
                        cap *= 2;
                    req->body = xrealloc(req->body, cap);
                    req->body_cap = cap;
                }
                memcpy(req->body + req->body_len, upload_data, *upload_data_size);
                req->body_len += *upload_data_size;
                req->body[req->body_len] = '\0';
            }
        }
        *upload_data_size = 0;
        return MHD_YES;
    }
    req->replied = 1;
    s->handler(req, s->payload);
    return send_reply(conn, req);
}

static void on_completed(void *cls,
                         struct MHD_Connection *conn,
                         void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)conn;
    (void)toe;
    struct http_server *s = cls;
    struct http_req *req = *con_cls;
    if (req == NULL)
        return;
    log_access(req->method, req->path, req->status, time_mono_ms() - req->started_ms, req->user_id,
               req->remote);
    req_free(req);
    *con_cls = NULL;
    atomic_fetch_sub(&s->inflight, 1);
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    char msg[512];
    vsnprintf(msg, sizeof(msg), fmt, ap);
    size_t n = strlen(msg);
    while (n && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
        msg[--n] = '\0';
    log_debug("http: %s", msg);
}

int http_server_start(struct http_server **out,
                      const char *host,
                      int port,
                      http_handler_fn handler,
                      http_body_limit_fn body_limit,
                      void *payload,
                      struct app_err *err)
{
    *out = NULL;
    struct sockaddr_in sa4;
    struct sockaddr_in6 sa6;
    struct sockaddr *sa;
    unsigned flags = MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ITC |
                     MHD_USE_ERROR_LOG;
    memset(&sa4, 0, sizeof(sa4));
    memset(&sa6, 0, sizeof(sa6));
    if (inet_pton(AF_INET, host, &sa4.sin_addr) == 1) {
        sa4.sin_family = AF_INET;
        sa4.sin_port = htons((uint16_t)port);
        sa = (struct sockaddr *)&sa4;
    } else if (inet_pton(AF_INET6, host, &sa6.sin6_addr) == 1) {
        sa6.sin6_family = AF_INET6;
        sa6.sin6_port = htons((uint16_t)port);
        sa = (struct sockaddr *)&sa6;
        flags |= MHD_USE_IPv6;
    } else {
        return app_err_set(err, APP_EINVAL, "listen", "listen address must be an IP: %s", host);
    }
    struct http_server *s = xcalloc(1, sizeof(*s));
    s->handler = handler;
    s->body_limit = body_limit;
    s->payload = payload;
    atomic_init(&s->inflight, 0);
    s->daemon = MHD_start_daemon(flags, (uint16_t)port, NULL, NULL, on_request, s,
                                 MHD_OPTION_SOCK_ADDR, sa, MHD_OPTION_NOTIFY_COMPLETED,
                                 on_completed, s, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)60,
                                 MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(64 * 1024),
                                 MHD_OPTION_LISTEN_BACKLOG_SIZE, (unsigned)1024,
                                 MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL, MHD_OPTION_END);
    if (s->daemon == NULL) {
        free(s);
        return app_err_set(err, APP_EIO, "listen", "cannot listen on %s:%d", host, port);
    }
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
    s->port = di ? di->port : port;
    *out = s;
    return 0;
}

int http_server_port(const struct http_server *s)
{
    return s->port;
}

void http_server_stop(struct http_server *s, int grace_ms)
{
    if (s == NULL)
        return;
    MHD_socket fd = MHD_quiesce_daemon(s->daemon);
    if (fd != MHD_INVALID_SOCKET)
        close(fd);
    double until = time_mono_ms() + grace_ms;
    while (atomic_load(&s->inflight) > 0 && time_mono_ms() < until)
        usleep(10000);
    MHD_stop_daemon(s->daemon);
    free(s);
}
