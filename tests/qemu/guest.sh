#!/bin/sh
# /init of the QEMU test initramfs: runs every case against the real kernel and writes
# "ok NAME" / "not ok NAME" / "# diagnostic" lines to /dev/ttyS1 (the host's results
# file), then powers off. The verdicts come from what the kernel shows (/proc/modules,
# /sys/module, dmesg), not from what modbox says about itself.
#
# On the host, `sh guest.sh --list` prints the case names, so that run.sh can report the
# cases a hung or crashed guest never reached.
#
# Busybox's sh runs its own insmod/rmmod/lsmod applets before anything in PATH
# (FEATURE_SH_STANDALONE), so modbox is always called by absolute path.
#
# Paths and module names here never hold spaces: they are left unquoted where that reads
# better.
# shellcheck disable=SC2086

# The cases in the order they run: later cases build on the modules earlier ones left
# loaded, and modules_disabled_* end the boot's ability to load or unload anything.
CASES="
applet_symlinks
insmod_missing_file
params_load
param_int
param_uint
param_long
param_ulong
param_short
param_ushort
param_byte
param_hexint
param_bool_by_name_alone
param_invbool
param_charp_with_spaces
param_string_with_spaces
param_int_array
insmod_twice_eexist
import_alone_unknown_symbol
export_then_import
rmmod_in_use
init_eio_nothing_left
init_minus_one_eperm
init_returns_42_loads
permanent_module_loads
dash_in_file_name
real_module_with_deps
lsmod_matches_proc_modules
rmmod_removes
insmod_invalid_param_value
rmmod_dash_equals_underscore
rmmod_path_and_several
rmmod_real_module_and_deps
rmmod_not_loaded
rmmod_builtin
rmmod_permanent_refused
rmmod_force_permanent
garbage_file_invalid_format
other_arch_invalid_format
concurrent_loads_one_module
foreign_kernel_module_refused
foreign_kernel_module_forced
tiny_insmod
modprobe_chain_in_dep_order
modprobe_xz_module
compressed_formats
modprobe_already_loaded
modprobe_first_time_loaded
modprobe_r_keeps_used_dep
modprobe_r_last_user_takes_dep
modprobe_device_alias
modprobe_blacklisted_alias_skipped
modprobe_blacklisted_name_loads
modprobe_b_blacklisted_name_skipped
modprobe_options_config_cmdline_argv
modprobe_install_command
modprobe_remove_command
modprobe_softdep_order
modprobe_r_removes_softdeps
modprobe_concurrent_slow
modprobe_twenty_at_once
modprobe_r_while_dependent_loads
modprobe_without_depmod_files
modprobe_not_found
modprobe_quiet_not_found
depmod_killed_files_stay_whole
not_root_insmod_eperm
not_root_rmmod_eperm
modules_disabled_insmod_eperm
modules_disabled_rmmod_eperm
"

if [ "${1:-}" = --list ]; then
	for c in $CASES; do echo "$c"; done
	exit 0
fi

PATH=/bin:/sbin
export PATH
MB=/bin/modbox

# --- setup ------------------------------------------------------------------------------
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t tmpfs tmpfs /tmp
REL=$(uname -r)
MD=/lib/modules/$REL
KH=$MD/extra # the kh_* test modules
out=/dev/ttyS1
[ -c $out ] || out=/dev/console
stty -F $out -onlcr 2>/dev/null # plain \n line ends in the host's results file
# What the host chose: REAL_MOD (a Debian module with dependencies), FOREIGN_MOD and
# FOREIGN_NAME (a module of the other Debian kernel), ARM64_MOD (a module for arm64);
# for modprobe, Debian modules as Debian ships them: MP_CHAIN (a chain of dependencies),
# MP_SHARER (shares a dependency with it), MP_XZ (compressed on both kernels), MP_ALIAS
# (a device's modalias, matching MP_ALIAS_PATTERN of MP_ALIAS_MOD in modules.alias).
# shellcheck disable=SC1091
. /etc/testenv

report() { echo "$*" >>$out; }

# --- helpers: each failed check adds a diagnostic and marks the running case bad --------
bad=0
diag() { report "# $*"; }
# A note is shown on the host even when the case passes: what the kernel chose to do.
note() { report "# note: $*"; }
fail() {
	bad=1
	diag "$*"
}

# run CMD...: runs a command, keeping stdout in $o, stderr in $e and the status in $rc.
# A command that hangs is killed after 30 s (status 143), so that one hang costs one
# case, not the rest of the boot.
run() {
	timeout 30 "$@" >/tmp/o 2>/tmp/e
	rc=$?
	o=$(cat /tmp/o)
	e=$(cat /tmp/e)
	diag "\$ $* -> $rc"
	[ -z "$o" ] || printf '%s\n' "$o" | sed 's/^/#   out: /' >>$out
	[ -z "$e" ] || printf '%s\n' "$e" | sed 's/^/#   err: /' >>$out
	return 0
}

insmod() { run $MB insmod "$@"; }
rmmod() { run $MB rmmod "$@"; }
modprobe() { run $MB modprobe "$@"; }

expect_rc() { [ "$rc" = "$1" ] || fail "expected exit status $1, got $rc"; }

