/*
 * entities.c - the declared entities of the foundation: users, roles,
 * projects, buildings, units, customers and the audit trail. One row per
 * field; the generic code in entity.c does the rest.
 */
#include <string.h>

#include <sodium.h>

#include "core/crypto.h"
#include "core/pinyin.h"
#include "core/validate.h"
#include "entities_office.h"
#include "entity.h"
#include "nav.h"
#include "rbac.h"

#define SCOPE_BY_PROJECT "t.project_id IN (SELECT project_id FROM user_projects WHERE user_id = ?)"

/* A customer belongs to the projects of the units they own, and to the
 * project where they were registered. */
#define CUSTOMER_SCOPE                                                                             \
    "t.project_id IN (SELECT project_id FROM user_projects WHERE user_id = ?)"                     \
    " OR EXISTS (SELECT 1 FROM unit_owners uo JOIN units u ON u.id = uo.unit_id"                   \
    " JOIN user_projects up ON up.project_id = u.project_id"                                       \
    " WHERE uo.customer_id = t.id AND up.user_id = ?)"
#define CUSTOMER_IN_PROJECT                                                                        \
    "t.project_id = ? OR EXISTS (SELECT 1 FROM unit_owners uo JOIN units u ON u.id = uo.unit_id"   \
    " WHERE uo.customer_id = t.id AND u.project_id = ?)"

/*---- Options ----*/

static const struct field_option user_status[] = {
        {"active", "启用", "Active", "green"},
        {"disabled", "停用", "Disabled", "grey"},
        {NULL, NULL, NULL, NULL},
};

static const struct field_option project_status[] = {
        {"planning", "筹备中", "Planning", "grey"},
        {"selling", "在售", "Selling", "blue"},
        {"delivering", "交付中", "Delivering", "orange"},
        {"delivered", "已交付", "Delivered", "green"},
        {NULL, NULL, NULL, NULL},
};

static const struct field_option unit_usage[] = {
        {"residential", "住宅", "Residential", NULL},
        {"commercial", "商业", "Commercial", NULL},
        {"office", "办公", "Office", NULL},
        {"parking", "车位", "Parking", NULL},
        {NULL, NULL, NULL, NULL},
};

static const struct field_option unit_status[] = {
        {"unsold", "未售", "Unsold", "grey"},
        {"reserved", "已认购", "Reserved", "orange"},
        {"signed", "已签约", "Signed", "blue"},
        {"delivered", "已交付", "Delivered", "green"},
        {NULL, NULL, NULL, NULL},
};

static const struct field_option customer_kind[] = {
        {"person", "个人", "Person", NULL},
        {"company", "企业", "Company", NULL},
        {NULL, NULL, NULL, NULL},
};

static const struct field_option gender[] = {
        {"male", "男", "Male", NULL},
        {"female", "女", "Female", NULL},
        {NULL, NULL, NULL, NULL},
};

static const struct field_option hukou[] = {
        {"local", "本地户籍", "Local hukou", NULL},
        {"nonlocal", "外地户籍", "Non-local hukou", NULL},
        {NULL, NULL, NULL, NULL},
};

static const struct field_option marital[] = {
        {"married", "已婚", "Married", NULL},
        {"single", "未婚", "Single", NULL},
        {"divorced", "离异", "Divorced", NULL},
        {"widowed", "丧偶", "Widowed", NULL},
        {NULL, NULL, NULL, NULL},
};

static const struct field_option audit_actions[] = {
        {"create", "新建", "Create", "green"},
        {"update", "修改", "Update", "blue"},
        {"login", "登录", "Login", "grey"},
        {"logout", "退出", "Logout", "grey"},
        {"login_failed", "登录失败", "Login failed", "orange"},
        {"login_locked", "账号锁定", "Account locked", "red"},
        {"password_reset", "重置密码", "Password reset", "orange"},
        {"password_change", "修改密码", "Password change", "blue"},
        {"unlock", "解锁", "Unlock", "blue"},
        {"seed", "生成演示数据", "Demo data", "grey"},
        {"reveal", "查看完整信息", "Viewed in full", "orange"},
        {"merge", "合并客户", "Merge", "blue"},
        {"merge_undo", "撤销合并", "Undo merge", "orange"},
        {"import", "导入", "Import", "blue"},
        {"privacy_export", "导出个人信息", "Personal data export", "orange"},
        {"anonymise", "匿名化", "Anonymise", "red"},
        {NULL, NULL, NULL, NULL},
};

/*---- Users ----*/

static int users_before_create(struct db_conn *c,
                               const struct auth_user *who,
                               json_t *in,
                               struct entity_cols *x,
                               struct app_err *err)
{
    (void)c;
    (void)who;
    const char *pw = json_string_value(json_object_get(in, "password"));
    int rc = auth_password_check(pw, "password", err);
    if (rc < 0)
        return rc;
    const char *name = json_string_value(json_object_get(in, "username"));
    for (const char *p = name ? name : ""; *p; p++) {
        char ch = *p;
        if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_' || ch == '.' ||
              ch == '-'))
            return app_err_set(err, APP_EINVAL, "username", "用户名只能包含小写字母、数字和 _ . -");
    }
    char hash[crypto_pwhash_STRBYTES];
    rc = crypto_password_hash(hash, sizeof(hash), pw);
    if (rc < 0)
        return app_err_set(err, rc, NULL, "系统繁忙，请稍后再试");
    entity_cols_text(x, "password_hash", hash);
    return 0;
}

