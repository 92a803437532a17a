#!/bin/bash
# depmod over Debian's 6.1 cloud tree (plain .ko) and modinfo of one module, modbox
# against Debian's kmod, side by side: instructions (callgrind), median wall time of
# alternating runs, peak memory. Prints a markdown table.
# With a second binary built with the decoders (full_defconfig), the same on Debian's full
# 6.12 tree of 4,230 .ko.xz modules.
# Then the 6.1 rows against busybox 1.35 (bench/busybox.sh), in a second table.
# Usage: bench/depmod_modinfo.sh [MODBOX] [RUNS] [MODBOX_FULL]
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=bench/busybox.sh
. "$top/bench/busybox.sh"
bb_ns "$0" "$@"
MB=$(realpath "${1:-$top/modbox}")
RUNS=${2:-11}
FULL=${3:-}
R=$("$top/scripts/kernels.sh" root 6.1) && REL=$("$top/scripts/kernels.sh" release 6.1) || exit 1
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
for t in k m b; do
	mkdir -p "$T/$t/lib/modules"
	cp -al "$R/lib/modules/$REL" "$T/$t/lib/modules/"
done
KO=$(find "$R/lib/modules/$REL" -name ipip.ko | head -n 1)
DEPMOD=$(command -v depmod || echo /sbin/depmod)
MODINFO=$(command -v modinfo || echo /sbin/modinfo)

# every process's instructions: modbox's depmod reads modules in one process per CPU
instr() { valgrind --tool=callgrind --callgrind-out-file="$T/cg.%p" "$@" 2>&1 >/dev/null |
	sed -n 's/.*Collected : \([0-9]*\).*/\1/p' | awk '{ s += $1 } END { printf "%.0f\n", s }'; }
rss() { for _ in 1 2 3 4 5; do /usr/bin/time -f %M "$@" 2>&1 >/dev/null | tail -n 1; done |
	sort -n | head -n 1; }
median() { sort -n | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a / b }'; }
row() { # row LABEL "MODBOX ARGS" "PEER ARGS"
	local label=$1 m=$2 k=$3 im=- ik=- wm wk
	if [ -z "${NOINSTR:-}" ]; then # callgrind: about 50 times slower than the program
		# shellcheck disable=SC2086
		im=$(instr $m)
		# shellcheck disable=SC2086
		ik=$(instr $k)
	fi
	: >"$T/tm"
	: >"$T/tk"
	for _ in $(seq "$RUNS"); do
		t0=$(date +%s%N); $m >/dev/null 2>&1; t1=$(date +%s%N); $k >/dev/null 2>&1
		t2=$(date +%s%N)
		echo $((t1 - t0)) >>"$T/tm"
		echo $((t2 - t1)) >>"$T/tk"
	done
	wm=$(median <"$T/tm")
	wk=$(median <"$T/tk")
	printf '| %s | %s | %s | %s | %.1f | %.1f | %s | %s | %s |\n' "$label" "$im" "$ik" \
		"$([ "$im" = - ] && echo - || ratio "$im" "$ik")" "$(ratio "$wm" 1000000)" "$(ratio "$wk" 1000000)" \
		"$(ratio "$wm" "$wk")" "$(rss $m)" "$(rss $k)"
}
echo "| work | modbox instructions | kmod instructions | ratio | modbox ms | kmod ms | ratio | modbox KiB | kmod KiB |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
row "depmod, 6.1 cloud tree ($(find "$R/lib/modules/$REL" -name '*.ko' | wc -l) .ko)" \
	"$MB depmod -b $T/m $REL" "$DEPMOD -b $T/k $REL"
row "modinfo of one module file (ipip.ko)" "$MB modinfo $KO" "$MODINFO $KO"
find "$R/lib/modules/$REL" -name '*.ko' | sort >"$T/all"
row "modinfo of every module of the 6.1 tree ($(wc -l <"$T/all") files, one run)" \
	"$MB modinfo $(tr '\n' ' ' <"$T/all")" "$MODINFO $(tr '\n' ' ' <"$T/all")"

# busybox's modinfo reads /lib/modules/$(uname -r)/modules.dep even for a path: kmod's
bb_bind "$T/k/lib/modules/$REL"
if [ -n "$BB" ]; then
	echo
	echo "The 6.1 rows against busybox 1.35 (modbox's defconfig applets, static, musl, -Os; its"
	echo "depmod writes modules.dep, .alias and .symbols as text, from each module's depends=):"
	echo
	echo "| work | modbox instructions | busybox instructions | ratio | modbox ms | busybox ms | ratio | modbox KiB | busybox KiB |"
	echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
	row "busybox: depmod, 6.1 cloud tree ($(wc -l <"$T/all") .ko)" \
		"$MB depmod -b $T/m $REL" "$BB depmod -b $T/b $REL"
	row "busybox: modinfo of one module file (ipip.ko)" "$MB modinfo $KO" "$BB modinfo $KO"
	row "busybox: modinfo of every module of the 6.1 tree ($(wc -l <"$T/all") files, one run)" \
		"$MB modinfo $(tr '\n' ' ' <"$T/all")" "$BB modinfo $(tr '\n' ' ' <"$T/all")"
fi

[ -n "$FULL" ] || exit 0
FULL=$(realpath "$FULL")
F=$("$top/scripts/kernels.sh" full-tree 6.12) && V12=$(cat "$F/release") || exit 1
for t in k12 m12; do
	mkdir -p "$T/$t/lib/modules"
	cp -al "$F/lib/modules/$V12" "$T/$t/lib/modules/"
done
# too slow for callgrind: CPU time instead, in the label
cpu() { /usr/bin/time -f '%U %S' "$@" 2>&1 >/dev/null | tail -n 1 | awk '{ printf "%.1f", $1 + $2 }'; }
# shellcheck disable=SC2086
cm=$(cpu $FULL depmod -b "$T/m12" "$V12")
ck=$(cpu "$DEPMOD" -b "$T/k12" "$V12")
NOINSTR=1 row "depmod, full 6.12 tree ($(find "$F/lib/modules/$V12" -name '*.ko.xz' | wc -l) .ko.xz)" \
	"$FULL depmod -b $T/m12 $V12" "$DEPMOD -b $T/k12 $V12"
echo "| (the same, CPU seconds of all processes: modbox $cm, kmod $ck) |||||||||"
find "$F/lib/modules/$V12" -name '*.ko.xz' | sort >"$T/all12"
NOINSTR=1 row "modinfo of every module of the 6.12 tree ($(wc -l <"$T/all12") .ko.xz)" \
	"$FULL modinfo $(tr '\n' ' ' <"$T/all12")" "$MODINFO $(tr '\n' ' ' <"$T/all12")"
