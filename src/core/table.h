/*
 * table.h - reading a spreadsheet as sales systems export it: CSV (RFC 4180,
 * UTF-8 with or without BOM, or GBK/GB18030 as Chinese Excel writes it) or
 * XLSX (the first worksheet). Rows are handed to a callback as UTF-8 cells.
 */
#ifndef TABLE_H
#define TABLE_H

#include <stddef.h>

#include "app.h"

#define TABLE_MAX_COLS 64

/* Called for every row, header included (row 1 is the first line). cells are
 * borrowed for the call. Return non-zero to stop reading. */
typedef int (*table_row_fn)(size_t row, int ncols, const char *const *cells, void *payload);

/* Read data (len bytes). The format is detected from the bytes (XLSX files
 * are zip archives); encoding of CSV from its validity as UTF-8. Returns 0,
 * or APP_EINVAL with err explaining why the file cannot be read. */
int table_read(const char *data, size_t len, table_row_fn fn, void *payload, struct app_err *err);

#endif
