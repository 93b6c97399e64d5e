/*
 * impose.h: mapping logical pages onto physical sheets.
 *
 * Imposition never lays text out again: it only decides which page of the
 * display list goes where on which sheet (one PDF page), and adds printer's
 * marks.  Two modes exist:
 *   IMPOSE_NONE    one sheet per page: the trimmed page plus its bleed, and
 *                  with marks a margin around the bleed for crop marks and a
 *                  slug line (file name and page);
 *   IMPOSE_NUP     n pages side by side (2: across an A4 landscape sheet, 4: two
 *                  by two on A4 portrait) with cut marks between them, for an
 *                  office printer; a document shorter than n pages is repeated,
 *                  so one sheet gives n copies of a one-page handout;
 *   IMPOSE_CONTACT every page small on one sheet (more when they do not fit),
 *                  spreads side by side as a reader sees them, each page framed
 *                  and numbered: a proof to look at, not to print;
 *   IMPOSE_SADDLE  2-up printer's spreads for a saddle-stitched booklet: the
 *                  page count is padded with blanks at the end to a multiple
 *                  of 4 and the pages ordered so that the sheets, printed
 *                  duplex (flipped on the short edge), stacked and folded,
 *                  give the booklet: paper k (0 = outermost) carries pages
 *                  (N-2k, 2k+1) on its front and (2k+2, N-2k-1) on its back,
 *                  1-based, N the padded count.  Front and back are
 *                  consecutive sheets.  With creep, every page of paper k
 *                  moves k * creep toward the fold.
 *
 * Every sheet has a TrimBox (the page, or the spread of two pages) and a
 * BleedBox (the trim plus the pages' bleed, cut at the sheet edge).  In a
 * spread each page shows its bleed on its outer edges only: at the fold it
 * is cut at the trim.
 *
 * Marks (crop marks at the trim corners and fold marks, all outside the
 * BleedBox, and the slug line) are a dl_page per sheet in sheet coordinates,
 * drawn over the pages; the PDF writer paints them in registration colour.
 * The slug is set by label.h in Noto Sans CJK SC (then Serif), through the
 * same font fallback, missing-glyph policy and shaping as all other text.
 *
 * Ownership: an impose_result owns its sheets and their mark pages; it
 * borrows the dl_document, which must outlive it, and the fonts come from
 * the context's cache.
 */
#ifndef PAIBAN_IMPOSE_H
#define PAIBAN_IMPOSE_H

#include "dl.h"

typedef enum impose_mode { IMPOSE_NONE, IMPOSE_SADDLE, IMPOSE_NUP, IMPOSE_CONTACT } impose_mode;

/* Crop and fold marks: gap beyond the BleedBox, length and line width (points). */
#define IMPOSE_MM (72.0f / 25.4f)
#define IMPOSE_MARK_GAP (3 * IMPOSE_MM)
#define IMPOSE_MARK_LEN (5 * IMPOSE_MM)
#define IMPOSE_MARK_WIDTH 0.25f
/* Room around the BleedBox that marks need: gap, mark, and 1 mm to spare. */
#define IMPOSE_MARK_MARGIN (IMPOSE_MARK_GAP + IMPOSE_MARK_LEN + 1 * IMPOSE_MM)

typedef struct impose_options {
    impose_mode mode;
    int marks;                  /* draw crop (and fold) marks and a slug line */
    float sheet_width;          /* SADDLE: sheet size in points (0: A4 landscape) */
    float sheet_height;
    float creep;                /* SADDLE: shift toward the fold per paper from
                                   the outermost one, points (>= 0) */
    int nup;                    /* NUP: pages per sheet, 2 or 4 */
    const char *slug_name;      /* file name printed in the slug line; NULL: the
                                   output's base name */
    const char *output;         /* the output file, for diagnostics; may be NULL */
} impose_options;

typedef struct impose_result {
    int nsheets;
    dl_sheet *sheets;       /* owned */
    int logical_pages;          /* the document's pages before padding */
    int padded_pages;           /* SADDLE: a multiple of 4; else logical_pages */
    dl_document *marks;         /* owned: one page of marks per sheet, or NULL */
} impose_result;

/*
 * Map the document's pages onto sheets.  Returns NULL with an error
 * reported (pages of different sizes in a booklet, a spread larger than
 * the sheet, no font for the slug).  A sheet too small for the bleed or the
 * marks gives a warning; the bleed is then cut at the sheet edge and the
 * marks are left out.
 */
impose_result *impose_pages(pb_ctx *ctx, const dl_document *doc, const impose_options *opts);


/* Free an imposition. */
void impose_free(impose_result *r);

#endif
