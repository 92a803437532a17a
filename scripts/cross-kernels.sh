#!/bin/sh
# Kernels and a shell for the cross targets' real-kernel tests (tests/qemu/cross.sh):
# Debian bookworm's arm64 cloud kernel and 32-bit armmp kernel, their busybox-static, and
# for riscv64 (no port in bookworm) a small kernel built from linux-source-6.1.
#
# Usage: scripts/cross-kernels.sh root|release|busybox|test-modules aarch64|armhf|riscv64
#
#   root     print the kernel's root: boot/vmlinuz-REL (riscv64: boot/Image-REL),
#            boot/config-REL, lib/modules/REL/
#   release  print REL, the kernel's `uname -r`
#   busybox  print the path of a static busybox for the target
#   test-modules  riscv64 only (the kernel built here): print the directory of the kh_*
#            test modules (tests/qemu/modules) built against its tree
#
# Everything is cached under ${MODBOX_CACHE:-$HOME/.cache/modbox}/kernels/cross; a second
# call uses no network. The arm packages come through the system's apt with the foreign
# architectures that scripts/deps.sh cross adds. Progress goes to stderr, answers to stdout.
# shellcheck disable=SC2086 # $apt_opts is split into words on purpose
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
cache=${MODBOX_CACHE:-$HOME/.cache/modbox}/kernels/cross
apt_opts="-q -o APT::Sandbox::User=root"

say() { echo "cross-kernels.sh: $*" >&2; }
die() { say "ERROR: $*"; exit 1; }
usage() {
	sed -n '6,13s/^# \{0,1\}//p' "$0" >&2
	exit 2
}

# Debian's architecture and kernel meta package of a target.
deb_arch() {
	case $1 in
	aarch64) echo arm64 ;;
	armhf) echo armhf ;;
	riscv64) echo riscv64 ;;
	*) die "unknown target '$1' (aarch64, armhf, riscv64)" ;;
	esac
}
meta_of() {
	case $1 in
	aarch64) echo linux-image-cloud-arm64:arm64 ;;
	armhf) echo linux-image-armmp:armhf ;;
	esac
}

# have_lists ARCH: apt knows packages of that architecture, else `deps.sh cross` adds it.
have_lists() {
	apt-cache policy "busybox-static:$1" 2>/dev/null | grep -q 'Candidate: [0-9]' ||
		"$top/scripts/deps.sh" cross >&2 || die "apt has no $1 packages (scripts/deps.sh cross)"
}

