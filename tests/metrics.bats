#!/usr/bin/env bats
# SPDX-License-Identifier: BSD-2-Clause
#
# uscope trace --metrics: the exposition (checked by promtool and against
# hand-computed lines), a real Prometheus 2.42 scraping uscope every second
# while umark runs (its results compared with umark's own summary), a probed
# file replaced by a new inode, SIGHUP, and bad addresses.

load lib
load metrics/lib

setup_file() {
	gcc -O2 -g -Wall -Wextra -Werror -std=gnu11 -D_GNU_SOURCE -I"$BATS_TEST_DIRNAME/../loader" \
		"$BATS_TEST_DIRNAME/metrics/expo_dump.c" "$BATS_TEST_DIRNAME/../loader/metrics_expo.c" \
		-o "$BATS_FILE_TMPDIR/expo_dump"
}

teardown() {
	kill_bg
	rm -rf "$TMP"
}

EXPO_DUMP() { "$BATS_FILE_TMPDIR/expo_dump" "$@"; }

# le_of B: the le of uscope's log2 bucket B, (2^(B+1) - 1) ns in seconds, computed here with awk.
le_of() { awk -v b="$1" 'BEGIN { s = sprintf("%.9f", (2 ^ (b + 1) - 1) / 1e9); sub(/0+$/, "", s); sub(/\.$/, "", s); print s }'; }

