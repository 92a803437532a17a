#!/bin/sh
# /init of the coldplug image: loads the drivers of every device one way, chosen by
# modbox.mode= on the kernel command line, and writes to /dev/ttyS1 what it took:
#   coldplug  modbox coldplug, then the cases that build on it
#   loop      the rescanning loop: modbox modprobe -a over every modalias, again until no
#             new modalias appears (the reference set)
#   oneshot   one pass of the loop (the classic `find /sys -name modalias | xargs modprobe`)
# modbox.probe=kmod or busybox: the loop and the one pass with that modprobe instead of
# modbox's (kmod's in /kmod: the image of bench/coldplug.sh).
# Lines: "time MODE SECONDS", "set MODE NAME..." (the modules loaded, sorted), "# ..." and
# "ok NAME" / "not ok NAME" for the cases.
PATH=/bin:/sbin
export PATH
MB=/bin/modbox
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t tmpfs tmpfs /tmp
out=/dev/ttyS1
stty -F $out -onlcr 2>/dev/null
report() { echo "$*" >>$out; }
mode=$(sed -n 's/.*modbox\.mode=\([a-z]*\).*/\1/p' /proc/cmdline)
# modbox.opts=-j,4: options for the first coldplug run (bench/coldplug.sh)
opts=$(sed -n 's/.*modbox\.opts=\([^ ]*\).*/\1/p' /proc/cmdline | tr , ' ')
case $(sed -n 's/.*modbox\.probe=\([a-z]*\).*/\1/p' /proc/cmdline) in
kmod) PROBE=/kmod/modprobe ;;
busybox) PROBE="busybox modprobe" ;;
*) PROBE="$MB modprobe" ;;
esac
up() { cut -d' ' -f1 /proc/uptime; }
mods() { cut -d' ' -f1 /proc/modules | sort; }

# Every modalias the devices show: modalias files and MODALIAS= in uevent files.
aliases() {
	{
		find /sys/devices -name modalias -type f -exec cat {} +
		find /sys/devices -name uevent -type f -exec grep -h '^MODALIAS=' {} + | cut -d= -f2-
	} 2>/dev/null | sort -u
}

# The rescanning loop (one pass with $1 = 1): modprobe every modalias, until a pass
# finds no modalias the previous one did not have. Prints the passes it made.
loop() {
	prev='' passes=0
	while :; do
		cur=$(aliases)
		[ "$cur" != "$prev" ] || break
		passes=$((passes + 1))
		# shellcheck disable=SC2086 # one word per alias
		$PROBE -qa $cur
		prev=$cur
		[ "${1:-}" != 1 ] || break
	done
	echo $passes
}

before=$(mods)
report "# guest: $(uname -r), mode $mode, /init at $(up) s, $(echo $before | wc -w) modules before"
case $mode in
coldplug)
	t0=$(up)
	# shellcheck disable=SC2086 # words
	$MB coldplug -v $opts >/tmp/cp.out 2>/tmp/cp.err
	rc=$?
	t1=$(up)
	report "time coldplug $(awk "BEGIN { print $t1 - $t0 }")"
	report "set coldplug $(mods | tr '\n' ' ')"
	sed 's/^/# out: /' /tmp/cp.out >>$out
	sed 's/^/# err: /' /tmp/cp.err >>$out
	report "# --- coldplug_exit_0_summary"
	if [ $rc = 0 ] && grep -q '^coldplug: [0-9]* loaded, 0 failed' /tmp/cp.out &&
		[ ! -s /tmp/cp.err ]; then
		report "ok coldplug_exit_0_summary"
	else
		report "# exit status $rc"
		report "not ok coldplug_exit_0_summary"
	fi
	report "# --- coldplug_v_names_each_load"
	# the kernel loads some modules itself (request_module: the HDA codecs): the
	# summary counts those of the insmod lines that are now live
	n=$(sed -n 's|^insmod .*/\([^/]*\)\.ko.*|\1|p' /tmp/cp.out | tr - _ | sort -u |
		grep -cxF "$(mods)")
	l=$(sed -n 's/^coldplug: \([0-9]*\) loaded.*/\1/p' /tmp/cp.out)
	new=$(mods | grep -cvxF "$before")
	report "# $n modules of the insmod lines are live, the summary says $l loaded, $new new in /proc/modules"
	if [ "$n" = "$l" ] && [ "$l" -gt 0 ] && [ "$l" -le "$new" ]; then
		report "ok coldplug_v_names_each_load"
	else
		report "not ok coldplug_v_names_each_load"
	fi
	report "# --- coldplug_loop_finds_nothing_more"
	after=$(mods)
	passes=$(loop)
	more=$(mods | grep -vxF "$after")
	report "# the loop after coldplug made $passes passes"
	if [ -z "$more" ]; then
		report "ok coldplug_loop_finds_nothing_more"
	else
		report "# the loop loaded: $(echo $more)"
		report "not ok coldplug_loop_finds_nothing_more"
	fi
	report "# --- coldplug_again_nothing_to_do"
	$MB coldplug -t 100 >/tmp/cp.out 2>/tmp/cp.err
	rc=$?
	sed 's/^/# out: /' /tmp/cp.out >>$out
	if [ $rc = 0 ] && grep -q '^coldplug: 0 loaded, 0 failed' /tmp/cp.out; then
		report "ok coldplug_again_nothing_to_do"
	else
		report "not ok coldplug_again_nothing_to_do"
	fi
	# A blacklisted module stays out (exit 0); a module the kernel refuses (a bad
	# parameter value from modprobe.d) makes the exit status 1.
	report "# --- coldplug_blacklist_and_refusal"
	bad=0
	$MB rmmod virtio_rng e1000e || bad=1
	mkdir -p /etc/modprobe.d
	printf 'blacklist virtio_rng\noptions e1000e IntMode=x\n' >/etc/modprobe.d/t.conf
	$MB coldplug -t 100 >/tmp/cp.out 2>/tmp/cp.err
	rc=$?
	sed 's/^/# out: /' /tmp/cp.out >>$out
	sed 's/^/# err: /' /tmp/cp.err >>$out
	[ $rc = 1 ] || { report "# exit status $rc, not 1"; bad=1; }
	grep -q "could not insert 'e1000e': Invalid argument" /tmp/cp.err || bad=1
	! grep -q '^virtio_rng ' /proc/modules || { report "# virtio_rng loaded"; bad=1; }
	! grep -q '^e1000e ' /proc/modules || { report "# e1000e loaded"; bad=1; }
	rm /etc/modprobe.d/t.conf
	if [ $bad = 0 ]; then report "ok coldplug_blacklist_and_refusal"; else report "not ok coldplug_blacklist_and_refusal"; fi
	;;
loop | oneshot)
	t0=$(up)
	passes=$(loop "$([ $mode = oneshot ] && echo 1)")
	t1=$(up)
	report "time $mode $(awk "BEGIN { print $t1 - $t0 }")"
	report "# $passes passes"
	report "set $mode $(mods | tr '\n' ' ')"
	;;
esac
report "# guest done at $(up) s"
sync
poweroff -f