# expect_err STRING: stderr holds STRING (a fixed string) somewhere.
expect_err() {
	case $e in
	*"$1"*) ;;
	*) fail "expected on stderr: $1" ;;
	esac
}

# expect_err_line N STRING: line N of stderr is exactly STRING.
expect_err_line() {
	l=$(printf '%s\n' "$e" | sed -n "$1p")
	[ "$l" = "$2" ] || fail "expected stderr line $1: '$2', got '$l'"
}

# The kernel's view of a module: its /proc/modules line (name size refs holders state).
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

# expect_holders MOD "a,b,": the holders column of /proc/modules.
expect_holders() {
	h=$(proc_line "$1" | cut -d' ' -f4)
	[ "$h" = "$2" ] || fail "holders of $1 in /proc/modules: '$h', expected '$2'"
}

# The kernel log since the case started, and a check that it says something.
dmesg_new() { dmesg | sed -n "$((mark + 1)),\$p"; }
expect_dmesg() {
	dmesg_new | grep -F -q -- "$1" || fail "the kernel did not log: $1"
}

# expect_param NAME VALUE: /sys/module/kh_params/parameters/NAME reads VALUE.
expect_param() {
	v=$(cat /sys/module/kh_params/parameters/$1 2>&1)
	[ "$v" = "$2" ] || fail "parameter $1 reads '$v', expected '$2'"
}

# expect_top "a b c": the newest modules in /proc/modules (the kernel adds each at the
# head), newest first: the order they were loaded in, backwards.
expect_top() {
	t=$(head -n "$(echo $1 | wc -w)" /proc/modules | cut -d' ' -f1 | tr '\n' ' ')
	[ "$t" = "$1 " ] || fail "newest in /proc/modules: '$t', expected '$1 '"
}

# The module names on a modules.dep line (the module first), and the file of a module.
dep_names() {
	grep "/$1.ko[.a-z]*:" $MD/modules.dep | tr -d : | tr ' ' '\n' |
		sed '/^$/d; s|.*/||; s|\.ko.*||; s|-|_|g'
}
dep_file() { grep "/$1.ko[.a-z]*:" $MD/modules.dep | cut -d: -f1; }

# The messages modbox must give, in kmod's words.
could_not_insert() { echo "insmod: ERROR: could not insert module $1: $2"; }

# --- the cases --------------------------------------------------------------------------
t_applet_symlinks() {
	for a in insmod rmmod lsmod; do
		[ "$(readlink /sbin/$a)" = /bin/modbox ] || fail "/sbin/$a is not a link to modbox"
	done
	# Called by its link's name, modbox is lsmod.
	run /sbin/lsmod
	expect_rc 0
	[ "$(printf '%s\n' "$o" | head -n 1)" = "Module                  Size  Used by" ] ||
		fail "/sbin/lsmod did not print lsmod's header"
}

t_insmod_missing_file() {
	insmod /lib/nonexistent.ko
	expect_rc 1
	expect_err_line 1 "insmod: ERROR: could not load module /lib/nonexistent.ko: No such file or directory"
}

t_params_load() {
	insmod $KH/kh_params.ko myint=-42 myuint=4000000000 mylong=-9000000000 \
		myulong=18000000000000000000 myshort=-1234 myushort=65000 mybyte=200 \
		myhexint=0x1234abcd mybool myinvbool=n 'mycharp=hello world' \
		'mystr=two words' myarr=1,2,3
	expect_rc 0
	expect_loaded kh_params
}

t_param_int() { expect_param myint -42; }
t_param_uint() { expect_param myuint 4000000000; }
t_param_long() { expect_param mylong -9000000000; }
t_param_ulong() { expect_param myulong 18000000000000000000; }
t_param_short() { expect_param myshort -1234; }
t_param_ushort() { expect_param myushort 65000; }
t_param_byte() { expect_param mybyte 200; }
t_param_hexint() { expect_param myhexint 0x1234abcd; }
t_param_bool_by_name_alone() { expect_param mybool Y; }
# invbool stores the inverse and shows it inverted back: "n" reads N (the default reads Y).
t_param_invbool() { expect_param myinvbool N; }
t_param_charp_with_spaces() { expect_param mycharp "hello world"; }
t_param_string_with_spaces() { expect_param mystr "two words"; }
t_param_int_array() { expect_param myarr 1,2,3; }

t_insmod_twice_eexist() {
	insmod $KH/kh_params.ko
	expect_rc 1
	expect_err_line 1 "$(could_not_insert $KH/kh_params.ko "File exists")"
	expect_loaded kh_params
	[ "$(grep -c '^kh_params ' /proc/modules)" = 1 ] || fail "kh_params is listed twice"
}

t_import_alone_unknown_symbol() {
	insmod $KH/kh_import.ko
	expect_rc 1
	expect_err_line 1 "$(could_not_insert $KH/kh_import.ko "Unknown symbol in module")"
	# The next line repeats the kernel's own words about the missing symbol.
	l=$(printf '%s\n' "$e" | sed -n 2p)
	case $l in
	"insmod: kernel: "*"Unknown symbol kh_export_value"*) ;;
	*) fail "stderr line 2 does not repeat the kernel's 'Unknown symbol kh_export_value': '$l'" ;;
	esac
	expect_dmesg "kh_import: Unknown symbol kh_export_value"
	expect_gone kh_import
}

