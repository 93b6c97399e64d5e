/*
 * test_watch.c: watch_run in a child process, driven by file changes.
 *
 * The child watches doc.xml (relative, so its directory is ".") and
 * style.xml (by full path: the same directory spelt differently) and logs
 * each rebuild's file name.  The parent writes doc.xml in place, renames a
 * temporary file over style.xml as editors do (that rebuild returns an
 * empty list, as a failed build does: the files stay watched), touches an unwatched file
 * (no rebuild), writes doc.xml five times in a burst (one rebuild, two at
 * most), then writes sub/inc.xml, which the third rebuild added (a new
 * directory); the rebuild for sub/inc.xml drops it again, and a write to it
 * must then go unnoticed.  SIGTERM, and in a second run SIGINT, must end
 * the child with status 0 and its signal mask as it was.  A directory that
 * cannot be watched (a symbolic link loop), and inotify failing (no
 * descriptors left), give 2 with an error.
 *
 * Directories that go and come back, each in its own child, which logs
 * the changed name and that file's first line: (a) the directory of a
 * watched file deleted, then made again with the file; (b) the same two
 * levels deep; (c) a directory missing at the start, made later; (d) a
 * directory moved away and a new one moved into its place.  Each time
 * the return must rebuild and so must a later save; the watches must be
 * back to one per directory (no stand-in left behind), and in (d) a save
 * in the moved-away directory must go unnoticed.  Waiting for a logged
 * line with the file's newest content, not for a number of rebuilds,
 * keeps them right however the events of a return fall into bursts.
 *
 * The parent knows the child's watches are in place by counting the
 * "inotify wd:" lines of /proc/PID/fdinfo, so no step guesses with a sleep;
 * watch_run blocks the signals before it adds a watch, so from then on a
 * signal cannot kill the child.  Every wait polls every 10 ms for at most
 * 5 s; the children also have an alarm, so nothing can hang.  A scenario
 * stops at its first failed step, since the later ones would only time out.
 */
#include "unit.h"
#include "helpers.h"

#include "ctx.h"
#include "watch.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* Every wait for the child polls this often, for at most this long (ms). */
#define STEP_MS 10
#define LIMIT_MS 5000
/* The log must stay unchanged this long before a burst counts as over (> the 50 ms debounce). */
#define SETTLE_MS 150
/* The child's own end, should the parent fail to stop it (s). */
#define CHILD_ALARM_S 30

/* What the child's rebuild function keeps between calls. */
typedef struct rebuild_state {
    const char *log;            /* appended one changed name per line */
    int calls;
    watch_files base, extended; /* the lists it returns */
    watch_files current;
    const char *extra;          /* the file only the extended list has */
} rebuild_state;

/* Sleep for ms milliseconds. */
static void sleep_ms(int ms)
{
    struct timespec t = {ms / 1000, (long)(ms % 1000) * 1000000};
    nanosleep(&t, NULL);
}

/*
 * Append changed to the log; on the 2nd call return an empty list (a failed
 * build: the files must stay watched), on the 3rd add the extra file, and
 * drop it again once it has changed.
 */
static watch_files log_rebuild(void *arg, const char *changed)
{
    rebuild_state *st = arg;
    FILE *f = fopen(st->log, "a");
    if (f) {
        fprintf(f, "%s\n", changed);
        fclose(f);
    }
    if (++st->calls == 2)
        return (watch_files){0, NULL};
    if (st->calls == 3)
        st->current = st->extended;
    if (strcmp(changed, st->extra) == 0)
        st->current = st->base;
    return st->current;
}

/* Log changed and its first line ("-" when it cannot be read); the list stays the same. */
static watch_files content_rebuild(void *arg, const char *changed)
{
    rebuild_state *st = arg;
    char *text = read_whole_file(changed);
    FILE *f = fopen(st->log, "a");
    if (f) {
        fprintf(f, "%s %.*s\n", changed, text ? (int)strcspn(text, "\n") : 1, text ? text : "-");
        fclose(f);
    }
    free(text);
    st->calls++;
    return st->base;
}

