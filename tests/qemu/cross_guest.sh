#!/bin/sh
# /init of a cross target's QEMU test image (tests/qemu/cross.sh): the target's modbox
# loads, lists and removes that kernel's own modules; the verdicts come from what the
# kernel shows (/proc/modules, /sys/module, /sys/class/net). The machine has one serial
# port, the console, so every result line starts with "MBX " for the host to pick out
# from among the kernel's messages; then the guest powers off.
#
# `sh cross_guest.sh --list` prints the case names on the host. The image's
# /etc/testenv names the modules (see cross.sh). Busybox's sh prefers its own module
# applets, so modbox is always called by path. Names here hold no spaces.
# shellcheck disable=SC2086

CASES="
applet_symlinks
insmod_chain_in_dep_order
lsmod_matches_proc_modules
modinfo_reads_depends
rmmod_chain
insmod_params_reach_driver
rmmod_driver
modprobe_chain
modprobe_r_chain
modprobe_device_alias
modprobe_not_found
other_arch_invalid_format
test_modules_export_import
test_module_params
depmod_matches_debian
"

if [ "${1:-}" = --list ]; then
	for c in $CASES; do echo "$c"; done
	exit 0
fi

PATH=/bin:/sbin
export PATH
MB=/bin/modbox
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mount -t tmpfs tmpfs /tmp 2>/dev/null
REL=$(uname -r)
MD=/lib/modules/$REL
# shellcheck disable=SC1091
. /etc/testenv

report() { echo "$*" | sed 's/^/MBX /' >/dev/console; }
bad=0
diag() { report "# $*"; }
fail() {
	bad=1
	diag "$*"
}
run() {
	timeout 60 "$@" >/tmp/o 2>/tmp/e
	rc=$?
	o=$(cat /tmp/o)
	e=$(cat /tmp/e)
	diag "\$ $* -> $rc"
	[ -z "$o" ] || printf '%s\n' "$o" | head -n 40 | sed 's/^/#   out: /' | sed 's/^/MBX /' >/dev/console
	[ -z "$e" ] || printf '%s\n' "$e" | head -n 20 | sed 's/^/#   err: /' | sed 's/^/MBX /' >/dev/console
	return 0
}
expect_rc() { [ "$rc" = "$1" ] || fail "expected exit status $1, got $rc"; }
expect_err() {
	case $e in
	*"$1"*) ;;
	*) fail "expected on stderr: $1" ;;
	esac
}
proc_line() { grep "^$1 " /proc/modules; }
expect_loaded() {
	proc_line "$1" >/dev/null || fail "$1 is not in /proc/modules"
	st=$(cat /sys/module/$1/initstate 2>/dev/null)
	[ "$st" = live ] || fail "/sys/module/$1/initstate is '$st', not live"
}
expect_gone() {
	! proc_line "$1" >/dev/null || fail "$1 is still in /proc/modules"
	[ ! -e /sys/module/$1 ] || fail "/sys/module/$1 still exists"
}
# expect_top "a b c": the newest modules in /proc/modules, newest first.
expect_top() {
	t=$(head -n "$(echo $1 | wc -w)" /proc/modules | cut -d' ' -f1 | tr '\n' ' ')
	[ "$t" = "$1 " ] || fail "newest in /proc/modules: '$t', expected '$1 '"
}
# The modules.dep line of a module: its file first, then what it needs (relative paths).
dep_line() { grep "/$1\.ko[^:]*:" $MD/modules.dep | tr -d ':'; }
name_of() { basename "$1" | sed 's/\.ko.*//; s/-/_/g'; }

t_applet_symlinks() {
	for a in insmod rmmod lsmod modprobe modinfo depmod; do
		[ "$(readlink /sbin/$a)" = /bin/modbox ] || fail "/sbin/$a is no link to modbox"
	done
	run /sbin/lsmod
	expect_rc 0
}

# INSMOD_CHAIN and its dependencies, one insmod each, in modules.dep order backwards.
t_insmod_chain_in_dep_order() {
	files=$(dep_line $INSMOD_CHAIN)
	[ -n "$files" ] || fail "no modules.dep line for $INSMOD_CHAIN"
	want=
	for f in $(echo $files | tr ' ' '\n' | sed -n '1!G;h;$p'); do
		run $MB insmod $MD/$f
		expect_rc 0
		want="$(name_of $f) $want"
	done
	for f in $files; do expect_loaded "$(name_of $f)"; done
	expect_top "${want% }"
}

