#!/usr/bin/env bats
# Typed events for C++ (helpers/dwarf_sigs.c): cxxtyped (tests/targets/context)
# prints every call of its member functions with the values it received, in
# the form a typed event takes; uscope's entry events must say the same.
# Signatures (funcs --args) against the source and readelf --debug-dump=info.

load lib

CXX="$BUILD_DIR/context/cxxtyped"

# The target's own lines (its stdout shares uscope's), not the count table.
target_lines() { grep -E '^(geo::|twice<|return )' "$TMP/out" | grep -vE ' (entry|return) +[0-9]+$'; }

@test "C++ typed events: this, const methods, out-of-line and in-class definitions, overloads, references, a class by value (?), templates, returns in memory, as the target printed them" {
	"$USCOPE" trace -c "$CXX 5" "$CXX:geo::*" "$CXX:*twice*" "ret:$CXX:geo::Shape::area*" "ret:$CXX:geo::Shape::count*" \
		> "$TMP/out" 2> "$TMP/err"
	target_lines > "$TMP/want"
	[[ $(wc -l < "$TMP/want") -eq 75 ]]
	sed -nE 's/^[0-9.]+ +[0-9]+ +[0-9]+ +cxxtyped +(entry|return) +(.*)$/\1 \2/p' "$TMP/out" | sed 's/^entry //' > "$TMP/got"
	diff -u "$TMP/want" "$TMP/got"
	# The oracle covers negatives of an int return, an unsigned above 2^31 and the overloads.
	grep -q '^return geo::Shape::area(int) const = -6$' "$TMP/want"
	grep -q 'n=4000000004)$' "$TMP/want"
	[[ $(grep -c '^geo::Shape::scale(' "$TMP/want") -eq 10 ]]
	[[ $(grep -c '^note: float and by-value struct arguments print as ?' "$TMP/err") -eq 1 ]]
}

@test "C++ typed events, JSON: arg_names include this; a reference is the object's address; the probe keeps its demangled name" {
	"$USCOPE" trace --json -c "$CXX 1" "$CXX:geo::Shape::area*" "$CXX:geo::dist*" > "$TMP/out" 2> "$TMP/err"
	jq -c 'select(.time_ns) | [.probe, .arg_names]' <(grep '^{' "$TMP/out") > "$TMP/got"
	printf '%s\n' '["geo::Shape::area(int) const",["this","scale"]]' \
		'["geo::dist(Point const&, Point&&, Point, int)",["a","b","c","after"]]' | diff -u - "$TMP/got"
	want=$(sed -nE 's/^geo::dist\(a=0x([0-9a-f]+),.*/\1/p' "$TMP/out")
	got=$(grep '^{' "$TMP/out" | jq -r 'select(.time_ns and (.probe | startswith("geo::dist"))) | .args[0]')
	[[ $((16#$want)) -eq $got ]]
	[[ $(grep '^{' "$TMP/out" | jq -c 'select(.time_ns and (.probe | startswith("geo::dist"))) | .args[2:]') == '[null,null]' ]]
}

@test "C++ signatures: funcs --args prints each method as the source declares it, this included, and overloads apart" {
	"$USCOPE" funcs --args "$CXX" 'geo::*' '*twice*' > "$TMP/got"
	cat > "$TMP/want" <<'WANT'
void geo::Shape::Shape(Shape *const this, int id)
int geo::Shape::area(const Shape *const this, int scale)
long int geo::Shape::count(const char *tag, unsigned int n)
bool geo::Shape::inside(Shape *const this, long int v)
string geo::Shape::label[abi:cxx11](const Shape *const this, int k)
long int geo::Shape::scale(Shape *const this, long int f)
long int geo::Shape::scale(Shape *const this, long int f, short int g)
void geo::Shape::~Shape(Shape *const this)
long int geo::dist(const Point &a, Point &&b, Point c, int after)
Point geo::make_point(long int x, long int y)
Handle geo::open_handle(long int fd, int flags)
int twice<int>(int v, const char *why)
long int twice<long>(long int v, const char *why)
WANT
	diff -u "$TMP/want" "$TMP/got"
	# readelf: area is defined out of line (DW_AT_specification) under its linkage name, with an artificial this.
	readelf --debug-dump=info "$CXX" > "$TMP/info"
	grep -q 'DW_AT_linkage_name: (indirect string, offset: 0x[0-9a-f]*): _ZNK3geo5Shape4areaEi' "$TMP/info"
	[[ $(grep -c 'DW_AT_specification' "$TMP/info") -ge 8 ]]
	[[ $(grep -c 'DW_AT_artificial' "$TMP/info") -ge 7 ]]
}

@test "C++ returns in memory: the hidden return-slot argument shifts the registers, so a --filter on a parameter counts what the target passed" {
	while IFS='|' read -r probe filter line; do
		# the probe by glob ([abi:cxx11] would be a bracket expression), its row by name
		"$USCOPE" trace --count -c "$CXX 6" "$CXX:${probe%%[[(]*}*" --filter "$filter" > "$TMP/out" 2> "$TMP/err"
		want=$(grep -cxE "$line" "$TMP/out")	# the target's own line for that call
		[[ $want -eq 1 ]]
		[[ $(awk -v p="$probe" 'index($0, p " ") == 1 { print $NF }' "$TMP/out") -eq $want ]]
	done <<'CASES'
geo::Shape::label[abi:cxx11](int) const|k == 4|geo::Shape::label\[abi:cxx11\]\(this=0x[0-9a-f]+, k=4\)
geo::open_handle(long, int)|fd == 13 && flags == -3|geo::open_handle\(fd=13, flags=-3\)
geo::make_point(long, long)|y == 35 && x < 0|geo::make_point\(x=-5, y=35\)
CASES
}
