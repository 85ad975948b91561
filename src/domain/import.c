/*
 * import.c - bulk import jobs: header matching, value conversion, per-row
 * validation through the entity layer, all-or-nothing writes, progress.
 */
#include "import.h"

#include <stdlib.h>
#include <string.h>

#include <ctype.h>
#include <pthread.h>

#include "audit.h"
#include "core/log.h"
#include "core/strbuf.h"
#include "core/table.h"
#include "core/timeutil.h"
#include "core/xlsx.h"
#include "customer.h"
#include "entity.h"
#include "query.h"

/*---- What each kind takes ----*/

enum special { SP_NONE, SP_PROJECT_CODE, SP_BUILDING_CODE, SP_ROOM_CODE, SP_SHARE };

struct import_column {
    const char *header; /* template header; '*' marks required */
    const char *field;  /* entity field, or NULL for a special */
    enum special special;
    const char *aliases; /* other headers accepted, '|'-separated */
    const char *example;
};

struct import_kind {
    const char *kind;
    const char *entity;
    const struct import_column *cols;
    size_t n_cols;
};

static const struct import_column project_cols[] = {
        {"项目编码*", "code", SP_NONE, "编码|项目代码", "P101"},
        {"项目名称*", "name", SP_NONE, "名称|项目", "和悦府三期"},
        {"城市", "city", SP_NONE, "", "杭州"},
        {"地址", "address", SP_NONE, "项目地址", "杭州市余杭区良渚街道88号"},
        {"预售许可证", "presale_permits", SP_NONE, "预售证|预售许可证号", "杭房预售证第20250188号"},
        {"状态", "status", SP_NONE, "项目状态", "在售"},
};

static const struct import_column unit_cols[] = {
        {"项目编码*", NULL, SP_PROJECT_CODE, "项目代码|项目", "P001"},
        {"楼栋编号*", NULL, SP_BUILDING_CODE, "楼栋|楼号|栋号", "9"},
        {"单元*", "unit_no", SP_NONE, "单元号", "1"},
        {"楼层*", "floor", SP_NONE, "所在楼层|层", "15"},
        {"室号*", "room", SP_NONE, "房间号|室|户号", "1501"},
        {"户型", "layout", SP_NONE, "户型结构", "三室两厅两卫"},
        {"用途", "usage", SP_NONE, "房屋用途", "住宅"},
        {"预测面积(m²)", "contract_area_dm2", SP_NONE, "合同面积|建筑面积|预售面积|预测面积",
         "123.45"},
        {"实测面积(m²)", "measured_area_dm2", SP_NONE, "实测建筑面积|实测面积", ""},
        {"标价(元)", "list_price_fen", SP_NONE, "总价|房屋总价|标价", "2469000.00"},
        {"状态", "status", SP_NONE, "销售状态|房源状态", "未售"},
};

static const struct import_column customer_cols[] = {
        {"姓名/名称*", "name", SP_NONE, "姓名|名称|客户姓名|客户名称|业主姓名|买受人", "张三"},
        {"类型", "kind", SP_NONE, "客户类型", "个人"},
        {"证件类型", "id_type", SP_NONE, "", "居民身份证"},
        {"证件号码*", "id_number", SP_NONE, "身份证号|身份证号码|证件号", "11010519491231002X"},
        {"手机*", "phone", SP_NONE, "手机号|手机号码|联系电话|电话|联系方式", "13812345678"},
        {"备用手机", "phone2", SP_NONE, "备用电话", ""},
        {"性别", "gender", SP_NONE, "", "女"},
        {"户籍", "hukou", SP_NONE, "户口", "本地户籍"},
        {"婚姻状况", "marital", SP_NONE, "婚姻", "已婚"},
        {"通讯地址", "address", SP_NONE, "地址|联系地址", "杭州市余杭区良渚街道88号"},
        {"统一社会信用代码", "uscc", SP_NONE, "信用代码", ""},
        {"项目编码", NULL, SP_PROJECT_CODE, "项目代码", "P001"},
        {"房号", NULL, SP_ROOM_CODE, "房屋编号|房间", "1-1-101"},
        {"产权份额(%)", NULL, SP_SHARE, "份额|产权份额", "100"},
        {"备注", "note", SP_NONE, "", ""},
};

