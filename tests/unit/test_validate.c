/* Unit tests of identifier validation and masking (src/core/validate.c),
 * from DOMAIN.md §6 and our own cases. */
#include <string.h>

#include "core/timeutil.h"
#include "core/validate.h"
#include "test_helpers.h"

static void id_card_domain_example(void **state)
{
    (void)state;
    char out[32];
    struct app_err err = {0};
    assert_int_equal(validate_id_check_char("11010519491231002"), 'X');
    assert_int_equal(validate_id_card(out, sizeof(out), "11010519491231002X", "id", &err), 0);
    assert_string_equal(out, "11010519491231002X");
    /* lower-case x accepted, stored upper-case; spaces dropped */
    assert_int_equal(validate_id_card(out, sizeof(out), " 110105 19491231 002x", "id", &err), 0);
    assert_string_equal(out, "11010519491231002X");
}

static void id_card_refusals_name_the_field(void **state)
{
    (void)state;
    char out[32];
    struct app_err err = {0};
    /* wrong check character */
    assert_int_equal(validate_id_card(out, sizeof(out), "110105194912310021", "id_number", &err),
                     APP_EINVAL);
    assert_string_equal(err.field, "id_number");
    assert_non_null(strstr(err.message, "校验位"));
    /* impossible birth date (1949-02-30), check char recomputed to isolate the date rule */
    char bad[19] = "11010519490230002";
    bad[17] = validate_id_check_char(bad);
    bad[18] = '\0';
    assert_int_equal(validate_id_card(out, sizeof(out), bad, "id_number", &err), APP_EINVAL);
    assert_non_null(strstr(err.message, "出生日期"));
    /* born in the future */
    char future[19] = "11010521000101001";
    future[17] = validate_id_check_char(future);
    future[18] = '\0';
    assert_int_equal(validate_id_card(out, sizeof(out), future, "id_number", &err), APP_EINVAL);
    assert_int_equal(validate_id_card(out, sizeof(out), "1101051949123100", "id", &err),
                     APP_EINVAL);
    assert_int_equal(validate_id_card(out, sizeof(out), "11010519491231002Y", "id", &err),
                     APP_EINVAL);
    assert_int_equal(validate_id_card(out, sizeof(out), "1101051949123100XX", "id", &err),
                     APP_EINVAL);
    assert_int_equal(validate_id_card(out, sizeof(out), "", "id", &err), APP_EINVAL);
}

static void id_card_leap_day_and_legacy_numbers(void **state)
{
    (void)state;
    char out[32], id[19] = "44030420000229123";
    struct app_err err = {0};
    id[17] = validate_id_check_char(id);
    id[18] = '\0';
    assert_int_equal(validate_id_card(out, sizeof(out), id, "id", &err), 0);
    char noleap[19] = "44030419000229123"; /* 1900 was not a leap year */
    noleap[17] = validate_id_check_char(noleap);
    noleap[18] = '\0';
    assert_int_equal(validate_id_card(out, sizeof(out), noleap, "id", &err), APP_EINVAL);
    /* 15-digit legacy number becomes 18 digits with 19 inserted and a check char */
    assert_int_equal(validate_id_card(out, sizeof(out), "110105491231002", "id", &err), 0);
    assert_string_equal(out, "11010519491231002X");
}

static void residence_permits(void **state)
{
    (void)state;
    char out[32], hk[19] = "81000019800101002";
    struct app_err err = {0};
    hk[17] = validate_id_check_char(hk);
    hk[18] = '\0';
    assert_int_equal(validate_hmt_permit(out, sizeof(out), hk, "id", &err), 0);
    assert_int_equal(validate_hmt_permit(out, sizeof(out), "11010519491231002X", "id", &err),
                     APP_EINVAL);
    /* 2023 permanent residence card: 18 digits starting with 9, same check */
    char prc[19] = "93310019850615001";
    prc[17] = validate_id_check_char(prc);
    prc[18] = '\0';
    assert_int_equal(validate_id_card(out, sizeof(out), prc, "id", &err), 0);
}

static void uscc_domain_example_and_refusals(void **state)
{
    (void)state;
    char out[32];
    struct app_err err = {0};
    assert_int_equal(validate_uscc(out, sizeof(out), "91350100M000100Y43", "uscc", &err), 0);
    assert_int_equal(validate_uscc(out, sizeof(out), "91350100m000100y43", "uscc", &err), 0);
    assert_string_equal(out, "91350100M000100Y43");
    assert_int_equal(validate_uscc(out, sizeof(out), "91350100M000100Y44", "uscc", &err),
                     APP_EINVAL);
    assert_string_equal(err.field, "uscc");
    assert_int_equal(validate_uscc(out, sizeof(out), "91350100M000100I43", "uscc", &err),
                     APP_EINVAL); /* I is not in the charset */
    assert_int_equal(validate_uscc(out, sizeof(out), "91350100M000100Y4", "uscc", &err),
                     APP_EINVAL);
}

