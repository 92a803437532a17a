# Shared by tests/qemu/run.sh and tests/qemu/demo.sh (bash): building initramfs images and
# booting Debian's kernels in QEMU.
# shellcheck shell=bash

top=${top:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
cache=${MODBOX_CACHE:-$HOME/.cache/modbox}
kernels=$top/scripts/kernels.sh

say() { echo "$(basename "$0"): $*" >&2; }

# newc_node NAME MODE MAJOR MINOR: one newc cpio entry without data (a directory or a
# device node). Written by hand so that no mknod, hence no root, is needed.
newc_node() {
	local nsz=$((${#1} + 1)) pad
	printf '070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X' \
		0 $((0$2)) 0 0 1 0 0 0 0 "$3" "$4" $nsz 0
	printf '%s\0' "$1"
	# The header (110 bytes) and the name together are padded to 4 bytes.
	pad=$(((4 - (110 + nsz) % 4) % 4))
	head -c $pad /dev/zero
}

# mkinitramfs DIR OUT: DIR as a gzip'd newc archive, preceded by an uncompressed one that
# holds /dev/console: the kernel opens it for /init's stdin/stdout before /init runs.
# The kernel unpacks concatenated archives in turn; the small one goes first because an
# archive after a compressed one must start on a 4-byte boundary that gzip doesn't keep.
mkinitramfs() {
	local dir=$1 out=$2
	{
		newc_node dev 040755 0 0
		newc_node dev/console 020600 5 1
		newc_node 'TRAILER!!!' 0 0 0
		(cd "$dir" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet | gzip -1)
	} >"$out"
}

# busybox_tree DIR: /bin/busybox from busybox-static and links for its applets, except
# the module tools, whose names belong to modbox.
busybox_tree() {
	local dir=$1 a
	mkdir -p "$dir/bin" "$dir/sbin"
	cp /bin/busybox "$dir/bin/busybox"
	for a in $(/bin/busybox --list); do
		case $a in
		busybox | insmod | rmmod | lsmod | modprobe | modinfo | depmod) ;;
		*) ln -sf busybox "$dir/bin/$a" ;;
		esac
	done
}

# modbox_tree DIR MODBOX: /bin/modbox and /sbin/APPLET links for the applets it has.
modbox_tree() {
	local dir=$1 a
	mkdir -p "$dir/bin" "$dir/sbin"
	cp "$2" "$dir/bin/modbox"
	for a in $("$2" --list 2>/dev/null || echo insmod rmmod lsmod); do
		ln -sf /bin/modbox "$dir/sbin/$a"
	done
}

# module_closure ROOT REL NAME...: the file names (relative to lib/modules/REL) of the
# modules NAME and everything they depend on, from each file's own "depends=".
module_closure() {
	local root=$1 rel=$2 md todo name f seen=" "
	shift 2
	md=$root/lib/modules/$rel
	todo="$*"
	# shellcheck disable=SC2086 # word splitting of the to-do list is the point
	while set -- $todo && [ $# -gt 0 ]; do
		name=$1
		shift
		todo="$*"
		case $seen in *" $name "*) continue ;; esac
		seen="$seen$name "
		f=$(cd "$md" && find kernel -name "$name.ko*" -o -name "${name//_/-}.ko*" | head -n 1)
		[ -n "$f" ] || { say "no module $name in $md"; return 1; }
		echo "$f"
		todo="$todo $(modinfo -F depends "$md/$f" | tr , ' ')"
	done
}

# prune_tree ROOT REL DEST PLAIN [AS_IS]: DEST/lib/modules/REL with only the modules
# named in the lists PLAIN and AS_IS (words) and their dependencies, plus the builtin
# lists. The closure of PLAIN is decompressed (the insmod cases hand plain .ko files to
# the kernel); that of AS_IS keeps Debian's files as they are, .ko.xz on 6.12, for the
# modprobe cases, where the kernel decompresses them. The two closures must not share a
# module. Indexing (depmod) is the caller's.
prune_tree() {
	local root=$1 rel=$2 dest=$3 plain=$4 asis=${5:-} f
	local md=$root/lib/modules/$rel dmd=$dest/lib/modules/$rel
	mkdir -p "$dmd"
	# shellcheck disable=SC2086 # the lists are words
	for f in $(module_closure "$root" "$rel" $plain); do
		mkdir -p "$dmd/$(dirname "$f")"
		case $f in
		*.xz) xz -dc "$md/$f" >"$dmd/${f%.xz}" ;;
		*) cp "$md/$f" "$dmd/$f" ;;
		esac
	done
	if [ -n "$asis" ]; then
		# shellcheck disable=SC2086
		for f in $(module_closure "$root" "$rel" $asis); do
			mkdir -p "$dmd/$(dirname "$f")"
			if [ -e "$dmd/${f%.xz}" ] || [ -e "$dmd/$f" ]; then
				say "$f is needed both plain and as is"
				return 1
			fi
			cp "$md/$f" "$dmd/$f"
		done
	fi
	cp "$md"/modules.builtin "$md"/modules.builtin.modinfo "$md"/modules.order "$dmd/"
}

