#!/bin/bash
# Sizes of modbox's configurations (x86_64 text and file bytes, then the same for the
# cross targets aarch64, armhf and riscv64), beside the binaries a
# user would otherwise reach for on this machine: Debian's kmod and busybox-static (all
# its applets); then busybox and toybox with their module applets alone, built as modbox
# is (bench/peers.sh).
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
B=build/bench
row() { # row NAME FILE
	local t
	t=$(size "$2" 2>/dev/null | awk 'NR == 2 {print $1}')
	printf '| %-40s | %8s | %8s |\n' "$1" "${t:--}" "$(stat -Lc %s "$2" 2>/dev/null || echo -)"
}
echo "| binary | text | file |"
echo "|---|---:|---:|"
for c in tiny_defconfig defconfig full_defconfig allyesconfig; do
	make --no-print-directory -s O=$B/$c $c >/dev/null && make --no-print-directory -s O=$B/$c >/dev/null &&
		row "modbox $c ($("$B/$c/modbox" --list | tr '\n' ' '))" $B/$c/modbox
done
# What each decoder adds to the default build
for f in GZIP XZ ZSTD; do
	d=$B/defconfig+$f
	mkdir -p "$d"
	{ cat configs/defconfig; echo "CONFIG_FEATURE_$f=y"; } >"$d/.config"
	make --no-print-directory -s O="$d" >/dev/null &&
		row "modbox defconfig + FEATURE_$f" "$d/modbox"
done
# The cross targets (make TARGET=...), stripped like the native build; MODBOX_TARGETS=""
# leaves them out.
for t in ${MODBOX_TARGETS-aarch64 armhf riscv64}; do
	for c in tiny_defconfig defconfig; do
		[ $c = tiny_defconfig ] || c=${t/aarch64/arm64}_defconfig
		d=$B/$t-$c
		make --no-print-directory -s TARGET="$t" O="$d" "$c" >/dev/null &&
			make --no-print-directory -s TARGET="$t" O="$d" >/dev/null &&
			row "modbox $c ($t)" "$d/modbox"
	done
done
for b in /bin/kmod /usr/bin/kmod; do [ -x $b ] && { row "Debian kmod (dynamic, + libkmod)" $b; break; }; done
for l in /lib/x86_64-linux-gnu/libkmod.so.2 /usr/lib/x86_64-linux-gnu/libkmod.so.2; do
	[ -e $l ] && { row "  libkmod.so.2" "$(readlink -f $l)"; break; }
done
[ -x /bin/busybox ] && row "Debian busybox-static (all applets)" /bin/busybox
# busybox and toybox for every target, from Debian's sources (cached after the first run)
"$top/bench/peers.sh"
exit 0
