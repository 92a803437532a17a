#!/bin/bash
# kmod as the oracle for modprobe: on Debian's full 6.12 module tree (about 4,200 modules
# and 27,000 aliases, indexed by Debian's depmod), modbox's modprobe must print exactly
# what Debian's kmod modprobe prints, for every module name and every alias: --show-depends
# and --resolve-alias, without configuration and with a modprobe.d that uses every
# directive (tests/cli/modprobe.d), and -c. Both run with -a over the same batches;
# stdout and stderr are compared apart (their interleaving is stdio's business).
# Usage: tests/cli/modprobe_oracle.sh MODBOX
set -u
MB=$(realpath "${1:?usage: modprobe_oracle.sh MODBOX}")
. "$(dirname "$0")/lib.sh"
top=$(cd "$(dirname "$0")/../.." && pwd)
KMOD=$(command -v modprobe || echo /sbin/modprobe)
if [ ! -x "$KMOD" ]; then
	echo "not ok - modprobe oracle: Debian's kmod modprobe is needed"
	exit 1
fi
full=$("$top/scripts/kernels.sh" full-tree 6.12) || {
	echo "not ok - modprobe oracle: the full 6.12 tree could not be fetched"
	exit 1
}
V=$(cat "$full/release")
M=$full/lib/modules/$V
sed 's/:.*//; s|.*/||; s/\.ko.*//' "$M/modules.dep" >"$T/names"
sed -n 's/^alias \([^ ]*\) .*/\1/p' "$M/modules.alias" >"$T/aliases"
# a few more: a missing name, a symbol, a builtin module, dashes, config aliases
printf '%s\n' nosuch symbol:drm_dev_register snd-hda-intel mynet my-video-x sound-card-0 \
	fuse crc32c pci:v00008086d000010D3sv00008086sd0000A01Fbc02sc00i00 >>"$T/names"
mkdir -p "$T/none"

# both TOOL-ARGS... over LIST: runs kmod and modbox alike, keeps their stdout and stderr
both() {
	local list=$1
	shift
	xargs -d '\n' -n 2000 "$KMOD" "$@" <"$T/$list" >"$T/k.out" 2>"$T/k.err"
	xargs -d '\n' -n 2000 "$MB" modprobe "$@" <"$T/$list" >"$T/out" 2>"$T/err"
	rc=$?
}
same() {
	cmp -s "$T/k.out" "$T/out" && cmp -s "$T/k.err" "$T/err" && [ -s "$T/k.out" ] ||
		{ diff "$T/k.out" "$T/out" | head -n 5 >&2; diff "$T/k.err" "$T/err" | head -n 5 >&2; false; }
}

for conf in none modprobe.d; do
	C=$T/none
	[ $conf = none ] || C=$top/tests/cli/$conf
	for list in names aliases; do
		both $list -C "$C" -d "$full" -S "$V" -a -D
		check "modprobe oracle: --show-depends of every $list ($(wc -l <"$T/$list")), config $conf" same
		both $list -C "$C" -d "$full" -S "$V" -a -R
		check "modprobe oracle: --resolve-alias of every $list, config $conf" same
	done
	"$KMOD" -C "$C" -d "$full" -S "$V" -c >"$T/k.out" 2>"$T/k.err"
	"$MB" modprobe -C "$C" -d "$full" -S "$V" -c >"$T/out" 2>"$T/err"
	check "modprobe oracle: -c (configuration and index dump), config $conf" same
done
# one name, as initramfs scripts call it: output and exit status
for q in amdgpu nosuch; do
	"$KMOD" -C "$T/none" -d "$full" -S "$V" -D "$q" >"$T/k.out" 2>"$T/k.err"
	krc=$?
	run "$MB" modprobe -C "$T/none" -d "$full" -S "$V" -D "$q"
	check "modprobe oracle: -D $q alone: same output, exit status $krc" \
		all '[ $rc = $krc ] && cmp -s "$T/k.out" "$T/out" && cmp -s "$T/k.err" "$T/err"'
done
# without the .bin indexes: the text files are the fallback (every 10th name)
mkdir -p "$T/text/lib/modules"
cp -al "$M" "$T/text/lib/modules/" && rm "$T/text/lib/modules/$V/"*.bin
awk 'NR % 10 == 1' "$T/names" >"$T/some"
xargs -d '\n' -n 2000 "$KMOD" -C "$T/none" -d "$full" -S "$V" -a -D <"$T/some" 2>"$T/k.err" |
	sed "s|$full|ROOT|" >"$T/k.out"
xargs -d '\n' -n 2000 "$MB" modprobe -C "$T/none" -d "$T/text" -S "$V" -a -D <"$T/some" \
	2>"$T/err" | sed "s|$T/text|ROOT|" >"$T/out"
sed -i "s|$full|ROOT|" "$T/k.err"
sed -i "s|$T/text|ROOT|" "$T/err"
check "modprobe: without modules.*.bin, the text files give what kmod gives with them" same

# --show-modversions on the 6.1 cloud tree (plain .ko): every 10th module
R61=$("$top/scripts/kernels.sh" root 6.1) && find "$R61/lib/modules" -name '*.ko' | sort |
	awk 'NR % 10 == 1' >"$T/kos"
: >"$T/k.out"
: >"$T/out"
while read -r f; do
	"$KMOD" --show-modversions "$f" >>"$T/k.out" 2>&1
	"$MB" modprobe --show-modversions "$f" >>"$T/out" 2>&1
done <"$T/kos"
: >"$T/k.err"
: >"$T/err"
check "modprobe oracle: --show-modversions of $(wc -l <"$T/kos") modules of the 6.1 tree" same
exit $failed
