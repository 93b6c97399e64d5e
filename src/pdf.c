/* pdf.c: the display list as PDF sheets: libharu for structure and graphics, pdffont for text. */
#include "pdf.h"
#include "pdffont.h"
#include "pdfimage.h"
#include "pdfmeta.h"
#include "pdftags.h"

#include <errno.h>
#include <hpdf.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* libharu's limits on page size, in points. */
#define PDF_MIN_PAGE 3.0
#define PDF_MAX_PAGE 14400.0
/* Bezier handle length for a quarter circle: 4/3 (sqrt 2 - 1). */
#define PDF_KAPPA 0.5522847498
/* TJ adjustments below this (1/1000 em) are not written: 0.005 pt at 100 pt. */
#define PDF_MIN_ADJUST 0.05

/* An image file embedded once, however many times it is shown. */
typedef struct pdf_image {
    const char *path;           /* borrowed from the display list */
    HPDF_Image image;
} pdf_image;

/* Everything one PDF output works with, from begin to free. */
typedef struct pdf_writer {
    pb_ctx *ctx;
    const dl_document *doc;
    const dl_sheet *sheet_list; /* borrowed: where each page goes */
    int nsheets;
    writer_options opts;
    pb_pos pos;                 /* the output file, for diagnostics */
    HPDF_Doc pdf;
    pdffont_set *fonts;
    pdftags *tags;              /* the structure of a 1-up output, or NULL */
    HPDF_Page *sheets;          /* one per sheet, as they are begun */
    int current;                /* the sheet being drawn, -1 before the first */
    int sheet_has_image;        /* the sheet being written shows an image */
    int bad_input;              /* the failure lies in the document (an image, a page size) */
    int nimages, images_cap;
    pdf_image *images;          /* owned array */
    HPDF_Array default_rgb;     /* [/ICCBased sRGB] for images, made on first use */
    HPDF_STATUS err, detail;    /* first error libharu reported */
} pdf_writer;

/* A colour as the four process inks, 0..1 each. */
typedef struct pdf_cmyk {
    double c, m, y, k;
} pdf_cmyk;

/* The glyph-positioning state of one TJ sequence. */
typedef struct pdf_pen {
    HPDF_Stream s;
    double size;                /* font size in points */
    double x;                   /* where the font's own advances put the pen */
    int in_array;               /* inside [ ... ] TJ */
    int in_hex;                 /* inside a <...> glyph string */
} pdf_pen;

/* A box outline in PDF coordinates: corners TL, TR, BR, BL and their radii. */
typedef struct pdf_box_path {
    double cx[4], cy[4], r[4];
    unsigned open;              /* bit e set: edge e (0 top .. 3 left) is open */
} pdf_box_path;

/* Unit direction of edge e, walking clockwise from the top edge. */
static const int pdf_dir_x[4] = {1, 0, -1, 0};
static const int pdf_dir_y[4] = {0, -1, 0, 1};

/* Keep libharu's first error; libharu errors are sticky, later ones follow from it. */
static void pdf_on_error(HPDF_STATUS error_no, HPDF_STATUS detail_no, void *user_data)
{
    pdf_writer *w = user_data;
    if (!w->err) {
        w->err = error_no;
        w->detail = detail_no;
    }
}

/* Report a pending libharu error; 0 when there is none. */
static int pdf_check(pdf_writer *w)
{
    HPDF_STATUS e = w->err ? w->err : HPDF_GetError(w->pdf);
    HPDF_STATUS d = w->err ? w->detail : HPDF_GetErrorDetail(w->pdf);
    if (e == HPDF_OK)
        return 0;
    pb_error(w->ctx, w->pos, "cannot write PDF: libharu error 0x%04lX (detail %lu)",
             (unsigned long)e, (unsigned long)d);
    return -1;
}

