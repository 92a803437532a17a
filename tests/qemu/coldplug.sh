#!/bin/bash
# coldplug on a real machine's worth of devices: boots Debian's full 6.12 amd64 kernel on
# q35 with the issue's device set (virtio net/blk/scsi/rng/balloon, e1000e, nvme, AHCI
# disk and CD, xhci with a keyboard and a USB disk, HDA sound, i6300esb, VGA) and an
# initramfs holding modbox (built with coldplug) and the kernel's modules, twice at once:
# one boot runs `modbox coldplug` (tests/qemu/coldplug_guest.sh), the other the
# rescanning `modprobe -a` loop, whose module set is the reference.
#
# Usage: tests/qemu/coldplug.sh MODBOX_BINARY     (make check runs it)
#
# Prints "ok - coldplug: CASE" / "not ok - ..." and "# ..." notes; exits 0 iff all passed.
# MODBOX_QEMU_TIMEOUT (default 300 s: TCG on a busy host) bounds each boot. The logs of
# the last run are in $cache/qemu/logs/coldplug-*. bench/coldplug.sh reuses the functions
# below.
set -u
top=${top:-$(cd "$(dirname "$0")/../.." && pwd)}
here=$top/tests/qemu
# shellcheck source=tests/qemu/lib.sh
. "$here/lib.sh"

# The module directories the image takes whole, with what they depend on: every driver a
# q35 machine with these devices can use lives there, so neither way of loading is
# limited by the image (the whole tree, 4,230 modules, would slow the boot by seconds).
cp_dirs="arch crypto lib drivers/ata drivers/block drivers/cdrom drivers/scsi drivers/nvme
drivers/usb drivers/hid drivers/input drivers/virtio drivers/net/ethernet/intel
drivers/net/virtio_net.ko.xz drivers/net/net_failover.ko.xz drivers/char drivers/watchdog
drivers/i2c drivers/mfd drivers/gpu/drm/tiny drivers/video drivers/edac drivers/powercap
drivers/ras drivers/acpi drivers/platform/x86 drivers/hwmon drivers/thermal drivers/pci
drivers/firmware drivers/misc drivers/dma drivers/gpio sound/core sound/pci/hda
sound/hda sound/soundcore.ko.xz virt net/core net/vmw_vsock"

# cp_image OUT [peers]: the initramfs (uncompressed: the modules are .ko.xz already, and
# TCG unpacks a plain archive faster than it inflates one); prints its module count. With
# "peers" (bench/coldplug.sh), kmod's modprobe too: /kmod/modprobe, Debian's kmod with the
# libraries it links (busybox's is in the image anyway).
cp_image() {
	local out=$1 full rel md d key tree n lib
	full=$("$kernels" full-tree 6.12) || return 1
	rel=$(cat "$full/release")
	md=$full/lib/modules/$rel
	key=$(echo "$rel $cp_dirs $(md5sum <"$here/lib.sh") $(declare -f cp_image | md5sum)" |
		md5sum | cut -c1-12)
	tree=$cache/qemu/cptree-$rel-$key
	if [ ! -e "$tree/.complete" ]; then
		say "assembling the coldplug module tree for $rel"
		rm -rf "$tree"
		mkdir -p "$tree/lib/modules/$rel"
		# modules.dep lists every dependency of a module, deep ones too
		# shellcheck disable=SC2046 # the list is words
		(cd "$md" && find $(for d in $cp_dirs; do echo "kernel/$d"; done) -name '*.ko*') |
			awk 'NR == FNR { want[$0] = 1; next }
			{ k = substr($1, 1, length($1) - 1) }
			k in want { print k; for (i = 2; i <= NF; i++) print $i }' - "$md/modules.dep" |
			sort -u >"$tree/files"
		while read -r f; do
			mkdir -p "$tree/lib/modules/$rel/$(dirname "$f")"
			cp "$md/$f" "$tree/lib/modules/$rel/$f"
		done <"$tree/files"
		cp "$md"/modules.builtin "$md"/modules.builtin.modinfo "$md"/modules.order \
			"$tree/lib/modules/$rel/"
		depmod -b "$tree" "$rel" || return 1
		touch "$tree/.complete"
	fi
	d=$(mktemp -d)
	busybox_tree "$d"
	modbox_tree "$d" "$modbox"
	cp -a "$tree/lib" "$d/"
	mkdir -p "$d/proc" "$d/sys" "$d/dev" "$d/tmp" "$d/etc"
	if [ "${2:-}" = peers ]; then
		mkdir -p "$d/kmod"
		cp /usr/bin/kmod "$d/kmod/kmod"
		ln -s kmod "$d/kmod/modprobe"
		for lib in $(ldd /usr/bin/kmod | grep -o '/[^ ]*'); do
			mkdir -p "$d$(dirname "$lib")"
			cp -L "$lib" "$d$lib"
		done
	fi
	cp "$here/coldplug_guest.sh" "$d/init"
	chmod 755 "$d/init"
	{
		newc_node dev 040755 0 0
		newc_node dev/console 020600 5 1
		newc_node 'TRAILER!!!' 0 0 0
		(cd "$d" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet)
	} >"$out"
	rm -rf "$d"
	n=$(wc -l <"$tree/files")
	echo "$n"
}

