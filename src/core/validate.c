#include "validate.h"

#include <string.h>

#include <ctype.h>

#include "timeutil.h"

/* Copy in without ASCII spaces and the separators people type. */
static size_t compact(char *buf, size_t size, const char *in, int drop_dashes)
{
    size_t n = 0;
    for (const char *p = in; *p && n + 1 < size; p++) {
        if (*p == ' ' || *p == '\t' || (drop_dashes && (*p == '-' || *p == '(' || *p == ')')))
            continue;
        buf[n++] = *p;
    }
    buf[n] = '\0';
    return n;
}

char validate_id_check_char(const char *first17)
{
    static const int w[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
    int sum = 0;
    for (int i = 0; i < 17; i++)
        sum += (first17[i] - '0') * w[i];
    return "10X98765432"[sum % 11];
}

static int all_digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return 1;
}

int validate_id_card(char *out, size_t size, const char *in, const char *field, struct app_err *err)
{
    char buf[32];
    if (in == NULL || size < 19)
        return app_err_set(err, APP_EINVAL, field, "请填写证件号码");
    size_t n = compact(buf, sizeof(buf), in, 0);
    if (n == 15 && all_digits(buf, 15)) {
        /* Legacy 15-digit number: 6 address + YYMMDD + 3 sequence; born 19YY. */
        char full[19];
        memcpy(full, buf, 6);
        memcpy(full + 6, "19", 2);
        memcpy(full + 8, buf + 6, 9);
        full[17] = validate_id_check_char(full);
        full[18] = '\0';
        memcpy(buf, full, 19);
        n = 18;
    }
    if (n != 18 || !all_digits(buf, 17))
        return app_err_set(err, APP_EINVAL, field, "身份证号码应为18位（末位可为X）");
    buf[17] = (char)toupper((unsigned char)buf[17]);
    if (!((buf[17] >= '0' && buf[17] <= '9') || buf[17] == 'X'))
        return app_err_set(err, APP_EINVAL, field, "身份证号码末位应为数字或X");
    char date[11];
    snprintf(date, sizeof(date), "%.4s-%.2s-%.2s", buf + 6, buf + 10, buf + 12);
    int y, m, d;
    if (date_parse(&y, &m, &d, date) < 0)
        return app_err_set(err, APP_EINVAL, field, "身份证号码中的出生日期无效: %s", date);
    char today[32];
    time_now_iso(today, sizeof(today));
    if (strncmp(date, today, 10) > 0)
        return app_err_set(err, APP_EINVAL, field, "身份证号码中的出生日期晚于今天");
    if (validate_id_check_char(buf) != buf[17])
        return app_err_set(err, APP_EINVAL, field, "身份证号码校验位不正确，请核对");
    app_strlcpy(out, buf, size);
    return 0;
}

int validate_hmt_permit(
        char *out, size_t size, const char *in, const char *field, struct app_err *err)
{
    char buf[32];
    int rc = validate_id_card(buf, sizeof(buf), in, field, err);
    if (rc < 0)
        return rc;
    if (strncmp(buf, "810000", 6) != 0 && strncmp(buf, "820000", 6) != 0 &&
        strncmp(buf, "830000", 6) != 0)
        return app_err_set(err, APP_EINVAL, field,
                           "港澳台居民居住证号码应以 810000、820000 或 830000 开头");
    app_strlcpy(out, buf, size);
    return 0;
}

