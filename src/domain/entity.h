/*
 * entity.h - declarative entities. Each entity (users, projects, units ...)
 * is one row of a static table: its fields with type, labels, validation and
 * flags, and the permissions it needs. Generic code derives from it the SQL
 * of lists and writes, the JSON, the validation, the Excel columns and the
 * metadata the web UI builds its screens from.
 *
 * To add an entity: declare its fields and a struct entity in entities.c,
 * add its table in a migration, and its permissions in rbac.c. Routes under
 * /api/v1/<name> exist from then on.
 */
#ifndef ENTITY_H
#define ENTITY_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "auth.h"
#include "core/crypto.h"
#include "store/db.h"

enum field_type {
    FT_TEXT,
    FT_TEXTAREA,
    FT_INT,
    FT_MONEY,    /* integer fen */
    FT_AREA,     /* integer dm² (0.01 m²) */
    FT_DATE,     /* "YYYY-MM-DD" */
    FT_DATETIME, /* "YYYY-MM-DDTHH:MM:SSZ", UTC */
    FT_BOOL,
    FT_ENUM,     /* one of options */
    FT_ENUMS,    /* array of options, kept in a link table */
    FT_REF,      /* id of a record of entity `ref` */
    FT_REFS,     /* array of ids of `ref`, kept in a link table */
    FT_PASSWORD, /* write-only; handled by the entity's hooks */
    FT_JSON      /* read-only JSON text */
};

enum field_flag {
    F_LIST = 1 << 0,     /* a column in lists */
    F_FILTER = 1 << 1,   /* may be filtered on */
    F_SORT = 1 << 2,     /* may be sorted on */
    F_CREATE = 1 << 3,   /* may be given on create */
    F_UPDATE = 1 << 4,   /* may be changed by PATCH */
    F_REQUIRED = 1 << 5, /* must be given on create, never null */
    F_SEARCH = 1 << 6,   /* searched by q= */
    F_NOEXPORT = 1 << 7, /* left out of Excel */
    F_DETAIL = 1 << 8,   /* shown only on the detail page (not read in lists) */
    F_UNIQUE = 1 << 9    /* no two records share the value (checked, 409) */
};

/* Personal data kept sealed (DOMAIN.md §7): stored as <name>_enc (sealed),
 * <name>_idx (blind index for exact lookups), <name>_mask (what lists show)
 * and, for phones, <name>_tail (blind index of the last four digits). */
enum pii_kind { PII_NONE = 0, PII_ID, PII_PHONE, PII_ACCOUNT };

struct field_option {
    const char *value;
    const char *label;
    const char *label_en;
    const char *color; /* grey, blue, orange, red, green, or NULL */
};

struct entity_field {
    const char *name;
    const char *label;
    const char *label_en;
    enum field_type type;
    unsigned flags;
    int maxlen;                         /* characters, text types; 0 = 200 */
    const struct field_option *options; /* FT_ENUM/FT_ENUMS, NULL-terminated */
    const char *ref;                    /* FT_REF/FT_REFS: entity name */
    const char *ref_label;              /* output key of the display value */
    const char *ref_label_sql;          /* its SQL expression (alias t) */
    const char *sql;                    /* read expression; NULL = "t.<name>" */
    const char *link_table;             /* FT_REFS/FT_ENUMS */
    const char *link_self;              /* column holding this record's id */
    const char *link_other;             /* column holding the value */
    enum pii_kind pii;                  /* personal data, sealed and masked */
    const char *pii_type_field;         /* PII_ID: the field naming the document type */
    const char *reveal_perm;            /* permission to see it unmasked */
    /* Text: check and normalise the trimmed value (e.g. validate_uscc). */
    int (*normalise)(
            char *out, size_t size, const char *in, const char *field, struct app_err *err);
};

struct entity;

/* Extra columns an entity's hook adds to an INSERT (e.g. password_hash). */
struct entity_cols {
    int n;
    const char *name[8];
    int is_text[8];
    int64_t i[8];
    char *t[8]; /* owned */
};
void entity_cols_text(struct entity_cols *x, const char *name, const char *value);
void entity_cols_int(struct entity_cols *x, const char *name, int64_t value);

struct entity_hooks {
    /* Before INSERT: validate special input, add columns. */
    int (*before_create)(struct db_conn *c,
                         const struct auth_user *who,
                         json_t *in,
                         struct entity_cols *x,
                         struct app_err *err);
    /* Before UPDATE: validate across fields, add columns. */
    int (*before_update)(struct db_conn *c,
                         const struct auth_user *who,
                         int64_t id,
                         json_t *in,
                         json_t *before,
                         struct entity_cols *x,
                         struct app_err *err);
    /* After a PATCH was applied (before and after are the full records). */
    int (*after_update)(struct db_conn *c,
                        const struct auth_user *who,
                        int64_t id,
                        json_t *before,
                        json_t *after,
                        struct app_err *err);
};

enum entity_flag {
    E_TIMESTAMPS = 1 << 0, /* created_at / updated_at columns kept */
    E_CREATED_AT = 1 << 1, /* created_at only */
    E_READONLY = 1 << 2,   /* no create, no update through the API */
    E_NO_CREATE = 1 << 3   /* records come from elsewhere (flows); fields may be edited */
};

