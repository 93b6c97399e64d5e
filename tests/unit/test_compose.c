/*
 * test_compose.c: break opportunities, line breaking and justification.
 *
 * (1) Table-driven cases from web-platform-tests, read at run time from
 *     tests/data/wpt-zh-linebreak-cases.tsv, a verbatim copy of
 *     /work/shared/testdata/wpt-zh-linebreak-cases.tsv (108 cases from
 *     css/css-text/i18n/zh/css-text-line-break-zh-*.html; columns
 *     wpt_file, line_break, codepoint, text, measure_em, expected_line1,
 *     expected_line2, source).  Each string is shaped in 10pt Noto Serif
 *     CJK SC and composed flush left at measure_em × 10pt; the first two
 *     lines must equal the expected ones.
 *
 *     The composer is fixed at the strict level, so a row runs when it is
 *     strict, or when it is normal/loose and its expectation equals the
 *     strict row's for the same code point.  Skipped (and counted):
 *       - rows whose expectation is "?" (source "unverified"): 42 rows,
 *         the normal rows of the cpm, in, iteration and po files (32) and
 *         the loose rows of the hyphens and iteration files (10);
 *       - rows where strict legitimately differs: 30 rows, the normal rows
 *         of the hyphens file (4: U+2010 U+2013 U+301C U+30A0, which
 *         normal lets start a line) and the loose rows of the cpm, in and
 *         po files (26, which loose lets start a line).
 *     That leaves the 36 strict rows.
 * (2) compose_break_opportunities and the CLREQ prohibitions.
 * (3)–(7) justification, first-line indent, balancing, forced breaks and
 *     emergency breaks, on shaped text.
 */
#include "compose.h"
#include "helpers.h"
#include "unit.h"

#include <math.h>
#include <string.h>

#define SERIF "Noto Serif CJK SC"
#define WPT_TSV "tests/data/wpt-zh-linebreak-cases.tsv"
#define WPT_TSV_SHARED "../shared/testdata/wpt-zh-linebreak-cases.tsv"

static capture diag;            /* one context for the whole program */
static composer *comp;

/* ---- text helpers ------------------------------------------------------------ */

/* Decode UTF-8 s into out (at most max code points); the count. */
static int utf32_of(const char *s, uint32_t *out, int max)
{
    const unsigned char *u = (const unsigned char *)s;
    int n = 0;
    while (*u && n < max) {
        int len = *u < 0x80 ? 1 : *u < 0xE0 ? 2 : *u < 0xF0 ? 3 : 4;
        uint32_t cp = len == 1 ? *u : (uint32_t)(*u & (0x3F >> (len - 1)));
        for (int k = 1; k < len; k++)
            cp = cp << 6 | (u[k] & 0x3F);
        out[n++] = cp;
        u += len;
    }
    return n;
}

