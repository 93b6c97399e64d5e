/* pdftags.c: marked content on the pages and the structure tree that owns it. */
#include "pdftags.h"
#include "pdfmeta.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>

/* One marked-content sequence: element elem's content, MCID mcid on page page. */
typedef struct tag_mark {
    int elem, page, mcid;
} tag_mark;

/* One link annotation and the element (a Link) it belongs to. */
typedef struct tag_link {
    HPDF_Annotation annot;
    int page, elem;
} tag_link;

struct pdftags {
    HPDF_Doc pdf;
    const dl_document *doc;
    int npages, pages_cap;
    HPDF_Page *pages;           /* in the order begun */
    int open;                   /* tag of the open sequence; INT_MIN: none */
    int next_mcid;              /* on the current page */
    int nmarks, marks_cap;
    tag_mark *marks;            /* every sequence of an element, in content order */
    int nlinks, links_cap;
    tag_link *links;
};

/* 1 when no element of doc has more children than a PDF array of libharu's holds. */
int pdftags_fits(const dl_document *doc)
{
    int *kids = pb_alloc(sizeof *kids * ((size_t)doc->nstructs + 1)), fits = 1;
    for (int i = 0; fits && i < doc->nstructs; i++) {
        int p = doc->structs[i].parent;
        fits = ++kids[p >= 0 ? p + 1 : 0] < PDFTAGS_MAX_CHILDREN;
    }
    free(kids);
    return fits;
}

/* Start tagging doc's pages in pdf; NULL when doc has no structure. */
pdftags *pdftags_new(HPDF_Doc pdf, const dl_document *doc)
{
    if (doc->nstructs <= 0 || !pdftags_fits(doc))
        return NULL;
    pdftags *t = pb_alloc(sizeof *t);
    *t = (pdftags){.pdf = pdf, .doc = doc, .open = INT_MIN};
    return t;
}

/* Free the records. */
void pdftags_free(pdftags *t)
{
    if (!t)
        return;
    free(t->pages);
    free(t->marks);
    free(t->links);
    free(t);
}

/* Page begins. */
void pdftags_page(pdftags *t, HPDF_Page page)
{
    pb_grow(&t->pages, &t->pages_cap, t->npages + 1, sizeof *t->pages);
    t->pages[t->npages++] = page;
    t->next_mcid = 0;
    t->open = INT_MIN;
}

/* Close the open sequence, if any. */
static void close_open(pdftags *t, HPDF_Stream s)
{
    if (t->open != INT_MIN)
        HPDF_Stream_WriteStr(s, "EMC\n");
    t->open = INT_MIN;
}

/* Before an item tagged tag: one sequence for a run of items with one tag. */
void pdftags_mark(pdftags *t, HPDF_Stream s, int tag)
{
    if (tag == t->open)
        return;
    close_open(t, s);
    t->open = tag;
    if (tag == DL_PAGINATION) {
        HPDF_Stream_WriteStr(s, "/Artifact <</Type /Pagination>> BDC\n");
        return;
    }
    if (tag <= 0 || tag > t->doc->nstructs) {
        HPDF_Stream_WriteStr(s, "/Artifact BMC\n");
        return;
    }
    char buf[96];
    snprintf(buf, sizeof buf, "/%s <</MCID %d>> BDC\n", t->doc->structs[tag - 1].type, t->next_mcid);
    HPDF_Stream_WriteStr(s, buf);
    pb_grow(&t->marks, &t->marks_cap, t->nmarks + 1, sizeof *t->marks);
    t->marks[t->nmarks++] = (tag_mark){tag - 1, t->npages - 1, t->next_mcid++};
}

/* After the page's last item. */
void pdftags_end_page(pdftags *t, HPDF_Stream s)
{
    close_open(t, s);
}

/* Annotation a on the page begun as number page (from 0) belongs to the element of tag. */
void pdftags_link(pdftags *t, HPDF_Annotation a, int page, int tag)
{
    if (!a || page < 0 || page >= t->npages || tag <= 0 || tag > t->doc->nstructs)
        return;
    pb_grow(&t->links, &t->links_cap, t->nlinks + 1, sizeof *t->links);
    t->links[t->nlinks++] = (tag_link){a, page, tag - 1};
}

/* ---- the structure tree ---------------------------------------------------- */

/* A new indirect dictionary of type type (NULL: none). */
static HPDF_Dict new_object(HPDF_Doc pdf, const char *type)
{
    HPDF_Dict d = HPDF_Dict_New(pdf->mmgr);
    if (!d || HPDF_Xref_Add(pdf->xref, d) != HPDF_OK)
        return NULL;
    if (type)
        HPDF_Dict_AddName(d, "Type", type);
    return d;
}

