/*
 * wordbreak.h: where a line may break inside a word or a technical token.
 *
 * ICU's line breaking (UAX #14) keeps a path, a URL, an option such as
 * --max-pages or an identifier such as QUEUE_RUNNER whole, so a long one
 * either leaves a near-empty line before it or is cut between any two
 * letters.  This module adds the break points a typesetter uses there, in
 * the conventions of LaTeX's url/xurl packages and the Chicago Manual of
 * Style: inside a technical token after '/', and before '.', '?', '#', '&',
 * '=', '_' and '-' (a '-' then starts the next line, so it cannot be taken
 * for a hyphen; ICU's break after it is withdrawn).  No character is added
 * at such a break.  English words outside technical tokens get
 * hyphenation points (hyphenate.h), where the line ends with an added
 * hyphen.  The composer charges both with demerits, so they are used only
 * when they make the paragraph better.
 *
 * Ownership: nothing is kept; the hyphenator is borrowed.
 */
#ifndef PAIBAN_WORDBREAK_H
#define PAIBAN_WORDBREAK_H

#include "hyphenate.h"
#include "shape.h"

/* What may happen before a cluster, beyond ICU's opportunities. */
typedef enum wordbreak_kind {
    WB_SAME,                    /* nothing to add or take away */
    WB_TOKEN,                   /* a break point inside a technical token */
    WB_HYPHEN,                  /* a hyphenation point: the line ends with a hyphen */
    WB_WITHDRAWN                /* ICU allows a break here that a token must not take */
} wordbreak_kind;

/* The fewest letters a hyphenated word keeps before and after the break (TeX's English values). */
enum { WORDBREAK_LEFT = 2, WORDBREAK_RIGHT = 3 };

/*
 * Fill kind[0..p->nclusters) for the clusters of p: token break points
 * everywhere, hyphenation points too when hyphenate is set.
 */
void wordbreak_find(hyphenator *h, const shaped_par *p, int hyphenate, unsigned char *kind);

#endif