# cp_boot IMAGE MODE CONSOLE RESULTS [SMP]: one boot of the device set; $CP_APPEND goes
# on the kernel command line.
cp_boot() {
	local img=$1 mode=$2 con=$3 res=$4 smp=${5:-2} full frel boot
	full=$("$kernels" full-tree 6.12) && boot=$("$kernels" full-boot 6.12) || return 1
	frel=$(cat "$full/release")
	local n='read-zeroes=on,size=1073741824'
	timeout -k 5 "${MODBOX_QEMU_TIMEOUT:-300}" qemu-system-x86_64 -accel "$(qemu_accel)" \
		-machine q35 -nodefaults -no-user-config -display none -m 1024 -smp "$smp" \
		-no-reboot -kernel "$boot/boot/vmlinuz-$frel" -initrd "$img" \
		-append "console=ttyS0 panic=-1 loglevel=4 modbox.mode=$mode${CP_APPEND:+ $CP_APPEND}" \
		-serial "file:$con" -serial "file:$res" \
		-netdev user,id=n0 -device virtio-net-pci,netdev=n0 \
		-netdev user,id=n1 -device e1000e,netdev=n1 \
		-blockdev "null-co,node-name=d1,$n" -device virtio-blk-pci,drive=d1 \
		-device virtio-scsi-pci,id=vs -blockdev "null-co,node-name=d2,$n" \
		-device scsi-hd,drive=d2,bus=vs.0 \
		-blockdev "null-co,node-name=d3,$n" -device nvme,drive=d3,serial=modbox \
		-blockdev "null-co,node-name=d4,$n" -device ide-hd,drive=d4,bus=ide.0 \
		-blockdev "null-co,node-name=d5,$n" -device ide-cd,drive=d5,bus=ide.1 \
		-device qemu-xhci,id=xhci -device usb-kbd,bus=xhci.0 \
		-blockdev "null-co,node-name=d6,$n" -device usb-storage,drive=d6,bus=xhci.0 \
		-audiodev none,id=snd -device intel-hda -device hda-duplex,audiodev=snd \
		-device i6300esb -device virtio-rng-pci -device virtio-balloon-pci -device VGA \
		</dev/null >/dev/null 2>&1
}

# cp_results FILE: the results file with plain line ends.
cp_results() { touch "$1" && tr -d '\r' <"$1"; }

[ "${BASH_SOURCE[0]}" = "$0" ] || return 0

[ $# = 1 ] || { sed -n '9p' "$0" | sed 's/^# //' >&2; exit 2; }
modbox=$(realpath "$1")
"$modbox" --list 2>/dev/null | grep -qx coldplug || { say "$1 has no coldplug applet"; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
logs=$cache/qemu/logs
mkdir -p "$logs"

n=$(cp_image "$work/img.cpio") || { echo "not ok - coldplug: setup (kernel, modules, image)"; exit 1; }
echo "# coldplug: $n modules in the image; accelerator $(qemu_accel)"
for m in coldplug loop; do
	cp_boot "$work/img.cpio" $m "$work/$m.console" "$work/$m.results" &
done
wait
status=0
for m in coldplug loop; do
	cp_results "$work/$m.results" >"$logs/coldplug-$m.results"
	cp "$work/$m.console" "$logs/coldplug-$m.console" 2>/dev/null
done
c=$logs/coldplug-coldplug.results
l=$logs/coldplug-loop.results
grep '^# guest\|^time\|^# [0-9]* passes\|^# out: coldplug:' "$c" "$l" | sed 's|^[^:]*/coldplug-||; s/^/# /'
for t in coldplug_exit_0_summary coldplug_v_names_each_load coldplug_loop_finds_nothing_more \
	coldplug_again_nothing_to_do coldplug_blacklist_and_refusal; do
	if grep -qx "ok $t" "$c"; then
		echo "ok - coldplug: $t"
	else
		echo "not ok - coldplug: $t$(grep -q "not ok $t" "$c" || echo ' # no result')"
		awk -v t="$t" '$0 == "# --- " t { on = 1; next } /^(not )?ok / { on = 0 } on' "$c"
		status=1
	fi
done
cs=$(sed -n 's/^set coldplug //p' "$c")
ls=$(sed -n 's/^set loop //p' "$l")
t=coldplug_same_set_as_the_modprobe_loop
if [ -n "$ls" ] && [ "$cs" = "$ls" ]; then
	echo "ok - coldplug: $t ($(wc -w <<<"$ls") modules)"
else
	echo "not ok - coldplug: $t"
	echo "# coldplug only: $(comm -23 <(tr ' ' '\n' <<<"$cs" | sort) <(tr ' ' '\n' <<<"$ls" | sort) | tr '\n' ' ')"
	echo "# loop only: $(comm -13 <(tr ' ' '\n' <<<"$cs" | sort) <(tr ' ' '\n' <<<"$ls" | sort) | tr '\n' ' ')"
	[ -n "$ls$cs" ] || tail -n 20 "$work/loop.console" | sed 's/^/#   /'
	status=1
fi
exit $status
