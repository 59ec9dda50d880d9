#!/usr/bin/env bats
# --count --stack --by (issue 13 with issue 12's keys): counts per (key,
# stack), the key as the stack's root frame. Oracle: two bykeys processes,
# each counting its own by_leaf calls per calling path (by_path_a/b/c).

load lib

BYKEYS="$BUILD_DIR/bykeys"

# Two gated bykeys -s processes (counts "A1 B1 C1" and "A2 B2 C2"); each
# stays alive after its calls until its gate closes (end_bykeys), so that
# its mappings can be read for the stacks.
start_bykeys() {
	mkfifo "$TMP/g1" "$TMP/g2"
	"$BYKEYS" -w -s $1 < "$TMP/g1" 2> "$TMP/b1.err" 3>&- &
	P1=$!
	"$BYKEYS" -w -s $2 < "$TMP/g2" 2> "$TMP/b2.err" 3>&- &
	P2=$!
	BG_PIDS="$P1 $P2"
	exec {G1}> "$TMP/g1" {G2}> "$TMP/g2"
}

run_bykeys() {
	echo go >&"$G1"
	echo go >&"$G2"
	wait_for "$TMP/b1.err" '^by_leaf(3)'
	wait_for "$TMP/b2.err" '^by_leaf(3)'
}

end_bykeys() {
	exec {G1}>&- {G2}>&-
	wait "$P1" "$P2"
}

# want: "pid=P by_path_x COUNT" per path each process took, from their own reports.
want() {
	for i in 1 2; do
		local p=P$i
		sed -nE "s/^by_leaf\([0-9]\) via (by_path_[abc]) ([0-9]+)$/pid=${!p} \1 \2/p" "$TMP/b$i.err"
	done | awk '$3 > 0' | sort
}

# folded_rows: "ROOT CALLER COUNT" per folded line: the root frame and by_leaf's caller.
folded_rows() { awk '{ n = split($1, f, ";"); print f[1], f[n - 1], $2 }' "$TMP/out" | sort; }

@test "--count --stack --by pid --folded (frame pointers): each process's paths as it counted them, its pid at the root" {
	start_bykeys "3 2 1" "1 0 4"
	start_uscope trace -x "$BYKEYS" --count --stack --folded --by pid by_leaf
	run_bykeys
	kill -INT "$USCOPE_PID"
	finish_uscope
	end_bykeys
	cat "$TMP/out"
	sed -i '/^PROBE\|^by_leaf /d' "$TMP/out"	# the per-key table before the stacks
	grep -q ';main;by_path_a;by_leaf 3$' "$TMP/out"
	want > "$TMP/want"
	folded_rows > "$TMP/got"
	diff -u "$TMP/want" "$TMP/got"
	grep -q '^Summary: 0 dropped: key table full' "$TMP/err"
}

@test "--count --stack=dwarf --by pid: the same counts, counted in user space" {
	start_bykeys "2 3 1" "0 2 2"
	start_uscope trace -x "$BYKEYS" --count --stack=dwarf --folded --by pid by_leaf
	run_bykeys
	kill -INT "$USCOPE_PID"
	finish_uscope
	end_bykeys
	sed -i '/^PROBE\|^by_leaf /d' "$TMP/out"
	want > "$TMP/want"
	folded_rows > "$TMP/got"
	diff -u "$TMP/want" "$TMP/got"
}

@test "--count --stack --by arg0 text and JSON: the key is the outermost frame; the flame graph has it as a root" {
	start_bykeys "2 1 1" "1 0 3"
	start_uscope trace -x "$BYKEYS" --count --stack --json --by arg0 --flamegraph "$TMP/fg.svg" by_leaf
	run_bykeys
	kill -INT "$USCOPE_PID"
	finish_uscope
	end_bykeys
	# by_leaf(K) is called only by by_path_K: arg0 and the caller agree, counts as bykeys printed.
	jq -r 'select(.stack != null) | "\(.stack[-1].func) \(.stack[1].func) \(.count)"' "$TMP/out" | sort > "$TMP/got"
	cat "$TMP/b1.err" "$TMP/b2.err" | sed -nE 's/^by_leaf\(([0-9])\) via (by_path_[abc]) ([1-9][0-9]*)$/arg0=\1 \2 \3/p' | sort > "$TMP/want"
	diff -u "$TMP/want" "$TMP/got"
	# JSON also names the key as "by": the same key as the root frame.
	jq -e -s '[.[] | select(.stack != null)] | length > 0 and all(.stack[-1].func == "arg0=\(.by.arg0)")' "$TMP/out"
	xmllint --noout "$TMP/fg.svg"
	for k in 1 2 3; do grep -q ">arg0=$k<" "$TMP/fg.svg" || grep -q "arg0=$k" "$TMP/fg.svg"; done
}

@test "--count --stack --by with the key table full: counted stacks plus 'dropped: key table full' make every hit" {
	start_bykeys "3 2 1" "1 1 1"
	start_uscope trace -x "$BYKEYS" --count --stack --folded --by pid --by-max 2 by_leaf
	run_bykeys
	kill -INT "$USCOPE_PID"
	finish_uscope
	end_bykeys
	cat "$TMP/out" "$TMP/err"
	sed -i '/^PROBE\|^by_leaf /d' "$TMP/out"
	kept=$(awk '{ s += $2 } END { print s }' "$TMP/out")
	dropped=$(awk '/dropped: key table full/ { print $2 }' "$TMP/err")
	[[ $dropped -gt 0 ]]
	[[ $((kept + dropped)) -eq 9 ]]
}
