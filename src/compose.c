/* compose.c: break opportunities, the item model, total-fit breaking and justification. */
#include "compose.h"
#include "text.h"
#include "wordbreak.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unicode/ubrk.h>
#include <unicode/uchar.h>
#include <unicode/utf16.h>

struct composer {
    pb_ctx *ctx;
    UBreakIterator *icu[3];     /* strict, normal, loose: opened on first use */
    hyphenator *hyph;           /* patterns read on the first word */
    int broken;                 /* ICU could not be opened (reported once) */
};

/* ---- break opportunities ---------------------------------------------- */

/* Create a composer; ICU iterators are opened when first needed. */
composer *composer_new(pb_ctx *ctx)
{
    composer *c = pb_alloc(sizeof *c);
    c->ctx = ctx;
    c->hyph = hyphenator_new(ctx);
    return c;
}

/* 1 when the composer could not work as it should (reported). */
int composer_failed(const composer *c)
{
    return c->broken;
}

/* Free a composer. */
void composer_free(composer *c)
{
    if (!c)
        return;
    hyphenator_free(c->hyph);
    for (int i = 0; i < 3; i++)
        if (c->icu[i])
            ubrk_close(c->icu[i]);
    free(c);
}

/* The ICU line iterator for a level (GB uses strict and adds its own rule). */
static UBreakIterator *icu_for(composer *c, style_line_break level)
{
    static const char *const locales[] = {"zh@lb=strict", "zh@lb=normal", "zh@lb=loose"};
    int i = level == LINE_BREAK_NORMAL ? 1 : level == LINE_BREAK_LOOSE ? 2 : 0;
    if (!c->icu[i]) {
        UErrorCode err = U_ZERO_ERROR;
        c->icu[i] = ubrk_open(UBRK_LINE, locales[i], NULL, 0, &err);
        if (U_FAILURE(err)) {
            c->icu[i] = NULL;
            if (!c->broken)
                pb_error(c->ctx, (pb_pos){NULL, 0, 0}, "ICU line breaking is unavailable (%s); "
                         "is the ICU data package installed?", u_errorName(err));
            c->broken = 1;
        }
    }
    return c->icu[i];
}

/* Mark ICU's opportunities in brk (by UTF-32 index). */
static void icu_opportunities(UBreakIterator *bi, const uint32_t *text, int n, unsigned char *brk)
{
    UChar *u16 = pb_alloc(sizeof *u16 * (size_t)(2 * n + 1));
    int *to32 = pb_alloc(sizeof *to32 * (size_t)(2 * n + 1));
    int len = 0;
    for (int i = 0; i < n; i++) {
        to32[len] = i;
        if (text[i] > 0xFFFF) {
            u16[len++] = U16_LEAD(text[i]);
            to32[len] = i;
            u16[len++] = U16_TRAIL(text[i]);
        } else {
            u16[len++] = (UChar)text[i];
        }
    }
    UErrorCode err = U_ZERO_ERROR;
    ubrk_setText(bi, u16, len, &err);
    for (int b = ubrk_following(bi, 0); b != UBRK_DONE && b < len; b = ubrk_next(bi))
        brk[to32[b]] = 1;
    ubrk_setText(bi, NULL, 0, &err); /* drop the pointer to u16 */
    free(u16);
    free(to32);
}

/*
 * The breaks CSS Text 3 allows for Chinese that ICU's tailorings do not:
 * before hyphens (normal, loose) and before inseparable characters (loose),
 * when they follow a character rather than white space.
 */
static int css_allows_before(style_line_break level, uint32_t a, uint32_t b)
{
    if (level != LINE_BREAK_NORMAL && level != LINE_BREAK_LOOSE)
        return 0;
    if (a == ' ' || a == 0x3000 || a == b)
        return 0;
    return text_is_hyphen(b) || (level == LINE_BREAK_LOOSE && text_is_inseparable(b) &&
                                 !text_is_inseparable(a));
}

/* ICU's opportunities, then the CLREQ prohibitions of the level on top. */
void compose_break_opportunities(composer *c, const uint32_t *text, int n,
                                 style_line_break level, unsigned char *brk)
{
    memset(brk, 0, (size_t)n);
    UBreakIterator *bi = icu_for(c, level);
    if (bi) /* without ICU only the emergency breaks remain; composer_failed says so */
        icu_opportunities(bi, text, n, brk);
    int strict = level == LINE_BREAK_STRICT || level == LINE_BREAK_GB;
    for (int i = 1; i < n; i++) {
        uint32_t a = text[i - 1], b = text[i];
        if (css_allows_before(level, a, b))
            brk[i] = 1;
        if ((a == b && text_is_dash(b)) ||              /* —— and …… never split */
            (strict && (text_not_at_line_start(b) || text_not_at_line_end(a))) ||
            (level == LINE_BREAK_GB && a == '/'))
            brk[i] = 0;
    }
}

