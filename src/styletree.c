/*
 * styletree.c: the document tree → the styled tree.
 *
 * Walks the document, gives every block its computed style (style.c does
 * the computing), turns inline markup into spans, generates badges and
 * labels, probes images, and builds the parts that the style sheet's
 * <front> (cover, title page, contents) and <back> (after the body)
 * describe.
 */
#include "files.h"
#include "image.h"
#include "style_internal.h"
#include "text.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

/* Resolution assumed for images: print quality, so a photo is never blown up. */
#define IMAGE_DPI 300.0f

/* Free the styled tree. */
static void free_block(st_block *b)
{
    if (!b)
        return;
    for (int i = 0; i < b->nspans; i++)
        free(b->spans[i].text);
    free(b->spans);
    for (int i = 0; i < b->nchildren; i++)
        free_block(b->children[i]);
    free(b->children);
    free(b->outline_title);
    free(b->image_path);
    free(b->alt);
    free(b);
}

/* Free the styled tree. */
void st_tree_free(st_tree *t)
{
    if (!t)
        return;
    free_block(t->root);
    for (int i = 0; i < t->nstyles; i++)
        style_free_computed(t->styles[i]);
    free(t->styles);
    for (int i = 0; i < t->npages; i++)
        style_free_page(&t->pages[i]);
    free(t->pages);
    for (int i = 0; i < t->npublishers; i++)
        free(t->publishers[i]);
    free(t->publishers);
    for (int i = 0; i < t->nnames; i++)
        free(t->names[i]);
    free(t->names);
    free(t->title);
    free(t->subtitle);
    free(t->author);
    free(t->subject);
    free(t->keywords);
    free(t->lang);
    free(t->year);
    free(t->source);
    free(t);
}

/* ---- the styled tree ----------------------------------------------------- */

/* Walking state for style_apply. */
typedef struct walker {
    pb_ctx *ctx;
    const style_sheet *sheet;
    const doc *doc;             /* its root_dir confines the images it names */
    st_tree *tree;
    const doc_node *only;       /* the element typeset alone (a handout), or NULL */
} walker;

static const char *const TEXT_ELEMENTS[] = {
    "p", "heading", "title", "subtitle", "headline", "deck", "caption", "item", NULL};
static const char *const INLINE_ELEMENTS[] = {"em", "strong", NULL};
static const char *const BOX_ELEMENTS[] = {
    "body", "section", "callout", "figure", "titleblock", "list", NULL};

/* The rule for node, honouring its style="" attribute; NULL when there is none. */
static const style_rule *rule_for_node(const walker *w, const doc_node *node, const char *parent_name)
{
    const char *named = doc_attr_get(node, "style");
    return named ? style_find_rule(w->sheet, named) : style_rule_for(w->sheet, parent_name, node->name);
}

/* The rule for node as rule_for_node finds it; reports a style="" that names nothing. */
static int lookup_rule(walker *w, const doc_node *node, const char *parent_name,
                       const style_rule **out)
{
    const char *named = doc_attr_get(node, "style");
    *out = rule_for_node(w, node, parent_name);
    if (named && !*out) {
        pb_error(w->ctx, node->pos, "style '%s' is not defined in the style sheet", named);
        return -1;
    }
    return 0;
}

/* A new block of kind for node in style st (computed already). */
static st_block *styled_block(st_kind kind, const char *role, pb_pos pos, const style *st)
{
    st_block *b = pb_alloc(sizeof *b);
    b->kind = kind;
    b->role = role;
    b->pos = pos;
    b->master = -1;
    b->style = st;
    return b;
}

/* A new block of kind for node, styled by rule under parent_style. */
static st_block *new_block(walker *w, st_kind kind, const char *role, pb_pos pos,
                           const style_rule *r, const style *parent_style)
{
    return styled_block(kind, role, pos, style_compute(w->tree, w->sheet, r, parent_style));
}

/* Append child to box. */
static void add_child(st_block *box, st_block *child)
{
    pb_grow(&box->children, &box->children_cap, box->nchildren + 1, sizeof *box->children);
    box->children[box->nchildren++] = child;
}

/* Append a span of text to a text block. */
static void add_span(st_block *b, const char *text, size_t len, const style *s, pb_pos pos)
{
    pb_grow(&b->spans, &b->spans_cap, b->nspans + 1, sizeof *b->spans);
    st_span *sp = &b->spans[b->nspans++];
    sp->text = pb_alloc(len + 1);
    memcpy(sp->text, text, len);
    sp->style = s;
    sp->pos = pos;
}

/* The code point that ends the UTF-8 text s, or 0. */
static unsigned last_cp(const char *s)
{
    uint32_t cp = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p;)
        cp = text_utf8_next(&p, NULL);
    return cp;
}

