#!/bin/bash
# Real-kernel tests: boot Debian's 6.1 and 6.12 cloud kernels in QEMU with an initramfs
# that holds modbox, the kh_* test modules and a few Debian modules, and let
# tests/qemu/guest.sh (the image's /init) check what the kernel says.
#
# Usage: tests/qemu/run.sh [--kernel 6.1|6.12|all] MODBOX_BINARY
#
# Prints "ok - 6.1: CASE" / "not ok - 6.1: CASE" per case, "# ..." diagnostics (the whole
# guest log of a failed case, and notes); exits 0 iff every case passed. One boot per
# kernel, both kernels at once. Kernels, built test modules and module trees are cached
# under ${MODBOX_CACHE:-~/.cache/modbox}; the last run's logs are in $cache/qemu/logs.
# Each kernel's image also carries a module of the other kernel, so both get fetched.
# MODBOX_TINY=BINARY adds the tiny build (tiny_insmod case).
# MODBOX_QEMU_ACCEL=tcg|kvm skips the KVM probe; MODBOX_QEMU_TIMEOUT (default 120 s)
# bounds each boot.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
here=$top/tests/qemu
# shellcheck source=tests/qemu/lib.sh
. "$here/lib.sh"

series=(6.1 6.12)
while [ $# -gt 0 ]; do
	case $1 in
	--kernel)
		case ${2:-} in
		all) series=(6.1 6.12) ;;
		6.1 | 6.12) series=("$2") ;;
		*) say "--kernel takes 6.1, 6.12 or all"; exit 2 ;;
		esac
		shift 2
		;;
	-h | --help) sed -n '6p' "$0" | sed 's/^# //'; exit 0 ;;
	-*) say "unknown option $1"; exit 2 ;;
	*) break ;;
	esac
