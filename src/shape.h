/*
 * shape.h: styled text → shaped clusters.
 *
 * shape_block() takes the spans of one text block, picks for every
 * character the first font of the span's family chain that has it,
 * splits the text into runs of one span and one font, and shapes each run
 * with HarfBuzz (language zh-Hans).  The result is a list of clusters: the
 * smallest pieces the composer may move apart, each with its glyphs, its
 * natural width in points and its Unicode text.  A forced line break
 * (span "\n") becomes an empty cluster of class SC_NEWLINE.
 *
 * Ownership: a shaped_par owns its text, glyph, cluster and face arrays;
 * fonts are borrowed from the context's font cache.  Free it with
 * shaped_par_free().
 */
#ifndef PAIBAN_SHAPE_H
#define PAIBAN_SHAPE_H

#include "font.h"
#include "style.h"

#include <stdint.h>

/* What a cluster is, for line breaking and justification. */
typedef enum shape_class {
    SC_OTHER,       /* symbols, marks */
    SC_HAN,         /* ideographs, kana, other full-width letters */
    SC_LATIN,       /* letters and digits of proportional scripts */
    SC_SPACE,       /* white space */
    SC_PUNCT,       /* full-width CJK punctuation */
    SC_NEWLINE      /* a forced line break */
} shape_class;

/* Which kind of CJK punctuation a cluster is, for width adjustment (CLREQ);
 * the classes of text.h decide the members. */
typedef enum shape_punct {
    SP_NONE,
    SP_OPEN,        /* “（《〈「…: ink in the right half */
    SP_CLOSE,       /* ”）》〉」…: ink in the left half */
    SP_PAUSE,       /* 、，；：: pauses, ink in the left half */
    SP_STOP,        /* 。？！．: ends of sentences, ink in the left half */
    SP_MIDDLE,      /* · ・: ink in the middle */
    SP_DASH         /* — and …, set in pairs that never split */
} shape_punct;

typedef struct shape_glyph {
    uint32_t gid;
    float advance;              /* points */
    float dx, dy;               /* offset from the pen position, points, y up */
} shape_glyph;

/* A font at a size in a colour: what one glyph run needs. */
typedef struct shape_face {
    font *font;
    float size;
    style_color color;
} shape_face;

typedef struct shape_cluster {
    uint32_t text_start, text_len;  /* its characters in par->text */
    int glyph_start, glyph_count;   /* its glyphs in par->glyphs */
    float width;                    /* natural advance, points */
    int face;                       /* index into par->faces */
    int span;                       /* index of the source span */
    shape_class cls;
    shape_punct punct;
    float half_width;               /* advance when set half-width (halt); equals
                                       width when the mark cannot be compressed */
    float half_dx;                  /* glyph shift when set half-width */
} shape_cluster;

typedef struct shaped_par {
    int text_n;
    uint32_t *text;             /* the block's text, UTF-32 */
    int nglyphs;
    shape_glyph *glyphs;
    int nclusters;
    shape_cluster *clusters;
    int nfaces, faces_cap;
    shape_face *faces;
} shaped_par;

/*
 * Shape the text of block b.  Returns NULL when a font family cannot be
 * found (reported); characters no font has are reported as warnings with
 * their code point and source position.
 */
shaped_par *shape_block(pb_ctx *ctx, const st_block *b);

/* Free a shaped paragraph. */
void shaped_par_free(shaped_par *p);

/* The class of code point cp. */
shape_class shape_classify(uint32_t cp);
/* The punctuation kind of code point cp. */
shape_punct shape_punct_kind(uint32_t cp);

#endif
