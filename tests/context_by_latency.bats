#!/usr/bin/env bats
# --by with --latency, --hist and --lhist: one histogram per (probe, key).
# Oracles: the targets' own counts per argument value and per process
# (tests/targets/bykeys prints how often it called by_nap(MS); umark its
# calls and the values it passed), and the sleep each by_nap(MS) asked for
# (every sample of key MS is at least MS ms).

load lib
load context_lib

BYKEYS="$BUILD_DIR/bykeys"

# trace_bykeys "ARGS" USCOPE-ARGS...: bykeys ARGS under -c, its report in $TMP/t.err.
trace_bykeys() {
	local a=$1
	shift
	"$USCOPE" trace -x "$BYKEYS" -c "sh -c 'exec $BYKEYS $a 2> $TMP/t.err'" "$@" > "$TMP/out" 2> "$TMP/err"
}

# bykeys_naps: "MS COUNT" per key, as bykeys counted itself.
bykeys_naps() { sed -nE 's/^by_nap\(([0-9]+)\) ([0-9]+)$/\1 \2/p' "$TMP/t.err" | sort; }

# lat_rows OUT PROBE: "key-values count" per keyed latency record of PROBE.
lat_rows() {
	jq -r --arg p "$2" 'select(.by != null and .probe == $p and .kind == "latency") |
		"\([.by[]] | map(tostring) | join(" ")) \(.count)"' "$1" | sort
}

@test "--latency --by arg0,ret: each key's calls as bykeys counted them, every sample at least its sleep" {
	trace_bykeys "5 3 2" --latency --json --by arg0,ret by_nap
	cat "$TMP/out"
	bykeys_naps | awk '{ print $1, -$1, $2 }' | sort > "$TMP/want"
	[[ $(wc -l < "$TMP/want") -eq 3 ]]
	lat_rows "$TMP/out" by_nap > "$TMP/got"
	diff -u "$TMP/want" "$TMP/got"
	# min >= the sleep asked for; buckets add up to the count; sum within [min, max] * count.
	jq -e -s '[.[] | select(.kind == "latency")] | length == 3 and all(
		.min_ns >= .by.arg0 * 1000000 and .min_ns <= .max_ns and
		([.buckets[].count] | add) == .count and
		.sum_ns >= .min_ns * .count and .sum_ns <= .max_ns * .count)' "$TMP/out"
	[[ $(summary_field "$TMP/err" unpaired) == "" || $(jq -s '.[-1].unpaired' "$TMP/out") -eq 0 ]]
	grep -q '^Summary: 0 dropped: key table full' "$TMP/err"
}

@test "--latency --by pid: two processes, each timed under its own pid as often as umark called (recursion included)" {
	private_umark
	two_gated_umarks 6 3
	start_uscope trace -x "$PUMARK" --latency --json --by pid func_uprobe2 umark_recurse
	run_gated_umarks
	kill -INT "$USCOPE_PID"
	finish_uscope
	for f in func_uprobe2 umark_recurse; do
		{
			echo "$P1 $(umark_calls "$TMP/u1.err" $f)"
			echo "$P2 $(umark_calls "$TMP/u2.err" $f)"
		} | sort > "$TMP/want"
		lat_rows "$TMP/out" $f > "$TMP/got"
		diff -u "$TMP/want" "$TMP/got"
	done
	[[ $(jq -s '.[-1].unpaired' "$TMP/out") -eq 0 ]]
}

@test "--latency --by 'str(arg0)',comm: the string read at the entry keys the return's sample" {
	trace_umark "-n 4 -i 0" --latency --json --by 'str(arg0),comm' umark_greet
	sed -nE 's/^umark_greet\("([^"]*)"\) = [0-9]+$/\1 umark 1/p' "$TMP/umark.out" | sort > "$TMP/want"
	[[ $(wc -l < "$TMP/want") -eq 4 ]]
	lat_rows "$TMP/out" umark_greet > "$TMP/got"
	diff -u "$TMP/want" "$TMP/got"
}

