/*
 * paginate.c: cutting the vertical list into pages by total fit.
 *
 * Every place a page may end is a candidate; a page from one start to one
 * end has a cost, and the cheapest sequence of pages over the whole flow
 * wins (dynamic programming, as Knuth–Plass does for lines and Plass's
 * thesis for pages).  A page pays for the empty space at its foot (unless
 * the flow ends there: a section's last page, a part, the document), for a
 * widow or orphan line, for a heading or title left at its foot, and for
 * splitting a box kept together (a callout).  So a callout moves whole to
 * the next page when the space it leaves is small, and splits, with open
 * edges, when moving it would leave half a page empty.
 *
 * Pages whose master asks for vertical justification stretch the space
 * between blocks (at most VJ_BLOCK_LINES of a body line at each place) and
 * a little between paragraphs (VJ_PARAGRAPH_LINES), so the last line sits
 * on the foot; the line pitch inside a paragraph never changes, so the
 * grid of a Chinese page is kept within each paragraph.  The cost counts
 * what that stretch cannot absorb.
 *
 * A float (a block styled float="top" or "bottom") that the cut sends whole
 * to the next page leaves room behind it; the text that follows it fills
 * that room, as a figure's text does in a book: the float moves after that
 * text in the list, so it heads (or ends) the next page, and the pages are
 * cut again.
 */
#include "layout_internal.h"

#include <float.h>
#include <stdlib.h>
#include <string.h>

/* Costs, in the units of one line of empty space squared times 100. */
#define FOOT_WEIGHT 100.0           /* (empty lines)^2 x this */
#define STRETCH_WEIGHT 30.0         /* (lines of space vertical justification adds)^2 x this */
#define WIDOW_COST 5000.0           /* a paragraph's line alone at a page head or foot */
#define SPLIT_COST 1500.0           /* a box kept together is split (about 4 lines empty) */
#define KEEP_COST 1e7               /* a heading or title parted from what follows */
#define FLOAT_SPLIT_COST 1e9        /* a float is split: only one taller than a page is */
#define FOOT_TOLERATED 3.0          /* lines a page may leave empty before it gets expensive */
#define OVER_WEIGHT 10000.0         /* per line empty beyond that: splitting a box is cheaper */
/* How far each place may grow, in body lines: between blocks, between paragraphs. */
#define VJ_BLOCK_LINES 3.0f
#define VJ_PARAGRAPH_LINES 0.25f
/* How often the text after floats may be moved up before the pages are final. */
#define MAX_FLOAT_ROUNDS 4

/* Prefix sums over the vertical list, to measure any page in O(1). */
typedef struct measure {
    double *top;                /* top[j]: height of items [0, j) */
    int *blocks, *paras;        /* [j]: places between blocks, between paragraphs, in [0, j) */
    int *content_end;           /* [j]: j with the trailing spaces before it left out */
} measure;

/* 1 when a keep flag (a heading, a title, a box's first edge) holds the item before e to e. */
static int kept(const layout *L, int e)
{
    int k = e - 1;
    while (k > 0 && L->items[k].kind == V_SPACE)
        k--;
    return L->items[k].keep;
}

/* Whether item j (not the first of its page) is a place where vertical justification may add space. */
int layout_vj_point(const layout *L, int j)
{
    const vitem *a = &L->items[j - 1], *b = &L->items[j];
    if (b->kind == V_SPACE || b->kind == V_CLOSE || b->kind == V_BREAK || a->floated || b->floated)
        return VJ_NONE; /* a float leaves its place in the flow: no space is added beside it */ /* a mark (an outline entry) may be the place: its block follows */
    /* a box (a callout) keeps its own spacing, and a heading stays with its text */
    if (open_before(L, j) >= 0 || kept(L, j) || b->rigid)
        return VJ_NONE;
    if (a->kind == V_SPACE || a->kind == V_CLOSE)
        return VJ_BLOCK;
    return b->kind == V_LINE && b->line == 0 && a->kind == V_LINE ? VJ_PARAGRAPH : VJ_NONE;
}

