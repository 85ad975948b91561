#include "http_router.h"

#include <string.h>

#include "app.h"

static int seg_char_ok(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-' || c == '.';
}

enum router_result router_match(const char *pattern, const char *path, struct route_params *out)
{
    const char *p = pattern, *s = path;
    int bad_id = 0;
    out->n = 0;
    while (*p) {
        if (*p == '{') {
            const char *close = strchr(p, '}');
            if (close == NULL || out->n >= ROUTER_MAX_PARAMS)
                return ROUTER_NO_MATCH;
            size_t nlen = (size_t)(close - p - 1);
            const char *start = s;
            while (*s && *s != '/')
                s++;
            size_t vlen = (size_t)(s - start);
            if (vlen == 0 || nlen >= sizeof(out->name[0]))
                return ROUTER_NO_MATCH;
            int is_id = nlen == 2 && strncmp(p + 1, "id", 2) == 0;
            int ok = vlen < sizeof(out->value[0]);
            for (size_t i = 0; ok && i < vlen; i++)
                ok = is_id ? start[i] >= '0' && start[i] <= '9' : seg_char_ok(start[i]);
            if (ok && is_id && (start[0] == '0' || vlen > 18))
                ok = 0;
            if (!ok && !is_id)
                return ROUTER_NO_MATCH;
            bad_id |= !ok;
            memcpy(out->name[out->n], p + 1, nlen);
            out->name[out->n][nlen] = '\0';
            if (ok) {
                memcpy(out->value[out->n], start, vlen);
                out->value[out->n][vlen] = '\0';
            } else {
                out->value[out->n][0] = '\0';
            }
            out->n++;
            p = close + 1;
        } else {
            if (*p != *s)
                return ROUTER_NO_MATCH;
            p++;
            s++;
        }
    }
    if (*s != '\0')
        return ROUTER_NO_MATCH;
    return bad_id ? ROUTER_BAD_ID : ROUTER_MATCH;
}

const char *router_param(const struct route_params *p, const char *name)
{
    for (int i = 0; i < p->n; i++)
        if (strcmp(p->name[i], name) == 0)
            return p->value[i];
    return NULL;
}
