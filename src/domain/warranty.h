/*
 * warranty.h - the warranty ledger (质保期台账): per delivered flat and
 * component, the owner's warranty from delivery and the contractor's from
 * completion acceptance (建设工程质量管理条例 第40条), periods from
 * warranty_periods (project rows over the defaults), end dates by 民法典
 * 第201–202条 (calc_period_end).
 */
#ifndef WARRANTY_H
#define WARRANTY_H

#include <stdint.h>

#include <jansson.h>

#include "auth.h"
#include "store/db.h"

/* The periods that apply to a project: [{"component","name","years","months"}]. */
int warranty_periods_for(json_t **out, struct db_conn *c, int64_t project_id);

/* Rows of the ledger whose owner's warranty ends between from and to
 * (inclusive, "YYYY-MM-DD"), for who's projects (project_id 0 = all):
 * {"unit_id","room_code","project_id","component","name","delivered_on",
 *  "end","contractor_end","mismatch"}. mismatch: the contractor's warranty
 * ends before the owner's (the developer carries the gap). */
int warranty_expiring(json_t **out,
                      struct db_conn *c,
                      const struct auth_user *who,
                      int64_t project_id,
                      const char *from,
                      const char *to,
                      struct app_err *err);
/* Every component of one delivered flat (the same rows, any end date). */
int warranty_of_unit(json_t **out,
                     struct db_conn *c,
                     const struct auth_user *who,
                     int64_t unit_id,
                     struct app_err *err);

#endif
