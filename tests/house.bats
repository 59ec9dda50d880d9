#!/usr/bin/env bats
# Issue 9's defects, each against an independent oracle: hsite's own prints
# (tests/targets/house/hsite.c), umark's own counts, readelf; plus the CLI
# surface (man page, completion, make install).
load lib

HSITE="$BUILD_DIR/house/hsite"

# private_hsite: a copy of hsite in $TMP, so that pgrep finds only ours.
private_hsite() {
	mkdir -p "$TMP/bin"
	cp "$HSITE" "$TMP/bin/hsite"
	PHSITE=$TMP/bin/hsite
}

# trace_hsite "HSITE-ARGS" TRACE-ARGS...: hsite's stdout in $TMP/h.out (the oracle).
trace_hsite() {
	local hargs=$1
	shift
	st=0
	"$USCOPE" trace -x "$HSITE" -c "sh -c 'exec $HSITE $hargs > $TMP/h.out'" "$@" > "$TMP/out" 2> "$TMP/err" || st=$?
}

# --- 1. --str ---------------------------------------------------------------

@test "--str 4 --str 5: the 5th and 6th arguments as strings, NULL shown <unreadable> (text) and null (JSON)" {
	trace_hsite "run 2" --str 4 --str 5 str_args
	[[ $st -eq 0 ]]
	grep -c '^str_args(0, 1, 2, 3, "four", NULL)' "$TMP/h.out" | grep -qx 2
	[[ $(grep -c 'str_args(.*) arg4="four" arg5=<unreadable>$' "$TMP/out") -eq 2 ]]
	trace_hsite "run 2" --str 4 --str 5 --json str_args
	[[ $(jq -c 'select(.kind == "entry" and .count == null) | [.str, .strs["4"], .strs["5"]]' "$TMP/out" | sort -u) == '["four","four",null]' ]]
}

@test "--str 6 --str 7 on a USDT probe reads the 7th and 8th arguments (not 2 and 3)" {
	trace_hsite "run 1" --str 6 --str 7 --json 'usdt:house:strs'
	[[ $st -eq 0 ]]
	grep -qx 'house:strs six seven' "$TMP/h.out"
	[[ $(jq -c 'select(.kind == "usdt" and .count == null) | [.strs["6"], .strs["7"]]' "$TMP/out") == '["six","seven"]' ]]
}

@test "--str: more than 4, or an index over 11, is a usage error (exit 2)" {
	expect_failure 2 "--str" "$USCOPE" trace -x "$HSITE" --str 0 --str 1 --str 2 --str 3 --str 4 str_args
	expect_failure 2 "--str" "$USCOPE" trace -x "$HSITE" --str 12 str_args
}

# --- 2. USDT signedness per location -------------------------------------------

@test "house:sign is 4@ at one location and -4@ at the other (readelf); each prints as hsite passed it, on every path" {
	readelf -nW "$HSITE" | grep -A3 'Name: sign' | sed -n 's/^ *Arguments: //p' | sed 's/@.*//' | sort > "$TMP/specs"
	printf '%s\n' -4 4 | diff -u - "$TMP/specs"
	for mode in multi perf nocookie; do
		# No sh in between: nocookie stops the child at its first exec. hsite's
		# lines and uscope's JSON share stdout; JSON lines start with '{'.
		"$USCOPE" trace -c "$HSITE run 1" --attach "$mode" --json 'usdt:house:sign' > "$TMP/both" 2> "$TMP/err"
		sed -n 's/^house:sign //p' "$TMP/both" > "$TMP/want"
		printf '%s\n' 4294967291 -5 | diff -u - "$TMP/want"
		grep '^{' "$TMP/both" | jq -r 'select(.kind == "usdt" and .count == null) | .args[0]' | diff -u "$TMP/want" -
	done
}

# --- 3. -i --latency deltas ------------------------------------------------------

@test "-i --latency prints per-interval histograms (they add up to at most the total), then the total = umark's count" {
	"$USCOPE" trace -c "$UMARK -n 30 -i 100 -q" --latency -i 1 --json umark_recurse > "$TMP/out" 2> "$TMP/err"
	want=$(umark_calls "$TMP/err" umark_recurse)
	[[ $want -gt 0 ]]
	# Records before {"totals": true} are intervals, the one after it the total.
	jq -s -r '(map(.totals) | index(true)) as $t | [.[:$t][] | select(.kind == "latency") | .count] | length, add' "$TMP/out" > "$TMP/iv"
	nint=$(sed -n 1p "$TMP/iv"); isum=$(sed -n 2p "$TMP/iv")
	total=$(jq -s -r '(map(.totals) | index(true)) as $t | .[$t:][] | select(.kind == "latency") | .count' "$TMP/out")
	echo "intervals $nint sum $isum total $total umark $want"
	[[ $nint -ge 2 && $total -eq $want && $isum -le $total && $isum -gt 0 ]]
	# Every histogram is consistent: its buckets add up to its count.
	[[ -z $(jq 'select(.kind == "latency") | ([.buckets[].count] | add) == .count' "$TMP/out" | grep -v true) ]]
}

