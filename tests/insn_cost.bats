#!/usr/bin/env bats
# uscope funcs --cost (issue 14): each function's first instruction and the
# kernel's class for a probe there. Oracles: objdump -d (the bytes and the
# mnemonic), and the kernel itself (a probe there counts every call, or, for
# the classes the kernel refuses, none).

load lib

COST="$BUILD_DIR/usdtforms/cost"

# objdump_first BIN: "NAME<TAB>BYTES<TAB>MNEMONIC..." for each function's first instruction
# (only its first line of bytes: objdump wraps instructions longer than 7 bytes).
objdump_first() {
	objdump -d --no-addresses "$1" 2>/dev/null | awk -F '\t' '
		/^<.*>:$/ { name = substr($0, 2, length($0) - 3); want = 1; next }
		want && NF >= 3 { b = $2; i = $3; gsub(/^ +| +$/, "", b); gsub(/ +/, " ", i); print name "\t" b "\t" i; want = 0 }'
}

# class_of BYTES MNEMONIC: the kernel's class, restated from objdump's view of the instruction.
class_of() {
	local bytes="$1" insn="$2"
	case "$insn" in
	lock*|cs\ *|ds\ *|es\ *|ss\ *) echo unprobeable; return ;;
	esac
	[[ "$bytes" == "0f 1f 44 00 00" ]] && { echo optimized; return; }
	case "$insn" in
	nop*|"xchg %ax,%ax"|"push %r"*|"jmp <"*|"call <"*|j[a-z]*" <"*) echo emulated ;;
	*) echo single-step ;;
	esac
}

@test "funcs --cost: first instruction bytes and class agree with objdump -d (cost target)" {
	"$USCOPE" funcs --cost --json "$COST" 'f_*' > "$TMP/json"
	objdump_first "$COST" | grep '^f_' > "$TMP/obj"
	[[ $(wc -l < "$TMP/obj") -eq 13 ]]
	while IFS=$'\t' read -r name bytes insn; do
		line=$(grep "\"name\": \"$name\"" "$TMP/json")
		want=$(class_of "$bytes" "$insn")
		echo "$name: objdump '$bytes' '$insn' -> $want; uscope: $line"
		[[ "$line" == *"\"first_insn_bytes\": \"$bytes"* ]]
		[[ "$line" == *"\"cost\": \"$want\""* ]]
		mn=${insn%% *}
		[[ "$line" == *"\"first_insn\": \"${mn%[lqwb]}"* || "$line" == *"\"first_insn\": \"$mn"* ||
		   "$insn" == xchg* || "$insn" == cs* ]]
	done < "$TMP/obj"
	# the reason is given where the kernel refuses
	grep '"name": "f_lock"' "$TMP/json" | grep -q '"why": "lock prefix: the kernel refuses to probe it'
}

@test "funcs --cost: text columns, and every umark function agrees with objdump -d" {
	"$USCOPE" funcs --cost "$COST" f_endbr > "$TMP/text"
	head -1 "$TMP/text" | grep -qE '^OFFSET +ADDRESS +SIZE +BIND +COST +FIRST_INSN +NAME$'
	grep -qE ' single-step +endbr64 +f_endbr$' "$TMP/text"
	"$USCOPE" funcs --cost --json "$UMARK" > "$TMP/json"
	objdump_first "$UMARK" > "$TMP/obj"
	n=0
	while IFS=$'\t' read -r name bytes insn; do
		line=$(grep -F "\"name\": \"$name\"," "$TMP/json" | head -1)
		[[ -n "$line" ]] || continue	# objdump's section labels (.init, .plt) are not functions
		want=$(class_of "$bytes" "$insn")
		[[ "$line" == *"\"first_insn_bytes\": \"$bytes"* && "$line" == *"\"cost\": \"$want\""* ]] ||
			{ echo "$name: objdump '$bytes' '$insn' -> $want; uscope: $line"; false; }
		n=$((n + 1))
	done < "$TMP/obj"
	echo "$n functions checked"
	[[ $n -ge 80 ]]
}

@test "funcs --cost: the kernel agrees: probes count every call, except where uscope says unprobeable" {
	"$USCOPE" funcs --cost --json "$COST" 'f_*' > "$TMP/json"
	sed -nE 's/^\{"name": "(f_[a-z0-9_]+)".*"cost": "([a-z-]+)".*/\1 \2/p' "$TMP/json" > "$TMP/classes"
	[[ $(wc -l < "$TMP/classes") -eq 13 ]]
	"$USCOPE" trace --count --json -c "$COST 500" 'f_*' > "$TMP/all" 2> "$TMP/err"
	grep -q '^calls 500 each, lock counter 500$' "$TMP/all"
	grep '^{' "$TMP/all" > "$TMP/out"
	while read -r name class; do
		got=$(json_count "$TMP/out" "$name" entry)
		echo "$name $class: $got"
		if [[ $class == unprobeable ]]; then [[ $got -eq 0 ]]; else [[ $got -eq 500 ]]; fi
	done < "$TMP/classes"
}

@test "funcs --cost: a binary that cannot be read, and --cost with a glob that matches nothing" {
	run "$USCOPE" funcs --cost /nonexistent
	[ "$status" -eq 1 ]
	[[ "$output" == "uscope: '/nonexistent': "* ]]
	run "$USCOPE" funcs --cost --json "$COST" 'nomatch_*'
	[ "$status" -eq 0 ]
	[[ -z "$output" ]]
}