/* Never called: for runs that must fail before watching. */
static watch_files no_rebuild(void *arg, const char *changed)
{
    (void)changed;
    *(int *)arg += 1;
    return (watch_files){0, NULL};
}

/* Whether SIGINT or SIGTERM is blocked in this process. */
static int signals_blocked(void)
{
    sigset_t cur;
    sigprocmask(SIG_BLOCK, NULL, &cur);
    return sigismember(&cur, SIGINT) || sigismember(&cur, SIGTERM);
}

/* The child: watch from inside dir until a signal; exit with watch_run's status (3: mask not restored). */
static void child_watch(const char *dir, rebuild_state *st, watch_rebuild_fn fn)
{
    alarm(CHILD_ALARM_S);       /* the test must never hang, even if the parent does */
    if (chdir(dir) != 0)
        exit(4);
    pb_ctx *ctx = pb_ctx_new(stderr);
    int rc = watch_run(ctx, st->base, fn, st);
    int blocked = signals_blocked();
    pb_ctx_free(ctx);
    exit(blocked ? 3 : rc);     /* exit, not _exit: sanitizers check the child's leaks too */
}

/* Number of inotify watches the process pid holds, from /proc/PID/fdinfo. */
static int count_watches(pid_t pid)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/fdinfo", (int)pid);
    DIR *d = opendir(path);
    if (!d)
        return -1;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        char line[256];
        int fd = e->d_name[0] != '.' ? openat(dirfd(d), e->d_name, O_RDONLY) : -1;
        FILE *f = fd >= 0 ? fdopen(fd, "r") : NULL;
        while (f && fgets(line, sizeof line, f))
            n += strncmp(line, "inotify wd:", 11) == 0;
        if (f)
            fclose(f);
    }
    closedir(d);
    return n;
}

/* Wait until pid holds exactly n watches; 0 when it does in time. */
static int wait_watches(pid_t pid, int n)
{
    for (int t = 0; t < LIMIT_MS; t += STEP_MS) {
        if (count_watches(pid) == n)
            return 0;
        sleep_ms(STEP_MS);
    }
    return -1;
}

/* Number of lines in the log (0 when it does not exist yet). */
static int log_lines(const char *log)
{
    char *s = read_whole_file(log);
    int n = 0;
    for (const char *p = s; p && *p; p++)
        n += *p == '\n';
    free(s);
    return n;
}

/* Wait until the log has at least n lines; 0 when it does in time. */
static int wait_lines(const char *log, int n)
{
    for (int t = 0; t < LIMIT_MS; t += STEP_MS) {
        if (log_lines(log) >= n)
            return 0;
        sleep_ms(STEP_MS);
    }
    return -1;
}

/* Wait until the log has gone SETTLE_MS without growing; its line count. */
static int wait_settled(const char *log)
{
    int n = log_lines(log), still = 0;
    for (int t = 0; t < LIMIT_MS && still < SETTLE_MS; t += STEP_MS) {
        sleep_ms(STEP_MS);
        int m = log_lines(log);
        still = m == n ? still + STEP_MS : 0;
        n = m;
    }
    return n;
}

/* Line i (0-based) of the log, copied into out ("" when missing). */
static const char *log_line(const char *log, int i, char *out, size_t size)
{
    char *s = read_whole_file(log);
    const char *p = s ? s : "";
    for (; i > 0 && *p; i--)
        p = strchr(p, '\n') ? strchr(p, '\n') + 1 : p + strlen(p);
    size_t len = strcspn(p, "\n");
    snprintf(out, size, "%.*s", (int)(len < size ? len : size - 1), p);
    free(s);
    return out;
}

/* Write text to path in place (open, truncate, write, close). */
static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (!f || fputs(text, f) < 0 || fclose(f) != 0) {
        fprintf(stderr, "test_watch: cannot write %s\n", path);
        exit(2);
    }
}

/* Wait for pid to exit, killing it after LIMIT_MS; its wait status, or -1 when it had to be killed. */
static int reap(pid_t pid)
{
    int status;
    for (int t = 0; t < LIMIT_MS; t += STEP_MS) {
        if (waitpid(pid, &status, WNOHANG) == pid)
            return status;
        sleep_ms(STEP_MS);
    }
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
    return -1;
}

