#!/usr/bin/env bats
# trace options and targets: mount namespaces (-p through /proc/PID/root),
# threads and --tid, --str, --args, --hex, lost events, --interval/--top,
# --uid, and a -p target that execs another program.  The oracles: umark's
# summary and stdout, /proc (maps, task, exe), mount namespaces (the path
# does not exist outside), and the uid umark runs as (setpriv).

load lib

# start_umark_in_mntns ARGS...: a gated umark (like start_umark_gated) run
# from $TMP/mnt, where a private copy of umark and libumark.so is
# bind-mounted inside a new mount namespace only: outside, $TMP/mnt is
# empty.  unshare and sh exec, so UMARK_PID is umark's pid.
start_umark_in_mntns() {
	private_umark
	mkdir "$TMP/mnt"
	mkfifo "$TMP/gate"
	unshare -m --propagation private sh -c 'mount --bind "$1" "$2" && shift 2 && exec "$@"' sh \
		"$TMP/bin" "$TMP/mnt" "$TMP/mnt/umark" -w "$@" \
		< "$TMP/gate" > "$TMP/umark.out" 2> "$TMP/umark.err" 3>&- &
	UMARK_PID=$!
	exec {UMARK_GATE}> "$TMP/gate"
	wait_for "$TMP/umark.err" '^umark: pid '
	[[ "$(umark_pid "$TMP/umark.err")" == "$UMARK_PID" ]]
}

# wait_tasks PID N: wait until PID has N threads (at most 5 s).
wait_tasks() {
	local i
	for ((i = 0; i < 100; i++)); do
		[[ $(ls "/proc/$1/task" 2>/dev/null | wc -l) -eq $2 ]] && return 0
		sleep 0.05
	done
	echo "PID $1 never had $2 threads" >&2
	return 1
}

# events OUT: the event lines (not counts, not interval markers) of OUT.
events() { jq -c 'select(.kind != null and .count == null)' "$1"; }

# --- mount namespaces ------------------------------------------------------

@test "mount namespace: -p -x PATH that exists only inside the target's namespace attaches; counts exact" {
	start_umark_in_mntns -n 5 -i 0 -q
	# The path exists for umark, not for us.
	[[ ! -e "$TMP/mnt/umark" ]]
	[[ "$(readlink "/proc/$UMARK_PID/exe")" == "$TMP/mnt/umark" ]]
	start_uscope trace -p "$UMARK_PID" -x "$TMP/mnt/umark" --count --json func_uprobe1 'umark_op_0*'
	[[ "$(attached_paths "$TMP/err")" == "$TMP/mnt/umark" ]]
	release_umark
	finish_uscope
	expect_counts "$TMP/out" "$TMP/umark.err" entry func_uprobe1 $(seq -f 'umark_op_%02g' 0 9)
	wait_no_uscope_links
}

@test "mount namespace: -p without -x (the executable via /proc/PID/exe) and -x libumark from its maps; counts exact" {
	start_umark_in_mntns -n 4 -i 0 -q
	lib=$(awk '$6 ~ /\/libumark\.so$/ { print $6; exit }' "/proc/$UMARK_PID/maps")
	echo "umark maps $lib"
	[[ "$lib" == "$TMP/mnt/libumark.so" && ! -e "$lib" ]]
	start_uscope trace -p "$UMARK_PID" --count --json func_uprobe2 'umark_op_6*' libumark:lib_mul
	printf '%s\n' "$TMP/mnt/umark" "$TMP/mnt/libumark.so" | diff -u - <(attached_paths "$TMP/err")
	release_umark
	finish_uscope
	expect_counts "$TMP/out" "$TMP/umark.err" entry func_uprobe2 umark_op_60 umark_op_61 umark_op_62 umark_op_63 lib_mul
}

# --- threads -----------------------------------------------------------------

