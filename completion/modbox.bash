# modbox.bash: bash completion for modbox and its applets (insmod, rmmod, lsmod,
# modprobe, modinfo, depmod, coldplug), as `modbox APPLET ...` or by the applet's
# name: options, module names from the index or /proc/modules, module files.
# MODBOX_COMPLETION_ROOT stands for / when set (the tests point it at a fake tree).

# _modbox_options APPLET: the options APPLET accepts, "=" after those that take an
# argument. tests/cli/man.sh holds these lists to the applet's option table.
_modbox_options() {
	case $1 in
	insmod) echo "-f --force -s --syslog -p -h --help -V --version" ;;
	rmmod) echo "-f --force -s --syslog -v --verbose -w --wait -h --help -V --version" ;;
	lsmod) echo "-h --help -V --version" ;;
	modprobe)
		echo "-a --all -r --remove -w= --wait= -R --resolve-alias -i --ignore-install" \
			"-b --use-blacklist -f --force -D --show-depends -c --show-config" \
			"-n --dry-run -C= --config= -d= --dirname= -S= --set-version= -s --syslog" \
			"-q --quiet -v --verbose -V --version -h --help --first-time" \
			"--remove-holders --force-vermagic --force-modversion --showconfig" \
			"--ignore-remove --show-modversions --dump-modversions"
		;;
	modinfo)
		echo "-a --author -d --description -l --license -p --parameters -n --filename" \
			"-0 --null -m --modname -F= --field= -k= --set-version= -b= --basedir=" \
			"-V --version -h --help"
		;;
	depmod)
		echo "-a --all -A --quick -b= --basedir= -C= --config= -E= --symvers=" \
			"-F= --filesyms= -e --errsyms -m= --moduledir= -n --show -o= --outdir=" \
			"-P= --symbol-prefix= -w --warn -v --verbose -V --version -h --help" \
			"-u --unresolved-error -q --quiet -r --root"
		;;
	coldplug) echo "-n -q -v -j= -t= -C= -d= -S= -V --version -h --help" ;;
	*) return 1 ;;
	esac
}

# _modbox_modules DIR: the names of the modules in DIR/modules.dep (and, with a second
# argument, of the builtin ones in DIR/modules.builtin)
_modbox_modules() {
	local f=$1/modules.dep
	[ -n "${2:-}" ] && [ -r "$1/modules.builtin" ] && f="$f $1/modules.builtin"
	# shellcheck disable=SC2086 # f: one or two file names without spaces
	sed -e 's/:.*//' -e 's|.*/||' -e 's/\.ko\(\.[a-z]*\)\{0,1\}$//' $f 2>/dev/null
}

# _modbox_files CUR: the module files (.ko, .ko.gz, .ko.xz, .ko.zst) and directories
# whose names start with CUR, into COMPREPLY
_modbox_files() {
	local f
	compopt -o filenames 2>/dev/null
	while IFS= read -r f; do
		case $f in
		*.ko | *.ko.gz | *.ko.xz | *.ko.zst) COMPREPLY+=("$f") ;;
		*) [ -d "$f" ] && COMPREPLY+=("$f") ;;
		esac
	done < <(compgen -f -- "$1")
}

