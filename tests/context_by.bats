#!/usr/bin/env bats
# --count --by KEY,...: per-key counts from a BPF hash. Oracles: umark's own
# summaries (per process), the values umark printed for each call, and
# arithmetic on a table of known size.

load lib
load context_lib

# rows OUT PROBE: "key-values count" per --by row of PROBE in uscope's JSON.
rows() { jq -r --arg p "$2" 'select(.by != null and .probe == $p) | "\([.by[]] | map(tostring) | join(" ")) \(.count)"' "$1" | sort; }

@test "--by pid: two processes running one binary, each counted under its own pid as umark counted itself" {
	private_umark
	two_gated_umarks 7 4
	start_uscope trace -x "$PUMARK" --count --json --by pid func_uprobe1 umark_recurse
	run_gated_umarks
	kill -INT "$USCOPE_PID"
	finish_uscope
	cat "$TMP/out"
	{
		echo "$P1 $(umark_calls "$TMP/u1.err" func_uprobe1)"
		echo "$P2 $(umark_calls "$TMP/u2.err" func_uprobe1)"
	} | sort > "$TMP/want"
	rows "$TMP/out" func_uprobe1 > "$TMP/got"
	diff -u "$TMP/want" "$TMP/got"
	{
		echo "$P1 $(umark_calls "$TMP/u1.err" umark_recurse)"
		echo "$P2 $(umark_calls "$TMP/u2.err" umark_recurse)"
	} | sort > "$TMP/want"
	rows "$TMP/out" umark_recurse > "$TMP/got"
	diff -u "$TMP/want" "$TMP/got"
	grep -q '^Summary: 0 dropped: key table full' "$TMP/err"
}

@test "--by arg0,comm and --by ret: one row per value umark passed or returned" {
	trace_umark "-n 9 -i 0" --count --json --by arg0,comm func_uprobe2
	sed -nE 's/^func_uprobe2\(([0-9]+), [0-9]+\) = [0-9]+$/\1 umark/p' "$TMP/umark.out" | sort | uniq -c |
		awk '{ print $2, $3, $1 }' | sort > "$TMP/want"
	[[ $(wc -l < "$TMP/want") -eq 9 ]]
	rows "$TMP/out" func_uprobe2 > "$TMP/got"
	diff -u "$TMP/want" "$TMP/got"

	trace_umark "-n 9 -i 0" --count --json --by ret ret:func_uprobe2
	sed -nE 's/^func_uprobe2\([0-9]+, [0-9]+\) = ([0-9]+)$/\1/p' "$TMP/umark.out" | sort | uniq -c |
		awk '{ print $2, $1 }' | sort > "$TMP/want"
	rows "$TMP/out" func_uprobe2 > "$TMP/got"
	diff -u "$TMP/want" "$TMP/got"
}

@test "--by on USDT arguments keeps their sign (groupe:mixed arg4, arg7) and --by str(arg0) reads the string" {
	trace_umark "-n 5 -i 0" --count --json --by arg4,arg7 usdt:groupe:mixed
	sed -nE 's/^usdt groupe:mixed\((.*)\)$/\1/p' "$TMP/umark.out" | tr -d ',' | awk '{ print $5, $8, 1 }' | sort > "$TMP/want"
	grep -q -- '^-100004 4 1$' "$TMP/want"
	rows "$TMP/out" groupe:mixed > "$TMP/got"
	diff -u "$TMP/want" "$TMP/got"

	trace_umark "-n 5 -i 0" --count --json --by 'str(arg0)' umark_greet
	sed -nE 's/^umark_greet\("([^"]*)"\) = [0-9]+$/\1 1/p' "$TMP/umark.out" | sort > "$TMP/want"
	rows "$TMP/out" umark_greet > "$TMP/got"
	diff -u "$TMP/want" "$TMP/got"
}

