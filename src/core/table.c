/*
 * table.c - CSV through libcsv (with GBK converted by iconv), XLSX through
 * libzip and expat (shared strings, inline strings, numbers).
 */
#include "table.h"

#include <string.h>

#include <csv.h>
#include <expat.h>
#include <iconv.h>
#include <zip.h>

#include "strbuf.h"

/*---- Rows being assembled ----*/

struct rowbuf {
    char *cells[TABLE_MAX_COLS];
    int n;
    size_t row;
    table_row_fn fn;
    void *payload;
    int stop;
    int too_wide;
};

static void row_set(struct rowbuf *r, int col, const char *s, size_t len)
{
    if (col >= TABLE_MAX_COLS) {
        r->too_wide = 1;
        return;
    }
    while (r->n <= col)
        r->cells[r->n++] = NULL;
    free(r->cells[col]);
    r->cells[col] = xstrndup(s, len);
}

static void row_emit(struct rowbuf *r)
{
    const char *cells[TABLE_MAX_COLS];
    int last = r->n;
    while (last > 0 && (r->cells[last - 1] == NULL || r->cells[last - 1][0] == '\0'))
        last--;
    r->row++;
    if (last > 0 && !r->stop) {
        for (int i = 0; i < last; i++)
            cells[i] = r->cells[i] ? r->cells[i] : "";
        if (r->fn(r->row, last, cells, r->payload))
            r->stop = 1;
    }
    for (int i = 0; i < r->n; i++) {
        free(r->cells[i]);
        r->cells[i] = NULL;
    }
    r->n = 0;
}

/*---- CSV ----*/

struct csv_state {
    struct rowbuf r;
    int col;
};

static void csv_field(void *s, size_t len, void *payload)
{
    struct csv_state *st = payload;
    row_set(&st->r, st->col++, s ? s : "", s ? len : 0);
}

static void csv_row(int c, void *payload)
{
    (void)c;
    struct csv_state *st = payload;
    row_emit(&st->r);
    st->col = 0;
}

static char *gbk_to_utf8(const char *data, size_t len, size_t *out_len)
{
    iconv_t cd = iconv_open("UTF-8", "GB18030");
    if (cd == (iconv_t)-1)
        return NULL;
    size_t cap = len * 2 + 16;
    char *out = xmalloc(cap);
    char *ip = (char *)data, *op = out;
    size_t il = len, ol = cap;
    size_t r = iconv(cd, &ip, &il, &op, &ol);
    iconv_close(cd);
    if (r == (size_t)-1) {
        free(out);
        return NULL;
    }
    *out_len = cap - ol;
    return out;
}

static int read_csv(const char *data, size_t len, struct rowbuf *r, struct app_err *err)
{
    char *converted = NULL;
    if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0) {
        data += 3;
        len -= 3;
    }
    if (!app_utf8_valid(data, len)) {
        size_t n = 0;
        converted = gbk_to_utf8(data, len, &n);
        if (converted == NULL)
            return app_err_set(err, APP_EINVAL, "file",
                               "文件编码无法识别：请另存为 UTF-8 或 GBK 编码的 CSV");
        data = converted;
        len = n;
    }
    struct csv_parser p;
    struct csv_state st;
    memset(&st, 0, sizeof(st));
    st.r = *r;
    int rc = 0;
    if (csv_init(&p, CSV_APPEND_NULL | CSV_EMPTY_IS_NULL) != 0) {
        free(converted);
        return APP_EINTERNAL;
    }
    size_t done = csv_parse(&p, data, len, csv_field, csv_row, &st);
    if (done != len) {
        rc = app_err_set(err, APP_EINVAL, "file", "CSV 格式错误（第 %zu 行附近）: %s", st.r.row + 1,
                         csv_strerror(csv_error(&p)));
    } else {
        csv_fini(&p, csv_field, csv_row, &st);
    }
    csv_free(&p);
    for (int i = 0; i < st.r.n; i++)
        free(st.r.cells[i]);
    *r = st.r;
    r->n = 0;
    free(converted);
    if (rc == 0 && r->too_wide)
        rc = app_err_set(err, APP_EINVAL, "file", "列数超过 %d", TABLE_MAX_COLS);
    return rc;
}

/*---- XLSX ----*/

