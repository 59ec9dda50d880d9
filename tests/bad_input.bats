#!/usr/bin/env bats
# Bad input: uscope must fail with the documented exit status (1 for errors,
# 2 for usage errors), one "uscope: ..." line on stderr naming the culprit,
# nothing on stdout, and no uscope program or link left in the kernel.

load lib

# fails STATUS CULPRIT CMD...: see expect_failure in lib.bash.
fails() { expect_failure "$@"; }

# bad_elf FILE CULPRIT...: trace -x, BINARY:GLOB, funcs and usdt all reject FILE.
bad_elf() {
	local f=$1
	shift
	fails 1 "$f" "$USCOPE" trace -x "$f" func_uprobe1
	for w in "$@"; do grep -qiF -- "$w" "$TMP/stderr" || { echo "stderr does not say '$w'"; return 1; }; done
	fails 1 "$f" "$USCOPE" trace -c "$UMARK -n 1 -i 0 -q" "$f:func_uprobe1"
	fails 1 "$f" "$USCOPE" funcs "$f"
	fails 1 "$f" "$USCOPE" usdt "$f"
}

@test "nonexistent binary: exit 1, names the path" {
	bad_elf "$TMP/no/such/file" "no such file"
}

@test "a directory as binary: exit 1, names it" {
	mkdir "$TMP/adir"
	bad_elf "$TMP/adir" "directory"
}

@test "a non-ELF file: exit 1, names it" {
	printf '#!/bin/sh\necho hello\n' > "$TMP/script"
	chmod +x "$TMP/script"
	bad_elf "$TMP/script" "ELF"
}

@test "a truncated ELF (first 2000 bytes of umark): exit 1, names it" {
	head -c 2000 "$UMARK" > "$TMP/truncated"
	# Still starts like a valid x86-64 ELF: the failure must come from the cut.
	[[ "$(od -An -c -N4 "$TMP/truncated" | tr -d ' ')" == '177ELF' ]]
	bad_elf "$TMP/truncated"
}

@test "a 32-bit ELF (EI_CLASS patched to ELFCLASS32): exit 1, says 64-bit x86-64" {
	cp "$UMARK" "$TMP/elf32"
	printf '\001' | dd of="$TMP/elf32" bs=1 seek=4 conv=notrunc status=none
	readelf -h "$TMP/elf32" 2>/dev/null | grep -q 'Class: *ELF32'
	bad_elf "$TMP/elf32" "64-bit" "x86-64"
}

@test "an aarch64 ELF (e_machine patched to 0xb7): exit 1, says 64-bit x86-64" {
	cp "$UMARK" "$TMP/arm64"
	printf '\267\000' | dd of="$TMP/arm64" bs=1 seek=18 conv=notrunc status=none
	readelf -h "$TMP/arm64" | grep -q 'AArch64'
	bad_elf "$TMP/arm64" "64-bit" "x86-64"
}

@test "a function glob that matches nothing: exit 1, names the glob" {
	readelf -sW "$UMARK" | grep -q 'nosuch_fn' && false
	fails 1 'nosuch_fn*' "$USCOPE" trace -x "$UMARK" 'nosuch_fn*'
	fails 1 'nosuch_ret_fn' "$USCOPE" trace -x "$UMARK" func_uprobe1 'ret:nosuch_ret_fn'
}

@test "one bad glob among good ones fails the whole trace before attaching anything" {
	fails 1 'nosuch_fn' "$USCOPE" trace -c "$UMARK -n 1 -i 0 -q" func_uprobe1 'usdt:*:*' nosuch_fn
	! grep -q '^Attached' "$TMP/stderr"
}

@test "usdt:nosuch:probe: exit 1, names the probe" {
	readelf -nW "$UMARK" | grep -q 'Provider: nosuch' && false
	fails 1 'nosuch:probe' "$USCOPE" trace -x "$UMARK" usdt:nosuch:probe
}

@test "a PID that does not exist: exit 1, names the PID" {
	# A PID that just ended (and is not reused this fast).
	true &
	pid=$!
	wait "$pid"
	[[ ! -e /proc/$pid ]]
	fails 1 "$pid" "$USCOPE" trace -x "$UMARK" -p "$pid" func_uprobe1
	fails 1 "$pid" "$USCOPE" trace -p "$pid" func_uprobe1
	fails 1 "$pid" "$USCOPE" usdt -p "$pid"
}

@test "-p of a process whose executable lacks the function: exit 1, names the glob" {
	sleep 30 3>&- &
	BG_PIDS=$!
	fails 1 func_uprobe1 "$USCOPE" trace -p "$BG_PIDS" func_uprobe1
}

@test "bad durations -d abc, -d -1 and -d 0: usage error, exit 2" {
	fails 2 abc "$USCOPE" trace -x "$UMARK" -d abc func_uprobe1
	fails 2 -1 "$USCOPE" trace -x "$UMARK" -d -1 func_uprobe1
	fails 2 "'0'" "$USCOPE" trace -x "$UMARK" -d 0 func_uprobe1
}

@test "a non-numeric -p is a usage error: exit 2" {
	fails 2 abc "$USCOPE" trace -x "$UMARK" -p abc func_uprobe1
}

@test "bad --args, --ringbuf-size and --attach values: usage error, exit 2" {
	fails 2 7 "$USCOPE" trace -x "$UMARK" --args 7 func_uprobe1
	fails 2 1000 "$USCOPE" trace -x "$UMARK" --ringbuf-size 1000 func_uprobe1
	fails 2 bogus "$USCOPE" trace -x "$UMARK" --attach bogus func_uprobe1
}

@test "unknown option and unknown command: exit 2" {
	fails 2 --bogus "$USCOPE" trace -x "$UMARK" --bogus func_uprobe1
	fails 2 frob "$USCOPE" frob
	fails 2 --frobnicate "$USCOPE" funcs --frobnicate "$UMARK"
}

@test "no probe given, malformed probes, -p with -c: exit 2" {
	fails 2 probe "$USCOPE" trace -x "$UMARK"
	fails 2 usdt:onlyone "$USCOPE" trace -x "$UMARK" usdt:onlyone
	fails 2 "ret:" "$USCOPE" trace -x "$UMARK" ret:
	fails 2 -c "$USCOPE" trace -x "$UMARK" -p 1 -c "$UMARK -n 1" func_uprobe1
}

@test "-c with a command that does not exist: exit 1, names it" {
	fails 1 nosuchcommand_xyz "$USCOPE" trace -c nosuchcommand_xyz func_uprobe1
	fails 1 nosuchcommand_xyz "$USCOPE" trace -x "$UMARK" -c nosuchcommand_xyz func_uprobe1
}

@test "without privileges: exit 1, names CAP_BPF/CAP_PERFMON" {
	command -v setpriv > /dev/null || skip "setpriv not installed"
	st=0
	setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
		"$USCOPE" trace -x "$UMARK" func_uprobe1 > "$TMP/stdout" 2> "$TMP/stderr" < /dev/null || st=$?
	[[ $st -eq 1 ]]
	one_error_line "$TMP/stderr"
	grep -qE 'CAP_BPF|CAP_PERFMON' "$TMP/stderr"
	[[ ! -s "$TMP/stdout" ]]
	no_uscope_links
}