static int users_after_update(struct db_conn *c,
                              const struct auth_user *who,
                              int64_t id,
                              json_t *before,
                              json_t *after,
                              struct app_err *err)
{
    const char *was = json_string_value(json_object_get(before, "status"));
    const char *now = json_string_value(json_object_get(after, "status"));
    if (was && now && strcmp(was, now) != 0 && strcmp(now, "disabled") == 0) {
        if (who && who->id == id)
            return app_err_set(err, APP_EINVAL, "status", "不能停用自己的账号");
        int rc = db_run(c, "DELETE FROM sessions WHERE user_id = ?", "i", id);
        if (rc < 0)
            return rc;
    }
    return 0;
}

static const struct entity_hooks users_hooks = {.before_create = users_before_create,
                                                .after_update = users_after_update};

static const struct entity_field users_fields[] = {
        {.name = "username",
         .label = "用户名",
         .label_en = "Username",
         .type = FT_TEXT,
         .flags = F_LIST | F_FILTER | F_SORT | F_CREATE | F_REQUIRED | F_SEARCH | F_UNIQUE,
         .maxlen = 32},
        {.name = "display_name",
         .label = "姓名",
         .label_en = "Name",
         .type = FT_TEXT,
         .flags = F_LIST | F_FILTER | F_SORT | F_CREATE | F_UPDATE | F_REQUIRED | F_SEARCH,
         .maxlen = 32},
        {.name = "department",
         .label = "部门",
         .label_en = "Department",
         .type = FT_TEXT,
         .flags = F_LIST | F_FILTER | F_SORT | F_CREATE | F_UPDATE,
         .maxlen = 32},
        {.name = "email",
         .label = "邮箱",
         .label_en = "Email",
         .type = FT_TEXT,
         .flags = F_CREATE | F_UPDATE | F_DETAIL,
         .maxlen = 100,
         .normalise = validate_email},
        {.name = "role_id",
         .label = "角色",
         .label_en = "Role",
         .type = FT_REF,
         .flags = F_LIST | F_FILTER | F_CREATE | F_UPDATE | F_REQUIRED,
         .ref = "roles",
         .ref_label = "role_name",
         .ref_label_sql = "(SELECT r.name FROM roles r WHERE r.id = t.role_id)"},
        {.name = "status",
         .label = "状态",
         .label_en = "Status",
         .type = FT_ENUM,
         .flags = F_LIST | F_FILTER | F_SORT | F_UPDATE,
         .options = user_status},
        {.name = "all_projects",
         .label = "全部项目",
         .label_en = "All projects",
         .type = FT_BOOL,
         .flags = F_LIST | F_FILTER | F_CREATE | F_UPDATE},
        {.name = "project_ids",
         .label = "负责项目",
         .label_en = "Projects",
         .type = FT_REFS,
         .flags = F_CREATE | F_UPDATE,
         .ref = "projects",
         .link_table = "user_projects",
         .link_self = "user_id",
         .link_other = "project_id"},
        {.name = "password",
         .label = "初始密码",
         .label_en = "Initial password",
         .type = FT_PASSWORD,
         .flags = F_CREATE | F_REQUIRED,
         .maxlen = 128},
        {.name = "failed_logins",
         .label = "连续登录失败",
         .label_en = "Failed logins",
         .type = FT_INT,
         .flags = F_DETAIL},
        {.name = "last_login_at",
         .label = "最近登录",
         .label_en = "Last login",
         .type = FT_DATETIME,
         .flags = F_LIST | F_SORT},
        {.name = "created_at",
         .label = "创建时间",
         .label_en = "Created",
         .type = FT_DATETIME,
         .flags = F_SORT | F_DETAIL},
        {.name = "updated_at",
         .label = "更新时间",
         .label_en = "Updated",
         .type = FT_DATETIME,
         .flags = F_DETAIL},
};

static const struct entity users_entity = {.name = "users",
                                           .table = "users",
                                           .label = "用户",
                                           .label_en = "Users",
                                           .fields = users_fields,
                                           .n_fields = ARRAY_LEN(users_fields),
                                           .read_perm = "user.read",
                                           .write_perm = "user.write",
                                           .export_perm = "user.export",
                                           .title_field = "display_name",
                                           .default_sort = "username",
                                           .nav_group = "system",
                                           .flags = E_TIMESTAMPS,
                                           .hooks = &users_hooks};

/*---- Roles ----*/

static const struct entity_field roles_fields[] = {
        {.name = "code",
         .label = "代码",
         .label_en = "Code",
         .type = FT_TEXT,
         .flags = F_LIST | F_FILTER | F_SORT | F_CREATE | F_REQUIRED | F_SEARCH | F_UNIQUE,
         .maxlen = 32},
        {.name = "name",
         .label = "名称",
         .label_en = "Name",
         .type = FT_TEXT,
         .flags = F_LIST | F_FILTER | F_SORT | F_CREATE | F_UPDATE | F_REQUIRED | F_SEARCH,
         .maxlen = 32},
        {.name = "name_en",
         .label = "英文名称",
         .label_en = "English name",
         .type = FT_TEXT,
         .flags = F_LIST | F_CREATE | F_UPDATE,
         .maxlen = 64},
        {.name = "builtin",
         .label = "内置",
         .label_en = "Built-in",
         .type = FT_BOOL,
         .flags = F_LIST | F_FILTER},
        {.name = "user_count",
         .label = "用户数",
         .label_en = "Users",
         .type = FT_INT,
         .flags = F_LIST,
         .sql = "(SELECT COUNT(*) FROM users u WHERE u.role_id = t.id)"},
        {.name = "permissions",
         .label = "权限",
         .label_en = "Permissions",
         .type = FT_ENUMS,
         .flags = F_CREATE | F_UPDATE,
         .options = rbac_perm_options,
         .link_table = "role_permissions",
         .link_self = "role_id",
         .link_other = "perm"},
        {.name = "updated_at",
         .label = "更新时间",
         .label_en = "Updated",
         .type = FT_DATETIME,
         .flags = F_DETAIL},
};

