/*
 * config.h - settings. Each has a default, may be set in a config file
 * (--config PATH or ANJIA_CONFIG; lines "key = value", '#' comments), by an
 * environment variable ANJIA_<KEY>, and by a flag --<key> (dashes for
 * underscores); later sources win. docs/operations.md lists them all.
 */
#ifndef CONFIG_H
#define CONFIG_H

#include "app.h"

struct config {
    char db[512];         /* "data/anjia.db", "sqlite:PATH" */
    char listen[128];     /* "127.0.0.1:8080" */
    char key_file[512];   /* default: <db>.key */
    char web_dir[512];    /* "" = the UI embedded in the binary */
    char access_log[512]; /* "-" = stdout, "" = off */
    char log_level[16];   /* debug, info, warn, error */
    int pool_size;        /* database connections */
    int session_idle_minutes;
    int max_hashes;    /* concurrent password hashes */
    int cookie_secure; /* 1 behind TLS */
    /* Outbound messages (outbox.h). */
    char smtp_url[256];  /* "smtp://mail.example.com:587", "smtps://…:465"; "" = no email */
    char smtp_from[128]; /* "客服中心 <kf@example.com>" */
    char smtp_user[128];
    char smtp_password[128]; /* never printed */
    char smtp_tls[16];       /* "starttls" (required), "try", "off"; smtps:// is TLS anyway */
    int smtp_verify;         /* check the server's certificate */
    char sms_url[256];       /* the SMS gateway's URL (POST); "" = no SMS */
    char sms_template[512];  /* the JSON body; {phone} {text} {signature} are filled in */
    char sms_signature[64];  /* 【签名】 the gateway requires */
};

void config_defaults(struct config *cfg);
/* Apply one key/value; APP_EINVAL with err naming the key when unknown or bad. */
int config_set(struct config *cfg, const char *key, const char *value, struct app_err *err);
int config_load_file(struct config *cfg, const char *path, struct app_err *err);
/* Apply ANJIA_* environment variables. */
int config_load_env(struct config *cfg, struct app_err *err);
/* Fill derived defaults (key file next to the database). */
void config_finish(struct config *cfg);
/* Print every key with its current value (key file path, never secrets). */
void config_print(const struct config *cfg, FILE *fp);

#endif
