#!/bin/bash
# The early-boot kit on a real kernel: initramfs/mkinitramfs builds an image for Debian's
# 6.1 cloud kernel (whose virtio_blk and ext4 are modules) with modbox and busybox;
# initramfs/init loads /etc/modules, finds the virtio disk's driver from the device's
# modalias (ext4 is built in), mounts the root filesystem from it and switches to it; with a root device
# that never appears it drops to a rescue shell, which takes commands.
# Usage: tests/qemu/initramfs.sh MODBOX   (prints TAP lines; exit status: failures)
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/qemu/lib.sh
. "$top/tests/qemu/lib.sh"
MB=$(realpath "${1:?usage: initramfs.sh MODBOX}")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failed=0
ok() { echo "ok - initramfs: $1"; }
notok() {
	echo "not ok - initramfs: $1"
	sed 's/^/#   /' "$2" | tail -n 25
	failed=$((failed + 1))
}

root=$("$kernels" root 6.1) && rel=$("$kernels" release 6.1) || {
	echo "not ok - initramfs: the 6.1 kernel could not be fetched"
	exit 1
}
kernel=$root/boot/vmlinuz-$rel

# The image: a filesystem (built in: nothing to load) and a tunnel by name (with their
# dependencies), the disk and
# PCI drivers only as drivers for hardware: /init must find them through modaliases.
if "$top/initramfs/mkinitramfs" -q -m "$MB" -b "$root" -k "$rel" -B /bin/busybox \
	-o "$work/initrd" -D virtio_pci -D virtio_blk ext4 dummy ipip 2>"$work/mk.err"; then
	ok "mkinitramfs builds the image"
else
	notok "mkinitramfs builds the image" "$work/mk.err"
	exit 1
fi

# The root filesystem: an ext2 image whose /sbin/init reports what it sees.
mkdir -p "$work/rootfs/sbin" "$work/rootfs/bin" "$work/rootfs/proc"
cp /bin/busybox "$work/rootfs/bin/busybox"
for a in sh cat echo poweroff mount sync; do ln -s busybox "$work/rootfs/bin/$a"; done
cat >"$work/rootfs/sbin/init" <<'EOF'
#!/bin/sh
echo "ROOTFS: init of the root filesystem runs"
mount -t proc proc /proc
echo "ROOTFS: modules: $(cat /proc/modules | while read -r m _; do printf '%s ' "$m"; done)"
sync
poweroff -f
EOF
chmod 755 "$work/rootfs/sbin/init"
mke2fs -q -t ext2 -d "$work/rootfs" "$work/root.img" 16M 2>"$work/mke2fs.err" ||
	{ notok "the root filesystem image" "$work/mke2fs.err"; exit 1; }

boot() { # APPEND: the console in $work/console; commands for a rescue shell on stdin
	timeout -k 5 "${MODBOX_QEMU_TIMEOUT:-120}" qemu-system-x86_64 -accel "$(qemu_accel)" \
		-nodefaults -no-user-config -display none -m 512 -smp 1 -no-reboot \
		-kernel "$kernel" -initrd "$work/initrd" \
		-drive "file=$work/root.img,if=virtio,format=raw" \
		-append "console=ttyS0 panic=-1 loglevel=4 $1" -serial stdio | stdbuf -o0 tr -d '\r' >"$work/console"
}

t0=$(date +%s.%N)
boot "root=/dev/vda rootfstype=ext4" </dev/null
t1=$(date +%s.%N)
c=$work/console
grep -q "^init: switching to /dev/vda" "$c" && grep -q "^ROOTFS: init of the root filesystem runs" "$c" &&
	ok "root=/dev/vda: mounted and switched to (boot to the root's init: $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f s", b - a }'))" ||
	notok "root=/dev/vda: mounted and switched to" "$c"
mods=$(sed -n 's/^ROOTFS: modules: //p' "$c")
case " $mods " in
*" virtio_blk "*" dummy "*) ok "the disk's driver came from its modalias, dummy from /etc/modules: $mods" ;;
*) notok "virtio_blk (from the modalias) and dummy loaded before the switch" "$c" ;;
esac
grep -q "modprobe -v dummy" "$c" && ! grep -q "modprobe -v virtio_blk" "$c" &&
	ok "/etc/modules holds the names asked for, not the -D drivers" ||
	notok "/etc/modules holds the names asked for, not the -D drivers" "$c"

# A root device that never appears: a rescue shell, which runs what it is told.
mkfifo "$work/in"
boot "root=/dev/vdb rootwait=2" <"$work/in" &
pid=$!
exec 3>"$work/in"
for _ in $(seq 120); do
	grep -q "starting a shell" "$work/console" 2>/dev/null && break
	sleep 1
done
sleep 2
echo "echo RESCUE-SHELL-RUNS; poweroff -f" >&3 2>/dev/null || :
wait "$pid"
exec 3>&-
grep -q "^init: root device /dev/vdb did not appear" "$c" && grep -q "^RESCUE-SHELL-RUNS" "$c" &&
	ok "root=/dev/vdb that never appears: a rescue shell that takes commands" ||
	notok "root=/dev/vdb that never appears: a rescue shell that takes commands" "$c"
exit $failed
