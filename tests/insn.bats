#!/usr/bin/env bats
# --ret-mode insn (issue 14): return probes on every ret and tail-call jmp of a
# function, and automatically on C++ functions an exception may unwind
# through. Oracles: objdump -d (where the return instructions are) and the
# targets' own counts, sums and exit (tests/targets/insn/).

load lib

RETS="$BUILD_DIR/insn/rets"
RETS_CET="$BUILD_DIR/insn/rets-cet"
THROWING="$BUILD_DIR/insn/throwing"

# objdump_returns BIN FUNC: the addresses (hex, no 0x) of FUNC's and FUNC.cold's ret and of
# its jmps to somewhere outside both, as objdump -d prints them.
objdump_returns() {
	objdump -d --no-show-raw-insn "$1" | awk -v f="$2" '
		/^[0-9a-f]+ <.*>:$/ { name = $2; gsub(/[<>:]/, "", name); on = (name == f || name == f ".cold"); next }
		!on || NF < 2 { next }
		{
			addr = $1; sub(/:$/, "", addr); sub(/^0+/, "", addr)
			m = $2; if (m == "notrack" || m == "bnd" || m == "rep") m = $3
			if (m == "ret") { print addr; next }
			if (m != "jmp") next
			t = $NF
			if (t !~ /^<.*>$/) { print "indirect:" addr; next }
			gsub(/[<>]/, "", t); sub(/\+0x[0-9a-f]+$/, "", t)
			if (t != f && t != f ".cold") print addr
		}' | sort
}

# uscope_returns BIN FUNC: the ADDRESS column of funcs --returns for FUNC and FUNC.cold.
uscope_returns() {
	"$USCOPE" funcs --returns "$1" "$2" "$2.cold" | awk 'NR > 1 && $3 != "refused" { a = $2; sub(/^0x0*/, "", a); print a }' | sort
}

# prog VALUE FILE KEY NAME: the program's own "KEY NAME N" line.
prog() { awk -v k="$2" -v n="$3" '$1 == k && $2 == n { print $3 }' "$1"; }

@test "funcs --returns lists exactly objdump's ret and outward jmp lines (several rets, tail call, .cold part, bare ret; with and without CET)" {
	for bin in "$RETS" "$RETS_CET"; do
		for f in multi tail coldy empty helper; do
			objdump_returns "$bin" "$f" > "$TMP/want"
			uscope_returns "$bin" "$f" > "$TMP/got"
			echo "$bin $f: objdump $(tr '\n' ' ' < "$TMP/want") / uscope $(tr '\n' ' ' < "$TMP/got")"
			[ -s "$TMP/want" ]
			! grep -q indirect "$TMP/want"
			diff "$TMP/want" "$TMP/got"
		done
	done
	# the oracle sees what the cases are meant to hold: a tail jmp to helper, a jump into coldy.cold
	objdump -d --no-show-raw-insn "$RETS" | awk '/<tail>:/,/^$/' | grep -qE 'jmp +[0-9a-f]+ <helper>'
	objdump -d --no-show-raw-insn "$RETS" | awk '/<coldy>:/,/^$/' | grep -qE 'j[a-z]+ +[0-9a-f]+ <coldy.cold>'
	[ "$(objdump_returns "$RETS" multi | wc -l)" -ge 2 ]
}

@test "funcs --returns: a jump table (jmp *%rax, objdump) is refused by name" {
	objdump -d --no-show-raw-insn "$RETS" | awk '/<sw>:/,/^$/' | grep -qE 'jmp +\*%r'
	run "$USCOPE" funcs --returns "$RETS" sw
	[ "$status" -eq 0 ]
	[[ "${lines[1]}" == *refused*"jmp %r"*"sw+0x"*"indirect jmp whose targets cannot be proven"* ]]
}

@test "--ret-mode insn: ret: counts equal the calls the program made (with and without CET)" {
	for bin in "$RETS" "$RETS_CET"; do
		"$USCOPE" trace --count --json --ret-mode insn -c "$bin 1000" 'ret:multi' 'ret:tail' 'ret:coldy' \
			'ret:empty' 'ret:helper' > "$TMP/out" 2> "$TMP/err"
		grep '^{' "$TMP/out" > "$TMP/json"
		for f in multi tail coldy empty helper; do
			want=$(prog "$TMP/out" calls "$f")
			got=$(json_count "$TMP/json" "$f" return)
			echo "$bin $f: program $want, uscope $got"
			[[ -n "$want" && "$got" -eq "$want" ]]
		done
	done
}

@test "--ret-mode insn --latency: one sample per call, none unpaired (entry and return on one bare ret too)" {
	for bin in "$RETS" "$RETS_CET"; do
		"$USCOPE" trace --latency --json --ret-mode insn -c "$bin 500" multi tail coldy empty helper \
			> "$TMP/out" 2> "$TMP/err"
		for f in multi tail coldy empty helper; do
			want=$(prog "$TMP/out" calls "$f")
			got=$(grep '^{' "$TMP/out" | jq -r --arg p "$f" 'select(.kind == "latency" and .probe == $p) | .count')
			echo "$bin $f: program $want, uscope $got"
			[[ -n "$want" && "$got" -eq "$want" ]]
		done
		grep '^{"summary"' "$TMP/out" | jq -e '.unpaired == 0'
	done
}

