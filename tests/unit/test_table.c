/* Unit tests of spreadsheet reading (src/core/table.c): CSV in UTF-8 with
 * and without BOM, GBK, RFC 4180 quoting, and XLSX written by our own
 * writer. */
#include <string.h>

#include <iconv.h>

#include "core/table.h"
#include "core/xlsx.h"
#include "test_helpers.h"

struct grid {
    int rows;
    char cell[8][4][64];
    int ncols[8];
};

static int collect(size_t row, int ncols, const char *const *cells, void *payload)
{
    struct grid *g = payload;
    (void)row;
    if (g->rows >= 8)
        return 1;
    g->ncols[g->rows] = ncols;
    for (int i = 0; i < ncols && i < 4; i++)
        app_strlcpy(g->cell[g->rows][i], cells[i], sizeof(g->cell[0][0]));
    g->rows++;
    return 0;
}

static void csv_utf8_with_bom_and_quotes(void **state)
{
    (void)state;
    const char *csv = "\xEF\xBB\xBF姓名,手机,备注\r\n张三,13812345678,\"说 \"\"你好\"\", 再见\"\r\n"
                      "\r\n李四,,\"两\n行\"\r\n";
    struct grid g = {0};
    struct app_err err = {0};
    assert_int_equal(table_read(csv, strlen(csv), collect, &g, &err), 0);
    assert_int_equal(g.rows, 3); /* the blank line is skipped */
    assert_string_equal(g.cell[0][0], "姓名");
    assert_string_equal(g.cell[1][2], "说 \"你好\", 再见");
    assert_string_equal(g.cell[2][0], "李四");
    assert_string_equal(g.cell[2][1], "");
    assert_string_equal(g.cell[2][2], "两\n行");
}

static void csv_gbk_is_converted(void **state)
{
    (void)state;
    const char *utf8 = "姓名,城市\n王丽,杭州\n";
    char gbk[64];
    iconv_t cd = iconv_open("GBK", "UTF-8");
    char *ip = (char *)utf8, *op = gbk;
    size_t il = strlen(utf8), ol = sizeof(gbk);
    assert_true(iconv(cd, &ip, &il, &op, &ol) != (size_t)-1);
    iconv_close(cd);
    size_t n = sizeof(gbk) - ol;
    assert_false(app_utf8_valid(gbk, n));
    struct grid g = {0};
    struct app_err err = {0};
    assert_int_equal(table_read(gbk, n, collect, &g, &err), 0);
    assert_int_equal(g.rows, 2);
    assert_string_equal(g.cell[1][0], "王丽");
    assert_string_equal(g.cell[1][1], "杭州");
}

static void unreadable_encoding_is_refused(void **state)
{
    (void)state;
    /* 0xFF starts no character in UTF-8 nor in GB18030. */
    const char *garbage = "a,b\n\xff\xfe\xfd\xfc\n";
    struct grid g = {0};
    struct app_err err = {0};
    assert_int_equal(table_read(garbage, strlen(garbage), collect, &g, &err), APP_EINVAL);
    assert_string_equal(err.field, "file");
    assert_int_equal(g.rows, 0);
}

static void xlsx_round_trip(void **state)
{
    (void)state;
    const char *headers[] = {"房号", "面积", "标价"};
    enum xlsx_kind kinds[] = {XLSX_TEXT, XLSX_AREA, XLSX_MONEY};
    struct xlsx *x = NULL;
    assert_int_equal(xlsx_begin(&x, "房源", headers, kinds, 3), 0);
    xlsx_text(x, 1, 0, "3-2-1501");
    xlsx_int(x, 1, 1, 8937);
    xlsx_int(x, 1, 2, 123456789);
    xlsx_text(x, 3, 0, "3-2-1502"); /* row 3: row 2 left out */
    char *data = NULL;
    size_t len = 0;
    assert_int_equal(xlsx_finish(x, &data, &len), 0);
    struct grid g = {0};
    struct app_err err = {0};
    assert_int_equal(table_read(data, len, collect, &g, &err), 0);
    free(data);
    assert_int_equal(g.rows, 3); /* header, one row, (empty row skipped), one row */
    assert_string_equal(g.cell[0][0], "房号");
    assert_string_equal(g.cell[1][0], "3-2-1501");
    assert_string_equal(g.cell[1][1], "89.37");
    assert_string_equal(g.cell[1][2], "1234567.89");
    assert_string_equal(g.cell[2][0], "3-2-1502");
    assert_int_equal(table_read("PK\x03\x04junk", 8, collect, &g, &err), APP_EINVAL);
    assert_string_equal(err.field, "file");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
            cmocka_unit_test(csv_utf8_with_bom_and_quotes),
            cmocka_unit_test(csv_gbk_is_converted),
            cmocka_unit_test(unreadable_encoding_is_refused),
            cmocka_unit_test(xlsx_round_trip),
    };
    return cmocka_run_group_tests_name("table", tests, NULL, NULL);
}
