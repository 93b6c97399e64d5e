/*
 * pipeline.h: the stages of paiban in order, one call each, for every
 * caller: the command line (main.c), the fuzz harness and the benchmark.
 *
 *   pipeline_load      XML and style sheet → checked document tree and sheet
 *   pipeline_typeset   → styled tree → shaped, composed, laid-out pages
 *   output_write       → imposed sheets → a writer → a file   (output.h)
 *
 * Which parts of a document become outputs (--select, --split) is asked of
 * the style stage (style_select, style_split in style.h), which alone knows
 * the vocabulary's element names.
 *
 * Ownership: pipeline_sources owns its document and sheet until
 * pipeline_sources_free; a typeset document is the caller's (its fonts
 * come from the context's cache and must outlive it).
 */
#ifndef PAIBAN_PIPELINE_H
#define PAIBAN_PIPELINE_H

#include "compose.h"
#include "dl.h"
#include "doc.h"
#include "output.h"
#include "style.h"

/* A checked document and the style sheet it will be set with. */
typedef struct pipeline_sources {
    doc *doc;
    style_sheet *sheet;
} pipeline_sources;

/* Read, validate and check the document at input and the sheet at style; 0 or -1 (reported). */
int pipeline_load(pb_ctx *ctx, const char *input, const char *schema, const char *style,
                  pipeline_sources *out);

/* The same from memory: name and sheet_name stand for the files in diagnostics. */
int pipeline_load_buffers(pb_ctx *ctx, const char *name, const char *xml, size_t xml_len,
                          const char *sheet_name, const char *sheet, size_t sheet_len,
                          const char *schema, pipeline_sources *out);

/* Free the document and the sheet. */
void pipeline_sources_free(pipeline_sources *s);

/* Style and lay out the document (only: one element of its body, or NULL); the pages or NULL. */
dl_document *pipeline_typeset(pb_ctx *ctx, composer *comp, const pipeline_sources *src,
                              const doc_node *only);

#endif
