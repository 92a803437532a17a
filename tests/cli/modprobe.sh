#!/bin/bash
# modprobe against the fake kernel, on a real module tree: Debian's 6.1 cloud modules
# (plain signed .ko), linked into a temporary tree and indexed by Debian's depmod. The
# fake kernel reads each module's name and depends= with libmini/elf and counts holders
# as the kernel does, so loading order, options, commands, blacklists, errors and removal
# can be checked at host speed. (tests/qemu does the same on real kernels.)
# Usage: tests/cli/modprobe.sh MODBOX   (a FAKE_KERNEL=1 build)
set -u
MB=$(realpath "${1:?usage: modprobe.sh MODBOX}")
. "$(dirname "$0")/lib.sh"
top=$(cd "$(dirname "$0")/../.." && pwd)
R=$("$top/scripts/kernels.sh" root 6.1) && REL=$("$top/scripts/kernels.sh" release 6.1) || {
	echo "not ok - modprobe: the 6.1 module tree could not be fetched"
	exit 1
}
DEPMOD=$(command -v depmod || echo /sbin/depmod)
mkdir -p "$T/tree/lib/modules"
cp -al "$R/lib/modules/$REL" "$T/tree/lib/modules/" && "$DEPMOD" -b "$T/tree" "$REL" || {
	echo "not ok - modprobe: a depmod'd copy of the 6.1 tree"
	exit 1
}
M=$T/tree/lib/modules/$REL
mkdir -p "$T/conf" "$T/bin"
ln -s "$MB" "$T/bin/modprobe"
export MODBOX_FAKE_ROOT=$T/root
mp() { run "$T/bin/modprobe" -C "$T/conf" -d "$T/tree" -S "$REL" "$@"; }
loaded() { grep -q "^$1 " "$T/root/proc/modules"; }
order() { sed 's/ .*//' "$T/finitlog" 2>/dev/null; }
finits() { sed 's/\.ko .*//' "$T/root/finit.log" | tr '\n' ' '; }
param() { cat "$T/root/sys/module/$1/params"; }

reset_kernel
mp ipip
check "modprobe: loads a module after its dependencies, in modules.dep order" \
	all 'rc_is 0 && err_empty && [ "$(finits)" = "ip_tunnel tunnel4 ipip " ] && loaded ipip && loaded tunnel4'
check "modprobe: the dependencies now count the module as a holder" \
	all 'grep -q "^tunnel4 [0-9]* 1 ipip," "$T/root/proc/modules"'
mp ipip
check "modprobe: a module already live is success, nothing loaded again" \
	all 'rc_is 0 && [ "$(finits)" = "ip_tunnel tunnel4 ipip " ]'
mp --first-time ipip
check "modprobe --first-time: already loaded is an error, kmod's words" \
	all 'rc_is 1 && err_is "modprobe: ERROR: could not insert '"'"'ipip'"'"': Module already in kernel"'

reset_kernel
echo 17 >"$T/root/errno.dummy"
mp dummy
check "modprobe: EEXIST from the kernel (a race) is success" all 'rc_is 0 && err_empty'

reset_kernel
printf 'options dummy numdummies=3\noptions my_dummy_alias from_alias=1\nalias my-dummy-alias dummy\n' \
	>"$T/conf/o.conf"
mp my-dummy-alias 'extra=a b'
check "modprobe: options from modprobe.d (name and alias), then argv, quoted as kmod does" \
	all 'rc_is 0 && [ "$(param dummy)" = "numdummies=3 from_alias=1 extra=\"a b\"" ]'
rm "$T/conf/o.conf"

reset_kernel
printf 'install dummy echo "opts=$CMDLINE_OPTS module=$MODPROBE_MODULE" >%s\n' "$T/ran" >"$T/conf/i.conf"
mp dummy x=1
check "modprobe: an install command runs through /bin/sh, \$CMDLINE_OPTS and MODPROBE_MODULE set" \
	all 'rc_is 0 && [ "$(cat "$T/ran")" = "opts=x=1 module=dummy" ] && ! loaded dummy'
mp -i dummy
check "modprobe -i: the install command is ignored, the module loaded" all 'rc_is 0 && loaded dummy'
printf 'install dummy exit 3\n' >"$T/conf/i.conf"
reset_kernel
mp dummy
check "modprobe: a failing install command: kmod's message, exit 1" \
	all 'rc_is 1 && err_has "Error running install command for dummy"'
rm "$T/conf/i.conf"

reset_kernel
printf 'blacklist dummy\nalias my-dummy dummy\n' >"$T/conf/b.conf"
mp my-dummy
check "modprobe: a blacklisted module is not loaded through an alias (exit 0)" \
	all 'rc_is 0 && ! loaded dummy'
