#!/bin/bash
# kmod as the oracle for modinfo: on Debian's 6.1 cloud module tree (1,121 signed .ko
# files, indexed here by Debian's depmod in a hard-linked copy), modbox's modinfo must
# print exactly what Debian's kmod 30 modinfo prints, byte for byte, with the same exit
# status: every module file, whole and by field (-F, -0, -a -d -l -p -n); every module
# name, alias and builtin module looked up in the tree (-b -k), with and without -m;
# missing modules, broken files and a foreign-architecture module. stdout and stderr are
# compared apart (their interleaving is stdio's business).
# With ARCH (arm64 or armhf), the same on Debian's full 6.1 tree of that architecture
# (scripts/kernels.sh foreign-tree; 64-bit and 32-bit ELF read on this host): see
# foreign() below for what is compared there.
# With 6.12, the same on Debian's full 6.12 amd64 tree of 4,230 .ko.xz modules
# (scripts/kernels.sh full-tree 6.12), which MODBOX must decompress itself.
# Usage: tests/cli/modinfo_oracle.sh MODBOX [ARCH|6.12]
set -u
MB=$(realpath "${1:?usage: modinfo_oracle.sh MODBOX [ARCH]}")
arch=${2:-}
. "$(dirname "$0")/lib.sh"
top=$(cd "$(dirname "$0")/../.." && pwd)
KMOD=$(command -v modinfo || echo /sbin/modinfo)
DEPMOD=$(command -v depmod || echo /sbin/depmod)
if [ ! -x "$KMOD" ] || [ ! -x "$DEPMOD" ]; then
	echo "not ok - modinfo oracle: Debian's kmod modinfo and depmod are needed"
	exit 1
fi
if [ "$arch" = 6.12 ]; then
	# Debian's package ships its index files; the tree is only read
	B=$("$top/scripts/kernels.sh" full-tree 6.12) && V=$(cat "$B/release") || {
		echo "not ok - modinfo oracle (6.12): the full 6.12 tree could not be fetched"
		exit 1
	}
elif [ -n "$arch" ]; then
	# the cached tree was indexed by Debian's depmod when it was fetched; it is only read
	B=$("$top/scripts/kernels.sh" foreign-tree "$arch") && V=$(cat "$B/release") || {
		echo "not ok - modinfo oracle ($arch): the $arch tree could not be fetched"
		exit 1
	}
else
	root=$("$top/scripts/kernels.sh" root 6.1) && V=$("$top/scripts/kernels.sh" release 6.1) || {
		echo "not ok - modinfo oracle: the 6.1 cloud kernel could not be fetched"
		exit 1
	}
	# the package has no index files: depmod a copy made of hard links (depmod replaces
	# files, it never writes into them)
	B=$T/base
	mkdir -p "$B/lib/modules"
	cp -al "$root/lib/modules/$V" "$B/lib/modules/" && "$DEPMOD" -b "$B" "$V" || {
		echo "not ok - modinfo oracle: depmod of the 6.1 tree"
		exit 1
	}
fi
M=$B/lib/modules/$V
find "$M" -name '*.ko' -o -name '*.ko.[gxz]*' | sort >"$T/files"
sed 's/:.*//; s|.*/||; s/\.ko\(\.[a-z]*\)\{0,1\}$//' "$M/modules.dep" >"$T/names"
sed -n 's/^alias \([^ ]*\) .*/\1/p' "$M/modules.alias" | sort -u >"$T/aliases"
sed 's|.*/||; s/\.ko$//' "$M/modules.builtin" >"$T/builtins"