/* Format v with at most three decimals, whatever the C locale says. */
static const char *pdf_num(char buf[32], double v)
{
    /* by hand, not snprintf: a page of text writes thousands of them */
    long long m = llround(v * 1000);
    unsigned long long a = m < 0 ? 0ULL - (unsigned long long)m : (unsigned long long)m;
    unsigned long long whole = a / 1000;
    unsigned frac = (unsigned)(a % 1000);
    char digits[24];
    int n = 0;
    do {
        digits[n++] = (char)('0' + whole % 10);
        whole /= 10;
    } while (whole);
    char *p = buf;
    if (m < 0)
        *p++ = '-';
    while (n)
        *p++ = digits[--n];
    if (frac) {
        *p++ = '.';
        for (unsigned div = 100; frac; div /= 10) {
            *p++ = (char)('0' + frac / div);
            frac %= div;
        }
    }
    *p = '\0';
    return buf;
}

/* Write a number followed by sep to s. */
static void pdf_put_num(HPDF_Stream s, double v, const char *sep)
{
    char buf[32];
    HPDF_Stream_WriteStr(s, pdf_num(buf, v));
    HPDF_Stream_WriteStr(s, sep);
}

/* A colour component libharu accepts: NaN and out-of-range values clamp. */
static double pdf_unit(float v)
{
    return v >= 0 ? (v <= 1 ? v : 1) : 0;
}

/*
 * The CMYK ink for an RGB colour of the display list.  Not colour-managed:
 * the grey component goes wholly to black (K = 1 - max(r, g, b), and each
 * of C, M, Y = (max - r|g|b) / max), so neutral greys and black text print
 * with black ink alone and never need four plates in register.  On the
 * marks every colour is registration (the display list says so), all
 * four inks at 100%.
 */
static pdf_cmyk pdf_ink(dl_color rgb)
{
    if (rgb.registration)
        return (pdf_cmyk){1, 1, 1, 1};
    double r = pdf_unit(rgb.r), g = pdf_unit(rgb.g), b = pdf_unit(rgb.b);
    double mx = r > g ? (r > b ? r : b) : (g > b ? g : b);
    if (mx <= 0)
        return (pdf_cmyk){0, 0, 0, 1};
    return (pdf_cmyk){(mx - r) / mx, (mx - g) / mx, (mx - b) / mx, 1 - mx};
}

/* Set the fill colour through libharu. */
static void set_fill(HPDF_Page page, dl_color c)
{
    pdf_cmyk k = pdf_ink(c);
    HPDF_Page_SetCMYKFill(page, (HPDF_REAL)k.c, (HPDF_REAL)k.m, (HPDF_REAL)k.y, (HPDF_REAL)k.k);
}

/* Set the stroke colour through libharu. */
static void set_stroke(HPDF_Page page, dl_color c)
{
    pdf_cmyk k = pdf_ink(c);
    HPDF_Page_SetCMYKStroke(page, (HPDF_REAL)k.c, (HPDF_REAL)k.m, (HPDF_REAL)k.y, (HPDF_REAL)k.k);
}

/* Close the open <...> glyph string, if any. */
static void pen_close_hex(pdf_pen *pen)
{
    if (pen->in_hex)
        HPDF_Stream_WriteChar(pen->s, '>');
    pen->in_hex = 0;
}

/* Close the open TJ array, if any. */
static void pen_close_array(pdf_pen *pen)
{
    pen_close_hex(pen);
    if (pen->in_array)
        HPDF_Stream_WriteStr(pen->s, "] TJ\n");
    pen->in_array = 0;
}

/* Start a new TJ array at (x, y) in PDF coordinates. */
static void pen_move(pdf_pen *pen, double x, double y)
{
    pen_close_array(pen);
    HPDF_Stream_WriteStr(pen->s, "1 0 0 1 ");
    pdf_put_num(pen->s, x, " ");
    pdf_put_num(pen->s, y, " Tm\n[");
    pen->in_array = 1;
    pen->x = llround(x * 1000.0) / 1000.0;     /* as pdf_num wrote it */
}

/* Shift the pen to x with a TJ adjustment, so the glyph lands exactly there. */
static void pen_kern(pdf_pen *pen, double x)
{
    /* Rounded as written, so the pen tracks what a viewer computes and
     * rounding errors never accumulate along the line. */
    double adj = llround((pen->x - x) * 1000.0 / pen->size * 1000.0) / 1000.0;
    /* Float noise in the display list would otherwise split every run;
     * skipping a tiny shift is safe because the pen stays exact. */
    if (fabs(adj) < PDF_MIN_ADJUST)
        return;
    pen_close_hex(pen);
    pdf_put_num(pen->s, adj, "");
    pen->x -= adj * pen->size / 1000.0;
}

