#include "http_router.h"

#include <string.h>

#include "app.h"

static int seg_char_ok(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-' || c == '.';
}

int router_match(const char *pattern, const char *path, struct route_params *out)
{
    const char *p = pattern, *s = path;
    out->n = 0;
    while (*p) {
        if (*p == '{') {
            const char *close = strchr(p, '}');
            if (close == NULL || out->n >= ROUTER_MAX_PARAMS)
                return 0;
            size_t nlen = (size_t)(close - p - 1);
            const char *start = s;
            while (*s && *s != '/')
                s++;
            size_t vlen = (size_t)(s - start);
            if (vlen == 0 || vlen >= sizeof(out->value[0]) || nlen >= sizeof(out->name[0]))
                return 0;
            int is_id = nlen == 2 && strncmp(p + 1, "id", 2) == 0;
            for (size_t i = 0; i < vlen; i++) {
                char c = start[i];
                if (is_id ? (c < '0' || c > '9') : !seg_char_ok(c))
                    return 0;
            }
            if (is_id && (start[0] == '0' || vlen > 18))
                return 0;
            memcpy(out->name[out->n], p + 1, nlen);
            out->name[out->n][nlen] = '\0';
            memcpy(out->value[out->n], start, vlen);
            out->value[out->n][vlen] = '\0';
            out->n++;
            p = close + 1;
        } else {
            if (*p != *s)
                return 0;
            p++;
            s++;
        }
    }
    return *s == '\0';
}

int router_match_shape(const char *pattern, const char *path)
{
    const char *p = pattern, *s = path;
    while (*p) {
        if (*p == '{') {
            const char *close = strchr(p, '}');
            if (close == NULL)
                return 0;
            const char *start = s;
            while (*s && *s != '/')
                s++;
            if (s == start)
                return 0;
            p = close + 1;
        } else {
            if (*p != *s)
                return 0;
            p++;
            s++;
        }
    }
    return *s == '\0';
}

const char *router_param(const struct route_params *p, const char *name)
{
    for (int i = 0; i < p->n; i++)
        if (strcmp(p->name[i], name) == 0)
            return p->value[i];
    return NULL;
}
