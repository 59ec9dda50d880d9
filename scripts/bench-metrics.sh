# bench-metrics.sh: how fast uscope's /metrics answers over 10,000 probes
# (--count and --latency, text and OpenMetrics), and whether a scraper polling
# every 100 ms changes the per-hit cost (issue 15). Sourced by scripts/bench.sh.
# shellcheck shell=bash

OPENMETRICS_ACCEPT='Accept: application/openmetrics-text; version=1.0.0'

free_port() { # a TCP port nothing listens on
	local p
	for ((p = 19400 + RANDOM % 500; p < 20000; p++)); do
		ss -Hltn "sport = :$p" 2>/dev/null | grep -q . || { echo "$p"; return 0; }
	done
	return 1
}

# metrics_start PORT ARGS...: uscope trace --metrics 127.0.0.1:PORT ARGS in the
# background (MPID) until /metrics answers; 1 if it never does.
metrics_start() {
	local port=$1 i
	shift
	env --default-signal=INT "$USCOPE" trace --metrics "127.0.0.1:$port" "$@" >"$TMP/m.out" 2>"$TMP/m.err" &
	MPID=$!
	BG_PIDS+=("$MPID")
	for ((i = 0; i < 600; i++)); do
		curl -s -o /dev/null "http://127.0.0.1:$port/metrics" && return 0
		kill -0 "$MPID" 2>/dev/null || break
		sleep 0.1
	done
	MET_NOTE="uscope --metrics did not answer: $(first_error "$TMP/m.err")"
	stop_pid "$MPID" INT
	forget_pid "$MPID"
	return 1
}

# scrape_times CONF PORT [HEADER]: MET[CONF] = median ms of SCRAPES scrapes,
# MET_SIZE[CONF] = bytes, MET_SERIES[CONF] = hits series in the body.
declare -A MET MET_SIZE MET_SERIES
scrape_times() {
	local conf=$1 port=$2 hdr=${3:-} i ts=() h=()
	[[ -n $hdr ]] && h=(-H "$hdr")
	for ((i = 0; i < SCRAPES; i++)); do
		ts+=("$(curl -s "${h[@]}" -o "$TMP/m.body" -w '%{time_total}' "http://127.0.0.1:$port/metrics" |
			awk '{ printf "%.2f", $1 * 1000 }')")
	done
	MET[$conf]=$(median "${ts[@]}")
	MET_SIZE[$conf]=$(stat -c %s "$TMP/m.body")
	MET_SERIES[$conf]=$(grep -c '^uscope_probe_hits_total{' "$TMP/m.body")
	log "metrics $conf: ${MET[$conf]} ms, ${MET_SIZE[$conf]} bytes, ${MET_SERIES[$conf]} hits series"
}

bench_metrics_scrapes() {
	local t port mode
	t=$(scripts/gen-target.sh 10000 "$BDIR") || { MET_NOTE="gen-target.sh 10000 failed"; return 1; }
	for mode in count latency; do
		port=$(free_port) || { MET_NOTE="no free port"; return 1; }
		log "=== /metrics over 10,000 probes (--$mode), $SCRAPES scrapes each"
		metrics_start "$port" "--$mode" -x "$t" 'f_*' || return 1
		# every probe has hits (and latency samples) before the scrapes
		"$t" all 3 >/dev/null
		scrape_times "$mode:text" "$port"
		scrape_times "$mode:om" "$port" "$OPENMETRICS_ACCEPT"
		stop_pid "$MPID" INT
		forget_pid "$MPID"
	done
}

metrics_table() {
	local conf label ms
	echo "| \`/metrics\`, uscope \`--metrics\` over 10,000 probes of target-10000 | median response | body | hits series | target (from the issue) |"
	echo "|---|---:|---:|---:|---|"
	[[ -n ${MET_NOTE:-} ]] && echo "| $MET_NOTE | | | | |"
	for conf in count:text count:om latency:text latency:om; do
		[[ -n ${MET[$conf]:-} ]] || continue
		label="\`--${conf%%:*}\`, $([[ $conf == *:om ]] && echo "OpenMetrics (\`$OPENMETRICS_ACCEPT\`)" || echo "text 0.0.4")"
		ms=${MET[$conf]}
		printf '| %s | %s ms | %s | %s | < 50 ms: %s |\n' "$label" "$ms" "$(fmt_mb "$((MET_SIZE[$conf] / 1024))")" \
			"$(thousands "${MET_SERIES[$conf]}")" "$(awk -v m="$ms" 'BEGIN { print m < 50 ? "**met**" : "**not met**" }')"
	done
}

# The per-hit cost with 10,000 probes served, with and without a scraper.
bench_metrics_hits() {
	local t port
	t=$(scripts/gen-target.sh 10000 "$BDIR") || return 1
	port=$(free_port) || return 1
	CC_ITER=$CTX_ITER CC_ITER_BASE=$CTX_ITER_BASE CC_RUNS=$CTX_RUNS
	CC_TARGET="$t loop" CC_BASE="m|no probe (target-10000)"
	log "=== per-hit cost under a scraper: target-10000 loop $CTX_ITER"
	call_cost "m|no probe (target-10000)" "" seen_none f_0
	call_cost "m|uscope --metrics --count 'f_*', no scraper" Attached seen_none f_0 \
		"$USCOPE" trace --metrics "127.0.0.1:$port" --count -x "$t" 'f_*'
	CC_DURING="while :; do curl -s -o /dev/null http://127.0.0.1:$port/metrics; sleep 0.1; done" \
		call_cost "m|uscope --metrics --count 'f_*', scraped every 100 ms" Attached seen_none f_0 \
		"$USCOPE" trace --metrics "127.0.0.1:$port" --count -x "$t" 'f_*'
	NAME_OF["m|uscope --metrics --count 'f_*', no scraper"]="unscraped"
	TARGET_OF["m|uscope --metrics --count 'f_*', scraped every 100 ms"]="m|uscope --metrics --count 'f_*', no scraper 1.05"
}

metrics_hit_table() {
	hit_table "b|uscope --noop (floor)" "m|no probe (target-10000)" "m|uscope --metrics --count 'f_*', no scraper" \
		"m|uscope --metrics --count 'f_*', scraped every 100 ms"
}

bench_metrics() {
	MET_NOTE=
	bench_metrics_scrapes
	bench_metrics_hits
}
