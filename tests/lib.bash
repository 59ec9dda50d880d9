# Shared helpers for the bats suites. The oracles are independent of uscope:
# umark's own exit summary (what it really did) and readelf (what the ELF
# file really says). uscope's output is only ever compared against those.

# Every test gets its own scratch directory; whatever it left running is
# killed. A suite that needs more defines its own setup/teardown after `load`.
setup() {
	TMP=$(mktemp -d)
}

teardown() {
	kill_bg
	rm -rf "$TMP"
}

ROOT="$(cd "$(dirname "${BATS_TEST_FILENAME}")/.." && pwd)"
# `make test SANITIZE=1` builds into build/asan and points USCOPE_BUILD there.
BUILD_DIR="${USCOPE_BUILD:-$ROOT/build}"
USCOPE="$BUILD_DIR/uscope"
UMARK="$BUILD_DIR/umark"
UMARK_NOPIE="$BUILD_DIR/umark-nopie"
LIBUMARK="$BUILD_DIR/libumark.so"

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

# drop_summary FILE: remove uscope's last --json record, {"summary": true, ...}
# (its own tests are in house.bats), for tests about the records before it.
drop_summary() { sed -i '/^{"summary": true, /d' "$1"; }

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

# ours_exe PID: true when PID runs the uscope under test ($USCOPE), not another
# build (other checkouts, or the sanitized build, may trace at the same time).
ours_exe() { [[ "$(readlink /proc/"$1"/exe 2>/dev/null)" == "$(readlink -f "$USCOPE")" ]]; }

