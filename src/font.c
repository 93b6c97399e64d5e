/* font.c: fonts by family name through fontconfig, opened with FreeType and HarfBuzz. */
#include "font.h"
#include "files.h"

#include <dirent.h>
#include <fontconfig/fontconfig.h>
#include <fontconfig/fcfreetype.h>
#include <strings.h>
#include <hb-ft.h>
#include <stdlib.h>
#include <string.h>
#include FT_CID_H
#include FT_TRUETYPE_TABLES_H

struct font_cache {
    FT_Library ft;
    FcFontSet *project;     /* the fonts of the project font directory */
    font **fonts;
    int n, cap;
    char **missing;         /* families already reported as not installed */
    int nmissing, missing_cap;
};

/*
 * Describe every font file in dir.  Scanning the files ourselves, rather
 * than adding the directory to a fontconfig config, keeps fontconfig from
 * trying to write a cache into the project tree.
 */
static FcFontSet *scan_font_dir(const char *dir)
{
    FcFontSet *set = FcFontSetCreate();
    DIR *d = opendir(dir);
    if (!d)
        return set;
    struct dirent *e;
    while ((e = readdir(d))) {
        const char *ext = strrchr(e->d_name, '.');
        if (!ext || (strcasecmp(ext, ".otf") && strcasecmp(ext, ".ttf") &&
                     strcasecmp(ext, ".ttc") && strcasecmp(ext, ".otc")))
            continue;
        char *path = pb_alloc(strlen(dir) + strlen(e->d_name) + 2);
        sprintf(path, "%s/%s", dir, e->d_name);
        FcFreeTypeQueryAll((const FcChar8 *)path, -1, NULL, NULL, set);
        free(path);
    }
    closedir(d);
    return set;
}

/* Create the cache: FreeType, and the fonts of ctx->font_dir; NULL (reported) without FreeType. */
static font_cache *font_cache_new(pb_ctx *ctx)
{
    font_cache *c = pb_alloc(sizeof *c);
    if (FT_Init_FreeType(&c->ft)) {
        pb_error(ctx, (pb_pos){NULL, 0, 0}, "cannot initialise FreeType");
        free(c);
        return NULL;
    }
    FcInit();
    if (ctx->font_dir)
        c->project = scan_font_dir(ctx->font_dir);
    return c;
}

/* Free the cache and every font in it. */
void font_cache_free(font_cache *c)
{
    if (!c)
        return;
    for (int i = 0; i < c->n; i++) {
        font *f = c->fonts[i];
        hb_font_destroy(f->hb);
        hb_face_destroy(f->hb_face);
        hb_blob_destroy(f->blob);
        FT_Done_Face(f->ft);
        free(f->family);
        free(f->path);
        free(f->halt);
        free(f);
    }
    free(c->fonts);
    for (int i = 0; i < c->nmissing; i++)
        free(c->missing[i]);
    free(c->missing);
    if (c->project)
        FcFontSetDestroy(c->project);
    FT_Done_FreeType(c->ft);
    FcFini();
    free(c);
}

/* font_cache_free for the context, which holds the cache as an opaque pointer. */
static void free_cache(void *cache)
{
    font_cache_free(cache);
}

/*
 * Ask fontconfig for family, among the fonts of set (or the system's when
 * set is NULL); accept the match only when its family list really contains
 * the name.  Sets *path (malloc'd) and *index.
 */
static int match_family(FcFontSet *set, const char *family, int bold,
                        char **path, int *index)
{
    FcPattern *pat = FcPatternCreate();
    FcPatternAddString(pat, FC_FAMILY, (const FcChar8 *)family);
    FcPatternAddInteger(pat, FC_WEIGHT, bold ? FC_WEIGHT_BOLD : FC_WEIGHT_REGULAR);
    FcPatternAddInteger(pat, FC_SLANT, FC_SLANT_ROMAN);
    FcConfigSubstitute(NULL, pat, FcMatchPattern);
    FcDefaultSubstitute(pat);
    FcResult res;
    FcPattern *m = set ? FcFontSetMatch(NULL, &set, 1, pat, &res) : FcFontMatch(NULL, pat, &res);
    FcPatternDestroy(pat);
    int found = 0;
    if (m) {
        FcChar8 *fam, *file;
        for (int i = 0; FcPatternGetString(m, FC_FAMILY, i, &fam) == FcResultMatch; i++)
            if (strcasecmp((const char *)fam, family) == 0)
                found = 1;
        FcBool embolden = FcFalse;
        if (found && set && bold && FcPatternGetBool(m, FC_EMBOLDEN, 0, &embolden) == FcResultMatch &&
            embolden)
            found = 0; /* the project has only a lighter face: look further */
        if (found && FcPatternGetString(m, FC_FILE, 0, &file) == FcResultMatch) {
            *path = pb_strdup((const char *)file);
            if (FcPatternGetInteger(m, FC_INDEX, 0, index) != FcResultMatch)
                *index = 0;
        } else {
            found = 0;
        }
        FcPatternDestroy(m);
    }
    return found;
}