/*
 * Collapse white space as a reader expects: runs become one space, except
 * that a run holding a line break between two CJK characters vanishes
 * (source lines wrapped inside Chinese text must not leave a gap).
 * *prev_cp carries the last code point across spans of one block.
 */
static char *collapse_space(const char *in, unsigned *prev_cp, size_t *out_len)
{
    size_t n = strlen(in);
    char *out = pb_alloc(n + 1), *o = out;
    const unsigned char *s = (const unsigned char *)in;
    while (*s) {
        if (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r') {
            int newline = 0;
            while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
                newline |= *s++ == '\n';
            const unsigned char *peek = s;
            unsigned next = *s ? text_utf8_next(&peek, NULL) : 0;
            int drop = *prev_cp == 0 || *prev_cp == ' ' || *prev_cp == '\n' ||
                       (newline && text_is_cjk(*prev_cp) && (next == 0 || text_is_cjk(next)));
            if (!drop)
                *o++ = ' ', *prev_cp = ' ';
            continue;
        }
        const unsigned char *start = s;
        *prev_cp = text_utf8_next(&s, NULL);
        memcpy(o, start, (size_t)(s - start));
        o += s - start;
    }
    *out_len = (size_t)(o - out);
    return out;
}

/* Add the inline content of node (text, em, strong, br) as spans of b. */
static int add_inline(walker *w, st_block *b, const doc_node *node, const style *s,
                      unsigned *prev_cp)
{
    int bad = 0;
    for (const doc_node *c = node->first; c; c = c->next) {
        if (c->kind == DOC_TEXT) {
            size_t len;
            char *text = collapse_space(c->text, prev_cp, &len);
            if (len)
                add_span(b, text, len, s, c->pos);
            free(text);
        } else if (strcmp(c->name, "br") == 0) {
            add_span(b, "\n", 1, s, c->pos);
            *prev_cp = '\n';
        } else if (style_word_index(c->name, INLINE_ELEMENTS) >= 0) {
            const style_rule *r;
            if (lookup_rule(w, c, NULL, &r) < 0)
                bad = 1;
            bad |= add_inline(w, b, c, style_compute(w->tree, w->sheet, r, s), prev_cp) < 0;
        }
    }
    return bad ? -1 : 0;
}

/* Drop a trailing space from the block's last span. */
static void trim_block_end(st_block *b)
{
    for (int i = b->nspans - 1; i >= 0; i--) {
        size_t n = strlen(b->spans[i].text);
        if (n && b->spans[i].text[n - 1] == ' ')
            b->spans[i].text[n - 1] = '\0';
        if (b->spans[i].text[0])
            break;
    }
}

/* Expand a label pattern: "{n}" becomes number. */
static char *expand_label(const char *pattern, int number)
{
    char num[16];
    snprintf(num, sizeof num, "%d", number);
    size_t uses = 0;
    for (const char *p = strstr(pattern, "{n}"); p; p = strstr(p + 3, "{n}"))
        uses++;
    char *out = pb_alloc(strlen(pattern) + uses * strlen(num) + 1), *o = out;
    for (const char *p = pattern; *p;)
        if (strncmp(p, "{n}", 3) == 0) {
            o += sprintf(o, "%s", num);
            p += 3;
        } else {
            *o++ = *p++;
        }
    return out;
}

/* Build a text block for node; prefix (may be NULL) is generated text. */
static st_block *text_block(walker *w, const doc_node *node, const char *parent_name,
                            const style *parent_style, int number)
{
    const style_rule *r;
    if (lookup_rule(w, node, parent_name, &r) < 0)
        return NULL;
    st_block *b = new_block(w, ST_TEXT, node->name, node->pos, r, parent_style);
    unsigned prev_cp = 0;
    if (b->style->label) {
        char *label = expand_label(b->style->label, number);
        add_span(b, label, strlen(label), b->style, node->pos);
        b->label_spans = 1;
        prev_cp = last_cp(label);
        free(label);
    }
    if (add_inline(w, b, node, b->style, &prev_cp) < 0) {
        free_block(b);
        return NULL;
    }
    trim_block_end(b);
    return b;
}

/* The plain text of a text block, with forced breaks removed. */
static char *block_plain_text(const st_block *b)
{
    size_t n = 1;
    for (int i = 0; i < b->nspans; i++)
        n += strlen(b->spans[i].text);
    char *out = pb_alloc(n);
    for (int i = 0; i < b->nspans; i++)
        if (strcmp(b->spans[i].text, "\n") != 0)
            strcat(out, b->spans[i].text);
    return out;
}

/* A badge's text and a title joined as the outline shows them; frees both. */
static char *badge_and_title(char *badge, char *title)
{
    if (!badge)
        return title;
    char *both = pb_alloc(strlen(badge) + strlen(title) + 2);
    sprintf(both, title[0] ? "%s %s" : "%s", badge, title);
    free(badge);
    free(title);
    return both;
}

