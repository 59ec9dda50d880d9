#!/usr/bin/env bash
# bench.sh: uscope against bpftrace (Debian's 0.17 and 0.23.5 from
# ../shared/peers) and bcc, side by side, in one run.
#
# Writes docs/BENCHMARKS.md (markdown tables) and prints the summary table.
#   a. wall time of a whole attach-to-N-functions / trace 0.2 s / detach run
#      (N = 100, 1,000, 10,000, 50,000), with uscope's own attach time;
#   b. cost per call of a probed function in a tight loop (ns/call);
#   c. peak RSS of each tool in the runs of (a);
#   d. listing functions and USDT probes of large binaries;
#   e. per-hit cost of context read in the kernel: a filter that rejects,
#      --by comm, --hist arg0, strings (issue 12; scripts/bench-context.sh);
#   f. the CET build, endbr64 skipped (issue 14), and attach time with a
#      filter over 10,000 functions (issue 12);
#   g. stacks: per-hit cost, 100,000 hits/s, naming 10,000 distinct stacks
#      (issue 13; scripts/bench-stacks.sh);
#   h. /metrics over 10,000 probes and the per-hit cost under a scraper
#      (issue 15; scripts/bench-metrics.sh).
# Targets come from scripts/gen-target.sh and are cached under build/bench/.
#
# Environment:
#   BENCH_QUICK=1   ~4-minute smoke run (fewer sizes and runs); writes
#                   build/bench/BENCHMARKS.quick.md instead of docs/BENCHMARKS.md
#   BENCH_OUT=FILE  where to write the report
#   BENCH_BOUND=S   bound of one run of a peer in seconds (default 180)
#   BENCH_SIZES="100 1000"  only these N (a small run to check the script)
#   BENCH_PEER_SIZES="100 1000"  N at which the perf-event peers run (default 100;
#                   each peer takes ~2 min at 1,000, so the full bench stays ~15 min)
#   BENCH_BPFTRACE23=PATH   bpftrace 0.23.5 (default: the build in /work/shared/peers)
#   BENCH_USCOPE=PATH       the uscope binary (default: build/uscope)
#   BENCH_PARTS="context stacks"  only these parts, of: whole percall context
#                   stacks metrics listing (default all; a partial run's report
#                   has empty tables for the others)
#
# Perf-event uprobes (bpftrace, bcc, uscope --attach perf) cost ~0.11 s EACH to
# detach here, also when the process is killed (the kernel detaches at exit), so a
# peer cannot be stopped early at large N: its teardown would still take
# N x 0.11 s. Those peers run only up to N = 1,000 and are reported beyond that
# as "> BOUND" with the estimate extrapolated from their N = 1,000 run.
set -uo pipefail

cd "$(dirname "$0")/.." || exit 1
ROOT=$PWD
# shellcheck source=scripts/bench-lib.sh
. scripts/bench-lib.sh
# shellcheck source=scripts/bench-context.sh
. scripts/bench-context.sh
# shellcheck source=scripts/bench-stacks.sh
. scripts/bench-stacks.sh
# shellcheck source=scripts/bench-metrics.sh
. scripts/bench-metrics.sh
# shellcheck source=scripts/bench-report.sh
. scripts/bench-report.sh
USCOPE=${BENCH_USCOPE:-$ROOT/build/uscope}
BDIR=$ROOT/build/bench
QUICK=${BENCH_QUICK:-0}
BOUND=${BENCH_BOUND:-180}
if [[ $QUICK == 1 ]]; then
	OUT=${BENCH_OUT:-$BDIR/BENCHMARKS.quick.md}
else
	OUT=${BENCH_OUT:-$ROOT/docs/BENCHMARKS.md}
fi

if [[ $QUICK == 1 ]]; then
	SIZES=(100 1000 10000)
	PEER_SIZES=(100)          # perf-event peers
	RUNS_FAST=3               # uscope multi
	RUNS_PEER_SMALL=1         # peers at N = 100
	RUNS_CALL=1               # per-call
	LIST_RUNS=3
	ITER=500000
	ITER_BASE=50000000
	CTX_ITER=300000           # sections e-h
	CTX_ITER_BASE=20000000
	CTX_RUNS=1
	PAIR_RUNS=2               # section 5's pairs: even, half with uscope on each twin
	STK_ITER=200000
	STK_ITER_BASE=10000000
	ATT_RUNS=3
	ATT_PEER_RUNS=1
	PACE_SECS=1
	SYM_BOUND=20
	SCRAPES=5
