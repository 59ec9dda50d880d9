#!/usr/bin/env bats
# --filter EXPR, evaluated in BPF. The oracle is umark itself: the values it
# printed for every call (func_uprobe1(i) = i+1, func_uprobe2(i+3, i+8) =
# 2i+11, groupe:mixed(...), umark_greet("umark-i")) are filtered here with
# bash arithmetic, written independently of uscope's expression, and the
# count uscope kept must equal the count of calls that pass. Every operator
# is checked on entries, returns and USDT arguments; every usage error is
# checked for its message, exit status 2 and no program left loaded.
# Each filter runs twice: as the loader places it (one filter for every
# entry goes to .rodata, where the verifier specializes the interpreter) and
# with USCOPE_FILTER_MAPS_ONLY=1 (the per-site map records); both must agree
# with the oracle.

load lib
load context_lib

N=24

# values PROBE: the values umark printed for each call of PROBE, one call a line.
values() {
	case $1 in
	func_uprobe1) sed -nE 's/^func_uprobe1\(([0-9]+)\) = ([0-9]+)$/\1 \2/p' "$TMP/umark.out" ;;
	func_uprobe2) sed -nE 's/^func_uprobe2\(([0-9]+), ([0-9]+)\) = ([0-9]+)$/\1 \2 \3/p' "$TMP/umark.out" ;;
	groupe:mixed) sed -nE 's/^usdt groupe:mixed\((.*)\)$/\1/p' "$TMP/umark.out" | tr -d ',' ;;
	umark_greet) sed -nE 's/^umark_greet\("([^"]*)"\) = ([0-9]+)$/\1 \2/p' "$TMP/umark.out" ;;
	esac
}

# oracle PROBE 'BASH-ARITHMETIC' VAR...: how many of PROBE's calls satisfy the
# expression, each call's values read into VAR... in order.
oracle() {
	local probe=$1 expr=$2 n=0 line
	shift 2
	while read -r line; do
		# shellcheck disable=SC2086
		read -r "$@" <<< "$line"
		(( expr )) && n=$((n + 1))
	done < <(values "$probe")
	echo "$n"
}

# expect_filtered PROBE KIND FILTER 'BASH-ARITHMETIC' VAR...: uscope's count
# for PROBE under --filter FILTER equals the oracle's, and the oracle keeps
# some calls but not all (so the test tells a filter from no filter).
expect_filtered() {
	expect_filtered_1 "$@"
	USCOPE_FILTER_MAPS_ONLY=1 expect_filtered_1 "$@"
}

expect_filtered_1() {
	local probe=$1 kind=$2 filter=$3 want got total spec=$1
	shift 3
	[[ $kind == return ]] && spec="ret:$probe"
	[[ $kind == usdt ]] && spec="usdt:$probe"
	trace_umark "-n $N -i 0" --count --json --filter "$filter" "$spec"
	total=$(values "$probe" | wc -l)
	want=$(oracle "$probe" "$@")
	got=$(json_count "$TMP/out" "$probe" "$kind")
	echo "$spec --filter '$filter'${USCOPE_FILTER_MAPS_ONLY:+ (maps only)}: uscope $got, umark's values $want of $total"
	[[ $total -eq $N ]]
	[[ ${ALLOW_TRIVIAL:-} || ( $want -gt 0 && $want -lt $total ) ]]
	[[ $got -eq $want ]]
	grep -q "^Summary: $got hits on 1 probe$" "$TMP/err"
}

@test "entry arguments: == != < <= > >= on func_uprobe1's arg0 (decimal and hex)" {
	expect_filtered func_uprobe1 entry 'arg0 == 7' 'x == 7' x r
	expect_filtered func_uprobe1 entry 'arg0 != 0x7' 'x != 7' x r
	expect_filtered func_uprobe1 entry 'arg0 < 5' 'x < 5' x r
	expect_filtered func_uprobe1 entry 'arg0 <= 0xb' 'x <= 11' x r
	expect_filtered func_uprobe1 entry 'arg0 > 20' 'x > 20' x r
	expect_filtered func_uprobe1 entry 'arg0 >= 20' 'x >= 20' x r
	expect_filtered func_uprobe1 entry '9 < arg0' 'x > 9' x r
}

