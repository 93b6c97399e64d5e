/*
 * test_impose.c: imposition, checked on hand-built display lists.
 *
 * Saddle-stitch order for 1 to 13 pages against a simulated folded booklet
 * and against literal tables, the padding to a multiple of 4, the spread
 * geometry (pages touching at the fold, bleed on the outer edges only),
 * creep, impose_find_page, 1-up sheets with and without marks, marks
 * outside the BleedBox with the slug text, and the warnings and errors.
 */
#include "unit.h"
#include "helpers.h"

#include "ctx.h"
#include "dl.h"
#include "impose.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define A5_W 419.528f
#define A5_H 595.276f
#define MM (72.0f / 25.4f)
#define NEAR(a, b) (fabs((double)(a) - (double)(b)) < 0.01)

/* A document of n blank A5 pages with the given bleed. */
static dl_document *blank_doc(int n, float bleed)
{
    dl_document *doc = dl_document_new();
    for (int i = 0; i < n; i++)
        dl_add_page(doc, A5_W, A5_H)->bleed = bleed;
    return doc;
}

/* Saddle options on an A3 sheet (room for bleed and marks), no marks. */
static impose_options saddle_a3(float creep)
{
    impose_options o = {.mode = IMPOSE_SADDLE, .sheet_width = 420 * MM, .sheet_height = 297 * MM, .creep = creep, .slug_name = "t.pdf"};
    return o;
}

/*
 * The page (0-based, -1 for a blank) that folding puts at sheet `side`
 * (2 * paper + back), half `right`, derived from the folded booklet rather
 * than from the formula: paper k's right half is leaf k, its left half leaf
 * N/2 - 1 - k; leaf j carries pages 2j (recto) and 2j+1 (verso).  A right
 * half shows its recto on the front and, the sheet being turned over its
 * short edge, its verso on the left of the back; a left half shows its
 * verso on the outside (front left) and its recto on the back's right.
 */
static int folded_page(int n, int padded, int side, int right)
{
    int k = side / 2, back = side % 2;
    int outer_right = right != back;    /* which half of the paper, seen from the front */
    int leaf = outer_right ? k : padded / 2 - 1 - k;
    int recto = outer_right ? !back : back;
    int p = 2 * leaf + (recto ? 0 : 1);
    return p < n ? p : -1;
}

/* Order for n pages: padding, front/back pairs, every page once. */
static void check_order(int n)
{
    capture c;
    pb_ctx *ctx = capture_start(&c);
    dl_document *doc = blank_doc(n, 3 * MM);
    impose_options o = saddle_a3(0);
    impose_result *r = impose_pages(ctx, doc, &o);
    int padded = (n + 3) / 4 * 4;
    CHECK(r != NULL, "n=%d: impose failed: %s", n, capture_text(&c));
    if (r) {
        CHECK(r->padded_pages == padded && r->nsheets == padded / 2 && r->logical_pages == n,
              "n=%d: padded %d, %d sheets", n, r->padded_pages, r->nsheets);
        CHECK(r->sheets[0].place[0].page == (padded - 1 < n ? padded - 1 : -1) &&
              r->sheets[0].place[1].page == 0, "n=%d: first front is %d | %d", n,
              r->sheets[0].place[0].page, r->sheets[0].place[1].page);
        int *seen = calloc((size_t)n + 1, sizeof *seen), blanks = 0;
        for (int s = 0; s < r->nsheets; s++)
            for (int h = 0; h < 2; h++) {
                int p = r->sheets[s].place[h].page;
                CHECK(p == folded_page(n, padded, s, h), "n=%d sheet %d half %d: page %d, "
                      "folding wants %d", n, s, h, p, folded_page(n, padded, s, h));
                if (p >= 0 && p < n)
                    seen[p]++;
                blanks += p < 0;
            }
        for (int p = 0; p < n; p++)
            CHECK(seen[p] == 1, "n=%d: page %d placed %d times", n, p + 1, seen[p]);
        CHECK(blanks == padded - n, "n=%d: %d blanks, want %d", n, blanks, padded - n);
        free(seen);
    }
    CHECK(c.ctx->errors == 0 && c.ctx->warnings == 0, "n=%d: diagnostics: %s", n,
          capture_text(&c));
    impose_free(r);
    dl_document_free(doc);
    capture_end(&c);
}

