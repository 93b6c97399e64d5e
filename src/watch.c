/*
 * watch.c: rebuild on save, with inotify on the files' directories and a
 * signalfd for SIGINT/SIGTERM.
 *
 * SIGINT and SIGTERM are blocked for the duration of the call and read
 * from a signalfd, so there is no signal handler and no global flag; the
 * caller's signal mask is restored before returning.  Signals are blocked
 * during a rebuild too, so Ctrl-C ends the watch once the rebuild is done,
 * never halfway through writing the output.
 *
 * A directory that is missing (deleted, moved away, or not made yet) is
 * waited for by watching its nearest existing ancestor, which we call its
 * stand-in: each directory created or moved into a stand-in makes us look
 * for the real directory again, one level at a time, so a whole tree
 * recreated (a/b/c) is followed down.  All watches use one mask, because
 * the same directory can be one file's directory and another's stand-in,
 * and adding a watch to a watched inode replaces its mask.
 */
#include "watch.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

/*
 * What counts as a save in a watched directory: a file written in place
 * (close after writing), renamed into place (editors' safe save), created
 * (vim moves the original aside and writes a new one) or deleted.  The
 * same create and move events tell a stand-in that a directory appeared;
 * the self events say that the watched directory itself is gone.
 */
#define WATCH_MASK (IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE | IN_DELETE | IN_DELETE_SELF | \
                    IN_MOVE_SELF | IN_ONLYDIR)
/* A burst has ended when no event for a watched file came for this long (ms). */
#define WATCH_QUIET_MS 50
/* A file written without pause is still rebuilt this long after its first event (ms). */
#define WATCH_MAX_DELAY_MS 1000
/* How many times dir_arm searches for a missing directory's stand-in. */
#define WATCH_ARM_TRIES 16

/* What wait_for_change returns instead of a file's index. */
enum { WAIT_SIGNAL = -1, WAIT_ERROR = -2 };

/*
 * A watched directory, as spelt in the file names.  wd watches the
 * directory itself when here is set, else its stand-in (the nearest
 * existing ancestor) until it exists again; -1 when nothing could be watched.
 */
typedef struct watch_dir {
    char *path;
    int wd;
    int here;
} watch_dir;

/* A watched file: its name as given, the part after the last '/', and its directory. */
typedef struct watch_file {
    char *name;
    char *base;
    int dir;                    /* index into watch_set.dirs */
} watch_file;

/* The files being watched and their directories (owned copies). */
typedef struct watch_set {
    watch_file *files;
    int nfiles;
    watch_dir *dirs;
    int ndirs;
} watch_set;

/* The state of one watch_run call. */
typedef struct watcher {
    pb_ctx *ctx;
    int ino;                    /* inotify descriptor, or -1 */
    int sig;                    /* signalfd for SIGINT/SIGTERM, or -1 */
    int masked;                 /* old_mask must be restored */
    sigset_t old_mask;
    watch_set set;
    int *wds;                   /* every watch added and not ended, to remove unused ones */
    int nwds, capwds;
    int pending;                /* a file whose directory came back while re-arming, or -1 */
} watcher;

/* Milliseconds on the monotonic clock, which wall-clock changes do not move. */
static long long now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* Report that setting up the watch failed in the call named what; returns -1. */
static int setup_failed(watcher *w, const char *what)
{
    pb_error(w->ctx, (pb_pos){NULL, 0, 0}, "cannot watch files: %s: %s", what, strerror(errno));
    return -1;
}

/* Split name into its directory ("." when it has none) and base name (both malloc'd). */
static void split_path(const char *name, char **dir, char **base)
{
    const char *slash = strrchr(name, '/');
    if (!slash) {
        *dir = pb_strdup(".");
        *base = pb_strdup(name);
        return;
    }
    size_t len = slash == name ? 1 : (size_t)(slash - name);   /* "/x" lives in "/" */
    *dir = pb_alloc(len + 1);                                   /* zeroed: terminated */
    memcpy(*dir, name, len);
    *base = pb_strdup(slash + 1);
}

/* The index of directory path in s, adding it (taking ownership of path) if new. */
static int set_dir(watch_set *s, char *path)
{
    for (int d = 0; d < s->ndirs; d++) {
        if (strcmp(s->dirs[d].path, path) == 0) {
            free(path);
            return d;
        }
    }
    s->dirs[s->ndirs] = (watch_dir){path, -1, 0};
    return s->ndirs++;
}

/* Copy the list into a set of files and directories; empty names are skipped. */
static watch_set set_build(watch_files files)
{
    watch_set s = {0};
    int n = files.n > 0 ? files.n : 0;
    s.files = pb_alloc((size_t)n * sizeof *s.files);
    s.dirs = pb_alloc((size_t)n * sizeof *s.dirs);  /* at most one directory per file */
    for (int i = 0; i < n; i++) {
        const char *name = files.names[i];
        if (!name || !*name)
            continue;
        watch_file *f = &s.files[s.nfiles++];
        char *dir;
        f->name = pb_strdup(name);
        split_path(name, &dir, &f->base);
        f->dir = set_dir(&s, dir);
    }
    return s;
}

