/*
 * pdfimage.h: raster images as PDF image XObjects.
 *
 * A PNG is decoded once, row by row, through libpng and written straight
 * into a Flate-compressed image stream (its alpha, if any, into a soft
 * mask), so a large image costs one decode and about one row of memory
 * beyond its compressed size.  libharu's own PNG loader decodes a second
 * time and, on corrupt data, returns from libpng's error callback, which
 * libpng answers with abort(); it is never used.  A JPEG is embedded as
 * it is (DCTDecode), through libharu.
 *
 * The objects made belong to the HPDF_Doc.  Nothing else is kept.
 */
#ifndef PAIBAN_PDFIMAGE_H
#define PAIBAN_PDFIMAGE_H

#include "ctx.h"

#include <hpdf.h>

/*
 * Load the PNG or JPEG file at path into pdf as an image XObject.  Returns
 * it, or NULL with an error reported at pos (the output) naming the file.
 */
HPDF_Image pdfimage_load(pb_ctx *ctx, pb_pos pos, HPDF_Doc pdf, const char *path);

#endif
