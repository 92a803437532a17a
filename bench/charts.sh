#!/bin/bash
# The charts the README shows, drawn with gnuplot from the tables of bench/results.md
# (make bench writes both): size.svg (text bytes on x86_64 against busybox, toybox and
# kmod), speed.svg (modbox's instructions and wall time as a fraction of kmod's and
# busybox's) and,
# when the coldplug table is there, coldplug.svg (seconds to all drivers loaded).
# Usage: bench/charts.sh [RESULTS.md [OUTDIR]]
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
res=${1:-$top/bench/results.md}
out=${2:-$(dirname "$res")}
command -v gnuplot >/dev/null || { echo "charts.sh: gnuplot is needed (gnuplot-nox)" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$out"

# cells PATTERN: the cells of the first table row whose first cell matches PATTERN (awk
# regex), tab-separated, trimmed.
cells() {
	P=$1 awk -F"|" '/^\|/ { c = $2; gsub(/^ +| +$/, "", c) }
		/^\|/ && c ~ ENVIRON["P"] {
		for (i = 2; i < NF; i++) { gsub(/^ +| +$/, "", $i); printf "%s%s", $i, (i < NF - 1 ? "\t" : "\n") }
		exit }' "$res"
}
# bar LABEL PATTERN [PATTERN2]: "LABEL<TAB>text" (PATTERN2's text added: kmod + libkmod)
bar() {
	local a b
	a=$(cells "$2" | cut -f2)
	[ -n "$a" ] && [ "$a" != - ] || return 0
	if [ $# = 3 ]; then
		b=$(cells "$3" | cut -f2)
		a=$((a + ${b:-0}))
	fi
	printf '"%s"\t%s\n' "$1" "$a"
}
common='set terminal svg size 760,380 dynamic font "sans,12" background "white"
set style fill solid 0.8 border -1
set grid xtics lc rgb "#dddddd"
set border 3
set tics nomirror
set key off
set datafile separator "\t"
set termoption noenhanced'

# bars NAME TITLE XLABEL DIVISOR COLOUR FORMAT: NAME.svg, a bar for each line of
# $work/NAME.dat ("label"<TAB>value): the value over DIVISOR, and FORMAT of it beside
bars() {
	local dat=$work/$1.dat
	[ -s "$dat" ] || return 0
	gnuplot <<-EOF
		$common
		set output "$out/$1.svg"
		set title "$2"
		set xlabel "$3"
		set yrange [$(($(wc -l <"$dat") - 1)).6:-0.6]
		set xrange [0:*]
		set offsets 0, graph 0.15, 0, 0
		plot "$dat" using (\$2/$4/2):0:(\$2/$4/2):(0.35):yticlabels(1) with boxxyerror lc rgb "$5", \
			"" using (\$2/$4):0:(sprintf(" $6", \$2)) with labels left offset 0.3,0
	EOF
	echo "wrote $out/$1.svg"
}

{
	bar "modbox: insmod alone" '^modbox tiny_defconfig \(insmod \)'
	bar "busybox 1.35: insmod alone" '^busybox .*\(insmod\), x86_64'
	bar "modbox: the six (default)" '^modbox defconfig \('
	bar "busybox 1.35: the six" '^busybox .*\(insmod rmmod lsmod modprobe modinfo depmod\), x86_64'
	bar "toybox 0.8.9: five" '^toybox .*, x86_64'
	bar "modbox full (+coldplug, decoders)" '^modbox full_defconfig'
	bar "kmod 30 + libkmod (dynamic)" '^Debian kmod' '^libkmod'
} >"$work/size.dat"
bars size "Text bytes, x86_64, static musl -Os (kmod: Debian's, dynamic)" "KiB of text" 1024 \
	"#4477aa" "%d"

# speed: instruction and wall-time ratios (modbox / kmod) of the lookup and depmod rows
awk -F'|' '/^\| / && NF >= 10 && $4 ~ /[0-9]/ && $5 ~ /^ *[0-9.]+ *$/ && $8 ~ /^ *[0-9.]+ *$/ {
	for (i = 2; i < NF; i++) gsub(/^ +| +$/, "", $i)
	l = $2
	if (l !~ /^busybox: /) l = "kmod: " l
	l = substr(l, 1, 54)
	if (index(l, "(") && !index(l, ")")) l = substr(l, 1, index(l, "(") - 2)
	printf "\"%s\"\t%s\t%s\n", l, $5, $8 }' "$res" >"$work/speed.dat"
if [ -s "$work/speed.dat" ]; then
	gnuplot <<-EOF
		$common
		set terminal svg size 860,$((120 + 34 * $(wc -l <"$work/speed.dat"))) dynamic font "sans,12" background "white"
		set output "$out/speed.svg"
		set title "modbox as a fraction of kmod 30 and of busybox 1.35 (less is faster; 1 = the same)"
		set key bottom right box opaque
		set yrange [$(($(wc -l <"$work/speed.dat") - 1)).6:-0.6]
		set xrange [0:*]
		set arrow from 1, graph 0 to 1, graph 1 nohead lc rgb "#aa3377" dt 2
		plot "$work/speed.dat" using (\$2/2):(\$0-0.18):(\$2/2):(0.16):yticlabels(1) with boxxyerror lc rgb "#4477aa" title "instructions", \
			"" using (\$3/2):(\$0+0.18):(\$3/2):(0.16) with boxxyerror lc rgb "#ccbb44" title "wall time"
	EOF
	echo "wrote $out/speed.svg"
fi

# coldplug: the median seconds of each way (bench/coldplug.sh's table)
awk -F'|' '/^\| .*(coldplug`|rescanning loop|one pass) / {
	for (i = 2; i < NF; i++) gsub(/^ +| +$/, "", $i)
	gsub(/`/, "", $2)
	if ($3 ~ /^[0-9.]+$/) printf "\"%s (%s modules)\"\t%s\n", $2, $5, $3 }' "$res" >"$work/coldplug.dat"
bars coldplug "All drivers loaded (QEMU TCG, median of 5 boots)" \
	seconds 1 "#228833" "%.2f s"
