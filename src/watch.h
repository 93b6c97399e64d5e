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
 * A burst ends when 50 ms pass without another event for a watched file
 * (at most 1 s after its first event); saves of several files in one burst
 * give one rebuild, named after the first.  Events for other files in the
 * same directories (the output PDF, editor backups) are ignored.
 *
 * A directory that does not exist, at the start or later (deleted, moved
 * away, replaced by a git checkout), is waited for: its nearest existing
 * ancestor is watched until the directory is there again, however many
 * levels had to be made, and then the directory itself.  Its return counts
 * as a save of its first watched file that exists, since its files may be
 * back with new content.  A directory moved away is no longer watched.
 * Renaming an ancestor of a watched directory is not noticed.
 *
 * SIGINT and SIGTERM are blocked while watch_run runs and read from a
 * signalfd, so a signal during a rebuild ends the watch once the rebuild
 * has finished; the caller's signal mask is restored before returning.
 * Any other directory that cannot be watched (no permission, the watch
 * limit) is an error at the start (watch_run returns 2) and a warning
 * after a rebuild (its files are not watched).
 *
 * Ownership: watch_run copies the names of the list it is given and of
 * each list the rebuild function returns, so the lists stay the caller's
 * and need not outlive the call that hands them over.  The changed name
 * passed to the rebuild function is valid until that call returns.
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
 * own errors; a failed rebuild must not end the watch.  An empty list
 * (a build that failed before it knew its sources) keeps the current files.
 */
typedef watch_files (*watch_rebuild_fn)(void *arg, const char *changed);

/* Watch files and rebuild on every save until SIGINT/SIGTERM; returns 0, or 2 when inotify fails. */
int watch_run(pb_ctx *ctx, watch_files files, watch_rebuild_fn rebuild, void *arg);

#endif
