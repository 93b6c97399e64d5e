/*
 * test_layout.c: layout_document, checked on the display list it returns.
 *
 * Every document is written to a temporary file, validated against
 * xml/paiban.rng, styled with SHEET below and laid out; the checks read
 * the pages, glyph runs, boxes and outline directly.
 *
 * The sheet makes the arithmetic easy: a 300 × 400 pt page whose text area
 * is 230 × 330 pt (inner margin 20, outer 50, so rectos and versos differ),
 * body text 10pt on 15pt leading in Noto Serif CJK SC (every Han character
 * is 1 em wide): 23 characters a line, 22 lines a page.  Each kind of text
 * has its own size, so a glyph run says what it is by its size alone.
 * Documents are pure Han text, so one glyph stands for one character.
 *
 * Many paragraphs are "ledger" paragraphs: line i of paragraph p is 23
 * copies of the character LEDGER_CP(p, i), so a glyph run on a page says
 * which paragraph and which of its lines it is.
 */
#include "compose.h"
#include "helpers.h"
#include "layout.h"
#include "unit.h"

#include <math.h>
#include <string.h>
#include <sys/wait.h>

#define SCHEMA "xml/paiban.rng"

/* The page master of SHEET, in points. */
#define PAGE_W 300.0f
#define PAGE_H 400.0f
#define M_TOP 30.0f
#define M_BOTTOM 40.0f
#define M_INNER 20.0f
#define M_OUTER 50.0f
#define FOLIO_OFFSET 15.0f
#define AREA_W (PAGE_W - M_INNER - M_OUTER)
#define AREA_H (PAGE_H - M_TOP - M_BOTTOM)

#define BODY_SIZE 10.0f
#define BODY_LEADING 15.0f
#define LINE_CHARS 23               /* AREA_W / BODY_SIZE */
#define PAGE_LINES 22               /* AREA_H / BODY_LEADING */
#define HEADING_SIZE 14.0f
#define HEADING_LEADING 20.0f
#define CALLOUT_SIZE 9.0f
#define CALLOUT_LEADING 13.0f
#define CALLOUT_INSET 7.0f          /* border 1pt + padding 6pt */
#define CALLOUT_CHARS 24            /* (AREA_W - 2 × CALLOUT_INSET) / CALLOUT_SIZE */
#define BADGE_SIZE 7.0f
#define BADGE_PAD_L 4.0f
#define BADGE_PAD_R 3.0f
#define FOLIO_SIZE 8.0f
#define DECK_SIZE 11.0f
#define ASCENDER 0.88f              /* Noto CJK OS/2 typo ascender, em */

