/* pdffont.c: Type0/CID fonts built with libharu's object layer and subset with hb-subset. */
#include "pdffont.h"
#include "cache.h"
#include "hash.h"
#include "pdfmeta.h"
#include "text.h"

#include <hb-subset.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <sys/stat.h>
#include FT_TRUETYPE_TABLES_H

/* The longest PostScript name kept: the PDF limit for font names is 127. */
enum { PS_NAME_MAX = 63, BASE_NAME_MAX = PS_NAME_MAX + 8, CMAP_BLOCK = 100,
       CLUSTER_MAX = 64 };

/* One glyph the document shows. */
typedef struct used_glyph {
    unsigned gid;
    unsigned cid;
    int width;                  /* advance in 1/1000 em, as written to /W */
    uint32_t text_off;          /* first code point in pdffont.text */
    uint32_t text_len;          /* 0 while no text is known for the glyph */
} used_glyph;

struct pdffont {
    font *f;                    /* borrowed */
    char name[16];              /* resource name in page /Font dicts */
    HPDF_Dict type0;            /* the font object pages refer to */
    unsigned nslots;
    int *slot;                  /* gid -> index + 1 into used; 0 = unused */
    int nused, used_cap;
    used_glyph *used;           /* in order of first use */
    int ntext, text_cap;
    uint32_t *text;             /* code points the glyphs stand for */
};

struct pdffont_set {
    HPDF_Doc pdf;               /* borrowed */
    int n, cap;
    pdffont **fonts;            /* in order of first use */
};

/* Create an empty font set for pdf. */
pdffont_set *pdffont_set_new(HPDF_Doc pdf)
{
    pdffont_set *set = pb_alloc(sizeof *set);
    set->pdf = pdf;
    return set;
}

/* Free the set's own memory. */
void pdffont_set_free(pdffont_set *set)
{
    if (!set)
        return;
    for (int i = 0; i < set->n; i++) {
        free(set->fonts[i]->slot);
        free(set->fonts[i]->used);
        free(set->fonts[i]->text);
        free(set->fonts[i]);
    }
    free(set->fonts);
    free(set);
}

/* Make obj an indirect object of the document; NULL when it could not be. */
static HPDF_Dict add_indirect(pdffont_set *set, HPDF_Dict obj)
{
    if (!obj || HPDF_Xref_Add(set->pdf->xref, obj) != HPDF_OK)
        return NULL;
    return obj;
}

/* The set's entry for f, created (with its empty Type0 object) on first use. */
static pdffont *font_entry(pdffont_set *set, font *f)
{
    for (int i = 0; i < set->n; i++)
        if (set->fonts[i]->f == f)
            return set->fonts[i];
    /* The Type0 object exists from the first page on so pages can point
     * at it; its contents are only known once every page is written. */
    HPDF_Dict type0 = add_indirect(set, HPDF_Dict_New(set->pdf->mmgr));
    if (!type0)
        return NULL;
    pdffont *pf = pb_alloc(sizeof *pf);
    pf->f = f;
    pf->type0 = type0;
    snprintf(pf->name, sizeof pf->name, "PF%d", set->n + 1);
    pf->nslots = f->ft->num_glyphs > 0 ? (unsigned)f->ft->num_glyphs : 1;
    pf->slot = pb_alloc(pf->nslots * sizeof *pf->slot);
    pb_grow(&set->fonts, &set->cap, set->n + 1, sizeof *set->fonts);
    set->fonts[set->n++] = pf;
    return pf;
}

/* The page's /Resources /Font dict, created the way libharu would. */
static HPDF_Dict page_font_dict(HPDF_Page page)
{
    HPDF_PageAttr attr = (HPDF_PageAttr)page->attr;
    if (attr->fonts)
        return attr->fonts;
    HPDF_Dict res = HPDF_Page_GetInheritableItem(page, "Resources", HPDF_OCLASS_DICT);
    if (!res)
        return NULL;
    HPDF_Dict fonts = HPDF_Dict_New(page->mmgr);
    if (!fonts || HPDF_Dict_Add(res, "Font", fonts) != HPDF_OK)
        return NULL;
    /* Telling libharu about the dict keeps it from replacing ours. */
    attr->fonts = fonts;
    return fonts;
}

