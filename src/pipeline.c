/* pipeline.c: the stages in order, for main.c, the fuzz harness and the benchmark. */
#include "pipeline.h"
#include "layout.h"

/* Read the document and, when it is good, the style sheet. */
int pipeline_load(pb_ctx *ctx, const char *input, const char *schema, const char *style,
                  pipeline_sources *out)
{
    out->doc = doc_load(ctx, input, schema);
    out->sheet = out->doc ? style_sheet_load(ctx, style) : NULL;
    return out->sheet ? 0 : -1;
}

/* The same from memory. */
int pipeline_load_buffers(pb_ctx *ctx, const char *name, const char *xml, size_t xml_len,
                          const char *sheet_name, const char *sheet, size_t sheet_len,
                          const char *schema, pipeline_sources *out)
{
    out->doc = doc_load_buffer(ctx, name, xml, xml_len, schema);
    out->sheet = out->doc ? style_sheet_load_buffer(ctx, sheet_name, sheet, sheet_len) : NULL;
    return out->sheet ? 0 : -1;
}

/* Free what pipeline_load made. */
void pipeline_sources_free(pipeline_sources *s)
{
    style_sheet_free(s->sheet);
    doc_free(s->doc);
    *s = (pipeline_sources){0};
}

/* Style and lay out. */
dl_document *pipeline_typeset(pb_ctx *ctx, composer *comp, const pipeline_sources *src,
                              const doc_node *only)
{
    st_tree *tree = style_apply_part(ctx, src->sheet, src->doc, only);
    dl_document *pages = tree ? layout_document(ctx, comp, tree) : NULL;
    st_tree_free(tree);
    return pages;
}
