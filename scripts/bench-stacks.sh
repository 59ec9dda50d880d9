# bench-stacks.sh: what a user stack costs per hit (issue 13), side by side
# with bpftrace's ustack (0.17, 0.23.5) and bcc's stackcount -U / trace -U on
# the same frame-pointer target (tests/targets/bench/stk.c); whether
# `--count --stack` loses anything at 100,000 hits/s; and how fast 10,000
# distinct stacks are named. Sourced by scripts/bench.sh.
# shellcheck shell=bash

bench_stacks_hits() {
	local s=$BDIR/stk k v
	CC_ITER=$STK_ITER CC_ITER_BASE=$STK_ITER_BASE CC_RUNS=$CTX_RUNS
	CC_TARGET="$s loop" CC_BASE="s|no probe"
	log "=== stacks (issue 13): stk loop $STK_ITER"
	call_cost "s|no probe" "" seen_none stk_leaf
	call_cost "s|uscope --noop (floor)" Attached seen_none stk_leaf "$USCOPE" trace -x "$s" --noop stk_leaf
	call_cost "s|uscope --count --stack (frame pointers, counted in the kernel)" Attached seen_uscope stk_leaf \
		"$USCOPE" trace -x "$s" --count --stack=fp stk_leaf
	peer_cost "s|bpftrace 0.17 @[ustack] = count()" bt17 "" seen_bpftrace stk_leaf "uprobe:$s:stk_leaf { @[ustack] = count(); }"
	peer_cost "s|bpftrace 0.23.5 @[ustack] = count()" bt23 "" seen_bpftrace stk_leaf "uprobe:$s:stk_leaf { @[ustack] = count(); }"
	peer_cost "s|bcc stackcount -U" bcc-stackcount "Tracing 1 functions" seen_stackcount stk_leaf -U "$s:stk_leaf"
	CC_ITER=$((STK_ITER / 10)) CC_QUIET=1 call_cost "s|uscope --stack (frame pointers, one event a hit)" Attached seen_uscope_events stk_leaf \
		"$USCOPE" trace -x "$s" --stack=fp stk_leaf
	CC_ITER=$((STK_ITER / 10)) peer_cost "s|bpftrace 0.23.5 printf + ustack (one event a hit)" bt23 "" seen_none stk_leaf \
		"uprobe:$s:stk_leaf { printf(\"%s\\n\", ustack); }"
	CC_ITER=$((STK_ITER / 10)) peer_cost "s|bcc trace -U (one event a hit)" bcc-trace "PID " seen_bcc_trace stk_leaf -U "p:$s:stk_leaf"
	call_cost "s|uscope --count --stack=dwarf (8 KiB copied a hit, unwound in user space)" Attached seen_uscope stk_leaf \
		"$USCOPE" trace -x "$s" --count --stack=dwarf stk_leaf
	CC_ITER=$((STK_ITER / 10)) CC_QUIET=1 call_cost "s|uscope --stack=dwarf (one event a hit)" Attached seen_uscope_events stk_leaf \
		"$USCOPE" trace -x "$s" --stack=dwarf stk_leaf
	for k in "s|bpftrace 0.17 @[ustack] = count()" "s|bpftrace 0.23.5 @[ustack] = count()"; do
		v=${k#s|bpftrace }
		NAME_OF[$k]="bpftrace ${v%% *}'s"
	done
	TARGET_OF["s|uscope --count --stack (frame pointers, counted in the kernel)"]="s|bpftrace 0.17 @[ustack] = count() 1.00
s|bpftrace 0.23.5 @[ustack] = count() 1.00"
}

stacks_hit_table() {
	hit_table "s|uscope --noop (floor)" "s|no probe" "s|uscope --noop (floor)" \
		"s|uscope --count --stack (frame pointers, counted in the kernel)" "s|bpftrace 0.17 @[ustack] = count()" \
		"s|bpftrace 0.23.5 @[ustack] = count()" "s|bcc stackcount -U" \
		"s|uscope --stack (frame pointers, one event a hit)" "s|bpftrace 0.23.5 printf + ustack (one event a hit)" \
		"s|bcc trace -U (one event a hit)" \
		"s|uscope --count --stack=dwarf (8 KiB copied a hit, unwound in user space)" \
		"s|uscope --stack=dwarf (one event a hit)"
}

stk_label() { # CONF -> how tables 9 name the tracer
	case $1 in
	fp | uscope) echo "uscope \`--count --stack=fp\`" ;;
	dwarf) echo "uscope \`--count --stack=dwarf\`" ;;
	bt23) echo "bpftrace 0.23.5 \`@[ustack] = count()\`" ;;
	bt17) echo "bpftrace 0.17 \`@[ustack] = count()\`" ;;
	esac
}

