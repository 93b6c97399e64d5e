/* fingerprint.c: the hash of everything an output is made from. */
/* dl_iterate_phdr, to read the program's build ID */
#define _GNU_SOURCE
#include "fingerprint.h"
#include "font.h"
#include "pdfmeta.h"

#include <elf.h>
#include <link.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

/*
 * Feed a file's name and size, and note its modification time in *newest
 * when it is later.  Not its device, inode or time: the fingerprint is
 * recorded in the output, whose bytes must be the same on every machine;
 * output_write compares the times instead (fingerprint.h).
 */
static void add_file(pb_hash *h, const char *path, struct timespec *newest)
{
    struct stat st;
    long long size = -1;
    if (path && stat(path, &st) == 0) {
        size = (long long)st.st_size;
        if (st.st_mtim.tv_sec > newest->tv_sec ||
            (st.st_mtim.tv_sec == newest->tv_sec && st.st_mtim.tv_nsec > newest->tv_nsec))
            *newest = st.st_mtim;
    }
    pb_hash_add_str(h, path);
    pb_hash_add(h, &size, sizeof size);
}

/* Feed a glyph run: its font (file and face), size, colour, glyphs and text. */
static void add_glyphs(pb_hash *h, const dl_glyph_run *r, struct timespec *newest)
{
    add_file(h, r->font->path, newest);
    pb_hash_add(h, &r->font->index, sizeof r->font->index);
    pb_hash_add(h, &r->size, sizeof r->size);
    pb_hash_add(h, &r->color, sizeof r->color);
    pb_hash_add(h, &r->added, sizeof r->added);
    pb_hash_add(h, &r->n, sizeof r->n);
    pb_hash_add(h, r->glyphs, sizeof *r->glyphs * (size_t)r->n);
    pb_hash_add(h, &r->text_n, sizeof r->text_n);
    pb_hash_add(h, r->text, sizeof *r->text * (size_t)r->text_n);
}

/* Feed one item of a page. */
static void add_item(pb_hash *h, const dl_item *it, struct timespec *newest)
{
    pb_hash_add(h, &it->kind, sizeof it->kind);
    pb_hash_add(h, &it->tag, sizeof it->tag);
    switch (it->kind) {
    case DL_GLYPHS: add_glyphs(h, &it->u.glyphs, newest); break;
    case DL_BOX: pb_hash_add(h, &it->u.box, sizeof it->u.box); break;
    case DL_RULE: pb_hash_add(h, &it->u.rule, sizeof it->u.rule); break;
    case DL_LINK: pb_hash_add(h, &it->u.link, sizeof it->u.link); break;
    case DL_IMAGE:
        add_file(h, it->u.image.path, newest);
        pb_hash_add(h, &it->u.image.x, sizeof(float) * 4);
        break;
    }
}

/* Feed the document: pages, outline, structure and metadata. */
static void add_document(pb_hash *h, const dl_document *doc, struct timespec *newest)
{
    for (int p = 0; p < doc->npages; p++) {
        const dl_page *pg = &doc->pages[p];
        float size[3] = {pg->width, pg->height, pg->bleed};
        pb_hash_add(h, size, sizeof size);
        pb_hash_add(h, &pg->n, sizeof pg->n);
        for (int i = 0; i < pg->n; i++)
            add_item(h, &pg->items[i], newest);
    }
    for (int i = 0; i < doc->noutline; i++) {
        const dl_outline *o = &doc->outline[i];
        pb_hash_add_str(h, o->title);
        int where[2] = {o->level, o->page};
        pb_hash_add(h, where, sizeof where);
        pb_hash_add(h, &o->y, sizeof o->y);
    }
    for (int i = 0; i < doc->nstructs; i++) { /* an alt text edited changes the output */
        pb_hash_add_str(h, doc->structs[i].type);
        pb_hash_add(h, &doc->structs[i].parent, sizeof doc->structs[i].parent);
        pb_hash_add_str(h, doc->structs[i].alt);
    }
    const char *meta[] = {doc->title, doc->author, doc->subject, doc->keywords, doc->lang};
    for (size_t i = 0; i < sizeof meta / sizeof meta[0]; i++)
        pb_hash_add_str(h, meta[i]);
}