/* The literal booklet of 8 pages, and of 5 (3 blanks at the end). */
static void test_order_tables(void)
{
    static const int eight[8] = {8, 1, 2, 7, 6, 3, 4, 5};
    static const int five[8] = {0, 1, 2, 0, 0, 3, 4, 5};     /* 0: blank */
    const int *want[2] = {eight, five};
    const int pages[2] = {8, 5};
    for (int t = 0; t < 2; t++) {
        dl_document *doc = blank_doc(pages[t], 0);
        impose_options o = saddle_a3(0);
        pb_ctx *ctx = pb_ctx_new(stderr);
        impose_result *r = impose_pages(ctx, doc, &o);
        CHECK(r && r->nsheets == 4, "%d pages: no 4 sheets", pages[t]);
        for (int i = 0; r && i < 8; i++) {
            int got = r->sheets[i / 2].place[i % 2].page + 1;
            CHECK(got == want[t][i], "%d pages: sheet %d half %d is page %d, want %d",
                  pages[t], i / 2, i % 2, got, want[t][i]);
        }
        impose_free(r);
        pb_ctx_free(ctx);
        dl_document_free(doc);
    }
}

/* Pages touch at the fold, centred; bleed only on the outer edges. */
static void test_spread_geometry(void)
{
    float b = 3 * MM, sw = 420 * MM, sh = 297 * MM;
    dl_document *doc = blank_doc(4, b);
    impose_options o = saddle_a3(0);
    pb_ctx *ctx = pb_ctx_new(stderr);
    impose_result *r = impose_pages(ctx, doc, &o);
    CHECK(r != NULL, "impose failed");
    if (r) {
        const dl_sheet *s = &r->sheets[0];
        const dl_placement *l = &s->place[0], *rt = &s->place[1];
        float x0 = (sw - 2 * A5_W) / 2, y0 = (sh - A5_H) / 2, fold = x0 + A5_W;
        CHECK(NEAR(s->width, sw) && NEAR(s->height, sh), "sheet %g x %g", s->width, s->height);
        CHECK(NEAR(s->trim_x0, x0) && NEAR(s->trim_x1, x0 + 2 * A5_W) && NEAR(s->trim_y0, y0) &&
              NEAR(s->trim_y1, y0 + A5_H), "trim %g %g %g %g", s->trim_x0, s->trim_y0,
              s->trim_x1, s->trim_y1);
        CHECK(NEAR(s->bleed_x0, x0 - b) && NEAR(s->bleed_y1, y0 + A5_H + b), "bleed box");
        CHECK(NEAR(l->x, x0) && NEAR(rt->x, fold) && NEAR(l->y, y0) && NEAR(rt->y, y0),
              "pages at %g and %g, want %g and %g", l->x, rt->x, x0, fold);
        CHECK(NEAR(l->clip_x1, fold) && NEAR(rt->clip_x0, fold), "no bleed at the fold: "
              "left clip ends %g, right starts %g, fold %g", l->clip_x1, rt->clip_x0, fold);
        CHECK(NEAR(l->clip_x0, x0 - b) && NEAR(rt->clip_x1, fold + A5_W + b) &&
              NEAR(l->clip_y0, y0 - b) && NEAR(rt->clip_y1, y0 + A5_H + b), "outer bleed");
    }
    impose_free(r);
    pb_ctx_free(ctx);
    dl_document_free(doc);
}

/* Paper k moves k * creep toward the fold, front and back alike. */
static void test_creep(void)
{
    float c = 0.5f * MM, sw = 420 * MM;
    dl_document *doc = blank_doc(12, 0);
    impose_options o = saddle_a3(c);
    pb_ctx *ctx = pb_ctx_new(stderr);
    impose_result *r = impose_pages(ctx, doc, &o);
    CHECK(r && r->nsheets == 6, "12 pages: 6 sheets");
    float x0 = (sw - 2 * A5_W) / 2, fold = x0 + A5_W;
    for (int i = 0; r && i < r->nsheets; i++) {
        const dl_sheet *s = &r->sheets[i];
        float shift = (float)(i / 2) * c;
        CHECK(s->paper == i / 2 && s->back == i % 2, "sheet %d is paper %d back %d", i,
              s->paper, s->back);
        CHECK(NEAR(s->place[0].x, x0 + shift) && NEAR(s->place[1].x, fold - shift),
              "sheet %d: pages at %g, %g; want %g, %g", i, s->place[0].x, s->place[1].x,
              x0 + shift, fold - shift);
        CHECK(NEAR(s->place[0].clip_x1, fold) && NEAR(s->place[1].clip_x0, fold),
              "sheet %d: clip not at the fold", i);
        CHECK(NEAR(s->trim_x0, x0), "sheet %d: trim moved with creep", i);
    }
    impose_free(r);
    pb_ctx_free(ctx);
    dl_document_free(doc);
}