/* The administrator role keeps the permissions that repair everything else. */
static int roles_before_update(struct db_conn *c,
                               const struct auth_user *who,
                               int64_t id,
                               json_t *in,
                               json_t *before,
                               struct entity_cols *x,
                               struct app_err *err)
{
    (void)c;
    (void)who;
    (void)id;
    (void)x;
    const char *code = json_string_value(json_object_get(before, "code"));
    json_t *perms = json_object_get(in, "permissions");
    if (code == NULL || strcmp(code, "admin") != 0 || !json_is_array(perms))
        return 0;
    static const char *const keep[] = {"user.write", "role.write"};
    for (size_t k = 0; k < ARRAY_LEN(keep); k++) {
        int found = 0;
        size_t i;
        json_t *v;
        json_array_foreach(perms, i, v) found |=
                json_is_string(v) && strcmp(json_string_value(v), keep[k]) == 0;
        if (!found)
            return app_err_set(err, APP_EINVAL, "permissions",
                               "系统管理员角色必须保留“维护用户”和“维护角色”权限");
    }
    return 0;
}

static const struct entity_hooks roles_hooks = {.before_update = roles_before_update};

static const struct entity roles_entity = {.name = "roles",
                                           .table = "roles",
                                           .label = "角色",
                                           .label_en = "Roles",
                                           .fields = roles_fields,
                                           .n_fields = ARRAY_LEN(roles_fields),
                                           .read_perm = "role.read",
                                           .write_perm = "role.write",
                                           .export_perm = "role.read",
                                           .title_field = "name",
                                           .default_sort = "id",
                                           .nav_group = "system",
                                           .flags = E_TIMESTAMPS,
                                           .hooks = &roles_hooks};

/*---- Companies, projects, buildings, units ----*/

static const struct entity_field companies_fields[] = {
        {.name = "name",
         .label = "公司名称",
         .label_en = "Name",
         .type = FT_TEXT,
         .flags = F_LIST | F_FILTER | F_SORT | F_CREATE | F_UPDATE | F_REQUIRED | F_SEARCH |
                  F_UNIQUE,
         .maxlen = 80},
        {.name = "uscc",
         .label = "统一社会信用代码",
         .label_en = "USCC",
         .type = FT_TEXT,
         .flags = F_LIST | F_FILTER | F_CREATE | F_UPDATE | F_UNIQUE,
         .maxlen = 18,
         .normalise = validate_uscc},
        {.name = "project_count",
         .label = "项目数",
         .label_en = "Projects",
         .type = FT_INT,
         .flags = F_LIST,
         .sql = "(SELECT COUNT(*) FROM projects p WHERE p.company_id = t.id)"},
        {.name = "created_at",
         .label = "创建时间",
         .label_en = "Created",
         .type = FT_DATETIME,
         .flags = F_DETAIL},
};

static const struct entity companies_entity = {.name = "companies",
                                               .table = "companies",
                                               .label = "公司",
                                               .label_en = "Companies",
                                               .fields = companies_fields,
                                               .n_fields = ARRAY_LEN(companies_fields),
                                               .read_perm = "company.read",
                                               .write_perm = "company.write",
                                               .export_perm = "company.read",
                                               .title_field = "name",
                                               .default_sort = "name",
                                               .nav_group = "master",
                                               .flags = E_CREATED_AT};

static const struct entity_field projects_fields[] = {
        {.name = "code",
         .label = "项目编码",
         .label_en = "Code",
         .type = FT_TEXT,
         .flags = F_LIST | F_FILTER | F_SORT | F_CREATE | F_REQUIRED | F_SEARCH | F_UNIQUE,
         .maxlen = 20,
         .normalise = validate_code},
        {.name = "name",
         .label = "项目名称",
         .label_en = "Name",
         .type = FT_TEXT,
         .flags = F_LIST | F_FILTER | F_SORT | F_CREATE | F_UPDATE | F_REQUIRED | F_SEARCH,
         .maxlen = 60},
        {.name = "company_id",
         .label = "所属公司",
         .label_en = "Company",
         .type = FT_REF,
         .flags = F_LIST | F_FILTER | F_CREATE | F_UPDATE,
         .ref = "companies",
         .ref_label = "company_name",
         .ref_label_sql = "(SELECT c.name FROM companies c WHERE c.id = t.company_id)"},
        {.name = "city",
         .label = "城市",
         .label_en = "City",
         .type = FT_TEXT,
         .flags = F_LIST | F_FILTER | F_SORT | F_CREATE | F_UPDATE,
         .maxlen = 20},
        {.name = "address",
         .label = "地址",
         .label_en = "Address",
         .type = FT_TEXT,
         .flags = F_CREATE | F_UPDATE | F_DETAIL,
         .maxlen = 200},
        {.name = "presale_permits",
         .label = "预售许可证",
         .label_en = "Pre-sale permits",
         .type = FT_TEXTAREA,
         .flags = F_CREATE | F_UPDATE | F_DETAIL,
         .maxlen = 500},
        {.name = "status",
         .label = "状态",
         .label_en = "Status",
         .type = FT_ENUM,
         .flags = F_LIST | F_FILTER | F_SORT | F_CREATE | F_UPDATE,
         .options = project_status},
        {.name = "manager_user_id",
         .label = "项目客服负责人",
         .label_en = "Project CS lead",
         .type = FT_REF,
         .flags = F_LIST | F_CREATE | F_UPDATE,
         .ref = "users",
         .ref_label = "manager_name",
         .ref_label_sql = "(SELECT u.display_name FROM users u WHERE u.id = t.manager_user_id)"},
        {.name = "completion_accepted_on",
         .label = "竣工验收日期",
         .label_en = "Completion accepted",
         .type = FT_DATE,
         .flags = F_DETAIL | F_CREATE | F_UPDATE},
        {.name = "building_count",
         .label = "楼栋数",
         .label_en = "Buildings",
         .type = FT_INT,
         .flags = F_LIST,
         .sql = "(SELECT COUNT(*) FROM buildings b WHERE b.project_id = t.id)"},
        {.name = "unit_count",
         .label = "房源数",
         .label_en = "Units",
         .type = FT_INT,
         .flags = F_LIST,
         .sql = "(SELECT COUNT(*) FROM units u WHERE u.project_id = t.id)"},
        {.name = "created_at",
         .label = "创建时间",
         .label_en = "Created",
         .type = FT_DATETIME,
         .flags = F_SORT | F_DETAIL},
};

