#!/bin/bash
# The whole suite, as `make check` runs it: unit (host build under ASan/UBSan), build,
# command-line (fake kernel) and QEMU (real Debian kernels). Every suite prints
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

unit() {
	local t bin args rc=0 cflags
	mkdir -p $B/unit
	cflags="-g -O1 -Wall -Wextra -D_GNU_SOURCE -DMODBOX_VERSION=\"test\" \
		-fsanitize=address,undefined -fno-sanitize-recover=all \
		-DMODBOX_FAKE_KERNEL -include $B/test/include/generated/autoconf.h"
	for t in tests/unit/test_*.c; do
		bin=$B/unit/$(basename "$t" .c)
		# shellcheck disable=SC2046
		if ! gcc $cflags -o "$bin" "$t" libmini/*.c tests/fake/fake_kernel.c -lz; then
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
		"$bin" "${args[@]}" || rc=1
	done
	return $rc
}

lint() {
	local out
	if out=$(make --no-print-directory lint 2>&1); then
		echo "ok - lint: clang-format, cppcheck, -Werror build"
	else
		tail -n 20 <<<"$out" | sed 's/^/# /'
		echo "not ok - lint: clang-format, cppcheck, -Werror build"
	fi
}

suite lint lint
suite fuzz env FUZZ_TIME="${FUZZ_TIME:-20}" FUZZ_OUT=$B/fuzz tests/fuzz/run.sh
suite unit unit
suite build env BUILD=$B tests/cli/build.sh
suite cli tests/cli/run.sh $B/test/modbox
suite modprobe tests/cli/modprobe.sh $B/test/modbox
suite hostile tests/cli/hostile.sh $B/test/modbox
suite sanitize tests/sanitize.sh $B/san
suite oracle tests/cli/oracle.sh $B/default/modbox
suite modprobe-oracle tests/cli/modprobe_oracle.sh $B/default/modbox
suite modinfo-oracle tests/cli/modinfo_oracle.sh $B/default/modbox
suite depmod-oracle tests/cli/depmod_oracle.sh $B/default/modbox
suite depmod-oracle-full tests/cli/depmod_oracle.sh $B/full/modbox
# Debian's arm64 and 32-bit armhf trees, read on this host
for a in arm64 armhf; do
	suite modinfo-oracle-$a tests/cli/modinfo_oracle.sh $B/default/modbox $a
	suite depmod-oracle-$a tests/cli/depmod_oracle.sh $B/default/modbox $a
done
# Debian's full 6.12 tree: .ko.xz, read by the build with the decoders
suite modinfo-oracle-6.12 tests/cli/modinfo_oracle.sh $B/full/modbox 6.12
suite depmod-oracle-6.12 tests/cli/depmod_oracle.sh $B/full/modbox 6.12
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
	suite qemu env MODBOX_TINY=$B/tiny/modbox tests/qemu/run.sh $B/default/modbox
	suite initramfs tests/qemu/initramfs.sh $B/default/modbox
	suite coldplug tests/qemu/coldplug.sh $B/full/modbox
fi

pass=$(grep -c '^ok ' "$log")
fail=$(grep -c '^not ok ' "$log")
echo "$pass passed, $fail failed"
[ "$fail" = 0 ] && [ "$pass" -gt 0 ]