/* Fill the prefix sums. */
static void measure_build(const layout *L, measure *m)
{
    m->top = pb_alloc(sizeof *m->top * (size_t)(L->n + 1));
    m->blocks = pb_alloc(sizeof *m->blocks * (size_t)(L->n + 1));
    m->paras = pb_alloc(sizeof *m->paras * (size_t)(L->n + 1));
    m->content_end = pb_alloc(sizeof *m->content_end * (size_t)(L->n + 1));
    m->top[0] = 0;
    m->blocks[0] = m->paras[0] = 0;
    m->content_end[0] = 0;
    for (int j = 0; j < L->n; j++) {
        m->top[j + 1] = m->top[j] + L->items[j].height;
        int kind = j > 0 ? layout_vj_point(L, j) : VJ_NONE;
        m->blocks[j + 1] = m->blocks[j] + (kind == VJ_BLOCK);
        m->paras[j + 1] = m->paras[j] + (kind == VJ_PARAGRAPH);
        m->content_end[j + 1] = L->items[j].kind == V_SPACE || L->items[j].kind == V_BREAK
                                ? m->content_end[j] : j + 1;
    }
}

/* Free the prefix sums. */
static void measure_free(measure *m)
{
    free(m->top);
    free(m->blocks);
    free(m->paras);
    free(m->content_end);
}

/* The height a page from item s to break e (exclusive) takes, box edges included. */
static double page_height(const layout *L, const measure *m, int s, int e)
{
    int last = m->content_end[e] > s ? m->content_end[e] : s + 1;
    return edges(L, open_before(L, s), 1) + (m->top[last] - m->top[s]) +
           edges(L, open_after(L, last - 1), 0);
}

/* The cost of a widow or orphan when the page breaks before line item e. */
static double widow_cost(const layout *L, int e)
{
    int k = e - 1;
    while (k > 0 && L->items[k].kind != V_LINE)
        k--;
    const vitem *after = &L->items[e], *before = &L->items[k];
    if (after->kind != V_LINE || before->kind != V_LINE || before->par != after->par)
        return 0;
    const vpar *vp = &L->pars[after->par];
    int n = vp->composed->nlines, above = after->line, below = n - after->line;
    int orphans = vp->style->orphans > 0 ? vp->style->orphans : 1;
    int widows = vp->style->widows > 0 ? vp->style->widows : 1;
    return (above < orphans ? WIDOW_COST : 0) + (below < widows ? WIDOW_COST : 0);
}

/* 1 when a box kept together is open across the break before item e. */
static int splits_kept_box(const layout *L, int e)
{
    for (int b = open_before(L, e); b >= 0; b = L->boxes[b].parent)
        if (L->boxes[b].style->keep_together)
            return 1;
    return 0;
}

/* The cost of breaking before item e (e == n: the end). */
static double break_cost(const layout *L, int e)
{
    if (e >= L->n || L->items[e].kind == V_BREAK)
        return 0;
    double c = kept(L, e) ? KEEP_COST : 0;
    int k = e - 1;
    while (k > 0 && L->items[k].kind == V_SPACE)
        k--;
    int splits = splits_kept_box(L, e) || (L->items[e].rigid && L->items[k].rigid);
    int splits_float = L->items[e].floated && L->items[e].floated == L->items[k].floated;
    return c + widow_cost(L, e) + (splits ? SPLIT_COST : 0) + (splits_float ? FLOAT_SPLIT_COST : 0);
}

/*
 * How vertical justification fills empty on the page [s, e): what each
 * place between paragraphs (*para) and between blocks (*block) adds, the
 * first ones filled evenly before the second go further.  Returns what is
 * left at the foot.
 */
static double share_stretch(const measure *m, int s, int e, double empty, float line,
                            float *para, float *block)
{
    int np = m->paras[e] - m->paras[s + 1], nb = m->blocks[e] - m->blocks[s + 1];
    double small = VJ_PARAGRAPH_LINES * line, big = VJ_BLOCK_LINES * line;
    *para = *block = 0;
    if (np + nb == 0 || empty <= 0)
        return empty > 0 ? empty : 0;
    double even = empty / (np + nb);
    if (even <= small) {
        *para = *block = (float)even;
        return 0;
    }
    *para = np ? (float)small : 0;
    double rest = empty - np * small;
    *block = nb ? (float)(rest / nb < big ? rest / nb : big) : 0;
    return empty - np * (double)*para - nb * (double)*block;
}

/* The cost of the page of height h on master mp that ends at break e (flow_ends: nothing follows on it). */
static double foot_cost(const layout *L, const measure *m, int s, int e, double h, int flow_ends)
{
    if (flow_ends)
        return 0;
    const style_page *pm = &L->tree->pages[L->items[s].master];
    float line = L->tree->root->style->line_height > 0 ? L->tree->root->style->line_height : 12;
    double empty = area_height(L, L->items[s].master) - h, stretch = 0;
    if (empty < 0)
        empty = 0;
    if (pm->vertical_justify) {
        float para, block;
        double left = share_stretch(m, s, m->content_end[e], empty, line, &para, &block);
        stretch = empty - left;
        empty = left;
    }
    double lines = empty / line, over = lines > FOOT_TOLERATED ? lines - FOOT_TOLERATED : 0;
    return FOOT_WEIGHT * lines * lines + OVER_WEIGHT * over +
           STRETCH_WEIGHT * (stretch / line) * (stretch / line);
}

