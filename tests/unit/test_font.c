/*
 * test_font.c: finding fonts through fontconfig, the font cache, metrics
 * and CIDs.
 *
 * Needs Noto Serif CJK SC and Noto Sans CJK SC (Debian fonts-noto-cjk,
 * OpenType collections with CID-keyed CFF outlines).  In fonts-noto-cjk
 * 20220127 every CID of these faces equals its glyph index (the CFF
 * charset is the identity), so font_cid_for_glyph is checked against
 * FreeType's own FT_Get_CID_From_Glyph_Index rather than against
 * "CID != gid".  A font whose CIDs do differ from its glyph ids is made by
 * subsetting Noto Sans CJK SC with hb-subset (without retaining gids): the
 * subset's glyphs are renumbered from 0 but keep the full font's CIDs, and
 * font_cid_for_glyph must give those CIDs, not the subset's gids.
 *
 * The project-directory check copies a plain (non-CJK) font that is also
 * installed in the system, DejaVu Sans when present, into a temporary
 * directory used as ctx->font_dir; it is skipped, with a message, when no
 * such font exists.
 */
#define _XOPEN_SOURCE 700 /* nftw */
#include "font.h"
#include "helpers.h"
#include "unit.h"

#include <ftw.h>
#include <hb-subset.h>
#include <math.h>
#include <string.h>
#include FT_CID_H

#define SERIF "Noto Serif CJK SC"
#define SANS "Noto Sans CJK SC"
#define MISSING "Paiban No Such Family"
#define DEJAVU "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"

static capture diag;            /* the context shared by the checks that expect no errors */

static const pb_pos POS = {"test.xml", 3, 7};

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