# both LIST ARGS...: kmod and modbox on every line of LIST as operands after ARGS
both() {
	local list=$1
	shift
	xargs -d '\n' "$KMOD" "$@" <"$list" >"$T/k.out" 2>"$T/k.err"
	krc=$?
	xargs -d '\n' "$MB" modinfo "$@" <"$list" >"$T/out" 2>"$T/err"
	rc=$?
}
# one ARGS...: kmod and modbox on the same command line
one() {
	"$KMOD" "$@" >"$T/k.out" 2>"$T/k.err"
	krc=$?
	"$MB" modinfo "$@" >"$T/out" 2>"$T/err"
	rc=$?
}
same() {
	if [ "$rc" = "$krc" ] && cmp -s "$T/k.out" "$T/out" && cmp -s "$T/k.err" "$T/err"; then
		return 0
	fi
	echo "# exit status: kmod $krc, modbox $rc" >&2
	diff "$T/k.out" "$T/out" | head -n 5 >&2
	diff "$T/k.err" "$T/err" | head -n 5 >&2
	return 1
}
same_out() { [ -s "$T/k.out" ] && same; }

L=(-b "$B" -k "$V")

# foreign: the comparisons on an arm64 or armhf tree, about 3,500 modules. Everything
# that reads a module file runs on every file; each -F field on a quarter of them
# (MODBOX_ORACLE_FULL=1: on all), lookups on a sample: they read the indexes, the same
# on any architecture, and kmod takes 3 ms for each alias.
foreign() {
	local t="modinfo oracle ($arch)" f c i=0 list
	n=$(wc -l <"$T/files")
	both "$T/files"
	check "$t: every module file ($n), whole" same_out
	cp "$T/k.out" "$T/k.all"
	both "$T/files" -0
	check "$t: every module file, -0" same_out
	both "$T/files" -p
	check "$t: every module file, -p" same_out
	# the fields kmod prints, and the files that hold each
	awk '/^filename:/ { f = $2 } match($0, /^[a-z_][a-z0-9_]*:/) {
		print substr($0, 1, RLENGTH - 1), f }' "$T/k.all" | sort -u >"$T/holders"
	# a quarter of the files for each common field (a sixteenth of the 6.12 tree, whose
	# every read is a decompression, kmod's too)
	k=4
	[ "$arch" != 6.12 ] || k=16
	for q in 0 1 2 3; do awk -v k=$k -v q=$q 'NR % k == q' "$T/files" >"$T/q$q"; done
	for f in $(cut -d ' ' -f 1 "$T/holders" | uniq) nosuchfield; do
		c=$(grep -c "^$f " "$T/holders")
		if [ -n "${MODBOX_ORACLE_FULL:-}" ]; then
			list=$T/files
		elif [ "$c" -gt 0 ] && [ "$c" -le $((1600 / k)) ]; then
			# a rare field: every file that holds it
			sed -n "s/^$f //p" "$T/holders" >"$T/list"
			list=$T/list
		else
			list=$T/q$((i++ % 4))
		fi
		both "$list" -F "$f"
		check "$t: -F $f ($c modules hold it; $(wc -l <"$list") files)" same
	done
	both "$T/q0" -0 -F parm
	check "$t: a quarter of the files, -0 -F parm" same
	awk 'NR % 4 == 0' "$T/names" >"$T/some-names"
	both "$T/some-names" "${L[@]}"
	check "$t: every 4th module name ($(wc -l <"$T/some-names")), looked up" same_out
	awk 'NR % 50 == 0' "$T/aliases" >"$T/some-aliases"
	both "$T/some-aliases" "${L[@]}" -F filename
	check "$t: every 50th alias ($(wc -l <"$T/some-aliases")), looked up" same_out
	both "$T/builtins" "${L[@]}"
	check "$t: every builtin module ($(wc -l <"$T/builtins")), looked up" same_out
	cat "$T/some-names" "$T/builtins" >"$T/all"
	both "$T/all" "${L[@]}" -m
	check "$t: those module and builtin names with -m" same_out
	# the rest takes plain modules
	[ "$arch" != 6.12 ] || return
	# a module cut short: in its ELF header, section table, .modinfo, signature
	f=$(grep -m1 /crc7.ko "$T/files")
	c=$(stat -c %s "$f")
	for i in 4 16 30 51 52 63 64 200 1000 2000 $((c - 900)) $((c - 500)) $((c - 40)) \
		$((c - 1)); do
		head -c "$i" "$f" >"$T/cut.ko"
		one "$T/cut.ko"
		check "$t: crc7.ko cut to $i of $c bytes: the same output and exit status ($krc)" same
	done
	# odd .modinfo strings (as below), rewritten by objcopy's generic ELF back end
	f=$(grep -m1 /dummy.ko "$T/files")
	c=$(od -An -tu1 -j4 -N1 "$f" | tr -d ' ')
	printf '%s\0' license=GPL a_key_longer_than_fifteen=long novalue '' \
		'parm=numdummies:Number of dummy devices' parmtype=numdummies:int \
		parmtype=onlytype:bool 'parm=onlydesc:Just text' parm=broken \
		parm=numdummies:Redefined >"$T/modinfo.bin"
	objcopy -I "elf$((c * 32))-little" -O "elf$((c * 32))-little" \
		--update-section .modinfo="$T/modinfo.bin" "$f" "$T/edge.ko"
	for o in "" -0 -p "-F parm"; do
		# shellcheck disable=SC2086
		one $o "$T/edge.ko"
		check "$t: odd .modinfo strings in a $((c * 32))-bit module${o:+, $o}" same_out
	done
}
if [ -n "$arch" ]; then
	foreign
	exit $failed
