# rescuectl: one static multi-call binary.
# make deps | make | make check | make demo | make bench | make completions
CC       ?= gcc
UL       ?= build/ul
LA       ?= build/la
# e2fsprogs from Debian's source package (mk/e2fsprogs.sh): its libraries, and
# e2fsck, resize2fs, mke2fs and e2undo linked in as hidden applets.
E2FS     ?= build/e2fs
LIBDIR   ?= $(shell gcc -print-multiarch >/dev/null 2>&1 && echo /usr/lib/$$(gcc -print-multiarch))
VERSION  := $(shell git describe --always --dirty 2>/dev/null || echo 0.1.0)
# Messages are cut to their buffers on purpose: format-truncation is noise here.
WARN     := -Wall -Wextra -Werror -Wno-format-truncation
CPPFLAGS += -D_GNU_SOURCE -D_FILE_OFFSET_BITS=64 -I$(E2FS)/include -I$(UL)/include -I$(LA)/include -DLIBARCHIVE_STATIC -DRESCUECTL_VERSION='"$(VERSION)"'
CFLAGS   ?= -Os -g
CFLAGS   += $(WARN) -std=gnu11 -ffunction-sections -fdata-sections
LDFLAGS  += -static -Wl,--gc-sections
# Static archives: util-linux's from build/ul, libarchive's (pax writer, gzip,
# zstd only) from build/la, e2fsprogs' from build/e2fs, the rest from the
# distribution.
E2LIBS   := $(E2FS)/lib/libext2fs.a $(E2FS)/lib/libe2p.a $(E2FS)/lib/libcom_err.a
E2PROGS  := $(E2FS)/obj/e2fsck.o $(E2FS)/obj/resize2fs.o $(E2FS)/obj/mke2fs.o $(E2FS)/obj/e2undo.o $(E2FS)/lib/libsupport.a
LIBS     := $(E2PROGS) $(UL)/lib/libfdisk.a $(UL)/lib/libsmartcols.a $(UL)/lib/libblkid.a $(UL)/lib/libuuid.a \
            $(LA)/lib/libarchive.a $(LA)/lib/libzstd.a $(E2LIBS) -lcrypt -ljson-c -lyaml -lz

# UL_SYSTEM=1 / LA_SYSTEM=1: use the system's util-linux / libarchive static
# archives instead of building them (point UL / LA at their prefix), e.g. Alpine's
# util-linux-static) instead of building them; NO_DEPS=1: skip apt-get.
ULDONE     := $(if $(UL_SYSTEM),,$(UL)/.done) $(if $(LA_SYSTEM),,$(LA)/.done)
E2DONE     := $(E2FS)/.done
DEPSDONE   := $(if $(NO_DEPS),,build/.deps)