# foreign_prog_ids: BPF program ids held open by uscope processes other than
# ours ($USCOPE_PID), and by guardians of other builds: other sessions may
# trace on this machine at the same time.
foreign_prog_ids() {
	local p
	for p in $(pgrep -x uscope) $(pgrep -x uscope-guard); do
		[[ "$p" == "${USCOPE_PID:-}" ]] && continue
		[[ "$(cat /proc/"$p"/comm 2>/dev/null)" == uscope-guard ]] && ours_exe "$p" && continue
		grep -h '^prog_id:' /proc/"$p"/fdinfo/* 2>/dev/null | awk '{ print $2 }'
	done | sort -u
}

# orphan_guardians: uscope-guard processes (the guardian that holds a uscope's
# links, loader/guardian.h) whose uscope is gone: they are still detaching.
# The guardian's pidfd of its uscope says "Pid: -1" once that one is reaped;
# a guardian none of whose pidfds names a live uscope is an orphan.
orphan_guardians() {
	local g p mine
	for g in $(pgrep -x uscope-guard); do
		ours_exe "$g" || continue
		mine=
		for p in $(awk '$1 == "Pid:" { print $2 }' /proc/"$g"/fdinfo/* 2>/dev/null); do
			[[ "$p" != -1 ]] && alive "$p" && [[ $(cat /proc/"$p"/comm 2>/dev/null) == uscope ]] && mine=1
		done
		[[ -z "$mine" ]] && alive "$g" && echo "$g"
	done
	return 0
}

# wait_guardians [SECONDS]: wait until no guardian outlives its uscope (default 15 s: a
# detach waits for RCU grace periods, which a loaded machine can stretch to seconds).
wait_guardians() {
	local i limit=$(( ${1:-15} * 20 ))
	for ((i = 0; i < limit; i++)); do
		[[ -z "$(orphan_guardians)" ]] && return 0
		sleep 0.05
	done
	echo "guardian(s) still running ${1:-15} s after their uscope ended: $(orphan_guardians)" >&2
	return 1
}

# stray_uscope_progs: ids of loaded uscope programs (generic_entry,
# generic_return, usdt_site, loader_brk) that no running uscope process holds.
stray_uscope_progs() {
	local foreign
	foreign=$(foreign_prog_ids | tr '\n' ' ')
	bpftool prog show | awk -v f=" $foreign" '
		$1 ~ /^[0-9]+:$/ {
			id = $1; sub(/:$/, "", id)
			for (i = 2; i < NF; i++)
				if ($i == "name" && ($(i + 1) == "generic_entry" || $(i + 1) == "generic_return" || $(i + 1) == "usdt_site" || $(i + 1) == "loader_brk") && index(f, " " id " ") == 0)
					print id
		}'
}

# no_uscope_links: no uscope program is loaded, hence no link (uprobe_multi or
# perf_event) can use one, except for programs held by other uscope processes
# still running. First waits for the guardians of uscopes that ended to finish
# their detach; then allows the kernel its grace period (up to 1 s) to free
# the programs of links closed a moment ago (ours, or another session's).
no_uscope_links() {
	local progs i
	wait_guardians || return 1
	for ((i = 0; i < 20; i++)); do
		progs=$(stray_uscope_progs) || { echo "no_uscope_links: bpftool failed" >&2; return 1; }
		[[ -z "$progs" ]] && return 0
		sleep 0.05
	done
	echo "uscope programs still loaded: ${progs//$'\n'/ }" >&2
	bpftool link list >&2
	return 1
}

# private_umark: copies of umark, umark-nopie and libumark.so in $TMP/bin
# (PUMARK, PUMARK_NOPIE, PLIBUMARK), whose inodes no other session traces or
# runs; for tests that trace a binary system-wide or need it untraced.
private_umark() {
	mkdir -p "$TMP/bin"
	cp "$UMARK" "$UMARK_NOPIE" "$LIBUMARK" "$TMP/bin/"
	PUMARK=$TMP/bin/umark PUMARK_NOPIE=$TMP/bin/umark-nopie PLIBUMARK=$TMP/bin/libumark.so
}

# ---------------------------------------------------------------------------
# readelf oracles.  These parse readelf's text with awk only (no uscope code),
# so they are an independent view of what the ELF file says.

# mawk has no strtonum: hex string (with or without 0x) to a number.
_HEXFN='function hex(s,  i, v) { v = 0; s = tolower(s); sub(/^0x/, "", s)
	for (i = 1; i <= length(s); i++) v = v * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1
	return v }'

# _phdr_awk: awk code that collects PT_LOAD lines of `readelf -lW` into
# seg_off/seg_va/seg_fsz/seg_msz/seg_x arrays and provides
# foff(addr, need_exec, use_memsz): the file offset of addr (-1 if no segment).
_PHDR_AWK='
$1 == "LOAD" && $2 ~ /^0x/ {
	nseg++; seg_off[nseg] = hex($2); seg_va[nseg] = hex($3)
	seg_fsz[nseg] = hex($5); seg_msz[nseg] = hex($6)
	fl = ""; for (f = 7; f < NF; f++) fl = fl $f; seg_x[nseg] = (fl ~ /E/)
	next
}
function foff(a, need_exec, use_memsz,  s, sz) {
	for (s = 1; s <= nseg; s++) {
		if (need_exec && !seg_x[s]) continue
		sz = use_memsz ? seg_msz[s] : seg_fsz[s]
		if (a >= seg_va[s] && a < seg_va[s] + sz) return a - seg_va[s] + seg_off[s]
	}
	return -1
}'

# readelf_funcs BINARY: "name address size bind offset" for every defined
# FUNC/IFUNC symbol (.symtab and .dynsym, version suffix dropped), sorted,
# duplicates removed; offset from the PT_LOAD that holds the address.
readelf_funcs() {
	{ readelf -lW "$1"; readelf -sW "$1"; } | awk "$_HEXFN $_PHDR_AWK"'
		NF >= 8 && $1 ~ /^[0-9]+:$/ && ($4 == "FUNC" || $4 == "IFUNC") && $7 != "UND" {
			n = $8; sub(/@.*/, "", n); a = hex($2)
			printf "%s %.0f %s %s %.0f\n", n, a, $3, tolower($5), foff(a, 0, 0)
		}' | sort -u
}

# uscope_funcs BINARY [GLOB...]: uscope funcs --json in the same format.
uscope_funcs() {
	"$USCOPE" funcs --json "$@" | jq -r '"\(.name) \(.address) \(.size) \(.bind) \(.offset)"' | sort -u
}

# readelf_usdt BINARY: one TSV line per stapsdt note:
#   provider name address offset base semaphore semaphore_offset args
# address/base/semaphore as readelf prints them (in decimal); offset = file
# offset of the location (adjusted by .stapsdt.base like a prelinked file
# would need) via the executable PT_LOAD; semaphore_offset via the PT_LOAD
# holding it (0 if there is no semaphore).
readelf_usdt() {
	{ readelf -lW "$1"; readelf -SW "$1"; readelf -nW "$1"; } | awk "$_HEXFN $_PHDR_AWK"'
		BEGIN { OFS = "\t" }
		{ for (f = 1; f < NF; f++) if ($f == ".stapsdt.base") sbase = hex($(f + 2)) }
		/^ +stapsdt .*Provider: / { prov = $NF; next }
		/^ +Name: / { name = $2; next }
		/^ +Location: / {
			loc = $2; base = $4; sem = $6; sub(/,$/, "", loc); sub(/,$/, "", base)
			loc = hex(loc); base = hex(base); sem = hex(sem); next
		}
		/^ +Arguments:/ {
			args = $0; sub(/^ +Arguments: ?/, "", args)
			adj = loc + (sbase != "" ? sbase - base : 0)
			printf "%s\t%s\t%.0f\t%.0f\t%.0f\t%.0f\t%.0f\t%s\n", prov, name, loc,
				foff(adj, 1, 0), base, sem, sem ? foff(sem, 0, 1) : 0, args
		}'
}