fi

n=$(wc -l <"$T/files")
both "$T/files"
check "modinfo oracle: every module file of the tree ($n), whole" same_out
both "$T/files" -0
check "modinfo oracle: every module file, -0" same_out
for f in vermagic depends alias parm signer sig_key signature name filename parmtype \
	nosuchfield; do
	both "$T/files" -F $f
	check "modinfo oracle: every module file, -F $f" same
done
both "$T/files" -0 -F parm
check "modinfo oracle: every module file, -0 -F parm" same_out
for o in -a -d -l -p -n; do
	both "$T/files" $o
	check "modinfo oracle: every module file, $o" same_out
done

both "$T/names" "${L[@]}"
check "modinfo oracle: every module name ($(wc -l <"$T/names")), looked up" same_out
both "$T/aliases" "${L[@]}"
check "modinfo oracle: every alias ($(wc -l <"$T/aliases")), looked up" same_out
both "$T/builtins" "${L[@]}"
check "modinfo oracle: every builtin module ($(wc -l <"$T/builtins")), looked up" same_out
both "$T/builtins" "${L[@]}" -0
check "modinfo oracle: every builtin module, -0" same_out
for f in name filename parm license; do
	both "$T/builtins" "${L[@]}" -F $f
	check "modinfo oracle: every builtin module, -F $f" same_out
done
cat "$T/names" "$T/builtins" >"$T/all"
both "$T/all" "${L[@]}" -m
check "modinfo oracle: every module and builtin name with -m" same_out
# crc32c: modules.alias names crc32c-intel; -m finds crc32c_generic through
# modules.builtin.alias
for q in "crc32c" "-m crc32c" "-m crc32c_generic.ko" "-m virtio-net" "-F alias crc32c"; do
	# shellcheck disable=SC2086
	one "${L[@]}" $q
	check "modinfo oracle: modinfo $q" same_out
done

for q in nosuch "-m nosuch" "a]b" "virtio_net nosuch dummy" "-F filename nosuch"; do
	# shellcheck disable=SC2086
	one "${L[@]}" $q
	check "modinfo oracle: modinfo $q: message and exit status ($krc)" same
done
one
check "modinfo oracle: no operand: message and exit status" same
one -k 0.0-none dummy
check "modinfo oracle: a kernel version without modules" same

