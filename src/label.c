/* label.c: shaped clusters into glyph runs; short generated lines through the body-text path. */
#include "label.h"

#include <stdlib.h>
#include <string.h>

/* A style colour for the display list. */
static dl_color dl_color_of(style_color c)
{
    return (dl_color){c.r, c.g, c.b, 0};
}

/* Append clusters [from, to) as one glyph run at the composer's positions. */
dl_glyph_run *label_emit(dl_page *pg, const shaped_par *sp, const float *x, int from, int to,
                         float x0, float baseline)
{
    const shape_face *face = &sp->faces[sp->clusters[from].face];
    dl_glyph_run *r = &dl_add_item(pg, DL_GLYPHS)->u.glyphs;
    r->font = face->font;
    r->size = face->size;
    r->color = dl_color_of(face->color);
    int ng = 0, nt = 0;
    for (int k = from; k < to; k++) {
        ng += sp->clusters[k].glyph_count;
        nt += (int)sp->clusters[k].text_len;
    }
    r->glyphs = pb_alloc(sizeof *r->glyphs * (size_t)(ng ? ng : 1));
    r->text = pb_alloc(sizeof *r->text * (size_t)(nt ? nt : 1));
    for (int k = from; k < to; k++) {
        const shape_cluster *c = &sp->clusters[k];
        float pen = x0 + x[k];
        for (int g = 0; g < c->glyph_count; g++) {
            const shape_glyph *sg = &sp->glyphs[c->glyph_start + g];
            r->glyphs[r->n++] = (dl_glyph){sg->gid, pen + sg->dx, baseline - sg->dy,
                                           (uint32_t)r->text_n, g == 0 ? c->text_len : 0};
            pen += sg->advance;
        }
        memcpy(r->text + r->text_n, sp->text + c->text_start, sizeof *r->text * c->text_len);
        r->text_n += (int)c->text_len;
    }
    return r;
}

/* Append an added line-end hyphen in the face of cluster k. */
void label_hyphen(dl_page *pg, const shaped_par *sp, int k, float x, float baseline)
{
    const shape_face *face = &sp->faces[sp->clusters[k].face];
    hb_codepoint_t gid;
    if (!hb_font_get_nominal_glyph(face->font->hb, '-', &gid))
        return;
    dl_glyph_run *r = &dl_add_item(pg, DL_GLYPHS)->u.glyphs;
    r->font = face->font;
    r->size = face->size;
    r->color = dl_color_of(face->color);
    r->added = 1;
    r->glyphs = pb_alloc(sizeof *r->glyphs);
    r->text = pb_alloc(sizeof *r->text);
    r->text[r->text_n++] = '-';
    r->glyphs[r->n++] = (dl_glyph){gid, x, baseline, 0, 1};
}

/* Set a short line at its natural width through font fallback and shaping. */
int label_add(pb_ctx *ctx, dl_page *pg, const style *s, const char *utf8, float x, float baseline,
              dl_color color)
{
    st_span span = {(char *)utf8, s, {0}};
    st_block b = {.kind = ST_TEXT, .role = "label", .style = s, .nspans = 1, .spans = &span};
    shaped_par *sp = shape_block(ctx, &b);
    if (!sp)
        return -1;
    float *at = pb_alloc(sizeof *at * (size_t)(sp->nclusters + 1));
    for (int k = 1; k <= sp->nclusters; k++)
        at[k] = at[k - 1] + sp->clusters[k - 1].width;
    for (int k = 0; k < sp->nclusters;) {
        int j = k + 1;
        while (j < sp->nclusters && sp->clusters[j].face == sp->clusters[k].face)
            j++;
        label_emit(pg, sp, at, k, j, x, baseline)->color = color;
        k = j;
    }
    free(at);
    shaped_par_free(sp);
    return 0;
}