# ------------------------------------------------------ 100,000 hits a second --
# PACE[CONF]: "calls|rate|hits counted|stacks counted|lost" of one paced run.
declare -A PACE PACE_NOTE
stacks_pace_one() { # CONF READY CMD...: trace `stk pace 100000 PACE_SECS` with CMD
	local conf=$1 ready=$2 t0 calls wall hits stacks lost
	shift 2
	tracer_start "$ready" "$@" || { PACE_NOTE[$conf]=$TRACER_ERR; return 1; }
	t0=$(now_ns)
	calls=$(timeout 120 "$BDIR/stk" pace 100000 "$PACE_SECS" | sed -n 's/^calls //p')
	wall=$(($(now_ns) - t0))
	stop_pid "$TRACER_PID" INT
	forget_pid "$TRACER_PID"
	case $conf in
	bt23) hits=$(seen_bpftrace); stacks=$hits; lost=$(sed -nE 's/.*[Ll]ost ([0-9]+) events.*/\1/p' "$TMP/tr.err" | head -n1) ;;
	*)
		hits=$(awk '$1 == "stk_leaf" && $2 == "entry" { print $3 }' "$TMP/tr.out")
		stacks=$(awk '/^stk_leaf \(entry\), pid [0-9]+: [0-9]+$/ { s += $NF } END { print s + 0 }' "$TMP/tr.out")
		lost=$(sed -nE 's/^Stacks: ([0-9]+) hits without a stack.*/\1/p' "$TMP/tr.err" "$TMP/tr.out" | head -n1)
		;;
	esac
	PACE[$conf]="$calls|$(awk -v n="${calls:-0}" -v w="$wall" 'BEGIN { printf "%.0f", n / (w / 1e9) }')|$hits|$stacks|${lost:-0}"
	log "pace $conf: ${PACE[$conf]}"
}

bench_stacks_pace() {
	local s=$BDIR/stk
	log "=== stacks at 100,000 hits/s for $PACE_SECS s"
	stacks_pace_one fp Attached "$USCOPE" trace -x "$s" --count --stack=fp stk_leaf
	stacks_pace_one dwarf Attached "$USCOPE" trace -x "$s" --count --stack=dwarf stk_leaf
	((HAVE_BT23)) && stacks_pace_one bt23 "Attaching 1 probe" "$BT23" -e "uprobe:$s:stk_leaf { @[ustack] = count(); }"
}

pace_table() {
	local conf label calls rate hits stacks lost goal
	echo "| \`stk pace 100000 $PACE_SECS\` traced by | calls made | rate reached | hits counted | in stacks counted | lost (reported) | target (from the issue) |"
	echo "|---|---:|---:|---:|---:|---:|---|"
	for conf in fp dwarf bt23; do
		label=$(stk_label "$conf")
		if [[ -n ${PACE_NOTE[$conf]:-} ]]; then printf '| %s | %s | | | | | |\n' "$label" "${PACE_NOTE[$conf]}"; continue; fi
		[[ -n ${PACE[$conf]:-} ]] || continue
		IFS='|' read -r calls rate hits stacks lost <<<"${PACE[$conf]}"
		goal=
		[[ $conf == fp ]] && goal="loses nothing: $([[ $stacks == "$calls" && $lost == 0 ]] && echo '**met**' || echo '**not met**')"
		printf '| %s | %s | %s/s | %s | %s | %s | %s |\n' "$label" "$(thousands "$calls")" "$(thousands "$rate")" \
			"$(thousands "${hits:-?}")" "$(thousands "${stacks:-?}")" "$(thousands "$lost")" "$goal"
	done
}

# ------------------------------------------------ naming 10,000 distinct stacks --
# SYM[CONF] = "how|ms|stacks|detail": how the time was taken ("uscope -v" when
# uscope reported it, "report phase" when timed from outside), milliseconds,
# distinct stacks printed, uscope's own line or the baseline subtracted.
declare -A SYM SYM_NOTE

evict() { # FILE...: drop these files from the page cache (cold caches)
	local f
	for f in "$@"; do [[ -f $f ]] && dd if="$f" iflag=nocache count=0 status=none 2>/dev/null; done
}

debug_file_of() { # ELF -> its /usr/lib/debug/.build-id file, if installed
	local id
	id=$(readelf -n "$1" 2>/dev/null | sed -nE 's/^ *Build ID: ([0-9a-f]+)/\1/p' | head -n1)
	[[ -n $id && -f /usr/lib/debug/.build-id/${id:0:2}/${id:2}.debug ]] && echo "/usr/lib/debug/.build-id/${id:0:2}/${id:2}.debug"
}

# sym_run OUT CMD...: run CMD (it runs `stk tree 1` with -c); sets SR_MS (ms
# from the target's exit to CMD's exit), SR_RC. Bounded by SYM_BOUND s.
sym_run() {
	local out=$1 t_end exit_ns
	shift
	timeout -k 5 "$SYM_BOUND" "$@" >"$out" 2>"$out.err"
	SR_RC=$?
	t_end=$(date +%s%N)
	exit_ns=$(sed -n 's/^exit_ns //p' "$out" | head -n1)
	SR_MS=
	[[ -n $exit_ns ]] && SR_MS=$(awk -v a="$t_end" -v b="$exit_ns" 'BEGIN { printf "%.0f", (a - b) / 1e6 }')
}

