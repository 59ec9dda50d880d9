#!/usr/bin/env bats
# --stack, --count --stack, --folded and --flamegraph, on the stacks target
# (tests/targets/stacks), whose call paths are known and which prints how
# often it took each one. Oracles: the target's own counts, readelf (symbol
# ranges, also of libc's debug file from libc6-dbg), binutils' addr2line
# (lines), Python's XML parser and chromium (the flame graph). Every -c run
# reports after the target has exited, so every name below was found for a
# process that no longer exists.

load lib

FP="$BUILD_DIR/stacks-fp"
NOFP="$BUILD_DIR/stacks-nofp"
CHECK_SVG="$ROOT/tests/targets/stacks/check_svg.py"
PNG_COLOURS="$ROOT/tests/targets/stacks/png_colours.py"

# path_count OUT PATH: the target's own count of PATH ("a;b;leaf").
path_count() { awk -v p="$2" '$1 == "stacks:" && $2 == "path" && $3 == p { print $4 }' "$1"; }

# folded OUT: uscope's folded lines (the target's own lines removed).
folded() { grep -v '^stacks:' "$1"; }

# expect_paths OUT PREFIX: the folded lines are exactly PREFIX;main;a;b;leaf,
# PREFIX;main;a;c;leaf and PREFIX;main;d;leaf with the target's counts.
expect_paths() {
	local want
	want=$(printf '%s;main;a;b;leaf %s\n%s;main;a;c;leaf %s\n%s;main;d;leaf %s\n' \
		"$2" "$(path_count "$1" 'a;b;leaf')" "$2" "$(path_count "$1" 'a;c;leaf')" \
		"$2" "$(path_count "$1" 'd;leaf')")
	diff <(echo "$want") <(folded "$1" | grep ';leaf ')
}

@test "stacks: --count --stack=fp counts each call path in the kernel, as often as the target took it" {
	"$USCOPE" trace --count --stack=fp --json -c "$FP 300 200 100" leaf > "$TMP/out" 2> "$TMP/err"
	cat "$TMP/err"
	[[ "$(grep -c '"stack"' "$TMP/out")" -eq 3 ]]
	got=$(grep '"stack"' "$TMP/out" | jq -r '[(.stack | map(.func) | .[0:4] | join(">")), .count] | @tsv')
	echo "$got"
	want=$(printf 'leaf>b>a>main\t%s\nleaf>c>a>main\t%s\nleaf>d>main>__libc_start_call_main\t%s\n' \
		"$(path_count "$TMP/out" 'a;b;leaf')" "$(path_count "$TMP/out" 'a;c;leaf')" "$(path_count "$TMP/out" 'd;leaf')")
	[[ "$got" == "$want" ]]
	! grep -q 'without a stack\|\[unknown\]' "$TMP/err"
}

@test "stacks: the caller missed by the kernel's walk at a frameless leaf is put back (b and c appear)" {
	# leaf starts with mov, not push %rbp: the kernel does not add [rsp] itself.
	[[ "$(objdump -d --no-show-raw-insn "$FP" | awk '/<leaf>:/ { getline; print $2 }')" != push ]]
	"$USCOPE" trace --folded --stack=fp -c "$FP 30 20 10 20" leaf > "$TMP/out" 2> "$TMP/err"
	folded "$TMP/out"
	expect_paths "$TMP/out" "__libc_start_call_main"
}

@test "stacks: --folded on the frame-pointer-less build (auto picks DWARF) gives whole stacks through libc" {
	"$USCOPE" trace --folded -c "$NOFP 300 200 100" leaf > "$TMP/out" 2> "$TMP/err"
	cat "$TMP/err"
	grep -q '^Stacks: DWARF unwinding' "$TMP/err"
	expect_paths "$TMP/out" "_start;__libc_start_main;__libc_start_call_main"
	[[ "$(folded "$TMP/out" | wc -l)" -eq 3 ]]
}

@test "stacks: --stack=dwarf unwinds through libc's qsort to the comparator" {
	"$USCOPE" trace --folded --stack=dwarf -c "$NOFP 1 1 1 20" cmp_ints > "$TMP/out" 2> "$TMP/err"
	folded "$TMP/out"
	[[ "$(folded "$TMP/out")" =~ ^_start\;__libc_start_main\;__libc_start_call_main\;main\;qsort_r\;.*msort_with_tmp.*\;cmp_ints\ 1$ ]]
}