_modbox() {
	local cur=${COMP_WORDS[COMP_CWORD]} prev='' applet=${1##*/} first=1 opts w k
	local root=${MODBOX_COMPLETION_ROOT:-} proc=${MODBOX_COMPLETION_ROOT:-} kver=
	local operands=0 every='' remove=''
	COMPREPLY=()
	if [[ $applet == modbox* ]]; then
		if ((COMP_CWORD == 1)); then
			w=$("$1" --list 2>/dev/null) ||
				w="insmod rmmod lsmod modprobe modinfo depmod coldplug"
			mapfile -t COMPREPLY < <(compgen -W "$w --list --help" -- "$cur")
			return 0
		fi
		applet=${COMP_WORDS[1]}
		first=2
	fi
	opts=$(_modbox_options "$applet") || return 0
	# "--opt=VALUE" is split at "=" by readline
	if [ "$cur" = = ]; then
		cur=
		prev=${COMP_WORDS[COMP_CWORD - 1]}
	elif ((COMP_CWORD > first)); then
		prev=${COMP_WORDS[COMP_CWORD - 1]}
		[ "$prev" = = ] && ((COMP_CWORD > first + 1)) && prev=${COMP_WORDS[COMP_CWORD - 2]}
	fi
	# what the words before say: the tree, the kernel version, operands so far
	for ((k = first; k < COMP_CWORD; k++)); do
		w=${COMP_WORDS[k]}
		if [[ " $opts " == *" $w= "* ]]; then # its argument is the next word
			((k + 1 < COMP_CWORD)) || break
			[ "${COMP_WORDS[k + 1]}" = = ] && ((k++))
			case $w in
			-S | -k | --set-version) kver=${COMP_WORDS[k + 1]} ;;
			-d | --dirname | -b | --basedir) root=${COMP_WORDS[k + 1]} ;;
			esac
			((k++))
			continue
		fi
		case $w in
		-a | --all) every=1 ;;
		-r | --remove) remove=1 ;;
		-* | =) ;;
		*) ((operands++)) ;;
		esac
	done
	[ -n "$kver" ] || kver=$(uname -r)
	w=$prev
	[[ " $opts " == *" $prev= "* ]] || w= # an option's argument is completed
	case $w in
	-C | --config | -E | --symvers | -F | --filesyms)
		if [ "$applet" = modinfo ]; then
			mapfile -t COMPREPLY < <(compgen -W "alias author depends description
				filename firmware intree license name parm retpoline signature
				signer sig_hashalgo sig_id sig_key softdep srcversion vermagic
				version weakdep" -- "$cur")
		else
			compopt -o filenames 2>/dev/null
			mapfile -t COMPREPLY < <(compgen -f -- "$cur")
		fi
		return 0
		;;
	-d | --dirname | -b | --basedir | -o | --outdir | -m | --moduledir)
		compopt -o filenames 2>/dev/null
		mapfile -t COMPREPLY < <(compgen -d -- "$cur")
		return 0
		;;
	-S | -k | --set-version)
		mapfile -t COMPREPLY < <(compgen -W "$(ls "$root/lib/modules" 2>/dev/null)" -- "$cur")
		return 0
		;;
	?*) return 0 ;; # a number or a character
	esac
	if [[ $cur == -* ]]; then
		mapfile -t COMPREPLY < <(compgen -W "${opts//=/}" -- "$cur")
		return 0
	fi
	case $applet in
	insmod) ((operands)) || _modbox_files "$cur" ;;
	rmmod) mapfile -t COMPREPLY < <(compgen -W "$(sed 's/ .*//' "$proc/proc/modules" 2>/dev/null)" -- "$cur") ;;
	modprobe)
		((operands == 0)) || [ -n "$every$remove" ] || return 0
		if [ -n "$remove" ]; then
			w=$(sed 's/ .*//' "$proc/proc/modules" 2>/dev/null)
		else
			w=$(_modbox_modules "$root/lib/modules/$kver")
		fi
		mapfile -t COMPREPLY < <(compgen -W "$w" -- "$cur")
		;;
	modinfo)
		if [[ $cur == */* || $cur == .* ]]; then
			_modbox_files "$cur"
		else
			mapfile -t COMPREPLY < <(compgen -W "$(_modbox_modules "$root/lib/modules/$kver" builtin)" -- "$cur")
		fi
		;;
	depmod)
		if ((operands == 0)); then
			mapfile -t COMPREPLY < <(compgen -W "$(ls "$root/lib/modules" 2>/dev/null)" -- "$cur")
		else
			_modbox_files "$cur"
		fi
		;;
	coldplug)
		compopt -o filenames 2>/dev/null
		mapfile -t COMPREPLY < <(compgen -d -- "$cur")
		;;
	esac
	return 0
}
complete -F _modbox modbox insmod rmmod lsmod modprobe modinfo depmod coldplug