# --- QEMU -------------------------------------------------------------------------------

# The accelerator: $MODBOX_QEMU_ACCEL (tcg or kvm) if set, else KVM only if it proves
# itself by booting a tiny initramfs to /init within 15 s (on some hosts KVM runs, but far
# slower than TCG, or not at all); the verdict is kept per host in the cache.
qemu_accel() {
	local key verdict probe t0 t1
	if [ -n "${MODBOX_QEMU_ACCEL:-}" ]; then
		echo "$MODBOX_QEMU_ACCEL"
		return
	fi
	if [ ! -w /dev/kvm ]; then
		echo tcg
		return
	fi
	key=$( (uname -r; qemu-system-x86_64 --version | head -n 1; grep -m1 'model name' /proc/cpuinfo) |
		md5sum | cut -c1-12)
	verdict=$cache/qemu/accel-$key
	if [ ! -s "$verdict" ]; then
		mkdir -p "$cache/qemu"
		probe=$(mktemp -d)
		mkdir -p "$probe/root"
		busybox_tree "$probe/root"
		printf '#!/bin/sh\necho MODBOX-PROBE-INIT\npoweroff -f\n' >"$probe/root/init"
		chmod +x "$probe/root/init"
		mkinitramfs "$probe/root" "$probe/probe.cpio.gz"
		local kroot krel
		kroot=$("$kernels" root 6.1) && krel=$("$kernels" release 6.1) || return 1
		say "probing KVM (up to 15 s, once per host)"
		t0=$(date +%s.%N)
		timeout 15 qemu-system-x86_64 -accel kvm -nodefaults -no-user-config -display none \
			-m 256 -no-reboot -kernel "$kroot/boot/vmlinuz-$krel" \
			-initrd "$probe/probe.cpio.gz" -append "console=ttyS0 panic=-1 loglevel=4" \
			-serial "file:$probe/console.log" >/dev/null 2>&1
		t1=$(date +%s.%N)
		if grep -q MODBOX-PROBE-INIT "$probe/console.log" 2>/dev/null; then
			echo kvm >"$verdict"
		else
			echo tcg >"$verdict"
		fi
		say "KVM probe: $(cat "$verdict") ($(echo "$t1 - $t0" | bc) s)"
		rm -rf "$probe"
	fi
	cat "$verdict"
}

# qemu_boot KERNEL INITRD CONSOLE_LOG [RESULTS_LOG] [TIMEOUT] [APPEND]: boots, with the
# console on the first serial port (into CONSOLE_LOG, or to stdout if it is "-") and the
# results port (the second serial port) into RESULTS_LOG; APPEND goes at the end of the
# kernel command line. Never waits longer than TIMEOUT seconds (default 120). Returns
# timeout's status (124: timed out).
qemu_boot() {
	local kernel=$1 initrd=$2 console=$3 results=${4:-} tmo=${5:-120} append=${6:-} accel
	local -a args
	accel=$(qemu_accel)
	args=(-accel "$accel" -nodefaults -no-user-config -display none -m 512 -smp 1
		-no-reboot -kernel "$kernel" -initrd "$initrd"
		-append "console=ttyS0 panic=-1 loglevel=4${append:+ $append}")
	if [ "$console" = - ]; then
		args+=(-serial stdio)
	else
		args+=(-serial "file:$console")
	fi
	[ -z "$results" ] || args+=(-serial "file:$results")
	timeout -k 5 "$tmo" qemu-system-x86_64 "${args[@]}" </dev/null
}
