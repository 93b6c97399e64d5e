/* impose.c: logical pages onto sheets (1-up or saddle-stitch 2-up) and printer's marks. */
#include "impose.h"
#include "label.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A4 landscape, the default sheet for booklets. */
#define IMPOSE_A4_LONG (297 * IMPOSE_MM)
#define IMPOSE_A4_SHORT (210 * IMPOSE_MM)
/* Two page sizes closer than this (points) are the same. */
#define IMPOSE_EPS 0.01f
/* The slug line: its size, and how far it starts right of the trim's left edge. */
#define IMPOSE_SLUG_SIZE 6.0f
#define IMPOSE_SLUG_INDENT (6 * IMPOSE_MM)
#define IMPOSE_SLUG_FONTS "Noto Sans CJK SC, Noto Serif CJK SC"

/* The page and spread geometry of a booklet sheet. */
typedef struct saddle_geom {
    float w, h;                 /* one trimmed page */
    float x0, y0;               /* the spread's trim corner on the sheet */
    float bleed;                /* the largest bleed of any page */
} saddle_geom;

/* Set the sheet's TrimBox to the rectangle and its BleedBox to bleed around
 * it, cut at the sheet edge; returns 1 when the bleed had to be cut. */
static int set_boxes(dl_sheet *s, float x0, float y0, float x1, float y1, float bleed)
{
    s->trim_x0 = x0;
    s->trim_y0 = y0;
    s->trim_x1 = x1;
    s->trim_y1 = y1;
    s->bleed = bleed;
    s->bleed_x0 = x0 - bleed > 0 ? x0 - bleed : 0;
    s->bleed_y0 = y0 - bleed > 0 ? y0 - bleed : 0;
    s->bleed_x1 = x1 + bleed < s->width ? x1 + bleed : s->width;
    s->bleed_y1 = y1 + bleed < s->height ? y1 + bleed : s->height;
    return x0 - bleed < -IMPOSE_EPS || y0 - bleed < -IMPOSE_EPS ||
           x1 + bleed > s->width + IMPOSE_EPS || y1 + bleed > s->height + IMPOSE_EPS;
}

/* Add a marks rule from (x1, y1) to (x2, y2). */
static void add_mark(dl_page *pg, float x1, float y1, float x2, float y2)
{
    dl_rule *r = &dl_add_item(pg, DL_RULE)->u.rule;
    *r = (dl_rule){x1, y1, x2, y2, IMPOSE_MARK_WIDTH, {0, 0, 0, 1}}; /* registration ink */
}

/* Crop marks at the four trim corners, each starting a gap beyond the bleed. */
static void add_crop_marks(dl_page *pg, const dl_sheet *s, float bleed)
{
    float near = bleed + IMPOSE_MARK_GAP, far = near + IMPOSE_MARK_LEN;
    const float tx[2] = {s->trim_x0, s->trim_x1}, ty[2] = {s->trim_y0, s->trim_y1};
    for (int i = 0; i < 2; i++)
        for (int j = 0; j < 2; j++) {
            float dx = i ? 1 : -1, dy = j ? 1 : -1;     /* outward */
            add_mark(pg, tx[i] + dx * near, ty[j], tx[i] + dx * far, ty[j]);
            add_mark(pg, tx[i], ty[j] + dy * near, tx[i], ty[j] + dy * far);
        }
}

/* Fold marks above and below the spread at x. */
static void add_fold_marks(dl_page *pg, const dl_sheet *s, float x, float bleed)
{
    float near = bleed + IMPOSE_MARK_GAP, far = near + IMPOSE_MARK_LEN;
    add_mark(pg, x, s->trim_y0 - near, x, s->trim_y0 - far);
    add_mark(pg, x, s->trim_y1 + near, x, s->trim_y1 + far);
}