@test "entry arguments: & (bit test and masked compare), &&, ||, ! and parentheses" {
	expect_filtered func_uprobe1 entry 'arg0 & 4' '(x & 4) != 0' x r
	expect_filtered func_uprobe1 entry '(arg0 & 0x3) == 3' '(x & 3) == 3' x r
	expect_filtered func_uprobe1 entry 'arg0 & 0x6 == 2' '(x & 6) == 2' x r
	expect_filtered func_uprobe1 entry 'arg0 >= 3 && arg0 <= 6 || arg0 == 15' 'x >= 3 && x <= 6 || x == 15' x r
	expect_filtered func_uprobe1 entry 'arg0 >= 3 && (arg0 <= 6 || arg0 == 15)' 'x >= 3 && (x <= 6 || x == 15)' x r
	expect_filtered func_uprobe1 entry '!(arg0 & 1)' '!(x & 1)' x r
	expect_filtered func_uprobe1 entry '!(arg0 < 5 || arg0 > 18) && !!arg0' '!(x < 5 || x > 18) && x != 0' x r
	expect_filtered func_uprobe2 entry 'arg1 > 20 && arg0 < 25' 'b > 20 && a < 25' a b r
}

@test "return values: every comparison on ret:func_uprobe2 (2i+11) and ret:func_uprobe1" {
	expect_filtered func_uprobe2 return 'ret == 31' 'r == 31' a b r
	expect_filtered func_uprobe2 return 'ret != 31' 'r != 31' a b r
	expect_filtered func_uprobe2 return 'ret < 21' 'r < 21' a b r
	expect_filtered func_uprobe2 return 'ret <= 21' 'r <= 21' a b r
	expect_filtered func_uprobe2 return 'ret > 0x21' 'r > 33' a b r
	expect_filtered func_uprobe2 return 'ret >= 33 && !(ret & 2)' 'r >= 33 && !(r & 2)' a b r
	expect_filtered func_uprobe1 return 'ret < 4 || ret > 22' 'r < 4 || r > 22' x r
}

@test "USDT arguments compare signed or unsigned as the note's spec says (groupe:mixed)" {
	# arg4 is int32 -100000 - i (spec -4@): signed, so "< -100010" keeps i > 10
	# and "> 0" keeps nothing; compared unsigned, every value would be > 0.
	expect_filtered groupe:mixed usdt 'arg4 < -100010' 'a4 < -100010' a0 a1 a2 a3 a4 a5 a6 a7
	expect_filtered groupe:mixed usdt 'arg4 >= -100005 || arg7 == 20' 'a4 >= -100005 || a7 == 20' a0 a1 a2 a3 a4 a5 a6 a7
	expect_filtered groupe:mixed usdt 'arg6 <= -1099511627786' 'a6 <= -1099511627786' a0 a1 a2 a3 a4 a5 a6 a7
	expect_filtered groupe:mixed usdt 'arg4 == -100003' 'a4 == -100003' a0 a1 a2 a3 a4 a5 a6 a7
	ALLOW_TRIVIAL=1 expect_filtered groupe:mixed usdt 'arg4 > 0' 'a4 > 0' a0 a1 a2 a3 a4 a5 a6 a7
	[[ $(json_count "$TMP/out" groupe:mixed usdt) -eq 0 ]]
	# arg5 is uint32 4000000000 (spec 4@): unsigned, so it is above 3000000000.
	ALLOW_TRIVIAL=1 expect_filtered groupe:mixed usdt 'arg5 > 3000000000 && arg0 == -5 && arg2 < -299' \
		'a5 > 3000000000 && a0 == -5 && a2 < -299' a0 a1 a2 a3 a4 a5 a6 a7
	[[ $(json_count "$TMP/out" groupe:mixed usdt) -eq $N ]]
	expect_filtered groupe:mixed usdt 'arg7 != 3 && arg7 < 10' 'a7 != 3 && a7 < 10' a0 a1 a2 a3 a4 a5 a6 a7
}

