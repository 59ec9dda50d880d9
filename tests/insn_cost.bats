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
	grep '"name": "f_lock"' "$TMP/json" | grep -q '"why": "a lock prefix"'
}

@test "funcs --cost: text columns, and every umark function agrees with objdump -d" {
	"$USCOPE" funcs --cost "$COST" f_endbr > "$TMP/text"
	head -1 "$TMP/text" | grep -qE '^OFFSET +ADDRESS +SIZE +BIND +TYPE +SOURCE +COST +FIRST_INSN +NAME$'
	grep -qE ' func +[a-z-]+ +single-step +endbr64 +f_endbr$' "$TMP/text"
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
	sed -nE 's/.*"name": "(f_[a-z0-9_]+)".*"cost": "([a-z-]+)".*/\1 \2/p' "$TMP/json" > "$TMP/classes"
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

@test "trace: warns for each function the kernel cannot probe, and says how many are single-stepped" {
	"$USCOPE" trace --count --json -c "$COST 7" 'f_*' > "$TMP/out" 2> "$TMP/err"
	cat "$TMP/err"
	grep -qxF "uscope: warning: f_lock in '$COST' starts with 'lock inc (%rdi)', which the kernel cannot probe (a lock prefix): its count will stay 0" "$TMP/err"
	grep -qF "uscope: warning: f_nop10 in '$COST' starts with" "$TMP/err"
	grep -qF "which the kernel cannot probe (an es/cs/ss/ds segment prefix, as in the 10-byte nop): its count will stay 0" "$TMP/err"
	# objdump: how many f_* start with an instruction the kernel single-steps
	n=$(objdump_first "$COST" | grep '^f_' | while IFS=$'\t' read -r _ b i; do class_of "$b" "$i"; done | grep -c single-step)
	[[ $n -eq 3 ]]
	grep -qxF "uscope: warning: $n of 13 function probes are single-stepped (about 10x slower per hit); uscope funcs --cost lists each function's class" "$TMP/err"
	# a trace of emulated probes only says nothing
	"$USCOPE" trace --count -c "$COST 1" f_push f_nop5 2> "$TMP/err2" > /dev/null
	! grep -q warning "$TMP/err2"
}

CET="$BUILD_DIR/usdtforms/cet"

# skippable_by_objdump BIN NAME...: the NAMEs whose first instruction is endbr64, whose second is a
# push or nop (emulated), and whose body has no branch to NAME+0x4 (objdump -d).
skippable_by_objdump() {
	local bin="$1" name
	shift
	for name in "$@"; do
		objdump -d --no-show-raw-insn "$bin" | awk -v f="$name" '
			$0 ~ "^[0-9a-f]+ <" f ">:$" { on = 1; n = 0; next }
			on && /^$/ { exit }
			on { sub(/^ *[0-9a-f]+:\t/, ""); i[++n] = $0 }
			END {
				if (i[1] != "endbr64" || (i[2] !~ /^push / && i[2] !~ /^nop/)) exit 1
				for (k = 1; k <= n; k++) if (index(i[k], "<" f "+0x4>")) exit 1
			}' && echo "$name"
	done
}

# cet_counts FILE: uscope's counts as "NAME COUNT" lines, sorted (like the target's own lines).
cet_counts() { sed -nE 's/^\{"probe": "([a-z_]+)", "kind": "entry", "count": ([0-9]+)\}$/\1 \2/p' "$1" | sort; }

@test "endbr64 skip: placed where objdump says it counts the same, and counts exactly the same (a loop back included)" {
	funcs="f_cet_plain f_cet_loop f_cet_mov f_cet_top cet_work"
	want=$(skippable_by_objdump "$CET" $funcs | tr '\n' ' ')
	echo "skippable per objdump: $want"
	[[ "$want" == "f_cet_plain f_cet_top " ]]	# loop: branch to +4; mov, cet_work: no cheaper
	for mode in multi perf; do
		for opt in "" --no-skip-endbr; do
			# shellcheck disable=SC2086
			"$USCOPE" trace --attach $mode $opt --count --json -c "$CET 50" $funcs > "$TMP/out" 2> "$TMP/err"
			grep -E '^[a-z_]+ [0-9]+$' "$TMP/out" | sort > "$TMP/want"
			cet_counts "$TMP/out" > "$TMP/got"
			diff "$TMP/want" "$TMP/got"
			if [[ -z "$opt" ]]; then
				grep -qxF "uscope: warning: 2 entry probes placed after endbr64, where the kernel emulates instead of single-stepping (same counts; --no-skip-endbr keeps them at the start)" "$TMP/err"
				grep -qF "warning: 3 of 5 function probes are single-stepped" "$TMP/err"
			else
				! grep -q 'after endbr64' "$TMP/err"
				grep -qF "warning: 5 of 5 function probes are single-stepped" "$TMP/err"
			fi
		done
	done
}

# byte_at PID ADDR: the byte at ADDR in PID's memory, two hex digits.
byte_at() { dd if="/proc/$1/mem" bs=1 skip="$2" count=1 iflag=skip_bytes 2>/dev/null | od -An -tx1 | tr -d ' '; }

@test "endbr64 skip: the breakpoint really is 4 bytes in (/proc/PID/mem), and at the start with --no-skip-endbr" {
	off=$(readelf -sW "$CET" | awk '$8 == "f_cet_plain" { print $2 }')
	for opt in "" --no-skip-endbr; do
		mkfifo "$TMP/in$opt"
		"$CET" 1 wait < "$TMP/in$opt" > "$TMP/cet.out" &
		pid=$!
		exec {W}> "$TMP/in$opt"
		base=$(awk -v p="$(readlink -f "$CET")" '$6 == p && $3 == "00000000" { split($1, a, "-"); print a[1]; exit }' "/proc/$pid/maps")
		# shellcheck disable=SC2086
		start_uscope trace $opt --count -p "$pid" f_cet_plain
		at0=$(byte_at "$pid" $((16#$base + 16#$off)))
		at4=$(byte_at "$pid" $((16#$base + 16#$off + 4)))
		echo "opt '$opt': +0 $at0, +4 $at4"
		echo go >&"$W"
		exec {W}>&-
		wait "$pid"
		finish_uscope
		if [[ -z "$opt" ]]; then [[ $at0 == f3 && $at4 == cc ]]; else [[ $at0 == cc && $at4 == 55 ]]; fi
	done
}

# insn_starts BIN NAME: the offsets (decimal, from NAME's start) where objdump -d starts an instruction.
insn_starts() {
	local a base=
	for a in $(objdump -d --no-show-raw-insn "$1" | awk -v n="<$2>:" '
		$2 == n { on = 1; next }
		on && /^$/ { exit }
		on && /^ +[0-9a-f]+:/ { sub(/:/, "", $1); print $1 }'); do
		base=${base:-$((16#$a))}
		echo $((16#$a - base))
	done
}

# file_offset_of BIN NAME: NAME's file offset (decimal), from readelf.
file_offset_of() { readelf_funcs "$1" | awk -v n="$2" '$1 == n { print $5; exit }'; }

@test "FUNC+OFF: every instruction start objdump shows counts exactly; inside one it is refused naming both starts" {
	size=$(readelf_funcs "$UMARK" | awk '$1 == "func_uprobe2" { print $3; exit }')
	mapfile -t starts < <(insn_starts "$UMARK" func_uprobe2 | awk -v s="$size" '$1 < s')	# not the padding
	echo "func_uprobe2 instruction starts: ${starts[*]}"
	[[ ${#starts[@]} -ge 4 && ${starts[0]} -eq 0 && ${starts[1]} -eq 1 ]]
	# +1 (mov after push %rbp) counts every call, like umark's own count
	last=$(printf '0x%x' "${starts[-1]}")
	trace_umark "-n 6 -i 0 -q" --count --json "func_uprobe2+1" "func_uprobe2+$last"
	[[ "$(json_count "$TMP/out" "func_uprobe2+0x1" entry)" -eq "$(umark_calls "$TMP/umark.err" func_uprobe2)" ]]
	[[ "$(json_count "$TMP/out" "func_uprobe2+$last" entry)" -eq "$(umark_calls "$TMP/umark.err" func_uprobe2)" ]]
	# inside the mov: refused, naming the starts on either side (objdump's)
	expect_failure 1 "func_uprobe2+0x2 is inside an instruction of func_uprobe2 in '$UMARK': the instructions around it start at func_uprobe2+0x1 and func_uprobe2+$(printf '0x%x' "${starts[2]}")" \
		"$USCOPE" trace --count -x "$UMARK" "func_uprobe2+2"
	# the same for --offset
	off=$(( $(file_offset_of "$UMARK" func_uprobe2) + 2 ))
	expect_failure 1 "$(printf -- '--offset 0x%x is inside an instruction of func_uprobe2' "$off")" \
		"$USCOPE" trace --count -x "$UMARK" --offset "$off"
}

@test "FUNC+OFF: a lock-prefixed instruction is refused with the reason (exit 1); past the end (1), ret:F+OFF and a bad number (2)" {
	# umark's func_uprobe2 counts with lock addq (objdump)
	lock=$(objdump -d --no-show-raw-insn "$UMARK" | awk '/<func_uprobe2>:/ { on = 1; next } on && /lock/ { sub(/:/, "", $1); print $1; exit }')
	start=$(objdump -d "$UMARK" | awk '/<func_uprobe2>:/ { print $1; exit }')
	rel=$(( 16#$lock - 16#$start ))
	expect_failure 1 "$(printf 'func_uprobe2+0x%x starts' "$rel")" "$USCOPE" trace --count -x "$UMARK" "func_uprobe2+$rel"
	grep -qF "which the kernel cannot probe (a lock prefix)" "$TMP/stderr"
	expect_failure 1 "probe 'func_uprobe2+100000': the offset is past the end of its function" \
		"$USCOPE" trace --count -x "$UMARK" "func_uprobe2+100000"
	expect_failure 2 "probe 'ret:func_uprobe2+1': a return probe takes no +OFFSET" \
		"$USCOPE" trace --count -x "$UMARK" "ret:func_uprobe2+1"
	expect_failure 2 "probe 'func_uprobe2+x': expected FUNC+OFFSET with a number after '+'" \
		"$USCOPE" trace --count -x "$UMARK" "func_uprobe2+x"
}

GOREC="$BUILD_DIR/usdtforms/gorec"

@test "Go: entry probes go past the stack check (objdump), and count exactly the calls the program made" {
	# objdump: main.rec starts with the stack check, then jbe to the morestack block that jumps back to the top
	objdump -d --no-show-raw-insn "$GOREC" | awk '/<main.rec>:/ { on = 1; next } on && /^$/ { exit } on' > "$TMP/rec"
	head -3 "$TMP/rec" | grep -qE 'cmp +0x10\(%r14\),%r12'
	head -3 "$TMP/rec" | grep -qE 'jbe '
	grep -qE 'jmp +[0-9a-f]+ <main\.rec>$' "$TMP/rec"
	"$USCOPE" trace --count --json -c "$GOREC 20" main.rec main.leaf > "$TMP/out" 2> "$TMP/err"
	cat "$TMP/err"
	grep -qF "Go entry probe" "$TMP/err"
	grep '^{' "$TMP/out" > "$TMP/json"
	for f in main.rec main.leaf; do
		want=$(awk -v f="$f" '$1 == f { print $2 }' "$TMP/out")
		got=$(json_count "$TMP/json" "$f" entry)
		echo "$f: program $want, uscope $got"
		[[ -n "$want" && "$got" -eq "$want" ]]
	done
	# the stack really grew mid-call: more than one morestack per goroutine's deep recursion is
	# what made a probe at the top count extra; FUNC+0 (the top, placed as asked) shows it
	"$USCOPE" trace --count --json -c "$GOREC 20" 'main.rec+0' > "$TMP/out0" 2> /dev/null
	want=$(awk '$1 == "main.rec" { print $2 }' "$TMP/out0")
	got=$(grep '^{' "$TMP/out0" | sed -nE 's/.*"count": ([0-9]+).*/\1/p')
	echo "at the top: program $want, uscope $got"
	[[ "$got" -gt "$want" ]]
}