t_export_then_import() {
	insmod $KH/kh_export.ko
	expect_rc 0
	insmod $KH/kh_import.ko
	expect_rc 0
	expect_loaded kh_export
	expect_loaded kh_import
	expect_holders kh_export "kh_import,"
	expect_dmesg "kh_import: kh_export_value is 42"
}

t_rmmod_in_use() {
	rmmod kh_export
	expect_rc 1
	expect_err_line 1 "rmmod: ERROR: Module kh_export is in use by: kh_import"
	expect_loaded kh_export
}

t_init_eio_nothing_left() {
	insmod $KH/kh_eio.ko
	expect_rc 1
	expect_err_line 1 "$(could_not_insert $KH/kh_eio.ko "Input/output error")"
	expect_gone kh_eio
}

t_init_minus_one_eperm() {
	insmod $KH/kh_eperm.ko
	expect_rc 1
	expect_err_line 1 "$(could_not_insert $KH/kh_eperm.ko "Operation not permitted")"
	expect_gone kh_eperm
}

t_init_returns_42_loads() {
	insmod $KH/kh_ret42.ko
	expect_rc 0
	expect_loaded kh_ret42
	expect_dmesg "suspiciously returned 42"
}

t_permanent_module_loads() {
	insmod $KH/kh_perm.ko
	expect_rc 0
	expect_loaded kh_perm
	expect_holders kh_perm "[permanent],"
	run $MB lsmod
	printf '%s\n' "$o" | grep -q '^kh_perm  *[0-9][0-9]*  0 \[permanent\]$' ||
		fail "lsmod does not show kh_perm as [permanent]"
}

t_dash_in_file_name() {
	insmod $KH/kh-dash.ko
	expect_rc 0
	expect_loaded kh_dash
}

# A real Debian module whose modules.dep line names its dependencies: load them the way
# modprobe would, last dependency first, then the module.
t_real_module_with_deps() {
	line=$(grep "/$REAL_MOD.ko:" $MD/modules.dep)
	diag "modules.dep: $line"
	deps=$(echo "${line#*:}" | tr ' ' '\n' | sed '/^$/d')
	[ -n "$deps" ] || fail "modules.dep names no dependencies for $REAL_MOD"
	for d in $(echo "$deps" | sed -n '1!G;h;$p') "${line%%:*}"; do
		insmod $MD/$d
		expect_rc 0
		n=$(basename $d .ko | tr - _)
		expect_loaded $n
	done
	for d in $deps; do
		expect_holders "$(basename $d .ko | tr - _)" "$REAL_MOD,"
	done
}

