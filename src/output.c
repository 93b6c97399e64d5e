/* output.c: impose, drive a writer over the sheets, write the bytes. */
#include "output.h"
#include "files.h"
#include "fingerprint.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Draw every sheet of the imposition with the writer w. */
static int draw_sheets(const writer_ops *ops, void *w, const dl_document *doc,
                       const impose_result *imp)
{
    for (int i = 0; i < imp->nsheets; i++) {
        const dl_sheet *s = &imp->sheets[i];
        int rc = ops->begin_sheet(w, i);
        for (int k = 0; rc == 0 && k < s->nplace; k++)
            if (s->place[k].page >= 0)
                rc = ops->draw_page(w, &doc->pages[s->place[k].page], &s->place[k]);
        if (rc == 0 && s->marks)
            rc = ops->draw_marks(w, s->marks);
        if (rc != 0)
            return rc;
    }
    return 0;
}

/* Impose doc and write it with ops into memory, recording fingerprint fp. */
static int render(pb_ctx *ctx, const writer_ops *ops, const dl_document *doc,
                  const output_options *opts, const char *name, const unsigned char *fp,
                  unsigned char **out, size_t *len)
{
    *out = NULL;
    *len = 0;
    if (doc->npages <= 0) {
        pb_error(ctx, (pb_pos){name, 0, 0}, "cannot write: the document has no pages");
        return WRITER_FAILED;
    }
    impose_options io = {.mode = IMPOSE_NONE};
    if (opts && opts->impose)
        io = *opts->impose;
    io.output = name;
    impose_result *imp = impose_pages(ctx, doc, &io);
    if (!imp)
        return WRITER_FAILED;
    writer_options wo = {.have_epoch = opts && opts->have_epoch, .epoch = opts ? opts->epoch : 0,
                         .output_intent = opts ? opts->output_intent : NULL,
                         .links = io.mode == IMPOSE_NONE, .name = name, .have_fingerprint = 1,
                         /* imposed sheets show pages out of reading order, for the press */
                         .tags = io.mode == IMPOSE_NONE && !(opts && opts->untagged)};
    memcpy(wo.fingerprint, fp, sizeof wo.fingerprint);
    void *w = ops->begin(ctx, doc, imp->sheets, imp->nsheets, &wo);
    int rc = w ? draw_sheets(ops, w, doc, imp) : WRITER_FAILED;
    if (rc == 0)
        rc = ops->finish(w, out, len);
    if (w)
        ops->free(w);
    impose_free(imp);
    return rc;
}

/* Impose doc and write it with ops into memory. */
int output_render(pb_ctx *ctx, const writer_ops *ops, const dl_document *doc,
                  const output_options *opts, const char *name, unsigned char **out, size_t *len)
{
    unsigned char fp[PB_HASH_BYTES];
    fingerprint_output(ctx, doc, opts, name, fp);
    return render(ctx, ops, doc, opts, name, fp, out, len);
}

/* 1 when the output at path records fingerprint fp and is not older than newest. */
static int made_from(const writer_ops *ops, const char *path, const unsigned char *fp,
                     struct timespec newest)
{
    unsigned char old[PB_HASH_BYTES];
    struct stat st;
    if (!ops->recorded || stat(path, &st) != 0 || ops->recorded(path, old) != 0 ||
        memcmp(old, fp, sizeof old) != 0)
        return 0;
    return st.st_mtim.tv_sec > newest.tv_sec ||
           (st.st_mtim.tv_sec == newest.tv_sec && st.st_mtim.tv_nsec >= newest.tv_nsec);
}

/* Impose doc, write it with ops and put the bytes at path. */
int output_write(pb_ctx *ctx, const writer_ops *ops, const dl_document *doc, const char *path,
                 const output_options *opts)
{
    unsigned char fp[PB_HASH_BYTES];
    struct timespec newest = fingerprint_output(ctx, doc, opts, path, fp);
    /* made from the same as the file there: neither subset nor written */
    if (opts && opts->keep_same && made_from(ops, path, fp, newest))
        return 1;
    unsigned char *buf;
    size_t len;
    int rc = render(ctx, ops, doc, opts, path, fp, &buf, &len);
    if (rc == 0)
        rc = files_write(ctx, path, buf, len, opts && opts->keep_same);
    free(buf);
    return rc;
}