static void mobiles_are_normalised(void **state)
{
    (void)state;
    char out[16];
    struct app_err err = {0};
    const char *good[] = {"13812345678",   "+86 138 1234 5678", "0086-138-1234-5678",
                          "8613812345678", "138-1234-5678",     "19912345678"};
    for (size_t i = 0; i < ARRAY_LEN(good); i++) {
        assert_int_equal(validate_mobile(out, sizeof(out), good[i], "phone", &err), 0);
        assert_true(strcmp(out, "13812345678") == 0 || strcmp(out, "19912345678") == 0);
    }
    const char *bad[] = {"12812345678",      "1381234567",  "138123456789",
                         "+1 138 1234 5678", "138a2345678", ""};
    for (size_t i = 0; i < ARRAY_LEN(bad); i++)
        assert_int_equal(validate_mobile(out, sizeof(out), bad[i], "phone", &err), APP_EINVAL);
    assert_string_equal(err.field, "phone");
}

static void documents_and_masks(void **state)
{
    (void)state;
    char out[40];
    struct app_err err = {0};
    assert_int_equal(validate_document_no(out, sizeof(out), "e12345678", "doc", &err), 0);
    assert_string_equal(out, "E12345678");
    assert_int_equal(validate_document_no(out, sizeof(out), "E1", "doc", &err), APP_EINVAL);
    assert_int_equal(validate_document_no(out, sizeof(out), "E1234-5678", "doc", &err), APP_EINVAL);
    mask_id(out, sizeof(out), "11010519491231002X");
    assert_string_equal(out, "110105********002X");
    mask_phone(out, sizeof(out), "13812345678");
    assert_string_equal(out, "138****5678");
    mask_tail(out, sizeof(out), "6222021234567890123");
    assert_string_equal(out, "****0123");
    mask_id(out, sizeof(out), "E12345678");
    assert_string_equal(out, "****5678");
}

/* Date members of a request: a real YYYY-MM-DD, required or not, and not
 * after today when the date records something that has happened. */
static void date_fields(void **state)
{
    (void)state;
    char today[11], tomorrow[11];
    date_today(today);
    date_add_days(tomorrow, today, 1);
    json_t *in = json_pack("{s:s, s:s, s:i, s:s, s:n}", "ok", "2024-02-29", "bad", "2023-02-29",
                           "num", 20240101, "later", tomorrow, "null");
    struct app_err err = {0};
    assert_int_equal(validate_date_field(in, "ok", VALIDATE_DATE_NOT_FUTURE, &err), 0);
    assert_int_equal(validate_date_field(in, "absent", 0, &err), 0);
    assert_int_equal(validate_date_field(in, "null", 0, &err), 0);
    assert_int_equal(validate_date_field(in, "later", 0, &err), 0);
    assert_int_equal(validate_date_field(in, "absent", VALIDATE_DATE_REQUIRED, &err), APP_EINVAL);
    assert_string_equal(err.field, "absent");
    memset(&err, 0, sizeof(err));
    assert_int_equal(validate_date_field(in, "bad", 0, &err), APP_EINVAL);
    assert_string_equal(err.field, "bad");
    assert_int_equal(validate_date_field(in, "num", 0, &err), APP_EINVAL);
    memset(&err, 0, sizeof(err));
    assert_int_equal(validate_date_field(in, "later", VALIDATE_DATE_NOT_FUTURE, &err), APP_EINVAL);
    assert_string_equal(err.field, "later");
    assert_non_null(strstr(err.message, today));
    json_t *now = json_pack("{s:s}", "d", today);
    assert_int_equal(validate_date_field(now, "d", VALIDATE_DATE_NOT_FUTURE, &err), 0);
    json_decref(now);
    json_decref(in);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
            cmocka_unit_test(id_card_domain_example),
            cmocka_unit_test(id_card_refusals_name_the_field),
            cmocka_unit_test(id_card_leap_day_and_legacy_numbers),
            cmocka_unit_test(residence_permits),
            cmocka_unit_test(uscc_domain_example_and_refusals),
            cmocka_unit_test(mobiles_are_normalised),
            cmocka_unit_test(documents_and_masks),
            cmocka_unit_test(date_fields),
    };
    return cmocka_run_group_tests_name("validate", tests, NULL, NULL);
}
