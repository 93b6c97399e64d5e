/*
 * test_compose.c: the CLREQ paragraph composer (src/compose.c).
 *
 * Every test shapes its text in 10 pt Noto Serif CJK SC (so 1 em = 10 pt)
 * unless it says otherwise, composes it and reads the result back through
 * the composed_par: a cluster's pen position is x[k] less the glyph shift
 * of its compression (an opening bracket set half-width is drawn ½ em to
 * the left of its pen), and it ends at pen + advance[k].  A line's right
 * edge is where its last cluster ends.
 *
 * (1) web-platform-tests cases, read at run time from
 *     tests/data/wpt-zh-linebreak-cases.tsv (a verbatim copy of
 *     /work/shared/testdata/wpt-zh-linebreak-cases.tsv: 108 cases from
 *     css/css-text/i18n/zh/css-text-line-break-zh-*.html; columns wpt_file,
 *     line_break, codepoint, text, measure_em, expected_line1,
 *     expected_line2, source).  Each row is composed flush left at its own
 *     level (strict, normal, loose: ICU zh@lb=…) at measure_em × 10 pt; the
 *     two lines must equal the expected ones.  Only rows whose expectation
 *     is "?" (source "unverified") are skipped.  Counts per level are printed.
 * (2) compose_break_opportunities: the CLREQ prohibitions at every level,
 *     —— and …… never split (and off line starts when strict), GB's '/'.
 * (3) justification, no letter spacing in Latin words, first-line indent,
 *     forced and emergency breaks (kept from the first-fit composer's tests).
 * (4) punctuation width: adjacent marks 1.5 em (kaiming), runs of three,
 *     quanjiao 2 em, banjiao half width, line-end marks half width with the
 *     line flush, trim_start, hanging punctuation.
 * (5) Han–Latin spacing: source space or not gives the same result, ¼ em
 *     at natural width, none next to full-width punctuation or at a line
 *     edge, none when autospace is off.
 * (6) the CLREQ shrink and stretch orders, on constructed lines: a line
 *     that must shrink by chosen amounts (a word filling the next line
 *     keeps total fit from moving text down), once in Noto (spaces of
 *     0.256 em, little room) and once with DejaVu Serif's 0.318 em spaces;
 *     stretch order over many justified lines holding Western spaces.
 * (7) the last line is never one character (or one plus punctuation):
 *     n Han (+ 。) at (n-1) em, n = 6…40, justified and ragged (at n = 5 a
 *     4 em line of 3 characters is the only other way, and costs more than
 *     the lone line's demerits); full lines plus 文”。.
 * (8) balanced, centred headings: 22 × 标 at 16 em; the report's headline
 *     at 8…30 em: centred, near-equal lines, never a lone 告, not shrunk.
 * (9) total fit over the seed report (each paragraph, and all joined into
 *     one) at nine measures and nine settings (default, indent, quanjiao,
 *     banjiao, hanging, trim, no autospace, gb, ragged); on every line
 *     (check_line): no CLREQ-prohibited start or end; no space at an edge;
 *     the line starts at 0 (a bracket ½ em before it only when trimmed or
 *     banjiao); a line-end 、，。」… half width (kaiming); nothing past the
 *     measure; justified non-final lines flush within 0.01 pt (a hanging
 *     mark's origin on the measure); unjustified and last lines never
 *     stretched; ratio >= -1; Latin letters and dash pairs never spaced;
 *     Han–Latin spacing within ⅛…⅓ em (gap stretch taken off) and ¼ em on
 *     lines at natural width; no spacing between a mark and a letter; a pair
 *     of marks 1.5 em; on shrunk lines a later shrink class used only when
 *     every earlier one is used up (spaces, brackets, 、，；：, Han–Latin,
 *     。？！; each class equally); on other lines no mid-line mark
 *     compressed but in a pair; the last line >= 2 letters.  Figures printed.
 *     Also: ragged paragraphs are not shrunk where breaks allow, and U+3000
 *     is a full-width character, not a Western space.
 * (10) pathological input terminates and stays consistent.
 */
#include "compose.h"
#include "helpers.h"
#include "unit.h"

#include <ctype.h>
#include <math.h>
#include <string.h>
#include <time.h>

#define SERIF "Noto Serif CJK SC"
#define WESTERN "DejaVu Serif, Noto Serif CJK SC"   /* wider Western spaces */
#define EM 10.0f
#define TOL 0.01f
#define WPT_TSV "tests/data/wpt-zh-linebreak-cases.tsv"
#define WPT_TSV_SHARED "../shared/testdata/wpt-zh-linebreak-cases.tsv"
#define SEED "tests/data/seed-report.txt"

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

/* n copies of the UTF-8 string unit, in a malloc'd string. */
static char *repeat(const char *unit, int n)
{
    size_t len = strlen(unit);
    char *s = pb_alloc(len * (size_t)n + 1);
    for (int i = 0; i < n; i++)
        memcpy(s + len * (size_t)i, unit, len);
    s[len * (size_t)n] = '\0';
    return s;
}

/* 1 when cp is in the zero-terminated UTF-32 set. */
static int in_u32(const uint32_t *set, uint32_t cp)
{
    for (; *set; set++)
        if (*set == cp)
            return 1;
    return 0;
}

/* design.md §3: not at a line start (strict), not at a line end. */
static const uint32_t NOT_AT_START[] = {
    0x3001, 0x3002, 0xFF0C, 0xFF0E, 0xFF1A, 0xFF1B, 0xFF01, 0xFF1F, 0x203C, 0x2047,
    0x201D, 0x2019, 0xFF09, 0x300B, 0x3009, 0x300D, 0x300F, 0x3011, 0x3017, 0x3015,
    0xFF3D, 0xFF5D, 0xFF5E, 0x2013, 0x00B7, 0x30FB, 0x2014, 0x2026, 0};
static const uint32_t NOT_AT_END[] = {
    0x201C, 0x2018, 0xFF08, 0x300A, 0x3008, 0x300C, 0x300E, 0x3010, 0x3016, 0x3014,
    0xFF3B, 0xFF5B, 0};
/* Closing marks no level lets start a line (UAX #14 CL and CP). */
static const uint32_t NEVER_AT_START[] = {
    0x3001, 0x3002, 0xFF0C, 0xFF0E, 0x201D, 0x2019, 0xFF09, 0x300B, 0x3009, 0x300D,
    0x300F, 0x3011, 0x3017, 0x3015, 0};

/* ---- shaping and composing ---------------------------------------------------- */

typedef struct composed {
    shaped_par *p;
    composed_par *cp;
    compose_params pr;
} composed;

/* Shape text in family at size points and compose it with params. */
static composed compose_font(const char *family, float size, const char *text, compose_params params)
{
    tblock t;
    tblock_init(&t, family, size);
    tblock_add(&t, text, NULL);
    composed r = {shape_block(diag.ctx, &t.b), NULL, params};
    CHECK(r.p != NULL, "cannot shape '%.40s': %s", text, capture_text(&diag));
    if (r.p)
        r.cp = compose_paragraph(comp, r.p, &params);
    return r;
}

/* Shape text in 10 pt Noto Serif CJK SC and compose it with params. */
static composed compose_text(const char *text, compose_params params)
{
    return compose_font(SERIF, EM, text, params);
}

static void composed_free(composed *r)
{
    composed_par_free(r->cp);
    shaped_par_free(r->p);
}

/* Default params (justified, strict, kaiming, autospace) with another alignment. */
static compose_params aligned(float measure, style_align align)
{
    compose_params pr = compose_default_params(measure);
    pr.align = align;
    return pr;
}

/* The first code point of cluster k. */
static uint32_t cp_at(const composed *r, int k)
{
    return r->p->text[r->p->clusters[k].text_start];
}

static const shape_cluster *cl(const composed *r, int k)
{
    return &r->p->clusters[k];
}

/* The em of cluster k. */
static float em_at(const composed *r, int k)
{
    return r->p->faces[cl(r, k)->face].size;
}

/* The first cluster whose text starts with code point cp at or after from, or -1. */
static int find_cp(const composed *r, uint32_t cp, int from)
{
    for (int k = from; k < r->p->nclusters; k++)
        if (cp_at(r, k) == cp)
            return k;
    return -1;
}

/* How far cluster k is compressed, 0 (full width) … 1 (half width). */
static float squeeze(const composed *r, int k)
{
    const shape_cluster *c = cl(r, k);
    if (c->cls == SC_SPACE || c->half_width >= c->width - 0.001f)
        return 0;
    return (c->width - r->cp->advance[k]) / (c->width - c->half_width);
}

/* The pen position of cluster k (x less the glyph shift of its compression). */
static float pen(const composed *r, int k)
{
    return r->cp->x[k] - squeeze(r, k) * cl(r, k)->half_dx;
}

/* Where cluster k ends. */
static float right_of(const composed *r, int k)
{
    return pen(r, k) + r->cp->advance[k];
}

/* The space between cluster k-1 and cluster k. */
static float gap_before(const composed *r, int k)
{
    return pen(r, k) - right_of(r, k - 1);
}

static int nlines(const composed *r)
{
    return r->cp ? r->cp->nlines : 0;
}

static const compose_line *line_at(const composed *r, int i)
{
    return &r->cp->lines[i];
}

/* Number of clusters on line i. */
static int line_len(const composed *r, int i)
{
    return line_at(r, i)->end - line_at(r, i)->start;
}

/* Where line i ends (its last cluster's right edge). */
static float line_right(const composed *r, int i)
{
    int k = line_at(r, i)->end - 1;
    return k < line_at(r, i)->start ? 0 : right_of(r, k);
}

/* Where line i starts (its first cluster's pen). */
static float line_left(const composed *r, int i)
{
    return line_len(r, i) ? pen(r, line_at(r, i)->start) : 0;
}

/* The text of line i as UTF-8 in buf (size ≥ 4 × text length + 1). */
static const char *line_text(const composed *r, int i, char *buf)
{
    buf[0] = '\0';
    for (int k = line_at(r, i)->start; k < line_at(r, i)->end; k++)
        for (uint32_t j = 0; j < cl(r, k)->text_len; j++)
            put_utf8(buf, r->p->text[cl(r, k)->text_start + j]);
    return buf;
}

/* Letters and ideographs on line i (what the last-line rule counts). */
static int line_letters(const composed *r, int i)
{
    int n = 0;
    for (int k = line_at(r, i)->start; k < line_at(r, i)->end; k++)
        n += cl(r, k)->cls == SC_HAN || cl(r, k)->cls == SC_LATIN || cl(r, k)->cls == SC_OTHER;
    return n;
}

/* Does line i sit at natural spacing: no gap, no compression but at its end? */
static int line_is_natural(const composed *r, int i)
{
    const compose_line *ln = line_at(r, i);
    for (int k = ln->start; k < ln->end; k++) {
        if (k > ln->start && fabsf(gap_before(r, k)) > 0.001f)
            return 0;
        if (k + 1 < ln->end && cl(r, k)->cls != SC_SPACE &&
            fabsf(r->cp->advance[k] - cl(r, k)->width) > 0.001f)
            return 0;
    }
    return 1;
}

