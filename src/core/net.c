/*
 * net.c - SMTP and HTTP POST through libcurl.
 */
#include "net.h"

#include <stdio.h>
#include <string.h>

#include <curl/curl.h>
#include <sodium.h>

#include "app.h"
#include "strbuf.h"
#include "timeutil.h"

void net_init(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
}

struct reader {
    const char *data;
    size_t len, pos;
};

static size_t read_cb(char *buf, size_t size, size_t n, void *arg)
{
    struct reader *r = arg;
    size_t room = size * n, left = r->len - r->pos;
    size_t k = left < room ? left : room;
    memcpy(buf, r->data + r->pos, k);
    r->pos += k;
    return k;
}

static size_t discard(char *buf, size_t size, size_t n, void *arg)
{
    (void)buf;
    (void)arg;
    return size * n;
}

/* The address inside "Name <address>". */
static void address_of(char *out, size_t size, const char *from)
{
    const char *lt = strchr(from, '<'), *gt = lt ? strchr(lt, '>') : NULL;
    if (lt && gt && gt > lt + 1)
        snprintf(out, size, "<%.*s>", (int)(gt - lt - 1), lt + 1);
    else
        snprintf(out, size, "<%s>", from);
}

static void b64(struct strbuf *sb, const char *s, size_t n, int wrap)
{
    size_t cap = sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_ORIGINAL);
    char *out = malloc(cap);
    if (out == NULL)
        return;
    sodium_bin2base64(out, cap, (const unsigned char *)s, n, sodium_base64_VARIANT_ORIGINAL);
    size_t len = strlen(out);
    for (size_t i = 0; i < len; i += 76) {
        strbuf_append(sb, out + i, len - i < 76 ? len - i : 76);
        if (wrap)
            strbuf_puts(sb, "\r\n");
    }
    free(out);
}

int net_smtp_send(const struct smtp_settings *s,
                  const char *to,
                  const char *subject,
                  const char *body,
                  const struct net_attachment *files,
                  size_t n_files,
                  char *error,
                  size_t error_size,
                  int *permanent)
{
    *permanent = 0;
    error[0] = '\0';
    struct strbuf msg;
    strbuf_init(&msg, (size_t)16 << 20);
    char date[64], from_addr[256], to_addr[256];
    time_t now = (time_t)time_now();
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S +0000", &tm);
    address_of(from_addr, sizeof(from_addr), s->from);
    address_of(to_addr, sizeof(to_addr), to);
    /* Headers in ASCII; the subject as an RFC 2047 word; the body base64. */
    strbuf_printf(&msg, "Date: %s\r\nFrom: %s\r\nTo: %s\r\nSubject: =?UTF-8?B?", date, s->from, to);
    b64(&msg, subject, strlen(subject), 0);
    strbuf_puts(&msg, "?=\r\nMIME-Version: 1.0\r\n");
    static const char boundary[] = "anjia-part-7f3c1e9b2d";
    if (n_files)
        strbuf_printf(&msg, "Content-Type: multipart/mixed; boundary=\"%s\"\r\n\r\n--%s\r\n",
                      boundary, boundary);
    strbuf_puts(&msg, "Content-Type: text/plain; charset=UTF-8\r\n"
                      "Content-Transfer-Encoding: base64\r\n\r\n");
    b64(&msg, body, strlen(body), 1);
    for (size_t i = 0; i < n_files; i++) {
        /* The name as an RFC 2047 word: Chinese file names survive. */
        strbuf_printf(&msg,
                      "--%s\r\nContent-Type: %s\r\nContent-Transfer-Encoding: base64\r\n"
                      "Content-Disposition: attachment; filename=\"=?UTF-8?B?",
                      boundary, files[i].type);
        b64(&msg, files[i].name, strlen(files[i].name), 0);
        strbuf_puts(&msg, "?=\"\r\n\r\n");
        size_t len = strlen(files[i].b64);
        for (size_t k = 0; k < len; k += 76) {
            strbuf_append(&msg, files[i].b64 + k, len - k < 76 ? len - k : 76);
            strbuf_puts(&msg, "\r\n");
        }
    }
    if (n_files)
        strbuf_printf(&msg, "--%s--\r\n", boundary);
    CURL *curl = curl_easy_init();
    if (curl == NULL) {
        strbuf_free(&msg);
        snprintf(error, error_size, "curl init failed");
        return APP_EIO;
    }
    struct reader r = {strbuf_str(&msg), msg.len, 0};
    struct curl_slist *rcpt = curl_slist_append(NULL, to_addr);
    char errbuf[CURL_ERROR_SIZE] = "";
    curl_easy_setopt(curl, CURLOPT_URL, s->url);
    curl_easy_setopt(curl, CURLOPT_MAIL_FROM, from_addr);
    curl_easy_setopt(curl, CURLOPT_MAIL_RCPT, rcpt);
    curl_easy_setopt(curl, CURLOPT_READFUNCTION, read_cb);
    curl_easy_setopt(curl, CURLOPT_READDATA, &r);
    curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, 10L);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, 30L);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    long ssl = strcmp(s->tls, "off") == 0   ? CURLUSESSL_NONE
               : strcmp(s->tls, "try") == 0 ? CURLUSESSL_TRY
                                            : CURLUSESSL_ALL;
    if (strncmp(s->url, "smtps://", 8) == 0)
        ssl = CURLUSESSL_ALL;
    curl_easy_setopt(curl, CURLOPT_USE_SSL, ssl);
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, s->verify ? 1L : 0L);
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, s->verify ? 2L : 0L);
    if (s->user && *s->user) {
        curl_easy_setopt(curl, CURLOPT_USERNAME, s->user);
        curl_easy_setopt(curl, CURLOPT_PASSWORD, s->password ? s->password : "");
    }
    CURLcode cc = curl_easy_perform(curl);
    long code = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &code);
    curl_slist_free_all(rcpt);
    curl_easy_cleanup(curl);
    strbuf_free(&msg);
    if (cc == CURLE_OK)
        return 0;
    snprintf(error, error_size, "SMTP %ld: %s", code, errbuf[0] ? errbuf : curl_easy_strerror(cc));
    *permanent = code >= 500 && code < 600;
    return APP_EIO;
}

int net_post_json(const char *url, const char *json, char *error, size_t error_size, int *permanent)
{
    *permanent = 0;
    error[0] = '\0';
    CURL *curl = curl_easy_init();
    if (curl == NULL) {
        snprintf(error, error_size, "curl init failed");
        return APP_EIO;
    }
    struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json; charset=utf-8");
    char errbuf[CURL_ERROR_SIZE] = "";
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, json);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, discard);
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, 10L);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, 30L);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    CURLcode cc = curl_easy_perform(curl);
    long code = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &code);
    curl_slist_free_all(h);
    curl_easy_cleanup(curl);
    if (cc == CURLE_OK && code >= 200 && code < 300)
        return 0;
    if (cc != CURLE_OK)
        snprintf(error, error_size, "%s", errbuf[0] ? errbuf : curl_easy_strerror(cc));
    else
        snprintf(error, error_size, "gateway answered HTTP %ld", code);
    *permanent = cc == CURLE_OK && code >= 400 && code < 500 && code != 429;
    return APP_EIO;
}