# --- 4. stopping at one instant ---------------------------------------------------

@test "a live -p session stopped by -d: at most 1 entry of a function that always returns lacks its return (multi, perf)" {
	start_umark -i 0 -q
	for mode in multi perf; do
		"$USCOPE" trace -p "$UMARK_PID" --attach "$mode" --count --json -d 1 func_uprobe1 ret:func_uprobe1 > "$TMP/out" 2> "$TMP/err"
		e=$(json_count "$TMP/out" func_uprobe1 entry)
		r=$(json_count "$TMP/out" func_uprobe1 return)
		echo "$mode: entries $e returns $r"
		# Teardown: at most the one call in flight when counting stopped has an
		# entry without its return. (Returns are attached before entries, so
		# calls started in between have a return without an entry: r may exceed e.)
		[[ $e -gt 1000 && $(( e - r )) -le 1 ]]
	done
	grep -q 'volatile __u32 stopped' "$ROOT/probes/uscope.bpf.c"
}

# --- 5, 6. errors that print nothing, or the wrong thing ------------------------------

@test "-x ./missing --offset: one line naming the file, exit 1" {
	cd "$TMP"
	expect_failure 1 "./missing" "$USCOPE" trace -x ./missing --offset 0x1000
}

@test "a USDT probe whose only argument is %rip-relative (a symbol) is traced and read (issue 10 section 4)" {
	# readelf: house:riponly's only argument is %rip-relative; hsite passes house_global, always 7.
	readelf -nW "$HSITE" | grep -A3 'Name: riponly' | grep -q 'Arguments: .*house_global(%rip)'
	trace_hsite "run 3" --json 'usdt:house:riponly'
	cat "$TMP/err"
	[[ $st -eq 0 ]]
	! grep -q 'skipping USDT probe\|unreadable' "$TMP/err"
	[[ $(grep -c '"probe": "house:riponly", "kind": "usdt", "args": \[7\]}' "$TMP/out") -eq 3 ]]
}

# --- 7. the JSON summary record ---------------------------------------------------------

@test "--json ends with one summary record with exactly hits, events, lost, unpaired, probes" {
	trace_hsite "run 3" --json str_args
	[[ $st -eq 0 ]]
	n=$(grep -c '^str_args(' "$TMP/h.out")
	[[ $n -eq 3 ]]
	[[ $(jq -c 'select(.summary != null)' "$TMP/out" | wc -l) -eq 1 ]]
	tail -n1 "$TMP/out" | jq -e --argjson n "$n" '. == {"summary": true, "hits": $n, "events": $n, "lost": 0, "unpaired": 0, "probes": 1}'
	"$USCOPE" trace -c "$UMARK -n 4 -i 0 -q" --latency --json umark_recurse > "$TMP/out" 2> "$TMP/err"
	want=$(umark_calls "$TMP/err" umark_recurse)
	tail -n1 "$TMP/out" | jq -e --argjson n "$want" '.summary == true and .hits == 2 * $n and .unpaired == 0 and .probes == 2 and .lost == 0'
}

# --- 8. the -c child's fate ----------------------------------------------------------------

@test "-c child killed by SIGSEGV: counts printed, then 'child PID killed by SIGSEGV', exit 139" {
	trace_hsite "segv" --count --json str_args
	cat "$TMP/err"
	[[ $st -eq 139 ]]
	[[ $(json_count "$TMP/out" str_args entry) -eq 1 ]]
	grep -Eq '^uscope: child [0-9]+ killed by SIGSEGV$' "$TMP/err"
}

@test "-c child exiting 3: 'child PID exited with status 3', exit 3; exit 0 stays 0 and silent" {
	trace_hsite "exit 3" --count str_args
	[[ $st -eq 3 ]]
	grep -Eq '^uscope: child [0-9]+ exited with status 3$' "$TMP/err"
	trace_hsite "exit 0" --count str_args
	[[ $st -eq 0 ]]
	! grep -q 'child' "$TMP/err"
}

@test "uscope stopping first (-d, SIGTERM) ends the -c child, even one ignoring SIGTERM; exit 0" {
	private_hsite
	run "$USCOPE" trace -c "$PHSITE wait" -d 0.5 --count str_args
	[[ $status -eq 0 ]]
	! pgrep -f "$PHSITE" > /dev/null
	run "$USCOPE" trace -c "$PHSITE ignore-term" -d 0.5 --count str_args
	[[ $status -eq 0 ]]
	! pgrep -f "$PHSITE" > /dev/null
	start_uscope trace -c "$PHSITE wait" --count str_args
	kill -TERM "$USCOPE_PID"
	finish_uscope
	! pgrep -f "$PHSITE" > /dev/null
}

