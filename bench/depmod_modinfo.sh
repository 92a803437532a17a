#!/bin/bash
# depmod over Debian's 6.1 cloud tree (plain .ko) and modinfo of one module, modbox
# against Debian's kmod, side by side: instructions (callgrind), median wall time of
# alternating runs, peak memory. Prints a markdown table.
# Usage: bench/depmod_modinfo.sh [MODBOX] [RUNS]
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
MB=$(realpath "${1:-$top/modbox}")
RUNS=${2:-11}
R=$("$top/scripts/kernels.sh" root 6.1) && REL=$("$top/scripts/kernels.sh" release 6.1) || exit 1
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
for t in k m; do
	mkdir -p "$T/$t/lib/modules"
	cp -al "$R/lib/modules/$REL" "$T/$t/lib/modules/"
done
KO=$(find "$R/lib/modules/$REL" -name ipip.ko | head -n 1)
DEPMOD=$(command -v depmod || echo /sbin/depmod)
MODINFO=$(command -v modinfo || echo /sbin/modinfo)

# every process's instructions: modbox's depmod reads modules in one process per CPU
instr() { valgrind --tool=callgrind --callgrind-out-file="$T/cg.%p" "$@" 2>&1 >/dev/null |
	sed -n 's/.*Collected : \([0-9]*\).*/\1/p' | awk '{ s += $1 } END { print s }'; }
rss() { for _ in 1 2 3 4 5; do /usr/bin/time -f %M "$@" 2>&1 >/dev/null | tail -n 1; done |
	sort -n | head -n 1; }
median() { sort -n | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a / b }'; }
row() { # row LABEL "MODBOX ARGS" "KMOD ARGS"
	local label=$1 m=$2 k=$3 im ik wm wk
	# shellcheck disable=SC2086
	im=$(instr $m)
	# shellcheck disable=SC2086
	ik=$(instr $k)
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
		"$(ratio "$im" "$ik")" "$(ratio "$wm" 1000000)" "$(ratio "$wk" 1000000)" \
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
