/* compose.c: break opportunities (ICU + CLREQ), first-fit breaking, justification. */
#include "compose.h"

#include <stdlib.h>
#include <string.h>
#include <unicode/ubrk.h>
#include <unicode/utf16.h>

struct composer {
    pb_ctx *ctx;
    UBreakIterator *lines;      /* UAX #14, zh, strict */
};

/* CLREQ: marks that may not start a line (GB/T 15834 and W3C CLREQ). */
static const uint32_t NOT_AT_START[] = {
    0x3001, 0x3002, 0xFF0C, 0xFF0E, 0xFF1A, 0xFF1B, 0xFF01, 0xFF1F, 0x203C, 0x2047,
    0x201D, 0x2019, 0xFF09, 0x300B, 0x3009, 0x300D, 0x300F, 0x3011, 0x3017, 0x3015,
    0xFF3D, 0xFF5D, 0xFF5E, 0x2013, 0x00B7, 0x30FB, 0xFF65,
    0x2014, 0x2026, /* strict: —— and …… do not start a line either */
    0};
/* CLREQ: marks that may not end a line. */
static const uint32_t NOT_AT_END[] = {
    0x201C, 0x2018, 0xFF08, 0x300A, 0x3008, 0x300C, 0x300E, 0x3010, 0x3016, 0x3014,
    0xFF3B, 0xFF5B, 0};

/* 1 when cp is in the zero-terminated set. */
static int in_set(const uint32_t *set, uint32_t cp)
{
    for (; *set; set++)
        if (*set == cp)
            return 1;
    return 0;
}

/* Create a composer (opens the ICU line-break iterator). */
composer *composer_new(pb_ctx *ctx)
{
    composer *c = pb_alloc(sizeof *c);
    c->ctx = ctx;
    UErrorCode err = U_ZERO_ERROR;
    c->lines = ubrk_open(UBRK_LINE, "zh@lb=strict", NULL, 0, &err);
    if (U_FAILURE(err)) {
        fprintf(stderr, "paiban: fatal: ICU line breaking is unavailable (%s)\n", u_errorName(err));
        exit(2);
    }
    return c;
}

/* Free a composer. */
void composer_free(composer *c)
{
    if (!c)
        return;
    ubrk_close(c->lines);
    free(c);
}

/* ICU's opportunities, then the CLREQ prohibitions on top. */
void compose_break_opportunities(composer *c, const uint32_t *text, int n, unsigned char *brk)
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
    to32[len] = n;
    memset(brk, 0, (size_t)n);
    UErrorCode err = U_ZERO_ERROR;
    ubrk_setText(c->lines, u16, len, &err);
    for (int b = ubrk_following(c->lines, 0); b != UBRK_DONE && b < len; b = ubrk_next(c->lines))
        brk[to32[b]] = 1;
    for (int i = 1; i < n; i++)
        if (in_set(NOT_AT_START, text[i]) || in_set(NOT_AT_END, text[i - 1]) ||
            (text[i] == text[i - 1] && (text[i] == 0x2014 || text[i] == 0x2026)))
            brk[i] = 0;
    ubrk_setText(c->lines, NULL, 0, &err); /* drop the pointer to u16 */
    free(u16);
    free(to32);
}

/* 1 when the gap before cluster k may take justification space. */
static int stretchable_gap(const shaped_par *p, int k)
{
    const shape_cluster *a = &p->clusters[k - 1], *b = &p->clusters[k];
    uint32_t ca = p->text[a->text_start], cb = p->text[b->text_start];
    if (ca == cb && (ca == 0x2014 || ca == 0x2026))
        return 0; /* inside —— or …… */
    return a->cls == SC_HAN || a->cls == SC_PUNCT || a->cls == SC_SPACE ||
           b->cls == SC_HAN || b->cls == SC_PUNCT || b->cls == SC_SPACE;
}

/* Append a line [start, end) to cp. */
static void add_line(composed_par *cp, int start, int end)
{
    pb_grow(&cp->lines, &cp->lines_cap, cp->nlines + 1, sizeof *cp->lines);
    cp->lines[cp->nlines++] = (compose_line){start, end, 0};
}

/*
 * Choose where the line that starts at start ends (first fit): the last
 * allowed break that fits, else the last cluster that fits.  Returns the
 * end; *next is where the following line starts.
 */
