/*
 * approval_handlers.h - the built-in handlers of the office flows, and the
 * register operations they share with the API.
 */
#ifndef APPROVAL_HANDLERS_H
#define APPROVAL_HANDLERS_H

#include <stdint.h>

#include "store/db.h"

/* Register the built-in handlers (asset_purchase, asset_scrap, supplies,
 * loan, expense, seal). Called once at start-up. */
void approval_handlers_init(void);

/* Record a repayment of amount fen on an outstanding loan (kind "cash" or
 * "offset"); settles it when fully repaid. APP_ECONFLICT when it would
 * overpay or the loan is settled. */
int loan_repay(struct db_conn *c,
               int64_t loan_id,
               int64_t amount,
               const char *kind,
               int64_t request_id,
               const char *note,
               struct app_err *err);

#endif
