#!/usr/bin/env python3
"""scaling: paiban's cost must grow linearly (or n log n) with its input.

Standard library only.  Used by tests/e2e/scaling.sh.

    scaling.py PAIBAN TMPDIR [SHAPE...]

For each input shape (all of them when none is named) this writes one
document of the shape at two sizes, the larger 4x the smaller, and a
minimal document of the same family (the baseline: start-up, fonts).  It
measures the CPU time (user + sys) paiban spends on each, the median of
RUNS runs, and judges the ratio

    ratio = (t_big - t0) / (t_small - t0)

never an absolute time.  Linear is about 4, n log n about 4.5, quadratic
about 16; above LIMIT (8) is a FAIL.  When t_small - t0 is below
MIN_DELTA the two sizes are doubled (up to a cap per shape) so that noise
does not decide; a doubling that overshoots far (superlinear code) tries
1.5x the previous size instead.  A big run is stopped once its CPU time
alone is past the limit, and the shape FAILs as soon as more than half of
its big runs were stopped (the median is then past the limit too), so a
quadratic shape costs seconds, not minutes.  Every run uses --max-pages
100000 and a fixed malloc mmap threshold (CHILD_ENV); a run that exits
non-zero FAILs its shape with its stderr.

Prints one "ok SHAPE: ..." or "FAIL SHAPE: ..." line per shape, with the
sizes, the times and the ratio; exits 1 when a shape failed.
Environment: SCALING_VERBOSE=1 prints every run on stderr.
"""

import os
import resource
import shutil
import signal
import statistics
import struct
import subprocess
import sys
import time
import zlib

LIMIT = 8.0          # largest ratio that passes
MIN_DELTA = 0.2      # seconds of CPU time the small size must add to the baseline
OVERSHOOT = 4        # a doubling that lands past OVERSHOOT * MIN_DELTA tries 1.5x instead
RUNS = 3             # runs per size; the median counts
WALL_CAP = 60.0      # seconds: a run still going after this is a FAIL whatever its CPU time
VERBOSE = os.environ.get('SCALING_VERBOSE') == '1'
TICK = os.sysconf('SC_CLK_TCK')
# glibc's malloc moves its mmap threshold after the first large free, and
# then whether a large array costs fresh pages (a page fault each) or reuses
# the heap depends on the heap's history: the same run of the same input
# took 0.4 s or 15 s (br before issue 10).  A fixed threshold (glibc's own
# starting value) makes every allocation of 128 KiB or more cost what it
# is, in every run.
CHILD_ENV = dict(os.environ, GLIBC_TUNABLES=':'.join(
    t for t in (os.environ.get('GLIBC_TUNABLES'), 'glibc.malloc.mmap_threshold=131072') if t))

META = '<meta><title>T</title><publisher>P</publisher><year>2024</year></meta>'


class RunFailed(Exception):
    """paiban exited non-zero, or ran past the wall-clock cap."""


def doc(body, head='<document>'):
    """A whole document (no newline at all) around the body's XML."""
    return head + META + '<body>' + body + '</body></document>'


