#!/bin/sh
# Install the Debian packages modbox needs to build and test: idempotent, non-interactive.
# Usage: scripts/deps.sh [GROUP...]   groups: build (default), test, qemu, all
set -eu

pkgs_build="make gcc musl-tools kconfig-frontends-nox file binutils"
pkgs_test="$pkgs_build kmod xz-utils zstd cpio"
pkgs_qemu="$pkgs_test qemu-system-x86 busybox-static gcc-12 libc6-dev bc libelf-dev"

want=""
[ $# -gt 0 ] || set -- build
for g in "$@"; do
	case $g in
	build) want="$want $pkgs_build" ;;
	test) want="$want $pkgs_test" ;;
	qemu | all) want="$want $pkgs_qemu" ;;
	*) echo "deps.sh: unknown group '$g' (build, test, qemu, all)" >&2; exit 1 ;;
	esac
done

missing=""
for p in $want; do
	case " $missing " in *" $p "*) continue ;; esac
	st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	[ "$st" = "install ok installed" ] || missing="$missing $p"
done

# deb-src beside the system's own sources (same host, same signing key, or apt refuses
# both with "Conflicting values set for option Signed-By"), for 'apt-get source' of zlib
# and musl later. Written once, in a file of its own.
src=/etc/apt/sources.list.d/modbox-deb-src.list
need_update=0
if [ "$(id -u)" = 0 ] && { [ ! -e "$src" ] || ! grep -q signed-by "$src"; }; then
	host=$( (sed -n 's/^URIs:[[:space:]]*//p' /etc/apt/sources.list.d/*.sources
		sed -n 's/^deb[[:space:]]\{1,\}\(\[[^]]*\][[:space:]]*\)\{0,1\}//p' /etc/apt/sources.list) 2>/dev/null |
		tr ' ' '\n' | grep -E '^https?://.*/debian/?$' | head -n 1)
	host=${host:-http://deb.debian.org/debian}
	key=$(sed -n 's/^Signed-By:[[:space:]]*//p' /etc/apt/sources.list.d/*.sources 2>/dev/null | head -n 1)
	key=${key:-/usr/share/keyrings/debian-archive-keyring.gpg}
	echo "deb-src [signed-by=$key] $host bookworm main" >"$src"
	echo "deps.sh: added a deb-src entry for bookworm in $src"
	need_update=1
fi

[ -n "$missing" ] || [ $need_update = 1 ] || exit 0
if [ "$(id -u)" != 0 ]; then
	echo "deps.sh: missing packages:$missing (run as root to install them)" >&2
	exit 1
fi
[ -z "$missing" ] || echo "deps.sh: installing:$missing"
export DEBIAN_FRONTEND=noninteractive
apt="apt-get -q -y -o DPkg::Lock::Timeout=600"
# 'update' may fail for one suite mid-sync; carry on if the install itself works.
stamp=/var/lib/apt/lists/partial/../.modbox-updated
if [ $need_update = 1 ] || [ ! -e "$stamp" ] || [ -n "$(find "$stamp" -mmin +1440 2>/dev/null)" ]; then
	$apt update >/dev/null 2>&1 || echo "deps.sh: apt-get update reported errors; trying the install anyway"
	touch "$stamp" 2>/dev/null || true
fi
[ -z "$missing" ] || $apt install --no-install-recommends $missing
