/*
 * pdf.h: writing a display list as PDF.
 *
 * pdf_write() turns a dl_document into a PDF file through libharu for the
 * document structure (pages, graphics, outline, info) and our own CID font
 * layer (pdffont.h) for all text.  The file is written to a temporary name
 * beside the target and renamed into place only when complete, so a failed
 * run never leaves a broken PDF and never damages an earlier one.
 *
 * Dates come from opts->epoch (SOURCE_DATE_EPOCH); with no epoch no dates
 * are written, so the same input always gives byte-identical output.
 * The writer borrows the document; it owns nothing after returning.
 */
#ifndef PAIBAN_PDF_H
#define PAIBAN_PDF_H

#include "ctx.h"
#include "dl.h"

typedef struct pdf_options {
    int have_epoch;             /* 1 when epoch is set */
    long long epoch;            /* seconds since 1970 for CreationDate/ModDate */
} pdf_options;

/*
 * Write doc to path.  Returns 0 on success; on failure reports an error
 * naming path and returns -1, leaving any existing file at path untouched.
 */
int pdf_write(pb_ctx *ctx, const dl_document *doc, const char *path,
              const pdf_options *opts);

#endif
