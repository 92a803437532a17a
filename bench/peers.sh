#!/bin/bash
# Sizes of the peers built the way modbox is: busybox and toybox from Debian bookworm's
# source packages, with their module applets alone, static, musl, -Os, stripped, for
# x86_64 and the cross targets (same compilers and musl as the Makefile's TARGET=...).
# Prints markdown rows like bench/size.sh's (text from size, file bytes); progress and
# failures go to stderr, and a build that fails gives a row of "-".
#
# Usage: bench/peers.sh      MODBOX_TARGETS="aarch64 armhf riscv64" (the default) picks
#                            the cross targets; x86_64 is always built.
# Cached in ${MODBOX_CACHE:-$HOME/.cache/modbox}/peers: src/NAME-VERSION the unpacked
# sources (fetched once), NAME-VERSION-TARGET a build with a .complete marker; a second
# run builds nothing and uses no network.
# shellcheck disable=SC2317 # the builders are called through peer
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cache=${MODBOX_CACHE:-$HOME/.cache/modbox}/peers
say() { echo "peers.sh: $*" >&2; }
row() { # row NAME FILE (bench/size.sh's)
	local t
	t=$(size "$2" 2>/dev/null | awk 'NR == 2 {print $1}')
	printf '| %-40s | %8s | %8s |\n' "$1" "${t:--}" "$(stat -Lc %s "$2" 2>/dev/null || echo -)"
}

mkdir -p "$cache/src" || exit 1
exec 9>"$cache/.lock"
flock 9

