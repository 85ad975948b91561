#include "config.h"

#include <string.h>

#include <ctype.h>

enum kind { K_STR, K_INT, K_BOOL };

struct key {
    const char *name;
    enum kind kind;
    size_t offset;
    size_t size;
    int min, max;
};

#define S(f)                                                                                       \
    {                                                                                              \
#f, K_STR, offsetof(struct config, f), sizeof(((struct config *)0)->f), 0, 0               \
    }
#define I(f, lo, hi)                                                                               \
    {                                                                                              \
#f, K_INT, offsetof(struct config, f), 0, lo, hi                                           \
    }
#define B(f)                                                                                       \
    {                                                                                              \
#f, K_BOOL, offsetof(struct config, f), 0, 0, 1                                            \
    }

static const struct key keys[] = {
        S(db),
        S(listen),
        S(key_file),
        S(web_dir),
        S(access_log),
        S(log_level),
        I(pool_size, 1, 256),
        I(session_idle_minutes, 1, 7 * 24 * 60),
        I(max_hashes, 1, 64),
        B(cookie_secure),
        S(smtp_url),
        S(smtp_from),
        S(smtp_user),
        S(smtp_password),
        S(smtp_tls),
        B(smtp_verify),
        S(sms_url),
        S(sms_template),
        S(sms_signature),
};

void config_defaults(struct config *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    app_strlcpy(cfg->db, "data/anjia.db", sizeof(cfg->db));
    app_strlcpy(cfg->listen, "127.0.0.1:8080", sizeof(cfg->listen));
    app_strlcpy(cfg->access_log, "-", sizeof(cfg->access_log));
    app_strlcpy(cfg->log_level, "info", sizeof(cfg->log_level));
    cfg->pool_size = 8;
    cfg->session_idle_minutes = 480;
    cfg->max_hashes = 2;
    app_strlcpy(cfg->smtp_tls, "starttls", sizeof(cfg->smtp_tls));
    cfg->smtp_verify = 1;
    app_strlcpy(cfg->sms_template, "{\"phone\":\"{phone}\",\"text\":\"{signature}{text}\"}",
                sizeof(cfg->sms_template));
}

int config_set(struct config *cfg, const char *key, const char *value, struct app_err *err)
{
    for (size_t i = 0; i < ARRAY_LEN(keys); i++) {
        const struct key *k = &keys[i];
        if (strcmp(k->name, key) != 0)
            continue;
        char *field = (char *)cfg + k->offset;
        if (k->kind == K_STR) {
            if (strlen(value) >= k->size)
                return app_err_set(err, APP_EINVAL, key, "setting %s is too long", key);
            app_strlcpy(field, value, k->size);
            return 0;
        }
        int64_t v;
        if (k->kind == K_BOOL) {
            if (strcmp(value, "1") == 0 || strcmp(value, "true") == 0 || strcmp(value, "yes") == 0)
                v = 1;
            else if (strcmp(value, "0") == 0 || strcmp(value, "false") == 0 ||
                     strcmp(value, "no") == 0)
                v = 0;
            else
                return app_err_set(err, APP_EINVAL, key, "setting %s must be true or false", key);
        } else if (app_parse_int64(&v, value) < 0 || v < k->min || v > k->max) {
            return app_err_set(err, APP_EINVAL, key, "setting %s must be a number from %d to %d",
                               key, k->min, k->max);
        }
        memcpy(field, &(int){(int)v}, sizeof(int));
        return 0;
    }
    return app_err_set(err, APP_EINVAL, key, "unknown setting %s", key);
}

static char *trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    size_t n = strlen(s);
    while (n && isspace((unsigned char)s[n - 1]))
        s[--n] = '\0';
    return s;
}

int config_load_file(struct config *cfg, const char *path, struct app_err *err)
{
    FILE *fp = fopen(path, "r");
    if (fp == NULL)
        return app_err_set(err, APP_EIO, NULL, "cannot read config file %s", path);
    char line[1024];
    int lineno = 0, rc = 0;
    while (rc == 0 && fgets(line, sizeof(line), fp)) {
        lineno++;
        char *s = trim(line);
        if (*s == '\0' || *s == '#')
            continue;
        char *eq = strchr(s, '=');
        if (eq == NULL) {
            rc = app_err_set(err, APP_EINVAL, NULL, "%s:%d: expected key = value", path, lineno);
            break;
        }
        *eq = '\0';
        char *key = trim(s), *value = trim(eq + 1);
        size_t vl = strlen(value);
        if (vl >= 2 && value[0] == '"' && value[vl - 1] == '"') {
            value[vl - 1] = '\0';
            value++;
        }
        rc = config_set(cfg, key, value, err);
        if (rc < 0 && err)
            app_err_set(err, rc, key, "%s:%d: %s", path, lineno, err->message);
    }
    fclose(fp);
    return rc;
}

int config_load_env(struct config *cfg, struct app_err *err)
{
    for (size_t i = 0; i < ARRAY_LEN(keys); i++) {
        char name[64] = "ANJIA_";
        size_t o = 6;
        for (const char *p = keys[i].name; *p && o + 1 < sizeof(name); p++)
            name[o++] = (char)toupper((unsigned char)*p);
        name[o] = '\0';
        const char *v = getenv(name);
        if (v == NULL)
            continue;
        int rc = config_set(cfg, keys[i].name, v, err);
        if (rc < 0)
            return rc;
    }
    return 0;
}

void config_finish(struct config *cfg)
{
    if (cfg->key_file[0] == '\0') {
        const char *path = strncmp(cfg->db, "sqlite:", 7) == 0 ? cfg->db + 7 : cfg->db;
        size_t n = strnlen(path, sizeof(cfg->key_file) - 5);
        memcpy(cfg->key_file, path, n);
        memcpy(cfg->key_file + n, ".key", 5);
    }
}

void config_print(const struct config *cfg, FILE *fp)
{
    for (size_t i = 0; i < ARRAY_LEN(keys); i++) {
        const char *field = (const char *)cfg + keys[i].offset;
        if (keys[i].kind == K_STR && strcmp(keys[i].name, "smtp_password") == 0)
            fprintf(fp, "%s = %s\n", keys[i].name, *field ? "(set)" : "");
        else if (keys[i].kind == K_STR)
            fprintf(fp, "%s = %s\n", keys[i].name, field);
        else
            fprintf(fp, "%s = %d\n", keys[i].name, *(const int *)(const void *)field);
    }
}
