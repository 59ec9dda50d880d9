#!/usr/bin/env bats
# The ELF/USDT parsers in helpers/ against their fuzzing seeds: every input of
# tests/fuzz/corpus/ (hand-made edge cases and regress-* inputs of crashes
# already fixed) and the generated seed ELF files, each run once through its
# libFuzzer harness (ASan, UBSan, leak and fd-leak checks, invariants). No
# fuzzing here: that is `make fuzz` / `make fuzz-ci`.

load lib

@test "fuzz harnesses: every seed and regression input passes (make fuzz-regress)" {
	run make -s -C "$ROOT" -f tests/fuzz/fuzz.mk fuzz-regress
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(grep -c '^fuzz-regress: .* ok' <<< "$output")" -eq 3 ]
}