/* The K array of elem, made on first use. */
static HPDF_Array kids_of(pdftags *t, HPDF_Dict elem)
{
    HPDF_Array k = HPDF_Dict_GetItem(elem, "K", HPDF_OCLASS_ARRAY);
    if (!k && (k = HPDF_Array_New(t->pdf->mmgr)) != NULL)
        HPDF_Dict_Add(elem, "K", k);
    return k;
}

/* One element per dl_struct, each pointing at its parent (root for the top).  Their
 * /Type is optional and left out: libharu keeps every key of every element until
 * the end, and a long document has tens of thousands of them. */
static HPDF_Dict *make_elements(pdftags *t, HPDF_Dict root)
{
    const dl_document *doc = t->doc;
    HPDF_Dict *e = pb_alloc(sizeof *e * (size_t)doc->nstructs);
    for (int i = 0; i < doc->nstructs; i++)
        if (!(e[i] = new_object(t->pdf, NULL))) {
            free(e);
            return NULL;
        }
    for (int i = 0; i < doc->nstructs; i++) {
        const dl_struct *s = &doc->structs[i];
        HPDF_Dict_AddName(e[i], "S", s->type);
        HPDF_Dict_Add(e[i], "P", s->parent >= 0 ? e[s->parent] : root);
        if (s->alt)
            HPDF_Dict_Add(e[i], "Alt", pdfmeta_text_string(t->pdf->mmgr, s->alt));
    }
    return e;
}

/* How many kids (MCIDs, elements, links) each element has. */
static int *count_kids(const pdftags *t)
{
    int *n = pb_alloc(sizeof *n * (size_t)t->doc->nstructs);
    for (int m = 0; m < t->nmarks; m++)
        n[t->marks[m].elem]++;
    for (int i = 0; i < t->doc->nstructs; i++)
        if (t->doc->structs[i].parent >= 0)
            n[t->doc->structs[i].parent]++;
    for (int l = 0; l < t->nlinks; l++)
        n[t->links[l].elem]++;
    return n;
}

/* Each element's marked content: an MCID where it is on the element's /Pg (/K the
 * MCID itself when it is the one kid), else an MCR. */
static void add_content(pdftags *t, HPDF_Dict *e)
{
    HPDF_MMgr mm = t->pdf->mmgr;
    int *nkids = count_kids(t);
    int *first_page = pb_alloc(sizeof *first_page * (size_t)t->doc->nstructs);
    for (int i = 0; i < t->doc->nstructs; i++)
        first_page[i] = -1;
    for (int m = 0; m < t->nmarks; m++) {
        const tag_mark *k = &t->marks[m];
        if (first_page[k->elem] < 0) {
            first_page[k->elem] = k->page;
            HPDF_Dict_Add(e[k->elem], "Pg", t->pages[k->page]);
            if (nkids[k->elem] == 1) {
                HPDF_Dict_AddNumber(e[k->elem], "K", k->mcid);
                continue;
            }
        }
        HPDF_Array kids = kids_of(t, e[k->elem]);
        if (k->page == first_page[k->elem]) {
            HPDF_Array_AddNumber(kids, k->mcid);
            continue;
        }
        HPDF_Dict mcr = HPDF_Dict_New(mm);
        HPDF_Dict_AddName(mcr, "Type", "MCR");
        HPDF_Dict_Add(mcr, "Pg", t->pages[k->page]);
        HPDF_Dict_AddNumber(mcr, "MCID", k->mcid);
        HPDF_Array_Add(kids, mcr);
    }
    free(first_page);
    free(nkids);
}

/* Each element under its parent, in document order; the top ones under root. */
static void add_children(pdftags *t, HPDF_Dict *e, HPDF_Dict root)
{
    for (int i = 0; i < t->doc->nstructs; i++) {
        int p = t->doc->structs[i].parent;
        HPDF_Array_Add(kids_of(t, p >= 0 ? e[p] : root), e[i]);
    }
}

/* Append key and value to the number tree being built: leaves of at most
 * TREE_LEAF pairs, since libharu's arrays end at HPDF_LIMIT_MAX_ARRAY. */
#define TREE_LEAF 256

typedef struct num_tree {
    HPDF_Doc pdf;
    HPDF_Array kids;            /* the root's /Kids: every leaf */
    HPDF_Dict leaf;             /* the leaf being filled, or NULL */
    HPDF_Array nums;            /* its /Nums */
    int first, last, count;     /* its keys */
} num_tree;

