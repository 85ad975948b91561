/*
 * api_calc.c - the calculators staff use on the phone and in statements:
 * area true-up, late-delivery penalty, warranty period end. (The mortgage
 * schedule is in api_mortgage.c.)
 */
#include <string.h>

#include "api.h"
#include "core/timeutil.h"
#include "domain/calc.h"

static int body_int(struct api_ctx *ctx,
                    const char *k,
                    int64_t lo,
                    int64_t hi,
                    int64_t *out,
                    const char *what,
                    struct app_err *err)
{
    json_t *v = json_object_get(ctx->body, k);
    if (!json_is_integer(v) || json_integer_value(v) < lo || json_integer_value(v) > hi)
        return app_err_set(err, APP_EINVAL, k, "%s应为 %lld 到 %lld 之间的整数", what,
                           (long long)lo, (long long)hi);
    *out = json_integer_value(v);
    return 0;
}

int api_calc_true_up(struct api_ctx *ctx, struct app_err *err)
{
    int64_t a0, a1, price;
    int rc = api_body_object(ctx, err);
    if (rc == 0)
        rc = body_int(ctx, "contract_area_dm2", 1, 100000000, &a0, "合同面积（dm²）", err);
    if (rc == 0)
        rc = body_int(ctx, "measured_area_dm2", 1, 100000000, &a1, "实测面积（dm²）", err);
    if (rc == 0)
        rc = body_int(ctx, "unit_price_fen", 0, 100000000000LL, &price, "单价（分/m²）", err);
    if (rc < 0)
        return rc;
    struct calc_true_up t;
    calc_area_true_up(&t, a0, a1, price);
    ctx->reply =
            json_pack("{s:I, s:b, s:I, s:I, s:I}", "ratio_bp", (json_int_t)t.ratio_bp,
                      "may_terminate", t.may_terminate, "buyer_pays_fen",
                      (json_int_t)t.buyer_pays_fen, "developer_absorbs_fen",
                      (json_int_t)t.developer_absorbs_fen, "refund_fen", (json_int_t)t.refund_fen);
    return 0;
}

int api_calc_late_delivery(struct api_ctx *ctx, struct app_err *err)
{
    int64_t total, grace = 0, rate_e4 = 0;
    int rc = api_body_object(ctx, err);
    if (rc == 0)
        rc = body_int(ctx, "total_price_fen", 1, 100000000000000LL, &total, "总价（分）", err);
    if (rc < 0)
        return rc;
    if (json_object_get(ctx->body, "grace_days") &&
        (rc = body_int(ctx, "grace_days", 0, 3650, &grace, "宽限天数", err)) < 0)
        return rc;
    const char *rate = api_body_str(ctx, "daily_rate_per_10000");
    if (rate == NULL || calc_parse_decimal(&rate_e4, rate, 4) < 0 || rate_e4 > 1000000)
        return app_err_set(err, APP_EINVAL, "daily_rate_per_10000",
                           "日违约金应为万分之几的数字文本，如 \"2\"（最多四位小数）");
    const char *deadline = api_body_str(ctx, "deadline"),
               *delivered = api_body_str(ctx, "delivered");
    int64_t days, penalty;
    int may;
    int y, m, d;
    if (deadline == NULL || date_parse(&y, &m, &d, deadline) < 0)
        return app_err_set(err, APP_EINVAL, "deadline", "约定交付日期应为 YYYY-MM-DD");
    if (delivered == NULL || date_parse(&y, &m, &d, delivered) < 0)
        return app_err_set(err, APP_EINVAL, "delivered", "实际交付日期应为 YYYY-MM-DD");
    calc_late_delivery(&days, &penalty, &may, total, rate_e4, deadline, delivered, grace);
    ctx->reply = json_pack("{s:I, s:I, s:b}", "days_late", (json_int_t)days, "penalty_fen",
                           (json_int_t)penalty, "may_terminate", may);
    return 0;
}

int api_calc_warranty_end(struct api_ctx *ctx, struct app_err *err)
{
    int64_t years = 0, months = 0;
    int rc = api_body_object(ctx, err);
    if (rc < 0)
        return rc;
    if (json_object_get(ctx->body, "years") &&
        (rc = body_int(ctx, "years", 0, 200, &years, "年数", err)) < 0)
        return rc;
    if (json_object_get(ctx->body, "months") &&
        (rc = body_int(ctx, "months", 0, 2400, &months, "月数", err)) < 0)
        return rc;
    if (years == 0 && months == 0)
        return app_err_set(err, APP_EINVAL, "years", "请填写保修年数或月数");
    char end[11];
    const char *start = api_body_str(ctx, "start");
    if (start == NULL || calc_period_end(end, start, (int)years, (int)months) < 0)
        return app_err_set(err, APP_EINVAL, "start", "起始日期应为 YYYY-MM-DD");
    ctx->reply = json_pack("{s:s}", "end", end);
    return 0;
}