static const char SHEET[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<stylesheet>\n"
    "  <page width=\"300pt\" height=\"400pt\" margin-top=\"30pt\" margin-bottom=\"40pt\"\n"
    "        margin-inner=\"20pt\" margin-outer=\"50pt\" folio-offset=\"15pt\"/>\n"
    "  <style name=\"document\" font-family=\"Noto Serif CJK SC\" font-size=\"10pt\"\n"
    "         line-height=\"15pt\" text-align=\"justify\"/>\n"
    "  <style name=\"indented\" text-indent=\"2em\"/>\n"
    "  <style name=\"after10\" space-after=\"10pt\"/>\n"
    "  <style name=\"after20\" space-after=\"20pt\"/>\n"
    "  <style name=\"before10\" space-before=\"10pt\"/>\n"
    "  <style name=\"before20\" space-before=\"20pt\"/>\n"
    "  <style name=\"em\" font-size=\"15pt\"/>\n"
    "  <style name=\"section\" outline-level=\"1\"/>\n"
    "  <style name=\"sec5\" parent=\"section\" space-before=\"5pt\"/>\n"
    "  <style name=\"sec10\" parent=\"section\" space-before=\"10pt\"/>\n"
    "  <style name=\"heading\" font-size=\"14pt\" line-height=\"20pt\" space-after=\"5pt\"\n"
    "         keep-with-next=\"yes\"/>\n"
    "  <style name=\"callout\" font-size=\"9pt\" line-height=\"13pt\" background=\"#eeeeee\"\n"
    "         border-width=\"1pt\" border-color=\"#888888\" padding=\"6pt\" space-before=\"4pt\"\n"
    "         space-after=\"4pt\" keep-together=\"yes\" outline-level=\"2\"/>\n"
    "  <style name=\"callout.title\" font-weight=\"bold\"/>\n"
    "  <style name=\"callout.badge\" font-size=\"7pt\" line-height=\"10pt\" background=\"#aa0000\"\n"
    "         shrink-wrap=\"yes\" padding-left=\"4pt\" padding-right=\"3pt\" text-align=\"left\"\n"
    "         label=\"趋势 {n}\" space-after=\"3pt\" keep-with-next=\"yes\"/>\n"
    "  <style name=\"titleblock\" keep-with-next=\"yes\"/>\n"
    "  <style name=\"headline\" font-size=\"12pt\" line-height=\"15pt\"/>\n"
    "  <style name=\"deck\" font-size=\"11pt\" line-height=\"15pt\" space-after=\"6pt\"/>\n"
    "  <style name=\"folio\" font-size=\"8pt\" text-align=\"center\"/>\n"
    "</stylesheet>\n";

#define EPS 0.01f
#define LEDGER_CP(par, line) ((uint32_t)(0x4E00 + (par) * 32 + (line)))

static capture diag;            /* one context for the whole program */
static composer *comp;

static int near(float a, float b)
{
    return fabsf(a - b) < EPS;
}

/* ---- writing documents ------------------------------------------------------ */

static void doc_begin(strbuf *b)
{
    strbuf_printf(b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                     "<document xml:lang=\"zh-Hans\">\n"
                     "<meta><title>T</title><publisher>P</publisher><year>2024</year></meta>\n"
                     "<body>\n");
}

static void doc_end(strbuf *b)
{
    strbuf_printf(b, "</body>\n</document>\n");
}

/* A paragraph (style may be NULL) of n copies of cp. */
static void add_par(strbuf *b, const char *style, uint32_t cp, int n)
{
    strbuf_printf(b, style ? "<p style=\"%s\">" : "<p>", style);
    strbuf_repeat_cp(b, cp, n);
    strbuf_printf(b, "</p>\n");
}

/* Ledger paragraph par of nlines full lines (chars a line: per_line). */
static void add_ledger(strbuf *b, int par, int nlines, int per_line)
{
    strbuf_printf(b, "<p>");
    for (int i = 0; i < nlines; i++)
        strbuf_repeat_cp(b, LEDGER_CP(par, i), per_line);
    strbuf_printf(b, "</p>\n");
}

/* n one-line ledger paragraphs of 10 characters, numbered from *par. */
static void add_fillers(strbuf *b, int *par, int n)
{
    for (int i = 0; i < n; i++)
        add_par(b, NULL, LEDGER_CP((*par)++, 0), 10);
}

/* A callout (number 0: none) titled title with a paragraph of n × cp. */
static void add_callout(strbuf *b, int number, const char *title, uint32_t cp, int n)
{
    if (number)
        strbuf_printf(b, "<callout number=\"%d\">", number);
    else
        strbuf_printf(b, "<callout>");
    strbuf_printf(b, "<title>%s</title>", title);
    add_par(b, NULL, cp, n);
    strbuf_printf(b, "</callout>\n");
}

/* ---- reading the display list ----------------------------------------------- */

/* The left edge of the text area of page index i (0-based; even = recto). */
static float page_left(int i)
{
    return i % 2 == 0 ? M_INNER : M_OUTER;
}

static float glyph_width(const dl_glyph_run *r, const dl_glyph *g)
{
    return (float)font_glyph_advance(r->font, g->gid) * r->size / (float)r->font->upem;
}

static int run_is(const dl_glyph_run *r, float size)
{
    return near(r->size, size);
}

static int is_folio(const dl_glyph_run *r)
{
    return r->n > 0 && near(r->glyphs[0].y, PAGE_H - FOLIO_OFFSET);
}

/* The glyph run of item i, or NULL when it is something else. */
static const dl_glyph_run *run_at(const dl_page *pg, int i)
{
    return pg->items[i].kind == DL_GLYPHS ? &pg->items[i].u.glyphs : NULL;
}

/* The first (dir 1) or last (dir -1) glyph run of a page that is not the folio. */
static const dl_glyph_run *end_text_run(const dl_page *pg, int dir)
{
    for (int k = 0; k < pg->n; k++) {
        const dl_glyph_run *r = run_at(pg, dir > 0 ? k : pg->n - 1 - k);
        if (r && !is_folio(r))
            return r;
    }
    return NULL;
}

static int is_callout_box(const dl_box *b)
{
    return b->filled && fabsf(b->fill.r - 0xee / 255.0f) < 0.002f;
}

static int is_badge_box(const dl_box *b)
{
    return b->filled && fabsf(b->fill.r - 0xaa / 255.0f) < 0.002f && b->fill.g < 0.002f;
}

/* Glyphs of runs of the given size (0: every run but the folio) in the document. */
static int count_glyphs(const dl_document *d, float size)
{
    int n = 0;
    for (int p = 0; p < d->npages; p++)
        for (int i = 0; i < d->pages[p].n; i++) {
            const dl_glyph_run *r = run_at(&d->pages[p], i);
            if (r && !is_folio(r) && (size == 0 || run_is(r, size)))
                n += r->n;
        }
    return n;
}

/* The ledger paragraph and line a run shows. */
static void ledger_of(const dl_glyph_run *r, int *par, int *line)
{
    int off = r->text_n ? (int)r->text[0] - 0x4E00 : -32;
    *par = off < 0 ? -1 : off / 32;
    *line = off < 0 ? -1 : off % 32;
}

/* ---- page invariants, checked on every layout ------------------------------- */

/* The folio: one run centred below the text area showing the page number. */
static void check_folio(const dl_page *pg, int index)
{
    int folios = 0, last_item_is_folio = 0;
    for (int i = 0; i < pg->n; i++) {
        const dl_glyph_run *r = run_at(pg, i);
        if (!r || !is_folio(r))
            continue;
        folios++;
        last_item_is_folio = i == pg->n - 1;
        char want[16], got[16] = "";
        snprintf(want, sizeof want, "%d", index + 1);
        for (int k = 0; k < r->text_n && k < 15; k++)
            got[k] = (char)r->text[k], got[k + 1] = '\0';
        CHECK(strcmp(got, want) == 0, "page %d: folio shows '%s'", index + 1, got);
        CHECK(run_is(r, FOLIO_SIZE), "page %d: folio at %gpt", index + 1, r->size);
        const dl_glyph *last = &r->glyphs[r->n - 1];
        float mid = (r->glyphs[0].x + last->x + glyph_width(r, last)) / 2;
        CHECK(fabsf(mid - (page_left(index) + AREA_W / 2)) < 0.05f,
              "page %d: folio centred at %g, text area centre %g", index + 1, mid,
              page_left(index) + AREA_W / 2);
    }
    CHECK(folios == 1, "page %d has %d folios", index + 1, folios);
    CHECK(last_item_is_folio, "page %d: the folio is not drawn last", index + 1);
}

/* The first glyph of r (from k) whose em box and advance leave x0..x1 × y0..y1; -1 none. */
static int glyph_outside(const dl_glyph_run *r, float x0, float x1, float y0, float y1)
{
    for (int k = 0; k < r->n; k++) {
        const dl_glyph *g = &r->glyphs[k];
        float top = g->y - ASCENDER * r->size;
        if (g->x < x0 - EPS || g->x + glyph_width(r, g) > x1 + EPS || top < y0 - EPS ||
            top + r->size > y1 + EPS)
            return k;
    }
    return -1;
}

/* Every glyph of a text run (not the folio) inside the text area. */
static void check_run_in_area(const dl_glyph_run *r, int index)
{
    float left = page_left(index);
    int k = glyph_outside(r, left, left + AREA_W, M_TOP, PAGE_H - M_BOTTOM);
    CHECK(k < 0, "page %d: a %gpt glyph at %g,%g is outside the text area %g..%g × %g..%g",
          index + 1, r->size, r->glyphs[k].x, r->glyphs[k].y, left, left + AREA_W, M_TOP,
          PAGE_H - M_BOTTOM);
}

static void check_box_in_area(const dl_box *b, int index)
{
    float left = page_left(index);
    CHECK(b->x >= left - EPS && b->x + b->w <= left + AREA_W + EPS && b->y >= M_TOP - EPS &&
              b->y + b->h <= PAGE_H - M_BOTTOM + EPS && b->w > 0 && b->h > 0,
          "page %d: box %g,%g %g×%g outside the text area", index + 1, b->x, b->y, b->w, b->h);
}

static void check_page(const dl_page *pg, int index)
{
    CHECK(pg->width == PAGE_W && pg->height == PAGE_H, "page %d is %g × %g", index + 1, pg->width,
          pg->height);
    check_folio(pg, index);
    for (int i = 0; i < pg->n; i++) {
        const dl_glyph_run *r = run_at(pg, i);
        if (r && !is_folio(r))
            check_run_in_area(r, index);
        else if (pg->items[i].kind == DL_BOX)
            check_box_in_area(&pg->items[i].u.box, index);
    }
}

/* ---- laying out ------------------------------------------------------------- */

typedef void (*layout_check)(const dl_document *d, int arg);

/* Lay out t, check the page invariants and then check(d, arg). */
static void check_layout(const st_tree *t, layout_check check, int arg)
{
    int before = diag.ctx->errors;
    dl_document *d = layout_document(diag.ctx, comp, t);
    CHECK(d && diag.ctx->errors == before, "layout failed: %s", capture_text(&diag));
    for (int p = 0; d && p < d->npages; p++)
        check_page(&d->pages[p], p);
    if (d)
        check(d, arg);
    dl_document_free(d);
}

/* Finish the document in b and style it with SHEET into s; frees b; the tree or NULL. */
static const st_tree *style_doc(styled *s, strbuf *b)
{
    doc_end(b);
    const st_tree *t = styled_load(s, diag.ctx, SHEET, strbuf_text(b), SCHEMA);
    CHECK(t != NULL, "cannot style the document: %s", capture_text(&diag));
    strbuf_free(b);
    return t;
}

/* Finish, style and lay out the document in b, then run the checks; frees b. */
static void with_layout(strbuf *b, layout_check check, int arg)
{
    styled s;
    const st_tree *t = style_doc(&s, b);
    if (t)
        check_layout(t, check, arg);
    styled_free(&s);
}

/* ---- page geometry ---------------------------------------------------------- */

static void check_recto_verso(const dl_document *d, int arg)
{
    (void)arg;
    CHECK(d->npages == 3, "%d full-line pages laid out as %d pages", 2 * PAGE_LINES + 1, d->npages);
    for (int p = 0; p < d->npages; p++) {
        float min_x = 1e9f;
        for (int i = 0; i < d->pages[p].n; i++) {
            const dl_glyph_run *r = run_at(&d->pages[p], i);
            if (r && !is_folio(r) && r->n)
                min_x = fminf(min_x, r->glyphs[0].x);
        }
        CHECK(near(min_x, page_left(p)), "page %d: lines start at x %g, expected %g", p + 1, min_x,
              page_left(p));
    }
}

/* Three pages of full lines: the text starts at the inner margin on rectos only. */
static void test_recto_verso_margins(void)
{
    strbuf b = {0};
    doc_begin(&b);
    add_ledger(&b, 0, 2 * PAGE_LINES + 1, LINE_CHARS);
    with_layout(&b, check_recto_verso, 0);
}

/* ---- lines of a paragraph ----------------------------------------------------- */

/* Line number line (0-based) of the indented paragraph on page; prev: baseline above. */
static void check_indented_line(const dl_glyph_run *r, int page, int line, float prev)
{
    float left = page_left(page), x = r->glyphs[0].x, y = r->glyphs[0].y;
    float first_baseline = M_TOP + (BODY_LEADING - BODY_SIZE) / 2 + ASCENDER * BODY_SIZE;
    if (line == 0) {
        CHECK(near(x, left + 2 * BODY_SIZE), "page %d: first line at x %g, indent 2em from %g",
              page + 1, x, left);
        CHECK(near(y, first_baseline), "page %d: first baseline %g, expected %g", page + 1, y,
              first_baseline);
    } else {
        CHECK(near(x, left), "page %d: line %d at x %g, expected %g", page + 1, line + 1, x, left);
        CHECK(near(y - prev, BODY_LEADING), "page %d: line %d is %g below the previous", page + 1,
              line + 1, y - prev);
    }
    int level = 1;
    for (int k = 1; k < r->n; k++)
        level &= r->glyphs[k].y == y;
    CHECK(level, "page %d: line %d is not level", page + 1, line + 1);
}

static void check_lines(const dl_document *d, int page)
{
    CHECK(d->npages == page + 1, "%d pages, expected %d", d->npages, page + 1);
    if (d->npages != page + 1)
        return;
    const dl_page *pg = &d->pages[page];
    int line = 0;
    float prev = 0;
    for (int i = 0; i < pg->n; i++) {
        const dl_glyph_run *r = run_at(pg, i);
        int par, ln;
        if (!r || is_folio(r))
            continue;
        ledger_of(r, &par, &ln);
        if (par != 1)
            continue; /* the paragraph that fills page 1 */
        check_indented_line(r, page, line++, prev);
        prev = r->glyphs[0].y;
    }
    CHECK(line == 5, "page %d: %d lines of the indented paragraph, expected 5", page + 1, line);
}

/*
 * An indented paragraph of 5 lines at the top of a recto and of a verso:
 * first line indented 2em, baselines one leading apart, the first line's
 * em box centred in its line box at the top of the text area.
 */
static void test_line_spacing_and_indent(void)
{
    for (int page = 0; page < 2; page++) {
        strbuf b = {0};
        doc_begin(&b);
        if (page)
            add_ledger(&b, 0, PAGE_LINES, LINE_CHARS); /* exactly fills page 1 */
        strbuf_printf(&b, "<p style=\"indented\">");
        strbuf_repeat_cp(&b, LEDGER_CP(1, 0), LINE_CHARS - 2);
        for (int i = 1; i < 5; i++)
            strbuf_repeat_cp(&b, LEDGER_CP(1, i), LINE_CHARS);
        strbuf_printf(&b, "</p>\n");
        with_layout(&b, check_lines, page);
    }
}

/* ---- spaces collapse ----------------------------------------------------------- */

static void check_gap(const dl_document *d, int gap)
{
    const dl_page *pg = &d->pages[0];
    const dl_glyph_run *a = end_text_run(pg, 1), *z = end_text_run(pg, -1);
    CHECK(a && z && a != z, "expected two paragraphs on page 1");
    if (a && z && a != z)
        CHECK(near(z->glyphs[0].y - a->glyphs[0].y, BODY_LEADING + (float)gap),
              "baselines %g apart, expected leading %g + the larger space %d",
              z->glyphs[0].y - a->glyphs[0].y, BODY_LEADING, gap);
}

/* space-after then space-before: the larger one alone, whichever comes first. */
static void test_spaces_collapse(void)
{
    static const char *const pairs[][2] = {{"after10", "before20"}, {"after20", "before10"}};
    for (int i = 0; i < 2; i++) {
        strbuf b = {0};
        doc_begin(&b);
        add_par(&b, pairs[i][0], 0x7532, 5);
        add_par(&b, pairs[i][1], 0x4E59, 5);
        with_layout(&b, check_gap, 20);
    }
}

/* ---- headings keep with the next block ---------------------------------------- */

/* No page ends with a run of the given size; n such runs in all. */
static void check_not_last_on_page(const dl_document *d, float size, int n, const char *what)
{
    for (int p = 0; p < d->npages; p++) {
        const dl_glyph_run *r = end_text_run(&d->pages[p], -1);
        CHECK(r && !run_is(r, size), "page %d of %d ends with the %s", p + 1, d->npages, what);
    }
    int runs = 0;
    for (int p = 0; p < d->npages; p++)
        for (int i = 0; i < d->pages[p].n; i++)
            runs += run_at(&d->pages[p], i) && run_is(run_at(&d->pages[p], i), size);
    CHECK(runs == n, "%d runs of the %s, expected %d", runs, what, n);
}

static void check_heading_kept(const dl_document *d, int exact)
{
    check_not_last_on_page(d, HEADING_SIZE, 1, "heading");
    if (!exact)
        return;
    /* the variant where the heading's line box ends exactly at the foot of page 1 */
    const dl_glyph_run *h = d->npages > 1 ? end_text_run(&d->pages[1], 1) : NULL;
    CHECK(h && run_is(h, HEADING_SIZE), "the heading that fits exactly at the foot of page 1 "
                                        "did not move to the top of page 2");
}

/*
 * A section (space-before 0, 5 or 10pt) after k one-line paragraphs, its
 * heading followed by a paragraph of 1, 2 or 4 lines.  With k = 20 and
 * 10pt, the heading's line box ends exactly at the foot of page 1
 * (20 × 15 + 10 + 20 = 330).
 */
static void test_heading_never_ends_a_page(void)
{
    static const char *const sec[] = {"section", "sec5", "sec10"};
    static const int follow[] = {1, 2, 4};
    for (int k = 12; k <= PAGE_LINES; k++)
        for (int s = 0; s < 3; s++)
            for (int f = 0; f < 3; f++) {
                strbuf b = {0};
                int par = 0;
                doc_begin(&b);
                add_fillers(&b, &par, k);
                strbuf_printf(&b, "<section style=\"%s\"><heading>标题</heading>\n", sec[s]);
                add_ledger(&b, par++, follow[f], LINE_CHARS);
                strbuf_printf(&b, "</section>\n");
                add_ledger(&b, par++, 3, LINE_CHARS);
                with_layout(&b, check_heading_kept, k == 20 && s == 2);
            }
}

/* ---- widows and orphans -------------------------------------------------------- */

static const int LEDGER_LINES[] = {2, 3, 4, 5, 3, 2, 6, 7, 3, 4};
enum { NLEDGER = sizeof LEDGER_LINES / sizeof LEDGER_LINES[0] };

static int splits_seen;         /* paragraphs split across pages, over all variants */

/* Lines of ledger paragraph par when the first nfill are one-line fillers; 0 for no such paragraph. */
static int ledger_lines(int par, int nfill)
{
    return par < 0 || par >= nfill + NLEDGER ? 0 : par < nfill ? 1 : LEDGER_LINES[par - nfill];
}

static void check_page_ends(const dl_document *d, int nfill)
{
    for (int p = 0; p < d->npages; p++) {
        int par, line;
        const dl_glyph_run *first = end_text_run(&d->pages[p], 1), *last = end_text_run(&d->pages[p], -1);
        if (!first || !last)
            continue;
        ledger_of(first, &par, &line);
        int n = ledger_lines(par, nfill);
        CHECK(!(n >= 2 && line == n - 1), "%d fillers: page %d starts with the last line of a "
                                          "%d-line paragraph (a widow)", nfill, p + 1, n);
        splits_seen += line > 0;
        ledger_of(last, &par, &line);
        n = ledger_lines(par, nfill);
        CHECK(!(n >= 3 && line == 0), "%d fillers: page %d ends with the first line of a "
                                      "%d-line paragraph (an orphan)", nfill, p + 1, n);
    }
}

/* Every ledger line appears once, in order: nothing lost, nothing repeated. */
static void check_ledger_complete(const dl_document *d, int nfill)
{
    int want_par = 0, want_line = 0, ok = 1;
    for (int p = 0; p < d->npages; p++)
        for (int i = 0; i < d->pages[p].n; i++) {
            const dl_glyph_run *r = run_at(&d->pages[p], i);
            if (!r || is_folio(r))
                continue;
            int par, line;
            ledger_of(r, &par, &line);
            ok &= par == want_par && line == want_line;
            if (++want_line == ledger_lines(want_par, nfill))
                want_par++, want_line = 0;
        }
    CHECK(ok && want_par == nfill + NLEDGER, "%d fillers: the lines are not all there in order "
                                              "(reached paragraph %d)", nfill, want_par);
}

static void check_widows_orphans(const dl_document *d, int nfill)
{
    check_page_ends(d, nfill);
    check_ledger_complete(d, nfill);
}

/* k one-line paragraphs, then paragraphs of 2–7 lines: every page end. */
static void test_widows_and_orphans(void)
{
    splits_seen = 0;
    for (int k = 0; k < PAGE_LINES; k++) {
        strbuf b = {0};
        int par = 0;
        doc_begin(&b);
        add_fillers(&b, &par, k);
        for (int i = 0; i < NLEDGER; i++)
            add_ledger(&b, par++, LEDGER_LINES[i], LINE_CHARS);
        with_layout(&b, check_widows_orphans, k);
    }
    CHECK(splits_seen > 10, "only %d paragraphs were split across pages; the test is too weak",
          splits_seen);
}

/* ---- boxes --------------------------------------------------------------------- */

/* Index of the first DL_BOX on page p for which pred holds, from item from; -1 none. */
static int find_box(const dl_page *pg, int (*pred)(const dl_box *), int from)
{
    for (int i = from; i < pg->n; i++)
        if (pg->items[i].kind == DL_BOX && pred(&pg->items[i].u.box))
            return i;
    return -1;
}

/* DL_BOXes for which pred holds, on every page. */
static int count_boxes(const dl_document *d, int (*pred)(const dl_box *))
{
    int n = 0;
    for (int p = 0; p < d->npages; p++)
        for (int i = find_box(&d->pages[p], pred, 0); i >= 0; i = find_box(&d->pages[p], pred, i + 1))
            n++;
    return n;
}

/* Runs of the given sizes on page pg are inside box (em box and advance) and drawn after it. */
static void check_runs_in_box(const dl_page *pg, int box_item, float size_a, float size_b, int page)
{
    const dl_box *b = &pg->items[box_item].u.box;
    for (int i = 0; i < pg->n; i++) {
        const dl_glyph_run *r = run_at(pg, i);
        if (!r || !(run_is(r, size_a) || run_is(r, size_b)))
            continue;
        CHECK(i > box_item, "page %d: a run inside the box is drawn before it (item %d < %d)",
              page + 1, i, box_item);
        int k = glyph_outside(r, b->x, b->x + b->w, b->y, b->y + b->h);
        CHECK(k < 0, "page %d: glyph at %g,%g outside the box %g,%g %g×%g", page + 1,
              r->glyphs[k].x, r->glyphs[k].y, b->x, b->y, b->w, b->h);
    }
}

/* Pages holding runs of size; first page in *first. */
static int pages_with(const dl_document *d, float size, int *first)
{
    int n = 0;
    *first = -1;
    for (int p = 0; p < d->npages; p++)
        for (int i = 0; i < d->pages[p].n; i++)
            if (run_at(&d->pages[p], i) && run_is(run_at(&d->pages[p], i), size)) {
                if (*first < 0)
                    *first = p;
                n++;
                break;
            }
    return n;
}

enum { KT_LINES = 6 };          /* lines of the keep-together callout's paragraph */

/* Height of the callout with a badge, a title and KT_LINES lines. */
static float keep_together_height(void)
{
    return CALLOUT_INSET + 10 + 3 + CALLOUT_LEADING * (1 + KT_LINES) + CALLOUT_INSET;
}

/*
 * A keep-together callout stays whole where it fits; where it does not, it
 * moves whole to the next page when the space it leaves behind is small
 * (3 lines or less), and splits between its lines, with open edges,
 * when moving it would leave more (the paginator's costs, paginate.c).
 */
static void check_kept_together(const dl_document *d, int nfill)
{
    int first, pages = pages_with(d, CALLOUT_SIZE, &first);
    /* space on page 1 after the fillers; the callout's space-before is 4pt */
    float room = AREA_H - BODY_LEADING * (float)nfill - 4;
    int fits = room >= keep_together_height(), moves = !fits && room <= 3.0f * BODY_LEADING;
    int splits = !fits && room >= 4.2f * BODY_LEADING;
    if (!fits && !moves && !splits)
        return; /* near the balance of the two costs either is right */
    CHECK(pages == (fits || moves ? 1 : 2), "%d fillers (%gpt left for a %gpt callout): the "
          "callout is on %d pages", nfill, room, keep_together_height(), pages);
    if (pages == 2) {
        int box = find_box(&d->pages[first], is_callout_box, 0);
        CHECK(first == 0 && box >= 0 &&
              d->pages[first].items[box].u.box.open_edges == DL_OPEN_BOTTOM,
              "%d fillers: the split callout's first part has no open bottom edge", nfill);
        return;
    }
    const dl_page *pg = &d->pages[first];
    int box = find_box(pg, is_callout_box, 0);
    CHECK(box >= 0 && find_box(pg, is_callout_box, box + 1) < 0,
          "%d fillers: expected one callout box on page %d", nfill, first + 1);
    if (box < 0)
        return;
    CHECK(pg->items[box].u.box.open_edges == 0, "%d fillers: the callout box has open edges %u",
          nfill, pg->items[box].u.box.open_edges);
    check_runs_in_box(pg, box, CALLOUT_SIZE, BADGE_SIZE, first);
    CHECK(first == (fits ? 0 : 1), "%d fillers (%gpt left for a %gpt callout): the callout is "
          "on page %d", nfill, room, keep_together_height(), first + 1);
    CHECK(count_glyphs(d, CALLOUT_SIZE) == 2 + CALLOUT_CHARS * KT_LINES,
          "%d callout glyphs, expected %d", count_glyphs(d, CALLOUT_SIZE), 2 + CALLOUT_CHARS * KT_LINES);
}

/*
 * A keep-together callout (badge, title, a 6-line paragraph it could be
 * split in) after 10–21 one-line paragraphs: whole on page 1 while it fits
 * there (up to 14 fillers), else whole on page 2.
 */
static void test_keep_together_moves_whole(void)
{
    for (int k = 10; k < PAGE_LINES; k++) {
        strbuf b = {0};
        int par = 0;
        doc_begin(&b);
        add_fillers(&b, &par, k);
        add_callout(&b, 1, "标题", 0x6587, CALLOUT_CHARS * KT_LINES);
        add_par(&b, NULL, 0x672B, 10);
        with_layout(&b, check_kept_together, k);
    }
}

enum { TALL_LINES = 40 };       /* 40 × 13pt: taller than a page */

static void check_split(const dl_document *d, int nfill)
{
    int first, pages = pages_with(d, CALLOUT_SIZE, &first), segments = 0;
    CHECK(pages >= 2, "the tall callout is on %d pages", pages);
    for (int p = first; p >= 0 && p < first + pages; p++) {
        const dl_page *pg = &d->pages[p];
        int box = find_box(pg, is_callout_box, 0);
        CHECK(box >= 0, "page %d holds callout text but no callout box", p + 1);
        if (box < 0)
            continue;
        segments++;
        unsigned want = (p > first ? DL_OPEN_TOP : 0) | (p < first + pages - 1 ? DL_OPEN_BOTTOM : 0);
        CHECK(pg->items[box].u.box.open_edges == want, "page %d: open edges %u, expected %u", p + 1,
              pg->items[box].u.box.open_edges, want);
        CHECK(find_box(pg, is_callout_box, box + 1) < 0, "page %d: two callout boxes", p + 1);
        check_runs_in_box(pg, box, CALLOUT_SIZE, CALLOUT_SIZE, p);
    }
    int boxes = count_boxes(d, is_callout_box);
    CHECK(segments == pages && boxes == pages, "%d fillers: %d box segments (%d on pages with its "
          "text) for %d pages of callout text", nfill, boxes, segments, pages);
    int want = 10 * nfill + 2 + CALLOUT_CHARS * TALL_LINES + 10;
    CHECK(count_glyphs(d, 0) == want, "%d glyphs laid out, the text has %d", count_glyphs(d, 0), want);
}

/*
 * A callout taller than a page is split with open edges; no line is lost.
 * With 1 or 2 fillers the last line that fits on page 1 leaves less room
 * than the box's bottom edge; with 20 the box's top edge fits on page 1
 * but its title does not.
 */
static void test_tall_callout_splits(void)
{
    static const int fills[] = {0, 1, 2, 5, 13, 20};
    for (int i = 0; i < 6; i++) {
        strbuf b = {0};
        int par = 0;
        doc_begin(&b);
        add_fillers(&b, &par, fills[i]);
        add_callout(&b, 0, "标题", 0x6587, CALLOUT_CHARS * TALL_LINES);
        add_par(&b, NULL, 0x672B, 10);
        with_layout(&b, check_split, fills[i]);
    }
}

/* The horizontal extent of the runs of size on page pg, as drawn: *x0 to *x1. */
static void ink_extent(const dl_page *pg, float size, float *x0, float *x1)
{
    *x0 = 1e9f, *x1 = -1e9f;
    for (int i = 0; i < pg->n; i++) {
        const dl_glyph_run *r = run_at(pg, i);
        for (int k = 0; r && run_is(r, size) && k < r->n; k++) {
            *x0 = fminf(*x0, r->glyphs[k].x);
            *x1 = fmaxf(*x1, r->glyphs[k].x + glyph_width(r, &r->glyphs[k]));
        }
    }
}

static void check_badge(const dl_document *d, int arg)
{
    (void)arg;
    const dl_page *pg = &d->pages[0];
    int callout = find_box(pg, is_callout_box, 0), badge = find_box(pg, is_badge_box, 0);
    CHECK(callout >= 0 && badge > callout, "callout box at item %d, badge box at %d", callout, badge);
    if (callout < 0 || badge < 0)
        return;
    float x0, x1;
    ink_extent(pg, BADGE_SIZE, &x0, &x1);
    const dl_box *b = &pg->items[badge].u.box;
    CHECK(x1 - x0 > 20 && near(b->w, x1 - x0 + BADGE_PAD_L + BADGE_PAD_R),
          "badge box %g wide for %g of text and %g of padding", b->w, x1 - x0,
          BADGE_PAD_L + BADGE_PAD_R);
    CHECK(near(b->x, M_INNER + CALLOUT_INSET) && near(x0, b->x + BADGE_PAD_L),
          "badge box at x %g, its text at %g; expected %g and %g", b->x, x0, M_INNER + CALLOUT_INSET,
          M_INNER + CALLOUT_INSET + BADGE_PAD_L);
    check_runs_in_box(pg, badge, BADGE_SIZE, BADGE_SIZE, 0);
    check_runs_in_box(pg, callout, CALLOUT_SIZE, BADGE_SIZE, 0);
}

/* A shrink-wrapped badge is as wide as its text plus padding, inside its callout. */
static void test_badge_shrink_wraps(void)
{
    strbuf b = {0};
    doc_begin(&b);
    add_callout(&b, 12, "标题", 0x6587, 30);
    with_layout(&b, check_badge, 0);
}

/* ---- the outline --------------------------------------------------------------- */

typedef struct anchor {
    int page;
    float y;
} anchor;

/* Where each heading and each callout starts, in document order (at most max). */
static int anchors(const dl_document *d, anchor *out, int max)
{
    int n = 0;
    for (int p = 0; p < d->npages; p++)
        for (int i = 0; i < d->pages[p].n && n < max; i++) {
            const dl_item *it = &d->pages[p].items[i];
            const dl_glyph_run *r = run_at(&d->pages[p], i);
            if (r && run_is(r, HEADING_SIZE))
                out[n++] = (anchor){p, r->glyphs[0].y - (HEADING_LEADING - HEADING_SIZE) / 2 -
                                           ASCENDER * HEADING_SIZE};
            else if (it->kind == DL_BOX && is_callout_box(&it->u.box) &&
                     !(it->u.box.open_edges & DL_OPEN_TOP))
                out[n++] = (anchor){p, it->u.box.y - it->u.box.stroke_width / 2};
        }
    return n;
}

static void check_outline(const dl_document *d, int arg)
{
    (void)arg;
    static const struct {
        const char *title;
        int level;
    } want[] = {{"概述", 0}, {"趋势 1 标题甲", 1}, {"第二节", 0}, {"趋势 2 标题乙", 1},
                {"第三节", 0}};
    enum { N = sizeof want / sizeof want[0] };
    anchor at[N + 1];
    int nat = anchors(d, at, N + 1);
    CHECK(d->noutline == N && nat == N, "%d outline entries and %d anchors, expected %d",
          d->noutline, nat, N);
    for (int i = 0; i < N && i < d->noutline && i < nat; i++) {
        const dl_outline *o = &d->outline[i];
        CHECK(strcmp(o->title, want[i].title) == 0 && o->level == want[i].level,
              "entry %d: '%s' level %d, expected '%s' level %d", i, o->title, o->level, want[i].title,
              want[i].level);
        CHECK(o->page == at[i].page && near(o->y, at[i].y), "'%s' points at page %d y %g; it starts "
              "on page %d at y %g", want[i].title, o->page + 1, o->y, at[i].page + 1, at[i].y);
    }
    CHECK(d->npages >= 3 && nat == N && at[2].page == 1 && at[4].page == 2 && near(at[4].y, M_TOP),
          "the document does not spread its sections over three pages as intended");
}

/*
 * Sections and callouts on three pages.  The text before the last heading
 * ends 310pt down page 2, so that heading (20pt) would fit exactly at the
 * foot; it keeps with its paragraph instead, and its section starts page 3.
 */
static void test_outline_entries(void)
{
    strbuf b = {0};
    int par = 0;
    doc_begin(&b);
    strbuf_printf(&b, "<section><heading>概述</heading>\n");
    add_ledger(&b, par++, 3, LINE_CHARS);
    strbuf_printf(&b, "</section>\n");
    add_callout(&b, 1, "标题甲", 0x6587, 40);
    add_ledger(&b, par++, 20, LINE_CHARS);
    strbuf_printf(&b, "<section><heading>第二节</heading>\n");
    add_ledger(&b, par++, 2, LINE_CHARS);
    add_callout(&b, 2, "标题乙", 0x6587, 20);
    strbuf_printf(&b, "</section>\n");
    add_fillers(&b, &par, 2);
    add_ledger(&b, par++, 3, LINE_CHARS);
    strbuf_printf(&b, "<section><heading>第三节</heading>\n");
    add_ledger(&b, par++, 3, LINE_CHARS);
    strbuf_printf(&b, "</section>\n");
    with_layout(&b, check_outline, 0);
}

/* ---- a very long paragraph ----------------------------------------------------- */

enum { HUGE_CHARS = 5000 };

static void check_huge(const dl_document *d, int arg)
{
    (void)arg;
    int lines = 0, ok = 1;
    for (int p = 0; p < d->npages; p++) {
        int on_page = 0;
        float prev = 0;
        for (int i = 0; i < d->pages[p].n; i++) {
            const dl_glyph_run *r = run_at(&d->pages[p], i);
            if (!r || is_folio(r))
                continue;
            ok &= on_page == 0 || near(r->glyphs[0].y - prev, BODY_LEADING);
            prev = r->glyphs[0].y;
            on_page++;
        }
        CHECK(p == d->npages - 1 || on_page == PAGE_LINES, "page %d holds %d lines", p + 1, on_page);
        lines += on_page;
    }
    CHECK(ok, "lines are not one leading apart");
    CHECK(count_glyphs(d, 0) == HUGE_CHARS, "%d glyphs for %d characters", count_glyphs(d, 0),
          HUGE_CHARS);
    CHECK(d->npages == (lines + PAGE_LINES - 1) / PAGE_LINES && d->npages >= 9,
          "%d lines on %d pages", lines, d->npages);
}

/* 5000 Han characters in one paragraph paginate over many full pages. */
static void test_huge_paragraph(void)
{
    static const uint32_t cycle[] = {0x4E2D, 0x6587, 0x6392, 0x7248, 0x6D4B, 0x8BD5, 0x6BB5, 0x843D};
    strbuf b = {0};
    doc_begin(&b);
    strbuf_printf(&b, "<p style=\"indented\">");
    for (int i = 0; i < HUGE_CHARS; i++)
        strbuf_repeat_cp(&b, cycle[i % 8], 1);
    strbuf_printf(&b, "</p>\n");
    with_layout(&b, check_huge, 0);
}

/* ---- found while writing these tests ------------------------------------------- */

static void check_one_baseline(const dl_document *d, int arg)
{
    (void)arg;
    const dl_page *pg = &d->pages[0];
    float y = -1;
    int runs = 0;
    for (int i = 0; i < pg->n; i++) {
        const dl_glyph_run *r = run_at(pg, i);
        if (!r || is_folio(r))
            continue;
        runs++;
        if (y < 0)
            y = r->glyphs[0].y;
        CHECK(near(r->glyphs[0].y, y), "a %gpt run has its baseline at %g, the line's first run at %g",
              r->size, r->glyphs[0].y, y);
    }
    CHECK(runs == 3, "%d runs on a one-line paragraph of three spans", runs);
}

/* Spans of two sizes on one line sit on one baseline (layout.c: "the largest face"). */
static void test_mixed_sizes_share_a_baseline(void)
{
    strbuf b = {0};
    doc_begin(&b);
    strbuf_printf(&b, "<p>正文<em>大字</em>正文</p>\n");
    with_layout(&b, check_one_baseline, 0);
}

static void check_deck_kept(const dl_document *d, int nfill)
{
    (void)nfill;
    check_not_last_on_page(d, DECK_SIZE, 1, "deck of a keep-with-next titleblock");
}

/*
 * A titleblock with keep-with-next whose last child (the deck) has
 * space-after: the deck must still not end a page.
 */
static void test_box_keep_with_next_survives_space_after(void)
{
    for (int k = 14; k <= PAGE_LINES; k++) {
        strbuf b = {0};
        int par = 0;
        doc_begin(&b);
        add_fillers(&b, &par, k);
        strbuf_printf(&b, "<titleblock><headline>大标题</headline><deck>副标题</deck></titleblock>\n");
        add_ledger(&b, par++, 3, LINE_CHARS);
        with_layout(&b, check_deck_kept, k);
    }
}

/* Lay out t with check in a child process, so that a crash fails one check, not the program. */
static void check_layout_isolated(const st_tree *t, layout_check check, const char *what)
{
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid == 0) {
        unit_failed = unit_passed = 0;
        check_layout(t, check, 0);
        _exit(unit_failed ? 1 : 0);
    }
    int status = 0;
    CHECK(pid > 0 && waitpid(pid, &status, 0) == pid, "%s: fork or wait failed", what);
    if (pid > 0)
        CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "%s: the child %s %d", what,
              WIFSIGNALED(status) ? "died of signal" : "exited with",
              WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
}