/*
 * Outline title of a box: its first text child's text, after any badge.
 * A box whose title text is empty (a draft heading) gets no entry in the
 * contents or the outline, with a warning, unless a badge names it.
 */
static void set_outline_title(walker *w, st_block *box)
{
    const st_block *title_block = NULL;
    for (int i = 0; i < box->nchildren && !title_block; i++)
        if (box->children[i]->kind == ST_TEXT && strcmp(box->children[i]->role, "badge") != 0)
            title_block = box->children[i];
    char *title = title_block ? block_plain_text(title_block) : pb_strdup("");
    pb_pos where = title_block ? title_block->pos : box->pos;
    if (box->nchildren && strcmp(box->children[0]->role, "badge") == 0)
        title = badge_and_title(block_plain_text(box->children[0]), title);
    if (title[0]) {
        box->outline_title = title;
        return;
    }
    pb_warning(w->ctx, where, "the title of this <%s> is empty; it is left out of the contents "
               "and the outline", box->role);
    free(title);
}

static st_block *box_block(walker *w, const doc_node *node, const char *parent_name,
                           const style *parent_style);
static st_block *item_with_lists(walker *w, const doc_node *item, const char *parent_name,
                                 const style *parent_style, int number);

/* Count an image's pixels against the run's limits; -1 (reported at pos) past them. */
static int charge_pixels(walker *w, pb_pos pos, const char *path, int px_w, int px_h)
{
    long long px = (long long)px_w * px_h;
    const pb_limits *lim = &w->ctx->limits;
    if (px > lim->image_pixels) {
        pb_error(w->ctx, pos, "image '%s' is %d x %d pixels; the limit is %lld pixels "
                 "(%lld megapixels), more than any print needs", path, px_w, px_h,
                 lim->image_pixels, lim->image_pixels / 1000000);
        return -1;
    }
    if ((w->ctx->used.pixels += px) > lim->total_pixels) {
        pb_error(w->ctx, pos, "image '%s' passes the limit of %lld pixels for all the images "
                 "of one run", path, lim->total_pixels);
        return -1;
    }
    return 0;
}

/* An image block, its size read from the file; NULL (reported) when unusable. */
static st_block *image_block(walker *w, const doc_node *node, const char *parent_name,
                             const style *parent_style)
{
    const style_rule *r;
    if (lookup_rule(w, node, parent_name, &r) < 0)
        return NULL;
    const char *src = doc_attr_get(node, "src");
    if (!src || !*src) {
        pb_error(w->ctx, node->pos, "<image> needs a src attribute naming a PNG or JPEG file");
        return NULL;
    }
    char *path = files_resolve(w->ctx, node->pos, w->doc->root_dir, node->pos.file, src, "image");
    image_type type;
    int px_w, px_h;
    const char *why;
    if (!path || files_check_input(w->ctx, node->pos, path, "image") < 0) {
        free(path);
        return NULL;
    }
    if (image_probe(path, &type, &px_w, &px_h, &why) < 0) {
        pb_error(w->ctx, node->pos, "image '%s': %s", path, why);
        free(path);
        return NULL;
    }
    if (charge_pixels(w, node->pos, path, px_w, px_h) < 0) {
        free(path);
        return NULL;
    }
    st_block *b = new_block(w, ST_IMAGE, "image", node->pos, r, parent_style);
    b->image_path = path;
    const char *alt = doc_attr_get(node, "alt");
    b->alt = alt && *alt ? pb_strdup(alt) : NULL;
    if (!b->alt)
        pb_warning(w->ctx, node->pos, "<image> has no alt text: a reader who cannot see it "
                   "hears nothing of it (add alt=\"...\")");
    b->image_w = (float)px_w * 72 / IMAGE_DPI; /* scaled down to the measure if wider */
    b->image_h = (float)px_h * 72 / IMAGE_DPI;
    return b;
}

/* 1 when child_block has a handler for elements called name. */
static int is_block_element(const char *name)
{
    return style_word_index(name, TEXT_ELEMENTS) >= 0 || style_word_index(name, BOX_ELEMENTS) >= 0 ||
           strcmp(name, "image") == 0;
}

/*
 * Style one element c (a child of an element whose rules go by parent_name)
 * into a block; NULL with *bad set on errors.  Every element the schema
 * admits in a box has a handler here: one without is paiban's own bug,
 * reported as an internal error rather than text silently left out.
 */