# expect_str_filtered FILTER AWK-CONDITION: uscope's umark_greet count under
# FILTER equals the number of umark_greet("...") lines whose string ($1)
# satisfies AWK-CONDITION.
expect_str_filtered() {
	expect_str_filtered_1 "$@"
	USCOPE_FILTER_MAPS_ONLY=1 expect_str_filtered_1 "$@"
}

expect_str_filtered_1() {
	trace_umark "-n $N -i 0" --count --json --filter "$1" umark_greet
	want=$(values umark_greet | awk "$2" | wc -l)
	got=$(json_count "$TMP/out" umark_greet entry)
	echo "--filter '$1'${USCOPE_FILTER_MAPS_ONLY:+ (maps only)}: uscope $got, umark $want"
	[[ $(values umark_greet | wc -l) -eq $N && $got -eq $want ]]
}

@test "strings: str(arg0) == / != and comm == / != on umark_greet" {
	expect_str_filtered 'str(arg0) == "umark-7"' '$1 == "umark-7"'
	[[ $want -eq 1 ]]
	expect_str_filtered 'str(arg0) != "umark-7" && comm == "umark"' '$1 != "umark-7"'
	[[ $want -eq $((N - 1)) ]]
	expect_str_filtered 'str(arg0) == "umark-1" || str(arg0) == "umark-12"' '$1 == "umark-1" || $1 == "umark-12"'
	[[ $want -eq 2 ]]
	# A constant that is only a prefix of the string does not match it.
	expect_str_filtered 'str(arg0) == "umark-" || str(arg0) == "umark-1x"' '0'
	expect_str_filtered 'comm != "umark"' '0'
	expect_str_filtered 'comm == "umark" && !(str(arg0) != "umark-3")' '$1 == "umark-3"'
	[[ $want -eq 1 ]]
}

@test "tid, uid and operand pairs: tid == pid keeps the main thread's calls only (umark -t runs none there)" {
	both_paths tid_uid_pairs
}

tid_uid_pairs() {
	"$USCOPE" trace --count --json -c "$UMARK -n 5 -i 0 -q" --filter "tid == pid && uid == $(id -u)" func_uprobe1 > "$TMP/out" 2> "$TMP/err"
	[[ $(json_count "$TMP/out" func_uprobe1 entry) -eq 5 ]]
	"$USCOPE" trace --count --json -c "$UMARK -n 5 -i 0 -q -t 3" --filter 'tid == pid' func_uprobe1 > "$TMP/out" 2> "$TMP/err"
	[[ $(umark_calls "$TMP/err" func_uprobe1) -eq 15 ]]
	[[ $(json_count "$TMP/out" func_uprobe1 entry) -eq 0 ]]
	"$USCOPE" trace --count --json -c "$UMARK -n 5 -i 0 -q -t 3" --filter 'tid != pid && uid != 12345' func_uprobe1 > "$TMP/out" 2> "$TMP/err"
	[[ $(json_count "$TMP/out" func_uprobe1 entry) -eq 15 ]]
	# Operands compare with each other too: func_uprobe2's arg1 is arg0 + 5.
	"$USCOPE" trace --count --json -c "$UMARK -n 5 -i 0 -q" --filter 'arg0 < arg1 && !(arg1 <= arg0)' func_uprobe2 > "$TMP/out" 2> "$TMP/err"
	[[ $(json_count "$TMP/out" func_uprobe2 entry) -eq 5 ]]
	"$USCOPE" trace --count --json -c "$UMARK -n 5 -i 0 -q" --filter 'arg1 == arg0' func_uprobe2 > "$TMP/out" 2> "$TMP/err"
	[[ $(json_count "$TMP/out" func_uprobe2 entry) -eq 0 ]]
}

@test "pid: of two processes running one binary, only the filtered one is counted" {
	private_umark
	two_gated_umarks 7 5
	start_uscope trace -x "$PUMARK" --count --json --filter "pid == $P2" func_uprobe1
	run_gated_umarks
	kill -INT "$USCOPE_PID"
	finish_uscope
	[[ $(umark_calls "$TMP/u1.err" func_uprobe1) -eq 7 ]]
	[[ $(umark_calls "$TMP/u2.err" func_uprobe1) -eq 5 ]]
	[[ $(json_count "$TMP/out" func_uprobe1 entry) -eq 5 ]]
}

