#!/bin/bash
# `make demo`: build the example initramfs (initramfs/mkdemo) and boot Debian's 6.12
# cloud kernel with it in QEMU, its console on this terminal. /init loads a few real
# modules with modbox, shows lsmod and powers off.
#
# Usage: tests/qemu/demo.sh MODBOX_BINARY
# Exits 0 if /init got to the end with every module loaded. The boot is bounded by
# MODBOX_QEMU_TIMEOUT (default 120 s).
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/qemu/lib.sh
. "$top/tests/qemu/lib.sh"

[ $# = 1 ] || { echo "usage: $0 MODBOX_BINARY" >&2; exit 2; }
series=${MODBOX_DEMO_KERNEL:-6.12}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

"$top/initramfs/mkdemo" "$1" "$work/demo.cpio.gz" || exit 1
root=$("$kernels" root "$series") && rel=$("$kernels" release "$series") || exit 1
accel=$(qemu_accel)
say "booting $rel ($accel); the kernel's own messages are quiet (loglevel=4)"
echo
# The guest's console comes through a pipe so that it can be checked afterwards; tr drops
# the serial line's carriage returns.
qemu_boot "$root/boot/vmlinuz-$rel" "$work/demo.cpio.gz" - "" "${MODBOX_QEMU_TIMEOUT:-120}" 2>&1 |
	tr -d '\r' | tee "$work/console"
rc=${PIPESTATUS[0]}
echo
if [ "$rc" = 124 ]; then
	say "the guest did not power off within ${MODBOX_QEMU_TIMEOUT:-120} s"
	exit 1
fi
if ! grep -q '^init: all modules loaded' "$work/console"; then
	say "the demo did not load every module"
	exit 1
fi
say "done"
