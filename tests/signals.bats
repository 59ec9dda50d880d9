#!/usr/bin/env bats
# Signals: SIGINT/SIGTERM detach and print counts, SIGKILL leaves nothing
# attached either, and the traced umark goes on unharmed: its final summary
# equals an untraced run's (the checksum depends only on -n).

load lib

# Long enough (4 s at -i 5) that umark outlives attach + first event + stop on
# two loaded cores; the tests then wait for it to finish by itself.
N=800

# untraced_checksum BIN N: the checksum of an untraced run of N iterations.
untraced_checksum() {
	"$1" -n "$2" -i 0 -q 2> "$TMP/plain.err"
	umark_checksum "$TMP/plain.err"
}

# umark_finishes_unharmed BIN: umark (UMARK_PID, still running) ends by
# itself with status 0 after $N iterations and the untraced checksum.
umark_finishes_unharmed() {
	local want st=0
	want=$(untraced_checksum "$1" "$N")
	[[ -n "$want" ]]
	wait "$UMARK_PID" || st=$?
	[[ $st -eq 0 ]] || { echo "umark exited $st"; cat "$TMP/umark.err"; return 1; }
	[[ "$(awk '$2 == "iterations" { print $3 }' "$TMP/umark.err")" == "$N" ]]
	echo "checksum: traced run $(umark_checksum "$TMP/umark.err"), untraced $want"
	[[ "$(umark_checksum "$TMP/umark.err")" == "$want" ]]
}

# stop_uscope SIG: send SIG to uscope (attached, events flowing); it must be
# gone within 3 s with status 0, having printed JSON count lines no larger
# than umark's own counts, and leave no link behind.
stop_uscope() {
	local t0 t1 st=0
	wait_for "$TMP/out" '"kind": *"entry"' 5
	t0=$(date +%s%N)
	kill "-$1" "$USCOPE_PID"
	wait_gone "$USCOPE_PID" 3
	t1=$(date +%s%N)
	wait "$USCOPE_PID" || st=$?
	echo "uscope exited $st after $(( (t1 - t0) / 1000000 )) ms"
	[[ $st -eq 0 ]]
	no_uscope_links
	# umark did not die with it.
	alive "$UMARK_PID"
}

# counts_plausible PROBE KIND UMARK-NAME: uscope printed a count line for
# PROBE/KIND, > 0 and <= what umark finally reports for UMARK-NAME.
counts_plausible() {
	local got want
	got=$(json_count "$TMP/out" "$1" "$2")
	want=$(awk -v n="$1" '$1 == "umark:" && ($2 == "calls" || $2 == "usdt") && $3 == n { print $4 }' "$TMP/umark.err")
	echo "$1 $2: uscope $got, umark $want"
	[[ "$got" -gt 0 && "$got" -le "$want" ]]
}

@test "SIGINT mid-trace (-p, uprobe_multi): prompt exit 0, counts printed, nothing left, umark unharmed" {
	start_umark -n "$N" -i 5 -q
	start_uscope trace -p "$UMARK_PID" --attach multi --json func_uprobe1 ret:func_uprobe2 'umark_op_1*' 'usdt:*:*'
	stop_uscope INT
	umark_finishes_unharmed "$UMARK"
	counts_plausible func_uprobe1 entry
	counts_plausible func_uprobe2 return
	counts_plausible umark_op_15 entry
	counts_plausible groupd:twice usdt
}

@test "SIGTERM mid-trace (-p, uprobe_multi): prompt exit 0, counts printed, nothing left, umark unharmed" {
	start_umark -n "$N" -i 5 -q
	start_uscope trace -p "$UMARK_PID" --attach multi --json func_uprobe1 ret:func_uprobe1 ret:umark_recurse 'usdt:group[ab]:*'
	stop_uscope TERM
	umark_finishes_unharmed "$UMARK"
	counts_plausible func_uprobe1 entry
	counts_plausible func_uprobe1 return
	counts_plausible umark_recurse return
	counts_plausible groupb:probe2 usdt
}

@test "SIGINT mid-trace on the perf-event path (-p): prompt exit 0, counts printed, nothing left" {
	start_umark -n "$N" -i 5 -q
	start_uscope trace -p "$UMARK_PID" --attach perf --json func_uprobe1 ret:func_uprobe2 usdt:groupa:probe1
	stop_uscope INT
	umark_finishes_unharmed "$UMARK"
	counts_plausible func_uprobe1 entry
	counts_plausible func_uprobe2 return
	counts_plausible groupa:probe1 usdt
}

@test "SIGTERM mid-trace with -x only (system-wide, perf path): prompt exit 0, counts, nothing left" {
	private_umark
	UMARK_BIN=$PUMARK start_umark -n "$N" -i 5 -q
	start_uscope trace -x "$PUMARK" --attach perf --json func_uprobe1 ret:umark_greet
	stop_uscope TERM
	umark_finishes_unharmed "$PUMARK"
	counts_plausible func_uprobe1 entry
	counts_plausible umark_greet return
}

@test "SIGKILL of uscope (uprobe_multi) leaves nothing attached, umark unharmed" {
	start_umark -n "$N" -i 5 -q
	start_uscope trace -p "$UMARK_PID" --attach multi --json func_uprobe1 ret:func_uprobe2 'umark_op_*' 'usdt:*:*'
	wait_for "$TMP/out" '"kind": *"entry"' 5
	kill -KILL "$USCOPE_PID"
	wait_gone "$USCOPE_PID" 3
	wait "$USCOPE_PID" 2>/dev/null || true
	wait_no_uscope_links 3
	alive "$UMARK_PID"
	umark_finishes_unharmed "$UMARK"
}

@test "SIGKILL of uscope (perf-event path, with a semaphore) leaves nothing attached, umark unharmed" {
	private_umark	# nobody else may hold groupc:probe3's semaphore up
	UMARK_BIN=$PUMARK start_umark -n "$N" -i 5 -q
	start_uscope trace -p "$UMARK_PID" --attach perf --json func_uprobe1 ret:func_uprobe1 usdt:groupc:probe3
	wait_for "$TMP/out" '"kind": *"entry"' 5
	kill -KILL "$USCOPE_PID"
	wait_gone "$USCOPE_PID" 3
	wait "$USCOPE_PID" 2>/dev/null || true
	wait_no_uscope_links 3
	umark_finishes_unharmed "$PUMARK"
	# The semaphore went down with the probe: the last iterations did not fire.
	fired=$(umark_usdt "$TMP/umark.err" groupc:probe3)
	echo "probe3 fired $fired of $N"
	[[ "$fired" -gt 0 && "$fired" -lt "$N" ]]
}