static const struct entity projects_entity = {
        .name = "projects",
        .table = "projects",
        .label = "项目",
        .label_en = "Projects",
        .fields = projects_fields,
        .n_fields = ARRAY_LEN(projects_fields),
        .read_perm = "project.read",
        .write_perm = "project.write",
        .export_perm = "project.export",
        .title_field = "name",
        .default_sort = "code",
        .scope_sql = "t.id IN (SELECT project_id FROM user_projects WHERE user_id = ?)",
        .project_filter = "t.id = ?",
        .nav_group = "master",
        .flags = E_TIMESTAMPS};

#define PROJECT_REF(fl)                                                                            \
    {                                                                                              \
        .name = "project_id", .label = "项目", .label_en = "Project", .type = FT_REF,              \
        .flags = F_LIST | F_FILTER | (fl), .ref = "projects", .ref_label = "project_name",         \
        .ref_label_sql = "(SELECT p.name FROM projects p WHERE p.id = t.project_id)"               \
    }

static const struct entity_field buildings_fields[] = {
        PROJECT_REF(F_CREATE | F_REQUIRED),
        {.name = "code",
         .label = "楼栋编号",
         .label_en = "Code",
         .type = FT_TEXT,
         .flags = F_LIST | F_FILTER | F_SORT | F_CREATE | F_REQUIRED,
         .maxlen = 20},
        {.name = "name",
         .label = "楼栋名称",
         .label_en = "Name",
         .type = FT_TEXT,
         .flags = F_LIST | F_FILTER | F_SORT | F_SEARCH | F_CREATE | F_UPDATE | F_REQUIRED,
         .maxlen = 40},
        {.name = "floors",
         .label = "层数",
         .label_en = "Floors",
         .type = FT_INT,
         .flags = F_LIST | F_SORT | F_CREATE | F_UPDATE | F_REQUIRED},
        {.name = "units_per_floor",
         .label = "单元数",
         .label_en = "Stairwells",
         .type = FT_INT,
         .flags = F_CREATE | F_UPDATE | F_DETAIL},
        {.name = "rooms_per_unit",
         .label = "每单元每层户数",
         .label_en = "Flats per landing",
         .type = FT_INT,
         .flags = F_CREATE | F_UPDATE | F_DETAIL},
        {.name = "unit_count",
         .label = "房源数",
         .label_en = "Units",
         .type = FT_INT,
         .flags = F_LIST,
         .sql = "(SELECT COUNT(*) FROM units u WHERE u.building_id = t.id)"},
};

static int buildings_before_create(struct db_conn *c,
                                   const struct auth_user *who,
                                   json_t *in,
                                   struct entity_cols *x,
                                   struct app_err *err)
{
    (void)who;
    (void)x;
    int64_t n = 0;
    int rc = db_query_int64(c, &n,
                            "SELECT COUNT(*) FROM buildings WHERE project_id = ? AND code = ?",
                            "it", (int64_t)json_integer_value(json_object_get(in, "project_id")),
                            json_string_value(json_object_get(in, "code")));
    if (rc < 0)
        return rc;
    if (n > 0)
        return app_err_set(err, APP_ECONFLICT, "code", "该项目已有此楼栋编号");
    int64_t floors = json_integer_value(json_object_get(in, "floors"));
    if (floors < 1 || floors > 200)
        return app_err_set(err, APP_EINVAL, "floors", "层数应在 1 到 200 之间");
    return 0;
}

static const struct entity_hooks buildings_hooks = {.before_create = buildings_before_create};

static const struct entity buildings_entity = {.name = "buildings",
                                               .table = "buildings",
                                               .label = "楼栋",
                                               .label_en = "Buildings",
                                               .fields = buildings_fields,
                                               .n_fields = ARRAY_LEN(buildings_fields),
                                               .read_perm = "building.read",
                                               .write_perm = "building.write",
                                               .export_perm = "building.export",
                                               .title_field = "name",
                                               .default_sort = "id",
                                               .scope_sql = SCOPE_BY_PROJECT,
                                               .scope_field = "project_id",
                                               .nav_group = "master",
                                               .flags = E_CREATED_AT,
                                               .hooks = &buildings_hooks};

