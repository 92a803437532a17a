#!/bin/bash
# Hostile inputs: corrupted modules, index files and configuration, each through the
# applet that meets it first. Every case checks the exit status, the message and that no
# signal ended the process; memory and time stay bounded (ulimit -v, timeout).
# Usage: tests/cli/hostile.sh MODBOX   (a FAKE_KERNEL=1 build)
#   HOSTILE_NO_ULIMIT=1: no ulimit -v (a sanitizer build reserves terabytes of shadow)
set -u
MB=$(realpath "${1:?usage: hostile.sh MODBOX}")
. "$(dirname "$0")/lib.sh"
export MODBOX_FAKE_ROOT=$T/root
reset_kernel
VMAX=${HOSTILE_VMAX:-1048576} # KiB of address space

# hrun CMD...: run under the limits; rc 124 is a timeout, above 128 a signal
hrun() {
	(
		[ -n "${HOSTILE_NO_ULIMIT:-}" ] || ulimit -v "$VMAX"
		exec timeout -s KILL 20 "$@"
	) >"$T/out" 2>"$T/err"
	rc=$?
}
clean() { [ "$rc" -lt 124 ] || { echo "#   killed or timed out: rc=$rc"; return 1; }; }

# patch FILE OFFSET HEX...: overwrites bytes at OFFSET
patch() {
	local f=$1 off=$2
	shift 2
	printf "$(printf '\\x%s' "$@")" | dd of="$f" bs=1 seek="$off" conv=notrunc status=none
}
# u64 FILE OFFSET / u32 / u16: a little-endian integer of the file
uint() { od -An -t u"$3" -j "$2" -N "$3" "$1" | tr -d ' '; }

root=$(cd "$(dirname "$0")/../.." && scripts/kernels.sh root 6.1 2>/dev/null) || root=""
K=$(find "$root/lib/modules" -name crc7.ko 2>/dev/null | head -n 1)
if [ -z "$K" ]; then
	echo "not ok - hostile: no Debian module (scripts/kernels.sh root 6.1)"
	exit 1
fi
shoff=$(uint "$K" 40 8)
shnum=$(uint "$K" 60 2)
shstrndx=$(uint "$K" 62 2)
size=$(stat -c %s "$K")
# section I's header field at OFF (ELF64: 64-byte headers)
sh() { echo $((shoff + 64 * $1 + $2)); }
sec_named() { # index of the section called $1
	local i
	for ((i = 1; i < shnum; i++)); do
		[ "$(readelf -W -S "$K" | sed -n "s/^ *\[ *$i\] \([^ ]*\) .*/\1/p")" = "$1" ] &&
			echo $i && return
	done
}
mi=$(sec_named .modinfo)
mi_off=$(uint "$K" "$(sh "$mi" 24)" 8)
mi_size=$(uint "$K" "$(sh "$mi" 32)" 8)
str_off=$(uint "$K" "$(sh "$shstrndx" 24)" 8)
str_size=$(uint "$K" "$(sh "$shstrndx" 32)" 8)

# --- modules: modinfo, insmod (fake kernel) and depmod meet each -------------------
mods=$T/mods
mkdir -p "$mods"
mk() { cp "$K" "$mods/$1.ko"; }
head -c 0 "$K" >"$mods/empty.ko"
head -c 30 "$K" >"$mods/short-header.ko"
head -c $((size / 2)) "$K" >"$mods/half.ko"
mk bad-class && patch "$mods/bad-class.ko" 4 07
mk bad-data && patch "$mods/bad-data.ko" 5 00
mk bad-version && patch "$mods/bad-version.ko" 6 ff
mk shoff-max && patch "$mods/shoff-max.ko" 40 ff ff ff ff ff ff ff ff
mk shoff-past && patch "$mods/shoff-past.ko" 40 00 00 00 40 00 00 00 00
mk shentsize-0 && patch "$mods/shentsize-0.ko" 58 00 00
mk shentsize-max && patch "$mods/shentsize-max.ko" 58 ff ff
mk shnum-max && patch "$mods/shnum-max.ko" 60 ff ff
mk shnum-0 && patch "$mods/shnum-0.ko" 60 00 00
mk shstrndx-max && patch "$mods/shstrndx-max.ko" 62 ff ff
mk section-outside && patch "$mods/section-outside.ko" "$(sh 1 24)" 00 00 00 00 ff ff ff 7f
mk section-size-max && patch "$mods/section-size-max.ko" "$(sh "$mi" 32)" ff ff ff ff ff ff ff ff
mk shstrtab-unended && patch "$mods/shstrtab-unended.ko" $((str_off + str_size - 1)) 78
mk modinfo-unended && patch "$mods/modinfo-unended.ko" $((mi_off + mi_size - 1)) 78
mk sig-len-max && patch "$mods/sig-len-max.ko" $((size - 28 - 4)) ff ff ff ff

