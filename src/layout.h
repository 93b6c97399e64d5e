/*
 * layout.h: the styled tree → pages of a display list.
 *
 * Layout works in two passes.  The first walks the styled tree, shapes and
 * composes every text block at the width its boxes leave, and flattens the
 * result into a vertical list of lines, spaces and box edges, each marked
 * with whether a page may break after it (headings keep with what follows;
 * a paragraph never leaves a single line at the foot or head of a page).
 * The second pass cuts that list into pages, moving a keep-together box
 * (a callout) whole to the next page when it fits there and otherwise
 * splitting it between two lines with open edges, then draws every page:
 * boxes first, then text, then the folio.
 *
 * Ownership: layout_document() returns a new dl_document that the caller
 * owns; it borrows the tree, the composer and the fonts only while it runs
 * (the fonts must outlive the returned document).
 */
#ifndef PAIBAN_LAYOUT_H
#define PAIBAN_LAYOUT_H

#include "compose.h"
#include "dl.h"
#include "style.h"

/* Lay out the styled tree; NULL with errors reported (e.g. a missing font). */
dl_document *layout_document(pb_ctx *ctx, composer *comp, const st_tree *t);

#endif