@test "stacks: libc frames are named from libc6-dbg's debug file, consistently with its symbol table" {
	libc=$(readlink -f /lib/x86_64-linux-gnu/libc.so.6)
	id=$(readelf -n "$libc" | awk '/Build ID/ { print $3 }')
	dbg=/usr/lib/debug/.build-id/${id:0:2}/${id:2}.debug
	[[ -r "$dbg" ]] || skip "libc6-dbg is not installed"
	# __libc_start_call_main is a local symbol: only the debug file has it.
	! readelf -W --dyn-syms "$libc" | grep -q ' __libc_start_call_main$'
	"$USCOPE" trace --count --stack=dwarf --json -c "$NOFP 1 0 0 20" leaf > "$TMP/out" 2> "$TMP/err"
	frames=$(grep '"stack"' "$TMP/out" | jq -r '.stack[] | select(.binary | endswith("libc.so.6")) | [.func, .addr, .offset] | @tsv')
	echo "$frames"
	[[ "$(echo "$frames" | cut -f1 | tr '\n' ' ')" == "__libc_start_call_main __libc_start_main " ]]
	# Both frames must imply the same libc load address (runtime start - st_value).
	bases=$(while IFS=$'\t' read -r f addr off; do
		v=$(readelf -W -s "$dbg" | awk -v f="$f" '$8 == f || $8 == f "_impl" { print $2; exit }')
		size=$(readelf -W -s "$dbg" | awk -v f="$f" '$8 == f || $8 == f "_impl" { print $3; exit }')
		(( off < size )) || echo "offset $off beyond $f's size $size"
		echo $(( addr - off - 0x$v ))
	done <<< "$frames" | sort -u)
	echo "bases: $bases"
	[[ "$(echo "$bases" | wc -l)" -eq 1 && "$bases" =~ ^[0-9]+$ ]]
}

@test "stacks: function and file:line of every frame in the target agree with binutils' addr2line" {
	"$USCOPE" trace --count --stack=fp --json -c "$FP 3 2 1 20" leaf > "$TMP/out" 2> "$TMP/err"
	main_v=$(( 0x$(readelf -W -s "$FP" | awk '$8 == "main" { print $2; exit }') ))
	# Per frame: its index, its address relative to main's start, function, line.
	grep '"stack"' "$TMP/out" | jq -r '.stack as $s | ($s[] | select(.func == "main") | .addr - .offset) as $m
		| $s | to_entries[] | select(.value.binary | endswith("stacks-fp"))
		| [.key, .value.addr - $m, .value.func, .value.line] | @tsv' > "$TMP/frames"
	[[ "$(wc -l < "$TMP/frames")" -ge 10 ]]
	while IFS=$'\t' read -r i rel func line; do
		v=$(( main_v + rel - (i > 0 ? 1 : 0) ))	# a return address: the call is just before
		want=$(addr2line -e "$FP" -f "$(printf '0x%x' "$v")" | tr '\n' ' ')
		echo "$func:$line, addr2line: $want"
		[[ "$want" =~ ^$func\ .*:$line( |$) ]]
	done < "$TMP/frames"
}

@test "stacks: events print their stack under the event line (entry, return, USDT with inlined frames)" {
	"$USCOPE" trace --stack=fp -c "$FP 1 0 0 20" leaf ret:b > "$TMP/out" 2> "$TMP/err"
	cat "$TMP/out"
	grep -A3 ' entry  leaf(' "$TMP/out" | sed -n 2,4p | awk '{ print $1, $2 }' > "$TMP/entry"
	[[ "$(cat "$TMP/entry")" == "$(printf 'leaf+0x0 (stacks-fp)\nb+0x9 (stacks-fp)\na+0x1a (stacks-fp)')" ]]
	# At b's return the stack starts in its caller, at the return address.
	[[ "$(grep -A1 ' return b = ' "$TMP/out" | sed -n 2p | awk '{ print $1 }')" == a+0x1a ]]
	grep -q '^  leaf+0x0 (stacks-fp) stacks.c:[0-9]*$' "$TMP/out"
	"$USCOPE" trace --stack=fp -c "$UMARK -n 2 -i 20 -q" 'usdt:groupa:probe1' > "$TMP/usdt" 2> "$TMP/err"
	grep -A3 'groupa:probe1(10)' "$TMP/usdt"
	[[ "$(grep -A2 'groupa:probe1(10)' "$TMP/usdt" | sed -n 2p | awk '{ print $1 }')" =~ ^umark_usdt_basic\+0x ]]
	grep -A2 'groupa:probe1(10)' "$TMP/usdt" | sed -n 3p | grep -q '^  iteration (inlined) (umark) umark.c:'
}

