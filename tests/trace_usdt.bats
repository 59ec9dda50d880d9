#!/usr/bin/env bats
# USDT probes on umark and libumark.so, checked against umark's summary
# (what it really fired), its stdout (the argument values) and readelf.

load lib

ALL_USDT="groupa:probe1 groupb:probe2 groupc:probe3 groupd:twice groupe:mixed libumark:libprobe"

@test "every umark USDT probe (usdt:*:* + libumark.so's) counts like umark's summary (-c, multi)" {
	"$USCOPE" trace --attach multi --count --json -c "$UMARK -n 7 -i 0 -q" \
		'usdt:*:*' "usdt:$LIBUMARK:libumark:libprobe" > "$TMP/out" 2> "$TMP/err"
	grep -q 'via uprobe_multi' "$TMP/err"
	expect_counts "$TMP/out" "$TMP/err" usdt $ALL_USDT
	[[ "$(count_probes "$TMP/out" | tr '\n' ' ')" == "$ALL_USDT " ]]
}

@test "the Attached line's numbers add up and match readelf (entry, return and USDT locations)" {
	"$USCOPE" trace --count --json -c "$UMARK -n 1 -i 0 -q" func_uprobe1 'ret:umark_op_0*' 'usdt:*:*' > "$TMP/out" 2> "$TMP/err"
	line=$(grep '^Attached ' "$TMP/err")
	echo "$line"
	[[ "$line" =~ ^Attached\ ([0-9]+)\ probes\ \(([0-9]+)\ entry,\ ([0-9]+)\ return,\ ([0-9]+)\ usdt\ at\ ([0-9]+)\ locations\) ]]
	n=${BASH_REMATCH[1]} e=${BASH_REMATCH[2]} r=${BASH_REMATCH[3]} u=${BASH_REMATCH[4]} l=${BASH_REMATCH[5]}
	notes=$(readelf_usdt "$UMARK" | wc -l)
	names=$(readelf_usdt "$UMARK" | cut -f1,2 | sort -u | wc -l)
	ops=$(readelf_funcs "$UMARK" | grep -c '^umark_op_0')
	echo "readelf: $notes notes, $names probe names, $ops umark_op_0* functions"
	[[ $e -eq 1 && $r -eq $ops ]]
	[[ $u -eq $names && $l -eq $notes ]]
	[[ $n -eq $((e + r + l)) ]] || { echo "N=$n is not E+R+L=$((e + r + l))"; false; }
}

@test "every umark USDT probe counts like umark's summary (-c, perf-event path)" {
	"$USCOPE" trace --attach perf --count --json -c "$UMARK -n 5 -i 0 -q" \
		'usdt:*:*' "usdt:$LIBUMARK:libumark:libprobe" > "$TMP/out" 2> "$TMP/err"
	grep -q 'via perf-event uprobes' "$TMP/err"
	expect_counts "$TMP/out" "$TMP/err" usdt $ALL_USDT
}

@test "USDT counts on non-PIE umark (semaphore at a different file offset) equal its summary" {
	"$USCOPE" trace --count --json -c "$UMARK_NOPIE -n 6 -i 0 -q" 'usdt:*:*' > "$TMP/out" 2> "$TMP/err"
	expect_counts "$TMP/out" "$TMP/err" usdt groupa:probe1 groupb:probe2 groupc:probe3 groupd:twice groupe:mixed
}

# gated_usdt_counts MODE: -p on a gated umark, every USDT count equals its summary.
gated_usdt_counts() {
	start_umark_gated -n 9 -i 0 -q
	start_uscope trace -p "$UMARK_PID" --attach "$1" --count --json 'usdt:*:*' "usdt:$LIBUMARK:libumark:libprobe"
	release_umark
	finish_uscope
	expect_counts "$TMP/out" "$TMP/umark.err" usdt $ALL_USDT
}

@test "-p on a gated umark: every USDT count equals umark's summary (multi)" {
	gated_usdt_counts multi
}

@test "-p on a gated umark: every USDT count equals umark's summary (perf-event path)" {
	gated_usdt_counts perf
}

