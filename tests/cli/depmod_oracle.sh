#!/bin/bash
# kmod as the oracle for depmod: on Debian's 6.1 cloud tree (plain signed .ko files,
# modules.order, modules.builtin and modules.builtin.modinfo, no indexes), modbox's depmod
# must write exactly the files Debian's kmod 30 depmod writes, byte for byte; an
# interrupted run must leave every file whole; -n prints the text files.
# With ARCH (arm64 or armhf): the byte-for-byte comparison on Debian's full 6.1 tree of
# that architecture (scripts/kernels.sh foreign-tree), read on this host.
# Usage: tests/cli/depmod_oracle.sh MODBOX [ARCH]
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
if [ -n "$arch" ]; then
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
check "$t: no temporary file left" all '! ls "$B" | grep -q "\.tmp$"'
# the rest does not depend on the tree
[ -z "$arch" ] || exit $failed

# -n: the text files, in kmod's order, to stdout; nothing written
"$KMOD" -n -b "$T/A" "$V" >"$T/k.out" 2>/dev/null
mkdir -p "$T/C/lib/modules" && cp -al "$root/lib/modules/$V" "$T/C/lib/modules/"
run "$MB" depmod -n -b "$T/C" "$V"
check "depmod -n: the same output as kmod's, no file written" \
	all 'rc_is 0 && cmp -s "$T/k.out" "$T/out" && ! ls "$T/C/lib/modules/$V" | grep -q "modules.dep"'

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
exit $failed
