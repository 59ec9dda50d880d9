#!/usr/bin/env bash
# Runs every bats suite under tests/ and ends with the line "N passed, N failed"
# (skipped tests are counted separately), exiting non-zero if anything failed
# or if bats itself could not run.
set -uo pipefail
cd "$(dirname "$0")/.."

if [[ $(id -u) -ne 0 ]]; then
	echo "run-tests: the suite attaches real uprobes and must run as root" >&2
fi

tap=$(mktemp)
trap 'rm -f "$tap"' EXIT
if (($#)); then
	suites=("$@")
elif [[ "${SANITIZE:-}" == 1 ]]; then
	# The helpers' unit and fuzz-regression suites build their own ASan+UBSan
	# binaries already; the sanitized run is about uscope itself.
	mapfile -t suites < <(ls tests/*.bats | grep -v -e unit_helpers.bats -e fuzz.bats)
	export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:exitcode=99
	export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1:exitcode=98
else
	suites=(tests)
fi
bats --tap -r "${suites[@]}" | tee "$tap"
bats_status=${PIPESTATUS[0]}

passed=$(grep -cE '^ok [0-9]+ ' "$tap" | tr -d ' ')
skipped=$(grep -cE '^ok [0-9]+ .*# skip' "$tap" | tr -d ' ')
failed=$(grep -cE '^not ok [0-9]+ ' "$tap" | tr -d ' ')
passed=$((passed - skipped))
total=$(sed -nE 's/^1\.\.([0-9]+)$/\1/p' "$tap" | head -n1)

if [[ $bats_status -ne 0 && $failed -eq 0 ]]; then
	# bats failed without a failing test: a suite did not even load.
	echo "run-tests: bats exited $bats_status without a failing test (a suite failed to load?)" >&2
	failed=$(( ${total:-0} > passed + skipped ? ${total:-0} - passed - skipped : 1 ))
fi
if ((skipped)); then
	echo "$passed passed, $failed failed, $skipped skipped"
else
	echo "$passed passed, $failed failed"
fi
((failed == 0 && passed > 0))