static st_block *child_block(walker *w, const doc_node *c, const char *parent_name,
                             const style *parent_style, int *item_number, int *bad)
{
    st_block *child = NULL;
    if (!is_block_element(c->name)) {
        pb_error(w->ctx, c->pos, "internal error: no handler for <%s> in <%s>; paiban's schema and "
                 "style stage disagree", c->name, c->parent ? c->parent->name : parent_name);
        *bad = 1;
        return NULL;
    }
    if (strcmp(c->name, "item") == 0 && doc_child(c, "list"))
        child = item_with_lists(w, c, parent_name, parent_style, ++*item_number);
    else if (style_word_index(c->name, TEXT_ELEMENTS) >= 0)
        child = text_block(w, c, parent_name, parent_style, ++*item_number);
    else if (style_word_index(c->name, BOX_ELEMENTS) >= 0)
        child = box_block(w, c, parent_name, parent_style);
    else
        child = image_block(w, c, parent_name, parent_style);
    *bad |= child == NULL;
    return child;
}

/* The name a container's children look their rules up under: "list-number" for a numbered list. */
static const char *rule_parent_name(const doc_node *node)
{
    const char *type = doc_attr_get(node, "type");
    return strcmp(node->name, "list") == 0 && type && strcmp(type, "number") == 0
        ? "list-number" : node->name;
}

/*
 * A list item holding nested lists: a box with the item's own text (styled
 * and numbered as any item) followed by the lists, which inherit from it.
 */
static st_block *item_with_lists(walker *w, const doc_node *item, const char *parent_name,
                                 const style *parent_style, int number)
{
    st_block *text = text_block(w, item, parent_name, parent_style, number);
    if (!text)
        return NULL;
    st_block *box = new_block(w, ST_BOX, "item", item->pos, NULL, parent_style);
    add_child(box, text);
    int bad = 0;
    for (const doc_node *c = item->first; c; c = c->next)
        if (c->kind == DOC_ELEMENT && strcmp(c->name, "list") == 0) {
            st_block *list = box_block(w, c, "item", text->style);
            bad |= !list;
            if (list)
                add_child(box, list);
        }
    if (bad) {
        free_block(box);
        return NULL;
    }
    return box;
}

/* Style each child element of node into box; -1 when any failed. */
static int add_children(walker *w, st_block *box, const doc_node *node)
{
    int bad = 0, item_number = 0;
    for (const doc_node *c = node->first; c; c = c->next) {
        st_block *child = c->kind == DOC_ELEMENT
            ? child_block(w, c, rule_parent_name(node), box->style, &item_number, &bad) : NULL;
        if (child)
            add_child(box, child);
    }
    return bad ? -1 : 0;
}

/*
 * The text of the number badge of node (a box styled box_style) and, in
 * *badge_style, its style: the label of rule "NAME.badge" with {n} the
 * node's number=.  NULL when the node has no number or the rule no label.
 */
static char *badge_text(walker *w, const doc_node *node, const style *box_style,
                        const style **badge_style)
{
    const style_rule *r = style_rule_for(w->sheet, node->name, "badge");
    if (!doc_attr_get(node, "number") || !r)
        return NULL;
    *badge_style = style_compute(w->tree, w->sheet, r, box_style);
    return (*badge_style)->label ? expand_label((*badge_style)->label, style_part_number(node)) : NULL;
}

/* Add a callout's number badge when its style gives a label. */
static void add_badge(walker *w, st_block *box, const doc_node *node)
{
    const style *st;
    char *label = badge_text(w, node, box->style, &st);
    if (!label)
        return;
    st_block *b = styled_block(ST_TEXT, "badge", node->pos, st);
    add_span(b, label, strlen(label), b->style, node->pos);
    free(label);
    add_child(box, b);
}

/* Build a box block for node and its children; NULL on errors. */
static st_block *box_block(walker *w, const doc_node *node, const char *parent_name,
                           const style *parent_style)
{
    const style_rule *r;
    if (lookup_rule(w, node, parent_name, &r) < 0)
        return NULL;
    st_block *b = new_block(w, ST_BOX, node->name, node->pos, r, parent_style);
    add_badge(w, b, node);
    const style_rule *cont = style_rule_for(w->sheet, node->name, "continued");
    if (cont) {
        const style *cs = style_compute(w->tree, w->sheet, cont, b->style);
        b->continued = cs->label ? cs : NULL;
    }
    if (add_children(w, b, node) < 0) {
        free_block(b);
        return NULL;
    }
    if (b->style->outline_level > 0)
        set_outline_title(w, b);
    return b;
}

/* A metadata field's text, white space collapsed as in running text (a
 * title wrapped over source lines prints as one line). */
static char *field_text(const doc_node *field)
{
    char *raw = doc_text_content(field);
    unsigned prev = 0;
    size_t len;
    char *text = collapse_space(raw, &prev, &len);
    free(raw);
    while (len && text[len - 1] == ' ')
        text[--len] = '\0';
    return text;
}