static const struct import_kind kinds[] = {
        {"projects", "projects", project_cols, ARRAY_LEN(project_cols)},
        {"units", "units", unit_cols, ARRAY_LEN(unit_cols)},
        {"customers", "customers", customer_cols, ARRAY_LEN(customer_cols)},
};

static const struct import_kind *find_kind(const char *kind)
{
    for (size_t i = 0; kind && i < ARRAY_LEN(kinds); i++)
        if (strcmp(kinds[i].kind, kind) == 0)
            return &kinds[i];
    return NULL;
}

int import_kind_known(const char *kind)
{
    return find_kind(kind) != NULL;
}

/* A header without spaces, required marks and unit suffixes. */
static void header_key(char *out, size_t size, const char *h)
{
    static const char *const drop[] = {"(元)", "（元）", "(m²)", "（m²）", "(㎡)", "（㎡）",
                                       "(%)",  "（%）",  "*",    " ",      "\t"};
    app_strlcpy(out, h, size);
    for (size_t i = 0; i < ARRAY_LEN(drop); i++) {
        char *p;
        size_t dl = strlen(drop[i]);
        while ((p = strstr(out, drop[i])) != NULL)
            memmove(p, p + dl, strlen(p + dl) + 1);
    }
}

static int alias_match(const char *aliases, const char *key)
{
    size_t kl = strlen(key);
    for (const char *p = aliases; p && *p;) {
        const char *bar = strchr(p, '|');
        size_t n = bar ? (size_t)(bar - p) : strlen(p);
        if (n == kl && strncmp(p, key, n) == 0)
            return 1;
        p = bar ? bar + 1 : NULL;
    }
    return 0;
}

/* The import column a file's header means, or NULL. */
static const struct import_column *match_header(const struct import_kind *k, const char *header)
{
    char key[128], tkey[128];
    header_key(key, sizeof(key), header);
    if (*key == '\0')
        return NULL;
    for (size_t i = 0; i < k->n_cols; i++) {
        const struct import_column *c = &k->cols[i];
        header_key(tkey, sizeof(tkey), c->header);
        if (strcmp(tkey, key) == 0 || alias_match(c->aliases, key) ||
            (c->field && strcmp(c->field, key) == 0))
            return c;
    }
    /* Our own Excel exports use the field labels. */
    const struct entity *e = entity_find(k->entity);
    for (size_t i = 0; i < k->n_cols; i++) {
        const struct import_column *c = &k->cols[i];
        const struct entity_field *f = c->field ? entity_field(e, c->field) : NULL;
        if (f && strcmp(f->label, key) == 0)
            return c;
    }
    return NULL;
}

/*---- Values ----*/

/* "1,234,567.89" / "¥2469000" → integer hundredths; APP_EINVAL otherwise. */
static int parse_hundredths(int64_t *out, const char *s)
{
    char buf[64];
    size_t o = 0;
    for (; *s && o + 1 < sizeof(buf); s++) {
        if (*s == ',' || *s == ' ')
            continue;
        if (strncmp(s, "¥", strlen("¥")) == 0) {
            s += strlen("¥") - 1;
            continue;
        }
        buf[o++] = *s;
    }
    buf[o] = '\0';
    const char *p = buf;
    int neg = 0;
    if (*p == '-') {
        neg = 1;
        p++;
    }
    int64_t whole = 0, frac = 0;
    int digits = 0, fd = 0;
    for (; isdigit((unsigned char)*p); p++, digits++) {
        if (whole > (INT64_MAX - 9) / 10 / 100)
            return APP_EINVAL;
        whole = whole * 10 + (*p - '0');
    }
    if (*p == '.') {
        p++;
        for (; isdigit((unsigned char)*p); p++, fd++) {
            if (fd >= 2) {
                if (*p != '0')
                    return APP_EINVAL; /* more precision than fen or 0.01 m² */
                continue;
            }
            frac = frac * 10 + (*p - '0');
        }
        if (fd == 1)
            frac *= 10;
    }
    if (*p != '\0' || (digits == 0 && fd == 0))
        return APP_EINVAL;
    *out = (whole * 100 + frac) * (neg ? -1 : 1);
    return 0;
}

/* Excel stores 89.85 as the double nearest to it and may write it back as
 * 89.84999999999999: accept such a number when it is within a millionth of
 * an exact hundredth. */