@test "events: only the hits the filter keeps are sent, with their values" {
	trace_umark "-n $N -i 0" --json --args 1 --filter 'arg0 > 15 && arg0 != 20' func_uprobe1
	drop_summary "$TMP/out"
	values func_uprobe1 | awk '$1 > 15 && $1 != 20 { print "[" $1 "]" }' > "$TMP/want"
	jq -c 'select(.count == null and .args != null) | .args' "$TMP/out" > "$TMP/got"
	diff -u "$TMP/want" "$TMP/got"
	grep -q "^Summary: 7 hits, 7 events printed, 0 lost, 1 probe$" "$TMP/err"
}

# both_paths FN: FN as the loader places the filter, then with the map records only.
both_paths() {
	"$1"
	USCOPE_FILTER_MAPS_ONLY=1 "$1"
}

@test "--latency: an entry filter decides which calls are timed, a ret filter which samples are kept" {
	both_paths latency_filtered
}

latency_filtered() {
	"$USCOPE" trace --latency --json -c "$UMARK -n $N -i 0 -q" --filter 'arg0 < 10' func_uprobe1 > "$TMP/out" 2> "$TMP/err"
	[[ $(json_count "$TMP/out" func_uprobe1 latency) -eq 10 ]]
	grep -q '^Summary: 20 hits, 0 returns without a timed entry, 2 probes$' "$TMP/err"
	# ret = i + 1 > 15: i = 15..23; entries are not filtered, so all 24 count.
	"$USCOPE" trace --latency --json -c "$UMARK -n $N -i 0 -q" --filter 'ret > 15' func_uprobe1 > "$TMP/out" 2> "$TMP/err"
	[[ $(json_count "$TMP/out" func_uprobe1 latency) -eq 9 ]]
	grep -q '^Summary: 33 hits, 0 returns without a timed entry, 2 probes$' "$TMP/err"
	# Both halves: arg0 >= 4 at entry, ret < 9 at return: i = 4..7.
	"$USCOPE" trace --latency --json -c "$UMARK -n $N -i 0 -q" --filter 'arg0 >= 4 && ret < 9' func_uprobe1 > "$TMP/out" 2> "$TMP/err"
	[[ $(json_count "$TMP/out" func_uprobe1 latency) -eq 4 ]]
	grep -q '^Summary: 24 hits, 0 returns without a timed entry, 2 probes$' "$TMP/err"
}

@test "--latency with a filter on recursive umark_recurse: rejected entries still pair with their returns" {
	both_paths latency_recursive
}

latency_recursive() {
	# umark_recurse(5) recurses through 5..0: "arg0 & 1" keeps 5, 3, 1 of each 6.
	"$USCOPE" trace --latency --json -c "$UMARK -n 8 -i 0 -q" --filter 'arg0 & 1' umark_recurse > "$TMP/out" 2> "$TMP/err"
	[[ $(umark_calls "$TMP/err" umark_recurse) -eq 48 ]]
	[[ $(json_count "$TMP/out" umark_recurse latency) -eq 24 ]]
	grep -q '^Summary: 48 hits, 0 returns without a timed entry, 2 probes$' "$TMP/err"
}

@test "a filter over every umark_op_* function: each keeps exactly the calls umark made with a matching argument" {
	# Without DWARF an argument is a raw register: this checks only that one
	# program serves 64 sites and that a site with no match counts nothing.
	"$USCOPE" trace --count --json -c "$UMARK -n 3 -i 0 -q" --filter 'pid == 1' 'umark_op_*' func_uprobe1 > "$TMP/out" 2> "$TMP/err"
	grep -q '^Summary: 0 hits on 65 probes$' "$TMP/err"
	"$USCOPE" trace --count --json -c "$UMARK -n 3 -i 0 -q" --filter 'pid != 1 && comm == "umark"' 'umark_op_*' > "$TMP/out" 2> "$TMP/err"
	[[ $(jq -s '[.[] | .count] | add' "$TMP/out") -eq $((3 * 2080)) ]]
}

# ---- usage errors: one line naming the probe and the argument, exit 2, nothing attached

