#!/usr/bin/env bats
# --version and --help, checked against the source's version string and the
# documented command line.

load lib

@test "uscope --version exits 0 and prints the version the source defines" {
	want=$(sed -nE 's/^#define USCOPE_VERSION "(.*)"$/\1/p' "$ROOT/loader/util.h")
	[[ -n "$want" ]]
	run "$USCOPE" --version
	[[ $status -eq 0 ]]
	[[ "$output" =~ ^uscope\ ${want//./\\.}([^0-9]|$) ]]
}

@test "uscope --help exits 0 and names the funcs, usdt and trace commands" {
	run "$USCOPE" --help
	[[ $status -eq 0 ]]
	for c in funcs usdt trace; do
		grep -qE "^ +$c " <<< "$output" || { echo "no '$c' in help"; false; }
	done
}

@test "uscope trace --help exits 0 and documents every option and probe form" {
	run "$USCOPE" trace --help
	[[ $status -eq 0 ]]
	for o in -x -p -c -d --attach --count --json --args --hex --ringbuf-size ret:GLOB usdt:PROVIDER:NAME; do
		grep -qF -- "$o" <<< "$output" || { echo "trace --help does not mention $o"; false; }
	done
	# Help goes to stdout: the same text with stderr discarded.
	[[ "$("$USCOPE" trace --help 2>/dev/null)" == "$output" ]]
}

@test "uscope funcs --help and usdt --help exit 0 with their usage" {
	run "$USCOPE" funcs --help
	[[ $status -eq 0 && "$output" == *"uscope funcs"* ]]
	run "$USCOPE" usdt --help
	[[ $status -eq 0 && "$output" == *"uscope usdt"* ]]
}

@test "make install honours PREFIX and DESTDIR, and the installed binary runs alone (libbpf and the BPF object inside)" {
	make -s -C "$ROOT" install DESTDIR="$TMP/dest" PREFIX=/opt/uscope BUILD="$BUILD_DIR" > /dev/null
	bin="$TMP/dest/opt/uscope/bin/uscope"
	[[ -x "$bin" ]]
	! ldd "$bin" | grep -q libbpf
	"$bin" --version | grep -q '^uscope '
	# It attaches with nothing but itself: count func_uprobe1 against umark's summary.
	"$bin" trace --count --json -c "$UMARK -n 2 -i 0 -q" func_uprobe1 > "$TMP/out" 2> "$TMP/err"
	[[ $(json_count "$TMP/out" func_uprobe1 entry) -eq $(umark_calls "$TMP/err" func_uprobe1) ]]
}