static const struct entity_field units_fields[] = {
        PROJECT_REF(0),
        {.name = "building_id",
         .label = "楼栋",
         .label_en = "Building",
         .type = FT_REF,
         .flags = F_LIST | F_FILTER | F_CREATE | F_REQUIRED,
         .ref = "buildings",
         .ref_label = "building_name",
         .ref_label_sql = "(SELECT b.name FROM buildings b WHERE b.id = t.building_id)"},
        {.name = "room_code",
         .label = "房号",
         .label_en = "Room",
         .type = FT_TEXT,
         .flags = F_LIST | F_FILTER | F_SORT | F_SEARCH,
         .maxlen = 30},
        {.name = "unit_no",
         .label = "单元",
         .label_en = "Stairwell",
         .type = FT_TEXT,
         .flags = F_CREATE | F_REQUIRED | F_DETAIL,
         .maxlen = 8},
        {.name = "floor",
         .label = "楼层",
         .label_en = "Floor",
         .type = FT_INT,
         .flags = F_LIST | F_FILTER | F_SORT | F_CREATE | F_REQUIRED},
        {.name = "room",
         .label = "室号",
         .label_en = "Flat",
         .type = FT_TEXT,
         .flags = F_CREATE | F_REQUIRED | F_DETAIL,
         .maxlen = 8},
        {.name = "layout",
         .label = "户型",
         .label_en = "Layout",
         .type = FT_TEXT,
         .flags = F_LIST | F_FILTER | F_CREATE | F_UPDATE,
         .maxlen = 30},
        {.name = "usage",
         .label = "用途",
         .label_en = "Use",
         .type = FT_ENUM,
         .flags = F_LIST | F_FILTER | F_CREATE | F_UPDATE,
         .options = unit_usage},
        {.name = "contract_area_dm2",
         .label = "预测面积",
         .label_en = "Contract area",
         .type = FT_AREA,
         .flags = F_LIST | F_FILTER | F_SORT | F_CREATE | F_UPDATE},
        {.name = "measured_area_dm2",
         .label = "实测面积",
         .label_en = "Measured area",
         .type = FT_AREA,
         .flags = F_LIST | F_SORT | F_CREATE | F_UPDATE},
        {.name = "list_price_fen",
         .label = "标价",
         .label_en = "List price",
         .type = FT_MONEY,
         .flags = F_LIST | F_FILTER | F_SORT | F_CREATE | F_UPDATE},
        {.name = "status",
         .label = "状态",
         .label_en = "Status",
         .type = FT_ENUM,
         .flags = F_LIST | F_FILTER | F_SORT | F_CREATE | F_UPDATE,
         .options = unit_status},
        {.name = "delivered_on",
         .label = "交付日期",
         .label_en = "Delivered",
         .type = FT_DATE,
         .flags = F_LIST | F_FILTER | F_SORT | F_UPDATE},
        {.name = "owner_name",
         .label = "业主",
         .label_en = "Owner",
         .type = FT_TEXT,
         .flags = F_LIST,
         .sql = "(SELECT c.name FROM unit_owners uo JOIN customers c ON c.id = uo.customer_id"
                " WHERE uo.unit_id = t.id ORDER BY uo.is_primary DESC, c.id LIMIT 1)"},
        {.name = "owner_id",
         .label = "业主编号",
         .label_en = "Owner id",
         .type = FT_INT,
         .flags = F_NOEXPORT,
         .sql = "(SELECT uo.customer_id FROM unit_owners uo WHERE uo.unit_id = t.id"
                " ORDER BY uo.is_primary DESC, uo.customer_id LIMIT 1)"},
};

/* A unit's project follows its building; its code is building-stairwell-flat. */
static int units_before_create(struct db_conn *c,
                               const struct auth_user *who,
                               json_t *in,
                               struct entity_cols *x,
                               struct app_err *err)
{
    int64_t bid = json_integer_value(json_object_get(in, "building_id"));
    int64_t pid = 0;
    char *bcode = NULL;
    int rc = db_query_int64(c, &pid, "SELECT project_id FROM buildings WHERE id = ?", "i", bid);
    if (rc < 0)
        return app_err_set(err, APP_EINVAL, "building_id", "楼栋不存在");
    if (who && !auth_in_scope(who, pid))
        return app_err_set(err, APP_EFORBIDDEN, "building_id", "您没有该项目的权限");
    rc = db_query_text(c, &bcode, "SELECT code FROM buildings WHERE id = ?", "i", bid);
    if (rc < 0)
        return rc;
    char code[96];
    snprintf(code, sizeof(code), "%s-%s-%s", bcode ? bcode : "",
             json_string_value(json_object_get(in, "unit_no")),
             json_string_value(json_object_get(in, "room")));
    free(bcode);
    /* A floor of the building (basements down to -5; no floor 0). */
    int64_t floors = 0, floor = json_integer_value(json_object_get(in, "floor"));
    rc = db_query_int64(c, &floors, "SELECT floors FROM buildings WHERE id = ?", "i", bid);
    if (rc < 0)
        return rc;
    if (floor == 0 || floor < -5 || floor > floors)
        return app_err_set(err, APP_EINVAL, "floor", "楼层应在 -5 到 %lld 之间（没有 0 层）",
                           (long long)floors);
    int64_t n = 0;
    rc = db_query_int64(c, &n, "SELECT COUNT(*) FROM units WHERE project_id = ? AND room_code = ?",
                        "it", pid, code);
    if (rc < 0)
        return rc;
    if (n > 0)
        return app_err_set(err, APP_ECONFLICT, "room", "房号已存在: %s", code);
    entity_cols_int(x, "project_id", pid);
    entity_cols_text(x, "room_code", code);
    return 0;
}

static const struct entity_hooks units_hooks = {.before_create = units_before_create};

static const struct entity units_entity = {.name = "units",
                                           .table = "units",
                                           .label = "房源",
                                           .label_en = "Units",
                                           .fields = units_fields,
                                           .n_fields = ARRAY_LEN(units_fields),
                                           .read_perm = "unit.read",
                                           .write_perm = "unit.write",
                                           .export_perm = "unit.export",
                                           .title_field = "room_code",
                                           .default_sort = "id",
                                           .scope_sql = SCOPE_BY_PROJECT,
                                           .scope_field = "project_id",
                                           .nav_group = "master",
                                           .flags = E_CREATED_AT,
                                           .hooks = &units_hooks};

/*---- Customers ----*/