/* ---- the item model ---------------------------------------------------- */

/* Shrink classes, in the order CLREQ uses them (line-end marks come first
 * and are always applied, so they need no class). */
enum { SHRINK_SPACE, SHRINK_BRACKET, SHRINK_PAUSE, SHRINK_AUTOSPACE, SHRINK_STOP, NSHRINK };
/* Stretch classes, in order. */
enum { STRETCH_SPACE, STRETCH_AUTOSPACE, STRETCH_GAP, NSTRETCH };
/* Break kinds: none, ICU's, inside a technical token, with a hyphen, between
 * any two characters of a token wider than the measure. */
enum { BRK_NONE, BRK_ALLOWED, BRK_TOKEN, BRK_HYPHEN, BRK_EMERGENCY };

/* The em-relative constants of CLREQ spacing. */
#define AUTOSPACE_EM 0.25f          /* Han–Latin space */
#define AUTOSPACE_MIN_EM 0.125f     /* … may shrink to ⅛ em */
#define AUTOSPACE_MAX_EM (1.0f / 3) /* … and stretch to ⅓ em */
#define SPACE_MIN_EM 0.25f          /* Western spaces shrink to ¼ em */
#define SPACE_STRETCH_EM 0.5f       /* … and first stretch by up to ½ em */
#define GAP_STRETCH_EM 0.15f        /* inter-character stretch that counts as "normal" */
/* The most a justified line stretches: a gap between characters never opens
 * past ½ em, a Western space past its width plus 1 em; what is still
 * missing is left at the line's end.  The demerits keep such lines rare. */
#define GAP_MAX_EM 0.5f
#define SPACE_MAX_STRETCH_EM 1.0f

/* One cluster as a box, with the glue in front of it. */
typedef struct unit {
    float full;                 /* natural width of the box */
    float half;                 /* width when fully compressed */
    float half_dx;              /* glyph shift when fully compressed */
    float base;                 /* compression already applied, 0..1 */
    int shrink_class;           /* class of the box's own shrink, or -1 */
    int is_space;               /* a Western space or a space turned autospace */
    int trims;                  /* a space dropped at a line's edges (not a no-break space) */
    int line_end_half;          /* set half-width when it ends a line */
    float glue;                 /* autospace in front of the box */
    float glue_shrink, glue_stretch;
    float gap_stretch;          /* inter-character stretch of the gap in front */
    float space_stretch;        /* first-class stretch of a Western space */
    unsigned char brk;          /* BRK_* before this unit */
    float hyphen;               /* BRK_HYPHEN: width of the hyphen the line before ends with */
    int counts;                 /* a letter, digit or ideograph (for the last-line rule) */
} unit;

/* Prefix sums over units: width and each class's capacity. */
typedef struct sums {
    double width, shrink[NSHRINK], stretch[NSTRETCH];
} sums;

typedef struct model {
    const shaped_par *p;
    const compose_params *pr;
    int n;
    unit *u;
    sums *pre;                  /* pre[k]: sums of units [0, k) */
    int *kept_from;             /* [k]: the first unit at or after k that is not a
                                   trimmed space (n when none) */
    int *kept_to;               /* [k]: the end (exclusive) of the units before k once
                                   trailing trimmed spaces are dropped */
} model;

/* The em of cluster k: its font size. */
static float em_of(const shaped_par *p, int k)
{
    return p->faces[p->clusters[k].face].size;
}

/* 1 when cluster k is a letter or digit of a proportional script. */
static int is_latin(const shaped_par *p, int k)
{
    return k >= 0 && k < p->nclusters && p->clusters[k].cls == SC_LATIN;
}

/* 1 when cluster k is Han (or kana). */
static int is_han(const shaped_par *p, int k)
{
    return k >= 0 && k < p->nclusters && p->clusters[k].cls == SC_HAN;
}

/* 1 when Han–Latin spacing belongs between clusters a and b. */
static int han_latin_pair(const shaped_par *p, int a, int b)
{
    return (is_han(p, a) && is_latin(p, b)) || (is_latin(p, a) && is_han(p, b));
}

/* The shrink class of a compressible mark, or -1. */
static int punct_shrink_class(shape_punct k)
{
    switch (k) {
    case SP_OPEN: case SP_CLOSE: return SHRINK_BRACKET;
    case SP_PAUSE: return SHRINK_PAUSE;
    case SP_STOP: return SHRINK_STOP;
    default: return -1;
    }
}

/* 1 when the blank half of mark k faces the following text. */
static int blank_after(shape_punct k)
{
    return k == SP_CLOSE || k == SP_PAUSE || k == SP_STOP;
}