# --- the sources: 'apt-get source NAME', once -------------------------------------------
# src NAME: prints the unpacked tree of Debian's source package NAME, fetching it first.
src() {
	local n=$1 d tmp f v sum
	for d in "$cache/src/$n"-*/; do
		[ -e "$d.complete" ] && { echo "${d%/}"; return 0; }
	done
	tmp=$cache/src/.tmp-$n
	rm -rf "$tmp"
	mkdir -p "$tmp"
	say "fetching Debian's $n source package"
	# -o APT::Sandbox::User=root: the _apt user may not write into a root-owned cache
	# (as scripts/musl.sh). No deb-src entry yet: scripts/deps.sh writes one (and
	# installs dpkg-dev, which unpacks), usable after an update (as scripts/zlib.sh).
	get() { (cd "$tmp" && apt-get -q -o APT::Sandbox::User=root source "$n") >>"$tmp/log" 2>&1; }
	if ! get && grep -qE "deb-src|Unable to find a source package" "$tmp/log"; then
		"$top/scripts/deps.sh" zlib >&2 && apt-get -q update >/dev/null 2>&1
		get
	fi
	d=$(find "$tmp" -mindepth 1 -maxdepth 1 -type d -name "$n-*" | head -n 1)
	if [ -z "$d" ]; then
		# The mirror may lack the Debian part (toybox_0.8.9+dfsg-1.debian.tar.xz gives
		# 404 here) while the upstream tarball arrived: unpack that, once its checksum
		# agrees with the .dsc's. Only Debian's packaging (and any patches) is missing.
		for f in "$tmp/${n}"_*.orig.tar.*; do
			[ -e "$f" ] || continue
			sum=$(sed -n "s/^ \([0-9a-f]\{64\}\) [0-9]* ${f##*/}\$/\1/p" "$tmp"/*.dsc | head -n 1)
			[ -n "$sum" ] || continue
			[ "$(sha256sum <"$f" | cut -d' ' -f1)" = "$sum" ] || continue
			say "Debian's packaging part of $n did not arrive: using ${f##*/} alone"
			tar -C "$tmp" -xf "$f" && d=$(find "$tmp" -mindepth 1 -maxdepth 1 -type d -name "$n-*" | head -n 1)
		done
	fi
	if [ -z "$d" ]; then
		sed 's/^/  /' "$tmp/log" | tail -n 5 >&2
		say "apt-get source $n gave no source tree"
		return 1
	fi
	v=${d##*/}
	rm -rf "${cache:?}/src/$v"
	mv "$d" "$cache/src/$v" && touch "$cache/src/$v/.complete" && rm -rf "$tmp" &&
		echo "$cache/src/$v"
}

# --- configuration ----------------------------------------------------------------------
# set_y CONFIG SYMBOL...: CONFIG_SYMBOL=y in place of whatever CONFIG says of it
set_y() {
	local c=$1 s
	shift
	for s in "$@"; do
		sed -i "/^# CONFIG_$s is not set\$/d;/^CONFIG_$s=/d" "$c"
		echo "CONFIG_$s=y" >>"$c"
	done
}
# check_y CONFIG ALLOWED SYMBOL...: every SYMBOL is on in CONFIG, and nothing is on but
# them and the symbols of the file ALLOWED (allnoconfig's own)
check_y() {
	local c=$1 a=$2 s extra
	shift 2
	for s in "$@"; do
		grep -qx "CONFIG_$s=y" "$c" || { echo "peers.sh: CONFIG_$s did not stay on"; return 1; }
	done
	extra=$(sed -n 's/^CONFIG_\(.*\)=y$/\1/p' "$c" | grep -vxF -f "$a" | grep -vxF -f <(printf '%s\n' "$@"))
	[ -z "$extra" ] || { echo "peers.sh: also on: $extra"; return 1; }
}

# --- busybox ----------------------------------------------------------------------------
# The modutils of modbox's defconfig: the full ones (MODPROBE_SMALL off), blacklist,
# aliases, symbols, options on the command line, lsmod's 2.6 output and taint, mmap'ed
# loads; no decompression (FEATURE_SEAMLESS_*), as defconfig has no decoder. LONG_OPTS
# and SHOW_USAGE (the usage line, not the verbose help) are modbox's defaults too.
# LFS for musl, whose off_t has 64 bits everywhere: without it busybox takes off_t for a
# long, and on armhf stops at "BUG_off_t_size_is_misdetected" (on 64-bit targets it
# changes nothing).
bb_full="INSMOD RMMOD LSMOD MODPROBE MODINFO DEPMOD FEATURE_MODPROBE_BLACKLIST
	FEATURE_MODUTILS_ALIAS FEATURE_MODUTILS_SYMBOLS FEATURE_CMDLINE_MODULE_OPTIONS
	FEATURE_LSMOD_PRETTY_2_6_OUTPUT FEATURE_INSMOD_TRY_MMAP FEATURE_CHECK_TAINTED_MODULE
	LONG_OPTS SHOW_USAGE LFS"
# insmod alone, beside modbox's tiny_defconfig
bb_insmod="INSMOD SHOW_USAGE LFS"
# build_busybox DIR SRC SYMBOL...: an out-of-tree build (O=DIR) of allnoconfig plus the
# SYMBOLs, with $cross and $cc; DIR/busybox is the stripped binary.
build_busybox() {
	local d=$1 s=$2
	shift 2
	make -C "$s" O="$d" allnoconfig >/dev/null || return 1
	# allnoconfig still picks ash for 'sh' (a choice takes one): none instead
	sed -i '/^CONFIG_SH_IS_ASH=/d;/^CONFIG_SHELL_ASH=/d;/^# CONFIG_SH_IS_NONE is/d' "$d/.config"
	echo CONFIG_SH_IS_NONE=y >>"$d/.config"
	sed -n 's/^CONFIG_\(.*\)=y$/\1/p' "$d/.config" >"$d/allno.y"
	set_y "$d/.config" STATIC "$@"
	# allnoconfig blanks the strings and numbers of hidden options too
	# (DEFAULT_MODULES_DIR=""): dropped, oldconfig gives them their defaults.
	sed -i '/^CONFIG_[A-Z0-9_]*=""$/d;/^CONFIG_[A-Z0-9_]*=0$/d' "$d/.config"
	yes '' | make -C "$s" O="$d" oldconfig >/dev/null || return 1
	check_y "$d/.config" "$d/allno.y" STATIC "$@" || return 1
	# -Os is busybox's own; with LFS, musl needs no other change.
	make -C "$s" O="$d" CROSS_COMPILE="$cross" CC="$cc" -j"$(nproc)" && [ -x "$d/busybox" ]
}

# --- toybox -----------------------------------------------------------------------------
tb_syms="INSMOD RMMOD LSMOD MODINFO MODPROBE" # MODPROBE: toys/pending/modprobe.c
# build_toybox DIR SRC: toybox builds in its tree: a copy of SRC in DIR, allnoconfig plus
# the module applets, -Os (toybox's default), LDFLAGS=--static as its README says; the
# compiler is ${CROSS_COMPILE}${CC} $CFLAGS (musl's specs go in CFLAGS, as toybox wants
# a CC without spaces). DIR/toybox is the stripped binary.
build_toybox() {
	local d=$1 s=$2
	rm -rf "$d" && cp -a "$s" "$d" && cd "$d" || return 1
	export CROSS_COMPILE=$cross CC=$tb_cc CFLAGS=$tb_cflags LDFLAGS=--static
	make allnoconfig >/dev/null || return 1
	sed -n 's/^CONFIG_\(.*\)=y$/\1/p' .config >allno.y
	# shellcheck disable=SC2086 # a list of symbols
	set_y .config $tb_syms
	yes '' | make oldconfig >/dev/null || return 1
	# shellcheck disable=SC2086
	check_y .config allno.y $tb_syms || return 1
	make && [ -x toybox ]
}

# peer LABEL DIR FILE BUILDER ARG...: a row for $cache/DIR/FILE, built by
# BUILDER $cache/DIR ARG... (output in $cache/DIR.log) unless DIR/.complete says it was,
# with the same arguments and compiler; $why, if set, is why it cannot be built.
built=0
peer() {
	local label=$1 d=$cache/$2 f=$3 key
	shift 3
	key=$(echo "$* | $cross | $cc | $tb_cc $tb_cflags" | tr -s ' \t\n' ' ')
	if [ -z "$why" ] && [ "$(cat "$d/.complete" 2>/dev/null)" != "$key" ]; then
		say "building $label"
		rm -rf "$d"
		mkdir -p "$d"
		if ("$1" "$d" "${@:2}") >"$d.log" 2>&1; then
			echo "$key" >"$d/.complete"
		else
			why="$(grep -m 1 -E '^peers\.sh: |error|Error' "$d.log" || tail -n 1 "$d.log") (log: $d.log)"
		fi
	fi
	if [ -n "$why" ]; then
		printf '| %-40s | %8s | %8s |\n' "$label" - -
		echo "# $label: $why" >&2
		return
	fi
	row "$label" "$d/$f"
	built=$((built + 1))
}

# The versions come from the trees (bookworm's are named when there is none).
bbwhy="" tbwhy=""
bb=$(src busybox) && bbv=${bb##*/busybox-} || bbv=1.35.0 bbwhy="no source (apt-get source busybox failed)"
tb=$(src toybox) && tbv=${tb##*/toybox-} || tbv=0.8.9 tbwhy="no source (apt-get source toybox failed)"
for t in x86_64 ${MODBOX_TARGETS-aarch64 armhf riscv64}; do
	# The compilers of the Makefile: musl-gcc on the host; for the others Debian's cross
	# gcc with musl's specs file, from musl-dev:ARCH or (riscv64) scripts/musl.sh.
	cross="" specs="" twhy=""
	case $t in
	x86_64) cc=musl-gcc ;;
	aarch64) cross=aarch64-linux-gnu- specs=/usr/lib/aarch64-linux-musl/musl-gcc.specs ;;
	armhf) cross=arm-linux-gnueabihf- specs=/usr/lib/arm-linux-musleabihf/musl-gcc.specs ;;
	riscv64) cross=riscv64-linux-gnu- ;;
	*) twhy="not a modbox target (aarch64, armhf, riscv64)" ;;
	esac
	if [ "$t" = x86_64 ]; then
		command -v musl-gcc >/dev/null || "$top/scripts/deps.sh" build >&2
		tb_cc=musl-gcc tb_cflags=""
	elif [ -n "$cross" ]; then
		if ! command -v "${cross}gcc" >/dev/null || { [ -n "$specs" ] && [ ! -e "$specs" ]; }; then
			"$top/scripts/deps.sh" cross >&2
		fi
		[ "$t" != riscv64 ] || specs=$("$top/scripts/musl.sh" riscv64) ||
			twhy="no musl for riscv64 (scripts/musl.sh riscv64 failed)"
		cc="${cross}gcc -specs $specs" tb_cc=gcc tb_cflags="-specs $specs"
	fi
	[ -n "$twhy" ] || command -v "${cc%% *}" >/dev/null || twhy="no ${cc%% *}"
	[ -n "$twhy" ] || [ -z "$specs" ] || [ -e "$specs" ] || twhy="no $specs"
	# shellcheck disable=SC2086 # lists of symbols
	{
		why=${twhy:-${bbwhy}}
		peer "busybox $bbv (insmod rmmod lsmod modprobe modinfo depmod), $t" \
			"busybox-$bbv-$t" busybox build_busybox "$bb" $bb_full
		why=${twhy:-${bbwhy}}
		peer "busybox $bbv (insmod), $t" "busybox-insmod-$bbv-$t" busybox build_busybox "$bb" $bb_insmod
		why=${twhy:-${tbwhy}}
		peer "toybox $tbv (insmod rmmod lsmod modinfo modprobe), $t" "toybox-$tbv-$t" toybox \
			build_toybox "$tb"
	}
done
[ $built -gt 0 ] || { say "nothing could be built"; exit 1; }
exit 0
