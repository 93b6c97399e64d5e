/* dl.c: building and freeing the display list. */
#include "dl.h"

#include <stdlib.h>

/* Create an empty document. */
dl_document *dl_document_new(void)
{
    return pb_alloc(sizeof(dl_document));
}

/* Free one item's owned arrays. */
static void free_item(dl_item *it)
{
    if (it->kind == DL_GLYPHS) {
        free(it->u.glyphs.glyphs);
        free(it->u.glyphs.text);
    } else if (it->kind == DL_IMAGE) {
        free(it->u.image.path);
    }
}

/* Free the document and everything it owns. */
void dl_document_free(dl_document *doc)
{
    if (!doc)
        return;
    for (int p = 0; p < doc->npages; p++) {
        for (int i = 0; i < doc->pages[p].n; i++)
            free_item(&doc->pages[p].items[i]);
        free(doc->pages[p].items);
    }
    free(doc->pages);
    for (int i = 0; i < doc->noutline; i++)
        free(doc->outline[i].title);
    free(doc->outline);
    for (int i = 0; i < doc->nstructs; i++) {
        free(doc->structs[i].type);
        free(doc->structs[i].alt);
    }
    free(doc->structs);
    free(doc->title);
    free(doc->author);
    free(doc->subject);
    free(doc->keywords);
    free(doc->lang);
    free(doc);
}

/* Append a blank page of the given size and return it. */
dl_page *dl_add_page(dl_document *doc, float width, float height)
{
    pb_grow(&doc->pages, &doc->pages_cap, doc->npages + 1, sizeof *doc->pages);
    dl_page *pg = &doc->pages[doc->npages++];
    pg->width = width;
    pg->height = height;
    return pg;
}

/* Append an item to page and return it (zeroed, kind set). */
dl_item *dl_add_item(dl_page *page, dl_kind kind)
{
    pb_grow(&page->items, &page->cap, page->n + 1, sizeof *page->items);
    dl_item *it = &page->items[page->n++];
    it->kind = kind;
    return it;
}

/* Append an outline entry (title is copied). */
void dl_add_outline(dl_document *doc, const char *title, int level, int page, float y)
{
    pb_grow(&doc->outline, &doc->outline_cap, doc->noutline + 1, sizeof *doc->outline);
    dl_outline *o = &doc->outline[doc->noutline++];
    o->title = pb_strdup(title);
    o->level = level;
    o->page = page;
    o->y = y;
}

/* Append a structure element; its index. */
int dl_add_struct(dl_document *doc, const char *type, int parent, const char *alt)
{
    pb_grow(&doc->structs, &doc->structs_cap, doc->nstructs + 1, sizeof *doc->structs);
    doc->structs[doc->nstructs] = (dl_struct){pb_strdup(type), parent, alt ? pb_strdup(alt) : NULL};
    return doc->nstructs++;
}

/* The sheet showing page p, or -1. */
int dl_find_sheet(const dl_sheet *sheets, int n, int p, int *placement)
{
    for (int i = 0; p >= 0 && i < n; i++)
        for (int k = 0; k < sheets[i].nplace; k++)
            if (sheets[i].place[k].page == p) {
                if (placement)
                    *placement = k;
                return i;
            }
    return -1;
}
