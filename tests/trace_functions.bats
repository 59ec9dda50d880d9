#!/usr/bin/env bats
# Function entry and return probes on umark, checked against umark's own summary.

load lib

OPS=$(seq -f 'umark_op_%02g' 0 63)

@test "counts of func_uprobe1, func_uprobe2 and all 64 umark_op functions equal umark's summary (-c, multi)" {
	"$USCOPE" trace --attach multi --count --json -c "$UMARK -n 7 -i 0 -q" \
		func_uprobe1 func_uprobe2 'umark_op_*' > "$TMP/out" 2> "$TMP/err"
	grep -q '^Attached 66 probes' "$TMP/err"
	grep -q 'via uprobe_multi' "$TMP/err"
	expect_counts "$TMP/out" "$TMP/err" entry func_uprobe1 func_uprobe2 $OPS
}

@test "counts on the perf-event path equal umark's summary (-c, func_* and 3 ops)" {
	"$USCOPE" trace --attach perf --count --json -c "$UMARK -n 6 -i 0 -q" \
		'func_*' umark_op_00 umark_op_31 umark_op_63 > "$TMP/out" 2> "$TMP/err"
	grep -q '^Attached 5 probes .*via perf-event uprobes' "$TMP/err"
	expect_counts "$TMP/out" "$TMP/err" entry func_uprobe1 func_uprobe2 umark_op_00 umark_op_31 umark_op_63
	[[ "$(count_probes "$TMP/out" | tr '\n' ' ')" == "func_uprobe1 func_uprobe2 umark_op_00 umark_op_31 umark_op_63 " ]]
}

@test "counts with the default attach mode, 'umark_*' with -s (ops, recursion, sleeps, greet)" {
	"$USCOPE" trace --count --json -c "$UMARK -n 3 -i 0 -q -s" 'umark_*' > "$TMP/out" 2> "$TMP/err"
	expect_counts "$TMP/out" "$TMP/err" entry $OPS umark_recurse umark_sleep_1ms umark_sleep_8ms umark_greet
}

@test "counts on non-PIE umark equal its summary (-c, multi, all 66 functions)" {
	"$USCOPE" trace --attach multi --count --json -c "$UMARK_NOPIE -n 5 -i 0 -q" \
		'func_uprobe*' 'umark_op_*' > "$TMP/out" 2> "$TMP/err"
	grep -q "^Attached 66 probes .*umark-nopie" "$TMP/err"
	expect_counts "$TMP/out" "$TMP/err" entry func_uprobe1 func_uprobe2 $OPS
}

@test "counts on non-PIE umark on the perf-event path equal its summary" {
	"$USCOPE" trace --attach perf --count --json -c "$UMARK_NOPIE -n 4 -i 0 -q" \
		func_uprobe2 umark_op_05 ret:umark_op_05 > "$TMP/out" 2> "$TMP/err"
	expect_counts "$TMP/out" "$TMP/err" entry func_uprobe2 umark_op_05
	expect_counts "$TMP/out" "$TMP/err" return umark_op_05
}

@test "return probe counts (ret:GLOB) equal umark's, also for the recursive umark_recurse" {
	"$USCOPE" trace --count --json -c "$UMARK -n 4 -i 0 -q" \
		'ret:func_*' 'ret:umark_op_1*' ret:umark_recurse umark_recurse > "$TMP/out" 2> "$TMP/err"
	expect_counts "$TMP/out" "$TMP/err" return func_uprobe1 func_uprobe2 $(seq -f 'umark_op_%02g' 10 19) umark_recurse
	expect_counts "$TMP/out" "$TMP/err" entry umark_recurse
	# Nothing else was counted as a return: no umark_op_01, no umark_op_20.
	[[ $(jq -s '[.[] | select(.count != null and .kind == "return")] | length' "$TMP/out") -eq 13 ]]
}

@test "return counts on the perf-event path equal umark's" {
	"$USCOPE" trace --attach perf --count --json -c "$UMARK -n 5 -i 0 -q" \
		ret:func_uprobe1 ret:umark_recurse > "$TMP/out" 2> "$TMP/err"
	expect_counts "$TMP/out" "$TMP/err" return func_uprobe1 umark_recurse
}

@test "library functions (BINARY:GLOB on libumark.so) count like libumark says" {
	"$USCOPE" trace --count --json -c "$UMARK -n 5 -i 0 -q" \
		"$LIBUMARK:lib_add" "$LIBUMARK:lib_mul" "ret:$LIBUMARK:lib_mul" func_uprobe1 > "$TMP/out" 2> "$TMP/err"
	# The Attached line names both binaries.
	grep '^Attached 4 probes' "$TMP/err" | grep -F "$(realpath "$UMARK")" | grep -qF "$(realpath "$LIBUMARK")"
	expect_counts "$TMP/out" "$TMP/err" entry lib_add lib_mul func_uprobe1
	expect_counts "$TMP/out" "$TMP/err" return lib_mul
}

