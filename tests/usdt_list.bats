#!/usr/bin/env bats
# uscope usdt (listing), checked against readelf -nW (the stapsdt notes),
# readelf -lW / -SW (offsets computed here) and /proc/PID/maps.

load lib

LIBSTDCXX=/usr/lib/x86_64-linux-gnu/libstdc++.so.6

# same_notes BINARY [MIN]: uscope usdt --json BINARY equals readelf's notes
# (every field, as a multiset, so the number of notes is compared too), and
# readelf has at least MIN notes (default 1).
same_notes() {
	readelf_usdt "$1" | sort > "$TMP/readelf"
	"$USCOPE" usdt --json "$1" > "$TMP/json"
	uscope_usdt_tsv < "$TMP/json" | sort > "$TMP/uscope"
	[[ $(wc -l < "$TMP/readelf") -ge ${2:-1} ]] || { echo "readelf shows too few notes in $1"; return 1; }
	diff -u "$TMP/readelf" "$TMP/uscope"
	# Every line names the binary it came from.
	for b in $(jq -r .binary "$TMP/json" | sort -u); do
		[[ "$(realpath "$b")" == "$(realpath "$1")" ]] || { echo "binary '$b' is not $1"; return 1; }
	done
}

@test "usdt --json on PIE umark equals readelf's 6 notes (provider, name, address, offset, base, semaphore, args)" {
	same_notes "$UMARK" 6
	[[ $(wc -l < "$TMP/uscope") -eq 6 ]]
	# groupc:probe3 is the one with a semaphore, and it has a nonzero offset.
	awk -F '\t' '$1 == "groupc" && $2 == "probe3" && $6 > 0 && $7 > 0 { ok = 1 } END { exit !ok }' "$TMP/uscope"
}

@test "usdt --json on non-PIE umark equals readelf (offsets differ from addresses)" {
	same_notes "$UMARK_NOPIE" 6
	# Location and semaphore file offsets are not the link-time addresses.
	awk -F '\t' '$3 == $4 { bad = 1 } $6 > 0 && $6 == $7 { bad = 1 } END { exit bad }' "$TMP/uscope"
}

@test "usdt --json on libumark.so equals readelf (libumark:libprobe)" {
	same_notes "$LIBUMARK" 1
	[[ "$(cut -f1,2 "$TMP/uscope")" == "libumark	libprobe" ]]
}

@test "usdt --json on the system libstdc++.so.6 equals readelf" {
	[[ -r "$LIBSTDCXX" ]] || skip "$LIBSTDCXX is not installed"
	readelf -nW "$LIBSTDCXX" | grep -q 'Provider:' || skip "$LIBSTDCXX has no stapsdt notes"
	same_notes "$LIBSTDCXX" 1
}

@test "usdt text output lists every note with its address, offset and arguments" {
	"$USCOPE" usdt "$UMARK_NOPIE" > "$TMP/text"
	readelf_usdt "$UMARK_NOPIE" > "$TMP/readelf"
	[[ -s "$TMP/readelf" ]]
	while IFS=$'\t' read -r prov name addr off base sem semoff args; do
		line=$(printf '%s:%s +0x%016x +0x%08x ' "$prov" "$name" "$addr" "$off")
		grep -E -- "^$line" "$TMP/text" | grep -qF -- "$args" || { echo "no line for $prov:$name at $addr"; cat "$TMP/text"; false; }
	done < "$TMP/readelf"
	# No extra probe lines either.
	[[ $(grep -cE '^[a-z_]+:[a-z0-9_]+ +0x' "$TMP/text") -eq $(wc -l < "$TMP/readelf") ]]
}

@test "usdt glob filters: 'groupd:*' and '*:probe*' give exactly readelf's matching notes" {
	"$USCOPE" usdt --json "$UMARK" 'groupd:*' | uscope_usdt_tsv | sort > "$TMP/uscope"
	readelf_usdt "$UMARK" | awk -F '\t' '$1 == "groupd"' | sort > "$TMP/readelf"
	[[ $(wc -l < "$TMP/readelf") -eq 2 ]]
	diff -u "$TMP/readelf" "$TMP/uscope"

	"$USCOPE" usdt --json "$UMARK" '*:probe*' | uscope_usdt_tsv | sort > "$TMP/uscope"
	readelf_usdt "$UMARK" | awk -F '\t' '$2 ~ /^probe/' | sort > "$TMP/readelf"
	[[ $(wc -l < "$TMP/readelf") -eq 3 ]]
	diff -u "$TMP/readelf" "$TMP/uscope"
}

@test "usdt -p PID lists the notes of every file mapped by umark (umark and libumark.so)" {
	start_umark -i 1000 -q
	"$USCOPE" usdt --json -p "$UMARK_PID" > "$TMP/json"
	uscope_usdt_tsv --binary < "$TMP/json" | sort > "$TMP/uscope"
	# Oracle: readelf on every file in /proc/PID/maps.
	for f in $(awk '$6 ~ /^\// { print $6 }' "/proc/$UMARK_PID/maps" | sort -u); do
		readelf_usdt "$f" | sed "s|^|$f\t|"
	done | sort > "$TMP/readelf"
	grep -q "^$(realpath "$UMARK")	groupc	probe3	" "$TMP/readelf"
	grep -q "^$(realpath "$LIBUMARK")	libumark	libprobe	" "$TMP/readelf"
	diff -u "$TMP/readelf" "$TMP/uscope"
}

@test "usdt on files without notes (/bin/true, uscope itself) prints nothing and exits 0" {
	for f in /bin/true "$USCOPE"; do
		readelf -nW "$f" | grep -q 'Provider:' && { echo "$f unexpectedly has notes"; false; }
		run "$USCOPE" usdt --json "$f"
		[[ $status -eq 0 ]]
		[[ -z "$output" ]]
		run "$USCOPE" usdt "$f"
		[[ $status -eq 0 ]]
		! grep -q ':' <<< "$output" || { echo "text listing of $f shows a probe: $output"; false; }
	done
}