# lsmod, recomputed from /proc/modules: the same rows in the same order.
t_lsmod_matches_proc_modules() {
	run $MB lsmod
	expect_rc 0
	want=$(awk 'BEGIN { print "Module                  Size  Used by" }
		{ line = sprintf("%-19s %8s  %s", $1, $2, $3)
		  if ($4 != "-") { h = $4; sub(/,$/, "", h); line = line " " h }
		  print line }' /proc/modules)
	if [ "$o" != "$want" ]; then
		fail "lsmod differs from /proc/modules; expected:"
		printf '%s\n' "$want" | sed 's/^/#   want: /' >>$out
	fi
	n=$(wc -l </proc/modules)
	[ "$n" -ge 8 ] || fail "only $n modules loaded: the comparison proves little"
}

t_rmmod_removes() {
	rmmod kh_params
	expect_rc 0
	expect_gone kh_params
}

t_insmod_invalid_param_value() {
	insmod $KH/kh_params.ko myint=abc
	expect_rc 1
	expect_err_line 1 "$(could_not_insert $KH/kh_params.ko "Invalid parameters")"
	expect_err "insmod: kernel: "
	expect_dmesg "invalid for parameter \`myint'"
	expect_gone kh_params
}

t_rmmod_dash_equals_underscore() {
	rmmod kh-dash
	expect_rc 0
	expect_gone kh_dash
}

t_rmmod_path_and_several() {
	rmmod $KH/kh_import.ko kh_export
	expect_rc 0
	expect_gone kh_import
	expect_gone kh_export
}

t_rmmod_real_module_and_deps() {
	line=$(grep "/$REAL_MOD.ko:" $MD/modules.dep)
	names=$REAL_MOD
	for d in ${line#*:}; do names="$names $(basename $d .ko | tr - _)"; done
	rmmod $names
	expect_rc 0
	for n in $names; do expect_gone $n; done
}

t_rmmod_not_loaded() {
	rmmod kh_params
	expect_rc 1
	expect_err_line 1 "rmmod: ERROR: Module kh_params is not currently loaded"
}

# A module built into this kernel: listed in modules.builtin and present in /sys/module.
t_rmmod_builtin() {
	b=
	# shellcheck disable=SC2013 # one name per line, never a space
	for n in $(sed 's|.*/||; s|\.ko$||; s|-|_|g' $MD/modules.builtin); do
		if [ -d /sys/module/$n ]; then
			b=$n
			break
		fi
	done
	[ -n "$b" ] || { fail "no builtin module found in /sys/module"; return; }
	rmmod $b
	expect_rc 1
	expect_err_line 1 "rmmod: ERROR: Module $b is builtin."
	[ -d /sys/module/$b ] || fail "/sys/module/$b is gone"
}

t_rmmod_permanent_refused() {
	rmmod kh_perm
	expect_rc 1
	expect_err "rmmod: ERROR: Module kh_perm is permanent"
	expect_loaded kh_perm
}

# Both Debian kernels set CONFIG_MODULE_FORCE_UNLOAD; without it the kernel refuses.
t_rmmod_force_permanent() {
	rmmod -f kh_perm
	if grep -q '^CONFIG_MODULE_FORCE_UNLOAD=y' /boot/config-$REL; then
		expect_rc 0
		expect_gone kh_perm
	else
		diag "CONFIG_MODULE_FORCE_UNLOAD is not set: the kernel must refuse"
		expect_rc 1
		expect_loaded kh_perm
	fi
}

t_garbage_file_invalid_format() {
	insmod /lib/garbage.ko
	expect_rc 1
	expect_err_line 1 "$(could_not_insert /lib/garbage.ko "Invalid module format")"
}

t_other_arch_invalid_format() {
	insmod $ARM64_MOD
	expect_rc 1
	expect_err_line 1 "$(could_not_insert $ARM64_MOD "Invalid module format")"
	expect_gone crc7
}

# Two loads of the same slow module at once. 6.1: the second waits for the first and gets
# EEXIST. 6.4 and later (so 6.12) fold concurrent finit_module() calls on the same file
# into one load, and every caller gets its result ("module: add a dedup for concurrent
# finit_module", kernel/module/main.c idempotent_init_module): both exit 0. Either way
# the kernel must end with exactly one live kh_slow.
t_concurrent_loads_one_module() {
	$MB insmod $KH/kh_slow.ko >/tmp/o1 2>/tmp/e1 &
	p1=$!
	$MB insmod $KH/kh_slow.ko >/tmp/o2 2>/tmp/e2 &
	p2=$!
	wait $p1
	r1=$?
	wait $p2
	r2=$?
	note "exit statuses of the two loads: $r1 $r2"
	cat /tmp/e1 /tmp/e2 | sed 's/^/#   err: /' >>$out
	expect_loaded kh_slow
	[ "$(grep -c '^kh_slow ' /proc/modules)" = 1 ] || fail "kh_slow is listed more than once"
	eexist=$(could_not_insert $KH/kh_slow.ko "File exists")
	case "$r1 $r2" in
	"0 1") [ "$(head -n 1 /tmp/e2)" = "$eexist" ] || fail "the loser's message is not EEXIST" ;;
	"1 0") [ "$(head -n 1 /tmp/e1)" = "$eexist" ] || fail "the loser's message is not EEXIST" ;;
	"0 0") note "both exit 0: the kernel merged the two loads of one file (6.4+)" ;;
	*) fail "unexpected exit statuses $r1 $r2" ;;
	esac
	rmmod kh_slow
	expect_rc 0
}

# A module from the other Debian kernel: vermagic and symbol versions differ.
t_foreign_kernel_module_refused() {
	insmod $FOREIGN_MOD
	expect_rc 1
	expect_err "could not insert module $FOREIGN_MOD: "
	expect_gone $FOREIGN_NAME
	note "$(printf '%s\n' "$e" | head -n 2 | sed '2s/^/ | /' | tr -d '\n')"
}

# Forced, the kernel skips vermagic and symbol versions; what it then says is the
# answer: either it still refuses (and modbox shows its reason and the kernel's lines) or
# it loads the module, which must then show in /proc/modules.
# Only into 6.4 and later: they check that the module's struct module has the kernel's
# size. 6.1 does not, and a forced 6.12 module oopses it (seen: rb_erase in load_module).
t_foreign_kernel_module_forced() {
	case $REL in
	6.[0-3].* | [0-5].*)
		skip="forcing a foreign module into $REL oopses it (no struct module size check)"
		return
		;;
	esac
	insmod -f $FOREIGN_MOD
	note "exit $rc: $(printf '%s\n' "$e" | head -n 2 | sed '2s/^/ | /' | tr -d '\n')"
	if [ "$rc" = 0 ]; then
		note "the kernel accepted the forced module"
		expect_loaded $FOREIGN_NAME
		rmmod $FOREIGN_NAME
	else
		expect_rc 1
		expect_err "could not insert module $FOREIGN_MOD: "
		expect_gone $FOREIGN_NAME
		[ -n "$(dmesg_new)" ] || fail "the kernel logged nothing about the refusal"
	fi
}

# --- modprobe: always by absolute path (busybox sh has its own modprobe applet) --------

# A real chain from modules.dep, through the /sbin/modprobe link: every module live, each
# loaded after what it needs: kmod's order is the modules.dep line backwards, so
# /proc/modules (newest first) must read like the line itself.
t_modprobe_chain_in_dep_order() {
	[ "$(readlink /sbin/modprobe)" = /bin/modbox ] || fail "/sbin/modprobe is not a link to modbox"
	names=$(dep_names $MP_CHAIN | tr '\n' ' ')
	diag "modules.dep: $(grep "/$MP_CHAIN.ko[.a-z]*:" $MD/modules.dep)"
	[ "$(echo $names | wc -w)" -ge 4 ] || fail "modules.dep gives $MP_CHAIN only: $names"
	run /sbin/modprobe $MP_CHAIN
	expect_rc 0
	for n in $names; do expect_loaded $n; done
	expect_top "${names% }"
	expect_holders garp "$MP_CHAIN,"
}