/* Close the leaf being filled: its /Limits. */
static void close_leaf(num_tree *nt)
{
    if (!nt->leaf)
        return;
    HPDF_Array limits = HPDF_Array_New(nt->pdf->mmgr);
    HPDF_Array_AddNumber(limits, nt->first);
    HPDF_Array_AddNumber(limits, nt->last);
    HPDF_Dict_Add(nt->leaf, "Limits", limits);
    nt->leaf = NULL;
}

/* Add key -> value (keys come in increasing order). */
static void tree_add(num_tree *nt, int key, void *value)
{
    if (nt->leaf && nt->count == TREE_LEAF)
        close_leaf(nt);
    if (!nt->leaf) {
        nt->leaf = new_object(nt->pdf, NULL);
        nt->nums = HPDF_Array_New(nt->pdf->mmgr);
        HPDF_Dict_Add(nt->leaf, "Nums", nt->nums);
        HPDF_Array_Add(nt->kids, nt->leaf);
        nt->first = key;
        nt->count = 0;
    }
    HPDF_Array_AddNumber(nt->nums, key);
    HPDF_Array_Add(nt->nums, value);
    nt->last = key;
    nt->count++;
}

/* Each link as an object reference in its element; its /StructParent key from first_key. */
static void add_links(pdftags *t, HPDF_Dict *e, num_tree *nt, int first_key)
{
    for (int i = 0; i < t->nlinks; i++) {
        const tag_link *l = &t->links[i];
        HPDF_Dict objr = HPDF_Dict_New(t->pdf->mmgr);
        HPDF_Dict_AddName(objr, "Type", "OBJR");
        HPDF_Dict_Add(objr, "Pg", t->pages[l->page]);
        HPDF_Dict_Add(objr, "Obj", l->annot);
        HPDF_Array_Add(kids_of(t, e[l->elem]), objr);
        HPDF_Dict_AddNumber(l->annot, "StructParent", first_key + i);
        tree_add(nt, first_key + i, e[l->elem]);
    }
}

/* The parent tree: for page p, key p, the element of each MCID; then the links. */
static HPDF_Dict parent_tree(pdftags *t, HPDF_Dict *e)
{
    HPDF_Dict root = HPDF_Dict_New(t->pdf->mmgr);
    num_tree nt = {.pdf = t->pdf, .kids = HPDF_Array_New(t->pdf->mmgr)};
    HPDF_Dict_Add(root, "Kids", nt.kids);
    int m = 0;
    for (int p = 0; p < t->npages; p++) {
        HPDF_Page page = t->pages[p];
        HPDF_Dict_AddName(page, "Tabs", "S");
        if (m >= t->nmarks || t->marks[m].page != p)
            continue;
        HPDF_Array of_page = HPDF_Array_New(t->pdf->mmgr);
        for (; m < t->nmarks && t->marks[m].page == p; m++)
            HPDF_Array_Add(of_page, e[t->marks[m].elem]);
        HPDF_Dict_AddNumber(page, "StructParents", p);
        tree_add(&nt, p, of_page);
    }
    add_links(t, e, &nt, t->npages);
    close_leaf(&nt);
    return root;
}

/* The catalog's /MarkInfo, /ViewerPreferences /DisplayDocTitle and /StructTreeRoot. */
static void add_catalog_keys(pdftags *t, HPDF_Dict root)
{
    HPDF_MMgr mm = t->pdf->mmgr;
    HPDF_Dict mark = HPDF_Dict_New(mm), prefs = HPDF_Dict_New(mm);
    HPDF_Dict_AddBoolean(mark, "Marked", HPDF_TRUE);
    HPDF_Dict_Add(t->pdf->catalog, "MarkInfo", mark);
    HPDF_Dict_AddBoolean(prefs, "DisplayDocTitle", HPDF_TRUE);
    HPDF_Dict_Add(t->pdf->catalog, "ViewerPreferences", prefs);
    HPDF_Dict_Add(t->pdf->catalog, "StructTreeRoot", root);
}

/* Write the structure tree. */
int pdftags_finish(pdftags *t)
{
    HPDF_Dict root = new_object(t->pdf, "StructTreeRoot");
    HPDF_Dict *e = root ? make_elements(t, root) : NULL;
    if (!e)
        return -1;
    add_content(t, e);
    add_children(t, e, root);
    HPDF_Dict_Add(root, "ParentTree", parent_tree(t, e));
    HPDF_Dict_AddNumber(root, "ParentTreeNextKey", t->npages + t->nlinks);
    /* Aside is PDF 2.0's; a PDF 1.x reader takes it as a section */
    HPDF_Dict roles = HPDF_Dict_New(t->pdf->mmgr);
    HPDF_Dict_AddName(roles, "Aside", "Sect");
    HPDF_Dict_Add(root, "RoleMap", roles);
    add_catalog_keys(t, root);
    free(e);
    return 0;
}
