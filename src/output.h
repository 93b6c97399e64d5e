/*
 * output.h: a laid-out document to an output file, through a writer.
 *
 * output_render() imposes the document's pages onto sheets (impose.h) and
 * drives a writer (writer.h) over them: begin, then per sheet begin_sheet,
 * draw_page for each placed page and draw_marks, then finish.
 * output_write() does the same and puts the bytes at a path through
 * files.h (a temporary file renamed into place, never over an input).
 * Link annotations are written in 1-up output only: on imposed sheets they
 * would point across a printer's layout.
 *
 * Ownership: nothing is kept; the document is borrowed for the call.
 */
#ifndef PAIBAN_OUTPUT_H
#define PAIBAN_OUTPUT_H

#include "impose.h"
#include "writer.h"

typedef struct output_options {
    int have_epoch;             /* 1 when epoch is set */
    long long epoch;            /* seconds since 1970 for the dates */
    const impose_options *impose;   /* NULL: one sheet per page, no marks */
    const char *output_intent;  /* CMYK printer ICC profile; NULL: the default */
    int keep_same;              /* leave an existing identical file untouched */
    int untagged;               /* no structure tree, even on 1-up sheets */
} output_options;

/*
 * The bytes of doc written by ops: 0 with a malloc'd buffer in *out (*len
 * bytes), else WRITER_FAILED (the environment, the options) or
 * WRITER_BAD_INPUT (the document: an image, a page size), reported.  name
 * stands for the output in diagnostics and on the slug (may be NULL).
 */
int output_render(pb_ctx *ctx, const writer_ops *ops, const dl_document *doc,
                  const output_options *opts, const char *name, unsigned char **out, size_t *len);

/*
 * The same, written to path: 0, 1 when keep_same found the file already
 * holding these bytes (untouched), or WRITER_FAILED / WRITER_BAD_INPUT
 * with an error naming path and any earlier file there left as it was.
 */
int output_write(pb_ctx *ctx, const writer_ops *ops, const dl_document *doc, const char *path,
                 const output_options *opts);

#endif