/* Lines are in order, non-empty, without overlaps, and together hold every visible cluster. */
static void check_lines_cover(const composed *r, const char *label)
{
    int next = 0, bad = 0;
    for (int i = 0; i < nlines(r) && bad < 3; i++) {
        const compose_line *ln = line_at(r, i);
        if (ln->end <= ln->start && r->p->nclusters > 0) {
            int all_blank = 1; /* a paragraph of spaces may give an empty line */
            for (int k = 0; k < r->p->nclusters; k++)
                all_blank &= cl(r, k)->cls == SC_SPACE || cl(r, k)->cls == SC_NEWLINE;
            CHECK(all_blank, "%s: line %d is empty [%d, %d)", label, i, ln->start, ln->end);
            bad += !all_blank;
        }
        for (int k = next; k < ln->start; k++) {
            int ok = cl(r, k)->cls == SC_SPACE || cl(r, k)->cls == SC_NEWLINE;
            CHECK(ok, "%s: cluster %d (U+%04X) is on no line", label, k, (unsigned)cp_at(r, k));
            bad += !ok;
        }
        CHECK(ln->start >= next && ln->end <= r->p->nclusters, "%s: line %d [%d, %d) after %d",
              label, i, ln->start, ln->end, next);
        for (int k = ln->start + 1; k < ln->end; k++)
            if (gap_before(r, k) < -TOL) {
                CHECK(0, "%s: line %d: cluster %d (U+%04X) overlaps the one before by %g", label,
                      i, k, (unsigned)cp_at(r, k), -gap_before(r, k));
                bad++;
                break;
            }
        if (ln->end > next)
            next = ln->end;
    }
    for (int k = next; k < r->p->nclusters; k++)
        CHECK(cl(r, k)->cls == SC_SPACE || cl(r, k)->cls == SC_NEWLINE,
              "%s: trailing cluster %d is on no line", label, k);
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
        row->field[f][len] = '\0';
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

static const char *const LEVEL_NAMES[] = {"strict", "normal", "loose", "gb"};

/* The level named s, or -1. */
static int level_of(const char *s)
{
    for (int i = 0; i < 4; i++)
        if (strcmp(s, LEVEL_NAMES[i]) == 0)
            return i;
    return -1;
}

/* Compose one case at its level and compare its lines; 1 when it passes. */
static int run_wpt_row(const wpt_row *row, int level)
{
    compose_params pr = aligned((float)atof(row->field[F_MEASURE]) * EM, ALIGN_LEFT);
    pr.line_break = (style_line_break)level;
    composed r = compose_text(row->field[F_TEXT], pr);
    char l1[256] = "", l2[256] = "";
    if (nlines(&r) > 0)
        line_text(&r, 0, l1);
    if (nlines(&r) > 1)
        line_text(&r, 1, l2);
    int ok = nlines(&r) == 2 && strcmp(l1, row->field[F_LINE1]) == 0 &&
             strcmp(l2, row->field[F_LINE2]) == 0;
    CHECK(ok, "WPT %s [%s] %s: got %d lines '%s' / '%s', expected '%s' / '%s' (%s)",
          row->field[F_CP], row->field[F_LEVEL], row->field[F_TEXT], nlines(&r), l1, l2,
          row->field[F_LINE1], row->field[F_LINE2], row->field[F_FILE]);
    composed_free(&r);
    return ok;
}

static void test_wpt_cases(void)
{
    static wpt_table t;
    int rc = read_wpt(&t);
    CHECK(rc == 0 && t.n > 0, "cannot read %s (or %s)", WPT_TSV, WPT_TSV_SHARED);
    int pass[3] = {0}, fail[3] = {0}, skip[3] = {0};
    for (int i = 0; i < t.n; i++) {
        const wpt_row *row = &t.rows[i];
        int level = level_of(row->field[F_LEVEL]);
        CHECK(level >= 0 && level < 3, "row %d: unknown level '%s'", i + 2, row->field[F_LEVEL]);
        if (level < 0 || level >= 3)
            continue;
        if (strcmp(row->field[F_LINE1], "?") == 0 || strcmp(row->field[F_LINE2], "?") == 0)
            skip[level]++;
        else
            run_wpt_row(row, level) ? pass[level]++ : fail[level]++;
    }
    int ran = 0;
    for (int l = 0; l < 3; l++) {
        printf("wpt-zh-linebreak %-6s: %2d passed, %d failed, %2d skipped (expectation '?')\n",
               LEVEL_NAMES[l], pass[l], fail[l], skip[l]);
        ran += pass[l] + fail[l];
    }
    CHECK(ran >= 66, "only %d WPT cases ran", ran);
    for (int i = 0; i < t.n; i++)
        free_row(&t.rows[i]);
}

/* ---- (2) break opportunities -------------------------------------------------- */

/* Break opportunities of UTF-8 text at level into brk; the length in code points. */
static int breaks_at(const char *text, style_line_break level, unsigned char *brk, uint32_t *u32, int max)
{
    int n = utf32_of(text, u32, max);
    compose_break_opportunities(comp, u32, n, level, brk);
    return n;
}

static int breaks_of(const char *text, unsigned char *brk, uint32_t *u32, int max)
{
    return breaks_at(text, LINE_BREAK_STRICT, brk, u32, max);
}

static void test_breaks_between_han(void)
{
    uint32_t u[8];
    unsigned char brk[8];
    for (int level = 0; level < 4; level++) {
        int n = breaks_at("文字文𠀤文", (style_line_break)level, brk, u, 8); /* U+20024: astral */
        CHECK(n == 5 && brk[0] == 0, "n %d, brk[0] %d", n, brk[0]);
        for (int i = 1; i < n; i++)
            CHECK(brk[i] == 1, "%s: no break before Han character %d", LEVEL_NAMES[level], i);
    }
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
        CHECK(brk[2] == 0, "strict: break allowed before %s", marks[m]);
        CHECK(brk[1] == 1, "control: no break between 文文 in %s", text);
        /* closing brackets and 。，、 stay off line starts at every level */
        for (int level = 0; level < 4; level++) {
            breaks_at(text, (style_line_break)level, brk, u, 8);
            if (in_u32(NEVER_AT_START, u[2]))
                CHECK(brk[2] == 0, "%s: break allowed before %s", LEVEL_NAMES[level], marks[m]);
        }
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
        for (int level = 0; level < 4; level++) {
            breaks_at(text, (style_line_break)level, brk, u, 8);
            CHECK(brk[3] == 0, "%s: break allowed after %s", LEVEL_NAMES[level], marks[m]);
        }
    }
}

/* —— and …… never split; strict (and gb) keep them off line starts; a break after is fine. */
static void check_two_em_mark(const char *text)
{
    uint32_t u[8];
    unsigned char brk[8];
    for (int level = 0; level < 4; level++) {
        int n = breaks_at(text, (style_line_break)level, brk, u, 8);
        const char *lv = LEVEL_NAMES[level];
        CHECK(n == 5, "length %d", n);
        if (level == LINE_BREAK_STRICT || level == LINE_BREAK_GB)
            CHECK(brk[1] == 0, "%s: break before the first mark in %s", lv, text);
        CHECK(brk[2] == 0, "%s: break inside the pair in %s", lv, text);
        CHECK(brk[3] == 1, "%s: no break after the pair in %s", lv, text);
        CHECK(brk[4] == 1, "%s: control: no break between Han in %s", lv, text);
    }
    /* only strict adds the rule for ——; ICU's normal level lets it start a line */
    if (strstr(text, "——")) {
        breaks_at(text, LINE_BREAK_NORMAL, brk, u, 8);
        CHECK(brk[1] == 1, "normal: —— may start a line in %s", text);
    }
}

static void test_dash_and_ellipsis_pairs(void)
{
    check_two_em_mark("文——文字");
    check_two_em_mark("文……文字");
}

/* GB/T 15834: no break after '/'; the other levels allow it before Han. */
static void test_gb_slash(void)
{
    uint32_t u[16];
    unsigned char brk[16];
    breaks_at("文/文", LINE_BREAK_GB, brk, u, 16);
    CHECK(brk[2] == 0, "gb: break allowed after '/'");
    breaks_at("文/文", LINE_BREAK_STRICT, brk, u, 16);
    CHECK(brk[2] == 1, "control: strict allows a break after '/' before Han");
    breaks_at("AB/CD", LINE_BREAK_GB, brk, u, 16);
    CHECK(brk[3] == 0, "gb: break allowed after '/' in AB/CD");
    breaks_at("文——文字", LINE_BREAK_GB, brk, u, 16);
    CHECK(brk[1] == 0, "gb is strict too: —— may start a line");

    /* composed: with gb no line ends with '/' */
    char *text = repeat("输入/输出的文本", 12);
    for (int level = 0; level < 4; level += 3) {
        compose_params pr = compose_default_params(63);
        pr.line_break = (style_line_break)level;
        composed r = compose_text(text, pr);
        int slash_ends = 0;
        for (int i = 0; i < nlines(&r); i++)
            slash_ends += line_len(&r, i) && cp_at(&r, line_at(&r, i)->end - 1) == '/';
        if (level == LINE_BREAK_GB)
            CHECK(slash_ends == 0, "gb: %d lines end with '/'", slash_ends);
        check_lines_cover(&r, "gb slash");
        composed_free(&r);
    }
    free(text);
}

/* ---- (3) justification ------------------------------------------------------- */

static void test_justified_lines_reach_measure(void)
{
    char *text = repeat("中文排版测试用例文字", 10); /* 100 Han characters */
    const float measure = 305;
    composed r = compose_text(text, compose_default_params(measure));
    CHECK(nlines(&r) == 4, "100 Han at 30.5 em: %d lines", nlines(&r));
    for (int i = 0; i < nlines(&r) - 1; i++) {
        CHECK(fabsf(line_right(&r, i) - measure) < TOL, "line %d ends at %g, not %g", i,
              line_right(&r, i), measure);
        CHECK(fabsf(r.cp->x[line_at(&r, i)->start]) < 0.001f, "line %d does not start at 0", i);
        CHECK(!line_is_natural(&r, i), "line %d was not stretched", i);
        CHECK(line_at(&r, i)->ratio > 0, "line %d: ratio %g", i, line_at(&r, i)->ratio);
    }
    if (nlines(&r) > 0) {
        int last = nlines(&r) - 1;
        CHECK(line_is_natural(&r, last), "the last line is stretched");
        CHECK(fabsf(line_at(&r, last)->width - EM * (float)line_len(&r, last)) < TOL,
              "last line width %g", line_at(&r, last)->width);
    }
    composed_free(&r);
    free(text);
}

/* Every pair of adjacent Latin letters on line i keeps its natural distance. */
static int check_latin_pairs(const composed *r, int i)
{
    int pairs = 0;
    const compose_line *ln = line_at(r, i);
    for (int k = ln->start + 1; k < ln->end; k++) {
        if (cl(r, k)->cls != SC_LATIN || cl(r, k - 1)->cls != SC_LATIN)
            continue;
        pairs++;
        CHECK(fabsf(gap_before(r, k)) < 0.001f && fabsf(r->cp->advance[k - 1] - cl(r, k - 1)->width) < 0.001f,
              "line %d: letters %d-%d spaced by %g", i, k - 1, k, gap_before(r, k));
    }
    return pairs;
}

