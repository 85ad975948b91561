/*
 * net.h - the two ways anjia talks to the outside: mail to an SMTP server
 * and a JSON POST to an HTTP endpoint (the SMS gateway), through libcurl.
 * The only place that includes curl.
 */
#ifndef NET_H
#define NET_H

#include <stddef.h>

struct smtp_settings {
    const char *url;  /* smtp://host:port or smtps://host:port */
    const char *from; /* "Name <address>" or "address" */
    const char *user; /* NULL or "" = no login */
    const char *password;
    const char *tls; /* "starttls" (required), "try", "off" */
    int verify;      /* check the certificate */
};

/* A file for an email, its content already base64 (as stored). */
struct net_attachment {
    const char *name;
    const char *type;
    const char *b64;
};

/* Send one UTF-8 message, with files when n_files > 0. 0 when the server accepted it, else APP_EIO
 * with the server's or curl's reason in error; *permanent is set when retrying cannot help (a 5xx
 * reply). */
int net_smtp_send(const struct smtp_settings *s,
                  const char *to,
                  const char *subject,
                  const char *body,
                  const struct net_attachment *files,
                  size_t n_files,
                  char *error,
                  size_t error_size,
                  int *permanent);

/* POST a JSON body; 0 on a 2xx answer, else APP_EIO with the reason. */
int net_post_json(
        const char *url, const char *json, char *error, size_t error_size, int *permanent);

/* Once at start-up, before threads. */
void net_init(void);

#endif