# 6.12 decompresses modules itself (/sys/module/compression): the chain above came from
# .ko.xz files, and MP_XZ loads the same way. 6.1 does not, and modbox must say so
# instead of handing the kernel a file it cannot read.
t_modprobe_xz_module() {
	f=$(dep_file $MP_XZ)
	case $f in *.ko.xz) ;; *) fail "modules.dep names $f for $MP_XZ, not a .ko.xz" ;; esac
	m=$(head -c 6 $MD/$f | od -An -tx1 | tr -d ' ')
	[ "$m" = fd377a585a00 ] || fail "$f does not start with xz's magic: $m"
	if [ -e /sys/module/compression ]; then
		comp=$(cat /sys/module/compression)
		note "/sys/module/compression: $comp"
		[ "$comp" = xz ] || fail "/sys/module/compression says '$comp', not xz"
		for n in $(dep_names $MP_CHAIN); do
			case $(dep_file $n) in *.ko.xz) ;; *) fail "$n was not a .ko.xz" ;; esac
		done
		modprobe $MP_XZ
		expect_rc 0
		expect_loaded $MP_XZ
		rmmod $MP_XZ
		expect_gone $MP_XZ
	elif modinfo -F name $MD/$f >/dev/null 2>&1; then
		note "no /sys/module/compression: modbox decompresses it (a build with FEATURE_XZ)"
		modprobe $MP_XZ
		expect_rc 0
		expect_loaded $MP_XZ
		rmmod $MP_XZ
		expect_gone $MP_XZ
	else
		note "no /sys/module/compression: this kernel takes no compressed module"
		modprobe $MP_XZ
		expect_rc 1
		expect_err "could not insert '$MP_XZ': "
		expect_err "compressed, and the kernel does not decompress this format"
		expect_gone $MP_XZ
	fi
}

# Every format loads: what /sys/module/compression names goes to the kernel
# (MODULE_INIT_COMPRESSED_FILE), the rest through modbox's own decoders and init_module.
t_compressed_formats() {
	comp=$(cat /sys/module/compression 2>/dev/null)
	note "the kernel decompresses: ${comp:-nothing}"
	for z in gz xz zst; do
		[ -e /lib/zmods/kh_zip.ko.$z ] || fail "no /lib/zmods/kh_zip.ko.$z"
		if ! modinfo -F name /lib/zmods/kh_zip.ko.$z >/dev/null 2>&1; then
			note "this build has no decoder for .$z: skipped"
			continue
		fi
		insmod /lib/zmods/kh_zip.ko.$z
		expect_rc 0
		expect_loaded kh_zip
		rmmod kh_zip
		expect_gone kh_zip
	done
}

t_modprobe_already_loaded() {
	modprobe $MP_CHAIN
	expect_rc 0
	[ -z "$e" ] || fail "stderr is not empty"
	expect_loaded $MP_CHAIN
	[ "$(grep -c "^$MP_CHAIN " /proc/modules)" = 1 ] || fail "$MP_CHAIN is listed twice"
}

t_modprobe_first_time_loaded() {
	modprobe --first-time $MP_CHAIN
	expect_rc 1
	expect_err_line 1 "modprobe: ERROR: could not insert '$MP_CHAIN': Module already in kernel"
	expect_loaded $MP_CHAIN
}

# MP_SHARER also needs the chain's last dependency (llc): removing the chain leaves it.
t_modprobe_r_keeps_used_dep() {
	modprobe $MP_SHARER
	expect_rc 0
	expect_loaded $MP_SHARER
	shared=$(dep_names $MP_SHARER | sed 1d)
	modprobe -r $MP_CHAIN
	expect_rc 0
	for n in $(dep_names $MP_CHAIN); do
		case " $shared " in
		*" $n "*)
			expect_loaded $n
			expect_holders $n "$MP_SHARER,"
			;;
		*) expect_gone $n ;;
		esac
	done
}

t_modprobe_r_last_user_takes_dep() {
	modprobe -r $MP_SHARER
	expect_rc 0
	for n in $(dep_names $MP_SHARER); do expect_gone $n; done
}

# A modalias as udev passes it: matched against modules.alias' patterns.
t_modprobe_device_alias() {
	grep -qxF "alias $MP_ALIAS_PATTERN $MP_ALIAS_MOD" $MD/modules.alias ||
		fail "modules.alias has no alias $MP_ALIAS_PATTERN $MP_ALIAS_MOD"
	modprobe $MP_ALIAS
	expect_rc 0
	expect_loaded $MP_ALIAS_MOD
	modprobe -r $MP_ALIAS_MOD
	expect_rc 0
	expect_gone $MP_ALIAS_MOD
}

# kmod: a blacklisted module is not loaded through an alias, but is by its own name,
# unless -b; either way modprobe exits 0.
blacklist_on() { echo "blacklist $MP_ALIAS_MOD" >/etc/modprobe.d/blacklist-test.conf; }

t_modprobe_blacklisted_alias_skipped() {
	blacklist_on
	modprobe $MP_ALIAS
	expect_rc 0
	expect_gone $MP_ALIAS_MOD
}

