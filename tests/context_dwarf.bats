#!/usr/bin/env bats
# DWARF signatures (helpers/dwarf_sigs.c, libdw): `uscope funcs --args`
# against readelf --debug-dump=info and umark's source, and --filter / --by
# by argument name and declared width against umark's own calls.

load lib

# readelf_params BIN: "function param..." for every subprogram with code
# (DW_AT_low_pc), parameters in order, from readelf's text; a concrete
# out-of-line copy (DW_AT_abstract_origin) takes its origin's name and names.
readelf_params() {
	readelf --debug-dump=info "$1" | awk '
		/^ <[0-9]+><[0-9a-f]+>: Abbrev Number/ {
			lvl = substr($1, 2, index($1, ">") - 2) + 0
			tag = $NF; gsub(/[()]/, "", tag)
			off = substr($1, index($1, "><") + 2); sub(/>:$/, "", off)
			if (lvl == 1) { fn = (tag == "DW_TAG_subprogram") ? off : ""; if (fn != "") order[++n] = fn }
			inparam = lvl == 2 && tag == "DW_TAG_formal_parameter" && fn != ""
			if (lvl > 2 || (lvl == 2 && !inparam)) inparam = 0
			head = lvl == 1 && fn != ""
			next
		}
		head && /DW_AT_name/ { name[fn] = $NF }
		head && /DW_AT_low_pc/ { code[fn] = 1 }
		head && /DW_AT_abstract_origin/ { o = $NF; gsub(/[<>]/, "", o); sub(/^0x/, "", o); origin[fn] = o }
		inparam && /DW_AT_name/ { params[fn] = params[fn] " " $NF }
		END {
			for (i = 1; i <= n; i++) {
				f = order[i]; if (!code[f]) continue
				if (f in origin) { o = origin[f]; print name[o] params[o] } else print name[f] params[f]
			}
		}' | sort -u
}

@test "funcs --args: every function's parameter names equal readelf --debug-dump=info's" {
	readelf_params "$UMARK" > "$TMP/want"
	[[ $(wc -l < "$TMP/want") -gt 60 ]]
	grep -qx 'func_uprobe2 x y' "$TMP/want"
	"$USCOPE" funcs --args --json "$UMARK" | jq -r '"\(.name)\([.args[].name] | map(" " + .) | join(""))"' | sort -u > "$TMP/got"
	diff -u "$TMP/want" "$TMP/got"
}

@test "funcs --args: signatures read like the source (umark/ops.c), GLOB selects" {
	run "$USCOPE" funcs --args "$UMARK" func_uprobe2 umark_greet umark_recurse
	[[ $status -eq 0 ]]
	echo "$output"
	# Types as DWARF spells them (gcc writes "long long unsigned int" for unsigned long long).
	[[ "${lines[0]}" == "long long unsigned int func_uprobe2(long long unsigned int x, long long unsigned int y)" ]]
	[[ "${lines[1]}" == "long unsigned int umark_greet(const char *who)" ]]
	[[ "${lines[2]}" == "long long unsigned int umark_recurse(unsigned int depth)" ]]
	[[ ${#lines[@]} -eq 3 ]]
	grep -q 'umark_greet(const char \*who)' "$ROOT/umark/ops.c"
	grep -q 'umark_recurse(unsigned depth)' "$ROOT/umark/ops.c"	# "unsigned" is "unsigned int"
}

@test "funcs --args on a binary without DWARF: one line, exit 1" {
	expect_failure 1 "no DWARF" "$USCOPE" funcs --args /bin/true
}

@test "--filter by argument name: x, y, who and the 4-byte unsigned depth of umark_recurse" {
	"$USCOPE" trace -c "$UMARK -n 20 -i 0 -q" --count --json --filter 'x < 5' func_uprobe1 > "$TMP/out" 2> "$TMP/err"
	[[ $(json_count "$TMP/out" func_uprobe1 entry) -eq 5 ]]
	"$USCOPE" trace -c "$UMARK -n 20 -i 0 -q" --count --json --filter 'y == 10 || x == 20' func_uprobe2 > "$TMP/out" 2> "$TMP/err"
	[[ $(json_count "$TMP/out" func_uprobe2 entry) -eq 2 ]]
	"$USCOPE" trace -c "$UMARK -n 20 -i 0 -q" --count --json --filter 'str(who) == "umark-9"' umark_greet > "$TMP/out" 2> "$TMP/err"
	[[ $(json_count "$TMP/out" umark_greet entry) -eq 1 ]]
	# depth is an unsigned int: compared on its 32 bits. umark_recurse(5) recurses through 5..0.
	"$USCOPE" trace -c "$UMARK -n 7 -i 0 -q" --count --json --filter 'depth <= 1 || depth == 0xffffffff' umark_recurse > "$TMP/out" 2> "$TMP/err"
	[[ $(json_count "$TMP/out" umark_recurse entry) -eq 14 ]]
}

@test "--by on a 4-byte argument: one row per depth, as umark_recurse was called" {
	"$USCOPE" trace -c "$UMARK -n 7 -i 0 -q" --count --json --by arg0 umark_recurse > "$TMP/out" 2> "$TMP/err"
	jq -r 'select(.by != null) | "\(.by.arg0) \(.count)"' "$TMP/out" | sort -n > "$TMP/got"
	printf '%s 7\n' 0 1 2 3 4 5 > "$TMP/want"
	diff -u "$TMP/want" "$TMP/got"
}

@test "DWARF usage errors: an unknown name, ret of a void function, arg beyond the declared ones; --hist on a 4-byte value" {
	expect_failure 2 "'q'" "$USCOPE" trace -c "$UMARK -n 1 -i 0 -q" --filter 'q == 1' func_uprobe1
	grep -qF "probe 'func_uprobe1'" "$TMP/stderr"
	expect_failure 2 "returns void" "$USCOPE" trace -c "$UMARK -n 1 -i 0 -q" --filter 'ret == 1' ret:umark_sleep_1ms
	expect_failure 2 "has 1 argument" "$USCOPE" trace -c "$UMARK -n 1 -i 0 -q" --filter 'arg1 == 1' func_uprobe1
	expect_failure 2 "4-byte" "$USCOPE" trace -c "$UMARK -n 1 -i 0 -q" --hist arg0 umark_recurse
}
