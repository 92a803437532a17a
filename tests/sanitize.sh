#!/bin/bash
# make check-sanitize: the command-line suites (cli, modprobe, hostile) run against a
# glibc build of the fake-kernel configuration under AddressSanitizer and UBSan (musl
# has no ASan runtime); any report aborts the process, which fails its case. The unit
# tests are built with the same sanitizers by tests/run.sh. Prints "ok - NAME" lines.
# Usage: tests/sanitize.sh [BUILD_DIR]   (default build/san)
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
S=${1:-build/san}
san="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"
if ! { make --no-print-directory -s O="$S" allyesconfig >/dev/null &&
	make --no-print-directory -s O="$S" FAKE_KERNEL=1 CC=gcc CFLAGS_OPT="-O1 -g" \
		EXTRA_CFLAGS="$san" LDFLAGS="-no-pie ${san% -fno-omit*}" >/dev/null; }; then
	echo "not ok - sanitize: the ASan/UBSan build (allyesconfig, fake kernel, glibc)"
	exit 1
fi
echo "ok - sanitize: the ASan/UBSan build (allyesconfig, fake kernel, glibc)"
# raw syscalls make libmini's memory invisible to LeakSanitizer: leaks are not checked
export ASAN_OPTIONS=abort_on_error=1:detect_leaks=0 UBSAN_OPTIONS=print_stacktrace=1
export HOSTILE_NO_ULIMIT=1 # ASan reserves terabytes of address space for its shadow
rc=0
for t in run modprobe hostile; do
	tests/cli/"$t".sh "$S/modbox" | sed "s/^\(not \)\{0,1\}ok - /&sanitize: $t: /"
	[ "${PIPESTATUS[0]}" = 0 ] || rc=1
done
exit $rc
