/* shape.c: font selection, itemisation and HarfBuzz shaping of text blocks. */
#include "shape.h"
#include "text.h"

#include <stdlib.h>
#include <string.h>

enum { MAX_CHAIN = 8 };

/* Decode UTF-8 onto p->text, noting each code point's span. */
static void append_utf32(shaped_par *p, int *cap, const char *s, int **span_of, int span)
{
    for (const unsigned char *u = (const unsigned char *)s; *u;) {
        uint32_t cp = text_utf8_next(&u, NULL);
        int old = *cap;
        pb_grow(&p->text, cap, p->text_n + 1, sizeof *p->text);
        if (*cap != old)
            *span_of = pb_realloc(*span_of, sizeof **span_of * (size_t)*cap);
        (*span_of)[p->text_n] = span;
        p->text[p->text_n++] = cp;
    }
}

/* The class of code point cp. */
shape_class shape_classify(uint32_t cp)
{
    if (cp == '\n')
        return SC_NEWLINE;
    if (cp == ' ' || cp == '\t' || cp == 0xA0)
        return SC_SPACE;
    if (cp == 0x3000)
        return SC_OTHER; /* the ideographic space is a full-width character, not glue */
    if (text_is_cjk_punct(cp))
        return SC_PUNCT;
    if (text_is_cjk(cp))
        return SC_HAN;
    if ((cp >= '0' && cp <= '9') || (cp >= 'A' && cp <= 'Z') || (cp >= 'a' && cp <= 'z') ||
        (cp >= 0xC0 && cp <= 0x24F) || (cp >= 0x370 && cp <= 0x52F))
        return SC_LATIN;
    return SC_OTHER;
}

/* The punctuation kind of code point cp. */
shape_punct shape_punct_kind(uint32_t cp)
{
    static const struct { int (*is)(uint32_t); shape_punct kind; } kinds[] = {
        {text_is_open_bracket, SP_OPEN}, {text_is_close_bracket, SP_CLOSE},
        {text_is_pause, SP_PAUSE}, {text_is_stop, SP_STOP},
        {text_is_middle_dot, SP_MIDDLE}, {text_is_dash, SP_DASH}};
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++)
        if (kinds[k].is(cp))
            return kinds[k].kind;
    return SP_NONE;
}

/*
 * Give each punctuation cluster its half-width geometry from the font's
 * 'halt' feature, so the composer can compress it exactly as the type
 * designer intended.  Marks the font cannot compress keep their width.
 */
static void set_half_widths(shaped_par *p)
{
    for (int i = 0; i < p->nclusters; i++) {
        shape_cluster *c = &p->clusters[i];
        c->punct = shape_punct_kind(p->text[c->text_start]);
        c->half_width = c->width;
        if (c->punct == SP_NONE || c->punct == SP_DASH || c->glyph_count != 1 || c->text_len != 1)
            continue;
        const shape_face *f = &p->faces[c->face];
        font_halt h = font_half_width(f->font, p->text[c->text_start]);
        float scale = f->size / (float)f->font->upem;
        if (h.advance > 0 && h.advance * scale < c->width - 0.01f) {
            c->half_width = h.advance * scale;
            c->half_dx = h.dx * scale;
        }
    }
}

/* Resolve a span's comma-separated family list into fonts; -1 when one is missing. */
static int font_chain(pb_ctx *ctx, const st_span *sp, font **chain, int *n)
{
    char *families = pb_strdup(sp->style->font_family ? sp->style->font_family : "");
    int bad = 0;
    *n = 0;
    for (char *save = NULL, *tok = strtok_r(families, ",", &save); tok && *n < MAX_CHAIN;
         tok = strtok_r(NULL, ",", &save)) {
        while (*tok == ' ')
            tok++;
        size_t len = strlen(tok);
        while (len && tok[len - 1] == ' ')
            tok[--len] = '\0';
        if (!len)
            continue;
        font *f = font_get(ctx, tok, sp->style->bold, sp->pos);
        if (f)
            chain[(*n)++] = f;
        else
            bad = 1;
    }
    free(families);
    if (*n == 0 && !bad)
        pb_error(ctx, sp->pos, "no font family is set for this text");
    return bad || *n == 0 ? -1 : 0;
}

/* The face index for (font, size, colour), adding it when new. */
static int face_index(shaped_par *p, font *f, float size, style_color color)
{
    for (int i = 0; i < p->nfaces; i++) {
        shape_face *fc = &p->faces[i];
        if (fc->font == f && fc->size == size && !memcmp(&fc->color, &color, sizeof color))
            return i;
    }
    pb_grow(&p->faces, &p->faces_cap, p->nfaces + 1, sizeof *p->faces);
    p->faces[p->nfaces] = (shape_face){f, size, color};
    return p->nfaces++;
}

/* Choose a font for text[i]: the first in chain that has it. */
static font *pick_font(pb_ctx *ctx, font **chain, int n, uint32_t cp, const st_span *sp)
{
    if (shape_classify(cp) == SC_SPACE || shape_classify(cp) == SC_NEWLINE ||
        text_is_default_ignorable(cp))
        return chain[0];
    for (int k = 0; k < n; k++)
        if (font_has_char(chain[k], cp))
            return chain[k];
    /* the style sheet decides whether an empty box in print is acceptable */
    (sp->style->missing_glyph_error ? pb_error : pb_warning)(
        ctx, sp->pos, "no font in the chain '%s' has U+%04X; it would print as an empty box "
        "(add a font that has it to font-family)", sp->style->font_family, (unsigned)cp);
    return chain[0];
}

