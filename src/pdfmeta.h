/*
 * pdfmeta.h: document-level PDF parts for a print-ready (PDF/X-4) file.
 *
 * The PDF writer (pdf.c) draws pages; this module adds what describes the
 * document as a whole, none of which libharu writes correctly by itself:
 *   - the Info dictionary (UTF-16 text strings, dates from the epoch,
 *     /Trapped /False, /GTS_PDFXVersion) and the catalog's /Lang;
 *   - an XMP metadata stream with the same facts, every value XML-escaped;
 *   - an OutputIntent (GTS_PDFX) whose DestOutputProfile is a CMYK printer
 *     ICC profile read from a file (by default the one Debian's libgs-common
 *     ships), and the sRGB DefaultRGB colour space for raster images;
 *   - the trailer /ID, a hash of the finished file's bytes, so that the
 *     same input always gives the same bytes.
 * The PDF/X claim (GTS_PDFXVersion) needs CreationDate and ModDate, so it is
 * only written when an epoch is given.
 *
 * Every HPDF object made here belongs to the HPDF_Doc; nothing else is
 * kept.  File data read here is freed before returning.
 */
#ifndef PAIBAN_PDFMETA_H
#define PAIBAN_PDFMETA_H

#include "ctx.h"
#include "dl.h"

#include <hpdf.h>
#include <stddef.h>

/* The CMYK printer profile used when no --output-intent is given (libgs-common). */
#define PDFMETA_DEFAULT_CMYK "/usr/share/color/icc/ghostscript/default_cmyk.icc"
/* The RGB profile that DefaultRGB gives raster images (libgs-common). */
#define PDFMETA_SRGB "/usr/share/color/icc/ghostscript/srgb.icc"
/* What a conforming file claims to be. */
#define PDFMETA_PDFX "PDF/X-4"

/* The longest text string written (UTF-16 code units): outline titles and
 * Info values are cut there, since libharu refuses strings over 64 KB. */
#define PDFMETA_MAX_TEXT_UNITS 32000

/* What the metadata needs to know of the output. */
typedef struct pdfmeta_options {
    int have_epoch;             /* 1 when epoch gives the dates */
    long long epoch;
    const char *output_intent;  /* the CMYK printer profile; NULL: PDFMETA_DEFAULT_CMYK */
    int pdfua;                  /* 1: claim PDF/UA-1 (pdfuaid): tagged, with a /Lang */
} pdfmeta_options;

/* A PDF text string for UTF-8 text: UTF-16BE with a byte-order mark, cut
 * after PDFMETA_MAX_TEXT_UNITS code units. */
HPDF_Binary pdfmeta_text_string(HPDF_MMgr mmgr, const char *utf8);

/*
 * Add the Info entries, /Lang, the XMP metadata, the OutputIntent and a
 * placeholder trailer /ID to pdf.  Returns 0, or -1 with an error
 * reported at pos (the output file): a missing or unsuitable ICC profile,
 * a date out of range.
 */
int pdfmeta_write(pb_ctx *ctx, pb_pos pos, HPDF_Doc pdf, const dl_document *doc,
                  const pdfmeta_options *opts);

/*
 * The colour space [/ICCBased sRGB] as an indirect object, made on the
 * first call and stored in *cache; NULL with an error reported at pos
 * when the profile cannot be read.
 */
HPDF_Array pdfmeta_default_rgb(pb_ctx *ctx, pb_pos pos, HPDF_Doc pdf, HPDF_Array *cache);

/*
 * Fill in the trailer /ID of the serialised file buf[0..len): the first
 * string (the file's permanent identifier) becomes first, the output's
 * fingerprint (fingerprint.h; NULL: the second's value), the second a
 * 128-bit hash of the whole file as written with the placeholder.
 * Returns 0, or -1 when no placeholder is found.
 */
int pdfmeta_finish_id(unsigned char *buf, size_t len, const unsigned char *first);

/* data deflated at zlib's level (Z_DEFAULT_COMPRESSION: as libharu deflates): malloc'd,
 * *out_len bytes; NULL on failure. */
unsigned char *pdfmeta_deflate(const unsigned char *data, size_t len, int level, size_t *out_len);

/* A stream object holding z (len bytes, deflated already) as it is, /Filter /FlateDecode;
 * NULL when libharu fails.  A result kept deflated (cache.h) is not deflated again. */
HPDF_Dict pdfmeta_deflated_stream(HPDF_Doc pdf, const unsigned char *z, size_t len);

/* The first /ID string of the PDF at path, as pdfmeta_finish_id wrote it: 0, or -1. */
int pdfmeta_read_id(const char *path, unsigned char first[16]);

#endif