@test "stacks: JSON events carry stack: [{addr, func, offset, binary, file, line}] innermost first" {
	"$USCOPE" trace --stack --json -c "$FP 1 0 0 20" leaf > "$TMP/out" 2> "$TMP/err"
	ev=$(grep '^{' "$TMP/out" | grep '"probe": *"leaf"' | head -1)
	echo "$ev" | jq -e '.stack | length >= 4'
	echo "$ev" | jq -e '.stack[0] | (.func == "leaf" and .offset == 0 and (.binary | endswith("stacks-fp")) and (.file | endswith("stacks.c")) and (.line | type) == "number" and (.addr | type) == "number")'
	[[ "$(echo "$ev" | jq -r '[.stack[0:4][].func] | join(" ")')" == "leaf b a main" ]]
}

@test "stacks: frames nothing names print [binary+0xOFF] at readelf's offsets (stripped binary)" {
	STRIPPED="$BUILD_DIR/stacks-stripped"
	! readelf -W -s "$STRIPPED" | grep -q ' b$'
	sym() { readelf -W -s "$FP" | awk -v f="$1" '$8 == f { print $2, $3; exit }'; }
	read -r b_v _ < <(sym b)
	# b's start (readelf of the unstripped build): safe, but only --unsafe-offset takes it unchecked.
	"$USCOPE" trace --count --stack=fp --json -c "$STRIPPED 3 0 0 20" --unsafe-offset "0x$b_v" > "$TMP/out" 2> "$TMP/err"
	stack=$(grep '"stack"' "$TMP/out")
	echo "$stack" | jq -c '[.count, [.stack[] | .func]]'
	[[ "$(echo "$stack" | jq -r .count)" -eq 3 ]]
	[[ "$(echo "$stack" | jq -r '.stack[0].func')" == "[stacks-stripped+$(printf '0x%x' $((16#$b_v)))]" ]]
	# The next frames lie in a and main, by readelf of the unstripped build (PIE: offset = address here).
	for k in 1:a 2:main; do
		read -r v size < <(sym "${k#*:}")
		off=$(echo "$stack" | jq -r ".stack[${k%%:*}].offset")
		echo "frame ${k%%:*}: offset $off in ${k#*:} [0x$v, +$size)?"
		(( off > 16#$v && off <= 16#$v + size ))
		[[ "$(echo "$stack" | jq -r ".stack[${k%%:*}].func")" == "[stacks-stripped+$(printf '0x%x' "$off")]" ]]
	done
}

@test "stacks: 100,000 hits counted in the kernel, none lost" {
	"$USCOPE" trace --folded --stack=fp -c "$FP 100000 0 0" leaf > "$TMP/out" 2> "$TMP/err"
	cat "$TMP/err"
	[[ "$(folded "$TMP/out")" == "__libc_start_call_main;main;a;b;leaf 100000" ]]
	! grep -q 'without a stack' "$TMP/err"
}

@test "stacks: --stack-depth caps the frames" {
	"$USCOPE" trace --count --stack=fp --stack-depth 2 --json -c "$FP 3 2 1 20" leaf > "$TMP/out" 2> "$TMP/err"
	[[ "$(grep '"stack"' "$TMP/out" | jq -r '.stack | length' | sort -u)" == 2 ]]
	"$USCOPE" trace --count --stack=dwarf --stack-depth 3 --json -c "$NOFP 3 2 1 20" leaf > "$TMP/out" 2> "$TMP/err"
	[[ "$(grep '"stack"' "$TMP/out" | jq -r '.stack | length' | sort -u)" == 3 ]]
}

@test "stacks: --flamegraph writes well-formed XML whose boxes add up to the folded counts" {
	"$USCOPE" trace --folded --flamegraph "$TMP/fg.svg" -c "$NOFP 300 200 100" leaf cmp_ints > "$TMP/out" 2> "$TMP/err"
	xmllint --noout "$TMP/fg.svg"
	folded "$TMP/out" > "$TMP/folded"
	[[ "$(wc -l < "$TMP/folded")" -eq 4 ]]
	python3 "$CHECK_SVG" "$TMP/fg.svg" "$TMP/folded"
	# Self-contained: nothing to fetch.
	! grep -Eq '(href|src)="(https?:)?//' "$TMP/fg.svg"
	grep -q '<title>leaf (300, ' "$TMP/fg.svg"
}

@test "stacks: the flame graph renders in headless chromium" {
	command -v chromium > /dev/null || skip "chromium is not installed"
	"$USCOPE" trace --flamegraph "$TMP/fg.svg" -c "$NOFP 300 200 100" leaf > "$TMP/out" 2> "$TMP/err"
	timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-background-networking \
		--disable-component-update --disable-sync --no-first-run --user-data-dir="$TMP/chrome" \
		--window-size=1200,260 --screenshot="$TMP/fg.png" "file://$TMP/fg.svg" > /dev/null 2>&1
	read -r w h colours painted < <(python3 "$PNG_COLOURS" "$TMP/fg.png")
	echo "$w x $h, $colours colours, $painted pixels off the commonest colour"
	[[ $w -eq 1200 && $colours -ge 20 && $painted -ge $((w * h / 10)) ]]
}

@test "stacks: bad stack options are refused with one line and exit 2" {
	run "$USCOPE" trace --stack=bogus -x "$FP" leaf
	[[ $status -eq 2 && "$output" == "uscope: invalid --stack mode 'bogus': expected fp, dwarf or auto" ]]
	run "$USCOPE" trace --stack --stack-depth 128 -x "$FP" leaf
	[[ $status -eq 2 && "$output" == "uscope: invalid --stack-depth '128': expected 1 to 127" ]]
	run "$USCOPE" trace --stack --stack-depth 0 -x "$FP" leaf
	[[ $status -eq 2 && "$output" == "uscope: invalid --stack-depth '0': expected 1 to 127" ]]
	run "$USCOPE" trace --stack=dwarf --stack-size 100 -x "$FP" leaf
	[[ $status -eq 2 && "$output" == "uscope: invalid --stack-size '100': expected a multiple of 8 from 512 to 16384" ]]
	run "$USCOPE" trace --stack --str 0 -x "$FP" leaf
	[[ $status -eq 2 && "$output" == "uscope: --stack cannot be used with --str (not supported yet)" ]]
	run "$USCOPE" trace --stack --noop -x "$FP" leaf
	[[ $status -eq 2 && "$output" == "uscope: --stack cannot be used with --noop" ]]
	run "$USCOPE" trace --flamegraph /nonexistent/dir/fg.svg -x "$FP" leaf
	[[ $status -eq 2 && "$output" == "uscope: --flamegraph '/nonexistent/dir/fg.svg': cannot write in '/nonexistent/dir/': No such file or directory" ]]
	run "$USCOPE" trace --flamegraph "$TMP" -x "$FP" leaf
	[[ $status -eq 2 && "$output" == "uscope: --flamegraph '$TMP': not a file name" ]]
}

@test "stacks: -p on a running process: mappings read at attach, DWARF through libc to umark's main" {
	private_umark
	"$PUMARK" -i 5 -q > /dev/null 2> "$TMP/umark.err" &
	BG_PIDS=$!	# killed by teardown
	sleep 0.3
	"$USCOPE" trace -p "$BG_PIDS" -d 1 --folded -x libc ppoll > "$TMP/out" 2> "$TMP/err"
	cat "$TMP/out" "$TMP/err"
	# umark.c: main -> run_threads -> run_loop -> interval_sleep -> ppoll (two of them inlined).
	[[ "$(cat "$TMP/out")" =~ ^_start\;__libc_start_main\;__libc_start_call_main\;main\;run_threads\;run_loop\;interval_sleep\;ppoll\ [0-9]+$ ]]
	! grep -q '\[unknown\]\|without a stack' "$TMP/err"
}