/* Register f in page's resources and return its PDF font. */
pdffont *pdffont_page_font(pdffont_set *set, HPDF_Page page, font *f,
                           const char **name)
{
    pdffont *pf = font_entry(set, f);
    HPDF_Dict fonts = pf ? page_font_dict(page) : NULL;
    if (!fonts)
        return NULL;
    if (!HPDF_Dict_GetItem(fonts, pf->name, HPDF_OCLASS_DICT) &&
        HPDF_Dict_Add(fonts, pf->name, pf->type0) != HPDF_OK)
        return NULL;
    *name = pf->name;
    return pf;
}

/* The record for gid, created on first use. */
static used_glyph *glyph_entry(pdffont *pf, unsigned gid)
{
    if (pf->slot[gid])
        return &pf->used[pf->slot[gid] - 1];
    pb_grow(&pf->used, &pf->used_cap, pf->nused + 1, sizeof *pf->used);
    used_glyph *g = &pf->used[pf->nused++];
    pf->slot[gid] = pf->nused;
    g->gid = gid;
    g->cid = font_cid_for_glyph(pf->f, gid);
    g->width = (int)lround(font_glyph_advance(pf->f, gid) * 1000.0 / pf->f->upem);
    return g;
}

/* Record a glyph shown and the text it stands for; return its CID. */
unsigned pdffont_glyph(pdffont *pf, unsigned gid, const uint32_t *text,
                       unsigned len, int *width)
{
    if (gid >= pf->nslots)
        gid = 0;    /* not in the font: show .notdef rather than garbage */
    used_glyph *g = glyph_entry(pf, gid);
    if (len > CLUSTER_MAX)
        len = CLUSTER_MAX;  /* a CMap destination holds at most 512 bytes */
    if (len && !g->text_len) {
        pb_grow(&pf->text, &pf->text_cap, pf->ntext + (int)len, sizeof *pf->text);
        memcpy(pf->text + pf->ntext, text, len * sizeof *text);
        g->text_off = (uint32_t)pf->ntext;
        g->text_len = len;
        pf->ntext += (int)len;
    }
    *width = g->width;
    return g->cid;
}

/* Order used glyphs by CID, as /W and the CMap want them. */
static int cmp_cid(const void *a, const void *b)
{
    const used_glyph *x = a, *y = b;
    if (x->cid != y->cid)
        return x->cid < y->cid ? -1 : 1;
    return x->gid < y->gid ? -1 : x->gid > y->gid;
}

/* Order ints ascending. */
static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

/* The most common width (smallest on ties): the /DW that shortens /W most. */
static int default_width(const used_glyph *g, int n)
{
    if (n == 0)
        return 1000;
    int *w = pb_alloc((size_t)n * sizeof *w);
    for (int i = 0; i < n; i++)
        w[i] = g[i].width;
    qsort(w, (size_t)n, sizeof *w, cmp_int);
    int best = w[0], best_run = 0;
    for (int i = 0, j; i < n; i = j) {
        for (j = i; j < n && w[j] == w[i]; j++)
            ;
        if (j - i > best_run) {
            best = w[i];
            best_run = j - i;
        }
    }
    free(w);
    return best;
}

/*
 * A face of f's CFF, maxp and head tables alone.  A CFF font goes into the PDF
 * as its bare CFF table (FontFile3), and hb-subset spends two thirds of its
 * time on what that leaves out: the plan maps every cmap entry (with its
 * variation sequences) back to the glyphs kept, and keeps the variants it
 * finds, which no page shows.  The tables are borrowed, not copied.
 */
static hb_face_t *outline_face(const font *f)
{
    static const hb_tag_t keep[] = {HB_TAG('C', 'F', 'F', ' '), HB_TAG('m', 'a', 'x', 'p'),
                                    HB_TAG('h', 'e', 'a', 'd')};
    hb_face_t *face = hb_face_builder_create();
    for (size_t i = 0; i < sizeof keep / sizeof *keep; i++) {
        hb_blob_t *table = hb_face_reference_table(f->hb_face, keep[i]);
        hb_face_builder_add_table(face, keep[i], table);
        hb_blob_destroy(table);
    }
    return face;
}

