/* layout.c: flattening blocks into a vertical list, cutting pages, drawing them. */
#include "layout_internal.h"
#include "label.h"
#include "text.h"

#include <stdlib.h>
#include <string.h>

/* The width of the text area of page master m. */
float area_width(const layout *L, int m)
{
    const style_page *pm = &L->tree->pages[m];
    return pm->width - pm->margin_inner - pm->margin_outer;
}

/* The height of the text area of page master m. */
float area_height(const layout *L, int m)
{
    const style_page *pm = &L->tree->pages[m];
    return pm->height - pm->margin_top - pm->margin_bottom;
}

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
    it->master = L->cur_master;
    it->rigid = L->rigid > 0;
    it->floated = L->floating;
    return it;
}

/* Add vertical space; adjacent spaces collapse to the larger, as in CSS, except across
 * the edge of a floating block, which takes its own spaces with it. */
static void push_space(layout *L, float h)
{
    if (h <= 0)
        return;
    if (L->n && L->items[L->n - 1].kind == V_SPACE && L->items[L->n - 1].floated == L->floating) {
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
static int open_box(layout *L, const st_block *blk, const style *s, float x, float w)
{
    pb_grow(&L->boxes, &L->boxes_cap, L->nboxes + 1, sizeof *L->boxes);
    int b = L->nboxes++;
    L->boxes[b] = (vbox){.style = s, .continued = blk->continued, .x = x, .w = w, .parent = L->cur_box,
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
                            .hanging = s->hanging, .autospace = s->autospace,
                            .hyphenate = s->hyphenate};
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
    composed_par *cp = compose_paragraph(L->comp, sp, &pr);
    L->pars[L->npars++] = (vpar){sp, cp, s, s->text_indent, b};
    if (cp->forced_breaks)
        pb_warning(L->ctx, b->pos, "a word or token wider than the line has no place to break; "
                   "it is broken between two of its characters (%d time%s)", cp->forced_breaks,
                   cp->forced_breaks == 1 ? "" : "s");
    return composer_failed(L->comp) ? -1 : 0;
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
        it->keep = keep_all; /* widows and orphans are the paginator's costs */
    }
}

/* Start a new page before block b when it asks for one or changes the master. */
static void break_before(layout *L, const st_block *b, float *x, float *w)
{
    int master = b->master >= 0 ? b->master : L->cur_master;
    /* a part (or the body) on another page master starts a page; on the
     * same master it runs on, as an article's title flows into its text */
    if (L->n > 0 && (b->style->page_break_before || master != L->cur_master))
        push(L, V_BREAK, 0);
    if (master != L->cur_master || b->master >= 0) {
        L->cur_master = master;
        *x = 0;
        *w = area_width(L, master);
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

/* A rule above block b, when its style asks for one. */
static void push_rule_above(layout *L, const st_block *b, float x, float w)
{
    const style *s = b->style;
    if (s->rule_above <= 0)
        return;
    vitem *it = push(L, V_RULE, s->rule_above + s->rule_gap);
    it->x = x + s->margin_left;
    it->width = w - s->margin_left - s->margin_right;
    it->block = b;
    it->keep = 1;
}

/* 1 when a block's measure can hold anything; else reported, and the layout fails. */
static int room_for(layout *L, const st_block *b, float measure)
{
    if (measure >= 1)
        return 1;
    if (!L->failed) /* one report: every block below would repeat it */
        pb_error(L->ctx, b->pos, "no room for this <%s>: the page's margins and the margins, borders "
             "and padding around it leave a measure of %.1fpt", b->role, measure);
    L->failed = 1;
    return 0;
}

/* Flatten a text block at x, width w. */
static void flatten_text(layout *L, const st_block *b, float x, float w)
{
    const style *s = b->style;
    float inset_l = s->margin_left + s->border_width + s->padding_left;
    float inset_r = s->margin_right + s->border_width + s->padding_right;
    int par;
    break_before(L, b, &x, &w);
    if (!room_for(L, b, w - inset_l - inset_r))
        return;
    if (compose_block(L, b, w - inset_l - inset_r, &par) < 0) {
        L->failed = 1;
        return;
    }
    push_space(L, s->space_before);
    push_rule_above(L, b, x, w);
    int box = -1;
    if (is_decorated(s)) {
        float bw = s->shrink_wrap ? L->pars[par].composed->max_width + inset_l + inset_r - s->margin_left - s->margin_right
                                  : w - s->margin_left - s->margin_right;
        box = open_box(L, b, s, x + s->margin_left, bw);
    }
    push_lines(L, par, x + inset_l, w - inset_l - inset_r, s->keep_with_next);
    if (box >= 0)
        close_box(L, box);
    if (s->keep_with_next)
        keep_last_item(L);
    push_space(L, s->space_after);
}

static void flatten_block(layout *L, const st_block *b, float x, float w);

/* Flatten an image, scaled down to the measure when wider. */
static void flatten_image(layout *L, const st_block *b, float x, float w)
{
    if (!room_for(L, b, w))
        return;
    float scale = b->image_w > w ? w / b->image_w : 1;
    push_space(L, b->style->space_before);
    vitem *it = push(L, V_IMAGE, b->image_h * scale);
    it->block = b;
    it->width = b->image_w * scale;
    it->x = x + (w - it->width) / 2;
    it->keep = 1; /* with its caption */
    push_space(L, b->style->space_after);
}

/* Flatten a box block and its children at x, width w. */
static void flatten_box(layout *L, const st_block *b, float x, float w)
{
    const style *s = b->style;
    break_before(L, b, &x, &w);
    /* a float is one piece at the top level: inside a drawn box it could not leave the box */
    int floats = s->float_to != FLOAT_NONE && L->cur_box < 0 && !L->floating;
    if (floats) {
        L->floating = s->float_to;
        L->rigid++;
    }
    push_space(L, s->space_before);
    push_rule_above(L, b, x, w);
    if (b->outline_title) {
        vitem *it = push(L, V_MARK, 0);
        it->block = b;
        it->keep = 1;
    }
    int box = -1;
    if (is_decorated(s))
        box = open_box(L, b, s, x + s->margin_left, w - s->margin_left - s->margin_right);
    float inset_l = s->margin_left + s->border_width + s->padding_left;
    float inset_r = s->margin_right + s->border_width + s->padding_right;
    L->rigid += s->keep_together; /* a masthead or a figure keeps its own spacing */
    for (int i = 0; i < b->nchildren; i++)
        flatten_block(L, b->children[i], x + inset_l, w - inset_l - inset_r);
    L->rigid -= s->keep_together;
    if (box >= 0)
        close_box(L, box);
    if (s->keep_with_next)
        keep_last_item(L);
    push_space(L, s->space_after);
    if (floats) {
        L->floating = FLOAT_NONE;
        L->rigid--;
    }
}

/* Flatten any block. */
static void flatten_block(layout *L, const st_block *b, float x, float w)
{
    if (b->kind == ST_TEXT)
        flatten_text(L, b, x, w);
    else if (b->kind == ST_IMAGE)
        flatten_image(L, b, x, w);
    else
        flatten_box(L, b, x, w);
}

/* ---- pass 2: cutting pages ------------------------------------------- */

/* The box that is innermost-open just before item i starts. */
int open_before(const layout *L, int i)
{
    const vitem *it = &L->items[i];
    return it->kind == V_OPEN ? L->boxes[it->box].parent : it->box;
}

/* The box innermost-open just after item i. */
int open_after(const layout *L, int i)
{
    const vitem *it = &L->items[i];
    return it->kind == V_CLOSE ? L->boxes[it->box].parent : it->box;
}

/* Sum of the top (or bottom) edges of box b and all that enclose it. */
float edges(const layout *L, int b, int top)
{
    float h = 0;
    for (; b >= 0; b = L->boxes[b].parent)
        h += top ? L->boxes[b].style->padding_top : L->boxes[b].bottom_pad;
    return h;
}

/* ---- pass 2: drawing ----------------------------------------------------- */

/* Convert a style colour for the display list. */
static dl_color color_of(style_color c)
{
    return (dl_color){c.r, c.g, c.b, 0};
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

/* Append one glyph run for clusters [from, to) of a line, as the composer placed them. */
static void emit_run(dl_page *pg, const vpar *vp, int from, int to, float x0, float baseline)
{
    label_emit(pg, vp->shaped, vp->composed->x, from, to, x0, baseline);
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
    int labels = vp->block ? vp->block->label_spans : 0;
    for (int k = ln->start; k < ln->end;) {
        /* one run per face; a generated label (a list item's number) apart, as its own element */
        int label = sp->clusters[k].span < labels, j = k + 1;
        while (j < ln->end && sp->clusters[j].face == sp->clusters[k].face &&
               (sp->clusters[j].span < labels) == label)
            j++;
        int before = pg->n;
        if (sp->clusters[k].glyph_count || j - k > 1)
            emit_run(pg, vp, k, j, x0, baseline);
        if (label)
            layout_tag_items(pg, before, layout_label_tag_of(L, vp->block));
        k = j;
    }
    if (ln->hyphen && ln->end > ln->start) {
        int last = ln->end - 1;
        label_hyphen(pg, sp, last, x0 + vp->composed->x[last] + vp->composed->advance[last], baseline);
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

/* Shape and compose one line of generated text in style s at measure; -1 on failure. */
static int compose_generated(layout *L, const style *s, const char *text, float measure, vpar *out)
{
    st_span span = {(char *)text, s, {0}};
    st_block b = {.kind = ST_TEXT, .role = "generated", .style = s, .nspans = 1, .spans = &span};
    shaped_par *sp = shape_block(L->ctx, &b);
    if (!sp)
        return -1;
    compose_params pr = params_for(s, measure);
    pr.indent = 0;
    *out = (vpar){sp, compose_paragraph(L->comp, sp, &pr), s, 0, NULL};
    return 0;
}

/* Draw the first line of a composed generated text at left, on the baseline. */
static void draw_generated(dl_page *pg, const vpar *vp, float left, float baseline)
{
    const compose_line *ln = &vp->composed->lines[0];
    if (ln->end > ln->start)
        emit_run(pg, vp, ln->start, ln->end, left, baseline);
}

/* Free a generated text's paragraph. */
static void free_generated(vpar *vp)
{
    composed_par_free(vp->composed);
    shaped_par_free(vp->shaped);
    *vp = (vpar){0};
}

/*
 * Set one line of generated text (folio, TOC page number) in style s,
 * aligned by s within [left, left + measure), on the baseline.
 */
static int draw_text(layout *L, dl_page *pg, const style *s, const char *text, float left,
                     float measure, float baseline)
{
    vpar vp;
    if (compose_generated(L, s, text, measure, &vp) < 0)
        return -1;
    draw_generated(pg, &vp, left, baseline);
    free_generated(&vp);
    return 0;
}

/* The same for a running head or foot in slot, reusing its last setting when the text repeats. */
static int draw_furniture_text(layout *L, dl_page *pg, int slot, const style *s, const char *text,
                               float left, float measure, float baseline)
{
    furniture *f = &L->furn[slot];
    if (!f->text || f->style != s || f->measure != measure || strcmp(f->text, text) != 0) {
        free(f->text);
        free_generated(&f->par);
        f->text = pb_strdup(text);
        f->style = s;
        f->measure = measure;
        if (compose_generated(L, s, text, measure, &f->par) < 0) {
            free(f->text);
            f->text = NULL;
            return -1;
        }
    }
    draw_generated(pg, &f->par, left, baseline);
    return 0;
}

/* Open (in dl terms) every box that is open at item start, outermost first. */
static float reopen_boxes(layout *L, dl_page *pg, int b, float left, float top, float y)
{
    if (b < 0)
        return y;
    y = reopen_boxes(L, pg, L->boxes[b].parent, left, top, y);
    begin_box(L, pg, b, y, 1);
    const vbox *bx = &L->boxes[b];
    if (bx->continued) { /* "续": the box goes on from the page before */
        float inset = bx->style->border_width + bx->style->padding_right;
        int before = pg->n;
        draw_text(L, pg, bx->continued, bx->continued->label, left + bx->x, bx->w - inset,
                  top + y + bx->style->border_width + bx->continued->font_size);
        for (int i = before; i < pg->n; i++) /* a page's furniture, not the document's text */
            if (pg->items[i].kind == DL_GLYPHS)
                pg->items[i].u.glyphs.added = 1;
    }
    return y + bx->style->padding_top;
}

/* The left margin of page number (1-based): odd pages are rectos. */
static float left_margin(const style_page *pm, int number)
{
    return number % 2 ? pm->margin_inner : pm->margin_outer;
}

/* ---- where things land -------------------------------------------------- */

/* Skip what a page must not start with: spaces and page breaks. */
int skip_spaces(const layout *L, int i)
{
    while (i < L->n && (L->items[i].kind == V_SPACE || L->items[i].kind == V_BREAK))
        i++;
    return i;
}

/* The source position of item i, or of the nearest item before it that has one. */
pb_pos layout_pos(const layout *L, int i)
{
    for (i = i < L->n ? i : L->n - 1; i >= 0; i--) {
        const vitem *it = &L->items[i];
        if (it->block)
            return it->block->pos;
        if (it->kind == V_LINE)
            return L->pars[it->par].block->pos;
    }
    return (pb_pos){0};
}

/* The page (0-based) holding item j: a binary search of the page starts. */
static int page_of(const layout *L, int j)
{
    int lo = 0, hi = L->npages - 1;
    while (lo < hi) {
        int mid = (lo + hi + 1) / 2;
        if (L->page_start[mid] <= j)
            lo = mid;
        else
            hi = mid - 1;
    }
    return lo;
}

/* What vertical justification adds before item j of page p. */
static float vj_extra(const layout *L, int p, int j)
{
    int kind = layout_vj_point(L, j);
    return kind == VJ_PARAGRAPH ? L->page_stretch[2 * p] : kind == VJ_BLOCK ? L->page_stretch[2 * p + 1] : 0;
}

/*
 * Place the items of page p in group (FLOAT_NONE: the running flow) from y:
 * ys[j - start] is item j's y in the text area.  Spaces before the group's
 * first item are dropped, as at the head of a page; the flow gets vertical
 * justification.  floats: the page sets floats apart (else all is flow).
 * Returns the y below the group's last item.
 */
static float place_group(const layout *L, int p, int group, int floats, float y, float *ys)
{
    int start = L->page_start[p], end = L->page_start[p + 1], begun = 0;
    for (int j = start; j < end; j++) {
        const vitem *it = &L->items[j];
        if ((floats ? it->floated : FLOAT_NONE) != group)
            continue;
        if (group == FLOAT_NONE && j > start)
            y += vj_extra(L, p, j);
        ys[j - start] = y;
        if (begun || it->kind != V_SPACE)
            y += it->height;
        begun |= it->kind != V_SPACE;
    }
    return y;
}

/* Height of page p's bottom floats, from their first item to their last that is not a space. */
static float bottom_floats_height(const layout *L, int p)
{
    float h = 0, spaces = 0;
    for (int j = L->page_start[p]; j < L->page_start[p + 1]; j++) {
        const vitem *it = &L->items[j];
        if (it->floated != FLOAT_BOTTOM)
            continue;
        if (it->kind == V_SPACE) {
            spaces += h > 0 ? it->height : 0;
        } else {
            h += spaces + it->height;
            spaces = 0;
        }
    }
    return h;
}

/*
 * Where each item of page p goes (ys[j - page_start[p]], text-area y), the
 * flow starting at y0: top floats first, then the flow, then the bottom
 * floats with their last line on the foot of the text area.  A page that
 * begins inside a box (a callout going on from the page before) keeps its
 * items in flow order: a float cannot go above that box's continued top.
 */
static void place_page(const layout *L, int p, float y0, float *ys)
{
    int start = L->page_start[p];
    int floats = start < L->n && open_before(L, start) < 0;
    float y = floats ? place_group(L, p, FLOAT_TOP, 1, y0, ys) : y0;
    place_group(L, p, FLOAT_NONE, floats, y, ys);
    if (floats && start < L->n)
        place_group(L, p, FLOAT_BOTTOM, 1, area_height(L, L->items[start].master) -
                    bottom_floats_height(L, p), ys);
}

/* The y of item j on its page (page coordinates). */
static float y_of(const layout *L, int j, int p)
{
    int start = L->page_start[p];
    float *ys = pb_alloc(sizeof *ys * (size_t)(L->page_start[p + 1] - start + 1));
    place_page(L, p, edges(L, open_before(L, start), 1), ys);
    float y = L->tree->pages[L->items[start].master].margin_top + ys[j - start];
    free(ys);
    return y;
}

/* Order marks by the block they stand for, for mark_of's binary search. */
static int cmp_mark(const void *a, const void *b)
{
    uintptr_t x = (uintptr_t)((const vitem *)a)->block, y = (uintptr_t)((const vitem *)b)->block;
    return x < y ? -1 : x > y;
}

/*
 * Index the marks once the list is cut: by block (for the contents page's
 * entries) and, per page, the outline title current on it (for running
 * heads), so neither is a search of the whole list per entry or per page.
 */
static void index_marks(layout *L)
{
    L->marks = pb_alloc(sizeof *L->marks * (size_t)(L->n + 1));
    L->page_title = pb_alloc(sizeof *L->page_title * (size_t)(L->npages + 1));
    const char *last = NULL;
    int p = 0;
    for (int j = 0; j < L->n; j++) {
        if (L->items[j].kind != V_MARK)
            continue;
        L->marks[L->nmarks] = L->items[j];
        L->marks[L->nmarks++].par = j; /* the item's index rides along in par */
        int q = page_of(L, j);
        for (; p < q; p++) /* pages with no mark of their own: the last before */
            L->page_title[p] = L->page_title[p] ? L->page_title[p] : last;
        if (!L->page_title[q])
            L->page_title[q] = L->items[j].block->outline_title; /* the first on it */
        last = L->items[j].block->outline_title;
    }
    for (; p < L->npages; p++)
        L->page_title[p] = L->page_title[p] ? L->page_title[p] : last;
    qsort(L->marks, (size_t)L->nmarks, sizeof *L->marks, cmp_mark);
}

/* The V_MARK item of block b, or -1. */
static int mark_of(const layout *L, const st_block *b)
{
    vitem key = {.block = b};
    const vitem *hit = bsearch(&key, L->marks, (size_t)L->nmarks, sizeof *L->marks, cmp_mark);
    return hit ? hit->par : -1;
}

/* The outline title current on page p: the first that starts on it, else the last before. */
static const char *section_on(const layout *L, int p)
{
    return L->page_title[p];
}

/* ---- page furniture ----------------------------------------------------------- */

/* Expand a running head or foot pattern: {title}, {section}, {source}, {year}. */
static char *expand_furniture(const char *pattern, const st_tree *t, const char *section)
{
    const struct { const char *key; const char *value; } fields[] = {
        {"{title}", t->title}, {"{section}", section}, {"{source}", t->source}, {"{year}", t->year}};
    enum { NFIELDS = sizeof fields / sizeof fields[0] };
    pb_str out = {0};
    for (const char *c = pattern; *c;) {
        size_t i = 0;
        while (i < NFIELDS && strncmp(c, fields[i].key, strlen(fields[i].key)) != 0)
            i++;
        if (i == NFIELDS) {
            pb_str_add(&out, c++, 1);
            continue;
        }
        const char *v = fields[i].value ? fields[i].value : "";
        pb_str_add(&out, v, text_utf8_prefix(v, FURNITURE_MAX_CHARS));
        c += strlen(fields[i].key);
    }
    /* a pattern that repeats a field still makes one line */
    char *text = pb_str_take(&out);
    text[text_utf8_prefix(text, FURNITURE_MAX_CHARS)] = '\0';
    return text;
}

/* Draw the running head and the folio that page p's master asks for. */
static int draw_furniture(layout *L, dl_page *pg, int p, const style_page *pm, float left)
{
    int rc = 0;
    float measure = pm->width - pm->margin_inner - pm->margin_outer;
    int verso = (p + 1) % 2 == 0;
    const char *pattern = verso ? pm->head_verso : pm->head_recto;
    if (pattern) {
        char *text = expand_furniture(pattern, L->tree, section_on(L, p));
        rc |= draw_furniture_text(L, pg, verso ? FURN_VERSO : FURN_RECTO,
                                  verso ? L->tree->head_verso : L->tree->head_recto, text, left,
                                  measure, pm->head_offset);
        free(text);
    }
    if (pm->foot) {
        char *text = expand_furniture(pm->foot, L->tree, section_on(L, p));
        rc |= draw_furniture_text(L, pg, FURN_FOOT, L->tree->foot, text, left, measure,
                                  pm->height - pm->foot_offset);
        free(text);
    }
    if (pm->folio) {
        char number[16];
        snprintf(number, sizeof number, "%d", p + 1);
        rc |= draw_text(L, pg, L->tree->folio, number, left, measure, pm->height - pm->folio_offset);
    }
    return rc;
}

/* Fill the page's bleed box with the master's background colour. */
static void draw_background(dl_page *pg, const style_page *pm)
{
    if (!pm->has_background)
        return;
    dl_item *it = dl_add_item(pg, DL_BOX);
    it->u.box = (dl_box){.x = -pm->bleed, .y = -pm->bleed, .w = pm->width + 2 * pm->bleed,
                         .h = pm->height + 2 * pm->bleed, .filled = 1, .fill = color_of(pm->background)};
}

/* After the last line of a TOC entry: its page number, and links over its lines. */
static int draw_toc_entry(layout *L, dl_page *pg, const vitem *it, float left, float y)
{
    const vpar *vp = &L->pars[it->par];
    int mark = mark_of(L, vp->block->target);
    if (mark < 0)
        return 0;
    int target = page_of(L, mark);
    dl_item *link = dl_add_item(pg, DL_LINK);
    link->u.link = (dl_link){left + it->x, y, it->width, it->height, target, y_of(L, mark, target)};
    if (it->line != vp->composed->nlines - 1)
        return 0;
    char number[16];
    snprintf(number, sizeof number, "%d", target + 1);
    style right = *vp->style;
    right.align = ALIGN_RIGHT;
    vpar num;
    if (compose_generated(L, &right, number, it->width + vp->style->padding_right, &num) < 0)
        return -1;
    /* the number sits on the entry's baseline: the entry's face, or its own
     * when the entry has no text (an empty heading) */
    const shape_face *f = vp->shaped->nfaces ? &vp->shaped->faces[0] : &num.shaped->faces[0];
    float em = f->size * (float)(f->font->ascender - f->font->descender);
    float baseline = y + (it->height - em) / 2 + f->size * (float)f->font->ascender;
    draw_generated(pg, &num, left + it->x, baseline);
    free_generated(&num);
    return 0;
}

/* Draw one item of a page at y (text-area coordinates), its items not yet tagged. */
static int draw_item_untagged(layout *L, dl_document *doc, dl_page *pg, const vitem *it,
                              float left, float top, float y)
{
    switch (it->kind) {
    case V_SPACE: case V_BREAK:
        break;
    case V_OPEN:
        begin_box(L, pg, it->box, y, 0);
        break;
    case V_CLOSE:
        end_box(L, pg, it->box, y + it->height, left, top, 0);
        break;
    case V_LINE:
        draw_line(L, pg, it, left, top + y);
        if (L->pars[it->par].block && L->pars[it->par].block->target)
            return draw_toc_entry(L, pg, it, left, top + y);
        break;
    case V_RULE:
        draw_rule(pg, it, left, top + y);
        break;
    case V_IMAGE: {
        dl_item *d = dl_add_item(pg, DL_IMAGE);
        d->u.image = (dl_image){pb_strdup(it->block->image_path), left + it->x, top + y, it->width, it->height};
        break;
    }
    case V_MARK:
        dl_add_outline(doc, it->block->outline_title, it->block->style->outline_level - 1,
                       doc->npages - 1, top + y);
        break;
    }
    return 0;
}

/* Draw one item of a page at y (text-area coordinates), tagged with its element. */
static int draw_item(layout *L, dl_document *doc, dl_page *pg, const vitem *it, float left,
                     float top, float y)
{
    int before = pg->n, rc = draw_item_untagged(L, doc, pg, it, left, top, y);
    if (it->kind == V_LINE)
        layout_tag_items(pg, before, layout_tag_of(L, L->pars[it->par].block));
    else if (it->kind == V_IMAGE)
        layout_tag_items(pg, before, layout_tag_of(L, it->block));
    return rc; /* box edges and rules stay artifacts */
}

/* Draw page p (items [page_start[p], page_start[p+1])). */
static int draw_page(layout *L, dl_document *doc, int p)
{
    int start = L->page_start[p], end = L->page_start[p + 1];
    while (end > start && L->items[end - 1].kind == V_BREAK)
        end--;
    const style_page *pm = &L->tree->pages[start < L->n ? L->items[start].master : 0];
    dl_page *pg = dl_add_page(doc, pm->width, pm->height);
    pg->bleed = pm->bleed;
    draw_background(pg, pm);
    float left = left_margin(pm, p + 1), top = pm->margin_top;
    float y0 = reopen_boxes(L, pg, start < L->n ? open_before(L, start) : -1, left, top, 0);
    float *ys = pb_alloc(sizeof *ys * (size_t)(L->page_start[p + 1] - start + 1));
    place_page(L, p, y0, ys);
    int rc = 0;
    for (int j = start; j < end; j++)
        rc |= draw_item(L, doc, pg, &L->items[j], left, top, ys[j - start]);
    float bottom = end > start ? ys[end - 1 - start] + L->items[end - 1].height : y0;
    free(ys);
    for (int b = end > start ? open_after(L, end - 1) : -1; b >= 0; b = L->boxes[b].parent) {
        bottom += L->boxes[b].bottom_pad - L->boxes[b].style->border_width;
        end_box(L, pg, b, bottom, left, top, 1);
    }
    int furniture = pg->n;
    rc |= draw_furniture(L, pg, p, pm, left);
    layout_tag_items(pg, furniture, DL_PAGINATION);
    return rc;
}

/* Free the layout's working state. */
static void layout_free(layout *L)
{
    for (int i = 0; i < L->npars; i++) {
        shaped_par_free(L->pars[i].shaped);
        composed_par_free(L->pars[i].composed);
    }
    free(L->pars);
    for (int i = 0; i < NFURN; i++) {
        free(L->furn[i].text);
        free_generated(&L->furn[i].par);
    }
    free(L->items);
    free(L->marks);
    free(L->page_title);
    free(L->refs);
    free(L->boxes);
    free(L->page_start);
    free(L->page_stretch);
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
    layout L = {.ctx = ctx, .comp = comp, .tree = t, .cur_box = -1};
    flatten_block(&L, t->root, 0, area_width(&L, 0));
    dl_document *doc = NULL;
    if (!L.failed)
        paginate(&L);
    if (!L.failed) {
        index_marks(&L);
        doc = dl_document_new();
        copy_metadata(doc, t);
        layout_build_structure(&L, doc);
        for (int p = 0; p < L.npages; p++)
            if (draw_page(&L, doc, p) < 0) {
                dl_document_free(doc);
                doc = NULL;
                break;
            }
    }
    layout_free(&L);
    return doc;
}
