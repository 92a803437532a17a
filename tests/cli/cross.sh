#!/bin/bash
# Build tests of a cross target: the default configuration builds warning-free into a
# static binary of the target's architecture that runs under qemu-user; allyesconfig
# (own start-up code) reports a failed system call's error; the fake-kernel build for the
# command-line suites builds. Prints the default binary's size.
# Usage: tests/cli/cross.sh aarch64|armhf|riscv64   (BUILD=DIR: output under DIR/TARGET)
set -u
. "$(dirname "$0")/lib.sh"
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 1
t=${1:?usage: cross.sh TARGET}
B=${BUILD:-build}/$t
case $t in
aarch64) arch='ARM aarch64' ;;
armhf) arch='ARM, EABI5' ;;
riscv64) arch='RISC-V' ;;
*) echo "not ok - $t: no such target"; exit 1 ;;
esac

build() { # build DIR CONFIG [MAKE ARGS...]
	local d=$1 c=$2
	shift 2
	make --no-print-directory TARGET="$t" O="$B/$d" "$c" >"$T/out" 2>"$T/err" &&
		make --no-print-directory TARGET="$t" O="$B/$d" "$@" >>"$T/out" 2>>"$T/err"
	rc=$?
}

build default "${t/aarch64/arm64}_defconfig" EXTRA_CFLAGS=-Werror
check "$t: make TARGET=$t (its defconfig, -Werror)" rc_is 0
run file "$B/default/modbox"
check "$t: a static $arch binary" all 'out_has "statically linked" && out_has "$arch"'
mb=$(tests/cli/emu.sh "$B/default/modbox" "$B/default/emu") || mb=/nonexistent
run "$mb" --list
check "$t: modbox --list runs under qemu-user" all 'rc_is 0 && out_has insmod && out_has depmod'
run size "$B/default/modbox"
echo "# $t default: $(sed -n 2p "$T/out" | awk '{print "text " $1 ", data " $2 ", bss " $3}'), file $(stat -c %s "$B/default/modbox")"

build yes allyesconfig EXTRA_CFLAGS=-Werror
check "$t: allyesconfig builds (own start-up code, -Werror)" rc_is 0
mb=$(tests/cli/emu.sh "$B/yes/modbox" "$B/yes/emu") || mb=/nonexistent
run "$mb" insmod "$T/nonexistent.ko"
check "$t: allyesconfig: insmod says why it failed (errno from a raw system call)" \
	all 'rc_is 1 && err_is "insmod: ERROR: could not load module $T/nonexistent.ko: No such file or directory"'
run "$mb" modinfo -F nosuchfield "$T/nonexistent.ko"
check "$t: allyesconfig: modinfo of a missing file fails cleanly" all 'rc_is 1 && err_has "nonexistent.ko"'

build test allyesconfig FAKE_KERNEL=1 EXTRA_CFLAGS=-Werror
check "$t: the fake-kernel build for the command-line suites" rc_is 0
exit $failed
