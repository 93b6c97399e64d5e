/* pdfimage.c: PNG decoded once into image streams; JPEG passed through. */
#include "pdfimage.h"
#include "image.h"

#include <errno.h>
#include <png.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The longest libpng message kept. */
#define PNG_MSG 160

/* A PNG being embedded: what libpng's error path must be able to free. */
typedef struct png_job {
    FILE *f;
    png_bytep row;              /* one decoded row, or the whole image when interlaced */
    png_bytep color, alpha;     /* one row split into colour and alpha */
    char why[PNG_MSG];          /* libpng's reason when it fails */
} png_job;

/* libpng's error handler: keep the message and leave the decode. */
static void on_png_error(png_structp png, png_const_charp msg)
{
    png_job *job = png_get_error_ptr(png);
    snprintf(job->why, sizeof job->why, "%s", msg);
    png_longjmp(png, 1);
}

/* libpng's warnings (unknown chunks, profiles) do not stop the decode. */
static void on_png_warning(png_structp png, png_const_charp msg)
{
    (void)png;
    (void)msg;
}

/* A new Flate-compressed image stream of w x h pixels in the colour space cs. */
static HPDF_Dict image_stream(HPDF_Doc pdf, png_uint_32 w, png_uint_32 h, const char *cs)
{
    HPDF_Dict img = HPDF_DictStream_New(pdf->mmgr, pdf->xref);
    if (!img)
        return NULL;
    img->header.obj_class |= HPDF_OSUBCLASS_XOBJECT;
    img->filter = HPDF_STREAM_FILTER_FLATE_DECODE;
    HPDF_Dict_AddName(img, "Type", "XObject");
    HPDF_Dict_AddName(img, "Subtype", "Image");
    HPDF_Dict_AddNumber(img, "Width", (HPDF_INT32)w);
    HPDF_Dict_AddNumber(img, "Height", (HPDF_INT32)h);
    HPDF_Dict_AddName(img, "ColorSpace", cs);
    HPDF_Dict_AddNumber(img, "BitsPerComponent", 8);
    return img;
}

/* Normalise any PNG to 8-bit gray, gray+alpha, RGB or RGBA; the channel count. */
static int png_normalise(png_structp png, png_infop info)
{
    png_set_expand(png);            /* palette → RGB, gray < 8 bits → 8, tRNS → alpha */
    png_set_strip_16(png);
    png_set_packing(png);
    png_read_update_info(png, info);
    return png_get_channels(png, info);
}

/* Write one decoded row (channels per pixel) into the colour and alpha streams. */
static void put_row(png_job *job, png_const_bytep row, png_uint_32 w, int channels,
                    HPDF_Dict img, HPDF_Dict mask)
{
    int colours = channels >= 3 ? 3 : 1, has_alpha = channels == 2 || channels == 4;
    if (!has_alpha) {
        HPDF_Stream_Write(img->stream, row, w * (png_uint_32)colours);
        return;
    }
    for (png_uint_32 x = 0; x < w; x++) {
        memcpy(job->color + x * (png_uint_32)colours, row + x * (png_uint_32)channels, (size_t)colours);
        job->alpha[x] = row[x * (png_uint_32)channels + (png_uint_32)colours];
    }
    HPDF_Stream_Write(img->stream, job->color, w * (png_uint_32)colours);
    HPDF_Stream_Write(mask->stream, job->alpha, w);
}

/* Decode the PNG into the streams (the caller has set the jump buffer); the image or NULL. */
static HPDF_Dict png_decode(HPDF_Doc pdf, png_structp png, png_infop info, png_job *job)
{
    png_init_io(png, job->f);
    png_read_info(png, info);
    int passes = png_set_interlace_handling(png);
    int channels = png_normalise(png, info);
    png_uint_32 w = png_get_image_width(png, info), h = png_get_image_height(png, info);
    size_t rowbytes = png_get_rowbytes(png, info);
    HPDF_Dict img = image_stream(pdf, w, h, channels >= 3 ? "DeviceRGB" : "DeviceGray");
    HPDF_Dict mask = channels == 2 || channels == 4 ? image_stream(pdf, w, h, "DeviceGray") : NULL;
    if (!img || ((channels == 2 || channels == 4) && !mask))
        return NULL;
    if (mask)
        HPDF_Dict_Add(img, "SMask", mask);
    job->color = pb_alloc((size_t)w * 3 + 1);
    job->alpha = pb_alloc((size_t)w + 1);
    /* an interlaced image arrives in passes over the whole picture */
    job->row = pb_alloc(rowbytes * (passes > 1 ? h : 1) + 1);
    for (int p = 0; p < passes; p++)
        for (png_uint_32 y = 0; y < h; y++) {
            png_bytep row = job->row + (passes > 1 ? y * rowbytes : 0);
            png_read_row(png, row, NULL);
            if (passes == 1)
                put_row(job, row, w, channels, img, mask);
        }
    if (passes > 1)
        for (png_uint_32 y = 0; y < h; y++)
            put_row(job, job->row + y * rowbytes, w, channels, img, mask);
    png_read_end(png, NULL);
    return img;
}

/* Load a PNG; NULL with libpng's reason in why. */
static HPDF_Image load_png(HPDF_Doc pdf, const char *path, char why[PNG_MSG])
{
    png_job *job = pb_alloc(sizeof *job);
    job->f = fopen(path, "rb");
    snprintf(job->why, sizeof job->why, "%s", job->f ? "libpng cannot start" : strerror(errno));
    png_structp png = job->f ? png_create_read_struct(PNG_LIBPNG_VER_STRING, job, on_png_error,
                                                      on_png_warning) : NULL;
    png_infop info = png ? png_create_info_struct(png) : NULL;
    HPDF_Dict volatile img = NULL; /* set after setjmp: volatile, or a longjmp may leave it stale */
    if (info && !setjmp(png_jmpbuf(png)))
        img = png_decode(pdf, png, info, job);
    png_destroy_read_struct(png ? &png : NULL, info ? &info : NULL, NULL);
    snprintf(why, PNG_MSG, "%s", job->why);
    if (job->f)
        fclose(job->f);
    free(job->row);
    free(job->color);
    free(job->alpha);
    free(job);
    return img;
}

/* Load a PNG or JPEG file as an image XObject. */
HPDF_Image pdfimage_load(pb_ctx *ctx, pb_pos pos, HPDF_Doc pdf, const char *path)
{
    image_type type;
    int iw, ih;
    const char *why = NULL;
    if (image_probe(path, &type, &iw, &ih, &why) != 0) {
        pb_error(ctx, pos, "cannot write PDF: image %s: %s", path, why);
        return NULL;
    }
    char png_why[PNG_MSG];
    HPDF_Image im = type == IMAGE_PNG ? load_png(pdf, path, png_why)
                                      : HPDF_LoadJpegImageFromFile(pdf, path);
    if (!im && type == IMAGE_PNG)
        pb_error(ctx, pos, "cannot write PDF: image %s: corrupt PNG data (%s)", path, png_why);
    else if (!im)
        pb_error(ctx, pos, "cannot write PDF: image %s: libharu cannot embed this JPEG", path);
    return im;
}
