/* Unit tests of the money arithmetic (src/domain/calc.c) against the
 * worked examples of DOMAIN.md §3 and §5, and our own cases. */
#include <stdlib.h>
#include <string.h>

#include "domain/calc.h"
#include "test_helpers.h"

static struct calc_month rows[360];

static void decimals_parse_exactly(void **state)
{
    (void)state;
    int64_t v;
    assert_int_equal(calc_parse_decimal(&v, "3.5", 4), 0);
    assert_int_equal(v, 35000);
    assert_int_equal(calc_parse_decimal(&v, "2.6", 4), 0);
    assert_int_equal(v, 26000);
    assert_int_equal(calc_parse_decimal(&v, "0", 4), 0);
    assert_int_equal(v, 0);
    assert_int_equal(calc_parse_decimal(&v, "4.1234", 4), 0);
    assert_int_equal(v, 41234);
    assert_int_equal(calc_parse_decimal(&v, "4.12345", 4), APP_EINVAL);
    assert_int_equal(calc_parse_decimal(&v, "-1", 4), APP_EINVAL);
    assert_int_equal(calc_parse_decimal(&v, "3.", 4), APP_EINVAL);
    assert_int_equal(calc_parse_decimal(&v, "1e2", 4), APP_EINVAL);
    assert_int_equal(calc_parse_decimal(&v, "", 4), APP_EINVAL);
}

static void equal_payment_domain_example(void **state)
{
    (void)state;
    /* P = 1,000,000 yuan, 30 years, 3.5% */
    int64_t total = calc_mortgage(rows, 100000000, 360, 35000, CALC_EQUAL_PAYMENT);
    assert_int_equal(rows[0].payment_fen, 449045);
    assert_int_equal(rows[0].interest_fen, 291667);
    assert_int_equal(rows[0].principal_fen, 157378);
    assert_int_equal(total, 61656007); /* 616,560.07 with this rounding */
    assert_int_equal(rows[359].balance_fen, 0);
    assert_int_equal(rows[359].payment_fen, 448852); /* the adjusted last payment */
}

static void equal_principal_domain_example(void **state)
{
    (void)state;
    int64_t total = calc_mortgage(rows, 100000000, 360, 35000, CALC_EQUAL_PRINCIPAL);
    assert_int_equal(rows[0].principal_fen, 277778);
    assert_int_equal(rows[0].interest_fen, 291667);
    assert_int_equal(rows[0].payment_fen, 569445); /* 5,694.45 = 2,777.78 + 2,916.67 */
    assert_int_equal(rows[359].balance_fen, 0);
    /* principal / 360 rounds up, so the last month repays a little less */
    assert_int_equal(rows[359].principal_fen, 100000000 - 277778 * 359);
    assert_true(llabs(total - 52645833) < 100); /* 526,458.33 exact */
}

static void provident_fund_example(void **state)
{
    (void)state;
    int64_t total = calc_mortgage(rows, 100000000, 360, 26000, CALC_EQUAL_PAYMENT);
    assert_int_equal(rows[0].payment_fen, 400340); /* 4,003.40 */
    assert_true(llabs(total - 44122296) < 200);    /* 441,222.96 exact */
}

static void edge_cases(void **state)
{
    (void)state;
    /* One month: everything at once, with one month's interest. */
    int64_t total = calc_mortgage(rows, 1200000, 1, 60000, CALC_EQUAL_PAYMENT);
    assert_int_equal(rows[0].interest_fen, 6000);
    assert_int_equal(rows[0].principal_fen, 1200000);
    assert_int_equal(rows[0].payment_fen, 1206000);
    assert_int_equal(total, 6000);
    /* A rate of 0: no interest, equal parts, the last one takes the rest. */
    total = calc_mortgage(rows, 1000, 3, 0, CALC_EQUAL_PAYMENT);
    assert_int_equal(total, 0);
    assert_int_equal(rows[0].payment_fen, 333);
    assert_int_equal(rows[2].principal_fen, 334);
    assert_int_equal(rows[2].balance_fen, 0);
    total = calc_mortgage(rows, 1000, 3, 0, CALC_EQUAL_PRINCIPAL);
    assert_int_equal(total, 0);
    assert_int_equal(rows[2].balance_fen, 0);
}