@test "the key table full: --by-max 5 keeps 5 keys exactly, the other hits are reported as dropped" {
	trace_umark "-n 20 -i 0 -q" --count --json --by arg0 --by-max 5 func_uprobe1
	[[ $(umark_calls "$TMP/umark.err" func_uprobe1) -eq 20 ]]
	# Keys are inserted in call order: 0..4 get a row each; 15 calls find no room.
	printf '%s 1\n' 0 1 2 3 4 > "$TMP/want"
	rows "$TMP/out" func_uprobe1 > "$TMP/got"
	diff -u "$TMP/want" "$TMP/got"
	grep -q '^Summary: 20 hits on 1 probe$' "$TMP/err"
	grep -q '^Summary: 15 dropped: key table full (--by-max 5)$' "$TMP/err"
	# Keys already in the table keep counting when it is full: 3 keys, 10 hits.
	trace_umark "-n 10 -i 0 -q" --count --json --by comm,pid --by-max 1 func_uprobe1 umark_recurse func_uprobe2
	[[ $(jq -s '[.[] | select(.by != null)] | length' "$TMP/out") -eq 1 ]]
	run grep -q '^Summary: 0 dropped' "$TMP/err"
	[[ $status -ne 0 ]]
	[[ $(jq -s '[.[] | select(.by != null) | .count] | add' "$TMP/out") -gt 0 ]]
	dropped=$(awk '/dropped: key table full/ { print $2 }' "$TMP/err")
	[[ $(( $(jq -s '[.[] | select(.by != null) | .count] | add' "$TMP/out") + dropped )) -eq $((10 + 60 + 10)) ]]
}

@test "--by with --filter and --top: only kept hits are keyed, the busiest rows first" {
	trace_umark "-n 12 -i 0 -q" --count --json --by arg0 --filter 'arg0 < 3 || arg0 == 4' --top 2 umark_recurse
	# umark_recurse(5) -> 5,4,...,0 each iteration: keys 0,1,2,4, 12 each; ties by key order.
	[[ "$(rows "$TMP/out" umark_recurse | tr '\n' ' ')" == "0 12 1 12 " ]]
}

@test "-i with --by prints growth per interval: rows that did not grow are left out" {
	private_umark
	mkfifo "$TMP/g"
	"$PUMARK" -w -n 3 -i 0 -q < "$TMP/g" 2> "$TMP/u.err" 3>&- &
	P=$!
	BG_PIDS=$P
	start_uscope trace -x "$PUMARK" --count --json -i 0.2 --by pid func_uprobe1
	echo go > "$TMP/g"
	wait "$P"
	wait_for "$TMP/out" '"by"'
	# Two more intervals after the one that showed the calls: they must show no row.
	n=$(grep -c interval_end "$TMP/out")
	for ((i = 0; i < 100 && $(grep -c interval_end "$TMP/out") < n + 2; i++)); do sleep 0.1; done
	kill -INT "$USCOPE_PID"
	finish_uscope
	drop_summary "$TMP/out"
	cat "$TMP/out"
	# Interval rows (before the totals) add up to umark's 3 calls, once.
	[[ $(jq -s 'index({"totals": true}) as $t | .[:$t] | map(select(.by != null) | .count) | add' "$TMP/out") -eq 3 ]]
	# The total is umark's count, under umark's pid.
	[[ $(jq -s '[.[] | select(.by != null)] | .[-1] | "\(.by.pid) \(.count)"' -r "$TMP/out") == "$P $(umark_calls "$TMP/u.err" func_uprobe1)" ]]
}

@test "--by usage errors: unknown key, a key a probe lacks, without --count, twice, bad --by-max" {
	expect_failure 2 "'foo'" "$USCOPE" trace -x "$UMARK" --count --by pid,foo func_uprobe1
	expect_failure 2 "ret:func_uprobe1" "$USCOPE" trace -c "$UMARK -n 1 -i 0 -q" --count --by arg0 ret:func_uprobe1
	grep -qF "'arg0'" "$TMP/stderr"
	expect_failure 2 "usdt:groupb:probe2" "$USCOPE" trace -c "$UMARK -n 1 -i 0 -q" --count --by arg2 usdt:groupb:probe2
	grep -qF "arg2" "$TMP/stderr"
	expect_failure 2 "func_uprobe1" "$USCOPE" trace -c "$UMARK -n 1 -i 0 -q" --count --by ret func_uprobe1
	expect_failure 2 "--by needs --count" "$USCOPE" trace -x "$UMARK" --by pid func_uprobe1
	expect_failure 2 "not --hist/--lhist" "$USCOPE" trace -x "$UMARK" --metrics 127.0.0.1:1 --hist arg0 --by pid func_uprobe1
	expect_failure 2 "not --hist/--lhist" "$USCOPE" trace -x "$UMARK" --metrics 127.0.0.1:1 --lhist arg0,0,10,1 func_uprobe1
	expect_failure 2 "given twice" "$USCOPE" trace -x "$UMARK" --count --by pid,pid func_uprobe1
	expect_failure 2 "at most 4" "$USCOPE" trace -x "$UMARK" --count --by pid,tid,uid,comm,arg0 func_uprobe1
	expect_failure 2 "--by-max" "$USCOPE" trace -x "$UMARK" --count --by pid --by-max 0 func_uprobe1
}