/* impose_find_page finds every page where it was placed, and nothing else. */
static void test_find_page(void)
{
    dl_document *doc = blank_doc(7, 0);
    impose_options o = saddle_a3(0);
    pb_ctx *ctx = pb_ctx_new(stderr);
    impose_result *r = impose_pages(ctx, doc, &o);
    for (int p = 0; r && p < 7; p++) {
        int k = -1, s = dl_find_sheet(r->sheets, r->nsheets, p, &k);
        CHECK(s >= 0 && k >= 0 && k < 2 && r->sheets[s].place[k].page == p,
              "page %d: sheet %d placement %d", p, s, k);
    }
    CHECK(r && dl_find_sheet(r->sheets, r->nsheets, 7, NULL) == -1 && dl_find_sheet(r->sheets, r->nsheets, -1, NULL) == -1,
          "pages outside the document were found");
    impose_options one = {.mode = IMPOSE_NONE};
    impose_result *r1 = impose_pages(ctx, doc, &one);
    CHECK(r1 && dl_find_sheet(r1->sheets, r1->nsheets, 5, NULL) == 5, "1-up: page 5 not on sheet 5");
    impose_free(r1);
    impose_free(r);
    pb_ctx_free(ctx);
    dl_document_free(doc);
}

/* 1-up: the sheet is the page and its bleed, plus the marks margin with marks. */
static void test_one_up(void)
{
    float b = 3 * MM;
    dl_document *doc = blank_doc(2, b);
    pb_ctx *ctx = pb_ctx_new(stderr);
    for (int marks = 0; marks < 2; marks++) {
        impose_options o = {.mode = IMPOSE_NONE, .marks = marks, .slug_name = "one.pdf"};
        impose_result *r = impose_pages(ctx, doc, &o);
        float off = b + (marks ? IMPOSE_MARK_MARGIN : 0);
        CHECK(r && r->nsheets == 2 && r->padded_pages == 2, "1-up: %d sheets", r ? r->nsheets : -1);
        const dl_sheet *s = r ? &r->sheets[1] : NULL;
        CHECK(s && NEAR(s->width, A5_W + 2 * off) && NEAR(s->height, A5_H + 2 * off),
              "marks %d: sheet %g x %g", marks, s ? s->width : 0, s ? s->height : 0);
        CHECK(s && NEAR(s->trim_x0, off) && NEAR(s->trim_y1, off + A5_H) &&
              NEAR(s->bleed_x0, off - b) && NEAR(s->bleed_y1, off + A5_H + b),
              "marks %d: boxes", marks);
        CHECK(s && s->nplace == 1 && s->place[0].page == 1 && NEAR(s->place[0].x, off) &&
              NEAR(s->place[0].clip_x0, off - b) && NEAR(s->place[0].clip_y1, off + A5_H + b),
              "marks %d: placement", marks);
        CHECK(s && (s->marks != NULL) == marks, "marks %d: marks page %p", marks,
              (void *)(s ? s->marks : NULL));
        impose_free(r);
    }
    pb_ctx_free(ctx);
    dl_document_free(doc);
}

/* The text of a glyph run as UTF-8 (code points below U+0800 only). */
static void run_text(const dl_glyph_run *run, char *out, size_t size)
{
    size_t k = 0;
    for (int i = 0; i < run->text_n && k + 3 < size; i++) {
        uint32_t cp = run->text[i];
        if (cp < 0x80) {
            out[k++] = (char)cp;
        } else {
            out[k++] = (char)(0xC0 | cp >> 6);
            out[k++] = (char)(0x80 | (cp & 0x3F));
        }
    }
    out[k] = '\0';
}

/* 1 when the rectangle (grown by pad) overlaps the sheet's BleedBox. */
static int touches_bleed(const dl_sheet *s, float x0, float y0, float x1, float y1, float pad)
{
    return x1 + pad > s->bleed_x0 && x0 - pad < s->bleed_x1 &&
           y1 + pad > s->bleed_y0 && y0 - pad < s->bleed_y1;
}

/* Check the marks page of sheet s: rules and slug outside the BleedBox; the slug says want. */
static void check_marks(const dl_sheet *s, int want_rules, const char *want)
{
    int rules = 0, runs = 0;
    for (int i = 0; s->marks && i < s->marks->n; i++) {
        const dl_item *it = &s->marks->items[i];
        if (it->kind == DL_RULE) {
            const dl_rule *r = &it->u.rule;
            rules++;
            CHECK(!touches_bleed(s, fminf(r->x1, r->x2), fminf(r->y1, r->y2), fmaxf(r->x1, r->x2),
                                 fmaxf(r->y1, r->y2), r->width / 2 + 1),
                  "mark %d (%g,%g)-(%g,%g) touches the bleed box", i, r->x1, r->y1, r->x2, r->y2);
            CHECK(NEAR(r->width, 0.25f), "mark width %g", r->width);
        } else if (it->kind == DL_GLYPHS) {
            const dl_glyph_run *g = &it->u.glyphs;
            char text[256];
            runs++;
            run_text(g, text, sizeof text);
            CHECK(strcmp(text, want) == 0, "slug '%s', want '%s'", text, want);
            CHECK(g->n > 0 && g->glyphs[0].y - g->size > s->bleed_y1 &&
                  g->glyphs[g->n - 1].x < s->trim_x1, "slug at %g, bleed ends %g",
                  g->n ? g->glyphs[0].y : 0, s->bleed_y1);
        }
    }
    CHECK(rules == want_rules && runs == 1, "%d rules (want %d), %d slug runs", rules,
          want_rules, runs);
}

