#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
#
# scrape_time.sh USCOPE TARGET MODE [N]: how long does one scrape of /metrics
# take over every f_* of TARGET (scripts/gen-target.sh N), all of them hit?
# MODE is --count or --latency. Starts `uscope trace --metrics` on a free
# loopback port, runs `TARGET all` so that every function has hits (and every
# histogram buckets), then times N (default 21) scrapes of each format with
#   curl -s -o /dev/null -w '%{time_total}' http://127.0.0.1:PORT/metrics
# and prints, per format, the median and min seconds and the body size:
#   text   median 0.021 min 0.018 bytes 8823414
#   om     median 0.024 min 0.020 bytes 8900933
# A measurement for `make bench` (scripts/bench*.sh), never a test: nothing
# here asserts a duration.
set -euo pipefail

(($# >= 3)) || { echo "usage: $0 USCOPE TARGET --count|--latency [N]" >&2; exit 2; }
uscope=$1 target=$2 mode=$3 n=${4:-21}
[[ $mode == --count || $mode == --latency ]] || { echo "$0: MODE is --count or --latency" >&2; exit 2; }

tmp=$(mktemp -d)
pids=()
cleanup() {
	local p
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT

port=
for ((i = 0; i < 50; i++)); do
	p=$((20000 + RANDOM % 40000))
	ss -Htln "sport = :$p" | grep -q . || { port=$p; break; }
done
[[ -n $port ]] || { echo "$0: no free port" >&2; exit 1; }

: > "$tmp/err"	# before the child opens it: the wait below greps it at once
"$uscope" trace --metrics "127.0.0.1:$port" "$mode" -x "$target" 'f_*' > "$tmp/out" 2> "$tmp/err" &
pids+=($!)
url=http://127.0.0.1:$port/metrics
for ((i = 0; i < 300; i++)); do
	grep -q '^Attached' "$tmp/err" && curl -fs -o /dev/null "$url" && break
	kill -0 "${pids[0]}" 2>/dev/null || { cat "$tmp/err" >&2; exit 1; }
	sleep 0.1
done
"$target" all 100000000 > /dev/null 2>&1 &
pids+=($!)
sleep 1	# every function called at least once: every series and histogram in use

# time_format NAME [CURL-ARGS...]: N timed scrapes, then one line of numbers.
time_format() {
	local name=$1 bytes
	shift
	for ((i = 0; i < n; i++)); do
		curl -s -o /dev/null -w '%{time_total}\n' "$@" "$url"
	done | sort -g | awk -v name="$name" -v n="$n" '{ v[NR] = $1 } END { printf "%s\tmedian %s min %s", name, v[int((n + 1) / 2)], v[1] }'
	bytes=$(curl -s "$@" "$url" | wc -c)
	echo " bytes $bytes"
}
time_format text
time_format om -H 'Accept: application/openmetrics-text;version=1.0.0'