/* Append one CID to the current glyph string and advance the pen. */
static void pen_show(pdf_pen *pen, unsigned cid, int width)
{
    char hex[8];
    if (!pen->in_hex)
        HPDF_Stream_WriteChar(pen->s, '<');
    pen->in_hex = 1;
    snprintf(hex, sizeof hex, "%04X", cid & 0xFFFF);
    HPDF_Stream_WriteStr(pen->s, hex);
    pen->x += width * pen->size / 1000.0;
}

/* The number of characters glyph g stands for, 0 when its range is invalid. */
static unsigned glyph_text_len(const dl_glyph_run *run, const dl_glyph *g)
{
    uint32_t n = run->text_n > 0 ? (uint32_t)run->text_n : 0;
    if (g->text_start > n || g->text_len > n - g->text_start)
        return 0;
    return g->text_len;
}

/* Write the opening of a run: saved state, colour, font and size. */
static void run_begin(HPDF_Stream s, const dl_glyph_run *run,
                      const char *name)
{
    pdf_cmyk k = pdf_ink(run->color);
    HPDF_Stream_WriteStr(s, "q\n");
    pdf_put_num(s, k.c, " ");
    pdf_put_num(s, k.m, " ");
    pdf_put_num(s, k.y, " ");
    pdf_put_num(s, k.k, " k\nBT\n/");
    HPDF_Stream_WriteStr(s, name);
    HPDF_Stream_WriteStr(s, " ");
    pdf_put_num(s, run->size, " Tf\n");
}

/* Draw a glyph run with our CID font, positioning every glyph exactly. */
static void draw_run(pdf_writer *w, HPDF_Page page, const dl_glyph_run *run, double page_h)
{
    if (run->n <= 0 || !run->font || !(run->size > 0))
        return;
    const char *name;
    pdffont *pf = pdffont_page_font(w->fonts, page, run->font, &name);
    if (!pf)
        return;     /* the libharu error is reported by the caller */
    /* Bytes go straight into libharu's content stream, so they stay in
     * display-list order with the graphics libharu writes there. */
    pdf_pen pen = { ((HPDF_PageAttr)page->attr)->stream, run->size, 0, 0, 0 };
    if (run->added) /* a hyphen the composer added: no text for whoever extracts it */
        HPDF_Stream_WriteStr(pen.s, "/Span <</ActualText ()>> BDC\n");
    run_begin(pen.s, run, name);
    for (int i = 0; i < run->n; i++) {
        const dl_glyph *g = &run->glyphs[i];
        unsigned len = glyph_text_len(run, g);
        int width;
        unsigned cid = pdffont_glyph(pf, g->gid, len ? run->text + g->text_start : NULL,
                                     len, &width);
        if (i == 0 || g->y != run->glyphs[i - 1].y)
            pen_move(&pen, g->x, page_h - g->y);
        else
            pen_kern(&pen, g->x);
        pen_show(&pen, cid, width);
    }
    pen_close_array(&pen);
    HPDF_Stream_WriteStr(pen.s, "ET\nQ\n");
    if (run->added)
        HPDF_Stream_WriteStr(pen.s, "EMC\n");
}

/* Corners and radii of box b; open edges get square corners. */
static void box_geometry(const dl_box *b, double page_h, pdf_box_path *p)
{
    double l = b->x, r = b->x + b->w, t = page_h - b->y, bot = t - b->h;
    double rad = b->radius;
    if (rad > b->w / 2)
        rad = b->w / 2;
    if (rad > b->h / 2)
        rad = b->h / 2;
    p->open = (b->open_edges & DL_OPEN_TOP ? 1u : 0u) | (b->open_edges & DL_OPEN_BOTTOM ? 4u : 0u);
    const double cx[4] = {l, r, r, l}, cy[4] = {t, t, bot, bot};
    for (int c = 0; c < 4; c++) {
        p->cx[c] = cx[c];
        p->cy[c] = cy[c];
        /* Corner c joins edges c-1 and c; an open edge squares both its corners. */
        int open = (p->open >> c & 1) || (p->open >> ((c + 3) % 4) & 1);
        p->r[c] = rad > 0 && !open ? rad : 0;
    }
}