/* Append code point cp to buf as UTF-8 (buf has room). */
static void put_utf8(char *buf, uint32_t cp)
{
    char *o = buf + strlen(buf);
    if (cp < 0x80) {
        *o++ = (char)cp;
    } else if (cp < 0x800) {
        *o++ = (char)(0xC0 | cp >> 6);
        *o++ = (char)(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        *o++ = (char)(0xE0 | cp >> 12);
        *o++ = (char)(0x80 | ((cp >> 6) & 0x3F));
        *o++ = (char)(0x80 | (cp & 0x3F));
    } else {
        *o++ = (char)(0xF0 | cp >> 18);
        *o++ = (char)(0x80 | ((cp >> 12) & 0x3F));
        *o++ = (char)(0x80 | ((cp >> 6) & 0x3F));
        *o++ = (char)(0x80 | (cp & 0x3F));
    }
    *o = '\0';
}

/* ---- shaping and composing ---------------------------------------------------- */

typedef struct composed {
    shaped_par *p;
    composed_par *cp;
} composed;

/* Shape text in 10pt Noto Serif CJK SC and compose it with params. */
static composed compose_text(const char *text, compose_params params)
{
    tblock t;
    tblock_init(&t, SERIF, 10);
    tblock_add(&t, text, NULL);
    composed r = {shape_block(diag.ctx, &t.b), NULL};
    CHECK(r.p != NULL, "cannot shape '%s': %s", text, capture_text(&diag));
    if (r.p)
        r.cp = compose_paragraph(comp, r.p, &params);
    return r;
}

static void composed_free(composed *r)
{
    composed_par_free(r->cp);
    shaped_par_free(r->p);
}

/* The text of line i as UTF-8 in buf (size ≥ 4 × line length + 1). */
static const char *line_text(const composed *r, int i, char *buf)
{
    buf[0] = '\0';
    const compose_line *ln = &r->cp->lines[i];
    for (int k = ln->start; k < ln->end; k++) {
        const shape_cluster *c = &r->p->clusters[k];
        for (uint32_t j = 0; j < c->text_len; j++)
            put_utf8(buf, r->p->text[c->text_start + j]);
    }
    return buf;
}

/* Number of clusters on line i. */
static int line_len(const composed *r, int i)
{
    return r->cp->lines[i].end - r->cp->lines[i].start;
}

/* Where the last drawn cluster of line i ends. */
static float line_right(const composed *r, int i)
{
    int k = r->cp->lines[i].end - 1;
    return k < r->cp->lines[i].start ? 0 : r->cp->x[k] + r->p->clusters[k].width;
}

/* Does line i sit at its natural spacing (no gap widened)? */
static int line_is_natural(const composed *r, int i)
{
    const compose_line *ln = &r->cp->lines[i];
    for (int k = ln->start + 1; k < ln->end; k++)
        if (fabsf(r->cp->x[k] - (r->cp->x[k - 1] + r->p->clusters[k - 1].width)) > 0.001f)
            return 0;
    return 1;
}

/* Lines are in order, non-empty, and together hold every visible cluster. */
static void check_lines_cover(const composed *r)
{
    int next = 0;
    for (int i = 0; i < r->cp->nlines; i++) {
        const compose_line *ln = &r->cp->lines[i];
        CHECK(ln->end > ln->start, "line %d is empty [%d, %d)", i, ln->start, ln->end);
        for (int k = next; k < ln->start; k++)
            CHECK(r->p->clusters[k].cls == SC_SPACE || r->p->clusters[k].cls == SC_NEWLINE,
                  "cluster %d (U+%04X) is on no line", k, (unsigned)r->p->text[r->p->clusters[k].text_start]);
        CHECK(ln->start >= next, "line %d starts at %d, before %d", i, ln->start, next);
        next = ln->end;
    }
    for (int k = next; k < r->p->nclusters; k++)
        CHECK(r->p->clusters[k].cls == SC_SPACE || r->p->clusters[k].cls == SC_NEWLINE,
              "trailing cluster %d is on no line", k);
}

/* n copies of the UTF-8 string unit, in a malloc'd string. */
static char *repeat(const char *unit, int n)
{
    size_t len = strlen(unit);
    char *s = pb_alloc(len * (size_t)n + 1);
    for (int i = 0; i < n; i++)
        memcpy(s + len * (size_t)i, unit, len);
    return s;
}

/* ---- (1) web-platform-tests cases -------------------------------------------- */

enum { WPT_FIELDS = 8, WPT_MAX_ROWS = 256 };
enum { F_FILE, F_LEVEL, F_CP, F_TEXT, F_MEASURE, F_LINE1, F_LINE2, F_SOURCE };

typedef struct wpt_row {
    char *field[WPT_FIELDS];
} wpt_row;

typedef struct wpt_table {
    int n;
    wpt_row rows[WPT_MAX_ROWS];
} wpt_table;

/* Split a TSV line into the row's fields (copied); 0 when it has them all. */
static int split_row(char *line, wpt_row *row)
{
    line[strcspn(line, "\r\n")] = '\0';
    char *p = line;
    for (int f = 0; f < WPT_FIELDS; f++) {
        size_t len = strcspn(p, "\t");
        row->field[f] = pb_alloc(len + 1);
        memcpy(row->field[f], p, len);
        if (p[len] != '\t' && f < WPT_FIELDS - 1) {
            for (int g = f + 1; g < WPT_FIELDS; g++)
                row->field[g] = NULL;
            return -1;
        }
        p += len + (p[len] == '\t');
    }
    return 0;
}

static void free_row(wpt_row *row)
{
    for (int f = 0; f < WPT_FIELDS; f++)
        free(row->field[f]);
}

/* Read the table (the header line is skipped); 0 on success. */
static int read_wpt(wpt_table *t)
{
    FILE *f = fopen(WPT_TSV, "r");
    if (!f)
        f = fopen(WPT_TSV_SHARED, "r");
    if (!f)
        return -1;
    char *line = NULL;
    size_t cap = 0;
    int lineno = 0, bad = 0;
    t->n = 0;
    while (getline(&line, &cap, f) > 0) {
        if (lineno++ == 0 || line[0] == '\n' || t->n == WPT_MAX_ROWS)
            continue;
        if (split_row(line, &t->rows[t->n]) < 0) {
            CHECK(0, "%s:%d: malformed row", WPT_TSV, lineno);
            free_row(&t->rows[t->n]);
            bad = 1;
            continue;
        }
        t->n++;
    }
    free(line);
    fclose(f);
    return bad ? -1 : 0;
}

/* The strict row for the code point of row, or NULL. */
static const wpt_row *strict_twin(const wpt_table *t, const wpt_row *row)
{
    for (int i = 0; i < t->n; i++)
        if (strcmp(t->rows[i].field[F_LEVEL], "strict") == 0 &&
            strcmp(t->rows[i].field[F_CP], row->field[F_CP]) == 0)
            return &t->rows[i];
    return NULL;
}

typedef enum wpt_verdict { WPT_RUN, WPT_UNVERIFIED, WPT_STRICT_DIFFERS } wpt_verdict;

/* Whether the strict composer can be held to row's expectation. */
static wpt_verdict classify_row(const wpt_table *t, const wpt_row *row)
{
    if (strcmp(row->field[F_LINE1], "?") == 0 || strcmp(row->field[F_LINE2], "?") == 0)
        return WPT_UNVERIFIED;
    if (strcmp(row->field[F_LEVEL], "strict") == 0)
        return WPT_RUN;
    const wpt_row *twin = strict_twin(t, row);
    if (twin && strcmp(twin->field[F_LINE1], row->field[F_LINE1]) == 0 &&
        strcmp(twin->field[F_LINE2], row->field[F_LINE2]) == 0)
        return WPT_RUN;
    return WPT_STRICT_DIFFERS;
}

/* Compose one case and compare its first two lines; 1 when it passes. */
static int run_wpt_row(const wpt_row *row)
{
    float measure = (float)atof(row->field[F_MEASURE]) * 10;
    composed r = compose_text(row->field[F_TEXT], (compose_params){measure, 0, ALIGN_LEFT, 0});
    char l1[256] = "", l2[256] = "";
    if (r.cp && r.cp->nlines > 0)
        line_text(&r, 0, l1);
    if (r.cp && r.cp->nlines > 1)
        line_text(&r, 1, l2);
    int ok = r.cp && r.cp->nlines == 2 && strcmp(l1, row->field[F_LINE1]) == 0 &&
             strcmp(l2, row->field[F_LINE2]) == 0;
    CHECK(ok, "WPT %s [%s] %s: got %d lines '%s' / '%s', expected '%s' / '%s' (%s)",
          row->field[F_CP], row->field[F_LEVEL], row->field[F_TEXT], r.cp ? r.cp->nlines : 0, l1,
          l2, row->field[F_LINE1], row->field[F_LINE2], row->field[F_FILE]);
    composed_free(&r);
    return ok;
}

static void test_wpt_cases(void)
{
    static wpt_table t;
    int rc = read_wpt(&t);
    CHECK(rc == 0 && t.n > 0, "cannot read %s (or %s)", WPT_TSV, WPT_TSV_SHARED);
    int passed = 0, failed = 0, unverified = 0, differs = 0;
    for (int i = 0; i < t.n; i++) {
        switch (classify_row(&t, &t.rows[i])) {
        case WPT_RUN:
            run_wpt_row(&t.rows[i]) ? passed++ : failed++;
            break;
        case WPT_UNVERIFIED:
            unverified++;
            break;
        case WPT_STRICT_DIFFERS:
            differs++;
            break;
        }
    }
    printf("wpt-zh-linebreak: %d passed, %d failed, %d skipped "
           "(%d unverified, %d where strict differs)\n",
           passed, failed, unverified + differs, unverified, differs);
    CHECK(passed + failed >= 36, "only %d WPT cases ran", passed + failed);
    for (int i = 0; i < t.n; i++)
        free_row(&t.rows[i]);
}

/* ---- (2) break opportunities -------------------------------------------------- */

/* Break opportunities of UTF-8 text into brk; the length in code points. */
static int breaks_of(const char *text, unsigned char *brk, uint32_t *u32, int max)
{
    int n = utf32_of(text, u32, max);
    compose_break_opportunities(comp, u32, n, brk);
    return n;
}

static void test_breaks_between_han(void)
{
    uint32_t u[8];
    unsigned char brk[8];
    int n = breaks_of("文字文𠀤文", brk, u, 8); /* U+20024 is outside the BMP */
    CHECK(n == 5 && brk[0] == 0, "n %d, brk[0] %d", n, brk[0]);
    for (int i = 1; i < n; i++)
        CHECK(brk[i] == 1, "no break before Han character %d", i);
}

static void test_no_break_before_closing(void)
{
    static const char *const marks[] = {"。", "，", "、", "）", "」", "』", "》", "】", "〕",
                                        "！", "？", "：", "；", "”", "’", "・", "～"};
    for (size_t m = 0; m < sizeof marks / sizeof marks[0]; m++) {
        char text[32];
        snprintf(text, sizeof text, "文文%s文", marks[m]);
        uint32_t u[8];
        unsigned char brk[8];
        breaks_of(text, brk, u, 8);
        CHECK(brk[2] == 0, "break allowed before %s", marks[m]);
        CHECK(brk[1] == 1, "control: no break between 文文 in %s", text);
    }
}

static void test_no_break_after_opening(void)
{
    static const char *const marks[] = {"“", "‘", "（", "《", "〈", "「", "『", "【", "〔", "〖", "［"};
    for (size_t m = 0; m < sizeof marks / sizeof marks[0]; m++) {
        char text[32];
        snprintf(text, sizeof text, "文文%s文", marks[m]);
        uint32_t u[8];
        unsigned char brk[8];
        breaks_of(text, brk, u, 8);
        CHECK(brk[3] == 0, "break allowed after %s", marks[m]);
    }
}

/* —— and …… never split, and (strict) never start a line; a break after them is fine. */
static void check_two_em_mark(const char *text)
{
    uint32_t u[8];
    unsigned char brk[8];
    int n = breaks_of(text, brk, u, 8);
    CHECK(n == 5, "length %d", n);
    CHECK(brk[1] == 0, "break before the first mark in %s", text);
    CHECK(brk[2] == 0, "break inside the pair in %s", text);
    CHECK(brk[3] == 1, "no break after the pair in %s", text);
    CHECK(brk[4] == 1, "control: no break between Han in %s", text);
}

static void test_dash_and_ellipsis_pairs(void)
{
    check_two_em_mark("文——文字");
    check_two_em_mark("文……文字");
}

/* ---- (3) justification ------------------------------------------------------- */

static void test_justified_lines_reach_measure(void)
{
    char *text = repeat("中文排版测试用例文字", 10); /* 100 Han characters */
    const float measure = 305;
    composed r = compose_text(text, (compose_params){measure, 0, ALIGN_JUSTIFY, 0});
    CHECK(r.cp && r.cp->nlines == 4, "100 Han at 30.5 em: %d lines", r.cp ? r.cp->nlines : 0);
    for (int i = 0; r.cp && i < r.cp->nlines - 1; i++) {
        CHECK(fabsf(line_right(&r, i) - measure) < 0.01f, "line %d ends at %g, not %g", i,
              line_right(&r, i), measure);
        CHECK(fabsf(r.cp->x[r.cp->lines[i].start]) < 0.001f, "line %d does not start at 0", i);
        CHECK(!line_is_natural(&r, i), "line %d was not stretched", i);
    }
    if (r.cp && r.cp->nlines > 0) {
        int last = r.cp->nlines - 1;
        CHECK(line_is_natural(&r, last), "the last line is stretched");
        CHECK(fabsf(r.cp->lines[last].width - 10.0f * (float)line_len(&r, last)) < 0.01f,
              "last line width %g", r.cp->lines[last].width);
    }
    composed_free(&r);
    free(text);
}

/* Every pair of adjacent Latin letters on line i keeps its natural distance. */
static int check_latin_pairs(const composed *r, int i)
{
    int pairs = 0;
    const compose_line *ln = &r->cp->lines[i];
    for (int k = ln->start + 1; k < ln->end; k++) {
        if (r->p->clusters[k].cls != SC_LATIN || r->p->clusters[k - 1].cls != SC_LATIN)
            continue;
        pairs++;
        float gap = r->cp->x[k] - (r->cp->x[k - 1] + r->p->clusters[k - 1].width);
        CHECK(fabsf(gap) < 0.001f, "line %d: letters %d-%d spaced by %g", i, k - 1, k, gap);
    }
    return pairs;
}

static void test_no_gap_inside_latin_words(void)
{
    char *text = repeat("我们测试了Unitree H1机器人和IQaaS服务平台，", 6);
    const float measure = 305;
    composed r = compose_text(text, (compose_params){measure, 0, ALIGN_JUSTIFY, 0});
    int pairs = 0;
    CHECK(r.cp && r.cp->nlines >= 3, "%d lines", r.cp ? r.cp->nlines : 0);
    for (int i = 0; r.cp && i < r.cp->nlines - 1; i++) {
        CHECK(fabsf(line_right(&r, i) - measure) < 0.01f, "line %d ends at %g", i, line_right(&r, i));
        pairs += check_latin_pairs(&r, i);
    }
    CHECK(pairs >= 20, "only %d Latin letter pairs on justified lines", pairs);
    if (r.cp)
        check_lines_cover(&r);
    composed_free(&r);
    free(text);
}

/* ---- (4) first-line indent ------------------------------------------------------ */

static void test_first_line_indent(void)
{
    char *text = repeat("中文排版测试用例文字", 10);
    composed r = compose_text(text, (compose_params){305, 21, ALIGN_JUSTIFY, 0});
    CHECK(r.cp && r.cp->nlines >= 3, "%d lines", r.cp ? r.cp->nlines : 0);
    if (r.cp && r.cp->nlines >= 3) {
        CHECK(line_len(&r, 0) == 28 && line_len(&r, 1) == 30, "lines of %d and %d characters",
              line_len(&r, 0), line_len(&r, 1));
        CHECK(fabsf(line_right(&r, 0) - 284) < 0.01f, "line 0 ends at %g, not 305 - 21",
              line_right(&r, 0));
        CHECK(fabsf(line_right(&r, 1) - 305) < 0.01f, "line 1 ends at %g", line_right(&r, 1));
    }
    composed_free(&r);
    free(text);
}

/* ---- (5) balance ------------------------------------------------------------------ */

static void test_balanced_heading(void)
{
    char *text = repeat("标", 22);
    composed plain = compose_text(text, (compose_params){160, 0, ALIGN_CENTER, 0});
    composed bal = compose_text(text, (compose_params){160, 0, ALIGN_CENTER, 1});
    CHECK(plain.cp && plain.cp->nlines == 2 && line_len(&plain, 0) == 16,
          "control: unbalanced first line has %d", plain.cp ? line_len(&plain, 0) : -1);
    CHECK(bal.cp && bal.cp->nlines == 2, "balanced: %d lines", bal.cp ? bal.cp->nlines : 0);
    if (bal.cp && bal.cp->nlines == 2) {
        int a = line_len(&bal, 0), b = line_len(&bal, 1);
        CHECK(a + b == 22 && abs(a - b) <= 1, "balanced lines of %d and %d", a, b);
        float left = bal.cp->x[bal.cp->lines[0].start];
        CHECK(fabsf(left - (160 - 10.0f * (float)a) / 2) < 0.01f, "line 0 not centred: x %g", left);
    }
    composed_free(&plain);
    composed_free(&bal);
    free(text);
}

/* ---- (6) forced break ---------------------------------------------------------- */

static void test_forced_break(void)
{
    composed r = compose_text("文文文\n文文文文文文文文文文文文",
                              (compose_params){105, 0, ALIGN_JUSTIFY, 0});
    char buf[128];
    CHECK(r.cp && r.cp->nlines == 3, "%d lines", r.cp ? r.cp->nlines : 0);
    if (r.cp && r.cp->nlines == 3) {
        CHECK(strcmp(line_text(&r, 0, buf), "文文文") == 0, "line 0 '%s'", buf);
        CHECK(line_is_natural(&r, 0) && fabsf(r.cp->lines[0].width - 30) < 0.01f,
              "the line before a forced break was justified (width %g)", r.cp->lines[0].width);
        CHECK(strcmp(line_text(&r, 1, buf), "文文文文文文文文文文") == 0, "line 1 '%s'", buf);
        CHECK(fabsf(line_right(&r, 1) - 105) < 0.01f, "line 1 not justified: ends at %g",
              line_right(&r, 1));
        check_lines_cover(&r);
    }
    composed_free(&r);
}

/* ---- (7) emergency breaks -------------------------------------------------------- */

/* text at measure: terminates with at least min_lines lines covering everything. */
static void check_emergency(const char *text, float measure, int min_lines)
{
    composed r = compose_text(text, (compose_params){measure, 0, ALIGN_JUSTIFY, 0});
    CHECK(r.cp && r.cp->nlines >= min_lines, "'%s' at %g: %d lines", text, measure,
          r.cp ? r.cp->nlines : 0);
    for (int i = 0; r.cp && i < r.cp->nlines; i++)
        CHECK(line_len(&r, i) == 1 || r.cp->lines[i].width <= measure + 0.01f,
              "'%s': line %d is %g wide", text, i, r.cp->lines[i].width);
    if (r.cp)
        check_lines_cover(&r);
    composed_free(&r);
}

static void test_emergency_breaks(void)
{
    check_emergency("Supercalifragilisticexpialidocious", 50, 2);
    check_emergency("文——————————字", 30, 4); /* no allowed break inside the dashes */
    check_emergency("文字文", 5, 3);           /* every character wider than the measure */
}

int main(void)
{
    capture_start(&diag);
    comp = composer_new(diag.ctx);
    test_wpt_cases();
    test_breaks_between_han();
    test_no_break_before_closing();
    test_no_break_after_opening();
    test_dash_and_ellipsis_pairs();
    test_justified_lines_reach_measure();
    test_no_gap_inside_latin_words();
    test_first_line_indent();
    test_balanced_heading();
    test_forced_break();
    test_emergency_breaks();
    CHECK(diag.ctx->errors == 0, "errors reported: %s", capture_text(&diag));
    composer_free(comp);
    capture_end(&diag);
    return unit_done("test_compose");
}