static int starts_with(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* The glyph of code point cp in f, 0 when none. */
static unsigned glyph_of(const font *f, uint32_t cp)
{
    hb_codepoint_t g = 0;
    hb_font_get_nominal_glyph(f->hb, cp, &g);
    return g;
}

/* ---- the CJK faces -------------------------------------------------------- */

/* Checks shared by every Noto CJK face: collection, CID-keyed CFF, metrics. */
static void check_noto_cjk_face(const font *f, const char *family, int bold)
{
    CHECK(f != NULL, "%s (bold %d) not found: %s", family, bold, capture_text(&diag));
    if (!f)
        return;
    CHECK(strcmp(f->family, family) == 0 && f->bold == bold, "family '%s' bold %d", f->family, f->bold);
    CHECK(ends_with(f->path, ".ttc"), "%s comes from %s, expected a .ttc collection", family, f->path);
    CHECK(f->upem == 1000, "%s: upem %d", family, f->upem);
    CHECK(f->is_cff == 1, "%s: is_cff %d", family, f->is_cff);
    CHECK(f->is_cid == 1, "%s: is_cid %d", family, f->is_cid);
    CHECK(fabs(f->ascender - 0.88) < 0.001, "%s: ascender %g, expected the OS/2 typo 0.88", family,
          f->ascender);
    CHECK(fabs(f->descender + 0.12) < 0.001, "%s: descender %g, expected the OS/2 typo -0.12",
          family, f->descender);
    CHECK(f->ft && f->hb && f->hb_face && f->blob, "%s: FreeType or HarfBuzz objects missing", family);
}

static void test_serif_regular(void)
{
    font *f = font_get(diag.ctx, SERIF, 0, POS);
    check_noto_cjk_face(f, SERIF, 0);
    CHECK(f && !(f->ft->style_flags & FT_STYLE_FLAG_BOLD), "the regular serif face is bold");
}

static void test_sans_bold_is_another_face(void)
{
    font *bold = font_get(diag.ctx, SANS, 1, POS);
    font *regular = font_get(diag.ctx, SANS, 0, POS);
    check_noto_cjk_face(bold, SANS, 1);
    check_noto_cjk_face(regular, SANS, 0);
    if (!bold || !regular)
        return;
    CHECK(bold != regular, "bold and regular are the same cache entry");
    CHECK(strcmp(bold->path, regular->path) != 0 || bold->index != regular->index,
          "bold and regular are the same face: %s #%d", bold->path, bold->index);
    CHECK(bold->ft->style_flags & FT_STYLE_FLAG_BOLD, "the bold face %s #%d is not bold (%s)",
          bold->path, bold->index, bold->ft->style_name);
}

static void test_cache_returns_same_pointer(void)
{
    int before = diag.ctx->errors;
    font *a = font_get(diag.ctx, SERIF, 0, POS), *b = font_get(diag.ctx, SERIF, 0, POS);
    font *c = font_get(diag.ctx, SERIF, 1, POS), *d = font_get(diag.ctx, SERIF, 1, POS);
    CHECK(a && a == b, "two calls for the regular face gave %p and %p", (void *)a, (void *)b);
    CHECK(c && c == d, "two calls for the bold face gave %p and %p", (void *)c, (void *)d);
    CHECK(a != c, "regular and bold share a cache entry");
    CHECK(diag.ctx->errors == before, "errors reported: %s", capture_text(&diag));
}

/* Occurrences of needle in hay. */
static int count_of(const char *hay, const char *needle)
{
    int n = 0;
    for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
        n++;
    return n;
}

static void test_missing_family_reported_once(void)
{
    capture c;
    capture_start(&c);
    int nulls = 0;
    for (int i = 0; i < 3; i++)
        nulls += font_get(c.ctx, MISSING, i == 2, POS) == NULL;
    const char *text = capture_text(&c);
    CHECK(nulls == 3, "a missing family was found %d times: %s", 3 - nulls, text);
    CHECK(c.ctx->errors == 1, "%d errors for one missing family asked 3 times: %s", c.ctx->errors, text);
    CHECK(count_of(text, "'" MISSING "'") == 1, "the family is not named exactly once: %s", text);
    CHECK(starts_with(text, "test.xml:3:7: error:"), "the error is not at the asking position: %s", text);
    capture_end(&c);
}

static void test_has_char(void)
{
    font *f = font_get(diag.ctx, SERIF, 0, POS);
    if (!f)
        return;
    CHECK(font_has_char(f, 0x4E2D), "no glyph for 中");
    CHECK(font_has_char(f, 'A'), "no glyph for A");
    CHECK(!font_has_char(f, 0xE000), "a glyph for private-use U+E000");
}

/* font_cid_for_glyph agrees with FreeType for gid in f; 1 when CID != gid. */
static int check_cid(const font *f, unsigned gid)
{
    FT_UInt want = 0;
    CHECK(FT_Get_CID_From_Glyph_Index(f->ft, gid, &want) == 0, "FreeType has no CID for gid %u", gid);
    unsigned got = font_cid_for_glyph(f, gid);
    CHECK(got == want, "gid %u: CID %u, FreeType says %u", gid, got, want);
    return got != gid;
}

static void test_cid_for_glyph(void)
{
    static const char *const han = "中国人的一是了不在有我他这们来到时大地为子";
    font *f = font_get(diag.ctx, SERIF, 0, POS);
    if (!f)
        return;
    int differ = 0;
    for (const unsigned char *s = (const unsigned char *)han; *s; s += 3) {
        uint32_t cp = (uint32_t)(s[0] & 0x0F) << 12 | (uint32_t)(s[1] & 0x3F) << 6 | (s[2] & 0x3F);
        unsigned gid = glyph_of(f, cp);
        CHECK(gid != 0, "no glyph for U+%04X", (unsigned)cp);
        differ += check_cid(f, gid);
    }
    for (unsigned gid = 1; gid < (unsigned)f->ft->num_glyphs; gid += 997)
        differ += check_cid(f, gid);
    printf("test_font: %d of the sampled glyphs have a CID different from their gid\n", differ);
}

/* Write the len bytes at data to path; 0 on success. */
static int write_bytes(const char *path, const char *data, unsigned len)
{
    FILE *out = fopen(path, "wb");
    int ok = out && fwrite(data, 1, len, out) == len;
    if (out && fclose(out) != 0)
        ok = 0;
    return ok ? 0 : -1;
}

/*
 * A subset of full holding the code points cps (and what its layout
 * features reach), written to t/subset.otf; its path, or NULL.
 */
static const char *write_subset(tmpdir *t, const font *full, const uint32_t *cps, int n)
{
    hb_subset_input_t *in = hb_subset_input_create_or_fail();
    CHECK(in != NULL, "hb_subset_input_create_or_fail failed");
    if (!in)
        return NULL;
    for (int i = 0; i < n; i++)
        hb_set_add(hb_subset_input_unicode_set(in), cps[i]);
    /* no HB_SUBSET_FLAGS_RETAIN_GIDS: the glyphs are renumbered from 0 */
    hb_face_t *sub = hb_subset_or_fail(full->hb_face, in);
    hb_subset_input_destroy(in);
    CHECK(sub != NULL, "hb_subset_or_fail failed on %s #%d", full->path, full->index);
    if (!sub)
        return NULL;
    hb_blob_t *blob = hb_face_reference_blob(sub);
    unsigned len;
    const char *data = hb_blob_get_data(blob, &len);
    const char *path = tmpdir_write(t, "subset.otf", "");
    int rc = len > 0 ? write_bytes(path, data, len) : -1;
    CHECK(rc == 0, "cannot write the %u-byte subset to %s", len, path);
    hb_blob_destroy(blob);
    hb_face_destroy(sub);
    return rc == 0 ? path : NULL;
}

/*
 * A CID-keyed font whose CIDs are not its glyph ids: a subset of Noto Sans
 * CJK SC, found through font_get in a project font directory that holds
 * only it.  For each code point the subset's glyph must map to the CID the
 * full font gives the code point's glyph, and that CID must differ from
 * the subset's gid (else an identity mapping would pass).
 */
static void test_cid_for_glyph_in_subset(void)
{
    static const uint32_t cps[] = {0x3002 /* 。 */, 0x4E2D /* 中 */, 0x9F99 /* 龙 */};
    enum { N = sizeof cps / sizeof cps[0] };
    font *full = font_get(diag.ctx, SANS, 0, POS);
    if (!full)
        return; /* reported by the other checks */
    tmpdir t;
    CHECK(tmpdir_make(&t) == 0, "mkdtemp failed");
    const char *path = write_subset(&t, full, cps, N);
    capture c;
    capture_start(&c);
    c.ctx->font_dir = t.path;
    font *sub = path ? font_get(c.ctx, SANS, 0, POS) : NULL;
    CHECK(!path || (sub && strcmp(sub->path, path) == 0), "'%s' came from %s, not the subset %s: %s",
          SANS, sub ? sub->path : "(nothing)", path, capture_text(&c));
    if (sub && strcmp(sub->path, path) == 0) {
        CHECK(sub->is_cff && sub->is_cid, "the subset is not CID-keyed CFF: is_cff %d, is_cid %d",
              sub->is_cff, sub->is_cid);
        CHECK(sub->ft->num_glyphs < 100, "the subset has %ld glyphs", (long)sub->ft->num_glyphs);
        for (int i = 0; i < N; i++) {
            unsigned gid_full = glyph_of(full, cps[i]), gid_sub = glyph_of(sub, cps[i]);
            FT_UInt want = 0;
            CHECK(gid_full && gid_sub, "U+%04X: gid %u in the full font, %u in the subset",
                  (unsigned)cps[i], gid_full, gid_sub);
            CHECK(FT_Get_CID_From_Glyph_Index(full->ft, gid_full, &want) == 0,
                  "U+%04X: FreeType has no CID for gid %u of the full font", (unsigned)cps[i], gid_full);
            CHECK(want != gid_sub, "U+%04X: subset gid %u equals its CID: the subset proves nothing",
                  (unsigned)cps[i], gid_sub);
            unsigned got = font_cid_for_glyph(sub, gid_sub);
            CHECK(got == want, "U+%04X: subset gid %u gives CID %u; the full font's CID is %u",
                  (unsigned)cps[i], gid_sub, got, want);
        }
    }
    capture_end(&c);
    tmpdir_remove(&t);
}

static void test_han_advance(void)
{
    font *f = font_get(diag.ctx, SERIF, 0, POS);
    if (!f)
        return;
    unsigned gid = glyph_of(f, 0x4E2D);
    CHECK(gid != 0 && font_glyph_advance(f, gid) == 1000, "中 advances %d units",
          font_glyph_advance(f, gid));
}

/* ---- the project font directory ------------------------------------------ */

static char found_path[512];

/* nftw callback: the first .ttf/.otf that is not a CJK font. */
static int find_plain(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    (void)st, (void)ftw;
    if (type != FTW_F || strstr(path, "CJK") || strstr(path, "cjk"))
        return 0;
    if (!ends_with(path, ".ttf") && !ends_with(path, ".otf"))
        return 0;
    snprintf(found_path, sizeof found_path, "%s", path);
    return 1;
}

/* A plain system font file and its family name (from FreeType); 0 when found. */
static int plain_system_font(char *family, size_t size)
{
    if (access(DEJAVU, R_OK) == 0)
        snprintf(found_path, sizeof found_path, "%s", DEJAVU);
    else if (nftw("/usr/share/fonts", find_plain, 16, FTW_PHYS) != 1)
        return -1;
    FT_Library lib;
    FT_Face face;
    int rc = -1;
    if (FT_Init_FreeType(&lib))
        return -1;
    if (FT_New_Face(lib, found_path, 0, &face) == 0) {
        if (face->family_name) {
            snprintf(family, size, "%s", face->family_name);
            rc = 0;
        }
        FT_Done_Face(face);
    }
    FT_Done_FreeType(lib);
    return rc;
}

/* The file the system (no project directory) gives for family, or "". */
static void system_path(const char *family, int bold, char *out, size_t size, int *is_bold)
{
    pb_ctx *ctx = pb_ctx_new(stderr);
    font *f = font_get(ctx, family, bold, POS);
    snprintf(out, size, "%s", f ? f->path : "");
    *is_bold = f && (f->ft->style_flags & FT_STYLE_FLAG_BOLD);
    pb_ctx_free(ctx);
}

/* A temporary project font directory holding a copy of found_path; 0 on success. */
static int project_dir_make(tmpdir *t)
{
    CHECK(tmpdir_make(t) == 0, "mkdtemp failed");
    const char *copy = tmpdir_copy(t, strrchr(found_path, '/') + 1, found_path);
    CHECK(copy != NULL, "cannot copy %s", found_path);
    return copy ? 0 : -1;
}

/* A plain font found in the project directory: its path, and no CIDs. */
static void check_project_font(const font *f, const char *family, const char *dir)
{
    CHECK(f && starts_with(f->path, dir), "'%s' came from %s, not the project directory %s", family,
          f ? f->path : "(nothing)", dir);
    if (!f)
        return;
    CHECK(f->is_cid == 0 && (!ends_with(f->path, ".ttf") || f->is_cff == 0),
          "%s: is_cff %d, is_cid %d", f->path, f->is_cff, f->is_cid);
    unsigned gid = glyph_of(f, 'A');
    CHECK(gid != 0 && font_cid_for_glyph(f, gid) == gid, "%s: 'A' is gid %u but CID %u", f->path,
          gid, font_cid_for_glyph(f, gid));
}

static void test_project_dir_searched_first(void)
{
    char family[128], sys[512], dir[128];
    int sys_bold;
    tmpdir t;
    if (plain_system_font(family, sizeof family) < 0) {
        SKIP("the project font directory check: no non-CJK font installed");
        return;
    }
    system_path(family, 0, sys, sizeof sys, &sys_bold);
    CHECK(starts_with(sys, "/usr/share/"), "'%s' is not found in the system: '%s'", family, sys);
    if (project_dir_make(&t) == 0) {
        capture c;
        capture_start(&c);
        c.ctx->font_dir = t.path;
        snprintf(dir, sizeof dir, "%s/", t.path);
        check_project_font(font_get(c.ctx, family, 0, POS), family, dir);
        CHECK(c.ctx->errors == 0, "errors: %s", capture_text(&c));
        capture_end(&c);
    }
    tmpdir_remove(&t);
}

/*
 * A project directory holding only the regular face of a family must not
 * shadow the system's bold face: asking for bold must give a bold face.
 */
static void test_project_regular_does_not_shadow_system_bold(void)
{
    char family[128], sys[512];
    int sys_bold;
    tmpdir t;
    if (plain_system_font(family, sizeof family) < 0) {
        SKIP("the bold shadowing check: no non-CJK font installed");
        return;
    }
    system_path(family, 1, sys, sizeof sys, &sys_bold);
    if (!sys_bold) {
        SKIP("the bold shadowing check: no bold '%s' in the system", family);
        return;
    }
    if (project_dir_make(&t) == 0) {
        pb_ctx *ctx = pb_ctx_new(stderr);
        ctx->font_dir = t.path;
        font *f = font_get(ctx, family, 1, POS);
        CHECK(f && (f->ft->style_flags & FT_STYLE_FLAG_BOLD),
              "bold '%s' gave the non-bold face %s (style %s) although the system has %s", family,
              f ? f->path : "(nothing)", f ? f->ft->style_name : "-", sys);
        pb_ctx_free(ctx);
    }
    tmpdir_remove(&t);
}

int main(void)
{
    capture_start(&diag);
    test_serif_regular();
    test_sans_bold_is_another_face();
    test_cache_returns_same_pointer();
    test_missing_family_reported_once();
    test_has_char();
    test_cid_for_glyph();
    test_cid_for_glyph_in_subset();
    test_han_advance();
    test_project_dir_searched_first();
    test_project_regular_does_not_shadow_system_bold();
    CHECK(diag.ctx->errors == 0, "unexpected errors: %s", capture_text(&diag));
    capture_end(&diag);
    return unit_done("test_font");
}