t_modprobe_blacklisted_name_loads() {
	blacklist_on
	modprobe $MP_ALIAS_MOD
	expect_rc 0
	expect_loaded $MP_ALIAS_MOD
	rmmod $MP_ALIAS_MOD
	expect_gone $MP_ALIAS_MOD
}

t_modprobe_b_blacklisted_name_skipped() {
	blacklist_on
	modprobe -b $MP_ALIAS_MOD
	expect_rc 0
	expect_gone $MP_ALIAS_MOD
	rm -f /etc/modprobe.d/blacklist-test.conf
}

# modbox-test.conf says myint=1 myuint=1 myshort=11 mylong=100; the kernel command line
# kh_params.myint=2 .myuint=2 .myushort=22 .mycharp="from cmdline"; the arguments
# myint=3 mybyte=33. Later ones win: config, then command line, then arguments.
t_modprobe_options_config_cmdline_argv() {
	diag "/proc/cmdline: $(cat /proc/cmdline)"
	modprobe kh_params myint=3 mybyte=33
	expect_rc 0
	expect_loaded kh_params
	expect_param myint 3
	expect_param myuint 2
	expect_param myshort 11
	expect_param mylong 100
	expect_param myushort 22
	expect_param mycharp "from cmdline"
	expect_param mybyte 33
	modprobe -r kh_params
	expect_rc 0
	expect_gone kh_params
}

# install kh_cmd: the command (through /bin/sh) writes /tmp/install-ran and insmods
# kh_params with $CMDLINE_OPTS: the config's options for kh_cmd, then the arguments.
t_modprobe_install_command() {
	rm -f /tmp/install-ran
	modprobe kh_cmd myint=7
	expect_rc 0
	r=$(cat /tmp/install-ran 2>&1)
	[ "$r" = "kh_cmd installed with [mystr=fromconf myint=7]" ] ||
		fail "the install command wrote '$r'"
	expect_loaded kh_params
	expect_param mystr fromconf
	expect_param myint 7
	# insmod reads no modprobe.d: kh_params' own options are not there
	expect_param myshort 0
}

t_modprobe_remove_command() {
	rm -f /tmp/remove-ran
	modprobe -r kh_cmd
	expect_rc 0
	r=$(cat /tmp/remove-ran 2>&1)
	[ "$r" = "kh_cmd removed []" ] || fail "the remove command wrote '$r'"
	expect_gone kh_params
}

# softdep kh_soft pre: kh_export post: kh-dash; each init logs.
t_modprobe_softdep_order() {
	modprobe kh_soft
	expect_rc 0
	for n in kh_export kh_soft kh_dash; do expect_loaded $n; done
	expect_top "kh_dash kh_soft kh_export"
	l=$(dmesg_new | grep -o 'kh_[a-z]*: init' | tr '\n' ' ')
	[ "$l" = "kh_export: init kh_soft: init kh_dash: init " ] ||
		fail "the kernel logged the inits in this order: $l"
}

# kmod's modprobe -r removes the post softdeps first, then the module, then the pre
# softdeps (tools/modprobe.c, rmmod_do_module).
t_modprobe_r_removes_softdeps() {
	modprobe -r kh_soft
	expect_rc 0
	for n in kh_soft kh_dash kh_export; do expect_gone $n; done
	# whatever stayed must not disturb the cases after this one
	for n in kh_dash kh_export; do
		[ ! -e /sys/module/$n ] || $MB rmmod $n
	done
}

# Both wait for the one load (6.1: the second gets EEXIST from the kernel, which modprobe
# takes as success; 6.12: the kernel merges them); both exit 0, one kh_slow.
t_modprobe_concurrent_slow() {
	$MB modprobe kh_slow >/tmp/o1 2>/tmp/e1 &
	p1=$!
	$MB modprobe kh_slow >/tmp/o2 2>/tmp/e2 &
	p2=$!
	wait $p1
	r1=$?
	wait $p2
	r2=$?
	cat /tmp/e1 /tmp/e2 | sed 's/^/#   err: /' >>$out
	[ "$r1 $r2" = "0 0" ] || fail "exit statuses $r1 $r2, expected 0 0"
	expect_loaded kh_slow
	[ "$(grep -c '^kh_slow ' /proc/modules)" = 1 ] || fail "kh_slow is listed more than once"
	modprobe -r kh_slow
	expect_rc 0
	expect_gone kh_slow
}

# Twenty modprobes of one module with dependencies, all at once, as udev's workers or a
# parallel coldplug start them: every one exits 0 (a module another one is loading is no
# error), and the kernel ends with each module of the chain loaded exactly once.
t_modprobe_twenty_at_once() {
	$MB modprobe -r $MP_SHARER $MP_CHAIN 2>/dev/null
	names=$(dep_names $MP_CHAIN)
	for n in $names; do
		[ -z "$(proc_line $n)" ] || note "$n was still loaded before the twenty started"
	done
	pids=
	i=0
	while [ $i -lt 20 ]; do
		$MB modprobe $MP_CHAIN >/tmp/o$i 2>/tmp/e$i &
		pids="$pids $!"
		i=$((i + 1))
	done
	i=0
	nonzero=
	for p in $pids; do
		wait $p
		r=$?
		[ $r = 0 ] || { nonzero="$nonzero $i:$r"; sed "s/^/#   $i err: /" /tmp/e$i >>$out; }
		i=$((i + 1))
	done
	[ -z "$nonzero" ] || fail "modprobes that did not exit 0 (index:status):$nonzero"
	for n in $names; do
		expect_loaded $n
		[ "$(grep -c "^$n " /proc/modules)" = 1 ] || fail "$n is listed more than once"
	done
	expect_holders garp "$MP_CHAIN,"
	dmesg_new | grep -q 'BUG\|Oops\|WARNING' && fail "the kernel complained: $(dmesg_new | grep -m1 'BUG\|Oops\|WARNING')"
	modprobe -r $MP_CHAIN
	expect_rc 0
	for n in $names; do expect_gone $n; done
}

