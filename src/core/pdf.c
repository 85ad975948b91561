/*
 * pdf.c - A4 pages of text through cairo's PDF surface and Pango.
 */
#include "pdf.h"

#include <stdlib.h>
#include <string.h>

#include <cairo-pdf.h>
#include <pango/pangocairo.h>

#include "app.h"
#include "strbuf.h"

#define PAGE_W 595.28 /* A4 in points */
#define PAGE_H 841.89
#define MARGIN 64.0

struct pdf {
    struct strbuf out;
    cairo_surface_t *surface;
    cairo_t *cr;
    int failed;
};

static cairo_status_t collect(void *closure, const unsigned char *data, unsigned int length)
{
    struct pdf *p = closure;
    if (strbuf_append(&p->out, data, length) < 0) {
        p->failed = 1;
        return CAIRO_STATUS_WRITE_ERROR;
    }
    return CAIRO_STATUS_SUCCESS;
}

int pdf_begin(struct pdf **out)
{
    struct pdf *p = calloc(1, sizeof(*p));
    if (p == NULL)
        return APP_EINTERNAL;
    strbuf_init(&p->out, (size_t)1 << 30);
    p->surface = cairo_pdf_surface_create_for_stream(collect, p, PAGE_W, PAGE_H);
    p->cr = cairo_create(p->surface);
    if (cairo_status(p->cr) != CAIRO_STATUS_SUCCESS) {
        pdf_free(p);
        return APP_EIO;
    }
    *out = p;
    return 0;
}

static PangoLayout *layout(cairo_t *cr, const char *font, int align_center)
{
    PangoLayout *l = pango_cairo_create_layout(cr);
    PangoFontDescription *d = pango_font_description_from_string(font);
    pango_layout_set_font_description(l, d);
    pango_font_description_free(d);
    pango_layout_set_width(l, (int)((PAGE_W - 2 * MARGIN) * PANGO_SCALE));
    pango_layout_set_wrap(l, PANGO_WRAP_WORD_CHAR);
    pango_layout_set_alignment(l, align_center ? PANGO_ALIGN_CENTER : PANGO_ALIGN_LEFT);
    return l;
}

void pdf_page(struct pdf *p, const char *title, const char *body, const char *footer)
{
    cairo_t *cr = p->cr;
    cairo_set_source_rgb(cr, 0, 0, 0);
    PangoLayout *t = layout(cr, "Noto Sans CJK SC Bold 20", 1);
    pango_layout_set_text(t, title ? title : "", -1);
    cairo_move_to(cr, MARGIN, MARGIN);
    pango_cairo_show_layout(cr, t);
    int tw, th;
    pango_layout_get_size(t, &tw, &th);
    g_object_unref(t);
    double y = MARGIN + (double)th / PANGO_SCALE + 24;
    /* The body, line by line, so a long one flows onto further pages. */
    PangoLayout *b = layout(cr, "Noto Serif CJK SC 12", 0);
    pango_layout_set_spacing(b, 6 * PANGO_SCALE);
    pango_layout_set_text(b, body ? body : "", -1);
    int bw, bh;
    pango_layout_get_size(b, &bw, &bh);
    if (y + (double)bh / PANGO_SCALE <= PAGE_H - MARGIN - 24) {
        /* The usual case: it fits. */
        cairo_move_to(cr, MARGIN, y);
        pango_cairo_show_layout(cr, b);
        g_object_unref(b);
        goto footer;
    }
    PangoLayoutIter *it = pango_layout_get_iter(b);
    double top = y, offset = 0;
    int first = 1;
    do {
        PangoLayoutLine *line = pango_layout_iter_get_line_readonly(it);
        PangoRectangle logical;
        pango_layout_iter_get_line_extents(it, NULL, &logical);
        int baseline = pango_layout_iter_get_baseline(it);
        double line_y = top + (double)baseline / PANGO_SCALE - offset;
        if (!first && (double)(logical.y + logical.height) / PANGO_SCALE - offset + top >
                              PAGE_H - MARGIN - 24) {
            cairo_show_page(cr);
            top = MARGIN;
            offset = (double)logical.y / PANGO_SCALE;
            line_y = top + (double)baseline / PANGO_SCALE - offset;
        }
        first = 0;
        cairo_move_to(cr, MARGIN + (double)logical.x / PANGO_SCALE, line_y);
        pango_cairo_show_layout_line(cr, line);
    } while (pango_layout_iter_next_line(it));
    pango_layout_iter_free(it);
    g_object_unref(b);
footer:
    if (footer && *footer) {
        PangoLayout *f = layout(cr, "Noto Serif CJK SC 9", 1);
        pango_layout_set_text(f, footer, -1);
        cairo_set_source_rgb(cr, 0.35, 0.35, 0.35);
        cairo_move_to(cr, MARGIN, PAGE_H - MARGIN);
        pango_cairo_show_layout(cr, f);
        g_object_unref(f);
    }
    cairo_show_page(cr);
}

int pdf_finish(struct pdf *p, char **data, size_t *len)
{
    cairo_destroy(p->cr);
    p->cr = NULL;
    cairo_surface_finish(p->surface);
    int ok = cairo_surface_status(p->surface) == CAIRO_STATUS_SUCCESS && !p->failed;
    cairo_surface_destroy(p->surface);
    p->surface = NULL;
    *len = p->out.len;
    *data = strbuf_steal(&p->out);
    free(p);
    if (!ok) {
        free(*data);
        *data = NULL;
        *len = 0;
        return APP_EIO;
    }
    return 0;
}

void pdf_free(struct pdf *p)
{
    if (p == NULL)
        return;
    if (p->cr)
        cairo_destroy(p->cr);
    if (p->surface)
        cairo_surface_destroy(p->surface);
    strbuf_free(&p->out);
    free(p);
}
