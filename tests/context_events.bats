#!/usr/bin/env bats
# DWARF-typed events (loader/output_typed.c): entry and return events of
# umark -T's typed functions (umark/typed.c) against the lines umark prints
# for each call, in C's own spelling of each value: signed, unsigned, bool,
# enum by name (or number), pointer in hex, char * as strings, a by-value struct as ?.

load lib

TYPED='typed_neg typed_unsigned typed_bool typed_enum typed_str typed_struct'

# umark_calls: umark's lines as "name(args) name = ret", the struct's arguments
# as ? (uscope does not read a by-value struct, nor the register after it);
# typed_long (a 300-byte string) is the --str-len test's.
umark_calls() {
	sed -nE '/^typed_long/d; s/^typed_struct\(.*\) = (.*)$/typed_struct(?, ?) = \1/; s/^(typed_[a-z]+)(\(.*\)) = (.*)$/\1\2 \1 = \3/p' \
		"$TMP/umark.out"
}

probes() { local f; for f in $TYPED; do echo "$f" "ret:$f"; done; }

@test "typed events, text: every call's arguments and return value as umark printed them (signed, unsigned, bool, enum, pointer, strings, ?)" {
	trace_umark "-n 7 -i 0 -T" $(probes)
	umark_calls > "$TMP/want"
	[[ $(wc -l < "$TMP/want") -eq 42 ]]
	grep -q '^typed_neg(.*) typed_neg = -[0-9]*$' "$TMP/want"	# the oracle does return negatives
	# uscope's EVENT column without the parameter names, entry and return paired.
	sed -nE 's/.* (entry|return) +(typed_.*)$/\2/p' "$TMP/out" | sed -E '/\(/s/(\(|, )[a-z_]+=/\1/g' |
		paste -d ' ' - - > "$TMP/got"
	diff -u "$TMP/want" "$TMP/got"
	# The names are DWARF's (typed.c) and the struct's ? comes with one note.
	grep -q 'entry  typed_neg(a=0, b=-300, c=-7)$' "$TMP/out"
	grep -q 'entry  typed_str(name="name-0", label="label 0", p=0x[0-9a-f]*)$' "$TMP/out"
	[[ $(grep -c '^note: float and by-value struct arguments print as ?' "$TMP/err") -eq 1 ]]
}

