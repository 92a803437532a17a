#!/bin/bash
# modprobe resolution on Debian's full 6.12 module tree, modbox against Debian's kmod,
# side by side in one run: instructions (callgrind: exact and repeatable), the median
# wall time of alternating runs, and peak memory (max RSS). Prints a markdown table; then
# the same against busybox 1.35 (bench/busybox.sh: modbox's defconfig applets, reading the
# same tree in its fixed place).
# Usage: bench/modprobe.sh [MODBOX] [RUNS]
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=bench/busybox.sh
. "$top/bench/busybox.sh"
bb_ns "$0" "$@"
MB=$(realpath "${1:-$top/modbox}")
RUNS=${2:-21}
KMOD=$(command -v modprobe || echo /sbin/modprobe)
full=$("$top/scripts/kernels.sh" full-tree 6.12) || exit 1
V=$(cat "$full/release")
M=$full/lib/modules/$V
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
mkdir -p "$T/conf"
bb_bind "$M"
# 500 aliases from the tree, spread over the file
sed -n 's/^alias \([^ ]*\) .*/\1/p' "$M/modules.alias" | awk 'NR % 54 == 0' | head -n 500 >"$T/batch"

instr() { # instr CMD...: instructions of one run
	valgrind --tool=callgrind --callgrind-out-file="$T/cg" "$@" 2>&1 >/dev/null |
		sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
}
# wall CMD...: median nanoseconds of $RUNS runs (the caller alternates the tools)
now() { date +%s%N; }
rss() { # peak resident set, KiB: the least of 7 runs (single runs scatter by 200 KiB here)
	for _ in 1 2 3 4 5 6 7; do
		/usr/bin/time -f %M "$@" 2>&1 >/dev/null | tail -n 1
	done | sort -n | head -n 1
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a / b }'; }

echo "| lookup | modbox instructions | kmod instructions | ratio | modbox ms | kmod ms | ratio | modbox KiB | kmod KiB |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
: >"$T/bb"
while IFS='|' read -r label args; do
	# shellcheck disable=SC2086 # args are words on purpose
	set -- -C "$T/conf" -d "$full" -S "$V" $args
	im=$(instr "$MB" modprobe "$@")
	ik=$(instr "$KMOD" "$@")
	: >"$T/tm"
	: >"$T/tk"
	: >"$T/tb"
	for _ in $(seq "$RUNS"); do
		t0=$(now); "$MB" modprobe "$@" >/dev/null 2>&1; t1=$(now)
		"$KMOD" "$@" >/dev/null 2>&1; t2=$(now)
		echo $((t1 - t0)) >>"$T/tm"
		echo $((t2 - t1)) >>"$T/tk"
		if [ -n "$BB" ]; then
			# shellcheck disable=SC2086
			t2=$(now); "$BB" modprobe $args >/dev/null 2>&1; t3=$(now)
			echo $((t3 - t2)) >>"$T/tb"
		fi
	done
	wm=$(sort -n "$T/tm" | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}')
	wk=$(sort -n "$T/tk" | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}')
	rm_=$(rss "$MB" modprobe "$@")
	rk=$(rss "$KMOD" "$@")
	printf '| %s | %s | %s | %s | %.2f | %.2f | %s | %s | %s |\n' "$label" "$im" "$ik" \
		"$(ratio "$im" "$ik")" "$(ratio "$wm" 1000000)" "$(ratio "$wk" 1000000)" \
		"$(ratio "$wm" "$wk")" "$rm_" "$rk"
	if [ -n "$BB" ]; then
		# shellcheck disable=SC2086
		ib=$(instr "$BB" modprobe $args)
		wb=$(sort -n "$T/tb" | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}')
		# shellcheck disable=SC2086
		rb=$(rss "$BB" modprobe $args)
		printf '| busybox: %s | %s | %s | %s | %.2f | %.2f | %s | %s | %s |\n' "$label" "$im" "$ib" \
			"$(ratio "$im" "$ib")" "$(ratio "$wm" 1000000)" "$(ratio "$wb" 1000000)" \
			"$(ratio "$wm" "$wb")" "$rm_" "$rb" >>"$T/bb"
	fi
done <<LOOKUPS
e1000e alias (pci:v00008086d000010D3...)|-D pci:v00008086d000010D3sv00008086sd0000A01Fbc02sc00i00
amdgpu, 16 dependencies|-D amdgpu
a missing name|-D nosuchmodule
500 aliases (-a)|-D -a $(tr '\n' ' ' <"$T/batch")
LOOKUPS
echo
echo "Peak memory of a static program that does nothing: $(rss "$MB" --list) KiB (modbox --list)."
if [ -s "$T/bb" ]; then
	echo
	echo "The same lookups against busybox 1.35 (modbox's defconfig applets, static, musl, -Os;"
	echo "it reads modules.dep and modules.alias as text, and has no -C, -d or -S):"
	echo
	echo "| lookup | modbox instructions | busybox instructions | ratio | modbox ms | busybox ms | ratio | modbox KiB | busybox KiB |"
	echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
	cat "$T/bb"
fi
