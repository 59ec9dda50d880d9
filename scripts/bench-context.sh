# bench-context.sh: what a hit costs when uscope reads context in the kernel
# (issue 12: a filter that rejects, --by comm, --hist, strings), side by side
# with bpftrace 0.17, 0.23.5 and bcc doing the same; whether a filter slows an
# attach to 10,000 functions; and the CET row of issue 14. Sourced by
# scripts/bench.sh, which provides the peers (HAVE_*, BT23), USCOPE, BDIR, TMP.
# shellcheck shell=bash

# peer_cost KEY TOOL READY SEEN FUNC ARGS...: call_cost with TOOL's command
# (bt17, bt23: ARGS is a bpftrace program; bcc-*: the bcc tool's arguments),
# or a "not installed" note. BENCH_QUICK runs bpftrace 0.23.5 only, to stay short.
peer_cost() {
	local key=$1 tool=$2 ready=$3 seen=$4 func=$5
	shift 5
	if [[ $QUICK == 1 && $tool != bt23 ]]; then
		NOTE_B[$key]="not run (BENCH_QUICK=1)"
		return 0
	fi
	case $tool in
	bt17) ((HAVE_BPFTRACE)) || { NOTE_B[$key]="not installed"; return 0; }
		call_cost "$key" "${ready:-Attaching 1 probe}" "$seen" "$func" bpftrace -e "$@" ;;
	bt23) ((HAVE_BT23)) || { NOTE_B[$key]="not found"; return 0; }
		call_cost "$key" "${ready:-Attaching 1 probe}" "$seen" "$func" "$BT23" -e "$@" ;;
	bcc-*)
		if ((!HAVE_BCC)); then NOTE_B[$key]="not installed"; return 0; fi
		if [[ -n $BCC_SETUP_ERROR ]]; then NOTE_B[$key]="error: $BCC_SETUP_ERROR"; return 0; fi
		call_cost "$key" "$ready" "$seen" "$func" "${tool#bcc-}-bpfcc" "$@" ;;
	esac
}

