#!/bin/bash
# shellcheck disable=SC2317 # shellcheck reads the sourced file's exits as ours
# coldplug against the rescanning modprobe loop, in QEMU (the device set and image of
# tests/qemu/coldplug.sh): seconds from the start of each way to all drivers loaded and
# the system quiet, the median of BOOTS boots each (default 5), one boot at a time, the
# ways taken in turn in every round (a busy host slows them all alike).
#   coldplug     modbox coldplug (default -j: one load per CPU; its 250 ms quiet period
#                included)
#   loop PROBE   PROBE's modprobe -qa over every modalias, again until no new one appears:
#                kmod (Debian's kmod 30), busybox (Debian's busybox-static), modbox
#   oneshot PROBE one pass of it (the classic find | xargs modprobe line): fewer modules
# Usage: bench/coldplug.sh MODBOX_BINARY [BOOTS] [SMP]    (MODBOX built with coldplug)
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=tests/qemu/coldplug.sh
. "$top/tests/qemu/coldplug.sh"
modbox=$(realpath "${1:?usage: bench/coldplug.sh MODBOX [BOOTS] [SMP]}")
boots=${2:-5}
smp=${3:-2}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
n=$(cp_image "$work/img.cpio" peers) || exit 1
ways="coldplug loop:kmod loop:busybox loop:modbox oneshot:kmod oneshot:busybox oneshot:modbox"
median() { sort -n | awk '{ v[NR] = $1 } END { print NR ? v[int((NR + 1) / 2)] : "-" }'; }
for w in $ways; do : >"$work/${w/:/-}.times"; done
for i in $(seq "$boots"); do
	for w in $ways; do
		m=${w%%:*}
		p=${w#*:}
		[ "$p" != "$w" ] || p=modbox
		CP_APPEND="modbox.probe=$p" cp_boot "$work/img.cpio" "$m" "$work/c" "$work/r" "$smp"
		cp_results "$work/r" >"$work/r.txt"
		t=$(sed -n "s/^time $m //p" "$work/r.txt")
		if [ -z "$t" ]; then
			echo "# $w boot $i gave no time" >&2
			tail -n 5 "$work/c" | sed 's/^/#   /' >&2
			continue
		fi
		echo "$t $(sed -n "s/^set $m //p" "$work/r.txt" | wc -w)" \
			"$(sed -n 's/.*\/init at \([0-9.]*\) s.*/\1/p' "$work/r.txt")" >>"$work/${w/:/-}.times"
	done
done
ref=$(cut -d' ' -f1 "$work/loop-kmod.times" | median)
echo "$n modules in the image, $smp vCPUs, $(qemu_accel), median of $boots boots; host load" \
	"$(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| way | seconds | ratio to kmod's loop | modules | /init at |"
echo "|---|---:|---:|---:|---:|"
for w in $ways; do
	f=$work/${w/:/-}.times
	case $w in
	coldplug) name='`modbox coldplug`' ;;
	loop:*) name="${w#*:}'s modprobe, rescanning loop" ;;
	oneshot:*) name="${w#*:}'s modprobe, one pass" ;;
	esac
	s=$(cut -d' ' -f1 "$f" | median)
	echo "| $name | $s | $(awk -v s="$s" -v r="$ref" 'BEGIN { if (s + 0 > 0 && r + 0 > 0) printf "%.2f", s / r; else print "-" }') |" \
		"$(cut -d' ' -f2 "$f" | median) | $(cut -d' ' -f3 "$f" | median) |"
done