/* Open path/index with FreeType and HarfBuzz; NULL when the file is unusable. */
static font *open_font(font_cache *c, const char *family, int bold,
                       char *path, int index)
{
    FT_Face face;
    if (FT_New_Face(c->ft, path, index, &face))
        return NULL;
    font *f = pb_alloc(sizeof *f);
    f->family = pb_strdup(family);
    f->bold = bold;
    f->path = path;
    f->index = index;
    f->ft = face;
    f->blob = hb_blob_create_from_file(path);
    f->hb_face = hb_face_create(f->blob, (unsigned)index);
    f->upem = (int)hb_face_get_upem(f->hb_face);
    f->hb = hb_font_create(f->hb_face);
    hb_font_set_scale(f->hb, f->upem, f->upem);
    hb_blob_t *cff = hb_face_reference_table(f->hb_face, HB_TAG('C', 'F', 'F', ' '));
    f->is_cff = hb_blob_get_length(cff) > 0;
    hb_blob_destroy(cff);
    FT_Bool is_cid = 0;
    f->is_cid = f->is_cff && FT_Get_CID_Is_Internally_CID_Keyed(face, &is_cid) == 0 && is_cid;
    /* The OS/2 typographic metrics describe the ideographic em box that CJK
     * text is centred on; hhea's values include extra line gap. */
    TT_OS2 *os2 = FT_Get_Sfnt_Table(face, FT_SFNT_OS2);
    if (os2 && os2->sTypoAscender > os2->sTypoDescender) {
        f->ascender = (double)os2->sTypoAscender / f->upem;
        f->descender = (double)os2->sTypoDescender / f->upem;
    } else {
        f->ascender = (double)face->ascender / f->upem;
        f->descender = (double)face->descender / f->upem;
    }
    return f;
}

/* Find, open and cache the face for family; report an error when absent. */
font *font_get(pb_ctx *ctx, const char *family, int bold, pb_pos pos)
{
    if (!ctx->fonts) {
        ctx->fonts = font_cache_new(ctx);
        ctx->free_fonts = free_cache;
        if (!ctx->fonts)
            return NULL;
    }
    font_cache *c = ctx->fonts;
    for (int i = 0; i < c->n; i++)
        if (c->fonts[i]->bold == bold && strcmp(c->fonts[i]->family, family) == 0)
            return c->fonts[i];

    for (int i = 0; i < c->nmissing; i++)
        if (strcmp(c->missing[i], family) == 0)
            return NULL; /* reported once already; every use would repeat it */
    char *path = NULL;
    int index = 0;
    if (!(c->project && match_family(c->project, family, bold, &path, &index)) &&
        !match_family(NULL, family, bold, &path, &index)) {
        pb_error(ctx, pos, "font family '%s' is not installed "
                 "(install it, put it in fonts/, or name another family)", family);
        pb_grow(&c->missing, &c->missing_cap, c->nmissing + 1, sizeof *c->missing);
        c->missing[c->nmissing++] = pb_strdup(family);
        return NULL;
    }
    font *f = open_font(c, family, bold, path, index);
    if (!f) {
        pb_error(ctx, pos, "cannot open font file %s for family '%s'", path, family);
        free(path);
        return NULL;
    }
    pb_grow(&c->fonts, &c->cap, c->n + 1, sizeof *c->fonts);
    c->fonts[c->n++] = f;
    files_note_font(ctx, f->path);
    return f;
}

/* 1 when the font maps code point cp to a glyph. */
int font_has_char(const font *f, uint32_t cp)
{
    hb_codepoint_t g;
    return hb_font_get_nominal_glyph(f->hb, cp, &g) && g != 0;
}

/* The PDF CID for glyph gid: the CFF CID for CID-keyed fonts, else gid. */
unsigned font_cid_for_glyph(const font *f, unsigned gid)
{
    FT_UInt cid;
    if (f->is_cid && FT_Get_CID_From_Glyph_Index(f->ft, gid, &cid) == 0)
        return cid;
    return gid;
}

/* Advance width of glyph gid in design units. */
int font_glyph_advance(const font *f, unsigned gid)
{
    return (int)hb_font_get_glyph_h_advance(f->hb, gid);
}

/* Shape cp alone with 'halt' on: the font's own half-width geometry. */
static font_halt measure_halt(font *f, uint32_t cp)
{
    hb_buffer_t *buf = hb_buffer_create();
    hb_buffer_add_utf32(buf, &cp, 1, 0, 1);
    hb_buffer_set_direction(buf, HB_DIRECTION_LTR);
    hb_buffer_set_script(buf, HB_SCRIPT_HAN);
    hb_buffer_set_language(buf, hb_language_from_string("zh-Hans", -1));
    hb_feature_t halt = {HB_TAG('h', 'a', 'l', 't'), 1, 0, (unsigned)-1};
    hb_shape(f->hb, buf, &halt, 1);
    unsigned n;
    hb_glyph_position_t *pos = hb_buffer_get_glyph_positions(buf, &n);
    font_halt h = {cp, n == 1 ? pos[0].x_advance : 0, n == 1 ? pos[0].x_offset : 0};
    hb_buffer_destroy(buf);
    return h;
}

/* The half-width geometry of cp, from the cache or measured once. */
font_halt font_half_width(font *f, uint32_t cp)
{
    for (int i = 0; i < f->nhalt; i++)
        if (f->halt[i].cp == cp)
            return f->halt[i];
    pb_grow(&f->halt, &f->halt_cap, f->nhalt + 1, sizeof *f->halt);
    f->halt[f->nhalt] = measure_halt(f, cp);
    return f->halt[f->nhalt++];
}

/* The files of the fonts opened so far; distinct, in the order first opened. */
int font_files(const pb_ctx *ctx, const char **paths, int max)
{
    const font_cache *c = ctx->fonts;
    int n = 0;
    for (int i = 0; c && i < c->n; i++) {
        int seen = 0;
        for (int k = 0; k < i && !seen; k++)
            seen = strcmp(c->fonts[k]->path, c->fonts[i]->path) == 0;
        if (seen)
            continue;
        if (n < max)
            paths[n] = c->fonts[i]->path;
        n++;
    }
    return n;
}
