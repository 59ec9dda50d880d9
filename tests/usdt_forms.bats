#!/usr/bin/env bats
# Every USDT argument form gcc and clang emit at -O2 (issue 10 §4), on the
# targets of tests/targets/usdtforms/ (built by make, cached under build/).
# Oracles: readelf -n (the form is really in the note), readelf -s (the
# symbol's address and its file), and the target's own stdout, which prints
# exactly what each probe passed.

load lib

FORMS="$BUILD_DIR/usdtforms"

setup_file() {
	local h="$ROOT/helpers" u="$ROOT/tests/unit"
	local src="$u/test_usdt_forms.c $h/elf_file.c $h/usdt_args.c $h/usdt_notes.c $h/usdt_syms.c $h/debug_find.c $ROOT/loader/usdt_spec.c"
	local flags="-g -Wall -Wextra -Werror -std=gnu11 -D_GNU_SOURCE -I$h -I$ROOT/loader"

	export T="$BATS_FILE_TMPDIR"
	# shellcheck disable=SC2086
	gcc -O1 $flags -fsanitize=address,undefined -fno-sanitize-recover=all $src -lelf -ldw -lz -ldl -o "$T/test_usdt_forms"
}

# args_of BIN PROBE: the argument string of PROBE's note in BIN, from readelf.
args_of() { readelf_usdt "$1" | awk -F '\t' -v p="$2" '$1 ":" $2 == p { print $8 }'; }

# events_as_text FILE: uscope's JSON events as the target prints them ("NAME v1 v2", null -> ?).
# Not jq: jq 1.6 reads numbers as doubles, and 64-bit values must stay exact.
events_as_text() {
	sed -nE 's/^\{.*"probe": "forms:([a-z0-9_]+)", "kind": "usdt", "args": \[(.*)\]\}$/\1 \2/p' "$1" |
		sed -E 's/, / /g; s/null/?/g; s/ $//'
}

# expect_values BIN MODE: every event's values equal what the target printed.
expect_values() {
	local bin="$1" mode="$2"

	"$USCOPE" trace --attach "$mode" --json -c "$bin 5" 'usdt:forms:*' > "$TMP/out" 2> "$TMP/err"
	grep -v '^{' "$TMP/out" > "$TMP/want"
	# Where the note names `c` from a global function, its symbol is ambiguous: unreadable.
	if [[ "$(args_of "$bin" forms:ambiguous)" == *'c(%rip)' ]]; then
		sed -i 's/^ambiguous .*/ambiguous ?/' "$TMP/want"
	fi
	events_as_text "$TMP/out" > "$TMP/got"
	[[ $(wc -l < "$TMP/want") -eq 40 ]]
	diff "$TMP/want" "$TMP/got"
	grep -q '^Summary: 40 hits, 40 events printed, 0 lost' "$TMP/err"
}

@test "usdt forms: readelf -n shows each form in the targets" {
	local gcc nopie clang
	gcc=$(readelf -nW "$FORMS/forms-gcc")
	nopie=$(readelf -nW "$FORMS/forms-gcc-nopie")
	clang=$(readelf -nW "$FORMS/forms-clang")
	# symbol(%rip), symbol+offset(%rip), SIB with and without scale, %rsp SIB
	[[ "$gcc" == *'-1@g_s8(%rip)'* && "$gcc" == *'8@g_u64(%rip)'* ]]
	[[ "$gcc" == *'-1@c(%rip) -8@8+ti(%rip) -4@NBuffers(%rip)'* ]]
	[[ "$gcc" =~ -2@\(%r[a-z0-9]+,%r[a-z0-9]+,2\) && "$gcc" =~ \ 1@\(%r[a-z0-9]+,%r[a-z0-9]+\)\  ]]
	[[ "$gcc" =~ -8@\(%rsp,%r[a-z0-9]+,8\) ]]
	[[ "$gcc" == *'-2@c(%rip)'* ]]	# tu2.c's own static c
	# non-PIE: symbol + base, symbol + index * scale without a base, symbol+offset
	[[ "$nopie" == *'-8@ti+8(%rip)'* ]]
	[[ "$nopie" =~ -2@a16\(%r[a-z0-9]+,%r[a-z0-9]+\) && "$nopie" =~ 1@a8\(%r[a-z0-9]+\) ]]
	[[ "$nopie" =~ -8@a64\(,%r[a-z0-9]+,8\) && "$nopie" =~ 4@a32\(,%r[a-z0-9]+,4\) ]]
	# clang: stack slots; every target: registers, constants, the odd form
	[[ "$clang" =~ -1@[0-9]+\(%rsp\) && "$clang" =~ -8@[0-9]+\(%rsp\) ]]
	for t in "$gcc" "$nopie" "$clang"; do
		[[ "$t" == *'-4@$-42'* && "$t" == *'-4@$-3 8@8(%rip) 2@$7'* ]]
	done
}

