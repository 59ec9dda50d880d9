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

@test "--offset inside a function (not its start, not a USDT location) is refused, exit 1, target untouched" {
	off=$(( $(func_offset "$UMARK" func_uprobe1) + $(second_insn_delta "$UMARK" func_uprobe1) ))
	expect_failure 1 "neither a function start nor a USDT location" \
		"$USCOPE" trace --count --offset "$off" -c "$UMARK -n 3 -i 0 -q"
	grep -qF -- "--unsafe-offset" "$TMP/stderr"
	# Mid-instruction is refused the same way.
	expect_failure 1 "neither a function start nor a USDT location" \
		"$USCOPE" trace --count --offset "$(( $(func_offset "$UMARK" func_uprobe1) + 2 ))" -x "$UMARK"
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
