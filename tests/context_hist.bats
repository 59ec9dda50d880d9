#!/usr/bin/env bats
# --hist VALUE (log2) and --lhist VALUE,MIN,MAX,STEP (linear): the buckets
# uscope filled in BPF against buckets computed here, with awk, from the
# values umark printed for every call.

load lib

# got OUT PROBE: "ge le count" per bucket of PROBE's histogram ("-" for an open side).
got() {
	jq -r --arg p "$2" 'select(.hist != null and .probe == $p) | .buckets[] | "\(.ge // "-") \(.le // "-") \(.count)"' "$1"
}

# log2_oracle: values on stdin -> "ge le count" per nonempty log2 bucket, ascending.
log2_oracle() {
	awk '{ v = $1; if (v == 0) { lo = 0; hi = 0 } else { lo = 1; while (lo * 2 <= v) lo *= 2; hi = lo * 2 - 1 }
		n[lo] = hi; c[lo]++ }
		END { for (l in c) print l, n[l], c[l] }' | sort -n
}

# lin_oracle MIN MAX STEP: values on stdin -> "ge le count" per nonempty bucket, ascending.
lin_oracle() {
	awk -v min="$1" -v max="$2" -v step="$3" '{
		v = $1
		if (v < min) k = "u"; else if (v >= max) k = "o"; else k = int((v - min) / step)
		c[k]++ }
		END {
			if ("u" in c) printf "- %d %d\n", min - 1, c["u"]
			for (k = 0; k * step < max - min; k++) if (k in c) printf "%d %d %d\n", min + k * step, min + (k + 1) * step - 1, c[k]
			if ("o" in c) printf "%d - %d\n", max, c["o"] }'
}

@test "--hist arg0 on func_uprobe1: the log2 buckets of the values umark passed" {
	trace_umark "-n 40 -i 0" --json --hist arg0 func_uprobe1
	sed -nE 's/^func_uprobe1\(([0-9]+)\) = [0-9]+$/\1/p' "$TMP/umark.out" | log2_oracle > "$TMP/want"
	[[ $(wc -l < "$TMP/want") -eq 7 ]]	# 0, 1, 2-3, ..., 32-63
	got "$TMP/out" func_uprobe1 > "$TMP/got"
	diff -u "$TMP/want" "$TMP/got"
	[[ $(jq -r 'select(.hist != null) | .count' "$TMP/out") -eq 40 ]]
}

@test "--hist ret on ret:func_uprobe2 and the text drawing show the same buckets" {
	trace_umark "-n 30 -i 0" --json --hist ret ret:func_uprobe2
	sed -nE 's/^func_uprobe2\([0-9]+, [0-9]+\) = ([0-9]+)$/\1/p' "$TMP/umark.out" | log2_oracle > "$TMP/want"
	got "$TMP/out" func_uprobe2 > "$TMP/got"
	diff -u "$TMP/want" "$TMP/got"
	trace_umark "-n 30 -i 0" --hist ret ret:func_uprobe2
	grep -q '^func_uprobe2 (return) ret: count 30$' "$TMP/out"
	sed -nE 's/^  \[([0-9]+), ([0-9]+)\] +([0-9]+) \|.*$/\1 \2 \3/p' "$TMP/out" > "$TMP/got"
	diff -u "$TMP/want" "$TMP/got"
}

@test "--lhist on a signed USDT argument (groupe:mixed arg4), with under- and overflow" {
	trace_umark "-n 30 -i 0" --json --lhist arg4,-100020,-100004,4 usdt:groupe:mixed
	sed -nE 's/^usdt groupe:mixed\((.*)\)$/\1/p' "$TMP/umark.out" | tr -d ',' | awk '{ print $5 }' |
		lin_oracle -100020 -100004 4 > "$TMP/want"
	grep -q '^- -100021 ' "$TMP/want"
	grep -q '^-100004 - ' "$TMP/want"
	got "$TMP/out" groupe:mixed > "$TMP/got"
	diff -u "$TMP/want" "$TMP/got"
}

