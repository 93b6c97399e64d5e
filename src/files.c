/* files.c: safe input reading, the record of files read and written, atomic output. */
#include "files.h"
#include "text.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- the record ------------------------------------------------------------ */

/* The entry of the current build (or any build for fonts) with this identity and kind, or NULL. */
static pb_file *find_identity(pb_ctx *ctx, const struct stat *st, int kind)
{
    for (int i = 0; i < ctx->nfiles; i++) {
        pb_file *f = &ctx->files[i];
        if (f->kind == kind && f->dev == (unsigned long long)st->st_dev &&
            f->ino == (unsigned long long)st->st_ino && f->dev | f->ino &&
            (kind == PB_FILE_FONT || f->build == ctx->build))
            return f;
    }
    return NULL;
}

/* Append an entry for path (copied) with st's identity (NULL: none yet). */
static pb_file *add_entry(pb_ctx *ctx, const char *path, const struct stat *st, int kind)
{
    pb_grow(&ctx->files, &ctx->files_cap, ctx->nfiles + 1, sizeof *ctx->files);
    pb_file *f = &ctx->files[ctx->nfiles++];
    *f = (pb_file){pb_strdup(path), st ? (unsigned long long)st->st_dev : 0,
                   st ? (unsigned long long)st->st_ino : 0, kind, ctx->build};
    return f;
}

/* The directory part of path ("." when it has none), malloc'd. */
static char *dir_part(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        return pb_strdup(".");
    size_t n = slash == path ? 1 : (size_t)(slash - path);
    char *dir = pb_alloc(n + 1);
    memcpy(dir, path, n);
    return dir;
}

/* The absolute real path of path, which may not exist yet: its directory's
 * real path and its last component.  NULL when the directory does not exist. */
static char *real_name(const char *path)
{
    char *real = realpath(path, NULL);
    if (real)
        return real;
    char *dir = dir_part(path), *rdir = realpath(dir, NULL);
    free(dir);
    if (!rdir)
        return NULL;
    const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
    char *out = pb_alloc(strlen(rdir) + strlen(base) + 2);
    sprintf(out, "%s/%s", strcmp(rdir, "/") ? rdir : "", base);
    free(rdir);
    return out;
}

/* The planned output of this build that is the file path (identity st), or NULL. */
static const pb_file *output_clash(pb_ctx *ctx, const char *path, const struct stat *st)
{
    const pb_file *hit = find_identity(ctx, st, PB_FILE_OUTPUT);
    if (hit)
        return hit;
    char *real = NULL;
    for (int i = 0; i < ctx->nfiles && !hit; i++) {
        const pb_file *f = &ctx->files[i];
        if (f->kind != PB_FILE_OUTPUT || f->build != ctx->build || (f->dev | f->ino))
            continue;
        if (!real && !(real = realpath(path, NULL)))
            break;
        if (strcmp(real, f->path) == 0) /* an output that did not exist when planned */
            hit = f;
    }
    free(real);
    return hit;
}

/* Record that path (identity st) was read; -1 (a usage error) when it is an output. */
static int note_read(pb_ctx *ctx, pb_pos pos, const char *path, const struct stat *st, int kind)
{
    const pb_file *out = output_clash(ctx, path, st);
    if (out) {
        pb_error(ctx, pos, "'%s' is read by this run and is also its output '%s'; "
                 "paiban never writes over a file it reads (choose another output name)",
                 path, out->path);
        ctx->usage_errors++;
        return -1;
    }
    pb_file *f = find_identity(ctx, st, kind);
    if (!f) {
        for (int i = 0; i < ctx->nfiles && !f; i++) /* read in an earlier build */
            if (ctx->files[i].kind == kind && ctx->files[i].dev == (unsigned long long)st->st_dev &&
                ctx->files[i].ino == (unsigned long long)st->st_ino)
                f = &ctx->files[i];
        if (f && strcmp(f->path, path) != 0) {
            free(f->path);
            f->path = pb_strdup(path);
        }
    }
    if (f)
        f->build = ctx->build;
    else
        add_entry(ctx, path, st, kind);
    return 0;
}

/* Start a new build: outputs are planned again, limits count afresh. */
void files_new_build(pb_ctx *ctx)
{
    int keep = 0;
    for (int i = 0; i < ctx->nfiles; i++) {
        if (ctx->files[i].kind == PB_FILE_OUTPUT)
            free(ctx->files[i].path);
        else
            ctx->files[keep++] = ctx->files[i];
    }
    ctx->nfiles = keep;
    ctx->build++;
    ctx->used = (pb_usage){0};
}