/* Set up the box of a punctuation cluster for the punctuation style. */
static void model_punct(model *m, int k)
{
    const shape_cluster *c = &m->p->clusters[k];
    unit *u = &m->u[k];
    if (c->half_width >= c->width)
        return; /* the font has no half-width form */
    u->half = c->half_width;
    u->half_dx = c->half_dx;
    if (m->pr->punctuation == PUNCT_BANJIAO) {
        u->base = 1;
        return;
    }
    if (m->pr->punctuation == PUNCT_QUANJIAO)
        return;
    u->shrink_class = punct_shrink_class(c->punct);
    u->line_end_half = blank_after(c->punct);
}

/* Kaiming: two adjacent marks take 1.5 em, the blank between them removed once. */
static void compress_pairs(model *m)
{
    if (m->pr->punctuation != PUNCT_KAIMING)
        return;
    for (int k = 1; k < m->n; k++) {
        unit *a = &m->u[k - 1], *b = &m->u[k];
        shape_punct ka = m->p->clusters[k - 1].punct, kb = m->p->clusters[k].punct;
        if (a->half >= a->full || b->half >= b->full)
            continue;
        if (blank_after(ka) && a->base == 0)
            a->base = 1;
        else if (kb == SP_OPEN)
            b->base = 1; /* runs of opening marks: each after the first */
    }
}

/* Set up the box of a space: Western space, or autospace between Han and Latin. */
static void model_space(model *m, int k)
{
    unit *u = &m->u[k];
    float em = em_of(m->p, k);
    u->is_space = 1;
    /* a no-break space is kept at a line's edge, as CSS keeps it: only
     * breakable spaces vanish there (and a run of them costs no search) */
    u->trims = m->p->text[m->p->clusters[k].text_start] != 0xA0;
    if (m->pr->autospace && han_latin_pair(m->p, k - 1, k + 1)) {
        /* the source's space and automatic spacing come out the same */
        u->full = u->half = AUTOSPACE_EM * em;
        u->glue_shrink = (AUTOSPACE_EM - AUTOSPACE_MIN_EM) * em;
        u->glue_stretch = (AUTOSPACE_MAX_EM - AUTOSPACE_EM) * em;
        u->gap_stretch = GAP_STRETCH_EM * em; /* the one gap it stands for */
        return;
    }
    u->shrink_class = SHRINK_SPACE;
    u->half = u->full > SPACE_MIN_EM * em ? SPACE_MIN_EM * em : u->full;
    u->space_stretch = SPACE_STRETCH_EM * em;
}

/* 1 when the gap before cluster k takes inter-character stretch. */
static int stretchable_gap(const shaped_par *p, int k)
{
    const shape_cluster *a = &p->clusters[k - 1], *b = &p->clusters[k];
    if (a->cls == SC_SPACE || b->cls == SC_SPACE || a->cls == SC_NEWLINE || b->cls == SC_NEWLINE)
        return 0; /* spaces stretch themselves */
    if (a->punct == SP_DASH && b->punct == SP_DASH)
        return 0; /* inside —— or …… */
    return a->cls == SC_HAN || a->cls == SC_PUNCT || b->cls == SC_HAN || b->cls == SC_PUNCT;
}

/* 1 when cluster k counts as a character for the last-line rule: not a mark of punctuation, ASCII or full-width. */
static int counts_as_character(const shaped_par *p, int k)
{
    const shape_cluster *c = &p->clusters[k];
    return c->cls == SC_HAN || c->cls == SC_LATIN ||
           (c->cls == SC_OTHER && !u_ispunct((UChar32)p->text[c->text_start]));
}

/* The break before cluster k: ICU's (brk_text), changed by what wordbreak found (kind). */
static unsigned char break_before(const model *m, int k, const unsigned char *brk_text,
                                  const unsigned char *kind)
{
    unsigned char icu = brk_text[m->p->clusters[k].text_start] ? BRK_ALLOWED : BRK_NONE;
    switch (kind[k]) {
    case WB_TOKEN: return icu ? icu : BRK_TOKEN;
    case WB_HYPHEN: return icu ? icu : BRK_HYPHEN;
    case WB_WITHDRAWN: return BRK_NONE;
    default: return icu;
    }
}

/* The advance of a hyphen in the face of cluster k, for a line that ends after k with one. */
static float hyphen_width(const shaped_par *p, int k)
{
    const shape_face *f = &p->faces[p->clusters[k].face];
    hb_codepoint_t g;
    if (!hb_font_get_nominal_glyph(f->font->hb, '-', &g))
        return 0;
    return (float)font_glyph_advance(f->font, g) * f->size / (float)f->font->upem;
}