/* The slug line under the bottom bleed, between the crop marks, in registration ink. */
static int add_slug(pb_ctx *ctx, dl_page *pg, const dl_sheet *s, float bleed, const char *text)
{
    /* set like any text: the font chain, the missing-glyph policy, HarfBuzz */
    style slug = {.font_family = IMPOSE_SLUG_FONTS, .font_size = IMPOSE_SLUG_SIZE,
                  .line_height = IMPOSE_SLUG_SIZE, .autospace = 1};
    float baseline = s->trim_y1 + bleed + IMPOSE_MARK_GAP + IMPOSE_SLUG_SIZE;
    return label_add(ctx, pg, &slug, text, s->trim_x0 + IMPOSE_SLUG_INDENT, baseline,
                     (dl_color){0, 0, 0, 1});
}

/* 1-based page number of placement p for the slug, or "blank". */
static void page_label(const dl_placement *p, char *buf, size_t size)
{
    if (p->page < 0)
        snprintf(buf, size, "blank");
    else
        snprintf(buf, size, "%d", p->page + 1);
}

/* The slug text for sheet s. */
static void slug_text(const impose_result *r, const dl_sheet *s, int saddle,
                      const char *name, char *buf, size_t size)
{
    if (!saddle) {
        snprintf(buf, size, "%s \xc2\xb7 page %d of %d", name, s->paper + 1, r->logical_pages);
        return;
    }
    char left[16], right[16];
    page_label(&s->place[0], left, sizeof left);
    page_label(&s->place[1], right, sizeof right);
    snprintf(buf, size, "%s \xc2\xb7 sheet %d %s \xc2\xb7 pages %s | %s", name, s->paper + 1,
             s->back ? "back" : "front", left, right);
}

/* 1 when the marks fit between every sheet's bleed and its edges. */
static int marks_fit(const impose_result *r)
{
    for (int i = 0; i < r->nsheets; i++) {
        const dl_sheet *s = &r->sheets[i];
        float m = s->bleed + IMPOSE_MARK_MARGIN - IMPOSE_EPS;
        if (s->trim_x0 < m || s->trim_y0 < m || s->width - s->trim_x1 < m ||
            s->height - s->trim_y1 < m)
            return 0;
    }
    return 1;
}

/* The file name for the slug: as given, or the output's base name. */
static const char *slug_name(const impose_options *o)
{
    if (o->slug_name)
        return o->slug_name;
    if (!o->output)
        return "paiban";
    const char *slash = strrchr(o->output, '/');
    return slash ? slash + 1 : o->output;
}

/* Build one marks page per sheet (crop marks, fold marks, slug); -1 without a font. */
static int build_marks(pb_ctx *ctx, impose_result *r, const impose_options *o)
{
    const char *name = slug_name(o);
    int saddle = o->mode == IMPOSE_SADDLE;
    r->marks = dl_document_new();
    for (int i = 0; i < r->nsheets; i++) {
        dl_sheet *s = &r->sheets[i];
        float bleed = s->bleed;
        dl_page *pg = dl_add_page(r->marks, s->width, s->height);
        char text[512];
        add_crop_marks(pg, s, bleed);
        if (saddle)
            add_fold_marks(pg, s, (s->trim_x0 + s->trim_x1) / 2, bleed);
        slug_text(r, s, saddle, name, text, sizeof text);
        if (add_slug(ctx, pg, s, bleed, text) != 0)
            return -1;
    }
    /* Pointers only now: the pages array moved while it grew. */
    for (int i = 0; i < r->nsheets; i++)
        r->sheets[i].marks = &r->marks->pages[i];
    return 0;
}

/* Give sheet s room for n placements. */
static void alloc_places(dl_sheet *s, int n)
{
    s->nplace = n;
    s->place = pb_alloc(sizeof *s->place * (size_t)(n > 0 ? n : 1));
}