# Holders in sorted order: with two or more, lsmod (kmod's and modbox's) lists them as
# /sys/module/M/holders reads, not as /proc/modules does.
sort_holders() {
	awk 'NR > 1 && NF == 4 { n = split($4, h, ","); for (i = 2; i <= n; i++) for (j = i; j > 1 && h[j - 1] > h[j]; j--) { x = h[j]; h[j] = h[j - 1]; h[j - 1] = x }
		  s = h[1]; for (i = 2; i <= n; i++) s = s "," h[i]; $0 = sprintf("%-19s %8s  %s %s", $1, $2, $3, s) } { print }'
}
t_lsmod_matches_proc_modules() {
	run $MB lsmod
	expect_rc 0
	want=$(awk 'BEGIN { print "Module                  Size  Used by" }
		{ line = sprintf("%-19s %8s  %s", $1, $2, $3)
		  if ($4 != "-") { h = $4; sub(/,$/, "", h); line = line " " h }
		  print line }' /proc/modules | sort_holders)
	o=$(printf '%s\n' "$o" | sort_holders)
	if [ "$o" != "$want" ]; then
		fail "lsmod differs from /proc/modules; expected:"
		printf '%s\n' "$want" | sed 's/^/MBX #   want: /' >/dev/console
	fi
	[ "$(wc -l </proc/modules)" -ge 2 ] || fail "too few modules loaded to compare"
}

t_modinfo_reads_depends() {
	f=$(dep_line $INSMOD_CHAIN | cut -d' ' -f1)
	run $MB modinfo -F depends $MD/$f
	expect_rc 0
	want=$(dep_line $INSMOD_CHAIN | cut -d' ' -f2- | tr ' ' '\n' | while read -r d; do
		[ -z "$d" ] || name_of "$d"
	done | sort | tr '\n' ,)
	got=$(echo "$o" | tr , '\n' | sort | tr '\n' ,)
	[ "$got" = "$want" ] || fail "depends: '$got', modules.dep says '$want'"
}

t_rmmod_chain() {
	for f in $(dep_line $INSMOD_CHAIN); do
		run $MB rmmod "$(name_of $f)"
		expect_rc 0
		expect_gone "$(name_of $f)"
	done
}

# dummy numdummies=3: the parameter reaches the driver, which makes three devices.
t_insmod_params_reach_driver() {
	run $MB insmod $MD/$(dep_line dummy | cut -d' ' -f1) numdummies=3
	expect_rc 0
	expect_loaded dummy
	for i in 0 1 2; do [ -e /sys/class/net/dummy$i ] || fail "no dummy$i"; done
	[ ! -e /sys/class/net/dummy3 ] || fail "a dummy3: numdummies was not 3"
}

t_rmmod_driver() {
	run $MB rmmod dummy
	expect_rc 0
	expect_gone dummy
	[ ! -e /sys/class/net/dummy0 ] || fail "dummy0 outlived its driver"
}

t_modprobe_chain() {
	run $MB modprobe $MP_CHAIN
	expect_rc 0
	for f in $(dep_line $MP_CHAIN); do expect_loaded "$(name_of $f)"; done
	expect_top "$(for f in $(dep_line $MP_CHAIN); do name_of $f; done | tr '\n' ' ' | sed 's/ $//')"
}

t_modprobe_r_chain() {
	run $MB modprobe -r $MP_CHAIN
	expect_rc 0
	for f in $(dep_line $MP_CHAIN); do expect_gone "$(name_of $f)"; done
}

# The network card's driver found by its modalias, as udev would ask for it; then the
# card shows up as a network interface. Its bus (virtio_mmio) may itself be a module.
t_modprobe_device_alias() {
	if [ -z "$NET_DRIVER" ]; then
		skip="no network driver module for this kernel"
		return
	fi
	if ! ls /sys/bus/virtio/devices/*/modalias >/dev/null 2>&1; then
		run $MB modprobe $NET_BUS
		expect_rc 0
	fi
	a=
	for m in /sys/bus/virtio/devices/*/modalias; do
		case $(cat $m 2>/dev/null) in virtio:d00000001v*) a=$(cat $m) ;; esac
	done
	[ -n "$a" ] || { fail "no virtio network device"; return; }
	run $MB modprobe "$a"
	expect_rc 0
	for f in $(dep_line $NET_DRIVER); do expect_loaded "$(name_of $f)"; done
	ls /sys/class/net | grep -q '^eth' || fail "no ethN interface after loading $NET_DRIVER"
	diag "interfaces: $(ls /sys/class/net | tr '\n' ' ')"
}