static int float_hundredths(int64_t *out, const char *s)
{
    char *end = NULL;
    double x = strtod(s, &end);
    if (end == s || *end != '\0' || x != x || x > 9e13 || x < -9e13)
        return APP_EINVAL;
    double h = x * 100.0;
    int64_t r = (int64_t)(h < 0 ? h - 0.5 : h + 0.5);
    double diff = h - (double)r;
    if (diff > 1e-4 || diff < -1e-4)
        return APP_EINVAL;
    *out = r;
    return 0;
}

/* Cell text → the JSON value the entity field takes; NULL for an empty cell. */
static json_t *cell_value(const struct entity_field *f, const char *cell, char *msg, size_t msz)
{
    while (*cell == ' ')
        cell++;
    if (*cell == '\0')
        return NULL;
    int64_t v;
    switch (f->type) {
    case FT_INT: {
        char buf[32];
        app_strlcpy(buf, cell, sizeof(buf));
        size_t n = strlen(buf);
        if (n > 2 && strcmp(buf + n - 2, ".0") == 0)
            buf[n - 2] = '\0';
        if (app_parse_int64(&v, buf) < 0) {
            snprintf(msg, msz, "%s应为整数: %s", f->label, cell);
            return json_false(); /* marks an error */
        }
        return json_integer(v);
    }
    case FT_MONEY:
    case FT_AREA:
        if (parse_hundredths(&v, cell) < 0 && float_hundredths(&v, cell) < 0) {
            snprintf(msg, msz, "%s应为最多两位小数的数字: %s", f->label, cell);
            return json_false();
        }
        return json_integer(v);
    case FT_BOOL:
        return json_boolean(strcmp(cell, "是") == 0 || strcmp(cell, "true") == 0 ||
                            strcmp(cell, "1") == 0 || strcmp(cell, "TRUE") == 0);
    case FT_ENUM:
        for (const struct field_option *o = f->options; o && o->value; o++)
            if (strcmp(o->label, cell) == 0 || strcmp(o->value, cell) == 0)
                return json_string(o->value);
        return json_string(cell); /* the entity names what is wrong */
    default:
        return json_string(cell);
    }
}

/*---- Running ----*/

struct run {
    const struct import_kind *k;
    const struct entity *e;
    struct db_conn *c;
    const struct auth_user *who;
    struct import_result *res;
    const struct import_column *map[TABLE_MAX_COLS]; /* file column → import column */
    const char *headers[TABLE_MAX_COLS];
    int ncols;
    int header_seen;
    int counting; /* first pass: count rows only */
    int failed;   /* file-level failure */
    volatile int *cancel;
    pthread_mutex_t *lock;
    int64_t job_id; /* the import job, for the customers' timelines */
};

static void
add_error(struct run *r, size_t row, const char *column, const char *field, const char *message)
{
    if (r->lock)
        pthread_mutex_lock(r->lock);
    r->res->bad++;
    if (json_array_size(r->res->errors) < IMPORT_MAX_ERRORS)
        json_array_append_new(r->res->errors,
                              json_pack("{s:I, s:s?, s:s?, s:s}", "row", (json_int_t)row, "column",
                                        column, "field", field, "message", message));
    if (r->lock)
        pthread_mutex_unlock(r->lock);
}

static int read_header(struct run *r, int ncols, const char *const *cells)
{
    r->header_seen = 1;
    r->ncols = ncols;
    r->res->columns = json_array();
    for (int i = 0; i < ncols; i++) {
        r->map[i] = match_header(r->k, cells[i]);
        r->headers[i] = xstrdup(cells[i]);
        json_array_append_new(
                r->res->columns,
                json_pack("{s:s, s:s?}", "column", cells[i], "field",
                          r->map[i] ? (r->map[i]->field ? r->map[i]->field : r->map[i]->header)
                                    : NULL));
        for (int j = 0; j < i; j++)
            if (r->map[i] && r->map[j] == r->map[i]) {
                snprintf(r->res->message, sizeof(r->res->message), "列“%s”与“%s”重复", cells[i],
                         r->headers[j]);
                return APP_EINVAL;
            }
    }
    for (size_t k = 0; k < r->k->n_cols; k++) {
        const struct import_column *c = &r->k->cols[k];
        if (strchr(c->header, '*') == NULL)
            continue;
        int found = 0;
        for (int i = 0; i < ncols; i++)
            found |= r->map[i] == c;
        if (!found) {
            char key[64];
            header_key(key, sizeof(key), c->header);
            snprintf(r->res->message, sizeof(r->res->message), "缺少必需的列：%s", key);
            return APP_EINVAL;
        }
    }
    return 0;
}

