#!/usr/bin/env bats
# Scale (one generated target with 50,000 functions) and the three attach
# paths on umark. Oracles: the generated target's own call pattern (every f_i
# once per round), umark's summary, readelf.

load lib

setup_file() {
	# Built once, cached in build/bench (scripts/gen-target.sh skips an up-to-date target).
	export BIG
	BIG=$("$ROOT/scripts/gen-target.sh" 50000 "$ROOT/build/bench")
}

@test "funcs lists all 50,000 f_* of the generated target, as readelf does" {
	"$USCOPE" funcs --json "$BIG" 'f_*' > "$TMP/funcs"
	[[ $(wc -l < "$TMP/funcs") -eq 50000 ]]
	[[ $(readelf -sW "$BIG" | awk '$4 == "FUNC" && $8 ~ /^f_[0-9]+$/' | wc -l) -eq 50000 ]]
	# Spot-check offsets against readelf for a few symbols spread over the file.
	for f in f_0 f_12345 f_49999; do
		want=$((16#$(readelf -sW "$BIG" | awk -v n="$f" '$8 == n { print $2 }')))
		got=$(jq -r --arg n "$f" 'select(.name == $n) | .address' "$TMP/funcs")
		[[ "$got" == "$want" ]]
	done
}

@test "multi: 50,000 functions attach in one link, count exactly 3 each, and detach" {
	"$USCOPE" trace --attach multi --count --json -x "$BIG" -c "sh -c 'exec $BIG all 3 > /dev/null'" 'f_*' \
		> "$TMP/out" 2> "$TMP/err"
	grep -q '^Attached 50000 probes (50000 entry' "$TMP/err"
	drop_summary "$TMP/out"
	[[ $(jq -s 'length' "$TMP/out") -eq 50000 ]]
	bad=$(jq -s '[.[] | select(.kind != "entry" or .count != 3)] | length' "$TMP/out")
	[[ "$bad" -eq 0 ]] || { jq -c 'select(.count != 3)' "$TMP/out" | head; false; }
	[[ $(jq -s '[.[].probe] | unique | length' "$TMP/out") -eq 50000 ]]
	no_uscope_links
}

@test "multi: 50,000 return probes count exactly too" {
	"$USCOPE" trace --attach multi --count --json -x "$BIG" -c "sh -c 'exec $BIG all 2 > /dev/null'" 'ret:f_*' \
		> "$TMP/out" 2> "$TMP/err"
	[[ $(jq -s '[.[] | select(.kind == "return" and .count == 2)] | length' "$TMP/out") -eq 50000 ]]
}

@test "nocookie: function counts equal umark's summary (-c)" {
	"$USCOPE" trace --attach nocookie --count --json -c "$UMARK -n 4 -i 0 -q" \
		func_uprobe1 func_uprobe2 'umark_op_0*' > "$TMP/out" 2> "$TMP/err"
	grep -q 'via perf-event uprobes without cookies' "$TMP/err"
	for f in func_uprobe1 func_uprobe2 umark_op_00 umark_op_05 umark_op_09; do
		[[ $(json_count "$TMP/out" "$f" entry) == $(umark_calls "$TMP/err" "$f") ]]
	done
}

@test "nocookie: USDT counts and arguments equal umark's (semaphore probe included)" {
	"$USCOPE" trace --attach nocookie --json -c "$UMARK -n 2 -i 0 -q" \
		'usdt:groupb:*' 'usdt:groupc:*' 'usdt:groupe:*' > "$TMP/out" 2> "$TMP/err"
	for p in groupb:probe2 groupc:probe3 groupe:mixed; do
		[[ $(json_count "$TMP/out" "$p" usdt) == $(umark_usdt "$TMP/err" "$p") ]]
		[[ $(umark_usdt "$TMP/err" "$p") -eq 2 ]]
	done
	[[ $(jq -c 'select(.probe == "groupb:probe2" and .args) | .args' "$TMP/out" | sort -u) == "[20,30]" ]]
	# groupe:mixed in iteration i: -5, 200, -300, 65000, -100000-i, 4000000000, -(1<<40)-i, i
	[[ $(jq -c 'select(.probe == "groupe:mixed" and .args) | .args' "$TMP/out" | head -1) == \
		"[-5,200,-300,65000,-100000,4000000000,-1099511627776,0]" ]]
	[[ $(jq -c 'select(.probe == "groupe:mixed" and .args) | .args' "$TMP/out" | tail -1) == \
		"[-5,200,-300,65000,-100001,4000000000,-1099511627777,1]" ]]
	# probe3's argument is the iteration number.
	[[ $(jq -c 'select(.probe == "groupc:probe3" and .args) | .args[0]' "$TMP/out" | tr '\n' ' ') == "0 1 " ]]
}

@test "nocookie: -p on a gated umark counts exactly" {
	start_umark_gated -n 5 -i 0 -q
	start_uscope trace --attach nocookie --count --json -p "$UMARK_PID" func_uprobe2 'usdt:groupa:*'
	release_umark
	wait_gone "$USCOPE_PID"
	wait "$UMARK_PID"
	[[ $(umark_calls "$TMP/umark.err" func_uprobe2) -eq 5 ]]
	[[ $(json_count "$TMP/out" func_uprobe2 entry) -eq 5 ]]
	[[ $(json_count "$TMP/out" groupa:probe1 usdt) -eq 5 ]]
}

@test "nocookie: refuses system-wide traces and return probes, naming why" {
	run "$USCOPE" trace --attach nocookie -x "$UMARK" func_uprobe1
	[[ $status -eq 1 && "$output" == *"nocookie needs -p or -c"* ]]
	run "$USCOPE" trace --attach nocookie -c "$UMARK -n 1 -i 0 -q" ret:func_uprobe1
	[[ $status -eq 1 && "$output" == *"cannot probe returns"* ]]
	no_uscope_links
}
