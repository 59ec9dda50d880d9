#!/usr/bin/env bats
# SPDX-License-Identifier: BSD-2-Clause
#
# Unit tests of the plain-C ELF helpers (helpers/elf_*.c, usdt_*.c): builds
# tests/unit/ programs against them, runs the C unit tests (also under
# ASan+UBSan), compares elfdump with readelf on real binaries, and feeds the
# helpers truncated and corrupted ELF files. Needs no BPF and no root.

setup_file() {
	export ROOT="$BATS_TEST_DIRNAME/.."
	export B="$BATS_FILE_TMPDIR"
	# The readelf oracle reads each file's own tables: no debug files here
	# (tests/names.bats covers those).
	export USCOPE_DEBUG_ROOT="$B/no-debug-root"
	unset DEBUGINFOD_URLS
	local h="$ROOT/helpers" u="$ROOT/tests/unit"
	local src="$h/elf_file.c $h/elf_funcs.c $h/usdt_args.c $h/usdt_notes.c $h/usdt_syms.c"
	src+=" $h/debug_find.c $h/demangle.c $h/minidebuginfo.c"
	local LIBS="-lelf -ldw -llzma -liberty -lz -ldl"
	local flags="-g -Wall -Wextra -Werror -std=gnu11 -I$h"

	# shellcheck disable=SC2086
	gcc -O2 $flags "$u/test_helpers.c" $src $LIBS -o "$B/test_helpers"
	# shellcheck disable=SC2086
	gcc -O2 $flags "$u/elfdump.c" $src $LIBS -o "$B/elfdump"

	export CLANG="${CLANG:-$(command -v clang || command -v clang-14 || true)}"
	if [[ -n "$CLANG" ]]; then
		local san="-O1 -fsanitize=address,undefined -fno-sanitize-recover=all"
		# shellcheck disable=SC2086
		"$CLANG" $san $flags "$u/test_helpers.c" $src $LIBS -o "$B/test_helpers.asan"
		# shellcheck disable=SC2086
		"$CLANG" $san $flags "$u/elfdump.c" $src $LIBS -o "$B/elfdump.asan"
	fi

	local fix="$u/sdt_fixture.c $u/sdt_fixture_sema.c"
	# shellcheck disable=SC2086
	gcc -O2 -g -fPIE -pie $fix -o "$B/fix_pie"
	# shellcheck disable=SC2086
	gcc -O2 -g -fno-pie -no-pie $fix -o "$B/fix_nopie"
	# shellcheck disable=SC2086
	gcc -O2 -g -fPIC -shared $fix -o "$B/fix.so"
	mkdir -p "$B/work"
}

LIBDIR=/usr/lib/x86_64-linux-gnu

@test "helpers: C unit tests pass" {
	run "$B/test_helpers" "$B/fix_pie" "$B/fix_nopie" "$B/work"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *" 0 failures"* ]]
}

@test "helpers: C unit tests pass under ASan and UBSan" {
	[[ -x "$B/test_helpers.asan" ]] || skip "no clang"
	run "$B/test_helpers.asan" "$B/fix_pie" "$B/fix_nopie" "$B/work"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *" 0 failures"* ]]
}

compare_with_readelf() {
	local f=$1 what
	for what in funcs usdt; do
		"$ROOT/tests/unit/readelf_oracle.py" "$what" "$f" > "$B/want" || return 1
		# The oracle does not parse arguments nor count skipped notes.
		"$B/elfdump" "$what" "$f" |
			sed -E "s/^(# usdt [0-9]+).*/\1/; s/^([^#].*') (err|[0-9]).*/\1/" > "$B/got"
		diff -u "$B/want" "$B/got" > "$B/diff" ||
			{ echo "MISMATCH $what $f"; head -40 "$B/diff"; return 1; }
	done
}

@test "helpers: elfdump agrees with readelf (fixtures, ls, libc, libstdc++)" {
	command -v python3 >/dev/null || skip "no python3"
	local f
	for f in "$B/fix_pie" "$B/fix_nopie" "$B/fix.so" /bin/ls "$LIBDIR/libc.so.6" \
		"$LIBDIR/libstdc++.so.6"; do
		[[ -e "$f" ]] || continue
		compare_with_readelf "$f"
	done
}

@test "helpers: fixture notes carry a semaphore and parsed arguments" {
	run "$B/elfdump" usdt "$B/fix_nopie"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "# usdt 6 has_section 1 skipped 0" ]]
	[[ "$output" == *"fixture consts "*"2 [-4 const 42] [-4 const -7]"* ]]
	# provider name pc base sema offset sema_offset ...: both semaphore fields set
	local g
	g=$(grep '^fixture guarded ' <<< "$output")
	[[ -n "$g" ]]
	[ "$(awk '{ print ($5 != "0x0" && $7 != "0x0") }' <<< "$g")" = 1 ]
	# every other probe has none
	[ "$(grep -v '^#' <<< "$output" | grep -v '^fixture guarded ' | awk '$5 != "0x0" || $7 != "0x0"' | wc -l)" -eq 0 ]
}

@test "helpers: truncated binaries are errors, never partial lists" {
	local f n
	for f in /bin/ls "$LIBDIR/libc.so.6" "$B/fix_nopie"; do
		[[ -e "$f" ]] || continue
		for n in 0 1 16 63 64 65 500 3000 20000 $(( $(stat -c %s "$f") - 1 )); do
			head -c "$n" "$f" > "$B/cut"
			run "$B/elfdump" all "$B/cut"
			[ "$status" -eq 0 ]
			[ "$(grep -c '^error: ' <<< "$output")" -eq 2 ] ||
				{ echo "$f cut at $n: $output"; return 1; }
			if (( n < 64 )); then
				[[ "$output" == *"not an ELF file"* ]]
			else
				[[ "$output" == *"malformed or truncated ELF file"* ]]
			fi
		done
	done
}

@test "helpers: errors for missing files, directories and devices" {
	run "$B/elfdump" funcs /nonexistent
	[[ "$output" == "error: -2 no such file or directory" ]]
	run "$B/elfdump" usdt /tmp
	[[ "$output" == "error: -21 is a directory" ]]
	run "$B/elfdump" funcs /dev/null
	[[ "$output" == "error: -22 not a regular file" ]]
	run "$B/elfdump" funcs "$ROOT/tests/unit_helpers.bats"
	[[ "$output" == "error: -8 not an ELF file" ]]
}

@test "helpers: 300 corrupted binaries under ASan and UBSan, no crash" {
	[[ -x "$B/elfdump.asan" ]] || skip "no clang"
	command -v python3 >/dev/null || skip "no python3"
	local files=("$B/fix_pie" "$B/fix_nopie" "$B/fix.so" /bin/ls)
	[[ -e "$LIBDIR/libstdc++.so.6" ]] && files+=("$LIBDIR/libstdc++.so.6")
	run "$ROOT/tests/unit/fuzz_elf.py" "$B/elfdump.asan" "$B/fuzz" 300 "${FUZZ_SEED:-1}" "${files[@]}"
	echo "$output" | tail -40
	[ "$status" -eq 0 ]
}