@test "groupd:twice (two notes, one name) counts both locations, on both attach paths" {
	[[ $(readelf_usdt "$UMARK" | awk -F '\t' '$1 == "groupd" && $2 == "twice"' | wc -l) -eq 2 ]]
	for mode in multi perf; do
		"$USCOPE" trace --attach "$mode" --count --json -c "$UMARK -n 5 -i 0 -q" usdt:groupd:twice > "$TMP/out" 2> "$TMP/err"
		expect_counts "$TMP/out" "$TMP/err" usdt groupd:twice
		# 3 fires per iteration: site A once, site B twice.
		[[ $(json_count "$TMP/out" groupd:twice usdt) -eq 15 ]]
	done
}

@test "semaphore-guarded groupc:probe3 fires only while traced, and then every fire is counted" {
	# A private copy, so that no other session's tracer sets the semaphore.
	private_umark
	"$PUMARK" -n 5 -i 0 > "$TMP/plain.out" 2> "$TMP/plain.err"
	[[ "$(umark_usdt "$TMP/plain.err" groupc:probe3)" == 0 ]]
	! grep -q 'groupc:probe3' "$TMP/plain.out"

	BIN=$PUMARK trace_umark "-n 5 -i 0" --json usdt:groupc:probe3
	[[ "$(umark_usdt "$TMP/umark.err" groupc:probe3)" == 5 ]]
	expect_counts "$TMP/out" "$TMP/umark.err" usdt groupc:probe3
	# Its argument is the iteration number umark printed.
	sed -nE 's/^usdt groupc:probe3\(([0-9]+)\)$/\1/p' "$TMP/umark.out" > "$TMP/want"
	jq -r 'select(.kind == "usdt" and .count == null) | .args[0]' "$TMP/out" > "$TMP/got"
	diff -u "$TMP/want" "$TMP/got"
}

@test "groupc:probe3's semaphore works on non-PIE umark too (untraced 0, traced all counted)" {
	private_umark
	"$PUMARK_NOPIE" -n 4 -i 0 -q 2> "$TMP/plain.err"
	[[ "$(umark_usdt "$TMP/plain.err" groupc:probe3)" == 0 ]]
	for mode in multi perf; do
		"$USCOPE" trace --attach "$mode" --count --json -c "$PUMARK_NOPIE -n 4 -i 0 -q" usdt:groupc:probe3 > "$TMP/out" 2> "$TMP/err"
		[[ "$(umark_usdt "$TMP/err" groupc:probe3)" == 4 ]]
		expect_counts "$TMP/out" "$TMP/err" usdt groupc:probe3
	done
}

@test "USDT args: groupa:probe1 [10], groupb:probe2 [20,30], libumark:libprobe [i,100] as umark printed" {
	trace_umark "-n 4 -i 0" --json usdt:groupa:probe1 usdt:groupb:probe2 "usdt:$LIBUMARK:libumark:libprobe"
	jq -c 'select(.kind == "usdt" and .count == null and .probe != "libumark:libprobe") | [.probe, .args]' "$TMP/out" > "$TMP/got"
	for i in 1 2 3 4; do echo '["groupa:probe1",[10]]'; echo '["groupb:probe2",[20,30]]'; done > "$TMP/want"
	diff -u "$TMP/want" "$TMP/got"
	sed -nE 's/^usdt libumark:libprobe\(([0-9]+), ([0-9]+)\)$/[\1,\2]/p' "$TMP/umark.out" > "$TMP/want"
	[[ $(wc -l < "$TMP/want") -eq 4 ]]
	jq -c 'select(.probe == "libumark:libprobe" and .count == null) | .args' "$TMP/out" > "$TMP/got"
	diff -u "$TMP/want" "$TMP/got"
}

@test "USDT args of groupe:mixed (signed/unsigned, 1 to 8 bytes, memory and register operands) equal umark's" {
	trace_umark "-n 6 -i 0" --json usdt:groupe:mixed
	sed -nE 's/^usdt groupe:mixed\((.*)\)$/[\1]/p' "$TMP/umark.out" | tr -d ' ' > "$TMP/want"
	[[ $(wc -l < "$TMP/want") -eq 6 ]]
	grep -q -- '-5,200,-300,65000,' "$TMP/want"
	jq -c 'select(.kind == "usdt" and .count == null) | .args' "$TMP/out" > "$TMP/got"
	diff -u "$TMP/want" "$TMP/got"
}

