#!/bin/sh
# Fetch and cache Debian bookworm's cloud kernels (image + headers) for the real-kernel
# tests, full module trees for the oracle tests, arm64 and armhf ones among them.
#
# Usage: scripts/kernels.sh fetch|root|release|headers 6.1|6.12
#        scripts/kernels.sh arm64-module
#        scripts/kernels.sh full-tree 6.1|6.12
#        scripts/kernels.sh foreign-tree arm64|armhf
#        scripts/kernels.sh full-boot 6.12
#
#   fetch    download and extract the image and headers packages (cached; no output)
#   root     print the extracted image root (boot/vmlinuz-REL, lib/modules/REL/)
#   release  print REL, the kernel's `uname -r`
#   headers  print the headers build dir, usable as `make -C DIR M=...`
#   arm64-module  print the path of one small .ko (crc7.ko) of the arm64 foreign-tree
#   full-tree print the root of Debian's full amd64 module tree of the series (about
#            4,000 modules, lib/modules/REL), indexed by Debian's own depmod
#   foreign-tree  the same for Debian's current 6.1 arm64 or 32-bit armhf (armmp)
#            kernel (about 3,500 modules); REL is in ROOT/release. apt is given the
#            architecture first (scripts/deps.sh foreign-arch)
#   full-boot print the directory holding boot/vmlinuz-REL and boot/config-REL of that
#            full flavour (the kernel the coldplug tests boot, with full-tree's modules)
#
# Everything lives under ${MODBOX_CACHE:-$HOME/.cache/modbox}/kernels. The ABI (6.1) and
# the version (6.12) come from Debian's meta packages, never from this file; a second call
# finds everything in the cache and uses no network. Progress goes to stderr, answers to
# stdout.
#
# Option lists ($apt_opts, $aopts) are split into words on purpose.
# shellcheck disable=SC2086
set -eu

cache=${MODBOX_CACHE:-$HOME/.cache/modbox}/kernels
apt_opts="-q -o APT::Sandbox::User=root"

say() { echo "kernels.sh: $*" >&2; }
die() { say "ERROR: $*"; exit 1; }

usage() {
	sed -n '5,30s/^# \{0,1\}//p' "$0" >&2
	exit 2
}

# The meta package that names the current kernel of a series.
meta_of() {
	case $1 in
	6.1) echo linux-image-cloud-amd64 ;;
	6.12) echo linux-image-6.12-cloud-amd64 ;;
	*) die "unknown kernel series '$1' (6.1 or 6.12)" ;;
	esac
}

# First "Depends:" of PKG whose name matches the extended regex RE, or nothing.
dep_of() {
	apt-cache depends "$1" 2>/dev/null |
		sed -n 's/^ *|\{0,1\}Depends: *//p' | grep -E "^$2\$" | head -n 1 || true
}

# The image package of series $1, e.g. linux-image-6.1.0-56-cloud-amd64. Asks apt's local
# lists; runs `apt-get update` only when they know nothing, and falls back to the release
# last fetched for this series when even that fails (offline machine with a warm cache).
image_pkg() {
	meta=$(meta_of "$1")
	# Asking apt costs most of a second; its answer can only change with its lists, so
	# the last answer holds while no list is newer than it.
	cur=$cache/$1.current
	if [ -s "$cur" ] && [ -e "$cache/$(cat "$cur")/.complete" ] &&
		[ -z "$(find /var/lib/apt/lists -maxdepth 1 -name '*Packages*' -newer "$cur" 2>/dev/null)" ]; then
		echo "linux-image-$(cat "$cur")"
		return
	fi
	re='linux-image-[0-9][^ ]*-cloud-amd64'
	pkg=$(dep_of "$meta" "$re")
	if [ -z "$pkg" ]; then
		if [ -s "$cache/$1.current" ]; then
			echo "linux-image-$(cat "$cache/$1.current")"
			return
		fi
		say "apt knows no $meta; running apt-get update"
		# One unreachable foreign source makes update exit non-zero; the lists we
		# need may still have arrived, so look again before giving up.
		apt-get $apt_opts update >&2 || say "apt-get update reported errors; looking anyway"
		pkg=$(dep_of "$meta" "$re")
	fi
	[ -n "$pkg" ] || die "cannot find the image package of $meta in apt's lists"
	echo "$pkg"
}