# bench_context_hits: the per-hit rows of tables 5 and 6.
bench_context_hits() {
	local c=$BDIR/ctx cet=$BDIR/ctx-cet f=$((CTX_ITER - 100)) k v
	CC_ITER=$CTX_ITER CC_ITER_BASE=$CTX_ITER_BASE CC_RUNS=$CTX_RUNS
	CTX_KEEP=$f
	log "=== context (issue 12): ctx loop $CTX_ITER / strloop $CTX_ITER"
	CC_TARGET="$c loop" CC_BASE="c|no probe (loop)"
	call_cost "c|no probe (loop)" "" seen_none bench_int
	call_cost "c|uscope --noop (floor)" Attached seen_none bench_int "$USCOPE" trace -x "$c" --noop bench_int
	call_cost "c|uscope --count" Attached seen_uscope bench_int "$USCOPE" trace -x "$c" --count bench_int
	# A filter that rejects all but the last 100 calls: the kept ones prove the probe was there.
	call_cost "c|uscope --count --filter 'arg0 >= $f'" Attached seen_uscope bench_int \
		"$USCOPE" trace -x "$c" --count --filter "arg0 >= $f" bench_int
	peer_cost "c|bpftrace 0.17 /arg0 >= $f/ { @ = count(); }" bt17 "" seen_bpftrace bench_int \
		"uprobe:$c:bench_int /arg0 >= $f/ { @ = count(); }"
	peer_cost "c|bpftrace 0.23.5 /arg0 >= $f/ { @ = count(); }" bt23 "" seen_bpftrace bench_int \
		"uprobe:$c:bench_int /arg0 >= $f/ { @ = count(); }"
	peer_cost "c|bcc trace 'p:ctx:bench_int (arg1 >= $f)'" bcc-trace "PID " seen_bcc_trace bench_int \
		"p:$c:bench_int (arg1 >= $f)"
	call_cost "c|uscope --count --by comm" Attached seen_uscope bench_int \
		"$USCOPE" trace -x "$c" --count --by comm bench_int
	peer_cost "c|bpftrace 0.17 @[comm] = count()" bt17 "" seen_bpftrace bench_int "uprobe:$c:bench_int { @[comm] = count(); }"
	peer_cost "c|bpftrace 0.23.5 @[comm] = count()" bt23 "" seen_bpftrace bench_int "uprobe:$c:bench_int { @[comm] = count(); }"
	# argdist has no comm key; $PID is its nearest per-process key.
	CC_LINGER=1.2 peer_cost "c|bcc argdist -C '...:u32:\$PID' (no comm key)" bcc-argdist "open uprobes" seen_argdist bench_int \
		-v -i 1 -C "p:$c:bench_int():u32:\$PID"
	call_cost "c|uscope --hist arg0" Attached seen_uscope bench_int "$USCOPE" trace -x "$c" --hist arg0 bench_int
	peer_cost "c|bpftrace 0.17 @ = hist(arg0)" bt17 "" seen_bpftrace bench_int "uprobe:$c:bench_int { @ = hist(arg0); }"
	peer_cost "c|bpftrace 0.23.5 @ = hist(arg0)" bt23 "" seen_bpftrace bench_int "uprobe:$c:bench_int { @ = hist(arg0); }"
	CC_LINGER=1.2 peer_cost "c|bcc argdist -H '...(long x):long:x'" bcc-argdist "open uprobes" seen_argdist bench_int \
		-v -i 1 -H "p:$c:bench_int(long x):long:x"

	CC_TARGET="$c strloop" CC_BASE="c|no probe (strloop)"
	call_cost "c|no probe (strloop)" "" seen_none bench_str
	call_cost "c|uscope --noop (floor, bench_str)" Attached seen_none bench_str "$USCOPE" trace -x "$c" --noop bench_str
	# One event a call, printed by the tracer: the peers fall ~20x behind, so
	# these three rows make a tenth of the calls (the cost is per call still).
	CC_ITER=$((CTX_ITER / 10)) CC_QUIET=1 call_cost "c|uscope --str 0 (events)" Attached seen_uscope_events bench_str \
		"$USCOPE" trace -x "$c" --str 0 bench_str
	CC_ITER=$((CTX_ITER / 10)) peer_cost "c|bpftrace 0.17 printf(\"%s\\n\", str(arg0))" bt17 "" seen_bpftrace_lines bench_str \
		"uprobe:$c:bench_str { printf(\"%s\\n\", str(arg0)); }"
	CC_ITER=$((CTX_ITER / 10)) peer_cost "c|bpftrace 0.23.5 printf(\"%s\\n\", str(arg0))" bt23 "" seen_bpftrace_lines bench_str \
		"uprobe:$c:bench_str { printf(\"%s\\n\", str(arg0)); }"
	CC_ITER=$((CTX_ITER / 10)) peer_cost "c|bcc trace 'p:ctx:bench_str \"%s\", arg1'" bcc-trace "PID " seen_bcc_trace bench_str \
		"p:$c:bench_str \"%s\", arg1"
	call_cost "c|uscope --count --by 'str(arg0)'" Attached seen_uscope bench_str \
		"$USCOPE" trace -x "$c" --count --by 'str(arg0)' bench_str
	peer_cost "c|bpftrace 0.17 @[str(arg0)] = count()" bt17 "" seen_bpftrace bench_str "uprobe:$c:bench_str { @[str(arg0)] = count(); }"
	peer_cost "c|bpftrace 0.23.5 @[str(arg0)] = count()" bt23 "" seen_bpftrace bench_str "uprobe:$c:bench_str { @[str(arg0)] = count(); }"
	CC_LINGER=1.2 peer_cost "c|bcc argdist -C '...(char *s):char*:s'" bcc-argdist "open uprobes" seen_argdist bench_str \
		-v -i 1 -C "p:$c:bench_str(char *s):char*:s"

	log "=== CET (issue 14): ctx-cet loop $CTX_ITER"
	CC_TARGET="$cet loop" CC_BASE="e|no probe (ctx-cet)"
	call_cost "e|no probe (ctx-cet)" "" seen_none bench_int
	call_cost "e|uscope --count (ctx-cet: probe moved past endbr64)" Attached seen_uscope bench_int \
		"$USCOPE" trace -x "$cet" --count bench_int
	# single-stepped: ~10-50x dearer a hit, so a tenth of the calls
	CC_ITER=$((CTX_ITER / 10)) call_cost "e|uscope --count --no-skip-endbr (ctx-cet)" Attached seen_uscope bench_int \
		"$USCOPE" trace -x "$cet" --count --no-skip-endbr bench_int
	CC_ITER=$((CTX_ITER / 10)) peer_cost "e|bpftrace 0.23.5 @ = count() (ctx-cet)" bt23 "" seen_bpftrace bench_int "uprobe:$cet:bench_int { @ = count(); }"

	FLOOR_OF["c|no probe (strloop)"]="c|uscope --noop (floor, bench_str)"
	NAME_OF["c|uscope --noop (floor)"]=floor
	NAME_OF["c|uscope --noop (floor, bench_str)"]=floor
	NAME_OF["c|uscope --count"]="the non-CET build's"
	TARGET_OF["c|uscope --count --filter 'arg0 >= $f'"]="c|uscope --noop (floor) 1.05
c|bpftrace 0.17 /arg0 >= $f/ { @ = count(); } 1.00
c|bpftrace 0.23.5 /arg0 >= $f/ { @ = count(); } 1.00"
	TARGET_OF["c|uscope --count --by comm"]="c|bpftrace 0.17 @[comm] = count() 1.00
c|bpftrace 0.23.5 @[comm] = count() 1.00"
	TARGET_OF["c|uscope --hist arg0"]="c|bpftrace 0.17 @ = hist(arg0) 1.00
c|bpftrace 0.23.5 @ = hist(arg0) 1.00"
	TARGET_OF["c|uscope --count --by 'str(arg0)'"]="c|bpftrace 0.17 @[str(arg0)] = count() 1.00
c|bpftrace 0.23.5 @[str(arg0)] = count() 1.00"
	TARGET_OF["e|uscope --count (ctx-cet: probe moved past endbr64)"]="c|uscope --count 1.2"
	for k in "c|bpftrace 0.17 /arg0 >= $f/ { @ = count(); }" "c|bpftrace 0.23.5 /arg0 >= $f/ { @ = count(); }" \
		"c|bpftrace 0.17 @[comm] = count()" "c|bpftrace 0.23.5 @[comm] = count()" "c|bpftrace 0.17 @ = hist(arg0)" \
		"c|bpftrace 0.23.5 @ = hist(arg0)" "c|bpftrace 0.17 @[str(arg0)] = count()" "c|bpftrace 0.23.5 @[str(arg0)] = count()"; do
		v=${k#c|bpftrace }
		NAME_OF[$k]="bpftrace ${v%% *}'s"
	done
}

ctx_table() {
	local f=${CTX_KEEP:-}
	hit_table "c|uscope --noop (floor)" "c|no probe (loop)" "c|uscope --noop (floor)" "c|uscope --count" \
		"c|uscope --count --filter 'arg0 >= $f'" "c|bpftrace 0.17 /arg0 >= $f/ { @ = count(); }" \
		"c|bpftrace 0.23.5 /arg0 >= $f/ { @ = count(); }" "c|bcc trace 'p:ctx:bench_int (arg1 >= $f)'" \
		"c|uscope --count --by comm" "c|bpftrace 0.17 @[comm] = count()" "c|bpftrace 0.23.5 @[comm] = count()" \
		"c|bcc argdist -C '...:u32:\$PID' (no comm key)" \
		"c|uscope --hist arg0" "c|bpftrace 0.17 @ = hist(arg0)" "c|bpftrace 0.23.5 @ = hist(arg0)" \
		"c|bcc argdist -H '...(long x):long:x'" \
		"c|no probe (strloop)" "c|uscope --noop (floor, bench_str)" "c|uscope --str 0 (events)" \
		"c|bpftrace 0.17 printf(\"%s\\n\", str(arg0))" "c|bpftrace 0.23.5 printf(\"%s\\n\", str(arg0))" \
		"c|bcc trace 'p:ctx:bench_str \"%s\", arg1'" "c|uscope --count --by 'str(arg0)'" \
		"c|bpftrace 0.17 @[str(arg0)] = count()" "c|bpftrace 0.23.5 @[str(arg0)] = count()" \
		"c|bcc argdist -C '...(char *s):char*:s'"
}

cet_table() {
	hit_table "c|uscope --noop (floor)" "c|no probe (loop)" "c|uscope --count" "e|no probe (ctx-cet)" \
		"e|uscope --count (ctx-cet: probe moved past endbr64)" "e|uscope --count --no-skip-endbr (ctx-cet)" \
		"e|bpftrace 0.23.5 @ = count() (ctx-cet)"
}

# ------------------------------------------- attach to 10,000 with a filter --
# ATT[CONF] median attach ms (uscope's own report), ATT_WALL[CONF] median wall s.
declare -A ATT ATT_WALL ATT_NOTE
attach_runs() { # CONF RUNS CMD...: attach time (uscope) and wall time of a whole run
	local conf=$1 runs=$2 i t0 ms walls=() mss=()
	shift 2
	for ((i = 0; i < runs; i++)); do
		t0=$(now_ns)
		if ! timeout -k 10 "$BOUND" "$@" >"$TMP/att.out" 2>&1; then
			ATT_NOTE[$conf]="error: $(first_error "$TMP/att.out")"
			log "attach $conf: failed"
			return 1
		fi
		walls+=("$(awk -v d=$(($(now_ns) - t0)) 'BEGIN { printf "%.3f", d / 1e9 }')")
		ms=$(sed -nE 's/^Attached ([0-9]+) probes? .* in ([0-9.]+) ms.*/\2/p' "$TMP/att.out" | head -n1)
		[[ -n $ms ]] && mss+=("$ms")
		log "attach $conf run $((i + 1))/$runs: ${walls[-1]} s${ms:+, attach $ms ms}"
	done
	ATT_WALL[$conf]=$(median "${walls[@]}")
	((${#mss[@]})) && ATT[$conf]=$(median "${mss[@]}")
	return 0
}

bench_context_attach() {
	local t
	t=$(scripts/gen-target.sh 10000 "$BDIR") || { ATT_NOTE[none]="gen-target.sh 10000 failed"; return 1; }
	log "=== attach to 10,000 functions with and without a filter"
	attach_runs none "$ATT_RUNS" "$USCOPE" trace --count -d 0.2 -x "$t" 'f_*'
	attach_runs filter "$ATT_RUNS" "$USCOPE" trace --count -d 0.2 --filter 'arg0 > 5 && arg1 != 7' -x "$t" 'f_*'
	attach_runs by "$ATT_RUNS" "$USCOPE" trace --count -d 0.2 --by comm -x "$t" 'f_*'
	attach_runs hist "$ATT_RUNS" "$USCOPE" trace --hist arg0 -d 0.2 -x "$t" 'f_*'
	if ((HAVE_BT23)); then
		attach_runs bt23 "$ATT_PEER_RUNS" "$BT23" -e "uprobe:$t:f_* { @[func] = count(); } interval:ms:200 { exit(); }"
		attach_runs bt23filter "$ATT_PEER_RUNS" "$BT23" -e "uprobe:$t:f_* /arg0 > 5 && arg1 != 7/ { @[func] = count(); } interval:ms:200 { exit(); }"
	fi
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
