/*
 * fingerprint.h: what an output is made from, as one 128-bit hash.
 *
 * The fingerprint covers the display list (every item of every page with
 * its structure tag, the structure elements, the outline, the metadata),
 * the name and size of every file the writer will read (fonts, images, the
 * ICC profiles), the output's options (imposition, marks, tagging, dates,
 * and its name where the slug line prints it) and the program itself (its
 * GNU build ID, a hash of its bytes; or its bytes when it has none).  It is recorded in the output (a PDF's first
 * trailer /ID), so it holds nothing that differs between two machines with
 * the same files: no device, inode or time.  output_write leaves an existing
 * output alone, without subsetting fonts or writing a byte, when it records
 * the same fingerprint and is not older than any of those files (as make
 * judges): the cost of an unchanged handout after an edit is its layout only.
 *
 * Ownership: nothing is kept but, for a program without a build ID, the hash
 * of its bytes, in the context's memo.
 */
#ifndef PAIBAN_FINGERPRINT_H
#define PAIBAN_FINGERPRINT_H

#include "hash.h"
#include "output.h"

#include <time.h>

/* The fingerprint of doc written to name with opts (opts may be NULL) into out;
 * returns the newest modification time of the files it covers. */
struct timespec fingerprint_output(pb_ctx *ctx, const dl_document *doc, const output_options *opts,
                                   const char *name, unsigned char out[PB_HASH_BYTES]);

#endif