static void test_no_gap_inside_latin_words(void)
{
    char *text = repeat("我们测试了Unitree H1机器人和IQaaS服务平台，", 6);
    const float measure = 305;
    composed r = compose_text(text, compose_default_params(measure));
    int pairs = 0;
    CHECK(nlines(&r) >= 3, "%d lines", nlines(&r));
    for (int i = 0; i < nlines(&r) - 1; i++) {
        CHECK(fabsf(line_right(&r, i) - measure) < TOL, "line %d ends at %g", i, line_right(&r, i));
        pairs += check_latin_pairs(&r, i);
    }
    CHECK(pairs >= 20, "only %d Latin letter pairs on justified lines", pairs);
    check_lines_cover(&r, "latin words");
    composed_free(&r);
    free(text);
}

static void test_first_line_indent(void)
{
    char *text = repeat("中文排版测试用例文字", 10);
    compose_params pr = compose_default_params(305);
    pr.indent = 21;
    composed r = compose_text(text, pr);
    CHECK(nlines(&r) >= 3, "%d lines", nlines(&r));
    if (nlines(&r) >= 3) {
        CHECK(line_len(&r, 0) == 28 && line_len(&r, 1) == 30, "lines of %d and %d characters",
              line_len(&r, 0), line_len(&r, 1));
        CHECK(fabsf(line_right(&r, 0) - 284) < TOL, "line 0 ends at %g, not 305 - 21",
              line_right(&r, 0));
        CHECK(fabsf(line_right(&r, 1) - 305) < TOL, "line 1 ends at %g", line_right(&r, 1));
    }
    composed_free(&r);
    free(text);
}

static void test_forced_break(void)
{
    composed r = compose_text("文文文\n文文文文文文文文文文文文文", compose_default_params(105));
    char buf[128];
    CHECK(nlines(&r) == 3, "%d lines", nlines(&r));
    if (nlines(&r) == 3) {
        CHECK(strcmp(line_text(&r, 0, buf), "文文文") == 0, "line 0 '%s'", buf);
        CHECK(line_is_natural(&r, 0) && fabsf(line_at(&r, 0)->width - 30) < TOL,
              "the line before a forced break was justified (width %g)", line_at(&r, 0)->width);
        CHECK(strcmp(line_text(&r, 1, buf), "文文文文文文文文文文") == 0, "line 1 '%s'", buf);
        CHECK(fabsf(line_right(&r, 1) - 105) < TOL, "line 1 not justified: ends at %g",
              line_right(&r, 1));
    }
    check_lines_cover(&r, "forced break");
    composed_free(&r);
}

/* text at measure: terminates with at least min_lines lines covering everything. */
static void check_emergency(const char *text, float measure, int min_lines)
{
    composed r = compose_text(text, compose_default_params(measure));
    CHECK(nlines(&r) >= min_lines, "'%s' at %g: %d lines", text, measure, nlines(&r));
    for (int i = 0; i < nlines(&r); i++)
        CHECK(line_len(&r, i) == 1 || line_at(&r, i)->width <= measure + TOL,
              "'%s': line %d is %g wide", text, i, line_at(&r, i)->width);
    check_lines_cover(&r, text);
    composed_free(&r);
}

static void test_emergency_breaks(void)
{
    check_emergency("Supercalifragilisticexpialidocious", 50, 2);
    check_emergency("文——————————字", 30, 4); /* no allowed break inside the dashes */
    check_emergency("文字文", 5, 3);           /* every character wider than the measure */
}

/* ---- (4) punctuation width ------------------------------------------------------ */

/* Distance from the pen of the first mark of text (Han, marks, Han) to the Han after them. */
static float marks_width(const char *text, style_punct style)
{
    compose_params pr = compose_default_params(300);
    pr.punctuation = style;
    composed r = compose_text(text, pr);
    float w = -1;
    if (nlines(&r) == 1 && r.p->nclusters >= 3) {
        int last = r.p->nclusters - 1;
        CHECK(cl(&r, 0)->cls == SC_HAN && cl(&r, last)->cls == SC_HAN, "%s: not Han at the ends", text);
        w = pen(&r, last) - pen(&r, 1);
    }
    CHECK(nlines(&r) == 1, "%s: %d lines", text, nlines(&r));
    composed_free(&r);
    return w;
}

static void test_adjacent_marks(void)
{
    /* kaiming: a pair takes 1.5 em, whichever side gives up its blank */
    static const char *const pairs[] = {"文。」文", "文，“文", "文”。文", "文。“文", "文）（文",
                                        "文、「文", "文（“文", "文」，文", "文》、文", "文！”文"};
    for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
        float w = marks_width(pairs[i], PUNCT_KAIMING);
        CHECK(fabsf(w - 1.5f * EM) < TOL, "kaiming: %s: the pair takes %g, not 1.5 em", pairs[i], w);
        w = marks_width(pairs[i], PUNCT_QUANJIAO);
        CHECK(fabsf(w - 2 * EM) < TOL, "quanjiao: %s: the pair takes %g, not 2 em", pairs[i], w);
        w = marks_width(pairs[i], PUNCT_BANJIAO);
        CHECK(fabsf(w - EM) < TOL, "banjiao: %s: the pair takes %g, not 1 em", pairs[i], w);
    }
    /* a run of three is two adjacent pairs: 2 em (CLREQ 3.1.6 / JLREQ), closing or opening */
    static const char *const runs[] = {"文”’。文", "文。”）文", "文”。“文", "文。（“文", "文（“‘文",
                                       "文《「『文"};
    for (size_t i = 0; i < sizeof runs / sizeof runs[0]; i++) {
        float w = marks_width(runs[i], PUNCT_KAIMING);
        CHECK(fabsf(w - 2 * EM) < TOL, "kaiming: %s: three marks take %g, not 2 em", runs[i], w);
    }
    /* a lone mark is full width mid-line */
    CHECK(fabsf(marks_width("文，文", PUNCT_KAIMING) - EM) < TOL, "a lone ， is not 1 em");
}

/* banjiao: every mark half width, wherever it is. */
static void test_banjiao(void)
{
    compose_params pr = compose_default_params(125);
    pr.punctuation = PUNCT_BANJIAO;
    char *text = repeat("文，文。“文”（文）文、文；文：文！文？", 6);
    composed r = compose_text(text, pr);
    int marks = 0;
    for (int i = 0; i < nlines(&r); i++)
        for (int k = line_at(&r, i)->start; k < line_at(&r, i)->end; k++) {
            if (cl(&r, k)->cls != SC_PUNCT)
                continue;
            marks++;
            CHECK(cl(&r, k)->half_width < cl(&r, k)->width, "U+%04X has no half-width form",
                  (unsigned)cp_at(&r, k));
            CHECK(fabsf(r.cp->advance[k] - cl(&r, k)->half_width) < TOL,
                  "banjiao: U+%04X on line %d set at %g", (unsigned)cp_at(&r, k), i, r.cp->advance[k]);
        }
    CHECK(marks >= 60, "only %d marks", marks);
    check_lines_cover(&r, "banjiao");
    composed_free(&r);
    free(text);
}

/* Lines ending in ， or 。 have it half width and end at the measure. */
static void test_line_end_half_width(void)
{
    /* 9 Han + ，: 9.5 em, so every line is exactly one group at 9.5 em */
    char *text = repeat("文文文文文文文文文，", 8);
    composed r = compose_text(text, compose_default_params(95));
    CHECK(nlines(&r) == 8, "%d lines", nlines(&r));
    for (int i = 0; i < nlines(&r); i++) {
        int k = line_at(&r, i)->end - 1;
        CHECK(cp_at(&r, k) == 0xFF0C, "line %d ends with U+%04X", i, (unsigned)cp_at(&r, k));
        CHECK(fabsf(r.cp->advance[k] - 5) < TOL, "line %d: the final ， is %g wide", i, r.cp->advance[k]);
        CHECK(fabsf(line_right(&r, i) - 95) < TOL, "line %d ends at %g", i, line_right(&r, i));
        CHECK(line_is_natural(&r, i), "line %d was adjusted", i);
    }
    composed_free(&r);
    free(text);

    /* mixed text at many measures: every justified line ending in ，or 。 */
    text = repeat("排版规则要求标点符号在行末时采用半角宽度。句子中间的逗号，以及句号。都应如此，", 5);
    int seen = 0;
    for (float m = 103; m <= 307; m += 17) {
        r = compose_text(text, compose_default_params(m));
        for (int i = 0; i + 1 < nlines(&r); i++) {
            int k = line_at(&r, i)->end - 1;
            if (cp_at(&r, k) != 0xFF0C && cp_at(&r, k) != 0x3002)
                continue;
            seen++;
            CHECK(fabsf(r.cp->advance[k] - cl(&r, k)->half_width) < TOL,
                  "measure %g line %d: final U+%04X is %g wide", m, i, (unsigned)cp_at(&r, k),
                  r.cp->advance[k]);
            CHECK(fabsf(line_right(&r, i) - m) < TOL, "measure %g line %d ends at %g", m, i,
                  line_right(&r, i));
        }
        composed_free(&r);
    }
    CHECK(seen >= 10, "only %d lines ended in ，or 。", seen);
    printf("line-end punctuation: %d justified lines ending in ，/。 are half width and flush\n", seen);
    free(text);
}

/* trim_start: an opening bracket starting a line is drawn ½ em to the left. */
static void test_trim_start(void)
{
    for (int trim = 0; trim <= 1; trim++) {
        compose_params pr = compose_default_params(200);
        pr.trim_start = trim;
        /* the first line and, after a forced break, another line start with “ */
        composed r = compose_text("“文文”文文文。\n（文文）文文。", pr);
        CHECK(nlines(&r) == 2, "%d lines", nlines(&r));
        for (int i = 0; i < nlines(&r); i++) {
            int k = line_at(&r, i)->start;
            CHECK(cl(&r, k)->punct == SP_OPEN, "line %d starts with U+%04X", i, (unsigned)cp_at(&r, k));
            float want = trim ? -0.5f * EM : 0;
            CHECK(fabsf(r.cp->x[k] - want) < TOL, "trim %d: line %d: the bracket at x %g, not %g",
                  trim, i, r.cp->x[k], want);
            CHECK(fabsf(r.cp->x[k + 1] - (trim ? 0.5f : 1) * EM) < TOL,
                  "trim %d: line %d: the Han after the bracket at %g", trim, i, r.cp->x[k + 1]);
        }
        composed_free(&r);
    }
    /* mid-line, the bracket is untouched */
    compose_params pr = compose_default_params(200);
    pr.trim_start = 1;
    composed r = compose_text("文文“文文”文", pr);
    int k = find_cp(&r, 0x201C, 0);
    CHECK(k > 0 && fabsf(r.cp->x[k] - 20) < TOL && fabsf(r.cp->advance[k] - EM) < TOL,
          "mid-line “ at %g, %g wide", k > 0 ? r.cp->x[k] : -1, k > 0 ? r.cp->advance[k] : -1);
    composed_free(&r);
}

