/*
 * replay.c: run fuzz_pipeline.c's LLVMFuzzerTestOneInput on files, without
 * libFuzzer (built with the ordinary compiler, so it also runs under
 * make check-asan).  With no arguments it replays every file in
 * tests/fuzz/corpus/ and tests/fuzz/regressions/ (below PAIBAN_ROOT).  A failure is a crash or a sanitizer report, which
 * ends the program; otherwise every file passes.  Prints the tally in the
 * unit tests' form: "fuzz_replay: N passed, N failed".
 */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef PAIBAN_ROOT
#define PAIBAN_ROOT "."
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

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
    LLVMFuzzerTestOneInput(buf, n);
    free(buf);
    return 0;
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
        if (names[i]->d_name[0] != '.') {
            char path[4096];
            snprintf(path, sizeof path, "%s/%s", dir, names[i]->d_name);
            if (replay(path) == 0)
                ++*pass;
            else
                ++*fail;
        }
        free(names[i]);
    }
    free(names);
}

int main(int argc, char **argv)
{
    int pass = 0, fail = 0;
    if (argc < 2) {
        replay_dir(PAIBAN_ROOT "/tests/fuzz/corpus", &pass, &fail);
        replay_dir(PAIBAN_ROOT "/tests/fuzz/regressions", &pass, &fail);
    }
    for (int i = 1; i < argc; i++) {
        if (replay(argv[i]) == 0)
            pass++;
        else
            fail++;
    }
    printf("fuzz_replay: %d passed, %d failed\n", pass, fail);
    return fail ? 1 : 0;
}
