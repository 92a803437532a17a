#!/bin/bash
# shellcheck disable=SC2317 # shellcheck reads the sourced file's exits as ours
# coldplug against the rescanning modprobe loop, in QEMU (the device set and image of
# tests/qemu/coldplug.sh): seconds from the start of each way to all drivers loaded and
# the system quiet, the median of BOOTS boots each (default 5), one boot at a time.
#   coldplug  modbox coldplug (default -j: one load per CPU; its 250 ms quiet period
#             included)
#   loop      modbox modprobe -a over every modalias, again until no new one appears
#   oneshot   one pass of it (the classic find | xargs modprobe line): fewer modules
# kmod's and busybox's modprobe are not measured: the image holds modbox alone.
# Usage: bench/coldplug.sh MODBOX_BINARY [BOOTS] [SMP]
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=tests/qemu/coldplug.sh
. "$top/tests/qemu/coldplug.sh"
modbox=$(realpath "${1:?usage: bench/coldplug.sh MODBOX [BOOTS] [SMP]}")
boots=${2:-5}
smp=${3:-2}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
n=$(cp_image "$work/img.cpio") || exit 1
median() { sort -n | awk '{ v[NR] = $1 } END { print NR ? v[int((NR + 1) / 2)] : "-" }'; }
echo "$n modules in the image, $smp vCPUs, $(qemu_accel), median of $boots boots; host load $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| way | seconds | modules | to /init |"
echo "|---|---:|---:|---:|"
for m in coldplug loop oneshot; do
	: >"$work/$m.times"
	for i in $(seq "$boots"); do
		cp_boot "$work/img.cpio" "$m" "$work/c" "$work/r" "$smp"
		cp_results "$work/r" >"$work/r.txt"
		t=$(sed -n "s/^time $m //p" "$work/r.txt")
		[ -n "$t" ] || { echo "# $m boot $i gave no time" >&2; continue; }
		echo "$t $(sed -n "s/^set $m //p" "$work/r.txt" | wc -w)" \
			"$(sed -n 's/.*\/init at \([0-9.]*\) s.*/\1/p' "$work/r.txt")" >>"$work/$m.times"
	done
	echo "| $m | $(cut -d' ' -f1 "$work/$m.times" | median) |" \
		"$(cut -d' ' -f2 "$work/$m.times" | median) |" \
		"$(cut -d' ' -f3 "$work/$m.times" | median) |"
done