@test "threads: umark -t 4 -c --count: counts are 4x per iteration and equal umark's totals" {
	"$USCOPE" trace --count --json -c "$UMARK -n 5 -i 0 -q -t 4" func_uprobe1 umark_recurse 'umark_op_5*' \
		"$LIBUMARK:lib_mul" ret:func_uprobe2 > "$TMP/out" 2> "$TMP/err"
	[[ $(umark_calls "$TMP/err" func_uprobe1) -eq 20 && $(umark_calls "$TMP/err" umark_recurse) -eq 120 ]]
	expect_counts "$TMP/out" "$TMP/err" entry func_uprobe1 umark_recurse $(seq -f 'umark_op_%02g' 50 59) lib_mul
	expect_counts "$TMP/out" "$TMP/err" return func_uprobe2
}

@test "threads: -p on a gated umark -t 4: counts exact; events from 4 distinct threads listed in /proc/PID/task" {
	start_umark_gated -n 8 -i 50 -t 4
	start_uscope trace -p "$UMARK_PID" --json --args 1 func_uprobe1 umark_op_07
	release_umark
	wait_tasks "$UMARK_PID" 5
	ls "/proc/$UMARK_PID/task" | sort > "$TMP/tasks"
	finish_uscope
	expect_counts "$TMP/out" "$TMP/umark.err" entry func_uprobe1 umark_op_07
	[[ $(umark_calls "$TMP/umark.err" func_uprobe1) -eq 32 ]]
	events "$TMP/out" > "$TMP/ev"
	# Every event: pid == umark's (the thread group), tid one of its threads but not the main one.
	[[ "$(jq -r .pid "$TMP/ev" | sort -u)" == "$UMARK_PID" ]]
	jq -r .tid "$TMP/ev" | sort -u > "$TMP/tids"
	[[ $(wc -l < "$TMP/tids") -eq 4 ]]
	comm -23 "$TMP/tids" "$TMP/tasks" | diff -u /dev/null -
	[[ -z "$(grep -x "$UMARK_PID" "$TMP/tids")" ]]
	# Each thread ran iterations 0..7 once: its func_uprobe1 args are 0..7 in order.
	for t in $(cat "$TMP/tids"); do
		[[ "$(jq -r --argjson t "$t" 'select(.tid == $t and .probe == "func_uprobe1") | .args[0]' "$TMP/ev" | tr '\n' ' ')" == "0 1 2 3 4 5 6 7 " ]]
	done
}

@test "--tid T: only thread T is traced (every event has tid T, its iterations in order, each once)" {
	start_umark -n 12 -i 100 -q -t 4
	wait_tasks "$UMARK_PID" 5
	tid=$(ls "/proc/$UMARK_PID/task" | grep -vx "$UMARK_PID" | sort -n | sed -n 2p)
	[[ -n "$tid" ]]
	timeout 10 "$USCOPE" trace -p "$UMARK_PID" --tid "$tid" --json --args 1 func_uprobe1 > "$TMP/out" 2> "$TMP/err"
	wait_gone "$UMARK_PID" 5
	[[ $(umark_calls "$TMP/umark.err" func_uprobe1) -eq 48 ]]
	events "$TMP/out" > "$TMP/ev"
	[[ "$(jq -r .tid "$TMP/ev" | sort -u)" == "$tid" ]]
	# Thread T ran iterations 0..11; uscope came in midway, so it saw k..11 exactly
	# once each (the other 3 threads' calls would repeat those numbers).
	jq -r '.args[0]' "$TMP/ev" > "$TMP/iters"
	first=$(head -n1 "$TMP/iters")
	echo "saw iterations $first..11 of thread $tid"
	[[ $(wc -l < "$TMP/iters") -ge 1 ]]
	seq "$first" 11 | diff -u - "$TMP/iters"
	[[ "$(json_count "$TMP/out" func_uprobe1 entry)" -eq $(wc -l < "$TMP/iters") ]]
}

# --- --str, --args, --hex -------------------------------------------------------

@test "--str 0 umark_greet --json: \"str\" is the name umark greeted, in order" {
	trace_umark "-n 6 -i 0" --str 0 --json umark_greet
	sed -nE 's/^umark_greet\("(.*)"\) = [0-9]+$/\1/p' "$TMP/umark.out" > "$TMP/want"
	seq -f 'umark-%g' 0 5 | diff -u - "$TMP/want"
	jq -r 'select(.kind == "entry" and .count == null) | .str' "$TMP/out" | diff -u "$TMP/want" -
}

