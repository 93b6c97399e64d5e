/*
 * style.h: style sheets and the styled tree.
 *
 * A style sheet (styles/NAME.xml, format in styles/README.md) holds page
 * masters, front matter and named styles; style.c loads and checks it and
 * computes styles, styletree.c builds the styled tree.  A style may name a parent style to inherit
 * from.  style_apply() walks the document tree, gives every block its
 * computed style (absolute values in points) and produces the styled tree:
 * text blocks holding runs of styled text, and box blocks holding other
 * blocks.  Inheritable properties (font, colour, leading, alignment) pass
 * from parent block to child as in CSS; box properties do not.
 *
 * The style stage is the only one that knows element names of the source
 * vocabulary; later stages see only blocks, spans and styles.
 *
 * Ownership: a style_sheet owns its rules; a st_tree owns its blocks,
 * spans, strings and computed styles, and is independent of the doc and the
 * sheet it came from (both may be freed first): the roles of its blocks and
 * the file names in the positions of its blocks, spans and page masters
 * are the tree's own copies (st_tree.names).
 */
#ifndef PAIBAN_STYLE_H
#define PAIBAN_STYLE_H

#include "ctx.h"
#include "doc.h"

typedef struct style_color {
    float r, g, b;
} style_color;

typedef enum style_align { ALIGN_JUSTIFY, ALIGN_LEFT, ALIGN_CENTER, ALIGN_RIGHT } style_align;

/* Line-breaking strictness (CSS line-break, plus the GB/T 15834 level). */
typedef enum style_line_break {
    LINE_BREAK_STRICT, LINE_BREAK_NORMAL, LINE_BREAK_LOOSE, LINE_BREAK_GB
} style_line_break;

/* Punctuation width style: 开明式, 全角式, 半角式. */
typedef enum style_punct { PUNCT_KAIMING, PUNCT_QUANJIAO, PUNCT_BANJIAO } style_punct;

/* Where a floating block goes on its page (the float property). */
enum { FLOAT_NONE, FLOAT_TOP, FLOAT_BOTTOM };

/* Computed style: every length in points. */
typedef struct style {
    char *font_family;          /* comma-separated fallback chain */
    int bold;
    float font_size;
    float line_height;          /* baseline-to-baseline distance */
    style_color color;
    style_align align;
    style_line_break line_break;
    style_punct punctuation;
    int trim_start;             /* an opening bracket at a line start loses ½ em */
    int hanging;                /* 、，。 at a line end hang into the margin */
    int autospace;              /* ¼ em between Han and Latin letters or digits */
    int hyphenate;              /* English words may be hyphenated at line ends */
    int missing_glyph_error;    /* a character no font has is an error, not a warning */
    float text_indent;          /* first line of a paragraph */
    float space_before, space_after;
    float margin_left, margin_right;
    float padding_top, padding_right, padding_bottom, padding_left;
    int has_background;
    style_color background;
    float border_width;         /* 0: no border */
    style_color border_color;
    float radius;               /* corner radius of the box */
    int shrink_wrap;            /* box as wide as its text, not the measure */
    int keep_with_next;         /* never break a page after this block */
    int keep_together;          /* move whole to the next page when it fits there */
    int float_to;               /* FLOAT_TOP, FLOAT_BOTTOM: set at that edge of its page */
    int widows, orphans;        /* the fewest lines of a paragraph at a page's head, at its foot */
    int outline_level;          /* 0: none; 1 top level, 2 below it */
    int page_break_before;      /* start the block on a new page */
    float rule_above;           /* width of a rule above the block; 0 none */
    style_color rule_color;
    float rule_gap;             /* space between that rule and the block */
    char *label;                /* generated text pattern, "{n}" = number */
} style;

/* Page master, in points. */
typedef struct style_page {
    char *name;                 /* NULL for the unnamed (default) master */
    float width, height;        /* the trimmed page */
    float bleed;                /* printed past the trim on every side */
    float margin_top, margin_bottom, margin_inner, margin_outer;
    int folio;                  /* 1: print the page number */
    float folio_offset;         /* folio baseline, distance above bottom edge */
    char *head_verso;           /* running head patterns: {title}, {section}; may be NULL */
    char *head_recto;
    float head_offset;          /* running head baseline, distance below top edge */
    char *foot;                 /* running foot pattern ({title} {section} {source} {year}); may be NULL */
    float foot_offset;          /* running foot baseline, distance above the bottom edge */
    int has_background;         /* a full-bleed page colour */
    style_color background;
    int vertical_justify;       /* stretch the space between blocks down to the foot */
    pb_pos pos;
} style_page;

