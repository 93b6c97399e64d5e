/*
 * compose.h: the paragraph composer, shaped clusters → lines.
 *
 * The composer finds line-break opportunities with ICU (UAX #14, locale
 * zh, strict), removes those that the CLREQ prohibition rules forbid (no
 * closing mark at a line start, no opening mark at a line end, no split
 * inside ——/……), chooses breaks, and justifies each line by spreading the
 * spare width over the gaps between clusters.  Gaps inside a Latin word
 * are never stretched.  This version breaks first-fit; the interface is
 * shaped for a total-fit composer (issue 3) to replace it.
 *
 * Ownership: a composer holds ICU state for a whole run (create one, use
 * it for every paragraph).  A composed_par owns its line and position
 * arrays and borrows nothing: it is read together with the shaped_par it
 * was made from.
 */
#ifndef PAIBAN_COMPOSE_H
#define PAIBAN_COMPOSE_H

#include "shape.h"

typedef struct composer composer;

typedef struct compose_params {
    float measure;              /* line width, points */
    float indent;               /* extra space before the first line */
    style_align align;
    int balance;                /* make all lines about equally long (headings) */
} compose_params;

typedef struct compose_line {
    int start, end;             /* clusters [start, end) drawn on this line */
    float width;                /* width after justification, points */
} compose_line;

typedef struct composed_par {
    int nlines, lines_cap;
    compose_line *lines;
    float *x;                   /* per cluster: x offset from the line's left edge */
    float max_width;            /* widest line, for shrink-wrapped boxes */
} composed_par;

/* Create a composer (opens the ICU line-break iterator). */
composer *composer_new(pb_ctx *ctx);
/* Free a composer. */
void composer_free(composer *c);

/* Break and justify a shaped paragraph; never NULL for valid input. */
composed_par *compose_paragraph(composer *c, const shaped_par *p, const compose_params *params);

/* Free a composed paragraph. */
void composed_par_free(composed_par *cp);

/*
 * Break opportunities for text (UTF-32, n code points): sets brk[i] to 1
 * when a line may break before text[i] (brk[0] is always 0).  Exposed for
 * the unit tests of the CLREQ rules.
 */
void compose_break_opportunities(composer *c, const uint32_t *text, int n, unsigned char *brk);

#endif
