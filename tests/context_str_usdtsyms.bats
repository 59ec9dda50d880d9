#!/usr/bin/env bats
# USDT symbol operands of a stripped binary (helpers/usdt_syms.c): symop-stripped
# (tests/targets/context/symop.c) has no .symtab, and its probe's arguments are
# statics named by symbol (-4@counter(%rip) -8@total(%rip), as readelf -n shows).
# With its debug file found by build ID the values are read, as the target
# printed them; without it they are refused by name, never guessed.

load lib

SYMOP="$BUILD_DIR/context/symop-stripped"
ROOT_DBG="$BUILD_DIR/context/debugroot"

@test "stripped binary, symbol operands: the debug file's .symtab gives the statics, the values are the target's own" {
	readelf -n "$SYMOP" | grep -q 'Arguments: -4@counter(%rip) -8@total(%rip)$'
	! readelf -S "$SYMOP" | grep -q '\.symtab'
	USCOPE_DEBUG_ROOT="$ROOT_DBG" "$USCOPE" trace -c "$SYMOP 4" "usdt:$SYMOP:symop:vals" > "$TMP/out" 2> "$TMP/err"
	grep -E '^symop:vals\(' "$TMP/out" > "$TMP/want"
	[[ $(wc -l < "$TMP/want") -eq 4 ]]
	grep -q '^symop:vals(-2, -2)$' "$TMP/want"	# the oracle has negatives for the -4@ argument
	sed -nE 's/.* usdt +(symop:vals\(.*\))$/\1/p' "$TMP/out" | diff -u "$TMP/want" -
	! grep -q 'symbol table' "$TMP/err"
}

@test "stripped binary, symbol operands, no debug file: the arguments are refused by name (one warning), the hits still counted" {
	USCOPE_DEBUG_ROOT=/nonexistent "$USCOPE" trace -c "$SYMOP 3" "usdt:$SYMOP:symop:vals" > "$TMP/out" 2> "$TMP/err"
	[[ $(grep -c "argument 1: symbol 'counter' is in no symbol table (stripped binary?)" "$TMP/err") -eq 1 ]]
	[[ $(grep -c 'symop:vals(?, ?)$' "$TMP/out") -eq 3 ]]
	[[ $(awk '$1 == "symop:vals" && $2 == "usdt" { print $3 }' "$TMP/out") -eq 3 ]]
}
