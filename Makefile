# ttytop -- see README.md. `sudo make run`, `sudo make test`.
.DEFAULT_GOAL := all

VERSION := 0.1.0
CC ?= gcc
CLANG ?= clang
BPFTOOL ?= bpftool
# The architecture built for (x86 or arm64; `make dist` builds both). BPF types,
# BPF arch helpers and the user-space arch file are chosen by it.
ARCH ?= $(shell uname -m | sed 's/x86_64/x86/;s/aarch64/arm64/')

B ?= build
# Where `make install` puts things (under DESTDIR when staging a package).
prefix ?= /usr/local
sbindir ?= $(prefix)/sbin
mandir ?= $(prefix)/share/man
man8dir ?= $(mandir)/man8
themedir ?= $(prefix)/share/ttytop/themes
CFLAGS_BASE := -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -O2 -g -I$(B) -Isrc -Ibpf \
	-DTTYTOP_VERSION='"$(VERSION)"'
CFLAGS ?=
LDLIBS := -lbpf -lelf -lz -lcjson -lncursesw -ltinfo -lm
# x86-64 finds the RETs the stop-the-world probes go on with Zydis (src/arch_x86.c)
LDLIBS_ARCH_x86 := -lZydis
LDLIBS += $(LDLIBS_ARCH_$(ARCH))

# Debian packages needed to build, run and test. `make deps` installs what is missing.
DEB_BUILD := clang llvm make gcc libbpf-dev libelf-dev bpftool libncurses-dev libcjson-dev \
	zlib1g-dev pkg-config libzydis-dev
DEB_TEST := libcmocka-dev golang-go tmux python3 python3-jsonschema bpftrace procps util-linux \
	libclang-rt-14-dev binutils qemu-system-x86 busybox-static cpio kmod xz-utils zstd \
	qemu-system-arm qemu-user-static
DEB_SHOTS := aha chromium fonts-dejavu-core
DEPS_STAMP := $(B)/.deps

