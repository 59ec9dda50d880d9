#!/usr/bin/env bats
# Probes that would harm the target or count wrong are refused or resolved:
# --offset only at known instruction starts (function starts, USDT locations),
# IFUNC symbols, return probes in Go binaries and through C++ exceptions.
# Oracles: readelf and objdump (where functions and instructions start), the
# targets' own counts and exit statuses.

load lib

NOHARM="$BUILD_DIR/noharm"

# func_offset BIN NAME: NAME's file offset, from readelf.
func_offset() { readelf_funcs "$1" | awk -v n="$2" '$1 == n { print $5; exit }'; }

# second_insn_delta BIN NAME: bytes from NAME's first instruction to its second, from objdump.
second_insn_delta() {
	objdump -d --no-show-raw-insn "$1" | awk -v n="<$2>:" '
		$2 == n { on = 1; next }
		on && /^ +[0-9a-f]+:/ { a[++k] = $1; if (k == 2) { sub(/:/, "", a[1]); sub(/:/, "", a[2]); print a[1] " " a[2]; exit } }' |
		{ read -r x y; echo $(( 16#$y - 16#$x )); }
}

@test "--offset inside a function: an instruction start (objdump's) counts; mid-instruction is refused, exit 1" {
	# Since instructions are decoded (helpers/insn_cost.c), every instruction start is accepted.
	off=$(( $(func_offset "$UMARK" func_uprobe1) + $(second_insn_delta "$UMARK" func_uprobe1) ))
	trace_umark "-n 3 -i 0 -q" --count --json --offset "$off"
	[[ "$(json_count "$TMP/out" "func_uprobe1+0x$(printf %x "$(second_insn_delta "$UMARK" func_uprobe1)")" entry)" -eq "$(umark_calls "$TMP/umark.err" func_uprobe1)" ]]
	# Mid-instruction is refused, naming the instruction starts around it.
	expect_failure 1 "is inside an instruction of func_uprobe1" \
		"$USCOPE" trace --count --offset "$(( $(func_offset "$UMARK" func_uprobe1) + 2 ))" -x "$UMARK"
}

@test "--offset in a stripped binary: a function start its unwind info (.eh_frame) names is accepted and counts" {
	private_umark
	strip -o "$TMP/bin/umark-stripped" "$PUMARK"
	! readelf -sW "$TMP/bin/umark-stripped" | grep -q func_uprobe1
	off=$(func_offset "$UMARK" func_uprobe1)
	BIN=$TMP/bin/umark-stripped trace_umark "-n 4 -i 0 -q" --count --json --offset "$off"
	[[ $(jq -r 'select(.count != null) | .count' "$TMP/out") == "$(umark_calls "$TMP/umark.err" func_uprobe1)" ]]
	expect_failure 1 "neither a function start" "$USCOPE" trace --count -x "$TMP/bin/umark-stripped" \
		--offset "$(( off + $(second_insn_delta "$UMARK" func_uprobe1) ))"
}

@test "--offset at a USDT location is accepted and counts every fire" {
	loc=$(readelf_usdt "$UMARK" | awk -F'\t' '$1 == "groupa" && $2 == "probe1" { print $4 }')
	[[ $(readelf_usdt "$UMARK" | awk -F'\t' '$1 == "groupa" && $2 == "probe1"' | wc -l) -eq 1 ]]
	trace_umark "-n 4 -i 0 -q" --count --json --offset "$loc"
	got=$(jq -r 'select(.count != null) | .count' "$TMP/out")
	want=$(umark_usdt "$TMP/umark.err" groupa:probe1)
	echo "uscope $got, umark $want"
	[[ "$got" == "$want" && "$want" -gt 0 ]]
}

@test "--unsafe-offset probes an instruction start inside a function (objdump's), and counts it" {
	delta=$(second_insn_delta "$UMARK" func_uprobe1)
	off=$(( $(func_offset "$UMARK" func_uprobe1) + delta ))
	trace_umark "-n 5 -i 0 -q" --count --json --unsafe-offset "$off"
	jq -r 'select(.count != null) | "\(.probe) \(.count)"' "$TMP/out"
	[[ $(jq -r 'select(.count != null) | .probe' "$TMP/out") == "func_uprobe1+0x$(printf %x "$delta")" ]]
	[[ $(jq -r 'select(.count != null) | .count' "$TMP/out") == "$(umark_calls "$TMP/umark.err" func_uprobe1)" ]]
}

@test "--unsafe-offset: the help says what it risks; a bad value is a usage error" {
	"$USCOPE" trace --help > "$TMP/help"
	grep -A4 -- '--unsafe-offset OFF' "$TMP/help" | tr '\n' ' ' | grep -q 'middle of one.*wrong results or crashes'
	expect_failure 2 "--unsafe-offset" "$USCOPE" trace --unsafe-offset nope -x "$UMARK"
}

# ---------------------------------------------------------------------------
# IFUNC

LIBC=$(ldd "$BUILD_DIR/uscope" | awk '$1 == "libc.so.6" { print $3 }')

@test "funcs shows the type of every symbol, func or ifunc, as readelf does (libc, text and JSON)" {
	# libc's own tables only (readelf reads no debug file): an empty debug root.
	export USCOPE_DEBUG_ROOT="$TMP" DEBUGINFOD_URLS=
	"$USCOPE" funcs --json "$LIBC" > "$TMP/json"
	jq -r 'select(.type == "ifunc") | .name' "$TMP/json" | sort -u > "$TMP/got"
	readelf -sW --dyn-syms "$LIBC" | awk '$4 == "IFUNC" && $7 != "UND" { n = $8; sub(/@.*/, "", n); print n }' | sort -u > "$TMP/want"
	wc -l < "$TMP/want"
	[[ $(wc -l < "$TMP/want") -gt 10 ]]
	diff "$TMP/want" "$TMP/got"
	[[ $(jq -r 'select(.type != "ifunc" and .type != "func") | .name' "$TMP/json" | wc -l) -eq 0 ]]
	"$USCOPE" funcs "$LIBC" strlen > "$TMP/text"
	cat "$TMP/text"
	[[ $(awk 'NR == 1 { print $5 } NR == 2 { print $5, $NF }' "$TMP/text" | tr '\n' ' ') == "TYPE ifunc strlen " ]]
}

@test "IFUNC strlen in libc (the file uscope has mapped too) counts the implementation's calls exactly" {
	# No shell in between: its own strlen calls would count too (same process).
	"$USCOPE" trace --count --json -x libc -c "$NOHARM/ifunc_strlen 12345" strlen > "$TMP/out" 2> "$TMP/err"
	cat "$TMP/err"
	want=$(awk '$1 == "strlen" && $2 == "calls" { print $3 }' "$TMP/err")
	got=$(json_count "$TMP/out" strlen entry)
	echo "uscope $got, the target $want"
	[[ "$want" == 12345 && "$got" == "$want" ]]
	no_uscope_links
}

@test "an IFUNC in a library uscope has not mapped is refused: one line, exit 1, saying why and what to probe" {
	expect_failure 1 "noharm_pick" "$USCOPE" trace --count -x "$NOHARM/libnoharm_ifunc.so" -c "$NOHARM/ifunc_strlen 1" noharm_pick
	grep -q "GNU IFUNC" "$TMP/stderr"
	grep -q "probe the implementation" "$TMP/stderr"
	# Its resolver named as such is what the user asked for: probed as is.
	"$USCOPE" trace --count -x "$NOHARM/libnoharm_ifunc.so" -c "$NOHARM/ifunc_strlen 1" resolve_pick > "$TMP/out" 2> "$TMP/err"
	grep -q '^Attached 1 probe' "$TMP/err"
}

# ---------------------------------------------------------------------------
# Return probes in Go and through C++ exceptions

# start_gospin: the Go target in the background (UMARK_PID, killed by kill_bg).
start_gospin() {
	: > "$TMP/go.err"
	"$NOHARM/gospin" 2> "$TMP/go.err" 3>&- &
	UMARK_PID=$!
	wait_for "$TMP/go.err" '^gospin: pid '
}

@test "Go binary: the test target really is one (readelf); a uretprobe on it is refused with one line, exit 1; ret: and --latency go on return instructions; it lives on" {
	readelf -SW "$NOHARM/gospin" | grep -qE '\.go\.buildinfo|\.gopclntab'
	start_gospin
	expect_failure 1 "Go binary" "$USCOPE" trace --count --ret-mode uretprobe -p "$UMARK_PID" ret:main.work
	grep -q "corrupts Go stacks" "$TMP/stderr"
	expect_failure 1 "main.work" "$USCOPE" trace --latency --ret-mode uretprobe -p "$UMARK_PID" 'main.work'
	grep -q "Go binary" "$TMP/stderr"
	# Entries, and returns by instruction (tests/insn_go.bats), are fine, and the target is unharmed:
	# it keeps counting its calls and ends cleanly.
	"$USCOPE" trace --count --json -p "$UMARK_PID" -d 0.3 main.work > "$TMP/out" 2> "$TMP/err"
	[[ $(json_count "$TMP/out" main.work entry) -gt 0 ]]
	"$USCOPE" trace --count --json -p "$UMARK_PID" -d 0.3 main.work ret:main.work > "$TMP/out" 2> "$TMP/err"
	grep -qF "Go return probe placed on the functions' return instructions" "$TMP/err"
	[[ $(json_count "$TMP/out" main.work return) -gt 0 ]]
	"$USCOPE" trace --latency --json -p "$UMARK_PID" -d 0.3 main.work > "$TMP/out" 2> "$TMP/err"
	grep -q '"kind": "latency"' "$TMP/out"
	alive "$UMARK_PID"
	kill -TERM "$UMARK_PID"
	st=0
	wait "$UMARK_PID" || st=$?
	[[ $st -eq 0 ]]
	grep -q '^gospin: calls [1-9]' "$TMP/go.err"
}

@test "C++: ret: on a function an exception may unwind through warns once, naming it; a leaf does not" {
	"$USCOPE" trace --count --json -c "$NOHARM/throw 0" ret:through ret:plain ret:relay ret:through > "$TMP/out" 2> "$TMP/err"
	cat "$TMP/err"
	[[ $(grep -c 'warning: return probe on through: an exception' "$TMP/err") -eq 1 ]]
	grep -q 'through: .*(it has a handler or cleanup in its unwind info).*std::terminate' "$TMP/err"
	# relay has no LSDA, but calls thrower (objdump's view): it is warned about for that.
	objdump -d "$NOHARM/throw" | awk '/<relay>:/,/^$/' | grep -qE '(call|jmp) +[0-9a-f]+ <_Z7throweri>'
	[[ $(grep -c 'warning: return probe on relay: .*(it calls code of a program that throws C++ exceptions)' "$TMP/err") -eq 1 ]]
	! grep -q 'on plain' "$TMP/err"
	# A C program (libc names no __cxa_throw) gets no such warning.
	"$USCOPE" trace --count -x libc -c "$NOHARM/ifunc_strlen 1" ret:malloc ret:free > /dev/null 2> "$TMP/err"
	! grep -q 'warning' "$TMP/err"
	# The oracle for "has an LSDA": readelf's view of .eh_frame (an FDE with augmentation data naming one).
	through=$(readelf_funcs "$NOHARM/throw" | awk '$1 == "through" { printf "%x", $2 }')
	readelf -wf "$NOHARM/throw" | awk -v a="$through" '/FDE/ { on = ($0 ~ "pc=0*" a "\\.\\.") } on && /Augmentation data:/ { print; exit }' | grep -q .
	# The warning is true: with a uretprobe (--ret-mode uretprobe), the exception does end the program;
	# by default the return instructions are probed instead (tests/insn.bats) and it runs on.
	st=0
	"$USCOPE" trace --count --ret-mode uretprobe -c "$NOHARM/throw 3" ret:through > "$TMP/out" 2> "$TMP/err" || st=$?
	grep -q 'terminate called' "$TMP/err"
	"$USCOPE" trace --count -c "$NOHARM/throw 3" ret:through > "$TMP/out" 2> "$TMP/err"
	grep -qx 'caught 3' "$TMP/out"
}
