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

int calc_area_true_up(struct calc_true_up *out,
                      int64_t contract_dm2,
                      int64_t measured_dm2,
                      int64_t price_fen_per_m2)
{
    memset(out, 0, sizeof(*out));
    if (contract_dm2 <= 0 || measured_dm2 <= 0 || price_fen_per_m2 < 0)
        return APP_EINVAL;
    int64_t diff = measured_dm2 - contract_dm2;
    int64_t mag = diff < 0 ? -diff : diff;
    /* In 0.01 dm²: the difference × 100, the band 3% of the contract area. */
    i128 d100 = (i128)mag * 100, band = (i128)contract_dm2 * 3;
    i128 within = d100 < band ? d100 : band, beyond = d100 > band ? d100 - band : 0;
    /* 0.01 dm² × fen/m² → fen: divide by 10,000. */
    int64_t r = div_round((i128)mag * 10000, contract_dm2);
    out->ratio_bp = diff < 0 ? -r : r;
    out->may_terminate = d100 > band;
    if (diff >= 0) {
        out->buyer_pays_fen = div_round(within * price_fen_per_m2, 10000);
        out->developer_absorbs_fen = div_round(beyond * price_fen_per_m2, 10000);
    } else {
        out->refund_fen = div_round((within + 2 * beyond) * price_fen_per_m2, 10000);
    }
    return 0;
}

int calc_late_delivery(int64_t *days_late,
                       int64_t *penalty_fen,
                       int *may_terminate,
                       int64_t total_fen,
                       int64_t rate_e4,
                       const char *deadline,
                       const char *delivered,
                       int64_t grace_days)
{
    int64_t days = 0;
    *days_late = *penalty_fen = 0;
    *may_terminate = 0;
    if (total_fen < 0 || rate_e4 < 0 || grace_days < 0 ||
        date_diff_days(&days, deadline, delivered) < 0)
        return APP_EINVAL;
    if (days < 0)
        days = 0;
    *days_late = days;
    *penalty_fen = div_round((i128)total_fen * rate_e4 * days, (i128)100000000);
    *may_terminate = days > grace_days;
    return 0;
}

int calc_period_end(char out[11], const char *start, int years, int months)
{
    int y, m, d;
    if (date_parse(&y, &m, &d, start) < 0 || years < 0 || months < 0 || years > 200 ||
        months > 2400)
        return APP_EINVAL;
    int64_t total = (int64_t)m - 1 + months + (int64_t)years * 12;
    int64_t ny = y + total / 12;
    int nm = (int)(total % 12) + 1;
    if (ny > 9999)
        return APP_EINVAL;
    static const int dm[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (ny % 4 == 0 && ny % 100 != 0) || ny % 400 == 0;
    int last = nm == 2 && leap ? 29 : dm[nm - 1];
    date_from_days(out, date_to_days((int)ny, nm, d > last ? last : d));
    return 0;
}
