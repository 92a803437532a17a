#!/bin/bash
# Real-kernel test of a cross target: boots the target's kernel in QEMU (TCG) with an
# initramfs of the target's modbox, busybox and a pruned copy of that kernel's own module
# tree, and reports the cases of tests/qemu/cross_guest.sh.
#
# Usage: tests/qemu/cross.sh aarch64|armhf|riscv64 MODBOX_BINARY
#
#   aarch64  Debian's cloud-arm64 kernel, qemu-system-aarch64 -M virt -cpu cortex-a57
#   armhf    Debian's armmp kernel, qemu-system-arm -M virt -cpu cortex-a15
#   riscv64  a kernel built from Debian's linux-source-6.1 (scripts/cross-kernels.sh),
#            qemu-system-riscv64 -M virt
#
# Prints "ok - TARGET: CASE" / "not ok - TARGET: CASE" and "# ..." lines; exits 0 iff
# every case passed. Kernels and module trees are cached under
# ${MODBOX_CACHE:-~/.cache/modbox} (kernels/cross, qemu/cross-tree-*); the last console
# is kept in qemu/logs/TARGET.console. MODBOX_QEMU_TIMEOUT (default 300 s) bounds the boot.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
here=$top/tests/qemu
# shellcheck source=tests/qemu/lib.sh
. "$here/lib.sh"
xk=$top/scripts/cross-kernels.sh

[ $# = 2 ] || { sed -n '6p' "$0" | sed 's/^# /usage: /' >&2; exit 2; }
t=$1
modbox=$(realpath "$2" 2>/dev/null)
[ -x "$modbox" ] || { say "no modbox binary at $2"; exit 2; }
tmo=${MODBOX_QEMU_TIMEOUT:-300}

# Per target: the QEMU command, the console, the modules. INSMOD_CHAIN (loaded by insmod,
# one file at a time) and MP_CHAIN (by modprobe) are modules with dependencies;
# NET_DRIVER is the driver of the machine's network card, NET_BUS its transport.
insmod_chain=ipip
mp_chain=8021q
net_driver=virtio_net
net_bus=virtio_mmio
case $t in
aarch64)
	qemu=(qemu-system-aarch64 -M virt -cpu cortex-a57)
	console=ttyAMA0
	;;
armhf)
	qemu=(qemu-system-arm -M virt,highmem=off -cpu cortex-a15)
	console=ttyAMA0
	;;
riscv64)
	qemu=(qemu-system-riscv64 -M virt)
	console=ttyS0
	insmod_chain=garp # no INET in the small kernel: 8021q's chain serves both
	net_driver=
	;;
*) say "unknown target $t (aarch64, armhf, riscv64)"; exit 2 ;;
esac
command -v "${qemu[0]}" >/dev/null || "$top/scripts/deps.sh" cross-qemu >&2 || exit 1

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
logs=$cache/qemu/logs
mkdir -p "$logs"

# The module tree: INSMOD_CHAIN, MP_CHAIN, dummy and the network driver with what they
# need, indexed by Debian's depmod; cached by its inputs.
module_tree() {
	local root=$1 rel=$2 key dir tmp mods
	mods="$insmod_chain $mp_chain dummy $net_driver"
	[ -z "$net_driver" ] || [ ! -e "$(find "$root/lib/modules/$rel" -name "$net_bus.ko*" | head -n 1)" ] ||
		mods="$mods $net_bus"
	key=$(echo "$rel $mods $(md5sum <"$here/lib.sh") $(declare -f module_tree | md5sum)" |
		md5sum | cut -c1-12)
	dir=$cache/qemu/cross-tree-$rel-$key
	if [ ! -e "$dir/.complete" ]; then
		say "assembling the module tree for $rel"
		tmp=$work/tree
		prune_tree "$root" "$rel" "$tmp" "$mods" || return 1
		depmod -b "$tmp" "$rel" || return 1
		rm -rf "$dir"
		mkdir -p "$(dirname "$dir")"
		cp -a "$tmp" "$dir"
		touch "$dir/.complete"
	fi
	echo "$dir"
}

t0=$(date +%s)
root=$("$xk" root "$t") && rel=$(cat "$root/release") || {
	echo "not ok - $t: setup: the kernel (scripts/cross-kernels.sh root $t)"
	exit 1
}
kernel=$(ls "$root"/boot/vmlinuz-"$rel" "$root"/boot/Image-"$rel" 2>/dev/null | head -n 1)
if [ "$t" = riscv64 ]; then
	bb=$("$xk" busybox "$t") || { echo "not ok - $t: setup: no busybox for the guest"; exit 1; }