/* Dynamic-programming state: the best way to start a page at each item. */
typedef struct dp {
    double *cost;               /* cost[i]: cheapest pages before a page starting at i */
    int *from;                  /* the start of the page that ends where i starts */
} dp;

/* Try every end of a page starting at s. */
static void extend_from(const layout *L, const measure *m, dp *d, int s)
{
    float area = area_height(L, L->items[s].master);
    int tried = 0;
    for (int e = s + 1; e <= L->n; e++) {
        int forced = e < L->n && L->items[e].kind == V_BREAK;
        int candidate = e == L->n || forced ||
                        (L->items[e].kind != V_SPACE && L->items[e].kind != V_CLOSE);
        if (!candidate)
            continue;
        double h = page_height(L, m, s, e);
        /* longer pages only get fuller; but the first end is always tried, even
         * when it overfills the page (a box edge after a line too tall for it), or
         * no page would start after s and the end of the flow could go unreached */
        if (h > area + 0.01f && tried)
            break;
        tried = 1;
        int next = skip_spaces(L, e);
        double c = d->cost[s] + foot_cost(L, m, s, e, h, forced || next >= L->n) + break_cost(L, e);
        if (c < d->cost[next]) {
            d->cost[next] = c;
            d->from[next] = s;
        }
        if (forced)
            break;              /* a page never runs past a forced break */
    }
}

/* Record the chosen page starts (in order) into L. */
static void record_pages(layout *L, const dp *d, int first)
{
    int count = 0;
    for (int i = L->n; i != first; i = d->from[i])
        count++;
    L->npages = count > 0 ? count : 1;
    L->page_start = pb_alloc(sizeof *L->page_start * (size_t)(L->npages + 1));
    L->page_stretch = pb_alloc(sizeof *L->page_stretch * (size_t)(2 * L->npages + 2));
    L->page_start[0] = first;
    for (int i = L->n, p = count; i != first; i = d->from[i])
        L->page_start[--p] = d->from[i];
    L->page_start[L->npages] = L->n;
}

/* What each vertical-justification place of page p adds (share_stretch); nothing where the flow ends. */
static void page_stretch(layout *L, const measure *m, int p)
{
    int s = L->page_start[p], e = L->page_start[p + 1];
    int flow_ends = e >= L->n || L->items[e - 1].kind == V_BREAK ||
                    skip_spaces(L, e) >= L->n;
    for (int k = s; k < e && !flow_ends; k++)
        flow_ends = L->items[k].kind == V_BREAK;
    if (flow_ends || s >= L->n || !L->tree->pages[L->items[s].master].vertical_justify)
        return;
    double empty = area_height(L, L->items[s].master) - page_height(L, m, s, e);
    share_stretch(m, s, m->content_end[e], empty, L->tree->root->style->line_height,
                  &L->page_stretch[2 * p], &L->page_stretch[2 * p + 1]);
}

/* Charge the pages just cut to the run's page limit (an error past it), and share
 * out each page's vertical justification. */
static void check_page_limit(layout *L, const measure *m)
{
    const pb_limits *lim = &L->ctx->limits;
    if (lim->pages > 0 && L->ctx->used.pages + L->npages > lim->pages) {
        int p = lim->pages - L->ctx->used.pages;
        pb_error(L->ctx, layout_pos(L, L->page_start[p > 0 ? p : 0]), "the document runs past %d "
                 "pages, the limit for one run (--max-pages N raises it)", lim->pages);
        L->failed = 1;
        return;
    }
    for (int p = 0; p < L->npages; p++)
        page_stretch(L, m, p);
    L->ctx->used.pages += L->npages;
}

/* Cut the list into pages once; sets page_start, npages, page_stretch. */
static void cut_pages(layout *L)
{
    const pb_limits *lim = &L->ctx->limits;
    int first = skip_spaces(L, 0);
    if (lim->pages > 0 && L->ctx->used.pages >= lim->pages) {
        pb_error(L->ctx, layout_pos(L, first), "the document runs past %d pages, the limit "
                 "for one run (--max-pages N raises it)", lim->pages);
        L->failed = 1;
        return;
    }
    measure m;
    measure_build(L, &m);
    dp d = {pb_alloc(sizeof(double) * (size_t)(L->n + 1)), pb_alloc(sizeof(int) * (size_t)(L->n + 1))};
    for (int i = 0; i <= L->n; i++)
        d.cost[i] = DBL_MAX;
    d.cost[first] = 0;
    for (int s = first; s < L->n; s++)
        if (d.cost[s] < DBL_MAX)
            extend_from(L, &m, &d, s);
    if (d.cost[L->n] < DBL_MAX) {
        record_pages(L, &d, first);
        check_page_limit(L, &m);
    } else {
        /* every start reached tries its first end, so only costs that are not
         * numbers leave the end unreached: an error, never a walk that loops */
        pb_error(L->ctx, layout_pos(L, first), "internal error: no page breaks reach the end of "
                 "the document");
        L->failed = 1;
    }
    free(d.cost);
    free(d.from);
    measure_free(&m);
}

