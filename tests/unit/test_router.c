/* Unit tests of route pattern matching (src/core/http_router.c). */
#include "core/http_router.h"
#include "test_helpers.h"

static void literal_paths_match_exactly(void **state)
{
    (void)state;
    struct route_params p;
    assert_int_equal(router_match("/api/v1/health", "/api/v1/health", &p), 1);
    assert_int_equal(p.n, 0);
    assert_int_equal(router_match("/api/v1/health", "/api/v1/health/", &p), 0);
    assert_int_equal(router_match("/api/v1/health", "/api/v1/healt", &p), 0);
    assert_int_equal(router_match("/api/v1/health", "/api/v1/healthz", &p), 0);
}

static void id_placeholder_takes_positive_integers_only(void **state)
{
    (void)state;
    struct route_params p;
    assert_int_equal(router_match("/api/v1/users/{id}", "/api/v1/users/42", &p), 1);
    assert_string_equal(router_param(&p, "id"), "42");
    /* The shape of the route with an id that is no positive integer: a bad request. */
    assert_int_equal(router_match("/api/v1/users/{id}", "/api/v1/users/abc", &p), ROUTER_BAD_ID);
    assert_int_equal(router_match("/api/v1/users/{id}", "/api/v1/users/0", &p), ROUTER_BAD_ID);
    assert_int_equal(router_match("/api/v1/users/{id}", "/api/v1/users/007", &p), ROUTER_BAD_ID);
    assert_int_equal(router_match("/api/v1/users/{id}", "/api/v1/users/-1", &p), ROUTER_BAD_ID);
    assert_int_equal(router_match("/api/v1/users/{id}", "/api/v1/users/1234567890123456789", &p),
                     ROUTER_BAD_ID);
    assert_int_equal(router_match("/api/v1/users/{id}/x", "/api/v1/users/a/y", &p),
                     ROUTER_NO_MATCH); /* not the shape */
    assert_int_equal(router_match("/api/v1/users/{id}", "/api/v1/users/", &p), ROUTER_NO_MATCH);
}

static void named_placeholders_capture_segments(void **state)
{
    (void)state;
    struct route_params p;
    assert_int_equal(router_match("/api/v1/{entity}/{id}/x", "/api/v1/units/7/x", &p), 1);
    assert_int_equal(p.n, 2);
    assert_string_equal(router_param(&p, "entity"), "units");
    assert_string_equal(router_param(&p, "id"), "7");
    assert_null(router_param(&p, "missing"));
    assert_int_equal(router_match("/api/v1/{entity}", "/api/v1/a%20b", &p), 0);
    assert_int_equal(router_match("/api/v1/{entity}", "/api/v1/a/b", &p), 0);
    assert_int_equal(router_match("/api/v1/{entity}/export.xlsx", "/api/v1/units/export.xlsx", &p),
                     1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
            cmocka_unit_test(literal_paths_match_exactly),
            cmocka_unit_test(id_placeholder_takes_positive_integers_only),
            cmocka_unit_test(named_placeholders_capture_segments),
    };
    return cmocka_run_group_tests_name("router", tests, NULL, NULL);
}