static const char uscc_chars[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";

int validate_uscc(char *out, size_t size, const char *in, const char *field, struct app_err *err)
{
    static const int w[17] = {1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28};
    char buf[32];
    if (in == NULL || size < 19)
        return app_err_set(err, APP_EINVAL, field, "请填写统一社会信用代码");
    size_t n = compact(buf, sizeof(buf), in, 0);
    if (n != 18)
        return app_err_set(err, APP_EINVAL, field, "统一社会信用代码应为18位");
    int sum = 0;
    for (int i = 0; i < 18; i++) {
        buf[i] = (char)toupper((unsigned char)buf[i]);
        const char *p = strchr(uscc_chars, buf[i]);
        if (p == NULL || buf[i] == '\0')
            return app_err_set(err, APP_EINVAL, field,
                               "统一社会信用代码含有无效字符 %c（不使用 I、O、S、V、Z）", buf[i]);
        if (i < 17)
            sum += (int)(p - uscc_chars) * w[i];
    }
    int check = 31 - sum % 31;
    if (check == 31)
        check = 0;
    if (uscc_chars[check] != buf[17])
        return app_err_set(err, APP_EINVAL, field, "统一社会信用代码校验位不正确，请核对");
    app_strlcpy(out, buf, size);
    return 0;
}

int validate_mobile(char *out, size_t size, const char *in, const char *field, struct app_err *err)
{
    char buf[40];
    if (in == NULL || size < 12)
        return app_err_set(err, APP_EINVAL, field, "请填写手机号码");
    size_t n = compact(buf, sizeof(buf), in, 1);
    const char *p = buf;
    if (strncmp(p, "+86", 3) == 0)
        p += 3;
    else if (strncmp(p, "0086", 4) == 0)
        p += 4;
    else if (n == 13 && strncmp(p, "86", 2) == 0)
        p += 2;
    if (strlen(p) != 11 || !all_digits(p, 11) || p[0] != '1' || p[1] < '3')
        return app_err_set(err, APP_EINVAL, field, "手机号码应为11位，以13-19开头");
    app_strlcpy(out, p, size);
    return 0;
}

int validate_document_no(
        char *out, size_t size, const char *in, const char *field, struct app_err *err)
{
    char buf[40];
    if (in == NULL)
        return app_err_set(err, APP_EINVAL, field, "请填写证件号码");
    size_t n = compact(buf, sizeof(buf), in, 0);
    if (n < 5 || n > 20)
        return app_err_set(err, APP_EINVAL, field, "证件号码应为5到20位字母或数字");
    for (size_t i = 0; i < n; i++) {
        if (!isalnum((unsigned char)buf[i]))
            return app_err_set(err, APP_EINVAL, field, "证件号码只能包含字母和数字");
        buf[i] = (char)toupper((unsigned char)buf[i]);
    }
    if (n + 1 > size)
        return app_err_set(err, APP_EINVAL, field, "证件号码过长");
    app_strlcpy(out, buf, size);
    return 0;
}

int validate_email(char *out, size_t size, const char *in, const char *field, struct app_err *err)
{
    const char *at = strchr(in, '@');
    size_t n = strlen(in);
    if (at == NULL || at == in || strchr(at + 1, '@') || n + 1 > size || n > 100 ||
        strchr(at + 1, '.') == NULL || at[1] == '.' || in[n - 1] == '.' ||
        strpbrk(in, " \t,;<>()[]\\\"") != NULL)
        return app_err_set(err, APP_EINVAL, field, "邮箱格式不正确");
    app_strlcpy(out, in, size);
    for (char *p = out + (at - in); *p; p++)
        *p = (char)tolower((unsigned char)*p);
    return 0;
}

int validate_code(char *out, size_t size, const char *in, const char *field, struct app_err *err)
{
    size_t n = strlen(in);
    if (n == 0 || n + 1 > size)
        return app_err_set(err, APP_EINVAL, field, "编码不能为空");
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)in[i];
        if (!isalnum(ch) && ch != '-' && ch != '_')
            return app_err_set(err, APP_EINVAL, field, "编码只能包含字母、数字、- 和 _");
        out[i] = (char)toupper(ch);
    }
    out[n] = '\0';
    return 0;
}

void mask_id(char *out, size_t size, const char *id)
{
    size_t n = strlen(id);
    if (n < 10) {
        mask_tail(out, size, id);
        return;
    }
    /* First 6 and last 4 shown: 110105********002X. */
    char buf[64];
    size_t o = 0;
    for (size_t i = 0; i < n && o + 1 < sizeof(buf); i++)
        buf[o++] = (i < 6 || i >= n - 4) ? id[i] : '*';
    buf[o] = '\0';
    app_strlcpy(out, buf, size);
}

void mask_phone(char *out, size_t size, const char *phone)
{
    size_t n = strlen(phone);
    if (n != 11) {
        mask_tail(out, size, phone);
        return;
    }
    snprintf(out, size, "%.3s****%.4s", phone, phone + 7);
}

void mask_tail(char *out, size_t size, const char *s)
{
    size_t n = strlen(s);
    snprintf(out, size, "****%s", n >= 4 ? s + n - 4 : "");
}

int validate_date_field(json_t *in, const char *k, int flags, struct app_err *err)
{
    json_t *v = json_object_get(in, k);
    int y, m, d;
    if (v == NULL || json_is_null(v))
        return (flags & VALIDATE_DATE_REQUIRED) ? app_err_set(err, APP_EINVAL, k, "请填写日期") : 0;
    if (!json_is_string(v) || date_parse(&y, &m, &d, json_string_value(v)) < 0)
        return app_err_set(err, APP_EINVAL, k, "日期应为 YYYY-MM-DD");
    if (flags & VALIDATE_DATE_NOT_FUTURE) {
        char today[11];
        date_today(today);
        if (strcmp(json_string_value(v), today) > 0)
            return app_err_set(err, APP_EINVAL, k, "日期不能晚于今天（%s）", today);
    }
    return 0;
}
