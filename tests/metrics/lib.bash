# Helpers for tests/metrics.bats: free ports, uscope --metrics in the
# background, a real Prometheus (Debian's 2.42) on 127.0.0.1 scraping it
# every second with its own config and storage, and queries of its HTTP API.

# free_port: a TCP port nothing listens on now (random in 20000-59999).
free_port() {
	local p i
	for ((i = 0; i < 50; i++)); do
		p=$((20000 + RANDOM % 40000))
		ss -Htln "sport = :$p" | grep -q . || { echo "$p"; return 0; }
	done
	echo "free_port: no free port found" >&2
	return 1
}

# wait_http URL [SECONDS]: wait until URL answers 200.
wait_http() {
	local i limit=$(( ${2:-20} * 10 ))
	for ((i = 0; i < limit; i++)); do
		curl -fsS -o /dev/null --max-time 2 "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	echo "timed out waiting for $1" >&2
	return 1
}

# scrape [CURL-ARGS...]: GET uscope's /metrics (USCOPE_PORT) on stdout.
scrape() { curl -fsS --max-time 5 "$@" "http://127.0.0.1:$USCOPE_PORT/metrics"; }

# series_value NAME{LABELS}: the value of one series in a text exposition on stdin
# (the labels as uscope writes them, in order); empty if absent.
series_value() { awk -v s="$1" 'index($0, s " ") == 1 { print $NF }'; }

# start_prometheus: Prometheus on 127.0.0.1:PROM_PORT scraping uscope
# (USCOPE_PORT) every second, storage in $TMP/tsdb; waits until it is ready.
start_prometheus() {
	PROM_PORT=$(free_port)
	cat > "$TMP/prometheus.yml" <<-EOF
	global:
	  scrape_interval: 1s
	  scrape_timeout: 1s
	  evaluation_interval: 1s
	scrape_configs:
	  - job_name: uscope
	    static_configs:
	      - targets: ['127.0.0.1:$USCOPE_PORT']
	EOF
	prometheus --config.file="$TMP/prometheus.yml" --storage.tsdb.path="$TMP/tsdb" \
		--web.listen-address="127.0.0.1:$PROM_PORT" --log.level=warn \
		> "$TMP/prometheus.log" 2>&1 3>&- &
	PROM_PID=$!
	BG_PIDS="${BG_PIDS:-} $PROM_PID"
	wait_http "http://127.0.0.1:$PROM_PORT/-/ready" 30 || { cat "$TMP/prometheus.log" >&2; return 1; }
}

# stop_prometheus: SIGTERM, wait for it to be gone.
stop_prometheus() {
	[[ -n "${PROM_PID:-}" ]] || return 0
	kill -TERM "$PROM_PID" 2>/dev/null
	wait_gone "$PROM_PID" 20
}

# promql EXPR: the instant query's result vector as "labels-json value" lines, sorted.
promql() {
	curl -fsS --max-time 5 "http://127.0.0.1:$PROM_PORT/api/v1/query" --data-urlencode "query=$1" |
		jq -r 'select(.status == "success") | .data.result[] | "\(.metric | del(.instance, .job) | tojson) \(.value[1])"' |
		sort
}

# promql_value EXPR: the single value of a query that has one result.
promql_value() { promql "$1" | awk 'NR == 1 { print $NF }'; }

# wait_scraped_after T [SECONDS]: wait until Prometheus holds a scrape of
# uscope taken after unix time T (so it saw everything done before T).
wait_scraped_after() {
	local i t limit=$(( ${2:-20} * 5 ))
	for ((i = 0; i < limit; i++)); do
		t=$(promql_value 'timestamp(uscope_build_info)')
		[[ -n "$t" ]] && awk -v a="$t" -v b="$1" 'BEGIN { exit !(a > b) }' && return 0
		sleep 0.2
	done
	echo "Prometheus has no scrape after $1 (last: ${t:-none})" >&2
	cat "$TMP/prometheus.log" >&2
	curl -s "http://127.0.0.1:$PROM_PORT/api/v1/targets" >&2
	return 1
}

# start_metrics ARGS...: uscope trace --metrics 127.0.0.1:USCOPE_PORT ARGS... in the
# background (start_uscope: waits for "Attached"). Another run (other checkouts test at
# the same time) may take the free port before uscope binds it: then another port.
start_metrics() {
	local try
	for ((try = 0; try < 5; try++)); do
		USCOPE_PORT=$(free_port)
		start_uscope trace --metrics "127.0.0.1:$USCOPE_PORT" "$@" 2> /dev/null && return 0
		grep -q 'Address already in use' "$TMP/err" && ! alive "$USCOPE_PID" ||
			{ cat "$TMP/err" >&2; return 1; }
		wait "$USCOPE_PID" 2> /dev/null || true
	done
	echo "start_metrics: every port tried was taken" >&2
	return 1
}

# stop_uscope: SIGTERM the background uscope; it must exit 0 and leave nothing attached.
stop_uscope() {
	kill -TERM "$USCOPE_PID"
	finish_uscope 20
	wait_no_uscope_links
}