static const struct field_option id_types[] = {
        {"id_card", "居民身份证", "Resident ID card", NULL},
        {"hmt_permit", "港澳台居民居住证", "HK/Macau/Taiwan residence permit", NULL},
        {"hk_macau_pass", "港澳居民来往内地通行证", "Home Return Permit", NULL},
        {"taiwan_pass", "台湾居民来往大陆通行证", "Taiwan Compatriot Permit", NULL},
        {"passport", "护照", "Passport", NULL},
        {"foreign_prc", "外国人永久居留身份证", "Foreign permanent residence ID", NULL},
        {"other", "其他证件", "Other", NULL},
        {NULL, NULL, NULL, NULL},
};

static const struct field_option customer_status[] = {
        {"active", "正常", "Active", "green"},
        {"merged", "已合并", "Merged", "grey"},
        {"anonymised", "已匿名化", "Anonymised", "grey"},
        {NULL, NULL, NULL, NULL},
};

static const struct entity_field customers_fields[] = {
        {.name = "name",
         .label = "姓名/名称",
         .label_en = "Name",
         .type = FT_TEXT,
         .flags = F_LIST | F_FILTER | F_SORT | F_SEARCH | F_CREATE | F_UPDATE | F_REQUIRED,
         .maxlen = 60},
        {.name = "kind",
         .label = "类型",
         .label_en = "Kind",
         .type = FT_ENUM,
         .flags = F_LIST | F_FILTER | F_CREATE,
         .options = customer_kind},
        {.name = "project_id",
         .label = "建档项目",
         .label_en = "Project",
         .type = FT_REF,
         .flags = F_CREATE | F_UPDATE | F_DETAIL,
         .ref = "projects",
         .ref_label = "project_name",
         .ref_label_sql = "(SELECT p.name FROM projects p WHERE p.id = t.project_id)"},
        {.name = "gender",
         .label = "性别",
         .label_en = "Gender",
         .type = FT_ENUM,
         .flags = F_LIST | F_FILTER | F_CREATE | F_UPDATE,
         .options = gender},
        {.name = "id_type",
         .label = "证件类型",
         .label_en = "ID type",
         .type = FT_ENUM,
         .flags = F_FILTER | F_CREATE | F_UPDATE | F_DETAIL,
         .options = id_types},
        {.name = "id_number",
         .label = "证件号码",
         .label_en = "ID number",
         .type = FT_TEXT,
         .flags = F_LIST | F_FILTER | F_CREATE | F_UPDATE | F_UNIQUE,
         .maxlen = 40,
         .pii = PII_ID,
         .pii_type_field = "id_type",
         .reveal_perm = "customer.pii_id"},
        {.name = "phone",
         .label = "手机",
         .label_en = "Mobile",
         .type = FT_TEXT,
         .flags = F_LIST | F_FILTER | F_CREATE | F_UPDATE,
         .maxlen = 40,
         .pii = PII_PHONE,
         .reveal_perm = "customer.pii_phone"},
        {.name = "phone2",
         .label = "备用手机",
         .label_en = "Second mobile",
         .type = FT_TEXT,
         .flags = F_CREATE | F_UPDATE | F_DETAIL,
         .maxlen = 40,
         .pii = PII_PHONE,
         .reveal_perm = "customer.pii_phone"},
        {.name = "email",
         .label = "电子邮箱",
         .label_en = "Email",
         .type = FT_TEXT,
         .flags = F_CREATE | F_UPDATE | F_DETAIL,
         .maxlen = 120,
         .normalise = validate_email},
        {.name = "marketing_consent",
         .label = "同意接收营销信息",
         .label_en = "Marketing consent",
         .type = FT_BOOL,
         .flags = F_CREATE | F_UPDATE | F_DETAIL | F_FILTER},
        {.name = "uscc",
         .label = "统一社会信用代码",
         .label_en = "USCC",
         .type = FT_TEXT,
         .flags = F_FILTER | F_CREATE | F_UPDATE | F_DETAIL,
         .maxlen = 18,
         .normalise = validate_uscc},
        {.name = "hukou",
         .label = "户籍",
         .label_en = "Hukou",
         .type = FT_ENUM,
         .flags = F_LIST | F_FILTER | F_CREATE | F_UPDATE,
         .options = hukou},
        {.name = "marital",
         .label = "婚姻状况",
         .label_en = "Marital status",
         .type = FT_ENUM,
         .flags = F_LIST | F_FILTER | F_CREATE | F_UPDATE,
         .options = marital},
        {.name = "address",
         .label = "通讯地址",
         .label_en = "Address",
         .type = FT_TEXT,
         .flags = F_CREATE | F_UPDATE | F_DETAIL,
         .maxlen = 200},
        {.name = "bank_name",
         .label = "开户银行",
         .label_en = "Bank",
         .type = FT_TEXT,
         .flags = F_CREATE | F_UPDATE | F_DETAIL,
         .maxlen = 60},
        {.name = "bank_account",
         .label = "银行账号",
         .label_en = "Bank account",
         .type = FT_TEXT,
         .flags = F_CREATE | F_UPDATE | F_DETAIL,
         .maxlen = 40,
         .pii = PII_ACCOUNT,
         .reveal_perm = "customer.pii_account"},
        {.name = "unit_summary",
         .label = "房产",
         .label_en = "Property",
         .type = FT_TEXT,
         .flags = F_LIST,
         .sql = "(SELECT p.name || ' ' || u.room_code FROM unit_owners uo"
                " JOIN units u ON u.id = uo.unit_id JOIN projects p ON p.id = u.project_id"
                " WHERE uo.customer_id = t.id ORDER BY u.id LIMIT 1)"},
        {.name = "status",
         .label = "状态",
         .label_en = "Status",
         .type = FT_ENUM,
         .flags = F_LIST | F_FILTER,
         .options = customer_status},
        {.name = "merge_id",
         .label = "合并记录",
         .label_en = "Merge record",
         .type = FT_INT,
         .flags = F_DETAIL | F_NOEXPORT,
         .sql = "(SELECT MAX(m.id) FROM customer_merges m WHERE m.merged_id = t.id"
                " AND m.undone_at IS NULL)"},
        {.name = "merged_into",
         .label = "合并到",
         .label_en = "Merged into",
         .type = FT_INT,
         .flags = F_DETAIL},
        {.name = "note",
         .label = "备注",
         .label_en = "Note",
         .type = FT_TEXTAREA,
         .flags = F_CREATE | F_UPDATE | F_DETAIL,
         .maxlen = 1000},
        {.name = "created_at",
         .label = "建档时间",
         .label_en = "Created",
         .type = FT_DATETIME,
         .flags = F_SORT | F_DETAIL},
        {.name = "updated_at",
         .label = "更新时间",
         .label_en = "Updated",
         .type = FT_DATETIME,
         .flags = F_DETAIL},
};