# download PKG DIR: extract the Debian package PKG into DIR (via a temporary download).
download() {
	tmp=$cache/.dl.$$
	rm -rf "$tmp"
	mkdir -p "$tmp"
	say "downloading $1"
	(cd "$tmp" && apt-get $apt_opts download "$1") >&2 || die "apt-get download $1 failed"
	mkdir -p "$2"
	dpkg-deb -x "$tmp"/*.deb "$2"
	ls "$tmp" >>"$2/packages"
	rm -rf "$tmp"
}

# Debian's kernel of a target: $cache/REL/{boot,lib/modules/REL}; prints that directory.
debian_root() {
	t=$1
	a=$(deb_arch "$t")
	cur=$cache/$t.current
	if [ -s "$cur" ] && [ -e "$cache/$(cat "$cur")/.complete" ] &&
		[ -z "$(find /var/lib/apt/lists -maxdepth 1 -name "*binary-${a}_Packages*" -newer "$cur" 2>/dev/null)" ]; then
		echo "$cache/$(cat "$cur")"
		return
	fi
	have_lists "$a"
	pkg=$(apt-cache depends "$(meta_of "$t")" 2>/dev/null |
		sed -n 's/^ *Depends: *\(linux-image-[0-9][^ ]*\)$/\1/p' | head -n 1)
	if [ -z "$pkg" ]; then
		[ -s "$cur" ] || die "apt knows no $(meta_of "$t")"
		echo "$cache/$(cat "$cur")"
		return
	fi
	rel=${pkg#linux-image-}
	rel=${rel%:*}
	dir=$cache/$rel
	if [ ! -e "$dir/.complete" ]; then
		rm -rf "$dir.tmp"
		download "$pkg" "$dir.tmp"
		if [ ! -e "$dir.tmp/boot/vmlinuz-$rel" ] || [ ! -d "$dir.tmp/lib/modules/$rel" ]; then
			die "$pkg holds no boot/vmlinuz-$rel and lib/modules/$rel"
		fi
		echo "$rel" >"$dir.tmp/release"
		rm -rf "$dir"
		mv "$dir.tmp" "$dir"
		touch "$dir/.complete"
	fi
	echo "$rel" >"$cur"
	echo "$dir"
}

# riscv64: Debian's linux-source-6.1 configured from tinyconfig with what the test needs:
# modules and their removal, an initramfs, the SBI console of QEMU's virt machine, and a
# few modules with dependencies. Built once (about 5 minutes on two cores) and cached.
riscv_root() {
	src=$(ls /usr/src/linux-source-6.1.tar.xz 2>/dev/null) || {
		"$top/scripts/deps.sh" cross >&2
		src=/usr/src/linux-source-6.1.tar.xz
	}
	[ -e "$src" ] || die "no $src (package linux-source-6.1)"
	ver=$(dpkg-query -W -f='${Version}' linux-source-6.1)
	frag=$top/tests/qemu/riscv64_kernel.config
	key=$(md5sum <"$frag" | cut -c1-8)
	dir=$cache/riscv64-$ver-$key
	if [ -e "$dir/.complete" ]; then
		echo "$dir"
		return
	fi
	b=$cache/.build-riscv64
	rm -rf "$b"
	mkdir -p "$b"
	say "unpacking linux-source-6.1 $ver"
	tar -xf "$src" -C "$b"
	k=$b/linux-source-6.1
	cross=riscv64-linux-gnu-
	command -v ${cross}gcc >/dev/null || "$top/scripts/deps.sh" cross >&2
	mk="make -s -C $k ARCH=riscv CROSS_COMPILE=$cross LOCALVERSION=-modbox"
	say "configuring (tinyconfig + tests/qemu/riscv64_kernel.config)"
	$mk tinyconfig >&2
	"$k/scripts/kconfig/merge_config.sh" -m -O "$k" "$k/.config" "$frag" >/dev/null
	$mk olddefconfig >&2
	# Every line of the fragment must have survived: a missing dependency drops it silently.
	while read -r l; do
		case $l in CONFIG_*) grep -qx "$l" "$k/.config" || die "the kernel config lost $l" ;; esac
	done <"$frag"
	say "building the riscv64 kernel ($(nproc) jobs)"
	$mk -j"$(nproc)" Image modules >&2 || die "the riscv64 kernel build failed"
	rel=$($mk -s kernelrelease)
	rm -rf "$dir.tmp"
	mkdir -p "$dir.tmp/boot"
	cp "$k/arch/riscv/boot/Image" "$dir.tmp/boot/Image-$rel"
	cp "$k/.config" "$dir.tmp/boot/config-$rel"
	$mk INSTALL_MOD_PATH="$dir.tmp" modules_install >&2
	rm -f "$dir.tmp/lib/modules/$rel/build" "$dir.tmp/lib/modules/$rel/source"
	echo "$rel" >"$dir.tmp/release"
	echo "linux-source-6.1 $ver" >"$dir.tmp/packages"
	# The configured tree, to build test modules against.
	$mk modules_prepare >&2
	mkdir -p "$dir.tmp/build"
	mv "$k" "$dir.tmp/build/linux"
	rm -rf "$dir" "$b"
	mv "$dir.tmp" "$dir"
	touch "$dir/.complete"
	echo "$dir"
}

root_of() {
	case $1 in
	riscv64) riscv_root ;;
	*) debian_root "$1" ;;
	esac
}

# riscv64's busybox (bookworm has none): Debian's busybox source, only the applets the
# guest script uses, static against scripts/musl.sh's musl.
riscv_busybox() {
	out=$1
	specs=$("$top/scripts/musl.sh" riscv64) || die "no riscv64 musl"
	b=$cache/.busybox-riscv64
	rm -rf "$b"
	mkdir -p "$b"
	say "fetching Debian's busybox source"
	(cd "$b" && apt-get $apt_opts source busybox) >&2 || die "apt-get source busybox failed"
	d=$(find "$b" -mindepth 1 -maxdepth 1 -type d -name 'busybox-*' | head -n 1)
	{
		echo CONFIG_STATIC=y
		echo CONFIG_SHELL_ASH=y
		echo CONFIG_ASH=y
		echo CONFIG_ASH_BASH_COMPAT=y
		echo CONFIG_ASH_ECHO=y
		echo CONFIG_ASH_PRINTF=y
		echo CONFIG_ASH_TEST=y
		echo CONFIG_SH_IS_ASH=y
		echo CONFIG_FEATURE_SH_MATH=y
		for a in MOUNT UMOUNT CAT LS GREP SED AWK CUT TR HEAD TAIL WC SORT CMP CP RM MKDIR \
			READLINK BASENAME ECHO TIMEOUT SYNC POWEROFF FIND PRINTF TEST UNAME DMESG; do
			echo "CONFIG_$a=y"
		done
		echo CONFIG_FEATURE_MOUNT_FLAGS=y
		echo CONFIG_FEATURE_FIND_NAME=y
	} >"$b/frag"
	say "building a small static busybox for riscv64"
	if ! (
		cd "$d"
		make allnoconfig
		# busybox's kconfig ignores KCONFIG_ALLCONFIG: the lines go in by hand.
		sed 's/=y$//' "$b/frag" | while read -r sym; do
			sed -i "/^# $sym is not set\$/d; /^$sym=/d" .config
		done
		cat "$b/frag" >>.config
		yes "" | make oldconfig
		grep -q '^CONFIG_STATIC=y' .config
		make -j"$(nproc)" CROSS_COMPILE=riscv64-linux-gnu- \
			CC="riscv64-linux-gnu-gcc -specs $specs" busybox
	) >"$b/build.log" 2>&1; then
		tail -n 30 "$b/build.log" >&2
		die "building busybox for riscv64 failed"
	fi
	cp "$d/busybox" "$out"
	rm -rf "$b"
}

# A static busybox for the guest: Debian's busybox-static of the target's architecture,
# or for riscv64 one built from Debian's source.
busybox_of() {
	a=$(deb_arch "$1")
	out=$cache/busybox-$a
	if [ ! -x "$out" ] && [ "$a" = riscv64 ]; then
		riscv_busybox "$out"
	elif [ ! -x "$out" ]; then
		have_lists "$a"
		rm -rf "$out.d"
		download "busybox-static:$a" "$out.d"
		cp "$out.d/bin/busybox" "$out"
		rm -rf "$out.d"
	fi
	echo "$out"
}

# test_modules TARGET: kh_export, kh_import (a symbol across modules) and kh_params, built
# against the tree of a kernel built here, once per content of their sources.
test_modules() {
	root=$(root_of "$1")
	[ -d "$root/build/linux" ] || die "no kernel tree for $1: test modules need one built here"
	rel=$(cat "$root/release")
	mods="kh_export kh_import kh_params"
	src=$top/tests/qemu/modules
	hash=$(for m in $mods; do cat "$src/$m.c"; done | md5sum | cut -c1-12)
	out=$cache/testmods-$rel-$hash
	if [ ! -e "$out/.complete" ]; then
		say "building the test modules for $rel"
		rm -rf "$out" "$out.d"
		mkdir -p "$out.d"
		for m in $mods; do cp "$src/$m.c" "$out.d/"; done
		echo "obj-m := $(printf '%s.o ' $mods)" >"$out.d/Kbuild"
		make -s -C "$root/build/linux" ARCH=riscv CROSS_COMPILE=riscv64-linux-gnu- \
			LOCALVERSION=-modbox M="$out.d" modules >&2 || die "building the test modules failed"
		mkdir -p "$out"
		cp "$out.d"/*.ko "$out/"
		rm -rf "$out.d"
		touch "$out/.complete"
	fi
	echo "$out"
}

[ $# = 2 ] || usage
mkdir -p "$cache"
# One fetch or build per target at a time; targets do not wait for each other.
exec 9>"$cache/.lock-$2"
flock 9
case $1 in
root) root_of "$2" ;;
release) cat "$(root_of "$2")/release" ;;
busybox) busybox_of "$2" ;;
test-modules) test_modules "$2" ;;
*) usage ;;
esac