@test "USDT events carry comm umark and umark's pid" {
	trace_umark "-n 3 -i 0" --json usdt:groupb:probe2 usdt:groupd:twice
	pid=$(umark_pid "$TMP/umark.err")
	[[ $(jq -r 'select(.kind == "usdt" and .count == null) | "\(.pid) \(.tid) \(.comm)"' "$TMP/out" | sort | uniq -c | awk '{ print $1, $2, $3, $4 }') == "12 $pid $pid umark" ]]
}

@test "glob forms usdt:groupa:* and usdt:*:probe2 pick exactly the matching probes" {
	"$USCOPE" trace --count --json -c "$UMARK -n 4 -i 0 -q" 'usdt:groupa:*' > "$TMP/out" 2> "$TMP/err"
	expect_counts "$TMP/out" "$TMP/err" usdt groupa:probe1
	[[ "$(count_probes "$TMP/out")" == groupa:probe1 ]]

	"$USCOPE" trace --count --json -c "$UMARK -n 4 -i 0 -q" 'usdt:*:probe2' > "$TMP/out" 2> "$TMP/err"
	expect_counts "$TMP/out" "$TMP/err" usdt groupb:probe2
	[[ "$(count_probes "$TMP/out")" == groupb:probe2 ]]

	"$USCOPE" trace --count --json -c "$UMARK -n 4 -i 0 -q" 'usdt:group[ab]:probe?' > "$TMP/out" 2> "$TMP/err"
	expect_counts "$TMP/out" "$TMP/err" usdt groupa:probe1 groupb:probe2
	[[ "$(count_probes "$TMP/out" | tr '\n' ' ')" == "groupa:probe1 groupb:probe2 " ]]
}

@test "-p attached to a running umark: uscope ends when it exits and counts every groupc:probe3 fire" {
	# probe3 fires only while its semaphore is raised, i.e. only while uscope
	# is attached; umark exits (SIGINT) before uscope detaches, so every fire
	# umark counted happened under uscope's probe.  (A private copy, so that
	# no other session's tracer raises the semaphore before uscope attaches.)
	private_umark
	UMARK_BIN=$PUMARK start_umark -i 10 -q
	start_uscope trace -p "$UMARK_PID" --json usdt:groupc:probe3 usdt:groupa:probe1
	wait_for "$TMP/out" '"probe": "groupc:probe3"' 5
	kill -INT "$UMARK_PID"
	wait_gone "$UMARK_PID" 5
	finish_uscope 5
	fired=$(umark_usdt "$TMP/umark.err" groupc:probe3)
	iters=$(awk '$2 == "iterations" { print $3 }' "$TMP/umark.err")
	echo "umark: $iters iterations, probe3 fired $fired times"
	[[ "$fired" -gt 0 && "$fired" -lt "$iters" ]]
	expect_counts "$TMP/out" "$TMP/umark.err" usdt groupc:probe3
	# groupa:probe1 fires every iteration: uscope saw some, not more than umark did.
	got=$(json_count "$TMP/out" groupa:probe1 usdt)
	[[ "$got" -gt 0 && "$got" -le "$(umark_usdt "$TMP/umark.err" groupa:probe1)" ]]
}

@test "after uscope detaches (SIGINT), groupc:probe3's semaphore drops: umark goes on without firing it" {
	private_umark
	UMARK_BIN=$PUMARK start_umark -i 10
	start_uscope trace -p "$UMARK_PID" --json usdt:groupc:probe3
	wait_for "$TMP/out" '"probe": "groupc:probe3"' 5
	kill -INT "$USCOPE_PID"
	finish_uscope 5
	# umark goes on untraced for 10 more iterations.
	last=$(grep -c '^iteration ' "$TMP/umark.out")
	wait_for "$TMP/umark.out" "^iteration $((last + 10)) " 5
	kill -INT "$UMARK_PID"
	wait_gone "$UMARK_PID" 5
	fired=$(umark_usdt "$TMP/umark.err" groupc:probe3)
	iters=$(awk '$2 == "iterations" { print $3 }' "$TMP/umark.err")
	got=$(json_count "$TMP/out" groupc:probe3 usdt)
	echo "umark: $iters iterations, probe3 fired $fired times; uscope counted $got"
	# The last 10 iterations (at least) ran with the semaphore down.
	[[ "$fired" -gt 0 && $((fired + 10)) -le "$iters" ]]
	# No more than umark fired (a fire during the kernel's detach may be missed:
	# the kernel drops the consumer before it lowers the semaphore).
	[[ "$got" -gt 0 && "$got" -le "$fired" ]]
}