/* Copy the metadata out of <meta>; the author is the publishers joined with "、". */
static void read_metadata(st_tree *t, const doc_node *meta)
{
    static const char *const names[] = {"title", "subtitle", "subject", "keywords", "year", "source", NULL};
    char **fields[] = {&t->title, &t->subtitle, &t->subject, &t->keywords, &t->year, &t->source};
    size_t author_len = 1;
    for (const doc_node *c = meta ? meta->first : NULL; c; c = c->next) {
        if (c->kind != DOC_ELEMENT)
            continue;
        int i = style_word_index(c->name, names);
        if (i >= 0 && !*fields[i]) {
            *fields[i] = field_text(c);
        } else if (strcmp(c->name, "publisher") == 0) {
            pb_grow(&t->publishers, &t->publishers_cap, t->npublishers + 1, sizeof *t->publishers);
            t->publishers[t->npublishers] = field_text(c);
            author_len += strlen(t->publishers[t->npublishers++]) + 3;
        }
    }
    if (!t->npublishers)
        return;
    t->author = pb_alloc(author_len);
    for (int i = 0; i < t->npublishers; i++)
        strcat(strcat(t->author, i ? "、" : ""), t->publishers[i]);
}

/* ---- front and back matter (the style sheet's <front> and <back>) --------- */

/* The text of a metadata field other than the publishers, or NULL. */
static const char *field_value(const st_tree *t, const char *name)
{
    return strcmp(name, "title") == 0 ? t->title : strcmp(name, "subtitle") == 0 ? t->subtitle
         : strcmp(name, "year") == 0 ? t->year : strcmp(name, "subject") == 0 ? t->subject
         : t->source;
}

/* 1 when the document has a value for the field el names. */
static int field_present(const st_tree *t, const doc_node *el)
{
    const char *name = doc_attr_get(el, "name");
    return strcmp(name, "publishers") == 0 ? t->npublishers > 0 : field_value(t, name) != NULL;
}

/* The value of a metadata field as spans of b ("br" separators become breaks). */
static void add_field(st_block *b, const st_tree *t, const doc_node *el)
{
    const char *name = doc_attr_get(el, "name");
    if (strcmp(name, "publishers") != 0) {
        const char *v = field_value(t, name);
        add_span(b, v, strlen(v), b->style, el->pos);
        return;
    }
    const char *sep = doc_attr_get(el, "separator");
    sep = !sep ? "、" : strcmp(sep, "br") == 0 ? "\n" : sep;
    for (int i = 0; i < t->npublishers; i++) {
        if (i)
            add_span(b, sep, strlen(sep), b->style, el->pos);
        add_span(b, t->publishers[i], strlen(t->publishers[i]), b->style, el->pos);
    }
}

/* The rule an element of the style sheet names with style="…" (checked at load). */
static const style_rule *named_rule(const style_sheet *sh, const doc_node *el)
{
    const char *name = doc_attr_get(el, "style");
    return name ? style_find_rule(sh, name) : NULL;
}

/* What a <toc> of the style sheet asks for. */
typedef struct toc_spec {
    const char *entry_style;    /* entry-style=: entries use NAME-LEVEL, else NAME */
    const char *current_style;  /* current-style=: the entry of the element typeset alone */
    const char *element;        /* element=: list only these elements, or NULL for all */
} toc_spec;

/* Append to toc an entry reading title for an element at outline level; target is
 * the block it lists when that block is in this output (it gets a page number). */
static void add_toc_entry(walker *w, st_block *toc, const toc_spec *spec, const char *title,
                          int level, pb_pos pos, const st_block *target, int current)
{
    char name[160];
    snprintf(name, sizeof name, "%s-%d", spec->entry_style, level);
    const style_rule *r = current && spec->current_style ? style_find_rule(w->sheet, spec->current_style)
                                                        : style_find_rule(w->sheet, name);
    st_block *e = new_block(w, ST_TEXT, "toc-entry", pos, r ? r : style_find_rule(w->sheet, spec->entry_style),
                            toc->style);
    e->target = target;
    add_span(e, title, strlen(title), e->style, pos);
    add_child(toc, e);
}

/* Add a contents entry for every block below b that has an outline title. */
static void add_toc_entries(walker *w, st_block *toc, const toc_spec *spec, const st_block *b)
{
    if (b->outline_title && (!spec->element || strcmp(b->role, spec->element) == 0))
        add_toc_entry(w, toc, spec, b->outline_title, b->style->outline_level, b->pos, b, 0);
    for (int i = 0; i < b->nchildren; i++)
        add_toc_entries(w, toc, spec, b->children[i]);
}

/*
 * The outline title of box element node (in style st) read from its source:
 * its badge and its first text child's text, as set_outline_title makes it
 * from the styled box.  For elements outside the one typeset alone, which
 * are not styled: styling them would repeat their diagnostics and count
 * their images once more for every handout.
 */