@test "entry args of func_uprobe1/func_uprobe2 (--args 2 --json) equal what umark printed, in order and in number" {
	trace_umark "-n 6 -i 0" --json --args 2 func_uprobe1 func_uprobe2
	sed -nE 's/^func_uprobe1\(([0-9]+)\) = .*/func_uprobe1 \1/p; s/^func_uprobe2\(([0-9]+), ([0-9]+)\) = .*/func_uprobe2 \1 \2/p' \
		"$TMP/umark.out" > "$TMP/want"
	[[ $(wc -l < "$TMP/want") -eq 12 ]]
	# umark is built with -g: each args array is the function's own parameters (DWARF), so the
	# whole array, its length included, equals what umark printed.
	jq -r 'select(.kind == "entry" and .count == null) | "\(.probe) \(.args | map(tostring) | join(" "))"' \
		"$TMP/out" > "$TMP/got"
	diff -u "$TMP/want" "$TMP/got"
}

@test "events carry umark's pid, tid and comm \"umark\"" {
	trace_umark "-n 3 -i 0" --json func_uprobe1 ret:func_uprobe2
	pid=$(umark_pid "$TMP/umark.err")
	[[ -n "$pid" ]]
	[[ $(jq -r 'select(.kind != null and .count == null) | "\(.pid) \(.tid) \(.comm)"' "$TMP/out" | sort | uniq -c | awk '{ print $1, $2, $3, $4 }') == "6 $pid $pid umark" ]]
}

@test "return values (ret:) equal the results umark printed, in order" {
	trace_umark "-n 6 -i 0" --json ret:func_uprobe1 ret:func_uprobe2
	sed -nE 's/^(func_uprobe[12])\(.*\) = ([0-9]+)$/\1 \2/p' "$TMP/umark.out" > "$TMP/want"
	[[ $(wc -l < "$TMP/want") -eq 12 ]]
	jq -r 'select(.kind == "return" and .count == null) | "\(.probe) \(.ret)"' "$TMP/out" > "$TMP/got"
	diff -u "$TMP/want" "$TMP/got"
}

@test "library entry args and return values equal what umark printed (lib_add, lib_mul)" {
	trace_umark "-n 4 -i 0" --json --args 2 "$LIBUMARK:lib_add" "$LIBUMARK:lib_mul" "ret:$LIBUMARK:lib_mul"
	sed -nE 's/^(lib_add|lib_mul)\(([0-9]+), ([0-9]+)\) = .*/\1 \2 \3/p' "$TMP/umark.out" > "$TMP/want"
	[[ $(wc -l < "$TMP/want") -eq 20 ]]
	jq -r 'select(.kind == "entry" and .count == null) | "\(.probe) \(.args[0]) \(.args[1])"' "$TMP/out" > "$TMP/got"
	diff -u "$TMP/want" "$TMP/got"
	sed -nE 's/^lib_mul\(.*\) = ([0-9]+)$/lib_mul \1/p' "$TMP/umark.out" > "$TMP/want"
	jq -r 'select(.kind == "return" and .count == null) | "\(.probe) \(.ret)"' "$TMP/out" > "$TMP/got"
	diff -u "$TMP/want" "$TMP/got"
}

@test "text output (decimal and --hex) shows the args and return values umark printed" {
	trace_umark "-n 12 -i 0" --args 1 func_uprobe1 ret:func_uprobe1
	# DWARF names the parameter (umark.h: func_uprobe1(unsigned long long x)).
	sed -nE 's/^func_uprobe1\(([0-9]+)\) = ([0-9]+)$/func_uprobe1(x=\1) func_uprobe1 = \2/p' "$TMP/umark.out" > "$TMP/want"
	[[ $(wc -l < "$TMP/want") -eq 12 ]]
	grep -oE 'func_uprobe1(\(x=[0-9]+\)| = [0-9]+)' "$TMP/out" | paste -d ' ' - - > "$TMP/got"
	diff -u "$TMP/want" "$TMP/got"

	trace_umark "-n 12 -i 0" --hex --args 1 func_uprobe1 ret:func_uprobe1
	sed -nE 's/^func_uprobe1\(([0-9]+)\) = ([0-9]+)$/\1 \2/p' "$TMP/umark.out" |
		while read -r a r; do printf 'func_uprobe1(x=0x%x) func_uprobe1 = 0x%x\n' "$a" "$r"; done > "$TMP/want"
	grep -oE 'func_uprobe1(\(x=0x[0-9a-f]+\)| = 0x[0-9a-f]+)' "$TMP/out" | paste -d ' ' - - > "$TMP/got"
	diff -u "$TMP/want" "$TMP/got"
	# 10 and 11 really were printed in hex.
	grep -q 'func_uprobe1(x=0xa)' "$TMP/out"
}

