/* pdf.c: the display list as PDF: libharu for structure and graphics, pdffont for text. */
#include "pdf.h"
#include "pdffont.h"

#include <errno.h>
#include <fcntl.h>
#include <hpdf.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* libharu's limits on page size, in points. */
#define PDF_MIN_PAGE 3.0
#define PDF_MAX_PAGE 14400.0
/* Bezier handle length for a quarter circle: 4/3 (sqrt 2 - 1). */
#define PDF_KAPPA 0.5522847498
/* TJ adjustments below this (1/1000 em) are not written: 0.005 pt at 100 pt. */
#define PDF_MIN_ADJUST 0.05

/* Everything one pdf_write() call works with. */
typedef struct pdf_writer {
    pb_ctx *ctx;
    const dl_document *doc;
    pb_pos pos;                 /* the output file, for diagnostics */
    HPDF_Doc pdf;
    pdffont_set *fonts;
    HPDF_Page *pages;           /* one per display-list page */
    HPDF_STATUS err, detail;    /* first error libharu reported */
} pdf_writer;

/* The glyph-positioning state of one TJ sequence. */
typedef struct pdf_pen {
    HPDF_Stream s;
    double size;                /* font size in points */
    double x;                   /* where the font's own advances put the pen */
    int in_array;               /* inside [ ... ] TJ */
    int in_hex;                 /* inside a <...> glyph string */
} pdf_pen;

/* A box outline in PDF coordinates: corners TL, TR, BR, BL and their radii. */
typedef struct pdf_box_path {
    double cx[4], cy[4], r[4];
    unsigned open;              /* bit e set: edge e (0 top .. 3 left) is open */
} pdf_box_path;

/* Unit direction of edge e, walking clockwise from the top edge. */
static const int pdf_dir_x[4] = {1, 0, -1, 0};
static const int pdf_dir_y[4] = {0, -1, 0, 1};

/* Keep libharu's first error; libharu errors are sticky, later ones follow from it. */
static void pdf_on_error(HPDF_STATUS error_no, HPDF_STATUS detail_no, void *user_data)
{
    pdf_writer *w = user_data;
    if (!w->err) {
        w->err = error_no;
        w->detail = detail_no;
    }
}

/* Report a pending libharu error; 0 when there is none. */
static int pdf_check(pdf_writer *w)
{
    HPDF_STATUS e = w->err ? w->err : HPDF_GetError(w->pdf);
    HPDF_STATUS d = w->err ? w->detail : HPDF_GetErrorDetail(w->pdf);
    if (e == HPDF_OK)
        return 0;
    pb_error(w->ctx, w->pos, "cannot write PDF: libharu error 0x%04lX (detail %lu)",
             (unsigned long)e, (unsigned long)d);
    return -1;
}

/* Format v with at most three decimals, whatever the C locale says. */
static const char *pdf_num(char buf[32], double v)
{
    long long m = llround(v * 1000);
    unsigned long long a = m < 0 ? 0ULL - (unsigned long long)m : (unsigned long long)m;
    unsigned long long frac = a % 1000;
    int digits = 3;
    while (frac && frac % 10 == 0) {
        frac /= 10;
        digits--;
    }
    if (frac)
        snprintf(buf, 32, "%s%llu.%0*llu", m < 0 ? "-" : "", a / 1000, digits, frac);
    else
        snprintf(buf, 32, "%s%llu", m < 0 ? "-" : "", a / 1000);
    return buf;
}

/* Write a number followed by sep to s. */
static void pdf_put_num(HPDF_Stream s, double v, const char *sep)
{
    char buf[32];
    HPDF_Stream_WriteStr(s, pdf_num(buf, v));
    HPDF_Stream_WriteStr(s, sep);
}

/* A colour component libharu accepts: NaN and out-of-range values clamp. */
static double pdf_unit(float v)
{
    return v >= 0 ? (v <= 1 ? v : 1) : 0;
}

/* Close the open <...> glyph string, if any. */
static void pen_close_hex(pdf_pen *pen)
{
    if (pen->in_hex)
        HPDF_Stream_WriteChar(pen->s, '>');
    pen->in_hex = 0;
}

/* Close the open TJ array, if any. */
static void pen_close_array(pdf_pen *pen)
{
    pen_close_hex(pen);
    if (pen->in_array)
        HPDF_Stream_WriteStr(pen->s, "] TJ\n");
    pen->in_array = 0;
}