/* The quarter-circle at corner c, from the end of edge c-1 to the start of edge c. */
static void box_corner(HPDF_Page page, const pdf_box_path *p, int c)
{
    int in = (c + 3) % 4;
    double r = p->r[c], k = PDF_KAPPA * r;
    double x0 = p->cx[c] - r * pdf_dir_x[in], y0 = p->cy[c] - r * pdf_dir_y[in];
    double x3 = p->cx[c] + r * pdf_dir_x[c], y3 = p->cy[c] + r * pdf_dir_y[c];
    HPDF_Page_CurveTo(page, (HPDF_REAL)(x0 + k * pdf_dir_x[in]), (HPDF_REAL)(y0 + k * pdf_dir_y[in]),
                      (HPDF_REAL)(x3 - k * pdf_dir_x[c]), (HPDF_REAL)(y3 - k * pdf_dir_y[c]),
                      (HPDF_REAL)x3, (HPDF_REAL)y3);
}

/* Trace count edges from edge first, with the corners between them; closed
 * paths also take the corner after the last edge and close. */
static void box_edges(HPDF_Page page, const pdf_box_path *p, int first, int count, int closed)
{
    HPDF_Page_MoveTo(page, (HPDF_REAL)(p->cx[first] + p->r[first] * pdf_dir_x[first]),
                     (HPDF_REAL)(p->cy[first] + p->r[first] * pdf_dir_y[first]));
    for (int j = 0; j < count; j++) {
        int e = (first + j) % 4, c = (e + 1) % 4;
        HPDF_Page_LineTo(page, (HPDF_REAL)(p->cx[c] - p->r[c] * pdf_dir_x[e]),
                         (HPDF_REAL)(p->cy[c] - p->r[c] * pdf_dir_y[e]));
        if ((closed || j < count - 1) && p->r[c] > 0)
            box_corner(page, p, c);
    }
    if (closed)
        HPDF_Page_ClosePath(page);
}

/* Add the stroked outline: whole and closed, or one open path per run of edges. */
static void box_stroke_path(HPDF_Page page, const pdf_box_path *p)
{
    if (!p->open) {
        box_edges(page, p, 0, 4, 1);
        return;
    }
    for (int e = 0; e < 4; e++) {
        int first = (e + 1) % 4, count = 0;
        if (!(p->open >> e & 1) || (p->open >> first & 1))
            continue;
        while (!(p->open >> ((first + count) % 4) & 1))
            count++;
        box_edges(page, p, first, count, 0);
    }
}

/* Draw a box: fill first, then stroke the edges that are not open. */
static void draw_box(HPDF_Page page, const dl_box *b, double page_h)
{
    int stroke = b->stroked && b->stroke_width > 0;
    if (!(b->w > 0 && b->h > 0) || (!b->filled && !stroke))
        return;
    pdf_box_path p;
    box_geometry(b, page_h, &p);
    HPDF_Page_GSave(page);
    if (b->filled) {
        set_fill(page, b->fill);
        box_edges(page, &p, 0, 4, 1);
        HPDF_Page_Fill(page);
    }
    if (stroke) {
        set_stroke(page, b->stroke);
        HPDF_Page_SetLineWidth(page, b->stroke_width);
        box_stroke_path(page, &p);
        HPDF_Page_Stroke(page);
    }
    HPDF_Page_GRestore(page);
}

/* Draw a straight rule. */
static void draw_rule(HPDF_Page page, const dl_rule *r, double page_h)
{
    if (!(r->width > 0))
        return;
    HPDF_Page_GSave(page);
    set_stroke(page, r->color);
    HPDF_Page_SetLineWidth(page, r->width);
    HPDF_Page_MoveTo(page, r->x1, (HPDF_REAL)(page_h - r->y1));
    HPDF_Page_LineTo(page, r->x2, (HPDF_REAL)(page_h - r->y2));
    HPDF_Page_Stroke(page);
    HPDF_Page_GRestore(page);
}

