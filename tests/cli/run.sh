#!/bin/bash
# Command-line tests: every applet's messages and exit codes, against a fake kernel
# (tests/fake/fake_kernel.c) whose state lives in a directory.
# Usage: tests/cli/run.sh MODBOX   (a FAKE_KERNEL=1 build)
set -u
MB=$(realpath "${1:?usage: run.sh MODBOX}")
. "$(dirname "$0")/lib.sh"
KMOD_INSMOD=$(command -v insmod || echo /sbin/insmod)
KMOD_RMMOD=$(command -v rmmod || echo /sbin/rmmod)

export MODBOX_FAKE_ROOT=$T/root
fakemod() { # fakemod FILE NAME [permanent]
	echo "fakemod $2${3:+ $3}" >"$1"
}
state() { cat "$T/root/sys/module/$1/$2" 2>/dev/null; }
loaded() { grep -q "^$1 " "$T/root/proc/modules" && [ -d "$T/root/sys/module/$1" ]; }
not_loaded() { ! grep -q "^$1 " "$T/root/proc/modules" && [ ! -d "$T/root/sys/module/$1" ]; }

mkdir -p "$T/bin"
for a in insmod rmmod lsmod; do ln -s "$MB" "$T/bin/$a"; done
reset_kernel

# --- multicall ---------------------------------------------------------------------
run "$MB" --list
check "modbox --list names every applet" all 'rc_is 0 && out_is "$(printf "insmod\nrmmod\nlsmod\nmodprobe\nmodinfo\ndepmod\ncoldplug")"'
run "$T/bin/insmod" --help
check "dispatch on argv[0]: insmod --help prints usage to stdout" \
	all 'rc_is 0 && out_has "Usage: insmod" && err_empty'
run "$MB" rmmod --help
check "modbox APPLET: modbox rmmod --help" all 'rc_is 0 && out_has "Usage: rmmod"'
run "$MB" nosuch
check "unknown applet: error and the list on stderr, exit 1" \
	all 'rc_is 1 && err_has "applet not found: nosuch" && err_has "insmod" && out_empty'
run "$MB"
check "modbox alone: usage on stderr, exit 1" all 'rc_is 1 && err_has "Usage: modbox" && out_empty'
for a in insmod rmmod lsmod; do
	run "$T/bin/$a" -Z
	check "$a: unknown option: usage on stderr, exit 1" \
		all 'rc_is 1 && err_has "invalid option" && err_has "Usage: $a" && out_empty'
	run "$T/bin/$a" --no-such-option
	check "$a: unknown long option: usage on stderr, exit 1" \
		all 'rc_is 1 && err_has "--no-such-option" && err_has "Usage: $a" && out_empty'
	run "$T/bin/$a" -h
	check "$a -h: usage on stdout, exit 0" all 'rc_is 0 && out_has "Usage: $a" && err_empty'
	run "$T/bin/$a" -V
	check "$a -V: version, exit 0" all 'rc_is 0 && out_has "modbox version"'
done

# --- insmod ------------------------------------------------------------------------
fakemod "$T/m.ko" m
fakemod "$T/kh-dash.ko" kh_dash

run "$T/bin/insmod"
kmsg_want=$("$KMOD_INSMOD" 2>&1)
check "insmod: no file: kmod's message, exit 1" \
	all 'rc_is 1 && err_is "insmod: ERROR: missing filename." && [ -n "$kmsg_want" ] && err_is "$kmsg_want"'
run "$T/bin/insmod" "$T/nonexistent.ko"
kmsg_want=$("$KMOD_INSMOD" "$T/nonexistent.ko" 2>&1)
check "insmod: missing file: the same words as kmod's insmod" \
	all 'rc_is 1 && err_is "$kmsg_want"'

reset_kernel
run "$T/bin/insmod" "$T/m.ko" a=1 's=hello world' flag arr=1,2,3
check "insmod: loads with finit_module, exit 0, silent" \
	all 'rc_is 0 && out_empty && err_empty && loaded m && [ "$(state m via)" = finit ]'
check "insmod: parameters reach the kernel, a value with spaces quoted" \
	all '[ "$(state m params)" = "a=1 s=\"hello world\" flag arr=1,2,3" ]'
check "insmod: no flags without -f" all '[ "$(state m flags)" = 0 ]'
run "$T/bin/insmod" "$T/m.ko"
check "insmod: the same module twice: EEXIST, kmod's words" \
	all 'rc_is 1 && err_is "insmod: ERROR: could not insert module $T/m.ko: File exists"'