@test "--filter naming an argument the probe does not have is a usage error naming probe and argument" {
	expect_failure 2 "usdt:groupa:probe1" "$USCOPE" trace -c "$UMARK -n 1 -i 0 -q" --filter 'arg1 == 3' usdt:groupa:probe1
	grep -qF 'arg1' "$TMP/stderr"
	grep -qF 'has 1 argument' "$TMP/stderr"
	expect_failure 2 "ret:func_uprobe1" "$USCOPE" trace -c "$UMARK -n 1 -i 0 -q" --filter 'arg0 == 3' ret:func_uprobe1
	grep -qF 'arg0' "$TMP/stderr"
	expect_failure 2 "func_uprobe1" "$USCOPE" trace -c "$UMARK -n 1 -i 0 -q" --filter 'ret == 3' func_uprobe1
	grep -qF 'ret exists on return probes only' "$TMP/stderr"
	expect_failure 2 "arg6" "$USCOPE" trace -c "$UMARK -n 1 -i 0 -q" --filter 'arg6 == 3' func_uprobe1
	grep -qF "probe 'func_uprobe1'" "$TMP/stderr"
	expect_failure 2 "'count'" "$USCOPE" trace -c "$UMARK -n 1 -i 0 -q" --filter 'count > 3' func_uprobe1
	grep -qF "probe 'func_uprobe1'" "$TMP/stderr"
	expect_failure 2 "arg12" "$USCOPE" trace -c "$UMARK -n 1 -i 0 -q" --filter 'arg12 > 3' func_uprobe1
}

@test "--filter type mismatches and bad syntax are usage errors naming the culprit" {
	local x
	expect_failure 2 "type mismatch" "$USCOPE" trace -x "$UMARK" --filter 'arg0 == "x"' func_uprobe1
	expect_failure 2 "type mismatch" "$USCOPE" trace -x "$UMARK" --filter 'comm == 3' func_uprobe1
	expect_failure 2 "type mismatch" "$USCOPE" trace -x "$UMARK" --filter '3 == str(arg0)' func_uprobe1
	expect_failure 2 "== and != only" "$USCOPE" trace -x "$UMARK" --filter 'comm < "x"' func_uprobe1
	expect_failure 2 "at most 15" "$USCOPE" trace -x "$UMARK" --filter 'comm == "0123456789abcdef"' func_uprobe1
	expect_failure 2 "must be compared" "$USCOPE" trace -x "$UMARK" --filter 'str(arg0)' func_uprobe1
	expect_failure 2 "expected an integer constant" "$USCOPE" trace -x "$UMARK" --filter 'arg0 >' func_uprobe1
	expect_failure 2 "expected ')'" "$USCOPE" trace -x "$UMARK" --filter '(arg0 > 1' func_uprobe1
	expect_failure 2 "unbalanced ')'" "$USCOPE" trace -x "$UMARK" --filter 'arg0 > 1)' func_uprobe1
	expect_failure 2 "unexpected character" "$USCOPE" trace -x "$UMARK" --filter 'arg0 = 1' func_uprobe1
	expect_failure 2 "64 bits" "$USCOPE" trace -x "$UMARK" --filter 'arg0 == 18446744073709551616' func_uprobe1
	expect_failure 2 "empty" "$USCOPE" trace -x "$UMARK" --filter ' ' func_uprobe1
	expect_failure 2 "unterminated" "$USCOPE" trace -x "$UMARK" --filter 'comm == "umark' func_uprobe1
	expect_failure 2 "twice" "$USCOPE" trace -x "$UMARK" --filter 'arg0' --filter 'arg1' func_uprobe1
	expect_failure 2 "negative" "$USCOPE" trace -x "$UMARK" --filter 'arg0 < -1' func_uprobe1
	expect_failure 2 "mixes ret and arguments" "$USCOPE" trace -x "$UMARK" --latency --filter 'ret > 1 || arg0 < 2' func_uprobe1
	expect_failure 2 "only one" "$USCOPE" trace -x "$UMARK" --filter 'str(arg0) == "a" || str(arg1) == "b"' func_uprobe2
	x='arg0 == 1'
	for _ in $(seq 16); do x="$x || arg0 == 1"; done
	expect_failure 2 "too many tests" "$USCOPE" trace -x "$UMARK" --filter "$x" func_uprobe1
}
