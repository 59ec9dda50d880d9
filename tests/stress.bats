#!/usr/bin/env bats
# Hardening: repeated attach/detach, signals at every stage, targets that go
# away mid-attach, raw offsets and non-regular files. Oracles: umark's own
# checksum (unchanged by tracing), /proc (fds), bpftool (nothing left behind).

load lib

# fds of a running uscope, sampled once it is attached
fd_count() { ls "/proc/$1/fd" 2>/dev/null | wc -l; }

# catches_sigint PID: PID has installed its SIGINT handler (bit 2 of SigCgt).
# Background jobs of a non-interactive shell start with SIGINT ignored, so a
# SIGINT sent before that moment would be lost, not handled.
catches_sigint() {
	local mask
	mask=$(awk '$1 == "SigCgt:" { print $2 }' "/proc/$1/status" 2>/dev/null) || return 1
	[[ -n "$mask" ]] && (( (16#$mask >> 1) & 1 ))
}

@test "100 attach/detach cycles on one running umark (all paths, counts and events): checksum intact, fds stable, nothing left" {
	start_umark -i 2 -q
	declare -A fds
	for ((i = 0; i < 100; i++)); do
		case $((i % 5)) in
		0) args=(--attach multi --count 'umark_op_*' func_uprobe1 'usdt:*:*') ;;
		1) args=(--attach multi --json 'umark_op_1*' ret:func_uprobe2 'usdt:groupe:*') ;;
		2) args=(--attach multi --latency 'func_uprobe*' umark_recurse) ;;
		3) args=(--attach perf --count func_uprobe1) ;;
		4) args=(--attach nocookie --json func_uprobe2) ;;
		esac
		start_uscope trace -p "$UMARK_PID" "${args[@]}"
		n=$(fd_count "$USCOPE_PID")
		kill -INT "$USCOPE_PID"
		mode=$((i % 5))
		if [[ -n "${fds[$mode]:-}" && $n -gt 0 ]]; then
			[[ $n -eq ${fds[$mode]} ]] || { echo "cycle $i: uscope had $n fds, earlier ${fds[$mode]}"; false; }
		fi
		[[ $n -gt 0 ]] && fds[$mode]=$n
		wait "$USCOPE_PID" || { echo "cycle $i (${args[*]}) failed:"; cat "$TMP/err"; false; }
		grep -q '^Summary:' "$TMP/err"
	done
	USCOPE_PID=
	kill -INT "$UMARK_PID"
	wait "$UMARK_PID"
	wait_no_uscope_links
	iters=$(awk '$2 == "iterations" { print $3 }' "$TMP/umark.err")
	sum=$(awk '$2 == "checksum" { print $3 }' "$TMP/umark.err")
	"$UMARK" -n "$iters" -i 0 -q 2> "$TMP/untraced.err"
	[[ "$sum" == "$(awk '$2 == "checksum" { print $3 }' "$TMP/untraced.err")" ]]
}

@test "SIGINT at any moment of start-up (resolving, attaching 50,000 functions, tracing) exits promptly, leaving nothing" {
	big=$("$ROOT/scripts/gen-target.sh" 50000 "$ROOT/build/bench")
	for delay in 0 0.01 0.03 0.06 0.1 0.2 0.4; do
		"$USCOPE" trace --count -x "$big" 'f_*' > "$TMP/out" 2> "$TMP/err" &
		USCOPE_PID=$!
		for _ in $(seq 100); do catches_sigint "$USCOPE_PID" && break; sleep 0.01; done
		sleep "$delay"
		kill -INT "$USCOPE_PID"
		t0=$(date +%s%N)
		wait_gone "$USCOPE_PID" 5
		wait "$USCOPE_PID" || { echo "delay $delay: exit $?"; cat "$TMP/err"; false; }
		ms=$(( ($(date +%s%N) - t0) / 1000000 ))
		[[ $ms -lt 3000 ]] || { echo "delay $delay: took $ms ms to stop"; false; }
		! grep -q 'uscope: ' "$TMP/err" || { cat "$TMP/err"; false; }
		wait_no_uscope_links
	done
	USCOPE_PID=
}