@test "--str 0 in text mode shows arg0=\"umark-<i>\"; --str with --count is a usage error (exit 2)" {
	trace_umark "-n 4 -i 0" --str 0 umark_greet
	sed -nE 's/^umark_greet\((".*")\) = [0-9]+$/arg0=\1/p' "$TMP/umark.out" > "$TMP/want"
	[[ $(wc -l < "$TMP/want") -eq 4 ]]
	grep -oE 'arg0=".*"$' "$TMP/out" | diff -u "$TMP/want" -
	expect_failure 2 "--str" "$USCOPE" trace -x "$UMARK" --str 0 --count umark_greet
}

@test "--args N: JSON args arrays have N registers without DWARF, min(N, 2 parameters) with it; values as umark printed" {
	private_umark
	strip -g -o "$TMP/bin/umark-nodwarf" "$TMP/bin/umark"
	[[ -z $(readelf -S "$TMP/bin/umark-nodwarf" | grep -F .debug_info) ]]
	for bin in "$TMP/bin/umark-nodwarf" "$UMARK"; do
		for n in 0 1 3 6; do
			BIN=$bin trace_umark "-n 3 -i 0" --json --args "$n" func_uprobe2
			sed -nE 's/^func_uprobe2\(([0-9]+), ([0-9]+)\) = .*/\1 \2/p' "$TMP/umark.out" |
				awk -v n="$n" '{ s = ""; for (i = 1; i <= (n < 2 ? n : 2); i++) s = s (i > 1 ? " " : "") $i; print s }' > "$TMP/want"
			[[ $(wc -l < "$TMP/want") -eq 3 ]]
			events "$TMP/out" > "$TMP/ev"
			want_len=$n
			[[ $bin == "$UMARK" && $n -gt 2 ]] && want_len=2	# func_uprobe2(x, y) by DWARF
			[[ "$(jq -r '.args | length' "$TMP/ev" | sort -u)" == "$want_len" ]]
			jq -r '.args[:2] | map(tostring) | join(" ")' "$TMP/ev" | diff -u "$TMP/want" -
		done
	done
}

@test "--hex: text values in hex (USDT args incl. negative ones, return values); JSON stays decimal" {
	trace_umark "-n 3 -i 0" --hex 'usdt:groupe:mixed' "ret:$LIBUMARK:lib_mul"
	# groupe:mixed as umark printed it, each value as 64-bit hex.
	sed -nE 's/^usdt groupe:mixed\((.*)\)$/\1/p' "$TMP/umark.out" | tr -d ',' |
		while read -r -a v; do
			s=""; for x in "${v[@]}"; do s+="${s:+, }$(printf '0x%x' "$x")"; done
			echo "groupe:mixed($s)"
		done > "$TMP/want"
	[[ $(wc -l < "$TMP/want") -eq 3 ]]
	grep -q '0xfffffffffffffffb' "$TMP/want"	# -5
	grep -oE 'groupe:mixed\(.*\)' "$TMP/out" | diff -u "$TMP/want" -
	sed -nE 's/^lib_mul\(.*\) = ([0-9]+)$/\1/p' "$TMP/umark.out" | while read -r r; do printf 'lib_mul = 0x%x\n' "$r"; done > "$TMP/want"
	[[ $(wc -l < "$TMP/want") -eq 9 ]]
	grep -oE 'lib_mul = .*$' "$TMP/out" | diff -u "$TMP/want" -

	trace_umark "-n 3 -i 0" --hex --json --args 2 func_uprobe2
	sed -nE 's/^func_uprobe2\(([0-9]+), ([0-9]+)\) = .*/\1 \2/p' "$TMP/umark.out" > "$TMP/want"
	events "$TMP/out" | jq -r '.args | map(tostring) | join(" ")' | diff -u "$TMP/want" -
}

# --- lost events -----------------------------------------------------------------

