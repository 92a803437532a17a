#!/bin/bash
# kmod as the oracle for depmod: on Debian's 6.1 cloud tree (plain signed .ko files,
# modules.order, modules.builtin and modules.builtin.modinfo, no indexes), modbox's depmod
# must write exactly the files Debian's kmod 30 depmod writes, byte for byte; an
# interrupted run must leave every file whole; -n prints the text files.
# With ARCH (arm64 or armhf): the byte-for-byte comparison on Debian's full 6.1 tree of
# that architecture (scripts/kernels.sh foreign-tree), read on this host.
# With riscv64: the same on the riscv64 kernel built here (scripts/cross-kernels.sh) with
# the kh_* test modules in extra/ (a symbol exported across modules).
# With 6.12: the same on Debian's full 6.12 amd64 tree (4,230 .ko.xz, decompressed by
# MODBOX: a build with FEATURE_XZ).
# Usage: tests/cli/depmod_oracle.sh MODBOX [ARCH|6.12]
set -u
MB=$(realpath "${1:?usage: depmod_oracle.sh MODBOX [ARCH]}")
arch=${2:-}
. "$(dirname "$0")/lib.sh"
top=$(cd "$(dirname "$0")/../.." && pwd)
KMOD=$(command -v depmod || echo /sbin/depmod)
if [ ! -x "$KMOD" ]; then
	echo "not ok - depmod oracle: Debian's kmod depmod is needed"
	exit 1
fi
t="depmod oracle${arch:+ ($arch)}"
if [ "$arch" = 6.12 ]; then
	root=$("$top/scripts/kernels.sh" full-tree 6.12) && V=$(cat "$root/release")
elif [ "$arch" = riscv64 ]; then
	root=$("$top/scripts/cross-kernels.sh" root riscv64) && V=$(cat "$root/release") &&
		km=$("$top/scripts/cross-kernels.sh" test-modules riscv64)
elif [ -n "$arch" ]; then
	root=$("$top/scripts/kernels.sh" foreign-tree "$arch") && V=$(cat "$root/release")
else
	root=$("$top/scripts/kernels.sh" root 6.1) && V=$("$top/scripts/kernels.sh" release 6.1)
fi || {
	echo "not ok - $t: the tree could not be fetched"
	exit 1
}
files="modules.dep modules.dep.bin modules.alias modules.alias.bin modules.softdep
	modules.symbols modules.symbols.bin modules.builtin.bin modules.builtin.alias.bin
	modules.devname"