/* Crop and fold marks outside the bleed; the slug names the file and pages. */
static void test_marks(void)
{
    dl_document *doc = blank_doc(5, 3 * MM);
    impose_options o = saddle_a3(0);
    o.marks = 1;
    pb_ctx *ctx = pb_ctx_new(stderr);
    impose_result *r = impose_pages(ctx, doc, &o);
    CHECK(r && r->sheets[0].marks && r->sheets[3].marks, "saddle: no marks pages");
    if (r && r->sheets[0].marks) {
        check_marks(&r->sheets[0], 10, "t.pdf \xc2\xb7 sheet 1 front \xc2\xb7 pages blank | 1");
        check_marks(&r->sheets[3], 10, "t.pdf \xc2\xb7 sheet 2 back \xc2\xb7 pages 4 | 5");
    }
    impose_free(r);
    impose_options one = {.mode = IMPOSE_NONE, .marks = 1, .slug_name = "one.pdf"};
    r = impose_pages(ctx, doc, &one);
    if (r && r->sheets[2].marks)
        check_marks(&r->sheets[2], 8, "one.pdf \xc2\xb7 page 3 of 5");
    CHECK(r && r->sheets[2].marks, "1-up: no marks page");
    impose_free(r);
    pb_ctx_free(ctx);
    dl_document_free(doc);
}

/* A4 (the default) is too small for bleed and marks: warnings, bleed cut, no marks. */
static void test_small_sheet(void)
{
    capture c;
    pb_ctx *ctx = capture_start(&c);
    dl_document *doc = blank_doc(4, 3 * MM);
    impose_options o = {.mode = IMPOSE_SADDLE, .marks = 1, .slug_name = "a4.pdf"};
    impose_result *r = impose_pages(ctx, doc, &o);
    const char *msg = capture_text(&c);
    CHECK(r != NULL, "A4 saddle failed: %s", msg);
    CHECK(c.ctx->warnings == 2 && strstr(msg, "a4.pdf: warning: the 297.0 x 210.0 mm sheet "
          "has no room for the 3.0 mm bleed") && strstr(msg, "marks left out"),
          "warnings: %s", msg);
    if (r) {
        const dl_sheet *s = &r->sheets[0];
        CHECK(NEAR(s->width, 297 * MM) && NEAR(s->height, 210 * MM), "default sheet is not A4 "
              "landscape: %g x %g", s->width, s->height);
        CHECK(s->bleed_x0 >= 0 && s->bleed_y0 >= 0 && NEAR(s->bleed_y1, s->height) &&
              s->marks == NULL, "bleed not cut at the sheet edge, or marks drawn");
    }
    impose_free(r);
    dl_document_free(doc);
    capture_end(&c);
}

/* Errors: no pages, mixed page sizes, a spread larger than the sheet. */
static void test_errors(void)
{
    capture c;
    pb_ctx *ctx = capture_start(&c);
    dl_document *doc = blank_doc(0, 0);
    impose_options o = saddle_a3(0);
    CHECK(impose_pages(ctx, doc, &o) == NULL && strstr(capture_text(&c), "no pages"),
          "empty document: %s", capture_text(&c));
    dl_add_page(doc, A5_W, A5_H);
    dl_add_page(doc, A5_W, A5_H + 10);
    CHECK(impose_pages(ctx, doc, &o) == NULL && strstr(capture_text(&c), "page 2 is 148.0 x "
          "213.5 mm"), "mixed sizes: %s", capture_text(&c));
    dl_document_free(doc);
    doc = blank_doc(2, 0);
    o.sheet_width = 200 * MM;
    CHECK(impose_pages(ctx, doc, &o) == NULL && strstr(capture_text(&c), "does not fit on a "
          "200.0 x 297.0 mm sheet"), "spread too wide: %s", capture_text(&c));
    CHECK(c.ctx->errors == 3, "%d errors", c.ctx->errors);
    dl_document_free(doc);
    capture_end(&c);
}

int main(void)
{
    for (int n = 1; n <= 13; n++)
        check_order(n);
    test_order_tables();
    test_spread_geometry();
    test_creep();
    test_find_page();
    test_one_up();
    test_marks();
    test_small_sheet();
    test_errors();
    return unit_done("test_impose");
}