static int fit_line(const shaped_par *p, const unsigned char *brk_before, int start,
                    float measure, int *next)
{
    float width = 0;
    int last_break = -1;
    for (int j = start; j < p->nclusters; j++) {
        const shape_cluster *c = &p->clusters[j];
        if (c->cls == SC_NEWLINE) {
            *next = j + 1;
            return j;
        }
        if (j > start && brk_before[j])
            last_break = j;
        if (c->cls != SC_SPACE && width + c->width > measure + 0.01f && j > start) {
            int end = last_break > start ? last_break : j;
            *next = end;
            return end;
        }
        width += c->width;
    }
    *next = p->nclusters;
    return p->nclusters;
}

/* Set x positions for one line and justify or align it within measure. */
static void place_line(const shaped_par *p, composed_par *cp, compose_line *ln,
                       float measure, style_align align, int last)
{
    int end = ln->end;
    while (end > ln->start && p->clusters[end - 1].cls == SC_SPACE)
        end--; /* trailing spaces hang invisibly */
    float natural = 0;
    int gaps = 0;
    for (int k = ln->start; k < end; k++) {
        natural += p->clusters[k].width;
        gaps += k > ln->start && stretchable_gap(p, k);
    }
    float extra = measure - natural, per_gap = 0, offset = 0;
    if (align == ALIGN_JUSTIFY && !last && gaps > 0 && extra > 0)
        per_gap = extra / (float)gaps;
    else if (align == ALIGN_CENTER && extra > 0)
        offset = extra / 2;
    else if (align == ALIGN_RIGHT && extra > 0)
        offset = extra;
    float x = offset;
    for (int k = ln->start; k < ln->end; k++) {
        if (k > ln->start && stretchable_gap(p, k))
            x += per_gap;
        cp->x[k] = x;
        x += p->clusters[k].width;
    }
    ln->end = end;
    ln->width = natural + per_gap * (float)gaps;
    if (ln->width > cp->max_width)
        cp->max_width = ln->width;
}

/* Break into lines at the given measure (first line narrower by indent). */
static void break_lines(const shaped_par *p, const unsigned char *brk_before,
                        const compose_params *pr, float measure, composed_par *cp)
{
    cp->nlines = 0;
    int start = 0;
    while (start < p->nclusters || cp->nlines == 0) {
        while (cp->nlines > 0 && start < p->nclusters && p->clusters[start].cls == SC_SPACE)
            start++; /* a space at a line start is dropped */
        float m = measure - (cp->nlines == 0 ? pr->indent : 0);
        int next, end = fit_line(p, brk_before, start, m, &next);
        add_line(cp, start, end);
        if (next >= p->nclusters)
            break;
        start = next;
    }
}

/* The narrowest measure that keeps the same number of lines (balancing). */
static float balanced_measure(const shaped_par *p, const unsigned char *brk,
                              const compose_params *pr, composed_par *cp)
{
    int want = cp->nlines;
    float lo = pr->measure / (float)(want + 1), hi = pr->measure;
    for (int iter = 0; iter < 16 && hi - lo > 0.5f; iter++) {
        float mid = (lo + hi) / 2;
        break_lines(p, brk, pr, mid, cp);
        if (cp->nlines > want)
            lo = mid;
        else
            hi = mid;
    }
    return hi;
}

/* Break and justify a shaped paragraph. */
composed_par *compose_paragraph(composer *c, const shaped_par *p, const compose_params *pr)
{
    composed_par *cp = pb_alloc(sizeof *cp);
    cp->x = pb_alloc(sizeof *cp->x * (size_t)(p->nclusters + 1));
    unsigned char *brk_text = pb_alloc((size_t)p->text_n + 1);
    unsigned char *brk = pb_alloc((size_t)p->nclusters + 1);
    compose_break_opportunities(c, p->text, p->text_n, brk_text);
    for (int k = 0; k < p->nclusters; k++)
        brk[k] = brk_text[p->clusters[k].text_start];
    break_lines(p, brk, pr, pr->measure, cp);
    if (pr->balance && cp->nlines > 1)
        break_lines(p, brk, pr, balanced_measure(p, brk, pr, cp), cp);
    for (int i = 0; i < cp->nlines; i++) {
        int end = cp->lines[i].end;
        int forced = end < p->nclusters && p->clusters[end].cls == SC_NEWLINE;
        place_line(p, cp, &cp->lines[i], pr->measure - (i == 0 ? pr->indent : 0),
                   pr->align, i == cp->nlines - 1 || forced);
    }
    free(brk_text);
    free(brk);
    return cp;
}

/* Free a composed paragraph. */
void composed_par_free(composed_par *cp)
{
    if (!cp)
        return;
    free(cp->lines);
    free(cp->x);
    free(cp);
}
