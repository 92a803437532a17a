# modbox: a Kconfig-configured, statically linked multicall binary for kernel modules.
#   make defconfig | NAME_defconfig | menuconfig | allnoconfig | allyesconfig | savedefconfig
#   make [V=1] [O=DIR]        build DIR/modbox (default: ./modbox)
#   make ARCH=arm64|arm|riscv [CROSS_COMPILE=PREFIX]   or   make TARGET=aarch64|armhf|riscv64
#                             a cross build (default O=build/TARGET, TARGET_defconfig)
#   make install DESTDIR= PREFIX=
#   make check | check-sanitize | demo | fuzz [FUZZ_TIME=seconds]
VERSION := 0.1.0

# --- cross targets ------------------------------------------------------------------------
# The kernel's ARCH names, or TARGET by Debian's names (armhf: ARMv7, hard float). gcc is
# Debian's cross compiler; musl comes from Debian's multiarch packages (arm64, armhf), or
# is built from Debian's musl source by scripts/musl.sh (riscv64, which bookworm lacks),
# and is used through its musl-gcc specs file. scripts/deps.sh cross installs the rest.
target-of-arm64 := aarch64
target-of-arm := armhf
target-of-riscv := riscv64
ifneq ($(filter-out x86 x86_64,$(ARCH)),)
TARGET ?= $(target-of-$(ARCH))
ifeq ($(TARGET),)
$(error ARCH=$(ARCH): not a modbox target (arm64, arm, riscv))
endif
endif
ifneq ($(TARGET),)
cross-prefix-aarch64 := aarch64-linux-gnu-
cross-prefix-armhf := arm-linux-gnueabihf-
cross-prefix-riscv64 := riscv64-linux-gnu-
ifeq ($(cross-prefix-$(TARGET)),)
$(error TARGET=$(TARGET): not a modbox target (aarch64, armhf, riscv64))
endif
CROSS_COMPILE ?= $(cross-prefix-$(TARGET))
MODBOX_CACHE ?= $(HOME)/.cache/modbox
musl-specs-aarch64 := /usr/lib/aarch64-linux-musl/musl-gcc.specs
musl-specs-armhf := /usr/lib/arm-linux-musleabihf/musl-gcc.specs
musl-specs-riscv64 := $(MODBOX_CACHE)/musl/riscv64/lib/musl-gcc.specs
MUSL_SPECS := $(musl-specs-$(TARGET))
O ?= build/$(TARGET)
TARGET_DEFCONFIG := $(patsubst aarch64,arm64,$(TARGET))_defconfig
endif
O ?= .
TARGET_DEFCONFIG ?= defconfig
override O := $(patsubst %/,%,$(O))
SRC := $(CURDIR)
PREFIX ?= /usr
DESTDIR ?=

ifeq ($(V),1)
Q :=
else
Q := @
endif

ifeq ($(TARGET),)
CC := musl-gcc
else
CC := $(CROSS_COMPILE)gcc -specs $(MUSL_SPECS)
endif
CFLAGS_OPT ?= -Oz
# Flags that make the code smaller for a few percent of speed (measured with callgrind on
# modprobe); the decoders, where the time goes, are built without them.
CFLAGS_SIZE ?= -fno-jump-tables -fno-ipa-modref -fno-if-conversion -fno-expensive-optimizations \
	-fno-inline-functions-called-once -fno-optimize-sibling-calls -fno-ipa-sra -fno-shrink-wrap \
	-fno-tree-pre
CFLAGS := $(CFLAGS_OPT) -std=gnu11 -Wall -Wextra -D_GNU_SOURCE -DMODBOX_VERSION='"$(VERSION)"' \
	-ffunction-sections -fdata-sections -fno-asynchronous-unwind-tables -fno-unwind-tables \
	-fno-stack-protector -fno-ident -fno-pie -include $(O)/include/generated/autoconf.h \
	$(EXTRA_CFLAGS)
# -z norelro: a static binary has no dynamic linker to apply PT_GNU_RELRO, and aarch64's ld
# pads the file to the next 64 KiB for it (the tiny build: 66,128 bytes -> 6,240).
LDFLAGS := -static -s -no-pie -Wl,--gc-sections -Wl,-z,noseparate-code -Wl,-z,norelro \
	-Wl,--build-id=none -Wl,--hash-style=gnu $(EXTRA_LDFLAGS)
