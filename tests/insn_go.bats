#!/usr/bin/env bats
# Go returns (issue 14): ret: and --latency on Go functions by probes on their
# return instructions (a uretprobe corrupts Go stacks), arguments and results
# by Go's register ABI, calls timed per goroutine. Oracle: the Go program's
# own counts and printed arguments and results (tests/targets/insn/goret),
# objdump -d for the return instructions, and its normal exit.

load lib

GORET="$BUILD_DIR/insn/goret"

prog() { awk -v n="$2" '$1 == "calls" && $2 == n { print $3 }' "$1"; }

@test "Go: funcs --returns lists exactly objdump's ret lines" {
	for f in main.rec main.leaf main.slow; do
		objdump -d --no-show-raw-insn "$GORET" | awk -v f="<$f>:" '$2 == f { on = 1; next } on && /^$/ { exit }
			on && $2 == "ret" { a = $1; sub(/:$/, "", a); print a }' | sort > "$TMP/want"
		"$USCOPE" funcs --returns "$GORET" "$f" | awk 'NR > 1 { a = $2; sub(/^0x0*/, "", a); print a }' | sort > "$TMP/got"
		echo "$f: objdump $(tr '\n' ' ' < "$TMP/want") / uscope $(tr '\n' ' ' < "$TMP/got")"
		[ -s "$TMP/want" ]
		diff "$TMP/want" "$TMP/got"
	done
}

@test "Go: entry and ret: counts equal the program's own, and it exits normally" {
	run "$USCOPE" trace --count --json -c "$GORET 30" main.rec main.leaf main.slow 'ret:main.rec' 'ret:main.leaf' 'ret:main.slow'
	echo "$output"
	[ "$status" -eq 0 ]
	printf '%s\n' "${lines[@]}" > "$TMP/out"
	grep '^{' "$TMP/out" > "$TMP/json"
	grep -qF "Go return probes placed on the functions' return instructions" "$TMP/out"
	for f in main.rec main.leaf main.slow; do
		want=$(prog "$TMP/out" "$f")
		for k in entry return; do
			got=$(json_count "$TMP/json" "$f" "$k")
			echo "$f $k: program $want, uscope $got"
			[[ -n "$want" && "$want" -gt 0 && "$got" -eq "$want" ]]
		done
	done
}

@test "Go: arguments (rax, rbx) and ret: values are what the program passed and got" {
	"$USCOPE" trace --json -c "$GORET -v 5" main.leaf 'ret:main.leaf' > "$TMP/out" 2> "$TMP/err"
	awk '$1 == "leaf" { print $2, $3 }' "$TMP/out" | sort > "$TMP/want_args"
	awk '$1 == "leaf" { print $4 }' "$TMP/out" | sort > "$TMP/want_rets"
	grep '^{' "$TMP/out" | jq -r 'select(has("time_ns") and .kind == "entry") | "\(.args[0]) \(.args[1])"' | sort > "$TMP/got_args"
	grep '^{' "$TMP/out" | jq -r 'select(has("time_ns") and .kind == "return") | .ret' | sort > "$TMP/got_rets"
	[ "$(wc -l < "$TMP/want_rets")" -eq 20 ]
	diff "$TMP/want_args" "$TMP/got_args"
	diff "$TMP/want_rets" "$TMP/got_rets"
}

@test "Go: --latency samples equal the calls, none unpaired, with stacks that grow and goroutines that move threads" {
	run "$USCOPE" trace --latency --json -c "$GORET 30" main.rec main.leaf main.slow
	[ "$status" -eq 0 ]
	printf '%s\n' "${lines[@]}" > "$TMP/out"
	for f in main.rec main.leaf main.slow; do
		want=$(prog "$TMP/out" "$f")
		got=$(grep '^{' "$TMP/out" | jq -r --arg p "$f" 'select(.kind == "latency" and .probe == $p) | .count')
		echo "$f: program $want, uscope $got"
		[[ -n "$want" && "$got" -eq "$want" ]]
	done
	grep '^{"summary"' "$TMP/out" | jq -e '.unpaired == 0'
	# the stacks did grow mid-call: a probe at main.rec's first instruction sees morestack's re-entries
	"$USCOPE" trace --count --json -c "$GORET 30" 'main.rec+0' > "$TMP/top" 2> /dev/null
	top=$(grep '^{"probe"' "$TMP/top" | jq -r .count)
	echo "main.rec at +0: $top entries for $(prog "$TMP/top" main.rec) calls"
	[ "$top" -gt "$(prog "$TMP/top" main.rec)" ]
	# the pairing says how many calls came back on another thread (keyed by goroutine, they still pair)
	grep -qE "uscope: warning: [0-9]+ of [0-9]+ timed Go calls returned on another thread" "$TMP/out"
}

@test "Go: --ret-mode uretprobe is refused (a uretprobe corrupts Go stacks)" {
	run "$USCOPE" trace --count --ret-mode uretprobe -c "$GORET 1" 'ret:main.leaf'
	[ "$status" -eq 1 ]
	[ "${#lines[@]}" -eq 1 ]
	[[ "${lines[0]}" == *"return probes (ret:, --latency) on main.leaf"*"Go binary"*"without --ret-mode uretprobe"* ]]
}

@test "Go: a filter and a histogram on register-ABI arguments (rax, rbx) keep what the program passed" {
	# The filter is read from .rodata (one filter for every entry) and, with
	# USCOPE_FILTER_MAPS_ONLY=1, from the map records: both must agree with leaf's own print.
	local mode want got
	for mode in "" 1; do
		USCOPE_FILTER_MAPS_ONLY=$mode "$USCOPE" trace --count --json -c "$GORET -v 5" \
			--filter 'arg1 >= 9 && arg0 != 3' main.leaf > "$TMP/out" 2> "$TMP/err"
		want=$(awk '$1 == "leaf" && $3 >= 9 && $2 != 3' "$TMP/out" | wc -l)
		got=$(grep '^{' "$TMP/out" | jq -s '[.[] | select(.probe == "main.leaf" and .kind == "entry") | .count] | add')
		echo "maps only '$mode': uscope $got, leaf printed $want"
		[[ $want -gt 0 && $want -lt 20 && $got -eq $want ]]
	done
	# --hist arg1: log2 buckets of rbx, against the values leaf printed.
	"$USCOPE" trace --hist arg1 --json -c "$GORET -v 5" main.leaf > "$TMP/out" 2> "$TMP/err"
	awk '$1 == "leaf" { b = 0; v = $3; while (v > 1) { v = int(v / 2); b++ } n[b]++ } END { for (b in n) print b, n[b] }' \
		"$TMP/out" | sort -n > "$TMP/want"
	grep '^{' "$TMP/out" | jq -r 'select(.buckets != null) | .buckets[] | select(.count > 0) | "\(.ge) \(.count)"' |
		awk '{ b = 0; v = $1; while (v > 1) { v = int(v / 2); b++ } print b, $2 }' | sort -n > "$TMP/got"
	diff "$TMP/want" "$TMP/got"
}