/* hanging: 、，。 at a line end may hang past the measure; never when off. */
static void test_hanging(void)
{
    char *text = repeat("文文文文文文文文，", 6); /* 8 Han fill 80 pt exactly */
    for (int hang = 0; hang <= 1; hang++) {
        compose_params pr = compose_default_params(80);
        pr.hanging = hang;
        composed r = compose_text(text, pr);
        int hung = 0;
        for (int i = 0; i < nlines(&r); i++) {
            int k = line_at(&r, i)->end - 1;
            if (hang && cp_at(&r, k) == 0xFF0C) {
                hung++;
                CHECK(fabsf(r.cp->x[k] - 80) < TOL, "line %d: hanging ， at x %g, not the measure", i,
                      r.cp->x[k]);
                CHECK(fabsf(line_at(&r, i)->width - 80) < TOL, "line %d: width %g counts the hanging mark",
                      i, line_at(&r, i)->width);
            }
            if (!hang)
                CHECK(line_right(&r, i) <= 80 + TOL, "no hanging: line %d ends at %g", i,
                      line_right(&r, i));
        }
        if (hang)
            CHECK(hung >= 5, "hanging: only %d lines end in a hanging ，", hung);
        composed_free(&r);
    }
    CHECK(compose_default_params(80).hanging == 0, "hanging is on by default");
    free(text);
}

/* ---- (5) Han–Latin spacing -------------------------------------------------------- */

/* x of every non-space cluster of a, compared with b's (same text but spaces). */
static void check_same_positions(const char *ta, const char *tb, compose_params pr, const char *what)
{
    composed a = compose_text(ta, pr), b = compose_text(tb, pr);
    int ka = 0, kb = 0, bad = 0, compared = 0;
    while (a.cp && b.cp && ka < a.p->nclusters && kb < b.p->nclusters && bad < 3) {
        if (cl(&a, ka)->cls == SC_SPACE) { ka++; continue; }
        if (cl(&b, kb)->cls == SC_SPACE) { kb++; continue; }
        compared++;
        if (cp_at(&a, ka) != cp_at(&b, kb) || fabsf(a.cp->x[ka] - b.cp->x[kb]) > TOL) {
            CHECK(0, "%s: U+%04X at x %g without the space, U+%04X at %g with it", what,
                  (unsigned)cp_at(&a, ka), a.cp->x[ka], (unsigned)cp_at(&b, kb), b.cp->x[kb]);
            bad++;
        }
        ka++, kb++;
    }
    CHECK(nlines(&a) == nlines(&b), "%s: %d lines without the spaces, %d with", what, nlines(&a),
          nlines(&b));
    for (int v = 0; v < 2; v++) {
        const composed *r = v ? &b : &a;
        for (int i = 0; pr.align == ALIGN_JUSTIFY && i + 1 < nlines(r); i++)
            CHECK(fabsf(line_right(r, i) - pr.measure) < TOL, "%s: %s: line %d ends at %g", what,
                  v ? "with spaces" : "without", i, line_right(r, i));
        for (int i = 0; i < nlines(r); i++)
            CHECK(line_right(r, i) <= pr.measure + TOL, "%s: %s: line %d ends at %g past the measure", what,
                  v ? "with spaces" : "without", i, line_right(r, i));
    }
    CHECK(compared > 5 || bad > 0, "%s: compared %d clusters", what, compared);
    composed_free(&a);
    composed_free(&b);
}

static void test_autospace(void)
{
    /* "2024世界" and "2024 世界": identical, ¼ em between 4 and 世 */
    composed a = compose_text("2024世界", compose_default_params(300));
    composed b = compose_text("2024 世界", compose_default_params(300));
    int sa = find_cp(&a, 0x4E16, 0), sb = find_cp(&b, 0x4E16, 0);
    CHECK(sa == 4 && sb == 5, "世 at clusters %d, %d", sa, sb);
    if (sa == 4 && sb == 5) {
        CHECK(fabsf((a.cp->x[sa] - a.cp->x[0]) - (b.cp->x[sb] - b.cp->x[0])) < TOL,
              "世 at %g without the space, %g with it", a.cp->x[sa], b.cp->x[sb]);
        CHECK(fabsf(gap_before(&a, sa) - 0.25f * EM) < TOL, "Han–digit gap %g, not ¼ em", gap_before(&a, sa));
        CHECK(fabsf(b.cp->advance[4] - 0.25f * EM) < TOL, "the source space is set at %g, not ¼ em",
              b.cp->advance[4]);
    }
    composed_free(&a);
    composed_free(&b);

    /* both directions, letters and digits, on a last line at natural width */
    composed r = compose_text("我们测试了Unitree H1机器人和2024年的IQaaS。", compose_default_params(400));
    int gaps = 0;
    for (int k = 1; k < r.p->nclusters; k++) {
        int hl = (cl(&r, k - 1)->cls == SC_HAN && cl(&r, k)->cls == SC_LATIN) ||
                 (cl(&r, k - 1)->cls == SC_LATIN && cl(&r, k)->cls == SC_HAN);
        if (!hl)
            continue;
        gaps++;
        CHECK(fabsf(gap_before(&r, k) - 0.25f * EM) < TOL, "natural line: gap before U+%04X is %g",
              (unsigned)cp_at(&r, k), gap_before(&r, k));
    }
    CHECK(gaps == 5, "%d Han–Latin gaps", gaps);
    composed_free(&r);

    /* the same on ragged lines */
    char *text = repeat("我们测试了Unitree H1机器人和2024年的IQaaS平台", 6);
    r = compose_text(text, aligned(143, ALIGN_LEFT));
    gaps = 0;
    for (int i = 0; i < nlines(&r); i++)
        for (int k = line_at(&r, i)->start + 1; k < line_at(&r, i)->end; k++)
            if ((cl(&r, k - 1)->cls == SC_HAN && cl(&r, k)->cls == SC_LATIN) ||
                (cl(&r, k - 1)->cls == SC_LATIN && cl(&r, k)->cls == SC_HAN)) {
                gaps++;
                CHECK(fabsf(gap_before(&r, k) - 0.25f * EM) < TOL, "ragged line %d (ratio %g): gap %g",
                      i, line_at(&r, i)->ratio, gap_before(&r, k));
            }
    CHECK(gaps >= 20, "ragged: only %d gaps", gaps);
    composed_free(&r);
    free(text);

    /* none next to full-width punctuation */
    r = compose_text("文，AI。文（GPT）文“LLM”文", compose_default_params(400));
    for (int k = 1; k < r.p->nclusters; k++)
        if (cl(&r, k - 1)->cls == SC_PUNCT || cl(&r, k)->cls == SC_PUNCT)
            CHECK(fabsf(gap_before(&r, k)) < 0.001f, "gap %g before U+%04X next to punctuation",
                  gap_before(&r, k), (unsigned)cp_at(&r, k));
    composed_free(&r);

    /* none at a line start or end: Latin words alternate with Han */
    text = repeat("文字AI文字GPT文字", 12);
    for (float m = 61; m <= 161; m += 10) {
        r = compose_text(text, compose_default_params(m));
        for (int i = 0; i < nlines(&r); i++) {
            CHECK(fabsf(line_left(&r, i)) < TOL, "measure %g line %d starts at %g", m, i, line_left(&r, i));
            if (i + 1 < nlines(&r))
                CHECK(fabsf(line_right(&r, i) - m) < TOL, "measure %g line %d ends at %g", m, i,
                      line_right(&r, i));
        }
        check_lines_cover(&r, "autospace edges");
        composed_free(&r);
    }
    free(text);

    /* autospace off: no gap, a source space stays a Western space */
    compose_params off = compose_default_params(300);
    off.autospace = 0;
    r = compose_text("2024世界AI时代", off);
    for (int k = 1; k < r.p->nclusters; k++)
        CHECK(fabsf(gap_before(&r, k)) < 0.001f, "autospace off: gap %g before U+%04X", gap_before(&r, k),
              (unsigned)cp_at(&r, k));
    composed_free(&r);
    r = compose_text("2024 世界", off);
    CHECK(r.p->nclusters == 7 && fabsf(r.cp->advance[4] - cl(&r, 4)->width) < TOL,
          "autospace off: the space is set at %g", r.p->nclusters == 7 ? r.cp->advance[4] : -1);
    composed_free(&r);

    /* a source space and autospace come out the same on justified lines too */
    char *ta = repeat("世界人工智能大会2024世界人工智能大会发布了GPT模型，", 8);
    char *tb = repeat("世界人工智能大会 2024 世界人工智能大会发布了 GPT 模型，", 8);
    for (float m = 103; m <= 303; m += 25) {
        char what[64];
        snprintf(what, sizeof what, "source spaces, justified at %g", m);
        check_same_positions(ta, tb, compose_default_params(m), what);
        snprintf(what, sizeof what, "source spaces, ragged at %g", m);
        check_same_positions(ta, tb, aligned(m, ALIGN_LEFT), what);
    }
    free(ta);
    free(tb);
}

/* ---- (6) shrink and stretch order ----------------------------------------------- */

/* The natural width of text as one line (composed very wide). */
static float natural_width(const char *family, const char *text)
{
    composed r = compose_font(family, EM, text, compose_default_params(10000));
    float w = nlines(&r) == 1 ? line_right(&r, 0) - line_left(&r, 0) : -1;
    composed_free(&r);
    return w;
}

/* Number of clusters text shapes into in family. */
static int cluster_count(const char *family, const char *text)
{
    composed r = compose_font(family, EM, text, compose_default_params(10000));
    int n = r.p ? r.p->nclusters : -1;
    composed_free(&r);
    return n;
}

/*
 * content set as one justified line delta short of its natural width: a
 * word of x's filling the next line follows it, so total fit cannot move
 * anything down (a Han character and the spacing do not fit beside the
 * word) and must shrink the first line.  *measure gets the measure.
 */
static composed squeezed(const char *family, const char *content, float delta, float *measure)
{
    float m = natural_width(family, content) - delta, wx = natural_width(family, "x");
    strbuf b = {0};
    strbuf_printf(&b, "%s ", content);
    for (int i = 0; i < (int)((m - 1) / wx); i++)
        strbuf_printf(&b, "x");
    composed r = compose_font(family, EM, strbuf_text(&b), compose_default_params(m));
    strbuf_free(&b);
    int n = cluster_count(family, content);
    CHECK(nlines(&r) == 2 && line_at(&r, 0)->end == n, "%s shrunk by %g: %d lines, the first of %d clusters, "
          "not %d", content, delta, nlines(&r), nlines(&r) ? line_at(&r, 0)->end : -1, n);
    CHECK(nlines(&r) >= 1 && line_at(&r, 0)->ratio < 0 && line_at(&r, 0)->ratio >= -1.001f,
          "%s shrunk by %g: ratio %g", content, delta, nlines(&r) ? line_at(&r, 0)->ratio : 0);
    CHECK(nlines(&r) >= 1 && fabsf(line_right(&r, 0) - m) < TOL, "%s shrunk by %g: ends at %g, not %g", content,
          delta, nlines(&r) ? line_right(&r, 0) : 0, m);
    *measure = m;
    return r;
}

