#!/usr/bin/env bats
# SPDX-License-Identifier: BSD-2-Clause
#
# Symbol sources and names: stripped binaries with their symbols in a debug
# file (by build ID, by .gnu_debuglink, from a real debuginfod server), libc
# with libc6-dbg, C++ and Rust demangling, globs on demangled names, and the
# one way binaries are named. Oracles: readelf on the unstripped build (names,
# addresses, offsets), the targets' own call counts (tests/targets/names/),
# c++filt and rustfilt.

load lib

N="$BUILD_DIR/names"
LIBC=/usr/lib/x86_64-linux-gnu/libc.so.6

# names_calls FILE NAME: how many calls the target says it made to NAME.
names_calls() { awk -v n="$2" '$1 == "names:" && $2 == "calls" && $3 == n { print $4 }' "$1"; }

# With -c the target's stdout and uscope's JSON share one file: the JSON lines of FILE.
json_of() { grep '^{' "$1"; }

# jcount FILE PROBE KIND: json_count on the JSON lines of FILE.
jcount() { json_count <(json_of "$1") "$2" "$3"; }

# sum_counts FILE KIND JQ-TEST: sum of the counts of probes whose name passes the jq test.
sum_counts() {
	json_of "$1" | jq -s --arg k "$2" "[.[] | select(.count != null and .kind == \$k and (.probe | $3)) | .count] | add // 0"
}

# build_id FILE: its NT_GNU_BUILD_ID in hex, as readelf prints it.
build_id() { readelf -n "$1" | awk '$1 == "Build" && $2 == "ID:" { print $3; exit }'; }

# funcs_with_source BINARY: uscope's listing as "name address size bind offset source".
funcs_with_source() {
	"$USCOPE" funcs --json "$1" |
		jq -r '"\(.name) \(.address) \(.size) \(.bind) \(.offset) \(.source)"' | sort -u
}

# readelf_full: readelf_funcs of the unstripped build with SOURCE appended.
readelf_full() { readelf_funcs "$N/split-full" | sed "s/\$/ $1/"; }

# A stripped copy with nothing next to it; its debug file only where a test puts it.
setup() {
	TMP=$(mktemp -d)
	mkdir -p "$TMP/bin" "$TMP/empty"
	cp "$N/split" "$TMP/bin/split"
	export USCOPE_DEBUG_ROOT="$TMP/empty"
	unset DEBUGINFOD_URLS
}

teardown() {
	[[ -n "${DFD_PID:-}" ]] && kill "$DFD_PID" 2> /dev/null && wait "$DFD_PID" 2> /dev/null
	kill_bg
	rm -rf "$TMP"
}