static void check_blank_page(const dl_document *d, int arg)
{
    (void)arg;
    CHECK(d->npages == 1 && d->pages[0].n == 1, "an empty body gave %d pages (%d items on the first)",
          d->npages, d->npages ? d->pages[0].n : -1);
}

/* An empty body gives one page holding only its folio. */
static void test_empty_body(void)
{
    strbuf b = {0};
    styled s;
    doc_begin(&b);
    const st_tree *t = style_doc(&s, &b);
    if (t)
        check_layout_isolated(t, check_blank_page, "laying out an empty <body/>");
    styled_free(&s);
}

/* ---- floats ------------------------------------------------------------------ */

/* SHEET with the callout floating to where ("top" or "bottom"); malloc'd. */
static char *float_sheet(const char *where)
{
    const char *at = "keep-together=\"yes\" outline-level=\"2\"";
    const char *hit = strstr(SHEET, at);
    strbuf b = {0};
    strbuf_printf(&b, "%.*s", (int)(hit - SHEET), SHEET);
    strbuf_printf(&b, "keep-together=\"yes\" float=\"%s\" outline-level=\"2\"%s", where, hit + strlen(at));
    char *text = strdup(strbuf_text(&b));
    strbuf_free(&b);
    return text;
}

/*
 * One page: the callout's box at the top (where = FLOAT_TOP) or the foot
 * (FLOAT_BOTTOM) of the text area, its outer space dropped there; the
 * ledger lines around it in their order, clear of the box.
 */