mp dummy
check "modprobe: a blacklisted module still loads by its name" all 'rc_is 0 && loaded dummy'
reset_kernel
mp -b dummy
check "modprobe -b: the blacklist applies to names too" all 'rc_is 0 && ! loaded dummy'
rm "$T/conf/b.conf"

reset_kernel
printf 'softdep ipip pre: dummy post: nlmon\n' >"$T/conf/s.conf"
mp ipip
check "modprobe: softdeps: pre before, post after the module" \
	all 'rc_is 0 && [ "$(finits)" = "ip_tunnel tunnel4 dummy ipip nlmon " ]'
rm "$T/conf/s.conf"

reset_kernel
echo 2 >"$T/root/errno.dummy"
echo "dummy: Unknown symbol foo (err -2)" >"$T/root/kmsg.dummy"
mp dummy
check "modprobe: a failed load: kmod's message, then the kernel's own line" \
	all 'rc_is 1 && [ "$(sed -n 1p "$T/err")" = "modprobe: ERROR: could not insert '"'"'dummy'"'"': Unknown symbol in module, or unknown parameter (see dmesg)" ] && [ "$(sed -n 2p "$T/err")" = "modprobe: kernel: dummy: Unknown symbol foo (err -2)" ]'

reset_kernel
mp nosuch
check "modprobe: a missing module: kmod's FATAL message, exit 1" \
	all 'rc_is 1 && err_is "modprobe: FATAL: Module nosuch not found in directory $M"'
mp -q nosuch
check "modprobe -q: a missing module: silent, exit 1" all 'rc_is 1 && err_empty'
mp -a nosuch dummy
check "modprobe -a: a missing one is a WARNING, the others load, exit 1" \
	all 'rc_is 1 && err_has "modprobe: WARNING: Module nosuch not found" && loaded dummy'
mp
check "modprobe: no module: kmod's message, exit 1" all 'rc_is 1 && err_is "modprobe: ERROR: missing parameters. See -h."'

reset_kernel
mp -n ipip
check "modprobe -n: nothing loaded" all 'rc_is 0 && ! loaded ipip && [ ! -e "$T/root/finit.log" ]'
mp -v dummy
check "modprobe -v: says what it loads" all 'rc_is 0 && out_has "insmod $M/kernel/drivers/net/dummy.ko"'

# -r: the module and every dependency nothing uses any more
reset_kernel
mp ipip && mp ip_gre
mp -r ipip
check "modprobe -r: the module goes, and a dependency no longer used" \
	all 'rc_is 0 && ! loaded ipip && ! loaded tunnel4'
check "modprobe -r: a dependency still used by another module stays" \
	all 'loaded ip_tunnel'
mp -r ip_gre
check "modprobe -r: the last user gone, its dependencies go too" \
	all 'rc_is 0 && ! loaded ip_gre && ! loaded ip_tunnel && ! loaded gre'
mp -r ipip
check "modprobe -r: a module not loaded is success" all 'rc_is 0 && err_empty'
mp -r --first-time ipip
check "modprobe -r --first-time: not loaded is an error" all 'rc_is 1 && err_has "Module ipip is not in kernel."'
mp ipip
mp -r tunnel4
check "modprobe -r: a module in use is refused, kmod's words" \
	all 'rc_is 1 && err_is "modprobe: FATAL: Module tunnel4 is in use." && loaded tunnel4'
mp -r --remove-holders tunnel4
check "modprobe -r --remove-holders: its holders go first" all 'rc_is 0 && ! loaded ipip && ! loaded tunnel4'
reset_kernel
printf 'softdep ipip pre: dummy post: nlmon\n' >"$T/conf/s.conf"
mp ipip && mp -r ipip
check "modprobe -r: softdeps go too, post before and pre after the module" \
	all 'rc_is 0 && ! loaded ipip && ! loaded dummy && ! loaded nlmon && ! loaded tunnel4'
rm "$T/conf/s.conf"

reset_kernel
printf '\375\067\172\130\132\000rest' >"$T/xz.ko"
mp "$T/xz.ko"
if config_has FEATURE_XZ; then
	check "modprobe: a broken xz module the kernel cannot decompress: our decoder says why" \
		all 'rc_is 1 && err_has "could not insert '"'"'xz'"'"': " && ! err_has "does not decompress"'
else
	check "modprobe: a compressed module the kernel cannot decompress: said so" \
		all 'rc_is 1 && err_is "modprobe: ERROR: could not insert '"'"'xz'"'"': compressed, and the kernel does not decompress this format"'
fi
reset_kernel
gzip -c "$M/kernel/drivers/net/dummy.ko" >"$T/dummy.ko.gz"
mp "$T/dummy.ko.gz"
check "modprobe: a real .ko.gz decompressed here: the ELF reaches init_module whole" \
	all 'rc_is 0 && err_empty && loaded dummy && [ "$(cat "$T/root/sys/module/dummy/via")" = init ]'