/* Western spaces shrink (to ¼ em, no less) before a comma gives anything. */
static void check_spaces_before_comma(const char *family)
{
    const char *text = "文文ab cd ef gh，ij kl文文";
    composed probe = compose_font(family, EM, text, compose_default_params(10000));
    float space_w = 0, cap = 0;
    int spaces = 0;
    for (int k = 0; probe.p && k < probe.p->nclusters; k++)
        if (cl(&probe, k)->cls == SC_SPACE) {
            spaces++;
            space_w = cl(&probe, k)->width;
            cap += space_w - 0.25f * EM;
        }
    composed_free(&probe);
    CHECK(spaces == 4 && space_w > 0.25f * EM, "%s: %d spaces of %g: no room to shrink", family, spaces, space_w);
    if (!(spaces == 4 && space_w > 0.25f * EM))
        return;
    printf("shrink order (%s): 4 Western spaces of %.3f em can give %.3f pt\n", family, space_w / EM, cap);
    /* a little: only spaces; more than they have: spaces at ¼ em, then the comma */
    float deltas[] = {cap * 0.5f, cap + 1.0f, cap + 4.0f};
    for (int d = 0; d < 3; d++) {
        float m;
        composed r = squeezed(family, text, deltas[d], &m);
        if (nlines(&r) == 2) {
            int comma = find_cp(&r, 0xFF0C, 0);
            for (int k = 0; k < line_at(&r, 0)->end; k++) {
                if (cl(&r, k)->cls == SC_SPACE) {
                    float want = d == 0 ? space_w - deltas[d] / (float)spaces : 0.25f * EM;
                    CHECK(fabsf(r.cp->advance[k] - want) < TOL && r.cp->advance[k] >= 0.25f * EM - 0.001f,
                          "%s: shrink %g: space %d set at %g, not %g", family, deltas[d], k, r.cp->advance[k], want);
                }
                if (k && ((cl(&r, k - 1)->cls == SC_HAN && cl(&r, k)->cls == SC_LATIN) ||
                          (cl(&r, k - 1)->cls == SC_LATIN && cl(&r, k)->cls == SC_HAN)))
                    CHECK(fabsf(gap_before(&r, k) - 0.25f * EM) < TOL, "%s: shrink %g: Han–Latin spacing %g "
                          "shrunk before the ，", family, deltas[d], gap_before(&r, k));
            }
            float want = d == 0 ? EM : EM - (deltas[d] - cap);
            CHECK(fabsf(r.cp->advance[comma] - want) < TOL, "%s: shrink %g: ， set at %g, not %g", family,
                  deltas[d], r.cp->advance[comma], want);
        }
        composed_free(&r);
    }
}

/* 、 (class 4) is used up before Han–Latin spacing (5) and 。 (6); brackets (3) before 、. */
static void test_shrink_order(void)
{
    check_spaces_before_comma(SERIF);
    check_spaces_before_comma(WESTERN);

    /* text with one of each class: （）bracket, 、pause, Han–Latin, 。stop */
    const char *text = "文（文）文、文AI文。文文";
    /* capacities: brackets 2 × 5, pause 5, autospace 2 × 1.25, stop 5 */
    struct { float delta, open, close, pause, autosp, stop; } cases[] = {
        {4, 8, 8, 10, 2.5f, 10},        /* brackets only, equally */
        {12, 5, 5, 8, 2.5f, 10},        /* brackets done, 、 next */
        {16, 5, 5, 5, 2, 10},           /* 、 done, Han–Latin spacing next */
        {19.5f, 5, 5, 5, 1.25f, 8},     /* all that, then 。 */
        {22.5f, 5, 5, 5, 1.25f, 5},     /* everything used up */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        float m;
        composed r = squeezed(SERIF, text, cases[i].delta, &m);
        if (nlines(&r) == 2) {
            int o = find_cp(&r, 0xFF08, 0), c = find_cp(&r, 0xFF09, 0), p = find_cp(&r, 0x3001, 0),
                a = find_cp(&r, 'A', 0), s = find_cp(&r, 0x3002, 0);
            float got[5] = {r.cp->advance[o], r.cp->advance[c], r.cp->advance[p], gap_before(&r, a),
                            r.cp->advance[s]};
            float want[5] = {cases[i].open, cases[i].close, cases[i].pause, cases[i].autosp, cases[i].stop};
            static const char *const names[] = {"（", "）", "、", "Han–Latin", "。"};
            for (int j = 0; j < 5; j++)
                CHECK(fabsf(got[j] - want[j]) < TOL, "shrink %g: %s set at %g, not %g", cases[i].delta,
                      names[j], got[j], want[j]);
            CHECK(fabsf(gap_before(&r, a + 2) - cases[i].autosp) < TOL, "shrink %g: the two Han–Latin gaps differ",
                  cases[i].delta);
            /* the glyph of a compressed ）、。 stays on its pen, （'s moves left with its blank */
            CHECK(fabsf(r.cp->x[o] - (pen(&r, o) + squeeze(&r, o) * cl(&r, o)->half_dx)) < TOL &&
                      fabsf(r.cp->x[s] - pen(&r, s)) < TOL, "shrink %g: glyph offsets", cases[i].delta);
        }
        composed_free(&r);
    }
}

/* The gap (excluding compression) after every Han cluster but the last of a line, equal? */
static float han_gap(const composed *r, int i)
{
    for (int k = line_at(r, i)->start + 1; k < line_at(r, i)->end; k++)
        if (cl(r, k - 1)->cls == SC_HAN && cl(r, k)->cls == SC_HAN)
            return gap_before(r, k);
    return -1;
}

/* A Western space stretches (by up to ½ em) before Han–Latin spacing, which goes before gaps. */
static void test_stretch_order(void)
{
    /* every line holds Western spaces; lines are short by various amounts */
    char *text = repeat("中文ab cd ef文字排版gh ij中文，", 10);
    int only_spaces = 0, spaces_then_more = 0, latin_pairs = 0;
    for (float m = 90; m <= 250; m += 3.7f) {
        composed r = compose_text(text, compose_default_params(m));
        for (int i = 0; i + 1 < nlines(&r); i++) {
            const compose_line *ln = line_at(&r, i);
            float g = han_gap(&r, i);
            float space_stretch = -1, space_min = 1e9f, autosp_max = 0;
            for (int k = ln->start; k < ln->end; k++) {
                if (cl(&r, k)->cls == SC_SPACE) {
                    float s = r.cp->advance[k] - cl(&r, k)->width;
                    space_stretch = s > space_stretch ? s : space_stretch;
                    space_min = s < space_min ? s : space_min;
                }
                if (k > ln->start && cl(&r, k - 1)->cls == SC_LATIN && cl(&r, k)->cls == SC_LATIN) {
                    latin_pairs++;
                    CHECK(fabsf(gap_before(&r, k)) < 0.001f, "measure %g line %d: letters spaced by %g", m, i,
                          gap_before(&r, k));
                }
                if (k > ln->start && ((cl(&r, k - 1)->cls == SC_HAN && cl(&r, k)->cls == SC_LATIN) ||
                                      (cl(&r, k - 1)->cls == SC_LATIN && cl(&r, k)->cls == SC_HAN))) {
                    float a = gap_before(&r, k) - (g > 0 ? g : 0) - 0.25f * EM;
                    autosp_max = a > autosp_max ? a : autosp_max;
                }
            }
            if (space_stretch < 0 || ln->ratio <= 0)
                continue; /* no space on this line, or not stretched */
            CHECK(space_stretch - space_min < 0.001f, "measure %g line %d: spaces stretched unequally", m, i);
            if (g > 0.001f || autosp_max > 0.001f) {
                spaces_then_more++;
                CHECK(space_min >= 0.5f * EM - TOL, "measure %g line %d: gaps (%g) or Han–Latin spacing (+%g) "
                      "stretched while a space has only +%g of ½ em", m, i, g, autosp_max, space_min);
            } else {
                only_spaces++;
            }
            if (g > 0.001f)
                CHECK(autosp_max >= EM / 12 - TOL, "measure %g line %d: gaps stretched (%g) while Han–Latin "
                      "spacing is at ¼ em + %g of 1/12 em", m, i, g, autosp_max);
        }
        check_lines_cover(&r, "stretch order");
        composed_free(&r);
    }
    printf("stretch order: %d lines stretched by their spaces alone, %d beyond them; %d letter pairs unspaced\n",
           only_spaces, spaces_then_more, latin_pairs);
    CHECK(only_spaces >= 5 && spaces_then_more >= 5, "the measures did not exercise both cases (%d, %d)",
          only_spaces, spaces_then_more);
    free(text);

    /* constructed: "ab cd" alone on a justified line, the break forced by the long word after */
    composed r = compose_text("ab cd xxxxxxxxxxxxxxxxxxxxxxxxxxxx", compose_default_params(140));
    CHECK(nlines(&r) == 2, "%d lines", nlines(&r));
    if (nlines(&r) == 2) {
        CHECK(fabsf(line_right(&r, 0) - 140) < TOL, "line 0 ends at %g", line_right(&r, 0));
        CHECK(fabsf(gap_before(&r, 1)) < 0.001f && fabsf(gap_before(&r, 4)) < 0.001f,
              "letters of ab/cd spaced by %g, %g", gap_before(&r, 1), gap_before(&r, 4));
    }
    composed_free(&r);
}

/* ---- (7) the last line -------------------------------------------------------------- */

static void check_last_line(const char *text, compose_params pr, const char *what)
{
    composed r = compose_text(text, pr);
    char buf[512];
    int n = nlines(&r);
    CHECK(n >= 2, "%s: %d lines", what, n);
    if (n >= 2)
        CHECK(line_letters(&r, n - 1) >= 2, "%s: the last line is '%s' (%d lines, measure %g)", what,
              line_text(&r, n - 1, buf), n, pr.measure);
    for (int i = 0; i < n; i++)
        CHECK(line_right(&r, i) <= pr.measure + TOL, "%s: line %d overfull", what, i);
    check_lines_cover(&r, what);
    composed_free(&r);
}

static void test_last_line(void)
{
    /* n Han + 。 at (n-1) em: first fit leaves "文。" alone; n Han at (n-1) em leaves "文" */
    for (int n = 6; n <= 40; n++) {
        strbuf b = {0};
        strbuf_repeat_cp(&b, 0x6587, n);
        char what[64];
        for (int a = 0; a < 2; a++) {
            compose_params pr = aligned((float)(n - 1) * EM, a ? ALIGN_LEFT : ALIGN_JUSTIFY);
            snprintf(what, sizeof what, "%d Han at %d em%s", n, n - 1, a ? ", ragged" : "");
            check_last_line(strbuf_text(&b), pr, what);
        }
        strbuf_printf(&b, "。");
        for (int a = 0; a < 2; a++) {
            compose_params pr = aligned((float)(n - 1) * EM, a ? ALIGN_LEFT : ALIGN_JUSTIFY);
            snprintf(what, sizeof what, "%d Han + 。 at %d em%s", n, n - 1, a ? ", ragged" : "");
            check_last_line(strbuf_text(&b), pr, what);
        }
        strbuf_free(&b);
    }
    /* several full lines and one character over, with quotes */
    for (int lines = 2; lines <= 5; lines++) {
        strbuf b = {0};
        strbuf_repeat_cp(&b, 0x5B57, lines * 20);
        strbuf_printf(&b, "文”。");
        char what[64];
        snprintf(what, sizeof what, "%d × 20 Han + 文”。 at 20 em", lines);
        check_last_line(strbuf_text(&b), compose_default_params(200), what);
        strbuf_free(&b);
    }
}