static char *zip_read_entry(zip_t *z, const char *name, size_t *len)
{
    zip_stat_t st;
    if (zip_stat(z, name, 0, &st) != 0 || !(st.valid & ZIP_STAT_SIZE) || st.size > (256u << 20))
        return NULL;
    zip_file_t *f = zip_fopen(z, name, 0);
    if (f == NULL)
        return NULL;
    char *buf = xmalloc(st.size + 1);
    zip_int64_t n = zip_fread(f, buf, st.size);
    zip_fclose(f);
    if (n < 0 || (zip_uint64_t)n != st.size) {
        free(buf);
        return NULL;
    }
    buf[st.size] = '\0';
    *len = st.size;
    return buf;
}

struct sst_state {
    char **items;
    size_t n, cap;
    int in_si, in_t;
    struct strbuf text;
};

static void sst_start(void *ud, const XML_Char *name, const XML_Char **attrs)
{
    (void)attrs;
    struct sst_state *s = ud;
    if (strcmp(name, "si") == 0) {
        s->in_si = 1;
        strbuf_reset(&s->text);
    } else if (strcmp(name, "t") == 0 && s->in_si) {
        s->in_t = 1;
    }
}

static void sst_end(void *ud, const XML_Char *name)
{
    struct sst_state *s = ud;
    if (strcmp(name, "t") == 0) {
        s->in_t = 0;
    } else if (strcmp(name, "si") == 0) {
        if (s->n == s->cap) {
            s->cap = s->cap ? s->cap * 2 : 256;
            s->items = xrealloc(s->items, s->cap * sizeof(char *));
        }
        s->items[s->n++] = xstrdup(strbuf_str(&s->text));
        s->in_si = 0;
    }
}

static void sst_text(void *ud, const XML_Char *t, int len)
{
    struct sst_state *s = ud;
    if (s->in_t)
        strbuf_append(&s->text, t, (size_t)len);
}

struct sheet_state {
    struct rowbuf r;
    struct sst_state *sst;
    size_t cur_row; /* r attribute of the open row */
    int col;        /* column of the open cell */
    char type[8];   /* t attribute */
    int in_v, in_t;
    struct strbuf text;
};

static int col_index(const char *ref)
{
    int c = 0;
    for (; *ref >= 'A' && *ref <= 'Z'; ref++)
        c = c * 26 + (*ref - 'A' + 1);
    return c - 1;
}

static void sheet_start(void *ud, const XML_Char *name, const XML_Char **attrs)
{
    struct sheet_state *s = ud;
    if (strcmp(name, "row") == 0) {
        size_t want = 0;
        for (int i = 0; attrs[i]; i += 2)
            if (strcmp(attrs[i], "r") == 0)
                want = (size_t)strtoul(attrs[i + 1], NULL, 10);
        /* Rows Excel left out entirely are empty rows. */
        while (want > 0 && s->r.row + 1 < want && !s->r.stop)
            row_emit(&s->r);
        s->col = -1;
    } else if (strcmp(name, "c") == 0) {
        s->type[0] = '\0';
        s->col++;
        for (int i = 0; attrs[i]; i += 2) {
            if (strcmp(attrs[i], "r") == 0)
                s->col = col_index(attrs[i + 1]);
            else if (strcmp(attrs[i], "t") == 0)
                app_strlcpy(s->type, attrs[i + 1], sizeof(s->type));
        }
        strbuf_reset(&s->text);
    } else if (strcmp(name, "v") == 0) {
        s->in_v = 1;
    } else if (strcmp(name, "t") == 0) {
        s->in_t = 1;
    }
}

static void sheet_end(void *ud, const XML_Char *name)
{
    struct sheet_state *s = ud;
    if (strcmp(name, "v") == 0) {
        s->in_v = 0;
    } else if (strcmp(name, "t") == 0) {
        s->in_t = 0;
    } else if (strcmp(name, "c") == 0 && s->col >= 0) {
        const char *v = strbuf_str(&s->text);
        if (strcmp(s->type, "s") == 0) {
            unsigned long i = strtoul(v, NULL, 10);
            v = s->sst && i < s->sst->n ? s->sst->items[i] : "";
        } else if (strcmp(s->type, "b") == 0) {
            v = strcmp(v, "1") == 0 ? "TRUE" : "FALSE";
        }
        row_set(&s->r, s->col, v, strlen(v));
    } else if (strcmp(name, "row") == 0) {
        row_emit(&s->r);
    }
}

static void sheet_text(void *ud, const XML_Char *t, int len)
{
    struct sheet_state *s = ud;
    if (s->in_v || s->in_t)
        strbuf_append(&s->text, t, (size_t)len);
}