/* One sheet per page: the page, its bleed and, with marks, room for them. */
static void impose_one_up(const dl_document *doc, const impose_options *o, impose_result *r)
{
    float margin = o->marks ? IMPOSE_MARK_MARGIN : 0;
    r->nsheets = r->padded_pages = doc->npages;
    r->sheets = pb_alloc((size_t)doc->npages * sizeof *r->sheets);
    for (int i = 0; i < doc->npages; i++) {
        const dl_page *pg = &doc->pages[i];
        dl_sheet *s = &r->sheets[i];
        float b = pg->bleed > 0 ? pg->bleed : 0, off = b + margin;
        s->width = pg->width + 2 * off;
        s->height = pg->height + 2 * off;
        set_boxes(s, off, off, off + pg->width, off + pg->height, b);
        alloc_places(s, 1);
        s->paper = i;
        s->place[0] = (dl_placement){i, off, off, s->bleed_x0, s->bleed_y0,
                                         s->bleed_x1, s->bleed_y1};
    }
}

/* Check that every page has page 0's size (a booklet has one page size); -1 if not. */
static int same_size(pb_ctx *ctx, pb_pos pos, const dl_document *doc)
{
    const dl_page *first = &doc->pages[0];
    for (int i = 1; i < doc->npages; i++) {
        const dl_page *pg = &doc->pages[i];
        if (pg->width - first->width > IMPOSE_EPS || first->width - pg->width > IMPOSE_EPS ||
            pg->height - first->height > IMPOSE_EPS || first->height - pg->height > IMPOSE_EPS) {
            pb_error(ctx, pos, "cannot impose a booklet: page %d is %.1f x %.1f mm, page 1 "
                     "%.1f x %.1f mm; every page of a booklet must have one size", i + 1,
                     pg->width / IMPOSE_MM, pg->height / IMPOSE_MM,
                     first->width / IMPOSE_MM, first->height / IMPOSE_MM);
            return -1;
        }
    }
    return 0;
}

/* Place the page of 0-based index p (blank past the end) on one side of the fold. */
static void place_page(const dl_document *doc, const saddle_geom *g, dl_placement *pl,
                       int p, int right, float shift)
{
    float fold = g->x0 + g->w;
    float b = p < doc->npages && doc->pages[p].bleed > 0 ? doc->pages[p].bleed : 0;
    pl->page = p < doc->npages ? p : -1;
    pl->x = right ? fold - shift : g->x0 + shift;
    pl->y = g->y0;
    /* Bleed on the outer edges only; at the fold the page stops at the trim. */
    pl->clip_x0 = right ? fold : pl->x - b;
    pl->clip_x1 = right ? pl->x + g->w + b : fold;
    pl->clip_y0 = g->y0 - b;
    pl->clip_y1 = g->y0 + g->h + b;
}

/* Sheet `side` (2 * paper + back) of a booklet of n padded pages. */
static void saddle_sheet(const dl_document *doc, const saddle_geom *g, dl_sheet *s,
                         int n, int side, float creep)
{
    int k = side / 2, back = side % 2;
    /* 0-based: front (n-1-2k | 2k), back (2k+1 | n-2-2k). */
    int left = back ? 2 * k + 1 : n - 1 - 2 * k;
    int right = back ? n - 2 - 2 * k : 2 * k;
    float shift = (float)k * creep;
    s->paper = k;
    s->back = back;
    alloc_places(s, 2);
    place_page(doc, g, &s->place[0], left, 0, shift);
    place_page(doc, g, &s->place[1], right, 1, shift);
}

