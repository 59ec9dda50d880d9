#!/usr/bin/env bats
# Shared libraries: libumark.so (which umark links) and libc, named by path,
# by library name (resolved through /proc/PID/maps, LD_LIBRARY_PATH or the
# ld.so cache), as BIN:GLOB probes and as several -x at once.  The oracles:
# umark's summary (lib_add, lib_mul, and libumark:libprobe, which fires once
# per lib_add_probed call), umark's stdout (return values), /proc/PID/maps
# and `ldconfig -p` (which file a name must resolve to), readelf (which
# binary defines which function).

load lib

# expect_lib_counts OUT ERR: lib_add and lib_mul count like umark's summary,
# and lib_add_probed like libumark:libprobe (its USDT site, fired once per call).
expect_lib_counts() {
	expect_counts "$1" "$2" entry lib_add lib_mul
	local got want
	got=$(json_count "$1" lib_add_probed entry)
	want=$(umark_usdt "$2" libumark:libprobe)
	echo "lib_add_probed: uscope $got, umark (libprobe fires) $want"
	[[ -n "$want" && "$want" -gt 0 && "$got" == "$want" ]]
}

# binary_of OUT PROBE KIND: the "binary" field of PROBE's count line.
binary_of() {
	jq -r --arg p "$2" --arg k "$3" 'select(.count != null and .probe == $p and .kind == $k) | .binary' "$1"
}

# maps_path PID NAME-REGEX: the first file PID maps whose base name matches.
maps_path() {
	awk -v re="$2" '$6 ~ /^\// { n = split($6, a, "/"); if (a[n] ~ re) { print $6; exit } }' "/proc/$1/maps"
}

@test "-x LIBRARY-PATH: lib_* counts equal umark's summary, ret:lib_add too; Attached names the library" {
	"$USCOPE" trace -x "$LIBUMARK" --count --json -c "$UMARK -n 7 -i 0 -q" 'lib_*' ret:lib_add > "$TMP/out" 2> "$TMP/err"
	[[ "$(attached_paths "$TMP/err")" == "$LIBUMARK" ]]
	expect_lib_counts "$TMP/out" "$TMP/err"
	expect_counts "$TMP/out" "$TMP/err" return lib_add
	# Exactly the three functions readelf says libumark.so defines under lib_*.
	[[ "$(count_probes "$TMP/out" | tr '\n' ' ')" == "$(readelf_funcs "$LIBUMARK" | awk '$1 ~ /^lib_/ { print $1 }' | tr '\n' ' ')" ]]
}

@test "-p PID -x libumark resolves through /proc/PID/maps (a private copy, even with LD_LIBRARY_PATH elsewhere); counts exact" {
	# umark's RUNPATH is $ORIGIN: the private copy loads the private library.
	private_umark
	UMARK_BIN=$PUMARK start_umark_gated -n 6 -i 0 -q
	mapped=$(maps_path "$UMARK_PID" '^libumark\.so$')
	echo "mapped: $mapped"
	[[ "$mapped" == "$PLIBUMARK" ]]
	LD_LIBRARY_PATH=$ROOT/build start_uscope trace -p "$UMARK_PID" -x libumark --count --json 'lib_*'
	[[ "$(attached_paths "$TMP/err")" == "$mapped" ]]
	release_umark
	finish_uscope
	expect_lib_counts "$TMP/out" "$TMP/umark.err"
	wait_no_uscope_links
}

@test "-x libumark without -p is found through LD_LIBRARY_PATH (-c); counts exact" {
	LD_LIBRARY_PATH=$BUILD_DIR "$USCOPE" trace -x libumark --count --json -c "$UMARK -n 5 -i 0 -q" \
		'lib_*' > "$TMP/out" 2> "$TMP/err"
	[[ "$(realpath "$(attached_paths "$TMP/err")")" == "$(realpath "$LIBUMARK")" ]]
	expect_lib_counts "$TMP/out" "$TMP/err"
	# libumark is not in the ld.so cache, so without LD_LIBRARY_PATH the name is unknown.
	if ! /sbin/ldconfig -p | grep -q 'libumark\.so'; then
		expect_failure 1 "'libumark'" env -u LD_LIBRARY_PATH "$USCOPE" trace -x libumark --count \
			-c "$UMARK -n 1 -i 0 -q" 'lib_*'
	fi
}

@test "LIB:GLOB mixed with the executable's own functions (-c): every count exact, each from its binary" {
	"$USCOPE" trace --count --json -c "$UMARK -n 6 -i 0 -q" \
		"$LIBUMARK:lib_*" "ret:$LIBUMARK:lib_mul" func_uprobe1 'umark_op_6*' > "$TMP/out" 2> "$TMP/err"
	attached_paths "$TMP/err" | sort > "$TMP/bins"
	printf '%s\n' "$UMARK" "$LIBUMARK" | sort | diff -u - "$TMP/bins"
	expect_lib_counts "$TMP/out" "$TMP/err"
	expect_counts "$TMP/out" "$TMP/err" return lib_mul
	expect_counts "$TMP/out" "$TMP/err" entry func_uprobe1 umark_op_60 umark_op_61 umark_op_62 umark_op_63
	# Each count line names the binary readelf says defines the function.
	for f in lib_add lib_mul lib_add_probed func_uprobe1 umark_op_63; do
		if readelf_funcs "$LIBUMARK" | grep -q "^$f "; then want=$LIBUMARK; else want=$UMARK; fi
		readelf_funcs "$want" | grep -q "^$f "
		[[ "$(binary_of "$TMP/out" "$f" entry)" == "$want" ]]
	done
	[[ "$(binary_of "$TMP/out" lib_mul return)" == "$LIBUMARK" ]]
}

