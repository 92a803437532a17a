# lib.sh: the command-line tests' harness. Each check prints "ok - NAME" or
# "not ok - NAME" with the command's output after a failure.
T=$(mktemp -d "${TMPDIR:-/tmp}/modbox-cli.XXXXXX")
trap 'rm -rf "$T"' EXIT
failed=0

# run CMD...: runs it, keeping stdout in $T/out, stderr in $T/err, status in $rc.
run() {
	"$@" >"$T/out" 2>"$T/err"
	rc=$?
}

# check NAME CONDITION...: one case; the condition is a command.
check() {
	local name=$1
	shift
	if "$@"; then
		echo "ok - $name"
	else
		echo "not ok - $name"
		failed=1
		echo "#   rc=$rc"
		sed 's/^/#   out: /' "$T/out" | head -n 20
		sed 's/^/#   err: /' "$T/err" | head -n 20
	fi
}

rc_is() { [ "$rc" = "$1" ]; }
out_is() { [ "$(cat "$T/out")" = "$1" ]; }
err_is() { [ "$(cat "$T/err")" = "$1" ]; }
out_has() { grep -qF -- "$1" "$T/out"; }
err_has() { grep -qF -- "$1" "$T/err"; }
out_empty() { [ ! -s "$T/out" ]; }
err_empty() { [ ! -s "$T/err" ]; }
# all CONDITION; CONDITION; ...: every condition holds ("a && b" as one command)
all() { eval "$*"; }

# config_has SYMBOL: the binary under test ($MB) was built with CONFIG_SYMBOL=y
# (a cross target's binary is run through a wrapper in a directory below its build's)
config_has() {
	local d
	d=$(dirname "$MB")
	[ -e "$d/.config" ] || d=$(dirname "$d")
	grep -qx "CONFIG_$1=y" "$d/.config"
}

# reset_kernel: a fresh fake kernel under $T/root (tests/fake/fake_kernel.c), nothing loaded
reset_kernel() {
	rm -rf "$T/root"
	mkdir -p "$T/root/proc" "$T/root/sys/module" "$T/root/dev"
	: >"$T/root/proc/modules"
	: >"$T/root/dev/kmsg"
}