@test "--latency --by text: one histogram per key, drawn like the unkeyed ones; --top 2 keeps the busiest keys" {
	trace_bykeys "4 2 1" --latency --by arg0 --top 2 by_nap
	cat "$TMP/out"
	grep -qE '^by_nap arg0=1: count 4, min [0-9.]+ms, avg [0-9.]+ms, max [0-9.]+ms, p50 <= [0-9.]+ms, p99 <= [0-9.]+ms$' "$TMP/out"
	grep -qE '^by_nap arg0=2: count 2, ' "$TMP/out"
	[[ $(grep -c '^by_nap ' "$TMP/out") -eq 2 ]]
	# The key's buckets hold its 4 samples, each drawn as a bar.
	[[ $(sed -n '/^by_nap arg0=1:/,/^$/p' "$TMP/out" | sed -nE 's/^  \[.*\) +([0-9]+) \|.*$/\1/p' | paste -sd+ | bc) -eq 4 ]]
	[[ $(grep -cE '^  \[ *[0-9.]+[mu]?s, +[0-9.]+[mu]?s\) +[0-9]+ \|@* *\|$' "$TMP/out") -ge 2 ]]
}

@test "--latency --by with the key table full: kept samples plus 'dropped: key table full' make every call" {
	trace_bykeys "4 3 3" --latency --json --by arg0 --by-max 1 by_nap
	cat "$TMP/out" "$TMP/err"
	kept=$(jq -s '[.[] | select(.kind == "latency") | .count] | add' "$TMP/out")
	dropped=$(awk '/dropped: key table full/ { print $2 }' "$TMP/err")
	[[ $dropped -gt 0 ]]
	[[ $((kept + dropped)) -eq 10 ]]
	grep -q 'dropped: key table full (--by-max 1)' "$TMP/err"
}

# wait_intervals N: N more interval markers in $TMP/out than now.
wait_intervals() {
	local n i
	n=$(grep -c interval_end "$TMP/out")
	for ((i = 0; i < 100 && $(grep -c interval_end "$TMP/out") < n + $1; i++)); do sleep 0.1; done
}

@test "-i --latency --by: the intervals' samples add up to the totals, exactly, min and max included" {
	mkfifo "$TMP/g"
	"$BYKEYS" -w 40 20 10 < "$TMP/g" 2> "$TMP/t.err" 3>&- &
	P=$!
	BG_PIDS=$P
	start_uscope trace -x "$BYKEYS" --latency --json -i 0.04 --by arg0 by_nap
	echo go > "$TMP/g"
	wait "$P"
	wait_intervals 2
	kill -INT "$USCOPE_PID"
	finish_uscope
	drop_summary "$TMP/out"
	bykeys_naps > "$TMP/want"
	jq -r -s 'index({"totals": true}) as $t | .[$t:] | map(select(.kind == "latency") | "\(.by.arg0) \(.count)") | .[]' \
		"$TMP/out" | sort > "$TMP/got"
	diff -u "$TMP/want" "$TMP/got"
	# Several intervals, whose per-key counts sum to the totals; min = the least interval min.
	[[ $(jq -s 'index({"totals": true}) as $t | .[:$t] | map(select(.kind == "latency")) | length' "$TMP/out") -ge 4 ]]
	jq -e -s 'index({"totals": true}) as $t | (.[:$t] | map(select(.kind == "latency"))) as $i |
		(.[$t:] | map(select(.kind == "latency"))) as $tot | $tot | all(. as $k |
		($i | map(select(.by.arg0 == $k.by.arg0))) as $m |
		([$m[].count] | add) == $k.count and ([$m[].min_ns] | min) == $k.min_ns and
		([$m[].max_ns] | max) == $k.max_ns and ([$m[].sum_ns] | add) == $k.sum_ns)' "$TMP/out"
}