# modprobe -r of a module while another modprobe loads a module that needs it. Whatever
# the order the two take, neither may crash and the end must be consistent: the loader
# exits 0 only when its module is live with its dependency holding it, and 1 with the
# kernel's reason otherwise (seen: "Unknown symbol" when the dependency went between the
# two inserts, "Device or resource busy" for the dependency while it was still going); the remover exits 0 only when the module went, and 1 with
# "in use" when the importer got there first. Ten rounds, so several orders show.
t_modprobe_r_while_dependent_loads() {
	$MB rmmod kh_import kh_export 2>/dev/null
	round=0
	tally=
	while [ $round -lt 10 ]; do
		modprobe kh_export
		expect_rc 0
		$MB modprobe kh_import >/tmp/oa 2>/tmp/ea &
		pa=$!
		[ $((round % 2)) = 0 ] || sleep 0.0$round 2>/dev/null
		$MB modprobe -r kh_export >/tmp/or 2>/tmp/er &
		pr=$!
		wait $pa
		ra=$?
		wait $pr
		rr=$?
		tally="$tally $ra$rr"
		[ $ra -lt 128 ] && [ $rr -lt 128 ] || fail "round $round: killed by a signal ($ra $rr)"
		if [ $ra = 0 ]; then
			expect_loaded kh_import
			expect_holders kh_export kh_import,
		elif [ $ra = 1 ]; then
			[ -z "$(proc_line kh_import)" ] || fail "round $round: modprobe kh_import exited 1 with kh_import loaded"
			# its own insert refused (the dependency went meanwhile: unknown symbol), or
			# the dependency's (still going: the kernel says EBUSY)
			grep -q "could not insert 'kh_\(import\|export\)'" /tmp/ea ||
				fail "round $round: the loader's failure names neither module: $(cat /tmp/ea)"
		else
			fail "round $round: modprobe kh_import exited $ra"
		fi
		if [ $rr = 1 ]; then
			grep -q "in use" /tmp/er || fail "round $round: the remover's failure is not 'in use': $(cat /tmp/er)"
		elif [ $rr != 0 ]; then
			fail "round $round: modprobe -r kh_export exited $rr"
		fi
		cat /tmp/ea /tmp/er | sed "s/^/#   round $round: /" >>$out
		$MB rmmod kh_import 2>/dev/null
		$MB rmmod kh_export 2>/dev/null
		round=$((round + 1))
	done
	note "exit statuses (loader, remover) of each round:$tally"
	dmesg_new | grep -q 'BUG\|Oops' && fail "the kernel complained: $(dmesg_new | grep -m1 'BUG\|Oops')"
	expect_gone kh_import
}

