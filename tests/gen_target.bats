#!/usr/bin/env bats
# scripts/gen-target.sh: the benchmark's generated targets, checked with nm and
# objdump (independent of uscope).

ROOT="$(cd "$(dirname "${BATS_TEST_FILENAME}")/.." && pwd)"
GEN="$ROOT/scripts/gen-target.sh"

setup() {
	TMP=$(mktemp -d)
}

teardown() {
	[[ -n ${WPID:-} ]] && kill -KILL "$WPID" 2>/dev/null
	rm -rf "$TMP"
}

@test "N=7: f_0..f_6 are global functions, distinct, each starting with push %rbp" {
	run "$GEN" 7 "$TMP"
	[ "$status" -eq 0 ]
	[ "$output" = "$TMP/target-7" ]
	[ -x "$TMP/target-7" ]
	# exactly f_0 .. f_6, global text symbols
	[ "$(nm "$TMP/target-7" | awk '$2 == "T" && $3 ~ /^f_/ { print $3 }' | sort -V | tr '\n' ' ')" = "f_0 f_1 f_2 f_3 f_4 f_5 f_6 " ]
	# distinct addresses: nothing merged
	[ "$(nm "$TMP/target-7" | awk '$3 ~ /^f_[0-9]+$/ { print $1 }' | sort -u | wc -l)" -eq 7 ]
	# the first instruction of every f_i is push %rbp
	[ "$(objdump -d --no-show-raw-insn "$TMP/target-7" | awk '/^[0-9a-f]+ <f_[0-9]+>:$/ { getline; print $2, $3 }' | sort -u)" = "push %rbp" ]
	# and no source or object files are left behind
	[ "$(ls -A "$TMP")" = "target-7" ]
}

@test "loop and all print ns_per_call; a bad mode is a usage error" {
	"$GEN" 5 "$TMP" >/dev/null
	run "$TMP/target-5" loop 1000
	[ "$status" -eq 0 ]
	[[ "$output" =~ ^ns_per_call\ [0-9]+\.[0-9]+$ ]]
	run "$TMP/target-5" all 10
	[ "$status" -eq 0 ]
	[[ "$output" =~ ^ns_per_call\ [0-9]+\.[0-9]+$ ]]
	run "$TMP/target-5" nonsense
	[ "$status" -eq 2 ]
}

@test "wait sleeps until SIGTERM and then exits 0" {
	"$GEN" 3 "$TMP" >/dev/null
	"$TMP/target-3" wait &
	WPID=$!
	sleep 0.3
	kill -0 "$WPID"
	kill -TERM "$WPID"
	wait "$WPID"
}

@test "an up-to-date target is reused; GEN_FORCE=1 rebuilds it" {
	"$GEN" 4 "$TMP" >/dev/null
	touch -d '@2000000000' "$TMP/target-4"   # newer than the script
	"$GEN" 4 "$TMP" >/dev/null
	[ "$(stat -c %Y "$TMP/target-4")" -eq 2000000000 ]
	GEN_FORCE=1 "$GEN" 4 "$TMP" >/dev/null
	[ "$(stat -c %Y "$TMP/target-4")" -ne 2000000000 ]
}

@test "bad arguments are refused" {
	run "$GEN" 0 "$TMP"
	[ "$status" -eq 2 ]
	run "$GEN" abc "$TMP"
	[ "$status" -eq 2 ]
	run "$GEN" 5
	[ "$status" -eq 2 ]
}