/* The embedded image for path, loaded on first use; NULL with an error reported. */
static HPDF_Image image_get(pdf_writer *w, const char *path)
{
    for (int i = 0; i < w->nimages; i++)
        if (strcmp(w->images[i].path, path) == 0)
            return w->images[i].image;
    HPDF_Image im = pdfimage_load(w->ctx, w->pos, w->pdf, path);
    if (!im) {
        w->bad_input = 1;
        return NULL;
    }
    pb_grow(&w->images, &w->images_cap, w->nimages + 1, sizeof *w->images);
    w->images[w->nimages++] = (pdf_image){path, im};
    return im;
}

/* Draw an image scaled into its rectangle; -1 when it cannot be embedded. */
static int draw_image(pdf_writer *w, HPDF_Page page, const dl_image *img, double page_h)
{
    if (!(img->w > 0 && img->h > 0) || !img->path)
        return 0;
    HPDF_Image im = image_get(w, img->path);
    if (!im)
        return -1;
    HPDF_Page_DrawImage(page, im, img->x, (HPDF_REAL)(page_h - img->y - img->h),
                        img->w, img->h);
    w->sheet_has_image = 1;
    return 0;
}

/* Draw a page's items in order, y flipped with page_h; links come later. */
static int draw_items(pdf_writer *w, HPDF_Page page, const dl_page *pg, double page_h)
{
    HPDF_Stream s = ((HPDF_PageAttr)page->attr)->stream;
    for (int k = 0; k < pg->n; k++) {
        const dl_item *it = &pg->items[k];
        if (w->tags && it->kind != DL_LINK)
            pdftags_mark(w->tags, s, it->tag);
        if (it->kind == DL_GLYPHS)
            draw_run(w, page, &it->u.glyphs, page_h);
        else if (it->kind == DL_BOX)
            draw_box(page, &it->u.box, page_h);
        else if (it->kind == DL_RULE)
            draw_rule(page, &it->u.rule, page_h);
        else if (it->kind == DL_IMAGE && draw_image(w, page, &it->u.image, page_h) != 0)
            return -1;
    }
    if (w->tags)
        pdftags_end_page(w->tags, s);
    return 0;
}

/* Draw a logical page where the placement puts it, clipped to what may show. */
static int draw_placed(pdf_writer *w, HPDF_Page page, const dl_page *pg, const dl_placement *pl,
                       double sheet_h)
{
    HPDF_Page_GSave(page);
    HPDF_Page_Rectangle(page, pl->clip_x0, (HPDF_REAL)(sheet_h - pl->clip_y1),
                        pl->clip_x1 - pl->clip_x0, pl->clip_y1 - pl->clip_y0);
    HPDF_Page_Clip(page);
    HPDF_Page_EndPath(page);
    /* The page's own coordinates, so its items are drawn as on a page of its own. */
    HPDF_Page_Concat(page, 1, 0, 0, 1, pl->x, (HPDF_REAL)(sheet_h - pl->y - pg->height));
    int rc = draw_items(w, page, pg, pg->height);
    HPDF_Page_GRestore(page);
    return rc;
}

/* Add a page-box entry for the sheet rectangle (top-left origin) to page. */
static void add_page_box(HPDF_Page page, const char *key, double x0, double y0,
                         double x1, double y1, double sheet_h)
{
    HPDF_Array a = HPDF_Array_New(page->mmgr);
    if (!a)
        return;
    const double v[4] = {x0, sheet_h - y1, x1, sheet_h - y0};
    for (int i = 0; i < 4; i++)
        HPDF_Array_AddReal(a, (HPDF_REAL)v[i]);
    HPDF_Dict_Add(page, key, a);
}

/* Give raster images on the page the sRGB profile (DefaultRGB), since the
 * output intent is CMYK and an image's DeviceRGB would be uncharacterised. */
static int add_default_rgb(pdf_writer *w, HPDF_Page page)
{
    HPDF_Array cs = pdfmeta_default_rgb(w->ctx, w->pos, w->pdf, &w->default_rgb);
    HPDF_Dict res = HPDF_Page_GetInheritableItem(page, "Resources", HPDF_OCLASS_DICT);
    HPDF_Dict spaces = cs && res ? HPDF_Dict_New(page->mmgr) : NULL;
    if (!spaces)
        return cs ? pdf_check(w) : -1;
    HPDF_Dict_Add(spaces, "DefaultRGB", cs);
    HPDF_Dict_Add(res, "ColorSpace", spaces);
    return 0;
}

