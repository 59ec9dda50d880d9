# bench-context.sh: what a hit costs when uscope reads context in the kernel
# (issue 12: a filter that rejects, --by comm, --hist, strings), side by side
# with bpftrace 0.17, 0.23.5 and bcc doing the same; whether a filter slows an
# attach to 10,000 functions; and the CET row of issue 14. Sourced by
# scripts/bench.sh, which provides the peers (HAVE_*, BT23), USCOPE, BDIR, TMP.
# shellcheck shell=bash

# peer_cmd TOOL READY ARGS...: PEER_CMD, TOOL's command (bt17, bt23: ARGS is a
# bpftrace program; bcc-*: the bcc tool's arguments), and PEER_READY, what it
# prints once attached (READY, or bpftrace's "Attaching 1 probe"); or 1 and
# PEER_NOTE. BENCH_QUICK runs bpftrace 0.23.5 only, to stay short.
peer_cmd() {
	local tool=$1 ready=$2
	shift 2
	PEER_READY=${ready:-Attaching 1 probe}
	if [[ $QUICK == 1 && $tool != bt23 ]]; then
		PEER_NOTE="not run (BENCH_QUICK=1)"
		return 1
	fi
	case $tool in
	bt17) ((HAVE_BPFTRACE)) || { PEER_NOTE="not installed"; return 1; }
		PEER_CMD=(bpftrace -e "$@") ;;
	bt23) ((HAVE_BT23)) || { PEER_NOTE="not found"; return 1; }
		PEER_CMD=("$BT23" -e "$@") ;;
	bcc-*)
		((HAVE_BCC)) || { PEER_NOTE="not installed"; return 1; }
		[[ -z $BCC_SETUP_ERROR ]] || { PEER_NOTE="error: $BCC_SETUP_ERROR"; return 1; }
		PEER_CMD=("${tool#bcc-}-bpfcc" "$@") ;;
	esac
}

# peer_cost KEY TOOL READY SEEN FUNC ARGS...: call_cost with TOOL's command, or a note.
peer_cost() {
	local key=$1 seen=$4 func=$5
	peer_cmd "$2" "$3" "${@:6}" || { NOTE_B[$key]=$PEER_NOTE; return 0; }
	call_cost "$key" "$PEER_READY" "$seen" "$func" "${PEER_CMD[@]}"
}

# peer_pair KEY X TOOL READY SEEN ARGS...: pair_cost of the spec X against
# TOOL's command (ARGS with @FN@ for the twin it probes), or a note.
peer_pair() {
	local key=$1 x=$2 seen=$5
	local -a peer_spec
	peer_cmd "$3" "$4" "${@:6}" || { NOTE_B[$key]=$PEER_NOTE; return 0; }
	peer_spec=("$PEER_READY" "$seen" "${PEER_CMD[@]}")
	pair_cost "$key" "$x" peer_spec
}