/* Build the unit for cluster k (its box and the glue in front of it). */
static void model_unit(model *m, int k, const unsigned char *brk_text, const unsigned char *kind)
{
    const shape_cluster *c = &m->p->clusters[k];
    unit *u = &m->u[k];
    float em = em_of(m->p, k);
    *u = (unit){.full = c->width, .half = c->width, .shrink_class = -1,
                .brk = break_before(m, k, brk_text, kind), .counts = counts_as_character(m->p, k)};
    if (u->brk == BRK_HYPHEN && k > 0)
        u->hyphen = hyphen_width(m->p, k - 1);
    if (c->cls == SC_SPACE)
        model_space(m, k);
    else if (c->cls == SC_PUNCT)
        model_punct(m, k);
    if (k > 0 && m->pr->autospace && han_latin_pair(m->p, k - 1, k)) {
        u->glue = AUTOSPACE_EM * em;
        u->glue_shrink = (AUTOSPACE_EM - AUTOSPACE_MIN_EM) * em;
        u->glue_stretch = (AUTOSPACE_MAX_EM - AUTOSPACE_EM) * em;
    }
    if (k > 0 && !u->is_space && stretchable_gap(m->p, k))
        u->gap_stretch = GAP_STRETCH_EM * em;
}

/* The width a unit's box has before any line adjustment. */
static float base_width(const unit *u)
{
    return u->full - u->base * (u->full - u->half);
}

/* Add unit u's contributions to s. */
static void add_unit(sums *s, const unit *u)
{
    s->width += base_width(u) + u->glue;
    if (u->shrink_class >= 0)
        s->shrink[u->shrink_class] += (1 - u->base) * (u->full - u->half);
    s->shrink[SHRINK_AUTOSPACE] += u->glue_shrink;
    s->stretch[STRETCH_SPACE] += u->space_stretch;
    s->stretch[STRETCH_AUTOSPACE] += u->glue_stretch;
    s->stretch[STRETCH_GAP] += u->gap_stretch;
}

/* The glue in front of unit k as sums, to take off when k starts a line. */
static sums leading_glue(const unit *u)
{
    sums g = {0};
    g.width = u->glue;
    g.shrink[SHRINK_AUTOSPACE] = u->glue_shrink;
    g.stretch[STRETCH_AUTOSPACE] = u->glue_stretch;
    g.stretch[STRETCH_GAP] = u->gap_stretch;
    if (u->is_space) /* a space's own box counts as its glue */
        g = (sums){0};
    return g;
}

/*
 * Allow emergency breaks inside any stretch between two opportunities that
 * is wider than the measure, so an over-long word still stays inside it.
 */
static void add_emergency_breaks(model *m)
{
    float run = 0;
    int from = 0;
    for (int k = 0; k <= m->n; k++) {
        if (k == m->n || m->u[k].brk || m->p->clusters[k].cls == SC_NEWLINE) {
            if (run > m->pr->measure - m->pr->indent)
                for (int j = from + 1; j < k; j++)
                    m->u[j].brk = BRK_EMERGENCY;
            run = 0;
            from = k;
        }
        if (k < m->n)
            run += base_width(&m->u[k]) + m->u[k].glue;
    }
}

/* Build the units and prefix sums of paragraph p. */
static void model_build(model *m, composer *c, const shaped_par *p, const compose_params *pr)
{
    m->p = p;
    m->pr = pr;
    m->n = p->nclusters;
    m->u = pb_alloc(sizeof *m->u * (size_t)(m->n + 1));
    m->pre = pb_alloc(sizeof *m->pre * (size_t)(m->n + 1));
    unsigned char *brk_text = pb_alloc((size_t)p->text_n + 1);
    unsigned char *kind = pb_alloc((size_t)m->n + 1);
    compose_break_opportunities(c, p->text, p->text_n, pr->line_break, brk_text);
    wordbreak_find(c->hyph, p, pr->hyphenate, kind);
    for (int k = 0; k < m->n; k++)
        model_unit(m, k, brk_text, kind);
    free(brk_text);
    free(kind);
    compress_pairs(m);
    add_emergency_breaks(m);
    for (int k = 0; k < m->n; k++) {
        m->pre[k + 1] = m->pre[k];
        add_unit(&m->pre[k + 1], &m->u[k]);
    }
    /* where a line's edges land once spaces are trimmed, in O(1) per line
     * however long a run of spaces is */
    m->kept_from = pb_alloc(sizeof *m->kept_from * (size_t)(m->n + 1));
    m->kept_to = pb_alloc(sizeof *m->kept_to * (size_t)(m->n + 1));
    m->kept_from[m->n] = m->n;
    for (int k = m->n - 1; k >= 0; k--)
        m->kept_from[k] = m->u[k].trims ? m->kept_from[k + 1] : k;
    m->kept_to[0] = 0;
    for (int k = 1; k <= m->n; k++)
        m->kept_to[k] = m->u[k - 1].trims ? m->kept_to[k - 1] : k;
}

/* Free a model's arrays. */
static void model_free(model *m)
{
    free(m->u);
    free(m->pre);
    free(m->kept_from);
    free(m->kept_to);
}

/* ---- fitting one line ---------------------------------------------------- */