/* Start a new TJ array at (x, y) in PDF coordinates. */
static void pen_move(pdf_pen *pen, double x, double y)
{
    pen_close_array(pen);
    HPDF_Stream_WriteStr(pen->s, "1 0 0 1 ");
    pdf_put_num(pen->s, x, " ");
    pdf_put_num(pen->s, y, " Tm\n[");
    pen->in_array = 1;
    pen->x = llround(x * 1000.0) / 1000.0;     /* as pdf_num wrote it */
}

/* Shift the pen to x with a TJ adjustment, so the glyph lands exactly there. */
static void pen_kern(pdf_pen *pen, double x)
{
    /* Rounded as written, so the pen tracks what a viewer computes and
     * rounding errors never accumulate along the line. */
    double adj = llround((pen->x - x) * 1000.0 / pen->size * 1000.0) / 1000.0;
    /* Float noise in the display list would otherwise split every run;
     * skipping a tiny shift is safe because the pen stays exact. */
    if (fabs(adj) < PDF_MIN_ADJUST)
        return;
    pen_close_hex(pen);
    pdf_put_num(pen->s, adj, "");
    pen->x -= adj * pen->size / 1000.0;
}

/* Append one CID to the current glyph string and advance the pen. */
static void pen_show(pdf_pen *pen, unsigned cid, int width)
{
    char hex[8];
    if (!pen->in_hex)
        HPDF_Stream_WriteChar(pen->s, '<');
    pen->in_hex = 1;
    snprintf(hex, sizeof hex, "%04X", cid & 0xFFFF);
    HPDF_Stream_WriteStr(pen->s, hex);
    pen->x += width * pen->size / 1000.0;
}

/* The number of characters glyph g stands for, 0 when its range is invalid. */
static unsigned glyph_text_len(const dl_glyph_run *run, const dl_glyph *g)
{
    uint32_t n = run->text_n > 0 ? (uint32_t)run->text_n : 0;
    if (g->text_start > n || g->text_len > n - g->text_start)
        return 0;
    return g->text_len;
}

/* Write the opening of a run: saved state, colour, font and size. */
static void run_begin(HPDF_Stream s, const dl_glyph_run *run, const char *name)
{
    HPDF_Stream_WriteStr(s, "q\n");
    pdf_put_num(s, pdf_unit(run->color.r), " ");
    pdf_put_num(s, pdf_unit(run->color.g), " ");
    pdf_put_num(s, pdf_unit(run->color.b), " rg\nBT\n/");
    HPDF_Stream_WriteStr(s, name);
    HPDF_Stream_WriteStr(s, " ");
    pdf_put_num(s, run->size, " Tf\n");
}

/* Draw a glyph run with our CID font, positioning every glyph exactly. */
static void draw_run(pdf_writer *w, HPDF_Page page, const dl_glyph_run *run, double page_h)
{
    if (run->n <= 0 || !run->font || !(run->size > 0))
        return;
    const char *name;
    pdffont *pf = pdffont_page_font(w->fonts, page, run->font, &name);
    if (!pf)
        return;     /* the libharu error is reported by the caller */
    /* Bytes go straight into libharu's content stream, so they stay in
     * display-list order with the graphics libharu writes there. */
    pdf_pen pen = { ((HPDF_PageAttr)page->attr)->stream, run->size, 0, 0, 0 };
    run_begin(pen.s, run, name);
    for (int i = 0; i < run->n; i++) {
        const dl_glyph *g = &run->glyphs[i];
        unsigned len = glyph_text_len(run, g);
        int width;
        unsigned cid = pdffont_glyph(pf, g->gid, len ? run->text + g->text_start : NULL,
                                     len, &width);
        if (i == 0 || g->y != run->glyphs[i - 1].y)
            pen_move(&pen, g->x, page_h - g->y);
        else
            pen_kern(&pen, g->x);
        pen_show(&pen, cid, width);
    }
    pen_close_array(&pen);
    HPDF_Stream_WriteStr(pen.s, "ET\nQ\n");
}

