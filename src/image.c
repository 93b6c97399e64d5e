/* image.c: the pixel size of PNG and JPEG files, from their headers. */
#include "image.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

/* A big-endian number of n bytes. */
static unsigned long be(const unsigned char *p, int n)
{
    unsigned long v = 0;
    for (int i = 0; i < n; i++)
        v = v << 8 | p[i];
    return v;
}

/* PNG: the IHDR chunk follows the 8-byte signature, which is already read:
 * its length (4 bytes), "IHDR", then width and height. */
static int probe_png(FILE *f, int *w, int *h)
{
    unsigned char hdr[16];
    if (fread(hdr, 1, sizeof hdr, f) != sizeof hdr || memcmp(hdr + 4, "IHDR", 4) != 0)
        return -1;
    *w = (int)be(hdr + 8, 4);
    *h = (int)be(hdr + 12, 4);
    return 0;
}

/* 1 for the JPEG markers that start a frame and carry its size. */
static int is_sof(int m)
{
    return m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC;
}

/* JPEG: walk the marker segments to the first start-of-frame. */
static int probe_jpeg(FILE *f, int *w, int *h)
{
    unsigned char seg[7];
    for (int guard = 0; guard < 1000; guard++) {
        int c = fgetc(f);
        while (c == 0xFF)
            c = fgetc(f);
        if (c == EOF || c == 0xD9 || c == 0xDA)
            return -1; /* image data or its end before any frame */
        if (fread(seg, 1, 2, f) != 2)
            return -1;
        long len = (long)be(seg, 2);
        if (len < 2)
            return -1;
        if (is_sof(c)) {
            if (fread(seg, 1, 5, f) != 5)
                return -1;
            *h = (int)be(seg + 1, 2);
            *w = (int)be(seg + 3, 2);
            return 0;
        }
        if (fseek(f, len - 2, SEEK_CUR) != 0 || fgetc(f) != 0xFF)
            return -1;
    }
    return -1;
}

/* Read the pixel size of a PNG or JPEG file. */
int image_probe(const char *path, image_type *type, int *width, int *height, const char **why)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        *why = errno == ENOENT ? "no such file" : strerror(errno);
        return -1;
    }
    unsigned char sig[8];
    int rc = -1;
    size_t n = fread(sig, 1, sizeof sig, f);
    *why = "not a PNG or JPEG file (corrupt, or another format)";
    if (n == 8 && memcmp(sig, "\x89PNG\r\n\x1a\n", 8) == 0) {
        *type = IMAGE_PNG;
        rc = probe_png(f, width, height);
        *why = "a truncated or corrupt PNG file";
    } else if (n >= 3 && sig[0] == 0xFF && sig[1] == 0xD8 && sig[2] == 0xFF) {
        *type = IMAGE_JPEG;
        rc = fseek(f, 2, SEEK_SET) == 0 ? probe_jpeg(f, width, height) : -1;
        *why = "a truncated or corrupt JPEG file";
    }
    fclose(f);
    if (rc == 0 && (*width <= 0 || *height <= 0 || *width > 100000 || *height > 100000)) {
        *why = "an image of impossible size";
        rc = -1;
    }
    return rc;
}
