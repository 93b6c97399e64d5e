/*
 * layout_internal.h: what layout.c (flattening and drawing) shares with
 * paginate.c (cutting pages), and nothing else sees.
 *
 * Layout flattens the styled tree into a vertical list of items (lines,
 * spaces, box edges, rules, images, marks, forced breaks); pagination
 * chooses where pages start in that list; drawing turns each page's items
 * into the display list.  The layout struct owns every array here; the
 * paragraphs own their shaped and composed text.
 */
#ifndef PAIBAN_LAYOUT_INTERNAL_H
#define PAIBAN_LAYOUT_INTERNAL_H

#include "layout.h"

typedef enum vkind { V_LINE, V_SPACE, V_OPEN, V_CLOSE, V_RULE, V_MARK, V_BREAK, V_IMAGE } vkind;

/* One entry of the vertical list. */
typedef struct vitem {
    vkind kind;
    float height;
    int keep;                   /* no page break right after this item */
    int box;                    /* OPEN/CLOSE: its box; else the innermost open box, -1 none */
    int par, line;              /* V_LINE: which paragraph and line */
    float x, width;             /* left edge and width of the measure (text area coordinates) */
    const st_block *block;      /* V_MARK: the block that has the outline entry; V_RULE, V_IMAGE: its block */
    int master;                 /* the page master in force */
    int rigid;                  /* inside a block kept together: no vertical justification */
    int floated;                /* FLOAT_TOP, FLOAT_BOTTOM: part of a block set at that edge of its page */
} vitem;

/* A decorated box (callout, badge, …) in the vertical list. */
typedef struct vbox {
    const style *style;
    const style *continued;     /* the label's style on a continued part, or NULL */
    float x, w;                 /* outer left edge and width */
    int parent;                 /* enclosing box, -1 none */
    float top_pad, bottom_pad;  /* border + padding at each edge */
    int dl_item;                /* while drawing: index of its DL_BOX on the current page */
    float seg_top;              /* while drawing: top of the current segment */
    int open_top;               /* while drawing: segment continues from the previous page */
} vbox;

/* A text block after shaping and composing. */
typedef struct vpar {
    shaped_par *shaped;
    composed_par *composed;
    const style *style;
    float indent;
    const st_block *block;
} vpar;

/*
 * Generated text that repeats from page to page (a running head or foot):
 * shaped and composed once, then drawn again while the text stays the same.
 */
typedef struct furniture {
    char *text;                 /* owned; what par shows */
    const style *style;
    float measure;
    vpar par;                   /* owns its shaped and composed paragraph */
} furniture;

enum { FURN_VERSO, FURN_RECTO, FURN_FOOT, NFURN };

/* A running head or foot shows one line: text beyond this never fits. */
#define FURNITURE_MAX_CHARS 400

/* The structure element whose content a block's items are (layout_struct.c). */
typedef struct struct_ref {
    const st_block *block;
    int element;                /* index into the document's structs; -1: none */
    int label;                  /* the element of its label's text (Lbl), or -1 */
} struct_ref;

typedef struct layout {
    pb_ctx *ctx;
    composer *comp;
    const st_tree *tree;
    int n, cap;
    vitem *items;
    int nboxes, boxes_cap;
    vbox *boxes;
    int npars, pars_cap;
    vpar *pars;
    int cur_box;                /* innermost open box while flattening */
    int cur_master;             /* page master in force while flattening */
    int rigid;                  /* depth of kept-together blocks being flattened */
    int floating;               /* while flattening a floating block: its FLOAT_* */
    int npages;
    int *page_start;            /* first item of each page, after cutting */
    float *page_stretch;        /* [2p], [2p+1]: what each place between paragraphs and
                                   between blocks adds on page p (vertical justification) */
    furniture furn[NFURN];      /* running heads and foot, by slot */
    int nmarks;
    vitem *marks;               /* the V_MARK items sorted by block (par: their index) */
    const char **page_title;    /* per page: the outline title current on it */
    int nrefs, refs_cap;
    struct_ref *refs;           /* every block's element, sorted by block */
    int failed;
} layout;

/* The width and height of the text area of page master m. */
float area_width(const layout *L, int m);
float area_height(const layout *L, int m);
/* The box innermost-open just before item i starts, and just after it ends (-1: none). */
int open_before(const layout *L, int i);
int open_after(const layout *L, int i);
/* Sum of the top (top = 1) or bottom edges of box b and every box around it. */
float edges(const layout *L, int b, int top);
/* The first item at or after i that a page may start with (not a space or break). */
int skip_spaces(const layout *L, int i);
/* The source position of item i, or of the nearest item before it that has one. */
pb_pos layout_pos(const layout *L, int i);

/* Places where vertical justification adds space: none, between paragraphs, between blocks. */
enum { VJ_NONE, VJ_PARAGRAPH, VJ_BLOCK };
/* The kind of place item j (not first on its page) is. */
int layout_vj_point(const layout *L, int j);

/* Build doc's structure elements from the styled tree (layout_struct.c). */
void layout_build_structure(layout *L, dl_document *doc);
/* The tag of the items drawn for block b: 1 + its element's index, or DL_ARTIFACT. */
int layout_tag_of(const layout *L, const st_block *b);
/* The tag of the items that show block b's label (its Lbl), or that of b itself. */
int layout_label_tag_of(const layout *L, const st_block *b);
/* Give items [from, pg->n) of pg not tagged yet the tag. */
void layout_tag_items(dl_page *pg, int from, int tag);

/*
 * Cut the vertical list into pages by total fit (paginate.c): page_start,
 * npages and page_stretch are set; on error (the page limit) L->failed.
 */
void paginate(layout *L);

#endif
