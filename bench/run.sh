#!/bin/bash
# make bench: every measurement, written to bench/results.md (and shown).
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
MB=$(realpath "${1:-$top/modbox}")
command -v valgrind >/dev/null || { echo "bench: valgrind is needed" >&2; exit 1; }
{
	echo "# modbox bench results"
	echo
	echo "$(date -u +%Y-%m-%d), $(uname -m), $(nproc) cores, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)."
	echo "Made by \`make bench\` (bench/run.sh); the numbers in the README come from here."
	echo
	echo "## Size (x86_64, then the cross targets)"
	echo
	"$top/bench/size.sh"
	echo
	echo "## modprobe lookups on Debian's full 6.12 tree, against Debian's kmod 30"
	echo
	echo "Instructions from callgrind; wall time is the median of 21 alternating runs of"
	echo "each (mostly process start-up at this scale); memory is the peak resident set,"
	echo "the least of 7 runs (single runs scatter by about 200 KiB on this machine)."
	echo "Both run with an empty configuration directory (-C) and -D."
	echo
	"$top/bench/modprobe.sh" "$MB" 21
	echo
	echo "## depmod and modinfo, against Debian's kmod 30"
	echo
	echo "depmod reads modules in one process per CPU: its instructions are all processes'"
	echo "together, its wall time is what a user waits. The 6.12 rows use the build with"
	echo "the decoders (full_defconfig)."
	echo
	make -C "$top" --no-print-directory -s O=build/bench-full full_defconfig all >/dev/null &&
		"$top/bench/depmod_modinfo.sh" "$MB" 5 "$top/build/bench-full/modbox"
	# MODBOX_BENCH_BOOTS=0 leaves the QEMU boots out
	if [ "${MODBOX_BENCH_BOOTS:-5}" != 0 ]; then
		echo
		echo "## coldplug against the rescanning modprobe loop (QEMU)"
		echo
		echo "Debian's full 6.12 amd64 kernel on q35 with the device set of"
		echo "tests/qemu/coldplug.sh; seconds from the start of each way to all drivers loaded"
		echo "and the system quiet (coldplug's 250 ms quiet period included), each way booted"
		echo "in turn, one boot at a time."
		echo
		"$top/bench/coldplug.sh" "$top/build/bench-full/modbox" "${MODBOX_BENCH_BOOTS:-5}"
	fi
} | tee "$top/bench/results.md.new"
mv "$top/bench/results.md.new" "$top/bench/results.md"
"$top/bench/charts.sh" "$top/bench/results.md"
