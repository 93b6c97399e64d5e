/* layout.c: flattening blocks into a vertical list, cutting pages, drawing them. */
#include "layout.h"

#include <stdlib.h>
#include <string.h>

typedef enum vkind { V_LINE, V_SPACE, V_OPEN, V_CLOSE, V_RULE, V_MARK } vkind;

/* One entry of the vertical list. */
typedef struct vitem {
    vkind kind;
    float height;
    int keep;                   /* no page break right after this item */
    int box;                    /* OPEN/CLOSE: its box; else the innermost open box, -1 none */
    int par, line;              /* V_LINE: which paragraph and line */
    float x, width;             /* left edge and width of the measure (text area coordinates) */
    const st_block *block;      /* V_MARK: the block that has the outline entry; V_RULE: its block */
} vitem;

/* A decorated box (callout, badge, …) in the vertical list. */
typedef struct vbox {
    const style *style;
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
} vpar;

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
    float area_w, area_h;       /* text area */
    int failed;
} layout;

/* ---- pass 1: the vertical list ----------------------------------------- */

/* Append an item and return it. */
static vitem *push(layout *L, vkind kind, float height)
{
    pb_grow(&L->items, &L->cap, L->n + 1, sizeof *L->items);
    vitem *it = &L->items[L->n++];
    memset(it, 0, sizeof *it);
    it->kind = kind;
    it->height = height;
    it->box = L->cur_box;
    return it;
}

/* Add vertical space; adjacent spaces collapse to the larger, as in CSS. */
static void push_space(layout *L, float h)
{
    if (h <= 0)
        return;
    if (L->n && L->items[L->n - 1].kind == V_SPACE) {
        if (L->items[L->n - 1].height < h)
            L->items[L->n - 1].height = h;
        return;
    }
    push(L, V_SPACE, h);
}

/* 1 when a block draws a box of its own. */
static int is_decorated(const style *s)
{
    return s->has_background || s->border_width > 0 || s->shrink_wrap;
}

/* Open a box of outer width w at x; returns its index. */
static int open_box(layout *L, const style *s, float x, float w)
{
    pb_grow(&L->boxes, &L->boxes_cap, L->nboxes + 1, sizeof *L->boxes);
    int b = L->nboxes++;
    L->boxes[b] = (vbox){.style = s, .x = x, .w = w, .parent = L->cur_box,
                         .top_pad = s->border_width + s->padding_top,
                         .bottom_pad = s->border_width + s->padding_bottom};
    vitem *it = push(L, V_OPEN, L->boxes[b].top_pad);
    it->box = b;
    it->keep = 1;
    L->cur_box = b;
    return b;
}

/* Close the innermost box. */
static void close_box(layout *L, int b)
{
    vitem *it = push(L, V_CLOSE, L->boxes[b].bottom_pad);
    it->box = b;
    L->cur_box = L->boxes[b].parent;
}

/* The composer's settings for text in style s at measure w. */
static compose_params params_for(const style *s, float w)
{
    return (compose_params){.measure = w, .indent = s->text_indent, .align = s->align,
                            .balance = s->align == ALIGN_CENTER, .line_break = s->line_break,
                            .punctuation = s->punctuation, .trim_start = s->trim_start,
                            .hanging = s->hanging, .autospace = s->autospace};
}

/* Shape and compose a text block at measure w; -1 on failure. */
static int compose_block(layout *L, const st_block *b, float w, int *par)
{
    const style *s = b->style;
    shaped_par *sp = shape_block(L->ctx, b);
    if (!sp)
        return -1;
    compose_params pr = params_for(s, w);
    pb_grow(&L->pars, &L->pars_cap, L->npars + 1, sizeof *L->pars);
    *par = L->npars;
    L->pars[L->npars++] = (vpar){sp, compose_paragraph(L->comp, sp, &pr), s, s->text_indent};
    return 0;
}

