/*
 * writer_trace.c: a writer that records every drawing call as a line of
 * text.  It shows what adding an output format takes (one file filling in
 * a writer_ops), and it makes layout and imposition readable in tests: a
 * glyph run prints its font, size, position and text.
 */
#include "text.h"
#include "writer.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The trace being written. */
typedef struct trace_writer {
    pb_str out;
    const dl_sheet *sheets;
} trace_writer;

/* Append a formatted line. */
static void line(trace_writer *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void line(trace_writer *t, const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    pb_str_adds(&t->out, buf);
    pb_str_add(&t->out, "\n", 1);
}

/* Start a trace. */
static void *trace_begin(pb_ctx *ctx, const dl_document *doc, const dl_sheet *sheets, int nsheets,
                         const writer_options *opts)
{
    (void)ctx;
    trace_writer *t = pb_alloc(sizeof *t);
    t->sheets = sheets;
    line(t, "begin %d sheets, %d pages, links %s", nsheets, doc->npages, opts->links ? "yes" : "no");
    return t;
}

/* Record a sheet's size and boxes. */
static int trace_begin_sheet(void *w, int i)
{
    trace_writer *t = w;
    const dl_sheet *s = &t->sheets[i];
    line(t, "sheet %d %.2fx%.2f trim %.2f %.2f %.2f %.2f", i, s->width, s->height, s->trim_x0,
         s->trim_y0, s->trim_x1, s->trim_y1);
    return 0;
}

/* The text of a glyph run as UTF-8. */
static void run_text(const dl_glyph_run *r, pb_str *s)
{
    for (int i = 0; i < r->text_n; i++) {
        char u[4];
        size_t n = text_utf8_encode(r->text[i], u);
        pb_str_add(s, u, n);
    }
}

/* Record one item of a page or of the marks. */
static void trace_item(trace_writer *t, const dl_item *it)
{
    const dl_glyph_run *r = &it->u.glyphs;
    pb_str text = {0};
    switch (it->kind) {
    case DL_GLYPHS:
        run_text(r, &text);
        line(t, "  glyphs %s%s %.2f at %.2f,%.2f%s \"%s\"", r->font ? r->font->family : "?",
             r->font && r->font->bold ? " bold" : "", r->size, r->n ? r->glyphs[0].x : 0,
             r->n ? r->glyphs[0].y : 0, r->color.registration ? " registration" : "",
             text.s ? text.s : "");
        break;
    case DL_BOX:
        line(t, "  box %.2f %.2f %.2f %.2f", it->u.box.x, it->u.box.y, it->u.box.w, it->u.box.h);
        break;
    case DL_RULE:
        line(t, "  rule %.2f,%.2f %.2f,%.2f%s", it->u.rule.x1, it->u.rule.y1, it->u.rule.x2,
             it->u.rule.y2, it->u.rule.color.registration ? " registration" : "");
        break;
    case DL_IMAGE:
        line(t, "  image %s %.2f %.2f %.2f %.2f", it->u.image.path, it->u.image.x, it->u.image.y,
             it->u.image.w, it->u.image.h);
        break;
    case DL_LINK:
        line(t, "  link to page %d", it->u.link.page + 1);
        break;
    }
    pb_str_free(&text);
}

/* Record a page placed on the current sheet and everything on it. */
static int trace_draw_page(void *w, const dl_page *page, const dl_placement *pl)
{
    trace_writer *t = w;
    line(t, " page %d at %.2f,%.2f", pl->page + 1, pl->x, pl->y);
    for (int i = 0; i < page->n; i++)
        trace_item(t, &page->items[i]);
    return 0;
}

/* Record the sheet's marks. */
static int trace_draw_marks(void *w, const dl_page *marks)
{
    trace_writer *t = w;
    line(t, " marks");
    for (int i = 0; i < marks->n; i++)
        trace_item(t, &marks->items[i]);
    return 0;
}

/* The trace is the output. */
static int trace_finish(void *w, unsigned char **out, size_t *len)
{
    trace_writer *t = w;
    line(t, "end");
    *len = t->out.len;
    *out = (unsigned char *)pb_str_take(&t->out);
    return 0;
}

/* Free the trace. */
static void trace_free(void *w)
{
    trace_writer *t = w;
    pb_str_free(&t->out);
    free(t);
}

const writer_ops trace_writer_ops = {
    "trace", trace_begin, trace_begin_sheet, trace_draw_page, trace_draw_marks, trace_finish,
    trace_free, NULL,
};
