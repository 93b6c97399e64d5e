/* layout_struct.c: the document's logical structure, from the styled tree into the display list. */
#include "layout_internal.h"

#include <stdint.h>
#include <stdlib.h>

/* Order struct_refs by block address, for bsearch (as integers: C leaves the order
 * of pointers to different objects unspecified). */
static int cmp_ref(const void *a, const void *b)
{
    uintptr_t x = (uintptr_t)((const struct_ref *)a)->block;
    uintptr_t y = (uintptr_t)((const struct_ref *)b)->block;
    return x < y ? -1 : x > y;
}

/* Add the elements of b and the blocks below it under element parent. */
static void add_structs(layout *L, dl_document *doc, const st_block *b, int parent)
{
    int own = parent, content = parent, label = -1;
    if (b->tag) {
        /* a list item's number: LI > Lbl, LBody, the label first */
        if (b->label_tag && !b->content_tag)
            label = dl_add_struct(doc, b->label_tag, parent, NULL);
        own = content = dl_add_struct(doc, b->tag, parent, b->alt);
        if (b->label_tag && b->content_tag)
            label = dl_add_struct(doc, b->label_tag, own, NULL);
        if (b->content_tag)
            content = dl_add_struct(doc, b->content_tag, own, NULL);
    } else if (b->alt && parent >= 0 && !doc->structs[parent].alt) {
        doc->structs[parent].alt = pb_strdup(b->alt); /* an image's alt is its figure's */
    }
    pb_grow(&L->refs, &L->refs_cap, L->nrefs + 1, sizeof *L->refs);
    L->refs[L->nrefs++] = (struct_ref){b, content, label};
    for (int i = 0; i < b->nchildren; i++)
        add_structs(L, doc, b->children[i], own);
}

/* Build doc's structure elements from the styled tree, in document order. */
void layout_build_structure(layout *L, dl_document *doc)
{
    add_structs(L, doc, L->tree->root, -1);
    qsort(L->refs, (size_t)L->nrefs, sizeof *L->refs, cmp_ref);
}

/* Block b's entry, or NULL. */
static const struct_ref *ref_of(const layout *L, const st_block *b)
{
    struct_ref key = {b, -1, -1};
    return b ? bsearch(&key, L->refs, (size_t)L->nrefs, sizeof *L->refs, cmp_ref) : NULL;
}

/* The tag items drawn for block b carry: 1 + its element's index, or DL_ARTIFACT. */
int layout_tag_of(const layout *L, const st_block *b)
{
    const struct_ref *hit = ref_of(L, b);
    return hit && hit->element >= 0 ? hit->element + 1 : DL_ARTIFACT;
}

/* The tag of the items that show block b's label (its Lbl), or that of b itself. */
int layout_label_tag_of(const layout *L, const st_block *b)
{
    const struct_ref *hit = ref_of(L, b);
    return hit && hit->label >= 0 ? hit->label + 1 : layout_tag_of(L, b);
}

/* Give items [from, pg->n) of pg not tagged yet the tag; a hyphen the composer
 * added stays an artifact. */
void layout_tag_items(dl_page *pg, int from, int tag)
{
    for (int i = from; i < pg->n; i++) {
        dl_item *it = &pg->items[i];
        /* it stands for no text of the source: outside the element's content, a
         * reader of the structure gets the word whole */
        int added = it->kind == DL_GLYPHS && it->u.glyphs.added;
        if (it->tag == DL_ARTIFACT && !added)
            it->tag = tag;
    }
}