done
[ $# = 1 ] || { sed -n '6p' "$0" | sed 's/^# /usage: /' >&2; exit 2; }
modbox=$(realpath "$1" 2>/dev/null)
if [ ! -x "$modbox" ]; then
	say "no modbox binary at $1"
	exit 2
fi
file -L "$modbox" 2>/dev/null | grep -q 'statically linked' ||
	echo "# warning: $1 is not statically linked; the initramfs has no libc"

tmo=${MODBOX_QEMU_TIMEOUT:-120}
# whether the binary reads the modules when depmod's files are missing (its .config says)
mb_depmod=0
grep -q '^CONFIG_FEATURE_MODPROBE_DEPMOD=y' "$(dirname "$modbox")/.config" 2>/dev/null &&
	mb_depmod=1
real_mod=ipip  # a Debian module with two dependencies (tunnel4, ip_tunnel), in both trees
foreign=dummy  # a dependency-free Debian module, taken from the other kernel
# For the modprobe cases, Debian's files as they are (.ko.xz on 6.12), in both trees:
mp_chain=8021q       # needs garp, mrp, stp and llc; garp needs stp and llc, stp needs llc
mp_sharer=psnap      # needs llc too: keeps it loaded when 8021q goes
mp_xz=p8022          # needs llc; compressed here for 6.1 too, whose kernel can't take it
mp_alias_mod=pci_pf_stub # tiny PCI driver; its modules.alias pattern, filled in below
mp_alias_pattern='pci:v00001D0Fd00000053sv*sd*bc*sc*i*'
mp_alias='pci:v00001D0Fd00000053sv00001D0Fsd00000053bc02sc00i00' # what udev would pass
# kh_params.* for modprobe to read from /proc/cmdline (quotes: the kernel's, and kmod's)
cmdline='kh_params.myint=2 kh_params.myuint=2 kh_params.myushort=22 kh_params.mycharp="from cmdline"'
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
logs=$cache/qemu/logs
mkdir -p "$logs"

other_of() { if [ "$1" = 6.1 ]; then echo 6.12; else echo 6.1; fi; }

# build_test_modules SERIES: the kh_* modules for that kernel, built once per source
# content and kernel release; prints their directory.
build_test_modules() {
	local s=$1 rel hdr hash dir tmp
	rel=$("$kernels" release "$s") && hdr=$("$kernels" headers "$s") || return 1
	hash=$(cat "$here"/modules/* | md5sum | cut -c1-12)
	dir=$cache/testmods/$rel-$hash
	if [ ! -e "$dir/.complete" ]; then
		say "building the test modules for $rel"
		tmp=$work/mods-$s
		cp -r "$here/modules" "$tmp"
		# No vmlinux in the headers packages: skip BTF for the modules.
		make -s -C "$hdr" M="$tmp" CC=gcc-12 CONFIG_DEBUG_INFO_BTF_MODULES= modules >&2 ||
			{ say "building the test modules for $rel failed"; return 1; }
		rm -rf "$dir"
		mkdir -p "$dir"
		cp "$tmp"/*.ko "$dir/"
		touch "$dir/.complete"
	fi
	echo "$dir"
}

# module_tree SERIES: lib/modules/REL (the real module and its dependencies decompressed,
# the modprobe cases' modules as Debian ships them, the test modules, all indexed by
# Debian's depmod) and lib/foreign (the other kernel's module, an arm64 module), cached
# by everything that goes into it; prints its root.
module_tree() {
	local s=$1 o root rel oroot orel mods arm key dir tmp f
	o=$(other_of "$s")
	root=$("$kernels" root "$s") && rel=$("$kernels" release "$s") &&
		oroot=$("$kernels" root "$o") && orel=$("$kernels" release "$o") &&
		arm=$("$kernels" arm64-module) && mods=$(build_test_modules "$s") || return 1
	key=$(echo "$rel $orel $arm $mods $real_mod $foreign $mp_chain $mp_sharer $mp_xz" \
		"$mp_alias_mod $(md5sum <"$here/lib.sh") $(declare -f module_tree | md5sum)" |
		md5sum | cut -c1-12)
	dir=$cache/qemu/tree-$rel-$key
	if [ ! -e "$dir/.complete" ]; then
		say "assembling the module tree for $rel"
		tmp=$work/tree-$s
		prune_tree "$root" "$rel" "$tmp" "$real_mod" \
			"$mp_chain $mp_sharer $mp_xz $mp_alias_mod" || return 1
		# A kernel that does not decompress (6.1) gets one compressed module anyway, made
		# the way kbuild makes them: modbox must refuse it clearly.
		for f in "$tmp/lib/modules/$rel/kernel"/*/*/"$mp_xz.ko"; do
			[ ! -e "$f" ] || xz --check=crc32 --lzma2=dict=1MiB "$f" || return 1
		done
		mkdir -p "$tmp/lib/modules/$rel/extra" "$tmp/lib/foreign" "$tmp/lib/zmods"
		cp "$mods"/*.ko "$tmp/lib/modules/$rel/extra/"
		# kh_zip in the three formats, outside the module tree
		gzip -9c "$mods/kh_zip.ko" >"$tmp/lib/zmods/kh_zip.ko.gz" &&
			xz --check=crc32 --lzma2=dict=1MiB -c "$mods/kh_zip.ko" >"$tmp/lib/zmods/kh_zip.ko.xz" &&
			zstd -q -19 -c "$mods/kh_zip.ko" >"$tmp/lib/zmods/kh_zip.ko.zst" || return 1
		depmod -b "$tmp" "$rel" || return 1
		grep -qxF "alias $mp_alias_pattern $mp_alias_mod" "$tmp/lib/modules/$rel/modules.alias" ||
			{ say "no alias $mp_alias_pattern for $mp_alias_mod in $rel's modules.alias"; return 1; }
		f=$(module_closure "$oroot" "$orel" "$foreign") || return 1
		case $f in
		*.xz) xz -dc "$oroot/lib/modules/$orel/$f" >"$tmp/lib/foreign/$foreign.ko" ;;
		*) cp "$oroot/lib/modules/$orel/$f" "$tmp/lib/foreign/$foreign.ko" ;;
		esac
		cp "$arm" "$tmp/lib/foreign/"
		rm -rf "$dir"
		mkdir -p "$(dirname "$dir")"
		cp -a "$tmp" "$dir"
		touch "$dir/.complete"
	fi
	echo "$dir"
}

# image SERIES OUT: the test initramfs.
image() {
	local s=$1 out=$2 tree rel root d
	tree=$(module_tree "$s") && rel=$("$kernels" release "$s") &&
		root=$("$kernels" root "$s") || return 1
	d=$work/root-$s
	mkdir -p "$d"
	busybox_tree "$d"
	modbox_tree "$d" "$modbox"
	# the tiny build too, when given: its own start-up code must work on a real kernel
	[ -z "${MODBOX_TINY:-}" ] || cp "$MODBOX_TINY" "$d/bin/modbox-tiny"
	cp -a "$tree/lib" "$d/"
	rm -f "$d/.complete"
	mkdir -p "$d/proc" "$d/sys" "$d/dev" "$d/tmp" "$d/etc" "$d/boot"
	cp "$root/boot/config-$rel" "$d/boot/"
	cp "$here/guest.sh" "$d/init"
	chmod 755 "$d/init"
	printf 'root:x:0:0:root:/:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/sh\n' >"$d/etc/passwd"
	printf 'root:x:0:\nnogroup:x:65534:\n' >"$d/etc/group"
	# Not an ELF file at all.
	yes 'this is not a kernel module' | head -c 4096 >"$d/lib/garbage.ko"
	cat >"$d/etc/testenv" <<-EOF
		REAL_MOD=$real_mod
		FOREIGN_MOD=/lib/foreign/$foreign.ko
		FOREIGN_NAME=$foreign
		ARM64_MOD=/lib/foreign/$(basename "$("$kernels" arm64-module)")
		MP_CHAIN=$mp_chain
		MP_SHARER=$mp_sharer
		MP_XZ=$mp_xz
		MP_ALIAS_MOD=$mp_alias_mod
		MP_ALIAS_PATTERN='$mp_alias_pattern'
		MP_ALIAS=$mp_alias
		MB_DEPMOD=$mb_depmod
	EOF
	# modprobe's configuration; the blacklist case writes its own file.
	mkdir -p "$d/etc/modprobe.d"
	cat >"$d/etc/modprobe.d/modbox-test.conf" <<-'EOF'
		# options: these first, then the kernel command line's, then modprobe's arguments
		options kh_params myint=1 myuint=1 myshort=11 mylong=100
		# kh_export before kh_soft, kh-dash after it
		softdep kh_soft pre: kh_export post: kh-dash
		# kh_cmd is no module: its commands load and remove kh_params
		options kh_cmd mystr=fromconf
		install kh_cmd echo "$MODPROBE_MODULE installed with [$CMDLINE_OPTS]" >/tmp/install-ran; /bin/modbox insmod /lib/modules/$(uname -r)/extra/kh_params.ko $CMDLINE_OPTS
		remove kh_cmd /bin/modbox rmmod kh_params && echo "$MODPROBE_MODULE removed [$CMDLINE_OPTS]" >/tmp/remove-ran
	EOF
	mkinitramfs "$d" "$out"
}

# boot SERIES: boots into $work/SERIES.{console,results}; records the time taken.
boot() {
	local s=$1 rel root t0 t1 rc
	rel=$("$kernels" release "$s") && root=$("$kernels" root "$s") || return 1
	t0=$(date +%s)
	qemu_boot "$root/boot/vmlinuz-$rel" "$work/$s.cpio.gz" "$work/$s.console" \
		"$work/$s.results" "$tmo" "$cmdline" >"$work/$s.qemu" 2>&1
	rc=$?
	t1=$(date +%s)
	echo "$rc $((t1 - t0))" >"$work/$s.status"
}

# report SERIES: one line per case of guest.sh's list; returns non-zero if any failed.
report() {
	local s=$1 c res rc secs log failed=0 missing=0
	read -r rc secs <"$work/$s.status" 2>/dev/null || { rc='?'; secs='?'; }
	res=$work/$s.results
	touch "$res"
	# Serial line ends may be \r\n.
	tr -d '\r' <"$res" >"$res.tmp" && mv "$res.tmp" "$res"
	echo "# $s: $(head -n 1 "$res" | sed 's/^# //'); boot took ${secs} s ($(qemu_accel)), qemu exit $rc"
	for c in $(sh "$here/guest.sh" --list); do
		# The case's log: the lines between its "# --- CASE" marker and its verdict.
		log=$(awk -v c="$c" '$0 == "# --- " c { on = 1; next }
			on && ($0 ~ "^(not )?ok " c "( |$)") { exit }
			on { print }' "$res")
		if grep -qx "ok $c" "$res"; then
			echo "ok - $s: $c"
		elif grep -q "^ok $c # SKIP " "$res"; then
			echo "ok - $s: $c # SKIP $(sed -n "s/^ok $c # SKIP //p" "$res")"
		elif grep -qx "not ok $c" "$res"; then
			echo "not ok - $s: $c"
			failed=1
			printf '%s\n' "$log"
			continue
		else
			echo "not ok - $s: $c # no result: the guest never finished it"
			failed=1
			missing=1
			[ -z "$log" ] || printf '%s\n' "$log"
			continue
		fi
		printf '%s\n' "$log" | grep '^# note: ' || true
	done
	if [ $missing = 1 ]; then
		[ "$rc" != 124 ] || echo "# $s: the boot timed out after $tmo s"
		echo "# $s: last lines of the console:"
		tail -n 25 "$work/$s.console" 2>/dev/null | sed 's/^/#   /'
		sed 's/^/#   qemu: /' "$work/$s.qemu"
	fi
	cp "$work/$s.console" "$logs/$s.console" 2>/dev/null
	cp "$res" "$logs/$s.results"
	return $failed
}

# Fetch and build in turn (they share the cache lock and the CPU), then boot all kernels
# at once: each TCG guest keeps one host core busy.
ready=()
for s in "${series[@]}"; do
	if image "$s" "$work/$s.cpio.gz"; then
		ready+=("$s")
	else
		echo "not ok - $s: setup (fetching the kernel, building modules or the initramfs)"
	fi
done
qemu_accel >/dev/null
for s in "${ready[@]}"; do
	boot "$s" &
done
wait

status=0
[ ${#ready[@]} = ${#series[@]} ] || status=1
for s in "${ready[@]}"; do
	report "$s" || status=1
done
exit $status
