/*
 * entities_office.h - the office-work entities, listed in entities.c.
 */
#ifndef ENTITIES_OFFICE_H
#define ENTITIES_OFFICE_H

#include "entity.h"

extern const struct entity approval_templates_entity;
extern const struct entity approval_requests_entity;
extern const struct entity departments_entity;
extern const struct entity fixed_assets_entity;
extern const struct entity office_supplies_entity;
extern const struct entity supply_moves_entity;
extern const struct entity employee_loans_entity;
extern const struct entity loan_repayments_entity;
extern const struct entity seal_uses_entity;
extern const struct entity duty_logs_entity;

#endif