/* Subset the font to the glyphs used; NULL when hb-subset fails. */
static hb_face_t *subset_face(const pdffont *pf, const used_glyph *g, int n)
{
    /* Glyphs were chosen at shaping time, so layout and vertical tables
     * are dead weight; they are also the slowest to subset. */
    static const char *const drop[] = {
        "GSUB", "GPOS", "GDEF", "BASE", "JSTF", "MATH", "kern", "vhea",
        "vmtx", "VORG", "DSIG", "hdmx", "LTSH", "VDMX", "PCLT",
    };
    hb_subset_input_t *in = hb_subset_input_create_or_fail();
    if (!in)
        return NULL;
    hb_set_t *glyphs = hb_subset_input_glyph_set(in);
    for (int i = 0; i < n; i++)
        hb_set_add(glyphs, g[i].gid);
    hb_set_t *tables = hb_subset_input_set(in, HB_SUBSET_SETS_DROP_TABLE_TAG);
    for (size_t i = 0; i < sizeof drop / sizeof *drop; i++)
        hb_set_add(tables, hb_tag_from_string(drop[i], 4));
    /* Without CIDs in the font the content stream names glyphs by id, so
     * ids must survive subsetting; CID-keyed CFF keeps its CIDs anyway. */
    if (!pf->f->is_cid)
        hb_subset_input_set_flags(in, HB_SUBSET_FLAGS_RETAIN_GIDS);
    hb_face_t *src = pf->f->is_cff ? outline_face(pf->f) : hb_face_reference(pf->f->hb_face);
    hb_face_t *sub = hb_subset_or_fail(src, in);
    hb_face_destroy(src);
    hb_subset_input_destroy(in);
    return sub;
}

/* The subset tag: six letters from a hash of the glyph set and font name. */
static void subset_tag(const used_glyph *g, int n, const char *ps, char tag[7])
{
    uint64_t h = 0xcbf29ce484222325u;   /* FNV-1a */
    for (int i = 0; i < n; i++)
        for (int b = 0; b < 32; b += 8) {
            h ^= (g[i].gid >> b) & 0xFF;
            h *= 0x100000001b3u;
        }
    for (const char *p = ps; *p; p++) {
        h ^= (unsigned char)*p;
        h *= 0x100000001b3u;
    }
    for (int i = 0; i < 6; i++, h /= 26)
        tag[i] = (char)('A' + h % 26);
    tag[6] = '\0';
}

/* "TAG+PostScriptName", keeping only characters that are safe in a name. */
static void base_font_name(const pdffont *pf, const used_glyph *g, int n,
                           char *out, size_t size)
{
    const char *src = FT_Get_Postscript_Name(pf->f->ft);
    if (!src)
        src = pf->f->family;
    char ps[PS_NAME_MAX + 1];
    int k = 0;
    for (const char *p = src; *p && k < PS_NAME_MAX; p++)
        if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
            (*p >= '0' && *p <= '9') || *p == '-' || *p == '_' || *p == '.')
            ps[k++] = *p;
    ps[k] = '\0';
    char tag[7];
    subset_tag(g, n, ps, tag);
    snprintf(out, size, "%s+%s", tag, ps);
}

/* 1 when face has the table tag. */
static int has_table(hb_face_t *face, hb_tag_t tag)
{
    hb_blob_t *b = hb_face_reference_table(face, tag);
    int found = hb_blob_get_length(b) > 0;
    hb_blob_destroy(b);
    return found;
}

/* The bytes of the font program of subset sub: the bare CFF table, or the whole
 * TrueType font; 0 bytes for outlines PDF cannot take this way (CFF2, bitmap-only). */
static hb_blob_t *program_blob(const pdffont *pf, hb_face_t *sub)
{
    if (pf->f->is_cff)
        return hb_face_reference_table(sub, HB_TAG('C', 'F', 'F', ' '));
    if (!has_table(sub, HB_TAG('g', 'l', 'y', 'f')))
        return hb_blob_get_empty();
    return hb_face_reference_blob(sub);
}

/* How paiban makes a subset; a change to it makes the entries of an older paiban misses. */
#define PROGRAM_RECIPE "outline tables alone, v2"

/* The cache key of pf's font program subset to glyphs g[0..n) (sorted): the recipe,
 * the font file's path and identity, the face, the kind of outlines and the glyphs. */