typedef struct line_fit {
    int start, end;             /* units drawn: spaces at the edges removed */
    sums total;                 /* natural width and capacities */
    int end_half;               /* the last mark is set half-width */
    int start_trim;             /* the first mark (an opening bracket) is trimmed */
    float hang;                 /* width of a hanging mark past the measure */
    float measure;
    float ratio;                /* as in compose_line */
    double badness;
    int overfull;
    int hyphen;                 /* the line ends at a hyphenation point: with a hyphen */
} line_fit;

/* Take a compressible unit's remaining compression out of f's totals. */
static void compress_edge(line_fit *f, const unit *u)
{
    float amount = (1 - u->base) * (u->full - u->half);
    f->total.width -= amount;
    if (u->shrink_class >= 0)
        f->total.shrink[u->shrink_class] -= amount;
}

/* The sums of the line [start, end) with its edges adjusted. */
static void line_totals(const model *m, line_fit *f)
{
    const unit *u = m->u;
    sums lead = leading_glue(&u[f->start]);
    f->total = m->pre[f->end];
    f->total.width -= m->pre[f->start].width + lead.width;
    for (int c = 0; c < NSHRINK; c++)
        f->total.shrink[c] -= m->pre[f->start].shrink[c] + lead.shrink[c];
    for (int c = 0; c < NSTRETCH; c++)
        f->total.stretch[c] -= m->pre[f->start].stretch[c] + lead.stretch[c];
    const unit *last = &u[f->end - 1], *first = &u[f->start];
    f->end_half = last->line_end_half && last->base < 1;
    if (f->end_half)
        compress_edge(f, last);
    int opens = m->p->clusters[f->start].punct == SP_OPEN && first->half < first->full &&
                first->base < 1 && f->end - f->start > 1;
    f->start_trim = opens && m->pr->trim_start;
    if (f->start_trim)
        compress_edge(f, first);
    else if (opens && first->shrink_class >= 0) /* it keeps its full width */
        f->total.shrink[first->shrink_class] -= first->full - first->half;
    uint32_t cp = m->p->text[m->p->clusters[f->end - 1].text_start];
    f->hang = 0;
    if (m->pr->hanging && (cp == 0x3001 || cp == 0xFF0C || cp == 0x3002) && f->end - f->start > 1) {
        f->hang = f->end_half || last->base >= 1 ? last->half : last->full;
        f->total.width -= f->hang;
    }
}

/* Sum of an array of capacities. */
static double total_of(const double *v, int n)
{
    double t = 0;
    for (int i = 0; i < n; i++)
        t += v[i];
    return t;
}

/* Fit the units [from, to) (before trimming spaces) into measure. */
static void fit_line(const model *m, int from, int to, float measure, int last, line_fit *f)
{
    int hyphen = to < m->n && m->u[to].brk == BRK_HYPHEN;
    from = m->kept_from[from] < to ? m->kept_from[from] : to;
    to = m->kept_to[to] > from ? m->kept_to[to] : from;
    *f = (line_fit){.start = from, .end = to, .measure = measure, .hyphen = hyphen};
    if (from == to)
        return;
    line_totals(m, f);
    if (hyphen)
        f->total.width += m->u[to].hyphen;
    double need = measure - f->total.width;
    if (need < 0) {
        /* only justified text shrinks: ragged and centred text breaks earlier */
        double cap = m->pr->align == ALIGN_JUSTIFY ? total_of(f->total.shrink, NSHRINK) : 0;
        f->overfull = -need > cap + 0.01;
        f->ratio = cap > 0 ? (float)(need / cap) : -1e6f;
    } else if (!last && m->pr->align == ALIGN_JUSTIFY) {
        double cap = total_of(f->total.stretch, NSTRETCH);
        f->ratio = cap > 0 ? (float)(need / cap) : (need > 0.01 ? 1e6f : 0);
    }
    /* TeX caps badness at 10000; here it goes on growing, so a line twice as
     * empty is worse rather than equally bad (a two-character line before a
     * long token must lose to a line that holds the token's first part) */
    double r = fabs(f->ratio) < 1000 ? fabs(f->ratio) : 1000;
    f->badness = 100 * r * r * r;
}

/* ---- total fit ------------------------------------------------------------- */

#define LINE_PENALTY 10.0
#define EMERGENCY_DEMERITS 1e6      /* a break between two letters with no break point */
#define TOKEN_DEMERITS 2000.0       /* a break inside a path, URL or identifier */
#define HYPHEN_DEMERITS 3000.0      /* a hyphenated line (TeX: \hyphenpenalty 50, squared) */
#define DOUBLE_HYPHEN_DEMERITS 10000.0  /* two hyphenated lines in a row (TeX's value) */
#define LONE_LAST_DEMERITS 1e7      /* a last line of one character */
#define OVERFULL_DEMERITS 1e9       /* nothing else was possible */
#define RAGGED_STRETCH 0.5          /* ragged lines: a half-empty line counts as ratio 1 */

