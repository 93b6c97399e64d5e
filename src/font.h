/*
 * font.h: finding and opening fonts.
 *
 * A font is one face of one font file, opened both with FreeType (metrics,
 * CIDs) and HarfBuzz (shaping, subsetting).  Fonts are found by family name
 * through fontconfig; the project's fonts/ directory (ctx->font_dir) is
 * searched before the system.  Fonts live in the font cache owned by the
 * context: callers borrow font pointers, which stay valid until
 * pb_ctx_free().  Nothing here knows about PDF; the PDF writer records
 * which glyphs it used.
 */
#ifndef PAIBAN_FONT_H
#define PAIBAN_FONT_H

#include "ctx.h"

#include <ft2build.h>
#include FT_FREETYPE_H
#include <hb.h>
#include <stdint.h>

typedef struct font {
    char *family;           /* family name as asked for */
    int bold;               /* 1 for the bold face */
    char *path;             /* file the face came from */
    int index;              /* face index in a collection (.ttc) */
    FT_Face ft;             /* FreeType face, unscaled */
    hb_blob_t *blob;        /* the whole font file */
    hb_face_t *hb_face;     /* HarfBuzz face over blob */
    hb_font_t *hb;          /* HarfBuzz font, scale = units_per_em */
    int upem;               /* design units per em */
    int is_cff;             /* 1 when outlines are CFF (CID-keyed or not) */
    int is_cid;             /* 1 when the CFF is CID-keyed */
    double ascender;        /* typographic ascender, in em */
    double descender;       /* typographic descender, in em (negative) */
    int nhalt, halt_cap;    /* cache for font_half_width */
    struct font_halt *halt;
} font;

/* Half-width geometry of a punctuation mark, from the font's 'halt' feature. */
typedef struct font_halt {
    uint32_t cp;
    int advance;            /* design units; equal to the full advance when
                               the font has no half-width form */
    int dx;                 /* where the glyph's origin moves, design units */
} font_halt;

typedef struct font_cache font_cache;

/*
 * Find the face for family (bold or regular), open it and cache it.
 * Returns NULL, with an error reported at pos, when no installed font has
 * that family name: fontconfig's nearest substitute is not accepted,
 * because silently setting a book in the wrong face is worse than stopping.
 */
font *font_get(pb_ctx *ctx, const char *family, int bold, pb_pos pos);

/* 1 when the font maps code point cp to a glyph. */
int font_has_char(const font *f, uint32_t cp);

/* The PDF CID for glyph gid: the CFF CID for CID-keyed fonts, else gid. */
unsigned font_cid_for_glyph(const font *f, unsigned gid);

/* Advance width of glyph gid in design units (horizontal). */
int font_glyph_advance(const font *f, unsigned gid);

/*
 * The half-width form of code point cp as the font's 'halt' feature sets
 * it: its advance and the shift of its origin (negative for marks whose ink
 * sits in the right half, such as opening brackets).  Cached per font.
 */
font_halt font_half_width(font *f, uint32_t cp);

/* The files of the fonts opened so far (for dependency files): fills up to
 * max paths, borrowed from the cache, and returns how many there are. */
int font_files(const pb_ctx *ctx, const char **paths, int max);

/* Free the cache and every font in it (pb_ctx_free does, through ctx->free_fonts). */
void font_cache_free(font_cache *cache);

#endif