static void program_key(const pdffont *pf, const used_glyph *g, int n, char key[CACHE_KEY_SIZE])
{
    struct stat st;
    long long id[4] = {0};
    if (stat(pf->f->path, &st) == 0) {
        id[0] = (long long)st.st_ino;
        id[1] = (long long)st.st_size;
        id[2] = (long long)st.st_mtim.tv_sec;
        id[3] = (long long)st.st_mtim.tv_nsec;
    }
    int face[3] = {pf->f->index, pf->f->is_cff, pf->f->is_cid};
    pb_hash h = pb_hash_start();
    pb_hash_add_str(&h, PROGRAM_RECIPE);
    pb_hash_add_str(&h, pf->f->path);
    pb_hash_add(&h, id, sizeof id);
    pb_hash_add(&h, face, sizeof face);
    for (int i = 0; i < n; i++)
        pb_hash_add(&h, &g[i].gid, sizeof g[i].gid);
    cache_key(key, "font-", &h);
}

/*
 * pf's font program subset to glyphs g[0..n), deflated, after 8 bytes
 * giving its length before deflating: kept in the cache (cache.h), as
 * subsetting is most of the cost of a PDF and an edition, its imposition
 * and the next build after an edit often use the same glyphs.  NULL when
 * it cannot be made.
 */
static const pb_memo *font_program(pb_ctx *ctx, const pdffont *pf, const used_glyph *g, int n)
{
    char key[CACHE_KEY_SIZE];
    program_key(pf, g, n, key);
    const pb_memo *m = cache_get(ctx, key);
    if (m)
        return m->len >= 8 ? m : NULL;
    hb_face_t *sub = subset_face(pf, g, n);
    hb_blob_t *blob = sub ? program_blob(pf, sub) : hb_blob_get_empty();
    unsigned len;
    const unsigned char *data = (const unsigned char *)hb_blob_get_data(blob, &len);
    size_t zlen = 0;
    unsigned char *z = len ? pdfmeta_deflate(data, len, Z_DEFAULT_COMPRESSION, &zlen) : NULL;
    hb_blob_destroy(blob);
    hb_face_destroy(sub);
    if (!z)
        return NULL;
    unsigned char *entry = pb_alloc(zlen + 8);
    for (int i = 0; i < 8; i++)
        entry[i] = (unsigned char)((uint64_t)len >> (56 - 8 * i));
    memcpy(entry + 8, z, zlen);
    free(z);
    return cache_put(ctx, key, entry, zlen + 8);
}

/* The embedded font program's stream object, from the program m (font_program). */
static HPDF_Dict font_file(pdffont_set *set, const pdffont *pf, const pb_memo *m)
{
    uint64_t len = 0;
    for (int i = 0; i < 8; i++)
        len = len << 8 | m->data[i];
    HPDF_Dict s = pdfmeta_deflated_stream(set->pdf, m->data + 8, m->len - 8);
    if (s && pf->f->is_cff)
        HPDF_Dict_AddName(s, "Subtype", "CIDFontType0C");
    else if (s)
        HPDF_Dict_AddNumber(s, "Length1", (HPDF_INT32)len);
    return s;
}

/* Add a [a b c d] array of numbers to dict under key. */
static void add_box(HPDF_Dict dict, const char *key, const int v[4])
{
    HPDF_Array a = HPDF_Array_New(dict->mmgr);
    if (!a)
        return;
    for (int i = 0; i < 4; i++)
        HPDF_Array_AddNumber(a, v[i]);
    HPDF_Dict_Add(dict, key, a);
}

/* The FontDescriptor with the metrics viewers use for substitution. */
static HPDF_Dict descriptor(pdffont_set *set, const pdffont *pf,
                            const char *base, HPDF_Dict file)
{
    HPDF_Dict d = add_indirect(set, HPDF_Dict_New(set->pdf->mmgr));
    if (!d)
        return NULL;
    const font *f = pf->f;
    double k = 1000.0 / f->upem;
    TT_OS2 *os2 = FT_Get_Sfnt_Table(f->ft, FT_SFNT_OS2);
    TT_Postscript *post = FT_Get_Sfnt_Table(f->ft, FT_SFNT_POST);
    double italic = post ? post->italicAngle / 65536.0 : 0;
    int ascent = (int)lround(f->ascender * 1000);
    int cap = os2 && os2->version >= 2 && os2->sCapHeight
        ? (int)lround(os2->sCapHeight * k) : ascent;
    /* No table gives the stem width directly; this weight-based guess is
     * only a hint for viewers that substitute a missing font. */
    int stemv = 10 + (os2 ? os2->usWeightClass : 400) / 5;
    int flags = 4 | (post && post->isFixedPitch ? 1 : 0) | (italic != 0 ? 64 : 0);
    int bbox[4] = {
        (int)lround(f->ft->bbox.xMin * k), (int)lround(f->ft->bbox.yMin * k),
        (int)lround(f->ft->bbox.xMax * k), (int)lround(f->ft->bbox.yMax * k),
    };
    HPDF_Dict_AddName(d, "Type", "FontDescriptor");
    HPDF_Dict_AddName(d, "FontName", base);
    HPDF_Dict_AddNumber(d, "Flags", flags);
    add_box(d, "FontBBox", bbox);
    HPDF_Dict_AddReal(d, "ItalicAngle", (HPDF_REAL)italic);
    HPDF_Dict_AddNumber(d, "Ascent", ascent);
    HPDF_Dict_AddNumber(d, "Descent", (int)lround(f->descender * 1000));
    HPDF_Dict_AddNumber(d, "CapHeight", cap);
    HPDF_Dict_AddNumber(d, "StemV", stemv);
    HPDF_Dict_Add(d, f->is_cff ? "FontFile3" : "FontFile2", file);
    return d;
}