@test "--lhist arg0 --by arg1: one value histogram per key, each holding the x umark passed with that y" {
	trace_umark "-n 6 -i 0" --lhist arg0,0,64,1 --json --by arg1 func_uprobe2
	sed -nE 's/^func_uprobe2\(([0-9]+), ([0-9]+)\) = [0-9]+$/\2 \1 \1 1/p' "$TMP/umark.out" | sort > "$TMP/want"
	[[ $(wc -l < "$TMP/want") -eq 6 ]]
	jq -r 'select(.hist == "arg0") | "\(.by.arg1) \(.buckets[] | "\(.ge) \(.le) \(.count)")"' "$TMP/out" | sort > "$TMP/got"
	diff -u "$TMP/want" "$TMP/got"
}

@test "--hist arg0 --by pid: two processes, each histogram the values that process passed; --top 1" {
	private_umark
	two_gated_umarks 5 3
	start_uscope trace -x "$PUMARK" --hist arg0 --json --by pid func_uprobe1
	run_gated_umarks
	kill -INT "$USCOPE_PID"
	finish_uscope
	# umark passes func_uprobe1 its iteration 0..N-1: log2 buckets [0,0] [1,1] [2,3] [4,7].
	printf '%s\n' "$P1 0 0 1" "$P1 1 1 1" "$P1 2 3 2" "$P1 4 7 1" "$P2 0 0 1" "$P2 1 1 1" "$P2 2 3 1" | sort > "$TMP/want"
	jq -r 'select(.hist == "arg0") | "\(.by.pid) \(.buckets[] | "\(.ge) \(.le) \(.count)")"' "$TMP/out" | sort > "$TMP/got"
	diff -u "$TMP/want" "$TMP/got"
	rm -f "$TMP/g1" "$TMP/g2"
	two_gated_umarks 2 4
	start_uscope trace -x "$PUMARK" --hist arg0 --json --by pid --top 1 func_uprobe1
	run_gated_umarks
	kill -INT "$USCOPE_PID"
	finish_uscope
	[[ $(jq -r 'select(.hist == "arg0") | "\(.by.pid) \(.count)"' "$TMP/out") == "$P2 4" ]]
}

@test "-i --hist --by: each interval shows its growth; the intervals add up to the totals" {
	private_umark
	mkfifo "$TMP/g"
	"$PUMARK" -w -n 30 -i 5 -q < "$TMP/g" 2> "$TMP/u.err" 3>&- &
	P=$!
	BG_PIDS=$P
	start_uscope trace -x "$PUMARK" --hist arg0 --json -i 0.05 --by comm func_uprobe1
	echo go > "$TMP/g"
	wait "$P"
	wait_intervals 2
	kill -INT "$USCOPE_PID"
	finish_uscope
	drop_summary "$TMP/out"
	[[ $(jq -s 'index({"totals": true}) as $t | .[:$t] | map(select(.hist != null)) | length' "$TMP/out") -ge 2 ]]
	[[ $(jq -s 'index({"totals": true}) as $t | .[:$t] | map(select(.hist != null) | .count) | add' "$TMP/out") -eq 30 ]]
	[[ $(jq -s 'index({"totals": true}) as $t | .[$t:] | map(select(.hist != null) | .count) | add' "$TMP/out") -eq 30 ]]
}

@test "--by with --latency / --hist usage errors name the probe and the key" {
	expect_failure 2 "umark_sleep_1ms" "$USCOPE" trace -c "$UMARK -n 1 -i 0 -q" --latency --by arg0 umark_sleep_1ms
	grep -qF "'arg0'" "$TMP/stderr"
	expect_failure 2 "func_uprobe1" "$USCOPE" trace -c "$UMARK -n 1 -i 0 -q" --hist arg0 --by ret func_uprobe1
	expect_failure 2 "--by needs --count, --latency, --hist or --lhist" "$USCOPE" trace -x "$UMARK" --by pid func_uprobe1
}
