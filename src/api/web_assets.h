/*
 * web_assets.h - the web UI compiled into the binary (generated from web/
 * by tools/embed.c).
 */
#ifndef WEB_ASSETS_H
#define WEB_ASSETS_H

#include <stddef.h>

struct web_asset {
    const char *path; /* URL path, "/index.html" */
    const unsigned char *data;
    size_t len;
    const char *type;
};

/* Terminated by an entry with path NULL. */
extern const struct web_asset web_assets[];

#endif
