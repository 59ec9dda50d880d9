#!/usr/bin/env bats
# --latency: entry-to-return time histograms.  The oracles: umark's summary
# (how many calls were timed), nanosleep's guarantee (umark_sleep_1ms/8ms
# take at least 1/8 ms), the shape of umark_recurse (6 nested calls, so the
# outer ones take longer than the innermost) and plain arithmetic on the
# power-of-two buckets.

load lib

# hist_consistent OUT PROBE MIN_FLOOR: PROBE's latency line is well formed:
# sum of bucket counts == count; buckets are [2^b, 2^(b+1)-1] (the first may
# start at 0), ascending and disjoint; the lowest holds min_ns, the highest
# max_ns; count*min <= sum_ns <= count*max; min_ns >= MIN_FLOOR; max_ns < 1 s;
# every bucket's le_ns >= MIN_FLOOR.
hist_consistent() {
	jq -e -s --arg p "$2" --argjson floor "$3" '
		[.[] | select(.probe == $p and .kind == "latency")] as $h
		| if ($h | length) != 1 then error("\($p): \($h | length) latency lines") else $h[0] end
		| . as $x | .buckets as $b
		| def chk(c; msg): if c then . else error("\($p): " + msg + ": \($x)") end;
		def ispow2: . as $n | [range(0; 63)] | any(pow(2; .) == $n);
		chk(($b | length) > 0; "no buckets")
		| chk(([$b[].count] | add) == $x.count; "bucket counts do not add up to count")
		| chk(all($b[]; .count > 0); "empty bucket listed")
		| chk(all($b[]; (.le_ns + 1) as $hi | ($hi | ispow2) and $hi >= 2
			and (.ge_ns == $hi / 2 or (.ge_ns == 0 and $hi == 2))); "bucket not a power-of-two range")
		| chk([range(1; $b | length)] | all(. as $i | $b[$i].ge_ns > $b[$i - 1].le_ns); "buckets not ascending")
		| chk($b[0].ge_ns <= $x.min_ns and $x.min_ns <= $b[0].le_ns; "min_ns not in the lowest bucket")
		| chk($b[-1].ge_ns <= $x.max_ns and $x.max_ns <= $b[-1].le_ns; "max_ns not in the highest bucket")
		| chk($x.min_ns <= $x.max_ns; "min > max")
		| chk($x.count * $x.min_ns <= $x.sum_ns and $x.sum_ns <= $x.count * $x.max_ns; "sum_ns outside count*[min,max]")
		| chk($x.min_ns >= $floor; "min_ns below \($floor)")
		| chk($x.max_ns < 1000000000; "max_ns not below 1 s")
		| chk(all($b[]; .le_ns >= $floor); "a bucket ends below \($floor)")
		| true' "$1"
}

@test "umark_sleep_1ms/8ms --latency --json: counts equal umark's, histograms consistent, at least 1/8 ms each" {
	"$USCOPE" trace -c "$UMARK -n 6 -i 0 -q -s" --latency --json umark_sleep_1ms umark_sleep_8ms > "$TMP/out" 2> "$TMP/err"
	drop_summary "$TMP/out"
	cat "$TMP/out"
	# One line per function, every field present.
	[[ $(wc -l < "$TMP/out") -eq 2 ]]
	jq -s -e 'all(.[]; (.probe | type) == "string" and .kind == "latency" and (.count | type) == "number"
		and (.sum_ns | type) == "number" and (.min_ns | type) == "number" and (.max_ns | type) == "number"
		and (.buckets | type) == "array"
		and all(.buckets[]; (.ge_ns | type) == "number" and (.le_ns | type) == "number" and (.count | type) == "number"))' "$TMP/out"
	expect_counts "$TMP/out" "$TMP/err" latency umark_sleep_1ms umark_sleep_8ms
	hist_consistent "$TMP/out" umark_sleep_1ms 1000000
	hist_consistent "$TMP/out" umark_sleep_8ms 8000000
	# Every return had its entry: hits are entries plus returns, 2 x 12.
	grep -q '^Summary: 24 hits, 0 returns without a timed entry, 4 probes$' "$TMP/err"
}