static int64_t lookup_project(struct run *r, const char *code, size_t row, const char *column)
{
    int64_t pid = 0;
    /* The code, or the name our own exports carry in 项目. */
    if (db_query_int64(r->c, &pid,
                       "SELECT id FROM projects WHERE code = ? OR name = ? ORDER BY (code = ?) DESC"
                       " LIMIT 1",
                       "ttt", code, code, code) < 0) {
        char msg[160];
        snprintf(msg, sizeof(msg), "项目编码不存在: %s", code);
        add_error(r, row, column, "project_id", msg);
        return 0;
    }
    if (!auth_in_scope(r->who, pid)) {
        add_error(r, row, column, "project_id", "您没有该项目的权限");
        return 0;
    }
    return pid;
}

/* The building with code in project pid, created when missing. */
static int64_t lookup_building(
        struct run *r, int64_t pid, const char *code, int64_t floor, size_t row, const char *column)
{
    int64_t bid = 0;
    int rc = db_query_int64(r->c, &bid,
                            "SELECT id FROM buildings WHERE project_id = ? AND (code = ? OR"
                            " name = ?) ORDER BY (code = ?) DESC LIMIT 1",
                            "ittt", pid, code, code, code);
    if (rc == APP_ENOTFOUND) {
        char at[32], name[64];
        time_now_iso(at, sizeof(at));
        snprintf(name, sizeof(name), "%s号楼", code);
        rc = db_query_int64(r->c, &bid,
                            "INSERT INTO buildings (project_id, code, name, floors, created_at)"
                            " VALUES (?,?,?,?,?) RETURNING id",
                            "ittit", pid, code, name, floor > 0 ? floor : (int64_t)1, at);
    } else if (rc == 0 && floor > 0) {
        rc = db_run(r->c, "UPDATE buildings SET floors = ? WHERE id = ? AND floors < ?", "iii",
                    floor, bid, floor);
    }
    if (rc < 0) {
        add_error(r, row, column, "building_id", "无法建立楼栋");
        return 0;
    }
    return bid;
}

