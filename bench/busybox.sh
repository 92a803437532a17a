# Sourced by bench/modprobe.sh and bench/depmod_modinfo.sh: busybox as the second peer.
# busybox's module tools know no -d, -S or -C: they read /lib/modules/$(uname -r) and
# /etc/modprobe.d. So the script runs again in a mount namespace of its own (root and
# unshare(1) needed), where bb_bind puts a tree of modules in that place and an empty
# /etc/modprobe.d over the host's; nothing outside the namespace sees it.
#   bb_ns "$0" "$@"   first thing in the script: re-executes it in the namespace
#   bb_bind DIR       DIR (lib/modules/REL of a tree) becomes /lib/modules/$(uname -r);
#                     sets BB to busybox 1.35 built as bench/peers.sh builds it (x86_64,
#                     modbox's defconfig applets), or to "" with the reason on stderr
# shellcheck shell=bash
bb_ns() {
	[ -z "${MODBOX_BENCH_NS:-}" ] || return 0
	[ "$(id -u)" = 0 ] && command -v unshare >/dev/null || return 0
	MODBOX_BENCH_NS=1 exec unshare -m "$@"
}
bb_bind() {
	local cache=${MODBOX_CACHE:-$HOME/.cache/modbox}/peers r
	BB=""
	if [ -z "${MODBOX_BENCH_NS:-}" ]; then
		echo "bench: busybox left out (its tools need root and unshare here)" >&2
		return 0
	fi
	MODBOX_TARGETS="" "$top/bench/peers.sh" >/dev/null
	BB=$(ls "$cache"/busybox-[0-9]*-x86_64/busybox 2>/dev/null | head -n 1)
	[ -n "$BB" ] || { echo "bench: busybox left out (bench/peers.sh built none)" >&2; return 0; }
	r=/lib/modules/$(uname -r)
	mkdir -p /lib/modules
	mount -t tmpfs modbox-bench /lib/modules && mkdir "$r" && mount --bind "$1" "$r" &&
		{ [ ! -d /etc/modprobe.d ] || mount -t tmpfs modbox-bench /etc/modprobe.d; } ||
		{ echo "bench: busybox left out (the mounts failed)" >&2; BB=""; }
}