else
	SIZES=(100 1000 10000 50000)
	# Perf-event peers at N = 1,000 take ~7 min (their detach); BENCH_PEER_SIZES="100 1000" measures it.
	read -ra PEER_SIZES <<<"${BENCH_PEER_SIZES:-100}"
	RUNS_FAST=5
	RUNS_PEER_SMALL=3
	RUNS_CALL=5
	LIST_RUNS=5
	ITER=1500000              # ~1 s at ~700 ns per probed call
	ITER_BASE=200000000       # ~0.6 s unprobed
	CTX_ITER=500000
	CTX_ITER_BASE=50000000
	CTX_RUNS=3
	PAIR_RUNS=4
	STK_ITER=500000
	STK_ITER_BASE=20000000
	ATT_RUNS=11              # section 7: rounds of the four modes in turn
	ATT_PEER_RUNS=3
	PACE_SECS=3
	SYM_BOUND=60
	SCRAPES=20
fi
PARTS=" ${BENCH_PARTS:-whole percall context stacks metrics listing} "
part() { [[ $PARTS == *" $1 "* ]]; }
if [[ -n ${BENCH_SIZES:-} ]]; then
	read -ra SIZES <<< "$BENCH_SIZES"
	keep=()
	for n in "${PEER_SIZES[@]}"; do [[ " ${SIZES[*]} " == *" $n "* ]] && keep+=("$n"); done
	((${#keep[@]})) || keep=("${SIZES[0]}")
	PEER_SIZES=("${keep[@]}")
fi
PEER_MAX_N=${PEER_SIZES[-1]}
SIZES_RUN=("${SIZES[@]}")

mkdir -p "$BDIR"
TMP=$(mktemp -d "$BDIR/.run.XXXXXX")
T_START=$(date +%s)

# bpftrace keeps only 4,096 map keys unless told otherwise, silently (0.17
# reads BPFTRACE_MAP_KEYS_MAX, 0.23.5 BPFTRACE_MAX_MAP_KEYS).
export BPFTRACE_MAX_PROBES=100000 BPFTRACE_MAX_BPF_PROGS=100000 BPFTRACE_MAX_MAP_KEYS=100000
export BPFTRACE_MAP_KEYS_MAX=100000
export PYTHONUNBUFFERED=1       # bcc tools print "Tracing ..." to a file, unbuffered

# ---------------------------------------------------------------- processes --
BG_PIDS=()
MOUNTED_TRACEFS=0

cleanup() {
	local p
	for p in "${BG_PIDS[@]}"; do
		stop_pid "$p" INT
	done
	BG_PIDS=()
	bpf_stats_restore
	if ((MOUNTED_TRACEFS)); then
		umount /sys/kernel/tracing 2>/dev/null
	fi
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'echo "bench: interrupted" >&2; exit 130' INT TERM

# ---------------------------------------------------------------- the peers --
setup_bcc_headers() {
	# bcc compiles its programs at run time and needs kernel headers; this VM's
	# kernel ships none, so use Debian's linux-headers (any recent version is fine
	# for user-space probes), merged into one tree as bcc wants it.
	local rel common arch
	rel=$(uname -r)
	[[ -e /lib/modules/$rel/build || -e /sys/kernel/kheaders.tar.xz || -n ${BCC_KERNEL_SOURCE:-} ]] && return 0
	common=$(find /usr/src -maxdepth 1 -name 'linux-headers-*-common' 2>/dev/null | sort -V | tail -n1)
	arch=${common%-common}-amd64
	if [[ -z $common || ! -d $arch ]]; then
		BCC_SETUP_ERROR="no kernel headers for bcc (apt-get install linux-headers-amd64)"
		return 1
	fi
	if [[ ! -e $BDIR/kheaders/.done-${arch##*/} ]]; then
		rm -rf "$BDIR/kheaders"
		mkdir -p "$BDIR/kheaders"
		cp -rs "$common/." "$BDIR/kheaders/" && cp -rsf "$arch/." "$BDIR/kheaders/" &&
			touch "$BDIR/kheaders/.done-${arch##*/}"
	fi
	export BCC_KERNEL_SOURCE=$BDIR/kheaders
	BCC_HEADERS_NOTE="bcc compiled against ${arch##*/} headers (BCC_KERNEL_SOURCE; the running kernel has none)"
}

BCC_SETUP_ERROR=
BCC_HEADERS_NOTE=
TRACEFS_NOTE=
if ! mountpoint -q /sys/kernel/tracing 2>/dev/null; then
	# bpftrace and bcc look in tracefs when they detach, and print one error per
	# probe without it. A normal Debian system has it mounted.
	if mount -t tracefs nodev /sys/kernel/tracing 2>/dev/null; then
		MOUNTED_TRACEFS=1
		TRACEFS_NOTE="tracefs was mounted at /sys/kernel/tracing for the run (bpftrace and bcc look there when detaching)"
	fi
fi
log "setup: tracefs, bcc headers, kernel.bpf_stats_enabled"
bpf_stats_off
setup_bcc_headers

[[ -x $USCOPE ]] || { echo "bench: $USCOPE not built (make)" >&2; exit 1; }
# Others may rebuild build/uscope while the bench runs: use one copy throughout.
cp "$USCOPE" "$TMP/uscope" || exit 1
USCOPE=$TMP/uscope
REV=$(git rev-parse --short HEAD 2>/dev/null)
[[ -n $(git status --porcelain --untracked-files=no 2>/dev/null) ]] && REV+=" + uncommitted changes"
[[ -x /usr/bin/time ]] || { echo "bench: /usr/bin/time missing (apt-get install time)" >&2; exit 1; }
HAVE_BPFTRACE=0; have bpftrace && HAVE_BPFTRACE=1
# bpftrace 0.23.5 (uprobe_multi since 0.20): its runtime libraries come from apt.
BT23=${BENCH_BPFTRACE23:-/work/shared/peers/bpftrace-0.23.5/bin/bpftrace}
HAVE_BT23=0
if [[ -x $BT23 ]]; then
	[[ -x ${BT23%/bin/*}/install-runtime.sh ]] && "${BT23%/bin/*}/install-runtime.sh" >/dev/null 2>&1
	"$BT23" --version >/dev/null 2>&1 && HAVE_BT23=1
fi
HAVE_BCC=0; have funccount-bpfcc && HAVE_BCC=1
HAVE_TPLIST=0; have tplist-bpfcc && HAVE_TPLIST=1

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)

# ------------------------------------------------------------------ targets --
# tests/targets/bench (ctx, ctx-cet, stk): `make bench` builds them; so does a direct run.
make -s bench-targets >/dev/null || { echo "bench: make bench-targets failed" >&2; exit 1; }
declare -A TARGET BUILD_NOTE
for n in "${SIZES[@]}"; do
	if [[ -x $BDIR/target-$n && $BDIR/target-$n -nt scripts/gen-target.sh ]]; then
		BUILD_NOTE[$n]="cached"
	else
		log "building target-$n"
		t0=$(now_ns)
		if ! scripts/gen-target.sh "$n" "$BDIR" >/dev/null; then
			echo "bench: gen-target.sh $n failed" >&2
			exit 1
		fi
		BUILD_NOTE[$n]="built in $(fmt_s "$(awk -v d=$(($(now_ns) - t0)) 'BEGIN { print d / 1e9 }')")"
	fi
	TARGET[$n]=$BDIR/target-$n
done

# ------------------------------------------------ a. whole runs at N probes --
# Result per (tool, N): WALL (median s), RSS (median KB), ATTACH (uscope ms),
# CELL (what the table shows), NOTE.
declare -A WALL RSS ATTACH CELL

# run_whole TOOL N RUNS: runs TOOL's whole-run command RUNS times against target-N.
run_whole() {
	local tool=$1 n=$2 runs=$3 bin=${TARGET[$2]} i rc t0 wall rss att err
	local walls=() rsss=() atts=() cmd=()
	case $tool in
	multi) cmd=("$USCOPE" trace --attach multi --count -d 0.2 -x "$bin" 'f_*') ;;
	perf) cmd=("$USCOPE" trace --attach perf --count -d 0.2 -x "$bin" 'f_*') ;;
	bpftrace) cmd=(bpftrace -e "uprobe:$bin:f_* { @[probe] = count(); } interval:ms:200 { exit(); }") ;;
	bt23func) cmd=("$BT23" -e "uprobe:$bin:f_* { @[func] = count(); } interval:ms:200 { exit(); }") ;;
	bt23probe) cmd=("$BT23" -e "uprobe:$bin:f_* { @[probe] = count(); } interval:ms:200 { exit(); }") ;;
	bcc) cmd=(funccount-bpfcc -d 1 "$bin:f_*") ;;
	esac
	for ((i = 0; i < runs; i++)); do
		t0=$(now_ns)
		/usr/bin/time -f '%e %M' -o "$TMP/time" timeout -k 10 "$BOUND" "${cmd[@]}" >"$TMP/out" 2>&1
		rc=$?
		wall=$(awk -v d=$(($(now_ns) - t0)) 'BEGIN { printf "%.3f", d / 1e9 }')
		rss=$(tail -n1 "$TMP/time" | awk '{print $2}')
		cp "$TMP/out" "$TMP/last-$tool-$n.log"
		if ((rc == 124 || rc == 137)); then
			CELL[$tool:$n]="> $BOUND s (timeout)"
			WALL[$tool:$n]=$BOUND
			RSS[$tool:$n]=$rss
			log "$tool N=$n: timeout after $BOUND s"
			return 1
		fi
		if ((rc != 0)); then
			err=$(first_error "$TMP/out")
			CELL[$tool:$n]="error after $(fmt_s "$wall"): ${err:-exit status $rc}"
			RSS[$tool:$n]=$rss
			log "$tool N=$n: exit $rc: $err"
			return 1
		fi
		if [[ $tool == multi || $tool == perf ]]; then
			att=$(sed -nE 's/^Attached ([0-9]+) probes? .* in ([0-9.]+) ms.*/\1 \2/p' "$TMP/out" | head -n1)
			if [[ ${att%% *} != "$n" ]]; then
				CELL[$tool:$n]="attached ${att%% *} of $n?"
				log "$tool N=$n: attached '${att%% *}' probes, expected $n"
				return 1
			fi
			atts+=("${att##* }")
		fi
		walls+=("$wall")
		[[ -n $rss ]] && rsss+=("$rss")
		log "$tool N=$n run $((i + 1))/$runs: ${wall} s, ${rss} KB${att:+, attach ${att##* } ms}"
	done
	WALL[$tool:$n]=$(median "${walls[@]}")
	RSS[$tool:$n]=$(median "${rsss[@]}")
	((${#atts[@]})) && ATTACH[$tool:$n]=$(median "${atts[@]}")
	CELL[$tool:$n]=$(fmt_s "${WALL[$tool:$n]}")
	return 0
}

# not_run TOOL N: a perf-event peer above PEER_MAX_N, with an estimate.
not_run() {
	local tool=$1 n=$2 base=${WALL[$1:$PEER_MAX_N]:-}
	if [[ ${CELL[$tool:$PEER_MAX_N]:-} == error* ]]; then
		CELL[$tool:$n]="not run (failed at N=$(thousands "$PEER_MAX_N"))"
	elif [[ -n $base ]]; then
		local est
		est=$(awk -v w="$base" -v n="$n" -v m="$PEER_MAX_N" 'BEGIN { printf "%.0f", w * n / m }')
		if ((est > BOUND)); then
			CELL[$tool:$n]="> $BOUND s (est. ~$(thousands "$est") s, not run)"
		else
			CELL[$tool:$n]="not run (est. ~$(thousands "$est") s)"
		fi
	else
		CELL[$tool:$n]="not run"
	fi
}

part whole || SIZES_RUN=()
for n in "${SIZES_RUN[@]}"; do
	log "=== N=$n: whole runs (a target-$n wait process is running)"
	"${TARGET[$n]}" wait &
	wpid=$!
	BG_PIDS+=("$wpid")
	sleep 0.2

	run_whole multi "$n" "$RUNS_FAST"
	# bpftrace 0.23.5's @[func] form is one uprobe_multi link: run at every N, like uscope.
	if ((HAVE_BT23)); then
		run_whole bt23func "$n" "$RUNS_PEER_SMALL"
	else
		CELL[bt23func:$n]="not installed"
	fi

	for tool in perf bpftrace bt23probe bcc; do
		if [[ $tool == bpftrace ]] && ((!HAVE_BPFTRACE)); then CELL[$tool:$n]="not installed"; continue; fi
		if [[ $tool == bt23probe ]] && ((!HAVE_BT23)); then CELL[$tool:$n]="not installed"; continue; fi
		if [[ $tool == bcc ]] && ((!HAVE_BCC)); then CELL[$tool:$n]="not installed"; continue; fi
		if [[ $tool == bcc && -n $BCC_SETUP_ERROR ]]; then CELL[$tool:$n]="error: $BCC_SETUP_ERROR"; continue; fi
		if ((n > PEER_MAX_N)); then
			not_run "$tool" "$n"
			continue
		fi
		# a peer that already failed or timed out at a smaller N is not run again
		prev=
		for m in "${PEER_SIZES[@]}"; do
			((m < n)) || break
			[[ ${CELL[$tool:$m]:-} == error* || ${CELL[$tool:$m]:-} == ">"* ]] && prev=$m
		done
		if [[ -n $prev ]]; then
			CELL[$tool:$n]="not run (${CELL[$tool:$prev]%% (*} at N=$(thousands "$prev"))"
			continue
		fi
		runs=$RUNS_PEER_SMALL
		((n >= 1000)) && runs=1
		run_whole "$tool" "$n" "$runs"
	done

	stop_pid "$wpid" TERM
	forget_pid "$wpid"
done

# -------------------------------------------------- b. cost per probed call --
BIN100=${TARGET[100]}
CC_TARGET="$BIN100 loop" CC_ITER=$ITER CC_ITER_BASE=$ITER_BASE CC_RUNS=$RUNS_CALL CC_BASE="b|no probe"
part percall && {
log "=== per-call cost: target-100 loop $ITER (no probe: $ITER_BASE)"
call_cost "b|no probe" "" seen_none f_0
call_cost "b|uscope --noop (floor)" "Attached" seen_none f_0 "$USCOPE" trace -x "$BIN100" --noop f_0
call_cost "b|uscope --count" "Attached" seen_uscope f_0 "$USCOPE" trace -x "$BIN100" --count f_0
CC_QUIET=1 call_cost "b|uscope (events)" "Attached" seen_uscope_events f_0 "$USCOPE" trace -x "$BIN100" f_0
if ((HAVE_BPFTRACE)); then
	call_cost "b|bpftrace 0.17" "Attaching 1 probe" seen_bpftrace f_0 bpftrace -e "uprobe:$BIN100:f_0 { @ = count(); }"
fi
if ((HAVE_BT23)); then
	call_cost "b|bpftrace 0.23.5" "Attaching 1 probe" seen_bpftrace f_0 "$BT23" -e "uprobe:$BIN100:f_0 { @ = count(); }"
fi
if ((HAVE_BCC)) && [[ -z $BCC_SETUP_ERROR ]]; then
	call_cost "b|bcc funccount" "Tracing 1 functions" seen_funccount f_0 funccount-bpfcc "$BIN100:f_0"
fi
}
B_ROWS=("b|no probe" "b|uscope --noop (floor)" "b|uscope --count" "b|uscope (events)" "b|bpftrace 0.17"
	"b|bpftrace 0.23.5" "b|bcc funccount")

# ------------------------------------- e-h. context, CET, stacks, metrics --
part context && bench_context   # issue 12 (filters, keys, histograms, strings) and 14 (CET)
part stacks && bench_stacks     # issue 13
part metrics && bench_metrics   # issue 15

# ------------------------------------------------------------- d. listing --
declare -A LT LC
LIST_BINS=()
add_bin() { local b; b=$(readlink -f "$1" 2>/dev/null) || return 0; [[ -f $b ]] || return 0
	for x in "${LIST_BINS[@]}"; do [[ $x == "$b" ]] && return 0; done; LIST_BINS+=("$b"); }
add_bin /usr/lib/x86_64-linux-gnu/libc.so.6
add_bin /usr/lib/x86_64-linux-gnu/libstdc++.so.6
for pg in /usr/lib/postgresql/*/bin/postgres; do [[ -f $pg ]] && add_bin "$pg"; done
if [[ $QUICK != 1 ]]; then
	# the largest shared library and the largest executable on the machine
	big_so=$(find /usr/lib /usr/lib64 -xdev -type f -name '*.so*' -size +1M -printf '%s %p\n' 2>/dev/null | sort -rn | head -n1 | cut -d' ' -f2-)
	[[ -n $big_so ]] && add_bin "$big_so"
	big_exe=$(find /usr/bin /usr/sbin /usr/local/bin -xdev -type f -perm -u+x -size +1M -printf '%s %p\n' 2>/dev/null | sort -rn |
		while read -r _ f; do head -c4 "$f" | grep -q 'ELF' && { echo "$f"; break; }; done)
	[[ -n $big_exe ]] && add_bin "$big_exe"
fi
add_bin "${TARGET[${SIZES[-1]}]}"

# list_one KEY COUNT-FILTER CMD...: median wall ms over LIST_RUNS, entries counted
list_one() {
	local key=$1 filter=$2 i t0 ts=() rc
	shift 2
	for ((i = 0; i < LIST_RUNS; i++)); do
		t0=$(now_ns)
		timeout 120 "$@" >"$TMP/list" 2>"$TMP/list.err"
		rc=$?
		ts+=("$(awk -v d=$(($(now_ns) - t0)) 'BEGIN { printf "%.1f", d / 1e6 }')")
	done
	if ((rc == 124)); then
		LT[$key]="> 120 s"; LC[$key]="-"; return
	fi
	LT[$key]=$(median "${ts[@]}")
	LC[$key]=$(eval "$filter" <"$TMP/list")
	if ((rc != 0)); then LC[$key]="error: $(first_error "$TMP/list.err")"; fi
}

log "=== listing"
part listing || LIST_BINS=()
for b in "${LIST_BINS[@]}"; do
	list_one "ufuncs:$b" "awk 'NR > 1' | wc -l" "$USCOPE" funcs "$b"
	((HAVE_BPFTRACE)) && list_one "btl:$b" "grep -c '^uprobe:'" bpftrace -l "uprobe:\"$b\":*"
	list_one "uusdt:$b" "grep -cE '^[^ /]+:[^ ]+ +0x'" "$USCOPE" usdt "$b"
	((HAVE_TPLIST)) && list_one "tpl:$b" "grep -c ' '" tplist-bpfcc -l "$b"
	log "listing $b: uscope funcs ${LT[ufuncs:$b]} ms (${LC[ufuncs:$b]}), bpftrace -l ${LT[btl:$b]:-} ms (${LC[btl:$b]:-})"
done

# ------------------------------------------------------------------ report --
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)
T_TOTAL=$(($(date +%s) - T_START))

cell_ratio() { # TOOL N -> cell with "(Nx uscope)" when it has a number
	local c=${CELL[$1:$2]:-n/a}
	if [[ $c =~ ^[0-9.]+\ s$ && -n ${WALL[multi:$2]:-} ]]; then
		c="$c ($(ratio "${WALL[$1:$2]}" "${WALL[multi:$2]}"))"
	fi
	printf '%s' "$c"
}

summary_table() {
	echo "| functions | uscope (uprobe_multi) | of which attach | uscope --attach perf | bpftrace 0.17 \`@[probe]\` | bpftrace 0.23.5 \`@[func]\` | bpftrace 0.23.5 \`@[probe]\` | bcc funccount |"
	echo "|---:|---:|---:|---:|---:|---:|---:|---:|"
	for n in "${SIZES[@]}"; do
		att=${ATTACH[multi:$n]:-}
		printf '| %s | %s | %s | %s | %s | %s | %s | %s |\n' "$(thousands "$n")" "${CELL[multi:$n]:-n/a}" \
			"${att:+$att ms}" "$(cell_ratio perf "$n")" "$(cell_ratio bpftrace "$n")" \
			"$(cell_ratio bt23func "$n")" "$(cell_ratio bt23probe "$n")" "$(cell_ratio bcc "$n")"
	done
}

percall_table() { hit_table "b|uscope --noop (floor)" "${B_ROWS[@]}"; }

rss_table() {
	echo "| functions | uscope (uprobe_multi) | uscope --attach perf | bpftrace 0.17 \`@[probe]\` | bpftrace 0.23.5 \`@[func]\` | bpftrace 0.23.5 \`@[probe]\` | bcc funccount |"
	echo "|---:|---:|---:|---:|---:|---:|---:|"
	for n in "${SIZES[@]}"; do
		printf '| %s' "$(thousands "$n")"
		for tool in multi perf bpftrace bt23func bt23probe bcc; do
			r=${RSS[$tool:$n]:-}
			if [[ -n $r && ${CELL[$tool:$n]:-} != "not run"* && ${CELL[$tool:$n]:-} != ">"*"not run)" ]]; then
				printf ' | %s' "$(fmt_mb "$r")"
			else
				printf ' | -'
			fi
		done
		echo ' |'
	done
}

list_table() {
	echo "| binary | size | uscope funcs | bpftrace -l 'uprobe:BIN:*' | uscope usdt | tplist-bpfcc -l |"
	echo "|---|---:|---:|---:|---:|---:|"
	for b in "${LIST_BINS[@]}"; do
		sz=$(stat -c %s "$b" | awk '{ printf "%.1f MB", $1 / 1048576 }')
		# shellcheck disable=SC2016
		printf '| `%s` | %s | %s ms (%s) | %s | %s ms (%s) | %s |\n' "${b/#$ROOT\//}" "$sz" \
			"${LT[ufuncs:$b]}" "${LC[ufuncs:$b]}" \
			"$([[ -n ${LT[btl:$b]:-} ]] && echo "${LT[btl:$b]} ms (${LC[btl:$b]})" || echo n/a)" \
			"${LT[uusdt:$b]}" "${LC[uusdt:$b]}" \
			"$([[ -n ${LT[tpl:$b]:-} ]] && echo "${LT[tpl:$b]} ms (${LC[tpl:$b]})" || echo n/a)"
	done
}

CPU=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
MEM=$(awk '/^MemTotal/ { printf "%.1f GB", $2 / 1048576 }' /proc/meminfo)
V_USCOPE=$("$USCOPE" --version 2>&1 | head -n1)
V_BPFTRACE=$( ((HAVE_BPFTRACE)) && bpftrace --version 2>&1 | head -n1 || echo "bpftrace (Debian) not installed")
V_BT23=$( ((HAVE_BT23)) && "$BT23" --version 2>&1 | head -n1 || echo "bpftrace 0.23.5 not found")
V_BCC=$(dpkg-query -W -f '${Version}' bpfcc-tools 2>/dev/null || echo "not installed")
V_GCC=$(gcc --version | head -n1)
NOFILE=$(ulimit -Hn)
mode=full; [[ $QUICK == 1 ]] && mode="quick (BENCH_QUICK=1)"

build_notes=
for n in "${SIZES[@]}"; do build_notes+="target-$n ${BUILD_NOTE[$n]}; "; done

if ((PEER_MAX_N >= 1000)); then
	PEER_RUN_NOTE=" and 1 run at N = 1,000"
else
	PEER_RUN_NOTE=" (the perf-event peers run at N = 100 only, unless BENCH_PEER_SIZES=\"100 1000\")"
fi
mkdir -p "$(dirname "$OUT")"
{
cat <<EOF
# Benchmarks

Generated by \`scripts/bench.sh\` (\`make bench\`); do not edit by hand, run it again.

**Method.** Every tool runs on the same machine in the same run, one after the other,
never two at once. The targets are generated by \`scripts/gen-target.sh N\`: N global
\`noinline\` functions \`f_0 ... f_{N-1}\`, compiled with \`-O2 -fno-omit-frame-pointer
-fno-ipa-icf\`, so that each one starts with \`push %rbp\`, which the kernel emulates at a
uprobe (the cheap case; an instruction that must be single-stepped costs ~10x more per
hit on this VM, whatever the tool). Wall times are measured with \`date +%s%N\`, peak RSS
with \`/usr/bin/time -f %M\`; each figure is the median of the runs stated. While the
whole runs of table 1 happen, a \`target-N wait\` process is alive, so every probe is
also installed into a running process; the tracers attach system-wide (no \`-p\`).
bpftrace and bcc (and \`uscope --attach perf\`) make one perf-event uprobe per
function, and on this kernel each one costs ~0.11 s to detach, serialized (three RCU
grace periods), also when the process is killed: so they run only up to N = $(thousands "$PEER_MAX_N") and
beyond that are reported as "> bound" with the time extrapolated from N = $(thousands "$PEER_MAX_N")
(bpftrace would also need two file descriptors per probe, and the hard limit here is
$(thousands "$NOFILE")). One run of a peer is bounded by \`timeout $BOUND\`. The other machines'
load matters: RCU grace periods, and with them the detach times of the perf-event
peers, vary with what else runs (the load average is given below).

Machine: $(nproc) vCPUs, $CPU, $MEM; kernel $(uname -r); $(sed -n 's/^PRETTY_NAME="\(.*\)"/\1/p' /etc/os-release).
Tools: $V_USCOPE (built from ${REV:-?}); $V_BPFTRACE (Debian); $V_BT23 (../shared/peers); bcc (bpfcc-tools) $V_BCC; $V_GCC.
Date: $(date -u '+%Y-%m-%d %H:%M UTC'); mode: $mode; the bench took $((T_TOTAL / 60)) min $((T_TOTAL % 60)) s.
Load average before / after: $LOAD_BEFORE / $LOAD_AFTER.
Targets: ${build_notes%; }.
EOF
[[ -n $TRACEFS_NOTE ]] && echo "Note: $TRACEFS_NOTE."
[[ -n $BCC_HEADERS_NOTE ]] && echo "Note: $BCC_HEADERS_NOTE."
[[ -n $BPF_STATS_NOTE ]] && echo "Note: $BPF_STATS_NOTE."
cat <<EOF

## 1. Attach to every function of target-N, trace 0.2 s, detach: wall time of the whole run

Median of $RUNS_FAST runs for uscope; of $RUNS_PEER_SMALL for the peers at N = 100$PEER_RUN_NOTE. In parentheses: the ratio to uscope's time at the same N.

- uscope: \`uscope trace --attach multi --count -d 0.2 -x target-N 'f_*'\` (one
  uprobe_multi link, one BPF program). "of which attach" is uscope's own report
  ("Attached N probes ... in X ms").
- uscope --attach perf: the same with one perf-event uprobe per function.
- bpftrace 0.17 (Debian): \`bpftrace -e 'uprobe:target-N:f_* { @[probe] = count(); } interval:ms:200 { exit(); }'\`
  with \`BPFTRACE_MAX_PROBES\` and \`BPFTRACE_MAX_BPF_PROGS\` raised to 100,000 (one program and
  one perf-event uprobe per function; 0.17 predates uprobe_multi).
- bpftrace 0.23.5 \`@[func]\`: the same with \`@[func]\`: one program, one uprobe_multi link for all
  functions (bpftrace 0.20+), so it runs at every N like uscope; \`BPFTRACE_MAX_MAP_KEYS\` raised to
  100,000 (its default, 4,096, drops keys silently).
- bpftrace 0.23.5 \`@[probe]\`: the probe's name as key makes bpftrace expand one program and one
  link per function, like 0.17; a perf-event-style peer (up to N = $(thousands "$PEER_MAX_N")).
- bcc: \`funccount-bpfcc -d 1 'target-N:f_*'\` (its \`-d\` takes whole seconds: it traces
  0.8 s longer than the others).

EOF
summary_table
cat <<EOF

## 2. Cost per call of a probed function

\`target-100 loop $ITER\` calls \`f_0\` in a tight loop and reports ns/call from
\`clock_gettime(CLOCK_MONOTONIC)\` around the loop ("no probe": \`loop $ITER_BASE\`). The
tracer is started first, attached to \`f_0\` system-wide; when it reports that it is
attached (plus 0.5 s) the target runs, then the tracer is stopped with SIGINT. Median of
$RUNS_CALL runs, a new tracer each run. The floor is \`uscope trace --noop\`: the same
uprobe_multi attachment with an empty BPF program, i.e. what the kernel's uprobe costs
by itself. "uscope (events)" streams one event per call through the ring buffer to
stdout (redirected to /dev/null). "The tracer counted" is what the tracer itself reported
for f_0, as a check that the probe was there all along: the target makes exactly
$(thousands "$ITER") calls (\`--noop\` counts nothing). Other sessions' load makes single
runs noisy (see min-max); compare medians.

EOF
percall_table
cat <<EOF

## 3. Peak RSS in the whole runs of table 1

Median peak RSS (\`/usr/bin/time -f %M\`, the tool's process; for bcc the Python process
that also runs clang) in the same runs as table 1; "-" where the tool was not run.

EOF
rss_table
cat <<EOF

## 4. Listing functions and USDT probes

Wall time, median of $LIST_RUNS runs, and in parentheses the number of entries listed. The
binaries are libc, libstdc++, postgres if installed, the largest shared library and the
largest executable found on the machine, and the largest benchmark target. bpftrace
also reads the separate debug file (\`.gnu_debuglink\`, e.g. libc6-dbg) when one is installed and
lists its local symbols too; \`uscope funcs\` reads the same debug file (build ID or \`.gnu_debuglink\`) and merges \`.dynsym\`.
\`uscope usdt\` counts probe sites; \`tplist -l\` lists one line per provider:name.

EOF
list_table
report_new_sections
} >"$OUT"

echo
echo "Benchmark summary ($mode, $((T_TOTAL / 60)) min $((T_TOTAL % 60)) s; full report: ${OUT/#$ROOT\//})"
echo
summary_table
echo
percall_table
report_new_summary
echo
rss_table
