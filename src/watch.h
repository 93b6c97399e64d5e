/*
 * watch.h: rebuilding when a source file is saved (paiban --watch).
 *
 * watch_run() watches a set of files with inotify and calls the caller's
 * rebuild function after each save, until SIGINT or SIGTERM.  It watches
 * the files' directories rather than the files themselves, because
 * editors save by writing a new file and renaming it over the old one,
 * which would silently end a watch on the file.  Bursts of events (an
 * editor writing, then renaming, then touching) are merged into one
 * rebuild.  The rebuild function returns the new list of files to watch,
 * since a save may add or drop an XInclude.
 *
 * Ownership: watch_run borrows the file names for the duration of the
 * call; the lists the rebuild function returns are owned by the caller
 * (the rebuild function) and must stay valid until its next call.
 */
#ifndef PAIBAN_WATCH_H
#define PAIBAN_WATCH_H

#include "ctx.h"

/* A list of file names. */
typedef struct watch_files {
    int n;
    const char *const *names;
} watch_files;

/*
 * Rebuild after a change to the file called changed; returns the files to
 * watch from now on (the same list when nothing changed).  It reports its
 * own errors; a failed rebuild must not end the watch.
 */
typedef watch_files (*watch_rebuild_fn)(void *arg, const char *changed);

/* Watch files and rebuild on every save until SIGINT/SIGTERM; returns 0, or 2 when inotify fails. */
int watch_run(pb_ctx *ctx, watch_files files, watch_rebuild_fn rebuild, void *arg);

#endif