reset_kernel
run "$T/bin/insmod" -f "$T/m.ko"
check "insmod -f: ignore modversions and vermagic (flags 3)" all 'rc_is 0 && [ "$(state m flags)" = 3 ]'
reset_kernel
run "$T/bin/insmod" --force "$T/m.ko"
check "insmod --force: the same" all 'rc_is 0 && [ "$(state m flags)" = 3 ]'

reset_kernel
run sh -c "cat '$T/m.ko' | '$T/bin/insmod' - x=1"
check "insmod -: a pipe on stdin loads through init_module" \
	all 'rc_is 0 && loaded m && [ "$(state m via)" = init ] && [ "$(state m params)" = x=1 ]'
reset_kernel
run sh -c "cat '$T/m.ko' | '$T/bin/insmod' -f -"
check "insmod -f -: forcing needs finit_module, said so, nothing loaded" \
	all 'rc_is 1 && err_has "could not insert module -: Operation not supported" && not_loaded m'
reset_kernel
echo 38 >"$T/root/finit.errno"
run "$T/bin/insmod" "$T/m.ko" y=2
check "insmod: finit_module gives ENOSYS: falls back to init_module" \
	all 'rc_is 0 && [ "$(state m via)" = init ] && [ "$(state m params)" = y=2 ]'

reset_kernel
echo garbage >"$T/garbage.ko"
run "$T/bin/insmod" "$T/garbage.ko"
check "insmod: a garbage file: Invalid module format, exit 1" \
	all 'rc_is 1 && err_is "insmod: ERROR: could not insert module $T/garbage.ko: Invalid module format"'

reset_kernel
run "$T/bin/insmod" "$T/m.ko" '=1'
check "insmod: an empty parameter name is refused before the kernel is asked" \
	all 'rc_is 1 && err_has "invalid parameter" && not_loaded m'
run "$T/bin/insmod" "$T/m.ko" 's=a"b'
check "insmod: a quote inside a value is refused" all 'rc_is 1 && err_has "quote" && not_loaded m'

# every errno the man pages list, in kmod's words (insmod's own for the module's faults)
while IFS='|' read -r errno words; do
	reset_kernel
	echo "$errno" >"$T/root/errno.m"
	run "$T/bin/insmod" "$T/m.ko"
	check "insmod: errno $errno: '$words'" \
		all 'rc_is 1 && err_is "insmod: ERROR: could not insert module $T/m.ko: $words" && not_loaded m'
done <<'ERRNOS'
17|File exists
8|Invalid module format
2|Unknown symbol in module
22|Invalid parameters
3|Module has wrong symbol version
1|Operation not permitted
16|Device or resource busy
11|Resource temporarily unavailable
129|Key was rejected by service
126|Required key not available
26|Text file busy
95|Operation not supported
14|Bad address
12|Cannot allocate memory
38|Function not implemented
5|Input/output error
19|No such device
200|Unknown error 200
ERRNOS

reset_kernel
echo "6,1,1,-;kh_b: an old line from before the load" >"$T/root/dev/kmsg"
echo 2 >"$T/root/errno.kh_b"
printf 'kh_b: Unknown symbol kh_a_value (err -2)\nunrelated: something else\n' >"$T/root/kmsg.kh_b"
fakemod "$T/kh_b.ko" kh_b
run "$T/bin/insmod" "$T/kh_b.ko"
check "insmod: after a failure, the kernel's lines about the module follow" \
	all 'rc_is 1 && [ "$(sed -n 2p "$T/err")" = "insmod: kernel: kh_b: Unknown symbol kh_a_value (err -2)" ]'
check "insmod: kernel lines from before the load and about others are not shown" \
	all '! err_has "old line" && ! err_has unrelated && [ $(wc -l <"$T/err") = 2 ]'
reset_kernel
echo 8 >"$T/root/errno.m"
echo "Invalid ELF header magic: != ELF" >"$T/root/kmsg.m"
run "$T/bin/insmod" "$T/m.ko"
check "insmod: when no kernel line names the module, all lines of the attempt are shown" \
	all 'rc_is 1 && err_has "insmod: kernel: Invalid ELF header magic"'