for d in A B; do
	mkdir -p "$T/$d/lib/modules"
	cp -al "$root/lib/modules/$V" "$T/$d/lib/modules/"
	if [ "$arch" = riscv64 ]; then
		mkdir "$T/$d/lib/modules/$V/extra"
		cp "$km"/*.ko "$T/$d/lib/modules/$V/extra/"
	fi
	# a foreign tree comes indexed: each depmod must write its files anew
	for f in $files; do rm -f "$T/$d/lib/modules/$V/$f"; done
done
A=$T/A/lib/modules/$V
B=$T/B/lib/modules/$V
"$KMOD" -b "$T/A" "$V" 2>"$T/k.err"
run "$MB" depmod -b "$T/B" "$V"
check "$t: exit status 0, nothing on stderr" all 'rc_is 0 && err_empty'
# same FILE: byte for byte, else the first difference
same() {
	cmp "$A/$1" "$B/$1" >"$T/out" 2>&1 ||
		{ cmp -l "$A/$1" "$B/$1" 2>&1 | head -n 3 >>"$T/out"; false; }
}
for f in $files; do
	check "$t: $f byte-identical to kmod's" same "$f"
done
check "$t: no temporary file left" all '! ls "$B" | grep -Eq "^modules\..*\.[0-9]+$"'
check "$t: modules.weakdep (kmod 34's) written, empty for this tree" \
	all 'printf "# Weak dependencies extracted from modules themselves.\n" | cmp -s - "$B/modules.weakdep"'
# the rest does not depend on the tree
[ -z "$arch" ] || exit $failed

# -n: the text files, in kmod's order, to stdout; nothing written
"$KMOD" -n -b "$T/A" "$V" >"$T/k.out" 2>/dev/null
mkdir -p "$T/C/lib/modules" && cp -al "$root/lib/modules/$V" "$T/C/lib/modules/"
run "$MB" depmod -n -b "$T/C" "$V"
# kmod 30 has no modules.weakdep: its header is the one line more
grep -v "^# Weak dependencies" "$T/out" >"$T/out.30"
check "depmod -n: the same output as kmod's, no file written" \
	all 'rc_is 0 && cmp -s "$T/k.out" "$T/out.30" && ! ls "$T/C/lib/modules/$V" | grep -q "modules.dep"'

# an interrupted run leaves each file whole: the old version or the new one
for f in $files; do cp "$B/$f" "$T/new.$f"; done
printf 'stale\n' >"$B/modules.dep"
cp "$B/modules.dep" "$T/old.modules.dep"
whole=1
for i in 1 2 3 4 5 6 7 8; do
	(timeout -s KILL "0.0$i" "$MB" depmod -b "$T/B" "$V"; :) >/dev/null 2>&1
	for f in $files; do
		cmp -s "$B/$f" "$T/new.$f" || cmp -s "$B/$f" "$T/old.$f" 2>/dev/null ||
			{ whole=0; echo "# after a kill at 0.0${i}s: $f is neither old nor new"; }
	done
done
check "depmod: killed midway (8 times), every file is the old or the new one" \
	all '[ $whole = 1 ]'
"$MB" depmod -b "$T/B" "$V"
check "depmod: a run after the kills writes the same files again" \
	all 'for f in $files; do cmp -s "$B/$f" "$T/new.$f" || exit 1; done'

# -A: nothing to do when no module is newer than modules.dep
touch -d '2000-01-01' "$B/modules.dep"
touch "$B/modules.dep.bin" && before=$(stat -c %Y "$B/modules.dep")
run "$MB" depmod -A -b "$T/B" "$V"
check "depmod -A: a module newer than modules.dep: everything is rewritten" \
	all 'rc_is 0 && [ "$(stat -c %Y "$B/modules.dep")" != "$before" ]'
touch -d '2000-01-01' "$B/modules.dep.bin"
run "$MB" depmod -A -b "$T/B" "$V"
check "depmod -A: up to date: nothing is rewritten" \
	all 'rc_is 0 && [ "$(stat -c %Y "$B/modules.dep.bin")" = "$(date -d 2000-01-01 +%s)" ]'
# --- options, each against kmod on the same input -------------------------------------
kdir=$(dirname "$root")
sm=$root/boot/System.map-$V
sv=$kdir/headers/usr/src/linux-headers-$V/Module.symvers
# paths in messages name each side's copy: compare them with the copy's root cut off
norm() { sed "s#$T/[A-Z]*/#ROOT/#g" "$1"; }
# both sides' stderr (normalised) and every file the same
same_all() {
	norm "$T/k.err" >"$T/k.n"
	norm "$T/err" >"$T/m.n"
	diff "$T/k.n" "$T/m.n" >"$T/out" || return 1
	for f in $files; do cmp -s "$A/$f" "$B/$f" || { echo "$f differs" >>"$T/out"; return 1; }; done
}
fresh() { # a new pair of copies A and B of the 6.1 tree
	rm -rf "$T/A" "$T/B"
	for d in A B; do
		mkdir -p "$T/$d/lib/modules" && cp -al "$root/lib/modules/$V" "$T/$d/lib/modules/"
	done
}
if config_has FEATURE_DEPMOD_SYMCHECK; then
	# -e with System.map missing some symbols: the same "needs unknown symbol" warnings
	grep -v ' __ksymtab_[a-d]' "$sm" >"$T/System.map"
	"$KMOD" -e -F "$T/System.map" -b "$T/A" "$V" 2>"$T/k.err"
	run "$MB" depmod -e -F "$T/System.map" -b "$T/B" "$V"
	check "depmod -e -F System.map: kmod's warnings and files" \
		all 'rc_is 0 && grep -q "needs unknown symbol" "$T/err" && same_all'
	# -e with Module.symvers, some CRCs changed: "disagrees about version"
	awk 'NR % 7 == 0 { $1 = "0x12345678" } { print }' OFS='\t' "$sv" >"$T/Module.symvers"
	"$KMOD" -e -E "$T/Module.symvers" -b "$T/A" "$V" 2>"$T/k.err"
	run "$MB" depmod -e -E "$T/Module.symvers" -b "$T/B" "$V"
	check "depmod -e -E Module.symvers: kmod's warnings and files" \
		all 'rc_is 0 && grep -q "disagrees about version" "$T/err" && same_all'
	"$KMOD" -e -b "$T/A" "$V" 2>"$T/k.err"
	run "$MB" depmod -e -b "$T/B" "$V"
	check "depmod -e alone: kmod's warning that it needs -E or -F" all 'rc_is 0 && same_all'
else
	grep -v ' __ksymtab_[a-d]' "$sm" >"$T/System.map"
	"$KMOD" -b "$T/A" "$V" 2>"$T/k.err"
	run "$MB" depmod -e -F "$T/System.map" -b "$T/B" "$V"
	check "depmod -e -F: accepted by a build without FEATURE_DEPMOD_SYMCHECK, the same files" \
		all 'rc_is 0 && err_empty && same_all'
fi
# -P: a symbol prefix changes which names match
"$KMOD" -P _ -b "$T/A" "$V" 2>"$T/k.err"
run "$MB" depmod -P _ -b "$T/B" "$V"
check "depmod -P _: kmod's files" all 'rc_is 0 && same_all'
run "$MB" depmod -P ab -b "$T/B" "$V"
check "depmod -P ab: one character only" all 'rc_is 1 && err_has "-P only takes a single char"'

