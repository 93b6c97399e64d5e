/*
 * hyphenate.h: where an English word may be hyphenated.
 *
 * Liang's patterns through libhyphen (Debian's libhyphen, the patterns of
 * the hyphen-en-us package, also used by LibreOffice): HarfBuzz and ICU
 * do not hyphenate.  The dictionary is loaded on the first word and kept;
 * when it cannot be found, one warning says so and words are not
 * hyphenated.
 *
 * Ownership: a hyphenator owns its dictionary; create one per run.
 */
#ifndef PAIBAN_HYPHENATE_H
#define PAIBAN_HYPHENATE_H

#include "ctx.h"

#include <stdint.h>

/* The patterns: US English, from the hyphen-en-us package. */
#define HYPHENATE_PATTERNS "/usr/share/hyphen/hyph_en_US.dic"

typedef struct hyphenator hyphenator;

/* Create a hyphenator; the patterns are read when first needed. */
hyphenator *hyphenator_new(pb_ctx *ctx);
/* Free it and its dictionary. */
void hyphenator_free(hyphenator *h);

/*
 * Mark where the word text[0..n) (ASCII letters) may take a hyphen: sets
 * at[i] = 1 when a line may end with a hyphen after text[i - 1] and go on
 * with text[i], leaving at least left letters before and right after.
 * Returns the number of points marked.
 */
int hyphenate_word(hyphenator *h, const uint32_t *text, int n, int left, int right,
                   unsigned char *at);

#endif