static void check_float(const dl_document *d, int where)
{
    CHECK(d->npages == 1, "a float and 6 fillers: %d pages", d->npages);
    const dl_page *pg = &d->pages[0];
    int box = find_box(pg, is_callout_box, 0);
    CHECK(box >= 0, "float: no callout box");
    if (box < 0)
        return;
    const dl_box *bx = &pg->items[box].u.box;
    float half = bx->stroked ? bx->stroke_width / 2 : 0; /* the border is stroked on the path */
    if (where == FLOAT_TOP)
        CHECK(near(bx->y - half, M_TOP), "float top: the box's top is at %g, not the text area's "
              "top %g", bx->y - half, M_TOP);
    else
        CHECK(near(bx->y + bx->h + half, M_TOP + AREA_H), "float bottom: the box's foot is at %g, "
              "not the text area's foot %g", bx->y + bx->h + half, M_TOP + AREA_H);
    int prev_par = -1, lines = 0;
    float prev_y = 0;
    for (int i = 0; i < pg->n; i++) {
        const dl_glyph_run *r = run_at(pg, i);
        int par, line;
        if (!r || !run_is(r, BODY_SIZE) || is_folio(r))
            continue;
        ledger_of(r, &par, &line);
        float y = r->glyphs[0].y, top = y - BODY_SIZE * ASCENDER;
        CHECK(par > prev_par && y > prev_y, "float: filler %d (y %g) after filler %d (y %g)",
              par, y, prev_par, prev_y);
        CHECK(where == FLOAT_TOP ? top >= bx->y + bx->h : y <= bx->y, "float %s: filler %d "
              "(baseline %g) overlaps the box (%g..%g)", where == FLOAT_TOP ? "top" : "bottom",
              par, y, bx->y, bx->y + bx->h);
        if (where == FLOAT_BOTTOM && lines == 0)
            CHECK(near(top, M_TOP + (BODY_LEADING - BODY_SIZE) / 2), "float bottom: the first "
                  "filler's top is at %g: the text does not start the page", top);
        prev_par = par;
        prev_y = y;
        lines++;
    }
    CHECK(lines == 6, "float: %d filler lines on the page, expected 6", lines);
}