/* Corners and radii of box b; open edges get square corners. */
static void box_geometry(const dl_box *b, double page_h, pdf_box_path *p)
{
    double l = b->x, r = b->x + b->w, t = page_h - b->y, bot = t - b->h;
    double rad = b->radius;
    if (rad > b->w / 2)
        rad = b->w / 2;
    if (rad > b->h / 2)
        rad = b->h / 2;
    p->open = (b->open_edges & DL_OPEN_TOP ? 1u : 0u) | (b->open_edges & DL_OPEN_BOTTOM ? 4u : 0u);
    const double cx[4] = {l, r, r, l}, cy[4] = {t, t, bot, bot};
    for (int c = 0; c < 4; c++) {
        p->cx[c] = cx[c];
        p->cy[c] = cy[c];
        /* Corner c joins edges c-1 and c; an open edge squares both its corners. */
        int open = (p->open >> c & 1) || (p->open >> ((c + 3) % 4) & 1);
        p->r[c] = rad > 0 && !open ? rad : 0;
    }
}

/* The quarter-circle at corner c, from the end of edge c-1 to the start of edge c. */
static void box_corner(HPDF_Page page, const pdf_box_path *p, int c)
{
    int in = (c + 3) % 4;
    double r = p->r[c], k = PDF_KAPPA * r;
    double x0 = p->cx[c] - r * pdf_dir_x[in], y0 = p->cy[c] - r * pdf_dir_y[in];
    double x3 = p->cx[c] + r * pdf_dir_x[c], y3 = p->cy[c] + r * pdf_dir_y[c];
    HPDF_Page_CurveTo(page, (HPDF_REAL)(x0 + k * pdf_dir_x[in]), (HPDF_REAL)(y0 + k * pdf_dir_y[in]),
                      (HPDF_REAL)(x3 - k * pdf_dir_x[c]), (HPDF_REAL)(y3 - k * pdf_dir_y[c]),
                      (HPDF_REAL)x3, (HPDF_REAL)y3);
}

/* Trace count edges from edge first, with the corners between them; closed
 * paths also take the corner after the last edge and close. */
static void box_edges(HPDF_Page page, const pdf_box_path *p, int first, int count, int closed)
{
    HPDF_Page_MoveTo(page, (HPDF_REAL)(p->cx[first] + p->r[first] * pdf_dir_x[first]),
                     (HPDF_REAL)(p->cy[first] + p->r[first] * pdf_dir_y[first]));
    for (int j = 0; j < count; j++) {
        int e = (first + j) % 4, c = (e + 1) % 4;
        HPDF_Page_LineTo(page, (HPDF_REAL)(p->cx[c] - p->r[c] * pdf_dir_x[e]),
                         (HPDF_REAL)(p->cy[c] - p->r[c] * pdf_dir_y[e]));
        if ((closed || j < count - 1) && p->r[c] > 0)
            box_corner(page, p, c);
    }
    if (closed)
        HPDF_Page_ClosePath(page);
}

/* Add the stroked outline: whole and closed, or one open path per run of edges. */
static void box_stroke_path(HPDF_Page page, const pdf_box_path *p)
{
    if (!p->open) {
        box_edges(page, p, 0, 4, 1);
        return;
    }
    for (int e = 0; e < 4; e++) {
        int first = (e + 1) % 4, count = 0;
        if (!(p->open >> e & 1) || (p->open >> first & 1))
            continue;
        while (!(p->open >> ((first + count) % 4) & 1))
            count++;
        box_edges(page, p, first, count, 0);
    }
}

/* Draw a box: fill first, then stroke the edges that are not open. */
static void draw_box(HPDF_Page page, const dl_box *b, double page_h)
{
    int stroke = b->stroked && b->stroke_width > 0;
    if (!(b->w > 0 && b->h > 0) || (!b->filled && !stroke))
        return;
    pdf_box_path p;
    box_geometry(b, page_h, &p);
    HPDF_Page_GSave(page);
    if (b->filled) {
        HPDF_Page_SetRGBFill(page, (HPDF_REAL)pdf_unit(b->fill.r),
                             (HPDF_REAL)pdf_unit(b->fill.g), (HPDF_REAL)pdf_unit(b->fill.b));
        box_edges(page, &p, 0, 4, 1);
        HPDF_Page_Fill(page);
    }
    if (stroke) {
        HPDF_Page_SetRGBStroke(page, (HPDF_REAL)pdf_unit(b->stroke.r),
                               (HPDF_REAL)pdf_unit(b->stroke.g), (HPDF_REAL)pdf_unit(b->stroke.b));
        HPDF_Page_SetLineWidth(page, b->stroke_width);
        box_stroke_path(page, &p);
        HPDF_Page_Stroke(page);
    }
    HPDF_Page_GRestore(page);
}

