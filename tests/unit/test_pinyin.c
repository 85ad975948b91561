/* Unit tests of pinyin initials (src/core/pinyin.c). */
#include <string.h>

#include "core/pinyin.h"
#include "test_helpers.h"

static void expect(const char *name, const char *initials)
{
    char out[32];
    pinyin_initials(out, sizeof(out), name);
    assert_string_equal(out, initials);
}

static void common_names(void **state)
{
    (void)state;
    expect("张三", "zs");
    expect("王丽", "wl");
    expect("李娜", "ln");
    expect("刘洋", "ly");
    expect("陈刚", "cg");
    expect("赵敏", "zm");
    expect("孙强", "sq");
    expect("欧阳建国", "oyjg");
    expect("黄晓燕", "hxy");
    /* second-level GB2312 characters, from the table */
    expect("邵梓萱", "szx");
    expect("周诗琪", "zsq");
    expect("王欣怡", "wxy");
}

static void surname_readings_are_overridden(void **state)
{
    (void)state;
    expect("曾国庆", "zgq");
    expect("单田芳", "stf");
    expect("解放", "xf"); /* 解 as a surname is xie */
    expect("仇英", "qy");
}

static void ascii_is_kept_and_other_scripts_skipped(void **state)
{
    (void)state;
    expect("John Smith", "johnsmith");
    expect("王A1", "wa1");
    expect("", "");
    char small[3];
    pinyin_initials(small, sizeof(small), "张三李四");
    assert_string_equal(small, "zs"); /* truncated, terminated */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
            cmocka_unit_test(common_names),
            cmocka_unit_test(surname_readings_are_overridden),
            cmocka_unit_test(ascii_is_kept_and_other_scripts_skipped),
    };
    return cmocka_run_group_tests_name("pinyin", tests, NULL, NULL);
}