/*
 * nbefore fillers, a callout of lines lines floating to the top and then to
 * the bottom, nafter fillers: laid out with SHEET's callout floating, then
 * check(document, FLOAT_TOP or FLOAT_BOTTOM).
 */
static void with_float(int nbefore, int lines, int nafter, layout_check check)
{
    const char *where[] = {"top", "bottom"};
    for (int k = 0; k < 2; k++) {
        char *sheet = float_sheet(where[k]);
        strbuf b = {0};
        int par = 0;
        doc_begin(&b);
        add_fillers(&b, &par, nbefore);
        add_callout(&b, 1, "标题", 0x6587, CALLOUT_CHARS * lines);
        add_fillers(&b, &par, nafter);
        doc_end(&b);
        styled s;
        const st_tree *t = styled_load(&s, diag.ctx, sheet, strbuf_text(&b), SCHEMA);
        CHECK(t != NULL, "cannot style the float document: %s", capture_text(&diag));
        if (t)
            check_layout(t, check, k == 0 ? FLOAT_TOP : FLOAT_BOTTOM);
        styled_free(&s);
        strbuf_free(&b);
        free(sheet);
    }
}

/* A callout that floats, between fillers, goes to the top or the foot of its page. */
static void test_floats(void)
{
    with_float(3, 2, 3, check_float);
}

