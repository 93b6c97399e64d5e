/*
 * test_shape.c: shape_block on hand-built text blocks.
 *
 * Needs the Noto Serif CJK SC and Noto Sans CJK SC fonts (Debian package
 * fonts-noto-cjk).  U+9FEB is in Noto Sans CJK SC but not in Noto Serif
 * CJK SC (fonts-noto-cjk 20220127), which makes it a fallback witness;
 * U+E000 (private use) is in neither.
 */
#include "helpers.h"
#include "shape.h"
#include "unit.h"

#include <math.h>
#include <string.h>

#define SERIF "Noto Serif CJK SC"
#define SANS "Noto Sans CJK SC"

/* Shape one span of text in family at size; diagnostics go to c. */
static shaped_par *shape_text(capture *c, const char *family, float size, const char *text)
{
    tblock t;
    tblock_init(&t, family, size);
    tblock_add(&t, text, NULL);
    return shape_block(c->ctx, &t.b);
}

/* Clusters are in order, contiguous, and cover text and glyphs exactly once. */
static void check_coverage(const shaped_par *p, int want_text_n)
{
    CHECK(p->text_n == want_text_n, "text_n %d, expected %d code points", p->text_n, want_text_n);
    uint32_t next_text = 0;
    int next_glyph = 0;
    for (int i = 0; i < p->nclusters; i++) {
        const shape_cluster *c = &p->clusters[i];
        CHECK(c->text_start == next_text && c->text_len > 0, "cluster %d text [%u+%u), expected start %u",
              i, c->text_start, c->text_len, next_text);
        CHECK(c->glyph_start == next_glyph, "cluster %d glyphs start %d, expected %d", i,
              c->glyph_start, next_glyph);
        next_text = c->text_start + c->text_len;
        next_glyph = c->glyph_start + c->glyph_count;
    }
    CHECK(next_text == (uint32_t)p->text_n, "clusters cover %u of %d code points", next_text, p->text_n);
    CHECK(next_glyph == p->nglyphs, "clusters cover %d of %d glyphs", next_glyph, p->nglyphs);
}

static void test_clusters_cover_text(void)
{
    capture c;
    capture_start(&c);
    /* 18 code points: Han, punctuation, Latin, spaces */
    shaped_par *p = shape_text(&c, SERIF, 10, "文字，Hello world！（甲）");
    CHECK(p != NULL, "shaping failed: %s", capture_text(&c));
    if (p) {
        check_coverage(p, 18);
        CHECK(p->text[0] == 0x6587 && p->text[17] == 0xFF09, "text decoded wrongly");
    }
    shaped_par_free(p);
    capture_end(&c);
}

static void test_han_width_is_one_em(void)
{
    capture c;
    capture_start(&c);
    shaped_par *p = shape_text(&c, SERIF, 10, "中文排版测试");
    CHECK(p && p->nclusters == 6, "expected 6 clusters, got %d", p ? p->nclusters : -1);
    for (int i = 0; p && i < p->nclusters; i++) {
        CHECK(fabsf(p->clusters[i].width - 10) < 0.001f, "cluster %d is %g pt wide at 10pt", i,
              p->clusters[i].width);
        CHECK(p->clusters[i].glyph_count == 1 && p->glyphs[p->clusters[i].glyph_start].gid != 0,
              "cluster %d has no real glyph", i);
    }
    CHECK(p && p->nfaces == 1 && fabsf(p->faces[0].size - 10) < 1e-6f, "faces wrong");
    shaped_par_free(p);
    capture_end(&c);
}

/* A second span in a different size gets its own face and scaled widths. */
static void test_span_size_and_index(void)
{
    capture c;
    capture_start(&c);
    tblock t;
    tblock_init(&t, SERIF, 10);
    style big = t.st;
    big.font_size = 20;
    tblock_add(&t, "文文", NULL);
    tblock_add(&t, "字", &big);
    shaped_par *p = shape_block(c.ctx, &t.b);
    CHECK(p && p->nclusters == 3, "expected 3 clusters");
    if (p && p->nclusters == 3) {
        const shape_cluster *k = &p->clusters[2];
        CHECK(k->span == 1 && p->clusters[1].span == 0, "span indices %d %d", p->clusters[1].span, k->span);
        CHECK(fabsf(k->width - 20) < 0.001f, "20pt Han is %g wide", k->width);
        CHECK(k->face != p->clusters[0].face && fabsf(p->faces[k->face].size - 20) < 1e-6f,
              "the 20pt span shares the 10pt face");
    }
    shaped_par_free(p);
    capture_end(&c);
}