# uscope_usdt_tsv: uscope usdt --json lines on stdin in readelf_usdt's format,
# prefixed with the binary when called as uscope_usdt_tsv --binary.
uscope_usdt_tsv() {
	if [[ "${1:-}" == --binary ]]; then
		jq -r '[.binary, .provider, .name, .address, .offset, .base, .semaphore, .semaphore_offset, .args] | @tsv'
	else
		jq -r '[.provider, .name, .address, .offset, .base, .semaphore, .semaphore_offset, .args] | @tsv'
	fi
}

# ---------------------------------------------------------------------------
# Counts.

# expect_counts OUT ERR KIND NAME...: for every NAME, the count uscope printed
# (JSON count line in OUT, kind KIND) equals the nonzero count in umark's
# summary (ERR).  A probe printed twice with the same kind is an error too.
# Prints every mismatch; fails if there is any.
expect_counts() {
	local out=$1 err=$2 kind=$3
	shift 3
	jq -r --arg k "$kind" 'select(.count != null and .kind == $k) | "got \(.probe) \(.count)"' "$out" > "$out.$kind.cnt" || return 1
	awk -v names="$*" '
		FILENAME == ARGV[1] { if ($2 in got) dup[$2] = 1; got[$2] = $3; next }
		$1 == "umark:" && ($2 == "calls" || $2 == "usdt") { want[$3] = $4 }
		END {
			n = split(names, a, " ")
			for (i = 1; i <= n; i++) {
				w = want[a[i]]; g = (a[i] in got) ? got[a[i]] : 0
				if (w == "" || w == 0) { print "umark reports no calls/fires of " a[i]; bad = 1 }
				else if (g != w) { print a[i] ": uscope " g ", umark " w; bad = 1 }
				if (a[i] in dup) { print a[i] ": uscope printed more than one count line"; bad = 1 }
			}
			exit bad
		}' "$out.$kind.cnt" "$err"
}

# count_probes OUT: the probe names uscope printed count lines for (sorted).
count_probes() { jq -r 'select(.count != null) | .probe' "$1" | sort -u; }

# umark_pid FILE: the PID umark announced on its stderr.
umark_pid() { awk '$1 == "umark:" && $2 == "pid" { print $3; exit }' "$1"; }

# umark_checksum FILE: the checksum in umark's summary.
umark_checksum() { awk '$1 == "umark:" && $2 == "checksum" { print $3 }' "$1"; }

# ---------------------------------------------------------------------------
# Background processes.  Launched with 3>&- so bats does not wait on them.

# trace_umark "UMARK-ARGS" TRACE-ARGS...: uscope trace -x $UMARK -c 'sh -c
# exec umark ...' so that umark's stdout/stderr go to $TMP/umark.out and
# $TMP/umark.err (the oracle) and uscope's to $TMP/out and $TMP/err.  The sh
# execs umark, so the traced PID is umark's.  BIN overrides the binary.
trace_umark() {
	local bin=${BIN:-$UMARK} uargs=$1
	shift
	"$USCOPE" trace -x "$bin" -c "sh -c 'exec $bin $uargs > $TMP/umark.out 2> $TMP/umark.err'" "$@" > "$TMP/out" 2> "$TMP/err"
}

# start_umark ARGS...: run umark ($UMARK_BIN if set) in the background (stdout $TMP/umark.out,
# stderr $TMP/umark.err), set UMARK_PID, wait for its "umark: pid" line.
start_umark() {
	: > "$TMP/umark.err"
	"${UMARK_BIN:-$UMARK}" "$@" > "$TMP/umark.out" 2> "$TMP/umark.err" 3>&- &
	UMARK_PID=$!
	wait_for "$TMP/umark.err" '^umark: pid '
}

# start_umark_gated ARGS...: like start_umark with -w, its stdin a FIFO held
# open in UMARK_GATE; release_umark lets it start its iterations.
start_umark_gated() {
	mkfifo "$TMP/gate"
	"${UMARK_BIN:-$UMARK}" -w "$@" < "$TMP/gate" > "$TMP/umark.out" 2> "$TMP/umark.err" 3>&- &
	UMARK_PID=$!
	exec {UMARK_GATE}> "$TMP/gate"
	wait_for "$TMP/umark.err" '^umark: pid '
}
release_umark() { echo go >&"$UMARK_GATE"; exec {UMARK_GATE}>&-; UMARK_GATE=; }