static int parse_xml(const char *xml,
                     size_t len,
                     void *ud,
                     XML_StartElementHandler start,
                     XML_EndElementHandler end,
                     XML_CharacterDataHandler text)
{
    XML_Parser p = XML_ParserCreate("UTF-8");
    if (p == NULL)
        return APP_EINTERNAL;
    XML_SetUserData(p, ud);
    XML_SetElementHandler(p, start, end);
    XML_SetCharacterDataHandler(p, text);
    int ok = XML_Parse(p, xml, (int)len, 1) == XML_STATUS_OK;
    XML_ParserFree(p);
    return ok ? 0 : APP_EINVAL;
}

/* The path of the workbook's first sheet (xl/worksheets/sheet1.xml in
 * files Excel writes; otherwise the first worksheet entry). */
static const char *first_sheet(zip_t *z, char *buf, size_t size)
{
    if (zip_name_locate(z, "xl/worksheets/sheet1.xml", 0) >= 0)
        return "xl/worksheets/sheet1.xml";
    zip_int64_t n = zip_get_num_entries(z, 0);
    for (zip_int64_t i = 0; i < n; i++) {
        const char *name = zip_get_name(z, (zip_uint64_t)i, 0);
        if (name && strncmp(name, "xl/worksheets/", 14) == 0 && strstr(name, ".xml") &&
            !strstr(name + 14, "/")) {
            app_strlcpy(buf, name, size);
            return buf;
        }
    }
    return NULL;
}

static int read_xlsx(const char *data, size_t len, struct rowbuf *r, struct app_err *err)
{
    zip_error_t ze;
    zip_error_init(&ze);
    zip_source_t *src = zip_source_buffer_create(data, len, 0, &ze);
    zip_t *z = src ? zip_open_from_source(src, ZIP_RDONLY, &ze) : NULL;
    int rc = 0;
    struct sst_state sst;
    memset(&sst, 0, sizeof(sst));
    strbuf_init(&sst.text, 1u << 20);
    char *xml = NULL;
    if (z == NULL) {
        if (src)
            zip_source_free(src);
        zip_error_fini(&ze);
        strbuf_free(&sst.text);
        return app_err_set(err, APP_EINVAL, "file", "不是有效的 Excel (.xlsx) 文件");
    }
    size_t n = 0;
    char *shared = zip_read_entry(z, "xl/sharedStrings.xml", &n);
    if (shared) {
        rc = parse_xml(shared, n, &sst, sst_start, sst_end, sst_text);
        free(shared);
        if (rc < 0) {
            rc = app_err_set(err, APP_EINVAL, "file", "Excel 文件的共享字符串无法读取");
            goto done;
        }
    }
    char namebuf[256];
    const char *sheet = first_sheet(z, namebuf, sizeof(namebuf));
    xml = sheet ? zip_read_entry(z, sheet, &n) : NULL;
    if (xml == NULL) {
        rc = app_err_set(err, APP_EINVAL, "file", "Excel 文件中没有工作表");
        goto done;
    }
    struct sheet_state st;
    memset(&st, 0, sizeof(st));
    st.r = *r;
    st.sst = &sst;
    strbuf_init(&st.text, 1u << 20);
    rc = parse_xml(xml, n, &st, sheet_start, sheet_end, sheet_text);
    strbuf_free(&st.text);
    for (int i = 0; i < st.r.n; i++)
        free(st.r.cells[i]);
    *r = st.r;
    r->n = 0;
    if (rc < 0)
        rc = app_err_set(err, APP_EINVAL, "file", "Excel 工作表格式错误");
    else if (r->too_wide)
        rc = app_err_set(err, APP_EINVAL, "file", "列数超过 %d", TABLE_MAX_COLS);
done:
    free(xml);
    for (size_t i = 0; i < sst.n; i++)
        free(sst.items[i]);
    free(sst.items);
    strbuf_free(&sst.text);
    zip_close(z);
    zip_error_fini(&ze);
    return rc;
}

int table_read(const char *data, size_t len, table_row_fn fn, void *payload, struct app_err *err)
{
    struct rowbuf r;
    memset(&r, 0, sizeof(r));
    r.fn = fn;
    r.payload = payload;
    if (len >= 4 && memcmp(data, "PK\x03\x04", 4) == 0)
        return read_xlsx(data, len, &r, err);
    return read_csv(data, len, &r, err);
}
