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

enum router_result {
    ROUTER_NO_MATCH = 0,
    ROUTER_MATCH = 1, /* params filled */
    ROUTER_BAD_ID = 2 /* the path has the pattern's shape but an {id} is not a
                         positive integer ("/users/abc"): a malformed request,
                         not an unknown path; params filled except that id */
};

enum router_result router_match(const char *pattern, const char *path, struct route_params *out);
/* The captured value called name, or NULL. */
const char *router_param(const struct route_params *p, const char *name);

#endif