# One src/arch_<arch>.c per architecture (registers, TLS, instruction checks).
SRC_CORE := $(filter-out src/arch_%.c,$(wildcard src/*.c)) src/arch_$(ARCH).c
SRC_TUI := $(wildcard tui/*.c)
OBJ_CORE := $(SRC_CORE:%.c=$(B)/%.o)
OBJ_TUI := $(SRC_TUI:%.c=$(B)/%.o)
OBJ_MAIN := $(B)/main.o

UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(B)/tests/%)

.PHONY: test-clock all deps deps-test deps-shots run test unit fixtures bench fuzz screenshots clean format install \
	dist demo

all: ttytop

# --- dependencies -----------------------------------------------------------
# One stamp so that a built tree does not run apt on every make; `make deps`
# always re-checks. Only missing packages are installed.
$(DEPS_STAMP):
	@mkdir -p $(B)
	@./tools/deps.sh $(DEB_BUILD)
	@touch $@

deps:
	@./tools/deps.sh $(DEB_BUILD) $(DEB_TEST)
	@mkdir -p $(B) && touch $(DEPS_STAMP)

deps-test: $(DEPS_STAMP)
	@./tools/deps.sh $(DEB_TEST)

deps-shots: $(DEPS_STAMP)
	@./tools/deps.sh $(DEB_SHOTS)

# A recipe that fails removes its half-written target (a truncated skeleton,
# an empty object), so the next make retries it instead of building on it.
.DELETE_ON_ERROR:

# Header dependencies come from the compiler: every compile writes a .d file
# next to its object (-MMD; -MP lets a header be removed), read back here.
DEPFLAGS := -MMD -MP

# --- BPF --------------------------------------------------------------------
$(B)/ttytop.bpf.o: bpf/ttytop.bpf.c | $(DEPS_STAMP)
	@mkdir -p $(B)
	$(CLANG) -g -O2 -target bpf -D__TARGET_ARCH_$(ARCH) -Ibpf/$(ARCH) -Ibpf $(DEPFLAGS) -c $< -o $@

$(B)/ttytop.skel.h: $(B)/ttytop.bpf.o
	$(BPFTOOL) gen skeleton $< name ttytop_bpf > $@

# --- user space -------------------------------------------------------------
# TT_DEFS: per-object definitions (target-specific, below).
$(B)/%.o: %.c | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_BASE) $(TT_DEFS) $(CFLAGS) $(DEPFLAGS) -c $< -o $@

# Generated headers must exist before the first compile that includes them
# (there is no .d file yet to say so). Objects that include the skeleton:
$(B)/src/collector.o: $(B)/ttytop.skel.h

# --- tui: built-in themes (owner: tui) -------------------------------------
# themes/*.theme are the one source of truth for the colour themes; the four
# shipped ones are compiled into the binary as C strings, so none is needed
# at run time.
THEME_BUILTIN := themes/default.theme themes/light.theme themes/mono.theme \
	themes/high-contrast.theme
$(B)/themes.h: $(THEME_BUILTIN) tools/gen-themes.sh
	@mkdir -p $(B)
	./tools/gen-themes.sh $(THEME_BUILTIN) > $@.tmp && mv $@.tmp $@
$(B)/tui/theme.o: $(B)/themes.h
# The theme directory follows prefix; a prefix other than the last build's
# rebuilds theme.o (the stamp changes only with the directory).
$(B)/tui/theme.o: TT_DEFS = -DTTYTOP_THEMEDIR='"$(themedir)"'
$(B)/tui/theme.o: $(B)/themedir.stamp
.PHONY: FORCE
$(B)/themedir.stamp: FORCE
	@mkdir -p $(B)
	@echo '$(themedir)' | cmp -s - $@ || echo '$(themedir)' > $@
# fuzz/fuzz_theme.c compiles tui/theme.c, which includes the generated header.
fuzz: $(B)/themes.h
# The common terminals' compiled terminfo entries, for a static binary on a
# machine with no terminfo database (tui/terminfo.c); from ncurses-base.
TERMINFO_BUILTIN := xterm-256color xterm screen screen-256color tmux tmux-256color linux vt100
$(B)/terminfo.h: tools/gen-terminfo.sh
	@mkdir -p $(B)
	./tools/gen-terminfo.sh $(TERMINFO_BUILTIN) > $@.tmp && mv $@.tmp $@
$(B)/tui/terminfo.o: $(B)/terminfo.h
# --- end tui ----------------------------------------------------------------

$(B)/libttytop.a: $(OBJ_CORE)
	@rm -f $@
	$(AR) rcs $@ $^

ttytop: $(OBJ_MAIN) $(OBJ_TUI) $(B)/libttytop.a
	$(CC) $(CFLAGS_BASE) $(CFLAGS) -o $@ $(OBJ_MAIN) $(OBJ_TUI) $(B)/libttytop.a $(LDLIBS)

# --- dist: static executables for x86-64 and aarch64 --------------------------
# `make dist` builds dist/ttytop-$(VERSION)-linux-{x86_64,aarch64} and
# dist/SHA256SUMS; tools/dist.sh runs this Makefile once per architecture, each in
# its own build dir (build/dist-x86, build/dist-arm64), linking $(B)/ttytop.static,
# so ./ttytop is never touched. DIST_ARCHS picks a subset.
DIST_ARCHS ?= x86_64 aarch64
DEB_DIST := gcc-aarch64-linux-gnu binutils-aarch64-linux-gnu libc6-dev-arm64-cross \
	libbpf-dev:arm64 libelf-dev:arm64 zlib1g-dev:arm64 libzstd-dev:arm64 libncurses-dev:arm64 \
	libzstd-dev dpkg-dev ncurses-base
DIST_DEPS_STAMP := build/.deps-dist
# Debian ships static archives of all of these but cJSON (tools/cjson.sh builds
# it); libelf needs zlib and zstd.
LDLIBS_STATIC := -lbpf -lelf -lz -lzstd -lcjson -lncursesw -ltinfo -lm $(LDLIBS_ARCH_$(ARCH))
# nor of Zydis (x86-64 only): tools/zydis.sh builds its decoder
STATIC_ARCH_x86 := $(B)/zydis/libZydis.a
DIST_LDFLAGS ?=

$(DIST_DEPS_STAMP): $(DEPS_STAMP)
	@./tools/deps.sh $(DEB_BUILD) $(DEB_DIST)
	@mkdir -p $(dir $@) && touch $@

dist: $(DIST_DEPS_STAMP)
	+@./tools/dist.sh $(VERSION) $(DIST_ARCHS)

$(B)/cjson/libcjson.a: tools/cjson.sh tools/mirror.sh | $(DEPS_STAMP)
	./tools/cjson.sh $(CC) $(B)/cjson

$(B)/zydis/libZydis.a: tools/zydis.sh tools/mirror.sh | $(DEPS_STAMP)
	./tools/zydis.sh $(CC) $(B)/zydis

$(B)/ttytop.static: $(OBJ_MAIN) $(OBJ_TUI) $(B)/libttytop.a $(B)/cjson/libcjson.a \
		$(STATIC_ARCH_$(ARCH))
	$(CC) $(CFLAGS_BASE) $(CFLAGS) -static -o $@ $(OBJ_MAIN) $(OBJ_TUI) $(B)/libttytop.a \
		-L$(B)/cjson -L$(B)/zydis $(DIST_LDFLAGS) $(LDLIBS_STATIC)
# --- end dist ---------------------------------------------------------------

# An administrator's tool (it needs root): sbin. `make install prefix=/usr
# DESTDIR=/tmp/pkg` stages a package.
install: ttytop
	install -d $(DESTDIR)$(sbindir) $(DESTDIR)$(man8dir) $(DESTDIR)$(themedir)
	install -m 0755 ttytop $(DESTDIR)$(sbindir)/ttytop
	sed 's|/usr/local/share/ttytop/themes|$(themedir)|' docs/ttytop.8 > $(DESTDIR)$(man8dir)/ttytop.8
	chmod 0644 $(DESTDIR)$(man8dir)/ttytop.8
	install -m 0644 themes/*.theme $(DESTDIR)$(themedir)/

run: ttytop
	./ttytop $(ARGS)

# --- tests ------------------------------------------------------------------
$(B)/tests/test_%: tests/unit/test_%.c tests/unit/helpers.h $(B)/libttytop.a $(OBJ_TUI)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_BASE) $(CFLAGS) $(DEPFLAGS) -Wno-unused-parameter -o $@ $< $(filter-out $(B)/tui/app.o,$(OBJ_TUI)) $(B)/libttytop.a $(LDLIBS) -lcmocka

# The TUI tests' replay fixture, written by the product's own renderer.
$(B)/tests/mkfixture: tests/tools/mkfixture.c $(B)/libttytop.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_BASE) $(CFLAGS) $(DEPFLAGS) -o $@ $< $(B)/libttytop.a $(LDLIBS)

unit: $(UNIT_BIN) $(B)/tests/mkfixture

# --- sanitizers ---------------------------------------------------------------
# `make sanitize`: ttytop, the unit tests and mkfixture once more with ASan, UBSan and
# LSan, for tests/sanitize/run.sh; this Makefile's own rules run in their own build dir
# (as tools/dist.sh does), so no object mixes with the normal build. The BPF object
# and skeleton are the normal build's, copied with their times (no sanitizer reaches
# BPF code), and so is the packages stamp.
SAN_B := build/san
SAN_CFLAGS := -fsanitize=address,undefined -fno-sanitize-recover=undefined \
	-fno-omit-frame-pointer -g -O1
.PHONY: sanitize
sanitize: $(DEPS_STAMP) $(B)/ttytop.skel.h
	@mkdir -p $(SAN_B)
	@cp -p $(B)/ttytop.bpf.o $(B)/ttytop.skel.h $(SAN_B)/
	+@$(MAKE) --no-print-directory B=$(SAN_B) CFLAGS='$(SAN_CFLAGS)' \
		DEPS_STAMP=$(DEPS_STAMP) $(SAN_B)/ttytop unit
ifeq ($(B),$(SAN_B))
# test_moving_thread walks its own thread from the sp and pc /proc gives: a CFA kept in
# rbp (what -fno-omit-frame-pointer makes) cannot be followed without the register.
$(B)/tests/test_threads: private override CFLAGS += -fomit-frame-pointer
# the sanitized ttytop, linked as the ttytop rule links ./ttytop
$(B)/ttytop: $(OBJ_MAIN) $(OBJ_TUI) $(B)/libttytop.a
	$(CC) $(CFLAGS_BASE) $(CFLAGS) -o $@ $(OBJ_MAIN) $(OBJ_TUI) $(B)/libttytop.a $(LDLIBS)
endif

# The Go fixtures are built by each of Debian's Go toolchains (1.19, 1.23, 1.24),
# which tools/gotoolchain.sh fetches from the machine's own mirror into
# $TTYTOP_CACHE (default /var/cache/ttytop, beside the kernels, outside the
# clone): about a minute once per machine, well under a second after that.
fixtures: deps-test
	@./tests/fixtures/build.sh

# test-clock first: tests/run.sh reports how long packages, build and fixtures took
test: test-clock deps-test ttytop unit dist fixtures sanitize
	@./tests/run.sh

test-clock:
	@mkdir -p $(B) && date +%s >$(B)/.test-start

bench: deps-test ttytop
	@./bench/run.sh

fuzz: deps-test
	@$(MAKE) -s -C fuzz run FUZZ_SECONDS=$${FUZZ_SECONDS:-60}

# Ten minutes of mixed load on ttytop, --json and dashboard (tests/soak/soak.py; SOAK_S=seconds)
.PHONY: soak
soak: deps-test ttytop fixtures
	@./tests/soak/soak.py --duration $${SOAK_S:-600}

screenshots: deps-test deps-shots ttytop fixtures $(B)/tests/mkfixture
	@./tools/screenshots.sh

# The marquee case live in tmux: ttytop beside a Go ticker whose reader can be paused or slowed.
demo: deps-test ttytop fixtures
	@./tools/demo.sh $(ARGS)

format:
	clang-format -i $(wildcard main.c src/*.[ch] tui/*.[ch] tests/unit/*.c) bpf/ttytop.bpf.c \
		$(wildcard bpf/*.h bpf/*/arch.bpf.h)

clean:
	rm -rf $(B) ttytop tests/fixtures/bin fuzz/out dist

# Written by the compiles above; absent before the first build.
-include $(wildcard $(B)/ttytop.bpf.d $(patsubst %.o,%.d,$(OBJ_CORE) $(OBJ_TUI) $(OBJ_MAIN)) \
	$(UNIT_BIN:%=%.d))
