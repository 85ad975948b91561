/*
 * entities_office.h - entities declared outside entities.c (office work in
 * entities_office.c, sales contracts in entities_sales.c), listed there.
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
extern const struct entity contracts_entity;
extern const struct entity tickets_entity;
extern const struct entity ticket_categories_entity;
extern const struct entity sla_policies_entity;
extern const struct entity warranty_periods_entity;
extern const struct entity contractors_entity;
extern const struct entity compensations_entity;
extern const struct entity defect_cases_entity;
extern const struct entity delivery_batches_entity;
extern const struct entity handovers_entity;
extern const struct entity inspection_defects_entity;
extern const struct entity certificates_entity;
extern const struct entity notice_templates_entity;
extern const struct entity scheduled_jobs_entity;
extern const struct entity job_runs_entity;
extern const struct entity outbox_entity;
extern const struct entity newsletters_entity;
extern const struct entity survey_templates_entity;
extern const struct entity survey_responses_entity;
extern const struct entity contract_doc_rules_entity;
extern const struct entity banks_entity;
extern const struct entity bank_branches_entity;
extern const struct entity loans_entity;
extern const struct entity receivables_entity;
extern const struct entity receipts_entity;
extern const struct entity dunning_logs_entity;

#endif