reset_kernel
head -c 2000 "$T/dummy.ko.gz" >"$T/dummy.ko.gz.cut"
cp "$T/dummy.ko.gz.cut" "$T/dummy.ko.gz"
mp "$T/dummy.ko.gz"
check "modprobe: a truncated .ko.gz: the module and 'truncated'" \
	all 'rc_is 1 && err_is "modprobe: ERROR: could not insert '"'"'dummy'"'"': truncated" && ! loaded dummy'
reset_kernel
MODPROBE_OPTIONS="-q -d '$T/tree'" run "$T/bin/modprobe" -C "$T/conf" -S "$REL" nosuch
check "modprobe: MODPROBE_OPTIONS come before the arguments (quotes group words)" \
	all 'rc_is 1 && err_empty'
printf 'install dummy echo "$MODPROBE_OPTIONS" >%s\n' "$T/env" >"$T/conf/i.conf"
MODPROBE_OPTIONS="-v" run "$T/bin/modprobe" -C "$T/conf" -d "$T/tree" -S "$REL" dummy
check "modprobe: install commands see MODPROBE_OPTIONS with -C, -q, -v, -s added" \
	all 'rc_is 0 && [ "$(cat "$T/env")" = "-v -v -C $T/conf" ]'
rm "$T/conf/i.conf"
# dependency cycles (depmod never writes one; a hand-made or damaged modules.dep may)
mkdir -p "$T/cyc/lib/modules/9.9/kernel"
printf 'kernel/a.ko: kernel/b-x.ko\nkernel/b-x.ko: kernel/a.ko\nkernel/c.ko: kernel/c.ko\n' \
	>"$T/cyc/lib/modules/9.9/modules.dep"
run timeout 10 "$T/bin/modprobe" -C "$T/conf" -d "$T/cyc" -S 9.9 a
check "modprobe: a dependency cycle is a clear error, not a hang" \
	all 'rc_is 1 && err_is "modprobe: ERROR: dependency cycle: a needs b_x, which needs a (see modules.dep)"'
run timeout 10 "$T/bin/modprobe" -C "$T/conf" -d "$T/cyc" -S 9.9 c
check "modprobe: a module that needs itself" \
	all 'rc_is 1 && err_is "modprobe: ERROR: dependency cycle: c needs itself (see modules.dep)"'
printf 'softdep x pre: y\nsoftdep y pre: x\n' >"$T/conf/loop.conf"
printf 'kernel/x.ko:\nkernel/y.ko:\n' >"$T/cyc/lib/modules/9.9/modules.dep"
run timeout 10 "$T/bin/modprobe" -C "$T/conf" -d "$T/cyc" -S 9.9 -D x
check "modprobe: softdeps that name each other end (kmod's order), no hang" \
	all 'rc_is 0 && [ "$(sed "s|.*/||" "$T/out" | tr "\n" " ")" = "y.ko  x.ko  " ]'
rm "$T/conf/loop.conf"
# --- without depmod's files: the depmod code builds them in memory ------------------
# (FEATURE_MODPROBE_DEPMOD, in the allyesconfig test build). Debian's tree as it comes,
# without any depmod file; and one whose modules.dep is older than a module.
mkdir -p "$T/nd/lib/modules" "$T/stale/lib/modules"
cp -al "$R/lib/modules/$REL" "$T/nd/lib/modules/"
nowarn="modprobe: WARNING: $T/nd/lib/modules/$REL/modules.dep is missing or older than the modules: reading the modules themselves (run depmod)"
mpnd() { run "$T/bin/modprobe" -C "$T/conf" -d "$T/nd" -S "$REL" "$@"; }
reset_kernel
mpnd ipip
check "modprobe without modules.dep: loads the module after its dependencies, one warning" \
	all 'rc_is 0 && err_is "$nowarn" && [ "$(finits)" = "ip_tunnel tunnel4 ipip " ]'
check "modprobe without modules.dep: nothing is written into the tree" \
	all '[ -z "$(ls "$T/nd/lib/modules/$REL" | grep -v "^kernel$\|^modules.builtin\|^modules.order$")" ]'
reset_kernel
mpnd 'pci:v00001D0Fd00000053sv00001D0Fsd00000053bc02sc00i00'
check "modprobe without modules.alias: a device alias finds its driver" \
	all 'rc_is 0 && err_is "$nowarn" && loaded pci_pf_stub'
reset_kernel
mpnd symbol:llc_sap_open
check "modprobe without modules.symbols: symbol:NAME finds the module that exports it" \
	all 'rc_is 0 && loaded llc'
mpnd kh_nosuch
check "modprobe without modules.dep: a module that is not there is still not found" \
	all 'rc_is 1 && err_has "$nowarn" && err_has "modprobe: FATAL: Module kh_nosuch not found in directory $T/nd/lib/modules/$REL"'