/* The files read in the current build (fonts too when asked), in order. */
int files_sources(const pb_ctx *ctx, const char **names, int max, int with_fonts)
{
    int n = 0;
    for (int i = 0; i < ctx->nfiles; i++) {
        const pb_file *f = &ctx->files[i];
        int wanted = (f->kind == PB_FILE_READ && f->build == ctx->build) ||
                     (with_fonts && f->kind == PB_FILE_FONT);
        if (!wanted)
            continue;
        if (n < max)
            names[n] = f->path;
        n++;
    }
    return n;
}

/* The newest modification time of the files this build read. */
long long files_newest_mtime(const pb_ctx *ctx)
{
    long long newest = -1;
    for (int i = 0; i < ctx->nfiles; i++) {
        const pb_file *f = &ctx->files[i];
        struct stat st;
        if (f->kind == PB_FILE_READ && f->build == ctx->build && stat(f->path, &st) == 0 &&
            (long long)st.st_mtime > newest)
            newest = (long long)st.st_mtime;
    }
    return newest;
}

/* Note a font file read by FreeType. */
void files_note_font(pb_ctx *ctx, const char *path)
{
    struct stat st;
    if (stat(path, &st) == 0)
        note_read(ctx, (pb_pos){path, 0, 0}, path, &st, PB_FILE_FONT);
}

/* ---- inputs ------------------------------------------------------------------ */

/* Report that path is not a regular file; -1. */
static int not_regular(pb_ctx *ctx, pb_pos pos, const char *path, const char *what, const struct stat *st)
{
    const char *kind = S_ISDIR(st->st_mode) ? "a directory" : S_ISFIFO(st->st_mode) ? "a pipe (FIFO)"
                     : S_ISCHR(st->st_mode) || S_ISBLK(st->st_mode) ? "a device" : "not a regular file";
    pb_error(ctx, pos, "%s '%s' is %s; only regular files can be read", what, path, kind);
    return -1;
}

/* Check that path is a regular file and note it as read. */
int files_check_input(pb_ctx *ctx, pb_pos pos, const char *path, const char *what)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        pb_error(ctx, pos, "cannot read %s '%s': %s", what, path, strerror(errno));
        return -1;
    }
    if (!S_ISREG(st.st_mode))
        return not_regular(ctx, pos, path, what, &st);
    return note_read(ctx, pos, path, &st, PB_FILE_READ);
}

/* Read exactly the file behind fd (size bytes expected, at most max); NULL on an I/O error. */
static char *read_fd(int fd, size_t size, size_t max, size_t *len)
{
    size_t cap = size + 1, n = 0;
    char *buf = pb_alloc(cap + 1);
    for (;;) {
        ssize_t got = read(fd, buf + n, cap - n);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0) {
            free(buf);
            return NULL;
        }
        if (got == 0 || (n += (size_t)got) > max)
            break;
        if (n == cap)
            buf = pb_realloc(buf, (cap *= 2) + 1);
    }
    buf[n] = '\0';
    *len = n;
    return buf;
}

/* Read a whole regular file, within the run's limits, and note it. */
char *files_read(pb_ctx *ctx, pb_pos pos, const char *path, size_t max, size_t *len)
{
    if (!max || max > ctx->limits.file_bytes)
        max = ctx->limits.file_bytes;
    /* O_NONBLOCK: opening a FIFO must not wait for a writer before we can refuse it */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0) {
        pb_error(ctx, pos, "cannot read '%s': %s", path, strerror(errno));
        if (fd >= 0)
            close(fd);
        return NULL;
    }
    char *buf = NULL;
    if (!S_ISREG(st.st_mode))
        not_regular(ctx, pos, path, "input", &st);
    else if ((size_t)st.st_size > max)
        pb_error(ctx, pos, "'%s' is %lld bytes; the limit for one file is %zu", path,
                 (long long)st.st_size, max);
    else if (ctx->used.bytes + (size_t)st.st_size > ctx->limits.total_bytes)
        pb_error(ctx, pos, "reading '%s' would pass the limit of %zu bytes of XML in one run",
                 path, ctx->limits.total_bytes);
    else if (note_read(ctx, pos, path, &st, PB_FILE_READ) == 0 &&
             !(buf = read_fd(fd, (size_t)st.st_size, max, len)))
        pb_error(ctx, pos, "cannot read '%s': %s", path, strerror(errno));
    close(fd);
    if (buf && *len > max) { /* it grew while being read */
        pb_error(ctx, pos, "'%s' grew past the limit of %zu bytes while being read", path, max);
        free(buf);
        return NULL;
    }
    if (buf)
        ctx->used.bytes += *len;
    return buf;
}

