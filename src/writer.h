/*
 * writer.h: the output interface, a display list on sheets → bytes.
 *
 * A writer draws what imposition decided: for each sheet in order it is
 * told begin_sheet, then draw_page for every page placed on it, then
 * draw_marks for the printer's marks (whose ink is in their colours), and
 * at the end finish returns the bytes of the whole output.  It never lays
 * anything out, never decides where a page goes and never touches a file:
 * output.c drives it and files.c writes what it returns.  Adding an output
 * format means one new file that fills in a writer_ops: pdf.c is the PDF
 * writer, writer_trace.c a writer that records the calls as text.
 *
 * Ownership: a writer borrows the document and the sheets until free; the
 * bytes finish returns are malloc'd and the caller's.
 */
#ifndef PAIBAN_WRITER_H
#define PAIBAN_WRITER_H

#include "ctx.h"
#include "dl.h"

#include <stddef.h>

/* What a writer needs to know beyond the pages. */
typedef struct writer_options {
    int have_epoch;             /* 1 when epoch is set */
    long long epoch;            /* seconds since 1970: the creation and modification dates */
    const char *output_intent;  /* the CMYK printer profile (PDF/X); NULL: the default */
    int links;                  /* write link annotations (not on imposed sheets) */
    int tags;                   /* tag the content with doc's structure (1-up sheets only) */
    const char *name;           /* the output's name, for diagnostics (may be NULL) */
    int have_fingerprint;       /* 1: record fingerprint in the output (fingerprint.h) */
    unsigned char fingerprint[16];
} writer_options;

/* Return codes of the operations: 0, or WRITER_FAILED, or WRITER_BAD_INPUT when
 * the document itself cannot be written (an image, a page size). */
enum { WRITER_FAILED = -1, WRITER_BAD_INPUT = -2 };

typedef struct writer_ops {
    const char *format;         /* e.g. "pdf" */
    /* Start an output of nsheets sheets showing doc's pages; the writer, or NULL (reported). */
    void *(*begin)(pb_ctx *ctx, const dl_document *doc, const dl_sheet *sheets, int nsheets,
                   const writer_options *opts);
    /* Start sheet index (they come in order). */
    int (*begin_sheet)(void *w, int index);
    /* Draw page where placement pl puts it on the current sheet. */
    int (*draw_page)(void *w, const dl_page *page, const dl_placement *pl);
    /* Draw the printer's marks of the current sheet (sheet coordinates). */
    int (*draw_marks)(void *w, const dl_page *marks);
    /* Finish the output: its bytes in *out (malloc'd, *len of them). */
    int (*finish)(void *w, unsigned char **out, size_t *len);
    /* Free the writer (after finish, or instead of it on failure). */
    void (*free)(void *w);
    /* The fingerprint an existing output at path records: 0, or -1 when none
     * (no file, another format); NULL when the format records none. */
    int (*recorded)(const char *path, unsigned char fingerprint[16]);
} writer_ops;

/* The PDF writer (pdf.c). */
extern const writer_ops pdf_writer_ops;
/* A writer that records every call as a line of text (writer_trace.c). */
extern const writer_ops trace_writer_ops;

#endif
