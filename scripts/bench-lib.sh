# bench-lib.sh: what every part of `make bench` shares (sourced by scripts/bench.sh):
# number formatting, stopping processes, and the per-hit measurement with its
# table, so that every per-hit row of every section is measured and computed
# the same way.
# shellcheck shell=bash

# ------------------------------------------------------------------ numbers --
now_ns() { date +%s%N; }

log() { printf '[bench %4ds] %s\n' $(($(date +%s) - T_START)) "$*" >&2; }

median() { # numbers... -> median (empty if none)
	(($#)) || return 0
	printf '%s\n' "$@" | sort -g | awk '{a[NR] = $1} END {
		if (NR % 2) print a[(NR + 1) / 2]; else printf "%.3f\n", (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}

fmt_s() { # seconds -> "0.27 s" / "12.3 s" / "115 s"
	awk -v s="$1" 'BEGIN { if (s < 10) printf "%.2f s", s; else if (s < 100) printf "%.1f s", s; else printf "%.0f s", s }'
}

ratio() { # a b -> "a/b" as "39x", "2.3x"
	awk -v a="$1" -v b="$2" 'BEGIN { if (b <= 0) print "-"; else if (a / b < 10) printf "%.1fx", a / b; else printf "%.0fx", a / b }'
}

ratio2() { # a b -> "a/b" as "1.04x": for goals of a few percent
	awk -v a="$1" -v b="$2" 'BEGIN { if (b <= 0) print "-"; else printf "%.2fx", a / b }'
}

fmt_x() { [[ -n $1 ]] && printf '%.2f' "$1" || printf -- -; } # a ratio, 2 decimals ("-": none)

fmt_mb() { awk -v k="$1" 'BEGIN { printf "%.1f MB", k / 1024 }'; }

thousands() { # 12345 -> 12,345 (whatever the locale)
	printf '%s' "$1" | sed -E ':a; s/^([0-9]+)([0-9]{3})/\1,\2/; ta'
}

thousands_in() { # group every number in a string
	printf '%s' "$1" | sed -E ':a; s/(^|[^0-9,.])([0-9]+)([0-9]{3})/\1\2,\3/; ta'
}

saw() { # the counts a tracer reported per run -> one short cell
	if (($# == 0)) || [[ -z $(printf '%s' "$@") ]]; then
		return # nothing counted (--noop), or not a counting tracer
	elif [[ $(printf '%s\n' "$@" | sort -u | wc -l) -eq 1 ]]; then
		if (($# > 1)); then
			printf '%s (each of %d runs)' "$(thousands_in "$1")" $#
		else
			thousands_in "$1"
		fi
	else
		local x out=
		for x in "$@"; do out+="$(thousands_in "$x"); "; done
		printf '%s' "${out%; }"
	fi
}

first_error() { # FILE -> first line that looks like an error, trimmed
	grep -v -e 'RLIMIT_MEMLOCK' -e '^Attaching' -e '^Tracing' "$1" |
		grep -m1 -i -E 'error|errno|too many|failed|cannot|unable|exception|denied|no such|unknown|invalid' |
		cut -c1-90 | sed 's/|/\\|/g'
}

have() { command -v "$1" >/dev/null 2>&1; }

# kernel.bpf_stats_enabled makes the kernel time every BPF program run (two
# clock reads a hit, tens of ns here): off while wall times are measured,
# the old value back at exit (bpf_stats_restore, from cleanup). BPF_STATS_NOTE
# says what was done, for the report.
BPF_STATS_WAS= BPF_STATS_NOTE=
bpf_stats_off() {
	local now
	BPF_STATS_WAS=$(sysctl -n kernel.bpf_stats_enabled 2>/dev/null) || return 0
	[[ $BPF_STATS_WAS == 0 ]] && { log "kernel.bpf_stats_enabled is 0 (as it must be for wall times)"; return 0; }
	sysctl -qw kernel.bpf_stats_enabled=0 2>/dev/null
	now=$(sysctl -n kernel.bpf_stats_enabled 2>/dev/null)
	if [[ $now == 0 ]]; then
		BPF_STATS_NOTE="kernel.bpf_stats_enabled was $BPF_STATS_WAS: set to 0 for the run (BPF run-time stats add to every hit), restored at exit"
	else
		BPF_STATS_NOTE="kernel.bpf_stats_enabled is $now and could not be set to 0 (another process holds BPF_ENABLE_STATS?): every hit below includes the kernel's BPF run-time accounting"
	fi
	log "$BPF_STATS_NOTE"
}
bpf_stats_restore() {
	[[ -n $BPF_STATS_WAS && $BPF_STATS_WAS != 0 ]] && sysctl -qw kernel.bpf_stats_enabled="$BPF_STATS_WAS" 2>/dev/null
	return 0
}

# ---------------------------------------------------------------- processes --
stop_pid() { # PID [SIGNAL [WAIT]]: signal it, wait up to WAIT s (BOUND), then KILL
	stop_pids "${2:-INT}" "${3:-$BOUND}" "$1"
}

# stop_pids SIGNAL WAIT PID...: signal them all at once (each once: a second
# SIGINT can cut bcc's final print short), wait up to WAIT s for all, KILL the rest.
stop_pids() {
	local sig=$1 wait_s=$2 pid live=() i j
	shift 2
	for pid in "$@"; do
		if kill -0 "$pid" 2>/dev/null; then
			kill -"$sig" "$pid" 2>/dev/null
			live+=("$pid")
		else
			wait "$pid" 2>/dev/null
		fi
	done
	for ((i = 0; i < wait_s * 10 && ${#live[@]}; i++)); do
		for j in "${!live[@]}"; do
			kill -0 "${live[$j]}" 2>/dev/null || unset "live[$j]"
		done
		((${#live[@]})) && sleep 0.1
	done
	for pid in "${live[@]}"; do kill -KILL "$pid" 2>/dev/null; done
	for pid in "$@"; do wait "$pid" 2>/dev/null; done
	return 0
}

forget_pid() { # drop PID from BG_PIDS
	local p keep=()
	for p in "${BG_PIDS[@]}"; do [[ $p == "$1" ]] || keep+=("$p"); done
	BG_PIDS=("${keep[@]}")
}

# wait_ready PATTERN PID FILE...: until PATTERN appears in a FILE (or PID dies, or 60 s)
wait_ready() {
	local pat=$1 pid=$2 i
	shift 2
	for ((i = 0; i < 600; i++)); do
		grep -q -- "$pat" "$@" 2>/dev/null && return 0
		kill -0 "$pid" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}

# ------------------------------------------- what a tracer counted, per kind --
# Each reads $TR.out and $TR.err (TR: $TMP/tr unless set, see tracer_spawn)
# after the tracer stopped and prints one short cell (empty when nothing was
# found). $1: the probed function.
seen_uscope() { # --count tables (also --by), or a histogram's "count N"
	local n lost
	n=$(awk -v f="$1" '$1 == f && $2 == "entry" { s += $NF; hit = 1 } END { if (hit) print s }' "${TR:-$TMP/tr}.out")
	[[ -z $n ]] && n=$(sed -nE "s/^$1 \\(entry\\).* count ([0-9]+).*/\\1/p" "${TR:-$TMP/tr}.out" | head -n1)
	lost=$(sed -nE 's/^Stacks: ([0-9]+) hits without a stack.*/\1/p' "${TR:-$TMP/tr}.err" "${TR:-$TMP/tr}.out" | head -n1)
	printf '%s%s' "$n" "${lost:+, $lost without a stack}"
}
seen_uscope_events() {
	sed -nE 's/^Summary: ([0-9]+) hits, ([0-9]+) events printed, ([0-9]+) lost.*/\1 hits, \3 lost/p' "${TR:-$TMP/tr}.err"
}
seen_bpftrace() { # @: N, @[k]: N, multi-line keys "]: N", or hist buckets
	awk '/^(@[^:]*|\]): [0-9]+$/ { s += $NF; hit = 1 }
	     /^\[[^]]*[])] +[0-9]+ +\|/ { sub(/^\[[^]]*[])] +/, ""); b += $1; hb = 1 }
	     END { if (hit) print s; else if (hb) print b }' "${TR:-$TMP/tr}.out"
}
seen_bpftrace_lines() { # printf: one line per hit
	grep -cv -e '^Attaching' -e '^$' "${TR:-$TMP/tr}.out"
}
seen_funccount() { awk -v f="$1" '$1 == f { print $2 }' "${TR:-$TMP/tr}.out"; }
seen_bcc_trace() { # one line per event, starting with PID TID; lost samples reported apart
	local n lost
	n=$(grep -cE '^ *[0-9]+ +[0-9]+ ' "${TR:-$TMP/tr}.out")
	lost=$(sed -nE 's/.*[Ll]ost ([0-9]+) samples.*/\1/p' "${TR:-$TMP/tr}.out" "${TR:-$TMP/tr}.err" | awk '{ s += $1 } END { if (s) print s }')
	printf '%s events%s' "$n" "${lost:+, $lost lost}"
}
seen_argdist() { # -C "COUNT EVENT" lines or -H "lo -> hi : count" buckets, over every interval
	awk '/^\t *[0-9]+ / { s += $1; hit = 1 }
	     / -> .* : +[0-9]+ / { for (i = 1; i <= NF; i++) if ($i == ":") { s += $(i + 1); hit = 1 } }
	     END { if (hit) print s }' "${TR:-$TMP/tr}.out"
}
seen_stackcount() { awk '/^ +[0-9]+$/ { s += $1; hit = 1 } END { if (hit) print s }' "${TR:-$TMP/tr}.out"; }
seen_none() { :; }

# tracer_spawn CMD...: CMD in the background (TRACER_PID), its output in
# $TR.out (/dev/null with CC_QUIET=1) and $TR.err; TR is $TMP/tr unless set
# (two tracers at once need two).
tracer_spawn() {
	local tr=${TR:-$TMP/tr} out
	out=$tr.out
	: >"$tr.out"
	: >"$tr.err"
	[[ ${CC_QUIET:-0} == 1 ]] && out=/dev/null
	# A background job of a script starts with SIGINT ignored, and Python
	# (bcc) then never installs its handler: restore the default first.
	env --default-signal=INT "$@" >"$out" 2>"$tr.err" &
	TRACER_PID=$!
	BG_PIDS+=("$TRACER_PID")
}

# tracer_ready READY PID: until the tracer PID (spawned with the same TR)
# prints READY; 1, with TRACER_ERR, and the tracer stopped, when it never does.
tracer_ready() {
	local tr=${TR:-$TMP/tr}
	wait_ready "$1" "$2" "$tr.err" "$tr.out" && return 0
	TRACER_ERR="tracer did not start: $(first_error "$tr.err")"
	stop_pid "$2" INT
	forget_pid "$2"
	return 1
}

# tracer_start READY CMD...: tracer_spawn, then tracer_ready, plus 0.5 s
# (bpftrace prints "Attaching" before it attaches).
tracer_start() {
	local ready=$1
	shift
	tracer_spawn "$@"
	tracer_ready "$ready" "$TRACER_PID" || return 1
	sleep 0.5
}

# ------------------------------------------------------- cost per probed call --
# call_cost KEY READY SEEN FUNC CMD...: median ns/call of `$CC_TARGET $CC_ITER`
# while CMD traces FUNC (CMD empty: no probe, `$CC_TARGET $CC_ITER_BASE`). READY:
# what CMD prints once attached. SEEN: seen_* above, for "the tracer counted".
# CC_RUNS runs, a new tracer each; CC_QUIET=1 sends CMD's stdout to /dev/null;
# CC_DURING (a command) runs in the background while the target runs;
# CC_LINGER=S waits S seconds after the target before stopping the tracer (for
# tools that print only at intervals); CC_BASE is the no-probe row KEY is
# compared with (BASE_OF[KEY]).
# Results: NS[KEY], RANGE[KEY], HITS[KEY], NOTE_B[KEY].
declare -A NS HITS NOTE_B RANGE
TRACER_PID=
call_cost() {
	local key=$1 ready=$2 seen=$3 func=$4 i v iter=$CC_ITER vals=() hits=() dpid=
	shift 4
	(($#)) && [[ -n ${CC_BASE:-} ]] && BASE_OF[$key]=$CC_BASE
	for ((i = 0; i < CC_RUNS; i++)); do
		if (($#)); then
			if ! tracer_start "$ready" "$@"; then
				NOTE_B[$key]=$TRACER_ERR
				log "${key#*|}: tracer did not start"
				return 1
			fi
		else
			iter=$CC_ITER_BASE
		fi
		if [[ -n ${CC_DURING:-} ]]; then
			bash -c "$CC_DURING" >/dev/null 2>&1 &
			dpid=$!
		fi
		# shellcheck disable=SC2086 # CC_TARGET is "BINARY MODE"
		v=$(timeout 120 $CC_TARGET "$iter" | sed -n 's/^ns_per_call //p')
		[[ -n $dpid ]] && { kill "$dpid" 2>/dev/null; wait "$dpid" 2>/dev/null; dpid=; }
		if (($#)); then
			[[ -n ${CC_LINGER:-} ]] && sleep "$CC_LINGER"
			# A tracer still printing a backlog of events (bcc trace) is cut
			# short: what it printed by then is what it counted.
			stop_pid "$TRACER_PID" INT 20
			forget_pid "$TRACER_PID"
			hits+=("$("$seen" "$func")")
		fi
		[[ -n $v ]] && vals+=("$v")
		log "${key#*|} run $((i + 1))/$CC_RUNS: ${v:-?} ns/call${hits:+ (tracer saw ${hits[-1]:-?})}"
	done
	NS[$key]=$(median "${vals[@]}")
	RANGE[$key]=$(printf '%s\n' "${vals[@]}" | sort -g | awk 'NR == 1 { lo = $1 } { hi = $1 } END { if (NR) printf (hi < 100 ? "%.1f-%.1f" : "%.0f-%.0f"), lo, hi }')
	HITS[$key]=$(saw "${hits[@]}")
}

# ------------------------------------------- two tracers at once, on twins --
# pair_cost KEY X Y: tracer X on one function of a pair and tracer Y on its
# twin, both attached at once while `$CC_TARGET $CC_ITER` (ctx pair|strpair)
# calls the two in alternating blocks and times each apart: the machine's
# noise falls on both alike, so the ratio of their overheads holds to ~2%
# where separate runs scatter by 10-15%. X and Y name arrays (READY SEEN
# CMD...): what the tracer prints once attached, its seen_*, and its command,
# in which @FN@ stands for the function it probes. PC_FUNCS="A B": the pair's
# two functions. An even run (0, 2, ..) puts X on A and Y on B, an odd one the
# other way round, so that a bias of either position cancels in the median
# (CC_RUNS even) and shows in PRATIO_A / PRATIO_B; runs 2-3 (0-based) start Y
# before X, in case the first to attach pays more. CC_LINGER as in call_cost;
# CC_BASE: the no-probe row of the same mode (NS[], from call_cost), over
# which both overheads are taken.
# Results: PRATIO[KEY] median of the runs' (X - base) / (Y - base), PRANGE[KEY]
# its min-max, PRATIO_A / PRATIO_B[KEY] the medians of the runs with X on A / on
# B, PNS_X / PNS_Y[KEY] each side's median ns/call, PHITS_X / PHITS_Y[KEY] what
# each tracer counted, NOTE_B[KEY] when a tracer did not start.
declare -A PRATIO PRANGE PRATIO_A PRATIO_B PNS_X PNS_Y PHITS_X PHITS_Y
pair_cost() {
	local key=$1 i fa fb fx fy pos out vx vy r base=
	local -n spec_x=$2 spec_y=$3
	local rs=() ra=() rb=() xs=() ys=() hx=() hy=() cx=() cy=() px py
	read -r fa fb <<<"$PC_FUNCS"
	[[ -n ${CC_BASE:-} ]] && base=${NS[$CC_BASE]:-}
	[[ -n $base ]] || { NOTE_B[$key]="no base (${CC_BASE:-?} not measured)"; return 1; }
	for ((i = 0; i < CC_RUNS; i++)); do
		# PC_FIXED=1: X always on A (the twins differ on purpose, e.g. CET and not).
		if ((i % 2)) && [[ ${PC_FIXED:-0} != 1 ]]; then fx=$fb fy=$fa pos=B; else fx=$fa fy=$fb pos=A; fi
		cx=("${spec_x[@]:2}") cy=("${spec_y[@]:2}")
		# Runs 2-3 (of 4) start Y first: neither tracer always attaches first.
		if ((i / 2 % 2)); then
			TR=$TMP/try tracer_spawn "${cy[@]//@FN@/$fy}"
			py=$TRACER_PID
			TR=$TMP/trx tracer_spawn "${cx[@]//@FN@/$fx}"
			px=$TRACER_PID
		else
			TR=$TMP/trx tracer_spawn "${cx[@]//@FN@/$fx}"
			px=$TRACER_PID
			TR=$TMP/try tracer_spawn "${cy[@]//@FN@/$fy}"
			py=$TRACER_PID
		fi
		if ! TR=$TMP/trx tracer_ready "${spec_x[0]}" "$px" || ! TR=$TMP/try tracer_ready "${spec_y[0]}" "$py"; then
			NOTE_B[$key]="$([[ -d /proc/$px ]] && echo Y || echo X) $TRACER_ERR"
			stop_pids INT 20 "$px" "$py"
			forget_pid "$px"
			forget_pid "$py"
			log "${key}: ${NOTE_B[$key]}"
			return 1
		fi
		sleep 0.5 # bpftrace prints "Attaching" before it attaches
		# shellcheck disable=SC2086 # CC_TARGET is "BINARY MODE"
		out=$(timeout 120 $CC_TARGET "$CC_ITER")
		[[ -n ${CC_LINGER:-} ]] && sleep "$CC_LINGER"
		stop_pids INT 20 "$px" "$py"
		forget_pid "$px"
		forget_pid "$py"
		hx+=("$(TR=$TMP/trx "${spec_x[1]}" "$fx")")
		hy+=("$(TR=$TMP/try "${spec_y[1]}" "$fy")")
		vx=$(sed -n "s/^ns_per_call_${pos,} //p" <<<"$out")
		vy=$(sed -n "s/^ns_per_call_$([[ $pos == A ]] && echo b || echo a) //p" <<<"$out")
		r=$(awk -v x="$vx" -v y="$vy" -v b="$base" 'BEGIN { if (x != "" && y - b > 0) printf "%.4f", (x - b) / (y - b) }')
		if [[ -n $r ]]; then
			rs+=("$r") xs+=("$vx") ys+=("$vy")
			if [[ $pos == A ]]; then ra+=("$r"); else rb+=("$r"); fi
		fi
		log "$key run $((i + 1))/$CC_RUNS (X on $fx, $( ((i / 2 % 2)) && echo Y || echo X) started first): X ${vx:-?}, Y ${vy:-?} ns/call, overheads ${r:-?}x (X saw ${hx[-1]:-?}, Y saw ${hy[-1]:-?}; $(sed -n 's/^dropped_blocks //p' <<<"$out") block pairs dropped)"
	done
	PRATIO[$key]=$(median "${rs[@]}")
	PRANGE[$key]=$(printf '%s\n' "${rs[@]}" | sort -g | awk 'NR == 1 { lo = $1 } { hi = $1 } END { if (NR) printf "%.2f-%.2f", lo, hi }')
	PRATIO_A[$key]=$(median "${ra[@]}")
	PRATIO_B[$key]=$(median "${rb[@]}")
	PNS_X[$key]=$(median "${xs[@]}")
	PNS_Y[$key]=$(median "${ys[@]}")
	PHITS_X[$key]=$(saw "${hx[@]}")
	PHITS_Y[$key]=$(saw "${hy[@]}")
}

# pair_table KEY...: one row a pair_cost KEY ("X vs Y"); PAIR_MAX[KEY] is its
# goal (X's overhead at most MAX times Y's), judged on the median ratio.
declare -A PAIR_MAX
pair_table() {
	local key goal x2
	echo "| X | Y (on the twin, at the same time) | X's overhead / Y's | min-max | X on A / X on B | X ns/call | Y ns/call | target (from the issue) | X counted | Y counted |"
	echo "|---|---|---:|---:|---:|---:|---:|---|---|---|"
	for key in "$@"; do
		x2=${key%% vs *}
		if [[ -z ${PRATIO[$key]:-} ]]; then
			[[ -n ${NOTE_B[$key]:-} ]] && printf '| %s | %s | %s | | | | | | | |\n' "$x2" "${key#* vs }" "${NOTE_B[$key]}"
			continue
		fi
		goal=
		[[ -n ${PAIR_MAX[$key]:-} ]] && goal="≤ ${PAIR_MAX[$key]}x: $(awk -v r="${PRATIO[$key]}" -v m="${PAIR_MAX[$key]}" \
			'BEGIN { print r <= m ? "**met**" : "**not met**" }')"
		printf '| %s | %s | %.2fx | %s | %s / %s | %.0f | %.0f | %s | %s | %s |\n' "$x2" "${key#* vs }" "${PRATIO[$key]}" \
			"${PRANGE[$key]}" "$(fmt_x "${PRATIO_A[$key]}")" "$(fmt_x "${PRATIO_B[$key]}")" \
			"${PNS_X[$key]}" "${PNS_Y[$key]}" "$goal" "${PHITS_X[$key]:--}" "${PHITS_Y[$key]:--}"
	done
}

# overhead KEY BASEKEY -> ns over no probe (empty if either is missing)
overhead() {
	[[ -n ${NS[$1]:-} && -n ${NS[$2]:-} ]] || return 0
	awk -v a="${NS[$1]}" -v b="${NS[$2]}" 'BEGIN { printf "%.1f", a - b }'
}

# ---------------------------------------------------- targets, and whether met --
# TARGET_OF[KEY] is a list of goals, one a line, each "OTHER MAX": the
# overhead of KEY over its no-probe run is at most MAX times OTHER's overhead
# over its own (BASE_OF[OTHER]). NAME_OF[KEY] is how OTHER is called in the cell.
declare -A TARGET_OF BASE_OF NAME_OF

judge() { # KEY -> "measured vs target: met/not met" cells, one per goal, "<br>"-joined
	local key=$1 goal other max a b out= r ok
	local goals=()
	[[ -n ${TARGET_OF[$key]:-} ]] && mapfile -t goals <<<"${TARGET_OF[$key]}"
	for goal in "${goals[@]}"; do
		other=${goal% *}
		max=${goal##* }
		a=$(overhead "$key" "${BASE_OF[$key]}")
		b=$(overhead "$other" "${BASE_OF[$other]:-}")
		if [[ -z $a || -z $b ]]; then
			out+="${out:+<br>}≤ ${max}x ${NAME_OF[$other]:-$other}: not measured"
			continue
		fi
		r=$(ratio2 "$a" "$b")
		ok=$(awk -v a="$a" -v b="$b" -v m="$max" 'BEGIN { print (b > 0 && a <= m * b) ? "**met**" : "**not met**" }')
		out+="${out:+<br>}${r} ${NAME_OF[$other]:-$other} (target ≤ ${max}x): $ok"
	done
	printf '%s' "$out"
}

# hit_table FLOORKEY KEY...: the per-hit rows of one section. Each KEY's
# BASE_OF is its no-probe row, and FLOOR_OF[that row] the floor it is divided
# by (FLOORKEY when unset).
declare -A FLOOR_OF
hit_table() {
	local floor=$1 key ns ov fov fl
	shift
	echo "| configuration | ns/call | min-max | overhead over no probe | overhead / floor's | target (from the issue) | the tracer counted |"
	echo "|---|---:|---:|---:|---:|---|---|"
	for key in "$@"; do
		[[ $key == - ]] && continue
		ns=${NS[$key]:-}
		if [[ -z $ns ]]; then
			[[ -n ${NOTE_B[$key]:-} ]] && printf '| %s | %s | | | | | |\n' "${key#*|}" "${NOTE_B[$key]}"
			continue
		fi
		if [[ -z ${BASE_OF[$key]:-} ]]; then
			printf '| %s | %.1f | %s | - | - | | - |\n' "${key#*|}" "$ns" "${RANGE[$key]}"
			continue
		fi
		ov=$(overhead "$key" "${BASE_OF[$key]}")
		fl=${FLOOR_OF[${BASE_OF[$key]}]:-$floor}
		fov=$(overhead "$fl" "${BASE_OF[$fl]:-}")
		printf '| %s | %.0f | %s | %.0f ns | %s | %s | %s |\n' "${key#*|}" "$ns" "${RANGE[$key]}" "$ov" \
			"$([[ -n $fov ]] && ratio2 "$ov" "$fov")" "$(judge "$key")" "${HITS[$key]:--}"
	done
}