/* Body lines on page pg, checking that their ledger paragraphs rise from *prev. */
static int filler_lines(const dl_page *pg, int *prev)
{
    int lines = 0;
    for (int i = 0; i < pg->n; i++) {
        const dl_glyph_run *r = run_at(pg, i);
        int par, line;
        if (!r || !run_is(r, BODY_SIZE) || is_folio(r))
            continue;
        ledger_of(r, &par, &line);
        CHECK(par > *prev, "filler %d comes after filler %d", par, *prev);
        *prev = par;
        lines++;
    }
    return lines;
}

/*
 * A float that does not fit in what page 1 has left goes to page 2, at its
 * top or foot, and the fillers after it move up to fill page 1.
 */
static void check_deferred(const dl_document *d, int where)
{
    CHECK(d->npages == 2, "deferred float: %d pages", d->npages);
    if (d->npages != 2)
        return;
    int prev = -1, first = filler_lines(&d->pages[0], &prev);
    CHECK(find_box(&d->pages[0], is_callout_box, 0) < 0, "deferred float: a callout box on page 1");
    CHECK(first == PAGE_LINES, "deferred float: page 1 holds %d filler lines, not a full page of %d",
          first, PAGE_LINES);
    int second = filler_lines(&d->pages[1], &prev);
    CHECK(first + second == 28, "deferred float: %d + %d fillers, not 28", first, second);
    int box = find_box(&d->pages[1], is_callout_box, 0);
    CHECK(box >= 0, "deferred float: no callout box on page 2");
    if (box < 0)
        return;
    const dl_box *bx = &d->pages[1].items[box].u.box;
    float half = bx->stroked ? bx->stroke_width / 2 : 0;
    CHECK(where == FLOAT_TOP ? near(bx->y - half, M_TOP) : near(bx->y + bx->h + half, M_TOP + AREA_H),
          "deferred float %s: box at %g..%g", where == FLOAT_TOP ? "top" : "bottom", bx->y, bx->y + bx->h);
}

/* 18 fillers leave 4 lines, too few for the callout; 10 fillers follow it. */
static void test_float_deferred(void)
{
    with_float(18, 3, 10, check_deferred);
}

int main(void)
{
    capture_start(&diag);
    comp = composer_new(diag.ctx);
    test_recto_verso_margins();
    test_line_spacing_and_indent();
    test_spaces_collapse();
    test_heading_never_ends_a_page();
    test_widows_and_orphans();
    test_keep_together_moves_whole();
    test_tall_callout_splits();
    test_badge_shrink_wraps();
    test_outline_entries();
    test_huge_paragraph();
    test_mixed_sizes_share_a_baseline();
    test_box_keep_with_next_survives_space_after();
    test_empty_body();
    test_floats();
    test_float_deferred();
    CHECK(diag.ctx->errors == 0, "errors reported: %s", capture_text(&diag));
    composer_free(comp);
    capture_end(&diag);
    return unit_done("test_layout");
}