t_modprobe_not_found() {
	run $MB modprobe nosuchmodule
	expect_rc 1
	expect_err "modprobe: FATAL: Module nosuchmodule not found in directory $MD"
}

t_other_arch_invalid_format() {
	run $MB insmod $OTHER_ARCH_MOD
	expect_rc 1
	expect_err "Invalid module format"
}

# The kh_* test modules, built against a kernel built here (riscv64's): modprobe loads
# the exporter before the importer, which then reads the exporter's symbol.
t_test_modules_export_import() {
	if [ "$TEST_MODS" != 1 ]; then
		skip="no test modules for a packaged kernel"
		return
	fi
	mark=$(dmesg | wc -l)
	run $MB modprobe kh_import
	expect_rc 0
	expect_loaded kh_export
	expect_loaded kh_import
	expect_top "kh_import kh_export"
	[ "$(proc_line kh_export | cut -d' ' -f4)" = "kh_import," ] ||
		fail "kh_export's holders are not kh_import: $(proc_line kh_export)"
	dmesg | sed -n "$((mark + 1)),\$p" | grep -q 'kh_import: kh_export_value is 42' ||
		fail "the importer did not read the exporter's symbol (dmesg)"
	run $MB modprobe -r kh_import
	expect_rc 0
	expect_gone kh_import
	expect_gone kh_export
}

# Parameters of each kind reach the module as the kernel parses them.
t_test_module_params() {
	if [ "$TEST_MODS" != 1 ]; then
		skip="no test modules for a packaged kernel"
		return
	fi
	run $MB insmod $MD/extra/kh_params.ko myint=-42 myulong=18000000000000000000 \
		myhexint=0x1234abcd mybool "mycharp=two words" myarr=1,2,3
	expect_rc 0
	expect_loaded kh_params
	P=/sys/module/kh_params/parameters
	for pv in myint=-42 myulong=18000000000000000000 myhexint=0x1234abcd mybool=Y \
		myarr=1,2,3; do
		v=$(cat $P/${pv%%=*} 2>/dev/null)
		[ "$v" = "${pv#*=}" ] || fail "${pv%%=*} is '$v', expected '${pv#*=}'"
	done
	[ "$(cat $P/mycharp)" = "two words" ] || fail "mycharp is '$(cat $P/mycharp)'"
	run $MB rmmod kh_params
	expect_rc 0
	expect_gone kh_params
}

# modbox's depmod on a copy of the tree writes what Debian's depmod wrote on the host.
t_depmod_matches_debian() {
	rm -rf /tmp/d
	mkdir -p /tmp/d/lib/modules
	cp -a $MD /tmp/d/lib/modules/
	rm -f /tmp/d$MD/modules.dep /tmp/d$MD/modules.alias /tmp/d$MD/modules.symbols \
		/tmp/d$MD/modules.*.bin /tmp/d$MD/modules.softdep /tmp/d$MD/modules.devname
	run $MB depmod -b /tmp/d $REL
	expect_rc 0
	for f in modules.dep modules.alias modules.symbols modules.softdep modules.devname \
		modules.dep.bin modules.alias.bin modules.symbols.bin modules.builtin.bin; do
		[ ! -e $MD/$f ] || cmp -s $MD/$f /tmp/d$MD/$f || fail "$f differs from Debian's depmod's"
	done
}

report "# guest: $(uname -m) $(uname -r), $(cut -d' ' -f1 /proc/uptime) s after boot"
for c in $CASES; do
	bad=0
	skip=
	report "# --- $c"
	t_$c
	if [ -n "$skip" ]; then
		report "ok $c # SKIP $skip"
	elif [ $bad = 0 ]; then
		report "ok $c"
	else
		report "not ok $c"
	fi
done
report "# guest done after $(cut -d' ' -f1 /proc/uptime) s"
sync
poweroff -f
