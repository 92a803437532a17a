#!/bin/bash
# The whole suite, as `make check` runs it: unit (host build under ASan/UBSan), build,
# command-line (fake kernel), the cross targets' builds, unit and command-line suites
# under qemu-user, and QEMU (real Debian kernels). Every suite prints
# "ok - NAME" / "not ok - NAME" lines; this counts them and ends with
# "N passed, N failed".
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
B=build/check
log=$(mktemp)
trap 'rm -f "$log"' EXIT

# suite NAME CMD...: runs one suite, its lines shown and kept for the count. A suite
# that dies before printing its cases counts as one failure.
suite() {
	local name=$1 out rc
	shift
	out=$(mktemp)
	echo "## $name"
	"$@" 2>&1 | tee "$out"
	rc=${PIPESTATUS[0]}
	if [ "$rc" != 0 ] && ! grep -q '^not ok ' "$out"; then
		echo "not ok - $name: the suite exited $rc" | tee -a "$out"
	fi
	cat "$out" >>"$log"
	rm -f "$out"
}

# --- builds the tests use ---------------------------------------------------------
make --no-print-directory -s O=$B/test allyesconfig >/dev/null &&
	make --no-print-directory -s O=$B/test FAKE_KERNEL=1 >/dev/null ||
	echo "not ok - build: the test build (allyesconfig, fake kernel)" | tee -a "$log"

qemu_of() { # qemu_of TARGET: its qemu-user
	case $1 in
	armhf) echo qemu-arm-static ;;
	*) echo "qemu-$1-static" ;;
	esac
}

# unit [TARGET]: the unit tests, built with the host's gcc under ASan/UBSan, or for a
# cross TARGET with its compiler and musl (static, no sanitizers) and run under qemu-user.
unit() {
	local t bin args rc=0 cflags cc=gcc run= dir=$B/unit libz=-lz zdir extra
	cflags="-g -O1 -Wall -Wextra -D_GNU_SOURCE -DMODBOX_VERSION=\"test\" \
		-DMODBOX_FAKE_KERNEL -include $B/test/include/generated/autoconf.h"
	if [ -n "${1:-}" ]; then
		dir=$B/$1/unit
		cc=$(make --no-print-directory -s TARGET="$1" print-cc) || return 1
		cflags="$cflags -static"
		run=$(qemu_of "$1")
		# gzip.c links zlib: built for the target by scripts/zlib.sh
		zdir=${MODBOX_CACHE:-$HOME/.cache/modbox}/zlib/$1
		scripts/zlib.sh "$cc" "$zdir" || return 1
		cflags="$cflags -I$zdir/include"
		libz=$zdir/libz.a
	else
		cflags="$cflags -fsanitize=address,undefined -fno-sanitize-recover=all"
	fi
	mkdir -p "$dir"
	for t in tests/unit/test_*.c; do
		bin=$dir/$(basename "$t" .c)
		# test_mod24 runs modules at 0x10000000: their PC-relative references to
		# it must reach it, which a PIE at 0x55... is too far for
		extra=
		[ "$bin" = "${bin%test_mod24}" ] || extra=-no-pie
		# shellcheck disable=SC2086 # $cc, $cflags and $libz are words
		if ! $cc $cflags $extra -o "$bin" "$t" libmini/*.c tests/fake/fake_kernel.c $libz; then
			echo "not ok - unit: $t builds"
			rc=1
			continue
		fi
		args=()
		if [ "$bin" != "${bin%test_elf}" ] || [ "$bin" != "${bin%test_sig}" ]; then
			root=$(scripts/kernels.sh root 6.1) &&
				mapfile -t args < <(find "$root/lib/modules" -name '*.ko' | sort | sed -n '1p;50p;100p;400p;800p')
			arm=$(scripts/kernels.sh arm64-module 2>/dev/null) && args+=("$arm")
			# a 32-bit one: ELF32 through the same checks
			arm=$(scripts/kernels.sh foreign-tree armhf 2>/dev/null) &&
				args+=("$arm/lib/modules/$(cat "$arm/release")/kernel/lib/crc7.ko")
		fi
		case $bin in
		*/test_index | */test_match | */test_indexw | */test_xz | */test_zstd) # a real module tree (index files, .ko.xz)
			full=$(scripts/kernels.sh full-tree 6.12) &&
				args=("$full/lib/modules/$(cat "$full/release")")
			;;
		esac
		$run "$bin" "${args[@]}" || rc=1
	done
	# the 2.4 linker's test once more as an i386 program (gcc -m32), which runs the
	# i386 module; /usr/include/x86_64-linux-gnu has the asm/ headers for both
	if [ -z "${1:-}" ]; then
		bin=$dir/test_mod24_i386
		# shellcheck disable=SC2086 # $cflags are words
		if gcc -m32 -idirafter /usr/include/x86_64-linux-gnu $cflags -o "$bin" \
			tests/unit/test_mod24.c libmini/mod24.c libmini/elf.c libmini/util.c; then
			"$bin" | sed 's/^\(\(not \)\{0,1\}ok - mod24\)/\1 (i386 build)/'
			[ "${PIPESTATUS[0]}" = 0 ] || rc=1
		else
			echo "not ok - unit: test_mod24 builds with gcc -m32 (scripts/deps.sh test)"
			rc=1
		fi
	fi
	return $rc
}