# compressed modules: the kernel decompresses when /sys/module/compression names the
# format (MODULE_INIT_COMPRESSED_FILE); the format comes from the magic, not the name
reset_kernel
printf '\375\067\172\130\132\000rest' >"$T/xz.ko"
run "$T/bin/insmod" "$T/xz.ko"
if config_has FEATURE_XZ; then
	check "insmod: a broken xz module on a kernel without decompression: our decoder says why" \
		all 'rc_is 1 && err_has "could not insert module $T/xz.ko: " && ! err_has "does not decompress"'
else
	check "insmod: an xz module on a kernel without decompression: said so, exit 1" \
		all 'rc_is 1 && err_is "insmod: ERROR: could not insert module $T/xz.ko: compressed, and the kernel does not decompress this format"'
fi
echo xz >"$T/root/sys/module/compression"
run "$T/bin/insmod" "$T/xz.ko"
check "insmod: an xz module goes to finit_module with MODULE_INIT_COMPRESSED_FILE" \
	all 'rc_is 1 && grep -q "^xz.ko 4$" "$T/root/finit.log" && [ ! -e "$T/root/init.log" ]'
check "insmod: the kernel's decompressor failing (EINVAL) is reported, not retried here" \
	all 'err_has "Invalid parameters" && err_has "kernel: module decompression failed"'
echo gzip >"$T/root/sys/module/compression"
printf '\037\213\010rest' >"$T/gz.ko.xz"
run "$T/bin/insmod" "$T/gz.ko.xz"
check "insmod: the format is read from the magic bytes, not the file name" \
	all 'grep -q "^gz.ko.xz 4$" "$T/root/finit.log"'

# .ko.gz decompressed here (FEATURE_GZIP) when the kernel cannot: init_module
fakemod "$T/g.ko" g
gzip -9 -c "$T/g.ko" >"$T/g.ko.gz"
reset_kernel
run "$T/bin/insmod" "$T/g.ko.gz" p=1
check "insmod: a .ko.gz on a kernel without gzip: decompressed here, loaded by init_module" \
	all 'rc_is 0 && err_empty && loaded g && [ "$(state g via)" = init ] && [ "$(state g params)" = p=1 ] && [ ! -e "$T/root/finit.log" ]'
reset_kernel
run sh -c "cat '$T/g.ko.gz' | '$T/bin/insmod' -"
check "insmod -: a compressed module from a pipe is decompressed here" \
	all 'rc_is 0 && loaded g && [ "$(state g via)" = init ]'
reset_kernel
run "$T/bin/insmod" -f "$T/g.ko.gz"
check "insmod -f: decompressed here, init_module cannot force: said so" \
	all 'rc_is 1 && err_has "Operation not supported" && not_loaded g'
head -c -3 "$T/g.ko.gz" >"$T/cut.ko.gz"
run "$T/bin/insmod" "$T/cut.ko.gz"
check "insmod: a truncated .ko.gz: the file and 'truncated', exit 1, the kernel not asked" \
	all 'rc_is 1 && err_is "insmod: ERROR: could not insert module $T/cut.ko.gz: truncated" && [ ! -e "$T/root/init.log" ]'
printf '\037\213\010\000\000\000\000\000\000\003\377\377garbage\000\000\000\000\000\000\000\000' >"$T/bad.ko.gz"
run "$T/bin/insmod" "$T/bad.ko.gz"
check "insmod: a corrupt .ko.gz: 'corrupt data', exit 1" \
	all 'rc_is 1 && err_is "insmod: ERROR: could not insert module $T/bad.ko.gz: corrupt data" && not_loaded g'
{ head -c -8 "$T/g.ko.gz"; printf '\001\002\003\004'; tail -c 4 "$T/g.ko.gz"; } >"$T/crc.ko.gz"
run "$T/bin/insmod" "$T/crc.ko.gz"
check "insmod: a .ko.gz whose CRC32 does not match: 'checksum mismatch', exit 1" \
	all 'rc_is 1 && err_is "insmod: ERROR: could not insert module $T/crc.ko.gz: checksum mismatch" && not_loaded g'

# gzip listed in /sys/module/compression: the kernel decompresses, unless it refuses the flag
reset_kernel
echo gzip >"$T/root/sys/module/compression"
run "$T/bin/insmod" "$T/g.ko.gz"
check "insmod: gzip listed: finit_module with MODULE_INIT_COMPRESSED_FILE, nothing decompressed here" \
	all 'rc_is 0 && loaded g && [ "$(state g via)" = finit ] && [ "$(state g flags)" = 4 ] && grep -qx "g.ko.gz 4" "$T/root/finit.log" && [ ! -e "$T/root/init.log" ]'