/* Push the lines of a composed paragraph, with widow and orphan control. */
static void push_lines(layout *L, int par, float x, float w, int keep_all)
{
    const vpar *vp = &L->pars[par];
    int n = vp->composed->nlines;
    for (int i = 0; i < n; i++) {
        vitem *it = push(L, V_LINE, vp->style->line_height);
        it->par = par;
        it->line = i;
        it->x = x;
        it->width = w;
        /* no single line of a paragraph alone at a page foot or head */
        it->keep = keep_all || (n >= 2 && (i == 0 || i == n - 2));
    }
}

/* Keep the last real item (not a space) with whatever follows it. */
static void keep_last_item(layout *L)
{
    int k = L->n - 1;
    while (k > 0 && L->items[k].kind == V_SPACE)
        k--;
    if (k >= 0)
        L->items[k].keep = 1;
}

/* Flatten a text block at x, width w. */
static void flatten_text(layout *L, const st_block *b, float x, float w)
{
    const style *s = b->style;
    float inset_l = s->margin_left + s->border_width + s->padding_left;
    float inset_r = s->margin_right + s->border_width + s->padding_right;
    int par;
    if (compose_block(L, b, w - inset_l - inset_r, &par) < 0) {
        L->failed = 1;
        return;
    }
    push_space(L, s->space_before);
    int box = -1;
    if (is_decorated(s)) {
        float bw = s->shrink_wrap ? L->pars[par].composed->max_width + inset_l + inset_r - s->margin_left - s->margin_right
                                  : w - s->margin_left - s->margin_right;
        box = open_box(L, s, x + s->margin_left, bw);
    }
    push_lines(L, par, x + inset_l, w - inset_l - inset_r, s->keep_with_next);
    if (box >= 0)
        close_box(L, box);
    if (s->keep_with_next)
        keep_last_item(L);
    push_space(L, s->space_after);
}

static void flatten_block(layout *L, const st_block *b, float x, float w);

/* Flatten a box block and its children at x, width w. */
static void flatten_box(layout *L, const st_block *b, float x, float w)
{
    const style *s = b->style;
    push_space(L, s->space_before);
    if (s->rule_above > 0) {
        vitem *it = push(L, V_RULE, s->rule_above + s->rule_gap);
        it->x = x + s->margin_left;
        it->width = w - s->margin_left - s->margin_right;
        it->block = b;
        it->keep = 1;
    }
    if (b->outline_title) {
        vitem *it = push(L, V_MARK, 0);
        it->block = b;
        it->keep = 1;
    }
    int box = -1;
    if (is_decorated(s))
        box = open_box(L, s, x + s->margin_left, w - s->margin_left - s->margin_right);
    float inset_l = s->margin_left + s->border_width + s->padding_left;
    float inset_r = s->margin_right + s->border_width + s->padding_right;
    for (int i = 0; i < b->nchildren; i++)
        flatten_block(L, b->children[i], x + inset_l, w - inset_l - inset_r);
    if (box >= 0)
        close_box(L, box);
    if (s->keep_with_next)
        keep_last_item(L);
    push_space(L, s->space_after);
}

/* Flatten any block. */
static void flatten_block(layout *L, const st_block *b, float x, float w)
{
    if (b->kind == ST_TEXT)
        flatten_text(L, b, x, w);
    else
        flatten_box(L, b, x, w);
}

/* ---- pass 2: cutting pages ------------------------------------------- */

/* The box that is innermost-open just before item i starts. */
static int open_before(const layout *L, int i)
{
    const vitem *it = &L->items[i];
    return it->kind == V_OPEN ? L->boxes[it->box].parent : it->box;
}

/* The box innermost-open just after item i. */
static int open_after(const layout *L, int i)
{
    const vitem *it = &L->items[i];
    return it->kind == V_CLOSE ? L->boxes[it->box].parent : it->box;
}