@test "threads: with umark -t 4, counts are exact and events come from 4 threads of umark" {
	trace_umark "-n 5 -i 0 -q -t 4" --json func_uprobe1 'umark_op_0*'
	expect_counts "$TMP/out" "$TMP/umark.err" entry func_uprobe1 $(seq -f 'umark_op_%02g' 0 9)
	pid=$(umark_pid "$TMP/umark.err")
	[[ $(jq -r 'select(.probe == "func_uprobe1" and .kind == "entry" and .count == null) | .pid' "$TMP/out" | sort -u) == "$pid" ]]
	[[ $(jq -r 'select(.probe == "func_uprobe1" and .kind == "entry" and .count == null) | .tid' "$TMP/out" | sort -u | wc -l) -eq 4 ]]
	[[ $(jq -r 'select(.probe == "func_uprobe1" and .kind == "entry" and .count == null) | .tid' "$TMP/out" | wc -l) -eq 20 ]]
}

@test "counts stay exact when a tiny ring buffer overflows (--ringbuf-size 4096)" {
	"$USCOPE" trace --json --ringbuf-size 4096 -c "$UMARK -n 60 -i 0 -q" 'umark_op_*' func_uprobe1 > "$TMP/out" 2> "$TMP/err"
	expect_counts "$TMP/out" "$TMP/err" entry func_uprobe1 $OPS
	# Fewer events than hits fit through 4 KiB (otherwise this test proves nothing).
	events=$(jq -c 'select(.count == null) | 1' "$TMP/out" | wc -l)
	hits=$(jq -s '[.[] | select(.count != null) | .count] | add' "$TMP/out")
	[[ "$events" -lt "$hits" ]]
}

@test "-p on a gated umark: uscope ends when it exits and counts equal its summary exactly (multi)" {
	start_umark_gated -n 8 -i 0 -q
	start_uscope trace -p "$UMARK_PID" --attach multi --count --json \
		func_uprobe1 func_uprobe2 'umark_op_*' ret:umark_recurse "$LIBUMARK:lib_mul"
	release_umark
	wait_gone "$UMARK_PID" 10
	finish_uscope 5
	expect_counts "$TMP/out" "$TMP/umark.err" entry func_uprobe1 func_uprobe2 $OPS lib_mul
	expect_counts "$TMP/out" "$TMP/umark.err" return umark_recurse
}

@test "-p on a gated umark on the perf-event path: counts equal its summary exactly" {
	start_umark_gated -n 8 -i 0 -q
	start_uscope trace -p "$UMARK_PID" --attach perf --count --json func_uprobe1 ret:func_uprobe2 umark_op_42
	grep -q 'via perf-event uprobes' "$TMP/err"
	release_umark
	finish_uscope 10
	expect_counts "$TMP/out" "$TMP/umark.err" entry func_uprobe1 umark_op_42
	expect_counts "$TMP/out" "$TMP/umark.err" return func_uprobe2
}

@test "-x -p on an already running umark: events arrive, uscope ends when umark exits, 0 < count <= umark's" {
	start_umark -i 20 -q
	start_uscope trace -x "$UMARK" -p "$UMARK_PID" --json func_uprobe1 umark_op_03
	wait_for "$TMP/out" '"probe": "func_uprobe1"' 5
	kill -INT "$UMARK_PID"
	wait_gone "$UMARK_PID" 5
	finish_uscope 5
	drop_summary "$TMP/out"
	for f in func_uprobe1 umark_op_03; do
		got=$(json_count "$TMP/out" "$f" entry)
		want=$(umark_calls "$TMP/umark.err" "$f")
		echo "$f: uscope $got, umark $want"
		[[ "$got" -gt 0 && "$got" -le "$want" ]]
	done
	pid_seen=$(jq -r 'select(.count == null) | .pid' "$TMP/out" | sort -u)
	[[ "$pid_seen" == "$UMARK_PID" ]]
}

@test "-x without -p/-c traces every process of the binary; -d ends the trace after SECS" {
	# A private copy: other sessions may run build/umark at the same time.
	private_umark
	UMARK_BIN=$PUMARK start_umark_gated -n 4 -i 0 -q
	t0=$(date +%s%N)
	start_uscope trace -x "$PUMARK" -d 1.5 --count --json func_uprobe2 ret:umark_op_07
	release_umark
	wait_gone "$UMARK_PID" 5
	# uscope is still running: umark's exit does not end a -x trace.
	alive "$USCOPE_PID"
	wait_gone "$USCOPE_PID" 5
	t1=$(date +%s%N)
	st=0; wait "$USCOPE_PID" || st=$?
	[[ $st -eq 0 ]]
	ms=$(( (t1 - t0) / 1000000 ))
	echo "uscope ran $ms ms"
	[[ $ms -ge 1400 && $ms -lt 4000 ]]
	expect_counts "$TMP/out" "$TMP/umark.err" entry func_uprobe2
	expect_counts "$TMP/out" "$TMP/umark.err" return umark_op_07
}
