#include "xlsx.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unistd.h>
#include <xlsxwriter.h>

#include "app.h"

struct xlsx {
    lxw_workbook *wb;
    lxw_worksheet *ws;
    lxw_format *bold, *money, *area;
    const enum xlsx_kind *kinds;
    int ncols;
    char path[64];
};

int xlsx_begin(struct xlsx **out,
               const char *sheet,
               const char *const *headers,
               const enum xlsx_kind *kinds,
               int ncols)
{
    *out = NULL;
    struct xlsx *x = xcalloc(1, sizeof(*x));
    const char *tmp = getenv("TMPDIR");
    snprintf(x->path, sizeof(x->path), "%s/anjia-xlsx-XXXXXX",
             tmp && *tmp && strlen(tmp) < 40 ? tmp : "/tmp");
    int fd = mkstemp(x->path);
    if (fd < 0) {
        free(x);
        return APP_EIO;
    }
    close(fd);
    lxw_workbook_options opt = {.constant_memory = LXW_TRUE, .tmpdir = NULL};
    x->wb = workbook_new_opt(x->path, &opt);
    if (x->wb == NULL) {
        unlink(x->path);
        free(x);
        return APP_EIO;
    }
    x->ws = workbook_add_worksheet(x->wb, sheet);
    x->bold = workbook_add_format(x->wb);
    format_set_bold(x->bold);
    format_set_bg_color(x->bold, 0xF0F2F5);
    x->money = workbook_add_format(x->wb);
    format_set_num_format(x->money, "#,##0.00");
    x->area = workbook_add_format(x->wb);
    format_set_num_format(x->area, "0.00");
    x->kinds = kinds;
    x->ncols = ncols;
    for (int c = 0; c < ncols; c++) {
        worksheet_write_string(x->ws, 0, (lxw_col_t)c, headers[c], x->bold);
        worksheet_set_column(x->ws, (lxw_col_t)c, (lxw_col_t)c, kinds[c] == XLSX_TEXT ? 18 : 14,
                             NULL);
    }
    worksheet_freeze_panes(x->ws, 1, 0);
    *out = x;
    return 0;
}

void xlsx_text(struct xlsx *x, uint32_t row, int col, const char *text)
{
    if (text && *text)
        worksheet_write_string(x->ws, row, (lxw_col_t)col, text, NULL);
}

void xlsx_int(struct xlsx *x, uint32_t row, int col, int64_t v)
{
    switch (x->kinds[col]) {
    case XLSX_MONEY:
        worksheet_write_number(x->ws, row, (lxw_col_t)col, (double)v / 100.0, x->money);
        break;
    case XLSX_AREA:
        worksheet_write_number(x->ws, row, (lxw_col_t)col, (double)v / 100.0, x->area);
        break;
    default:
        worksheet_write_number(x->ws, row, (lxw_col_t)col, (double)v, NULL);
        break;
    }
}

int xlsx_finish(struct xlsx *x, char **data, size_t *len)
{
    *data = NULL;
    *len = 0;
    lxw_error e = workbook_close(x->wb);
    x->wb = NULL;
    int rc = APP_EIO;
    FILE *fp = e == LXW_NO_ERROR ? fopen(x->path, "rb") : NULL;
    if (fp) {
        fseek(fp, 0, SEEK_END);
        long n = ftell(fp);
        fseek(fp, 0, SEEK_SET);
        if (n > 0) {
            char *buf = xmalloc((size_t)n);
            if (fread(buf, 1, (size_t)n, fp) == (size_t)n) {
                *data = buf;
                *len = (size_t)n;
                rc = 0;
            } else {
                free(buf);
            }
        }
        fclose(fp);
    }
    xlsx_free(x);
    return rc;
}

void xlsx_free(struct xlsx *x)
{
    if (x == NULL)
        return;
    if (x->wb)
        workbook_close(x->wb);
    unlink(x->path);
    free(x);
}