/* Free the copies a set owns. */
static void set_free(watch_set *s)
{
    for (int i = 0; i < s->nfiles; i++) {
        free(s->files[i].name);
        free(s->files[i].base);
    }
    for (int d = 0; d < s->ndirs; d++)
        free(s->dirs[d].path);
    free(s->files);
    free(s->dirs);
    memset(s, 0, sizeof *s);
}

/* Whether a directory of s uses watch descriptor wd, for itself or as a stand-in. */
static int set_has_wd(const watch_set *s, int wd)
{
    for (int d = 0; d < s->ndirs; d++)
        if (s->dirs[d].wd == wd)
            return 1;
    return 0;
}

/* The directory of s spelt path, or NULL. */
static const watch_dir *set_find_dir(const watch_set *s, const char *path)
{
    for (int d = 0; d < s->ndirs; d++)
        if (strcmp(s->dirs[d].path, path) == 0)
            return &s->dirs[d];
    return NULL;
}

/* The first watched file of directory d that exists now, or -1. */
static int present_file(const watch_set *s, int d)
{
    for (int i = 0; i < s->nfiles; i++)
        if (s->files[i].dir == d && access(s->files[i].name, F_OK) == 0)
            return i;
    return -1;
}

/* Report a directory that cannot be watched: an error at startup, else a warning. */
static void report_dir(watcher *w, const char *path, int fatal)
{
    /* ENOSPC here is the per-user watch limit, not a full disk. */
    const char *hint = errno == ENOSPC ? " (fs.inotify.max_user_watches reached)" : "";
    const char *why = strerror(errno);
    pb_pos pos = {path, 0, 0};
    if (fatal)
        pb_error(w->ctx, pos, "cannot watch this directory: %s%s", why, hint);
    else
        pb_warning(w->ctx, pos, "cannot watch this directory: %s%s; its files are not watched",
                   why, hint);
}

/* Note a watch descriptor the kernel gave us, once, so sweep_watches can remove it. */
static void note_wd(watcher *w, int wd)
{
    for (int i = 0; i < w->nwds; i++)
        if (w->wds[i] == wd)
            return;
    pb_grow(&w->wds, &w->capwds, w->nwds + 1, sizeof *w->wds);
    w->wds[w->nwds++] = wd;
}

/* Forget a watch the kernel ended (IN_IGNORED), so it is never removed by number again. */
static void forget_wd(watcher *w, int wd)
{
    for (int i = 0; i < w->nwds; i++)
        if (w->wds[i] == wd)
            w->wds[i--] = w->wds[--w->nwds];
}

/* Remove the watches no directory of the set uses (old stand-ins, dropped directories). */
static void sweep_watches(watcher *w)
{
    int keep = 0;
    for (int i = 0; i < w->nwds; i++) {
        /* Compared by wd: two spellings of one directory ("." and its full path) share a watch. */
        if (set_has_wd(&w->set, w->wds[i]))
            w->wds[keep++] = w->wds[i];
        else
            (void)inotify_rm_watch(w->ino, w->wds[i]);  /* EINVAL if already ended: harmless */
    }
    w->nwds = keep;
}

/* Whether errno says a path is missing, as opposed to unwatchable. */
static int is_missing(int err)
{
    /* ENOTDIR: a file stands where a directory of the path should be. */
    return err == ENOENT || err == ENOTDIR;
}

/* The directory containing path (malloc'd); NULL for "/" and ".", which have none to try. */
static char *parent_dir(const char *path)
{
    if (strcmp(path, "/") == 0 || strcmp(path, ".") == 0)
        return NULL;
    char *dir, *base;
    split_path(path, &dir, &base);
    free(base);
    return dir;
}

/* Watch path, or its nearest existing ancestor when it is missing; the wd, or -1 with errno set. */
static int watch_deepest(watcher *w, const char *path, int *here)
{
    char *p = pb_strdup(path);
    int wd;
    *here = 1;
    while ((wd = inotify_add_watch(w->ino, p, WATCH_MASK)) < 0 && is_missing(errno)) {
        char *up = parent_dir(p);
        free(p);
        if (!(p = up)) {
            errno = ENOENT;     /* not even "." or "/" is there */
            return -1;
        }
        *here = 0;
    }
    int err = errno;
    free(p);
    if (wd >= 0)
        note_wd(w, wd);
    errno = err;
    return wd;
}