/* Sum of the top (or bottom) edges of box b and all that enclose it. */
static float edges(const layout *L, int b, int top)
{
    float h = 0;
    for (; b >= 0; b = L->boxes[b].parent)
        h += top ? L->boxes[b].style->padding_top : L->boxes[b].bottom_pad;
    return h;
}

/* Height from an OPEN item to its CLOSE, for keep-together. */
static float box_height(const layout *L, int open)
{
    float h = 0;
    for (int j = open; j < L->n; j++) {
        h += L->items[j].height;
        if (L->items[j].kind == V_CLOSE && L->items[j].box == L->items[open].box)
            break;
    }
    return h;
}

/*
 * 1 when the page may break between items j-1 and j.  Spaces are looked
 * through: the space after a heading keeps with the heading.
 */
static int may_break_before(const layout *L, int j)
{
    int k = j - 1;
    while (k > 0 && L->items[k].kind == V_SPACE)
        k--;
    return !L->items[k].keep && L->items[j].kind != V_CLOSE && L->items[j].kind != V_SPACE;
}

/*
 * Where the page that starts at start ends: the last allowed break before
 * the first item that does not fit, or before a keep-together box that
 * would fit on a fresh page.  Always at least one item, so a block taller
 * than a page cannot loop.
 */
static int page_end(const layout *L, int start)
{
    float y = edges(L, open_before(L, start), 1), bottom = L->area_h;
    int last_ok = -1;
    for (int j = start; j < L->n; j++) {
        const vitem *it = &L->items[j];
        if (j > start && may_break_before(L, j))
            last_ok = j;
        if (it->kind == V_SPACE) {
            y += it->height;
            continue;
        }
        float after = edges(L, open_after(L, j), 0);
        int overflow = y + it->height + after > bottom + 0.01f;
        if (it->kind == V_OPEN && L->boxes[it->box].style->keep_together && j > start) {
            float h = box_height(L, j);
            overflow |= y + h + edges(L, open_before(L, j), 0) > bottom + 0.01f && h <= bottom;
        }
        if (overflow && j > start)
            return last_ok > start ? last_ok : j;
        y += it->height;
    }
    return L->n;
}

/* ---- pass 2: drawing ----------------------------------------------------- */

/* Convert a style colour for the display list. */
static dl_color color_of(style_color c)
{
    return (dl_color){c.r, c.g, c.b};
}

/* Start drawing a segment of box b at y (text-area coordinates). */
static void begin_box(layout *L, dl_page *pg, int b, float y, int continued)
{
    vbox *bx = &L->boxes[b];
    const style *s = bx->style;
    dl_item *it = dl_add_item(pg, DL_BOX);
    it->u.box = (dl_box){.radius = s->radius, .filled = s->has_background,
                         .fill = color_of(s->background), .stroked = s->border_width > 0,
                         .stroke = color_of(s->border_color), .stroke_width = s->border_width};
    bx->dl_item = pg->n - 1;
    bx->seg_top = y;
    bx->open_top = continued;
}

/* Finish the current segment of box b at y; open_bottom when it goes on. */
static void end_box(layout *L, dl_page *pg, int b, float y, float left, float top, int open_bottom)
{
    vbox *bx = &L->boxes[b];
    dl_box *d = &pg->items[bx->dl_item].u.box;
    float inset = bx->style->border_width / 2; /* the stroke stays inside the box */
    d->x = left + bx->x + inset;
    d->w = bx->w - 2 * inset;
    d->y = top + bx->seg_top + (bx->open_top ? 0 : inset);
    d->h = y - bx->seg_top - (bx->open_top ? 0 : inset) - (open_bottom ? 0 : inset);
    d->open_edges = (bx->open_top ? DL_OPEN_TOP : 0) | (open_bottom ? DL_OPEN_BOTTOM : 0);
}