# aarch64: MAX_PAGE_SIZE=4096 links for 4K-page kernels only; the default (64 KiB, the
# largest arm64 page) costs nothing with -z noseparate-code (README, "Cross targets").
ifneq ($(MAX_PAGE_SIZE),)
LDFLAGS += -Wl,-z,max-page-size=$(MAX_PAGE_SIZE)
endif

KCONFIG_FILES := Config.in applets/Config.in libmini/Config.in
KCONF = cd $(O) && srctree=$(SRC) kconfig-conf
CONFIG_GOALS := defconfig %_defconfig menuconfig allnoconfig allyesconfig savedefconfig oldconfig
NODEP_GOALS := $(CONFIG_GOALS) clean distclean help deps check% demo% lint fuzz print-cc

.PHONY: all clean distclean install help deps check check-sanitize demo bench lint fuzz print-cc $(CONFIG_GOALS)
# "make defconfig all": configuration goals and the rest in one call run one after the
# other, each in a make of its own (the build must read the configuration just written).
config-goals := $(filter $(CONFIG_GOALS),$(MAKECMDGOALS))
ifneq ($(config-goals),)
ifneq ($(filter-out $(CONFIG_GOALS),$(MAKECMDGOALS)),)
$(filter-out $(firstword $(MAKECMDGOALS)),$(MAKECMDGOALS)): one-by-one ; @:
$(firstword $(MAKECMDGOALS)): one-by-one ; @:
one-by-one:
	$(Q)set -e; for g in $(MAKECMDGOALS); do $(MAKE) --no-print-directory O=$(O) $$g; done
.PHONY: one-by-one
MIXED_GOALS := 1
endif
endif

ifneq ($(MIXED_GOALS),1)
all: $(O)/modbox

# --- configuration --------------------------------------------------------------------
need-kconfig = $(if $(shell command -v kconfig-conf),,$(SRC)/scripts/deps.sh build &&)
$(O)/include/config:
	$(Q)mkdir -p $(O)/include/config $(O)/include/generated
defconfig: | $(O)/include/config
	$(Q)$(need-kconfig) $(KCONF) --defconfig=$(SRC)/configs/$(TARGET_DEFCONFIG) $(SRC)/Config.in
%_defconfig: | $(O)/include/config
	$(Q)test -f configs/$@ || { echo "no configs/$@ (see: ls configs)"; exit 1; }
	$(Q)$(need-kconfig) $(KCONF) --defconfig=$(SRC)/configs/$@ $(SRC)/Config.in
allnoconfig oldconfig: | $(O)/include/config
	$(Q)$(need-kconfig) $(KCONF) --$@ $(SRC)/Config.in
# Decoders whose source is not in this tree (one branch per decoder until they merge)
# stay off in allyesconfig, which the tests and lint build.
missing-decoders := $(if $(wildcard $(SRC)/libmini/gzip.c),,GZIP) \
	$(if $(wildcard $(SRC)/libmini/xz.c),,XZ) $(if $(wildcard $(SRC)/libmini/zstd.c),,ZSTD)
allyesconfig: | $(O)/include/config
	$(Q)($(foreach d,$(missing-decoders),echo '# CONFIG_FEATURE_$(d) is not set';) :) \
		>$(O)/include/config/allyes.in
	$(Q)$(need-kconfig) export KCONFIG_ALLCONFIG=$(abspath $(O))/include/config/allyes.in && \
		$(KCONF) --$@ $(SRC)/Config.in
menuconfig: | $(O)/include/config
	$(Q)$(if $(shell command -v kconfig-mconf),,$(SRC)/scripts/deps.sh build &&) \
		cd $(O) && srctree=$(SRC) kconfig-mconf $(SRC)/Config.in
savedefconfig:
	$(Q)$(KCONF) --savedefconfig=defconfig $(SRC)/Config.in && echo "wrote $(O)/defconfig"

$(O)/.config:
	@echo "no $(O)/.config: using configs/$(TARGET_DEFCONFIG) (make menuconfig to change it)"
	$(Q)$(MAKE) --no-print-directory O=$(O) defconfig
$(O)/include/config/auto.conf: $(O)/.config $(KCONFIG_FILES) | $(O)/include/config
	$(Q)$(need-kconfig) $(KCONF) --olddefconfig $(SRC)/Config.in >/dev/null
	$(Q)$(KCONF) --silentoldconfig $(SRC)/Config.in </dev/null
	$(Q)touch $@