static int process_row(struct run *r, size_t row, int ncols, const char *const *cells)
{
    json_t *in = json_object();
    const char *project_code = NULL, *building_code = NULL, *room_code = NULL, *share = NULL;
    const char *project_col = NULL, *building_col = NULL, *room_col = NULL;
    char msg[256];
    int ok = 1;
    for (int i = 0; i < ncols && i < r->ncols && ok; i++) {
        const struct import_column *m = r->map[i];
        if (m == NULL || cells[i][0] == '\0')
            continue;
        switch (m->special) {
        case SP_PROJECT_CODE:
            project_code = cells[i];
            project_col = r->headers[i];
            continue;
        case SP_BUILDING_CODE:
            building_code = cells[i];
            building_col = r->headers[i];
            continue;
        case SP_ROOM_CODE:
            room_code = cells[i];
            room_col = r->headers[i];
            continue;
        case SP_SHARE:
            share = cells[i];
            continue;
        default:
            break;
        }
        const struct entity_field *f = entity_field(r->e, m->field);
        msg[0] = '\0';
        json_t *v = cell_value(f, cells[i], msg, sizeof(msg));
        if (v == NULL)
            continue;
        if (json_is_false(v) && msg[0]) {
            add_error(r, row, r->headers[i], f->name, msg);
            ok = 0;
            continue;
        }
        json_object_set_new(in, f->name, v);
    }
    int64_t pid = 0;
    if (ok && project_code) {
        pid = lookup_project(r, project_code, row, project_col);
        ok = pid != 0;
    }
    if (ok && strcmp(r->k->kind, "units") == 0) {
        int64_t floor = json_integer_value(json_object_get(in, "floor"));
        int64_t bid = lookup_building(r, pid, building_code ? building_code : "", floor, row,
                                      building_col);
        ok = bid != 0;
        json_object_set_new(in, "building_id", json_integer(bid));
    }
    if (ok && strcmp(r->k->kind, "customers") == 0 && pid)
        json_object_set_new(in, "project_id", json_integer(pid));
    if (ok && room_code && !pid) {
        add_error(r, row, room_col, "project_id", "填写房号时须同时填写项目编码");
        ok = 0;
    }
    if (!ok) {
        json_decref(in);
        return 0;
    }
    struct app_err err = {0};
    int64_t id = 0;
    int rc = db_run(r->c, "SAVEPOINT import_row", "");
    if (rc >= 0)
        rc = entity_insert(&id, r->c, r->e, r->who, in, &err);
    if (rc == 0 && room_code) {
        int64_t unit = 0, bp = 10000;
        if (share && (parse_hundredths(&bp, share) < 0 || bp <= 0 || bp > 10000)) {
            rc = app_err_set(&err, APP_EINVAL, "share_bp", "产权份额应为 0 到 100 之间的百分数");
        } else if (db_query_int64(r->c, &unit,
                                  "SELECT id FROM units WHERE project_id = ? AND room_code = ?",
                                  "it", pid, room_code) < 0) {
            rc = app_err_set(&err, APP_EINVAL, "room_code", "房号不存在: %s", room_code);
        } else {
            int64_t owners = 0;
            db_query_int64(r->c, &owners, "SELECT COUNT(*) FROM unit_owners WHERE unit_id = ?", "i",
                           unit);
            rc = db_run(r->c,
                        "INSERT INTO unit_owners (unit_id, customer_id, share_bp, is_primary)"
                        " VALUES (?,?,?,?)",
                        "iiii", unit, id, bp, (int64_t)(owners == 0));
            if (rc == APP_ECONFLICT)
                app_err_set(&err, rc, "room_code", "该客户已是此房产的产权人");
            rc = rc < 0 ? rc : 0;
        }
    }
    if (rc == 0 && strcmp(r->k->kind, "customers") == 0)
        rc = customer_event_add(r->c, id, "import", "批量导入建档", "imports", r->job_id, r->who);
    if (rc < 0) {
        db_run(r->c, "ROLLBACK TO SAVEPOINT import_row", "");
        const char *column = NULL;
        for (int i = 0; i < r->ncols; i++)
            if (r->map[i] && r->map[i]->field && strcmp(r->map[i]->field, err.field) == 0)
                column = r->headers[i];
        if (strcmp(err.field, "room_code") == 0)
            column = room_col;
        add_error(r, row, column, err.field[0] ? err.field : NULL,
                  err.message[0] ? err.message : "保存失败");
    }
    db_run(r->c, "RELEASE SAVEPOINT import_row", "");
    json_decref(in);
    return 0;
}

static int on_row(size_t row, int ncols, const char *const *cells, void *payload)
{
    struct run *r = payload;
    if (r->cancel && *r->cancel) {
        snprintf(r->res->message, sizeof(r->res->message), "导入已中止（服务停止）");
        r->failed = 1;
        return 1;
    }
    if (!r->header_seen) {
        if (r->counting) {
            r->header_seen = 1;
            return 0;
        }
        if (read_header(r, ncols, cells) < 0) {
            r->failed = 1;
            return 1;
        }
        return 0;
    }
    if (r->counting) {
        r->res->total++;
        return 0;
    }
    process_row(r, row, ncols, cells);
    if (r->lock)
        pthread_mutex_lock(r->lock);
    r->res->done++;
    if (r->lock)
        pthread_mutex_unlock(r->lock);
    return 0;
}

void import_result_free(struct import_result *res)
{
    json_decref(res->errors);
    json_decref(res->columns);
    res->errors = res->columns = NULL;
}