reset_kernel
echo gzip >"$T/root/sys/module/compression"
echo 3 >"$T/root/finit.flags"
run "$T/bin/insmod" "$T/g.ko.gz"
check "insmod: a kernel that does not know the flag (EINVAL): decompressed here instead" \
	all 'rc_is 0 && err_empty && loaded g && [ "$(state g via)" = init ]'
reset_kernel
echo gzip >"$T/root/sys/module/compression"
echo 95 >"$T/root/compressed.errno"
run "$T/bin/insmod" "$T/g.ko.gz"
check "insmod: a kernel that cannot decompress (EOPNOTSUPP): decompressed here instead" \
	all 'rc_is 0 && err_empty && loaded g && [ "$(state g via)" = init ] && grep -qx "g.ko.gz 4" "$T/root/finit.log"'
reset_kernel
echo gzip >"$T/root/sys/module/compression"
echo 22 >"$T/root/errno.g"
run "$T/bin/insmod" "$T/g.ko.gz"
check "insmod: the module's own EINVAL through the kernel's path: reported, init not run twice" \
	all 'rc_is 1 && err_is "insmod: ERROR: could not insert module $T/g.ko.gz: Invalid parameters" && [ ! -e "$T/root/init.log" ]'

reset_kernel
run "$T/bin/insmod" "$T/kh-dash.ko"
check "insmod: a file name with a dash loads its module" all 'rc_is 0 && loaded kh_dash'

# --- rmmod -------------------------------------------------------------------------
run "$T/bin/rmmod"
check "rmmod: no name: kmod's message, exit 1" \
	all 'rc_is 1 && err_is "$("$KMOD_RMMOD" 2>&1)"'
reset_kernel
run "$T/bin/rmmod" nosuchmod
check "rmmod: not loaded: kmod's message, the kernel not asked" \
	all 'rc_is 1 && err_is "rmmod: ERROR: Module nosuchmod is not currently loaded" && [ ! -e "$T/root/delete.log" ]'
mkdir -p "$T/root/sys/module/printk/parameters"
run "$T/bin/rmmod" printk
check "rmmod: a builtin module: 'is builtin.'" all 'rc_is 1 && err_is "rmmod: ERROR: Module printk is builtin."'

reset_kernel
"$T/bin/insmod" "$T/kh-dash.ko"
run "$T/bin/rmmod" kh-dash
check "rmmod: '-' and '_' are the same; removes, silent, exit 0" \
	all 'rc_is 0 && out_empty && err_empty && not_loaded kh_dash && grep -qx "kh_dash 2048" "$T/root/delete.log"'
"$T/bin/insmod" "$T/kh-dash.ko"
run "$T/bin/rmmod" "$T/kh-dash.ko"
check "rmmod: takes a path with .ko" all 'rc_is 0 && not_loaded kh_dash'

reset_kernel
printf 'base 16384 2 user1,user2, Live 0x0\nuser1 8192 0 - Live 0x0\nuser2 8192 0 - Live 0x0\n' \
	>"$T/root/proc/modules"
for m in base user1 user2; do mkdir -p "$T/root/sys/module/$m"; echo live >"$T/root/sys/module/$m/initstate"; done
run "$T/bin/rmmod" base
check "rmmod: in use: 'is in use by: a b', the kernel not asked" \
	all 'rc_is 1 && err_is "rmmod: ERROR: Module base is in use by: user1 user2" && [ ! -e "$T/root/delete.log" ]'
run "$T/bin/rmmod" user1 user2 base
check "rmmod: several names: each checked anew after the ones before are gone" \
	all 'rc_is 0 && not_loaded base && not_loaded user1'
reset_kernel
printf 'busy 16384 1 - Live 0x0\n' >"$T/root/proc/modules"
mkdir -p "$T/root/sys/module/busy"; echo live >"$T/root/sys/module/busy/initstate"
run "$T/bin/rmmod" busy nosuch
check "rmmod: a reference without holders: 'is in use'; goes on with the next; exit 1" \
	all 'rc_is 1 && err_is "$(printf "rmmod: ERROR: Module busy is in use\nrmmod: ERROR: Module nosuch is not currently loaded")"'
run "$T/bin/rmmod" -f busy
check "rmmod -f: no checks, O_TRUNC|O_NONBLOCK to the kernel" \
	all 'rc_is 0 && grep -qx "busy 2560" "$T/root/delete.log" && not_loaded busy'