# modinfo: every one refused with kmod's message, or read as far as it is sound
for f in "$mods"/*.ko; do
	n=$(basename "$f" .ko)
	hrun "$MB" modinfo "$f"
	case $n in
	modinfo-unended | sig-len-max) # the strings before the bad one, or no signature
		check "hostile: modinfo $n: no crash, rc 0 or 1" all 'clean && [ "$rc" -le 1 ]' ;;
	*)
		check "hostile: modinfo $n: refused, exit 1" \
			all 'clean && rc_is 1 && err_has "modinfo: ERROR: could not get modinfo from"' ;;
	esac
done

# insmod (the fake kernel reads modules with libmini/elf too): refused, never loaded
for f in "$mods"/*.ko; do
	n=$(basename "$f" .ko)
	case $n in modinfo-unended | sig-len-max) continue ;; esac
	reset_kernel
	hrun "$MB" insmod "$f"
	check "hostile: insmod $n: refused, exit 1, nothing loaded" \
		all 'clean && rc_is 1 && err_has "insmod: ERROR: could not insert module" && [ ! -s "$T/root/proc/modules" ]'
done

# depmod: a tree of all of them plus a sound one; the sound one still gets its line
tree=$T/tree/lib/modules/6.1.0-hostile
mkdir -p "$tree/kernel"
cp "$mods"/*.ko "$K" "$tree/kernel/"
hrun "$MB" depmod -b "$T/tree" 6.1.0-hostile
check "hostile: depmod over the corrupted modules: exit 0, each one named, crc7 indexed" \
	all 'clean && rc_is 0 && err_has "shoff-max.ko" && grep -q "^kernel/crc7.ko:" "$tree/modules.dep"'

# --- index files: loops and offsets outside the file, through modprobe ---------------
idx=$T/idx/lib/modules/6.1.0-idx
mkdir -p "$idx/kernel"
cp "$K" "$idx/kernel/"
"$MB" depmod -b "$T/idx" 6.1.0-idx 2>/dev/null
cp "$idx/modules.dep.bin" "$T/dep.bin.good"
# header: magic, version 2.1, then the root's offset word (flags in the top bits)
hdr() { printf '\xb0\x07\xf4\x57\x00\x02\x00\x01'; }
{ hdr; printf '\x20\x00\x00\x0c'; printf 'ac\x20\x00\x00\x0c\x20\x00\x00\x0c\x20\x00\x00\x0c'; } >"$T/dep.bin.loop"
{ hdr; printf '\x20\x7f\xff\xf0'; } >"$T/dep.bin.root-outside"
{ hdr; printf '\x20\x00\x00\x0c'; printf 'az\x60\xff\xff\xff'; } >"$T/dep.bin.child-outside"
{ hdr; printf '\xa0\x00\x00\x0c'; head -c 5000 /dev/zero | tr '\0' c; } >"$T/dep.bin.prefix-unended"
head -c 40 "$T/dep.bin.good" >"$T/dep.bin.truncated"
mv "$idx/modules.dep" "$T/dep.text" # else a refused index falls back to it
for c in loop root-outside child-outside prefix-unended truncated; do
	cp "$T/dep.bin.$c" "$idx/modules.dep.bin"
	hrun "$MB" modprobe -d "$T/idx" -S 6.1.0-idx --show-depends crc7
	if grep -q '^CONFIG_FEATURE_MODPROBE_DEPMOD=y' "$(dirname "$MB")/.config" 2>/dev/null; then
		# crc7 not found and no modules.dep: the modules themselves are read
		check "hostile: modprobe with a modules.dep.bin ($c): the modules read instead, a warning" \
			all 'clean && rc_is 0 && err_has "modules.dep is missing or older" && out_has "crc7.ko"'
	else
		check "hostile: modprobe with a modules.dep.bin ($c): exit 1, a message" \
			all 'clean && rc_is 1 && err_has "modprobe: "'
	fi
	hrun "$MB" modprobe -d "$T/idx" -S 6.1.0-idx -c
	check "hostile: modprobe -c with a modules.dep.bin ($c): no crash" all 'clean'
done
cp "$T/dep.bin.good" "$idx/modules.dep.bin"
mv "$T/dep.text" "$idx/modules.dep"

# --- configuration: endless continuations, very long lines ------------------------------
conf=$T/conf
mkdir -p "$conf"
yes 'options crc7 a=1 \' | head -n 200000 >"$conf/continued.conf"
{ printf 'options crc7 p='; head -c 3000000 /dev/zero | tr '\0' x; echo; } >"$conf/long.conf"
{ printf 'alias '; head -c 3000000 /dev/zero | tr '\0' y; echo ' crc7'; } >"$conf/longkey.conf"
printf 'options crc7 q=1 \\' >"$conf/unended.conf"
for c in continued long longkey unended; do
	hrun "$MB" modprobe -d "$T/idx" -S 6.1.0-idx -C "$conf/$c.conf" -c
	check "hostile: modprobe -c with $c.conf: exit 0 or 1, bounded" all 'clean && [ "$rc" -le 1 ]'
	hrun "$MB" modprobe -d "$T/idx" -S 6.1.0-idx -C "$conf/$c.conf" --show-depends crc7
	check "hostile: modprobe --show-depends with $c.conf: crc7 still found" \
		all 'clean && rc_is 0 && out_has "crc7.ko"'
done

# --- modules.dep: a cycle, and a chain 10,000 modules deep -----------------------------
dep=$T/dep/lib/modules/6.1.0-dep
mkdir -p "$dep"
printf 'a.ko: b.ko\nb.ko: a.ko\n' >"$dep/modules.dep"
hrun "$MB" modprobe -d "$T/dep" -S 6.1.0-dep --show-depends a
check "hostile: modules.dep with a cycle: exit 1, the cycle named" \
	all 'clean && rc_is 1 && err_has "modprobe: " && err_has "cycle"'
for ((i = 0; i < 10000; i++)); do echo "m$i.ko: m$((i + 1)).ko"; done >"$dep/modules.dep"
echo "m10000.ko:" >>"$dep/modules.dep"
hrun "$MB" modprobe -d "$T/dep" -S 6.1.0-dep --show-depends m0
check "hostile: modules.dep 10,000 modules deep (one dependency a line): exit 0 or 1, bounded" \
	all 'clean && [ "$rc" -le 1 ]'
{
	printf 'm0.ko:'
	for ((i = 1; i <= 10000; i++)); do printf ' m%d.ko' $i; done
	echo
	for ((i = 1; i <= 10000; i++)); do echo "m$i.ko:"; done
} >"$dep/modules.dep"
hrun "$MB" modprobe -d "$T/dep" -S 6.1.0-dep --show-depends m0
check "hostile: modules.dep with 10,000 dependencies on one line: exit 0 or 1, a message if 1" \
	all 'clean && { rc_is 0 || { rc_is 1 && err_has "modprobe: "; }; }'

# --- /proc/modules and /sys/module with odd entries: lsmod, rmmod ------------------------
reset_kernel
printf 'a 1 0 - Live 0x0\nno-fields\n\n   \nb 2 3 x,y,z, Live 0x0 (E)\nlong%08000d 1 0 - Live 0\nc 1 0 -' 0 >"$T/root/proc/modules"
mkdir -p "$T/root/sys/module/b/holders/.x" "$T/root/sys/module/odd"
printf 'live\n' >"$T/root/sys/module/b/initstate"
hrun "$MB" lsmod
check "hostile: lsmod with odd /proc/modules lines: exit 0, the sound ones listed" \
	all 'clean && rc_is 0 && out_has "a " && out_has "b "'
hrun "$MB" rmmod odd
check "hostile: rmmod of a /sys/module entry without state: exit 1, a message" \
	all 'clean && rc_is 1 && err_has "rmmod: ERROR"'

exit $failed