static int run_import(struct import_result *res,
                      struct db *db,
                      const struct auth_user *who,
                      const char *kind,
                      int dry_run,
                      const char *file_name,
                      const char *data,
                      size_t len,
                      volatile int *cancel,
                      pthread_mutex_t *lock,
                      int64_t job_id,
                      struct app_err *err)
{
    const struct import_kind *k = find_kind(kind);
    if (k == NULL)
        return app_err_set(err, APP_EINVAL, "kind", "不支持的导入类型: %s", kind ? kind : "");
    if (res->errors == NULL)
        res->errors = json_array();
    struct run r;
    memset(&r, 0, sizeof(r));
    r.k = k;
    r.e = entity_find(k->entity);
    r.who = who;
    r.res = res;
    r.cancel = cancel;
    r.job_id = job_id;
    r.counting = 1;
    int rc = table_read(data, len, on_row, &r, err);
    if (rc < 0) {
        app_strlcpy(res->message, err->message, sizeof(res->message));
        return rc;
    }
    if (res->total == 0) {
        snprintf(res->message, sizeof(res->message), "文件中没有数据行");
        return app_err_set(err, APP_EINVAL, "file", "%s", res->message);
    }
    r.counting = 0;
    r.header_seen = 0;
    r.lock = lock;
    r.c = db_acquire(db);
    rc = db_begin(r.c, 1);
    if (rc == 0)
        rc = table_read(data, len, on_row, &r, err);
    for (int i = 0; i < r.ncols; i++)
        free((char *)r.headers[i]);
    if (rc == 0 && r.failed)
        rc = app_err_set(err, APP_EINVAL, "file", "%s", res->message);
    if (rc == 0 && res->bad > 0) {
        snprintf(res->message, sizeof(res->message), "%lld 行有误，未导入任何数据",
                 (long long)res->bad);
        rc = app_err_set(err, APP_EINVAL, NULL, "%s", res->message);
    }
    if (rc == 0 && dry_run) {
        snprintf(res->message, sizeof(res->message), "预检通过：%lld 行均可导入",
                 (long long)res->total);
        db_rollback(r.c);
    } else if (rc == 0) {
        json_t *detail = json_pack("{s:s, s:s?, s:I}", "kind", kind, "file", file_name, "rows",
                                   (json_int_t)res->total);
        rc = audit_append(r.c, who->id, who->username, "import", k->entity, 0, NULL, detail);
        json_decref(detail);
        if (rc == 0)
            rc = db_commit(r.c);
        if (rc == 0)
            snprintf(res->message, sizeof(res->message), "已导入 %lld 行", (long long)res->total);
        else
            snprintf(res->message, sizeof(res->message), "保存失败，未导入任何数据");
    }
    if (db_in_tx(r.c))
        db_rollback(r.c);
    db_release(r.c);
    return rc;
}

int import_run(struct import_result *res,
               struct db *db,
               const struct auth_user *who,
               const char *kind,
               int dry_run,
               const char *file_name,
               const char *data,
               size_t len,
               struct app_err *err)
{
    return run_import(res, db, who, kind, dry_run, file_name, data, len, NULL, NULL, 0, err);
}

/*---- Jobs ----*/

#define MAX_JOBS 16

struct job {
    int64_t id;
    struct db *db;
    struct auth_user *who;
    char kind[16];
    int dry_run;
    char *file_name;
    char *data;
    size_t len;
    struct import_result res;
    int running;
};

static pthread_mutex_t jobs_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t jobs_idle = PTHREAD_COND_INITIALIZER;
static struct job *jobs[MAX_JOBS];
static volatile int jobs_cancel;

static void job_finish(struct job *j, int rc)
{
    char at[32];
    time_now_iso(at, sizeof(at));
    pthread_mutex_lock(&jobs_lock);
    char *errors = json_dumps(j->res.errors, JSON_COMPACT);
    char *columns = j->res.columns ? json_dumps(j->res.columns, JSON_COMPACT) : NULL;
    int64_t total = j->res.total, done = j->res.done, bad = j->res.bad;
    pthread_mutex_unlock(&jobs_lock);
    struct db_conn *c = db_acquire(j->db);
    if (db_begin(c, 1) == 0) {
        db_run(c,
               "UPDATE import_jobs SET status = ?, total = ?, done = ?, bad = ?, errors_json = ?,"
               " columns_json = ?, message = ?, finished_at = ? WHERE id = ?",
               "tiiitttti", rc == 0 ? "done" : "failed", total, done, bad, errors, columns,
               j->res.message, at, j->id);
        db_commit(c);
    }
    free(columns);
    db_release(c);
    free(errors);
}