# A tree whose depmod files were deleted: modprobe reads the modules themselves (the
# depmod code, in memory), says so once, and loads, resolves aliases and removes as with
# the files; nothing is written into the tree.
t_modprobe_without_depmod_files() {
	if [ "${MB_DEPMOD:-0}" != 1 ]; then
		note "this build has no FEATURE_MODPROBE_DEPMOD"
		return
	fi
	names=$(dep_names $MP_SHARER)
	$MB modprobe -r $MP_SHARER 2>/dev/null
	$MB rmmod $MP_ALIAS_MOD 2>/dev/null
	mkdir -p /tmp/depfiles
	for f in modules.dep modules.alias modules.symbols; do
		mv $MD/$f $MD/$f.bin /tmp/depfiles/
	done
	w="modprobe: WARNING: $MD/modules.dep is missing or older than the modules: reading the modules themselves (run depmod)"
	modprobe $MP_SHARER
	expect_rc 0
	[ "$e" = "$w" ] || fail "stderr is not the one warning"
	for n in $names; do expect_loaded $n; done
	expect_top "$(echo $names)"
	modprobe $MP_ALIAS
	expect_rc 0
	[ "$e" = "$w" ] || fail "stderr is not the one warning (alias)"
	expect_loaded $MP_ALIAS_MOD
	modprobe -r $MP_SHARER $MP_ALIAS_MOD
	expect_rc 0
	for n in $names $MP_ALIAS_MOD; do expect_gone $n; done
	left=$(ls $MD | grep '^modules\.\(dep\|alias\|symbols\)')
	[ -z "$left" ] || fail "files were written into the tree: $left"
	mv /tmp/depfiles/* $MD/
}

t_modprobe_not_found() {
	modprobe kh_nosuch
	expect_rc 1
	[ -z "$o" ] || fail "stdout is not empty"
	[ "$e" = "modprobe: FATAL: Module kh_nosuch not found in directory $MD" ] ||
		fail "stderr is not kmod's one line"
}

t_modprobe_quiet_not_found() {
	modprobe -q kh_nosuch
	expect_rc 1
	[ -z "$o$e" ] || fail "modprobe -q said something"
}

# depmod killed at moments spread over its run, on the real kernel's tree: every file
# is then the old version or the new one, never a mix or a torn write; a full run after
# the kills writes the new ones. The tree gets one module more first, so old and new
# differ; afterwards Debian's files and the tree are put back.
t_depmod_killed_files_stay_whole() {
	files="modules.dep modules.dep.bin modules.alias modules.alias.bin modules.softdep
		modules.symbols modules.symbols.bin modules.builtin.bin modules.builtin.alias.bin
		modules.devname"
	mkdir -p /tmp/dk.old
	for f in $files; do [ ! -e $MD/$f ] || cp $MD/$f /tmp/dk.old/; done
	cp $KH/kh-dash.ko $MD/extra/kh_dk_copy.ko
	run $MB depmod -o /tmp/dk.new
	expect_rc 0
	N=/tmp/dk.new/lib/modules/$REL
	cmp -s $N/modules.dep /tmp/dk.old/modules.dep && fail "the new modules.dep is the old one"
	torn=0
	mixed=0
	i=1
	while [ $i -le 9 ]; do
		$MB depmod 2>/dev/null &
		pid=$!
		sleep 0.0$i
		kill -9 $pid 2>/dev/null
		wait $pid
		olds=0
		news=0
		for f in $files; do
			if cmp -s $MD/$f $N/$f; then
				news=$((news + 1))
			elif [ -e /tmp/dk.old/$f ] && cmp -s $MD/$f /tmp/dk.old/$f; then
				olds=$((olds + 1))
			else
				torn=1
				diag "after a kill at 0.0${i}s: $f is neither the old nor the new one"
			fi
		done
		[ $olds = 0 ] || [ $news = 0 ] || mixed=$((mixed + 1))
		i=$((i + 1))
	done
	note "kills that left some files old and some new: $mixed of 9"
	[ $torn = 0 ] || fail "a kill left a file that is neither old nor new"
	run $MB depmod
	expect_rc 0
	for f in $files; do cmp -s $MD/$f $N/$f || fail "after the kills, $f is not the new one"; done
	rm -f $MD/extra/kh_dk_copy.ko $MD/modules.*.[0-9]*
	for f in $files; do [ ! -e /tmp/dk.old/$f ] || cp /tmp/dk.old/$f $MD/; done
}

# Without CAP_SYS_MODULE the kernel refuses both calls.
as_nobody() { run su -s /bin/sh nobody -c "$*"; }

t_not_root_insmod_eperm() {
	as_nobody "id -u; $MB insmod $KH/kh-dash.ko"
	[ "$(printf '%s\n' "$o" | head -n 1)" = 65534 ] || fail "su did not switch to uid 65534"
	expect_rc 1
	expect_err "$(could_not_insert $KH/kh-dash.ko "Operation not permitted")"
	expect_gone kh_dash
}

t_not_root_rmmod_eperm() {
	as_nobody "$MB rmmod kh_ret42"
	expect_rc 1
	expect_err "Operation not permitted"
	expect_loaded kh_ret42
}

# The tiny build (insmod alone, its own start-up code instead of libc's) on a real kernel.
t_tiny_insmod() {
	if [ ! -x /bin/modbox-tiny ]; then
		note "no tiny build in this image (MODBOX_TINY unset)"
		return
	fi
	run /bin/modbox-tiny insmod $KH/kh-dash.ko
	expect_rc 0
	expect_loaded kh_dash
	run /bin/modbox-tiny insmod $KH/kh-dash.ko
	expect_rc 1
	expect_err "$(could_not_insert $KH/kh-dash.ko "File exists")"
	rmmod kh_dash
	expect_gone kh_dash
}

t_modules_disabled_insmod_eperm() {
	echo 1 >/proc/sys/kernel/modules_disabled
	[ "$(cat /proc/sys/kernel/modules_disabled)" = 1 ] || fail "modules_disabled is not set"
	insmod $KH/kh-dash.ko
	expect_rc 1
	expect_err_line 1 "$(could_not_insert $KH/kh-dash.ko "Operation not permitted")"
	expect_gone kh_dash
}

t_modules_disabled_rmmod_eperm() {
	rmmod kh_ret42
	expect_rc 1
	expect_err "Operation not permitted"
	expect_loaded kh_ret42
}

# --- main -------------------------------------------------------------------------------
report "# guest: $(uname -r), $(cut -d' ' -f1 /proc/uptime) s after boot"
for c in $CASES; do
	bad=0
	mark=$(dmesg | wc -l)
	report "# --- $c"
	skip=
	t_$c
	if [ -n "$skip" ]; then
		report "ok $c # SKIP $skip"
	elif [ $bad = 0 ]; then
		report "ok $c"
	else
		diag "kernel log during the case:"
		dmesg_new | sed 's/^/#   dmesg: /' >>$out
		report "not ok $c"
	fi
done
report "# guest done after $(cut -d' ' -f1 /proc/uptime) s"
sync
poweroff -f