@test "recursive umark_recurse: every nested call timed (count = umark's), 0 unpaired, outer calls longer" {
	"$USCOPE" trace -c "$UMARK -n 8 -i 0 -q" --latency --json umark_recurse > "$TMP/out" 2> "$TMP/err"
	drop_summary "$TMP/out"
	cat "$TMP/out"
	want=$(umark_calls "$TMP/err" umark_recurse)
	[[ $want -eq 48 ]]
	expect_counts "$TMP/out" "$TMP/err" latency umark_recurse
	hist_consistent "$TMP/out" umark_recurse 0
	grep -q "^Summary: $((2 * want)) hits, 0 returns without a timed entry, 2 probes$" "$TMP/err"
	# The outermost call contains the five inner ones, so max > min.
	jq -e 'select(.probe == "umark_recurse") | .max_ns > .min_ns' "$TMP/out"
}

@test "--latency with umark -t 3: counts equal umark's totals over the 3 threads" {
	"$USCOPE" trace -c "$UMARK -n 4 -i 0 -q -s -t 3" --latency --json \
		umark_recurse umark_sleep_1ms func_uprobe2 'umark_op_1*' > "$TMP/out" 2> "$TMP/err"
	[[ $(umark_calls "$TMP/err" umark_sleep_1ms) -eq 12 ]]
	expect_counts "$TMP/out" "$TMP/err" latency umark_recurse umark_sleep_1ms func_uprobe2 $(seq -f 'umark_op_%02g' 10 19)
	hist_consistent "$TMP/out" umark_sleep_1ms 1000000
	grep -q ' 0 returns without a timed entry' "$TMP/err"
}

@test "--latency -p on a gated umark: counts exact, uscope ends with umark" {
	start_umark_gated -n 5 -i 0 -q -s
	start_uscope trace -p "$UMARK_PID" --latency --json umark_sleep_8ms umark_greet
	release_umark
	finish_uscope
	expect_counts "$TMP/out" "$TMP/umark.err" latency umark_sleep_8ms umark_greet
	hist_consistent "$TMP/out" umark_sleep_8ms 8000000
	wait_no_uscope_links
}

@test "--latency text output: a 'NAME: count N' line per function with umark's N, and '@' bars" {
	"$USCOPE" trace -c "$UMARK -n 5 -i 0 -q -s" --latency umark_sleep_1ms umark_recurse > "$TMP/out" 2> "$TMP/err"
	cat "$TMP/out"
	for f in umark_sleep_1ms umark_recurse; do
		grep -qE "^$f: count $(umark_calls "$TMP/err" "$f")," "$TMP/out"
	done
	# Bucket rows: "[lo, hi) N |@@@...|"; their N add up to the count.
	grep -qE '^ +\[.*\) +[0-9]+ \|@+ *\|$' "$TMP/out"
	awk '/^umark_sleep_1ms:/ { on = 1; next } /^[^ ]/ { on = 0 } on && /\|/ { gsub(/.*\) +/, ""); s += $1 } END { print s }' \
		"$TMP/out" | grep -qx "$(umark_calls "$TMP/err" umark_sleep_1ms)"
}

@test "--latency --top 1 prints only the busiest function (umark_recurse, by umark's counts)" {
	"$USCOPE" trace -c "$UMARK -n 3 -i 0 -q -s" --latency --json --top 1 umark_recurse umark_sleep_8ms func_uprobe1 > "$TMP/out" 2> "$TMP/err"
	drop_summary "$TMP/out"
	[[ $(umark_calls "$TMP/err" umark_recurse) -gt $(umark_calls "$TMP/err" func_uprobe1) ]]
	[[ $(wc -l < "$TMP/out") -eq 1 ]]
	expect_counts "$TMP/out" "$TMP/err" latency umark_recurse
}

@test "--latency with ret: or usdt: probes is a usage error naming the probe (exit 2), nothing attached" {
	expect_failure 2 "'ret:func_uprobe1'" "$USCOPE" trace -x "$UMARK" --latency 'ret:func_uprobe1'
	grep -qF -- '--latency' "$TMP/stderr"
	expect_failure 2 "'usdt:*:*'" "$USCOPE" trace -x "$UMARK" --latency func_uprobe1 'usdt:*:*'
	expect_failure 2 "'ret:x'" "$USCOPE" trace -c "$UMARK -n 1 -i 0 -q" --latency 'ret:x'
}