/* The spread's place on the sheet; -1 with an error when it does not fit. */
static int saddle_geometry(pb_ctx *ctx, pb_pos pos, const dl_document *doc,
                           float sw, float sh, saddle_geom *g)
{
    g->w = doc->pages[0].width;
    g->h = doc->pages[0].height;
    if (2 * g->w > sw + IMPOSE_EPS || g->h > sh + IMPOSE_EPS) {
        pb_error(ctx, pos, "cannot impose a booklet: a spread of two %.1f x %.1f mm pages "
                 "does not fit on a %.1f x %.1f mm sheet; choose a larger --sheet",
                 g->w / IMPOSE_MM, g->h / IMPOSE_MM, sw / IMPOSE_MM, sh / IMPOSE_MM);
        return -1;
    }
    g->x0 = (sw - 2 * g->w) / 2;
    g->y0 = (sh - g->h) / 2;
    g->bleed = 0;
    for (int i = 0; i < doc->npages; i++)
        if (doc->pages[i].bleed > g->bleed)
            g->bleed = doc->pages[i].bleed;
    return 0;
}

/* 2-up spreads for saddle stitching; -1 with an error reported. */
static int impose_saddle(pb_ctx *ctx, pb_pos pos, const dl_document *doc,
                         const impose_options *o, impose_result *r)
{
    float sw = o->sheet_width > 0 ? o->sheet_width : IMPOSE_A4_LONG;
    float sh = o->sheet_height > 0 ? o->sheet_height : IMPOSE_A4_SHORT;
    saddle_geom g;
    if (same_size(ctx, pos, doc) != 0 || saddle_geometry(ctx, pos, doc, sw, sh, &g) != 0)
        return -1;
    r->padded_pages = (doc->npages + 3) / 4 * 4;
    r->nsheets = r->padded_pages / 2;
    r->sheets = pb_alloc((size_t)r->nsheets * sizeof *r->sheets);
    int cut = 0;
    for (int i = 0; i < r->nsheets; i++) {
        dl_sheet *s = &r->sheets[i];
        s->width = sw;
        s->height = sh;
        cut |= set_boxes(s, g.x0, g.y0, g.x0 + 2 * g.w, g.y0 + g.h, g.bleed);
        saddle_sheet(doc, &g, s, r->padded_pages, i, o->creep);
    }
    if (cut)
        pb_warning(ctx, pos, "the %.1f x %.1f mm sheet has no room for the %.1f mm bleed; "
                   "it is cut at the sheet edge", sw / IMPOSE_MM, sh / IMPOSE_MM,
                   g.bleed / IMPOSE_MM);
    return 0;
}

/* ---- n-up and contact sheets ------------------------------------------------ */

/* A grid of cells on sheets: cols x rows cells of cw x ch, from (x0, y0), gap apart. */
typedef struct grid {
    int cols, rows;
    float cw, ch, x0, y0, gap_x, gap_y;
} grid;

/* Place page p (or -1) in cell c of sheet s of grid g, clipped to its trim. */
static void place_cell(const dl_document *doc, const grid *g, dl_sheet *s, int slot, int c, int p)
{
    float x = g->x0 + (float)(c % g->cols) * (g->cw + g->gap_x);
    float y = g->y0 + (float)(c / g->cols) * (g->ch + g->gap_y);
    float w = p >= 0 ? doc->pages[p].width : g->cw, h = p >= 0 ? doc->pages[p].height : g->ch;
    x += (g->cw - w) / 2;
    y += (g->ch - h) / 2;
    s->place[slot] = (dl_placement){p, x, y, x, y, x + w, y + h};
}

/* Cut marks between the cells of an n-up sheet, at its edges (registration ink). */
static void add_cut_marks(dl_page *pg, const grid *g, float sw, float sh)
{
    for (int c = 1; c < g->cols; c++) {
        float x = g->x0 + (float)c * g->cw;
        add_mark(pg, x, 0, x, IMPOSE_MARK_LEN);
        add_mark(pg, x, sh - IMPOSE_MARK_LEN, x, sh);
    }
    for (int r = 1; r < g->rows; r++) {
        float y = g->y0 + (float)r * g->ch;
        add_mark(pg, 0, y, IMPOSE_MARK_LEN, y);
        add_mark(pg, sw - IMPOSE_MARK_LEN, y, sw, y);
    }
}

