#include "app.h"

#include <errno.h>
#include <limits.h>

static void oom(size_t n)
{
    fprintf(stderr, "anjia: out of memory allocating %zu bytes\n", n);
    abort();
}

void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (p == NULL)
        oom(n);
    return p;
}

void *xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (p == NULL)
        oom(n * size);
    return p;
}

void *xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (q == NULL)
        oom(n);
    return q;
}

char *xstrdup(const char *s)
{
    return xstrndup(s, strlen(s));
}

char *xstrndup(const char *s, size_t n)
{
    size_t len = strnlen(s, n);
    char *p = xmalloc(len + 1);
    memcpy(p, s, len);
    p[len] = '\0';
    return p;
}

char *xasprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        abort();
    char *p = xmalloc((size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return p;
}

void app_strlcpy(char *dst, const char *src, size_t size)
{
    if (size == 0)
        return;
    size_t n = strnlen(src, size - 1);
    memcpy(dst, src, n);
    dst[n] = '\0';
}

int app_err_set(struct app_err *err, int code, const char *field, const char *fmt, ...)
{
    if (err == NULL)
        return code;
    err->code = code;
    app_strlcpy(err->field, field ? field : "", sizeof(err->field));
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(err->message, sizeof(err->message), fmt, ap);
    va_end(ap);
    if (n >= (int)sizeof(err->message)) {
        /* Cut back to a whole character and say that something was left out. */
        size_t len = sizeof(err->message) - 4; /* room for "…" (3 bytes) and NUL */
        while (len > 0 && ((unsigned char)err->message[len] & 0xC0) == 0x80)
            len--;
        memcpy(err->message + len, "\xE2\x80\xA6", 3);
        err->message[len + 3] = '\0';
    }
    return code;
}

int app_parse_int64(int64_t *out, const char *s)
{
    *out = 0;
    if (s == NULL || *s == '\0')
        return APP_EINVAL;
    const char *p = s;
    if (*p == '-' || *p == '+')
        p++;
    if (*p < '0' || *p > '9')
        return APP_EINVAL;
    errno = 0;
    char *end = NULL;
    long long v = strtoll(s, &end, 10);
    if (errno != 0 || end == NULL || *end != '\0')
        return APP_EINVAL;
    *out = (int64_t)v;
    return 0;
}

int app_utf8_valid(const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s, *end = p + len;
    while (p < end) {
        size_t n;
        if (*p < 0x80)
            n = 0;
        else if ((*p & 0xE0) == 0xC0 && *p >= 0xC2)
            n = 1;
        else if ((*p & 0xF0) == 0xE0)
            n = 2;
        else if ((*p & 0xF8) == 0xF0 && *p <= 0xF4)
            n = 3;
        else
            return 0;
        if ((size_t)(end - p) <= n)
            return n == 0;
        p++;
        for (size_t i = 0; i < n; i++, p++)
            if ((*p & 0xC0) != 0x80)
                return 0;
    }
    return 1;
}