cp -al "$R/lib/modules/$REL" "$T/stale/lib/modules/"
SM=$T/stale/lib/modules/$REL
dummy=$(find "$SM" -name dummy.ko)
mv "$dummy" "$T/dummy.ko" && "$DEPMOD" -b "$T/stale" "$REL" && cp "$T/dummy.ko" "$dummy" &&
	touch -d "@$(($(stat -c %Y "$SM/modules.dep") + 60))" "$dummy"
reset_kernel
run "$T/bin/modprobe" -C "$T/conf" -d "$T/stale" -S "$REL" dummy
check "modprobe: a module newer than modules.dep and missing from it is found, one warning" \
	all 'rc_is 0 && err_is "modprobe: WARNING: $SM/modules.dep is missing or older than the modules: reading the modules themselves (run depmod)" && loaded dummy'
run "$T/bin/modprobe" -C "$T/conf" -d "$T/tree" -S "$REL" kh_nosuch
check "modprobe: with fresh depmod files a missing module is kmod's one line, no warning" \
	all 'rc_is 1 && err_is "modprobe: FATAL: Module kh_nosuch not found in directory $M"'
# --- coldplug (same tree, same fake kernel; a hand-made /sys/devices) ------------------
if "$MB" --list | grep -qx coldplug; then
	S=$T/sys/devices
	mkdir -p "$S/pci0000:00/0000:00:03.0/net/tunl0" "$S/pci0000:00/0000:00:04.0" "$T/cpconf"
	echo 'pci:v00001D0Fd00000053sv00001D0Fsd00000053bc02sc00i00' >"$S/pci0000:00/0000:00:03.0/modalias"
	printf 'INTERFACE=tunl0\nMODALIAS=rtnl-link-ipip\n' >"$S/pci0000:00/0000:00:03.0/net/tunl0/uevent"
	echo 'pci:v0000FFFFd0000FFFFsv00000000sd00000000bc00sc00i00' >"$S/pci0000:00/0000:00:04.0/modalias"
	# one load at a time: the fake kernel keeps its state in files that two loads at
	# once could both rewrite (the real one is tested in QEMU with several in flight)
	cpl() { run timeout 20 "$MB" coldplug -j 1 -t 0 -C "$T/cpconf" -d "$T/tree" -S "$REL" "$@" "$S"; }
	reset_kernel
	cpl
	check "coldplug: loads the modules of every alias, each after its dependencies" \
		all 'rc_is 0 && err_empty && loaded ipip && loaded pci_pf_stub &&
		finits | awk "{ for (i = 1; i <= NF; i++) p[\$i] = i }
			END { exit !(p[\"tunnel4\"] && p[\"ip_tunnel\"] < p[\"ipip\"] &&
			p[\"tunnel4\"] < p[\"ipip\"]) }"'
	check "coldplug: one summary line; an alias no module serves is no failure" \
		all 'out_is "coldplug: 4 loaded, 0 failed, 3 device aliases (1 without a module), $(sed -n "s/.* \([0-9.]* s\)$/\1/p" "$T/out")"'
	cpl
	check "coldplug: what is live is not loaded again" all 'rc_is 0 && out_has ": 0 loaded, 0 failed"'
	reset_kernel
	echo 'blacklist pci_pf_stub' >"$T/cpconf/b.conf"
	cpl -v
	check "coldplug: a module blacklisted is not loaded through its alias; -v shows each load" \
		all 'rc_is 0 && ! loaded pci_pf_stub && loaded ipip && [ "$(grep -c "^insmod " "$T/out")" = 3 ]'
	rm "$T/cpconf/b.conf"
	reset_kernel
	echo 22 >"$T/root/errno.tunnel4"
	cpl
	check "coldplug: a module the kernel refuses: its error, exit 1; what needs it is not tried" \
		all 'rc_is 1 && err_has "coldplug: ERROR: could not insert '"'"'tunnel4'"'"': Invalid argument" &&
		! loaded ipip && loaded pci_pf_stub && out_has "1 failed"'
	reset_kernel
	cpl -n
	check "coldplug -n: shows the loads, makes none" \
		all 'rc_is 0 && [ "$(grep -c "^insmod .*\.ko$" "$T/out")" = 4 ] && [ ! -s "$T/root/proc/modules" ]'
	reset_kernel
	run timeout 20 "$MB" coldplug -j 1 -t 0 -C "$T/cpconf" -d "$T/nd" -S "$REL" "$S"
	check "coldplug without depmod's files: one warning, the drivers of the aliases load" \
		all 'rc_is 0 && err_is "coldplug: WARNING: $T/nd/lib/modules/$REL/modules.dep is missing or older than the modules: reading the modules themselves (run depmod)" &&
		loaded ipip && loaded pci_pf_stub'
	unset -f cpl
fi

exit $failed