/* 1 when a sheet of width x height points is a page size PDF allows; reports it if not. */
static int size_ok(pdf_writer *w, int i, double width, double height)
{
    if (width >= PDF_MIN_PAGE && width <= PDF_MAX_PAGE &&
        height >= PDF_MIN_PAGE && height <= PDF_MAX_PAGE)
        return 1;
    pb_error(w->ctx, w->pos, "cannot write PDF: page %d is %g x %g pt; "
             "PDF pages must be %g to %g pt", i + 1, width, height, PDF_MIN_PAGE, PDF_MAX_PAGE);
    w->bad_input = 1;
    return 0;
}

/* Finish the current sheet: images on it get the sRGB profile. */
static int close_sheet(pdf_writer *w)
{
    if (w->current >= 0 && w->sheet_has_image && add_default_rgb(w, w->sheets[w->current]) != 0)
        return WRITER_FAILED;
    w->sheet_has_image = 0;
    return pdf_check(w);
}

/* Start sheet i: a PDF page of its size with its TrimBox and BleedBox. */
static int pdf_begin_sheet(void *wp, int i)
{
    pdf_writer *w = wp;
    const dl_sheet *s = &w->sheet_list[i];
    if (close_sheet(w) != 0)
        return WRITER_FAILED;
    if (!size_ok(w, i, s->width, s->height))
        return WRITER_BAD_INPUT;
    HPDF_Page page = HPDF_AddPage(w->pdf);
    if (!page)
        return pdf_check(w);
    w->sheets[i] = page;
    w->current = i;
    if (w->tags)
        pdftags_page(w->tags, page);
    HPDF_Page_SetWidth(page, s->width);
    HPDF_Page_SetHeight(page, s->height);
    add_page_box(page, "BleedBox", s->bleed_x0, s->bleed_y0, s->bleed_x1, s->bleed_y1, s->height);
    add_page_box(page, "TrimBox", s->trim_x0, s->trim_y0, s->trim_x1, s->trim_y1, s->height);
    return pdf_check(w);
}

/* Draw a page where the placement puts it on the current sheet. */
static int pdf_draw_page(void *wp, const dl_page *page, const dl_placement *pl)
{
    pdf_writer *w = wp;
    const dl_sheet *s = &w->sheet_list[w->current];
    if (draw_placed(w, w->sheets[w->current], page, pl, s->height) != 0)
        return w->bad_input ? WRITER_BAD_INPUT : WRITER_FAILED;
    return pdf_check(w);
}

/* Draw the printer's marks of the current sheet. */
static int pdf_draw_marks(void *wp, const dl_page *marks)
{
    pdf_writer *w = wp;
    if (draw_items(w, w->sheets[w->current], marks, w->sheet_list[w->current].height) != 0)
        return w->bad_input ? WRITER_BAD_INPUT : WRITER_FAILED;
    return pdf_check(w);
}

/* A destination: the top of the target, keeping the reader's zoom. */
static HPDF_Destination dest_at(HPDF_Doc pdf, HPDF_Page page, double top)
{
    HPDF_Destination d = HPDF_Page_CreateDestination(page);
    if (!d)
        return NULL;
    /* libharu's SetXYZ cannot write a null zoom, so build [page /XYZ 0 top null]. */
    HPDF_Array_Clear(d);
    HPDF_Array_Add(d, page);
    HPDF_Array_AddName(d, "XYZ");
    HPDF_Array_AddReal(d, 0);
    HPDF_Array_AddReal(d, (HPDF_REAL)top);
    HPDF_Array_Add(d, HPDF_Null_New(pdf->mmgr));
    return d;
}

/* A destination at y (page coordinates) on logical page p, on whatever
 * sheet shows it; NULL when no sheet does. */
static HPDF_Destination dest_for(pdf_writer *w, int p, double y)
{
    int k = 0, sh = dl_find_sheet(w->sheet_list, w->nsheets, p, &k);
    if (sh < 0 || !w->sheets[sh])
        return NULL;
    const dl_sheet *s = &w->sheet_list[sh];
    const dl_page *pg = &w->doc->pages[p];
    double t = y < 0 ? 0 : y > pg->height ? pg->height : y;
    return dest_at(w->pdf, w->sheets[sh], s->height - s->place[k].y - t);
}