ifeq ($(filter $(NODEP_GOALS),$(MAKECMDGOALS)),)
-include $(O)/include/config/auto.conf
endif

# --- the binary -------------------------------------------------------------------------
applets-y := applets/main.o
applets-$(CONFIG_INSMOD) += applets/insmod.o
applets-$(CONFIG_RMMOD) += applets/rmmod.o
applets-$(CONFIG_LSMOD) += applets/lsmod.o
applets-$(CONFIG_MODPROBE) += applets/modprobe.o
applets-$(CONFIG_MODINFO) += applets/modinfo.o
applets-$(CONFIG_DEPMOD) += applets/depmod.o
applets-$(CONFIG_COLDPLUG) += applets/coldplug.o
# libmini: everything is compiled; --gc-sections drops what no enabled applet calls.
libmini := libmini/util.o libmini/params.o libmini/kernel.o libmini/modfile.o libmini/str.o \
	libmini/elf.o libmini/index.o libmini/match.o libmini/config.o libmini/modules.o \
	libmini/sig.o libmini/indexw.o libmini/unz.o libmini/depmod.o libmini/uevent.o
libmini-$(CONFIG_FEATURE_2_4_MODULES) += libmini/mod24.o
libmini-$(CONFIG_FEATURE_GZIP) += libmini/gzip.o
libmini-$(CONFIG_FEATURE_XZ) += libmini/xz.o
libmini-$(CONFIG_FEATURE_ZSTD) += libmini/zstd.o
libmini += $(libmini-y)
objs := $(addprefix $(O)/obj/,$(applets-y) $(libmini))
# zlib's inflate for FEATURE_GZIP, built for $(CC) by scripts/zlib.sh on first use (cached).
ifeq ($(CONFIG_FEATURE_GZIP),y)
ZLIB := $(or $(MODBOX_CACHE),$(HOME)/.cache/modbox)/zlib/$(or $(TARGET),$(notdir $(CC)))
libs := $(ZLIB)/libz.a
$(ZLIB)/libz.a:
	$(Q)$(SRC)/scripts/zlib.sh "$(CC)" $(ZLIB)
$(O)/obj/libmini/gzip.o: CFLAGS += -I$(ZLIB)/include
$(O)/obj/libmini/gzip.o: | $(ZLIB)/libz.a
endif
# FAKE_KERNEL=1: the command-line tests' build, whose syscalls act on a directory.
ifeq ($(FAKE_KERNEL),1)
CFLAGS += -DMODBOX_FAKE_KERNEL
objs += $(O)/obj/tests/fake/fake_kernel.o
endif

# The toolchain, installed on first use; and one target per output directory.
ifneq ($(TARGET),)
need-cross = $(if $(shell command -v $(CROSS_COMPILE)gcc),,$(SRC)/scripts/deps.sh cross >&2 &&)
$(musl-specs-aarch64) $(musl-specs-armhf):
	$(Q)$(SRC)/scripts/deps.sh cross >&2
$(musl-specs-riscv64):
	$(Q)$(need-cross) MODBOX_CACHE=$(MODBOX_CACHE) $(SRC)/scripts/musl.sh riscv64 >/dev/null
toolchain := $(MUSL_SPECS)
endif
# print-cc: the compiler command (with its musl), for the tests' cross-built unit tests
print-cc: | $(toolchain)
	@echo "$(CC)"
built-for := $(shell cat $(O)/obj/.target 2>/dev/null)
ifneq ($(built-for),)
ifneq ($(built-for),$(or $(TARGET),native))
$(error $(O) holds a build for $(built-for): use another O= or make clean)
endif
endif
$(O)/obj/.target: | $(toolchain)
	@mkdir -p $(dir $@)
	$(Q)echo $(or $(TARGET),native) >$@

$(O)/obj/%.o: %.c $(O)/include/config/auto.conf | $(O)/obj/.target
	@mkdir -p $(dir $@)
	$(if $(Q),@echo "  CC      $<")
	$(Q)$(CC) $(CFLAGS) $(if $(filter xz zstd gzip,$(basename $(notdir $@))),,$(CFLAGS_SIZE)) \
		-MMD -MP -c $< -o $@
$(O)/obj/libmini/str.o: CFLAGS += -fno-builtin -fno-tree-loop-distribute-patterns
-include $(objs:.o=.d)