else
	bb=$("$xk" busybox "$t") || { echo "not ok - $t: setup: busybox-static for $t"; exit 1; }
fi
tree=$(module_tree "$root" "$rel") || { echo "not ok - $t: setup: the module tree"; exit 1; }
# A module of another architecture: one of the x86_64 kernel's.
x86=$("$top/scripts/kernels.sh" root 6.1) && x86rel=$("$top/scripts/kernels.sh" release 6.1) &&
	other=$(find "$x86/lib/modules/$x86rel" -name dummy.ko | head -n 1)
[ -n "${other:-}" ] || { echo "not ok - $t: setup: an x86_64 module"; exit 1; }

d=$work/root
mkdir -p "$d/bin" "$d/sbin" "$d/proc" "$d/sys" "$d/dev" "$d/tmp" "$d/etc" "$d/lib/foreign"
cp "$bb" "$d/bin/busybox"
for a in sh mount umount cat ls grep sed awk cut tr head wc sort cmp cp rm mkdir readlink \
	basename echo timeout sync poweroff find printf uname tail dmesg; do
	ln -sf busybox "$d/bin/$a"
done
cp "$modbox" "$d/bin/modbox"
for a in insmod rmmod lsmod modprobe modinfo depmod; do ln -sf /bin/modbox "$d/sbin/$a"; done
cp -a "$tree/lib" "$d/"
rm -f "$d/.complete"
cp "$other" "$d/lib/foreign/x86_64-dummy.ko"
test_mods=0
if [ -d "$root/build/linux" ]; then
	km=$("$xk" test-modules "$t") || { echo "not ok - $t: setup: the test modules"; exit 1; }
	mkdir -p "$d/lib/modules/$rel/extra"
	cp "$km"/*.ko "$d/lib/modules/$rel/extra/"
	depmod -b "$d" "$rel" || { echo "not ok - $t: setup: depmod with the test modules"; exit 1; }
	test_mods=1
fi
cp "$here/cross_guest.sh" "$d/init"
chmod 755 "$d/init"
cat >"$d/etc/testenv" <<-EOF
	INSMOD_CHAIN=$insmod_chain
	MP_CHAIN=$mp_chain
	NET_DRIVER=$net_driver
	NET_BUS=$net_bus
	OTHER_ARCH_MOD=/lib/foreign/x86_64-dummy.ko
	TEST_MODS=$test_mods
EOF
mkinitramfs "$d" "$work/initrd.gz"
t1=$(date +%s)

# The network card for the driver case: virtio over MMIO, the virt machine's own bus.
args=(-nodefaults -no-user-config -display none -m 512 -smp 1 -no-reboot
	-kernel "$kernel" -initrd "$work/initrd.gz" -append "console=$console panic=-1 loglevel=3"
	-serial "file:$work/console" -netdev user,id=n0 -device virtio-net-device,netdev=n0)
[ "$t" != riscv64 ] || args+=(-bios default)
timeout -k 5 "$tmo" "${qemu[@]}" "${args[@]}" </dev/null >"$work/qemu.log" 2>&1
rc=$?
t2=$(date +%s)
cp "$work/console" "$logs/$t.console" 2>/dev/null

res=$work/results
tr -d '\r' <"$work/console" 2>/dev/null | sed -n 's/.*MBX //p' >"$res"
echo "# $t: $(head -n 1 "$res" | sed 's/^# //'); setup $((t1 - t0)) s, boot and cases $((t2 - t1)) s (TCG), qemu exit $rc"
echo "# $t: $(tail -n 1 "$res")"
failed=0
missing=0
for c in $(sh "$here/cross_guest.sh" --list); do
	log=$(awk -v c="$c" '$0 == "# --- " c { on = 1; next }
		on && ($0 ~ "^(not )?ok " c "( |$)") { exit }
		on { print }' "$res")
	if grep -qx "ok $c" "$res"; then
		echo "ok - $t: $c"
	elif grep -q "^ok $c # SKIP " "$res"; then
		echo "ok - $t: $c # SKIP $(sed -n "s/^ok $c # SKIP //p" "$res")"
	elif grep -qx "not ok $c" "$res"; then
		echo "not ok - $t: $c"
		printf '%s\n' "$log"
		failed=1
	else
		echo "not ok - $t: $c # no result: the guest never finished it"
		failed=1
		missing=1
	fi
done
if [ $missing = 1 ]; then
	[ "$rc" != 124 ] || echo "# $t: the boot timed out after $tmo s"
	echo "# $t: last lines of the console:"
	tail -n 25 "$work/console" 2>/dev/null | sed 's/^/#   /'
	sed 's/^/#   qemu: /' "$work/qemu.log"
fi
exit $failed
