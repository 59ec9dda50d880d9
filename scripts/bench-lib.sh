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

fmt_mb() { awk -v k="$1" 'BEGIN { printf "%.1f MB", k / 1024 }'; }

thousands() { # 12345 -> 12,345 (whatever the locale)
	printf '%s' "$1" | sed -E ':a; s/^([0-9]+)([0-9]{3})/\1,\2/; ta'
}

thousands_in() { # group every number in a string
	printf '%s' "$1" | sed -E ':a; s/(^|[^0-9,.])([0-9]+)([0-9]{3})/\1\2,\3/; ta'
}

saw() { # the counts a tracer reported per run -> one short cell
	if (($# == 0)); then
		return
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

# ---------------------------------------------------------------- processes --
stop_pid() { # PID [SIGNAL [WAIT]]: signal it, wait up to WAIT s (BOUND), then KILL
	local pid=$1 sig=${2:-INT} wait_s=${3:-$BOUND} i
	kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null; return 0; }
	kill -"$sig" "$pid" 2>/dev/null
	for ((i = 0; i < wait_s * 10; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$pid" 2>/dev/null; then
		kill -KILL "$pid" 2>/dev/null
	fi
	wait "$pid" 2>/dev/null
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
# Each reads $TMP/tr.out and $TMP/tr.err after the tracer stopped and prints
# one short cell (empty when nothing was found). $1: the probed function.
seen_uscope() { # --count tables (also --by), or a histogram's "count N"
	local n lost
	n=$(awk -v f="$1" '$1 == f && $2 == "entry" { s += $NF; hit = 1 } END { if (hit) print s }' "$TMP/tr.out")
	[[ -z $n ]] && n=$(sed -nE "s/^$1 \\(entry\\).* count ([0-9]+).*/\\1/p" "$TMP/tr.out" | head -n1)
	lost=$(sed -nE 's/^Stacks: ([0-9]+) hits without a stack.*/\1/p' "$TMP/tr.err" "$TMP/tr.out" | head -n1)
	printf '%s%s' "$n" "${lost:+, $lost without a stack}"
}
seen_uscope_events() {
	sed -nE 's/^Summary: ([0-9]+) hits, ([0-9]+) events printed, ([0-9]+) lost.*/\1 hits, \3 lost/p' "$TMP/tr.err"
}
seen_bpftrace() { # @: N, @[k]: N, multi-line keys "]: N", or hist buckets
	awk '/^(@[^:]*|\]): [0-9]+$/ { s += $NF; hit = 1 }
	     /^\[[^]]*[])] +[0-9]+ +\|/ { sub(/^\[[^]]*[])] +/, ""); b += $1; hb = 1 }
	     END { if (hit) print s; else if (hb) print b }' "$TMP/tr.out"
}
seen_bpftrace_lines() { # printf: one line per hit
	grep -cv -e '^Attaching' -e '^$' "$TMP/tr.out"
}
seen_funccount() { awk -v f="$1" '$1 == f { print $2 }' "$TMP/tr.out"; }
seen_bcc_trace() { # one line per event, starting with PID TID; lost samples reported apart
	local n lost
	n=$(grep -cE '^ *[0-9]+ +[0-9]+ ' "$TMP/tr.out")
	lost=$(sed -nE 's/.*[Ll]ost ([0-9]+) samples.*/\1/p' "$TMP/tr.out" "$TMP/tr.err" | awk '{ s += $1 } END { if (s) print s }')
	printf '%s events%s' "$n" "${lost:+, $lost lost}"
}
seen_argdist() { # -C "COUNT EVENT" lines or -H "lo -> hi : count" buckets, over every interval
	awk '/^\t *[0-9]+ / { s += $1; hit = 1 }
	     / -> .* : +[0-9]+ / { for (i = 1; i <= NF; i++) if ($i == ":") { s += $(i + 1); hit = 1 } }
	     END { if (hit) print s }' "$TMP/tr.out"
}
seen_stackcount() { awk '/^ +[0-9]+$/ { s += $1; hit = 1 } END { if (hit) print s }' "$TMP/tr.out"; }
seen_none() { :; }

# tracer_start READY CMD...: CMD in the background (TRACER_PID), its output in
# $TMP/tr.out (/dev/null with CC_QUIET=1) and $TMP/tr.err, until it prints
# READY, plus 0.5 s (bpftrace prints "Attaching" before it attaches). 1, with
# TRACER_ERR, when it never does.
tracer_start() {
	local ready=$1 out=$TMP/tr.out
	shift
	: >"$TMP/tr.out"
	: >"$TMP/tr.err"
	[[ ${CC_QUIET:-0} == 1 ]] && out=/dev/null
	# A background job of a script starts with SIGINT ignored, and Python
	# (bcc) then never installs its handler: restore the default first.
	env --default-signal=INT "$@" >"$out" 2>"$TMP/tr.err" &
	TRACER_PID=$!
	BG_PIDS+=("$TRACER_PID")
	if ! wait_ready "$ready" "$TRACER_PID" "$TMP/tr.err" "$TMP/tr.out"; then
		TRACER_ERR="tracer did not start: $(first_error "$TMP/tr.err")"
		stop_pid "$TRACER_PID" INT
		forget_pid "$TRACER_PID"
		return 1
	fi
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