ifeq ($(CONFIG_FEATURE_OWN_START)$(FAKE_KERNEL),y)
LDFLAGS += -nostartfiles
else
# musl's crt1.o alone (-l: finds it in musl's directory): gcc's crtbegin/crtend register
# frames and TM clones a static musl binary never uses, crti/crtn frame an empty .init.
LDFLAGS += -nostartfiles -l:crt1.o
endif
$(O)/modbox: $(objs) $(libs)
	$(if $(Q),@echo "  LD      $@")
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) $(objs) $(libs) -o $@

applet-names = $(shell sed -n 's/^CONFIG_\(INSMOD\|RMMOD\|LSMOD\|MODPROBE\|MODINFO\|DEPMOD\|COLDPLUG\)=y/\1/p' \
	$(O)/.config | tr A-Z a-z)
install: $(O)/modbox
	install -D -m 0755 $(O)/modbox $(DESTDIR)$(PREFIX)/sbin/modbox
	$(Q)for a in $(applet-names); do ln -sf modbox $(DESTDIR)$(PREFIX)/sbin/$$a; done
	install -D -m 0644 -t $(DESTDIR)$(PREFIX)/share/man/man8 $(SRC)/man/modbox.8 \
		$(patsubst %,$(SRC)/man/%.8,$(applet-names))
	install -D -m 0644 $(SRC)/completion/modbox.bash \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions/modbox
	$(Q)for a in $(applet-names); do \
		ln -sf modbox $(DESTDIR)$(PREFIX)/share/bash-completion/completions/$$a; done

# --- tests and demo ---------------------------------------------------------------------
check:
	$(Q)$(SRC)/scripts/deps.sh qemu fuzz cross-qemu
	$(Q)$(SRC)/tests/run.sh

# check-sanitize: the command-line suites against an ASan/UBSan glibc build
check-sanitize:
	$(Q)$(SRC)/scripts/deps.sh test
	$(Q)$(SRC)/tests/sanitize.sh

# fuzz: every libFuzzer target for FUZZ_TIME seconds (default 20), two at a time
FUZZ_TIME ?= 20
fuzz:
	$(Q)$(SRC)/scripts/deps.sh fuzz
	$(Q)FUZZ_TIME=$(FUZZ_TIME) $(SRC)/tests/fuzz/run.sh

bench: $(O)/modbox
	$(Q)$(SRC)/scripts/deps.sh bench
	$(Q)$(SRC)/bench/run.sh $(O)/modbox

demo:
	$(Q)$(SRC)/scripts/deps.sh qemu
	$(Q)$(MAKE) --no-print-directory O=build/demo defconfig all
	$(Q)$(SRC)/tests/qemu/demo.sh build/demo/modbox

# lint: the formatter's verdict, cppcheck, a warning-free build, clang-tidy (.clang-tidy)
LINT_SRC = $(wildcard applets/*.[ch] libmini/*.[ch])
LINT_TESTS = $(wildcard tests/unit/*.c tests/fuzz/*.c tests/fake/*.c)
TIDY_FLAGS = -std=gnu11 -D_GNU_SOURCE -DMODBOX_VERSION='"lint"' \
	-include build/lint/include/generated/autoconf.h
lint:
	clang-format --dry-run -Werror $(LINT_SRC)
	cppcheck -q --error-exitcode=1 --enable=warning,portability --inline-suppr \
		-D__GNUC__ -DCONFIG_INSMOD -DCONFIG_RMMOD -DCONFIG_LSMOD $(filter %.c,$(LINT_SRC))
	$(MAKE) --no-print-directory O=build/lint allyesconfig >/dev/null
	$(MAKE) --no-print-directory O=build/lint EXTRA_CFLAGS=-Werror
	clang-tidy --quiet $(filter %.c,$(LINT_SRC)) -- $(TIDY_FLAGS) >build/lint/tidy.log 2>&1 && \
	clang-tidy --quiet $(LINT_TESTS) -- $(TIDY_FLAGS) -DMODBOX_FAKE_KERNEL >>build/lint/tidy.log 2>&1 \
		|| { grep -v 'warnings\? generated\.$$' build/lint/tidy.log; exit 1; }

clean:
	rm -rf $(O)/obj $(O)/modbox build
distclean: clean
	rm -rf $(O)/include $(O)/.config $(O)/.config.old $(O)/defconfig
help:
	@sed -n '2,6s/^# //p' Makefile
endif
