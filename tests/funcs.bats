#!/usr/bin/env bats
# uscope funcs, checked against readelf -sW (symbols) and readelf -lW
# (program headers: the file offset of each address is computed here, in awk,
# from the PT_LOAD that holds it).

load lib

LIBC=/usr/lib/x86_64-linux-gnu/libc.so.6

# same_funcs BINARY: uscope's full JSON listing equals readelf's functions,
# name by name: address, size, bind and file offset.
same_funcs() {
	readelf_funcs "$1" > "$TMP/readelf"
	uscope_funcs "$1" > "$TMP/uscope"
	[[ -s "$TMP/readelf" ]] || { echo "readelf lists no function in $1"; return 1; }
	diff -u "$TMP/readelf" "$TMP/uscope"
}

@test "funcs --json on PIE umark: name, address, size, bind and offset of every function match readelf" {
	same_funcs "$UMARK"
	# Integers are JSON numbers, not strings.
	"$USCOPE" funcs --json "$UMARK" | jq -e -s 'length > 0 and all(.[]; (.address|type) == "number"
		and (.offset|type) == "number" and (.size|type) == "number")'
	# The functions the other suites trace are all there.
	grep -q '^func_uprobe1 ' "$TMP/uscope"
	[[ $(grep -c '^umark_op_' "$TMP/uscope") -eq 64 ]]
}

@test "funcs --json on non-PIE umark matches readelf, and offsets are not addresses" {
	same_funcs "$UMARK_NOPIE"
	# In a non-PIE executable the text segment is linked at 0x400000+, so
	# the file offset must differ from the address.
	read -r _ addr _ _ off < <(grep '^func_uprobe1 ' "$TMP/readelf")
	[[ "$addr" -gt 4194304 && "$off" -lt "$addr" ]]
	read -r _ addr _ _ off < <(grep '^func_uprobe1 ' "$TMP/uscope")
	[[ "$off" -ne "$addr" ]]
}

@test "funcs --json on libumark.so matches readelf" {
	same_funcs "$LIBUMARK"
	grep -q '^lib_add_probed ' "$TMP/uscope"
}

@test "funcs --json on libc.so.6 (.dynsym only, versioned and weak symbols) matches readelf" {
	[[ -r "$LIBC" ]] || skip "$LIBC not present"
	# An empty debug root: libc6-dbg's symbols are tests/names.bats' business.
	USCOPE_DEBUG_ROOT="$TMP" DEBUGINFOD_URLS= same_funcs "$LIBC"
	grep -q ' weak ' "$TMP/uscope"
	grep -q '^malloc ' "$TMP/uscope"
}

@test "funcs glob 'func_*' gives exactly func_uprobe1 and func_uprobe2" {
	"$USCOPE" funcs --json "$UMARK" 'func_*' > "$TMP/out"
	[[ $(wc -l < "$TMP/out") -eq 2 ]]
	[[ "$(jq -r .name "$TMP/out" | sort | tr '\n' ' ')" == "func_uprobe1 func_uprobe2 " ]]
	# ... with readelf's addresses and offsets.
	jq -r '"\(.name) \(.address) \(.size) \(.bind) \(.offset)"' "$TMP/out" | sort > "$TMP/uscope"
	readelf_funcs "$UMARK" | grep '^func_' > "$TMP/readelf"
	diff -u "$TMP/readelf" "$TMP/uscope"
}

@test "funcs with several globs lists the union of what readelf has for each" {
	uscope_funcs "$UMARK" 'umark_op_1*' 'umark_re*' > "$TMP/uscope"
	readelf_funcs "$UMARK" | awk '$1 ~ /^umark_op_1/ || $1 ~ /^umark_re/' > "$TMP/readelf"
	[[ $(wc -l < "$TMP/readelf") -eq 11 ]]
	diff -u "$TMP/readelf" "$TMP/uscope"
}

@test "funcs text output: OFFSET ADDRESS SIZE BIND TYPE SOURCE NAME lines match readelf" {
	"$USCOPE" funcs "$UMARK_NOPIE" > "$TMP/text"
	# Skip the header line(s); convert the hex columns to decimal here.
	awk "$_HEXFN"' $1 ~ /^0x/ { printf "%s %.0f %s %s %.0f\n", $7, hex($2), $3, $4, hex($1) }' "$TMP/text" | sort -u > "$TMP/uscope"
	readelf_funcs "$UMARK_NOPIE" > "$TMP/readelf"
	diff -u "$TMP/readelf" "$TMP/uscope"
}