# sym_one CONF COUNT-STACKS BASE-CMD -- CMD...: cold then warm runs of CMD.
sym_one() {
	local conf=$1 counter=$2 base=() cmd=() temp n line ms how detail
	shift 2
	while [[ $1 != -- ]]; do base+=("$1"); shift; done
	shift
	cmd=("$@")
	# The same run without stacks: what exit costs anyway (detach, maps).
	sym_run "$TMP/symb" "${base[@]}"
	local base_ms=$SR_MS
	for temp in cold warm; do
		[[ $temp == cold ]] && evict "$BDIR/stk" "$LIBC" "$(debug_file_of "$LIBC")" "$(debug_file_of "$BDIR/stk")"
		sym_run "$TMP/sym" "${cmd[@]}"
		if ((SR_RC == 124 || SR_RC == 137)); then
			SYM_NOTE[$conf:$temp]="> $SYM_BOUND s (timeout)"
			log "symbolize $conf $temp: timeout"
			[[ $temp == cold ]] && SYM_NOTE[$conf:warm]="not run (cold run timed out)"
			return 1
		fi
		n=$(eval "$counter" <"$TMP/sym")
		line=$(grep -m1 -E '^uscope: symbolized [0-9]+ stacks' "$TMP/sym.err")
		if [[ -n $line ]]; then
			ms=$(sed -nE 's/.* in ([0-9.]+) ms.*/\1/p' <<<"$line")
			how="uscope -v"
			# the peers' measure too, for a like-for-like column
			detail="${line#uscope: }; report phase as for the peers: $(awk -v a="${SR_MS:-0}" \
				-v b="${base_ms:-0}" 'BEGIN { printf "%.0f", a - b }') ms"
		else
			ms=$(awk -v a="${SR_MS:-0}" -v b="${base_ms:-0}" 'BEGIN { printf "%.0f", a - b }')
			how="report phase"
			detail="exit ${SR_MS:-?} ms after the target's, minus ${base_ms:-?} ms without stacks"
		fi
		SYM[$conf:$temp]="$how|$ms|$n|$detail"
		log "symbolize $conf $temp: ${SYM[$conf:$temp]}"
	done
}

bench_stacks_symbolize() {
	local s=$BDIR/stk
	LIBC=$(readlink -f /usr/lib/x86_64-linux-gnu/libc.so.6)
	log "=== naming 10,000 distinct stacks (stk tree 1)"
	sym_one uscope "grep -c '^stk_leaf (entry), pid'" \
		"$USCOPE" trace --count -x "$s" -c "$s tree 1" stk_leaf -- \
		"$USCOPE" trace -v --count --stack=fp -x "$s" -c "$s tree 1" stk_leaf
	if ((HAVE_BT23)); then
		sym_one bt23 "grep -c '^\\]: '" \
			"$BT23" -e "uprobe:$s:stk_leaf { @ = count(); }" -c "$s tree 1" -- \
			"$BT23" -e "uprobe:$s:stk_leaf { @[ustack] = count(); }" -c "$s tree 1"
	fi
	if ((HAVE_BPFTRACE)) && [[ $QUICK != 1 ]]; then
		sym_one bt17 "grep -c '^\\]: '" \
			bpftrace -e "uprobe:$s:stk_leaf { @ = count(); }" -c "$s tree 1" -- \
			bpftrace -e "uprobe:$s:stk_leaf { @[ustack] = count(); }" -c "$s tree 1"
	fi
}

sym_table() {
	local conf temp label how ms n detail rate goal
	echo "| tool | caches | distinct stacks printed | time to name them | stacks/s | how it was timed | target (from the issue) |"
	echo "|---|---|---:|---:|---:|---|---|"
	for conf in uscope bt23 bt17; do
		label=$(stk_label "$conf")
		for temp in cold warm; do
			if [[ -n ${SYM_NOTE[$conf:$temp]:-} ]]; then
				goal=
				[[ $conf == uscope ]] && goal="10,000 stacks < 1 s: **not met**"
				printf '| %s | %s | | %s | | | %s |\n' "$label" "$temp" "${SYM_NOTE[$conf:$temp]}" "$goal"
				continue
			fi
			[[ -n ${SYM[$conf:$temp]:-} ]] || continue
			IFS='|' read -r how ms n detail <<<"${SYM[$conf:$temp]}"
			rate=$(awk -v n="$n" -v m="$ms" 'BEGIN { if (m > 0) printf "%.0f", n / (m / 1000); else print "-" }')
			goal=
			[[ $conf == uscope ]] && goal="10,000 stacks < 1 s: $(awk -v n="$n" -v m="$ms" \
				'BEGIN { print (n >= 10000 && m < 1000) ? "**met**" : "**not met**" }')"
			printf '| %s | %s | %s | %s ms | %s | %s: %s | %s |\n' "$label" "$temp" "$(thousands "$n")" "$ms" \
				"$(thousands "$rate")" "$how" "$detail" "$goal"
		done
	done
}

bench_stacks() {
	bench_stacks_hits
	bench_stacks_pace
	bench_stacks_symbolize
}