LIB_SRC    := $(sort $(wildcard lib/*.c))
APPLET_SRC := $(sort $(wildcard applets/*.c))
OBJ        := $(patsubst %.c,build/obj/%.o,$(LIB_SRC) $(APPLET_SRC))
# Each object depends on the headers it includes (-MMD -MP writes them to .d).
DEPFLAGS   := -MMD -MP

.PHONY: all deps check check-vm check-vm-slow check-slow unit unit-bin helpers cli demo bench clean distclean completions strip-size

all: rescuectl

deps: $(DEPSDONE) $(ULDONE) $(E2DONE)

build/.deps: mk/deps.sh
	@mkdir -p build
	sh mk/deps.sh all
	@touch $@

$(UL)/.done: mk/util-linux.sh mk/apt-source.sh | $(DEPSDONE)
	sh mk/util-linux.sh $(UL) && touch $@

$(LA)/.done: mk/libarchive.sh mk/apt-source.sh | $(DEPSDONE)
	sh mk/libarchive.sh $(LA) && touch $@

$(E2FS)/.done: mk/e2fsprogs.sh mk/apt-source.sh mk/e2fsprogs-undo-sync.patch | $(DEPSDONE) $(ULDONE)
	sh mk/e2fsprogs.sh $(E2FS) $(UL)

build/obj/%.o: %.c build/obj/%.d | $(ULDONE) $(E2DONE)
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(CPPFLAGS) $(CFLAGS) $(DEPFLAGS) -c -o $@ $<

rescuectl: $(DEPSDONE) $(ULDONE) $(E2DONE) $(OBJ)
	$(CC) $(LDFLAGS) -o $@ $(OBJ) $(LIBS)

# The size people copy: stripped.
build/rescuectl.stripped: rescuectl
	strip -o $@ $<

strip-size: build/rescuectl.stripped
	@stat -c '%s bytes stripped' $<

# ---- tests -----------------------------------------------------------------
# Unit tests: every pure library function, cmocka, under ASan and UBSan.
SAN       := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
UNIT_SRC  := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BIN  := $(patsubst tests/unit/%.c,build/unit/%,$(UNIT_SRC))
TEST_LIBS := $(UL)/lib/libfdisk.a $(UL)/lib/libsmartcols.a $(UL)/lib/libblkid.a $(UL)/lib/libuuid.a \
             $(LA)/lib/libarchive.a $(LA)/lib/libzstd.a $(E2LIBS) -lcrypt -ljson-c -lyaml -lz -lcmocka

# The library once under ASan+UBSan, as an archive every unit test links.
SAN_LIB_OBJ    := $(patsubst %.c,build/san/%.o,$(LIB_SRC))
SAN_APPLET_OBJ := $(patsubst %.c,build/san/%.o,$(APPLET_SRC))

build/san/%.o: %.c build/san/%.d | $(DEPSDONE) $(ULDONE) $(E2DONE)
	@mkdir -p $(dir $@)
	@echo "  CC-SAN  $<"
	@$(CC) $(CPPFLAGS) $(WARN) -std=gnu11 -g -O1 $(SAN) $(DEPFLAGS) -c -o $@ $<

build/librescue.a: $(SAN_LIB_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

build/unit/%: tests/unit/%.c build/unit/deps/%.d build/librescue.a $(E2DONE) | $(DEPSDONE) $(ULDONE)
	@mkdir -p build/unit/deps
	$(CC) $(CPPFLAGS) $(WARN) -std=gnu11 -g -O1 $(SAN) $(DEPFLAGS) -MF build/unit/deps/$*.d -o $@ $< build/librescue.a $(TEST_LIBS)

build/helpers/%: tests/helpers/%.c | $(DEPSDONE) $(ULDONE) $(E2DONE)
	@mkdir -p build/helpers
	$(CC) $(CPPFLAGS) $(WARN) -O1 -o $@ $< -lcrypt

# The whole binary under ASan+UBSan (dynamic): the damaged-image corpus runs through it.
build/rescuectl-asan: $(SAN_APPLET_OBJ) build/librescue.a | $(DEPSDONE) $(ULDONE) $(E2DONE)
	@mkdir -p build
	$(CC) $(SAN) -o $@ $(SAN_APPLET_OBJ) $(E2PROGS) build/librescue.a $(TEST_LIBS)

HELPER_BIN := $(patsubst tests/helpers/%.c,build/helpers/%,$(wildcard tests/helpers/*.c)) build/helpers/netfw

# The network and firewall analysis's test driver (below doctor), under ASan+UBSan.
build/helpers/netfw: $(wildcard tests/netfw/*.c) build/librescue.a | $(DEPSDONE) $(ULDONE)
	@mkdir -p build/helpers
	$(CC) $(CPPFLAGS) $(WARN) -std=gnu11 -g -O1 $(SAN) -o $@ $(wildcard tests/netfw/*.c) build/librescue.a $(TEST_LIBS)

unit-bin: $(UNIT_BIN)
helpers: $(HELPER_BIN) build/rescuectl-asan

unit: $(UNIT_BIN)
	@set -e; for t in $(UNIT_BIN); do echo "# $$t"; $$t; done

cli: rescuectl $(HELPER_BIN)
	bats --tap tests/cli

# The README's test command. One closing summary line for CI.
check: deps
	@sh tests/check.sh

# The whole matrices: every kill point of every scenario, 500 random kills;
# then the VM rig's (every power-cut point, and the control boot).
check-slow: deps rescuectl
	bash tests/crash/killpoints.sh
	bash tests/crash/randomkill.sh -n 500
	bash tests/crash/shrinkkill.sh -r 20
	@VM_FULL=1 sh tests/vm/check.sh

# The rescue system in a box (tests/vm, doc/vm.md): QEMU with Debian's kernel
# over real md, LVM, NVMe and LUKS; power cuts; a repaired Debian booted.
# check-vm is CI's second step: a sample (3 layouts, 3 power-cut scenarios
# with 2 cuts each, 1 boot after repair). check-vm-slow: all of it.
check-vm: deps rescuectl
	@sh tests/vm/check.sh

check-vm-slow: deps rescuectl
	@VM_FULL=1 sh tests/vm/check.sh

demo: rescuectl
	@bash tests/demo.sh

bench: rescuectl
	sh mk/deps.sh bench
	bash bench/run.sh

completions: rescuectl
	sh mk/completions.sh

clean:
	rm -rf build/obj build/san build/librescue.a build/unit build/helpers build/rescuectl.stripped rescuectl

# A missing .d (first build, or one made before -MMD) makes its target rebuild once.
build/obj/%.d build/san/%.d build/unit/deps/%.d: ;
.PRECIOUS: build/obj/%.d build/san/%.d build/unit/deps/%.d
-include $(OBJ:.o=.d) $(SAN_LIB_OBJ:.o=.d) $(SAN_APPLET_OBJ:.o=.d) $(patsubst build/unit/%,build/unit/deps/%.d,$(UNIT_BIN))

distclean:
	rm -rf build rescuectl