struct entity {
    const char *name; /* URL segment and audit entity name */
    const char *table;
    const char *label;
    const char *label_en;
    const struct entity_field *fields;
    size_t n_fields;
    const char *read_perm;
    const char *write_perm; /* NULL = read-only */
    const char *export_perm;
    const char *title_field;
    const char *default_sort;   /* "name" or "-id" */
    const char *scope_sql;      /* predicate whose every '?' is the user id; NULL = unscoped */
    const char *scope_field;    /* field holding the project id, for filters */
    const char *project_filter; /* predicate whose every '?' is a project id: the
                                   ?project_id= filter when it means more than the field */
    const char *nav_group;      /* navigation group key, NULL = not in nav */
    unsigned flags;
    const struct entity_hooks *hooks;
};

/* The declared entities, in navigation order. */
extern const struct entity *const entities[];
extern const size_t entities_count;

const struct entity *entity_find(const char *name);
const struct entity_field *entity_field(const struct entity *e, const char *name);
/* Text of a field type ("text", "money" ...). */
const char *entity_type_name(enum field_type t);
/* Display label of an option value, or the value itself. */
const char *entity_option_label(const struct entity_field *f, const char *value);

/* A list request, already split out of the query string. */
struct entity_query {
    int n;
    const char *key[32];
    const char *value[32];
    const char *sort; /* NULL = default */
    int64_t limit;    /* 0 = default 40; < 0 = no limit (exports) */
    int64_t offset;
};

/* List records visible to who. *out = {"items":[...],"total":N,"next":...}.
 * APP_EBADREQ (unknown filter/sort), APP_EINVAL (bad value), APP_EFORBIDDEN
 * (project outside scope). */
int entity_list(json_t **out,
                struct db_conn *c,
                const struct entity *e,
                const struct auth_user *who,
                const struct entity_query *q,
                struct app_err *err);

/* Stream every matching row to fn (for exports), in list order. Row objects
 * are borrowed for the call. */
typedef int (*entity_row_fn)(json_t *row, void *payload);
int entity_each(struct db_conn *c,
                const struct entity *e,
                const struct auth_user *who,
                const struct entity_query *q,
                entity_row_fn fn,
                void *payload,
                struct app_err *err);

/* One record, with its link-table fields. APP_ENOTFOUND, APP_EFORBIDDEN. */
int entity_get(json_t **out,
               struct db_conn *c,
               const struct entity *e,
               const struct auth_user *who,
               int64_t id,
               struct app_err *err);
/* Create from in (validated against the declaration), audited. */
int entity_create(json_t **out,
                  struct db_conn *c,
                  const struct entity *e,
                  const struct auth_user *who,
                  json_t *in,
                  struct app_err *err);
/* Validate and insert like entity_create(), without reading the record back
 * and without a per-record audit row: for bulk imports, which audit the
 * import as a whole. */
int entity_insert(int64_t *id_out,
                  struct db_conn *c,
                  const struct entity *e,
                  const struct auth_user *who,
                  json_t *in,
                  struct app_err *err);
/* Change the fields given in in, audited with before and after. */
int entity_update(json_t **out,
                  struct db_conn *c,
                  const struct entity *e,
                  const struct auth_user *who,
                  int64_t id,
                  json_t *in,
                  struct app_err *err);

/* The unmasked value of personal-data field `field` of record id, for a
 * caller holding the field's reveal permission; the read is audited.
 * *out is NULL when nothing is recorded; the caller frees it.
 * APP_EFORBIDDEN, APP_ENOTFOUND, APP_EINVAL (not a personal-data field). */
int entity_reveal(char **out,
                  struct db_conn *c,
                  const struct entity *e,
                  const struct auth_user *who,
                  int64_t id,
                  const char *field,
                  struct app_err *err);
/* Normalise a personal-data value of kind (doc_type for PII_ID: id_card,
 * hmt_permit, foreign_prc, passport, ...); APP_EINVAL naming field. */
int entity_pii_normalise(char *out,
                         size_t size,
                         enum pii_kind kind,
                         const char *doc_type,
                         const char *value,
                         const char *field,
                         struct app_err *err);

/* The stored forms of one normalised personal-data value. */
struct entity_pii {
    char *enc;                  /* sealed; owned */
    char idx[CRYPTO_HASH_HEX];  /* blind index */
    char tail[CRYPTO_HASH_HEX]; /* phones: blind index of the last four digits */
    char mask[64];              /* what lists show */
};
/* Seal, index and mask a normalised value; free with entity_pii_free(). */
void entity_pii_seal(struct entity_pii *out, enum pii_kind kind, const char *norm);
void entity_pii_free(struct entity_pii *p);
/* The blind index of a normalised value of kind (what lookups compare). */
void entity_pii_index(char out[CRYPTO_HASH_HEX], enum pii_kind kind, const char *norm);

/* The metadata the UI needs for e, as seen by who. */
json_t *entity_meta(const struct entity *e, const struct auth_user *who);
/* Every option list of every entity, keyed "entity.field" (labels only:
 * nothing in them is personal or scoped, so any logged-in user reads them). */
json_t *entity_enums(void);

#endif
