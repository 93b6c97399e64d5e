/*
 * dl.h: the display list, the device-independent result of layout.
 *
 * A dl_document is a sequence of pages; each page is a list of drawing
 * items in painting order: glyph runs, boxes (optionally rounded, filled,
 * stroked), rules and named destinations.  It also carries the document
 * metadata and the outline.  Sheets say where pages go on the physical
 * pages of an output (imposition makes them, writers draw them).  Coordinates are in PostScript points with the
 * origin at the top-left corner of the trimmed page and y growing
 * downwards (items in the bleed have negative or larger coordinates); the
 * PDF writer flips them.  Nothing here knows about XML, styles or PDF, so
 * imposition and handouts are just other selections of the same pages.
 *
 * Ownership: the dl_document owns every page, item, array and string in it
 * and frees them in dl_document_free().  Fonts are borrowed from the
 * context's font cache and must outlive the document.
 */
#ifndef PAIBAN_DL_H
#define PAIBAN_DL_H

#include "font.h"

#include <stdint.h>

typedef struct dl_color {
    float r, g, b;              /* 0..1, DeviceRGB */
    int registration;           /* printer's marks: every ink at full strength, whatever r, g, b */
} dl_color;

/* One glyph placed on the page. */
typedef struct dl_glyph {
    uint32_t gid;               /* glyph index in run->font */
    float x, y;                 /* pen position of the glyph origin (baseline) */
    uint32_t text_start;        /* index into run->text of this glyph's characters */
    uint32_t text_len;          /* how many characters it stands for; 0 for the
                                   second and later glyphs of one cluster */
} dl_glyph;

/* A run of glyphs in one font, size and colour. */
typedef struct dl_glyph_run {
    font *font;                 /* borrowed from the font cache */
    float size;                 /* font size in points */
    dl_color color;
    int n;
    dl_glyph *glyphs;           /* owned */
    int text_n;
    uint32_t *text;             /* owned; the Unicode text the glyphs show */
    int added;                  /* glyphs the composer added that stand for no text of the
                                   source (a line-end hyphen): writers keep them out of
                                   the text a reader extracts */
} dl_glyph_run;

/* Which edges of a box are left open, for a box split across pages. */
enum { DL_OPEN_TOP = 1, DL_OPEN_BOTTOM = 2 };

/* A rectangle, optionally with rounded corners, filled and/or stroked. */
typedef struct dl_box {
    float x, y, w, h;           /* top-left corner and size */
    float radius;               /* corner radius; 0 for square corners */
    int filled;
    dl_color fill;
    int stroked;
    dl_color stroke;
    float stroke_width;
    unsigned open_edges;        /* DL_OPEN_*: these edges are neither stroked
                                   nor rounded */
} dl_box;

/* A straight line. */
typedef struct dl_rule {
    float x1, y1, x2, y2;
    float width;
    dl_color color;
} dl_rule;

/* A raster image (PNG or JPEG file) scaled into a rectangle. */
typedef struct dl_image {
    char *path;                 /* owned; the file to embed */
    float x, y, w, h;
} dl_image;

/* A clickable rectangle that jumps to a place in the document. */
typedef struct dl_link {
    float x, y, w, h;           /* the active area */
    int page;                   /* target: index into pages */
    float target_y;             /* target: top of the place, page coordinates */
} dl_link;

typedef enum dl_kind { DL_GLYPHS, DL_BOX, DL_RULE, DL_IMAGE, DL_LINK } dl_kind;

/* What an item is to a reader, for tagged output: an artifact, or the content of an element. */
enum {
    DL_ARTIFACT = 0,            /* decoration: boxes, rules, backgrounds, printer's marks */
    DL_PAGINATION = -1,         /* running heads and feet, folios */
};

typedef struct dl_item {
    dl_kind kind;
    int tag;                    /* DL_ARTIFACT, DL_PAGINATION, or 1 + the index in the
                                   document's structs of the element it shows (a link:
                                   the element it belongs to) */
    union {
        dl_glyph_run glyphs;
        dl_box box;
        dl_rule rule;
        dl_image image;
        dl_link link;
    } u;
} dl_item;