lint() {
	local out
	if out=$(make --no-print-directory lint 2>&1); then
		echo "ok - lint: clang-format, cppcheck, -Werror build, clang-tidy"
	else
		tail -n 20 <<<"$out" | sed 's/^/# /'
		echo "not ok - lint: clang-format, cppcheck, -Werror build, clang-tidy"
	fi
}

suite lint lint
suite fuzz env FUZZ_TIME="${FUZZ_TIME:-20}" FUZZ_OUT=$B/fuzz tests/fuzz/run.sh
suite unit unit
suite build env BUILD=$B tests/cli/build.sh
suite cli tests/cli/run.sh $B/test/modbox
suite modprobe tests/cli/modprobe.sh $B/test/modbox
suite hostile tests/cli/hostile.sh $B/test/modbox
suite man tests/cli/man.sh
suite sanitize tests/sanitize.sh $B/san
suite oracle tests/cli/oracle.sh $B/default/modbox
# -c and --show-modversions are in the full build (full_defconfig), not the default one
suite modprobe-oracle tests/cli/modprobe_oracle.sh $B/full/modbox
suite modinfo-oracle tests/cli/modinfo_oracle.sh $B/default/modbox
suite depmod-oracle tests/cli/depmod_oracle.sh $B/default/modbox
suite depmod-oracle-full tests/cli/depmod_oracle.sh $B/full/modbox
# Debian's arm64 and 32-bit armhf trees, read on this host
for a in arm64 armhf; do
	suite modinfo-oracle-$a tests/cli/modinfo_oracle.sh $B/default/modbox $a
	suite depmod-oracle-$a tests/cli/depmod_oracle.sh $B/default/modbox $a
done
# the riscv64 kernel built here, with the test modules
case " ${MODBOX_TARGETS-riscv64} " in *" riscv64 "*)
	suite depmod-oracle-riscv64 tests/cli/depmod_oracle.sh $B/default/modbox riscv64 ;;
esac
# Debian's full 6.12 tree: .ko.xz, read by the build with the decoders
suite modinfo-oracle-6.12 tests/cli/modinfo_oracle.sh $B/full/modbox 6.12
suite depmod-oracle-6.12 tests/cli/depmod_oracle.sh $B/full/modbox 6.12
# The cross targets (MODBOX_TARGETS, default all three; empty: none): builds, then the
# unit and command-line suites under qemu-user.
cross_cli() { # cross_cli TARGET SCRIPT: a command-line suite on the target's fake-kernel build
	local mb
	mb=$(tests/cli/emu.sh "$B/$1/test/modbox" "$B/$1/test/emu") || return 1
	"$2" "$mb"
}
for t in ${MODBOX_TARGETS-aarch64 armhf riscv64}; do
	suite "build-$t" env BUILD=$B tests/cli/cross.sh "$t"
	suite "unit-$t" unit "$t"
	suite "cli-$t" cross_cli "$t" tests/cli/run.sh
done
demo() {
	if tests/qemu/demo.sh $B/default/modbox >"$B/demo.log" 2>&1; then
		echo "ok - demo: make demo's image loads every module it lists"
	else
		tail -n 25 "$B/demo.log" | sed 's/^/# /'
		echo "not ok - demo: make demo's image loads every module it lists"
	fi
}

# coldplug is in the full build (configs/full_defconfig), which tests/cli/build.sh makes
if [ -z "${MODBOX_SKIP_QEMU:-}" ]; then
	suite demo demo
	# the full build (kmsg lines, syslog); the default one boots in demo, initramfs and
	# the cross targets' suites
	suite qemu env MODBOX_TINY=$B/tiny/modbox tests/qemu/run.sh $B/full/modbox
	suite initramfs tests/qemu/initramfs.sh $B/default/modbox
	suite coldplug tests/qemu/coldplug.sh $B/full/modbox
	for t in ${MODBOX_TARGETS-aarch64 armhf riscv64}; do
		suite "qemu-$t" tests/qemu/cross.sh "$t" "$B/$t/default/modbox"
	done
fi

pass=$(grep -c '^ok ' "$log")
fail=$(grep -c '^not ok ' "$log")
echo "$pass passed, $fail failed"
[ "$fail" = 0 ] && [ "$pass" -gt 0 ]
