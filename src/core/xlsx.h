/*
 * xlsx.h - writing one-sheet Excel files (libxlsxwriter, constant-memory
 * mode, so an export of 200k rows stays small in memory).
 *
 * Rows must be written in order. xlsx_finish() hands back the file's bytes,
 * which the caller frees; xlsx_free() discards an unfinished file.
 */
#ifndef XLSX_H
#define XLSX_H

#include <stddef.h>
#include <stdint.h>

struct xlsx;

/* Column kinds decide the cell format. */
enum xlsx_kind {
    XLSX_TEXT,
    XLSX_INT,
    XLSX_MONEY, /* integer fen shown as yuan with 2 decimals */
    XLSX_AREA   /* integer dm² shown as m² with 2 decimals */
};

/* Start a workbook with one sheet and a bold, frozen header row. */
int xlsx_begin(struct xlsx **out,
               const char *sheet,
               const char *const *headers,
               const enum xlsx_kind *kinds,
               int ncols);
/* Cells of the next data row; row numbers start at 1 (0 is the header). */
void xlsx_text(struct xlsx *x, uint32_t row, int col, const char *text);
void xlsx_int(struct xlsx *x, uint32_t row, int col, int64_t v);
int xlsx_finish(struct xlsx *x, char **data, size_t *len);
void xlsx_free(struct xlsx *x);

#endif