/* ---- (8) balance --------------------------------------------------------------------- */

static void test_balanced_heading(void)
{
    char *text = repeat("标", 22);
    compose_params plain = aligned(160, ALIGN_CENTER), bal = plain;
    bal.balance = 1;
    composed p = compose_text(text, plain), b = compose_text(text, bal);
    CHECK(nlines(&p) == 2 && line_len(&p, 0) == 16, "control: unbalanced first line has %d",
          nlines(&p) ? line_len(&p, 0) : -1);
    CHECK(nlines(&b) == 2, "balanced: %d lines", nlines(&b));
    if (nlines(&b) == 2) {
        int x = line_len(&b, 0), y = line_len(&b, 1);
        CHECK(x + y == 22 && abs(x - y) <= 1, "balanced lines of %d and %d", x, y);
        float left = b.cp->x[line_at(&b, 0)->start];
        CHECK(fabsf(left - (160 - EM * (float)x) / 2) < TOL, "line 0 not centred: x %g", left);
    }
    composed_free(&p);
    composed_free(&b);
    free(text);
}

/* The report's headline: near-equal lines, never a lone 告, centred, at natural width. */
static void test_report_headline(void)
{
    const char *h = "2024世界人工智能大会发布大模型十大趋势报告";
    char buf[256];
    for (int em = 8; em <= 30; em++) {
        compose_params pr = aligned((float)em * EM, ALIGN_CENTER);
        pr.balance = 1;
        composed r = compose_text(h, pr);
        int n = nlines(&r);
        float lo = 1e9f, hi = 0;
        for (int i = 0; i < n; i++) {
            float w = line_right(&r, i) - line_left(&r, i);
            lo = w < lo ? w : lo;
            hi = w > hi ? w : hi;
            float centre = (line_left(&r, i) + line_right(&r, i)) / 2;
            CHECK(fabsf(centre - pr.measure / 2) < TOL, "%d em: line %d centred at %g, not %g", em, i, centre,
                  pr.measure / 2);
            CHECK(line_at(&r, i)->ratio >= -0.001f, "%d em: balanced line %d '%s' is shrunk (ratio %g)", em, i,
                  line_text(&r, i, buf), line_at(&r, i)->ratio);
        }
        if (n > 1) {
            CHECK(line_letters(&r, n - 1) >= 2, "%d em: last line '%s'", em, line_text(&r, n - 1, buf));
            CHECK(hi - lo <= 2.5f * EM, "%d em: lines from %g to %g wide", em, lo, hi);
        }
        if (em == 16) {
            CHECK(n == 2, "16 em: %d lines", n);
            if (n == 2) {
                CHECK(strcmp(line_text(&r, 1, buf), "告") != 0 && line_len(&r, 1) >= 6,
                      "16 em: the second line is '%s'", buf);
                CHECK(hi - lo <= 1.0f * EM, "16 em: lines of %g and %g", lo, hi);
                printf("headline at 16 em: '%s' (%.2f pt) / ", line_text(&r, 0, buf), line_right(&r, 0) - line_left(&r, 0));
                printf("'%s' (%.2f pt)\n", line_text(&r, 1, buf), line_right(&r, 1) - line_left(&r, 1));
            }
        }
        check_lines_cover(&r, "headline");
        composed_free(&r);
    }
}

/* ---- (9) invariants over real text ------------------------------------------------------- */

typedef struct stats {
    int pars, lines, justified, flush, shrunk, stretched, ragged;
    int hl_gaps, hl_natural, pairs, last_lines, marks_end_half;
    float hl_min, hl_max, hl_nat_min, hl_nat_max, ratio_min, ratio_max, worst_flush;
    float hl[20000];
    int nhl;
} stats;

static stats st = {.hl_min = 1e9f, .hl_nat_min = 1e9f, .ratio_min = 1e9f, .ratio_max = -1e9f};

/* 1 when cluster k is a mark the composer may compress (kaiming). */
static int compressible(const composed *r, int k)
{
    const shape_cluster *c = cl(r, k);
    return c->cls == SC_PUNCT && c->half_width < c->width - 0.001f &&
           (c->punct == SP_OPEN || c->punct == SP_CLOSE || c->punct == SP_PAUSE || c->punct == SP_STOP);
}

/* A compressible mark on line ln whose width is the line's to adjust: not at an edge, no mark beside it. */
static int free_mark(const composed *r, const compose_line *ln, int k)
{
    return compressible(r, k) && k > ln->start && k + 1 < ln->end && !compressible(r, k - 1) &&
           !compressible(r, k + 1);
}

/* Is space cluster k Han–Latin spacing (rather than a Western space)? */
static int space_is_autospace(const composed *r, int k)
{
    if (!r->pr.autospace || k == 0 || k + 1 >= r->p->nclusters)
        return 0;
    shape_class a = cl(r, k - 1)->cls, b = cl(r, k + 1)->cls;
    return (a == SC_HAN && b == SC_LATIN) || (a == SC_LATIN && b == SC_HAN);
}

