#include "calc.h"

#include <string.h>

#include <ctype.h>
#include <math.h>

#include "core/timeutil.h"

__extension__ typedef __int128 i128;

int calc_parse_decimal(int64_t *out, const char *s, int scale)
{
    *out = 0;
    if (s == NULL || *s == '\0' || strlen(s) > 20)
        return APP_EINVAL;
    int64_t whole = 0, frac = 0;
    int digits = 0, decimals = 0;
    const char *p = s;
    for (; isdigit((unsigned char)*p); p++, digits++)
        whole = whole * 10 + (*p - '0');
    if (*p == '.') {
        p++;
        for (; isdigit((unsigned char)*p); p++) {
            if (++decimals > scale)
                return APP_EINVAL;
            frac = frac * 10 + (*p - '0');
        }
        if (decimals == 0)
            return APP_EINVAL;
    }
    if (*p != '\0' || digits == 0 || digits > 9)
        return APP_EINVAL;
    for (int i = decimals; i < scale; i++)
        frac *= 10;
    int64_t mul = 1;
    for (int i = 0; i < scale; i++)
        mul *= 10;
    *out = whole * mul + frac;
    return 0;
}

/* num / den rounded half-up, for non-negative num and positive den. */
static int64_t div_round(i128 num, i128 den)
{
    return (int64_t)((num * 2 + den) / (den * 2));
}

/* Monthly interest on balance at rate_e4 (annual % × 10^4): balance × rate /
 * 100 / 10^4 / 12 = balance × rate_e4 / 12,000,000. */
static int64_t month_interest(int64_t balance, int64_t rate_e4)
{
    return div_round((i128)balance * rate_e4, (i128)12000000);
}

int64_t calc_mortgage(struct calc_month *rows,
                      int64_t principal_fen,
                      int months,
                      int64_t rate_e4,
                      enum calc_method method)
{
    int64_t balance = principal_fen, total = 0, payment = 0, fixed_principal = 0;
    if (method == CALC_EQUAL_PAYMENT) {
        if (rate_e4 == 0) {
            payment = div_round(principal_fen, months);
        } else {
            /* The annuity needs (1+r)^n: long double carries 64 bits of
             * mantissa, far more than the fen of any real loan. */
            long double r = (long double)rate_e4 / 12000000.0L;
            long double f = powl(1.0L + r, (long double)months);
            long double m = (long double)principal_fen * r * f / (f - 1.0L);
            payment = (int64_t)floorl(m + 0.5L);
        }
    } else {
        fixed_principal = div_round(principal_fen, months);
    }
    for (int k = 1; k <= months; k++) {
        struct calc_month *row = &rows[k - 1];
        int64_t interest = month_interest(balance, rate_e4);
        int64_t principal = method == CALC_EQUAL_PAYMENT ? payment - interest : fixed_principal;
        if (k == months || principal > balance)
            principal = balance;
        if (principal < 0)
            principal = 0;
        balance -= principal;
        row->month = k;
        row->interest_fen = interest;
        row->principal_fen = principal;
        row->payment_fen = principal + interest;
        row->balance_fen = balance;
        total += interest;
    }
    return total;
}

int calc_late_penalty(int64_t *penalty_fen,
                      int64_t *days_late,
                      int64_t *outstanding_fen,
                      int64_t amount_fen,
                      const char *due,
                      const char *const *pay_dates,
                      const int64_t *pay_amounts,
                      size_t n_payments,
                      const char *as_of,
                      int64_t rate_e4)
{
    *penalty_fen = 0;
    *days_late = 0;
    *outstanding_fen = amount_fen;
    int64_t outstanding = amount_fen, span;
    i128 acc = 0;           /* Σ outstanding × days, before the rate */
    const char *prev = due; /* accrued up to and including prev */
    const char *last_late_day = NULL;
    for (size_t i = 0; i < n_payments; i++) {
        if (date_diff_days(&span, prev, pay_dates[i]) < 0)
            return APP_EINVAL;
        if (span > 0 && outstanding > 0) {
            acc += (i128)outstanding * span;
            last_late_day = pay_dates[i];
            prev = pay_dates[i];
        }
        outstanding -= pay_amounts[i];
        if (outstanding < 0)
            outstanding = 0;
    }
    if (outstanding > 0) {
        if (date_diff_days(&span, prev, as_of) < 0)
            return APP_EINVAL;
        if (span > 0) {
            acc += (i128)outstanding * span;
            last_late_day = as_of;
        }
    }
    if (last_late_day && date_diff_days(days_late, due, last_late_day) < 0)
        return APP_EINVAL;
    if (*days_late < 0)
        *days_late = 0;
    /* penalty = Σ outstanding × days × rate / 10,000, rate = rate_e4 / 10,000 */
    *penalty_fen = div_round(acc * rate_e4, (i128)100000000);
    *outstanding_fen = outstanding;
    return 0;
}