# file operands: relative paths, a basedir given relative, files that are no modules
(cd "$M/kernel/drivers/net" && one virtio_net.ko ./dummy.ko ../net/veth.ko)
check "modinfo oracle: relative file operands (filename: made absolute)" same_out
(cd "$B" && one -b . -k "$V" virtio_net)
check "modinfo oracle: -b relative" same_out
mkdir -p "$T/bad/dir.ko"
: >"$T/bad/empty.ko"
echo 'not a module' >"$T/bad/text.ko"
printf '\177ELF' >"$T/bad/magic-only.ko"
printf '\177ELF\2\1\1\0\0\0\0\0\0\0\0\0' >"$T/bad/ident-only.ko"
printf 'not an elf file, but long enough' >"$T/bad/long-text.ko"
head -c 3000 "$(grep -m1 /virtio_net.ko "$T/files")" >"$T/bad/cut-short.ko"
objcopy --remove-section .modinfo "$(grep -m1 /dummy.ko "$T/files")" "$T/bad/no-modinfo.ko"
cp "$(grep -m1 /dummy.ko "$T/files")" "$T/bad/renamed"
for f in dir.ko empty.ko text.ko magic-only.ko ident-only.ko long-text.ko cut-short.ko \
	no-modinfo.ko renamed; do
	one "$T/bad/$f"
	check "modinfo oracle: modinfo $f: message and exit status ($krc)" same
done
# a hand-made .modinfo: a key longer than kmod's 16 columns, keys without a value,
# parameters with a type only, a description only, redefined, and one without ':'
printf '%s\0' license=GPL a_key_longer_than_fifteen=long exactly15chars_=x novalue '' \
	'parm=numdummies:Number of dummy devices' parmtype=numdummies:int \
	parmtype=onlytype:bool 'parm=onlydesc:Just text' parm=broken \
	parm=numdummies:Redefined parmtype=second:uint 'parm=second:Second one' name=dummy \
	empty= >"$T/modinfo.bin"
objcopy --update-section .modinfo="$T/modinfo.bin" "$(grep -m1 /dummy.ko "$T/files")" \
	"$T/edge.ko"
for o in "" -0 "-F parm" "-0 -F parm" "-F parmtype" "-F novalue" "-F empty"; do
	# shellcheck disable=SC2086
	one $o "$T/edge.ko"
	check "modinfo oracle: odd .modinfo strings${o:+, $o}" same_out
done
one -F filename "$T/bad/text.ko"
check "modinfo oracle: -F filename does not read the file" same_out
arm=$("$top/scripts/kernels.sh" arm64-module 2>/dev/null) && {
	one "$arm"
	check "modinfo oracle: an arm64 module on this host" same_out
}

# compressed modules: as kmod reads them with a build that has the decoder, else a clear
# error
for z in xz:xz:XZ gzip:gz:GZIP zstd:zst:ZSTD; do
	tool=${z%%:*} ext=${z#*:} ext=${ext%:*}
	command -v "$tool" >/dev/null || continue
	"$tool" -c "$(grep -m1 /dummy.ko "$T/files")" >"$T/dummy.ko.$ext"
	if config_has "FEATURE_${z##*:}"; then
		# Debian's kmod reads xz and zstd, not gzip: the reference is its output for
		# the .xz copy, the file name aside
		xz -c "$(grep -m1 /dummy.ko "$T/files")" >"$T/ref.ko.xz"
		"$KMOD" "$T/ref.ko.xz" | sed "s|$T/ref.ko.xz|$T/dummy.ko.$ext|" >"$T/k.out"
		krc=0
		: >"$T/k.err"
		run "$MB" modinfo "$T/dummy.ko.$ext"
		check "modinfo oracle: a module compressed with $tool, as kmod reads it" same_out
	else
		run "$MB" modinfo "$T/dummy.ko.$ext"
		check "modinfo: a module compressed with $tool, a build without its decoder: a clear error" \
			all 'rc_is 1 && err_has "this build cannot decompress it" && out_has "filename:"'
	fi
done
exit $failed