@test "typed events, JSON: args typed (strings, true/false, null for ?), arg_names, ret by the declared type (-407 not 4294966889)" {
	trace_umark "-n 5 -i 0 -T" --json $(probes)
	# umark's hex pointers as the decimal JSON numbers.
	umark_calls | perl -pe 's/0x([0-9a-f]+)/hex($1)/ge' > "$TMP/want"
	[[ $(wc -l < "$TMP/want") -eq 30 ]]
	jq -r 'select(.count == null and ((.probe // "") | startswith("typed_"))) |
		.probe as $p | if .kind == "entry" then "\(.probe)(\(.args | map(if type == "string" and $p != "typed_enum"
			then "\"\(.)\"" elif . == null then "?"
			else tostring end) | join(", ")))"
		else "\(.probe) = \(.ret)" end' "$TMP/out" | paste -d ' ' - - > "$TMP/got"
	# jq reads numbers as doubles: typed_unsigned's 64-bit c (above 2^53) is compared as text instead.
	sed -i -E 's/^(typed_unsigned\([0-9]+, [0-9]+), [0-9.e+]+\)/\1, c)/' "$TMP/want" "$TMP/got"
	diff -u "$TMP/want" "$TMP/got"
	sed -nE 's/^typed_unsigned\(([0-9]+, [0-9]+, [0-9]+)\) = .*/"args": [\1]/p' "$TMP/umark.out" > "$TMP/want"
	grep -F '"probe": "typed_unsigned", "kind": "entry"' "$TMP/out" | grep -oE '"args": \[[^]]*\]' | diff -u "$TMP/want" -
	[[ $(jq -c 'select(.kind == "entry" and .count == null) | [.probe, .arg_names]' "$TMP/out" | sort -u) == \
'["typed_bool",["on","n"]]
["typed_enum",["c"]]
["typed_neg",["a","b","c"]]
["typed_str",["name","label","p"]]
["typed_struct",["pr","after"]]
["typed_unsigned",["a","b","c"]]' ]]
	[[ $(jq -r 'select(.probe == "typed_neg" and .kind == "return") | .ret' "$TMP/out" | head -1) == -407 ]]
	# Enumerators are JSON strings; a value no enumerator has stays a number.
	[[ $(jq -c 'select(.probe == "typed_enum" and .kind == "entry" and .count == null) | .args[0]' "$TMP/out" | LC_ALL=C sort -u | tr '\n' ' ') == \
		'"TYPED_BLUE" "TYPED_GREEN" 5 ' ]]
}

@test "typed events: --args 1 cuts to one argument and says so (...); an explicit --str keeps its argK= suffix" {
	trace_umark "-n 2 -i 0 -T" --args 1 typed_neg typed_str
	sed -nE 's/^typed_neg\(([-0-9]+),.*/typed_neg(a=\1, ...)/p' "$TMP/umark.out" > "$TMP/want"
	grep -oE 'typed_neg\(.*' "$TMP/out" | diff -u "$TMP/want" -
	sed -nE 's/^typed_str\(("[^"]*"),.*/typed_str(name=\1, ...)/p' "$TMP/umark.out" > "$TMP/want"
	grep -oE 'typed_str\(.*' "$TMP/out" | diff -u "$TMP/want" -

	trace_umark "-n 2 -i 0 -T" --str 1 typed_str
	sed -nE 's/^typed_str\(("[^"]*"), ("[^"]*"), 0x[0-9a-f]+\) = .*/typed_str(name=\1, label=\2, p=0x) arg1=\2/p' \
		"$TMP/umark.out" > "$TMP/want"
	grep -oE 'typed_str\(.*' "$TMP/out" | sed -E 's/p=0x[0-9a-f]+/p=0x/' | diff -u "$TMP/want" -
}

@test "typed events: a copy without DWARF (strip -g) prints today's six raw registers and no arg_names" {
	private_umark
	strip -g -o "$TMP/bin/umark-nodwarf" "$TMP/bin/umark"
	BIN=$TMP/bin/umark-nodwarf trace_umark "-n 3 -i 0 -T" --json typed_neg ret:typed_neg
	[[ $(jq -r 'select(.kind == "entry" and .count == null) | .args | length' "$TMP/out" | sort -u) == 6 ]]
	[[ -z $(jq -c 'select(.arg_names != null)' "$TMP/out") ]]
	# The first register is typed_neg's a, as umark printed it.
	sed -nE 's/^typed_neg\(([0-9]+), .*/\1/p' "$TMP/umark.out" > "$TMP/want"
	jq -r 'select(.kind == "entry" and .count == null) | .args[0]' "$TMP/out" | diff -u "$TMP/want" -
}

@test "--str-len: default 64 bytes (63 characters and NUL), N keeps N-1, 4096 the whole 300-byte string, as umark printed it; a cut string says so" {
	for len in "" 5 300 301 4096; do
		trace_umark "-n 3 -i 0 -T" --json ${len:+--str-len $len} typed_long
		keep=$(( ${len:-64} - 1 ))
		sed -nE 's/^typed_long\("(.*)"\) = [0-9]+$/\1/p' "$TMP/umark.out" > "$TMP/whole"
		cut -c "1-$keep" "$TMP/whole" > "$TMP/want"
		[[ $(wc -l < "$TMP/want") -eq 3 ]]
		jq -r 'select(.kind == "entry" and .count == null) | .args[0]' "$TMP/out" | diff -u "$TMP/want" -
		# "truncated": [0] exactly when umark's string is longer than what was kept.
		want_cut=$(awk -v k="$keep" '{ print (length > k) ? "[0]" : "null" }' "$TMP/whole" | sort -u)
		got_cut=$(jq -c 'select(.kind == "entry" and .count == null) | .truncated' "$TMP/out" | sort -u)
		[[ "$got_cut" == "$want_cut" ]]
	done
	[[ $(awk '{ print length }' "$TMP/want" | sort -u) == 300 ]]
	# Text too, `...` after a cut string; an explicit --str of the same argument uses the same slot.
	trace_umark "-n 2 -i 0 -T" --str-len 9 --str 0 typed_long
	sed -nE 's/^typed_long\("(.{8}).*/typed_long(text="\1"...) arg0="\1".../p' "$TMP/umark.out" > "$TMP/want"
	grep -oE 'typed_long\(.*' "$TMP/out" | diff -u "$TMP/want" -
}

@test "--str-len outside 2..4096 or not a number is a usage error (exit 2) naming it" {
	for bad in 0 1 4097 x -3; do
		expect_failure 2 "invalid --str-len '$bad': expected a length from 2 to 4096" \
			"$USCOPE" trace -c "$UMARK -n 1 -i 0 -q" --str-len "$bad" typed_long
	done
}
