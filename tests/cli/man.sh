#!/bin/bash
# The man pages (man/*.8) and the bash completion (completion/modbox.bash): each page
# formats without a warning (groff -ww), has kmod's sections in order, and documents
# exactly the options its applet's table accepts (the shorts string and OPT_LONGS() of
# applets/NAME.c: each letter, its long name, whether it takes an argument), both ways.
# The completion's option lists are held to the same tables, and it completes module
# names, loaded modules, files and versions from a temporary tree.
# Usage: tests/cli/man.sh
# shellcheck disable=SC2016 # the conditions of check and all are evaluated there
set -u
. "$(dirname "$0")/lib.sh"
top=$(cd "$(dirname "$0")/../.." && pwd)
applets="insmod rmmod lsmod modprobe modinfo depmod coldplug"
sections="NAME|SYNOPSIS|DESCRIPTION|OPTIONS|FILES|EXIT STATUS|EXAMPLES|SEE ALSO"

# table_opts APPLET: the options of its table, one a line: "-f --force", "--first-time",
# "-C --config ARG" (ARG: it takes an argument). Says "count" when OPT_LONGS() does not
# have one name per letter.
table_opts() {
	local block shorts longs s i c n=0
	local -a short=() arg=() long=()
	block=$(sed -n '/struct opts o = {/,/};/p' "$top/applets/$1.c" | tr -d '\n\t')
	shorts=${block#*\"}
	shorts=${shorts%%\"*}
	longs=${block#*OPT_LONGS(}
	longs=$(grep -o '"[^"]*"' <<<"${longs%%)*}" | tr -d '"\n')
	for ((i = 0; i < ${#shorts}; i++)); do
		c=${shorts:i:1}
		if [ "$c" = ':' ]; then
			arg[n - 1]=" ARG"
			continue
		fi
		if [ "$c" = "\\" ]; then # an octal escape: a long-only option
			s=${shorts:i+1}
			s=${s%%[!0-7]*}
			((i += ${#s}))
			c=
		else
			c=-$c
		fi
		short[n]=$c
		arg[n]=
		((n++))
	done
	mapfile -t long < <(printf '%s' "$longs" | sed 's/\\0/\n/g')
	[ ${#long[@]} = 0 ] && long=("")
	[ ${#long[@]} = "$n" ] || echo count
	for ((i = 0; i < n; i++)); do
		s="${short[i]} ${long[i]:+--${long[i]}}"
		s=${s# }
		printf '%s\n' "${s% }${arg[i]}"
	done | sort
}

# page_opts PAGE: the options its OPTIONS section documents, in table_opts' format: the
# line after each .TP ("\fB\-C\fR \fICONFIG\fR, \fB\-\-config\fR=\fICONFIG\fR").
page_opts() {
	sed -n '/^\.SH OPTIONS/,/^\.SH /p' "$1" | sed -n '/^\.TP/{n;p}' |
		sed -e 's/^\.[A-Z]* //' -e 's/\\f[BIRP]//g' -e 's/\\-/-/g' -e 's/"//g' \
			-e 's/[,=]/ /g' |
		while read -r -a words; do
			local s='' l='' a='' w
			for w in "${words[@]}"; do
				case $w in
				--?*) l=$w ;;
				-?) s=$w ;;
				*) a=" ARG" ;;
				esac
			done
			s="$s $l"
			s=${s# }
			printf '%s\n' "${s% }$a"
		done | sort
}

# completion_words APPLET: the completion's list for it, a word a line ("--config=");
# table_words: table_opts' lines as such words
completion_words() {
	# shellcheck source=../../completion/modbox.bash
	(. "$top/completion/modbox.bash" && _modbox_options "$1") | tr ' ' '\n' | sort
}
table_words() {
	local w e
	while read -r -a w; do
		e=
		[ "${w[-1]}" = ARG ] && e='=' && unset 'w[-1]'
		printf "%s$e\n" "${w[@]}"
	done | sort
}

# missing A B WHAT: the lines of A not in B, said as WHAT (both sorted)
# shellcheck disable=SC2317 # called through check and all
missing() {
	: >"$T/err"
	comm -23 "$1" "$2" | sed "s|^|$3: |" >"$T/out"
	[ ! -s "$T/out" ]
}

# --- each page ---------------------------------------------------------------------
command -v groff >/dev/null || {
	echo "not ok - man: groff is missing (scripts/deps.sh test installs groff-base)"
	exit 1
}
for a in modbox $applets; do
	p=$top/man/$a.8
	rc=
	: >"$T/out"
	check "man: $a.8 exists" [ -r "$p" ]
	[ -r "$p" ] || continue
	groff -ww -z -man "$p" >"$T/err" 2>&1
	rc=$?
	check "man: $a.8 formats without warnings" all 'rc_is 0 && err_empty'
	# the required ones among its sections, in its order (others may come between)
	got=$(sed -n 's/^\.SH //p' "$p" | tr -d '"' | grep -xE "$sections" | paste -sd'|')
	echo "$got" >"$T/out"
	check "man: $a.8 has kmod's sections in order" [ "$got" = "$sections" ]
	check "man: $a.8 is named $a in NAME" grep -qx "$a \\\\- .*" <(sed -n '/^\.SH NAME/{n;p}' "$p")
	[ "$a" = modbox ] && continue
	table_opts "$a" >"$T/table"
	page_opts "$p" >"$T/page"
	cp "$T/table" "$T/out"
	check "man: $a's table has one long name (or \"\") per option letter" \
		eval '! grep -qx count "$T/table" || { echo "OPT_LONGS() of applets/$a.c: not one name per letter" >"$T/err"; false; }'
	sed -i '/^count$/d' "$T/table"
	check "man: $a.8 documents every option $a accepts" missing "$T/table" "$T/page" "not in $a.8"
	check "man: $a.8 documents only options $a accepts" missing "$T/page" "$T/table" "not in applets/$a.c"
	completion_words "$a" >"$T/compl"
	table_words <"$T/table" >"$T/words"
	check "completion: $a's options are its table's" all \
		'missing "$T/words" "$T/compl" "not completed" && missing "$T/compl" "$T/words" "not accepted"'
done

# modbox's own options: the strings main.c compares its first argument with
grep -o '"--[a-z]*"' "$top/applets/main.c" | tr -d '"' | sort -u >"$T/table"
page_opts "$top/man/modbox.8" >"$T/page"
check "man: modbox.8 documents exactly modbox's options" all \
	'missing "$T/table" "$T/page" "not in modbox.8" && missing "$T/page" "$T/table" "not in main.c"'
for a in $applets; do
	grep -q "APPLET($a)" "$top/applets/applets.h" || echo "$a"
done >"$T/err"
check "man: a page for every applet of applets.h" err_empty

# --- completion --------------------------------------------------------------------
V=$(uname -r)
M=$T/tree/lib/modules/$V
mkdir -p "$M" "$T/tree/lib/modules/9.9" "$T/tree/proc" "$T/files/sub" "$T/bin"
printf '%s\n' "kernel/fs/vfat.ko.xz: kernel/fs/fat.ko.xz" "kernel/fs/fat.ko.xz:" \
	"kernel/drivers/net/dummy.ko:" >"$M/modules.dep"
echo kernel/fs/ext4.ko >"$M/modules.builtin"
printf '%s\n' "fat 86016 1 vfat, Live 0x0" "vfat 24576 0 - Live 0x0" >"$T/tree/proc/modules"
touch "$T/files/a.ko" "$T/files/b.ko.xz" "$T/files/c.txt"
printf '#!/bin/sh\nprintf "insmod\\nlsmod\\n"\n' >"$T/bin/modbox"
chmod +x "$T/bin/modbox"

# cpl WORD... : COMPREPLY for the last word, sorted, on one line, into $T/out
cpl() {
	(
		cd "$T" || exit 1
		export MODBOX_COMPLETION_ROOT=$T/tree
		# shellcheck source=../../completion/modbox.bash
		. "$top/completion/modbox.bash" || exit 1
		COMP_WORDS=("$@")
		COMP_CWORD=$(($# - 1))
		_modbox "$1" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]:-}"
		printf '%s\n' "${COMPREPLY[@]}" | sort | paste -sd' '
	) >"$T/out" 2>"$T/err"
	rc=$?
}
cpl modprobe ''
check "completion: modprobe completes the index's module names" out_is "dummy fat vfat"
cpl modbox modprobe v
check "completion: modbox modprobe as modprobe" out_is "vfat"
cpl modprobe -r ''
check "completion: modprobe -r completes the loaded modules" out_is "fat vfat"
cpl modprobe vfat ''
check "completion: nothing after modprobe's module (its parameters)" out_is ""
cpl modprobe -S 9.9 ''
check "completion: modprobe -S VERSION reads that version's index" out_is ""
cpl modprobe -S ''
check "completion: -S completes the tree's kernel versions" out_is "$(printf '%s\n' "$V" 9.9 | sort | paste -sd' ')"
cpl modprobe --show-d
check "completion: long options" out_is "--show-depends"
cpl rmmod ''
check "completion: rmmod completes /proc/modules" out_is "fat vfat"
cpl modinfo e
check "completion: modinfo completes builtin modules too" out_is "ext4"
cpl insmod files/
check "completion: insmod completes module files and directories" out_is "files/a.ko files/b.ko.xz files/sub"
cpl lsmod -
check "completion: lsmod's options" out_is "--help --version -V -h"
cpl "$T/bin/modbox" ''
check "completion: modbox completes the applets it was built with" out_is "--help --list insmod lsmod"
cpl modbox nosuch ''
check "completion: nothing for an unknown applet" all 'rc_is 0 && out_is ""'

exit $failed