@test "--ret-mode insn: ret values are the function's; at a tail call the value is not known and says so" {
	"$USCOPE" trace --json --ret-mode insn -c "$RETS 200" 'ret:multi' 'ret:tail' > "$TMP/out" 2> "$TMP/err"
	grep '^{' "$TMP/out" > "$TMP/json"
	want=$(prog "$TMP/out" sum multi)
	got=$(jq -s '[.[] | select(has("time_ns") and .probe == "multi" and .kind == "return") | .ret] | add' "$TMP/json")
	echo "sum of multi's returns: program $want, uscope $got"
	[ "$got" -eq "$want" ]
	[ "$(jq -s '[.[] | select(has("time_ns") and .probe == "tail" and .kind == "return" and .ret == null)] | length' "$TMP/json")" -eq 200 ]
	run "$USCOPE" trace --ret-mode insn -c "$RETS 1" 'ret:tail'
	[[ "$output" == *"return tail = ? (tail call)"* ]]
}

@test "--ret-mode insn refuses a function it cannot list exactly (a jump table), naming it and the instruction" {
	run "$USCOPE" trace --count --ret-mode insn -c "$RETS 10" 'ret:sw'
	[ "$status" -eq 1 ]
	[ "${#lines[@]}" -eq 1 ]
	[[ "${lines[0]}" == *"return probe on sw"*"sw+0x"*"'jmp %r"*"indirect jmp whose targets cannot be proven"* ]]
}

@test "--ret-mode insn: a ret filter on a function that returns through a tail call is refused" {
	run "$USCOPE" trace --count --ret-mode insn --filter 'ret > 3' -c "$RETS 10" 'ret:tail'
	[ "$status" -eq 1 ]
	[ "${#lines[@]}" -eq 1 ]
	[[ "${lines[0]}" == *"return probe on tail: it returns through a tail call at tail+0x"*"ret cannot be filtered"* ]]
}

@test "--ret-mode: a bad mode is a usage error" {
	run "$USCOPE" trace --ret-mode sometimes -c "$RETS 1" 'ret:multi'
	[ "$status" -eq 2 ]
	[ "${#lines[@]}" -eq 1 ]
	[[ "${lines[0]}" == *"invalid --ret-mode 'sometimes': expected auto, insn or uretprobe"* ]]
}

@test "C++: ret: on a function an exception unwinds through goes on its return instructions; the program runs as without uscope" {
	"$THROWING" 999 > "$TMP/alone"
	"$USCOPE" trace --count --json -c "$THROWING 999" 'ret:guarded' > "$TMP/out" 2> "$TMP/err"
	cat "$TMP/err"
	grep -qF "return probe on guarded: an exception may unwind through it" "$TMP/err"
	grep -qF "probed on its return instructions, not by a uretprobe" "$TMP/err"
	grep -v '^{' "$TMP/out" | diff "$TMP/alone" -
	want=$(prog "$TMP/alone" returned guarded)
	got=$(grep '^{' "$TMP/out" | json_count /dev/stdin guarded return)
	echo "normal returns: program $want, uscope $got"
	[[ "$want" -eq 666 && "$got" -eq "$want" ]]
}

@test "C++: --latency samples equal the normal returns; the calls an exception unwound are said, not paired" {
	"$USCOPE" trace --latency --json -c "$THROWING 999" guarded > "$TMP/out" 2> "$TMP/err"
	cat "$TMP/err"
	want=$(prog "$TMP/out" returned guarded)
	caught=$(awk '$1 == "caught" { print $2 }' "$TMP/out")
	got=$(grep '^{' "$TMP/out" | jq -r 'select(.kind == "latency" and .probe == "guarded") | .count')
	echo "samples: program $want, uscope $got; caught $caught"
	[[ "$got" -eq "$want" ]]
	grep '^{"summary"' "$TMP/out" | jq -e '.unpaired == 0'
	grep -qF "uscope: warning: $caught timed calls never returned (an exception, longjmp or panic" "$TMP/err"
}

@test "endbr64 skip: a jump from the .cold part to the instruction after endbr64 (objdump) keeps the probe at the start; counts exact" {
	bin="$BUILD_DIR/insn/coldjump"
	objdump -d --no-show-raw-insn "$bin" | awk '/<f_coldjump.cold>:/,/^$/' | grep -qE 'jmp +[0-9a-f]+ <f_coldjump\+0x4>'
	"$USCOPE" trace --count --json -c "$bin 1000" f_coldjump > "$TMP/out" 2> "$TMP/err"
	cat "$TMP/err"
	! grep -q "placed after endbr64" "$TMP/err"
	want=$(prog "$TMP/out" calls f_coldjump)
	[ "$(grep '^{' "$TMP/out" | json_count /dev/stdin f_coldjump entry)" -eq "$want" ]
	# +4 is passed twice by the calls that go through .cold: a probe there would count them twice
	"$USCOPE" trace --count --json -c "$bin 1000" 'f_coldjump+4' > "$TMP/out4" 2> /dev/null
	[ "$(grep '^{"probe"' "$TMP/out4" | jq -r .count)" -eq 1500 ]
}