static void *job_main(void *arg)
{
    struct job *j = arg;
    struct app_err err = {0};
    int rc = run_import(&j->res, j->db, j->who, j->kind, j->dry_run, j->file_name, j->data, j->len,
                        &jobs_cancel, &jobs_lock, j->id, &err);
    if (rc < 0 && j->res.message[0] == '\0')
        app_strlcpy(j->res.message, err.message[0] ? err.message : "导入失败",
                    sizeof(j->res.message));
    job_finish(j, rc);
    pthread_mutex_lock(&jobs_lock);
    for (int i = 0; i < MAX_JOBS; i++)
        if (jobs[i] == j)
            jobs[i] = NULL;
    pthread_cond_broadcast(&jobs_idle);
    pthread_mutex_unlock(&jobs_lock);
    import_result_free(&j->res);
    auth_user_free(j->who);
    free(j->file_name);
    free(j->data);
    free(j);
    return NULL;
}

int import_start(int64_t *job_id,
                 struct db *db,
                 struct db_conn *c,
                 const struct auth_user *who,
                 const char *kind,
                 int dry_run,
                 const char *file_name,
                 char *data,
                 size_t len,
                 struct app_err *err)
{
    *job_id = 0;
    int rc;
    if (!import_kind_known(kind)) {
        free(data);
        return app_err_set(err, APP_EINVAL, "kind",
                           "不支持的导入类型（projects、units、customers）");
    }
    if (len == 0) {
        free(data);
        return app_err_set(err, APP_EINVAL, "file", "文件是空的");
    }
    pthread_mutex_lock(&jobs_lock);
    int slot = -1;
    for (int i = 0; i < MAX_JOBS && slot < 0; i++)
        if (jobs[i] == NULL)
            slot = i;
    pthread_mutex_unlock(&jobs_lock);
    if (slot < 0) {
        free(data);
        return app_err_set(err, APP_EBUSY, NULL, "同时进行的导入过多，请稍后再试");
    }
    char at[32];
    time_now_iso(at, sizeof(at));
    rc = db_begin(c, 1);
    if (rc == 0)
        rc = db_query_int64(c, job_id,
                            "INSERT INTO import_jobs (kind, file_name, dry_run, status, user_id,"
                            " username, created_at) VALUES (?,?,?,'running',?,?,?) RETURNING id",
                            "ttiitt", kind, file_name, (int64_t)(dry_run != 0), who->id,
                            who->username, at);
    if (rc == 0)
        rc = db_commit(c);
    if (rc < 0) {
        if (db_in_tx(c))
            db_rollback(c);
        free(data);
        return app_err_set(err, rc, NULL, "无法创建导入任务");
    }
    struct job *j = xcalloc(1, sizeof(*j));
    j->id = *job_id;
    j->db = db;
    j->who = auth_user_dup(who);
    app_strlcpy(j->kind, kind, sizeof(j->kind));
    j->dry_run = dry_run;
    j->file_name = file_name ? xstrdup(file_name) : NULL;
    j->data = data;
    j->len = len;
    j->res.errors = json_array();
    j->running = 1;
    pthread_mutex_lock(&jobs_lock);
    jobs[slot] = j;
    pthread_mutex_unlock(&jobs_lock);
    pthread_t t;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    if (pthread_create(&t, &attr, job_main, j) != 0) {
        pthread_attr_destroy(&attr);
        j->res.total = 0;
        app_strlcpy(j->res.message, "无法启动导入", sizeof(j->res.message));
        job_finish(j, APP_EINTERNAL);
        pthread_mutex_lock(&jobs_lock);
        jobs[slot] = NULL;
        pthread_mutex_unlock(&jobs_lock);
        import_result_free(&j->res);
        auth_user_free(j->who);
        free(j->file_name);
        free(j->data);
        free(j);
        return app_err_set(err, APP_EBUSY, NULL, "无法启动导入");
    }
    pthread_attr_destroy(&attr);
    return 0;
}