/* A link annotation over the item's rectangle, jumping to its target. */
static void add_link(pdf_writer *w, int sheet, const dl_placement *pl, const dl_item *it)
{
    HPDF_Page page = w->sheets[sheet];
    const dl_sheet *s = &w->sheet_list[sheet];
    const dl_link *l = &it->u.link;
    if (l->page < 0 || l->page >= w->doc->npages) {
        pb_warning(w->ctx, w->pos, "a link on page %d points at page %d, which does "
                   "not exist; left out", pl->page + 1, l->page + 1);
        return;
    }
    double left = pl->x + l->x, top = s->height - pl->y - l->y;
    HPDF_Rect r = {(HPDF_REAL)left, (HPDF_REAL)(top - l->h), (HPDF_REAL)(left + l->w),
                   (HPDF_REAL)top};
    HPDF_Annotation a = HPDF_Page_CreateLinkAnnot(page, r, dest_for(w, l->page, l->target_y));
    if (a)
        HPDF_LinkAnnot_SetBorderStyle(a, 0, 0, 0);  /* no box drawn around it */
    if (a && w->tags)
        pdftags_link(w->tags, a, sheet, it->tag);
}

/* Every DL_LINK of every placed page, once all sheets exist to point at. */
static void add_links(pdf_writer *w)
{
    for (int i = 0; w->opts.links && i < w->nsheets; i++) {
        const dl_sheet *s = &w->sheet_list[i];
        for (int k = 0; k < s->nplace; k++) {
            const dl_placement *pl = &s->place[k];
            const dl_page *pg = pl->page >= 0 ? &w->doc->pages[pl->page] : NULL;
            for (int j = 0; pg && j < pg->n; j++)
                if (pg->items[j].kind == DL_LINK)
                    add_link(w, i, pl, &pg->items[j]);
        }
    }
}

/* Add one outline entry under parent (NULL: top level). */
static HPDF_Outline outline_entry(pdf_writer *w, HPDF_Outline parent, const dl_outline *o)
{
    HPDF_Outline item = HPDF_CreateOutline(w->pdf, parent, "", NULL);
    if (!item)
        return NULL;
    /* libharu would encode the title byte for byte; PDF wants UTF-16BE. */
    HPDF_Dict_Add(item, "Title", pdfmeta_text_string(w->pdf->mmgr, o->title ? o->title : ""));
    HPDF_Outline_SetDestination(item, dest_for(w, o->page, o->y));
    HPDF_Outline_SetOpened(item, parent == NULL);
    return item;
}

/* Build the outline, nesting entries by level. */
static void add_outline(pdf_writer *w)
{
    int n = w->doc->noutline, depth = 0;
    HPDF_Outline *stack = pb_alloc((size_t)(n ? n : 1) * sizeof *stack);
    for (int i = 0; i < n; i++) {
        const dl_outline *o = &w->doc->outline[i];
        if (o->page < 0 || o->page >= w->doc->npages) {
            pb_warning(w->ctx, w->pos, "outline entry '%s' points at page %d, which "
                       "does not exist; left out", o->title ? o->title : "", o->page + 1);
            continue;
        }
        /* A level may only be one deeper than the entry before it. */
        int level = o->level < 0 ? 0 : o->level > depth ? depth : o->level;
        HPDF_Outline item = outline_entry(w, level ? stack[level - 1] : NULL, o);
        if (!item)
            break;
        stack[level] = item;
        depth = level + 1;
    }
    free(stack);
}

/* libharu's in-memory output as one malloc'd buffer (length in *len). */
static unsigned char *flatten(HPDF_Stream s, size_t *len)
{
    HPDF_UINT nbuf = HPDF_MemStream_GetBufCount(s);
    size_t total = 0;
    for (HPDF_UINT i = 0; i < nbuf; i++) {
        HPDF_UINT n = 0;
        HPDF_MemStream_GetBufPtr(s, i, &n);
        total += n;
    }
    unsigned char *buf = pb_alloc(total ? total : 1);
    size_t k = 0;
    for (HPDF_UINT i = 0; i < nbuf; i++) {
        HPDF_UINT n = 0;
        const HPDF_BYTE *p = HPDF_MemStream_GetBufPtr(s, i, &n);
        if (p && n)
            memcpy(buf + k, p, n);
        k += n;
    }
    *len = total;
    return buf;
}

