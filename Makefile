# paiban: build, outputs and tests.
#
#   make          install missing Debian packages, build build/paiban and every output in out/
#   make check    install missing Debian packages, run every test
#   make check-asan   the same tests with AddressSanitizer and UBSan
#   make bench    print speed figures (medians)
#   make fuzz FUZZ_SECONDS=N   fuzz the whole pipeline with libFuzzer for N seconds
#   make fuzz-structure FUZZ_SECONDS=N   the same with generated valid documents and style sheets
#   make install [PREFIX=/usr/local] [DESTDIR=]   install paiban, its data, man page, completion
#   make uninstall [PREFIX=…]   remove what make install put there
#
#   make print-debs   print the Debian package lists below
#
# Targets that compile call `deps` (DEBS_BUILD) or `deps-test` (DEBS_BUILD
# and DEBS_TEST) first and then re-enter make, so that pkg-config is only
# asked once the -dev packages are known to be there.
#
# DEBS_BUILD: what building paiban and its outputs needs.  libgs-common
# ships the CMYK printer profile of the PDF/X output intent (and the sRGB
# profile for images); git gives SOURCE_DATE_EPOCH (the last commit's time).
DEBS_BUILD := gcc make pkg-config git libxml2-dev libharfbuzz-dev libfreetype-dev libhpdf-dev \
        libpng-dev libicu-dev libfontconfig-dev fonts-noto-cjk libgs-common \
        libhyphen-dev hyphen-en-us zlib1g-dev
# DEBS_TEST: what the tests add, for every program they call that is not in an
# Essential package (which every Debian system has): the table
# E2E_TOOL_PACKAGES in tests/e2e/lib.sh maps each to its package, and
# tests/e2e/tools.sh checks that this list and that table cover every command
# the tests call.  fontconfig is fc-match, libxml2-utils xmllint, time
# /usr/bin/time, man-db man, mawk awk; valgrind is for debugging by hand.
DEBS_TEST := poppler-utils mupdf-tools qpdf python3 ghostscript fontconfig libxml2-utils \
        time man-db mawk valgrind
# Only for make fuzz: clang and its libFuzzer runtime.
FUZZ_DEBS := clang-14 libclang-rt-14-dev
PKGS := libxml-2.0 harfbuzz harfbuzz-subset freetype2 fontconfig icu-uc libpng

BUILD ?= build
SAN ?=
CC ?= cc
OPT ?= -O2
# pkg-config is asked once per make, and only when a compile or link first
# needs its answer: each variable replaces itself with its value (:=) on
# first use.  Parsing the Makefile never runs it, so a target that first
# installs it (deps, above) works on a machine that does not have it yet.
PKG_CFLAGS = $(eval PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS)))$(PKG_CFLAGS)
PKG_LIBS = $(eval PKG_LIBS := $(shell pkg-config --libs $(PKGS)))$(PKG_LIBS)
CFLAGS_BASE = -std=c11 $(OPT) -g -Wall -Wextra -Werror -D_POSIX_C_SOURCE=200809L \
              -D_DEFAULT_SOURCE $(PKG_CFLAGS)
LDLIBS = $(PKG_LIBS) -lhpdf -lhyphen -lz -lm
# Each compile writes a make rule (FILE.d beside its output) naming the
# headers it really read; -MP adds an empty rule for each, so deleting a
# header does not stop make.
DEPFLAGS = -MMD -MP
ifeq ($(SAN),1)
SANFLAGS = -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
endif
CFLAGS_ALL = $(CFLAGS_BASE) $(SANFLAGS) $(CFLAGS)

