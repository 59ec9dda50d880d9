#!/usr/bin/env bash
# The main job on umark: start it, trace it live for a few seconds with
# uscope (entry arguments, return values, USDT arguments, per-probe counts),
# then stop umark and show what umark itself says it did, to compare.
set -euo pipefail
cd "$(dirname "$0")/.."
USCOPE=build/uscope
UMARK=build/umark
log=$(mktemp)
trap 'kill "$umark_pid" 2>/dev/null || true; rm -f "$log"' EXIT

echo "== starting umark (an iteration every 250 ms)"
"$UMARK" -i 250 -q 2> "$log" &
umark_pid=$!
for _ in $(seq 50); do grep -q 'umark: pid' "$log" && break; sleep 0.1; done

echo "== uscope trace -p $umark_pid -d 3 --args 2 func_uprobe1 func_uprobe2 ret:func_uprobe1 ret:func_uprobe2 'usdt:group[ab]:*'"
"$USCOPE" trace -p "$umark_pid" -d 3 --args 2 \
	func_uprobe1 func_uprobe2 ret:func_uprobe1 ret:func_uprobe2 'usdt:group[ab]:*'

echo
echo "== uscope trace -p $umark_pid -d 1 --count 'umark_op_0*' (one program, ten functions, ten cookies)"
"$USCOPE" trace -p "$umark_pid" -d 1 --count 'umark_op_0*'

echo
echo "== stopping umark; its own summary (first lines):"
kill -INT "$umark_pid"
wait "$umark_pid" || true
grep -E 'umark: (iterations|calls func_|calls umark_op_0[0-2]|usdt group[ab])' "$log"