# depmod.d: search (with built-in and external), override, external, exclude, the two
# commands kmod ignores and a bad line; modules of the same name in several places
fresh
mkdir -p "$T/ext/drv" "$T/ext2"
for d in A B; do
	m=$T/$d/lib/modules/$V
	mkdir -p "$m/updates" "$m/extra/x" "$m/kernel/drivers/wireless2"
	cp "$m/kernel/drivers/net/dummy.ko" "$m/updates/"
	cp "$m/kernel/drivers/net/dummy.ko" "$m/extra/x/"
	cp "$m/kernel/fs/fat/vfat.ko" "$m/extra/"
	cp "$m/kernel/net/ipv4/ipip.ko" "$m/kernel/drivers/wireless2/"
	mkdir -p "$m/kernel/drivers/net/skipme" && cp "$m/kernel/fs/fat/fat.ko" "$m/kernel/drivers/net/skipme/"
done
cp "$root/lib/modules/$V/kernel/fs/fat/msdos.ko" "$T/ext/drv/"
cp "$root/lib/modules/$V/kernel/drivers/net/dummy.ko" "$T/ext2/"
cat >"$T/depmod.conf" <<EOF
# a comment
search extra external updates built-in
override dummy * extra/x
override vfat 5\.[0-9]+ kernel/fs/fat
external 6\.1\..* $T/ext
external * $T/ext2
external 5.* $T/nowhere
exclude skipme
include elsewhere.conf
make_map_files no
frobnicate all
override dummy
EOF
"$KMOD" -C "$T/depmod.conf" -b "$T/A" "$V" 2>"$T/k.err"
run "$MB" depmod -C "$T/depmod.conf" -b "$T/B" "$V"
check "depmod -C depmod.d: kmod's choices among same-named modules, files and messages" \
	all 'rc_is 0 && grep -q "^extra/x/dummy.ko:" "$B/modules.dep" && same_all'
mkdir -p "$T/confdir"
cp "$T/depmod.conf" "$T/confdir/b.conf"
printf 'search updates built-in\n' >"$T/confdir/a.conf"
printf 'search built-in\n' >"$T/confdir/c.txt"
"$KMOD" -C "$T/confdir" -b "$T/A" "$V" 2>"$T/k.err"
run "$MB" depmod -C "$T/confdir" -b "$T/B" "$V"
check "depmod -C DIR: its *.conf files in name order, kmod's result" all 'rc_is 0 && same_all'

# module files named on the command line: only those
fresh
m=$T/A/lib/modules/$V/kernel
"$KMOD" -b "$T/A" "$V" "$m/fs/fat/vfat.ko" "$m/fs/fat/fat.ko" "$m/net/ipv4/ipip.ko" \
	"$m/net/ipv4/tunnel4.ko" "$m/net/ipv4/ip_tunnel.ko" 2>"$T/k.err"
m=$T/B/lib/modules/$V/kernel
run "$MB" depmod -b "$T/B" "$V" "$m/fs/fat/vfat.ko" "$m/fs/fat/fat.ko" "$m/net/ipv4/ipip.ko" \
	"$m/net/ipv4/tunnel4.ko" "$m/net/ipv4/ip_tunnel.ko"
check "depmod VERSION FILE...: kmod's files for just those modules" \
	all 'rc_is 0 && [ "$(wc -l <"$B/modules.dep")" = 5 ] && same_all'
run "$MB" depmod -b "$T/B" "$V" kernel/fs/fat/fat.ko
check "depmod VERSION FILE: a relative path is refused" all 'rc_is 1 && err_has "not absolute path"'
run "$MB" depmod -b "$T/B" notaversion
check "depmod BADVERSION: refused as kmod does" all 'rc_is 1 && err_has "Bad version passed notaversion"'

# -m MODULEDIR and -o OUTDIR (kmod 34): the tree elsewhere, the files written elsewhere
"$MB" depmod -b "$T/B" "$V" 2>/dev/null
mkdir -p "$T/M/kmods" && cp -al "$root/lib/modules/$V" "$T/M/kmods/"
run "$MB" depmod -b "$T/M" -m /kmods "$V"
check "depmod -m MODULEDIR: BASEDIR/MODULEDIR/VERSION, the same files" \
	all 'rc_is 0 && for f in $files; do cmp -s "$B/$f" "$T/M/kmods/$V/$f" || exit 1; done'
run "$MB" depmod -b "$T/M" -m kmods -o "$T/O" "$V"
check "depmod -o OUTDIR: the files in OUTDIR/MODULEDIR/VERSION, the same" \
	all 'rc_is 0 && for f in $files; do cmp -s "$B/$f" "$T/O/kmods/$V/$f" || exit 1; done'

exit $failed
