# Helpers shared by the context suites (context_*.bats).

# two_gated_umarks N1 N2: two private umark processes (P1 runs N1 iterations,
# P2 N2), each waiting on its own FIFO until run_gated_umarks; summaries in
# $TMP/u1.err and $TMP/u2.err. Needs private_umark first.
two_gated_umarks() {
	mkfifo "$TMP/g1" "$TMP/g2"
	"$PUMARK" -w -n "$1" -i 0 -q < "$TMP/g1" 2> "$TMP/u1.err" 3>&- &
	P1=$!
	"$PUMARK" -w -n "$2" -i 0 -q < "$TMP/g2" 2> "$TMP/u2.err" 3>&- &
	P2=$!
	BG_PIDS="$P1 $P2"
}

# run_gated_umarks: release both, wait for them to exit.
run_gated_umarks() {
	echo go > "$TMP/g1"
	echo go > "$TMP/g2"
	wait "$P1" "$P2"
}
