#!/usr/bin/env bats
# No harm to the target, whatever kills uscope and whenever: SIGKILL during a
# 10,000-function attach or detach, SIGINT then SIGKILL mid-detach, kill -9 of
# uscope's process group, a crash (SIGSEGV, abort). Oracles independent of
# uscope: the target's text read through /proc/PID/mem compared byte for byte
# with its file (tests/tools/memscan.c), its USDT semaphore read from its
# memory at the file offset readelf gives, bpftool's program list, /proc, and
# the target's own timing of a round of its 10,000 calls.

load lib

VICTIM_BUILT="$BUILD_DIR/noharm/victim"
MEMSCAN="$BUILD_DIR/noharm/memscan"
PROBES=("f_*" "usdt:noharm:tick")

setup() {
	TMP=$(mktemp -d)
	# A private copy: a uprobe leaked by a failing run stays on that inode only.
	cp "$VICTIM_BUILT" "$TMP/victim"
	VICTIM=$TMP/victim
	: > "$TMP/victim.err"
	"$VICTIM" serve > "$TMP/victim.out" 2> "$TMP/victim.err" 3>&- &
	UMARK_PID=$!	# killed by kill_bg
	wait_for "$TMP/victim.err" '^victim: pid '
	SEMA_OFF=$(readelf_usdt "$VICTIM" | awk -F'\t' '$1 == "noharm" && $2 == "tick" { print $7 }')
	[[ "$SEMA_OFF" -gt 0 ]]
}

# round_ns: the victim's fastest of 20 back-to-back rounds of its 10,000 calls.
round_ns() {
	local n
	n=$(grep -c '^round_ns' "$TMP/victim.out")
	kill -USR1 "$UMARK_PID"
	wait_for "$TMP/victim.out" "^round_ns" 5 > /dev/null
	for ((i = 0; i < 50 && $(grep -c '^round_ns' "$TMP/victim.out") <= n; i++)); do sleep 0.1; done
	awk '$1 == "round_ns" { v = $2 } END { print v }' "$TMP/victim.out"
}

# unharmed: uscope's guardian is gone, no uscope program is loaded, the
# victim's text equals its file (not one int3 left), its semaphore is 0 and it
# still runs.
unharmed() {
	local scan sema
	wait_guardians
	scan=$("$MEMSCAN" int3 "$UMARK_PID" "$VICTIM")
	echo "$scan"
	[[ "$scan" == "int3 0 differing 0 "* ]]
	sema=$("$MEMSCAN" u16 "$UMARK_PID" "$VICTIM" "$SEMA_OFF")
	echo "semaphore $sema"
	[[ "$sema" == 0 ]]
	alive "$UMARK_PID"
}

# kill_at MS SIGNAL [OPTION...]: start a 10,000-probe trace of the victim and
# send SIGNAL MS milliseconds later; prints how far uscope had come, sets st_last.
kill_at() {
	local ms=$1 sig=$2 st=0
	shift 2
	"$USCOPE" trace -p "$UMARK_PID" --count -d 0.1 "$@" "${PROBES[@]}" > "$TMP/out" 2> "$TMP/err" 3>&- &
	USCOPE_PID=$!
	sleep "$(printf '0.%03d' "$ms")"
	kill "-$sig" "$USCOPE_PID" 2> /dev/null || true
	wait "$USCOPE_PID" || st=$?
	st_last=$st
	echo "$sig at $ms ms: exit $st, $(grep -c '^Attached' "$TMP/err") Attached line, $(grep -c '^Summary' "$TMP/err") Summary"
}

@test "the guardian: own session and process group, named uscope-guard, oom_score_adj -1000, gone with its uscope" {
	start_uscope trace -p "$UMARK_PID" --count "${PROBES[@]}"
	g=$(pgrep -P "$USCOPE_PID" -x uscope-guard)
	[[ -n "$g" ]]
	read -r usid upgid < <(ps -o sid=,pgid= -p "$USCOPE_PID")
	read -r gsid gpgid < <(ps -o sid=,pgid= -p "$g")
	echo "uscope sid $usid pgid $upgid; guardian sid $gsid pgid $gpgid"
	[[ "$gsid" == "$g" && "$gpgid" == "$g" && "$gsid" != "$usid" ]]
	# -1000 needs CAP_SYS_RESOURCE; where even root lacks it (some sandboxes), the value is left alone.
	if (echo -1 > /proc/self/oom_score_adj) 2> /dev/null; then
		[[ $(cat /proc/"$g"/oom_score_adj) == -1000 ]]
	else
		echo "no CAP_SYS_RESOURCE here: guardian oom_score_adj $(cat /proc/"$g"/oom_score_adj)"
	fi
	# It holds neither uscope's stdout nor its stderr (a reader must see EOF when uscope ends).
	[[ $(readlink /proc/"$g"/fd/1) == /dev/null ]]
	[[ $(readlink /proc/"$g"/fd/2) == socket:* ]]
	kill -INT "$USCOPE_PID"
	finish_uscope
	! alive "$g"
	unharmed
	no_uscope_links
}