/* Fork a child watching st's base list from dir, rebuilding with fn; the parent gets its pid. */
static pid_t start_child(const char *dir, rebuild_state *st, watch_rebuild_fn fn)
{
    fflush(NULL);               /* the child must not print the parent's buffered output again */
    pid_t pid = fork();
    if (pid == 0)
        child_watch(dir, st, fn);
    return pid;
}

/* Expect the next log line (index *at) to be name. */
static void expect_line(const char *log, int *at, const char *name, const char *step)
{
    char got[256];
    CHECK(wait_lines(log, *at + 1) == 0, "%s: no rebuild within %d ms", step, LIMIT_MS);
    CHECK(strcmp(log_line(log, *at, got, sizeof got), name) == 0,
          "%s: rebuild %d was for \"%s\", expected \"%s\"", step, *at + 1, got, name);
    (*at)++;
}

/* The main scenario: saves of every kind, a burst, an added and a dropped file, SIGTERM. */
static void test_watch_saves(void)
{
    tmpdir t;
    if (tmpdir_make(&t) != 0) {
        CHECK(0, "mkdtemp: %s", strerror(errno));
        return;
    }
    char sub[128], style_tmp[160];
    const char *doc = tmpdir_write(&t, "doc.xml", "<doc/>\n");
    const char *style = tmpdir_write(&t, "style.xml", "<style/>\n");
    const char *log = tmpdir_write(&t, "rebuild.log", "");
    const char *notes = tmpdir_write(&t, "notes.txt", "");
    snprintf(sub, sizeof sub, "%s/sub", t.path);
    mkdir(sub, 0700);
    const char *inc = tmpdir_write(&t, "sub/inc.xml", "<inc/>\n");
    snprintf(style_tmp, sizeof style_tmp, "%s.tmp", style);

    const char *base[] = {"doc.xml", style};
    const char *extended[] = {"doc.xml", style, "sub/inc.xml"};
    rebuild_state st = {log, 0, {2, base}, {3, extended}, {2, base}, "sub/inc.xml"};
    struct timespec w0, w1;
    clock_gettime(CLOCK_MONOTONIC, &w0);
    pid_t pid = start_child(t.path, &st, log_rebuild);
    CHECK(pid > 0, "fork: %s", strerror(errno));
    if (pid <= 0)
        return;
    int at = 0;
    CHECK(wait_watches(pid, 1) == 0, "one watch for \".\" and its full path: %d", count_watches(pid));

    write_file(doc, "<doc>1</doc>\n");
    expect_line(log, &at, "doc.xml", "write in place");

    write_file(style_tmp, "<style>2</style>\n");
    CHECK(rename(style_tmp, style) == 0, "rename: %s", strerror(errno));
    expect_line(log, &at, style, "rename over");

    write_file(notes, "not watched\n");
    for (int i = 0; i < 5; i++) {
        char text[32];
        snprintf(text, sizeof text, "<doc>burst %d</doc>\n", i);
        write_file(doc, text);
    }
    expect_line(log, &at, "doc.xml", "burst (or the unwatched file before it)");
    int burst = wait_settled(log) - 2;     /* two rebuilds came before the burst */
    CHECK(burst >= 1 && burst <= 2, "a burst of 5 writes gave %d rebuilds", burst);
    if (burst == 2)
        expect_line(log, &at, "doc.xml", "second rebuild of the burst");

    CHECK(wait_watches(pid, 2) == 0, "the 3rd rebuild added sub/: %d watches", count_watches(pid));
    write_file(inc, "<inc>1</inc>\n");
    expect_line(log, &at, "sub/inc.xml", "added file");

    CHECK(wait_watches(pid, 1) == 0, "the rebuild for sub/inc.xml dropped sub/: %d watches",
          count_watches(pid));
    write_file(inc, "<inc>2</inc>\n");
    write_file(doc, "<doc>last</doc>\n");   /* the sentinel: the dropped file must not come first */
    expect_line(log, &at, "doc.xml", "dropped file");

    CHECK(kill(pid, SIGTERM) == 0, "kill: %s", strerror(errno));
    int status = reap(pid);
    CHECK(status != -1, "the child did not exit within %d ms of SIGTERM", LIMIT_MS);
    CHECK(status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 0,
          "SIGTERM: exit status %d (3: signal mask not restored), signal %d",
          WIFEXITED(status) ? WEXITSTATUS(status) : -1, WIFSIGNALED(status) ? WTERMSIG(status) : 0);
    CHECK(wait_settled(log) == at, "rebuilds after the last: %d lines, expected %d", log_lines(log), at);
    clock_gettime(CLOCK_MONOTONIC, &w1);
    fprintf(stderr, "test_watch: scenario took %lld ms (%d rebuilds, burst %d)\n",
            (long long)(w1.tv_sec - w0.tv_sec) * 1000 + (w1.tv_nsec - w0.tv_nsec) / 1000000, at,
            burst);

    unlink(inc);
    rmdir(sub);
    unlink(style_tmp);
    tmpdir_remove(&t);
}