@test "--lhist ret on ret:func_uprobe1 and on an unsigned USDT argument (libumark:libprobe arg0)" {
	trace_umark "-n 25 -i 0" --json --lhist ret,5,20,3 ret:func_uprobe1
	sed -nE 's/^func_uprobe1\([0-9]+\) = ([0-9]+)$/\1/p' "$TMP/umark.out" | lin_oracle 5 20 3 > "$TMP/want"
	got "$TMP/out" func_uprobe1 > "$TMP/got"
	diff -u "$TMP/want" "$TMP/got"
	trace_umark "-n 25 -i 0" --json --lhist arg0,0,0x10,2 "usdt:$LIBUMARK:libumark:libprobe"
	sed -nE 's/^usdt libumark:libprobe\(([0-9]+), [0-9]+\)$/\1/p' "$TMP/umark.out" | lin_oracle 0 16 2 > "$TMP/want"
	got "$TMP/out" libumark:libprobe > "$TMP/got"
	diff -u "$TMP/want" "$TMP/got"
}

@test "--hist with --filter: only kept hits are bucketed; one histogram per probe, --top" {
	trace_umark "-n 30 -i 0" --json --hist arg0 --filter 'arg0 >= 10' --top 1 func_uprobe1 func_uprobe2
	# func_uprobe2's arg0 is i + 3 (23 calls >= 10), func_uprobe1's is i (20): only func_uprobe2 shown.
	[[ "$(jq -r 'select(.hist != null) | "\(.probe) \(.count)"' "$TMP/out")" == "func_uprobe2 23" ]]
	sed -nE 's/^func_uprobe2\(([0-9]+), [0-9]+\) = [0-9]+$/\1/p' "$TMP/umark.out" | awk '$1 >= 10' | log2_oracle > "$TMP/want"
	got "$TMP/out" func_uprobe2 > "$TMP/got"
	diff -u "$TMP/want" "$TMP/got"
}

@test "--hist / --lhist usage errors name the culprit, exit 2, nothing attached" {
	expect_failure 2 "'comm'" "$USCOPE" trace -x "$UMARK" --hist comm func_uprobe1
	expect_failure 2 "VALUE,MIN,MAX,STEP" "$USCOPE" trace -x "$UMARK" --lhist arg0,1,2 func_uprobe1
	expect_failure 2 "VALUE,MIN,MAX,STEP" "$USCOPE" trace -x "$UMARK" --lhist arg0,5,5,1 func_uprobe1
	expect_failure 2 "multiple of STEP" "$USCOPE" trace -x "$UMARK" --lhist arg0,0,10,3 func_uprobe1
	expect_failure 2 "at most" "$USCOPE" trace -x "$UMARK" --lhist arg0,0,1000,1 func_uprobe1
	expect_failure 2 "cannot be used together" "$USCOPE" trace -x "$UMARK" --hist arg0 --count func_uprobe1
	expect_failure 2 "one value histogram" "$USCOPE" trace -x "$UMARK" --hist arg0 --lhist arg0,0,4,1 func_uprobe1
	expect_failure 2 "ret:func_uprobe1" "$USCOPE" trace -c "$UMARK -n 1 -i 0 -q" --hist arg0 ret:func_uprobe1
	expect_failure 2 "usdt:groupa:probe1" "$USCOPE" trace -c "$UMARK -n 1 -i 0 -q" --hist arg1 usdt:groupa:probe1
	expect_failure 2 "signed on some probes" "$USCOPE" trace -c "$UMARK -n 1 -i 0 -q" --lhist arg0,0,8,1 usdt:groupa:probe1 usdt:groupc:probe3
	expect_failure 2 "unsigned" "$USCOPE" trace -c "$UMARK -n 1 -i 0 -q" --lhist arg0,-4,8,1 func_uprobe1
}
