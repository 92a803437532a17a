#!/bin/sh
# Build zlib's inflate, static, for one compiler, from Debian's zlib source package:
# OUT/libz.a and OUT/include/{zlib.h,zconf.h}. Cached: a second run does nothing.
# Usage: scripts/zlib.sh [CC [OUT]]
#   CC   the compiler command, words allowed (default musl-gcc; e.g.
#        "aarch64-linux-gnu-gcc -specs /usr/lib/aarch64-linux-musl/musl-gcc.specs")
#   OUT  default ${MODBOX_CACHE:-$HOME/.cache/modbox}/zlib/CC's name
# The source is kept once for all compilers in ${MODBOX_CACHE:-~/.cache/modbox}/zlib/src.
set -eu

cc=${1:-musl-gcc}
cache=${MODBOX_CACHE:-$HOME/.cache/modbox}/zlib
out=${2:-$cache/$(basename "${cc%% *}")}
top=$(cd "$(dirname "$0")/.." && pwd)

[ -s "$out/libz.a" ] && [ -s "$out/include/zlib.h" ] && [ -s "$out/include/zconf.h" ] && exit 0

die() {
	echo "zlib.sh: $*" >&2
	exit 1
}
command -v "${cc%% *}" >/dev/null 2>&1 || die "no compiler '${cc%% *}'"

# the unpacked tree under $1, or nothing
tree() {
	for t in "$1"/zlib-*/; do
		[ -e "$t/inflate.c" ] && echo "$t" && return
	done
	return 0
}

# --- the source: 'apt-get source zlib', once ------------------------------------------
src=$(tree "$cache/src")
if [ -z "$src" ]; then
	# deps.sh writes the deb-src entry and installs dpkg-dev (dpkg-source unpacks)
	"$top/scripts/deps.sh" zlib >&2 || die "scripts/deps.sh zlib failed (needs root the first time)"
	rm -rf "$cache/src.tmp"
	mkdir -p "$cache/src.tmp"
	fetch() { (cd "$cache/src.tmp" && apt-get -q source zlib) >"$cache/src.tmp/log" 2>&1; }
	# a fresh deb-src entry is only usable after an update: try once more after one
	if ! fetch && { [ "$(id -u)" != 0 ] || ! apt-get -q update >/dev/null 2>&1 || ! fetch; }; then
		sed 's/^/  /' "$cache/src.tmp/log" >&2
		die "could not fetch zlib's source with 'apt-get source zlib' (offline, or no deb-src entry: run scripts/deps.sh zlib as root)"
	fi
	d=$(tree "$cache/src.tmp")
	[ -n "$d" ] || die "apt-get source zlib gave no unpacked tree (is dpkg-dev installed?)"
	rm -rf "$cache/src"
	mkdir -p "$cache/src"
	mv "$d" "$cache/src/"
	rm -rf "$cache/src.tmp"
	src=$(tree "$cache/src")
fi

# --- the library ------------------------------------------------------------------------
# Only what raw inflate needs: inflate, its table builder and fast loop, zutil (zmemcpy)
# and adler32 (inflate's zlib-wrapper code calls it; unused here). libmini/gzip.c parses
# the gzip wrapper itself, so NO_GZIP leaves out zlib's gzip code and with it crc32.c
# and its tables; BUILDFIXED builds the fixed Huffman tables at run time (2 KiB of bss,
# not rodata); Z_SOLO: no default allocator, so no malloc is linked in (gzip.c has its own).
ar="ar"
gcc=${cc%% *}
case $gcc in *-gcc) command -v "${gcc%gcc}ar" >/dev/null 2>&1 && ar=${gcc%gcc}ar ;; esac
tmp=$out.tmp
rm -rf "$tmp"
mkdir -p "$tmp/include"
for f in inflate inftrees inffast adler32 zutil; do
	# shellcheck disable=SC2086 # $cc may be a command with its options
	$cc -Os -ffunction-sections -fdata-sections -fno-asynchronous-unwind-tables \
		-fno-unwind-tables -fno-stack-protector -fno-ident -fno-pie \
		-DZ_SOLO -DNO_GZIP -DBUILDFIXED \
		-c "$src/$f.c" -o "$tmp/$f.o" || die "compiling $f.c with $cc failed"
done
"$ar" rcs "$tmp/libz.a" "$tmp"/*.o || die "$ar failed"
rm -f "$tmp"/*.o
cp "$src/zlib.h" "$src/zconf.h" "$tmp/include/"
rm -rf "$out"
mv "$tmp" "$out"
echo "zlib.sh: built $out/libz.a from $(basename "$src") with $cc" >&2