@test "exposition: promtool accepts it; escaping, UTF-8, cumulative buckets as computed by hand" {
	EXPO_DUMP text > "$TMP/x.txt"
	promtool check metrics < "$TMP/x.txt"
	grep -qxF 'uscope_probe_hits_total{binary="/tmp/with \"quotes\"\\and\nnewline",probe="prov:name",kind="usdt"} 18446744073709551615' "$TMP/x.txt"
	# \xff and \xc0 start no UTF-8 sequence: one U+FFFD each; é stays.
	grep -qxF "uscope_probe_hits_total{binary=\"/tmp/bad$(printf '\xef\xbf\xbd\xef\xbf\xbd')utf8-$(printf '\xc3\xa9')\",probe=\"func_b\",kind=\"entry\",pid=\"42\",comm=\"we\\\"ird\\\\\"} 3" "$TMP/x.txt"
	# Buckets: 1 sample in bucket 0, 4 in bucket 9, 2 in bucket 20.
	local b want got
	for ((b = 0; b <= 20; b++)); do
		want=$(( b < 9 ? 1 : b < 20 ? 5 : 7 ))
		got=$(series_value "uscope_probe_latency_seconds_bucket{binary=\"/usr/bin/app\",probe=\"func_a\",le=\"$(le_of $b)\"}" < "$TMP/x.txt")
		[[ "$got" == "$want" ]] || { echo "bucket $b (le $(le_of $b)): got '$got', want $want"; return 1; }
	done
	[[ $(grep -c 'probe="func_a",le=' "$TMP/x.txt") -eq 22 ]]	# 21 buckets and +Inf, none past the last in use
	[[ $(series_value 'uscope_probe_latency_seconds_bucket{binary="/usr/bin/app",probe="func_a",le="+Inf"}' < "$TMP/x.txt") == 7 ]]
	[[ $(series_value 'uscope_probe_latency_seconds_sum{binary="/usr/bin/app",probe="func_a"}' < "$TMP/x.txt") == 2.500000001 ]]
	[[ $(series_value 'uscope_probe_latency_seconds_count{binary="/usr/bin/app",probe="func_idle"}' < "$TMP/x.txt") == 0 ]]
	# Buckets 10 and 12 in use: written from 9 (a zero below the lowest) to 12.
	[[ "$(grep -F 'probe="func_slow",le=' "$TMP/x.txt" | sed 's/.*le="\([^"]*\)"} /\1 /' | tr '\n' ' ')" == \
	   "$(le_of 9) 0 $(le_of 10) 2 $(le_of 11) 2 $(le_of 12) 3 +Inf 3 " ]]
	[[ $(series_value 'uscope_build_info{version="9.8.7"}' < "$TMP/x.txt") == 1 ]]
	grep -qx '# TYPE uscope_probe_hits_total counter' "$TMP/x.txt"
	grep -qx '# TYPE uscope_probe_latency_seconds histogram' "$TMP/x.txt"
	! grep -q '# EOF' "$TMP/x.txt"
}

@test "exposition: OpenMetrics names counter families without _total and ends with # EOF" {
	EXPO_DUMP openmetrics > "$TMP/x.om"
	grep -qx '# TYPE uscope_probe_hits counter' "$TMP/x.om"
	grep -qx '# TYPE uscope_build info' "$TMP/x.om"
	grep -qx '# UNIT uscope_probe_latency_seconds seconds' "$TMP/x.om"
	[[ $(tail -n1 "$TMP/x.om") == '# EOF' ]]
	# Prometheus' own Accept header asks for OpenMetrics; curl's does not.
	[[ $(EXPO_DUMP negotiate 'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1') == openmetrics ]]
	[[ $(EXPO_DUMP negotiate '*/*') == text ]]
	[[ $(EXPO_DUMP negotiate 'application/openmetrics-text;version=0.0.1') == text ]]
	# Seconds in exact decimal (the oracle: the digits themselves).
	[[ "$(EXPO_DUMP seconds 0 1 1023 1000000000 2500000001 18446744073709551615 | tr '\n' ' ')" == \
	   "0 0.000000001 0.000001023 1 2.500000001 18446744073.709551615 " ]]
}

@test "Prometheus scrapes --count: func_uprobe1 and umark_op_* equal umark's own counts" {
	private_umark
	start_metrics -x "$PUMARK" func_uprobe1 'umark_op_*'
	start_prometheus
	UMARK_BIN=$PUMARK start_umark -n 25 -i 0 -q
	wait_gone "$UMARK_PID"
	wait "$UMARK_PID"
	wait_scraped_after "$(date +%s.%N)"
	[[ $(promql_value 'uscope_probe_hits_total{probe="func_uprobe1"}') == "$(umark_calls "$TMP/umark.err" func_uprobe1)" ]]
	promql 'uscope_probe_hits_total{probe=~"umark_op_.*"}' > "$TMP/ops"
	[[ $(wc -l < "$TMP/ops") -eq 64 ]]
	local i name got want
	for ((i = 0; i < 64; i++)); do
		name=$(printf 'umark_op_%02d' "$i")
		got=$(grep -F "\"probe\":\"$name\"" "$TMP/ops" | awk '{ print $NF }')
		want=$(umark_calls "$TMP/umark.err" "$name")
		[[ "$got" == "$want" && "$want" -eq $((25 * (i + 1))) ]] || { echo "$name: prometheus '$got', umark '$want'"; return 1; }
	done
	[[ $(promql_value 'uscope_probes_attached') -eq 65 ]]
	[[ $(promql_value 'uscope_events_lost_total') -eq 0 ]]
	[[ $(promql_value 'up{job="uscope"}') -eq 1 ]]
	grep -F "\"kind\":\"entry\"" "$TMP/ops" | grep -qF "\"binary\":\"$PUMARK\""
	scrape | promtool check metrics
	stop_prometheus
	stop_uscope
}

@test "Prometheus scrapes --latency: histogram counts equal umark's calls, no sample below the sleep asked for" {
	private_umark
	start_metrics -x "$PUMARK" --latency 'umark_sleep_*'
	start_prometheus
	UMARK_BIN=$PUMARK start_umark -n 20 -i 0 -q -s
	wait_gone "$UMARK_PID" 30
	wait "$UMARK_PID"
	wait_scraped_after "$(date +%s.%N)"
	local f want
	for f in umark_sleep_1ms umark_sleep_8ms; do
		want=$(umark_calls "$TMP/umark.err" "$f")
		[[ "$want" -eq 20 ]]
		[[ $(promql_value "uscope_probe_latency_seconds_count{probe=\"$f\"}") == "$want" ]]
		[[ $(promql_value "uscope_probe_latency_seconds_bucket{probe=\"$f\",le=\"+Inf\"}") == "$want" ]]
		[[ $(promql_value "uscope_probe_hits_total{probe=\"$f\",kind=\"entry\"}") == "$want" ]]
		[[ $(promql_value "uscope_probe_hits_total{probe=\"$f\",kind=\"return\"}") == "$want" ]]
	done
	# nanosleep never returns early: no bucket below the time asked for holds a sample.
	scrape > "$TMP/m"
	local f_ms
	for f_ms in 1 8; do
		sed -n "s/^uscope_probe_latency_seconds_bucket{.*probe=\"umark_sleep_${f_ms}ms\",le=\"\([0-9.]*\)\"} \([0-9]*\)\$/\1 \2/p" "$TMP/m" > "$TMP/b$f_ms"
		[[ -s "$TMP/b$f_ms" ]]
		awk -v ms="$f_ms" '$1 < ms / 1000 && $2 != 0 { print "sample below " ms " ms: le " $1 " holds " $2; bad = 1 } END { exit bad }' "$TMP/b$f_ms"
	done
	awk -v q="$(promql_value 'histogram_quantile(0.5, uscope_probe_latency_seconds_bucket{probe="umark_sleep_1ms"})')" \
		-v lo="$(le_of 18)" 'BEGIN { exit !(q > lo) }'
	awk -v q="$(promql_value 'histogram_quantile(0.5, uscope_probe_latency_seconds_bucket{probe="umark_sleep_8ms"})')" \
		-v lo="$(le_of 21)" 'BEGIN { exit !(q > lo) }'
	# The mean is at least what was asked for.
	awk -v m="$(promql_value 'uscope_probe_latency_seconds_sum{probe="umark_sleep_8ms"} / uscope_probe_latency_seconds_count{probe="umark_sleep_8ms"}')" \
		'BEGIN { exit !(m >= 0.008) }'
	[[ $(promql_value 'uscope_latency_unpaired_total') -eq 0 ]]
	scrape | promtool check metrics
	stop_prometheus
	stop_uscope
}

@test "a replaced binary (new inode, other offsets): counts continue, old processes keep counting" {
	private_umark
	start_metrics -x "$PUMARK" func_uprobe1 'umark_op_0*'
	UMARK_BIN=$PUMARK start_umark -n 3 -i 0 -q
	wait_gone "$UMARK_PID"
	cp "$TMP/umark.err" "$TMP/run1.err"
	[[ $(scrape | series_value "uscope_probe_hits_total{binary=\"$PUMARK\",probe=\"func_uprobe1\",kind=\"entry\"}") -eq 3 ]]
	# A process of the old file, started before the upgrade, runs after it.
	UMARK_BIN=$PUMARK start_umark_gated -n 2 -i 0 -q
	OLD_PID=$UMARK_PID
	BG_PIDS="$OLD_PID"
	local ino_old ino_new
	ino_old=$(stat -c %i "$PUMARK")
	# The "upgrade": the non-PIE build (other offsets) renamed over the path, as dpkg does.
	cp "$PUMARK_NOPIE" "$TMP/bin/.umark.new"
	mv -f "$TMP/bin/.umark.new" "$PUMARK"
	ino_new=$(stat -c %i "$PUMARK")
	[[ "$ino_old" != "$ino_new" ]]
	wait_for "$TMP/err" "^Re-attached 11 probes to the new '$PUMARK' (inode $ino_new)" 5
	[[ $(readelf -hW "$PUMARK" | awk '$1 == "Type:" { print $2 }') == EXEC ]]
	UMARK_BIN=$PUMARK start_umark -n 4 -i 0 -q
	wait_gone "$UMARK_PID"
	cp "$TMP/umark.err" "$TMP/run3.err"
	release_umark
	wait_gone "$OLD_PID"
	[[ $(umark_calls "$TMP/run1.err" func_uprobe1) -eq 3 && $(umark_calls "$TMP/run3.err" func_uprobe1) -eq 4 ]]
	scrape > "$TMP/m"
	local i name want
	for ((i = -1; i < 10; i++)); do
		if ((i < 0)); then name=func_uprobe1; want=$((3 + 2 + 4)); else name=$(printf 'umark_op_%02d' "$i"); want=$(((3 + 2 + 4) * (i + 1))); fi
		[[ $(series_value "uscope_probe_hits_total{binary=\"$PUMARK\",probe=\"$name\",kind=\"entry\"}" < "$TMP/m") -eq "$want" ]] ||
			{ echo "$name: $(grep "\"$name\"" "$TMP/m")"; return 1; }
	done
	# Old file and new file: 11 probes each.
	[[ $(series_value uscope_probes_attached < "$TMP/m") -eq 22 ]]
	stop_uscope
}

# usdt_hits FILE PROBE: uscope_probe_hits_total of USDT probe PROBE of $PUMARK in exposition FILE.
usdt_hits() { series_value "uscope_probe_hits_total{binary=\"$PUMARK\",probe=\"$2\",kind=\"usdt\"}" < "$1"; }

@test "a replaced binary: USDT probes (a semaphore, two locations) follow it; one whose argument changed is named and stops" {
	private_umark
	start_metrics -x "$PUMARK" func_uprobe1 usdt:groupa:probe1 usdt:groupc:probe3 usdt:groupd:twice
	UMARK_BIN=$PUMARK start_umark -n 3 -i 0 -q
	wait_gone "$UMARK_PID"
	cp "$TMP/umark.err" "$TMP/run1.err"
	# The upgrade: the non-PIE build (other offsets, the same argument specs: readelf says so).
	diff <(readelf -nW "$PUMARK" | grep -E 'Provider|Name|Arguments') \
		<(readelf -nW "$PUMARK_NOPIE" | grep -E 'Provider|Name|Arguments')
	cp "$PUMARK_NOPIE" "$TMP/bin/.umark.new"
	mv -f "$TMP/bin/.umark.new" "$PUMARK"
	wait_for "$TMP/err" "^Re-attached 5 probes to the new '$PUMARK' (inode $(stat -c %i "$PUMARK"))" 5
	UMARK_BIN=$PUMARK start_umark -n 4 -i 0 -q
	wait_gone "$UMARK_PID"
	cp "$TMP/umark.err" "$TMP/run2.err"
	scrape > "$TMP/m2"
	local p
	for p in groupa:probe1 groupc:probe3 groupd:twice; do
		[[ $(usdt_hits "$TMP/m2" "$p") -eq $(( $(umark_usdt "$TMP/run1.err" "$p") + $(umark_usdt "$TMP/run2.err" "$p") )) ]] ||
			{ echo "$p: $(grep "\"$p\"" "$TMP/m2")"; return 1; }
	done
	[[ $(umark_usdt "$TMP/run2.err" groupc:probe3) -eq 4 ]]	# its semaphore was raised in the new file
	# A second upgrade in which groupa:probe1's argument is another constant (same length, same offsets).
	LC_ALL=C sed 's/-4@\$10/-4@$11/' "$PUMARK_NOPIE" > "$TMP/bin/.umark.new"
	readelf -nW "$TMP/bin/.umark.new" | grep -qF -- '-4@$11'
	chmod +x "$TMP/bin/.umark.new"
	mv -f "$TMP/bin/.umark.new" "$PUMARK"
	wait_for "$TMP/err" "^Re-attached 4 probes to the new '$PUMARK'" 5
	grep -qF "1 USDT probe of '$PUMARK' (groupa:probe1 first) has other locations or arguments in its new file" "$TMP/err"
	UMARK_BIN=$PUMARK start_umark -n 2 -i 0 -q
	wait_gone "$UMARK_PID"
	cp "$TMP/umark.err" "$TMP/run3.err"
	scrape > "$TMP/m3"
	[[ $(usdt_hits "$TMP/m3" groupa:probe1) -eq $(usdt_hits "$TMP/m2" groupa:probe1) ]]
	[[ $(umark_usdt "$TMP/run3.err" groupa:probe1) -eq 2 ]]
	for p in groupc:probe3 groupd:twice; do
		[[ $(usdt_hits "$TMP/m3" "$p") -eq $(( $(usdt_hits "$TMP/m2" "$p") + $(umark_usdt "$TMP/run3.err" "$p") )) ]]
	done
	stop_uscope
}

@test "SIGHUP is not fatal; --metrics :PORT binds loopback, 0.0.0.0 only when written" {
	private_umark
	USCOPE_PORT=$(free_port)
	start_uscope trace --metrics ":$USCOPE_PORT" -x "$PUMARK" func_uprobe1
	ss -Htln "sport = :$USCOPE_PORT" | awk '{ print $4 }' | grep -qx "127.0.0.1:$USCOPE_PORT"
	kill -HUP "$USCOPE_PID"
	sleep 0.3
	alive "$USCOPE_PID"
	scrape | grep -q '^uscope_probes_attached 1$'
	stop_uscope
	USCOPE_PORT=$(free_port)
	start_uscope trace --metrics "0.0.0.0:$USCOPE_PORT" -x "$PUMARK" func_uprobe1
	ss -Htln "sport = :$USCOPE_PORT" | awk '{ print $4 }' | grep -qx "0.0.0.0:$USCOPE_PORT"
	stop_uscope
}

@test "bad --metrics addresses and ports are usage errors (exit 2)" {
	local a
	for a in foo 9100x 1.2.3:80 '1.2.3.4.5:80' :0 :65536 127.0.0.1: '[::1' '[::1]' 'example.com:80' '*:80' ''; do
		expect_failure 2 "'$a'" "$USCOPE" trace -x "$UMARK" --metrics "$a" func_uprobe1
		grep -qF 'PORT from 1 to 65535' "$TMP/stderr"
	done
	expect_failure 2 "--metrics" "$USCOPE" trace -x "$UMARK" --metrics :9100 --json func_uprobe1
}

@test "a port in use, or an address not on this host: exit 1 at once, one line, nothing attached" {
	local port
	port=$(free_port)
	# Another server holds the port (not a uscope: expect_failure checks no uscope program is left).
	python3 -c 'import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(1); print("listening", flush=True); time.sleep(60)' \
		"$port" > "$TMP/listener" 3>&- &
	BG_PIDS=$!
	wait_for "$TMP/listener" listening
	SECONDS=0
	expect_failure 1 "127.0.0.1:$port" timeout 20 "$USCOPE" trace -x "$UMARK" --metrics "127.0.0.1:$port" func_uprobe1
	grep -qF 'Address already in use' "$TMP/stderr"
	# 192.0.2.1 (TEST-NET-1) is assigned to no interface here.
	expect_failure 1 "192.0.2.1:$port" timeout 20 "$USCOPE" trace -x "$UMARK" --metrics "192.0.2.1:$port" func_uprobe1
	grep -qF 'Cannot assign requested address' "$TMP/stderr"
	((SECONDS < 10))
}

@test "libmicrohttpd is loaded only for --metrics: unreadable, it is one line naming it (exit 1); other runs never map it" {
	local lib
	lib=$(readlink -f /usr/lib/x86_64-linux-gnu/libmicrohttpd.so.12)
	[[ -f "$lib" ]]
	# The oracle for "loaded": the library's own file in /proc/PID/maps.
	! ldd "$USCOPE" | grep -q libmicrohttpd
	private_umark
	start_metrics --count -x "$PUMARK" func_uprobe1
	grep -qF "$lib" "/proc/$USCOPE_PID/maps"
	stop_uscope
	start_uscope trace --count -x "$PUMARK" func_uprobe1
	! grep -qF libmicrohttpd "/proc/$USCOPE_PID/maps"
	stop_uscope
	# An unreadable library (here /dev/null mounted over it, in a private mount namespace).
	expect_failure 1 "libmicrohttpd" unshare -m sh -c 'mount --bind /dev/null "$1" && shift && exec "$@"' sh "$lib" \
		"$USCOPE" trace -x "$PUMARK" --metrics "127.0.0.1:$USCOPE_PORT" --count func_uprobe1
	grep -qF 'Debian package libmicrohttpd12' "$TMP/stderr"
}

@test "scripts/uscope-metrics.service passes systemd-analyze verify; its uscope options parse" {
	command -v systemd-analyze > /dev/null || skip "no systemd-analyze"
	sed "s|/usr/local/bin/uscope|$USCOPE|" "$ROOT/scripts/uscope-metrics.service" > "$TMP/uscope-metrics.service"
	SYSTEMD_LOG_LEVEL=warning systemd-analyze verify "$TMP/uscope-metrics.service"
	# Its ExecStart, on umark instead of nginx, attaches and serves.
	private_umark
	local args
	args=$(sed -n 's|^ExecStart=/usr/local/bin/uscope ||p' "$ROOT/scripts/uscope-metrics.service")
	USCOPE_PORT=$(free_port)
	args=${args//127.0.0.1:9435/127.0.0.1:$USCOPE_PORT}
	args=${args//\/usr\/sbin\/nginx/$PUMARK}
	args=${args//\'ngx_http_\*_handler\'/umark_sleep_1ms}
	# shellcheck disable=SC2086
	start_uscope $args
	scrape | grep -q '^uscope_probes_attached 2$'
	stop_uscope
}

@test "--latency over 1,000 generated functions: every histogram counts what the target called" {
	# More sites than one batch of histogram reads holds (240 on 2 CPUs): the readers page through.
	local big
	big=$("$ROOT/scripts/gen-target.sh" 1000 "$ROOT/build/bench")
	mkdir -p "$TMP/bin"
	cp "$big" "$TMP/bin/target"
	start_metrics -x "$TMP/bin/target" --latency 'f_*'
	"$TMP/bin/target" all 3 > /dev/null
	scrape > "$TMP/m"
	promtool check metrics < "$TMP/m"
	# The generator's own contract (tests/gen_target.bats): `all R` calls every f_i R times.
	[[ $(grep -c '^uscope_probe_latency_seconds_count{' "$TMP/m") -eq 1000 ]]
	[[ $(grep '^uscope_probe_latency_seconds_count{' "$TMP/m" | awk '$NF != 3' | wc -l) -eq 0 ]]
	[[ $(grep -c '^uscope_probe_hits_total{.*kind="entry"} 3$' "$TMP/m") -eq 1000 ]]
	[[ $(grep -c '^uscope_probe_hits_total{.*kind="return"} 3$' "$TMP/m") -eq 1000 ]]
	[[ $(series_value uscope_probes_attached < "$TMP/m") -eq 2000 ]]
	stop_uscope
}

# replace_and_count ATTACH: umark runs 3 iterations, its file is replaced by
# the non-PIE build (rename over the path), 4 more: func_uprobe1 counts 7.
replace_and_count() {
	private_umark
	start_metrics --attach "$1" -x "$PUMARK" func_uprobe1
	UMARK_BIN=$PUMARK start_umark -n 3 -i 0 -q
	wait_gone "$UMARK_PID"
	cp "$PUMARK_NOPIE" "$TMP/bin/.umark.new"
	mv -f "$TMP/bin/.umark.new" "$PUMARK"
	wait_for "$TMP/err" "^Re-attached 1 probe to the new '$PUMARK'" 5
	UMARK_BIN=$PUMARK start_umark -n 4 -i 0 -q
	wait_gone "$UMARK_PID"
	[[ $(umark_calls "$TMP/umark.err" func_uprobe1) -eq 4 ]]
	[[ $(scrape | series_value "uscope_probe_hits_total{binary=\"$PUMARK\",probe=\"func_uprobe1\",kind=\"entry\"}") -eq 7 ]]
	stop_uscope
}

@test "a replaced binary on the perf-event path: counts continue" {
	replace_and_count perf
}

@test "a binary rewritten in place (same inode): old probes removed first, target unharmed, counts continue" {
	private_umark
	start_metrics -x "$PUMARK" func_uprobe1 'umark_op_*'
	UMARK_BIN=$PUMARK start_umark -n 3 -i 0 -q
	wait_gone "$UMARK_PID"
	local ino
	ino=$(stat -c %i "$PUMARK")
	# cp onto the path keeps the inode: the non-PIE code now sits where the PIE offsets were probed.
	cp "$PUMARK_NOPIE" "$PUMARK"
	[[ $(stat -c %i "$PUMARK") == "$ino" ]]
	wait_for "$TMP/err" "^Re-attached 65 probes to the new '$PUMARK' (inode $ino)" 5
	# The oracle for "unharmed": the checksum of an untraced non-PIE run.
	"$UMARK_NOPIE" -n 4 -i 0 -q 2> "$TMP/ref.err"
	UMARK_BIN=$PUMARK start_umark -n 4 -i 0 -q
	wait_gone "$UMARK_PID"
	wait "$UMARK_PID"
	[[ $(umark_checksum "$TMP/umark.err") == "$(umark_checksum "$TMP/ref.err")" ]]
	scrape > "$TMP/m"
	[[ $(series_value "uscope_probe_hits_total{binary=\"$PUMARK\",probe=\"func_uprobe1\",kind=\"entry\"}" < "$TMP/m") -eq 7 ]]
	[[ $(series_value "uscope_probe_hits_total{binary=\"$PUMARK\",probe=\"umark_op_63\",kind=\"entry\"}" < "$TMP/m") -eq $((7 * 64)) ]]
	# Only the new probes are in place: the old ones on this inode were removed.
	[[ $(series_value uscope_probes_attached < "$TMP/m") -eq 65 ]]
	stop_uscope
}

@test "--metrics -p: a running process's counts, scraped while it runs, equal its own" {
	private_umark
	# Iteration 0 at once, iteration 1 three seconds later: scraped in between, func_uprobe1 is 1.
	UMARK_BIN=$PUMARK start_umark_gated -n 2 -i 3000
	start_metrics -p "$UMARK_PID" func_uprobe1 'usdt:groupa:*'
	release_umark
	wait_for "$TMP/umark.out" '^func_uprobe1(0) = 1$'
	scrape > "$TMP/m"
	[[ $(series_value "uscope_probe_hits_total{binary=\"$PUMARK\",probe=\"func_uprobe1\",kind=\"entry\"}" < "$TMP/m") -eq 1 ]]
	[[ $(series_value "uscope_probe_hits_total{binary=\"$PUMARK\",probe=\"groupa:probe1\",kind=\"usdt\"}" < "$TMP/m") -eq 1 ]]
	wait_gone "$UMARK_PID"
	finish_uscope 10	# it ends with the process, and prints the totals too
	[[ $(umark_calls "$TMP/umark.err" func_uprobe1) -eq 2 ]]
	grep -E '^func_uprobe1 +entry +2$' "$TMP/out"
}

@test "SIGKILL of uscope --metrics after a re-attach: the guardian takes every link down, old and new" {
	private_umark
	start_metrics -x "$PUMARK" func_uprobe1 'umark_op_*'
	cp "$PUMARK_NOPIE" "$TMP/bin/.umark.new"
	mv -f "$TMP/bin/.umark.new" "$PUMARK"
	wait_for "$TMP/err" "^Re-attached 65 probes to the new '$PUMARK'" 5
	[[ $(scrape | series_value uscope_probes_attached) -eq 130 ]]
	# The links are the guardian's, not uscope's.
	! grep -qs '^link_id:' /proc/"$USCOPE_PID"/fdinfo/*
	kill -KILL "$USCOPE_PID"
	wait_gone "$USCOPE_PID"
	USCOPE_PID=
	wait_no_uscope_links 10
	# Both files run unharmed afterwards (no breakpoint left behind).
	"$PUMARK" -n 2 -i 0 -q 2> "$TMP/new.err"
	"$UMARK_NOPIE" -n 2 -i 0 -q 2> "$TMP/ref.err"
	[[ $(umark_checksum "$TMP/new.err") == "$(umark_checksum "$TMP/ref.err")" ]]
}

# two_umarks N1 N2: two umark processes of $PUMARK at once (stderr $TMP/u1.err, $TMP/u2.err);
# sets P1 P2 to their pids as umark itself reports them.
two_umarks() {
	"$PUMARK" -n "$1" -i 0 -q > /dev/null 2> "$TMP/u1.err" 3>&- &
	local a=$!
	"$PUMARK" -n "$2" -i 0 -q > /dev/null 2> "$TMP/u2.err" 3>&- &
	local b=$!
	wait "$a"
	wait "$b"
	P1=$(awk '$1 == "umark:" && $2 == "pid" { print $3 }' "$TMP/u1.err")
	P2=$(awk '$1 == "umark:" && $2 == "pid" { print $3 }' "$TMP/u2.err")
	[[ -n "$P1" && -n "$P2" && "$P1" != "$P2" ]]
}

@test "--metrics --count --by pid: one series per umark process, each equal to its own count (curl and Prometheus)" {
	private_umark
	start_metrics -x "$PUMARK" --count --by pid,comm func_uprobe1 'umark_op_0*'
	start_prometheus
	two_umarks 23 9
	scrape > "$TMP/m"
	promtool check metrics < "$TMP/m"
	local p f n name
	for n in 1 2; do
		p=P$n f=$TMP/u$n.err
		for name in func_uprobe1 umark_op_00 umark_op_07; do
			[[ $(series_value "uscope_probe_hits_total{binary=\"$PUMARK\",probe=\"$name\",kind=\"entry\",pid=\"${!p}\",comm=\"umark\"}" < "$TMP/m") == \
			   "$(umark_calls "$f" "$name")" ]] || { echo "$name pid ${!p}: curl"; grep -F "pid=\"${!p}\"" "$TMP/m"; return 1; }
		done
	done
	# 11 probes, 2 processes: 22 series, no other; nothing dropped.
	[[ $(grep -c '^uscope_probe_hits_total{' "$TMP/m") -eq 22 ]]
	[[ $(series_value uscope_by_dropped_total < "$TMP/m") -eq 0 ]]
	wait_scraped_after "$(date +%s.%N)"
	for n in 1 2; do
		p=P$n
		[[ $(promql_value "uscope_probe_hits_total{probe=\"func_uprobe1\",pid=\"${!p}\"}") == \
		   "$(umark_calls "$TMP/u$n.err" func_uprobe1)" ]] || { echo "pid ${!p}: prometheus"; promql uscope_probe_hits_total; return 1; }
	done
	[[ $(umark_calls "$TMP/u1.err" func_uprobe1) -eq 23 && $(umark_calls "$TMP/u2.err" func_uprobe1) -eq 9 ]]
	[[ $(promql_value 'sum(uscope_probe_hits_total{probe="func_uprobe1",comm="umark"})') -eq 32 ]]
	[[ $(promql_value 'uscope_by_dropped_total') -eq 0 ]]
	! grep -q 'key table is full' "$TMP/err"
	stop_prometheus
	stop_uscope
}

@test "--metrics --by pid --by-max 1, two processes: the first keeps its series, the other's hits are uscope_by_dropped_total, said once" {
	private_umark
	start_metrics -x "$PUMARK" --count --by pid --by-max 1 func_uprobe1
	"$PUMARK" -n 6 -i 0 -q > /dev/null 2> "$TMP/u1.err"
	"$PUMARK" -n 4 -i 0 -q > /dev/null 2> "$TMP/u2.err"
	local p1 p2
	p1=$(awk '$2 == "pid" { print $3 }' "$TMP/u1.err")
	p2=$(awk '$2 == "pid" { print $3 }' "$TMP/u2.err")
	scrape > "$TMP/m"
	scrape > "$TMP/m2"
	promtool check metrics < "$TMP/m"
	[[ $(series_value "uscope_probe_hits_total{binary=\"$PUMARK\",probe=\"func_uprobe1\",kind=\"entry\",pid=\"$p1\"}" < "$TMP/m") -eq 6 ]]
	! grep -qF "pid=\"$p2\"" "$TMP/m"
	[[ $(series_value uscope_by_dropped_total < "$TMP/m") -eq 4 ]]
	grep -qx '# TYPE uscope_by_dropped_total counter' "$TMP/m"
	[[ $(grep -c 'key table is full (--by-max 1)' "$TMP/err") -eq 1 ]]
	stop_uscope
}

@test "--metrics --count --by tid,uid,str(arg0): labels named tid, uid, str_arg0; values as umark printed them" {
	private_umark
	start_metrics -x "$PUMARK" --count --by 'tid,uid,str(arg0)' umark_greet
	"$PUMARK" -n 4 -i 0 > "$TMP/u.out" 2> "$TMP/u1.err"
	local pid
	pid=$(awk '$2 == "pid" { print $3 }' "$TMP/u1.err")
	scrape > "$TMP/m"
	promtool check metrics < "$TMP/m"
	# umark is one thread: tid is its pid. One series per string umark printed, each once.
	sed -nE 's/^umark_greet\("([^"]*)"\) = [0-9]+$/\1/p' "$TMP/u.out" |
		awk -v b="$PUMARK" -v p="$pid" -v u="$(id -u)" '{ printf "uscope_probe_hits_total{binary=\"%s\",probe=\"umark_greet\",kind=\"entry\",tid=\"%s\",uid=\"%s\",str_arg0=\"%s\"} 1\n", b, p, u, $0 }' | sort > "$TMP/want"
	grep '^uscope_probe_hits_total{' "$TMP/m" | sort > "$TMP/got"
	[[ $(wc -l < "$TMP/want") -eq 4 ]]
	diff "$TMP/want" "$TMP/got"
	stop_uscope
}

# keyed_hist_ok FILE PROBE PID CALLS SECONDS: in the exposition FILE, PROBE's
# histogram for PID counts CALLS (its umark's own number), +Inf equals _count,
# le rises and the buckets are cumulative, and _sum is at least CALLS x SECONDS
# (nanosleep never returns early).
keyed_hist_ok() {
	awk -v b="$PUMARK" -v p="$2" -v pid="$3" -v calls="$4" -v s="$5" '
		BEGIN { h = "{binary=\"" b "\",probe=\"" p "\",pid=\"" pid "\"" }
		index($0, "uscope_probe_latency_seconds_bucket" h ",le=\"") == 1 {
			le = $0; sub(/.*,le="/, "", le); sub(/".*/, "", le)
			if (le != "+Inf" && n && le + 0 <= last_le + 0) { print "le not rising: " $0; bad = 1 }
			if ($NF + 0 < last_v) { print "bucket not cumulative: " $0; bad = 1 }
			if (le == "+Inf") inf = $NF; else last_le = le
			last_v = $NF + 0; n++
		}
		index($0, "uscope_probe_latency_seconds_count" h "} ") == 1 { count = $NF; nc++ }
		index($0, "uscope_probe_latency_seconds_sum" h "} ") == 1 { sum = $NF; ns++ }
		END {
			if (nc != 1 || ns != 1 || n < 2) { print p " pid " pid ": " nc " _count, " ns " _sum, " n " buckets"; exit 1 }
			if (count != calls) { print p " pid " pid ": _count " count ", umark called " calls; bad = 1 }
			if (inf != count) { print p " pid " pid ": +Inf " inf " != _count " count; bad = 1 }
			if (sum + 0 < calls * s) { print p " pid " pid ": _sum " sum " < " calls " x " s; bad = 1 }
			exit bad
		}' "$1"
}

# series_lines FILE: "series value" of every line of FILE's exposition, sorted (for comparing scrapes).
series_lines() { grep -v '^#' "$1" | sort; }

@test "--metrics --latency --by pid: one histogram per (function, umark process), each counting its own calls (curl and Prometheus)" {
	private_umark
	start_metrics -x "$PUMARK" --latency --by pid 'umark_sleep_*'
	start_prometheus
	"$PUMARK" -n 12 -i 20 -q -s > /dev/null 2> "$TMP/u1.err" 3>&- &
	local a=$!
	"$PUMARK" -n 7 -i 0 -q -s > /dev/null 2> "$TMP/u2.err" 3>&- &
	local b=$! k=0
	# Scrapes while they run: no series ever goes down from one scrape to the next.
	while kill -0 "$a" 2>/dev/null && ((k < 50)); do
		scrape > "$TMP/s.$((k++))"
		sleep 0.05
	done
	wait "$a"
	wait "$b"
	scrape > "$TMP/m"
	cp "$TMP/m" "$TMP/s.$k"
	local i
	for ((i = 1; i <= k; i++)); do
		join <(series_lines "$TMP/s.$((i - 1))" | sed 's/ \([0-9.]*\)$/\t\1/' | sort -t$'\t' -k1,1) \
		     <(series_lines "$TMP/s.$i" | sed 's/ \([0-9.]*\)$/\t\1/' | sort -t$'\t' -k1,1) -t$'\t' |
			awk -F'\t' '$3 + 0 < $2 + 0 { print "went down: " $0; bad = 1 } END { exit bad }'
	done
	promtool check metrics < "$TMP/m"
	local p1 p2 n f pid
	p1=$(awk '$1 == "umark:" && $2 == "pid" { print $3 }' "$TMP/u1.err")
	p2=$(awk '$1 == "umark:" && $2 == "pid" { print $3 }' "$TMP/u2.err")
	[[ -n "$p1" && -n "$p2" && "$p1" != "$p2" ]]
	for n in 1 2; do
		pid=p$n
		[[ $(umark_calls "$TMP/u$n.err" umark_sleep_1ms) -eq $((n == 1 ? 12 : 7)) ]]
		for f in 1 8; do
			keyed_hist_ok "$TMP/m" "umark_sleep_${f}ms" "${!pid}" "$(umark_calls "$TMP/u$n.err" "umark_sleep_${f}ms")" "0.00$f"
		done
	done
	# 2 functions x 2 processes: 4 histograms, no other; the hit counters stay per site; nothing dropped.
	[[ $(grep -c '^uscope_probe_latency_seconds_count{' "$TMP/m") -eq 4 ]]
	[[ $(series_value "uscope_probe_hits_total{binary=\"$PUMARK\",probe=\"umark_sleep_8ms\",kind=\"return\"}" < "$TMP/m") -eq 19 ]]
	[[ $(series_value uscope_by_dropped_total < "$TMP/m") -eq 0 ]]
	[[ $(series_value uscope_latency_unpaired_total < "$TMP/m") -eq 0 ]]
	# Prometheus (it asks for OpenMetrics) parses the same histograms.
	wait_scraped_after "$(date +%s.%N)"
	for n in 1 2; do
		pid=p$n
		for f in umark_sleep_1ms umark_sleep_8ms; do
			[[ $(promql_value "uscope_probe_latency_seconds_count{probe=\"$f\",pid=\"${!pid}\"}") == \
			   "$(umark_calls "$TMP/u$n.err" "$f")" ]] || { echo "$f pid ${!pid}: prometheus"; promql uscope_probe_latency_seconds_count; return 1; }
			[[ $(promql_value "uscope_probe_latency_seconds_bucket{probe=\"$f\",pid=\"${!pid}\",le=\"+Inf\"}") == \
			   "$(umark_calls "$TMP/u$n.err" "$f")" ]]
		done
	done
	awk -v q="$(promql_value 'histogram_quantile(0.5, sum by (le) (uscope_probe_latency_seconds_bucket{probe="umark_sleep_8ms"}))')" \
		-v lo="$(le_of 21)" 'BEGIN { exit !(q > lo) }'
	[[ $(promql_value 'sum(uscope_probe_latency_seconds_count{probe="umark_sleep_8ms"})') -eq 19 ]]
	[[ $(promql_value 'uscope_by_dropped_total') -eq 0 ]]
	! grep -q 'key table is full' "$TMP/err"
	stop_prometheus
	stop_uscope
}

@test "--metrics --latency --by pid --by-max 1, two processes: kept samples plus uscope_by_dropped_total make every call, said once" {
	private_umark
	start_metrics -x "$PUMARK" --latency --by pid --by-max 1 umark_sleep_8ms
	"$PUMARK" -n 6 -i 0 -q -s > /dev/null 2> "$TMP/u1.err"
	"$PUMARK" -n 4 -i 0 -q -s > /dev/null 2> "$TMP/u2.err"
	local p1 p2 kept
	p1=$(awk '$2 == "pid" { print $3 }' "$TMP/u1.err")
	p2=$(awk '$2 == "pid" { print $3 }' "$TMP/u2.err")
	scrape > "$TMP/m"
	scrape > "$TMP/m2"
	promtool check metrics < "$TMP/m"
	# One row (one key, one bucket) fits: the first process's histogram, the second's samples dropped.
	kept=$(series_value "uscope_probe_latency_seconds_count{binary=\"$PUMARK\",probe=\"umark_sleep_8ms\",pid=\"$p1\"}" < "$TMP/m")
	[[ "$kept" -ge 1 && "$kept" -le 6 ]]
	[[ $(grep -c '^uscope_probe_latency_seconds_count{' "$TMP/m") -eq 1 ]]
	! grep -qF "pid=\"$p2\"" "$TMP/m"
	[[ $((kept + $(series_value uscope_by_dropped_total < "$TMP/m"))) -eq \
	   $(($(umark_calls "$TMP/u1.err" umark_sleep_8ms) + $(umark_calls "$TMP/u2.err" umark_sleep_8ms))) ]]
	[[ $(umark_calls "$TMP/u1.err" umark_sleep_8ms) -eq 6 ]]
	[[ $(series_value uscope_latency_unpaired_total < "$TMP/m") -eq 0 ]]
	grep -qx '# TYPE uscope_by_dropped_total counter' "$TMP/m"
	[[ $(grep -c 'key table is full (--by-max 1)' "$TMP/err") -eq 1 ]]
	stop_uscope
}