@test "LIB:GLOB mixed with the executable's functions on a gated umark (-p): counts exact" {
	start_umark_gated -n 9 -i 0 -q
	start_uscope trace -p "$UMARK_PID" --count --json "$LIBUMARK:lib_*" func_uprobe2 ret:umark_op_33
	release_umark
	finish_uscope
	expect_lib_counts "$TMP/out" "$TMP/umark.err"
	expect_counts "$TMP/out" "$TMP/umark.err" entry func_uprobe2
	expect_counts "$TMP/out" "$TMP/umark.err" return umark_op_33
	wait_no_uscope_links
}

@test "two -x: a probe without a binary is matched in each (lib_* only in the library); counts exact" {
	"$USCOPE" trace -x "$UMARK" -x "$LIBUMARK" --count --json -c "$UMARK -n 4 -i 0 -q" \
		'lib_*' func_uprobe1 > "$TMP/out" 2> "$TMP/err"
	printf '%s\n' "$UMARK" "$LIBUMARK" | diff -u - <(attached_paths "$TMP/err")
	expect_lib_counts "$TMP/out" "$TMP/err"
	expect_counts "$TMP/out" "$TMP/err" entry func_uprobe1
	[[ "$(binary_of "$TMP/out" lib_add entry)" == "$LIBUMARK" ]]
	[[ "$(binary_of "$TMP/out" func_uprobe1 entry)" == "$UMARK" ]]
	# umark itself defines no lib_* (its calls go through the PLT), so nothing else matched.
	[[ -z "$(readelf_funcs "$UMARK" | awk '$1 ~ /^lib_/')" ]]
	[[ $(jq -s '[.[] | select(.count != null)] | length' "$TMP/out") -eq 4 ]]
}

@test "two -x: a glob that matches in neither binary fails (exit 1) and names the glob" {
	expect_failure 1 "'nosuch_fn*'" "$USCOPE" trace -x "$UMARK" -x "$LIBUMARK" --count \
		-c "$UMARK -n 1 -i 0 -q" 'lib_*' 'nosuch_fn*'
	grep -qF 'other binaries' "$TMP/stderr"
}

@test "-x libc without -p is the x86-64 libc.so.6 that ldconfig -p lists; nanosleep counts umark's sleeps" {
	want=$(/sbin/ldconfig -p | awk '$1 == "libc.so.6" && /x86-64/ { print $NF; exit }')
	[[ -n "$want" ]]
	"$USCOPE" trace -x libc --count --json -c "$UMARK -n 3 -i 0 -q -s" nanosleep > "$TMP/out" 2> "$TMP/err"
	got=$(attached_paths "$TMP/err")
	echo "attached: $got, ldconfig: $want"
	[[ "$(realpath "$got")" == "$(realpath "$want")" ]]
	# umark_sleep_1ms/8ms each call nanosleep once; nothing else in umark -i 0 does.
	sleeps=$(( $(umark_calls "$TMP/err" umark_sleep_1ms) + $(umark_calls "$TMP/err" umark_sleep_8ms) ))
	[[ $sleeps -eq 6 ]]
	[[ "$(json_count "$TMP/out" nanosleep entry)" -eq $sleeps ]]
}

@test "-p PID -x libc is the libc in /proc/PID/maps (same path string); nanosleep counts exact" {
	start_umark_gated -n 4 -i 0 -q -s
	mapped=$(maps_path "$UMARK_PID" '^libc\.so\.6$')
	[[ -n "$mapped" ]]
	start_uscope trace -p "$UMARK_PID" -x libc --count --json nanosleep
	echo "attached: $(attached_paths "$TMP/err"), mapped: $mapped"
	[[ "$(attached_paths "$TMP/err")" == "$mapped" ]]
	release_umark
	finish_uscope
	sleeps=$(( $(umark_calls "$TMP/umark.err" umark_sleep_1ms) + $(umark_calls "$TMP/umark.err" umark_sleep_8ms) ))
	[[ $sleeps -eq 8 ]]
	[[ "$(json_count "$TMP/out" nanosleep entry)" -eq $sleeps ]]
}

@test "a library name that does not exist: exit 1, names it (-x, -x with -p, LIB:GLOB)" {
	name=libuscope_nosuch_lib_$$
	expect_failure 1 "'$name'" "$USCOPE" trace -x "$name" -c "$UMARK -n 1 -i 0 -q" 'malloc'
	expect_failure 1 "'$name'" "$USCOPE" trace -c "$UMARK -n 1 -i 0 -q" "$name:malloc" func_uprobe1
	start_umark -n 1000 -i 100 -q
	expect_failure 1 "'$name'" "$USCOPE" trace -p "$UMARK_PID" -x "$name" 'malloc'
	# umark was not harmed by the failed attempt.
	alive "$UMARK_PID"
}

@test "ret:lib_add and ret:lib_add_probed values equal the lib_add results umark printed, in order" {
	trace_umark "-n 5 -i 0" --json "ret:$LIBUMARK:lib_add" "ret:$LIBUMARK:lib_add_probed"
	# Per iteration: lib_add(i, 100) returns inside lib_add_probed(i, 100), which
	# returns the same value; then lib_add(i, 200).  umark prints both lib_add lines.
	sed -nE 's/^lib_add\(([0-9]+), 100\) = ([0-9]+)$/lib_add \2\nlib_add_probed \2/p; s/^lib_add\(([0-9]+), 200\) = ([0-9]+)$/lib_add \2/p' \
		"$TMP/umark.out" > "$TMP/want"
	[[ $(wc -l < "$TMP/want") -eq 15 ]]
	jq -r 'select(.kind == "return" and .count == null) | "\(.probe) \(.ret)"' "$TMP/out" > "$TMP/got"
	diff -u "$TMP/want" "$TMP/got"
}