/* The /W array: runs of consecutive CIDs whose width is not dw. */
static HPDF_Array widths(HPDF_MMgr mmgr, const used_glyph *g, int n, int dw)
{
    HPDF_Array w = HPDF_Array_New(mmgr);
    HPDF_Array run = NULL;
    for (int i = 0; w && i < n; i++) {
        if (g[i].width == dw) {
            run = NULL;
            continue;
        }
        if (!run || g[i].cid != g[i - 1].cid + 1) {
            run = HPDF_Array_New(mmgr);
            HPDF_Array_AddNumber(w, (HPDF_INT32)g[i].cid);
            if (!run || HPDF_Array_Add(w, run) != HPDF_OK)
                return w;   /* the pending libharu error fails the write */
        }
        HPDF_Array_AddNumber(run, g[i].width);
    }
    return w;
}

/* The /CIDSystemInfo dict: Adobe-Identity-0 suits Identity-H. */
static HPDF_Dict system_info(HPDF_MMgr mmgr)
{
    HPDF_Dict d = HPDF_Dict_New(mmgr);
    if (d) {
        HPDF_Dict_Add(d, "Registry", HPDF_String_New(mmgr, "Adobe", NULL));
        HPDF_Dict_Add(d, "Ordering", HPDF_String_New(mmgr, "Identity", NULL));
        HPDF_Dict_AddNumber(d, "Supplement", 0);
    }
    return d;
}

/* The descendant CIDFont dict. */
static HPDF_Dict cid_font(pdffont_set *set, const pdffont *pf, const char *base,
                          HPDF_Dict desc, const used_glyph *g, int n)
{
    HPDF_MMgr mmgr = set->pdf->mmgr;
    HPDF_Dict d = add_indirect(set, HPDF_Dict_New(mmgr));
    if (!d)
        return NULL;
    int dw = default_width(g, n);
    HPDF_Dict_AddName(d, "Type", "Font");
    HPDF_Dict_AddName(d, "Subtype", pf->f->is_cff ? "CIDFontType0" : "CIDFontType2");
    HPDF_Dict_AddName(d, "BaseFont", base);
    HPDF_Dict_Add(d, "CIDSystemInfo", system_info(mmgr));
    HPDF_Dict_Add(d, "FontDescriptor", desc);
    HPDF_Dict_AddNumber(d, "DW", dw);
    HPDF_Dict_Add(d, "W", widths(mmgr, g, n, dw));
    if (!pf->f->is_cff)
        HPDF_Dict_AddName(d, "CIDToGIDMap", "Identity");
    return d;
}

/* Write one glyph's text as a UTF-16BE hex string. */
static void write_utf16_hex(HPDF_Stream s, const uint32_t *text, uint32_t len)
{
    char hex[8];
    HPDF_Stream_WriteChar(s, '<');
    for (uint32_t i = 0; i < len; i++) {
        uint16_t u[2];
        int n = text_utf16_encode(text[i], u);
        for (int k = 0; k < n; k++) {
            snprintf(hex, sizeof hex, "%04X", u[k]);
            HPDF_Stream_WriteStr(s, hex);
        }
    }
    HPDF_Stream_WriteStr(s, ">\n");
}