/* Watch directory d, or its stand-in while it is missing; whether d itself is watched. */
static int dir_arm(watcher *w, watch_dir *d)
{
    /* A level made after its add failed but before the stand-in's watch
       existed raised no event, so search again until the search ends on a
       watch that was in place all through it (bounded, should levels come
       and go as fast as we look: each of them raises an event anyway). */
    int prev = -1;
    for (int tries = 0; tries < WATCH_ARM_TRIES; tries++) {
        d->wd = watch_deepest(w, d->path, &d->here);
        if (d->wd < 0 || d->here || d->wd == prev)
            break;
        prev = d->wd;
    }
    return d->wd >= 0 && d->here;
}

/* Tell the user a directory is waited for, unless it already was before this rebuild. */
static void report_missing(watcher *w, const watch_dir *d, const watch_dir *was)
{
    if (!was || was->here)
        pb_warning(w->ctx, (pb_pos){d->path, 0, 0},
                   "this directory does not exist; its files are watched once it is created");
}

/* Watch every directory of s, which replaces old; -1 if one cannot be watched and fatal is set. */
static int arm_dirs(watcher *w, watch_set *s, const watch_set *old, int fatal)
{
    for (int d = 0; d < s->ndirs; d++) {
        watch_dir *dir = &s->dirs[d];
        const watch_dir *was = set_find_dir(old, dir->path);
        if (dir_arm(w, dir)) {
            /* Back (or replaced) during the rebuild: its files were written before
               its watch existed, and the rebuild may have read the old ones. */
            if (was && was->wd != dir->wd && w->pending < 0)
                w->pending = present_file(s, d);
        } else if (dir->wd >= 0) {
            report_missing(w, dir, was);
        } else {
            report_dir(w, dir->path, fatal);
            if (fatal)
                return -1;
        }
    }
    return 0;
}

/* Watch the files of the list from now on, replacing the current set. */
static int watch_arm(watcher *w, watch_files files, int fatal)
{
    watch_set next = set_build(files);
    int rc = arm_dirs(w, &next, &w->set, fatal);
    set_free(&w->set);
    w->set = next;
    sweep_watches(w);   /* after the swap: the old set's watches that next does not use */
    return rc;
}

/* Look for directory d again; a file of it to rebuild for if it came back with one, else -1. */
static int dir_rearm(watcher *w, int d)
{
    watch_dir *dir = &w->set.dirs[d];
    int old = dir->wd;
    if (dir_arm(w, dir))
        /* A new wd means a new directory: its files may have been written before it was watched. */
        return dir->wd != old ? present_file(&w->set, d) : -1;
    if (dir->wd < 0)
        report_dir(w, dir->path, 0);
    return -1;
}

/* Look again for the directories on watch wd (only stand-in users if standins); a file or -1. */
static int rearm_where(watcher *w, int wd, int standins)
{
    int hit = -1, any = 0;
    for (int d = 0; d < w->set.ndirs; d++) {
        const watch_dir *dir = &w->set.dirs[d];
        if (dir->wd != wd || (standins && dir->here))
            continue;
        int i = dir_rearm(w, d);
        hit = hit < 0 ? i : hit;
        any = 1;
    }
    if (any)
        sweep_watches(w);
    return hit;
}

/* After lost events, look for every directory again; the file to rebuild for (the document). */
static int overflowed(watcher *w)
{
    /* Any directory may have gone or come back, and any file changed. */
    for (int d = 0; d < w->set.ndirs; d++)
        (void)dir_rearm(w, d);
    sweep_watches(w);
    return w->set.nfiles > 0 ? 0 : -1;
}

/* The watched file named in an event on a directory watched as itself, or -1. */
static int match_file(const watcher *w, const struct inotify_event *ev)
{
    if (ev->len == 0 || (ev->mask & IN_ISDIR))
        return -1;
    for (int i = 0; i < w->set.nfiles; i++) {
        const watch_file *f = &w->set.files[i];
        const watch_dir *d = &w->set.dirs[f->dir];
        /* A stand-in shares the wd of its ancestor: only a watch on the directory itself counts. */
        if (d->here && d->wd == ev->wd && strcmp(f->base, ev->name) == 0)
            return i;
    }
    return -1;
}

/* The watched file an event is about (a save, or a directory that came back with it), or -1. */
static int match_event(watcher *w, const struct inotify_event *ev)
{
    if (ev->mask & IN_Q_OVERFLOW)
        return overflowed(w);
    if (ev->mask & IN_IGNORED)
        forget_wd(w, ev->wd);
    /* The directory was deleted, moved away (its watch would follow it) or unmounted. */
    if (ev->mask & (IN_IGNORED | IN_DELETE_SELF | IN_MOVE_SELF))
        return rearm_where(w, ev->wd, 0);
    int back = -1;
    /* Any entry, not only IN_ISDIR: a symbolic link to a directory comes without it. */
    if (ev->mask & (IN_CREATE | IN_MOVED_TO))
        back = rearm_where(w, ev->wd, 1);
    int i = match_file(w, ev);
    return i >= 0 ? i : back;
}

