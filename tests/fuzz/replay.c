/*
 * replay.c: run fuzz_pipeline.c's LLVMFuzzerTestOneInput on files, without
 * libFuzzer (built with the ordinary compiler, so it also runs under
 * make check-asan).  With no arguments it replays every file in
 * tests/fuzz/corpus/ and tests/fuzz/regressions/ (below PAIBAN_ROOT); the
 * regressions run with PAIBAN_FUZZ_DOCDIR set to their own directory
 * (unless it is set already), so the images and XIncludes a regression
 * needs can live beside it, in subdirectories.  An argument that is a
 * directory stands for its regular files, sorted by name; subdirectories
 * and names starting with '.' are skipped.  A failure is a crash or a
 * sanitizer report, which ends the program; otherwise every file passes.
 * Prints the tally in the unit tests' form: "fuzz_replay: N passed, N failed".
 *
 * For tests/fuzz/structure.sh: PAIBAN_FUZZ_TRACE=1 prints
 * "fuzz_replay: FILE" on stderr before each input, so the input that
 * crashed is the last one named; PAIBAN_FUZZ_TIMEOUT=N ends the program
 * when one input runs longer than N seconds, printing
 * "fuzz_replay: timeout: FILE ran over N s" and the stack, exit status 124.
 */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#if defined(__SANITIZE_ADDRESS__)
#define HAVE_SANITIZER 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define HAVE_SANITIZER 1
#endif
#endif
#ifdef HAVE_SANITIZER
void __sanitizer_print_stack_trace(void);
#else
#include <execinfo.h>
#endif

#ifndef PAIBAN_ROOT
#define PAIBAN_ROOT "."
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int trace;                       /* PAIBAN_FUZZ_TRACE is set */
static unsigned timeout_seconds;        /* PAIBAN_FUZZ_TIMEOUT, 0: none */
static const char *volatile current;   /* the file being replayed, for the timeout message */

/* SIGALRM: one input ran too long; name it, print the stack, exit 124. */
static void on_timeout(int sig)
{
    (void)sig;
    const char *file = current ? current : "?";
    char msg[4200];
    int n = snprintf(msg, sizeof msg, "fuzz_replay: timeout: %s ran over %u s\n", file,
                     timeout_seconds);
    if (write(STDERR_FILENO, msg, n > 0 && (size_t)n < sizeof msg ? (size_t)n : 0) < 0)
        _exit(124);
#ifdef HAVE_SANITIZER
    __sanitizer_print_stack_trace();
#else
    void *frames[64];
    backtrace_symbols_fd(frames, backtrace(frames, 64), STDERR_FILENO);
#endif
    _exit(124);
}

/* Run one file through the harness; 0, or -1 when it cannot be read. */
static int replay(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "fuzz_replay: cannot read %s\n", path);
        return -1;
    }
    size_t cap = 4096, n = 0, got;
    uint8_t *buf = malloc(cap);
    while (buf && (got = fread(buf + n, 1, cap - n, f)) > 0)
        if ((n += got) == cap)
            buf = realloc(buf, cap *= 2);
    fclose(f);
    if (!buf) {
        fprintf(stderr, "fuzz_replay: out of memory\n");
        exit(2);
    }
    if (trace)
        fprintf(stderr, "fuzz_replay: %s\n", path);
    current = path;
    if (timeout_seconds)
        alarm(timeout_seconds);
    LLVMFuzzerTestOneInput(buf, n);
    if (timeout_seconds)
        alarm(0);
    current = NULL;
    free(buf);
    return 0;
}

/* 1 when path is a directory. */
static int is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Replay every regular file of dir (sorted); counts into *pass and *fail. */
static void replay_dir(const char *dir, int *pass, int *fail)
{
    struct dirent **names;
    int n = scandir(dir, &names, NULL, alphasort);
    if (n < 0 && errno == ENOENT)
        return;                 /* no regressions yet */
    if (n < 0) {
        fprintf(stderr, "fuzz_replay: cannot list %s\n", dir);
        ++*fail;
        return;
    }
    for (int i = 0; i < n; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]->d_name);
        if (names[i]->d_name[0] != '.' && !is_dir(path)) {
            if (replay(path) == 0)
                ++*pass;
            else
                ++*fail;
        }
        free(names[i]);
    }
    free(names);
}

/* Read the tracing and timeout settings from the environment. */
static void read_settings(void)
{
    const char *t = getenv("PAIBAN_FUZZ_TRACE"), *s = getenv("PAIBAN_FUZZ_TIMEOUT");
    trace = t && *t && strcmp(t, "0") != 0;
    timeout_seconds = s ? (unsigned)strtoul(s, NULL, 10) : 0;
    if (timeout_seconds) {
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = on_timeout;
        sigaction(SIGALRM, &sa, NULL);
    }
}

int main(int argc, char **argv)
{
    int pass = 0, fail = 0;
    read_settings();
    if (argc < 2) {
        replay_dir(PAIBAN_ROOT "/tests/fuzz/corpus", &pass, &fail);
        int own_docdir = !getenv("PAIBAN_FUZZ_DOCDIR");
        if (own_docdir)
            setenv("PAIBAN_FUZZ_DOCDIR", PAIBAN_ROOT "/tests/fuzz/regressions", 1);
        replay_dir(PAIBAN_ROOT "/tests/fuzz/regressions", &pass, &fail);
        if (own_docdir)
            unsetenv("PAIBAN_FUZZ_DOCDIR");
    }
    for (int i = 1; i < argc; i++) {
        if (is_dir(argv[i]))
            replay_dir(argv[i], &pass, &fail);
        else if (replay(argv[i]) == 0)
            pass++;
        else
            fail++;
    }
    printf("fuzz_replay: %d passed, %d failed\n", pass, fail);
    return fail ? 1 : 0;
}