/* ---- paths a document names ------------------------------------------------- */

/* The real directory of path, or NULL when it does not exist. */
char *files_root_of(const char *path)
{
    char *dir = dir_part(path), *real = realpath(dir, NULL);
    free(dir);
    return real;
}

/*
 * Where path really leads, even when it does not exist: the real path of
 * its longest existing prefix, then the remaining components applied
 * lexically (they cannot be links, since they do not exist).
 */
static char *lead_to(const char *path)
{
    char *prefix = pb_strdup(path), *real = NULL;
    size_t cut = strlen(prefix);
    while (!(real = realpath(prefix, NULL))) {
        char *slash = strrchr(prefix, '/');
        if (!slash) {
            real = realpath(".", NULL);
            cut = 0;
            break;
        }
        *slash = '\0';
        cut = (size_t)(slash - prefix) + 1;
        if (slash == prefix) {
            real = pb_strdup("/");
            break;
        }
    }
    pb_str out = {0};
    pb_str_adds(&out, real && strcmp(real, "/") ? real : "");
    free(real);
    for (const char *c = path + (cut <= strlen(path) ? cut : strlen(path)); *c;) {
        size_t n = strcspn(c, "/");
        if (n == 2 && c[0] == '.' && c[1] == '.') {
            char *last = out.s ? strrchr(out.s, '/') : NULL;
            if (last)
                out.len = (size_t)(last - out.s), out.s[out.len] = '\0';
        } else if (n && !(n == 1 && c[0] == '.')) {
            pb_str_add(&out, "/", 1);
            pb_str_add(&out, c, n);
        }
        c += n + (c[n] == '/');
    }
    free(prefix);
    if (!out.len)
        pb_str_adds(&out, "/");
    return pb_str_take(&out);
}

/* Resolve href against the directory of from, confined below root. */
char *files_resolve(pb_ctx *ctx, pb_pos pos, const char *root, const char *from,
                    const char *href, const char *what)
{
    pb_str joined = {0};
    if (href[0] != '/' && strrchr(from, '/'))
        pb_str_add(&joined, from, (size_t)(strrchr(from, '/') - from) + 1);
    pb_str_adds(&joined, href);
    char *path = pb_str_take(&joined);
    if (root && !ctx->include_anywhere) {
        char *lead = lead_to(path);
        size_t n = strlen(root);
        int inside = strncmp(lead, root, n) == 0 && (lead[n] == '/' || !strcmp(root, "/"));
        free(lead);
        if (!inside) {
            /* the same words whether or not something exists there */
            pb_error(ctx, pos, "%s '%s' is outside the document's directory %s; only files "
                     "below it may be used (--include-anywhere allows it)", what, href, root);
            free(path);
            return NULL;
        }
    }
    struct stat st;
    if (stat(path, &st) != 0) {
        pb_error(ctx, pos, "%s '%s': %s", what, path, errno == ENOENT ? "no such file" : strerror(errno));
        free(path);
        return NULL;
    }
    return path;
}

/* ---- outputs ----------------------------------------------------------------- */

/*
 * The file a symbolic link finally leads to, following links as the
 * kernel would (at most 40), even when that file does not exist yet.
 * NULL when the chain is too long or a link cannot be read.
 */
static char *link_target(const char *path)
{
    char *cur = pb_strdup(path);
    struct stat st;
    for (int hops = 0; hops < 40; hops++) {
        if (lstat(cur, &st) != 0 || !S_ISLNK(st.st_mode))
            return cur;
        char to[PATH_MAX];
        ssize_t n = readlink(cur, to, sizeof to - 1);
        if (n < 0) {
            free(cur);
            return NULL;
        }
        to[n] = '\0';
        pb_str next = {0};
        if (to[0] != '/' && strrchr(cur, '/'))
            pb_str_add(&next, cur, (size_t)(strrchr(cur, '/') - cur) + 1);
        pb_str_adds(&next, to);
        free(cur);
        cur = pb_str_take(&next);
    }
    free(cur);
    return NULL;
}

/* Report that the output cannot be path; NULL. */
static char *refuse_output(pb_ctx *ctx, const char *path, const char *fmt, const char *arg)
{
    pb_error(ctx, (pb_pos){path, 0, 0}, fmt, arg);
    ctx->usage_errors++;
    return NULL;
}

