/* Unit tests of the small core modules: strbuf, timeutil, config, crypto. */
#include <stdlib.h>
#include <string.h>

#include <fcntl.h>

#include "core/config.h"
#include "core/strbuf.h"
#include "core/timeutil.h"
#include "test_helpers.h"

static void strbuf_grows_and_respects_its_maximum(void **state)
{
    (void)state;
    struct strbuf sb;
    strbuf_init(&sb, 10);
    assert_string_equal(strbuf_str(&sb), "");
    assert_int_equal(strbuf_puts(&sb, "12345"), 0);
    assert_int_equal(strbuf_printf(&sb, "%d", 678), 0);
    assert_string_equal(strbuf_str(&sb), "12345678");
    assert_int_equal(strbuf_puts(&sb, "abc"), APP_EINVAL); /* 11 > 10 */
    assert_string_equal(strbuf_str(&sb), "12345678");      /* unchanged */
    assert_int_equal(strbuf_puts(&sb, "ab"), 0);
    assert_int_equal(sb.len, 10);
    char *s = strbuf_steal(&sb);
    assert_string_equal(s, "12345678ab");
    free(s);
    assert_null(sb.data);
    strbuf_free(&sb);
}

static void dates_are_real_calendar_days(void **state)
{
    (void)state;
    int y, m, d;
    assert_int_equal(date_parse(&y, &m, &d, "2024-02-29"), 0);
    assert_int_equal(y * 10000 + m * 100 + d, 20240229);
    assert_int_equal(date_parse(&y, &m, &d, "2025-02-29"), APP_EINVAL);
    assert_int_equal(date_parse(&y, &m, &d, "1900-02-29"), APP_EINVAL);
    assert_int_equal(date_parse(&y, &m, &d, "2000-02-29"), 0);
    assert_int_equal(date_parse(&y, &m, &d, "2025-04-31"), APP_EINVAL);
    assert_int_equal(date_parse(&y, &m, &d, "2025-13-01"), APP_EINVAL);
    assert_int_equal(date_parse(&y, &m, &d, "2025-1-01"), APP_EINVAL);
    assert_int_equal(date_parse(&y, &m, &d, "2025-01-01x"), APP_EINVAL);
    assert_int_equal(date_parse(&y, &m, &d, "20250101xx"), APP_EINVAL);
}

static void instants_round_trip_in_utc(void **state)
{
    (void)state;
    int64_t t;
    char buf[32];
    assert_int_equal(time_parse_iso(&t, "1970-01-01T00:00:00Z"), 0);
    assert_int_equal(t, 0);
    assert_int_equal(time_parse_iso(&t, "2026-03-05T06:30:00Z"), 0);
    assert_int_equal(t, 1772692200);
    time_format_iso(buf, sizeof(buf), t);
    assert_string_equal(buf, "2026-03-05T06:30:00Z");
    assert_int_equal(time_parse_iso(&t, "2026-03-05 06:30:00"), APP_EINVAL);
    assert_int_equal(time_parse_iso(&t, "2026-03-05T24:00:00Z"), APP_EINVAL);
    time_set_fake(1000);
    assert_int_equal(time_now(), 1000);
    time_set_fake(0);
    assert_true(time_now() > 1700000000);
}

static void civil_date_arithmetic(void **state)
{
    (void)state;
    char out[11];
    int64_t n;
    assert_int_equal(date_add_days(out, "2024-02-28", 1), 0);
    assert_string_equal(out, "2024-02-29");
    assert_int_equal(date_add_days(out, "2024-02-28", 2), 0);
    assert_string_equal(out, "2024-03-01");
    assert_int_equal(date_add_days(out, "2025-12-31", 30), 0);
    assert_string_equal(out, "2026-01-30");
    assert_int_equal(date_add_days(out, "2026-03-01", -1), 0);
    assert_string_equal(out, "2026-02-28");
    assert_int_equal(date_diff_days(&n, "2025-06-30", "2025-09-15"), 0);
    assert_int_equal(n, 77); /* DOMAIN.md §3 example */
    assert_int_equal(date_diff_days(&n, "2024-01-01", "2025-01-01"), 0);
    assert_int_equal(n, 366);
    assert_int_equal(date_add_days(out, "2025-02-29", 1), APP_EINVAL);
    time_set_fake(1772692200); /* 2026-03-05T06:30:00Z */
    date_today(out);
    assert_string_equal(out, "2026-03-05");
    time_set_fake(1772726400 - 1); /* 2026-03-05T15:59:59Z = 23:59:59 in Shanghai */
    date_today(out);
    assert_string_equal(out, "2026-03-05");
    time_set_fake(1772726400); /* 16:00Z = midnight in Shanghai */
    date_today(out);
    assert_string_equal(out, "2026-03-06");
    time_set_fake(0);
}

