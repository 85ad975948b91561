/*
 * main.c - the anjia command line: settings, subcommands, signals.
 */
#include <errno.h>
#include <string.h>
#include <time.h>

#include <pthread.h>
#include <signal.h>
#include <sodium.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "api/api.h"
#include "core/config.h"
#include "core/crypto.h"
#include "core/http_server.h"
#include "core/log.h"
#include "core/net.h"
#include "core/timeutil.h"
#include "domain/approval.h"
#include "domain/approval_handlers.h"
#include "domain/audit.h"
#include "domain/auth.h"
#include "domain/contract.h"
#include "domain/demo.h"
#include "domain/import.h"
#include "domain/outbox.h"
#include "domain/rekey.h"
#include "domain/scheduler.h"
#include "domain/ticket.h"
#include "store/db.h"

static const char usage[] =
        "anjia " APP_VERSION " - 房地产客服部工作系统 (real-estate customer service)\n"
        "\n"
        "usage: anjia COMMAND [options]\n"
        "\n"
        "commands:\n"
        "  init      create or migrate the database; create the admin user\n"
        "            (password from ANJIA_ADMIN_PASSWORD, or generated and printed once)\n"
        "  demo      load deterministic demo data and one user per role\n"
        "            [--scale N (3N projects)] [--projects N] [--buildings N per project]\n"
        "            [--flats N per landing] [--seed S]; password from ANJIA_DEMO_PASSWORD\n"
        "  serve     serve the API and the web UI\n"
        "  migrate   apply pending database migrations\n"
        "  user add USERNAME --role ROLE [--name NAME] [--all-projects]\n"
        "  user passwd USERNAME     (new password from ANJIA_USER_PASSWORD or printed)\n"
        "  user disable USERNAME\n"
        "  user list\n"
        "  audit verify             check the audit trail's hash chain\n"
        "  rekey                    rotate the master key (re-seal personal data and the\n"
        "                           audit chain; stop the servers first)\n"
        "  remind [--now TIME]      run every scheduled job once (approval reminders, ticket\n"
        "                           SLA, warranty expiry, certificate and filing deadlines,\n"
        "                           mortgage follow-ups and weekly report), for cron; a notice\n"
        "                           is never sent twice; TIME is \"YYYY-MM-DDTHH:MM:SSZ\"\n"
        "  migrate-data --from sqlite:PATH --to postgresql://…\n"
        "                           copy a whole installation into PostgreSQL (checked by\n"
        "                           row counts and the audit chain; the key file stays)\n"
        "  routes                   print every API route and its permission\n"
        "  config                   print the effective settings\n"
        "\n"
        "options (every command; also ANJIA_<NAME> environment variables and a\n"
        "config file of 'name = value' lines):\n"
        "  --config PATH            read settings from PATH (or ANJIA_CONFIG)\n"
        "  --db PATH                SQLite database file (default data/anjia.db)\n"
        "  --listen HOST:PORT       address to serve on (default 127.0.0.1:8080; port 0 = any)\n"
        "  --key-file PATH          master key file (default: <db>.key)\n"
        "  --web-dir DIR            serve the UI from DIR instead of the built-in copy\n"
        "  --access-log PATH        access log, one JSON line per request ('-' stdout, '' off)\n"
        "  --log-level LEVEL        debug, info, warn or error\n"
        "  --pool-size N            database connections (default 8)\n"
        "  --session-idle-minutes N sessions end after N idle minutes (default 480)\n"
        "  --max-hashes N           concurrent password hashes (default 2)\n"
        "  --cookie-secure BOOL     mark the session cookie Secure (behind TLS)\n"
        "  --help, --version\n";

/*---- Settings ----*/

struct cli {
    struct config cfg;
    int argc; /* positional arguments left */
    char **argv;
    struct demo_options demo;
    char role[64];
    char name[128];
    int all_projects;
    int64_t now;    /* remind --now */
    char from[512]; /* migrate-data --from */
    char to[512];   /* migrate-data --to */
};

