/*
 * api_static.c - serving the web UI: the copy embedded in the binary, or
 * files from --web-dir during development. Only GET and HEAD; paths with
 * ".." or hidden segments are refused.
 */
#include <stdio.h>
#include <string.h>

#include <sys/stat.h>

#include "api.h"
#include "web_assets.h"

static const char *type_of(const char *path)
{
    const char *dot = strrchr(path, '.');
    if (dot == NULL)
        return "application/octet-stream";
    if (strcmp(dot, ".html") == 0)
        return "text/html; charset=utf-8";
    if (strcmp(dot, ".js") == 0 || strcmp(dot, ".mjs") == 0)
        return "text/javascript; charset=utf-8";
    if (strcmp(dot, ".css") == 0)
        return "text/css; charset=utf-8";
    if (strcmp(dot, ".svg") == 0)
        return "image/svg+xml";
    if (strcmp(dot, ".png") == 0)
        return "image/png";
    if (strcmp(dot, ".json") == 0)
        return "application/json";
    return "application/octet-stream";
}

static void not_found(struct http_req *req)
{
    const char *msg = "<!doctype html><meta charset=utf-8><title>404</title><p>页面不存在</p>";
    http_reply(req, 404, "text/html; charset=utf-8", xstrdup(msg), strlen(msg));
}

static int read_file(const char *path, char **data, size_t *len)
{
    struct stat st;
    if (stat(path, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > (16 << 20))
        return APP_ENOTFOUND;
    FILE *fp = fopen(path, "rb");
    if (fp == NULL)
        return APP_ENOTFOUND;
    char *buf = xmalloc((size_t)st.st_size + 1);
    size_t n = fread(buf, 1, (size_t)st.st_size, fp);
    fclose(fp);
    *data = buf;
    *len = n;
    return 0;
}

void api_static(struct http_req *req, struct api_app *app)
{
    if (strcmp(req->method, "GET") != 0 && strcmp(req->method, "HEAD") != 0) {
        const char *msg = "{\"error\":{\"code\":\"method_not_allowed\",\"message\":"
                          "\"不支持此请求方法\",\"field\":null}}";
        http_reply(req, 405, "application/json; charset=utf-8", xstrdup(msg), strlen(msg));
        return;
    }
    const char *path = req->path;
    if (strcmp(path, "/") == 0)
        path = "/index.html";
    if (strstr(path, "..") || strstr(path, "/.") || strlen(path) > 200) {
        not_found(req);
        return;
    }
    if (app->web_dir) {
        char full[512];
        char *data = NULL;
        size_t len = 0;
        snprintf(full, sizeof(full), "%s%s", app->web_dir, path);
        if (read_file(full, &data, &len) < 0) {
            not_found(req);
            return;
        }
        http_reply(req, 200, type_of(path), data, len);
        return;
    }
    for (const struct web_asset *a = web_assets; a->path; a++) {
        if (strcmp(a->path, path) == 0) {
            char *copy = xmalloc(a->len + 1);
            memcpy(copy, a->data, a->len);
            http_reply(req, 200, a->type, copy, a->len);
            /* Revalidate every time: the modules of one release belong together. */
            http_add_header(req, "Cache-Control", "no-cache");
            return;
        }
    }
    not_found(req);
}