static void test_classes(void)
{
    capture c;
    capture_start(&c);
    tblock t;
    tblock_init(&t, SERIF, 10);
    tblock_add(&t, "文，A 1", NULL);
    tblock_add(&t, "\n", NULL);
    tblock_add(&t, "。", NULL);
    shaped_par *p = shape_block(c.ctx, &t.b);
    static const shape_class want[] = {SC_HAN, SC_PUNCT, SC_LATIN, SC_SPACE, SC_LATIN,
                                       SC_NEWLINE, SC_PUNCT};
    enum { NWANT = sizeof want / sizeof want[0] };
    CHECK(p && p->nclusters == NWANT, "expected %d clusters, got %d", NWANT, p ? p->nclusters : -1);
    for (int i = 0; p && i < p->nclusters && i < NWANT; i++)
        CHECK(p->clusters[i].cls == want[i], "cluster %d (U+%04X) class %d, expected %d", i,
              (unsigned)p->text[p->clusters[i].text_start], p->clusters[i].cls, want[i]);
    if (p && p->nclusters == NWANT)
        CHECK(p->clusters[5].glyph_count == 0 && p->clusters[5].width == 0,
              "the newline cluster has glyphs or width");
    shaped_par_free(p);
    capture_end(&c);
}

static void test_classify(void)
{
    static const struct { uint32_t cp; shape_class cls; } cases[] = {
        {0x6587, SC_HAN}, {0x3042, SC_HAN}, {0x20024, SC_HAN}, {'a', SC_LATIN}, {'7', SC_LATIN},
        {0xE9, SC_LATIN}, {' ', SC_SPACE}, {0x3000, SC_OTHER} /* full-width, not glue */, {'\n', SC_NEWLINE},
        {0x3002, SC_PUNCT}, {0xFF0C, SC_PUNCT}, {0x201C, SC_PUNCT}, {0x2014, SC_PUNCT},
        {0x2026, SC_PUNCT}, {0x300A, SC_PUNCT}, {'+', SC_OTHER},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        CHECK(shape_classify(cases[i].cp) == cases[i].cls, "U+%04X: class %d, expected %d",
              (unsigned)cases[i].cp, shape_classify(cases[i].cp), cases[i].cls);
}

/* The family of the face of cluster i. */
static const char *cluster_family(const shaped_par *p, int i)
{
    return p->faces[p->clusters[i].face].font->family;
}

static void test_fallback_picks_second_font(void)
{
    capture c;
    capture_start(&c);
    shaped_par *p = shape_text(&c, SERIF ", " SANS, 10, "文\xE9\xBF\xAB字"); /* 文 U+9FEB 字 */
    CHECK(p && p->nclusters == 3, "expected 3 clusters: %s", capture_text(&c));
    if (p && p->nclusters == 3) {
        CHECK(strcmp(cluster_family(p, 0), SERIF) == 0, "文 set in %s", cluster_family(p, 0));
        CHECK(strcmp(cluster_family(p, 1), SANS) == 0, "U+9FEB set in %s", cluster_family(p, 1));
        CHECK(strcmp(cluster_family(p, 2), SERIF) == 0, "字 set in %s", cluster_family(p, 2));
        CHECK(p->glyphs[p->clusters[1].glyph_start].gid != 0, "U+9FEB got .notdef");
    }
    CHECK(c.ctx->warnings == 0 && c.ctx->errors == 0, "diagnostics: %s", capture_text(&c));
    shaped_par_free(p);
    capture_end(&c);
}

static void test_missing_glyph_warns(void)
{
    capture c;
    capture_start(&c);
    shaped_par *p = shape_text(&c, SERIF, 10, "文\xEE\x80\x80"); /* 文 U+E000 */
    const char *diag = capture_text(&c);
    CHECK(p != NULL, "a missing glyph must not stop shaping");
    CHECK(c.ctx->warnings == 1 && c.ctx->errors == 0, "%d warnings, %d errors", c.ctx->warnings,
          c.ctx->errors);
    CHECK(strstr(diag, "U+E000") && strstr(diag, "warning:"), "warning lacks U+E000: %s", diag);
    shaped_par_free(p);
    capture_end(&c);
}

static void test_missing_family_fails(void)
{
    capture c;
    capture_start(&c);
    shaped_par *p = shape_text(&c, "No Such Family Paiban", 10, "文字");
    CHECK(p == NULL, "shaping with a missing family succeeded");
    CHECK(c.ctx->errors > 0 && strstr(capture_text(&c), "No Such Family Paiban"),
          "no error naming the family: %s", capture_text(&c));
    shaped_par_free(p);
    /* one missing family in a chain is still an error */
    int before = c.ctx->errors;
    p = shape_text(&c, SERIF ", Another Missing Paiban", 10, "文字");
    CHECK(p == NULL && c.ctx->errors > before, "a chain with a missing family succeeded");
    shaped_par_free(p);
    /* a family already reported fails again, but is not reported twice */
    before = c.ctx->errors;
    p = shape_text(&c, "No Such Family Paiban", 10, "字");
    CHECK(p == NULL && c.ctx->errors == before, "missing family: %d new errors", c.ctx->errors - before);
    shaped_par_free(p);
    capture_end(&c);
}

int main(void)
{
    test_clusters_cover_text();
    test_han_width_is_one_em();
    test_span_size_and_index();
    test_classes();
    test_classify();
    test_fallback_picks_second_font();
    test_missing_glyph_warns();
    test_missing_family_fails();
    return unit_done("test_shape");
}