typedef struct dl_page {
    float width, height;        /* trimmed page size in points */
    float bleed;                /* how far items may reach past the trim on every
                                   side (backgrounds that touch the edge do) */
    int n, cap;
    dl_item *items;             /* owned, in painting order */
} dl_page;

/* An outline (bookmark) entry pointing at a place on a page. */
typedef struct dl_outline {
    char *title;                /* owned, UTF-8 */
    int level;                  /* 0 for top level, 1 below it, ... */
    int page;                   /* index into pages */
    float y;                    /* top of the target, page coordinates */
} dl_outline;

/*
 * One element of the document's logical structure (tagged PDF): what a
 * screen reader or a reflowing viewer reads the pages' content as.  The
 * elements are in document order, each after its parent; items point at
 * them through their tag.
 */
typedef struct dl_struct {
    char *type;                 /* owned: a PDF structure type ("Sect", "H1", "P", "Aside", ...) */
    int parent;                 /* index of the parent element; -1 for the root */
    char *alt;                  /* owned: a Figure's text alternative, or NULL */
} dl_struct;

typedef struct dl_document {
    int npages, pages_cap;
    dl_page *pages;             /* owned */
    int noutline, outline_cap;
    dl_outline *outline;        /* owned, in document order */
    char *title;                /* owned UTF-8 metadata, each may be NULL */
    char *author;
    char *subject;
    char *keywords;
    char *lang;                 /* BCP 47, e.g. "zh-Hans" */
    int nstructs, structs_cap;
    dl_struct *structs;         /* owned; empty when the document carries no structure */
} dl_document;

/* Where one logical page goes on a sheet (sheet coordinates, top-left origin). */
typedef struct dl_placement {
    int page;                   /* index into the document's pages; -1 for a blank */
    float x, y;                 /* where the page's trim-box origin goes */
    float clip_x0, clip_y0, clip_x1, clip_y1; /* what of it may show */
} dl_placement;

/*
 * A physical sheet (one page of the output): its boxes and the pages placed
 * on it.  Imposition makes them; a writer draws them.
 */
typedef struct dl_sheet {
    float width, height;        /* the MediaBox */
    float trim_x0, trim_y0, trim_x1, trim_y1;     /* TrimBox, sheet coordinates */
    float bleed_x0, bleed_y0, bleed_x1, bleed_y1; /* BleedBox, sheet coordinates */
    float bleed;                /* the bleed around the trim before the cut at the
                                   sheet edge; marks start beyond it */
    int nplace;
    dl_placement *place;        /* nplace of them (owned by the sheets' maker); a booklet
                                   spread: [0] left, [1] right of the fold */
    int paper;                  /* SADDLE: physical sheet, 0 = outermost; else the page */
    int back;                   /* SADDLE: 1 on the back of the paper */
    dl_page *marks;             /* crop marks, slug (borrowed from their owner); may be NULL */
} dl_sheet;

/* The sheet of sheets[0..n) showing page p (its placement in *placement), or -1. */
int dl_find_sheet(const dl_sheet *sheets, int n, int p, int *placement);

/* Create an empty document. */
dl_document *dl_document_new(void);
/* Free the document and everything it owns. */
void dl_document_free(dl_document *doc);
/* Append a blank page of the given size and return it. */
dl_page *dl_add_page(dl_document *doc, float width, float height);
/* Append an item to page and return it (zeroed, kind set). */
dl_item *dl_add_item(dl_page *page, dl_kind kind);
/* Append a structure element (type and alt are copied; alt may be NULL); its index. */
int dl_add_struct(dl_document *doc, const char *type, int parent, const char *alt);
/* Append an outline entry (title is copied). */
void dl_add_outline(dl_document *doc, const char *title, int level, int page, float y);

#endif
