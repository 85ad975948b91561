/*
 * strbuf.h - a growable byte buffer with a hard maximum (curl's dynbuf).
 *
 * A strbuf owns its memory; strbuf_free() releases it. Every append either
 * fits under max or fails with APP_EINVAL and leaves the buffer unchanged.
 */
#ifndef STRBUF_H
#define STRBUF_H

#include <stddef.h>

struct strbuf {
    char *data; /* always NUL-terminated when len > 0 or after init */
    size_t len; /* bytes used, excluding the terminator */
    size_t cap; /* bytes allocated */
    size_t max; /* appends beyond this many bytes fail */
};

void strbuf_init(struct strbuf *sb, size_t max);
void strbuf_free(struct strbuf *sb);
void strbuf_reset(struct strbuf *sb);
int strbuf_append(struct strbuf *sb, const void *data, size_t n);
int strbuf_puts(struct strbuf *sb, const char *s);
int strbuf_printf(struct strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Hand the contents to the caller (who frees them) and reset the buffer. */
char *strbuf_steal(struct strbuf *sb);
/* The contents as a C string; "" for an empty buffer. Borrowed. */
const char *strbuf_str(const struct strbuf *sb);

#endif