# fetch SERIES: make $cache/REL/{image,headers} exist; print REL on stdout.
fetch() {
	series=$1
	pkg=$(image_pkg "$series")
	rel=${pkg#linux-image-}
	dir=$cache/$rel
	if [ -e "$dir/.complete" ]; then
		echo "$rel" >"$cache/$series.current"
		echo "$rel"
		return
	fi

	hdr=linux-headers-$rel
	common=$(dep_of "$hdr" 'linux-headers-[^ ]*-common')
	kbuild=$(dep_of "$hdr" 'linux-kbuild-[^ ]*')
	if [ -z "$common" ] || [ -z "$kbuild" ]; then
		die "cannot find the -common and linux-kbuild packages that $hdr depends on"
	fi

	say "fetching $series: $pkg $hdr $common $kbuild"
	tmp=$cache/.tmp-$rel.$$
	rm -rf "$tmp"
	mkdir -p "$tmp/debs" "$tmp/image" "$tmp/headers"
	# apt-get download writes into the current directory.
	(cd "$tmp/debs" && apt-get $apt_opts download "$pkg" "$hdr" "$common" "$kbuild") >&2 ||
		die "apt-get download failed"
	say "extracting $pkg"
	dpkg-deb -x "$tmp/debs/${pkg}_"*.deb "$tmp/image"
	for p in "$hdr" "$common" "$kbuild"; do
		say "extracting $p"
		dpkg-deb -x "$tmp/debs/${p}_"*.deb "$tmp/headers"
	done
	if [ ! -d "$tmp/image/lib/modules/$rel" ] || [ ! -e "$tmp/image/boot/vmlinuz-$rel" ]; then
		die "$pkg does not hold boot/vmlinuz-$rel and lib/modules/$rel"
	fi
	# Debian's per-flavour Makefile includes the -common one by absolute path
	# (/usr/src/...); point it at our copy. The relative symlinks (scripts, tools) stay
	# valid because the whole usr/ tree is extracted side by side.
	mk=$tmp/headers/usr/src/$hdr/Makefile
	[ -e "$mk" ] || die "$hdr has no Makefile"
	sed -i "s|^include /usr/src/|include $dir/headers/usr/src/|" "$mk"
	# Keep the package names and versions for the record; drop the debs.
	ls "$tmp/debs" >"$tmp/packages"
	rm -rf "$tmp/debs"
	rm -rf "$dir"
	mv "$tmp" "$dir"
	touch "$dir/.complete"
	echo "$rel" >"$cache/$series.current"
	say "$series ready: $dir"
	echo "$rel"
}

# Debian's full amd64 flavour of the same version as the cloud kernel of series $1: its
# lib/modules only, with the index files Debian's kmod depmod writes for it, as the
# reference the modprobe, modinfo and depmod tests compare against.
full_tree() {
	rel=$(fetch "$1")
	frel=${rel%-cloud-amd64}-amd64
	dir=$cache/full/$frel
	if [ -e "$dir/.complete" ]; then
		echo "$dir"
		return
	fi
	command -v depmod >/dev/null || PATH=$PATH:/sbin:/usr/sbin
	command -v depmod >/dev/null || die "Debian's depmod (package kmod) is needed"
	pkg=linux-image-$frel-unsigned
	apt-cache show "$pkg" >/dev/null 2>&1 || pkg=linux-image-$frel
	tmp=$cache/full/.tmp-$frel.$$
	rm -rf "$tmp"
	mkdir -p "$tmp/debs"
	say "fetching the full module tree: $pkg"
	(cd "$tmp/debs" && apt-get $apt_opts download "$pkg") >&2 || die "apt-get download $pkg failed"
	dpkg-deb --fsys-tarfile "$tmp/debs/${pkg}_"*.deb | tar -x -C "$tmp" ./lib/modules
	rm -rf "$tmp/debs"
	[ -d "$tmp/lib/modules/$frel" ] || die "$pkg has no lib/modules/$frel"
	say "indexing it with Debian's depmod"
	depmod -b "$tmp" "$frel" || die "depmod failed on $tmp"
	echo "$frel" >"$tmp/release"
	rm -rf "$dir"
	mv "$tmp" "$dir"
	touch "$dir/.complete"
	echo "$dir"
}

# Debian bookworm's current 6.1 kernel for a foreign architecture (arm64: the arm64
# flavour; armhf: the 32-bit armmp one): its lib/modules only, indexed by the host's
# Debian depmod, which reads ELF class and byte order from each file. Prints the root.
# apt must know the architecture: scripts/deps.sh adds it (once, as root).
foreign_tree() {
	case $1 in
	arm64) meta=linux-image-arm64 ;;
	armhf) meta=linux-image-armmp ;;
	*) die "unknown architecture '$1' (arm64 or armhf)" ;;
	esac
	arch=$1
	flavour=${meta#linux-image-}
	cur=$cache/foreign/$arch.current
	# apt's answer can change only with its lists (as in image_pkg)
	if [ -s "$cur" ] && [ -e "$cache/foreign/$(cat "$cur")/.complete" ] &&
		[ -z "$(find /var/lib/apt/lists -maxdepth 1 -name '*Packages*' -newer "$cur" 2>/dev/null)" ]; then
		echo "$cache/foreign/$(cat "$cur")"
		return
	fi
	re="linux-image-6\.1\.[^ ]*-$flavour(:$arch)?"
	pkg=$(dep_of "$meta:$arch" "$re")
	if [ -z "$pkg" ]; then
		"$(dirname "$0")/deps.sh" foreign-arch "$arch" >&2 ||
			die "apt cannot fetch $arch packages (scripts/deps.sh foreign-arch $arch)"
		pkg=$(dep_of "$meta:$arch" "$re")
	fi
	if [ -z "$pkg" ]; then
		# offline with a warm cache: the tree last fetched
		if [ -s "$cur" ] && [ -e "$cache/foreign/$(cat "$cur")/.complete" ]; then
			echo "$cache/foreign/$(cat "$cur")"
			return
		fi
		die "cannot find the 6.1 image package of $meta:$arch in apt's lists"
	fi
	pkg=${pkg%:"$arch"}
	rel=${pkg#linux-image-}
	dir=$cache/foreign/$rel
	if [ ! -e "$dir/.complete" ]; then
		command -v depmod >/dev/null || PATH=$PATH:/sbin:/usr/sbin
		command -v depmod >/dev/null || die "Debian's depmod (package kmod) is needed"
		tmp=$cache/foreign/.tmp-$rel.$$
		rm -rf "$tmp"
		mkdir -p "$tmp/debs"
		say "fetching the $arch module tree: $pkg:$arch"
		(cd "$tmp/debs" && apt-get $apt_opts download "$pkg:$arch") >&2 ||
			die "apt-get download $pkg:$arch failed"
		(cd "$tmp/debs" && stat -c "%n %s" -- *.deb) >"$tmp/packages"
		dpkg-deb --fsys-tarfile "$tmp/debs/${pkg}_"*.deb | tar -x -C "$tmp" ./lib/modules
		rm -rf "$tmp/debs"
		[ -d "$tmp/lib/modules/$rel" ] || die "$pkg has no lib/modules/$rel"
		say "indexing it with Debian's depmod"
		depmod -b "$tmp" "$rel" || die "depmod failed on $tmp"
		echo "$rel" >"$tmp/release"
		rm -rf "$dir"
		mv "$tmp" "$dir"
		touch "$dir/.complete"
		say "$arch tree ready: $dir"
	fi
	echo "$rel" >"$cur"
	echo "$dir"
}

# The boot/ of the same package as full_tree's modules (downloaded again: full_tree
# kept only lib/modules).
full_boot() {
	full=$(full_tree "$1")
	frel=$(cat "$full/release")
	dir=$cache/full-boot/$frel
	if [ -e "$dir/.complete" ]; then
		echo "$dir"
		return
	fi
	pkg=linux-image-$frel-unsigned
	apt-cache show "$pkg" >/dev/null 2>&1 || pkg=linux-image-$frel
	tmp=$cache/full-boot/.tmp-$frel.$$
	rm -rf "$tmp"
	mkdir -p "$tmp/debs"
	say "fetching the full kernel image: $pkg"
	(cd "$tmp/debs" && apt-get $apt_opts download "$pkg") >&2 || die "apt-get download $pkg failed"
	dpkg-deb --fsys-tarfile "$tmp/debs/${pkg}_"*.deb | tar -x -C "$tmp" ./boot
	rm -rf "$tmp/debs"
	[ -e "$tmp/boot/vmlinuz-$frel" ] || die "$pkg has no boot/vmlinuz-$frel"
	echo "$frel" >"$tmp/release"
	rm -rf "$dir"
	mv "$tmp" "$dir"
	touch "$dir/.complete"
	echo "$dir"
}

[ $# -ge 1 ] || usage
mkdir -p "$cache"
# One fetch at a time: `make -j` may start the unit and QEMU tests together.
exec 9>"$cache/.lock"
flock 9

case $1 in
full-tree)
	[ $# = 2 ] || usage
	full_tree "$2"
	;;
full-boot)
	[ $# = 2 ] || usage
	full_boot "$2"
	;;
fetch)
	[ $# = 2 ] || usage
	fetch "$2" >/dev/null
	;;
root)
	[ $# = 2 ] || usage
	rel=$(fetch "$2")
	echo "$cache/$rel/image"
	;;
release)
	[ $# = 2 ] || usage
	fetch "$2"
	;;
headers)
	[ $# = 2 ] || usage
	rel=$(fetch "$2")
	echo "$cache/$rel/headers/usr/src/linux-headers-$rel"
	;;
arm64-module)
	[ $# = 1 ] || usage
	dir=$(foreign_tree arm64)
	echo "$dir/lib/modules/$(cat "$dir/release")/kernel/lib/crc7.ko"
	;;
foreign-tree)
	[ $# = 2 ] || usage
	foreign_tree "$2"
	;;
*) usage ;;
esac