# --- -v ------------------------------------------------------------------------------------

@test "-v shows libbpf's debug output and the verifier log on stderr; stdout unchanged" {
	trace_hsite "run 1" -v --count --json str_args
	[[ $st -eq 0 ]]
	grep -q '^libbpf: ' "$TMP/err"
	grep -q 'processed [0-9]* insns' "$TMP/err"
	! grep -q 'libbpf: libbpf:' "$TMP/err"
	[[ $(json_count "$TMP/out" str_args entry) -eq 1 ]]
	trace_hsite "run 1" --count str_args
	! grep -q '^libbpf: ' "$TMP/err"
}

@test "--attach perf with only CAP_BPF+CAP_PERFMON: one line saying perf-event uprobes need CAP_SYS_ADMIN, exit 1" {
	private_hsite
	cp "$USCOPE" "$TMP/bin/uscope"
	chmod 755 "$TMP" "$TMP/bin"
	caps=+bpf,+perfmon
	setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=$caps --ambient-caps=$caps true 2>/dev/null ||
		skip "setpriv cannot grant CAP_BPF/CAP_PERFMON here"
	expect_failure 1 "CAP_SYS_ADMIN" setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=$caps \
		--ambient-caps=$caps "$TMP/bin/uscope" trace --attach perf -c "$PHSITE run 1" str_args
	! grep -q 'libbpf: libbpf:' "$TMP/stderr"
	# uprobe_multi needs no more than those two.
	run setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=$caps --ambient-caps=$caps \
		"$TMP/bin/uscope" trace --attach multi --count -c "$PHSITE run 2" str_args
	[[ $status -eq 0 && "$output" == *"Summary: 2 hits"* ]]
}

# --- the CLI surface ------------------------------------------------------------------------

@test "every option uscope trace --help, funcs --help and usdt --help show appears in the man page" {
	man=$(sed 's/\\-/-/g; s/\\f[BIRP]//g' "$ROOT/docs/uscope.1")
	opts=$( { "$USCOPE" trace --help; "$USCOPE" funcs --help; "$USCOPE" usdt --help; "$USCOPE" --help; } |
		grep -oE '(^|[ [,])--?[a-z][a-z-]*' | sed 's/^[ [,]//' | sort -u)
	[[ $(wc -l <<< "$opts") -ge 20 ]]
	for o in $opts; do
		grep -qF -- "$o" <<< "$man" || { echo "man page lacks $o"; false; }
	done
	for c in funcs usdt trace; do grep -q "^\.B $c" "$ROOT/docs/uscope.1"; done
}

@test "bash completion: commands, trace options, --attach modes, and function names of the -x binary (= uscope funcs)" {
	source "$ROOT/completion/uscope.bash"
	comp() { COMP_WORDS=("$@"); COMP_CWORD=$(( $# - 1 )); COMPREPLY=(); _uscope; printf '%s\n' "${COMPREPLY[@]}" | sort; }
	[[ "$(comp "$USCOPE" "")" == "$(printf '%s\n' --help --version funcs trace usdt | sort)" ]]
	comp "$USCOPE" trace --att | grep -qx -- --attach
	[[ "$(comp "$USCOPE" trace --attach "")" == "$(printf '%s\n' auto multi nocookie perf)" ]]
	# Every option trace --help shows is offered.
	# (the options column of the help: lines starting with "  -", their first 24 characters)
	for o in $("$USCOPE" trace --help | grep -E '^  +-' | cut -c1-24 | grep -oE -- '--?[a-z][a-z-]*' | sort -u); do
		comp "$USCOPE" trace - | grep -qx -- "$o" || { echo "completion lacks $o"; false; }
	done
	# Function names: readelf's FUNC symbols named func_*.
	readelf -sW "$UMARK" | awk '$4 == "FUNC" && $8 ~ /^func_/ { print $8 }' | sort -u > "$TMP/want"
	comp "$USCOPE" trace -x "$UMARK" func_ | diff -u "$TMP/want" -
	comp "$USCOPE" trace -x "$UMARK" ret:func_ | sed 's/^ret://' | diff -u "$TMP/want" -
}

@test "make install puts the man page and the completion under PREFIX in DESTDIR" {
	make -s -C "$ROOT" install DESTDIR="$TMP/dest" PREFIX=/opt/u BUILD="$BUILD_DIR" > /dev/null
	[[ -x "$TMP/dest/opt/u/bin/uscope" ]]
	cmp "$ROOT/docs/uscope.1" "$TMP/dest/opt/u/share/man/man1/uscope.1"
	cmp "$ROOT/completion/uscope.bash" "$TMP/dest/opt/u/share/bash-completion/completions/uscope"
	man -l "$TMP/dest/opt/u/share/man/man1/uscope.1" 2>&1 | grep -q 'uscope - user-space probing'
}