reset_kernel
fakemod "$T/perm.ko" perm permanent
"$T/bin/insmod" "$T/perm.ko"
run "$T/bin/rmmod" perm
check "rmmod: a module without an exit function is reported as permanent" \
	all 'rc_is 1 && err_has "Module perm is permanent" && loaded perm'
run "$T/bin/rmmod" -f perm
check "rmmod -f: removes a permanent module" all 'rc_is 0 && not_loaded perm'

reset_kernel
"$T/bin/insmod" "$T/m.ko"
echo 16 >"$T/root/errno.rm.m"
run "$T/bin/rmmod" m
check "rmmod: the kernel refuses: 'could not remove module', glibc's words" \
	all 'rc_is 1 && err_is "rmmod: ERROR: could not remove module m: Device or resource busy"'
rm "$T/root/errno.rm.m"
run "$T/bin/rmmod" -v m
check "rmmod -v: says what it unloads" all 'rc_is 0 && err_has "unloading m"'

rm -f "$T/root/proc/modules"
"$T/bin/insmod" "$T/m.ko" 2>/dev/null
mkdir -p "$T/root/sys/module/m"; echo live >"$T/root/sys/module/m/initstate"
echo "m 1 0 - Live 0x0" >"$T/root/proc/modules.keep"
rm -f "$T/root/proc/modules"
run "$T/bin/rmmod" m
check "rmmod: without /proc/modules the kernel is asked directly" \
	all 'grep -q "^m " "$T/root/delete.log"'

# rmmod -s: the message goes to /dev/log (a private /dev in a mount namespace, so the
# host's syslog is not touched); python3 plays syslogd.
if [ "$(id -u)" = 0 ] && command -v unshare >/dev/null && command -v python3 >/dev/null; then
	reset_kernel
	run unshare -m sh -c '
		mount -t tmpfs none /dev && : >/dev/null || exit 2
		python3 -c "
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(\"/dev/log\")
s.settimeout(30)
print(\"ready\", flush=True)
sys.stdout.write(s.recv(4096).decode())
" >"$1" &
		# python3 can take seconds to start on a loaded host: wait up to 20 s
		i=0
		while [ ! -S /dev/log ] && [ $i -lt 100 ]; do sleep 0.2; i=$((i + 1)); done
		"$2" -s nosuchmod
		r=$?
		wait
		exit $r' sh "$T/syslog" "$T/bin/rmmod"
	check "rmmod -s: the error goes to syslog as LOG_ERR, not to stderr" \
		all 'rc_is 1 && err_empty && grep -qx "ready" "$T/syslog" &&
		grep -q "^<11>rmmod: ERROR: Module nosuchmod is not currently loaded" "$T/syslog"'
else
	echo "ok - rmmod -s: syslog # SKIP needs root, unshare and python3"
fi

# --- lsmod -------------------------------------------------------------------------
reset_kernel
cat >"$T/root/proc/modules" <<'PROC'
kh_export 16384 1 kh_import, Live 0xffffffffc0a00000 (OE)
kh_import 16384 0 - Live 0xffffffffc09f0000 (OE)
kh_perm 12288 0 [permanent], Live 0xffffffffc09e0000 (OE)
a_module_with_a_long_name 1234567 3 x,y,z, Live 0xffffffffc09d0000
big 123456789 12 - Live 0xffffffffc09c0000
PROC
run "$T/bin/lsmod"
want=$(printf '%s\n' 'Module                  Size  Used by'
	printf '%-19s %8lu  %d%s\n' kh_export 16384 1 ' kh_import' kh_import 16384 0 '' \
		kh_perm 12288 0 ' [permanent]' a_module_with_a_long_name 1234567 3 ' x,y,z' \
		big 123456789 12 '')
check "lsmod: kmod's header and rows; holders joined by commas" all 'rc_is 0 && out_is "$want"'
check "lsmod: a module without exit shows [permanent]" all 'out_has "kh_perm                12288  0 [permanent]"'
: >"$T/root/proc/modules"
run "$T/bin/lsmod"
check "lsmod: no modules: the header alone" all 'rc_is 0 && out_is "Module                  Size  Used by"'
rm "$T/root/proc/modules"
run "$T/bin/lsmod"
check "lsmod: no /proc/modules: an error, exit 1" all 'rc_is 1 && err_has "/proc/modules: No such file or directory"'
run "$T/bin/lsmod" extra
check "lsmod: an operand is a usage error" all 'rc_is 1 && err_has "Usage: lsmod"'

exit $failed