SRCS := $(wildcard src/*.c)
LIB_OBJS := $(patsubst src/%.c,$(BUILD)/obj/%.o,$(filter-out src/main.c,$(SRCS)))
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRCS)) $(BUILD)/tests/test_fuzz_replay

OUTPUTS := out/.built

.PHONY: all deps deps-test fuzz-deps print-debs build outputs previews check check-run check-asan bench fuzz fuzz-run fuzz-structure clean install install-files uninstall
.DEFAULT_GOAL := all

all: deps
	@$(MAKE) --no-print-directory outputs

# Install what is missing (as root), or print the exact command to run.  One
# dpkg-query for the whole list; a package it does not know is missing too.
deps: DEPS_WANT = $(DEBS_BUILD)
deps-test: DEPS_WANT = $(DEBS_BUILD) $(DEBS_TEST)
fuzz-deps: DEPS_WANT = $(FUZZ_DEBS)
deps deps-test fuzz-deps:
	@have=" $$(dpkg-query -W -f='$${Package} $${Status}\n' $(DEPS_WANT) 2>/dev/null | \
	  sed -n 's/ install ok installed$$//p' | tr '\n' ' ')"; \
	missing=""; for p in $(DEPS_WANT); do \
	  case "$$have" in *" $$p "*) ;; *) missing="$$missing $$p" ;; esac; \
	done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	  else \
	    echo "missing packages; run: sudo apt-get install$$missing"; exit 1; \
	  fi; \
	fi

print-debs:
	@echo "DEBS_BUILD: $(DEBS_BUILD)"
	@echo "DEBS_TEST: $(DEBS_TEST)"
	@echo "FUZZ_DEBS: $(FUZZ_DEBS)"

build: $(BUILD)/paiban

outputs: $(OUTPUTS)

# Objects and programs depend on the headers they include (the .d files)
# and on this Makefile, whose flags they are built with.
$(BUILD)/obj/%.o: src/%.c Makefile | $(BUILD)/obj
	$(CC) $(CFLAGS_ALL) $(DEPFLAGS) -c -o $@ $<

$(BUILD)/obj $(BUILD)/tests:
	mkdir -p $@

# The headers each object and program read, from its last compile.
-include $(wildcard $(BUILD)/obj/*.d $(BUILD)/tests/*.d $(BUILD)/*.d)

$(BUILD)/paiban: $(BUILD)/obj/main.o $(LIB_OBJS) Makefile
	$(CC) $(CFLAGS_ALL) -o $@ $(filter %.o,$^) $(LDLIBS)

$(BUILD)/bench_compose: tests/bench/bench_compose.c $(LIB_OBJS) Makefile
	$(CC) $(CFLAGS_ALL) $(DEPFLAGS) -Isrc -o $@ $< $(LIB_OBJS) $(LDLIBS)

$(BUILD)/tests/%: tests/unit/%.c $(LIB_OBJS) Makefile | $(BUILD)/tests
	$(CC) $(CFLAGS_ALL) $(DEPFLAGS) -Isrc -o $@ $< $(LIB_OBJS) $(LDLIBS)

# The fuzz corpus replayed through the pipeline, without libFuzzer.
# fuzz_pipeline.c goes last: with two sources and one output, gcc -MMD
# writes the .d of the last one, and replay.c includes no project header.
FUZZ_SRCS := tests/fuzz/replay.c tests/fuzz/fuzz_pipeline.c
$(BUILD)/tests/test_fuzz_replay: $(FUZZ_SRCS) $(LIB_OBJS) Makefile | $(BUILD)/tests
	$(CC) $(CFLAGS_ALL) $(DEPFLAGS) -Isrc -DPAIBAN_ROOT='"$(CURDIR)"' -o $@ $(FUZZ_SRCS) $(LIB_OBJS) $(LDLIBS)

# libFuzzer on the whole pipeline (tests/fuzz/fuzz_pipeline.c), for
# FUZZ_SECONDS seconds, on a copy of the seed corpus in build/fuzz/corpus
# (new inputs collect there; crashes are written to build/fuzz/), with a
# dictionary of the element, attribute and property names.
FUZZ_SECONDS ?= 60
FUZZ_FLAGS ?=
FUZZ_DIR := build/fuzz
FUZZ_CC := clang-14
FUZZ_CFLAGS = $(CFLAGS_BASE) -O1 -fno-omit-frame-pointer -fsanitize=address,undefined \
              -fno-sanitize-recover=undefined
FUZZ_OBJS := $(patsubst src/%.c,$(FUZZ_DIR)/obj/%.o,$(filter-out src/main.c,$(SRCS)))

fuzz: deps fuzz-deps
	@$(MAKE) --no-print-directory fuzz-run

# Structure-aware fuzzing for FUZZ_SECONDS seconds (tests/fuzz/structure.sh):
# random, mostly valid documents and style sheets from tests/fuzz/gen.py
# through the ASan+UBSan replay harness, built in build/asan (or in BUILD
# when given); each new crash, sanitizer report or hang is saved into
# tests/fuzz/regressions/.
FUZZ_STRUCTURE_BUILD = $(if $(filter command line environment,$(origin BUILD)),$(BUILD),build/asan)
fuzz-structure: deps-test
	@$(MAKE) --no-print-directory BUILD=$(FUZZ_STRUCTURE_BUILD) SAN=1 OPT=-O1 \
	  $(FUZZ_STRUCTURE_BUILD)/tests/test_fuzz_replay
	BUILD=$(FUZZ_STRUCTURE_BUILD) FUZZ_SECONDS=$(FUZZ_SECONDS) FUZZ_NO_BUILD=1 sh tests/fuzz/structure.sh

fuzz-run: $(FUZZ_DIR)/fuzz_pipeline
	@mkdir -p $(FUZZ_DIR)/corpus
	cp -n tests/fuzz/corpus/* $(FUZZ_DIR)/corpus/
	cd $(FUZZ_DIR) && ./fuzz_pipeline -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
	  -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 -dict=$(CURDIR)/tests/fuzz/paiban.dict \
	  $(FUZZ_FLAGS) corpus

$(FUZZ_DIR)/obj/%.o: src/%.c Makefile | $(FUZZ_DIR)/obj
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(DEPFLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<

$(FUZZ_DIR)/obj:
	mkdir -p $@

-include $(wildcard $(FUZZ_DIR)/obj/*.d $(FUZZ_DIR)/*.d)

$(FUZZ_DIR)/fuzz_pipeline: tests/fuzz/fuzz_pipeline.c $(FUZZ_OBJS) Makefile
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(DEPFLAGS) -fsanitize=fuzzer -Isrc -DPAIBAN_ROOT='"$(CURDIR)"' \
	  -o $@ $< $(FUZZ_OBJS) $(LDLIBS)

# The print edition.  SOURCE_DATE_EPOCH defaults to the last commit's time
# so that a rebuild of the same sources is byte-identical.
# git is asked once per make, on first use (the value replaces itself, as
# PKG_CFLAGS does); sub-makes inherit the exported value.
SOURCE_DATE_EPOCH ?= $(eval SOURCE_DATE_EPOCH := $(shell git log -1 --format=%ct 2>/dev/null))$(SOURCE_DATE_EPOCH)
export SOURCE_DATE_EPOCH

# One run writes every output (xml/build.xml: the print edition, the
# printer's imposed file and the ten handouts): it reads the sources and
# loads the fonts once, lays the edition out once for both of its files, and
# rewrites only the outputs whose bytes change, so after an edit in
# xml/trends/03.xml only report.pdf, report-imposed.pdf and trend-03.pdf
# are new.  The run records what it read (XML files, XIncludes too, style
# sheets, schema, fonts) in a dependency file; the stamp stands for the
# outputs, since make cannot know in advance which of them will change.
# out/.cache keeps the font subsets: after an edit that brings no new
# glyph, no font is subset again.
DEPDIR := out/.deps
BUILD_STAMP := out/.built
-include $(wildcard $(DEPDIR)/*.d)

out/report.pdf out/report-imposed.pdf: $(BUILD_STAMP) ;
out/handouts/trend-%.pdf: $(BUILD_STAMP) ;
$(BUILD_STAMP): $(BUILD)/paiban xml/build.xml
	@mkdir -p out/handouts $(DEPDIR)
	$(BUILD)/paiban --build xml/build.xml --cache out/.cache --depfile $(DEPDIR)/outputs.d \
	  --deptarget $@
	@touch $@

# Proofs to look at as a designer does: every page of the edition small on
# one sheet, in spreads (contact.png), the cover, the printer's second sheet,
# and each handout whole.
previews: deps-test
	@$(MAKE) --no-print-directory $(OUTPUTS)
	@mkdir -p out/previews
	$(BUILD)/paiban -s styles/print.xml --impose contact -o out/previews/contact.pdf xml/report.xml
	pdftoppm -r 50 -singlefile -png out/previews/contact.pdf out/previews/contact
	pdftoppm -r 80 -f 1 -l 1 -singlefile -png out/report.pdf out/previews/cover
	pdftoppm -r 60 -f 3 -l 3 -singlefile -png out/report-imposed.pdf out/previews/spread
	for f in out/handouts/trend-*.pdf; do \
	  pdftoppm -r 50 -singlefile -png "$$f" "out/previews/$$(basename "$$f" .pdf)" || exit 1; done

check: deps-test
	@$(MAKE) --no-print-directory check-run

check-run: $(BUILD)/paiban $(UNIT_BINS)
	@BUILD=$(BUILD) sh tests/run.sh

check-asan: deps-test
	@$(MAKE) --no-print-directory BUILD=build/asan SAN=1 OPT=-O1 check-run

bench: deps-test
	@$(MAKE) --no-print-directory $(BUILD)/paiban $(BUILD)/bench_compose
	@BUILD=$(BUILD) sh tests/bench.sh

clean:
	rm -rf build out

# make install [PREFIX=/usr/local] [DESTDIR=]: the binary, the schema, the
# style sheets, the examples with the element reference, the manual page and
# bash completion.  The binary finds its data in PREFIX/share/paiban, relative
# to itself, so the installed tree may be moved.
PREFIX ?= /usr/local
DESTDIR ?=
BINDIR = $(DESTDIR)$(PREFIX)/bin
DATADIR = $(DESTDIR)$(PREFIX)/share/paiban
MANDIR = $(DESTDIR)$(PREFIX)/share/man/man1
COMPDIR = $(DESTDIR)$(PREFIX)/share/bash-completion/completions
INSTALLED_DATA = xml/paiban.rng xml/build.rng $(wildcard styles/*.xml) styles/README.md \
                 $(wildcard examples/*) docs/elements.md

install: deps
	@$(MAKE) --no-print-directory install-files

install-files: $(BUILD)/paiban
	install -d $(BINDIR) $(DATADIR)/xml $(DATADIR)/styles $(DATADIR)/examples $(MANDIR) $(COMPDIR)
	install -m 755 $(BUILD)/paiban $(BINDIR)/paiban
	install -m 644 xml/paiban.rng xml/build.rng $(DATADIR)/xml/
	install -m 644 $(wildcard styles/*.xml) styles/README.md $(DATADIR)/styles/
	install -m 644 $(wildcard examples/*) docs/elements.md $(DATADIR)/examples/
	install -m 644 docs/paiban.1 $(MANDIR)/paiban.1
	install -m 644 docs/paiban.bash-completion $(COMPDIR)/paiban

uninstall:
	rm -f $(BINDIR)/paiban $(MANDIR)/paiban.1 $(COMPDIR)/paiban
	rm -rf $(DATADIR)
