/*
 * image.h: what the layout needs to know of an image file before placing it.
 *
 * image_probe() reads just enough of a PNG or JPEG file to learn its size in
 * pixels, so a missing or corrupt image is reported against the source
 * line that names it, long before the PDF writer embeds it.  It decodes
 * nothing; libharu does that when the PDF is written.  No memory is kept.
 */
#ifndef PAIBAN_IMAGE_H
#define PAIBAN_IMAGE_H

typedef enum image_type { IMAGE_PNG, IMAGE_JPEG } image_type;

/*
 * Read the pixel size of the PNG or JPEG file at path.  Returns 0, or -1
 * with *why set to a short reason ("no such file", "not a PNG or JPEG
 * file", "truncated or corrupt").
 */
int image_probe(const char *path, image_type *type, int *width, int *height, const char **why);

#endif
