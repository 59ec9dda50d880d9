# Shared helpers for the bats suites. The oracles are independent of uscope:
# umark's own exit summary (what it really did) and readelf (what the ELF
# file really says). uscope's output is only ever compared against those.

ROOT="$(cd "$(dirname "${BATS_TEST_FILENAME}")/.." && pwd)"
USCOPE="$ROOT/build/uscope"
UMARK="$ROOT/build/umark"
UMARK_NOPIE="$ROOT/build/umark-nopie"
LIBUMARK="$ROOT/build/libumark.so"

# umark_calls FILE NAME: how many times umark says it called NAME.
umark_calls() { awk -v n="$2" '$1 == "umark:" && $2 == "calls" && $3 == n { print $4 }' "$1"; }

# umark_usdt FILE PROVIDER:NAME: how many times umark says it fired the probe.
umark_usdt() { awk -v n="$2" '$1 == "umark:" && $2 == "usdt" && $3 == n { print $4 }' "$1"; }

# json_count FILE PROBE KIND: the count uscope printed for PROBE/KIND (0 if absent).
json_count() {
	local c
	c=$(jq -r --arg p "$2" --arg k "$3" 'select(.count != null and .probe == $p and .kind == $k) | .count' "$1")
	echo "${c:-0}"
}

# wait_for FILE PATTERN [SECONDS]: wait until FILE has a line matching PATTERN.
wait_for() {
	local i limit=$(( ${3:-10} * 10 ))
	for ((i = 0; i < limit; i++)); do
		grep -q -- "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	echo "timed out waiting for '$2' in $1:" >&2
	cat "$1" >&2
	return 1
}

# no_uscope_links: bpftool shows no uprobe link owned by a uscope program.
no_uscope_links() {
	local progs
	progs=$(bpftool -j prog show 2>/dev/null | jq -r '.[] | select(.name == "generic_entry" or .name == "generic_return" or .name == "usdt_site") | .id')
	[[ -z "$progs" ]] || { echo "uscope programs still loaded: $progs" >&2; bpftool link list >&2; return 1; }
	bpftool link list | grep -q uprobe && { bpftool link list >&2; return 1; }
	return 0
}