/* Where the float that page start s begins with begins (its own spaces before s
 * included), or -1 when the page does not begin a float. */
static int float_starting_at(const layout *L, int s)
{
    if (s >= L->n || !L->items[s].floated)
        return -1;
    int g = s;
    while (g > 0 && L->items[g - 1].kind == V_SPACE && L->items[g - 1].floated == L->items[s].floated)
        g--;
    if (g == 0 || L->items[g - 1].kind == V_BREAK || L->items[g - 1].floated == L->items[s].floated)
        return -1;
    return g;
}

/* The first item after the float that begins at f. */
static int float_end(const layout *L, int f)
{
    int e = f;
    while (e < L->n && L->items[e].floated == L->items[f].floated)
        e++;
    return e;
}

/*
 * The end of the longest run of text from item from that is no taller than
 * room and may stand before a float: whole boxes only, no outline mark (the
 * outline keeps the document's order), no float, no forced break; it ends
 * after a line, image or box.  from itself when there is none.
 */
static int text_to_pull(const layout *L, int from, double room)
{
    int depth = 0, best = from;
    double h = 0;
    for (int i = from; i < L->n; i++) {
        const vitem *it = &L->items[i];
        if (it->floated || it->kind == V_MARK || it->kind == V_BREAK || (h += it->height) > room)
            break;
        depth += it->kind == V_OPEN ? 1 : it->kind == V_CLOSE ? -1 : 0;
        if (depth < 0)
            break;
        if (depth == 0 && !it->keep && (it->kind == V_LINE || it->kind == V_CLOSE || it->kind == V_IMAGE))
            best = i + 1;
    }
    return best;
}

/* Move items [b, c) before [a, b). */
static void rotate_items(layout *L, int a, int b, int c)
{
    size_t head = sizeof(vitem) * (size_t)(b - a), tail = sizeof(vitem) * (size_t)(c - b);
    vitem *tmp = pb_alloc(head);
    memcpy(tmp, &L->items[a], head);
    memmove(&L->items[a], &L->items[b], tail);
    memcpy(&L->items[a + (c - b)], tmp, head);
    free(tmp);
}

/* The empty space on page p below its items before e (no vertical justification). */
static double room_above(const layout *L, int p, int e)
{
    int s = L->page_start[p];
    double h = edges(L, open_before(L, s), 1);
    for (int i = s; i < e; i++)
        h += L->items[i].height;
    return area_height(L, L->items[s].master) - h;
}

/* Let the text after each float sent to the next page fill the page it left; 1 when any moved. */
static int defer_floats(layout *L)
{
    int moved = 0, changed_until = 0; /* page starts before this index are stale */
    for (int p = 0; p + 1 < L->npages; p++) {
        int f = L->page_start[p] < changed_until ? -1 : float_starting_at(L, L->page_start[p + 1]);
        if (f < 0 || L->items[f - 1].master != L->items[f].master)
            continue;
        int end = float_end(L, f), from = end;
        while (from < L->n && L->items[from].kind == V_SPACE && !L->items[from].floated)
            from++;     /* spaces stay after the float, where a page head drops them */
        int to = text_to_pull(L, from, room_above(L, p, f));
        if (to > from) {
            rotate_items(L, f, from, to);
            moved = 1;
            changed_until = to;
        }
    }
    return moved;
}

/* Forget a cut, to cut again. */
static void forget_pages(layout *L)
{
    L->ctx->used.pages -= L->npages;
    free(L->page_start);
    free(L->page_stretch);
    L->page_start = NULL;
    L->page_stretch = NULL;
    L->npages = 0;
}

/* Cut the list into pages; sets page_start, npages, page_stretch. */
void paginate(layout *L)
{
    for (int round = 0;; round++) {
        cut_pages(L);
        if (L->failed || round == MAX_FLOAT_ROUNDS || !defer_floats(L))
            return;
        forget_pages(L);
    }
}