/* Read every pending event; *hit becomes the first watched file seen if it is -1. */
static int read_events(watcher *w, int *hit)
{
    /* Big enough for an event with the longest name, aligned as the kernel writes them. */
    _Alignas(struct inotify_event) char buf[4096];
    for (;;) {
        ssize_t n = read(w->ino, buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return 0;
        if (n <= 0)
            return n < 0 ? setup_failed(w, "reading inotify events") : 0;
        for (char *p = buf; p < buf + n;) {
            const struct inotify_event *ev = (const struct inotify_event *)p;
            int i = match_event(w, ev);
            if (*hit < 0)
                *hit = i;
            p += sizeof *ev + ev->len;
        }
    }
}

/* How long poll may wait in a burst that began at start and was last fed at last (ms; <= 0: over). */
static int burst_timeout(long long start, long long last)
{
    long long end = last + WATCH_QUIET_MS;
    if (end > start + WATCH_MAX_DELAY_MS)
        end = start + WATCH_MAX_DELAY_MS;
    long long left = end - now_ms();
    return left > 0 ? (int)left : 0;
}

/*
 * Wait for a save of a watched file and the end of its burst: the index of
 * the first file saved, WAIT_SIGNAL or WAIT_ERROR.  One rebuild covers every
 * file of the burst, since it reads them all again.
 */
static int wait_for_change(watcher *w)
{
    /* A directory that came back while the last rebuild re-armed has begun a burst already. */
    int first = w->pending;
    long long start = now_ms(), last = start;
    w->pending = -1;
    for (;;) {
        int timeout = first < 0 ? -1 : burst_timeout(start, last);
        if (timeout == 0)
            return first;
        struct pollfd p[2] = {{w->sig, POLLIN, 0}, {w->ino, POLLIN, 0}};
        if (poll(p, 2, timeout) < 0) {
            if (errno == EINTR)
                continue;
            setup_failed(w, "poll");
            return WAIT_ERROR;
        }
        if (p[0].revents)
            return WAIT_SIGNAL;     /* consumed in watch_close */
        int hit = -1;
        if (p[1].revents && read_events(w, &hit) != 0)
            return WAIT_ERROR;
        if (hit >= 0) {
            last = now_ms();        /* only watched files extend the burst */
            if (first < 0)
                first = hit, start = last;
        }
    }
}

/* Rebuild after each save until a signal; 0 on a signal, 2 when inotify fails. */
static int watch_loop(watcher *w, watch_rebuild_fn rebuild, void *arg)
{
    for (;;) {
        int i = wait_for_change(w);
        if (i == WAIT_SIGNAL)
            return 0;
        if (i == WAIT_ERROR)
            return 2;
        /* The name stays valid during the call: the set is replaced only afterwards. */
        watch_files next = rebuild(arg, w->set.files[i].name);
        /* An empty list comes from a build that failed before it found its
           sources; the old ones stay watched, so the fix is noticed. */
        if (next.n > 0)
            watch_arm(w, next, 0);
    }
}

/* Open inotify, block SIGINT/SIGTERM and read them from a signalfd instead. */
static int watch_open(watcher *w)
{
    w->ino = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (w->ino < 0)
        return setup_failed(w, "inotify_init1");
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    if (sigprocmask(SIG_BLOCK, &set, &w->old_mask) != 0)
        return setup_failed(w, "sigprocmask");
    w->masked = 1;
    w->sig = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
    return w->sig < 0 ? setup_failed(w, "signalfd") : 0;
}

/* Close what watch_open opened and give the caller back its signal mask. */
static void watch_close(watcher *w)
{
    if (w->sig >= 0) {
        /* A second Ctrl-C during shutdown belongs to this watch: consume it so
           unblocking does not kill the caller. */
        struct signalfd_siginfo si;
        while (read(w->sig, &si, sizeof si) == (ssize_t)sizeof si)
            ;
        close(w->sig);
    }
    if (w->masked)
        sigprocmask(SIG_SETMASK, &w->old_mask, NULL);
    if (w->ino >= 0)
        close(w->ino);      /* ends every watch at once */
    free(w->wds);
    set_free(&w->set);
}

/* Watch files and rebuild on every save until SIGINT/SIGTERM; returns 0, or 2 when inotify fails. */
int watch_run(pb_ctx *ctx, watch_files files, watch_rebuild_fn rebuild, void *arg)
{
    watcher w = {.ctx = ctx, .ino = -1, .sig = -1, .pending = -1};
    int rc = 2;
    if (watch_open(&w) == 0 && watch_arm(&w, files, 1) == 0)
        rc = watch_loop(&w, rebuild, arg);
    watch_close(&w);
    return rc;
}