static void late_penalty_domain_example(void **state)
{
    (void)state;
    /* DOMAIN.md §3: 2,000,000 due 2025-06-30, settled 2025-09-15 → 77 days
     * at 2/10000 → 30,800.00 */
    int64_t penalty, days, owed;
    const char *dates[] = {"2025-09-15"};
    const int64_t amounts[] = {200000000};
    assert_int_equal(calc_late_penalty(&penalty, &days, &owed, 200000000, "2025-06-30", dates,
                                       amounts, 1, "2025-12-31", 20000),
                     0);
    assert_int_equal(days, 77);
    assert_int_equal(penalty, 3080000);
    assert_int_equal(owed, 0);
}

static void late_penalty_across_month_end_and_leap_day(void **state)
{
    (void)state;
    int64_t penalty, days, owed;
    /* 100,000 due 2024-02-27; 40,000 paid 2024-03-02 (4 days late over the
     * leap day), the rest still owed on 2024-03-31 (33 days) at 5/10000:
     * 100,000×4 + 60,000×29 = 2,140,000 yuan-days × 0.0005 = 1,070.00 */
    const char *dates[] = {"2024-03-02"};
    const int64_t amounts[] = {4000000};
    assert_int_equal(calc_late_penalty(&penalty, &days, &owed, 10000000, "2024-02-27", dates,
                                       amounts, 1, "2024-03-31", 50000),
                     0);
    assert_int_equal(days, 33);
    assert_int_equal(owed, 6000000);
    assert_int_equal(penalty, 107000);
    /* Paid before the due date: no penalty at all. */
    const char *early[] = {"2024-02-20"};
    const int64_t all[] = {10000000};
    assert_int_equal(calc_late_penalty(&penalty, &days, &owed, 10000000, "2024-02-27", early, all,
                                       1, "2024-03-31", 50000),
                     0);
    assert_int_equal(penalty, 0);
    assert_int_equal(days, 0);
    /* Not yet due. */
    assert_int_equal(calc_late_penalty(&penalty, &days, &owed, 10000000, "2024-02-27", NULL, NULL,
                                       0, "2024-02-27", 50000),
                     0);
    assert_int_equal(penalty, 0);
    /* Half-up at the end: 1 fen × 1 day at 5000/10^8 is 0.00005 → 0; 10,000
     * fen × 1 day at 0.5/10000 = 0.5 fen → 1. */
    assert_int_equal(calc_late_penalty(&penalty, &days, &owed, 10000, "2024-01-01", NULL, NULL, 0,
                                       "2024-01-02", 5000),
                     0);
    assert_int_equal(penalty, 1);
}

static void area_true_up_domain_examples(void **state)
{
    (void)state;
    struct calc_true_up t;
    /* A0 = 100.00 m², p = 20,000/m²: A1 = 105.00 → +5%, may terminate; if kept,
     * the buyer pays 60,000 and the developer absorbs 40,000. */
    assert_int_equal(calc_area_true_up(&t, 10000, 10500, 2000000), 0);
    assert_int_equal(t.ratio_bp, 500);
    assert_true(t.may_terminate);
    assert_int_equal(t.buyer_pays_fen, 6000000);
    assert_int_equal(t.developer_absorbs_fen, 4000000);
    assert_int_equal(t.refund_fen, 0);
    /* A1 = 95.00 → refund 60,000 + 2 × 40,000 = 140,000. */
    assert_int_equal(calc_area_true_up(&t, 10000, 9500, 2000000), 0);
    assert_int_equal(t.ratio_bp, -500);
    assert_int_equal(t.refund_fen, 14000000);
    /* Exactly 3% either way is inside the band. */
    assert_int_equal(calc_area_true_up(&t, 10000, 10300, 2000000), 0);
    assert_false(t.may_terminate);
    assert_int_equal(t.buyer_pays_fen, 6000000);
    assert_int_equal(t.developer_absorbs_fen, 0);
    assert_int_equal(calc_area_true_up(&t, 10000, 9700, 2000000), 0);
    assert_false(t.may_terminate);
    assert_int_equal(t.refund_fen, 6000000);
    /* Just above 3%: 0.01 m² beyond the band. */
    assert_int_equal(calc_area_true_up(&t, 10000, 10301, 2000000), 0);
    assert_true(t.may_terminate);
    assert_int_equal(t.buyer_pays_fen, 6000000);
    assert_int_equal(t.developer_absorbs_fen, 20000);
    assert_int_equal(calc_area_true_up(&t, 10000, 9699, 2000000), 0);
    assert_true(t.may_terminate);
    assert_int_equal(t.refund_fen, 6000000 + 2 * 20000);
    /* A band that is not a whole 0.01 m²: 3% of 89.37 m² = 2.6811 m². */
    assert_int_equal(calc_area_true_up(&t, 8937, 9237, 1850000), 0);
    assert_int_equal(t.buyer_pays_fen, 4960035);       /* 2.6811 × 18,500 = 49,600.35 */
    assert_int_equal(t.developer_absorbs_fen, 589965); /* 0.3189 × 18,500 = 5,899.65 */
    assert_int_equal(calc_area_true_up(&t, 0, 9237, 1850000), APP_EINVAL);
}