/* Draw a straight rule. */
static void draw_rule(HPDF_Page page, const dl_rule *r, double page_h)
{
    if (!(r->width > 0))
        return;
    HPDF_Page_GSave(page);
    HPDF_Page_SetRGBStroke(page, (HPDF_REAL)pdf_unit(r->color.r),
                           (HPDF_REAL)pdf_unit(r->color.g), (HPDF_REAL)pdf_unit(r->color.b));
    HPDF_Page_SetLineWidth(page, r->width);
    HPDF_Page_MoveTo(page, r->x1, (HPDF_REAL)(page_h - r->y1));
    HPDF_Page_LineTo(page, r->x2, (HPDF_REAL)(page_h - r->y2));
    HPDF_Page_Stroke(page);
    HPDF_Page_GRestore(page);
}

/* Add page i and draw its items in order. */
static int write_page(pdf_writer *w, int i)
{
    const dl_page *pg = &w->doc->pages[i];
    if (!(pg->width >= PDF_MIN_PAGE && pg->width <= PDF_MAX_PAGE &&
          pg->height >= PDF_MIN_PAGE && pg->height <= PDF_MAX_PAGE)) {
        pb_error(w->ctx, w->pos, "cannot write PDF: page %d is %g x %g pt; "
                 "PDF pages must be %g to %g pt", i + 1, pg->width, pg->height,
                 PDF_MIN_PAGE, PDF_MAX_PAGE);
        return -1;
    }
    HPDF_Page page = HPDF_AddPage(w->pdf);
    if (!page)
        return pdf_check(w);
    w->pages[i] = page;
    HPDF_Page_SetWidth(page, pg->width);
    HPDF_Page_SetHeight(page, pg->height);
    for (int k = 0; k < pg->n; k++) {
        const dl_item *it = &pg->items[k];
        if (it->kind == DL_GLYPHS)
            draw_run(w, page, &it->u.glyphs, pg->height);
        else if (it->kind == DL_BOX)
            draw_box(page, &it->u.box, pg->height);
        else if (it->kind == DL_RULE)
            draw_rule(page, &it->u.rule, pg->height);
    }
    return pdf_check(w);
}

/* Decode one UTF-8 sequence and advance *s; malformed input gives U+FFFD. */
static uint32_t utf8_next(const unsigned char **s)
{
    const unsigned char *p = *s;
    static const uint32_t min[4] = {0, 0x80, 0x800, 0x10000};
    int n = p[0] < 0x80 ? 0 : p[0] >= 0xC0 && p[0] < 0xE0 ? 1
          : p[0] >= 0xE0 && p[0] < 0xF0 ? 2 : p[0] >= 0xF0 && p[0] < 0xF8 ? 3 : -1;
    if (n <= 0) {
        *s = p + 1;
        return n == 0 ? p[0] : 0xFFFD;
    }
    uint32_t cp = p[0] & (0x3F >> n);
    for (int i = 1; i <= n; i++) {
        if ((p[i] & 0xC0) != 0x80) {
            *s = p + i;
            return 0xFFFD;
        }
        cp = cp << 6 | (p[i] & 0x3F);
    }
    *s = p + n + 1;
    return cp < min[n] ? 0xFFFD : cp;   /* overlong; pdffont_utf16 catches the rest */
}

/* A PDF text string for UTF-8 text: UTF-16BE with a byte-order mark. */
static HPDF_Binary text_string(HPDF_MMgr mmgr, const char *utf8)
{
    size_t n = strlen(utf8);
    HPDF_BYTE *buf = pb_alloc(2 + 4 * n);
    size_t k = 0;
    buf[k++] = 0xFE;
    buf[k++] = 0xFF;
    for (const unsigned char *p = (const unsigned char *)utf8; *p;) {
        uint16_t u[2];
        int m = pdffont_utf16(utf8_next(&p), u);
        for (int i = 0; i < m; i++) {
            buf[k++] = (HPDF_BYTE)(u[i] >> 8);
            buf[k++] = (HPDF_BYTE)(u[i] & 0xFF);
        }
    }
    HPDF_Binary b = HPDF_Binary_New(mmgr, buf, (HPDF_UINT)k);
    free(buf);
    return b;
}

/* An outline destination: the top of the target, keeping the reader's zoom. */
static HPDF_Destination dest_at(HPDF_Doc pdf, HPDF_Page page, double top)
{
    HPDF_Destination d = HPDF_Page_CreateDestination(page);
    if (!d)
        return NULL;
    /* libharu's SetXYZ cannot write a null zoom, so build [page /XYZ 0 top null]. */
    HPDF_Array_Clear(d);
    HPDF_Array_Add(d, page);
    HPDF_Array_AddName(d, "XYZ");
    HPDF_Array_AddReal(d, 0);
    HPDF_Array_AddReal(d, (HPDF_REAL)top);
    HPDF_Array_Add(d, HPDF_Null_New(pdf->mmgr));
    return d;
}

