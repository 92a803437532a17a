#!/bin/sh
# A static musl for a target Debian bookworm has none for (riscv64): built from Debian's
# own musl source package with the target's cross compiler, cached, and used like
# musl-gcc through the specs file musl's install writes.
#
# Usage: scripts/musl.sh riscv64     prints the specs file (PREFIX/lib/musl-gcc.specs)
#
# Cached in ${MODBOX_CACHE:-$HOME/.cache/modbox}/musl/TARGET (about 16 s to build the
# first time); a second call only prints the path.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
t=${1:?usage: musl.sh riscv64}
case $t in
riscv64) cross=riscv64-linux-gnu- ;;
*) echo "musl.sh: no musl to build for '$t' (riscv64; arm64 and armhf come from Debian)" >&2; exit 2 ;;
esac
cache=${MODBOX_CACHE:-$HOME/.cache/modbox}/musl
prefix=$cache/$t
specs=$prefix/lib/musl-gcc.specs
say() { echo "musl.sh: $*" >&2; }

mkdir -p "$cache"
exec 9>"$cache/.lock"
flock 9
if [ -e "$prefix/.complete" ]; then
	echo "$specs"
	exit 0
fi
if ! command -v ${cross}gcc >/dev/null || ! command -v dpkg-source >/dev/null; then
	"$top/scripts/deps.sh" cross >&2
fi

src=$cache/.src.$$
rm -rf "$src"
mkdir -p "$src"
say "fetching Debian's musl source package"
# -o APT::Sandbox::User=root: the _apt user may not write into a root-owned cache.
(cd "$src" && apt-get -q -o APT::Sandbox::User=root source musl) >&2 ||
	{ say "apt-get source musl failed (is there a deb-src line? scripts/deps.sh adds one)"; exit 1; }
d=$(find "$src" -mindepth 1 -maxdepth 1 -type d -name 'musl-*' | head -n 1)
[ -n "$d" ] || { say "no musl source tree in $src"; exit 1; }
say "building $(basename "$d") for $t"
rm -rf "$prefix"
# Debian's patches are applied by dpkg-source; its own build scripts are not needed.
# musl's own warnings go to the log, shown only if the build fails.
if ! (
	cd "$d"
	./configure --target="$t" CROSS_COMPILE=$cross CC=${cross}gcc --prefix="$prefix" \
		--disable-shared --enable-wrapper=gcc
	make -j"$(nproc)"
	make install
) >"$src/build.log" 2>&1; then
	tail -n 30 "$src/build.log" >&2
	say "building musl failed"
	exit 1
fi
[ -e "$specs" ] || { say "musl's install wrote no $specs"; exit 1; }
dpkg-parsechangelog -l "$d/debian/changelog" -S Version >"$prefix/debian-version" 2>/dev/null || true
rm -rf "$src"
touch "$prefix/.complete"
say "musl for $t ready in $prefix"
echo "$specs"