/* Person or company: which identifiers are required, and what follows from
 * them (pinyin initials of the name, gender from a resident ID number). */
static int customers_before_create(struct db_conn *c,
                                   const struct auth_user *who,
                                   json_t *in,
                                   struct entity_cols *x,
                                   struct app_err *err)
{
    (void)c;
    const char *kind = json_string_value(json_object_get(in, "kind"));
    int company = kind && strcmp(kind, "company") == 0;
    if (company) {
        if (json_string_value(json_object_get(in, "uscc")) == NULL)
            return app_err_set(err, APP_EINVAL, "uscc", "企业客户须填写统一社会信用代码");
    } else {
        const char *idn = json_string_value(json_object_get(in, "id_number"));
        if (idn == NULL || *idn == '\0')
            return app_err_set(err, APP_EINVAL, "id_number", "个人客户须填写证件号码");
        if (json_string_value(json_object_get(in, "phone")) == NULL)
            return app_err_set(err, APP_EINVAL, "phone", "个人客户须填写手机号码");
        const char *type = json_string_value(json_object_get(in, "id_type"));
        if (type == NULL) {
            type = "id_card";
            entity_cols_text(x, "id_type", type);
        }
        char norm[64];
        if (strcmp(type, "id_card") == 0 && json_object_get(in, "gender") == NULL &&
            validate_id_card(norm, sizeof(norm), idn, "id_number", NULL) == 0)
            entity_cols_text(x, "gender", (norm[16] - '0') % 2 ? "male" : "female");
    }
    if (who && !who->all_projects && json_integer_value(json_object_get(in, "project_id")) == 0)
        return app_err_set(err, APP_EINVAL, "project_id", "请选择建档项目");
    int64_t pid = json_integer_value(json_object_get(in, "project_id"));
    if (who && pid && !auth_in_scope(who, pid))
        return app_err_set(err, APP_EFORBIDDEN, "project_id", "您没有该项目的权限");
    char initials[64];
    pinyin_initials(initials, sizeof(initials), json_string_value(json_object_get(in, "name")));
    entity_cols_text(x, "name_initials", initials);
    return 0;
}

static int customers_before_update(struct db_conn *c,
                                   const struct auth_user *who,
                                   int64_t id,
                                   json_t *in,
                                   json_t *before,
                                   struct entity_cols *x,
                                   struct app_err *err)
{
    (void)c;
    (void)id;
    const char *status = json_string_value(json_object_get(before, "status"));
    if (status && strcmp(status, "active") != 0)
        return app_err_set(err, APP_ECONFLICT, NULL, "该客户已%s，不能修改",
                           strcmp(status, "merged") == 0 ? "合并" : "匿名化");
    int64_t pid = json_integer_value(json_object_get(in, "project_id"));
    if (who && pid && !auth_in_scope(who, pid))
        return app_err_set(err, APP_EFORBIDDEN, "project_id", "您没有该项目的权限");
    const char *name = json_string_value(json_object_get(in, "name"));
    if (name) {
        char initials[64];
        pinyin_initials(initials, sizeof(initials), name);
        entity_cols_text(x, "name_initials", initials);
    }
    return 0;
}

static const struct entity_hooks customers_hooks = {.before_create = customers_before_create,
                                                    .before_update = customers_before_update};

static const struct entity customers_entity = {.name = "customers",
                                               .table = "customers",
                                               .label = "客户",
                                               .label_en = "Customers",
                                               .fields = customers_fields,
                                               .n_fields = ARRAY_LEN(customers_fields),
                                               .read_perm = "customer.read",
                                               .write_perm = "customer.write",
                                               .export_perm = "customer.export",
                                               .title_field = "name",
                                               .default_sort = "-id",
                                               .scope_sql = CUSTOMER_SCOPE,
                                               .project_filter = CUSTOMER_IN_PROJECT,
                                               .nav_group = "master",
                                               .flags = E_TIMESTAMPS,
                                               .hooks = &customers_hooks};

/*---- Import jobs ----*/

static const struct field_option import_kinds[] = {
        {"customers", "客户", "Customers", NULL},
        {"units", "房源", "Units", NULL},
        {"projects", "项目", "Projects", NULL},
        {NULL, NULL, NULL, NULL},
};

static const struct field_option import_statuses[] = {
        {"running", "进行中", "Running", "blue"},
        {"done", "完成", "Done", "green"},
        {"failed", "未通过", "Refused", "red"},
        {NULL, NULL, NULL, NULL},
};