/* Add one outline entry under parent (NULL: top level). */
static HPDF_Outline outline_entry(pdf_writer *w, HPDF_Outline parent, const dl_outline *o)
{
    HPDF_Outline item = HPDF_CreateOutline(w->pdf, parent, "", NULL);
    if (!item)
        return NULL;
    /* libharu would encode the title byte for byte; PDF wants UTF-16BE. */
    HPDF_Dict_Add(item, "Title", text_string(w->pdf->mmgr, o->title ? o->title : ""));
    const dl_page *pg = &w->doc->pages[o->page];
    double top = pg->height - o->y;
    top = top < 0 ? 0 : top > pg->height ? pg->height : top;
    HPDF_Outline_SetDestination(item, dest_at(w->pdf, w->pages[o->page], top));
    HPDF_Outline_SetOpened(item, parent == NULL);
    return item;
}

/* Build the outline, nesting entries by level. */
static void add_outline(pdf_writer *w)
{
    int n = w->doc->noutline, depth = 0;
    HPDF_Outline *stack = pb_alloc((size_t)(n ? n : 1) * sizeof *stack);
    for (int i = 0; i < n; i++) {
        const dl_outline *o = &w->doc->outline[i];
        if (o->page < 0 || o->page >= w->doc->npages) {
            pb_warning(w->ctx, w->pos, "outline entry '%s' points at page %d, which "
                       "does not exist; left out", o->title ? o->title : "", o->page + 1);
            continue;
        }
        /* A level may only be one deeper than the entry before it. */
        int level = o->level < 0 ? 0 : o->level > depth ? depth : o->level;
        HPDF_Outline item = outline_entry(w, level ? stack[level - 1] : NULL, o);
        if (!item)
            break;
        stack[level] = item;
        depth = level + 1;
    }
    free(stack);
}

/* Title, Author, Subject and Keywords as UTF-16 text strings; /Lang in the catalog. */
static void add_info(pdf_writer *w)
{
    HPDF_Doc pdf = w->pdf;
    const dl_document *doc = w->doc;
    const char *keys[] = {"Title", "Author", "Subject", "Keywords"};
    const char *vals[] = {doc->title, doc->author, doc->subject, doc->keywords};
    HPDF_SetInfoAttr(pdf, HPDF_INFO_CREATOR, "paiban");
    for (int i = 0; i < 4; i++)
        if (vals[i] && pdf->info)
            HPDF_Dict_Add(pdf->info, keys[i], text_string(pdf->mmgr, vals[i]));
    if (doc->lang)
        HPDF_Dict_Add(pdf->catalog, "Lang", HPDF_String_New(pdf->mmgr, doc->lang, NULL));
}

