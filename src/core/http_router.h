/*
 * http_router.h - matching a request path against a route pattern.
 *
 * Patterns are literal segments and placeholders: "/api/v1/users/{id}".
 * "{id}" matches a positive decimal integer; any other "{name}" matches one
 * non-empty segment of [A-Za-z0-9_.-]. Captured values are copied into the
 * params struct in order.
 */
#ifndef HTTP_ROUTER_H
#define HTTP_ROUTER_H

#include <stdint.h>

#define ROUTER_MAX_PARAMS 4

struct route_params {
    int n;
    char name[ROUTER_MAX_PARAMS][16];
    char value[ROUTER_MAX_PARAMS][64];
};

/* 1 when path matches pattern (params filled), 0 otherwise. */
int router_match(const char *pattern, const char *path, struct route_params *out);
/* 1 when path has the pattern's shape with any non-empty segment in place
 * of each placeholder ("/users/abc" against "/users/{id}"): a malformed id
 * rather than an unknown path. */
int router_match_shape(const char *pattern, const char *path);
/* The captured value called name, or NULL. */
const char *router_param(const struct route_params *p, const char *name);

#endif