/* n pages per sheet (2 across A4 landscape, 4 two by two on A4 portrait). */
static int impose_nup(pb_ctx *ctx, pb_pos pos, const dl_document *doc, const impose_options *o,
                      impose_result *r)
{
    int n = o->nup == 4 ? 4 : 2;
    float sw = o->sheet_width > 0 ? o->sheet_width : n == 2 ? IMPOSE_A4_LONG : IMPOSE_A4_SHORT;
    float sh = o->sheet_height > 0 ? o->sheet_height : n == 2 ? IMPOSE_A4_SHORT : IMPOSE_A4_LONG;
    grid g = {2, n / 2, sw / 2, sh / (float)(n / 2), 0, 0, 0, 0};
    for (int i = 0; i < doc->npages; i++)
        if (doc->pages[i].width > g.cw + IMPOSE_EPS || doc->pages[i].height > g.ch + IMPOSE_EPS) {
            pb_error(ctx, pos, "cannot place %d pages on a %.0f x %.0f mm sheet: page %d is "
                     "%.1f x %.1f mm", n, sw / IMPOSE_MM, sh / IMPOSE_MM, i + 1,
                     doc->pages[i].width / IMPOSE_MM, doc->pages[i].height / IMPOSE_MM);
            return -1;
        }
    int slots = doc->npages < n ? n : (doc->npages + n - 1) / n * n;
    r->nsheets = slots / n;
    r->padded_pages = slots;
    r->sheets = pb_alloc((size_t)r->nsheets * sizeof *r->sheets);
    r->marks = dl_document_new();
    for (int i = 0; i < r->nsheets; i++) {
        dl_sheet *s = &r->sheets[i];
        s->width = sw;
        s->height = sh;
        set_boxes(s, 0, 0, sw, sh, 0);
        alloc_places(s, n);
        for (int c = 0; c < n; c++) {
            int k = i * n + c;
            place_cell(doc, &g, s, c, c, doc->npages < n ? k % doc->npages : k < doc->npages ? k : -1);
        }
        add_cut_marks(dl_add_page(r->marks, sw, sh), &g, sw, sh);
    }
    for (int i = 0; i < r->nsheets; i++)
        r->sheets[i].marks = &r->marks->pages[i];
    return 0;
}

/* Frame every page of a contact sheet and number it below. */
static void frame_pages(pb_ctx *ctx, dl_page *pg, const dl_sheet *s)
{
    style label = {.font_family = IMPOSE_SLUG_FONTS, .font_size = 0, .autospace = 1};
    for (int k = 0; k < s->nplace; k++) {
        const dl_placement *pl = &s->place[k];
        if (pl->page < 0)
            continue;
        dl_box *b = &dl_add_item(pg, DL_BOX)->u.box;
        *b = (dl_box){.x = pl->clip_x0, .y = pl->clip_y0, .w = pl->clip_x1 - pl->clip_x0,
                      .h = pl->clip_y1 - pl->clip_y0, .stroked = 1,
                      .stroke = {0.6f, 0.6f, 0.6f, 0}, .stroke_width = 1};
        char num[16];
        snprintf(num, sizeof num, "%d", pl->page + 1);
        label.font_size = label.line_height = (pl->clip_y1 - pl->clip_y0) / 25;
        label_add(ctx, pg, &label, num, pl->clip_x0, pl->clip_y1 + label.font_size * 1.2f,
                  (dl_color){0.4f, 0.4f, 0.4f, 0});
    }
}