static void late_delivery_domain_example(void **state)
{
    (void)state;
    int64_t days, penalty;
    int may;
    assert_int_equal(calc_late_delivery(&days, &penalty, &may, 200000000, 20000, "2025-06-30",
                                        "2025-09-15", 90),
                     0);
    assert_int_equal(days, 77);
    assert_int_equal(penalty, 3080000); /* 30,800.00 */
    assert_false(may);                  /* N = 90 */
    /* Across a leap February, beyond the grace days. */
    assert_int_equal(calc_late_delivery(&days, &penalty, &may, 100000000, 5000, "2024-01-31",
                                        "2024-03-01", 29),
                     0);
    assert_int_equal(days, 30);
    assert_int_equal(penalty, 150000); /* 1,000,000 × 0.5/10000 × 30 = 1,500.00 */
    assert_true(may);
    /* Early delivery owes nothing. */
    assert_int_equal(calc_late_delivery(&days, &penalty, &may, 100000000, 5000, "2024-01-31",
                                        "2024-01-15", 29),
                     0);
    assert_int_equal(days, 0);
    assert_int_equal(penalty, 0);
}

static void period_ends_per_civil_code(void **state)
{
    (void)state;
    char out[11];
    assert_int_equal(calc_period_end(out, "2024-02-29", 1, 0), 0);
    assert_string_equal(out, "2025-02-28"); /* no 29 February: the month's last day */
    assert_int_equal(calc_period_end(out, "2024-02-29", 4, 0), 0);
    assert_string_equal(out, "2028-02-29");
    assert_int_equal(calc_period_end(out, "2025-01-31", 0, 1), 0);
    assert_string_equal(out, "2025-02-28");
    assert_int_equal(calc_period_end(out, "2025-08-31", 0, 6), 0);
    assert_string_equal(out, "2026-02-28");
    assert_int_equal(calc_period_end(out, "2025-06-15", 5, 0), 0);
    assert_string_equal(out, "2030-06-15");
    assert_int_equal(calc_period_end(out, "2025-11-30", 0, 3), 0);
    assert_string_equal(out, "2026-02-28");
    assert_int_equal(calc_period_end(out, "2025-02-30", 1, 0), APP_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
            cmocka_unit_test(decimals_parse_exactly),
            cmocka_unit_test(equal_payment_domain_example),
            cmocka_unit_test(equal_principal_domain_example),
            cmocka_unit_test(provident_fund_example),
            cmocka_unit_test(edge_cases),
            cmocka_unit_test(late_penalty_domain_example),
            cmocka_unit_test(late_penalty_across_month_end_and_leap_day),
            cmocka_unit_test(area_true_up_domain_examples),
            cmocka_unit_test(late_delivery_domain_example),
            cmocka_unit_test(period_ends_per_civil_code),
    };
    return cmocka_run_group_tests_name("calc", tests, NULL, NULL);
}
