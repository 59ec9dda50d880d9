# bash completion for uscope(1): commands, options, --attach modes, and the
# function names of the -x binary (asked of `uscope funcs`, only when a
# probe is being completed and a -x binary is on the line).
_uscope()
{
	local cur prev words cword
	_init_completion 2>/dev/null || {
		cur=${COMP_WORDS[COMP_CWORD]}
		prev=${COMP_WORDS[COMP_CWORD - 1]}
		words=("${COMP_WORDS[@]}")
		cword=$COMP_CWORD
	}
	local cmd=${words[1]}
	local trace_opts="-x --binary -p --pid -c --command --tid --uid --count --latency --args --str --str-len --hex
		-d --duration -i --interval --top --json --attach --ringbuf-size --noop --no-demangle --no-skip-endbr --ret-mode --offset --unsafe-offset
		--stack --stack-depth --stack-size --folded --flamegraph --filter --by --by-max --hist --lhist --metrics --late-room
		-f --follow --cgroup -v --verbose -h --help"

	if ((cword == 1)); then
		COMPREPLY=($(compgen -W "funcs usdt trace --help --version" -- "$cur"))
		return
	fi
	case $cmd in
	funcs)
		[[ $cur == -* ]] && COMPREPLY=($(compgen -W "--json --no-demangle --args --cost --returns -p --pid --help" -- "$cur")) || COMPREPLY=($(compgen -f -- "$cur"))
		return ;;
	usdt)
		[[ $cur == -* ]] && COMPREPLY=($(compgen -W "--json -p --help" -- "$cur")) || COMPREPLY=($(compgen -f -- "$cur"))
		return ;;
	trace) ;;
	*) return ;;
	esac
	case $prev in
	--attach) COMPREPLY=($(compgen -W "auto multi perf nocookie" -- "$cur")); return ;;
	--ret-mode) COMPREPLY=($(compgen -W "auto insn uretprobe" -- "$cur")); return ;;
	-x|--binary) COMPREPLY=($(compgen -f -- "$cur")); return ;;
	-p|--pid) COMPREPLY=($(compgen -W "$(cd /proc && ls -d [0-9]* 2>/dev/null)" -- "$cur")); return ;;
	-c|--command) COMPREPLY=($(compgen -c -- "$cur")); return ;;
	--cgroup) COMPREPLY=($(compgen -d -- "$cur")); return ;;
	--flamegraph) COMPREPLY=($(compgen -f -- "$cur")); return ;;
	--tid|--uid|--args|--str|--str-len|-d|--duration|-i|--interval|--top|--ringbuf-size|--offset|--unsafe-offset|--stack-depth|--stack-size|--filter|--by|--by-max|--hist|--lhist|--metrics|--late-room) return ;;
	esac
	if [[ $cur == --stack=* ]]; then
		COMPREPLY=($(compgen -P --stack= -W "fp dwarf auto" -- "${cur#--stack=}"))
		return
	fi
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$trace_opts" -- "$cur"))
		return
	fi
	# A probe: function names of the first -x binary (cheap: one `uscope funcs`).
	local i bin=
	for ((i = 2; i < cword; i++)); do
		if [[ ${words[i]} == -x || ${words[i]} == --binary ]]; then
			bin=${words[i + 1]}
			break
		fi
	done
	local prefix=
	[[ $cur == ret:* ]] && prefix=ret:
	if [[ -n $bin && $cur != usdt:* ]]; then
		COMPREPLY=($(compgen -P "$prefix" -W "$("${words[0]}" funcs --no-demangle "$bin" 2>/dev/null | awk 'NR > 1 { print $NF }')" -- "${cur#ret:}"))
	fi
}
complete -F _uscope uscope
