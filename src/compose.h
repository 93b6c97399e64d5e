/*
 * compose.h: the paragraph composer, shaped clusters → lines.
 *
 * The composer sets Chinese text to the rules of W3C CLREQ and GB/T 15834
 * (see ../shared/design.md §3).  It turns every cluster into a box and every
 * place where space may grow or shrink into glue, each with its own class:
 * Western spaces, Han–Latin spacing (¼ em, inserted automatically),
 * compressible punctuation and the gaps between characters.  Break
 * opportunities come from ICU (UAX #14 at the chosen strictness) with the
 * CLREQ prohibitions on top.  Breaks are chosen by Knuth–Plass total fit
 * over the whole paragraph; a line shrinks or stretches its classes in the
 * CLREQ priority order, using a later class only when the earlier ones are
 * exhausted.  A last line of a single character is avoided, and centred
 * text is balanced.
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
    style_line_break line_break;
    style_punct punctuation;
    int trim_start;             /* opening bracket at a line start loses ½ em */
    int hanging;                /* 、，。 at a line end hang past the measure */
    int autospace;              /* ¼ em between Han and Latin letters/digits */
    int hyphenate;              /* English words may break with a hyphen */
} compose_params;

/* Defaults for params: justified, strict, kaiming, autospace on. */
compose_params compose_default_params(float measure);

typedef struct compose_line {
    int start, end;             /* clusters [start, end) drawn on this line */
    int hyphen;                 /* the line ends inside a word: draw a hyphen after it */
    float width;                /* set width, points (hanging marks excluded) */
    float ratio;                /* <0 shrunk, >0 stretched, as a fraction of capacity */
} compose_line;

typedef struct composed_par {
    int nlines, lines_cap;
    compose_line *lines;
    float *x;                   /* per cluster: pen x of its first glyph from the line's left edge */
    float *advance;             /* per cluster: the width it was set at */
    float max_width;            /* widest line, for shrink-wrapped boxes */
    int forced_breaks;          /* lines broken inside a word with no break point
                                   (wider than the measure): the caller warns */
} composed_par;

/* Create a composer; ICU iterators are opened when first needed. */
composer *composer_new(pb_ctx *ctx);
/* 1 when the composer could not work as it should (ICU missing; reported): the lines are not to be trusted. */
int composer_failed(const composer *c);
/* Free a composer. */
void composer_free(composer *c);

/* Break and justify a shaped paragraph; never NULL. */
composed_par *compose_paragraph(composer *c, const shaped_par *p, const compose_params *params);

/* Free a composed paragraph. */
void composed_par_free(composed_par *cp);

/*
 * Break opportunities for text (UTF-32, n code points) at a strictness
 * level: sets brk[i] to 1 when a line may break before text[i] (brk[0] is
 * always 0).  Exposed for the unit tests of the CLREQ rules.
 */
void compose_break_opportunities(composer *c, const uint32_t *text, int n,
                                 style_line_break level, unsigned char *brk);

#endif
