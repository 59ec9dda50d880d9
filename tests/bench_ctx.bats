#!/usr/bin/env bats
# tests/targets/bench/ctx.c, the target of `make bench` section 5: its twins
# must be one machine code (objdump), and its pair modes must call each twin
# exactly ITER times (the loop's own definition; counted by uscope). The
# bench measures durations; this suite checks only what the bench relies on.
load lib

CTX="$BUILD_DIR/bench/ctx"

setup_file() {
	make -s -C "$ROOT" BUILD="$BUILD_DIR" "$BUILD_DIR/bench/ctx" >&2
}

# code FUNC: FUNC's instructions as objdump shows them, addresses dropped
code() {
	objdump -d --no-show-raw-insn --disassemble="$1" "$CTX" | sed -nE 's/^ +[0-9a-f]+:\t//p' |
		sed -E 's/[0-9a-f]+ <([^>]*)>/<\1>/'
}

@test "ctx: bench_int_b and bench_str_b are bench_int's and bench_str's code, each starting with push %rbp" {
	for f in bench_int bench_str; do
		[[ -n $(code "$f") ]]
		[[ $(code "$f") == "$(code "${f}_b")" ]]
		[[ $(code "$f" | head -n1) == "push   %rbp" ]]
		# the same size in the symbol table, at two addresses (not folded into one)
		[[ $(nm -S "$CTX" | awk -v f="$f" '$4 == f || $4 == f "_b" { print $2 }' | sort -u | wc -l) -eq 1 ]]
		[[ $(nm "$CTX" | awk -v f="$f" '$3 == f || $3 == f "_b" { print $1 }' | sort -u | wc -l) -eq 2 ]]
	done
}

@test "ctx pair / strpair 1050: each twin called 1050 times (the last block of 100 cut short), and the three ns_per_call lines" {
	for m in pair strpair; do
		f=bench_int
		[[ $m == strpair ]] && f=bench_str
		"$USCOPE" trace -x "$CTX" --count --json -c "$CTX $m 1050" "$f" "${f}_b" >"$TMP/out" 2>"$TMP/err"
		# the target's lines and uscope's JSON share stdout; JSON lines start with '{'
		grep '^{' "$TMP/out" >"$TMP/json"
		[[ $(json_count "$TMP/json" "$f" entry) -eq 1050 ]]
		[[ $(json_count "$TMP/json" "${f}_b" entry) -eq 1050 ]]
		[[ $(grep -cE '^ns_per_call(_a|_b)? [0-9]+\.[0-9]{3}$' "$TMP/out") -eq 3 ]]
		grep -qE '^dropped_blocks [0-9]+ of 11$' "$TMP/out"
	done
}

@test "ctx: an unknown mode or a missing ITER is a usage error (exit 2)" {
	run "$CTX" pairs 10
	[[ $status -eq 2 && $output == usage:* ]]
	run "$CTX" pair
	[[ $status -eq 2 && $output == usage:* ]]
}