@test "--ringbuf-size 4096 overflows: Summary hits = umark's op calls, lost > 0, printed + lost = hits = JSON events + lost" {
	"$USCOPE" trace --json --ringbuf-size 4096 -c "$UMARK -n 30 -i 0 -q" 'umark_op_*' > "$TMP/out" 2> "$TMP/err"
	grep '^Summary:' "$TMP/err"
	want=$(awk '$1 == "umark:" && $2 == "calls" && $3 ~ /^umark_op_/ { s += $4 } END { print s }' "$TMP/err")
	[[ $want -eq 62400 ]]
	hits=$(summary_field "$TMP/err" hits)
	printed=$(summary_field "$TMP/err" events)
	lost=$(summary_field "$TMP/err" lost)
	nev=$(events "$TMP/out" | wc -l)
	echo "umark $want, hits $hits, printed $printed, lost $lost, JSON events $nev"
	[[ $hits -eq $want ]]
	[[ $lost -gt 0 ]]
	[[ $((printed + lost)) -eq $hits ]]
	[[ $nev -eq $printed ]]
}

# --- --interval, --top ---------------------------------------------------------

@test "-i 0.2 --count --json: >= 3 interval markers, interval counts add up to <= the totals, totals = umark's" {
	"$USCOPE" trace -i 0.2 --count --json -c "$UMARK -n 10 -i 100 -q" func_uprobe1 'umark_op_0*' > "$TMP/out" 2> "$TMP/err"
	drop_summary "$TMP/out"
	markers=$(jq -c 'select(.interval_end != null)' "$TMP/out" | wc -l)
	echo "$markers interval markers"
	[[ $markers -ge 3 ]]
	jq -s -e 'map(select(.interval_end != null) | .interval_end | test("^[0-9]{2}:[0-9]{2}:[0-9]{2}$")) | all' "$TMP/out"
	# The output starts with a marker; the final totals are the last K count
	# lines, K = the number of distinct probes ever counted (JSON has no
	# marker before the totals).
	[[ "$(head -n1 "$TMP/out" | jq -r '.interval_end != null')" == true ]]
	k=$(count_probes "$TMP/out" | wc -l)
	[[ $k -eq 11 ]]
	jq -c 'select(.count != null)' "$TMP/out" > "$TMP/counts"
	tail -n "$k" "$TMP/counts" > "$TMP/totals"
	head -n "-$k" "$TMP/counts" > "$TMP/deltas"
	expect_counts "$TMP/totals" "$TMP/err" entry func_uprobe1 $(seq -f 'umark_op_%02g' 0 9)
	for f in func_uprobe1 umark_op_09; do
		sum=$(jq -s --arg p "$f" '[.[] | select(.probe == $p) | .count] | add // 0' "$TMP/deltas")
		echo "$f: intervals $sum, umark $(umark_calls "$TMP/err" "$f")"
		[[ $sum -gt 0 && $sum -le $(umark_calls "$TMP/err" "$f") ]]
	done
	# No interval block lists a probe twice.
	head -n "-$k" "$TMP/out" | awk '/interval_end/ { split("", seen); next }
		{ match($0, /"probe": "[^"]*"/); p = substr($0, RSTART, RLENGTH); if (p in seen) { print "repeated: " $0; exit 1 } seen[p] = 1 }'
}

@test "--top 3 (text, -i 0.2): every table has at most 3 rows; Total is umark's 3 busiest with their counts" {
	"$USCOPE" trace -i 0.2 --top 3 --count -c "$UMARK -n 8 -i 100 -q" func_uprobe1 'umark_op_0*' > "$TMP/out" 2> "$TMP/err"
	cat "$TMP/out"
	[[ $(grep -c '^PROBE ' "$TMP/out") -ge 3 ]]
	# Rows per table (a table: its PROBE header up to the next blank line or header).
	awk '/^PROBE / { if (on && n > 3) bad = 1; on = 1; n = 0; next } /^$/ || /^\[/ || /^Total:/ { if (on && n > 3) bad = 1; on = 0; next } on { n++ } END { if (n > 3) bad = 1; exit bad }' "$TMP/out"
	sed -n '/^Total:/,$p' "$TMP/out" | awk 'NF == 3 && $2 == "entry" { print $1, $3 }' > "$TMP/got"
	awk '$1 == "umark:" && $2 == "calls" && ($3 == "func_uprobe1" || $3 ~ /^umark_op_0/) { print $3, $4 }' "$TMP/err" |
		sort -k2,2nr | head -n 3 > "$TMP/want"
	diff -u "$TMP/want" "$TMP/got"
}

# --- --uid ---------------------------------------------------------------------

@test "--uid: root's umark counts fully with --uid 0 and not at all with --uid 65534" {
	"$USCOPE" trace --uid 0 --count --json -c "$UMARK -n 4 -i 0 -q" func_uprobe1 'umark_op_1*' > "$TMP/out" 2> "$TMP/err"
	expect_counts "$TMP/out" "$TMP/err" entry func_uprobe1 $(seq -f 'umark_op_%02g' 10 19)
	"$USCOPE" trace --uid 65534 --count --json -c "$UMARK -n 4 -i 0 -q" func_uprobe1 'umark_op_1*' > "$TMP/out" 2> "$TMP/err"
	drop_summary "$TMP/out"
	[[ $(umark_calls "$TMP/err" func_uprobe1) -eq 4 ]]
	[[ ! -s "$TMP/out" ]]
	grep -q '^Summary: 0 hits' "$TMP/err"
}

@test "--uid: umark run as uid 65534 (setpriv) counts with --uid 65534, not with --uid 0" {
	setpriv --reuid 65534 --regid 65534 --clear-groups "$UMARK" -h > /dev/null 2>&1 ||
		skip "uid 65534 cannot run $UMARK (directory permissions)"
	cmd="setpriv --reuid 65534 --regid 65534 --clear-groups $UMARK -n 3 -i 0 -q"
	"$USCOPE" trace -x "$UMARK" --uid 65534 --count --json -c "$cmd" func_uprobe2 ret:umark_op_33 > "$TMP/out" 2> "$TMP/err"
	expect_counts "$TMP/out" "$TMP/err" entry func_uprobe2
	expect_counts "$TMP/out" "$TMP/err" return umark_op_33
	"$USCOPE" trace -x "$UMARK" --uid 0 --count --json -c "$cmd" func_uprobe2 ret:umark_op_33 > "$TMP/out" 2> "$TMP/err"
	drop_summary "$TMP/out"
	[[ $(umark_calls "$TMP/err" func_uprobe2) -eq 3 ]]
	[[ ! -s "$TMP/out" ]]
}

# --- exec ------------------------------------------------------------------------

@test "-p on a process that execs another program: uscope says so, exits 0 within 3 s, nothing left attached" {
	mkfifo "$TMP/go"
	bash -c "read x < '$TMP/go'; exec sleep 30" > /dev/null 2>&1 3>&- &
	BG_PIDS=$!
	pid=$!
	start_uscope trace -p "$pid" --count --json shell_execve
	[[ "$(realpath "$(attached_paths "$TMP/err")")" == "$(realpath /bin/bash)" ]]
	t0=$(date +%s%N)
	echo go > "$TMP/go"
	wait_gone "$USCOPE_PID" 5
	t1=$(date +%s%N)
	st=0; wait "$USCOPE_PID" || st=$?
	ms=$(( (t1 - t0) / 1000000 ))
	echo "uscope exited $st after $ms ms"
	cat "$TMP/err"
	[[ $st -eq 0 ]]
	[[ $ms -lt 3000 ]]
	grep -qF "uscope: process $pid has exec'd another program; its probes are gone" "$TMP/err"
	# The process really runs sleep now, and uscope left it alone.
	[[ "$(readlink -f "/proc/$pid/exe")" == "$(realpath "$(command -v sleep)")" ]]
	alive "$pid"
	# bash's exec builtin went through shell_execve once, before the exec.
	[[ "$(json_count "$TMP/out" shell_execve entry)" -eq 1 ]]
	wait_no_uscope_links
}
