/*
 * pdf.h: writing a display list as a print-ready PDF.
 *
 * pdf_write() turns a dl_document into a PDF file through libharu for the
 * document structure (pages, graphics, images, links, outline) and our own
 * CID font layer (pdffont.h) for all text.  Pages go onto sheets as
 * impose.h maps them (by default one sheet per page: the trimmed page and
 * its bleed), each sheet one PDF page with a TrimBox and a BleedBox; the
 * document-level parts of PDF/X-4 (metadata, output intent, /ID) come from
 * pdfmeta.h.  Colours are written as DeviceCMYK (see pdf.c, pdf_ink), so
 * they agree with the CMYK output intent; printer's marks use
 * registration colour (all four inks).  Link annotations are written in
 * the 1-up output only: on imposed sheets they would point across a
 * printer's layout, so they are dropped there; the outline is kept and
 * points at the sheet that shows each page.
 *
 * The file is written to a temporary name beside the target and renamed
 * into place only when complete, so a failed run never leaves a broken PDF
 * and never damages an earlier one.
 *
 * Dates come from opts->epoch (SOURCE_DATE_EPOCH); with no epoch no dates
 * are written, so the same input always gives byte-identical output (with
 * an epoch it does too).  The writer borrows the document; it owns nothing
 * after returning.
 */
#ifndef PAIBAN_PDF_H
#define PAIBAN_PDF_H

#include "ctx.h"
#include "dl.h"
#include "impose.h"

typedef struct pdf_options {
    int have_epoch;             /* 1 when epoch is set */
    long long epoch;            /* seconds since 1970 for CreationDate/ModDate */
    const impose_options *impose;   /* NULL: one sheet per page, no marks */
    const char *output_intent;  /* CMYK printer ICC profile; NULL: the default
                                   (pdfmeta.h) */
    int keep_same;              /* leave an existing identical file untouched */
} pdf_options;

/*
 * Write doc to path.  Returns 0 on success, or 1 when keep_same is set and
 * the file already held exactly these bytes (it is not touched); on failure reports an error
 * naming path, leaves any existing file at path untouched and returns -2
 * when the document itself cannot be written (an image that cannot be
 * embedded, a page size PDF does not allow), else -1 (the output, the
 * environment such as a missing ICC profile, or the imposition options).
 */
int pdf_write(pb_ctx *ctx, const dl_document *doc, const char *path,
              const pdf_options *opts);

/*
 * The same PDF bytes, in memory and without touching the file system (but
 * for reading fonts, images and the ICC profile): 0 with a malloc'd buffer
 * in *out (*len bytes; the caller frees it), else -1 or -2 as pdf_write()
 * with *out NULL.  opts->keep_same is ignored.
 */
int pdf_render(pb_ctx *ctx, const dl_document *doc, const pdf_options *opts,
               unsigned char **out, size_t *len);

#endif
