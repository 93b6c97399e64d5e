/* pdfmeta.c: Info, XMP, OutputIntent and trailer /ID: what makes the file PDF/X-4. */
#include "pdfmeta.h"
#include "cache.h"
#include "hash.h"
#include "pdffont.h"
#include "text.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <zlib.h>

enum { ID_BYTES = 16, ICC_HEADER = 128, ICC_MAX = 64 << 20 };

#define PDFMETA_CREATOR "paiban"
#define PDFMETA_PRODUCER "paiban with libharu " HPDF_VERSION_TEXT

/* The document's dates in PDF and ISO 8601 form; have is 0 without an epoch. */
typedef struct meta_dates {
    int have;
    char pdf[64];               /* D:YYYYMMDDHHmmSSZ */
    char iso[64];               /* YYYY-MM-DDTHH:mm:SSZ */
} meta_dates;

/* A PDF text string for UTF-8 text: UTF-16BE with a byte-order mark, cut
 * after PDFMETA_MAX_TEXT_UNITS code units (libharu refuses longer strings). */
HPDF_Binary pdfmeta_text_string(HPDF_MMgr mmgr, const char *utf8)
{
    size_t n = strlen(utf8);
    HPDF_BYTE *buf = pb_alloc(2 + 4 * n);
    size_t k = 0;
    buf[k++] = 0xFE;
    buf[k++] = 0xFF;
    for (const unsigned char *p = (const unsigned char *)utf8; *p;) {
        uint16_t u[2];
        int m = text_utf16_encode(text_utf8_next(&p, NULL), u);
        if ((k - 2) / 2 + (size_t)m > PDFMETA_MAX_TEXT_UNITS)
            break;
        for (int i = 0; i < m; i++) {
            buf[k++] = (HPDF_BYTE)(u[i] >> 8);
            buf[k++] = (HPDF_BYTE)(u[i] & 0xFF);
        }
    }
    HPDF_Binary b = HPDF_Binary_New(mmgr, buf, (HPDF_UINT)k);
    free(buf);
    return b;
}

/* The 128-bit hash of n bytes at p. */
static void hash128(const unsigned char *p, size_t n, unsigned char out[ID_BYTES])
{
    pb_hash h = pb_hash_start();
    pb_hash_add(&h, p, n);
    pb_hash_end(&h, out);
}

/* ---- dates and Info ------------------------------------------------------ */