/* The demerits a line pays for how it ends (at break to) after starting at break from. */
static double break_demerits(const model *m, int from, int to)
{
    if (to >= m->n)
        return 0;
    switch (m->u[to].brk) {
    case BRK_EMERGENCY: return EMERGENCY_DEMERITS;
    case BRK_TOKEN: return TOKEN_DEMERITS;
    case BRK_HYPHEN:
        return HYPHEN_DEMERITS + (from > 0 && m->u[from].brk == BRK_HYPHEN ? DOUBLE_HYPHEN_DEMERITS : 0);
    default: return 0;
    }
}

/* Demerits of the line f from break from to break to (ending a paragraph part when last). */
static double line_demerits(const model *m, const line_fit *f, int from, int to, int first_line,
                            int last)
{
    double b = f->badness;
    if (!last && m->pr->align != ALIGN_JUSTIFY && f->total.width <= f->measure) {
        /* ragged text: the emptier a line, the worse; shrinking keeps its badness */
        double r = (f->measure - f->total.width) / (RAGGED_STRETCH * f->measure);
        b = 100 * r * r * r;
    }
    double d = (LINE_PENALTY + b) * (LINE_PENALTY + b) + break_demerits(m, from, to);
    if (last && !first_line) {
        int letters = 0;
        for (int k = f->start; k < f->end; k++)
            letters += m->u[k].counts;
        if (letters <= 1)
            d += LONE_LAST_DEMERITS;
    }
    return d;
}

/* Dynamic-programming state of choose_breaks, over positions [from, to] of one part. */
typedef struct kp {
    int from;                   /* positions are stored at index position - from */
    double *demerits;           /* best total to reach a position (DBL_MAX: not reached) */
    int *prev;
    int *active, nactive;
} kp;

/* Try every active break as the start of a line ending before j. */
static void kp_reach(const model *m, kp *s, int from, int j, int last, float m0, float m1)
{
    int keep = 0, dropped = -1;
    double *dj = &s->demerits[j - s->from];
    for (int i = 0; i < s->nactive; i++) {
        int a = s->active[i];
        /* once j can be reached at all, a line less than half full is
         * never the better way: skip its fit, the composer's main cost */
        if (!last && *dj < DBL_MAX &&
            m->pre[j].width - m->pre[a].width < RAGGED_STRETCH * m1) {
            s->active[keep++] = a;
            continue;
        }
        line_fit f;
        fit_line(m, a, j, a == from ? m0 : m1, last, &f);
        if (f.overfull && f.end > f.start + 1) {
            dropped = a; /* longer lines from a only get worse */
            continue;
        }
        s->active[keep++] = a;
        double d = s->demerits[a - s->from] + line_demerits(m, &f, a, j, a == from, last);
        if (d < *dj) {
            *dj = d;
            s->prev[j - s->from] = a;
        }
    }
    s->nactive = keep;
    if (keep == 0 && dropped >= 0) { /* no way on but an overfull line */
        *dj = s->demerits[dropped - s->from] + OVERFULL_DEMERITS;
        s->prev[j - s->from] = dropped;
    }
}

/*
 * Choose the breaks of the part [from, to) by total fit.  Returns the line
 * starts in order (malloc'd, *n of them); m0 is the first line's measure.
 * The state covers only this part, so a paragraph of many forced breaks
 * costs time in proportion to its length, not its length squared.
 */
static int *choose_breaks(const model *m, int from, int to, float m0, float m1, int *n)
{
    size_t len = (size_t)(to - from) + 1;
    kp s = {from, pb_alloc(sizeof(double) * len), pb_alloc(sizeof(int) * len),
            pb_alloc(sizeof(int) * len), 0};
    for (size_t i = 0; i < len; i++) {
        s.demerits[i] = DBL_MAX;
        s.prev[i] = from;
    }
    s.demerits[0] = 0;
    s.active[s.nactive++] = from;
    for (int j = from + 1; j <= to; j++) {
        if (j < to && m->u[j].brk == BRK_NONE)
            continue;
        kp_reach(m, &s, from, j, j == to, m0, m1);
        if (s.demerits[j - from] < DBL_MAX && j < to)
            s.active[s.nactive++] = j;
    }
    int count = 0;
    for (int j = to; j != from; j = s.prev[j - from])
        count++;
    int *starts = pb_alloc(sizeof *starts * (size_t)(count + 1));
    *n = count;
    for (int j = to, i = count; j != from; j = s.prev[j - from])
        starts[--i] = s.prev[j - from];
    free(s.demerits);
    free(s.prev);
    free(s.active);
    return starts;
}

/* ---- setting a line -------------------------------------------------------- */

/* How far each class is used on a line: shrink and stretch fractions. */
typedef struct usage {
    float shrink[NSHRINK], stretch[NSTRETCH];
    float offset;               /* alignment offset of the whole line */
} usage;

