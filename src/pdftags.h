/*
 * pdftags.h: tagged PDF, the display list's structure as a PDF structure tree.
 *
 * A tagged PDF tells a screen reader or a reflowing viewer what the glyphs
 * on its pages are: every piece of content is either marked content that
 * belongs to a structure element (a heading, a paragraph, an aside) or an
 * artifact (a running head, a folio, a box drawn around a callout).  The
 * elements come from the display list (dl_struct, made by layout from the
 * document); this module only writes them.
 *
 * Use: pdftags_new() when a sheet shows one page (imposed sheets show
 * several, out of reading order, and are not tagged); pdftags_page() as
 * each page begins, pdftags_mark() before each drawn item and
 * pdftags_end_page() after the last; pdftags_link() for each link
 * annotation; pdftags_finish() after the last page writes the
 * StructTreeRoot, the ParentTree, /MarkInfo and each page's /StructParents
 * and /Tabs.  Marked content gets its MCIDs in content order, so the
 * output stays byte-identical for identical input.
 *
 * Memory: the pdftags and its records are malloc'd and freed by
 * pdftags_free(); the HPDF objects it makes belong to the HPDF_Doc.  The
 * dl_document is borrowed and must outlive it.
 */
#ifndef PAIBAN_PDFTAGS_H
#define PAIBAN_PDFTAGS_H

#include "dl.h"

#include <hpdf.h>

typedef struct pdftags pdftags;

/* The most children one element may have: a K array of libharu's ends at
 * HPDF_LIMIT_MAX_ARRAY (32767), and an element's marked content and links
 * share it with its children. */
#define PDFTAGS_MAX_CHILDREN 30000

/* 1 when doc's structure fits in a PDF libharu can write (pdftags_new is NULL otherwise). */
int pdftags_fits(const dl_document *doc);

/* Start tagging doc's pages in pdf; NULL when doc has no structure or it does not fit. */
pdftags *pdftags_new(HPDF_Doc pdf, const dl_document *doc);
/* Free the records (the PDF objects stay with the document). */
void pdftags_free(pdftags *t);

/* Page begins: its marked content is numbered from 0. */
void pdftags_page(pdftags *t, HPDF_Page page);
/* Before an item tagged tag: close the open sequence unless it has the same tag, and open one. */
void pdftags_mark(pdftags *t, HPDF_Stream s, int tag);
/* After the page's last item: close the open sequence. */
void pdftags_end_page(pdftags *t, HPDF_Stream s);
/* Annotation a on the page begun as number page (from 0) belongs to the element of
 * tag (a Link). */
void pdftags_link(pdftags *t, HPDF_Annotation a, int page, int tag);

/* Write the structure tree and the catalog's /MarkInfo; 0, or -1 (libharu's error). */
int pdftags_finish(pdftags *t);

#endif
