/*
 * log.h - diagnostics on stderr and the access log (one JSON line per request).
 */
#ifndef LOG_H
#define LOG_H

#include <stdint.h>

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR };

void log_set_level(enum log_level level);
/* Set the access-log destination: a path, "-" for stdout, or NULL for none. */
int log_set_access(const char *path);
void log_close(void);
void log_msg(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void log_access(const char *method,
                const char *path,
                int status,
                double ms,
                int64_t user_id,
                const char *remote);

#define log_info(...)  log_msg(LOG_INFO, __VA_ARGS__)
#define log_warn(...)  log_msg(LOG_WARN, __VA_ARGS__)
#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)

#endif
