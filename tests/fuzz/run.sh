#!/bin/bash
# The fuzz suite: builds the libFuzzer targets (clang, ASan + UBSan) against libmini,
# seeds them from Debian's files (scripts/kernels.sh's 6.1 tree, indexed by kmod's depmod
# into a small tree) and tests/fuzz/corpus/, runs each for FUZZ_TIME seconds (two at a
# time, one per core) and replays the inputs in tests/fuzz/regress/ (crashes found and
# fixed). Prints "ok - NAME" / "not ok - NAME" lines with each target's executions.
# Usage: tests/fuzz/run.sh [TARGET...]      env: FUZZ_TIME (seconds, default 20),
#        FUZZ_JOBS (default: the number of CPUs), FUZZ_OUT (default build/fuzz)
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 1
O=${FUZZ_OUT:-build/fuzz}
T=${FUZZ_TIME:-20}
J=${FUZZ_JOBS:-$(nproc)}
all="elf sig params index modules config kernel depmod unz"
targets=${*:-$all}
mkdir -p "$O/obj" "$O/seeds" "$O/corpus" "$O/crash" "$O/log"
# the targets write their files in memory (a disk makes the file-reading ones 8x slower)
shm=/dev/shm
[ -d $shm ] && [ -w $shm ] || shm=${TMPDIR:-/tmp}
TMPDIR=$(mktemp -d "$shm/modbox-fuzz.XXXXXX") || exit 1
export TMPDIR
trap 'rm -rf "$TMPDIR"' EXIT

# --- build ---------------------------------------------------------------------------
if ! command -v clang >/dev/null; then
	echo "not ok - fuzz: no clang (scripts/deps.sh fuzz installs it)"
	exit 1
fi
if [ ! -f "$O/cfg/include/generated/autoconf.h" ]; then
	make --no-print-directory -s O="$O/cfg" allyesconfig >/dev/null &&
		make --no-print-directory -s O="$O/cfg" "$O/cfg/include/config/auto.conf" >/dev/null ||
		{ echo "not ok - fuzz: configuration (allyesconfig)"; exit 1; }
fi
# the decoders a branch brings (libmini/gzip.c, xz.c, zstd.c) are fuzzed once present
dec=""
for f in gzip xz zstd; do
	[ -f libmini/$f.c ] && dec="$dec -DCONFIG_FEATURE_${f^^}=1"
done
cflags="-g -O1 -D_GNU_SOURCE -DMODBOX_VERSION=\"fuzz\" -DMODBOX_FAKE_KERNEL $dec \
	-include $O/cfg/include/generated/autoconf.h \
	-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"