def write(path, text):
    """Write text as UTF-8 to path, creating its directory."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'w', encoding='utf-8', newline='') as f:
        f.write(text)


def png(path, width, height):
    """Write a noisy RGB PNG (filter 0, zlib level 1): every byte one of four
    levels at random, so it compresses to a third, and what deflates with
    matches costs paiban more per pixel than pure noise would."""
    levels = bytes((i & 3) * 85 for i in range(256))
    rnd = os.urandom(width * 3 * height).translate(levels)
    row = width * 3
    raw = b''.join(b'\0' + rnd[y * row:(y + 1) * row] for y in range(height))

    def chunk(kind, data):
        """One PNG chunk: length, type, data, CRC."""
        return struct.pack('>I', len(data)) + kind + data + struct.pack('>I', zlib.crc32(kind + data))
    with open(path, 'wb') as f:
        f.write(b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', struct.pack('>IIBBBBB', width, height, 8, 2, 0, 0, 0))
                + chunk(b'IDAT', zlib.compress(raw, 1)) + chunk(b'IEND', b''))


# Generators: gen(n, dir) writes the document of size n into dir and returns its path.

def gen_oneline(n, d):
    """n small paragraphs with an <em> each, the whole file on one line."""
    path = os.path.join(d, 'main.xml')
    write(path, doc('<p>短文<em>强调</em>text</p>' * n))
    return path


def gen_run(ch):
    """A generator of one paragraph: n copies of ch between two Han characters."""
    def gen(n, d):
        path = os.path.join(d, 'main.xml')
        write(path, doc('<p>字' + ch * n + '字</p>') + '\n')
        return path
    return gen


def gen_br(n, d):
    """One paragraph of n short segments separated by <br/> (a newline inside
    each tag, so the element columns stay small and only the breaks grow)."""
    path = os.path.join(d, 'main.xml')
    write(path, doc('<p>' + '<br\n/>'.join(['短句一行'] * n) + '</p>') + '\n')
    return path


def gen_includes(n, d):
    """A main file that XIncludes n one-paragraph files from parts/ below it
    (120 characters each: an include alone costs too little to measure below
    paiban's limit of 10000)."""
    path = os.path.join(d, 'main.xml')
    for i in range(n):
        write(os.path.join(d, 'parts', '%d.xml' % i), '<p>第%d段：%s</p>\n' % (i, '文字排版' * 30))
    incs = ''.join('<xi:include href="parts/%d.xml"/>\n' % i for i in range(n))
    write(path, doc('\n' + incs, '<document xmlns:xi="http://www.w3.org/2001/XInclude">') + '\n')
    return path


def gen_image(n, d):
    """A figure whose image is a noisy square PNG of about n pixels."""
    side = max(1, round(n ** 0.5))
    path = os.path.join(d, 'main.xml')
    write(path, doc('<figure><image src="img.png" alt="噪声"/><caption>图</caption></figure>') + '\n')
    png(os.path.join(d, 'img.png'), side, side)
    return path


def gen_sections(n, d):
    """n sections with a heading and a paragraph, with the print edition's
    contents page and running heads (styles/print.xml is the default here
    only through -s in main; the default booklet has both too)."""
    path = os.path.join(d, 'main.xml')
    write(path, doc(''.join('<section><heading>第%d节</heading><p>正文一段。</p></section>\n' % i
                            for i in range(n))) + '\n')
    return path


# name, generator, unit, baseline size, first size tried, largest small size.
# The first size is small enough that even cubic code (NBSP runs before
# issue 10) answers quickly; doubling from it reaches MIN_DELTA on linear
# code well below the cap.
SHAPES = [
    ('one-line', gen_oneline, 'paragraphs on one line', 1, 500, 64000),
    ('nbsp-run', gen_run('\u00a0'), 'no-break spaces', 1, 1000, 256000),
    ('han-run', gen_run('字'), 'copies of 字', 1, 20000, 640000),
    ('ascii-word', gen_run('a'), 'letters in one word', 1, 20000, 640000),
    ('br', gen_br, '<br/>-separated segments', 1, 500, 64000),
    # a contents entry and a running head per section (quadratic before)
    ('sections', gen_sections, 'sections, each in the contents', 1, 4000, 16000),
    # paiban refuses more than 10000 XIncludes: the big size stays at 6000
    ('includes', gen_includes, 'XIncluded files', 1, 375, 1500),
    # at most 4 megapixels (the big size), so no doubling
    ('image', gen_image, 'pixels of PNG', 16 * 16, 1000 * 1000, 1000 * 1000),
]


def child_cpu(pid):
    """CPU seconds (user + sys) the running process pid has used so far."""
    try:
        with open('/proc/%d/stat' % pid) as f:
            fields = f.read().rsplit(')', 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / TICK
    except (OSError, IndexError, ValueError):
        return 0.0


def measure(paiban, xml, cpu_cap=None):
    """CPU seconds of one paiban run on xml; None when stopped past cpu_cap."""
    out = os.path.join(os.path.dirname(xml), 'out.pdf')
    err = os.path.join(os.path.dirname(xml), 'err.txt')
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.monotonic()
    stopped = None
    with open(err, 'wb') as ef:
        p = subprocess.Popen([paiban, '--max-pages', '100000', '-o', out, xml],
                             stdout=subprocess.DEVNULL, stderr=ef, env=CHILD_ENV)
        while p.poll() is None:
            if cpu_cap is not None and child_cpu(p.pid) > cpu_cap:
                stopped = 'cpu'
            elif time.monotonic() - start > WALL_CAP:
                stopped = 'wall'
            if stopped:
                p.send_signal(signal.SIGKILL)
                p.wait()
                break
            time.sleep(0.02)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if os.path.exists(out):
        os.remove(out)
    if VERBOSE:
        print('  %s: %.3f s CPU, %.3f s wall%s' % (xml, cpu, time.monotonic() - start,
                                                  ', stopped (%s)' % stopped if stopped else ''),
              file=sys.stderr)
    if stopped == 'wall':
        raise RunFailed('still running after %.0f s wall clock (%.2f s CPU)' % (WALL_CAP, cpu))
    if stopped == 'cpu':
        return None
    if p.returncode != 0:
        with open(err, encoding='utf-8', errors='replace') as f:
            lines = f.read().splitlines()
        raise RunFailed('exit %d on %s:\n%s' % (p.returncode, xml,
                                                 '\n'.join('    ' + l for l in lines[:6])))
    return cpu


def check_shape(paiban, tmp, shape):
    """Judge one shape; return (passed, report line)."""
    name, gen, unit, n0, n, n_max = shape
    d = os.path.join(tmp, name)

    def make(size):
        """The document of the given size, in a directory of its own."""
        sub = os.path.join(d, str(size))
        shutil.rmtree(sub, ignore_errors=True)
        return gen(size, sub)

    def runs_of(xml, first=()):
        """The CPU times of RUNS runs of xml, counting those in first."""
        times = list(first)
        while len(times) < RUNS:
            times.append(measure(paiban, xml))
        return times

    try:
        t0 = statistics.median(runs_of(make(n0)))
        # Double the size while the small one adds less than MIN_DELTA: one
        # run decides while it is short of it, the median once it is not.
        small = make(n)
        times = [measure(paiban, small)]
        while True:
            if times[0] - t0 >= MIN_DELTA or n * 2 > n_max:
                times = runs_of(small, times)
                if statistics.median(times) - t0 >= MIN_DELTA or n * 2 > n_max:
                    break
            shutil.rmtree(os.path.dirname(small))
            n *= 2
            small = make(n)
            times = [measure(paiban, small)]
            if times[0] - t0 > OVERSHOOT * MIN_DELTA and n % 4 == 0:
                # a steep jump (superlinear code): 1.5x the last size may do,
                # and the big runs then cost far less
                mid = make(n * 3 // 4)
                t = measure(paiban, mid)
                if t - t0 >= MIN_DELTA:
                    shutil.rmtree(os.path.dirname(small))
                    n, small, times = n * 3 // 4, mid, [t]
                else:
                    shutil.rmtree(os.path.dirname(mid))
                times = runs_of(small, times)
                break
        ts = statistics.median(times)
        shutil.rmtree(os.path.dirname(small))
        delta = ts - t0
        sizes = '%d vs %d %s' % (n, 4 * n, unit)
        if delta <= 0:
            return False, '%s: %s: the small size costs no more than the baseline (t0 %.3f s, small %.3f s)' % (
                name, sizes, t0, ts)
        # A run is stopped once its CPU time passes the limit; the median is
        # past the limit as soon as more than half of the runs are stopped.
        big = make(4 * n)
        cap = t0 + LIMIT * delta
        times, stopped = [], 0
        while len(times) + stopped < RUNS and stopped <= RUNS // 2:
            t = measure(paiban, big, cap)
            if t is None:
                stopped += 1
            else:
                times.append(t)
        shutil.rmtree(d, ignore_errors=True)
    except RunFailed as e:
        shutil.rmtree(d, ignore_errors=True)
        return False, '%s: %s' % (name, e)
    head = '%s: %s: t0 %.3f s, small %.3f s' % (name, sizes, t0, ts)
    if stopped > RUNS // 2:
        return False, '%s, big stopped %d times past %.2f s CPU: ratio > %.0f (the limit)' % (
            head, stopped, cap, LIMIT)
    tb = sorted(times + [float('inf')] * stopped)[RUNS // 2]
    ratio = (tb - t0) / delta
    line = '%s, big %.3f s CPU (medians of %d): ratio %.2f (limit %.0f%s)' % (
        head, tb, RUNS, ratio, LIMIT, '' if delta >= MIN_DELTA else
        '; the small size adds only %.3f s over the baseline' % delta)
    return ratio <= LIMIT, line


def main(argv):
    """Run the named shapes (all by default); print a line per shape."""
    if len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    paiban, tmp, names = argv[1], argv[2], argv[3:]
    known = [s[0] for s in SHAPES]
    for nm in names:
        if nm not in known:
            print('FAIL scaling: unknown shape %s (known: %s)' % (nm, ' '.join(known)))
            return 1
    failed = 0
    for shape in SHAPES:
        if names and shape[0] not in names:
            continue
        passed, line = check_shape(paiban, tmp, shape)
        print(('ok ' if passed else 'FAIL ') + line, flush=True)
        failed += not passed
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