/* Check every invariant of the composer on line i of r (see the file comment). */
static void check_line(const composed *r, int i, const char *label)
{
    const compose_line *ln = line_at(r, i);
    const compose_params *pr = &r->pr;
    int last = i == nlines(r) - 1, s = ln->start, e = ln->end;
    char buf[1024];
    if (e <= s)
        return;
    float measure = pr->measure - (i == 0 ? pr->indent : 0);
    int kaiming = pr->punctuation == PUNCT_KAIMING;
    st.lines++;
    if (ln->ratio < st.ratio_min)
        st.ratio_min = ln->ratio;
    if (ln->ratio > st.ratio_max)
        st.ratio_max = ln->ratio;

    /* prohibitions (strict) */
    if (pr->line_break == LINE_BREAK_STRICT || pr->line_break == LINE_BREAK_GB) {
        CHECK(!in_u32(NOT_AT_START, cp_at(r, s)) || i == 0, "%s: line %d starts with U+%04X: %s", label, i,
              (unsigned)cp_at(r, s), line_text(r, i, buf));
        CHECK(!in_u32(NOT_AT_END, cp_at(r, e - 1)) || last, "%s: line %d ends with U+%04X: %s", label, i,
              (unsigned)cp_at(r, e - 1), line_text(r, i, buf));
    }
    /* no spaces at the edges */
    CHECK(cl(r, s)->cls != SC_SPACE && cl(r, e - 1)->cls != SC_SPACE, "%s: line %d has a space at an edge", label, i);

    /* the left edge: 0, or -½ em for a trimmed bracket; centred/right lines are offset */
    if (pr->align == ALIGN_JUSTIFY || pr->align == ALIGN_LEFT) {
        /* an opening bracket starting a line: half width when trimmed (or banjiao), else full */
        int half = cl(r, s)->punct == SP_OPEN && compressible(r, s) &&
                   (pr->punctuation == PUNCT_BANJIAO || (pr->trim_start && kaiming && e - s > 1));
        CHECK(fabsf(line_left(r, i)) < TOL, "%s: line %d starts at pen %g", label, i, line_left(r, i));
        CHECK(fabsf(r->cp->x[s] - (half ? cl(r, s)->half_dx : 0)) < TOL,
              "%s: line %d: first glyph U+%04X at x %g, expected %g (%s): %s", label, i, (unsigned)cp_at(r, s),
              r->cp->x[s], half ? cl(r, s)->half_dx : 0, half ? "trimmed" : "not trimmed", line_text(r, i, buf));
    }

    /* the right edge */
    int k_last = e - 1;
    uint32_t c_last = cp_at(r, k_last);
    int hangs = pr->hanging && e - s > 1 && (c_last == 0x3001 || c_last == 0xFF0C || c_last == 0x3002);
    float content_right = hangs ? pen(r, k_last) : line_right(r, i);
    if (kaiming && compressible(r, k_last) && cl(r, k_last)->punct != SP_OPEN) {
        st.marks_end_half++;
        CHECK(fabsf(r->cp->advance[k_last] - cl(r, k_last)->half_width) < TOL,
              "%s: line %d ends with U+%04X at %g, not half width", label, i, (unsigned)c_last,
              r->cp->advance[k_last]);
    }
    if (pr->punctuation == PUNCT_QUANJIAO)
        for (int k = s; k < e; k++)
            CHECK(cl(r, k)->cls != SC_PUNCT || fabsf(r->cp->advance[k] - cl(r, k)->width) < TOL,
                  "%s: quanjiao: U+%04X set at %g", label, (unsigned)cp_at(r, k), r->cp->advance[k]);
    if (pr->align == ALIGN_JUSTIFY || pr->align == ALIGN_LEFT)
        CHECK(content_right <= measure + TOL, "%s: line %d ends at %g past the measure %g: %s", label, i,
              content_right, measure, line_text(r, i, buf));
    if (pr->align == ALIGN_JUSTIFY && !last) {
        st.justified++;
        float off = fabsf(content_right - measure);
        if (off > st.worst_flush)
            st.worst_flush = off;
        st.flush += off < TOL;
        CHECK(off < TOL, "%s: justified line %d ends at %g, measure %g%s: %s", label, i, content_right, measure,
              hangs ? " (hanging mark)" : "", line_text(r, i, buf));
        if (hangs)
            CHECK(fabsf(r->cp->x[k_last] - measure) < TOL, "%s: line %d: hanging mark at %g", label, i,
                  r->cp->x[k_last]);
    }
    if (!(pr->align == ALIGN_JUSTIFY && !last)) {
        st.ragged += !last;
        /* a ragged or last line is at natural width unless it had to shrink */
        CHECK(ln->ratio <= 0.001f, "%s: unjustified line %d stretched (ratio %g)", label, i, ln->ratio);
    }
    CHECK(ln->ratio >= -1.001f, "%s: line %d overfull (ratio %g): %s", label, i, ln->ratio, line_text(r, i, buf));

    /* gaps: Latin words never spaced, dashes never split, Han–Latin spacing within ⅛…⅓ em (+ gap stretch) */
    float g = han_gap(r, i);
    if (ln->ratio < 0)
        CHECK(g < 0 || fabsf(g) < 0.001f, "%s: shrunk line %d has Han gaps of %g", label, i, g);
    for (int k = s + 1; k < e; k++) {
        const shape_cluster *a = cl(r, k - 1), *b = cl(r, k);
        float gap = gap_before(r, k);
        if (a->cls == SC_LATIN && b->cls == SC_LATIN)
            CHECK(fabsf(gap) < 0.001f, "%s: line %d: letters U+%04X U+%04X spaced by %g", label, i,
                  (unsigned)cp_at(r, k - 1), (unsigned)cp_at(r, k), gap);
        if (a->punct == SP_DASH && b->punct == SP_DASH && cp_at(r, k - 1) == cp_at(r, k))
            CHECK(fabsf(gap) < 0.001f, "%s: line %d: a dash pair split by %g", label, i, gap);
        int hl = (a->cls == SC_HAN && b->cls == SC_LATIN) || (a->cls == SC_LATIN && b->cls == SC_HAN);
        float as = -1; /* the Han–Latin spacing, when this is one */
        if (hl && pr->autospace)
            as = gap - (g > 0 ? g : 0);
        if (b->cls == SC_SPACE && space_is_autospace(r, k) && k + 1 < e)
            as = r->cp->advance[k];
        int g_known = g >= 0 || ln->ratio <= 0; /* the line's gap stretch is known (or none) */
        if (hl && !pr->autospace && g_known)
            CHECK(fabsf(gap - (g > 0 ? g : 0)) < 0.001f, "%s: autospace off, but a gap of %g", label, gap);
        if (as >= 0 && (g >= 0 || !hl)) {
            float em = em_at(r, k);
            st.hl_gaps++;
            if (st.nhl < (int)(sizeof st.hl / sizeof st.hl[0]))
                st.hl[st.nhl++] = as / em;
            if (as / em < st.hl_min)
                st.hl_min = as / em;
            if (as / em > st.hl_max)
                st.hl_max = as / em;
            CHECK(as >= 0.125f * em - TOL, "%s: line %d: Han–Latin spacing %g below ⅛ em: %s", label, i, as,
                  line_text(r, i, buf));
            CHECK(as <= em / 3 + TOL || ln->ratio > 1, "%s: line %d: Han–Latin spacing %g above ⅓ em", label, i, as);
            if (fabsf(ln->ratio) < 0.0001f && !(pr->align == ALIGN_JUSTIFY && !last)) {
                st.hl_natural++;
                st.hl_nat_min = as / em < st.hl_nat_min ? as / em : st.hl_nat_min;
                st.hl_nat_max = as / em > st.hl_nat_max ? as / em : st.hl_nat_max;
                CHECK(fabsf(as - 0.25f * em) < TOL, "%s: line %d at natural width: Han–Latin spacing %g", label,
                      i, as);
            }
        }
        if (g_known && ((a->cls == SC_PUNCT && b->cls == SC_LATIN) || (a->cls == SC_LATIN && b->cls == SC_PUNCT)))
            CHECK(gap <= (g > 0 ? g : 0) + 0.001f, "%s: line %d: %g between a mark and a letter", label, i, gap);
        /* adjacent marks (kaiming): a pair takes 1.5 em (plus the gap stretch of two gaps) */
        if (kaiming && g_known && compressible(r, k - 1) && compressible(r, k) && k + 1 < e &&
            (k - 2 < s || !compressible(r, k - 2)) && !compressible(r, k + 1)) {
            float w = pen(r, k + 1) - pen(r, k - 1) - 2 * (g > 0 ? g : 0);
            st.pairs++;
            CHECK(fabsf(w - 1.5f * em_at(r, k)) < TOL || ln->ratio < 0, "%s: line %d: U+%04X U+%04X take %g", label,
                  i, (unsigned)cp_at(r, k - 1), (unsigned)cp_at(r, k), w);
        }
    }

    /* shrink order: a later class only when every earlier one is used up */
    if (ln->ratio < 0 && kaiming) {
        st.shrunk++;
        float used[5] = {-1, -1, -1, -1, -1}; /* spaces, brackets, pauses, Han–Latin, stops: 0..1 or -1 */
        float lo[5] = {2, 2, 2, 2, 2};
        for (int k = s + 1; k < e - 1; k++) {
            const shape_cluster *c = cl(r, k);
            int cls = -1;
            float f = 0;
            if (c->cls == SC_SPACE && !space_is_autospace(r, k) && c->width > 0.25f * em_at(r, k) + 0.001f) {
                cls = 0;
                f = (c->width - r->cp->advance[k]) / (c->width - 0.25f * em_at(r, k));
            } else if (c->cls == SC_SPACE && space_is_autospace(r, k)) {
                cls = 3;
                f = (0.25f * em_at(r, k) - r->cp->advance[k]) / (0.125f * em_at(r, k));
            } else if (free_mark(r, ln, k)) {
                cls = c->punct == SP_OPEN || c->punct == SP_CLOSE ? 1 : c->punct == SP_PAUSE ? 2 : 4;
                f = squeeze(r, k);
            } else if ((cl(r, k - 1)->cls == SC_HAN && c->cls == SC_LATIN) ||
                       (cl(r, k - 1)->cls == SC_LATIN && c->cls == SC_HAN)) {
                cls = pr->autospace ? 3 : -1;
                f = (0.25f * em_at(r, k) - gap_before(r, k)) / (0.125f * em_at(r, k));
            }
            if (cls < 0)
                continue;
            used[cls] = f > used[cls] ? f : used[cls];
            lo[cls] = f < lo[cls] ? f : lo[cls];
        }
        static const char *const names[] = {"Western spaces", "brackets", "、，；：", "Han–Latin spacing", "。？！"};
        for (int c2 = 0; c2 < 5; c2++) {
            if (used[c2] < 0)
                continue;
            CHECK(used[c2] - lo[c2] < 0.01f, "%s: line %d: %s shrunk unequally (%g..%g)", label, i, names[c2],
                  lo[c2], used[c2]);
            if (used[c2] <= 0.01f)
                continue;
            for (int c1 = 0; c1 < c2; c1++)
                CHECK(used[c1] < 0 || lo[c1] >= 0.99f, "%s: line %d: %s shrunk (%.3f) while %s only %.3f: %s", label,
                      i, names[c2], used[c2], names[c1], lo[c1], line_text(r, i, buf));
        }
    } else if (ln->ratio >= 0) {
        /* nothing mid-line is compressed beyond the pairs */
        for (int k = s + 1; k < e - 1; k++)
            if (free_mark(r, ln, k) && kaiming)
                CHECK(squeeze(r, k) < 0.01f, "%s: line %d (ratio %g): U+%04X compressed", label, i, ln->ratio,
                      (unsigned)cp_at(r, k));
    }
    if (ln->ratio > 0)
        st.stretched++;
}

/* Check every line of r, the coverage and the last-line rule. */
static void check_par(const composed *r, const char *label)
{
    char buf[1024];
    st.pars++;
    check_lines_cover(r, label);
    for (int i = 0; i < nlines(r); i++)
        check_line(r, i, label);
    int n = nlines(r);
    if (n > 1) {
        st.last_lines++;
        CHECK(line_letters(r, n - 1) >= 2, "%s: the last line is '%s'", label, line_text(r, n - 1, buf));
    }
}

static int cmp_float(const void *a, const void *b)
{
    float x = *(const float *)a, y = *(const float *)b;
    return (x > y) - (x < y);
}

/* The seed report's text lines (paragraphs), and all of them as one paragraph. */
static int seed_paragraphs(char ***out, char **joined)
{
    char *all = read_whole_file(SEED);
    CHECK(all != NULL, "cannot read %s", SEED);
    if (!all)
        return 0;
    int n = 0, cap = 0;
    char **pars = NULL;
    strbuf j = {0};
    for (char *save = NULL, *ln = strtok_r(all, "\n", &save); ln; ln = strtok_r(NULL, "\n", &save)) {
        while (*ln == ' ')
            ln++;
        size_t len = strlen(ln);
        while (len && (ln[len - 1] == ' ' || ln[len - 1] == '\r'))
            ln[--len] = '\0';
        if (!len)
            continue;
        pb_grow(&pars, &cap, n + 1, sizeof *pars);
        pars[n++] = pb_strdup(ln);
        strbuf_printf(&j, "%s", ln);
    }
    free(all);
    *out = pars;
    *joined = j.s;
    return n;
}

static void test_total_fit(void)
{
    char **pars = NULL, *joined = NULL;
    int npars = seed_paragraphs(&pars, &joined);
    CHECK(npars >= 40 && joined && strlen(joined) > 5000, "seed text: %d paragraphs", npars);
    if (!joined)
        return;
    char label[128];
    /* the whole report as one paragraph, at many measures and settings */
    static const float measures[] = {120, 147.5f, 180, 213, 250, 281.5f, 300, 315, 347};
    struct { const char *name; compose_params pr; } settings[] = {
        {"default", compose_default_params(0)},
        {"indent", compose_default_params(0)},
        {"quanjiao", compose_default_params(0)},
        {"banjiao", compose_default_params(0)},
        {"hanging", compose_default_params(0)},
        {"trim", compose_default_params(0)},
        {"no autospace", compose_default_params(0)},
        {"gb", compose_default_params(0)},
        {"ragged", compose_default_params(0)},
    };
    settings[1].pr.indent = 2 * EM;
    settings[2].pr.punctuation = PUNCT_QUANJIAO;
    settings[3].pr.punctuation = PUNCT_BANJIAO;
    settings[4].pr.hanging = 1;
    settings[5].pr.trim_start = 1;
    settings[6].pr.autospace = 0;
    settings[7].pr.line_break = LINE_BREAK_GB;
    settings[8].pr.align = ALIGN_LEFT;
    clock_t t0 = clock();
    for (size_t s = 0; s < sizeof settings / sizeof settings[0]; s++)
        for (size_t m = 0; m < sizeof measures / sizeof measures[0]; m++) {
            compose_params pr = settings[s].pr;
            pr.measure = measures[m];
            composed r = compose_text(joined, pr);
            snprintf(label, sizeof label, "seed joined, %s, %g pt", settings[s].name, measures[m]);
            check_par(&r, label);
            composed_free(&r);
        }
    double secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
    /* each paragraph, at three measures */
    for (int i = 0; i < npars; i++)
        for (float m = 150; m <= 320; m += 85) {
            compose_params pr = compose_default_params(m);
            pr.indent = 2 * EM;
            composed r = compose_text(pars[i], pr);
            snprintf(label, sizeof label, "seed paragraph %d at %g pt", i + 1, m);
            check_par(&r, label);
            composed_free(&r);
        }
    qsort(st.hl, (size_t)st.nhl, sizeof st.hl[0], cmp_float);
    printf("total fit: %d paragraphs (%zu chars joined: %.3f s for %zu compositions), %d lines: "
           "%d/%d justified non-final lines flush (worst %.4f pt), %d shrunk, %d stretched, %d ragged; "
           "ratios %.3f..%.3f\n",
           st.pars, strlen(joined), secs, sizeof settings / sizeof settings[0] * sizeof measures / sizeof measures[0],
           st.lines, st.flush, st.justified, st.worst_flush, st.shrunk, st.stretched, st.ragged, st.ratio_min,
           st.ratio_max);
    printf("total fit: Han–Latin spacing at %d places: %.3f..%.3f em, median %.3f em; at natural width %d places "
           "%.3f..%.3f em; %d mark pairs; %d line-end marks; %d last lines of >= 2 letters\n",
           st.hl_gaps, st.hl_min, st.hl_max, st.nhl ? st.hl[st.nhl / 2] : 0, st.hl_natural, st.hl_nat_min,
           st.hl_nat_max, st.pairs, st.marks_end_half, st.last_lines);
    CHECK(st.ratio_max < 3, "a line stretched to ratio %g", st.ratio_max);
    for (int i = 0; i < npars; i++)
        free(pars[i]);
    free(pars);
    free(joined);
}

