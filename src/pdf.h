/*
 * pdf.h: the PDF writer, a print-ready PDF from sheets of a display list.
 *
 * pdf_writer_ops (writer.h) draws through libharu for the document
 * structure (pages, graphics, images, links, outline) and our own CID font
 * layer (pdffont.h) for all text.  Each sheet becomes one PDF page with a
 * TrimBox and a BleedBox; the document-level parts of PDF/X-4 (metadata,
 * output intent, /ID) come from pdfmeta.h.  Colours are written as
 * DeviceCMYK (pdf.c, pdf_ink) so they agree with the CMYK output intent;
 * colours the display list marks as registration (printer's marks) print
 * on all four inks.  With writer_options.links the pages' DL_LINK items
 * become link annotations; the outline points at the sheet that shows each
 * page.  With writer_options.tags every item is written as marked content
 * of its structure element or as an artifact, and the document gets its
 * structure tree (pdftags.h): a tagged PDF that claims PDF/UA-1.
 *
 * Dates come from the options' epoch; with none no dates are written.  The
 * same input always gives byte-identical output.  The writer knows nothing
 * of files or of where pages go: output.c imposes and writes.
 */
#ifndef PAIBAN_PDF_H
#define PAIBAN_PDF_H

#include "writer.h"

#endif
