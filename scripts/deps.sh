#!/bin/sh
# Install the Debian packages modbox needs to build and test: idempotent, non-interactive.
# Usage: scripts/deps.sh [GROUP...]   groups: build (default), test, qemu, zlib, fuzz,
#        cross, cross-qemu, bench, all
#        scripts/deps.sh foreign-arch ARCH   let apt download ARCH's packages (arm64, armhf)
#   cross       the cross compilers and musl for aarch64, armhf and riscv64 (riscv64's musl
#               is built from source by scripts/musl.sh) and qemu-user to run them
#   cross-qemu  cross, plus qemu-system for arm and riscv and what building riscv64's
#               test kernel from linux-source-6.1 takes
#   bench       what make bench takes: qemu, cross, valgrind, GNU time, gnuplot
set -eu

# foreign_arch ARCH: dpkg knows ARCH as a foreign architecture and apt's lists hold its
# packages, so `apt-get download PKG:ARCH` works. Nothing is installed for ARCH. The
# update runs only when the architecture is new or its lists are missing; it may exit
# 100 while one suite of ARCH is mid-sync on the mirror, and the lists we need may have
# arrived anyway: that is said on stderr and judged by what apt then knows.
foreign_arch() {
	arch=$1
	[ "$arch" != "$(dpkg --print-architecture)" ] || return 0
	lists=/var/lib/apt/lists
	have() { ls "$lists"/*_binary-"$arch"_Packages* >/dev/null 2>&1; }
	if dpkg --print-foreign-architectures | grep -qx "$arch" && have; then
		return 0
	fi
	if [ "$(id -u)" != 0 ]; then
		echo "deps.sh: apt needs the $arch architecture (run as root to add it)" >&2
		exit 1
	fi
	dpkg --print-foreign-architectures | grep -qx "$arch" || {
		echo "deps.sh: adding the foreign architecture $arch (dpkg --add-architecture)" >&2
		dpkg --add-architecture "$arch"
	}
	echo "deps.sh: apt-get update for $arch" >&2
	apt-get -q -o DPkg::Lock::Timeout=600 update >/dev/null 2>&1 ||
		echo "deps.sh: apt-get update exited $?; carrying on with the lists that arrived" >&2
	have || { echo "deps.sh: apt has no package list for $arch" >&2; exit 1; }
}
if [ "${1:-}" = foreign-arch ]; then
	[ $# = 2 ] || { echo "usage: deps.sh foreign-arch ARCH" >&2; exit 2; }
	foreign_arch "$2"
	exit 0
fi

pkgs_build="make gcc musl-tools kconfig-frontends-nox file binutils"
# gcc -m32 for the 2.4 linker's i386 unit test: 32-bit libc and libgcc (with ASan and
# UBSan). Not gcc-multilib, which bookworm will not install beside the cross compilers.
pkgs_i386="libc6-dev-i386 lib32gcc-12-dev"
pkgs_test="$pkgs_build kmod xz-utils zstd cpio gzip zlib1g-dev groff-base $pkgs_i386"
# zlib: what scripts/zlib.sh needs to fetch and unpack Debian's zlib source
pkgs_zlib="dpkg-dev"
pkgs_qemu="$pkgs_test $pkgs_zlib qemu-system-x86 busybox-static gcc-12 libc6-dev bc libelf-dev"
# clang with libFuzzer and the sanitizers' runtimes (libclang-rt-dev), zstd for seeds
pkgs_fuzz="$pkgs_test clang libclang-rt-dev llvm zstd"
# musl-dev:ARCH brings /usr/lib/TRIPLET-musl/musl-gcc.specs, which the Makefile uses.
pkgs_cross="$pkgs_build gcc-aarch64-linux-gnu gcc-arm-linux-gnueabihf gcc-riscv64-linux-gnu
	musl-dev:arm64 musl-dev:armhf dpkg-dev qemu-user-static"
# make bench: the peers' builds (busybox, toybox: apt-get source), callgrind, the charts
pkgs_bench="$pkgs_qemu $pkgs_cross valgrind time gnuplot-nox"
pkgs_cross_qemu="$pkgs_cross $pkgs_test qemu-system-arm qemu-system-misc linux-source-6.1
	flex bison bc libelf-dev"

want=""
[ $# -gt 0 ] || set -- build
for g in "$@"; do
	case $g in
	build) want="$want $pkgs_build" ;;
	test) want="$want $pkgs_test" ;;
	zlib) want="$want $pkgs_zlib" ;;
	qemu) want="$want $pkgs_qemu" ;;
	fuzz) want="$want $pkgs_fuzz" ;;
	cross) want="$want $pkgs_cross" ;;
	cross-qemu) want="$want $pkgs_cross_qemu" ;;
	bench) want="$want $pkgs_bench" ;;
	all) want="$want $pkgs_qemu $pkgs_fuzz $pkgs_cross_qemu $pkgs_bench" ;;
	*) echo "deps.sh: unknown group '$g' (build, test, qemu, zlib, fuzz, cross, cross-qemu, bench, all)" >&2; exit 1 ;;
	esac
done

missing=""
for p in $want; do
	case " $missing " in *" $p "*) continue ;; esac
	st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	[ "$st" = "install ok installed" ] || missing="$missing $p"
done

# deb-src beside the system's own sources (same host, same signing key, or apt refuses
# both with "Conflicting values set for option Signed-By"), for 'apt-get source' of zlib
# and musl later. Written once, in a file of its own.
src=/etc/apt/sources.list.d/modbox-deb-src.list
need_update=0

# foreign_arch ARCH...: let dpkg and apt take packages of those architectures (for the
# cross targets' musl-dev:ARCH); does nothing for one already there.
foreign_arch() {
	for a in "$@"; do
		dpkg --print-foreign-architectures | grep -qx "$a" && continue
		if [ "$(id -u)" != 0 ]; then
			echo "deps.sh: dpkg does not take $a packages (run as root to add it)" >&2
			exit 1
		fi
		dpkg --add-architecture "$a"
		echo "deps.sh: added the foreign architecture $a"
		need_update=1
	done
}
case "$missing " in *":arm64 "* | *":armhf "*) foreign_arch arm64 armhf ;; esac
if [ "$(id -u)" = 0 ] && { [ ! -e "$src" ] || ! grep -q signed-by "$src"; }; then
	host=$( (sed -n 's/^URIs:[[:space:]]*//p' /etc/apt/sources.list.d/*.sources
		sed -n 's/^deb[[:space:]]\{1,\}\(\[[^]]*\][[:space:]]*\)\{0,1\}//p' /etc/apt/sources.list) 2>/dev/null |
		tr ' ' '\n' | grep -E '^https?://.*/debian/?$' | head -n 1)
	host=${host:-http://deb.debian.org/debian}
	key=$(sed -n 's/^Signed-By:[[:space:]]*//p' /etc/apt/sources.list.d/*.sources 2>/dev/null | head -n 1)
	key=${key:-/usr/share/keyrings/debian-archive-keyring.gpg}
	echo "deb-src [signed-by=$key] $host bookworm main" >"$src"
	echo "deps.sh: added a deb-src entry for bookworm in $src"
	need_update=1
fi

[ -n "$missing" ] || [ $need_update = 1 ] || exit 0
if [ "$(id -u)" != 0 ]; then
	echo "deps.sh: missing packages:$missing (run as root to install them)" >&2
	exit 1
fi
[ -z "$missing" ] || echo "deps.sh: installing:$missing"
export DEBIAN_FRONTEND=noninteractive
apt="apt-get -q -y -o DPkg::Lock::Timeout=600"
# 'update' may fail for one suite mid-sync; carry on if the install itself works.
stamp=/var/lib/apt/lists/partial/../.modbox-updated
if [ $need_update = 1 ] || [ ! -e "$stamp" ] || [ -n "$(find "$stamp" -mmin +1440 2>/dev/null)" ]; then
	# With foreign architectures, one of them can be missing from a suite mid-sync
	# (bookworm-security for armhf, say): update exits 100, the rest is still usable.
	if ! out=$($apt update 2>&1); then
		upd_err=1
		echo "deps.sh: apt-get update reported errors; trying the install anyway:"
		echo "$out" | grep -E '^(E|W|Err):' | sed 's/^/deps.sh:   /' | head -n 5
	fi
	touch "$stamp" 2>/dev/null || true
fi
[ -z "$missing" ] || $apt install --no-install-recommends $missing
[ -z "${upd_err:-}" ] || echo "deps.sh: the packages installed despite apt-get update's errors"
