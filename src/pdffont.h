/*
 * pdffont.h: our own CID-keyed fonts inside a libharu document.
 *
 * libharu can neither load CFF fonts nor show a glyph id, so text never
 * goes through its font API.  Instead every font the display list uses
 * becomes a Type0 font with /Encoding /Identity-H over a CIDFont
 * (CIDFontType0 with a bare CFF program for CFF fonts, CIDFontType2 with
 * an Identity CIDToGIDMap for TrueType fonts), built from libharu's object
 * layer.  Content streams name glyphs by CID, and a ToUnicode CMap built
 * from the shaper's clusters maps each CID back to the text it stands for,
 * so ligatures and multi-character clusters extract correctly.
 *
 * Use: while pages are written, pdffont_page_font() registers a font in a
 * page's resources, and pdffont_glyph() records each glyph shown and
 * returns the CID and width to write.  After the last page,
 * pdffont_finish() subsets each font with hb-subset (glyphs were chosen at
 * shaping time, so layout tables are dropped) and fills in the font
 * objects.  Object creation order depends only on the input, so output is
 * byte-identical for identical input.
 *
 * Memory: a pdffont_set and its glyph tables are malloc'd and freed by
 * pdffont_set_free().  Every HPDF object it creates is owned by the
 * HPDF_Doc and freed by HPDF_Free().  Fonts are borrowed from the
 * context's font cache and must outlive the set.
 */
#ifndef PAIBAN_PDFFONT_H
#define PAIBAN_PDFFONT_H

#include "ctx.h"
#include "font.h"

#include <hpdf.h>
#include <stdint.h>

typedef struct pdffont pdffont;
typedef struct pdffont_set pdffont_set;

/* Create an empty font set for the document pdf (borrowed). */
pdffont_set *pdffont_set_new(HPDF_Doc pdf);
/* Free the set's own memory; the HPDF objects stay with the document. */
void pdffont_set_free(pdffont_set *set);

/*
 * The PDF font for f, registered in page's /Resources /Font under a name
 * that is stored in *name (valid as long as the set).  Returns NULL when
 * libharu fails; the error is then pending in the document.
 */
pdffont *pdffont_page_font(pdffont_set *set, HPDF_Page page, font *f,
                           const char **name);

/*
 * Record that glyph gid is shown, standing for text[0..len) (len 0 for
 * the second and later glyphs of a cluster; the first mapping recorded for
 * a CID wins).  Returns the CID to write in the content stream and stores
 * the glyph's advance, in 1/1000 em exactly as written to /W, in *width.
 */
unsigned pdffont_glyph(pdffont *pf, unsigned gid, const uint32_t *text,
                       unsigned len, int *width);

/*
 * Subset every font and write its objects.  Returns 0, or -1 with an
 * error reported at pos (the output file) when a font cannot be subset or
 * libharu fails.
 */
int pdffont_finish(pdffont_set *set, pb_ctx *ctx, pb_pos pos);

#endif