/* CreationDate and ModDate from the epoch, in UTC; none without an epoch. */
static int add_dates(pdf_writer *w, const pdf_options *opts)
{
    if (!opts || !opts->have_epoch)
        return 0;
    time_t t = (time_t)opts->epoch;
    struct tm tm;
    if ((long long)t != opts->epoch || !gmtime_r(&t, &tm) ||
        tm.tm_year < -1900 || tm.tm_year > 9999 - 1900) {
        pb_error(w->ctx, w->pos, "cannot write PDF: date %lld (SOURCE_DATE_EPOCH) "
                 "is out of range", opts->epoch);
        return -1;
    }
    char buf[80];
    snprintf(buf, sizeof buf, "D:%04d%02d%02d%02d%02d%02dZ", tm.tm_year + 1900,
             tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
    if (w->pdf->info) {
        HPDF_Dict_Add(w->pdf->info, "CreationDate", HPDF_String_New(w->pdf->mmgr, buf, NULL));
        HPDF_Dict_Add(w->pdf->info, "ModDate", HPDF_String_New(w->pdf->mmgr, buf, NULL));
    }
    return 0;
}

/* Build the whole document in memory. */
static int build(pdf_writer *w, const pdf_options *opts)
{
    HPDF_SetCompressionMode(w->pdf, HPDF_COMP_ALL);
    /* /Lang needs PDF 1.4; libharu starts at 1.3 and has no setter. */
    w->pdf->pdf_version = HPDF_VER_14;
    for (int i = 0; i < w->doc->npages; i++)
        if (write_page(w, i) != 0)
            return -1;
    if (pdffont_finish(w->fonts, w->ctx, w->pos) != 0) {
        pdf_check(w);   /* reports libharu's error if that was the cause */
        return -1;
    }
    add_outline(w);
    add_info(w);
    if (add_dates(w, opts) != 0)
        return -1;
    return pdf_check(w);
}

/* Write all of libharu's in-memory output to fd; 0 or an errno value. */
static int write_all(int fd, HPDF_Stream s)
{
    HPDF_UINT nbuf = HPDF_MemStream_GetBufCount(s);
    for (HPDF_UINT i = 0; i < nbuf; i++) {
        HPDF_UINT len;
        const HPDF_BYTE *p = HPDF_MemStream_GetBufPtr(s, i, &len);
        while (p && len > 0) {
            ssize_t k = write(fd, p, len);
            if (k < 0 && errno == EINTR)
                continue;
            if (k <= 0)
                return k < 0 ? errno : EIO;
            p += k;
            len -= (HPDF_UINT)k;
        }
    }
    return 0;
}

/* Create a fresh temporary file beside path; its name goes to tmp. */
static int open_temp(const char *path, char *tmp, size_t size)
{
    /* Not mkstemp(): its 0600 mode would survive the rename, while open()
     * with 0666 gives the file the permissions the user's umask asks for. */
    for (int i = 0; i < 100; i++) {
        snprintf(tmp, size, "%s.tmp.%ld.%d", path, (long)getpid(), i);
        int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (fd >= 0 || errno != EEXIST)
            return fd;
    }
    return -1;
}

/* Write through a temporary file renamed over path; 0 or an errno value. */
static int write_replacing(const char *path, HPDF_Stream s)
{
    size_t size = strlen(path) + 64;
    char *tmp = pb_alloc(size);
    int fd = open_temp(path, tmp, size);
    if (fd < 0) {
        int err = errno;
        free(tmp);
        return err;
    }
    int err = write_all(fd, s);
    if (!err && fsync(fd) != 0)
        err = errno;
    if (close(fd) != 0 && !err)
        err = errno;
    if (!err && rename(tmp, path) != 0)
        err = errno;
    if (err)
        unlink(tmp);
    free(tmp);
    return err;
}

/* Write straight into an existing non-regular file such as a pipe or device. */
static int write_in_place(const char *path, HPDF_Stream s)
{
    int fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
    if (fd < 0)
        return errno;
    int err = write_all(fd, s);
    if (close(fd) != 0 && !err)
        err = errno;
    return err;
}

/* Serialise the document and put it at path. */
static int save(pdf_writer *w, const char *path)
{
    if (HPDF_SaveToStream(w->pdf) != HPDF_OK) {
        if (pdf_check(w) == 0)
            pb_error(w->ctx, w->pos, "cannot write PDF: libharu cannot serialise it");
        return -1;
    }
    /* Renaming over a device or pipe would replace it instead of writing
     * to it, so only regular files (or new names) go through a temp file. */
    struct stat st;
    int err = stat(path, &st) == 0 && !S_ISREG(st.st_mode)
        ? write_in_place(path, w->pdf->stream)
        : write_replacing(path, w->pdf->stream);
    if (err) {
        pb_error(w->ctx, w->pos, "cannot write PDF: %s", strerror(err));
        return -1;
    }
    return 0;
}

/* Write doc to path as PDF. */
int pdf_write(pb_ctx *ctx, const dl_document *doc, const char *path,
              const pdf_options *opts)
{
    pdf_writer w = { .ctx = ctx, .doc = doc, .pos = { path, 0, 0 } };
    if (doc->npages <= 0) {
        pb_error(ctx, w.pos, "cannot write PDF: the document has no pages");
        return -1;
    }
    w.pdf = HPDF_New(pdf_on_error, &w);
    if (!w.pdf) {
        pb_error(ctx, w.pos, "cannot write PDF: libharu could not start");
        return -1;
    }
    w.fonts = pdffont_set_new(w.pdf);
    w.pages = pb_alloc((size_t)doc->npages * sizeof *w.pages);
    int rc = build(&w, opts);
    if (rc == 0)
        rc = save(&w, path);
    pdffont_set_free(w.fonts);
    free(w.pages);
    HPDF_Free(w.pdf);
    return rc;
}