/* Append one glyph run for clusters [from, to) of a line. */
static void emit_run(dl_page *pg, const vpar *vp, int from, int to, float x0, float baseline)
{
    const shaped_par *sp = vp->shaped;
    const shape_face *face = &sp->faces[sp->clusters[from].face];
    dl_item *it = dl_add_item(pg, DL_GLYPHS);
    dl_glyph_run *r = &it->u.glyphs;
    r->font = face->font;
    r->size = face->size;
    r->color = color_of(face->color);
    int ng = 0, nt = 0;
    for (int k = from; k < to; k++) {
        ng += sp->clusters[k].glyph_count;
        nt += (int)sp->clusters[k].text_len;
    }
    r->glyphs = pb_alloc(sizeof *r->glyphs * (size_t)(ng ? ng : 1));
    r->text = pb_alloc(sizeof *r->text * (size_t)(nt ? nt : 1));
    for (int k = from; k < to; k++) {
        const shape_cluster *c = &sp->clusters[k];
        float x = x0 + vp->composed->x[k];
        for (int g = 0; g < c->glyph_count; g++) {
            const shape_glyph *sg = &sp->glyphs[c->glyph_start + g];
            r->glyphs[r->n++] = (dl_glyph){sg->gid, x + sg->dx, baseline - sg->dy,
                                           (uint32_t)r->text_n, g == 0 ? c->text_len : 0};
            x += sg->advance;
        }
        memcpy(r->text + r->text_n, sp->text + c->text_start, sizeof *r->text * c->text_len);
        r->text_n += (int)c->text_len;
    }
}

/* Draw one line of a paragraph with its top at y. */
static void draw_line(layout *L, dl_page *pg, const vitem *it, float left, float y)
{
    const vpar *vp = &L->pars[it->par];
    const compose_line *ln = &vp->composed->lines[it->line];
    const shaped_par *sp = vp->shaped;
    float x0 = left + it->x + (it->line == 0 ? vp->indent : 0);
    /* one baseline for the line: the ideographic em box of its largest
     * face centred in the line box */
    const shape_face *big = NULL;
    for (int k = ln->start; k < ln->end; k++)
        if (!big || sp->faces[sp->clusters[k].face].size > big->size)
            big = &sp->faces[sp->clusters[k].face];
    if (!big)
        return;
    float em = big->size * (float)(big->font->ascender - big->font->descender);
    float baseline = y + (it->height - em) / 2 + big->size * (float)big->font->ascender;
    for (int k = ln->start; k < ln->end;) {
        int j = k + 1;
        while (j < ln->end && sp->clusters[j].face == sp->clusters[k].face)
            j++;
        if (sp->clusters[k].glyph_count || j - k > 1)
            emit_run(pg, vp, k, j, x0, baseline);
        k = j;
    }
}

/* Draw a rule above a block. */
static void draw_rule(dl_page *pg, const vitem *it, float left, float y)
{
    const style *s = it->block->style;
    dl_item *d = dl_add_item(pg, DL_RULE);
    float ry = y + s->rule_above / 2;
    d->u.rule = (dl_rule){left + it->x, ry, left + it->x + it->width, ry,
                          s->rule_above, color_of(s->rule_color)};
}

/* Draw the page number, centred on the text area below it. */
static int draw_folio(layout *L, dl_page *pg, float left, int number)
{
    const style *s = L->tree->folio;
    char text[16];
    snprintf(text, sizeof text, "%d", number);
    st_span span = {text, s, L->tree->page.pos};
    st_block b = {.kind = ST_TEXT, .role = "folio", .style = s, .nspans = 1, .spans = &span};
    shaped_par *sp = shape_block(L->ctx, &b);
    if (!sp)
        return -1;
    compose_params pr = params_for(s, L->area_w);
    vpar vp = {sp, compose_paragraph(L->comp, sp, &pr), s, 0};
    emit_run(pg, &vp, 0, sp->nclusters, left, pg->height - L->tree->page.folio_offset);
    composed_par_free(vp.composed);
    shaped_par_free(sp);
    return 0;
}