/* SIGINT ends the watch like SIGTERM, even before any save. */
static void test_watch_sigint(void)
{
    tmpdir t;
    if (tmpdir_make(&t) != 0) {
        CHECK(0, "mkdtemp: %s", strerror(errno));
        return;
    }
    const char *log = tmpdir_write(&t, "rebuild.log", "");
    tmpdir_write(&t, "doc.xml", "<doc/>\n");
    const char *base[] = {"doc.xml"};
    rebuild_state st = {log, 0, {1, base}, {1, base}, {1, base}, "none"};
    pid_t pid = start_child(t.path, &st, log_rebuild);
    CHECK(pid > 0, "fork: %s", strerror(errno));
    if (pid <= 0)
        return;
    CHECK(wait_watches(pid, 1) == 0, "SIGINT run: no watch");
    kill(pid, SIGINT);
    int status = reap(pid);
    CHECK(status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 0,
          "SIGINT: wait status %#x", (unsigned)status);
    CHECK(log_lines(log) == 0, "SIGINT run rebuilt %d times", log_lines(log));
    tmpdir_remove(&t);
}

/* ---- directories that go and come back ---------------------------------- */

/* Check cond; when it fails, end the scenario, whose later steps would only time out. */
#define STEP(cond, ...)                 \
    do {                                \
        int step_ok_ = (cond);          \
        CHECK(step_ok_, __VA_ARGS__);   \
        if (!step_ok_)                  \
            goto stop;                  \
    } while (0)

/* One scenario: a child watching doc.xml and one file in a subdirectory, from a temporary directory. */
typedef struct dir_run {
    tmpdir t;
    const char *log;
    const char *names[2];
    rebuild_state st;
    pid_t pid;
} dir_run;

/* The full path of rel inside r's directory, in buf. */
static const char *in_run(const dir_run *r, const char *rel, char *buf, size_t size)
{
    snprintf(buf, size, "%s/%s", r->t.path, rel);
    return buf;
}

/* Write text and a newline to rel, in place. */
static void put(const dir_run *r, const char *rel, const char *text)
{
    char path[256], line[64];
    snprintf(line, sizeof line, "%s\n", text);
    write_file(in_run(r, rel, path, sizeof path), line);
}

/* Make directory rel and the missing ones above it, as mkdir -p does. */
static void make_dirs(const dir_run *r, const char *rel)
{
    char path[256];
    in_run(r, rel, path, sizeof path);
    for (char *p = path + strlen(r->t.path) + 1; (p = strchr(p, '/')) != NULL; p++) {
        *p = '\0';
        mkdir(path, 0700);
        *p = '/';
    }
    mkdir(path, 0700);
}

/* Delete path and everything under it, as rm -rf does (symbolic links are not followed). */
static void remove_tree(const char *path)
{
    DIR *d = opendir(path);
    struct dirent *e;
    while (d && (e = readdir(d)) != NULL) {
        char sub[512];
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0 ||
            snprintf(sub, sizeof sub, "%s/%s", path, e->d_name) >= (int)sizeof sub)
            continue;
        if (unlink(sub) != 0)
            remove_tree(sub);
    }
    if (d)
        closedir(d);
    rmdir(path);
}

