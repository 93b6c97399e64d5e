/*
 * fingerprint.h: what an output is made from, as one 128-bit hash.
 *
 * The fingerprint covers the display list (every item of every page, the
 * outline, the metadata), the identity (device, inode, size, modification
 * time) of every file the writer will read (fonts, images, the ICC
 * profiles), the output's options (imposition, marks, dates, its name,
 * which the slug line prints) and the program itself.  Whatever changes the
 * bytes of an output changes its fingerprint.  output_write records it in
 * the output (a PDF's first trailer /ID) and, when an existing output
 * records the same one, leaves it alone without subsetting fonts or
 * writing a byte: the cost of an unchanged handout after an edit is its
 * layout only.
 *
 * Ownership: nothing is kept.
 */
#ifndef PAIBAN_FINGERPRINT_H
#define PAIBAN_FINGERPRINT_H

#include "hash.h"
#include "output.h"

/* The fingerprint of doc written to name with opts (opts may be NULL). */
void fingerprint_output(const dl_document *doc, const output_options *opts, const char *name,
                        unsigned char out[PB_HASH_BYTES]);

#endif