static int parse_args(struct cli *cli, int argc, char **argv)
{
    struct app_err err = {0};
    config_defaults(&cli->cfg);
    cli->demo.projects = 3;
    cli->demo.buildings = 4;
    cli->demo.flats = 2;
    cli->demo.seed = 20261128;
    const char *cfg_file = getenv("ANJIA_CONFIG");
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "--config") == 0 && i + 1 < argc)
            cfg_file = argv[i + 1];
    if (cfg_file && *cfg_file && config_load_file(&cli->cfg, cfg_file, &err) < 0)
        goto fail;
    if (config_load_env(&cli->cfg, &err) < 0)
        goto fail;
    cli->argv = xcalloc((size_t)argc + 1, sizeof(char *));
    cli->argc = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strncmp(a, "--", 2) != 0 || strcmp(a, "--help") == 0 || strcmp(a, "--version") == 0) {
            cli->argv[cli->argc++] = argv[i];
            continue;
        }
        if (strcmp(a, "--all-projects") == 0) {
            cli->all_projects = 1;
            continue;
        }
        if (i + 1 >= argc) {
            fprintf(stderr, "anjia: %s needs a value\n", a);
            return -1;
        }
        const char *v = argv[++i];
        if (strcmp(a, "--config") == 0)
            continue;
        if (strcmp(a, "--scale") == 0 || strcmp(a, "--projects") == 0 ||
            strcmp(a, "--buildings") == 0 || strcmp(a, "--flats") == 0 ||
            strcmp(a, "--seed") == 0) {
            int64_t n;
            if (app_parse_int64(&n, v) < 0 || (strcmp(a, "--seed") != 0 && (n < 1 || n > 1000))) {
                fprintf(stderr, "anjia: %s must be a number from 1 to 1000\n", a);
                return -1;
            }
            if (strcmp(a, "--scale") == 0)
                cli->demo.projects = 3 * (int)n;
            else if (strcmp(a, "--projects") == 0)
                cli->demo.projects = (int)n;
            else if (strcmp(a, "--buildings") == 0)
                cli->demo.buildings = (int)n;
            else if (strcmp(a, "--flats") == 0)
                cli->demo.flats = (int)n;
            else
                cli->demo.seed = (uint64_t)n;
            continue;
        }
        if (strcmp(a, "--from") == 0 || strcmp(a, "--to") == 0) {
            app_strlcpy(strcmp(a, "--from") == 0 ? cli->from : cli->to, v,
                        strcmp(a, "--from") == 0 ? sizeof(cli->from) : sizeof(cli->to));
            continue;
        }
        if (strcmp(a, "--now") == 0) {
            if (time_parse_iso(&cli->now, v) < 0) {
                fprintf(stderr, "anjia: --now must be YYYY-MM-DDTHH:MM:SSZ\n");
                return -1;
            }
            continue;
        }
        if (strcmp(a, "--role") == 0) {
            app_strlcpy(cli->role, v, sizeof(cli->role));
            continue;
        }
        if (strcmp(a, "--name") == 0) {
            app_strlcpy(cli->name, v, sizeof(cli->name));
            continue;
        }
        char key[64];
        app_strlcpy(key, a + 2, sizeof(key));
        for (char *p = key; *p; p++)
            if (*p == '-')
                *p = '_';
        if (config_set(&cli->cfg, key, v, &err) < 0)
            goto fail;
    }
    config_finish(&cli->cfg);
    return 0;
fail:
    fprintf(stderr, "anjia: %s\n", err.message);
    return -1;
}

static void apply_log_level(const struct config *cfg)
{
    if (strcmp(cfg->log_level, "debug") == 0)
        log_set_level(LOG_DEBUG);
    else if (strcmp(cfg->log_level, "warn") == 0)
        log_set_level(LOG_WARN);
    else if (strcmp(cfg->log_level, "error") == 0)
        log_set_level(LOG_ERROR);
    else
        log_set_level(LOG_INFO);
}

/* Make the directory that will hold path, if it is missing. */
static void ensure_parent_dir(const char *path)
{
    const char *p = strncmp(path, "sqlite:", 7) == 0 ? path + 7 : path;
    const char *slash = strrchr(p, '/');
    if (slash == NULL || slash == p)
        return;
    char dir[512];
    snprintf(dir, sizeof(dir), "%.*s", (int)(slash - p), p);
    mkdir(dir, 0700);
}