@test "20 SIGKILLs at random moments 0-300 ms into a 10,000-function attach + detach leave the target as it was" {
	base=$(round_ns)
	for ((k = 0; k < 20; k++)); do
		kill_at $((RANDOM % 300)) KILL
		unharmed
	done
	no_uscope_links
	now=$(round_ns)
	echo "round of 10,000 calls: $base ns before, $now ns after"
	# A leaked uprobe makes each of its calls trap (about 5 us): 1% of them leaked would double a round.
	[[ "$now" -lt $((base * 10)) ]]
}

@test "SIGINT then SIGKILL 1-50 ms later (mid-detach) leaves the target as it was" {
	for ms in 1 5 10 20 35 50; do
		start_uscope trace -p "$UMARK_PID" --count "${PROBES[@]}"
		kill -INT "$USCOPE_PID"
		sleep "$(printf '0.%03d' "$ms")"
		kill -KILL "$USCOPE_PID" 2> /dev/null || true
		wait "$USCOPE_PID" || true
		unharmed
	done
	no_uscope_links
}

@test "kill -9 of uscope's whole process group, during and after the attach, leaves the target as it was" {
	for ms in 20 60 120 250; do
		# setsid: uscope leads its own group, as a shell job would.
		setsid "$USCOPE" trace -p "$UMARK_PID" --count -d 1 "${PROBES[@]}" > "$TMP/out" 2> "$TMP/err" 3>&- &
		USCOPE_PID=$!
		sleep "$(printf '0.%03d' "$ms")"
		pgid=$(ps -o pgid= -p "$USCOPE_PID" | tr -d ' ')
		[[ "$pgid" == "$USCOPE_PID" ]]
		kill -9 -- "-$pgid"
		wait "$USCOPE_PID" || true
		echo "group killed at $ms ms ($(grep -c '^Attached' "$TMP/err") Attached line)"
		unharmed
	done
	no_uscope_links
}

@test "uscope crashing (SIGSEGV, abort) while attaching, attached or detaching leaves the target as it was" {
	for crash in attach:segv attached:abort detach:segv detach:abort attach:abort; do
		st=0
		USCOPE_TEST_CRASH=$crash "$USCOPE" trace -p "$UMARK_PID" --count -d 0.1 "${PROBES[@]}" \
			> "$TMP/out" 2> "$TMP/err" 3>&- || st=$?
		echo "$crash: exit $st"
		# 128 + SIGSEGV (11) or SIGABRT (6): it really crashed.
		[[ $st -eq 139 || $st -eq 134 ]]
		unharmed
	done
	no_uscope_links
}

@test "-c: a command uscope never released does not run when uscope dies, on every attach path" {
	for how in "multi attached" "perf attached" "nocookie attached" "nocookie released"; do
		set -- $how
		rm -f "$TMP/ran"
		st=0
		USCOPE_TEST_CRASH=$2:kill "$USCOPE" trace --attach "$1" --count -x "$VICTIM" \
			-c "sh -c 'echo ran > $TMP/ran'" f_1 > "$TMP/out" 2> "$TMP/err" 3>&- || st=$?
		echo "$how: uscope exit $st"
		[[ $st -eq 137 ]]
		# Neither the forked child (still uscope's image) nor the command survives.
		for ((i = 0; i < 40 && $(pgrep -f -- "$TMP/ran" | wc -l) > 0; i++)); do sleep 0.05; done
		[[ -z "$(pgrep -f -- "$TMP/ran")" ]] || { ps -f -p "$(pgrep -d, -f -- "$TMP/ran")"; false; }
		[[ ! -e "$TMP/ran" ]]
	done
	no_uscope_links
}

@test "SIGINT at random moments of the attach stops it (the stop flag reaches the guardian): exit 0, target as it was" {
	for ((k = 0; k < 6; k++)); do
		kill_at $((RANDOM % 120)) INT
		[[ $st_last -eq 0 ]]
		unharmed
	done
	no_uscope_links
}

@test "perf-event path: SIGKILL during and after the attach leaves the target as it was (the guardian detaches slowly, alone)" {
	for ms in 30 90 200; do
		PROBES=("f_1?" "usdt:noharm:tick") kill_at "$ms" KILL --attach perf
		unharmed
	done
	no_uscope_links
}
