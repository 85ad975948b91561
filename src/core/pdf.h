/*
 * pdf.h - printable A4 documents: a title and a body of paragraphs per page,
 * set with Pango (line breaking for Chinese) — titles in Noto Sans CJK Bold,
 * text in Noto Serif CJK (the 宋体 of formal notices) — written by
 * cairo into memory. The only place that includes cairo and pango.
 */
#ifndef PDF_H
#define PDF_H

#include <stddef.h>

struct pdf;

int pdf_begin(struct pdf **out);
/* One page: the title centred at the top, the body below it; text longer
 * than a page continues on the next. */
void pdf_page(struct pdf *p, const char *title, const char *body, const char *footer);
/* The finished document (caller frees *data); the pdf is freed. */
int pdf_finish(struct pdf *p, char **data, size_t *len);
void pdf_free(struct pdf *p);

#endif