/* Declare path an output; the path to write, or NULL (a usage error). */
char *files_plan_output(pb_ctx *ctx, const char *path)
{
    /* write through a link: replacing it with a file would break what it links */
    char *target = link_target(path);
    if (!target)
        return refuse_output(ctx, path, "cannot write the output: %s", "its symbolic links loop");
    struct stat st;
    int exists = stat(target, &st) == 0;
    const pb_file *in = exists ? find_identity(ctx, &st, PB_FILE_READ) : NULL;
    if (!in && exists)
        in = find_identity(ctx, &st, PB_FILE_FONT);
    const char *why = !exists ? NULL : find_identity(ctx, &st, PB_FILE_OUTPUT)
        ? "another output of this run is the same file" : S_ISDIR(st.st_mode) ? "it is a directory" : NULL;
    if (in || why) {
        free(target);
        return in ? refuse_output(ctx, path, "refusing to write the output over '%s', which this "
                                  "run reads; paiban never writes over its own input (choose "
                                  "another output name)", in->path)
                  : refuse_output(ctx, path, "cannot write the output: %s", why);
    }
    char *real = exists ? NULL : real_name(target);
    add_entry(ctx, real ? real : target, exists ? &st : NULL, PB_FILE_OUTPUT);
    free(real);
    return target;
}

/* Write len bytes to fd; 0 or an errno value. */
static int write_all(int fd, const unsigned char *p, size_t len)
{
    while (len > 0) {
        ssize_t k = write(fd, p, len);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return k < 0 ? errno : EIO;
        p += k;
        len -= (size_t)k;
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
static int write_through_temp(const char *path, const unsigned char *buf, size_t len)
{
    size_t size = strlen(path) + 64;
    char *tmp = pb_alloc(size);
    int fd = open_temp(path, tmp, size);
    if (fd < 0) {
        int err = errno;
        free(tmp);
        return err;
    }
    int err = write_all(fd, buf, len);
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

/*
 * The same, with SIGINT, SIGTERM and SIGHUP held back while the temporary
 * file exists: an interrupt then takes effect just after, when the old file
 * is either intact or wholly replaced and no temporary file is left.  A
 * handler that removed the file would need global state; holding the
 * signals for these few milliseconds needs none.
 */
static int write_replacing(const char *path, const unsigned char *buf, size_t len)
{
    sigset_t block, old;
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGTERM);
    sigaddset(&block, SIGHUP);
    sigprocmask(SIG_BLOCK, &block, &old);
    int err = write_through_temp(path, buf, len);
    sigprocmask(SIG_SETMASK, &old, NULL);
    return err;
}

/* Write straight into an existing non-regular file such as a pipe or device. */
static int write_in_place(const char *path, const unsigned char *buf, size_t len)
{
    int fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
    if (fd < 0)
        return errno;
    int err = write_all(fd, buf, len);
    if (close(fd) != 0 && !err)
        err = errno;
    return err;
}

/* 1 when the regular file at path holds exactly buf. */
static int same_as_file(const char *path, const unsigned char *buf, size_t len)
{
    struct stat st;
    if (stat(path, &st) != 0 || !S_ISREG(st.st_mode) || (size_t)st.st_size != len)
        return 0;
    FILE *f = fopen(path, "rb");
    if (!f)
        return 0;
    unsigned char chunk[65536];
    size_t at = 0, n;
    int same = 1;
    while (same && (n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        same = at + n <= len && memcmp(chunk, buf + at, n) == 0;
        at += n;
    }
    fclose(f);
    return same && at == len;
}

/* Put the bytes at path (1: left as it was, the bytes being the same). */
int files_write(pb_ctx *ctx, const char *path, const unsigned char *buf, size_t len, int keep_same)
{
    /* An output that would not change keeps its date, so make (and the
     * reader's viewer) see it untouched: handouts of other trends stay put. */
    if (keep_same && same_as_file(path, buf, len))
        return 1;
    /* Renaming over a device or pipe would replace it instead of writing
     * to it, so only regular files (or new names) go through a temp file. */
    struct stat st;
    int err = stat(path, &st) == 0 && !S_ISREG(st.st_mode)
        ? write_in_place(path, buf, len)
        : write_replacing(path, buf, len);
    if (err) {
        pb_error(ctx, (pb_pos){path, 0, 0}, "cannot write: %s", strerror(err));
        return -1;
    }
    return 0;
}