# start_uscope ARGS...: uscope in the background (stdout $TMP/out, stderr
# $TMP/err), set USCOPE_PID, wait until it reports it is attached.
start_uscope() {
	# Truncate here, not in the child: wait_for must not see a previous run's line.
	: > "$TMP/out"
	: > "$TMP/err"
	# (the subshell execs uscope, so $! is uscope; it must not hold the gate)
	(
		[[ -z "${UMARK_GATE:-}" ]] || exec {UMARK_GATE}>&-
		exec "$USCOPE" "$@"
	) > "$TMP/out" 2> "$TMP/err" 3>&- &
	USCOPE_PID=$!
	wait_for "$TMP/err" '^Attached '
}

# alive PID: the process exists and is not a zombie.
alive() {
	local st
	st=$(awk '{ sub(/^.*\) /, ""); print $1 }' "/proc/$1/stat" 2>/dev/null) || return 1
	[[ -n "$st" && "$st" != Z ]]
}

# wait_gone PID [SECONDS]: wait until PID has exited (default 10 s).
wait_gone() {
	local i limit=$(( ${2:-10} * 20 ))
	for ((i = 0; i < limit; i++)); do
		alive "$1" || return 0
		sleep 0.05
	done
	echo "process $1 still running after ${2:-10} s" >&2
	return 1
}

# kill_bg: teardown helper, SIGKILLs the background processes still running
# (USCOPE_PID, UMARK_PID and those listed in BG_PIDS).
kill_bg() {
	local p
	for p in ${USCOPE_PID:-} ${UMARK_PID:-} ${BG_PIDS:-}; do
		alive "$p" && { kill -KILL "$p"; wait "$p"; } 2>/dev/null
	done
	[[ -n "${UMARK_GATE:-}" ]] && { exec {UMARK_GATE}>&- ; } 2>/dev/null
	return 0
}

# wait_no_uscope_links [SECONDS]: no_uscope_links, allowing the kernel a few
# moments to release links whose last fd just went away.
wait_no_uscope_links() {
	local i limit=$(( ${1:-3} * 10 ))
	for ((i = 0; i < limit; i++)); do
		no_uscope_links 2>/dev/null && return 0
		sleep 0.1
	done
	no_uscope_links
}

# one_error_line FILE WORD...: FILE holds exactly one line, "uscope: ...",
# containing every WORD (fixed strings).
one_error_line() {
	local f=$1 w
	shift
	cat "$f"
	[[ $(wc -l < "$f") -eq 1 ]] || { echo "expected exactly one stderr line"; return 1; }
	grep -q '^uscope: ' "$f" || { echo "stderr line does not start with 'uscope: '"; return 1; }
	for w in "$@"; do
		grep -qF -- "$w" "$f" || { echo "stderr does not name '$w'"; return 1; }
	done
}

# ---------------------------------------------------------------------------
# Helpers for libraries.bats, latency.bats and trace_options.bats.

# expect_failure STATUS CULPRIT CMD...: CMD exits STATUS, prints nothing on
# stdout and one "uscope: ..." stderr line naming CULPRIT; afterwards no
# uscope program is left loaded.  Leaves the status in $st.
expect_failure() {
	local want=$1 culprit=$2
	shift 2
	st=0
	"$@" > "$TMP/stdout" 2> "$TMP/stderr" < /dev/null || st=$?
	echo "$*: exit $st"
	[[ $st -eq $want ]] || { echo "expected exit $want"; cat "$TMP/stderr"; return 1; }
	[[ ! -s "$TMP/stdout" ]] || { echo "unexpected stdout:"; cat "$TMP/stdout"; return 1; }
	one_error_line "$TMP/stderr" "$culprit"
	wait_no_uscope_links
}

# attached_paths FILE: the binaries the "Attached ..." line of FILE names, one a line.
attached_paths() {
	sed -nE 's/^Attached .* to (binaries )?(.*) via [a-z_ -]+ in [0-9.]+ ms\..*$/\2/p' "$1" | sed 's/, /\n/g'
}

# summary_field FILE WORD: the number before WORD in uscope's "Summary:" line
# (e.g. summary_field err hits, summary_field err lost).
summary_field() {
	awk -v w="$2" '$1 == "Summary:" { for (i = 2; i <= NF; i++) { f = $i; sub(/,$/, "", f); if (f == w) { print $(i - 1); exit } } }' "$1"
}

# finish_uscope [SECONDS]: wait for the background uscope (USCOPE_PID) to end
# by itself; fails unless it exits 0.
finish_uscope() {
	local st=0
	wait_gone "$USCOPE_PID" "${1:-10}"
	wait "$USCOPE_PID" || st=$?
	[[ $st -eq 0 ]] || { echo "uscope exited $st"; cat "$TMP/err"; return 1; }
}