static char *source_outline_title(walker *w, const doc_node *node, const style *st)
{
    const doc_node *t = node->first;
    while (t && (t->kind != DOC_ELEMENT || style_word_index(t->name, TEXT_ELEMENTS) < 0))
        t = t->next;
    const style *badge_style;
    return badge_and_title(badge_text(w, node, st, &badge_style), t ? field_text(t) : pb_strdup(""));
}

/*
 * Add a contents entry for every element below node (styled st) that has an
 * outline level: the contents of the whole document, in an output of one
 * element of it.  Only that element is in the output, as the current entry;
 * no entry has a page number, as the pages are the whole document's.
 */
static void add_source_entries(walker *w, st_block *toc, const toc_spec *spec, const doc_node *node,
                               const style *st)
{
    for (const doc_node *c = node->first; c; c = c->next) {
        if (c->kind != DOC_ELEMENT || style_word_index(c->name, BOX_ELEMENTS) < 0)
            continue;
        const style *cs = style_compute(w->tree, w->sheet, rule_for_node(w, c, rule_parent_name(node)), st);
        if (cs->outline_level > 0 && (!spec->element || strcmp(c->name, spec->element) == 0)) {
            char *title = source_outline_title(w, c, cs);
            if (title[0])
                add_toc_entry(w, toc, spec, title, cs->outline_level, c->pos, NULL, c == w->only);
            free(title);
        }
        add_source_entries(w, toc, spec, c, cs);
    }
}

/* A table of contents as <toc> el asks for it, listing body (or, for an
 * element typeset alone, the whole document). */
static st_block *toc_block(walker *w, const doc_node *el, const style_rule *r, const st_block *part,
                           const st_block *body)
{
    st_block *toc = new_block(w, ST_BOX, "toc", el->pos, r, part->style);
    const char *entry = doc_attr_get(el, "entry-style");
    toc_spec spec = {entry ? entry : "toc-entry", doc_attr_get(el, "current-style"),
                     doc_attr_get(el, "element")};
    if (!w->only) {
        add_toc_entries(w, toc, &spec, body);
        return toc;
    }
    const doc_node *body_node = doc_child(w->doc->root, "body");
    add_source_entries(w, toc, &spec, body_node, body->style);
    return toc;
}

/*
 * Build one element of a <part>: a metadata field, literal text, or a TOC.
 * NULL for a field the document does not have: its label would stand alone.
 */
static st_block *part_item(walker *w, const doc_node *el, const st_block *part, const st_block *body)
{
    const style_rule *r = named_rule(w->sheet, el);
    if (strcmp(el->name, "field") == 0 && !field_present(w->tree, el))
        return NULL;
    if (strcmp(el->name, "toc") == 0)
        return toc_block(w, el, r, part, body);
    st_block *b = new_block(w, ST_TEXT, el->name, el->pos, r, part->style);
    if (b->style->label)
        add_span(b, b->style->label, strlen(b->style->label), b->style, el->pos);
    if (strcmp(el->name, "field") == 0) {
        add_field(b, w->tree, el);
    } else {
        unsigned prev = 0;
        add_inline(w, b, el, b->style, &prev);
        trim_block_end(b);
    }
    return b;
}

/* Build the parts of the style sheet's <front> or <back> (matter) into root. */
static void add_matter(walker *w, const doc_node *matter, st_block *root, const st_block *body)
{
    for (const doc_node *el = matter ? matter->first : NULL; el; el = el->next) {
        if (el->kind != DOC_ELEMENT)
            continue;
        st_block *part = new_block(w, ST_BOX, "part", el->pos, named_rule(w->sheet, el), root->style);
        part->master = style_find_page(w->sheet, doc_attr_get(el, "page"));
        int empty_toc = 0;
        for (const doc_node *c = el->first; c; c = c->next) {
            st_block *item = c->kind == DOC_ELEMENT ? part_item(w, c, part, body) : NULL;
            if (item)
                add_child(part, item);
            empty_toc |= item && strcmp(item->role, "toc") == 0 && item->nchildren == 0;
        }
        /* a contents page with nothing to list would be a blank page with a heading */
        if (empty_toc)
            free_block(part);
        else
            add_child(root, part);
    }
}

/* ---- the tree ---------------------------------------------------------------- */

/* s as a string the tree owns, one copy of each; NULL stays NULL. */
static const char *tree_name(st_tree *t, const char *s)
{
    if (!s)
        return NULL;
    for (int i = t->nnames - 1; i >= 0; i--)
        if (t->names[i] == s || strcmp(t->names[i], s) == 0)
            return t->names[i];
    pb_grow(&t->names, &t->names_cap, t->nnames + 1, sizeof *t->names);
    return t->names[t->nnames++] = pb_strdup(s);
}

