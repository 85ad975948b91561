#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <time.h>

#include <jansson.h>
#include <pthread.h>

#include "app.h"
#include "timeutil.h"

static enum log_level min_level = LOG_INFO;
static FILE *access_fp;
static pthread_mutex_t access_lock = PTHREAD_MUTEX_INITIALIZER;

void log_set_level(enum log_level level)
{
    min_level = level;
}

int log_set_access(const char *path)
{
    if (access_fp && access_fp != stdout)
        fclose(access_fp);
    access_fp = NULL;
    if (path == NULL || *path == '\0')
        return 0;
    if (strcmp(path, "-") == 0) {
        access_fp = stdout;
        return 0;
    }
    access_fp = fopen(path, "a");
    return access_fp ? 0 : APP_EIO;
}

void log_close(void)
{
    log_set_access(NULL);
}

void log_msg(enum log_level level, const char *fmt, ...)
{
    static const char *names[] = {"debug", "info", "warn", "error"};
    if (level < min_level)
        return;
    char ts[32];
    time_now_iso(ts, sizeof(ts));
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    fprintf(stderr, "%s %s %s\n", ts, names[level], msg);
}

void log_access(const char *method,
                const char *path,
                int status,
                double ms,
                int64_t user_id,
                const char *remote)
{
    if (access_fp == NULL)
        return;
    char ts[32];
    time_now_iso(ts, sizeof(ts));
    json_t *o = json_pack("{s:s, s:s, s:s, s:i, s:f, s:s}", "ts", ts, "method",
                          method ? method : "", "path", path ? path : "", "status", status, "ms",
                          ms, "remote", remote ? remote : "");
    if (o == NULL)
        return;
    if (user_id > 0)
        json_object_set_new(o, "user", json_integer(user_id));
    char *line = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    if (line == NULL)
        return;
    pthread_mutex_lock(&access_lock);
    fputs(line, access_fp);
    fputc('\n', access_fp);
    fflush(access_fp);
    pthread_mutex_unlock(&access_lock);
    free(line);
}