/* Feed the options: imposition (with the name its slug line prints), dates, profiles. */
static void add_options(pb_hash *h, const output_options *opts, const char *name,
                        struct timespec *newest)
{
    impose_options io = {0};
    if (opts && opts->impose)
        io = *opts->impose;
    float sizes[3] = {io.sheet_width, io.sheet_height, io.creep};
    int modes[4] = {(int)io.mode, io.marks, io.nup, opts && opts->untagged};
    pb_hash_add(h, modes, sizeof modes);
    pb_hash_add(h, sizes, sizeof sizes);
    if (io.marks) { /* the slug line prints the output's name: elsewhere it shows nowhere */
        const char *slash = name ? strrchr(name, '/') : NULL;
        pb_hash_add_str(h, io.slug_name ? io.slug_name : slash ? slash + 1 : name);
    }
    long long epoch[2] = {opts ? opts->have_epoch : 0, opts && opts->have_epoch ? opts->epoch : 0};
    pb_hash_add(h, epoch, sizeof epoch);
    add_file(h, opts && opts->output_intent ? opts->output_intent : PDFMETA_DEFAULT_CMYK, newest);
    add_file(h, PDFMETA_SRGB, newest);
}

/* What find_build_id finds: the main program's NT_GNU_BUILD_ID, if it has one. */
typedef struct build_id {
    const unsigned char *bytes;
    size_t len;
} build_id;

/* dl_iterate_phdr's callback: look through the first object's (the program's) notes. */
static int find_build_id(struct dl_phdr_info *info, size_t size, void *data)
{
    (void)size;
    build_id *id = data;
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        const unsigned char *p = (const unsigned char *)(info->dlpi_addr + ph->p_vaddr);
        for (size_t at = 0; ph->p_type == PT_NOTE && at + sizeof(ElfW(Nhdr)) <= ph->p_memsz;) {
            const ElfW(Nhdr) *n = (const ElfW(Nhdr) *)(p + at);
            size_t name = (n->n_namesz + 3) & ~(size_t)3, desc = (n->n_descsz + 3) & ~(size_t)3;
            const unsigned char *d = p + at + sizeof *n + name;
            if (n->n_type == NT_GNU_BUILD_ID && n->n_namesz == 4 &&
                memcmp(p + at + sizeof *n, "GNU", 4) == 0)
                *id = (build_id){d, n->n_descsz};
            at += sizeof *n + name + desc;
        }
    }
    return 1; /* the program comes first; the libraries are not ours */
}

/*
 * Feed the program: its build ID (the hash of its bytes the linker writes
 * into it), or, when built without one, the hash of the binary's bytes,
 * made once a run.  Its bytes, not its file's identity, so that the same
 * paiban installed anywhere writes the same /ID, and a new build of it
 * (which may write other bytes) makes every output again.
 */
static void add_program(pb_ctx *ctx, pb_hash *h)
{
    build_id id = {NULL, 0};
    dl_iterate_phdr(find_build_id, &id);
    if (id.len) {
        pb_hash_add(h, id.bytes, id.len);
        return;
    }
    const pb_memo *m = pb_memo_find(ctx, "program");
    if (!m) {
        pb_hash p = pb_hash_start();
        FILE *f = fopen("/proc/self/exe", "rb");
        unsigned char buf[1 << 16];
        size_t n;
        while (f && (n = fread(buf, 1, sizeof buf, f)) > 0)
            pb_hash_add(&p, buf, n);
        if (f)
            fclose(f);
        unsigned char *d = pb_alloc(PB_HASH_BYTES);
        pb_hash_end(&p, d);
        m = pb_memo_keep(ctx, "program", d, PB_HASH_BYTES, NULL);
    }
    pb_hash_add(h, m->data, m->len);
}

/* The fingerprint of doc written to name with opts; the newest time of its files. */
struct timespec fingerprint_output(pb_ctx *ctx, const dl_document *doc, const output_options *opts,
                                   const char *name, unsigned char out[PB_HASH_BYTES])
{
    struct timespec newest = {0, 0};
    pb_hash h = pb_hash_start();
    add_program(ctx, &h);
    add_document(&h, doc, &newest);
    add_options(&h, opts, name, &newest);
    pb_hash_end(&h, out);
    return newest;
}
