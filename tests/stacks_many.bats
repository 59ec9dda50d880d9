#!/usr/bin/env bats
# Many distinct stacks, and inlined frames. Targets: stacks-many (10,000
# generated call paths, tests/targets/stacks/gen_many.py, whose oracle file
# lists every path with the number of times the program takes it) and
# stacks-inline (inner() and mid() inlined into outer()). Oracles: the
# generator's path list, elfutils' eu-addr2line (-f, -i) and nm. No timing is
# asserted: the -v line is checked for its format and its counts only.

load lib

MANY="$BUILD_DIR/stacks-many"
ORACLE="$BUILD_DIR/stacks-many.folded"
INLINE="$BUILD_DIR/stacks-inline"

# folded_paths OUT PREFIX: uscope's folded lines with PREFIX; cut, sorted.
folded_paths() { grep -v '^many:' "$1" | sed "s/^$2;//" | sort; }

@test "stacks_many: --folded --stack=fp gives the 10,000 generated paths with the generator's counts" {
	"$USCOPE" trace -v --folded --stack=fp -c "$MANY 10000 20" leaf > "$TMP/out" 2> "$TMP/err"
	grep 'uscope: symbolized\|Stacks' "$TMP/err" || true
	[[ "$(wc -l < "$ORACLE")" -eq 10000 ]]
	diff <(folded_paths "$TMP/out" __libc_start_call_main) <(sort "$ORACLE")
	! grep -q 'without a stack\|\[unknown\]' "$TMP/err"
	# The line `make bench` parses: its format, and counts that follow from the oracle.
	grep -Eq '^uscope: symbolized 10000 stacks \(80000 frames, [0-9]+ distinct addresses\) in [0-9]+\.[0-9] ms$' "$TMP/err"
	distinct=$(sed -n 's/.*frames, \([0-9]*\) distinct.*/\1/p' "$TMP/err")
	# At least one return address per function below run (11,110) plus leaf: nothing merged wrongly.
	(( distinct >= 11111 ))
}

@test "stacks_many: --stack=dwarf counts the first 2,000 paths in user space, whole through libc" {
	# ~4,000 records of 4 KiB: a ring buffer that holds them all, so a slow reader (ASan) loses none
	"$USCOPE" trace --folded --stack=dwarf --stack-size 4096 --ringbuf-size 67108864 -c "$MANY 2000 20" leaf > "$TMP/out" 2> "$TMP/err"
	diff <(folded_paths "$TMP/out" '_start;__libc_start_main;__libc_start_call_main') <(head -n 2000 "$ORACLE" | sort)
	! grep -q 'without a stack\|\[unknown\]' "$TMP/err"
}

@test "stacks_many: a sample of frames agrees with eu-addr2line (function, file:line)" {
	"$USCOPE" trace --count --stack=fp --json -c "$MANY 10000 20" leaf > "$TMP/out" 2> "$TMP/err"
	# Every 97th stack; per frame in the target: index, address - function start + nm's start, func, file, line.
	nm "$MANY" | awk '$2 ~ /^[tT]$/ { print $3, $1 }' | sort > "$TMP/nm"
	grep '"stack"' "$TMP/out" | awk 'NR % 97 == 1' | jq -r '.stack | to_entries[]
		| select(.value.binary | endswith("stacks-many"))
		| [.key, .value.func, .value.offset, (.value.file | split("/") | last), .value.line] | @tsv' > "$TMP/frames"
	[[ "$(wc -l < "$TMP/frames")" -ge 500 ]]
	addrs=$(while IFS=$'\t' read -r i func off file line; do
		start=$(awk -v f="$func" '$1 == f { print $2; exit }' "$TMP/nm")
		[[ -n "$start" ]] || { echo "no symbol $func" >&2; exit 1; }
		printf '0x%x\n' $(( 0x$start + off - (i > 0 ? 1 : 0) ))	# return addresses: the call
	done < "$TMP/frames")
	eu-addr2line -f -e "$MANY" $addrs | paste - - | awk '{ n = split($2, p, "/"); print $1 "\t" p[n] }' \
		| sed 's/:\([0-9]*\):[0-9]*$/:\1/' > "$TMP/want"
	cut -f2,4,5 "$TMP/frames" | awk -F'\t' '{ print $1 "\t" $2 ":" $3 }' > "$TMP/got"
	diff "$TMP/got" "$TMP/want"
}

@test "stacks_many: inlined frames are shown as such, as eu-addr2line -i names them" {
	"$USCOPE" trace --count --stack=fp --json -c "$INLINE 7 20" leaf > "$TMP/out" 2> "$TMP/err"
	stack=$(grep '"stack"' "$TMP/out")
	[[ "$(echo "$stack" | jq -r .count)" -eq 7 ]]
	# The frames after leaf, down to the first real one: [func, inlined, file:line].
	echo "$stack" | jq -r '.stack[1:] | (map(.inlined != true) | index(true)) as $k | .[0:$k + 1][]
		| [.func, (.inlined == true), "\(.file | split("/") | last):\(.line)"] | @tsv' > "$TMP/got"
	cat "$TMP/got"
	outer=$(echo "$stack" | jq -r '.stack[] | select(.func == "outer") | .offset')
	start=$(nm "$INLINE" | awk '$3 == "outer" { print $1 }')
	# eu-addr2line -i: the innermost inlined function first, one line pair per frame, the
	# function they were inlined into last.
	eu-addr2line -i -f -e "$INLINE" "$(printf '0x%x' $(( 0x$start + outer - 1 )))" | paste - - |
		awk '{ n = split($NF, p, "/"); f[NR] = $1; l[NR] = p[n] }
		     END { for (i = 1; i <= NR; i++) print f[i] "\t" (i < NR ? "true" : "false") "\t" l[i] }' |
		sed 's/:\([0-9]*\):[0-9]*$/:\1/' > "$TMP/want"
	cat "$TMP/want"
	[[ "$(wc -l < "$TMP/want")" -eq 3 ]]
	diff "$TMP/got" "$TMP/want"
	# And in the text output: "inner (inlined)", "mid (inlined)", then outer+0x.. with its offset.
	"$USCOPE" trace --count --stack=fp -c "$INLINE 7 20" leaf > "$TMP/text" 2> "$TMP/err"
	grep -A4 '^  leaf+0x0' "$TMP/text" | awk '{ print $1, $2 }' | sed -n 2,4p > "$TMP/lines"
	[[ "$(cat "$TMP/lines")" == "$(printf 'inner (inlined)\nmid (inlined)\nouter+0x%x (stacks-inline)' "$outer")" ]]
}