/* Use up need from the classes in order, each to its capacity; returns what is left. */
static double use_in_order(double need, const double *cap, float *frac, int n)
{
    for (int c = 0; c < n && need > 0; c++) {
        if (cap[c] <= 0)
            continue;
        double take = need < cap[c] ? need : cap[c];
        frac[c] = (float)(take / cap[c]);
        need -= take;
    }
    return need;
}

/* Stretch a class of capacity cap further, up to max_frac of it; returns what is still needed. */
static double stretch_up_to(double need, double cap, double max_frac, float *frac)
{
    if (cap <= 0 || need <= 0)
        return need;
    double room = cap * (max_frac - *frac);
    double take = need < room ? need : room > 0 ? room : 0;
    *frac += (float)(take / cap);
    return need - take;
}

/* Decide how a line reaches its measure: priority order, then alignment. */
static usage line_usage(const model *m, const line_fit *f, int last)
{
    usage g = {0};
    double need = f->measure - f->total.width;
    if (need < 0) {
        use_in_order(-need, f->total.shrink, g.shrink, NSHRINK);
        return g;
    }
    if (!last && m->pr->align == ALIGN_JUSTIFY) {
        /* spaces and Han–Latin spacing to their limits, then every gap alike up
         * to ½ em, then spaces further; what is still missing stays at the end */
        need = use_in_order(need, f->total.stretch, g.stretch, STRETCH_GAP);
        need = stretch_up_to(need, f->total.stretch[STRETCH_GAP], GAP_MAX_EM / GAP_STRETCH_EM,
                             &g.stretch[STRETCH_GAP]);
        need = stretch_up_to(need, f->total.stretch[STRETCH_SPACE],
                             1 + SPACE_MAX_STRETCH_EM / SPACE_STRETCH_EM, &g.stretch[STRETCH_SPACE]);
    }
    if (need > 0 && m->pr->align == ALIGN_CENTER)
        g.offset = (float)(need / 2);
    else if (need > 0 && m->pr->align == ALIGN_RIGHT)
        g.offset = (float)need;
    return g;
}

/* How far unit k is compressed on the line (0 full width … 1 half width). */
static float compression(const model *m, const line_fit *f, const usage *g, int k)
{
    const unit *u = &m->u[k];
    float c = u->base;
    if ((k == f->end - 1 && f->end_half) || (k == f->start && f->start_trim))
        c = 1;
    else if (k == f->start && m->p->clusters[k].punct == SP_OPEN)
        return c; /* shrinking it would pull its ink past the line start */
    if (c < 1 && u->shrink_class >= 0 && !u->is_space)
        c += (1 - c) * g->shrink[u->shrink_class];
    return c;
}

/* The width unit k is set at on the line, with compression c. */
static float set_width(const unit *u, const usage *g, float c)
{
    if (!u->is_space)
        return u->full - c * (u->full - u->half);
    if (u->shrink_class < 0) /* a space set as Han–Latin spacing */
        return u->full - g->shrink[SHRINK_AUTOSPACE] * u->glue_shrink +
               g->stretch[STRETCH_AUTOSPACE] * u->glue_stretch;
    return u->full - g->shrink[SHRINK_SPACE] * (u->full - u->half) +
           g->stretch[STRETCH_SPACE] * u->space_stretch;
}

/* The glue in front of unit u as set: a space's own spacing is its width. */
static float glue_in_front(const unit *u, const usage *g)
{
    float gap = g->stretch[STRETCH_GAP] * u->gap_stretch;
    if (u->is_space)
        return gap;
    return u->glue - g->shrink[SHRINK_AUTOSPACE] * u->glue_shrink +
           g->stretch[STRETCH_AUTOSPACE] * u->glue_stretch + gap;
}

/* Set the x position and width of every unit of line f. */
static void place_line(const model *m, const line_fit *f, int last, composed_par *cp,
                       compose_line *ln)
{
    usage g = line_usage(m, f, last);
    float x = g.offset;
    for (int k = f->start; k < f->end; k++) {
        const unit *u = &m->u[k];
        if (k > f->start)
            x += glue_in_front(u, &g);
        float c = compression(m, f, &g, k);
        cp->advance[k] = set_width(u, &g, c);
        cp->x[k] = x + c * u->half_dx;
        x += cp->advance[k];
    }
    float hyphen = f->hyphen ? m->u[f->end].hyphen : 0;
    *ln = (compose_line){.start = f->start, .end = f->end, .hyphen = f->hyphen,
                         .width = x - g.offset - f->hang + hyphen, .ratio = f->ratio};
    if (f->end < m->n && m->u[f->end].brk == BRK_EMERGENCY && !last)
        cp->forced_breaks++;
    if (ln->width > cp->max_width)
        cp->max_width = ln->width;
}

