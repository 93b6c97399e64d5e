/*
 * label.h: shaped text into display-list glyph runs, for body lines and
 * for every piece of generated text.
 *
 * label_emit() turns clusters of a shaped paragraph, at the x positions
 * the composer gave them, into one glyph run; layout uses it for every
 * line.  label_add() sets a short line of generated text that no composer
 * justifies (a printer's slug line) through exactly the path body text
 * takes: the style's font-family fallback chain, the missing-glyph policy
 * and HarfBuzz shaping (shape.h), so no text reaches a page any other way.
 *
 * Ownership: runs are appended to the page, which owns them; fonts are
 * borrowed from the context's cache.
 */
#ifndef PAIBAN_LABEL_H
#define PAIBAN_LABEL_H

#include "dl.h"
#include "shape.h"

/*
 * Append clusters [from, to) of sp as one glyph run (they share a face):
 * cluster k's pen starts at x0 + x[k], on the baseline.  Returns the run.
 */
dl_glyph_run *label_emit(dl_page *pg, const shaped_par *sp, const float *x, int from, int to,
                         float x0, float baseline);

/*
 * Append the hyphen that ends a line broken inside a word: in the face of
 * cluster k of sp, its pen at (x, baseline), marked as added (it stands for
 * no text of the source).
 */
void label_hyphen(dl_page *pg, const shaped_par *sp, int k, float x, float baseline);

/*
 * Set utf8 in style s (family chain, size, colour) at its natural width,
 * its pen starting at (x, baseline): one run per face.  0, or -1 when no
 * font of the chain can be found (reported).  The runs get colour color.
 */
int label_add(pb_ctx *ctx, dl_page *pg, const style *s, const char *utf8, float x, float baseline,
              dl_color color);

#endif
