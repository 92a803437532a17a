#!/bin/sh
# emu.sh BINARY DIR: a stand-in for a cross-built modbox that the command-line suites can
# run as they run the host's: DIR/modbox, a script that runs BINARY under the matching
# qemu-user (called directly: binfmt_misc may be missing), argv[0] passed on with -0 so
# that links named after an applet still select it. Prints DIR/modbox, or BINARY itself
# when it runs natively.
set -eu
bin=$(realpath "${1:?usage: emu.sh BINARY DIR}")
dir=${2:?usage: emu.sh BINARY DIR}
case $(file -L "$bin") in
*x86-64*) echo "$bin"; exit 0 ;;
*aarch64*) q=qemu-aarch64-static ;;
*"ARM, EABI"*) q=qemu-arm-static ;;
*RISC-V*64-bit* | *64-bit*RISC-V*) q=qemu-riscv64-static ;;
*) echo "emu.sh: no qemu-user for $(file -bL "$bin")" >&2; exit 1 ;;
esac
command -v $q >/dev/null || { echo "emu.sh: $q missing (scripts/deps.sh cross)" >&2; exit 1; }
mkdir -p "$dir"
# shellcheck disable=SC2016 # $0 and $@ are for the script written
printf '#!/bin/sh\nexec %s -0 "$0" %s "$@"\n' "$(command -v $q)" "$bin" >"$dir/modbox"
chmod 755 "$dir/modbox"
echo "$(realpath "$dir")/modbox"