/* Rename rel from to rel to. */
static int move(const dir_run *r, const char *from, const char *to)
{
    char a[256], b[256];
    return rename(in_run(r, from, a, sizeof a), in_run(r, to, b, sizeof b));
}

/* Whether the log has a line that is exactly text. */
static int log_has(const char *log, const char *text)
{
    char *s = read_whole_file(log);
    size_t len = strlen(text);
    int found = 0;
    for (const char *p = s; p && *p && !found; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : "")
        found = strncmp(p, text, len) == 0 && (p[len] == '\n' || p[len] == '\0');
    free(s);
    return found;
}

/* Wait until the log has the line text; 0 when it does in time. */
static int wait_for_line(const char *log, const char *text)
{
    for (int t = 0; t < LIMIT_MS; t += STEP_MS) {
        if (log_has(log, text))
            return 0;
        sleep_ms(STEP_MS);
    }
    return -1;
}

/* Start a child watching doc.xml and file, which is written first (with its directories) if made; 0 on success. */
static int dir_start(dir_run *r, const char *file, int made)
{
    memset(r, 0, sizeof *r);
    if (tmpdir_make(&r->t) != 0) {
        CHECK(0, "mkdtemp: %s", strerror(errno));
        return -1;
    }
    r->log = tmpdir_write(&r->t, "rebuild.log", "");
    tmpdir_write(&r->t, "doc.xml", "start\n");
    if (made) {
        char dir[128];
        snprintf(dir, sizeof dir, "%.*s", (int)(strrchr(file, '/') - file), file);
        make_dirs(r, dir);
        put(r, file, "v0");
    }
    r->names[0] = "doc.xml";
    r->names[1] = file;
    r->st = (rebuild_state){r->log, 0, {2, r->names}, {2, r->names}, {2, r->names}, "none"};
    r->pid = start_child(r->t.path, &r->st, content_rebuild);
    CHECK(r->pid > 0, "fork: %s", strerror(errno));
    if (r->pid <= 0)
        remove_tree(r->t.path);
    return r->pid > 0 ? 0 : -1;
}

/* End the child with SIGTERM (it must exit with 0) and delete the directory. */
static void dir_stop(dir_run *r, const char *name)
{
    kill(r->pid, SIGTERM);
    int status = reap(r->pid);
    CHECK(status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 0,
          "%s: SIGTERM: wait status %#x", name, (unsigned)status);
    remove_tree(r->t.path);
}

/*
 * Delete the tree top, which holds file, and wait until the child has
 * rebuilt for the deletion and is waiting again (it then rebuilds for a
 * save of doc.xml), with one watch left ("." for doc.xml and the stand-in).
 * Only then may the directory come back: a rebuild still under way would
 * re-arm it by chance, even without the fix.  0 when all of it happened.
 */
static int delete_dir(const dir_run *r, const char *name, const char *top, const char *file)
{
    char path[256], line[160];
    remove_tree(in_run(r, top, path, sizeof path));
    snprintf(line, sizeof line, "%s -", file);
    int ok = wait_for_line(r->log, line) == 0;
    CHECK(ok, "%s: no rebuild for the deletion of %s", name, file);
    put(r, "doc.xml", "deleted");
    ok = ok && wait_for_line(r->log, "doc.xml deleted") == 0;
    CHECK(ok, "%s: no rebuild for doc.xml after the deletion", name);
    ok = ok && wait_watches(r->pid, 1) == 0;
    CHECK(ok, "%s: %d watches after the deletion, expected 1", name, count_watches(r->pid));
    return ok ? 0 : -1;
}

/* After the file's directory came back with content v1: one watch per directory, and a save (v2) rebuilds. */
static int saves_again(const dir_run *r, const char *name, const char *file)
{
    char line[160];
    int ok = wait_watches(r->pid, 2) == 0;
    CHECK(ok, "%s: %d watches after the return, expected 2 (a stand-in left?)", name,
          count_watches(r->pid));
    put(r, file, "v2");
    snprintf(line, sizeof line, "%s v2", file);
    ok = ok && wait_for_line(r->log, line) == 0;
    CHECK(ok, "%s: no rebuild for a save after the directory came back", name);
    return ok ? 0 : -1;
}