@test "names: a stripped binary's debug file found by build ID gives readelf's functions and offsets of the unstripped build" {
	local id
	id=$(build_id "$TMP/bin/split")
	[[ ${#id} -eq 40 ]]
	mkdir -p "$TMP/root/.build-id/${id:0:2}"
	cp "$N/split.debug" "$TMP/root/.build-id/${id:0:2}/${id:2}.debug"
	USCOPE_DEBUG_ROOT="$TMP/root" funcs_with_source "$TMP/bin/split" > "$TMP/got"
	readelf_full build-id > "$TMP/want"
	diff -u "$TMP/want" "$TMP/got"
	[[ $(grep -c '^s_[a-z]* .* local ' "$TMP/got") -eq 3 ]]
	# Without it: the stripped binary lists nothing it can name, and says why.
	"$USCOPE" funcs "$TMP/bin/split" > "$TMP/out" 2> "$TMP/err"
	! grep -q ' s_alpha$' "$TMP/out"
	grep -q "stripped and no debug file was found" "$TMP/err"
	grep -q "dbgsym" "$TMP/err"
	grep -q "DEBUGINFOD_URLS" "$TMP/err"
}

@test "names: a build-ID file whose own build ID differs is refused with a warning; trace says why nothing matches" {
	local id
	id=$(build_id "$TMP/bin/split")
	mkdir -p "$TMP/root/.build-id/${id:0:2}"
	cp "$N/cxx" "$TMP/root/.build-id/${id:0:2}/${id:2}.debug"
	USCOPE_DEBUG_ROOT="$TMP/root" "$USCOPE" funcs --json "$TMP/bin/split" > "$TMP/out" 2> "$TMP/err"
	cat "$TMP/err"
	grep -qF "uscope: warning: '$TMP/root/.build-id/${id:0:2}/${id:2}.debug': build ID differs" "$TMP/err"
	! jq -r .name "$TMP/out" | grep -q '^_ZN'
	expect_failure 1 "stripped and no debug file was found" "$USCOPE" trace --count -c "$TMP/bin/split 1" 's_*'
	grep -qF "no function matches 's_*'" "$TMP/stderr"
}

@test "names: libdwfl sessions (stacks) find the debug file through the same chain" {
	local h="$ROOT/helpers" id addr
	gcc -O1 -g -Wall -Wextra -I"$h" "$ROOT/tests/unit/dwfl_find.c" "$h/debug_find_dwfl.c" \
		"$h/debug_find.c" "$h/elf_file.c" "$h/elf_funcs.c" "$h/demangle.c" "$h/minidebuginfo.c" \
		-ldw -lelf -llzma -liberty -lz -ldl -o "$TMP/dwfl_find"
	id=$(build_id "$TMP/bin/split")
	mkdir -p "$TMP/root/.build-id/${id:0:2}"
	cp "$N/split.debug" "$TMP/root/.build-id/${id:0:2}/${id:2}.debug"
	addr=$(readelf -sW "$N/split-full" | awk '$8 == "s_gamma" { print "0x" $2 }')
	USCOPE_DEBUG_ROOT="$TMP/root" "$TMP/dwfl_find" "$TMP/bin/split" "$addr" > "$TMP/out"
	cat "$TMP/out"
	grep -qx "debugfile $TMP/root/.build-id/${id:0:2}/${id:2}.debug" "$TMP/out"
	grep -qx "name s_gamma" "$TMP/out"
}

@test "names: static functions known only from the debug file trace with the target's own counts" {
	local id f
	id=$(build_id "$TMP/bin/split")
	mkdir -p "$TMP/root/.build-id/${id:0:2}"
	cp "$N/split.debug" "$TMP/root/.build-id/${id:0:2}/${id:2}.debug"
	USCOPE_DEBUG_ROOT="$TMP/root" "$USCOPE" trace --count --json -c "$TMP/bin/split 37" 's_*' \
		> "$TMP/out" 2> "$TMP/err"
	cat "$TMP/err"
	for f in s_alpha s_beta s_gamma; do
		[[ -n "$(names_calls "$TMP/out" "$f")" ]]
		[[ $(jcount "$TMP/out" "$f" entry) -eq $(names_calls "$TMP/out" "$f") ]]
	done
	[[ $(names_calls "$TMP/out" s_gamma) -eq 111 ]]
}

@test "names: .gnu_debuglink is followed next to the binary, in .debug/ and under the debug root" {
	readelf_full debuglink > "$TMP/want"
	cp "$N/split.debug" "$TMP/bin/"
	funcs_with_source "$TMP/bin/split" > "$TMP/got"
	diff -u "$TMP/want" "$TMP/got"
	mkdir "$TMP/bin/.debug"
	mv "$TMP/bin/split.debug" "$TMP/bin/.debug/"
	funcs_with_source "$TMP/bin/split" > "$TMP/got"
	diff -u "$TMP/want" "$TMP/got"
	mkdir -p "$TMP/root$(realpath "$TMP/bin")"
	mv "$TMP/bin/.debug/split.debug" "$TMP/root$(realpath "$TMP/bin")/"
	USCOPE_DEBUG_ROOT="$TMP/root" funcs_with_source "$TMP/bin/split" > "$TMP/got"
	diff -u "$TMP/want" "$TMP/got"
}

@test "names: a debuglink file with the wrong CRC is refused with a warning" {
	cp "$N/split.debug" "$TMP/bin/"
	printf 'x' >> "$TMP/bin/split.debug"
	run "$USCOPE" funcs --json "$TMP/bin/split"
	[ "$status" -eq 0 ]
	"$USCOPE" funcs --json "$TMP/bin/split" > "$TMP/out" 2> "$TMP/err"
	cat "$TMP/err"
	grep -q "^uscope: warning: '$TMP/bin/split.debug': CRC 0x[0-9a-f]\{8\} does not match" "$TMP/err"
	! jq -r .name "$TMP/out" | grep -q '^s_'
	# A good copy under the root is still found after the bad one.
	mkdir -p "$TMP/root$(realpath "$TMP/bin")"
	cp "$N/split.debug" "$TMP/root$(realpath "$TMP/bin")/"
	USCOPE_DEBUG_ROOT="$TMP/root" "$USCOPE" funcs --json "$TMP/bin/split" > "$TMP/out" 2> "$TMP/err"
	grep -q "CRC" "$TMP/err"
	[[ $(jq -r 'select(.name | startswith("s_")) | .source' "$TMP/out" | sort -u) == debuglink ]]
}

@test "names: MiniDebugInfo (.gnu_debugdata, xz) gives the functions .dynsym lacks" {
	cp "$N/split-mini" "$TMP/bin/"
	readelf -SW "$TMP/bin/split-mini" | grep -q '\.gnu_debugdata'
	readelf_full minidebuginfo > "$TMP/want"
	funcs_with_source "$TMP/bin/split-mini" > "$TMP/got"
	diff -u "$TMP/want" "$TMP/got"
	"$USCOPE" trace --count --json -c "$TMP/bin/split-mini 6" 's_alpha' > "$TMP/out" 2> "$TMP/err"
	[[ $(jcount "$TMP/out" s_alpha entry) -eq 6 ]]
}

# start_debuginfod DIR: Debian's debuginfod serving DIR on 127.0.0.1:$DFD_PORT
# (DFD_PID); waits until it serves the build ID of $TMP/bin/split.
start_debuginfod() {
	local id i
	id=$(build_id "$TMP/bin/split")
	for i in 1 2 3 4 5; do
		DFD_PORT=$((20000 + RANDOM % 20000))
		debuginfod -F "$1" -p "$DFD_PORT" -d "$TMP/dfd.sqlite" -t 1 > "$TMP/dfd.log" 2>&1 &
		DFD_PID=$!
		for ((j = 0; j < 100; j++)); do
			curl -sf -o /dev/null "http://127.0.0.1:$DFD_PORT/buildid/$id/debuginfo" && return 0
			kill -0 "$DFD_PID" 2> /dev/null || break
			sleep 0.1
		done
		kill "$DFD_PID" 2> /dev/null; wait "$DFD_PID" 2> /dev/null; DFD_PID=
	done
	cat "$TMP/dfd.log"
	return 1
}

@test "names: debuginfod serves the debug file, and its cache answers once the server is gone" {
	command -v debuginfod > /dev/null || skip "debuginfod not installed"
	mkdir "$TMP/srv"
	cp "$N/split.debug" "$TMP/srv/"
	start_debuginfod "$TMP/srv"
	export DEBUGINFOD_URLS="http://127.0.0.1:$DFD_PORT" DEBUGINFOD_CACHE_PATH="$TMP/cache"
	readelf_full debuginfod > "$TMP/want"
	funcs_with_source "$TMP/bin/split" > "$TMP/got"
	diff -u "$TMP/want" "$TMP/got"
	kill "$DFD_PID"; wait "$DFD_PID" 2> /dev/null || true; DFD_PID=
	! curl -sf -o /dev/null "http://127.0.0.1:$DFD_PORT/metrics"
	funcs_with_source "$TMP/bin/split" > "$TMP/got"
	diff -u "$TMP/want" "$TMP/got"
	"$USCOPE" trace --count --json -c "$TMP/bin/split 5" 's_beta' > "$TMP/out" 2> "$TMP/err"
	[[ $(jcount "$TMP/out" s_beta entry) -eq 10 ]]
	# What it has not cached it cannot get: one warning naming the binary and the server.
	strip -o "$TMP/bin/cxx" "$N/cxx"
	"$USCOPE" funcs "$TMP/bin/cxx" > /dev/null 2> "$TMP/err"
	cat "$TMP/err"
	grep -qF "uscope: warning: '$TMP/bin/cxx': debuginfod ($DEBUGINFOD_URLS): " "$TMP/err"
	grep -qF "the DEBUGINFOD_URLS servers do not have it" "$TMP/err"
}

@test "names: libc with libc6-dbg lists at least every function readelf lists in its debug file" {
	local id dbg
	id=$(build_id "$LIBC")
	dbg=/usr/lib/debug/.build-id/${id:0:2}/${id:2}.debug
	[[ -r "$dbg" ]] || skip "libc6-dbg not installed"
	unset USCOPE_DEBUG_ROOT
	readelf -sW "$dbg" | awk '$1 ~ /^[0-9]+:$/ && ($4 == "FUNC" || $4 == "IFUNC") && $7 != "UND" &&
		$2 !~ /^0+$/ { print $8, $2 }' | sort -u > "$TMP/want"
	"$USCOPE" funcs --json "$LIBC" | jq -r '"\(.name) \(.address)"' |
		awk '{ printf "%s %016x\n", $1, $2 }' | sort -u > "$TMP/got"
	[[ $(wc -l < "$TMP/want") -gt 5000 ]]
	comm -23 "$TMP/want" "$TMP/got" > "$TMP/missing"
	[[ ! -s "$TMP/missing" ]] || { head "$TMP/missing"; false; }
	# The local IFUNC implementations, found only in the debug file.
	"$USCOPE" funcs --json "$LIBC" '__strlen_*' | jq -e -s 'length > 2 and all(.[]; .source == "build-id")'
	# .dynsym stays merged in: every exported function is still there.
	"$USCOPE" funcs --json "$LIBC" 'malloc' | jq -e -s 'length >= 1'
}

@test "names: C++ names are demangled as c++filt does; --no-demangle keeps raw names" {
	"$USCOPE" funcs --json "$N/cxx" > "$TMP/out"
	jq -r 'select(.demangled != null) | .name' "$TMP/out" > "$TMP/raw"
	jq -r 'select(.demangled != null) | .demangled' "$TMP/out" > "$TMP/ours"
	[[ $(wc -l < "$TMP/raw") -ge 10 ]]
	c++filt < "$TMP/raw" | diff -u - "$TMP/ours"
	# Every mangled function has its demangled name, and plain C names have none.
	[[ $(jq -r 'select(.demangled == null) | .name' "$TMP/out" | grep -c '^_Z') -eq 0 ]]
	jq -e -s 'any(.[]; .name == "main" and .demangled == null)' "$TMP/out"
	grep -qx 'ns::Widget::peek() const' "$TMP/ours"
	grep -qx 'long ns::twice<long>(long)' "$TMP/ours"
	"$USCOPE" funcs "$N/cxx" 'ns::*' | grep -q ' ns::work(char const\*, long)$'
	"$USCOPE" funcs --no-demangle "$N/cxx" '_ZN2ns*' > "$TMP/raw_text"
	grep -q ' _ZN2ns4workEi$' "$TMP/raw_text"
	! grep -q 'ns::' "$TMP/raw_text"
	"$USCOPE" funcs --json --no-demangle "$N/cxx" | jq -e -s 'all(.[]; .demangled == null)'
}

@test "names: 'ns::*' globs match demangled names without parameters, '(' the signature" {
	# Oracle for which functions: nm + c++filt -p (no parameters).
	nm "$N/cxx" | awk '$2 ~ /^[tTwW]$/ { print $3 }' | c++filt -p | grep '^ns::' | sort > "$TMP/want"
	"$USCOPE" funcs --json "$N/cxx" 'ns::*' | jq -r .name | c++filt -p | sort > "$TMP/got"
	diff -u "$TMP/want" "$TMP/got"
	[[ $(wc -l < "$TMP/got") -eq 10 ]]
	[[ $("$USCOPE" funcs --json "$N/cxx" 'ns::work*' | jq -s length) -eq 3 ]]
	[[ $("$USCOPE" funcs --json "$N/cxx" 'ns::work(int)' | jq -r .name) == _ZN2ns4workEi ]]
	[[ $("$USCOPE" funcs --json "$N/cxx" '*::work(int)' | jq -s length) -eq 2 ]]
	[[ $("$USCOPE" funcs --json "$N/cxx" 'ns::twice<*>' | jq -s length) -eq 3 ]]
}

@test "names: tracing 'ns::*' counts exactly what the C++ target counted, per group and in total" {
	"$USCOPE" trace --count --json -c "$N/cxx 13" 'ns::*' > "$TMP/out" 2> "$TMP/err"
	cat "$TMP/err"
	[[ $(json_of "$TMP/out" | jq -s '[.[] | select(.count != null)] | length') -eq 10 ]]
	[[ $(sum_counts "$TMP/out" entry 'startswith("ns::work(")') -eq $(names_calls "$TMP/out" ns::work) ]]
	[[ $(sum_counts "$TMP/out" entry 'contains("ns::Widget::")') -eq $(names_calls "$TMP/out" ns::Widget) ]]
	[[ $(sum_counts "$TMP/out" entry 'contains("ns::twice<")') -eq $(names_calls "$TMP/out" ns::twice) ]]
	[[ $(jcount "$TMP/out" 'ns::inner::deep(unsigned long)' entry) -eq 13 ]]
	[[ $(sum_counts "$TMP/out" entry 'contains("other::")') -eq 0 ]]
	[[ $(names_calls "$TMP/out" ns::work) -eq 39 ]]
	# --no-demangle: the same sites, named by their raw symbols.
	"$USCOPE" trace --no-demangle --count --json -c "$N/cxx 2" 'ns::work*' > "$TMP/out" 2> "$TMP/err"
	[[ "$(json_of "$TMP/out" | jq -r 'select(.count != null) | .probe' | sort | tr '\n' ' ')" == \
		"_ZN2ns4workEPKcl _ZN2ns4workEd _ZN2ns4workEi " ]]
	[[ $(jcount "$TMP/out" _ZN2ns4workEi entry) -eq 2 ]]
	# The binary prefix ends at the first single ':'.
	"$USCOPE" trace --count --json -c "$N/cxx 4" "$N/cxx:ns::Widget::*" "ret:$N/cxx:other::work*" \
		> "$TMP/out" 2> "$TMP/err"
	cat "$TMP/err"
	[[ $(sum_counts "$TMP/out" entry 'contains("ns::Widget::")') -eq 12 ]]
	[[ $(jcount "$TMP/out" 'other::work(int)' return) -eq 8 ]]
}

@test "names: Rust legacy and v0 names are demangled as rustfilt does, and their globs count exactly" {
	local t
	for t in rust-legacy rust-v0; do
		[[ -x "$N/$t" ]] || skip "Debian's rustc is not installed"
		"$USCOPE" funcs --json "$N/$t" > "$TMP/out"
		jq -r 'select(.demangled != null and (.name | test("^(_ZN|_R)"))) | .name' "$TMP/out" > "$TMP/raw"
		jq -r 'select(.demangled != null and (.name | test("^(_ZN|_R)"))) | .demangled' "$TMP/out" > "$TMP/ours"
		[[ $(wc -l < "$TMP/raw") -gt 50 ]]
		rustfilt < "$TMP/raw" | diff -u - "$TMP/ours"
	done
	grep -q '^_R' "$TMP/raw"
	"$USCOPE" trace --count --json -c "$N/rust-legacy 9" 'rust::geo::*' > "$TMP/out" 2> "$TMP/err"
	[[ $(jcount "$TMP/out" 'rust::geo::Point::norm' entry) -eq $(names_calls "$TMP/out" geo::Point::norm) ]]
	[[ $(sum_counts "$TMP/out" entry 'startswith("rust::geo::scale")') -eq $(names_calls "$TMP/out" geo::scale) ]]
	[[ $(names_calls "$TMP/out" geo::scale) -eq 18 ]]
	"$USCOPE" trace --count --json -c "$N/rust-v0 9" 'rust::geo::scale::<*>' '<rust::geo::Point>::*' \
		> "$TMP/out" 2> "$TMP/err"
	[[ $(jcount "$TMP/out" 'rust::geo::scale::<u8>' entry) -eq 9 ]]
	[[ $(jcount "$TMP/out" 'rust::geo::scale::<i32>' entry) -eq 9 ]]
	[[ $(jcount "$TMP/out" '<rust::geo::Point>::norm' entry) -eq $(names_calls "$TMP/out" geo::Point::norm) ]]
	# v0 writes an inherent method <crate::Type>::m; the legacy spelling finds it too.
	[[ $("$USCOPE" funcs --json "$N/rust-v0" 'rust::geo::*' | jq -r .demangled | sort | tr '\n' ' ') == \
		"<rust::geo::Point>::norm rust::geo::scale::<i32> rust::geo::scale::<u8> " ]]
	[[ $("$USCOPE" funcs --json "$N/rust-v0" '*::Point::norm' | jq -s length) -eq 1 ]]
}

@test "names: funcs text has a SOURCE column; JSON has source, type and demangled only when different" {
	"$USCOPE" funcs "$N/cxx" 'ns::work*' > "$TMP/out"
	head -1 "$TMP/out" | grep -q 'SOURCE'
	[[ $(grep -c ' symtab ' "$TMP/out") -eq 3 ]]
	"$USCOPE" funcs --json "$LIBC" 'strlen' | jq -e -s 'any(.[]; .type == "ifunc")'
	"$USCOPE" funcs --json "$N/cxx" 'main' | jq -e '.type == "func" and .source == "symtab" and (has("demangled") | not)'
}

@test "names: funcs and usdt accept a library name and a program on PATH, like trace -x" {
	"$USCOPE" funcs --json libc 'malloc' | jq -e -s 'length >= 1'
	"$USCOPE" funcs --json libc.so.6 'free' | jq -e -s 'length >= 1'
	PATH="$N:$PATH" "$USCOPE" funcs --json split-full 's_*' | jq -e -s 'length == 3'
	"$USCOPE" usdt libstdc++ > "$TMP/out" 2> "$TMP/err" || { cat "$TMP/err"; false; }
	expect_failure 1 'nosuchlib_xyz' "$USCOPE" funcs nosuchlib_xyz
}

@test "names: funcs -p PID lists the executable and every mapped library under a heading" {
	private_umark
	"$PUMARK" -n 1000000 -i 1 -q > "$TMP/umark.out" 2>&1 &
	BG_PIDS+=($!)
	local pid=$!
	wait_for "$TMP/umark.out" 'umark: pid' 5
	"$USCOPE" funcs -p "$pid" 'func_uprobe*' 'lib_*' 'malloc' > "$TMP/out" 2> "$TMP/err"
	cat "$TMP/out"
	# Each file under its own heading, the executable first.
	[[ $(grep -v '^OFFSET' "$TMP/out" | head -1) == "$PUMARK:" ]]
	grep -qx "$PLIBUMARK:" "$TMP/out"
	grep -qx '/usr/lib/x86_64-linux-gnu/libc.so.6:' "$TMP/out"
	grep -q ' func_uprobe1$' "$TMP/out"
	grep -q ' malloc$' "$TMP/out"
	"$USCOPE" funcs --json -p "$pid" 'func_uprobe*' | jq -e -s 'length == 2 and all(.[]; .binary != null)'
	expect_failure 1 '999999999' "$USCOPE" funcs -p 999999999
}

@test "names: a '#!' script as -c command is named as a script, with what to do instead" {
	printf '#!/bin/sh\nexec true\n' > "$TMP/shim"
	chmod +x "$TMP/shim"
	expect_failure 1 "$TMP/shim" "$USCOPE" trace --count -c "$TMP/shim" 'main'
	grep -q 'script' "$TMP/stderr"
	grep -q -- '-x' "$TMP/stderr"
}

@test "names: bad input to funcs: -p without a number, no binary, a missing file" {
	expect_failure 2 'abc' "$USCOPE" funcs -p abc
	expect_failure 2 'funcs' "$USCOPE" funcs
	expect_failure 1 "$TMP/nope" "$USCOPE" funcs "$TMP/nope"
}