@test "usdt forms: parser and BPF-record unit tests pass (ASan, UBSan)" {
	run "$T/test_usdt_forms"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *" 0 failures" ]]
}

@test "usdt forms: each symbol resolves to readelf -s's address, of the probe's own file" {
	for bin in "$FORMS/forms-gcc" "$FORMS/forms-gcc-nopie"; do
		"$T/test_usdt_forms" dump "$bin" > "$TMP/dump"
		# readelf: NAME FILE VALUE for every object symbol, FILE from the STT_FILE before it
		readelf -sW "$bin" | awk '$4 == "FILE" { f = $8 } $4 == "OBJECT" { v = $2; sub(/^0+/, "", v); print $8, ($5 == "LOCAL" ? f : "-"), "0x" v }' > "$TMP/syms"
		n=0
		while read -r probe _ idx _ _ _ sym addr; do
			[[ "$idx" =~ ^[0-9]+$ && -n "$addr" ]] || continue	# not the "why" lines
			file=forms.c
			[[ "$probe" == forms:tu2 ]] && file=tu2.c
			grep -qxE "$sym ($file|-) $addr" "$TMP/syms" || { echo "$probe: $sym at $addr"; grep "^$sym " "$TMP/syms"; false; }
			n=$((n + 1))
		done < "$TMP/dump"
		echo "$bin: $n symbols checked"
		[[ $n -ge 12 ]]	# 8 globals, c, ti, NBuffers, tu2.c's c (+4 arrays non-PIE)
	done
	# two local `c`: the right one per probe, none guessed for main's
	grep -q '^forms:ambiguous .* -> BAD$' "$TMP/dump"
}

@test "usdt forms: values equal the target's, every width and sign (gcc PIE; multi, perf, nocookie)" {
	for mode in multi perf nocookie; do
		expect_values "$FORMS/forms-gcc" "$mode"
	done
}

@test "usdt forms: values equal the target's (gcc non-PIE: symbol + base/index; clang: stack slots)" {
	expect_values "$FORMS/forms-gcc-nopie" multi
	expect_values "$FORMS/forms-gcc-nopie" perf
	expect_values "$FORMS/forms-clang" multi
	expect_values "$FORMS/forms-clang" nocookie
}

@test "usdt forms: a form nothing emits (8@8(%rip)) is named, its probe still counted, the argument unreadable" {
	"$USCOPE" trace --json -c "$FORMS/forms-gcc 3" usdt:forms:odd > "$TMP/out" 2> "$TMP/err"
	cat "$TMP/err"
	grep -qF "uscope: warning: USDT probe forms:odd at 0x$(printf %x "$(readelf_usdt "$FORMS/forms-gcc" | awk -F '\t' '$2 == "odd" { print $3 }')") in '$FORMS/forms-gcc': argument 2 '8@8(%rip)': %rip-relative without a symbol (nothing emits this form); its hits are counted, 1 of its 3 arguments shown as unreadable" "$TMP/err"
	[[ "$(events_as_text "$TMP/out" | sort | uniq -c | tr -s ' ')" == " 3 odd -3 ? 7" ]]
	[[ "$(grep -c '^odd ' "$TMP/out")" -eq 3 ]]
	"$USCOPE" trace -c "$FORMS/forms-gcc 1" usdt:forms:odd > "$TMP/text" 2> /dev/null
	grep -q 'forms:odd(-3, ?, 7)$' "$TMP/text"
	"$USCOPE" usdt "$FORMS/forms-gcc" forms:odd | grep -qF "[unreadable: argument 2 '8@8(%rip)': %rip-relative without a symbol"
}

@test "usdt forms: stripped binary: symbol arguments unreadable and said so, every probe still counted exactly" {
	"$USCOPE" trace --count --json -c "$FORMS/forms-gcc-stripped 4" 'usdt:forms:*' > "$TMP/out" 2> "$TMP/err"
	cat "$TMP/err"
	grep '^{' "$TMP/out" > "$TMP/json"
	grep -qF "USDT probe forms:globals at" "$TMP/err"
	grep -qF "argument 1: symbol 'g_s8' is in no symbol table (stripped binary?); its hits are counted, 8 of its 8 arguments shown as unreadable" "$TMP/err"
	for p in globals statics arrays stack plain odd ambiguous tu2; do
		want=$(grep -c "^$p " "$TMP/out")
		[[ $want -eq 4 && "$(json_count "$TMP/json" "forms:$p" usdt)" -eq $want ]] || { echo "$p"; false; }
	done
	# the readable ones still read right
	"$USCOPE" trace --json -c "$FORMS/forms-gcc-stripped 2" usdt:forms:arrays usdt:forms:globals > "$TMP/out" 2> /dev/null
	diff <(grep '^arrays ' "$TMP/out") <(events_as_text "$TMP/out" | grep '^arrays ')
	[[ "$(events_as_text "$TMP/out" | grep -c '^globals ? ? ? ? ? ? ? ?$')" -eq 2 ]]
}