/* Open (in dl terms) every box that is open at item start, outermost first. */
static float reopen_boxes(layout *L, dl_page *pg, int b, float top)
{
    if (b < 0)
        return top;
    float y = reopen_boxes(L, pg, L->boxes[b].parent, top);
    begin_box(L, pg, b, y, 1);
    return y + L->boxes[b].style->padding_top;
}

/* The left margin of page number (1-based): odd pages are rectos. */
static float left_margin(const style_page *pm, int number)
{
    return number % 2 ? pm->margin_inner : pm->margin_outer;
}

/* Draw items [start, end) as one page. */
static void draw_page(layout *L, dl_document *doc, int start, int end)
{
    const style_page *pm = &L->tree->page;
    dl_page *pg = dl_add_page(doc, pm->width, pm->height);
    float left = left_margin(pm, doc->npages), top = pm->margin_top;
    float y = reopen_boxes(L, pg, start < L->n ? open_before(L, start) : -1, 0);
    for (int j = start; j < end; j++) {
        const vitem *it = &L->items[j];
        switch (it->kind) {
        case V_SPACE:
            break;
        case V_OPEN:
            begin_box(L, pg, it->box, y, 0);
            break;
        case V_CLOSE:
            end_box(L, pg, it->box, y + it->height, left, top, 0);
            break;
        case V_LINE:
            draw_line(L, pg, it, left, top + y);
            break;
        case V_RULE:
            draw_rule(pg, it, left, top + y);
            break;
        case V_MARK:
            dl_add_outline(doc, it->block->outline_title, it->block->style->outline_level - 1,
                           doc->npages - 1, top + y);
            break;
        }
        y += it->height;
    }
    float bottom = y;
    for (int b = end > start ? open_after(L, end - 1) : -1; b >= 0; b = L->boxes[b].parent) {
        bottom += L->boxes[b].bottom_pad - L->boxes[b].style->border_width;
        end_box(L, pg, b, bottom, left, top, 1);
    }
}

/* Skip the spaces a page must not start with. */
static int skip_spaces(const layout *L, int i)
{
    while (i < L->n && L->items[i].kind == V_SPACE)
        i++;
    return i;
}

/* Free the layout's working state. */
static void layout_free(layout *L)
{
    for (int i = 0; i < L->npars; i++) {
        shaped_par_free(L->pars[i].shaped);
        composed_par_free(L->pars[i].composed);
    }
    free(L->pars);
    free(L->items);
    free(L->boxes);
}

/* Copy the tree's metadata into the display list. */
static void copy_metadata(dl_document *doc, const st_tree *t)
{
    doc->title = pb_strdup(t->title);
    doc->author = pb_strdup(t->author);
    doc->subject = pb_strdup(t->subject);
    doc->keywords = pb_strdup(t->keywords);
    doc->lang = pb_strdup(t->lang);
}

/* Lay out the styled tree into pages. */
dl_document *layout_document(pb_ctx *ctx, composer *comp, const st_tree *t)
{
    const style_page *pm = &t->page;
    layout L = {.ctx = ctx, .comp = comp, .tree = t, .cur_box = -1,
                .area_w = pm->width - pm->margin_inner - pm->margin_outer,
                .area_h = pm->height - pm->margin_top - pm->margin_bottom};
    flatten_block(&L, t->root, 0, L.area_w);
    dl_document *doc = NULL;
    if (!L.failed) {
        doc = dl_document_new();
        copy_metadata(doc, t);
        for (int i = skip_spaces(&L, 0); i < L.n || doc->npages == 0;) {
            int end = i < L.n ? page_end(&L, i) : L.n;
            draw_page(&L, doc, i, end);
            if (draw_folio(&L, &doc->pages[doc->npages - 1], left_margin(pm, doc->npages),
                           doc->npages) < 0) {
                dl_document_free(doc);
                doc = NULL;
                break;
            }
            i = skip_spaces(&L, end);
        }
    }
    layout_free(&L);
    return doc;
}