int import_status(json_t **out, struct db_conn *c, int64_t job_id, struct app_err *err)
{
    *out = NULL;
    struct db_params p = {0};
    db_params_int(&p, job_id);
    json_t *row = NULL;
    int rc = query_row(&row, c,
                       "SELECT id, kind, file_name, dry_run, status, total, done, bad, errors_json,"
                       " columns_json, message, username, created_at, finished_at"
                       " FROM import_jobs WHERE id = ?",
                       &p);
    db_params_free(&p);
    if (rc == APP_ENOTFOUND)
        return app_err_set(err, rc, NULL, "导入任务不存在");
    if (rc < 0)
        return rc;
    json_object_set_new(row, "dry_run",
                        json_boolean(json_integer_value(json_object_get(row, "dry_run"))));
    json_t *errors = json_loads(json_string_value(json_object_get(row, "errors_json"))
                                        ? json_string_value(json_object_get(row, "errors_json"))
                                        : "[]",
                                0, NULL);
    json_object_del(row, "errors_json");
    json_object_set_new(row, "errors", errors ? errors : json_array());
    const char *cols = json_string_value(json_object_get(row, "columns_json"));
    json_t *columns = cols ? json_loads(cols, 0, NULL) : NULL;
    json_object_del(row, "columns_json");
    json_object_set_new(row, "columns", columns ? columns : json_array());
    /* A job still running here reports its live progress. */
    pthread_mutex_lock(&jobs_lock);
    for (int i = 0; i < MAX_JOBS; i++) {
        struct job *j = jobs[i];
        if (j && j->id == job_id) {
            json_object_set_new(row, "total", json_integer(j->res.total));
            json_object_set_new(row, "done", json_integer(j->res.done));
            json_object_set_new(row, "bad", json_integer(j->res.bad));
            json_object_set_new(row, "errors", json_deep_copy(j->res.errors));
            if (j->res.columns)
                json_object_set_new(row, "columns", json_deep_copy(j->res.columns));
        }
    }
    pthread_mutex_unlock(&jobs_lock);
    *out = row;
    return 0;
}

void import_wait_all(void)
{
    pthread_mutex_lock(&jobs_lock);
    jobs_cancel = 1;
    for (;;) {
        int busy = 0;
        for (int i = 0; i < MAX_JOBS; i++)
            busy |= jobs[i] != NULL;
        if (!busy)
            break;
        pthread_cond_wait(&jobs_idle, &jobs_lock);
    }
    pthread_mutex_unlock(&jobs_lock);
}

int import_template(char **data,
                    size_t *len,
                    const char **content_type,
                    const char *kind,
                    const char *format,
                    struct app_err *err)
{
    *data = NULL;
    *len = 0;
    const struct import_kind *k = find_kind(kind);
    if (k == NULL)
        return app_err_set(err, APP_EINVAL, "kind",
                           "不支持的导入类型（projects、units、customers）");
    if (format == NULL || strcmp(format, "csv") == 0) {
        struct strbuf sb;
        strbuf_init(&sb, 1u << 16);
        strbuf_puts(&sb, "\xEF\xBB\xBF"); /* so Excel opens it as UTF-8 */
        for (size_t i = 0; i < k->n_cols; i++)
            strbuf_printf(&sb, "%s%s", i ? "," : "", k->cols[i].header);
        strbuf_puts(&sb, "\r\n");
        for (size_t i = 0; i < k->n_cols; i++)
            strbuf_printf(&sb, "%s%s", i ? "," : "", k->cols[i].example);
        strbuf_puts(&sb, "\r\n");
        *len = sb.len;
        *data = strbuf_steal(&sb);
        *content_type = "text/csv; charset=utf-8";
        return 0;
    }
    if (strcmp(format, "xlsx") != 0)
        return app_err_set(err, APP_EINVAL, "format", "格式应为 csv 或 xlsx");
    const char *headers[32] = {0};
    enum xlsx_kind kinds_[32] = {0};
    for (size_t i = 0; i < k->n_cols; i++) {
        headers[i] = k->cols[i].header;
        kinds_[i] = XLSX_TEXT; /* text cells keep ID numbers and leading zeros intact */
    }
    struct xlsx *x = NULL;
    int rc = xlsx_begin(&x, "导入模板", headers, kinds_, (int)k->n_cols);
    if (rc < 0)
        return app_err_set(err, rc, NULL, "无法生成模板");
    for (size_t i = 0; i < k->n_cols; i++)
        xlsx_text(x, 1, (int)i, k->cols[i].example);
    rc = xlsx_finish(x, data, len);
    if (rc < 0)
        return app_err_set(err, rc, NULL, "无法生成模板");
    *content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    return 0;
}
