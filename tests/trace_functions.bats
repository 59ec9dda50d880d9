#!/usr/bin/env bats
# Function entry and return probes on umark, checked against umark's own summary.

load lib

setup() {
	TMP=$(mktemp -d)
}

teardown() {
	rm -rf "$TMP"
}

@test "counts of func_uprobe1, func_uprobe2 and all 64 umark_op functions equal umark's summary (-c, multi)" {
	"$USCOPE" trace --attach multi --count --json -c "$UMARK -n 7 -i 0 -q" \
		func_uprobe1 func_uprobe2 'umark_op_*' > "$TMP/out" 2> "$TMP/err"
	grep -q '^Attached 66 probes' "$TMP/err"
	for f in func_uprobe1 func_uprobe2 $(seq -f 'umark_op_%02g' 0 63); do
		want=$(umark_calls "$TMP/err" "$f")
		got=$(json_count "$TMP/out" "$f" entry)
		[[ -n "$want" && "$want" -gt 0 ]] || { echo "umark printed no count for $f"; false; }
		[[ "$got" == "$want" ]] || { echo "$f: uscope $got, umark $want"; false; }
	done
}