/* Serialise the document and fill in its /ID: a malloc'd buffer in *out, or -1 (reported). */
static int serialise(pdf_writer *w, unsigned char **out, size_t *len)
{
    if (HPDF_SaveToStream(w->pdf) != HPDF_OK) {
        if (pdf_check(w) == 0)
            pb_error(w->ctx, w->pos, "cannot write PDF: libharu cannot serialise it");
        return -1;
    }
    unsigned char *buf = flatten(w->pdf->stream, len);
    if (pdfmeta_finish_id(buf, *len, w->opts.have_fingerprint ? w->opts.fingerprint : NULL) != 0) {
        free(buf);
        pb_error(w->ctx, w->pos, "cannot write PDF: libharu wrote no trailer /ID");
        return -1;
    }
    *out = buf;
    return 0;
}

/* Start a PDF: libharu's document, PDF 1.6 (PDF/X-4 is based on it), compressed. */
static void *pdf_begin(pb_ctx *ctx, const dl_document *doc, const dl_sheet *sheets, int nsheets,
                       const writer_options *opts)
{
    pdf_writer *w = pb_alloc(sizeof *w);
    *w = (pdf_writer){.ctx = ctx, .doc = doc, .sheet_list = sheets, .nsheets = nsheets,
                      .opts = *opts, .pos = {opts->name, 0, 0}, .current = -1};
    w->pdf = HPDF_New(pdf_on_error, w);
    if (!w->pdf) {
        pb_error(ctx, w->pos, "cannot write PDF: libharu could not start");
        free(w);
        return NULL;
    }
    HPDF_SetCompressionMode(w->pdf, HPDF_COMP_ALL);
    w->pdf->pdf_version = HPDF_VER_16; /* libharu starts at 1.3 and has no setter */
    w->fonts = pdffont_set_new(w->pdf);
    w->tags = opts->tags ? pdftags_new(w->pdf, doc) : NULL;
    if (opts->tags && doc->nstructs > 0 && !w->tags)
        pb_warning(ctx, w->pos, "the PDF is not tagged: one element holds more than %d others, "
                   "more than a PDF array written by libharu can list", PDFTAGS_MAX_CHILDREN);
    w->sheets = pb_alloc((size_t)(nsheets > 0 ? nsheets : 1) * sizeof *w->sheets);
    return w;
}

/* After the last sheet: links, font subsets, outline, metadata, then the bytes. */
static int pdf_finish(void *wp, unsigned char **out, size_t *len)
{
    pdf_writer *w = wp;
    if (close_sheet(w) != 0)
        return w->bad_input ? WRITER_BAD_INPUT : WRITER_FAILED;
    add_links(w);
    if (pdffont_finish(w->fonts, w->ctx, w->pos) != 0) {
        pdf_check(w);   /* reports libharu's error if that was the cause */
        return WRITER_FAILED;
    }
    add_outline(w);
    if (w->tags && pdftags_finish(w->tags) != 0) {
        pdf_check(w);   /* reports libharu's error */
        return WRITER_FAILED;
    }
    /* PDF/UA asks for the language of the text: without xml:lang, tagged but no claim */
    int claim_ua = w->tags != NULL && w->doc->lang && w->doc->lang[0];
    pdfmeta_options mo = {w->opts.have_epoch, w->opts.epoch, w->opts.output_intent, claim_ua};
    if (pdfmeta_write(w->ctx, w->pos, w->pdf, w->doc, &mo) != 0 || pdf_check(w) != 0)
        return WRITER_FAILED;
    return serialise(w, out, len);
}

/* Free the writer and libharu's document. */
static void pdf_free(void *wp)
{
    pdf_writer *w = wp;
    pdffont_set_free(w->fonts);
    pdftags_free(w->tags);
    free(w->sheets);
    free(w->images);
    HPDF_Free(w->pdf);
    free(w);
}

const writer_ops pdf_writer_ops = {
    "pdf", pdf_begin, pdf_begin_sheet, pdf_draw_page, pdf_draw_marks, pdf_finish, pdf_free,
    pdfmeta_read_id,
};
