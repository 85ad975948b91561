/*
 * calc.h - the money arithmetic of DOMAIN.md: mortgage schedules (§5) and
 * penalty accrual at a daily rate per 10,000 (§3). Integer fen throughout;
 * rates are parsed from decimal strings into exact integers; every rounding
 * is half-up to the fen and happens where stated.
 */
#ifndef CALC_H
#define CALC_H

#include <stddef.h>
#include <stdint.h>

#include "core/app.h"

/* "3.5" → 35000 (the value × 10^scale), up to scale decimals; APP_EINVAL for
 * anything else (signs, exponents, more decimals). */
int calc_parse_decimal(int64_t *out, const char *s, int scale);

enum calc_method { CALC_EQUAL_PAYMENT = 1, CALC_EQUAL_PRINCIPAL = 2 };

struct calc_month {
    int month;
    int64_t payment_fen, principal_fen, interest_fen, balance_fen;
};

/* A repayment schedule of months (1..360) rows into rows (caller's array).
 * rate_e4 is the annual rate in percent × 10^4 ("3.5" → 35000). Each month's
 * interest = previous balance × annual rate / 12, rounded half-up; 等额本息
 * pays the annuity rounded half-up; 等额本金 repays principal / months
 * rounded half-up; the last month repays the whole remaining balance.
 * Returns the total interest. */
int64_t calc_mortgage(struct calc_month *rows,
                      int64_t principal_fen,
                      int months,
                      int64_t rate_e4,
                      enum calc_method method);

/* Penalty on money paid late: amount due on due (YYYY-MM-DD), paid by
 * payments (dates ascending, amounts in fen), accrued up to as_of, at
 * rate_e4 per 10,000 per day ("2" → 20000). A payment on day d settles its
 * part after accruing for d itself (days = d − due). Rounded half-up once,
 * at the end. *days_late is as_of − due for what is still owed, or the day
 * of the last payment when all is paid. APP_EINVAL for bad dates. */
int calc_late_penalty(int64_t *penalty_fen,
                      int64_t *days_late,
                      int64_t *outstanding_fen,
                      int64_t amount_fen,
                      const char *due,
                      const char *const *pay_dates,
                      const int64_t *pay_amounts,
                      size_t n_payments,
                      const char *as_of,
                      int64_t rate_e4);

/* Area true-up (商品房销售管理办法 第20条, DOMAIN.md §2). Areas in dm²
 * (0.01 m²), price in fen per m². The 3% band is inclusive; the part within
 * it is settled at the price, the part beyond is absorbed by the developer
 * (larger) or refunded twice (smaller). Amounts rounded half-up once each. */
struct calc_true_up {
    int64_t ratio_bp; /* (measured − contract) / contract in basis points, half-up */
    int may_terminate;
    int64_t buyer_pays_fen, developer_absorbs_fen, refund_fen;
};
int calc_area_true_up(struct calc_true_up *out,
                      int64_t contract_dm2,
                      int64_t measured_dm2,
                      int64_t price_fen_per_m2);

/* Late delivery (GF-2014-0171 第十二条): days = delivered − deadline (never
 * negative); penalty = total × rate / 10,000 × days, half-up; termination
 * allowed beyond grace_days. */
int calc_late_delivery(int64_t *days_late,
                       int64_t *penalty_fen,
                       int *may_terminate,
                       int64_t total_fen,
                       int64_t rate_e4,
                       const char *deadline,
                       const char *delivered,
                       int64_t grace_days);

/* The end of a period of years and months from start (民法典 第201–202条):
 * the corresponding day, or the last day of the month when it has none. */
int calc_period_end(char out[11], const char *start, int years, int months);

#endif
