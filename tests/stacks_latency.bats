#!/usr/bin/env bats
# --latency --stack: one latency histogram per calling stack. Target:
# stacks-lat (tests/targets/stacks/latency.c), which calls work() through
# fast_path (sleeping MSA ms each time) and through slow_path -> slow_inner
# (MSB ms), a known number of times each. Oracles: the target's own line
# (counts), nanosleep's guarantee (no call returns before its sleep), and the
# per-function histogram the same run prints.

load lib

LAT="$BUILD_DIR/stacks-lat"

@test "stacks_latency: --latency --stack=fp gives one histogram per path, with its count and min >= its sleep" {
	"$USCOPE" trace --latency --stack=fp --json -c "$LAT 7 2 4 6" work > "$TMP/out" 2> "$TMP/err"
	cat "$TMP/err"
	grep -q '^lat: fast 7 x 2 ms, slow 4 x 6 ms' "$TMP/out"
	grep '"stack"' "$TMP/out" | jq -r '[(.stack | map(.func) | .[0:4] | join(">")), .count, .min_ns] | @tsv' > "$TMP/got"
	cat "$TMP/got"
	[[ "$(cut -f1,2 "$TMP/got")" == "$(printf 'work>fast_path>main>__libc_start_call_main\t7\nwork>slow_inner>slow_path>main\t4')" ]]
	[[ "$(awk -F'\t' 'NR == 1 { print ($3 >= 2000000) } NR == 2 { print ($3 >= 6000000) }' "$TMP/got" | tr -d '\n')" == 11 ]]
	# The stacks' histograms add up to the function's own (same run, same kernel samples).
	total=$(grep '^{' "$TMP/out" | grep -v '"stack"' | jq -r 'select(.kind == "latency") | .count')
	[[ "$total" -eq 11 ]]
	[[ "$(grep '"stack"' "$TMP/out" | jq -s 'map(.buckets | map(.count) | add) | add')" -eq 11 ]]
	! grep -q 'without their stack\|\[unknown\]' "$TMP/err"
}

@test "stacks_latency: text output names each stack above its histogram" {
	"$USCOPE" trace --latency --stack=fp -c "$LAT 3 1 2 3" work > "$TMP/out" 2> "$TMP/err"
	grep -A3 '^Latency of work, pid [0-9]* by stack:$' "$TMP/out" | awk '{ print $1 }' | grep -v '^Latency\|^--' > "$TMP/frames"
	cat "$TMP/frames"
	[[ "$(grep -c '^Latency of work' "$TMP/out")" -eq 2 ]]
	grep -q '^  slow_inner+0x[0-9a-f]* (stacks-lat) latency.c:[0-9]*$' "$TMP/out"
	grep -Eq '^work, pid [0-9]+: count 3, min ' "$TMP/out"
	grep -Eq '^work, pid [0-9]+: count 2, min ' "$TMP/out"
}

@test "stacks_latency: DWARF stacks and counted-stack outputs are refused with one line" {
	run "$USCOPE" trace --latency --stack=dwarf -c "$LAT 1 1 1 1" work
	[[ "$status" -eq 2 && "${#lines[@]}" -eq 1 && "$output" == *"--latency --stack needs frame-pointer stacks (--stack=fp)"* ]]
	run "$USCOPE" trace --latency --folded -c "$LAT 1 1 1 1" work
	[[ "$status" -eq 2 && "${#lines[@]}" -eq 1 && "$output" == *"--folded counts stacks; it cannot be used with --latency"* ]]
	# keyed latency and per-stack histograms are separate tables: refused, not one silently dropped
	run "$USCOPE" trace --latency --stack=fp --by pid -c "$LAT 1 1 1 1" work
	[[ "$status" -eq 2 && "${#lines[@]}" -eq 1 && "$output" == *"--latency --stack cannot be used with --by"* ]]
	# auto on a binary without frame pointers would pick DWARF: refused by name before attaching.
	run "$USCOPE" trace --latency --stack -c "$BUILD_DIR/stacks-nofp 1 1 1 1" leaf
	[[ "$status" -eq 1 && "$output" == *"--latency --stack needs frame-pointer stacks: a probed binary keeps none"* ]]
	[[ "$output" != *Attached* ]]
}