/* A ragged paragraph is set at natural width where the breaks allow. */
static void test_ragged_natural(void)
{
    char **pars = NULL, *joined = NULL;
    int npars = seed_paragraphs(&pars, &joined);
    int shrunk = 0, lines = 0;
    char buf[1024];
    for (int i = 0; i < npars; i++)
        for (float m = 150; m <= 320; m += 42.5f) {
            composed r = compose_text(pars[i], aligned(m, ALIGN_LEFT));
            for (int l = 0; l + 1 < nlines(&r); l++) {
                lines++;
                if (line_at(&r, l)->ratio < -0.001f && shrunk++ < 3)
                    CHECK(0, "ragged paragraph %d at %g: line %d shrunk (ratio %g): %s", i + 1, m, l,
                          line_at(&r, l)->ratio, line_text(&r, l, buf));
            }
            composed_free(&r);
        }
    printf("ragged: %d of %d non-final lines shrunk\n", shrunk, lines);
    CHECK(shrunk == 0, "%d ragged lines shrunk", shrunk);
    for (int i = 0; i < npars; i++)
        free(pars[i]);
    free(pars);
    free(joined);
}

/* U+3000 is a full-width character, not a Western space (CLREQ). */
static void test_ideographic_space(void)
{
    float m;
    composed r = squeezed(SERIF, "文文\u3000文文文文文文，文文文文文", 2, &m);
    int k = find_cp(&r, 0x3000, 0), c = find_cp(&r, 0xFF0C, 0);
    if (nlines(&r) == 2 && k > 0 && c > 0)
        CHECK(fabsf(r.cp->advance[k] - EM) < TOL && fabsf(r.cp->advance[c] - 8) < TOL,
              "U+3000 set at %g and ， at %g: the ideographic space shrinks like a Western space, before ，",
              r.cp->advance[k], r.cp->advance[c]);
    composed_free(&r);
    /* nor is it dropped at a line start */
    r = compose_text("\u3000\u3000文文文文", compose_default_params(300));
    CHECK(nlines(&r) == 1 && line_len(&r, 0) == 6 && fabsf(r.cp->x[2] - 2 * EM) < TOL,
          "leading U+3000: the line holds %d clusters, 文 at %g", nlines(&r) ? line_len(&r, 0) : 0,
          r.p && r.p->nclusters > 2 ? r.cp->x[2] : -1);
    composed_free(&r);
}

/* ---- (10) pathological input -------------------------------------------------------- */

static void check_pathological(const char *what, const char *text, float measure)
{
    clock_t t0 = clock();
    composed r = compose_text(text, compose_default_params(measure));
    double secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
    CHECK(r.cp != NULL, "%s: nothing composed", what);
    if (r.cp) {
        CHECK(nlines(&r) >= 1, "%s: no lines", what);
        check_lines_cover(&r, what);
        for (int i = 0; i < nlines(&r); i++)
            for (int k = line_at(&r, i)->start; k < line_at(&r, i)->end; k++)
                if (!isfinite(r.cp->x[k]) || !isfinite(r.cp->advance[k])) {
                    CHECK(0, "%s: cluster %d at x %g, %g wide", what, k, r.cp->x[k], r.cp->advance[k]);
                    break;
                }
    }
    printf("pathological: %-26s %5d clusters, %4d lines, %.3f s\n", what, r.p ? r.p->nclusters : 0, nlines(&r), secs);
    CHECK(secs < 10, "%s took %.1f s", what, secs);
    composed_free(&r);
}

static void test_pathological(void)
{
    check_pathological("empty text", "", 300);
    check_pathological("a single character", "文", 300);
    check_pathological("a single mark", "。", 300);
    check_pathological("only spaces", "     ", 300);
    check_pathological("only forced breaks", "\n\n\n", 300);
    char *word = repeat("abcdefghij", 30);
    check_pathological("a 300-letter word", word, 300);
    check_pathological("a 300-letter word, 1 em", word, 10);
    free(word);
    char *stops = repeat("。", 5000);
    check_pathological("5000 。", stops, 300);
    free(stops);
    char *dashes = repeat("——", 200);
    check_pathological("200 ——", dashes, 95);
    free(dashes);
    char *opens = repeat("“（《", 300);
    check_pathological("900 opening brackets", opens, 300);
    free(opens);
    check_pathological("a zero measure", "文字文字，文字。", 0);
    char *mixed = repeat("文 a  。 ", 500);
    check_pathological("mixed, spaces, marks", mixed, 33);
    free(mixed);
}

/* ---- break points inside words and tokens (issue 9) ------------------------ */

/* 1 when line i ends between two ASCII letters or digits (inside a word). */
static int ends_inside_word(const composed *r, int i)
{
    const compose_line *ln = line_at(r, i);
    if (ln->end <= ln->start || ln->end >= r->p->nclusters)
        return 0;
    uint32_t a = cp_at(r, ln->end - 1), b = cp_at(r, ln->end);
    int wa = (a < 128 && isalnum((int)a)), wb = (b < 128 && isalnum((int)b));
    return wa && wb;
}

/* A path breaks after '/' or before '.', '-', '_', never between two letters, and adds nothing. */
static void test_path_breaks(void)
{
    const char *text = "如果由 /lib/modules/kernel-version/modules.dep 指定的模块依赖文件不存在，"
                       "QUEUE_RUNNER_INTERVAL 与 --max-pages 也是一样。";
    composed r = compose_text(text, compose_default_params(10 * EM));
    char buf[512];
    int token_breaks = 0;
    for (int i = 0; r.cp && i + 1 < nlines(&r); i++) {
        const compose_line *ln = line_at(&r, i);
        CHECK(!ends_inside_word(&r, i), "line %d ends inside a word: %s", i, line_text(&r, i, buf));
        CHECK(!ln->hyphen, "a path or identifier was hyphenated: %s", line_text(&r, i, buf));
        uint32_t last = cp_at(&r, ln->end - 1), next = cp_at(&r, ln->end);
        token_breaks += last == '/' || next == '.' || next == '-' || next == '_';
        CHECK(last != '-', "a line ends with the '-' of a token, as if hyphenated: %s",
              line_text(&r, i, buf));
    }
    CHECK(token_breaks > 0, "no break inside the path or identifiers at 10 em");
    composed_free(&r);
}

/* English words hyphenate at the patterns' points, keeping 2 letters before and 3 after. */
static void test_hyphenation(void)
{
    const char *text = "The architecture of the subsystem is documented in considerable detail, "
                       "including international considerations and representational guarantees.";
    compose_params pr = compose_default_params(12 * EM);
    composed r = compose_text(text, pr);
    char buf[512];
    int hyphens = 0;
    for (int i = 0; r.cp && i + 1 < nlines(&r); i++) {
        const compose_line *ln = line_at(&r, i);
        if (!ln->hyphen) {
            CHECK(!ends_inside_word(&r, i), "line %d ends inside a word with no hyphen: %s", i,
                  line_text(&r, i, buf));
            continue;
        }
        hyphens++;
        int before = 0, after = 0;
        for (int k = ln->end - 1; k >= 0 && isalpha((int)cp_at(&r, k)); k--)
            before++;
        for (int k = ln->end; k < r.p->nclusters && isalpha((int)cp_at(&r, k)); k++)
            after++;
        CHECK(before >= 2 && after >= 3, "hyphen leaves %d|%d letters: %s", before, after,
              line_text(&r, i, buf));
        CHECK(line_right(&r, i) <= 12 * EM + 0.05f, "a hyphenated line is too long");
    }
    CHECK(hyphens > 0, "no word hyphenated at 12 em");
    composed_free(&r);
    pr.hyphenate = 0;
    r = compose_text(text, pr);
    for (int i = 0; r.cp && i < nlines(&r); i++)
        CHECK(!line_at(&r, i)->hyphen, "hyphenate off, but line %d has a hyphen", i);
    composed_free(&r);
}

/* No gap between Han characters opens past ½ em on a justified line. */
static void test_gap_limit(void)
{
    const char *text = "如果由 \"/lib/modules/kernel-version/modules.dep\" 指定的文件不存在，"
                       "就创建 \"/etc/exim4/conf.d/main/00_exim4-config_listmacrosdefs\" 这个文件。";
    composed r = compose_text(text, compose_default_params(20 * EM));
    char buf[512];
    for (int i = 0; r.cp && i + 1 < nlines(&r); i++)
        for (int k = line_at(&r, i)->start + 1; k < line_at(&r, i)->end; k++)
            if (cl(&r, k)->cls == SC_HAN && cl(&r, k - 1)->cls == SC_HAN)
                CHECK(gap_before(&r, k) <= 0.5f * EM + 0.01f, "gap %.2f em on line %d: %s",
                      gap_before(&r, k) / EM, i, line_text(&r, i, buf));
    composed_free(&r);
}

/* The last line is never one character and punctuation, full-width or ASCII. */
static void test_last_line_with_ascii_marks(void)
{
    static const char *const endings[] = {"具。)", "包”)。", "式\"。", "字))", "句.\""};
    for (size_t e = 0; e < sizeof endings / sizeof endings[0]; e++) {
        char text[256];
        snprintf(text, sizeof text, "这是一个用来检查最后一行规则的段落文字的长度正好%s", endings[e]);
        composed r = compose_text(text, compose_default_params(25 * EM));
        int n = r.cp ? nlines(&r) : 0;
        int han = 0;
        for (int k = n ? line_at(&r, n - 1)->start : 0; n && k < line_at(&r, n - 1)->end; k++)
            han += cl(&r, k)->cls == SC_HAN || cl(&r, k)->cls == SC_LATIN;
        char buf[256];
        CHECK(n < 2 || han >= 2, "'%s': the last line is '%s'", endings[e],
              line_text(&r, n - 1, buf));
        composed_free(&r);
    }
}

int main(void)
{
    capture_start(&diag);
    comp = composer_new(diag.ctx);
    test_path_breaks();
    test_hyphenation();
    test_gap_limit();
    test_last_line_with_ascii_marks();
    test_wpt_cases();
    test_breaks_between_han();
    test_no_break_before_closing();
    test_no_break_after_opening();
    test_dash_and_ellipsis_pairs();
    test_gb_slash();
    test_justified_lines_reach_measure();
    test_no_gap_inside_latin_words();
    test_first_line_indent();
    test_forced_break();
    test_emergency_breaks();
    test_adjacent_marks();
    test_banjiao();
    test_line_end_half_width();
    test_trim_start();
    test_hanging();
    test_autospace();
    test_shrink_order();
    test_stretch_order();
    test_last_line();
    test_balanced_heading();
    test_report_headline();
    test_total_fit();
    test_ragged_natural();
    test_ideographic_space();
    test_pathological();
    CHECK(diag.ctx->errors == 0, "errors reported: %s", capture_text(&diag));
    composer_free(comp);
    capture_end(&diag);
    return unit_done("test_compose");
}