/* (a) The directory of a watched file is deleted, then made again with the file. */
static void test_watch_dir_recreated(void)
{
    dir_run r;
    if (dir_start(&r, "d/file.xml", 1) != 0)
        return;
    STEP(wait_watches(r.pid, 2) == 0, "(a) %d watches at the start, expected 2", count_watches(r.pid));
    STEP(delete_dir(&r, "(a)", "d", "d/file.xml") == 0, "(a) deletion");
    make_dirs(&r, "d");
    put(&r, "d/file.xml", "v1");
    STEP(wait_for_line(r.log, "d/file.xml v1") == 0, "(a) no rebuild when the directory came back");
    STEP(saves_again(&r, "(a)", "d/file.xml") == 0, "(a) save after the return");
stop:
    dir_stop(&r, "(a)");
}

/* (b) The same two levels deep: d/sub/file.xml, d deleted, then d, d/sub and the file made one by one. */
static void test_watch_dir_recreated_deep(void)
{
    dir_run r;
    if (dir_start(&r, "d/sub/file.xml", 1) != 0)
        return;
    STEP(wait_watches(r.pid, 2) == 0, "(b) %d watches at the start, expected 2", count_watches(r.pid));
    STEP(delete_dir(&r, "(b)", "d", "d/sub/file.xml") == 0, "(b) deletion");
    make_dirs(&r, "d");
    /* "." for doc.xml, and d as the stand-in of d/sub. */
    CHECK(wait_watches(r.pid, 2) == 0, "(b) d was made: %d watches, expected 2", count_watches(r.pid));
    make_dirs(&r, "d/sub");
    put(&r, "d/sub/file.xml", "v1");
    STEP(wait_for_line(r.log, "d/sub/file.xml v1") == 0, "(b) no rebuild when d/sub came back");
    STEP(saves_again(&r, "(b)", "d/sub/file.xml") == 0, "(b) save after the return");
stop:
    dir_stop(&r, "(b)");
}

/* (c) The directory of a watched file does not exist at the start; new/deep and the file are made at once. */
static void test_watch_dir_missing_at_start(void)
{
    dir_run r;
    if (dir_start(&r, "new/deep/file.xml", 0) != 0)
        return;
    /* One watch: "." for doc.xml, also the stand-in of new/deep. */
    STEP(wait_watches(r.pid, 1) == 0, "(c) %d watches at the start, expected 1", count_watches(r.pid));
    /* That watch is there before the stand-in is chosen: a rebuild shows the child has done all of it. */
    put(&r, "doc.xml", "ready");
    STEP(wait_for_line(r.log, "doc.xml ready") == 0, "(c) no rebuild for doc.xml");
    make_dirs(&r, "new/deep");
    put(&r, "new/deep/file.xml", "v1");
    STEP(wait_for_line(r.log, "new/deep/file.xml v1") == 0, "(c) no rebuild when the directory was made");
    STEP(saves_again(&r, "(c)", "new/deep/file.xml") == 0, "(c) save after the directory was made");
stop:
    dir_stop(&r, "(c)");
}

/* (d) The directory is moved away and a new one moved into its place at once (IN_MOVE_SELF). */
static void test_watch_dir_replaced(void)
{
    dir_run r;
    if (dir_start(&r, "d/file.xml", 1) != 0)
        return;
    STEP(wait_watches(r.pid, 2) == 0, "(d) %d watches at the start, expected 2", count_watches(r.pid));
    make_dirs(&r, "d.new");
    put(&r, "d.new/file.xml", "v1");
    STEP(move(&r, "d", "d.old") == 0 && move(&r, "d.new", "d") == 0, "(d) rename: %s", strerror(errno));
    STEP(wait_for_line(r.log, "d/file.xml v1") == 0, "(d) no rebuild when the new directory came");
    STEP(wait_watches(r.pid, 2) == 0, "(d) %d watches after the swap, expected 2 (the old one still watched?)",
         count_watches(r.pid));
    int n = wait_settled(r.log);
    put(&r, "d.old/file.xml", "stale");
    put(&r, "doc.xml", "sentinel");     /* rebuilt after the stale save, had that been seen */
    STEP(wait_for_line(r.log, "doc.xml sentinel") == 0, "(d) no rebuild for doc.xml");
    CHECK(log_lines(r.log) == n + 1, "(d) a save in the moved-away directory rebuilt: %d lines, expected %d",
          log_lines(r.log), n + 1);
    STEP(saves_again(&r, "(d)", "d/file.xml") == 0, "(d) save after the swap");
stop:
    dir_stop(&r, "(d)");
}