# twins_check BIN A B [A B...]: empty when each twin B has A's code (objdump:
# the same instructions, addresses aside) and both start with `push %rbp`;
# otherwise what differs. A pair of unlike twins would measure the code.
twins_check() {
	local bin=$1 da db
	shift
	while (($# >= 2)); do
		da=$(objdump -d --no-show-raw-insn --disassemble="$1" "$bin" | sed -nE 's/^ +[0-9a-f]+:\t//p' | sed -E 's/[0-9a-f]+ <([^>]*)>/<\1>/')
		db=$(objdump -d --no-show-raw-insn --disassemble="$2" "$bin" | sed -nE 's/^ +[0-9a-f]+:\t//p' | sed -E 's/[0-9a-f]+ <([^>]*)>/<\1>/')
		if [[ -z $da || $da != "$db" ]]; then
			printf '%s and %s differ in %s; ' "$1" "$2" "${bin##*/}"
		elif [[ $da != "push   %rbp"* ]]; then
			printf '%s does not start with push %%rbp; ' "$1"
		fi
		shift 2
	done
}

# bench_context_hits: the per-hit rows of tables 5 (pairs) and 6.
bench_context_hits() {
	local c=$BDIR/ctx cet=$BDIR/ctx-cet
	CC_ITER=$CTX_ITER CC_ITER_BASE=$CTX_ITER_BASE CC_RUNS=$CTX_RUNS
	log "=== context (issue 12): ctx pair $CTX_ITER / strpair $CTX_ITER, two tracers at once"
	bench_context_pairs
	CC_RUNS=$CTX_RUNS

	# Table 6 compares the CET build with these, one tracer at a time.
	log "=== CET (issue 14): ctx-cet loop $CTX_ITER, against ctx loop"
	CC_TARGET="$c loop" CC_BASE="c|no probe (loop)"
	call_cost "c|no probe (loop)" "" seen_none bench_int
	call_cost "c|uscope --noop (floor)" Attached seen_none bench_int "$USCOPE" trace -x "$c" --noop bench_int
	call_cost "c|uscope --count" Attached seen_uscope bench_int "$USCOPE" trace -x "$c" --count bench_int
	CC_TARGET="$cet loop" CC_BASE="e|no probe (ctx-cet)"
	call_cost "e|no probe (ctx-cet)" "" seen_none bench_int
	call_cost "e|uscope --count (ctx-cet: probe moved past endbr64)" Attached seen_uscope bench_int \
		"$USCOPE" trace -x "$cet" --count bench_int
	# single-stepped: ~10-50x dearer a hit, so a tenth of the calls
	CC_ITER=$((CTX_ITER / 10)) call_cost "e|uscope --count --no-skip-endbr (ctx-cet)" Attached seen_uscope bench_int \
		"$USCOPE" trace -x "$cet" --count --no-skip-endbr bench_int
	CC_ITER=$((CTX_ITER / 10)) peer_cost "e|bpftrace 0.23.5 @ = count() (ctx-cet)" bt23 "" seen_bpftrace bench_int "uprobe:$cet:bench_int { @ = count(); }"
	NAME_OF["c|uscope --count"]="the non-CET build's"
	# The goal is judged on the pair: one process, a CET and a non-CET twin, both counted at once.
	log "=== CET (issue 14): ctx-cetpair, --count on the CET twin and on the non-CET twin at once"
	local cp=$BDIR/ctx-cetpair
	local -a cet_x=(Attached seen_uscope "$USCOPE" trace -x "$cp" --count @FN@)
	CC_RUNS=$PAIR_RUNS CC_TARGET="$cp pair" CC_BASE="e|no probe (ctx-cetpair)" PC_FUNCS="bench_int bench_int_b" PC_FIXED=1
	call_cost "e|no probe (ctx-cetpair)" "" seen_none bench_int
	CET_PAIR="uscope --count on the CET twin (probe moved past endbr64) vs uscope --count on the non-CET twin"
	pair_cost "$CET_PAIR" cet_x cet_x
	PAIR_MAX[$CET_PAIR]=1.2
	unset PC_FIXED
	CC_RUNS=$CTX_RUNS
}

# bench_context_pairs: table 5. Every row is uscope (X) on one twin and the
# floor or a peer (Y) on the other, at once (pair_cost); PAIR_MAX is the goal.
# CTX_PAIRS lists the rows in order, for ctx_table.
bench_context_pairs() {
	local c=$BDIR/ctx f=$((CTX_ITER - 100)) k
	local -a u noop cnt filt bycomm hist bystr str0
	CC_RUNS=$PAIR_RUNS
	CTX_KEEP=$f
	CTX_TWINS=$(twins_check "$c" bench_int bench_int_b bench_str bench_str_b)
	[[ -n $CTX_TWINS ]] && log "twins: $CTX_TWINS"
	u=("$USCOPE" trace -x "$c")
	noop=(Attached seen_none "${u[@]}" --noop @FN@)
	cnt=(Attached seen_uscope "${u[@]}" --count @FN@)
	# A filter that rejects all but the last 100 calls: the kept ones prove the probe was there.
	filt=(Attached seen_uscope "${u[@]}" --count --filter "arg0 >= $f" @FN@)
	bycomm=(Attached seen_uscope "${u[@]}" --count --by comm @FN@)
	hist=(Attached seen_uscope "${u[@]}" --hist arg0 @FN@)
	bystr=(Attached seen_uscope "${u[@]}" --count --by 'str(arg0)' @FN@)
	str0=(Attached seen_uscope_events "${u[@]}" --str 0 @FN@)
	CTX_PAIRS=()

	CC_TARGET="$c pair" CC_BASE="p|no probe (pair)" PC_FUNCS="bench_int bench_int_b"
	call_cost "p|no probe (pair)" "" seen_none bench_int
	ctx_pair "uscope --noop vs uscope --noop (the method's own spread)" noop noop
	ctx_pair "uscope --count vs uscope --noop (floor)" cnt noop
	ctx_rows "uscope --count --filter 'arg0 >= $f'" filt 1.05 seen_bpftrace "/arg0 >= $f/ { @ = count(); }" 1.00 \
		"bcc trace 'p:ctx:FN (arg1 >= $f)'" bcc-trace "PID " seen_bcc_trace "p:$c:@FN@ (arg1 >= $f)"
	# argdist has no comm key; $PID is its nearest per-process key.
	ctx_rows "uscope --count --by comm" bycomm "" seen_bpftrace "{ @[comm] = count(); }" 1.00 \
		"bcc argdist -C '...:u32:\$PID' (no comm key)" bcc-argdist "open uprobes" seen_argdist -v -i 1 -C "p:$c:@FN@():u32:\$PID"
	ctx_rows "uscope --hist arg0" hist "" seen_bpftrace "{ @ = hist(arg0); }" 1.00 \
		"bcc argdist -H '...(long x):long:x'" bcc-argdist "open uprobes" seen_argdist -v -i 1 -H "p:$c:@FN@(long x):long:x"

	CC_TARGET="$c strpair" CC_BASE="p|no probe (strpair)" PC_FUNCS="bench_str bench_str_b"
	call_cost "p|no probe (strpair)" "" seen_none bench_str
	ctx_rows "uscope --count --by 'str(arg0)'" bystr "" seen_bpftrace "{ @[str(arg0)] = count(); }" 1.00 \
		"bcc argdist -C '...(char *s):char*:s'" bcc-argdist "open uprobes" seen_argdist -v -i 1 -C "p:$c:@FN@(char *s):char*:s"
	# One event a call, printed by the tracer to a file: the peers fall ~20x
	# behind, so these rows make a tenth of the calls (the cost is per call still).
	CC_ITER=$((CTX_ITER / 10)) ctx_rows "uscope --str 0 (events)" str0 "" seen_bpftrace_lines \
		"{ printf(\"%s\\n\", str(arg0)); }" "" "bcc trace 'p:ctx:FN \"%s\", arg1'" bcc-trace "PID " seen_bcc_trace \
		"p:$c:@FN@ \"%s\", arg1"
}

# ctx_rows X-LABEL X FLOOR-MAX BT-SEEN BT-PROGRAM BT-MAX BCC-LABEL BCC-TOOL
# BCC-READY BCC-SEEN BCC-ARGS...: the rows of one uscope mode, the spec X,
# against the floor, bpftrace 0.17 and 0.23.5 (`uprobe:ctx:TWIN BT-PROGRAM`)
# and a bcc tool; a *-MAX is that goal ("": none). argdist prints only at
# whole intervals (-i 1): 1.2 s more after the loop for the last one.
ctx_rows() {
	local xl=$1 x=$2 fmax=$3 bseen=$4 bprog=$5 bmax=$6 cl=$7 v
	shift 7
	ctx_pair "$xl vs uscope --noop (floor)" "$x" noop "$fmax"
	for v in 0.17 0.23.5; do
		ctx_pair "$xl vs bpftrace $v $bprog" "$x" "bt${v:2:2}" "" "$bseen" "uprobe:$BDIR/ctx:@FN@ $bprog" "$bmax"
	done
	if [[ $1 == bcc-argdist ]]; then
		CC_LINGER=1.2 ctx_pair "$xl vs $cl" "$x" "$@" ""
	else
		ctx_pair "$xl vs $cl" "$x" "$@" ""
	fi
}

# ctx_pair KEY X Y [MAX] | ctx_pair KEY X TOOL READY SEEN ARGS... MAX: one row
# of table 5, X against the spec Y, or against a peer (peer_pair); MAX, when
# not empty, is the row's goal.
ctx_pair() {
	local key=$1 x=$2 max
	CTX_PAIRS+=("$key")
	if (($# <= 4)); then
		max=${4:-}
		pair_cost "$key" "$x" "$3"
	else
		max=${*: -1}
		peer_pair "$key" "$x" "${@:3:$# - 3}"
	fi
	[[ -n $max ]] && PAIR_MAX[$key]=$max
	return 0
}

ctx_table() {
	local k
	for k in "p|no probe (pair)" "p|no probe (strpair)"; do
		[[ -n ${NS[$k]:-} ]] && printf 'No probe, `ctx %s`: %.2f ns/call (median of %s runs, %s-%s ns; the base of the overheads below).\n' \
			"${k:12:-1}" "${NS[$k]}" "$PAIR_RUNS" "${RANGE[$k]%-*}" "${RANGE[$k]#*-}"
	done
	[[ -n ${CTX_TWINS:-} ]] && printf '\n**The twins are not alike:** %s(the ratios below measure that too).\n' "$CTX_TWINS"
	echo
	pair_table "${CTX_PAIRS[@]}"
}

cet_table() {
	hit_table "c|uscope --noop (floor)" "c|no probe (loop)" "c|uscope --noop (floor)" "c|uscope --count" "e|no probe (ctx-cet)" \
		"e|uscope --count (ctx-cet: probe moved past endbr64)" "e|uscope --count --no-skip-endbr (ctx-cet)" \
		"e|bpftrace 0.23.5 @ = count() (ctx-cet)"
	[[ -n ${CET_PAIR:-} ]] || return 0
	echo
	printf 'Paired, as in table 5 (`ctx-cetpair pair`: `bench_int` with `endbr64`, `bench_int_b` without, one process; X always on the CET twin; no probe: %.2f ns/call):

' \
		"${NS[e|no probe (ctx-cetpair)]:-0}"
	pair_table "$CET_PAIR"
}

# ------------------------------------------- attach to 10,000 with a filter --
# ATT[CONF] median attach ms (uscope's own report), ATT_WALL[CONF] median wall s;
# ATT_MS / ATT_WALLS[CONF] the runs' samples, space-separated.
declare -A ATT ATT_WALL ATT_NOTE ATT_MS ATT_WALLS
attach_once() { # CONF CMD...: one whole run; its attach ms and wall s join CONF's samples
	local conf=$1 t0 ms w
	shift
	[[ -n ${ATT_NOTE[$conf]:-} ]] && return 1	# failed before: not again
	t0=$(now_ns)
	if ! timeout -k 10 "$BOUND" "$@" >"$TMP/att.out" 2>&1; then
		ATT_NOTE[$conf]="error: $(first_error "$TMP/att.out")"
		log "attach $conf: failed"
		return 1
	fi
	w=$(awk -v d=$(($(now_ns) - t0)) 'BEGIN { printf "%.3f", d / 1e9 }')
	ms=$(sed -nE 's/^Attached ([0-9]+) probes? .* in ([0-9.]+) ms.*/\2/p' "$TMP/att.out" | head -n1)
	ATT_WALLS[$conf]+=" $w"
	[[ -n $ms ]] && ATT_MS[$conf]+=" $ms"
	log "attach $conf: $w s${ms:+, attach $ms ms}"
}

attach_medians() { # CONF...: ATT and ATT_WALL from the samples
	local conf
	for conf in "$@"; do
		# shellcheck disable=SC2086 # the samples are space-separated numbers
		[[ -n ${ATT_WALLS[$conf]:-} ]] && ATT_WALL[$conf]=$(median ${ATT_WALLS[$conf]})
		# shellcheck disable=SC2086
		[[ -n ${ATT_MS[$conf]:-} ]] && ATT[$conf]=$(median ${ATT_MS[$conf]})
	done
	return 0
}

# The modes take turns, run after run: an attach time scatters by +-25% here,
# and a drift of the machine then falls on every mode alike, not on whichever
# mode ran while it lasted.
bench_context_attach() {
	local t i
	t=$(scripts/gen-target.sh 10000 "$BDIR") || { ATT_NOTE[none]="gen-target.sh 10000 failed"; return 1; }
	log "=== attach to 10,000 functions with and without a filter ($ATT_RUNS rounds, modes in turn)"
	for ((i = 0; i < ATT_RUNS; i++)); do
		attach_once none "$USCOPE" trace --count -d 0.2 -x "$t" 'f_*'
		attach_once filter "$USCOPE" trace --count -d 0.2 --filter 'arg0 > 5 && arg1 != 7' -x "$t" 'f_*'
		attach_once by "$USCOPE" trace --count -d 0.2 --by comm -x "$t" 'f_*'
		attach_once hist "$USCOPE" trace --hist arg0 -d 0.2 -x "$t" 'f_*'
	done
	for ((i = 0; HAVE_BT23 && i < ATT_PEER_RUNS; i++)); do
		attach_once bt23 "$BT23" -e "uprobe:$t:f_* { @[func] = count(); } interval:ms:200 { exit(); }"
		attach_once bt23filter "$BT23" -e "uprobe:$t:f_* /arg0 > 5 && arg1 != 7/ { @[func] = count(); } interval:ms:200 { exit(); }"
	done
	attach_medians none filter by hist bt23 bt23filter
}

attach_table() {
	local conf label goal r
	echo "| run over 10,000 functions | uscope's attach | ratio to no filter | target (from the issue) | wall time of the whole run |"
	echo "|---|---:|---:|---|---:|"
	for conf in none filter by hist bt23 bt23filter; do
		case $conf in
		none) label="uscope \`--count\`" ;;
		filter) label="uscope \`--count --filter 'arg0 > 5 && arg1 != 7'\`" ;;
		by) label="uscope \`--count --by comm\`" ;;
		hist) label="uscope \`--hist arg0\`" ;;
		bt23) label="bpftrace 0.23.5 \`@[func] = count()\`" ;;
		bt23filter) label="bpftrace 0.23.5 \`/arg0 > 5 && arg1 != 7/ { @[func] = count(); }\`" ;;
		esac
		if [[ -n ${ATT_NOTE[$conf]:-} ]]; then
			printf '| %s | %s | | | |\n' "$label" "${ATT_NOTE[$conf]}"
			continue
		fi
		[[ -n ${ATT_WALL[$conf]:-} ]] || continue
		r=-
		goal=
		if [[ -n ${ATT[$conf]:-} && -n ${ATT[none]:-} ]]; then
			r=$(ratio2 "${ATT[$conf]}" "${ATT[none]}")
			[[ $conf == filter ]] && goal="as fast as without: ≤ 1.10x (10% for noise): $(awk -v a="${ATT[$conf]}" \
				-v b="${ATT[none]}" 'BEGIN { print a <= 1.10 * b ? "**met**" : "**not met**" }')"
		elif [[ $conf == bt23filter && -n ${ATT_WALL[bt23]:-} ]]; then
			r="$(ratio2 "${ATT_WALL[$conf]}" "${ATT_WALL[bt23]}") (wall)"
		fi
		printf '| %s | %s | %s | %s | %s |\n' "$label" "${ATT[$conf]:+${ATT[$conf]} ms}" "$r" "$goal" \
			"$(fmt_s "${ATT_WALL[$conf]}")"
	done
}

bench_context() {
	bench_context_hits
	bench_context_attach
}