/* Every page on as few sheets as PDF allows, spreads side by side, framed and numbered. */
static int impose_contact(pb_ctx *ctx, const dl_document *doc, impose_result *r)
{
    enum { SPREADS_PER_ROW = 4, MAX_ROWS = 6 };
    float pw = doc->pages[0].width, ph = doc->pages[0].height;
    for (int i = 1; i < doc->npages; i++) {
        pw = doc->pages[i].width > pw ? doc->pages[i].width : pw;
        ph = doc->pages[i].height > ph ? doc->pages[i].height : ph;
    }
    float gap = pw / 8;
    grid g = {2 * SPREADS_PER_ROW, MAX_ROWS, pw, ph, gap, gap, 0, gap};
    int slots = doc->npages + 1;            /* page 1 is a recto: the first left slot stays empty */
    int rows = (slots + g.cols - 1) / g.cols;
    r->nsheets = (rows + MAX_ROWS - 1) / MAX_ROWS;
    r->padded_pages = doc->npages;
    r->sheets = pb_alloc((size_t)r->nsheets * sizeof *r->sheets);
    r->marks = dl_document_new();
    for (int i = 0; i < r->nsheets; i++) {
        dl_sheet *s = &r->sheets[i];
        int first = i * g.cols * MAX_ROWS, n = slots - first < g.cols * MAX_ROWS ? slots - first
                                                                               : g.cols * MAX_ROWS;
        int srows = (n + g.cols - 1) / g.cols;
        s->width = 2 * gap + (float)SPREADS_PER_ROW * 2 * pw + (SPREADS_PER_ROW - 1) * gap;
        s->height = 2 * gap + (float)srows * (ph + gap);
        set_boxes(s, 0, 0, s->width, s->height, 0);
        alloc_places(s, n);
        for (int c = 0; c < n; c++) {
            int col = c % g.cols;
            grid cell = g;
            cell.x0 = gap + (float)(col / 2) * (2 * pw + gap) + (float)(col % 2) * pw - (float)col * pw;
            place_cell(doc, &cell, s, c, c, first + c - 1 < doc->npages ? first + c - 1 : -1);
        }
        frame_pages(ctx, dl_add_page(r->marks, s->width, s->height), s);
    }
    for (int i = 0; i < r->nsheets; i++)
        r->sheets[i].marks = &r->marks->pages[i];
    return 0;
}

/* Map the document's pages onto sheets. */
impose_result *impose_pages(pb_ctx *ctx, const dl_document *doc, const impose_options *opts)
{
    static const impose_options none = {.mode = IMPOSE_NONE};
    const impose_options *o = opts ? opts : &none;
    pb_pos pos = {o->output ? o->output : slug_name(o), 0, 0};
    if (doc->npages <= 0) {
        pb_error(ctx, pos, "cannot impose: the document has no pages");
        return NULL;
    }
    impose_result *r = pb_alloc(sizeof *r);
    r->logical_pages = doc->npages;
    int rc = 0;
    if (o->mode == IMPOSE_SADDLE)
        rc = impose_saddle(ctx, pos, doc, o, r);
    else if (o->mode == IMPOSE_NUP)
        rc = impose_nup(ctx, pos, doc, o, r);
    else if (o->mode == IMPOSE_CONTACT)
        rc = impose_contact(ctx, doc, r);
    else
        impose_one_up(doc, o, r);
    if (rc != 0) {
        impose_free(r);
        return NULL;
    }
    if (o->marks && !marks_fit(r)) {
        pb_warning(ctx, pos, "no room for printer's marks on a %.1f x %.1f mm sheet "
                   "(they need %.1f mm beyond the bleed); marks left out",
                   r->sheets[0].width / IMPOSE_MM, r->sheets[0].height / IMPOSE_MM,
                   IMPOSE_MARK_MARGIN / IMPOSE_MM);
    } else if (o->marks && build_marks(ctx, r, o) != 0) {
        impose_free(r);
        return NULL;
    }
    return r;
}

/* Free an imposition. */
void impose_free(impose_result *r)
{
    if (!r)
        return;
    dl_document_free(r->marks);
    for (int i = 0; i < r->nsheets; i++)
        free(r->sheets[i].place);
    free(r->sheets);
    free(r);
}