/* Lower the soft descriptor limit to the lowest free descriptor, so no new one can be opened. */
static int take_all_fds(struct rlimit *was)
{
    int lowest = open("/dev/null", O_RDONLY);
    getrlimit(RLIMIT_NOFILE, was);
    struct rlimit lim = *was;
    lim.rlim_cur = (rlim_t)(lowest >= 0 ? lowest : 0);    /* soft only, so it can be raised again */
    if (lowest >= 0)
        close(lowest);
    return lowest >= 0 ? setrlimit(RLIMIT_NOFILE, &lim) : -1;
}

/* In the child: watch_run on name must fail at once; 0 when it returns 2 with message, no rebuild, the mask restored. */
static int setup_fails(const char *name, int no_fds, const char *message)
{
    capture c;
    pb_ctx *ctx = capture_start(&c);
    struct rlimit was;
    int calls = 0, rc = 9;
    if (!no_fds || take_all_fds(&was) == 0)
        rc = watch_run(ctx, (watch_files){1, &name}, no_rebuild, &calls);
    if (no_fds)
        setrlimit(RLIMIT_NOFILE, &was);     /* LeakSanitizer needs descriptors at exit */
    int bad = rc != 2 || !strstr(capture_text(&c), message) || calls || signals_blocked();
    if (bad)
        fprintf(stderr, "returned %d, %d rebuilds, mask %s, said: %s\n", rc, calls,
                signals_blocked() ? "left blocked" : "restored", capture_text(&c));
    capture_end(&c);
    return bad;
}

/* watch_run must give 2 and message at once; run in a child, because a wrong 0 would wait forever. */
static void expect_setup_failure(const char *what, const char *name, int no_fds, const char *message)
{
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        alarm(CHILD_ALARM_S);
        exit(setup_fails(name, no_fds, message));
    }
    CHECK(pid > 0, "fork: %s", strerror(errno));
    int status = pid > 0 ? reap(pid) : -1;
    CHECK(status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 0,
          "%s: the child %s (wait status %#x)", what,
          status == -1 ? "was still watching" : "failed", (unsigned)status);
}

/*
 * A directory that cannot be watched (a symbolic link loop: not missing,
 * so not waited for), and inotify without a descriptor: 2 with an error.
 */
static void test_watch_setup_errors(void)
{
    tmpdir t;
    char loop[128], name[160], message[192];
    if (tmpdir_make(&t) != 0) {
        CHECK(0, "mkdtemp: %s", strerror(errno));
        return;
    }
    snprintf(loop, sizeof loop, "%s/loop", t.path);
    CHECK(symlink("loop", loop) == 0, "symlink: %s", strerror(errno));
    snprintf(name, sizeof name, "%s/doc.xml", loop);
    snprintf(message, sizeof message, "%s: error: cannot watch this directory", loop);
    expect_setup_failure("symbolic link loop", name, 0, message);
    unlink(loop);
    tmpdir_remove(&t);
    expect_setup_failure("no descriptors", "doc.xml", 1,
                         "paiban: error: cannot watch files: inotify_init1");
}

int main(void)
{
    alarm(120);     /* the last safety net: every wait below is bounded already */
    test_watch_saves();
    test_watch_sigint();
    test_watch_dir_recreated();
    test_watch_dir_recreated_deep();
    test_watch_dir_missing_at_start();
    test_watch_dir_replaced();
    test_watch_setup_errors();
    return unit_done("test_watch");
}