/* Write the bfchar blocks, at most CMAP_BLOCK entries each as the format requires. */
static void write_bfchars(HPDF_Stream s, const pdffont *pf, const used_glyph *g, int n)
{
    int total = 0, done = 0;
    for (int i = 0; i < n; i++)
        total += g[i].text_len > 0;
    char buf[32];
    for (int i = 0; i < n; i++) {
        if (!g[i].text_len)
            continue;
        if (done % CMAP_BLOCK == 0) {
            int left = total - done;
            snprintf(buf, sizeof buf, "%d beginbfchar\n", left < CMAP_BLOCK ? left : CMAP_BLOCK);
            HPDF_Stream_WriteStr(s, buf);
        }
        snprintf(buf, sizeof buf, "<%04X> ", g[i].cid);
        HPDF_Stream_WriteStr(s, buf);
        write_utf16_hex(s, pf->text + g[i].text_off, g[i].text_len);
        if (++done % CMAP_BLOCK == 0 || done == total)
            HPDF_Stream_WriteStr(s, "endbfchar\n");
    }
}

/* The ToUnicode CMap stream, in the standard CIDInit ProcSet form. */
static HPDF_Dict to_unicode(pdffont_set *set, const pdffont *pf,
                            const used_glyph *g, int n)
{
    HPDF_Dict s = HPDF_DictStream_New(set->pdf->mmgr, set->pdf->xref);
    if (!s)
        return NULL;
    s->filter = HPDF_STREAM_FILTER_FLATE_DECODE;
    HPDF_Stream_WriteStr(s->stream,
        "/CIDInit /ProcSet findresource begin\n"
        "12 dict begin\n"
        "begincmap\n"
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
        "/CMapName /Adobe-Identity-UCS def\n"
        "/CMapType 2 def\n"
        "1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n");
    write_bfchars(s->stream, pf, g, n);
    HPDF_Stream_WriteStr(s->stream,
        "endcmap\n"
        "CMapName currentdict /CMap defineresource pop\n"
        "end\n"
        "end\n");
    return s;
}

/* Fill in the Type0 font object from the glyphs used (sorted by CID). */
static void fill_type0(pdffont_set *set, const pdffont *pf, const char *base,
                       HPDF_Dict cidfont, const used_glyph *g, int n)
{
    HPDF_Dict t = pf->type0;
    char name[BASE_NAME_MAX + 16];
    /* The PDF spec names a Type0 over CIDFontType0 font BASE-CMAP. */
    snprintf(name, sizeof name, pf->f->is_cff ? "%s-Identity-H" : "%s", base);
    HPDF_Dict_AddName(t, "Type", "Font");
    HPDF_Dict_AddName(t, "Subtype", "Type0");
    HPDF_Dict_AddName(t, "BaseFont", name);
    HPDF_Dict_AddName(t, "Encoding", "Identity-H");
    HPDF_Array desc = HPDF_Array_New(set->pdf->mmgr);
    if (desc && cidfont)
        HPDF_Array_Add(desc, cidfont);
    HPDF_Dict_Add(t, "DescendantFonts", desc);
    HPDF_Dict_Add(t, "ToUnicode", to_unicode(set, pf, g, n));
}

/* Subset one font and write all its objects. */
static int finish_font(pdffont_set *set, pdffont *pf, pb_ctx *ctx, pb_pos pos)
{
    int n = pf->nused;
    used_glyph *g = pb_alloc((size_t)(n ? n : 1) * sizeof *g);
    memcpy(g, pf->used, (size_t)n * sizeof *g);
    qsort(g, (size_t)n, sizeof *g, cmp_cid);
    const pb_memo *program = font_program(ctx, pf, g, n);
    HPDF_Dict file = program ? font_file(set, pf, program) : NULL;
    if (!file) {
        free(g);
        pb_error(ctx, pos, "cannot write PDF: cannot subset and embed font %s (%s)",
                 pf->f->path, pf->f->family);
        return -1;
    }
    char base[BASE_NAME_MAX];
    base_font_name(pf, g, n, base, sizeof base);
    HPDF_Dict desc = descriptor(set, pf, base, file);
    HPDF_Dict cidfont = desc ? cid_font(set, pf, base, desc, g, n) : NULL;
    fill_type0(set, pf, base, cidfont, g, n);
    free(g);
    return HPDF_GetError(set->pdf) == HPDF_OK ? 0 : -1;
}

/* Subset every font and write its objects. */
int pdffont_finish(pdffont_set *set, pb_ctx *ctx, pb_pos pos)
{
    for (int i = 0; i < set->n; i++)
        if (finish_font(set, set->fonts[i], ctx, pos) != 0)
            return -1;
    return 0;
}