static const struct entity_field imports_fields[] = {
        {.name = "created_at",
         .label = "时间",
         .label_en = "Time",
         .type = FT_DATETIME,
         .flags = F_LIST | F_SORT | F_FILTER},
        {.name = "kind",
         .label = "类型",
         .label_en = "Kind",
         .type = FT_ENUM,
         .flags = F_LIST | F_FILTER,
         .options = import_kinds},
        {.name = "file_name",
         .label = "文件",
         .label_en = "File",
         .type = FT_TEXT,
         .flags = F_LIST | F_SEARCH},
        {.name = "dry_run",
         .label = "预检",
         .label_en = "Dry run",
         .type = FT_BOOL,
         .flags = F_LIST | F_FILTER},
        {.name = "status",
         .label = "状态",
         .label_en = "Status",
         .type = FT_ENUM,
         .flags = F_LIST | F_FILTER,
         .options = import_statuses},
        {.name = "total", .label = "行数", .label_en = "Rows", .type = FT_INT, .flags = F_LIST},
        {.name = "bad", .label = "错误行", .label_en = "Bad rows", .type = FT_INT, .flags = F_LIST},
        {.name = "message",
         .label = "结果",
         .label_en = "Result",
         .type = FT_TEXT,
         .flags = F_LIST},
        {.name = "username",
         .label = "操作人",
         .label_en = "User",
         .type = FT_TEXT,
         .flags = F_LIST | F_FILTER},
        {.name = "finished_at",
         .label = "完成时间",
         .label_en = "Finished",
         .type = FT_DATETIME,
         .flags = F_DETAIL},
};

static const struct entity imports_entity = {.name = "imports",
                                             .table = "import_jobs",
                                             .label = "导入记录",
                                             .label_en = "Imports",
                                             .fields = imports_fields,
                                             .n_fields = ARRAY_LEN(imports_fields),
                                             .read_perm = "customer.import",
                                             .export_perm = "customer.import",
                                             .title_field = "file_name",
                                             .default_sort = "-id",
                                             .flags = E_READONLY};

/*---- Audit trail ----*/

static const struct entity_field audit_fields[] = {
        {.name = "at",
         .label = "时间",
         .label_en = "Time",
         .type = FT_DATETIME,
         .flags = F_LIST | F_FILTER | F_SORT},
        {.name = "username",
         .label = "操作人",
         .label_en = "User",
         .type = FT_TEXT,
         .flags = F_LIST | F_FILTER | F_SEARCH,
         .maxlen = 32},
        {.name = "user_id",
         .label = "操作人ID",
         .label_en = "User id",
         .type = FT_INT,
         .flags = F_FILTER | F_DETAIL},
        {.name = "action",
         .label = "动作",
         .label_en = "Action",
         .type = FT_ENUM,
         .flags = F_LIST | F_FILTER,
         .options = audit_actions},
        {.name = "entity",
         .label = "对象",
         .label_en = "Entity",
         .type = FT_TEXT,
         .flags = F_LIST | F_FILTER,
         .maxlen = 32},
        {.name = "entity_id",
         .label = "对象ID",
         .label_en = "Entity id",
         .type = FT_INT,
         .flags = F_LIST | F_FILTER},
        {.name = "before_json",
         .label = "修改前",
         .label_en = "Before",
         .type = FT_JSON,
         .flags = F_NOEXPORT},
        {.name = "after_json", .label = "修改后", .label_en = "After", .type = FT_JSON, .flags = 0},
        {.name = "hash", .label = "校验值", .label_en = "Hash", .type = FT_TEXT, .flags = F_DETAIL},
};

static const struct entity audit_entity = {.name = "audit",
                                           .table = "audit_log",
                                           .label = "审计日志",
                                           .label_en = "Audit trail",
                                           .fields = audit_fields,
                                           .n_fields = ARRAY_LEN(audit_fields),
                                           .read_perm = "audit.read",
                                           .export_perm = "audit.export",
                                           .title_field = "action",
                                           .default_sort = "-id",
                                           .nav_group = "system",
                                           .flags = E_READONLY};

const struct entity *const entities[] = {
        &customers_entity,
        &tickets_entity,
        &newsletters_entity,
        &survey_responses_entity,
        &survey_templates_entity,
        &compensations_entity,
        &defect_cases_entity,
        &contractors_entity,
        &ticket_categories_entity,
        &sla_policies_entity,
        &warranty_periods_entity,
        &delivery_batches_entity,
        &handovers_entity,
        &inspection_defects_entity,
        &certificates_entity,
        &notice_templates_entity,
        &contracts_entity,
        &contract_doc_rules_entity,
        &loans_entity,
        &receivables_entity,
        &receipts_entity,
        &dunning_logs_entity,
        &banks_entity,
        &bank_branches_entity,
        &units_entity,
        &buildings_entity,
        &projects_entity,
        &companies_entity,
        &imports_entity,
        &approval_requests_entity,
        &approval_templates_entity,
        &fixed_assets_entity,
        &office_supplies_entity,
        &supply_moves_entity,
        &employee_loans_entity,
        &loan_repayments_entity,
        &seal_uses_entity,
        &duty_logs_entity,
        &departments_entity,
        &users_entity,
        &roles_entity,
        &scheduled_jobs_entity,
        &job_runs_entity,
        &outbox_entity,
        &audit_entity,
};
const size_t entities_count = ARRAY_LEN(entities);

const struct nav_group nav_groups[] = {
        {"master", "客户与房源", "Customers & units"},
        {"service", "客服工单", "Service tickets"},
        {"handover", "交付与产权", "Handover & certificates"},
        {"contract", "签约", "Contracts"},
        {"mortgage", "按揭回款", "Mortgages & collections"},
        {"approval", "审批与行政", "Approvals & office"},
        {"system", "系统设置", "System"},
};
const size_t nav_groups_count = ARRAY_LEN(nav_groups);