/*
 * Point the role and the position file names of b, its spans and every
 * block below it at the tree's own copies: they point into the doc and the
 * sheet while the tree is built, and the tree must outlive both (style.h).
 */
static void own_names(st_tree *t, st_block *b)
{
    b->role = tree_name(t, b->role);
    b->pos.file = tree_name(t, b->pos.file);
    for (int i = 0; i < b->nspans; i++)
        b->spans[i].pos.file = tree_name(t, b->spans[i].pos.file);
    for (int i = 0; i < b->nchildren; i++)
        own_names(t, b->children[i]);
}

/* ---- structure for tagged output ----------------------------------------------- */

/* The PDF structure type (ISO 32000-1, 14.8.4) each role stands for; roles not
 * listed (body, image) add no element: their content joins the parent's.
 * "H" becomes H1..H6 by the sections and callouts around it. */
static const char *const ROLE_TAGS[][2] = {
    {"document", "Document"}, {"part", "Sect"}, {"section", "Sect"}, {"callout", "Aside"},
    {"titleblock", "Div"}, {"figure", "Figure"}, {"caption", "Caption"}, {"list", "L"},
    {"item", "LI"}, {"p", "P"}, {"deck", "P"}, {"subtitle", "P"}, {"badge", "P"},
    {"field", "P"}, {"text", "P"}, {"toc", "TOC"}, {"toc-entry", "TOCI"},
    {"heading", "H"}, {"title", "H"}, {"headline", "H"},
};

static const char *const HEADING_TAGS[] = {"H1", "H2", "H3", "H4", "H5", "H6"};

/* The structure type of role, or NULL. */
static const char *role_tag(const char *role)
{
    for (size_t i = 0; i < sizeof ROLE_TAGS / sizeof *ROLE_TAGS; i++)
        if (strcmp(ROLE_TAGS[i][0], role) == 0)
            return ROLE_TAGS[i][1];
    return NULL;
}

/* 1 when box b holds an image. */
static int has_image(const st_block *b)
{
    for (int i = 0; i < b->nchildren; i++)
        if (b->children[i]->kind == ST_IMAGE)
            return 1;
    return 0;
}

/*
 * Give b and the blocks below it their structure types; depth counts the
 * sections and callouts around b (a heading in the second is an H2).  A
 * list item's text is its label and body: LI, with the text in an LBody.
 */
static void assign_tags(st_block *b, const st_block *parent, int depth)
{
    const char *tag = role_tag(b->role);
    if (tag && strcmp(tag, "H") == 0)
        tag = HEADING_TAGS[depth < 1 ? 0 : depth > 6 ? 5 : depth - 1];
    if (tag && strcmp(tag, "LI") == 0 && b->kind == ST_TEXT) {
        int in_item_box = parent && parent->kind == ST_BOX && strcmp(parent->role, "item") == 0;
        tag = in_item_box ? "LBody" : "LI";
        b->content_tag = in_item_box ? NULL : "LBody";
        b->label_tag = b->label_spans > 0 ? "Lbl" : NULL;
    }
    if (tag && strcmp(tag, "Figure") == 0 && !has_image(b))
        tag = "Div"; /* artwork not there yet: a reader gets its caption, not an empty figure */
    if (b->target) /* a contents entry that links to its place: the whole entry is the link */
        b->content_tag = "Link";
    b->tag = tag;
    int inner = depth + (strcmp(b->role, "section") == 0 || strcmp(b->role, "callout") == 0);
    for (int i = 0; i < b->nchildren; i++)
        assign_tags(b->children[i], b, inner);
}

/* Compute the styles that no element has: folio and running heads. */
static void page_styles(walker *w, const style *doc_style)
{
    const style_rule *head = style_find_rule(w->sheet, "running-head");
    const style_rule *verso = style_find_rule(w->sheet, "running-head-verso");
    const style_rule *recto = style_find_rule(w->sheet, "running-head-recto");
    w->tree->folio = style_compute(w->tree, w->sheet, style_find_rule(w->sheet, "folio"), doc_style);
    w->tree->head_verso = style_compute(w->tree, w->sheet, verso ? verso : head, doc_style);
    w->tree->head_recto = style_compute(w->tree, w->sheet, recto ? recto : head, doc_style);
    w->tree->foot = style_compute(w->tree, w->sheet, style_find_rule(w->sheet, "running-foot"), doc_style);
}