/* ---- paragraphs ------------------------------------------------------------- */

/* Defaults for params: justified, strict, kaiming, autospace on. */
compose_params compose_default_params(float measure)
{
    return (compose_params){.measure = measure, .align = ALIGN_JUSTIFY,
                            .line_break = LINE_BREAK_STRICT, .punctuation = PUNCT_KAIMING,
                            .autospace = 1, .hyphenate = 1};
}

/* Append a line to cp and return it. */
static compose_line *add_line(composed_par *cp)
{
    pb_grow(&cp->lines, &cp->lines_cap, cp->nlines + 1, sizeof *cp->lines);
    return &cp->lines[cp->nlines++];
}

/* Break and set the part [from, to) of a paragraph (no forced break inside). */
static void compose_part(const model *m, int from, int to, float measure, composed_par *cp)
{
    float m0 = measure - (from == 0 ? m->pr->indent : 0);
    int n, *starts = choose_breaks(m, from, to, m0, measure, &n);
    for (int i = 0; i < n; i++) {
        int end = i + 1 < n ? starts[i + 1] : to;
        line_fit f;
        fit_line(m, starts[i], end, i == 0 ? m0 : measure, i + 1 == n, &f);
        place_line(m, &f, i + 1 == n, cp, add_line(cp));
    }
    if (n == 0)
        *add_line(cp) = (compose_line){.start = from, .end = from};
    free(starts);
}

/* Compose the whole paragraph at one measure, forced breaks ending parts. */
static void compose_at(const model *m, float measure, composed_par *cp)
{
    cp->nlines = 0;
    cp->max_width = 0;
    cp->forced_breaks = 0;
    int from = 0;
    for (int k = 0; k <= m->n; k++)
        if (k == m->n || m->p->clusters[k].cls == SC_NEWLINE) {
            compose_part(m, from, k, measure, cp);
            from = k + 1;
        }
}

/* The most any line of cp is shrunk (0 when none is). */
static float most_shrunk(const composed_par *cp)
{
    float r = 0;
    for (int i = 0; i < cp->nlines; i++)
        if (cp->lines[i].ratio < r)
            r = cp->lines[i].ratio;
    return r;
}

/*
 * Centred text: the narrowest measure that keeps the same number of lines
 * without squeezing them harder than the full measure did.
 */
static void balance(const model *m, composed_par *cp)
{
    int want = cp->nlines;
    float squeeze = most_shrunk(cp) - 0.001f;
    float lo = m->pr->measure / (float)(want + 1), hi = m->pr->measure;
    for (int iter = 0; iter < 16 && hi - lo > 0.5f; iter++) {
        float mid = (lo + hi) / 2;
        compose_at(m, mid, cp);
        if (cp->nlines > want || most_shrunk(cp) < squeeze)
            lo = mid;
        else
            hi = mid;
    }
    compose_at(m, hi, cp);
    /* centre the balanced lines on the full measure */
    float shift = (m->pr->measure - hi) / (m->pr->align == ALIGN_CENTER ? 2 : 1);
    if (m->pr->align == ALIGN_CENTER || m->pr->align == ALIGN_RIGHT)
        for (int k = 0; k < m->n; k++)
            cp->x[k] += shift;
}

/* 1 when a composition has a line stretched past its normal capacity, or a word cut. */
static int needs_hyphenation(const composed_par *cp)
{
    for (int i = 0; i < cp->nlines; i++)
        if (cp->lines[i].ratio > 1)
            return 1;
    return cp->forced_breaks > 0;
}

/* Break and justify a shaped paragraph. */
composed_par *compose_paragraph(composer *c, const shaped_par *p, const compose_params *pr)
{
    composed_par *cp = pb_alloc(sizeof *cp);
    cp->x = pb_alloc(sizeof *cp->x * (size_t)(p->nclusters + 1));
    cp->advance = pb_alloc(sizeof *cp->advance * (size_t)(p->nclusters + 1));
    /* As TeX does: a first pass without hyphenation, and a second with it
     * only when the first left a line spaced out past its normal stretch
     * (or had to cut a word): most paragraphs never need the patterns,
     * whose loading alone costs 40 ms. */
    compose_params first = *pr;
    first.hyphenate = 0;
    model m;
    model_build(&m, c, p, &first);
    compose_at(&m, pr->measure, cp);
    if (pr->hyphenate && needs_hyphenation(cp)) {
        model_free(&m);
        model_build(&m, c, p, pr);
        compose_at(&m, pr->measure, cp);
    }
    if (pr->balance && cp->nlines > 1)
        balance(&m, cp);
    model_free(&m);
    return cp;
}

/* Free a composed paragraph. */
void composed_par_free(composed_par *cp)
{
    if (!cp)
        return;
    free(cp->lines);
    free(cp->x);
    free(cp->advance);
    free(cp);
}