static void config_sources_and_validation(void **state)
{
    (void)state;
    struct config cfg;
    struct app_err err = {0};
    config_defaults(&cfg);
    assert_string_equal(cfg.listen, "127.0.0.1:8080");
    assert_int_equal(cfg.pool_size, 8);
    assert_int_equal(config_set(&cfg, "pool_size", "16", &err), 0);
    assert_int_equal(cfg.pool_size, 16);
    assert_int_equal(config_set(&cfg, "pool_size", "0", &err), APP_EINVAL);
    assert_string_equal(err.field, "pool_size");
    assert_int_equal(config_set(&cfg, "pool_size", "12abc", &err), APP_EINVAL);
    assert_int_equal(config_set(&cfg, "no_such_key", "1", &err), APP_EINVAL);
    assert_int_equal(config_set(&cfg, "cookie_secure", "yes", &err), 0);
    assert_int_equal(cfg.cookie_secure, 1);
    assert_int_equal(config_set(&cfg, "cookie_secure", "maybe", &err), APP_EINVAL);

    char path[] = "/tmp/anjia-cfg-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    const char *text = "# comment\n\ndb = \"/var/lib/anjia/a.db\"\nlisten=0.0.0.0:9000\n";
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    config_defaults(&cfg);
    assert_int_equal(config_load_file(&cfg, path, &err), 0);
    assert_string_equal(cfg.db, "/var/lib/anjia/a.db");
    assert_string_equal(cfg.listen, "0.0.0.0:9000");
    config_finish(&cfg);
    assert_string_equal(cfg.key_file, "/var/lib/anjia/a.db.key");

    setenv("ANJIA_LISTEN", "127.0.0.1:1", 1);
    assert_int_equal(config_load_env(&cfg, &err), 0);
    assert_string_equal(cfg.listen, "127.0.0.1:1");
    unsetenv("ANJIA_LISTEN");

    fd = open(path, O_WRONLY | O_TRUNC);
    assert_true(fd >= 0);
    text = "listen 1\n";
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    assert_int_equal(config_load_file(&cfg, path, &err), APP_EINVAL);
    unlink(path);
}

static void long_messages_are_cut_at_a_character(void **state)
{
    (void)state;
    struct app_err err = {0};
    char many[2000] = "";
    for (int i = 0; i < 120; i++)
        strncat(many, "张三 户口簿、", sizeof(many) - strlen(many) - 1);
    assert_int_equal(app_err_set(&err, APP_EINVAL, "documents", "缺少 %s", many), APP_EINVAL);
    size_t n = strlen(err.message);
    assert_true(n < sizeof(err.message));
    assert_true(app_utf8_valid(err.message, n));
    assert_memory_equal(err.message + n - 3, "\xE2\x80\xA6", 3); /* … */
    assert_string_equal(err.field, "documents");
}

static void passwords_hash_and_verify(void **state)
{
    (void)state;
    char hash[256];
    assert_int_equal(crypto_password_hash(hash, sizeof(hash), "correct horse"), 0);
    assert_memory_equal(hash, "$argon2id$", 10);
    assert_int_equal(crypto_password_verify(hash, "correct horse"), 0);
    assert_int_equal(crypto_password_verify(hash, "correct horsf"), APP_EAUTH);
}

static void tokens_are_random_and_macs_are_keyed(void **state)
{
    (void)state;
    char a[48], b[48], h1[CRYPTO_HASH_HEX], h2[CRYPTO_HASH_HEX];
    crypto_token(a, sizeof(a));
    crypto_token(b, sizeof(b));
    assert_int_equal(strlen(a), CRYPTO_TOKEN_CHARS);
    assert_string_not_equal(a, b);
    crypto_mac_hex(h1, CRYPTO_KEY_AUDIT, "x", 1);
    crypto_mac_hex(h2, CRYPTO_KEY_PII_INDEX, "x", 1);
    assert_string_not_equal(h1, h2); /* subkeys differ per purpose */
    crypto_hash_hex(h2, "x", 1);
    assert_string_not_equal(h1, h2);
    assert_int_equal(crypto_streq("abc", "abc"), 1);
    assert_int_equal(crypto_streq("abc", "abd"), 0);
    assert_int_equal(crypto_streq("abc", "ab"), 0);
}

static void personal_data_seals_and_opens(void **state)
{
    (void)state;
    char *sealed = crypto_seal("11010519491231002X");
    assert_memory_equal(sealed, "v1:", 3);
    assert_null(strstr(sealed, "1101051949"));
    char *again = crypto_seal("11010519491231002X");
    assert_string_not_equal(sealed, again); /* random nonce */
    char *plain = crypto_open(sealed);
    assert_string_equal(plain, "11010519491231002X");
    free(plain);
    sealed[10] = sealed[10] == 'A' ? 'B' : 'A'; /* tampered */
    assert_null(crypto_open(sealed));
    assert_null(crypto_open("not sealed"));
    assert_null(crypto_open("v1:"));
    free(sealed);
    free(again);
    char a[CRYPTO_HASH_HEX], b[CRYPTO_HASH_HEX];
    crypto_blind_index(a, "phone", "13812345678");
    crypto_blind_index(b, "phone", "13812345678");
    assert_string_equal(a, b); /* deterministic: usable for lookups */
    crypto_blind_index(b, "phone4", "13812345678");
    assert_string_not_equal(a, b);
}

static int setup_key(void **state)
{
    (void)state;
    test_key_init();
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
            cmocka_unit_test(strbuf_grows_and_respects_its_maximum),
            cmocka_unit_test(dates_are_real_calendar_days),
            cmocka_unit_test(instants_round_trip_in_utc),
            cmocka_unit_test(civil_date_arithmetic),
            cmocka_unit_test(config_sources_and_validation),
            cmocka_unit_test(long_messages_are_cut_at_a_character),
            cmocka_unit_test(passwords_hash_and_verify),
            cmocka_unit_test(tokens_are_random_and_macs_are_keyed),
            cmocka_unit_test(personal_data_seals_and_opens),
    };
    return cmocka_run_group_tests_name("core", tests, setup_key, NULL);
}