@test "SIGINT while draining a flood of events exits promptly and reports what was lost" {
	start_umark -i 0 -q
	start_uscope trace -p "$UMARK_PID" --json 'umark_op_*'
	sleep 0.5
	kill -INT "$USCOPE_PID"
	wait_gone "$USCOPE_PID" 3
	wait "$USCOPE_PID"
	USCOPE_PID=
	grep -qE '^Summary: [0-9]+ hits, [0-9]+ events printed, [0-9]+ lost' "$TMP/err"
	wait_no_uscope_links
}

@test "-d ends a trace on time even while events arrive faster than they print" {
	start_umark -i 0 -q
	t0=$(date +%s%N)
	timeout 10 "$USCOPE" trace -p "$UMARK_PID" -d 0.5 --json 'umark_op_*' > "$TMP/out" 2> "$TMP/err"
	ms=$(( ($(date +%s%N) - t0) / 1000000 ))
	[[ $ms -lt 3000 ]] || { echo "took $ms ms"; false; }
	# every event accounted for: printed + lost == hits counted in the kernel
	hits=$(summary_field "$TMP/err" hits) printed=$(summary_field "$TMP/err" events) lost=$(summary_field "$TMP/err" lost)
	[[ $((printed + lost)) -eq $hits && $hits -gt 0 ]]
	[[ $(grep -c '"time_ns"' "$TMP/out") -eq $printed ]]
}

@test "a target that exits while uscope attaches: a clear end, no hang, nothing left" {
	big=$("$ROOT/scripts/gen-target.sh" 50000 "$ROOT/build/bench")
	for delay in 0 0.005 0.02 0.05; do
		"$big" wait &
		target=$!
		"$USCOPE" trace --count -p "$target" 'f_*' > "$TMP/out" 2> "$TMP/err" &
		USCOPE_PID=$!
		sleep "$delay"
		kill -KILL "$target"
		wait "$target" 2>/dev/null || true
		wait_gone "$USCOPE_PID" 10
		status=0
		wait "$USCOPE_PID" || status=$?
		# Either it attached and then saw the exit (0), or it says the process is gone (1).
		if [[ $status -ne 0 ]]; then
			[[ $status -eq 1 ]] && grep -qE "process $target|PID $target" "$TMP/err" || { cat "$TMP/err"; false; }
		fi
		wait_no_uscope_links
	done
	USCOPE_PID=
}

@test "--offset: a function's start probed by raw offset counts like umark; outside code it is refused" {
	# PIE umark: its text segment has p_offset == p_vaddr (checked), so the file offset is st_value.
	hex=$(readelf -sW "$UMARK" | awk '$8 == "func_uprobe2" { print $2 }')
	readelf -lW "$UMARK" | awk '$1 == "LOAD" && $7 ~ /E/ { exit !($2 == $3) }'
	off=$((16#$hex))
	"$USCOPE" trace --count --json --offset "$off" -c "$UMARK -n 3 -i 0 -q" > "$TMP/out" 2> "$TMP/err"
	[[ $(json_count "$TMP/out" func_uprobe2 entry) -eq $(umark_calls "$TMP/err" func_uprobe2) ]]
	# The ELF header (offset 0x10) is in no executable segment of umark.
	run "$USCOPE" trace --count --offset 0x10 -x "$UMARK"
	[[ $status -eq 1 && "$output" == *"--offset 0x10 is not inside an executable segment"* ]]
	run "$USCOPE" trace --count --offset 0x7fffffff -x "$UMARK"
	[[ $status -eq 1 && "$output" == *"0x7fffffff"* ]]
	no_uscope_links
}

@test "non-regular files are refused with the reason (device, FIFO)" {
	run "$USCOPE" funcs /dev/null
	[[ $status -eq 1 && "$output" == *"/dev/null"*"not a regular file"* ]]
	mkfifo "$TMP/fifo"
	run timeout 5 "$USCOPE" trace -x "$TMP/fifo" func_uprobe1
	[[ $status -eq 1 && "$output" == *"fifo"*"not a regular file"* ]]
}