typedef struct style_sheet style_sheet;

/* Load and check a style sheet; NULL with errors reported when invalid. */
style_sheet *style_sheet_load(pb_ctx *ctx, const char *path);
/* The same for a sheet in memory (len bytes at buf); name stands for its file
 * in diagnostics (see doc_load_buffer). */
style_sheet *style_sheet_load_buffer(pb_ctx *ctx, const char *name, const char *buf, size_t len);
/* Free a style sheet. */
void style_sheet_free(style_sheet *sheet);

/* A run of text in one style; text "\n" alone is a forced line break. */
typedef struct st_span {
    char *text;                 /* UTF-8, whitespace already collapsed */
    const style *style;
    pb_pos pos;
} st_span;

typedef enum st_kind { ST_TEXT, ST_BOX, ST_IMAGE } st_kind;

typedef struct st_block {
    st_kind kind;
    const char *role;           /* what made it, e.g. "p", "callout", "toc-entry" */
    const style *style;
    pb_pos pos;
    char *outline_title;        /* set when style->outline_level > 0 */
    int master;                 /* page master it starts (index into pages), or -1 */
    const struct st_block *target; /* toc-entry: the block it lists */
    const style *continued;     /* ST_BOX: the style of the label on a continued part
                                   (rule "ELEMENT.continued", its label), or NULL */
    int nspans, spans_cap;
    st_span *spans;             /* ST_TEXT */
    int nchildren, children_cap;
    struct st_block **children; /* ST_BOX */
    const char *tag;            /* its PDF structure type ("P", "H2", "Aside", ...) for
                                   tagged output; NULL: its content belongs to the parent's */
    const char *content_tag;    /* its own text goes into a child of this type ("LBody"
                                   in an "LI"), or NULL: straight into tag */
    const char *label_tag;      /* its generated label (label_spans) is an element of this
                                   type ("Lbl"), before its text's; NULL: part of the text */
    char *alt;                  /* ST_IMAGE: the text alternative (alt=), or NULL */
    int label_spans;            /* ST_TEXT: how many spans at the start are its generated
                                   label (a list item's "1."), not source text */
    char *image_path;           /* ST_IMAGE: the file, resolved against its source */
    float image_w, image_h;     /* ST_IMAGE: natural size in points */
} st_block;

typedef struct st_tree {
    st_block *root;             /* an ST_BOX: the front matter parts, then the body */
    int npages;
    style_page *pages;          /* page masters; pages[0] is the default */
    const style *folio;         /* style for page numbers */
    const style *head_verso;    /* styles for running heads */
    const style *head_recto;
    const style *foot;          /* style for running feet */
    char *title, *subtitle, *author, *subject, *keywords, *lang, *year, *source;
    int npublishers, publishers_cap;
    char **publishers;
    int nstyles, styles_cap;
    style **styles;             /* every computed style, owned */
    int nnames, names_cap;
    char **names;               /* the roles and position file names that blocks,
                                   spans and pages point at, one copy of each, owned */
} st_tree;

/* Style the document; NULL with errors reported (e.g. unknown style names). */
st_tree *style_apply(pb_ctx *ctx, const style_sheet *sheet, const doc *d);
/* Style one element of the body alone (a handout), with the document's metadata. */
st_tree *style_apply_part(pb_ctx *ctx, const style_sheet *sheet, const doc *d, const doc_node *only);
/* Free the styled tree. */
void st_tree_free(st_tree *t);

/* The element of the body with id="id" (for --select), or NULL. */
const doc_node *style_select(const doc *d, const char *id);

/*
 * Every element called name in the body, in document order, not looking
 * inside a match (for --split): a malloc'd array of *n nodes (NULL when none).
 */
const doc_node **style_split(const doc *d, const char *name, int *n);

/* The number an element of the body goes by (its number=), or 0 when it has none. */
int style_part_number(const doc_node *el);

/* Parse a length such as "12pt", "4mm", "2em" (em relative to font_size). */
int style_parse_length(const char *s, float font_size, float *out);
/* Parse "#rgb" or "#rrggbb". */
int style_parse_color(const char *s, style_color *out);

#endif