/* The body block: the whole <body>, or a body holding just the element only. */
static st_block *body_block(walker *w, const doc_node *body, const doc_node *only,
                            const style *doc_style)
{
    if (!only)
        return box_block(w, body, NULL, doc_style);
    if (!is_block_element(only->name)) { /* --split br, say: the user's choice, not a bug */
        pb_error(w->ctx, only->pos, "<%s> cannot be typeset on its own; an output of --split or "
                 "--select must be a block such as <section>, <callout>, <figure> or <p>", only->name);
        return NULL;
    }
    const style_rule *r;
    if (lookup_rule(w, body, NULL, &r) < 0)
        return NULL;
    st_block *b = new_block(w, ST_BOX, body->name, body->pos, r, doc_style);
    int bad = 0, item = 0;
    const char *parent = only->parent ? only->parent->name : body->name;
    st_block *child = child_block(w, only, parent, b->style, &item, &bad);
    if (child)
        add_child(b, child);
    if (bad) {
        free_block(b);
        return NULL;
    }
    return b;
}

/* Style the document (or, when only is set, just that element of its body). */
st_tree *style_apply_part(pb_ctx *ctx, const style_sheet *sheet, const doc *d, const doc_node *only)
{
    st_tree *t = pb_alloc(sizeof *t);
    walker w = {ctx, sheet, d, t, only};
    t->npages = sheet->npages;
    t->pages = pb_alloc(sizeof *t->pages * (size_t)sheet->npages);
    for (int i = 0; i < sheet->npages; i++)
        t->pages[i] = style_copy_page(&sheet->pages[i]);
    style base = {.font_family = "Noto Serif CJK SC", .font_size = 10, .line_height = 16,
                  .line_break = LINE_BREAK_STRICT, .punctuation = PUNCT_KAIMING, .autospace = 1,
                  .hyphenate = 1, .widows = 2, .orphans = 2};
    const style *doc_style = style_compute(t, sheet, style_find_rule(sheet, "document"), &base);
    page_styles(&w, doc_style);
    t->lang = pb_strdup(doc_attr_get(d->root, "xml:lang"));
    read_metadata(t, doc_child(d->root, "meta"));
    const doc_node *body_node = doc_child(d->root, "body");
    st_block *body = body_node ? body_block(&w, body_node, only, doc_style) : NULL;
    if (!body) {
        if (!body_node)
            pb_error(ctx, d->root->pos, "the document has no <body>");
        st_tree_free(t);
        return NULL;
    }
    body->master = 0;
    t->root = new_block(&w, ST_BOX, "document", d->root->pos, NULL, doc_style);
    add_matter(&w, sheet->front, t->root, body);
    add_child(t->root, body);
    add_matter(&w, sheet->back, t->root, body);
    own_names(t, t->root);
    assign_tags(t->root, NULL, 0);
    for (int i = 0; i < t->npages; i++)
        t->pages[i].pos.file = tree_name(t, t->pages[i].pos.file);
    return t;
}

/* Style the whole document; NULL with errors reported (e.g. unknown style names). */
st_tree *style_apply(pb_ctx *ctx, const style_sheet *sheet, const doc *d)
{
    return style_apply_part(ctx, sheet, d, NULL);
}

/* ---- parts of a document as outputs ------------------------------------------ */

/* The element with id at or below n, or NULL. */
static const doc_node *find_id(const doc_node *n, const char *id)
{
    for (const doc_node *c = n->first; c; c = c->next) {
        if (c->kind != DOC_ELEMENT)
            continue;
        const char *v = doc_attr_get(c, "id");
        if (v && strcmp(v, id) == 0)
            return c;
        const doc_node *found = find_id(c, id);
        if (found)
            return found;
    }
    return NULL;
}

/* The element of the body with id="id". */
const doc_node *style_select(const doc *d, const char *id)
{
    const doc_node *body = doc_child(d->root, "body");
    return body ? find_id(body, id) : NULL;
}

/* Append every element called name at or below n (not inside a match) to *out. */
static void collect_named(const doc_node *n, const char *name, const doc_node ***out, int *count,
                          int *cap)
{
    for (const doc_node *c = n->first; c; c = c->next) {
        if (c->kind != DOC_ELEMENT)
            continue;
        if (strcmp(c->name, name) == 0) {
            pb_grow(out, cap, *count + 1, sizeof **out);
            (*out)[(*count)++] = c;
        } else {
            collect_named(c, name, out, count, cap);
        }
    }
}

/* Every element called name in the body. */
const doc_node **style_split(const doc *d, const char *name, int *n)
{
    const doc_node *body = doc_child(d->root, "body");
    const doc_node **out = NULL;
    int cap = 0;
    *n = 0;
    if (body)
        collect_named(body, name, &out, n, &cap);
    return out;
}

/* The number= of an element (the schema makes it a positive integer), or 0. */
int style_part_number(const doc_node *el)
{
    const char *num = doc_attr_get(el, "number");
    long v = num ? strtol(num, NULL, 10) : 0;
    return v > 0 && v <= INT_MAX ? (int)v : 0;
}