/* Open the database, apply migrations, load the key (creating it when
 * create_key is set). */
static int open_store(struct db **db, const struct cli *cli, int create_key)
{
    struct app_err err = {0};
    *db = NULL;
    if (crypto_init(cli->cfg.max_hashes) < 0) {
        fprintf(stderr, "anjia: cannot initialise libsodium\n");
        return -1;
    }
    if (create_key)
        ensure_parent_dir(cli->cfg.db);
    if (crypto_load_key(cli->cfg.key_file, create_key, &err) < 0) {
        fprintf(stderr, "anjia: %s\n%s", err.message,
                create_key ? "" : "hint: run 'anjia init' first, or set --key-file\n");
        return -1;
    }
    if (db_open(db, cli->cfg.db, cli->cfg.pool_size, &err) < 0) {
        fprintf(stderr, "anjia: %s\n", err.message);
        return -1;
    }
    if (db_migrate(*db, &err) < 0) {
        fprintf(stderr, "anjia: %s\n", err.message);
        db_close(*db);
        *db = NULL;
        return -1;
    }
    return 0;
}

/* A password from env var name, or a fresh random one (printed by caller). */
static void password_from_env(char *out, size_t size, const char *name, int *generated)
{
    const char *v = getenv(name);
    *generated = 0;
    if (v && *v) {
        app_strlcpy(out, v, size);
        return;
    }
    unsigned char raw[12];
    randombytes_buf(raw, sizeof(raw));
    sodium_bin2base64(out, size, raw, sizeof(raw), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    *generated = 1;
}

/*---- Commands ----*/

static int cmd_init(struct cli *cli)
{
    struct db *db = NULL;
    struct app_err err = {0};
    if (open_store(&db, cli, 1) < 0)
        return 1;
    int rc = 0;
    struct db_conn *c = db_acquire(db);
    int64_t id = 0;
    if (auth_user_id(c, "admin", &id) == 0) {
        printf("anjia: database %s is ready (schema %d); user admin exists\n", cli->cfg.db,
               db_schema_version(db));
        goto done;
    }
    char pw[64];
    int generated;
    password_from_env(pw, sizeof(pw), "ANJIA_ADMIN_PASSWORD", &generated);
    rc = db_begin(c, 1);
    if (rc == 0)
        rc = auth_create_user(c, &id, "admin", "系统管理员", "admin", "客服部", 1, pw, &err);
    if (rc == 0)
        rc = db_commit(c);
    if (rc < 0) {
        fprintf(stderr, "anjia: cannot create admin: %s\n", err.message);
        goto done;
    }
    printf("anjia: database %s is ready (schema %d)\n", cli->cfg.db, db_schema_version(db));
    if (generated)
        printf("admin password (shown once, write it down): %s\n", pw);
    else
        printf("admin password: from ANJIA_ADMIN_PASSWORD\n");
done:
    db_release(c);
    db_close(db);
    return rc < 0 ? 1 : 0;
}

static int cmd_demo(struct cli *cli)
{
    struct db *db = NULL;
    struct app_err err = {0};
    struct demo_counts n;
    if (open_store(&db, cli, 1) < 0)
        return 1;
    char pw[64];
    int generated;
    password_from_env(pw, sizeof(pw), "ANJIA_DEMO_PASSWORD", &generated);
    int rc = demo_generate(db, &cli->demo, pw, &n, &err);
    db_close(db);
    if (rc < 0) {
        fprintf(stderr, "anjia: %s\n", err.message[0] ? err.message : "demo data failed");
        return 1;
    }
    printf("anjia: demo data: %d projects, %d buildings, %d units, %d customers, %d contracts,"
           " %d users\n",
           n.projects, n.buildings, n.units, n.customers, n.contracts, n.users);
    if (n.users > 0) {
        printf("demo logins (password %s):", generated ? pw : "from ANJIA_DEMO_PASSWORD");
        for (size_t i = 0; i < demo_user_count(); i++) {
            const char *label;
            const char *name = demo_user_name(i, &label);
            printf(" %s(%s)", name, label);
        }
        printf("\n");
    }
    return 0;
}

static int cmd_migrate(struct cli *cli)
{
    struct db *db = NULL;
    if (open_store(&db, cli, 0) < 0)
        return 1;
    printf("anjia: schema version %d\n", db_schema_version(db));
    db_close(db);
    return 0;
}

static volatile sig_atomic_t stop_requested;

/* This server's name in job leases and the run log. */
static void holder_name(char *out, size_t size)
{
    char host[128] = "localhost";
    gethostname(host, sizeof(host) - 1);
    snprintf(out, size, "%s:%ld", host, (long)getpid());
}

/* migrate-data --from sqlite:PATH --to postgresql://…: a whole installation
 * into PostgreSQL, checked by row counts and then by the audit chain. */
static int cmd_migrate_data(struct cli *cli)
{
    struct app_err err = {0};
    if (cli->from[0] == '\0' || cli->to[0] == '\0') {
        fprintf(stderr, "anjia: migrate-data needs --from sqlite:PATH and --to postgresql://…\n");
        return 2;
    }
    const char *from = strncmp(cli->from, "sqlite:", 7) == 0 ? cli->from + 7 : cli->from;
    /* The key file is the source's unless one was named: <PATH>.key. */
    if (getenv("ANJIA_KEY_FILE") == NULL && strcmp(cli->cfg.key_file, "data/anjia.db.key") == 0) {
        char key[sizeof(cli->cfg.key_file) + 8];
        snprintf(key, sizeof(key), "%s.key", from);
        app_strlcpy(cli->cfg.key_file, key, sizeof(cli->cfg.key_file));
    }
    if (crypto_init(cli->cfg.max_hashes) < 0 || crypto_load_key(cli->cfg.key_file, 0, &err) < 0) {
        fprintf(stderr, "anjia: %s\n", err.message);
        return 1;
    }
    struct db *src = NULL, *dst = NULL;
    int rc = db_open(&src, from, 1, &err);
    if (rc == 0)
        rc = db_open(&dst, cli->to, 1, &err);
    if (rc == 0 && db_migrate(src, &err) < 0)
        rc = -1;
    if (rc == 0 && db_migrate(dst, &err) < 0)
        rc = -1;
    if (rc == 0)
        rc = db_copy_all(src, dst, &err);
    db_close(src);
    if (rc < 0) {
        db_close(dst);
        fprintf(stderr, "anjia: migrate-data failed: %s\n", err.message);
        return 1;
    }
    int64_t bad = 0, rows = 0;
    char reason[256] = "";
    rc = audit_verify(dst, &bad, &rows, reason, sizeof(reason));
    db_close(dst);
    if (rc < 0) {
        fprintf(stderr, "anjia: the copied audit trail does not verify (row %lld): %s\n",
                (long long)bad, reason);
        return 3;
    }
    printf("anjia: copied; row counts equal; audit trail intact in the copy: %lld rows\n",
           (long long)rows);
    return 0;
}

static int cmd_remind(struct cli *cli)
{
    struct db *db = NULL;
    if (open_store(&db, cli, 0) < 0)
        return 1;
    char holder[160];
    holder_name(holder, sizeof(holder));
    /* Every enabled job now, whatever its period: cron decides when. */
    int n = scheduler_run(db, cli->now ? cli->now : time_now(), holder, 1);
    db_close(db);
    if (n < 0)
        return 1;
    printf("anjia: %d reminders fired\n", n);
    return 0;
}

/* Background work of a server: every 30 seconds, the scheduled jobs that
 * are due (scheduler.h). A job runs under a lease in the database and never
 * sends a notice twice, so several servers may share one database. */
struct ticker {
    struct db *db;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    int stop;
};

static void *ticker_main(void *arg)
{
    struct ticker *t = arg;
    pthread_mutex_lock(&t->lock);
    while (!t->stop) {
        pthread_mutex_unlock(&t->lock);
        char holder[160];
        holder_name(holder, sizeof(holder));
        scheduler_run(t->db, time_now(), holder, 0);
        pthread_mutex_lock(&t->lock);
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += 30;
        while (!t->stop && pthread_cond_timedwait(&t->wake, &t->lock, &until) == 0)
            ;
    }
    pthread_mutex_unlock(&t->lock);
    return NULL;
}

static void on_signal(int sig)
{
    (void)sig;
    stop_requested = 1;
}

static int cmd_serve(struct cli *cli)
{
    struct db *db = NULL;
    struct app_err err = {0};
    struct http_server *srv = NULL;
    if (open_store(&db, cli, 0) < 0)
        return 1;
    auth_set_idle_minutes(cli->cfg.session_idle_minutes);
    if (log_set_access(cli->cfg.access_log) < 0) {
        fprintf(stderr, "anjia: cannot open access log %s\n", cli->cfg.access_log);
        db_close(db);
        return 1;
    }
    struct api_app app = {.db = db,
                          .web_dir = cli->cfg.web_dir[0] ? cli->cfg.web_dir : NULL,
                          .cookie_secure = cli->cfg.cookie_secure};
    char host[128];
    int port = 0;
    const char *colon = strrchr(cli->cfg.listen, ':');
    int64_t p = -1;
    if (colon == NULL || app_parse_int64(&p, colon + 1) < 0 || p < 0 || p > 65535) {
        fprintf(stderr, "anjia: --listen must be HOST:PORT\n");
        db_close(db);
        return 1;
    }
    port = (int)p;
    snprintf(host, sizeof(host), "%.*s", (int)(colon - cli->cfg.listen), cli->cfg.listen);
    if (host[0] == '[') { /* [::1]:8080 */
        memmove(host, host + 1, strlen(host));
        char *end = strchr(host, ']');
        if (end)
            *end = '\0';
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    if (http_server_start(&srv, host, port, api_handle, api_body_limit, &app, &err) < 0) {
        fprintf(stderr, "anjia: %s\n", err.message);
        db_close(db);
        return 1;
    }
    char hostbuf[140];
    if (strchr(host, ':'))
        snprintf(hostbuf, sizeof(hostbuf), "[%s]", host);
    else
        snprintf(hostbuf, sizeof(hostbuf), "%s", host);
    printf("anjia listening on http://%s:%d\n", hostbuf, http_server_port(srv));
    fflush(stdout);
    struct ticker ticker = {.db = db, .stop = 0};
    pthread_mutex_init(&ticker.lock, NULL);
    pthread_cond_init(&ticker.wake, NULL);
    int ticking = pthread_create(&ticker.thread, NULL, ticker_main, &ticker) == 0;
    while (!stop_requested)
        pause();
    log_info("stopping: finishing requests in flight");
    if (ticking) {
        pthread_mutex_lock(&ticker.lock);
        ticker.stop = 1;
        pthread_cond_signal(&ticker.wake);
        pthread_mutex_unlock(&ticker.lock);
        pthread_join(ticker.thread, NULL);
    }
    pthread_mutex_destroy(&ticker.lock);
    pthread_cond_destroy(&ticker.wake);
    http_server_stop(srv, 30000);
    import_wait_all();
    db_close(db);
    log_close();
    log_info("stopped");
    return 0;
}

static int cmd_user(struct cli *cli)
{
    if (cli->argc < 2) {
        fprintf(stderr, "usage: anjia user add|passwd|disable|list ...\n");
        return 2;
    }
    const char *sub = cli->argv[1];
    const char *username = cli->argc >= 3 ? cli->argv[2] : NULL;
    struct db *db = NULL;
    struct app_err err = {0};
    if (open_store(&db, cli, 0) < 0)
        return 1;
    struct db_conn *c = db_acquire(db);
    int rc = 0;
    if (strcmp(sub, "list") == 0) {
        struct db_stmt *s = NULL;
        rc = db_prepare(&s, c,
                        "SELECT u.username, u.display_name, r.code, u.status, u.last_login_at"
                        " FROM users u JOIN roles r ON r.id = u.role_id ORDER BY u.username");
        if (rc == 0) {
            printf("%-16s %-12s %-10s %-9s %s\n", "USERNAME", "ROLE", "STATUS", "LAST LOGIN",
                   "NAME");
            while (db_step(s) == DB_ROW)
                printf("%-16s %-12s %-10s %-9s %s\n", db_col_text(s, 0), db_col_text(s, 2),
                       db_col_text(s, 3), db_col_text(s, 4) ? db_col_text(s, 4) : "-",
                       db_col_text(s, 1));
        }
        db_finalize(s);
        goto done;
    }
    if (username == NULL) {
        fprintf(stderr, "anjia: user %s needs a USERNAME\n", sub);
        rc = -1;
        goto done;
    }
    rc = db_begin(c, 1);
    if (rc < 0)
        goto done;
    if (strcmp(sub, "add") == 0) {
        char pw[64];
        int generated;
        int64_t id;
        if (cli->role[0] == '\0') {
            fprintf(stderr, "anjia: user add needs --role (admin, agent, contract, mortgage,"
                            " manager, engineer, finance, property)\n");
            rc = -1;
            goto done;
        }
        password_from_env(pw, sizeof(pw), "ANJIA_USER_PASSWORD", &generated);
        rc = auth_create_user(c, &id, username, cli->name[0] ? cli->name : username, cli->role,
                              NULL, cli->all_projects, pw, &err);
        if (rc == 0 && generated)
            printf("password for %s (shown once): %s\n", username, pw);
    } else if (strcmp(sub, "passwd") == 0) {
        char pw[64];
        int generated;
        int64_t id;
        rc = auth_user_id(c, username, &id);
        if (rc < 0) {
            app_err_set(&err, rc, NULL, "no user %s", username);
            goto done;
        }
        password_from_env(pw, sizeof(pw), "ANJIA_USER_PASSWORD", &generated);
        rc = auth_set_password(c, id, pw, &err);
        if (rc == 0)
            rc = audit_append(c, 0, "system", "password_reset", "users", id, NULL, NULL);
        if (rc == 0 && generated)
            printf("new password for %s (shown once): %s\n", username, pw);
    } else if (strcmp(sub, "disable") == 0) {
        int64_t id;
        rc = auth_user_id(c, username, &id);
        if (rc < 0) {
            app_err_set(&err, rc, NULL, "no user %s", username);
            goto done;
        }
        rc = db_run(c, "UPDATE users SET status = 'disabled' WHERE id = ?", "i", id);
        if (rc >= 0)
            rc = db_run(c, "DELETE FROM sessions WHERE user_id = ?", "i", id);
        if (rc >= 0) {
            json_t *after = json_pack("{s:s}", "status", "disabled");
            rc = audit_append(c, 0, "system", "update", "users", id, NULL, after);
            json_decref(after);
        }
    } else {
        fprintf(stderr, "anjia: unknown user command %s\n", sub);
        rc = -1;
        goto done;
    }
    if (rc >= 0)
        rc = db_commit(c);
done:
    if (db_in_tx(c))
        db_rollback(c);
    if (rc < 0 && err.message[0])
        fprintf(stderr, "anjia: %s\n", err.message);
    db_release(c);
    db_close(db);
    return rc < 0 ? 1 : 0;
}

/* Rotate the master key: a new key file next to the current one, everything
 * re-sealed under it in one transaction, then the files swapped. */
static int cmd_rekey(struct cli *cli)
{
    struct db *db = NULL;
    struct app_err err = {0};
    if (open_store(&db, cli, 0) < 0)
        return 1;
    char next[600], retired[640], stamp[32];
    snprintf(next, sizeof(next), "%s.new", cli->cfg.key_file);
    unlink(next);
    unsigned char current[CRYPTO_KEY_BYTES];
    crypto_get_master(current);
    /* crypto_load_key(create) writes a fresh key file; load the current one back after. */
    if (crypto_load_key(next, 1, &err) < 0) {
        fprintf(stderr, "anjia: %s\n", err.message);
        db_close(db);
        return 1;
    }
    crypto_set_master(current);
    sodium_memzero(current, sizeof(current));
    long long values = 0, rows = 0;
    int rc = rekey_all(db, next, &values, &rows, &err);
    db_close(db);
    if (rc < 0) {
        unlink(next);
        fprintf(stderr, "anjia: %s\n", err.message);
        return 1;
    }
    time_now_iso(stamp, sizeof(stamp));
    snprintf(retired, sizeof(retired), "%s.retired-%.10s", cli->cfg.key_file, stamp);
    if (rename(cli->cfg.key_file, retired) != 0 || rename(next, cli->cfg.key_file) != 0) {
        fprintf(stderr,
                "anjia: the data now uses the key in %s, but the key files could not be swapped:"
                " move it to %s by hand before starting the server\n",
                next, cli->cfg.key_file);
        return 1;
    }
    printf("anjia: key rotated: %lld personal-data values re-sealed, %lld audit rows re-chained\n"
           "new key: %s (back it up now); old key kept as %s until you destroy it\n",
           values, rows, cli->cfg.key_file, retired);
    return 0;
}

static int cmd_audit(struct cli *cli)
{
    if (cli->argc < 2 || strcmp(cli->argv[1], "verify") != 0) {
        fprintf(stderr, "usage: anjia audit verify --db PATH\n");
        return 2;
    }
    struct db *db = NULL;
    if (open_store(&db, cli, 0) < 0)
        return 1;
    int64_t bad = 0, rows = 0;
    char reason[256];
    int rc = audit_verify(db, &bad, &rows, reason, sizeof(reason));
    db_close(db);
    if (rc == 0) {
        printf("audit trail intact: %lld rows\n", (long long)rows);
        return 0;
    }
    if (rc == APP_ECONFLICT) {
        printf("audit trail BROKEN at row %lld: %s\n", (long long)bad, reason);
        return 3;
    }
    fprintf(stderr, "anjia: cannot read the audit trail\n");
    return 1;
}

int main(int argc, char **argv)
{
    struct cli cli;
    memset(&cli, 0, sizeof(cli));
    if (parse_args(&cli, argc, argv) < 0) {
        free(cli.argv);
        return 2;
    }
    apply_log_level(&cli.cfg);
    approval_handlers_init();
    contract_init();
    ticket_init();
    net_init();
    outbox_configure(&cli.cfg);
    int rc = 2;
    const char *cmd = cli.argc > 0 ? cli.argv[0] : NULL;
    if (cmd == NULL || strcmp(cmd, "--help") == 0 || strcmp(cmd, "help") == 0) {
        fputs(usage, cmd ? stdout : stderr);
        rc = cmd ? 0 : 2;
    } else if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "version") == 0) {
        printf("anjia %s\n", APP_VERSION);
        rc = 0;
    } else if (strcmp(cmd, "init") == 0) {
        rc = cmd_init(&cli);
    } else if (strcmp(cmd, "demo") == 0) {
        rc = cmd_demo(&cli);
    } else if (strcmp(cmd, "serve") == 0) {
        rc = cmd_serve(&cli);
    } else if (strcmp(cmd, "migrate") == 0) {
        rc = cmd_migrate(&cli);
    } else if (strcmp(cmd, "user") == 0) {
        rc = cmd_user(&cli);
    } else if (strcmp(cmd, "rekey") == 0) {
        rc = cmd_rekey(&cli);
    } else if (strcmp(cmd, "audit") == 0) {
        rc = cmd_audit(&cli);
    } else if (strcmp(cmd, "migrate-data") == 0) {
        rc = cmd_migrate_data(&cli);
    } else if (strcmp(cmd, "remind") == 0) {
        rc = cmd_remind(&cli);
    } else if (strcmp(cmd, "routes") == 0) {
        api_print_routes(stdout);
        rc = 0;
    } else if (strcmp(cmd, "config") == 0) {
        config_print(&cli.cfg, stdout);
        rc = 0;
    } else {
        fprintf(stderr, "anjia: unknown command '%s' (try anjia --help)\n", cmd);
    }
    free(cli.argv);
    return rc;
}