objs=()
for c in libmini/*.c tests/fake/fake_kernel.c; do
	o=$O/obj/$(basename "$c" .c).o
	objs+=("$o")
	[ "$o" -nt "$c" ] && [ "$o" -nt "$O/cfg/include/generated/autoconf.h" ] &&
		[ -z "$(find libmini -name '*.h' -newer "$o")" ] && continue
	# shellcheck disable=SC2086
	clang $cflags -fsanitize=fuzzer-no-link -c "$c" -o "$o" ||
		{ echo "not ok - fuzz: $c builds"; exit 1; }
done
rm -f "$O/libmini.a"
ar rcs "$O/libmini.a" "${objs[@]}"
for t in $targets; do
	# shellcheck disable=SC2086
	clang $cflags -fsanitize=fuzzer "tests/fuzz/fuzz_$t.c" "$O/libmini.a" -lz -o "$O/fuzz_$t" ||
		{ echo "not ok - fuzz: fuzz_$t builds"; exit 1; }
done

# --- seeds from Debian's files ---------------------------------------------------------
# seeds TARGET: the directory of its generated seeds, made once
seeds() {
	local d=$O/seeds/$1
	[ -e "$d/.done" ] && return
	rm -rf "$d"
	mkdir -p "$d"
	case $1 in
	elf | depmod | unz)
		for k in "${small[@]:0:3}"; do
			case $1 in
			elf | depmod) cp "$k" "$d/" ;;
			unz)
				xz -c --check=crc32 "$k" >"$d/$(basename "$k").xz"
				gzip -9 -n -c "$k" >"$d/$(basename "$k").gz"
				command -v zstd >/dev/null && zstd -q -c "$k" >"$d/$(basename "$k").zst"
				;;
			esac
		done
		[ "$1" = depmod ] && {
			cat "${small[0]}"
			printf '~~MOD~~\n'
			cat "${small[1]}"
			printf '~~MOD~~\nkernel/m0.ko\nkernel/m1.ko\n~~MOD~~\n'
			head -n 5 "$root/lib/modules/"*/modules.builtin
			printf '~~MOD~~\n'
			head -c 600 "$root/lib/modules/"*/modules.builtin.modinfo
			printf '~~MOD~~\n0x12345678\tprintk\tvmlinux\tEXPORT_SYMBOL\t\n'
		} >"$d/tree"
		;;
	sig) for k in "${small[@]:0:3}"; do tail -c 1200 "$k" >"$d/$(basename "$k").tail"; done ;;
	index)
		for f in dep alias symbols builtin; do
			[ -f "$tree/modules.$f.bin" ] || continue
			{ printf '%s\0' "$(basename "${small[0]}" .ko | tr - _)"; cat "$tree/modules.$f.bin"; } >"$d/$f"
		done
		{ printf 'pci:v00008086d00001234sv0sd0bc02sc00i00\0'; cat "$tree/modules.alias.bin"; } >"$d/alias-wild"
		;;
	modules)
		{
			for k in "${small[@]}"; do basename "$k" .ko; done
			for f in dep alias symbols builtin builtin.alias softdep; do
				printf '\n~~\n'
				head -c 2000 "$tree/modules.$f" 2>/dev/null
			done
			printf '\n~~\n'
			cat tests/cli/modprobe.d/*.conf
		} >"$d/tree"
		;;
	esac
	touch "$d/.done"
}
root=$(scripts/kernels.sh root 6.1 2>/dev/null) || root=""
small=()
tree=$O/tree/lib/modules/6.1.0-fuzz
if [ -n "$root" ]; then
	# the smallest modules, and a tree of them indexed by kmod's depmod
	mapfile -t small < <(find "$root/lib/modules" -name '*.ko' -size -9k | sort | head -n 6)
	if [ ! -f "$tree/modules.dep.bin" ] && command -v depmod >/dev/null; then
		mkdir -p "$tree/kernel"
		cp "${small[@]}" "$tree/kernel/"
		depmod -b "$O/tree" 6.1.0-fuzz 2>/dev/null
	fi
else
	echo "# fuzz: no Debian kernel tree (scripts/kernels.sh root 6.1): committed seeds only"
fi

# --- runs --------------------------------------------------------------------------------
# run_one TARGET: fuzzes it for $T seconds, then replays its regression inputs
run_one() {
	local t=$1 log=$O/log/$1 dirs=() n
	[ ${#small[@]} -gt 0 ] && seeds "$t" && dirs+=("$O/seeds/$t")
	[ -d "tests/fuzz/corpus/$t" ] && dirs+=("tests/fuzz/corpus/$t")
	mkdir -p "$O/corpus/$t"
	"$O/fuzz_$t" -max_total_time="$T" -timeout=10 -rss_limit_mb=2048 -close_fd_mask=3 \
		-print_final_stats=1 -artifact_prefix="$O/crash/$t-" \
		"$O/corpus/$t" "${dirs[@]}" >"$log" 2>&1
	local rc=$?
	n=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	if [ $rc = 0 ]; then
		echo "ok - fuzz: $t: ${n:-?} executions in $T s, corpus $(find "$O/corpus/$t" -type f | wc -l) inputs"
	else
		grep -E 'ERROR|SUMMARY|broken promise|Test unit written' "$log" | head -n 8 | sed 's/^/# /'
		echo "not ok - fuzz: $t: crashed (see $log)"
	fi
	if [ -d "tests/fuzz/regress/$t" ]; then
		if "$O/fuzz_$t" -close_fd_mask=3 tests/fuzz/regress/"$t"/* >"$log.regress" 2>&1; then
			echo "ok - fuzz: $t: $(find "tests/fuzz/regress/$t" -type f | wc -l) regression inputs"
		else
			grep -E 'ERROR|SUMMARY|Running:' "$log.regress" | head -n 6 | sed 's/^/# /'
			echo "not ok - fuzz: $t: a regression input fails again"
		fi
	fi
}

start=$(date +%s)
running=0
for t in $targets; do
	run_one "$t" >"$O/log/$t.result" &
	running=$((running + 1))
	if [ $running -ge "$J" ]; then
		wait -n
		running=$((running - 1))
	fi
done
wait
for t in $targets; do cat "$O/log/$t.result"; done
echo "# fuzz: $(($(date +%s) - start)) s for $(echo "$targets" | wc -w) targets, $T s each, $J at a time"
