#!/bin/bash
# Build tests: the configs build, the binary is static, disabled features leave no code,
# make install lays out the applet links.
set -u
. "$(dirname "$0")/lib.sh"
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 1
B=${BUILD:-build}

build() { # build DIR CONFIG
	make --no-print-directory O="$B/$1" "$2" >"$T/out" 2>"$T/err" &&
		make --no-print-directory O="$B/$1" >>"$T/out" 2>>"$T/err"
	rc=$?
}

build default defconfig
check "build: make defconfig && make" rc_is 0
run file "$B/default/modbox"
check "build: the binary is statically linked" all 'out_has "statically linked"'
run "$B/default/modbox" --list
check "build: the default binary runs modbox --list" all 'rc_is 0 && out_has insmod && out_has lsmod'
run size "$B/default/modbox"
echo "# default: $(sed -n 2p "$T/out" | awk '{print "text " $1 ", data " $2 ", bss " $3}'), file $(stat -c %s "$B/default/modbox")"

build full full_defconfig
check "build: make full_defconfig && make (coldplug, every decoder)" rc_is 0
run "$B/full/modbox" --list
check "build: the full binary has coldplug, the default one has not" \
	all 'rc_is 0 && out_has coldplug && ! "$B/default/modbox" --list | grep -q coldplug'
run "$B/full/modbox" coldplug -h
check "build: coldplug -h prints its usage" all 'rc_is 0 && out_has "Usage: coldplug"'
run size "$B/full/modbox"
echo "# full: $(sed -n 2p "$T/out" | awk '{print "text " $1 ", data " $2 ", bss " $3}'), file $(stat -c %s "$B/full/modbox")"

build tiny tiny_defconfig
check "build: make tiny_defconfig && make" rc_is 0
run "$B/tiny/modbox" --list
check "build: the tiny binary has insmod alone" all 'rc_is 0 && out_is insmod'
run size "$B/tiny/modbox"
echo "# tiny: $(sed -n 2p "$T/out" | awk '{print "text " $1 ", data " $2 ", bss " $3}'), file $(stat -c %s "$B/tiny/modbox")"
run strings "$B/tiny/modbox"
check "build: disabled features leave no code (no rmmod, lsmod, kmsg, long options)" \
	all '! out_has "Usage: rmmod" && ! out_has "Module                  Size" &&
	! out_has "/dev/kmsg" && ! out_has "kernel: " && ! out_has "force"'
run "$B/tiny/modbox" insmod --help
check "build: tiny: --help still prints the usage, exit 0" all 'rc_is 0 && out_has "Usage: insmod"'
run "$B/tiny/modbox" insmod --force x
check "build: tiny: long options are refused when disabled" all 'rc_is 1 && err_has "bad option"'

rm -rf "$B/mixed"
run make --no-print-directory O="$B/mixed" tiny_defconfig all
check "build: make NAME_defconfig all in one call configures, then builds" \
	all 'rc_is 0 && "$B/mixed/modbox" --list | grep -qx insmod'

build mpmin modprobe_tiny_defconfig
check "build: modprobe alone, its optional parts left out" rc_is 0
run "$B/mpmin/modbox" modprobe -c
check "build: an option whose code was left out says which symbol it needs" \
	all 'rc_is 1 && err_is "modprobe: ERROR: -c: not in this build (CONFIG_FEATURE_MODPROBE_SHOW_CONFIG)"'
run "$B/mpmin/modbox" modprobe -r x
check "build: modprobe -r left out: said so" all 'rc_is 1 && err_has "CONFIG_FEATURE_MODPROBE_REMOVE"'
run size "$B/mpmin/modbox"
echo "# modprobe alone: $(sed -n 2p "$T/out" | awk '{print "text " $1}')"

build noconfig allnoconfig
check "build: make allnoconfig && make (no applets at all)" rc_is 0
build yes allyesconfig
check "build: make allyesconfig && make" rc_is 0
run "$B/yes/modbox" lsmod
check "build: allyesconfig (own start-up code) runs and reports errors" \
	all '[ -e /proc/modules ] && rc_is 0 || { rc_is 1 && err_has "could not open /proc/modules"; }'
run "$B/tiny/modbox" insmod "$T/nonexistent.ko"
check "build: tiny insmod (own start-up code) says why it failed" \
	all 'rc_is 1 && err_is "insmod: ERROR: could not load module $T/nonexistent.ko: No such file or directory"' 

run make --no-print-directory O="$B/default" install DESTDIR="$T/inst" PREFIX=/usr
check "build: make install: sbin/modbox and a link per applet" \
	all 'rc_is 0 && [ -x "$T/inst/usr/sbin/modbox" ] && [ "$(readlink "$T/inst/usr/sbin/insmod")" = modbox ] &&
	[ "$(readlink "$T/inst/usr/sbin/rmmod")" = modbox ] && [ "$(readlink "$T/inst/usr/sbin/lsmod")" = modbox ]'
run make --no-print-directory O="$B/tiny" install DESTDIR="$T/inst2" PREFIX=/
check "build: make install of the tiny config links insmod alone" \
	all 'rc_is 0 && [ -L "$T/inst2/sbin/insmod" ] && [ ! -e "$T/inst2/sbin/rmmod" ]'

cp "$B/default/.config" "$T/config.saved"
run make --no-print-directory O="$B/default" savedefconfig
check "build: make savedefconfig writes a minimal defconfig" \
	all 'rc_is 0 && [ -f "$B/default/defconfig" ] && cmp -s "$B/default/defconfig" configs/defconfig'
exit $failed
