/*
 * api_routes.c - every route of the API and the permission it needs, in one
 * table. Specific routes come before the generic {entity} ones. The
 * authorization tests walk this table (`anjia routes`).
 */
#include "api.h"

const struct api_route api_routes[] = {
        {"GET", "/api/v1/health", api_health, NULL, 0},
        {"POST", "/api/v1/login", api_login, NULL, ROUTE_OWN_TX},
        {"POST", "/api/v1/logout", api_logout, "", 0},
        {"GET", "/api/v1/me", api_me, "", 0},
        {"POST", "/api/v1/me/password", api_me_password, "", 0},
        {"GET", "/api/v1/meta/nav", api_meta_nav, "", 0},
        {"GET", "/api/v1/meta/entities/{entity}", api_meta_entity, "@read", 0},
        {"GET", "/api/v1/permissions", api_permissions, "role.read", 0},
        {"POST", "/api/v1/users/{id}/password", api_user_password, "user.write", 0},
        {"POST", "/api/v1/users/{id}/unlock", api_user_unlock, "user.write", 0},
        {"GET", "/api/v1/search", api_search, "", 0},
        {"GET", "/api/v1/customers/duplicates", api_customer_duplicates, "customer.merge", 0},
        {"GET", "/api/v1/customers/{id}/360", api_customer_360, "customer.read", 0},
        {"POST", "/api/v1/customers/{id}/merge", api_customer_merge, "customer.merge", 0},
        {"POST", "/api/v1/customer-merges/{id}/undo", api_customer_merge_undo,
         "customer.merge_undo", 0},
        {"GET", "/api/v1/customers/{id}/personal-data", api_customer_privacy_export,
         "customer.privacy", 0},
        {"POST", "/api/v1/customers/{id}/anonymise", api_customer_anonymise, "customer.privacy", 0},
        {"GET", "/api/v1/buildings/{id}/grid", api_building_grid, "building.read", 0},
        {"GET", "/api/v1/imports/template", api_import_template, "customer.import", 0},
        {"POST", "/api/v1/imports", api_import_start, "customer.import",
         ROUTE_OWN_TX | ROUTE_RAW_BODY},
        {"GET", "/api/v1/imports/{id}", api_import_status, "customer.import", 0},
        {"GET", "/api/v1/{entity}/{id}/reveal", api_entity_reveal, "@read", 0},
        {"GET", "/api/v1/{entity}/export.xlsx", api_entity_export, "@export", 0},
        {"GET", "/api/v1/{entity}", api_entity_list, "@read", 0},
        {"POST", "/api/v1/{entity}", api_entity_create, "@write", 0},
        {"GET", "/api/v1/{entity}/{id}", api_entity_get, "@read", 0},
        {"PATCH", "/api/v1/{entity}/{id}", api_entity_update, "@write", 0},
};
const size_t api_routes_count = sizeof(api_routes) / sizeof(api_routes[0]);
