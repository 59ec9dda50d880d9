#!/usr/bin/env bats
# Strings in pages the target has not touched yet (probes/str_read.bpf.h):
# coldstr (tests/targets/context) unmaps the page(s) of libcoldlib's string
# literals before every firing, checks with /proc/self/pagemap that they are
# absent, fires a USDT probe and calls cold_take(s) with the string, then
# prints the string itself: the oracle. One string lies inside a page, one
# runs across a page boundary. The control run with the sleepable twins off
# (USCOPE_NO_SLEEPABLE=1) shows the case is real: there every read fails.

load lib

COLD="$BUILD_DIR/context/coldstr"
COLDLIB="$BUILD_DIR/context/libcoldlib.so"
PROBES="usdt:$COLDLIB:coldlib:cold $COLDLIB:cold_take"

# cold_run N ARGS...: trace N rounds of coldstr; stdout in $TMP/out (the target's lines too), stderr in $TMP/err.
cold_run() {
	local n=$1
	shift
	"$USCOPE" trace -c "$COLD $n" $PROBES "$@" > "$TMP/out" 2> "$TMP/err"
}

# want_strings N: the strings coldstr printed, in firing order (USDT and entry each), after checking it saw the pages absent.
want_strings() {
	[[ $(grep -c '^string [01]: .* (page present before the probes: no)$' "$TMP/out") -eq $((2 * $1)) ]]
	sed -nE 's/^string [01]: (.*) \(page present before the probes: no\)$/\1\n\1/p' "$TMP/out"
}

@test "cold strings, text: the first firing of a USDT probe and of a char * argument reads a string in an untouched page, as the target printed it" {
	cold_run 3 --str 0
	want_strings 3 > "$TMP/want"
	[[ $(wc -l < "$TMP/want") -eq 12 ]]
	sed -nE 's/.* (usdt|entry) +.* arg0="(.*)"$/\2/p' "$TMP/out" > "$TMP/got"
	diff -u "$TMP/want" "$TMP/got"
	# DWARF char * arguments are read the same way, without --str.
	grep -q 'entry  cold_take(s="a string in a page this process has not touched", which=0) arg0=' "$TMP/out"
	grep -q 'entry  cold_take(s="spans two pages of .rodata untouched", which=1) arg0=' "$TMP/out"
	! grep -q unreadable "$TMP/out"
}

@test "cold strings, control: with the sleepable programs off every one of those reads fails (<unreadable>), so the case above is real" {
	USCOPE_NO_SLEEPABLE=1 cold_run 2 --str 0
	want_strings 2 > /dev/null
	[[ $(grep -c 'arg0=<unreadable>$' "$TMP/out") -eq 8 ]]
}

@test "cold strings, JSON on the perf-event path: str and the typed args carry the string, never null" {
	"$USCOPE" trace --attach perf -c "$COLD 2" $PROBES --str 0 --json > "$TMP/out" 2> "$TMP/err"
	want_strings 2 > "$TMP/want"
	grep '^{' "$TMP/out" | jq -r 'select(.time_ns) | .str' > "$TMP/got"
	diff -u "$TMP/want" "$TMP/got"
	grep '^{' "$TMP/out" | jq -r 'select(.time_ns and .probe == "cold_take") | .args[0]' | sort -u > "$TMP/got"
	sort -u "$TMP/want" | diff -u - "$TMP/got"
}

@test "cold strings in str(arg0): a --filter on the string counts every call the target made with it (entries and USDT)" {
	cold_run 4 --count --filter 'str(arg0) == "spans two pages of .rodata untouched"'
	want_strings 4 > /dev/null
	[[ $(awk '$1 == "coldlib:cold" && $2 == "usdt" { print $3 }' "$TMP/out") -eq 4 ]]
	[[ $(awk '$1 == "cold_take" && $2 == "entry" { print $3 }' "$TMP/out") -eq 4 ]]
}

@test "cold strings as a --by key: one row per string the target passed, none empty" {
	"$USCOPE" trace -c "$COLD 3" "$COLDLIB:cold_take" --count --by 'str(arg0)' > "$TMP/out" 2> "$TMP/err"
	want_strings 3 > /dev/null
	# --by keeps 31 bytes of a string key (USCOPE_BY_STR_LEN).
	sed -nE 's/^string [01]: (.{1,31}).* \(page present.*$/\1/p' "$TMP/out" | sort | uniq -c |
		awk '{ c = $1; $1 = ""; print substr($0, 2) " " c }' > "$TMP/want"
	awk '$1 == "cold_take" && $2 == "entry" { c = $NF; $1 = $2 = $NF = ""; gsub(/^ +| +$/, ""); print $0 " " c }' "$TMP/out" |
		sort > "$TMP/got"
	diff -u "$TMP/want" "$TMP/got"
}

@test "cold strings with --stack: the plain programs load, one warning says such strings read as unreadable, and the filter counts none" {
	cold_run 2 --count --stack --filter 'str(arg0) == "spans two pages of .rodata untouched"'
	want_strings 2 > /dev/null
	[[ $(grep -c '^uscope: warning: with --stack, strings in pages the target has not touched yet read as unreadable$' "$TMP/err") -eq 1 ]]
	! grep -q '^cold_take ' "$TMP/out"
	grep -q '^Summary: 0 hits' "$TMP/err"
}