/* Append one cluster to p. */
static shape_cluster *add_cluster(shaped_par *p, int *cap)
{
    pb_grow(&p->clusters, cap, p->nclusters + 1, sizeof *p->clusters);
    return &p->clusters[p->nclusters++];
}

/* Shape text[start, end) in font f and append its glyphs and clusters. */
static void shape_run(shaped_par *p, int *gcap, int *ccap, hb_buffer_t *buf,
                      font *f, int face, int span, int start, int end)
{
    hb_buffer_clear_contents(buf);
    hb_buffer_add_utf32(buf, p->text, p->text_n, (unsigned)start, end - start);
    hb_buffer_guess_segment_properties(buf);
    hb_buffer_set_direction(buf, HB_DIRECTION_LTR);
    hb_buffer_set_language(buf, hb_language_from_string("zh-Hans", -1));
    hb_shape(f->hb, buf, NULL, 0);
    unsigned n;
    hb_glyph_info_t *info = hb_buffer_get_glyph_infos(buf, &n);
    hb_glyph_position_t *pos = hb_buffer_get_glyph_positions(buf, &n);
    float scale = p->faces[face].size / (float)f->upem;
    for (unsigned i = 0; i < n; i++) {
        if (i == 0 || info[i].cluster != info[i - 1].cluster) {
            shape_cluster *c = add_cluster(p, ccap);
            c->text_start = info[i].cluster;
            c->glyph_start = p->nglyphs;
            c->face = face;
            c->span = span;
            c->cls = shape_classify(p->text[info[i].cluster]);
        }
        pb_grow(&p->glyphs, gcap, p->nglyphs + 1, sizeof *p->glyphs);
        p->glyphs[p->nglyphs++] = (shape_glyph){info[i].codepoint, pos[i].x_advance * scale,
                                                pos[i].x_offset * scale, pos[i].y_offset * scale};
        shape_cluster *c = &p->clusters[p->nclusters - 1];
        c->glyph_count++;
        c->width += pos[i].x_advance * scale;
    }
}

/* Set every cluster's text length from where the next one starts. */
static void close_clusters(shaped_par *p)
{
    for (int i = 0; i < p->nclusters; i++) {
        uint32_t next = i + 1 < p->nclusters ? p->clusters[i + 1].text_start : (uint32_t)p->text_n;
        p->clusters[i].text_len = next - p->clusters[i].text_start;
    }
}

/* Itemise by (span, font) and shape every run. */
static int shape_runs(pb_ctx *ctx, shaped_par *p, const st_block *b, const int *span_of)
{
    font *chains[MAX_CHAIN];
    int nchain = 0, cur_span = -1, gcap = 0, ccap = 0, bad = 0;
    font **picked = pb_alloc(sizeof *picked * (size_t)(p->text_n + 1));
    int errors_before = ctx->errors;
    for (int i = 0; i < p->text_n; i++) {
        if (span_of[i] != cur_span) {
            cur_span = span_of[i];
            bad |= font_chain(ctx, &b->spans[cur_span], chains, &nchain) < 0;
        }
        /* zero-width joiners, variation selectors and the like need no glyph:
         * they stay in the run of what they follow, for HarfBuzz to use or hide */
        if (nchain && i > 0 && span_of[i - 1] == cur_span && text_is_default_ignorable(p->text[i]))
            picked[i] = picked[i - 1];
        else
            picked[i] = nchain ? pick_font(ctx, chains, nchain, p->text[i], &b->spans[cur_span]) : NULL;
    }
    bad |= ctx->errors > errors_before; /* missing-glyph="error" */
    hb_buffer_t *buf = hb_buffer_create();
    for (int i = 0; !bad && i < p->text_n;) {
        int j = i + 1;
        const style *st = b->spans[span_of[i]].style;
        int face = face_index(p, picked[i], st->font_size, st->color);
        if (p->text[i] == '\n') {
            shape_cluster *c = add_cluster(p, &ccap);
            *c = (shape_cluster){.text_start = (uint32_t)i, .glyph_start = p->nglyphs,
                                 .face = face, .span = span_of[i], .cls = SC_NEWLINE};
        } else {
            while (j < p->text_n && span_of[j] == span_of[i] && picked[j] == picked[i] && p->text[j] != '\n')
                j++;
            shape_run(p, &gcap, &ccap, buf, picked[i], face, span_of[i], i, j);
        }
        i = j;
    }
    hb_buffer_destroy(buf);
    free(picked);
    close_clusters(p);
    return bad ? -1 : 0;
}

/* Shape the text of block b; NULL when a font family cannot be found. */
shaped_par *shape_block(pb_ctx *ctx, const st_block *b)
{
    shaped_par *p = pb_alloc(sizeof *p);
    int cap = 0;
    int *span_of = NULL;
    for (int i = 0; i < b->nspans; i++)
        append_utf32(p, &cap, b->spans[i].text, &span_of, i);
    int rc = shape_runs(ctx, p, b, span_of);
    free(span_of);
    if (rc == 0)
        set_half_widths(p);
    if (rc < 0) {
        shaped_par_free(p);
        return NULL;
    }
    return p;
}

/* Free a shaped paragraph. */
void shaped_par_free(shaped_par *p)
{
    if (!p)
        return;
    free(p->text);
    free(p->glyphs);
    free(p->clusters);
    free(p->faces);
    free(p);
}