/* The dates from the epoch in UTC; none without one; -1 when out of range. */
static int make_dates(pb_ctx *ctx, pb_pos pos, const pdfmeta_options *opts, meta_dates *d)
{
    memset(d, 0, sizeof *d);
    if (!opts || !opts->have_epoch)
        return 0;
    time_t t = (time_t)opts->epoch;
    struct tm tm;
    if ((long long)t != opts->epoch || !gmtime_r(&t, &tm) ||
        tm.tm_year < -1900 || tm.tm_year > 9999 - 1900) {
        pb_error(ctx, pos, "cannot write PDF: date %lld (SOURCE_DATE_EPOCH) "
                 "is out of range", opts->epoch);
        return -1;
    }
    snprintf(d->pdf, sizeof d->pdf, "D:%04d%02d%02d%02d%02d%02dZ", tm.tm_year + 1900,
             tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
    snprintf(d->iso, sizeof d->iso, "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900,
             tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
    d->have = 1;
    return 0;
}

/* Title, Author, Subject, Keywords as text strings, tools, dates, PDF/X keys; /Lang. */
static void add_info(HPDF_Doc pdf, const dl_document *doc, const meta_dates *d)
{
    const char *keys[] = {"Title", "Author", "Subject", "Keywords"};
    const char *vals[] = {doc->title, doc->author, doc->subject, doc->keywords};
    HPDF_SetInfoAttr(pdf, HPDF_INFO_CREATOR, PDFMETA_CREATOR);
    HPDF_SetInfoAttr(pdf, HPDF_INFO_PRODUCER, PDFMETA_PRODUCER);
    HPDF_Dict info = pdf->info;
    if (!info)
        return;     /* the pending libharu error fails the write */
    for (int i = 0; i < 4; i++)
        if (vals[i])
            HPDF_Dict_Add(info, keys[i], pdfmeta_text_string(pdf->mmgr, vals[i]));
    HPDF_Dict_AddName(info, "Trapped", "False");
    if (d->have) {
        HPDF_Dict_Add(info, "CreationDate", HPDF_String_New(pdf->mmgr, d->pdf, NULL));
        HPDF_Dict_Add(info, "ModDate", HPDF_String_New(pdf->mmgr, d->pdf, NULL));
        HPDF_Dict_Add(info, "GTS_PDFXVersion", HPDF_String_New(pdf->mmgr, PDFMETA_PDFX, NULL));
    }
    if (doc->lang && strlen(doc->lang) < 256) /* a real language tag is a few letters */
        HPDF_Dict_Add(pdf->catalog, "Lang", HPDF_String_New(pdf->mmgr, doc->lang, NULL));
}

/* ---- XMP ----------------------------------------------------------------- */

/* Append UTF-8 text as XML character data: markup characters become
 * references, and characters XML 1.0 cannot hold become U+FFFD or go. */
static void xb_escaped(pb_str *b, const char *utf8)
{
    for (const unsigned char *p = (const unsigned char *)utf8; *p;) {
        uint32_t cp = text_utf8_next(&p, NULL);
        const char *ref = cp == '&' ? "&amp;" : cp == '<' ? "&lt;" : cp == '>' ? "&gt;"
                        : cp == '"' ? "&quot;" : cp == '\'' ? "&apos;" : NULL;
        if (ref) {
            pb_str_adds(b, ref);
            continue;
        }
        if (cp < 0x20 && cp != '\t' && cp != '\n' && cp != '\r')
            continue;
        if (cp == 0xFFFE || cp == 0xFFFF)
            cp = 0xFFFD; /* not XML characters */
        char u[4];
        pb_str_add(b, u, text_utf8_encode(cp, u));
    }
}

/* <tag>value</tag>, the value escaped; nothing when value is NULL. */
static void xmp_simple(pb_str *b, const char *tag, const char *value)
{
    if (!value)
        return;
    pb_str_adds(b, "   <");
    pb_str_adds(b, tag);
    pb_str_adds(b, ">");
    xb_escaped(b, value);
    pb_str_adds(b, "</");
    pb_str_adds(b, tag);
    pb_str_adds(b, ">\n");
}

/* A one-item rdf:Alt (language x-default), rdf:Seq or rdf:Bag property. */
static void xmp_list(pb_str *b, const char *tag, const char *kind, const char *value)
{
    if (!value)
        return;
    pb_str_adds(b, "   <");
    pb_str_adds(b, tag);
    pb_str_adds(b, "><rdf:");
    pb_str_adds(b, kind);
    pb_str_adds(b, strcmp(kind, "Alt") == 0 ? "><rdf:li xml:lang=\"x-default\">" : "><rdf:li>");
    xb_escaped(b, value);
    pb_str_adds(b, "</rdf:li></rdf:");
    pb_str_adds(b, kind);
    pb_str_adds(b, "></");
    pb_str_adds(b, tag);
    pb_str_adds(b, ">\n");
}

/* "uuid:" and a hash of the document's metadata: the same document keeps its id. */
static void document_id(const dl_document *doc, char out[48])
{
    pb_str b = {0};
    const char *vals[] = {doc->title, doc->author, doc->subject, doc->keywords, doc->lang};
    for (int i = 0; i < 5; i++)
        pb_str_add(&b, vals[i] ? vals[i] : "", (vals[i] ? strlen(vals[i]) : 0) + 1);
    unsigned char h[ID_BYTES];
    hash128((const unsigned char *)b.s, b.len, h);
    free(b.s);
    int k = snprintf(out, 48, "uuid:");
    for (int i = 0; i < ID_BYTES; i++)
        k += snprintf(out + k, (size_t)(48 - k), "%s%02x",
                      i == 4 || i == 6 || i == 8 || i == 10 ? "-" : "", h[i]);
}

/* The XMP packet: Dublin Core, XMP basic, PDF, media management and PDF/X ids. */
static void xmp_packet(pb_str *b, const dl_document *doc, const meta_dates *d, int pdfua)
{
    char id[48];
    document_id(doc, id);
    pb_str_adds(b, "<?xpacket begin=\"\xef\xbb\xbf\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>\n"
              "<x:xmpmeta xmlns:x=\"adobe:ns:meta/\">\n"
              " <rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">\n"
              "  <rdf:Description rdf:about=\"\"\n"
              "    xmlns:dc=\"http://purl.org/dc/elements/1.1/\"\n"
              "    xmlns:xmp=\"http://ns.adobe.com/xap/1.0/\"\n"
              "    xmlns:pdf=\"http://ns.adobe.com/pdf/1.3/\"\n"
              "    xmlns:xmpMM=\"http://ns.adobe.com/xap/1.0/mm/\"\n"
              "    xmlns:pdfxid=\"http://www.npes.org/pdfx/ns/id/\"\n"
              "    xmlns:pdfuaid=\"http://www.aiim.org/pdfua/ns/id/\">\n");
    xmp_simple(b, "dc:format", "application/pdf");
    xmp_list(b, "dc:title", "Alt", doc->title);
    xmp_list(b, "dc:creator", "Seq", doc->author);
    xmp_list(b, "dc:description", "Alt", doc->subject);
    xmp_list(b, "dc:language", "Bag", doc->lang);
    xmp_simple(b, "pdf:Keywords", doc->keywords);
    xmp_simple(b, "pdf:Producer", PDFMETA_PRODUCER);
    xmp_simple(b, "pdf:Trapped", "False");
    xmp_simple(b, "xmp:CreatorTool", PDFMETA_CREATOR);
    xmp_simple(b, "xmp:CreateDate", d->have ? d->iso : NULL);
    xmp_simple(b, "xmp:ModifyDate", d->have ? d->iso : NULL);
    xmp_simple(b, "xmp:MetadataDate", d->have ? d->iso : NULL);
    xmp_simple(b, "xmpMM:DocumentID", id);
    xmp_simple(b, "xmpMM:VersionID", "1");
    xmp_simple(b, "xmpMM:RenditionClass", "default");
    xmp_simple(b, "pdfxid:GTS_PDFXVersion", d->have ? PDFMETA_PDFX : NULL);
    xmp_simple(b, "pdfuaid:part", pdfua ? "1" : NULL);
    pb_str_adds(b, "  </rdf:Description>\n </rdf:RDF>\n</x:xmpmeta>\n<?xpacket end=\"r\"?>\n");
}

/* The catalog's /Metadata: the XMP packet, uncompressed so tools can find it. */
static void add_xmp(HPDF_Doc pdf, const dl_document *doc, const meta_dates *d, int pdfua)
{
    pb_str b = {0};
    xmp_packet(&b, doc, d, pdfua);
    HPDF_Dict s = HPDF_DictStream_New(pdf->mmgr, pdf->xref);
    if (s) {
        s->filter = HPDF_STREAM_FILTER_NONE;
        HPDF_Dict_AddName(s, "Type", "Metadata");
        HPDF_Dict_AddName(s, "Subtype", "XML");
        HPDF_Stream_Write(s->stream, (const HPDF_BYTE *)b.s, (HPDF_UINT)b.len);
        HPDF_Dict_Add(pdf->catalog, "Metadata", s);
    }
    free(b.s);
}

/* ---- ICC profiles and the OutputIntent ----------------------------------- */

/* Read the whole file (malloc'd, length in *len); NULL with errno set. */
static unsigned char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 1 << 16;
    unsigned char *d = pb_alloc(cap);
    size_t n = 0, k;
    while ((k = fread(d + n, 1, cap - n, f)) > 0 && n + k <= ICC_MAX) {
        n += k;
        if (n == cap)
            d = pb_realloc(d, cap *= 2);
    }
    int bad = ferror(f) || n + k > ICC_MAX;
    fclose(f);
    if (bad) {
        free(d);
        errno = EFBIG;
        return NULL;
    }
    *len = n;
    return d;
}

/* A big-endian 32-bit number at p. */
static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Why an ICC profile header will not do (NULL when it will): the size
 * field, the 'acsp' signature, the device class (cls, unless NULL) and
 * the colour space. */
static const char *icc_check(const unsigned char *d, size_t len, const char *cls,
                             const char *space)
{
    if (len < ICC_HEADER + 4 || be32(d) != len || memcmp(d + 36, "acsp", 4) != 0)
        return "not an ICC profile";
    if (memcmp(d + 16, space, 4) != 0)
        return strcmp(space, "CMYK") == 0 ? "not a CMYK profile" : "not an RGB profile";
    if (cls && memcmp(d + 12, cls, 4) != 0)
        return "not an output (printer) profile";
    return NULL;
}

/* Copy the printable ASCII of count UTF-16BE (wide) or byte characters at p. */
static void ascii_copy(const unsigned char *p, uint32_t count, int wide, char *out, size_t size)
{
    size_t k = 0;
    for (uint32_t i = 0; i < count && k + 1 < size; i++) {
        unsigned c = wide ? (unsigned)(p[2 * i] << 8 | p[2 * i + 1]) : p[i];
        if (c == 0)
            break;
        out[k++] = c >= 0x20 && c < 0x7F ? (char)c : '?';
    }
    out[k] = '\0';
}

/* The profile's description (v2 'desc' or v4 'mluc', first record) into out. */
static void icc_description(const unsigned char *d, size_t len, char *out, size_t size)
{
    out[0] = '\0';
    uint32_t ntags = be32(d + ICC_HEADER);
    for (uint32_t i = 0; i < ntags && ICC_HEADER + 16 + 12 * (size_t)i <= len; i++) {
        const unsigned char *t = d + ICC_HEADER + 4 + 12 * i;
        uint32_t off = be32(t + 4), tlen = be32(t + 8);
        if (memcmp(t, "desc", 4) != 0 || off > len || tlen > len - off || tlen < 28)
            continue;
        const unsigned char *v = d + off;
        if (memcmp(v, "desc", 4) == 0 && be32(v + 8) <= tlen - 12)
            ascii_copy(v + 12, be32(v + 8), 0, out, size);
        else if (memcmp(v, "mluc", 4) == 0 && be32(v + 24) <= tlen &&
                 be32(v + 20) <= tlen - be32(v + 24))
            ascii_copy(v + be32(v + 24), be32(v + 20) / 2, 1, out, size);
        return;
    }
}

/* Profile d (len bytes), known by key, deflated: from the cache (--cache), or
 * deflated now and kept there; a rebuild then skips a twentieth of a report's work.
 * A malloc'd copy; NULL when it cannot be compressed. */
static unsigned char *deflated_profile(pb_ctx *ctx, const char *key, const unsigned char *d,
                                       size_t len, size_t *zlen)
{
    char ckey[CACHE_KEY_SIZE];
    pb_hash hs = pb_hash_start();
    pb_hash_add_str(&hs, "deflated at Z_BEST_SPEED"); /* how: another way, another entry */
    pb_hash_add_str(&hs, key);
    cache_key(ckey, "icc-", &hs);
    const pb_memo *m = cache_get(ctx, ckey);
    /* the fastest level: the profile (187 KB) deflates in half the time to 0.3% more */
    unsigned char *z = m ? pb_alloc(m->len) : pdfmeta_deflate(d, len, Z_BEST_SPEED, zlen);
    if (m) {
        memcpy(z, m->data, m->len);
        *zlen = m->len;
    } else if (z) {
        unsigned char *kept = pb_alloc(*zlen);
        memcpy(kept, z, *zlen);
        cache_put(ctx, ckey, kept, *zlen);
    }
    return z;
}

/* Read, check and deflate the profile at path and keep it under key, with its
 * description; a profile that will not do is reported and kept as empty. */
static const pb_memo *load_icc(pb_ctx *ctx, pb_pos pos, const char *path, const char *cls,
                               const char *space, const char *key)
{
    size_t len = 0, zlen = 0;
    unsigned char *d = read_file(path, &len);
    const char *why = d ? icc_check(d, len, cls, space) : strerror(errno);
    unsigned char *z = why ? NULL : deflated_profile(ctx, key, d, len, &zlen);
    if (!why && !z)
        why = "cannot compress it";
    char desc[256] = "";
    if (why)
        pb_error(ctx, pos, "cannot write PDF: ICC profile %s: %s%s", path, why,
                 d ? "" : " (Debian's libgs-common provides the default profiles; "
                          "--output-intent FILE names another CMYK printer profile)");
    else
        icc_description(d, len, desc, sizeof desc);
    free(d);
    return pb_memo_keep(ctx, key, z, z ? zlen : 0, why ? NULL : pb_strdup(desc));
}

/*
 * The profile at path (class cls, colour space space), checked and deflated,
 * with its description as the note: kept for the run, as it is the same in
 * every PDF a run writes (ten handouts, or a rebuild in watch mode while the
 * file stays the same).  NULL with an error reported when it is missing or unfit.
 */
static const pb_memo *icc_profile(pb_ctx *ctx, pb_pos pos, const char *path, const char *cls,
                                  const char *space)
{
    struct stat st = {0};
    stat(path, &st); /* a missing file keys as identity 0 until it appears */
    char *key = pb_alloc(strlen(path) + 128);
    sprintf(key, "icc %s %s %llu:%llu:%lld:%lld.%09ld %s", cls ? cls : "-", space,
            (unsigned long long)st.st_dev, (unsigned long long)st.st_ino, (long long)st.st_size,
            (long long)st.st_mtim.tv_sec, (long)st.st_mtim.tv_nsec, path);
    const pb_memo *m = pb_memo_find(ctx, key);
    if (!m)
        m = load_icc(ctx, pos, path, cls, space, key);
    free(key);
    return m->data ? m : NULL; /* a profile that failed was reported once, for the first PDF */
}

/* libharu's hook after a dictionary's entries: the /Filter of a stream deflated
 * already, which libharu would otherwise deflate again (as its own streams show it). */
static HPDF_STATUS write_flate_filter(HPDF_Dict dict, HPDF_Stream stream)
{
    (void)dict;
    return HPDF_Stream_WriteStr(stream, "/Filter [ /FlateDecode ]\012");
}

/* data deflated at zlib's level, malloc'd; NULL when zlib fails. */
unsigned char *pdfmeta_deflate(const unsigned char *data, size_t len, int level, size_t *out_len)
{
    uLongf zlen = compressBound((uLong)len);
    unsigned char *z = pb_alloc(zlen);
    if (compress2(z, &zlen, data, (uLong)len, level) != Z_OK) {
        free(z);
        return NULL;
    }
    *out_len = zlen;
    return z;
}

/* A stream object holding z (len bytes, deflated already), written as it is. */
HPDF_Dict pdfmeta_deflated_stream(HPDF_Doc pdf, const unsigned char *z, size_t len)
{
    HPDF_Dict s = HPDF_DictStream_New(pdf->mmgr, pdf->xref);
    if (s) {
        s->filter = HPDF_STREAM_FILTER_NONE;
        s->write_fn = write_flate_filter;
        HPDF_Stream_Write(s->stream, z, (HPDF_UINT)len);
    }
    return s;
}

/* The profile at path as an ICC stream with /N components; its description
 * goes to desc.  NULL with an error reported when it is missing or unfit. */
static HPDF_Dict icc_stream(pb_ctx *ctx, pb_pos pos, HPDF_Doc pdf, const char *path,
                            const char *cls, const char *space, char *desc, size_t dsize)
{
    const pb_memo *m = icc_profile(ctx, pos, path, cls, space);
    if (!m)
        return NULL;
    snprintf(desc, dsize, "%s", m->note);
    HPDF_Dict s = pdfmeta_deflated_stream(pdf, m->data, m->len);
    if (s)
        HPDF_Dict_AddNumber(s, "N", strcmp(space, "CMYK") == 0 ? 4 : 3);
    return s;
}

/* The catalog's /OutputIntents: one GTS_PDFX intent with the CMYK profile. */
static int add_output_intent(pb_ctx *ctx, pb_pos pos, HPDF_Doc pdf, const char *path)
{
    char desc[128];
    HPDF_Dict icc = icc_stream(ctx, pos, pdf, path, "prtr", "CMYK", desc, sizeof desc);
    if (!icc)
        return -1;
    const char *name = desc[0] ? desc : path;
    HPDF_Dict oi = HPDF_Dict_New(pdf->mmgr);
    HPDF_Array list = HPDF_Array_New(pdf->mmgr);
    if (!oi || !list)
        return 0;   /* the pending libharu error fails the write */
    HPDF_Dict_AddName(oi, "Type", "OutputIntent");
    HPDF_Dict_AddName(oi, "S", "GTS_PDFX");
    /* Not a registered characterisation, so the embedded profile defines it. */
    HPDF_Dict_Add(oi, "OutputConditionIdentifier", HPDF_String_New(pdf->mmgr, "Custom", NULL));
    HPDF_Dict_Add(oi, "OutputCondition", HPDF_String_New(pdf->mmgr, name, NULL));
    HPDF_Dict_Add(oi, "Info", HPDF_String_New(pdf->mmgr, name, NULL));
    HPDF_Dict_Add(oi, "RegistryName", HPDF_String_New(pdf->mmgr, "http://www.color.org", NULL));
    HPDF_Dict_Add(oi, "DestOutputProfile", icc);
    HPDF_Array_Add(list, oi);
    HPDF_Dict_Add(pdf->catalog, "OutputIntents", list);
    return 0;
}

/* [/ICCBased sRGB], made once. */
HPDF_Array pdfmeta_default_rgb(pb_ctx *ctx, pb_pos pos, HPDF_Doc pdf, HPDF_Array *cache)
{
    if (*cache)
        return *cache;
    char desc[128];
    HPDF_Dict icc = icc_stream(ctx, pos, pdf, PDFMETA_SRGB, NULL, "RGB ", desc, sizeof desc);
    HPDF_Array cs = icc ? HPDF_Array_New(pdf->mmgr) : NULL;
    if (!cs || HPDF_Xref_Add(pdf->xref, cs) != HPDF_OK)
        return NULL;
    HPDF_Array_AddName(cs, "ICCBased");
    HPDF_Array_Add(cs, icc);
    return *cache = cs;
}

/* ---- trailer /ID --------------------------------------------------------- */

/* What the placeholder /ID looks like once libharu has written it. */
static void id_placeholder_text(char *out, size_t size)
{
    char zeros[2 * ID_BYTES + 1];
    memset(zeros, '0', 2 * ID_BYTES);
    zeros[2 * ID_BYTES] = '\0';
    snprintf(out, size, "/ID [ <%s> <%s> ]", zeros, zeros);
}

/* Add /ID [<0...> <0...>] to the trailer; pdfmeta_finish_id fills it in. */
static void add_id_placeholder(HPDF_Doc pdf)
{
    static const HPDF_BYTE zero[ID_BYTES];
    HPDF_Array id = HPDF_Array_New(pdf->mmgr);
    if (!id)
        return;
    for (int i = 0; i < 2; i++)
        HPDF_Array_Add(id, HPDF_Binary_New(pdf->mmgr, (HPDF_BYTE *)zero, ID_BYTES));
    HPDF_Dict_Add(pdf->xref->trailer, "ID", id);
}

/* Write n bytes at v as hex digits at out. */
static void put_hex(unsigned char *out, const unsigned char *v, int n)
{
    char hex[3];
    for (int k = 0; k < n; k++) {
        snprintf(hex, sizeof hex, "%02X", v[k]);
        memcpy(out + 2 * k, hex, 2);
    }
}

/* Write first (or the file's hash) and the file's hash into the /ID strings. */
int pdfmeta_finish_id(unsigned char *buf, size_t len, const unsigned char *first)
{
    char needle[128];
    id_placeholder_text(needle, sizeof needle);
    size_t n = strlen(needle);
    /* The trailer is at the end; search backwards so no content can match first. */
    for (size_t i = len >= n ? len - n + 1 : 0; i-- > 0;) {
        if (memcmp(buf + i, needle, n) != 0)
            continue;
        unsigned char h[ID_BYTES];
        hash128(buf, len, h);
        unsigned char *one = buf + i + strlen("/ID [ <");
        put_hex(one, first ? first : h, ID_BYTES);
        put_hex(one + 2 * ID_BYTES + strlen("> <"), h, ID_BYTES);
        return 0;
    }
    return -1;
}

/* The first /ID string of the PDF at path (in its last kilobytes, the trailer): 0, or -1. */
int pdfmeta_read_id(const char *path, unsigned char first[ID_BYTES])
{
    FILE *f = fopen(path, "rb");
    char tail[4096 + 1];
    size_t n = 0;
    if (f && fseek(f, 0, SEEK_END) == 0) {
        long size = ftell(f);
        long from = size > 4096 ? size - 4096 : 0;
        if (size > 0 && fseek(f, from, SEEK_SET) == 0)
            n = fread(tail, 1, 4096, f);
    }
    if (f)
        fclose(f);
    tail[n] = '\0';
    const char *key = "/ID [ <", *at = NULL;
    size_t klen = strlen(key);
    for (size_t i = 0; i + klen + 2 * ID_BYTES <= n; i++) /* the last one: the trailer's */
        if (memcmp(tail + i, key, klen) == 0)
            at = tail + i;
    if (!at)
        return -1;
    at += strlen(key);
    for (int k = 0; k < ID_BYTES; k++) {
        unsigned v;
        if (sscanf(at + 2 * k, "%2X", &v) != 1)
            return -1;
        first[k] = (unsigned char)v;
    }
    return 0;
}

/* ---- all together -------------------------------------------------------- */

/* Info, /Lang, XMP, OutputIntent and the /ID placeholder. */
int pdfmeta_write(pb_ctx *ctx, pb_pos pos, HPDF_Doc pdf, const dl_document *doc,
                  const pdfmeta_options *opts)
{
    meta_dates d;
    if (make_dates(ctx, pos, opts, &d) != 0)
        return -1;
    const char *profile = opts && opts->output_intent ? opts->output_intent
                                                       : PDFMETA_DEFAULT_CMYK;
    if (add_output_intent(ctx, pos, pdf, profile) != 0)
        return -1;
    add_info(pdf, doc, &d);
    add_xmp(pdf, doc, &d, opts && opts->pdfua);
    add_id_placeholder(pdf);
    return 0;
}
