# bench-report.sh: how sections 5-10 of docs/BENCHMARKS.md (the rows of issues
# 12-15) are written: each one's method, then its table, each goal next to
# its measure. Sourced by scripts/bench.sh.
# shellcheck shell=bash

report_new_sections() {
cat <<EOF

## How the rows below are measured

Sections 6, 8 and 10 use the per-hit method of table 2 on their own targets
(\`tests/targets/bench/\`, built by \`make bench\`): the target times its own loop of
$(thousands "$CTX_ITER") calls ($(thousands "$STK_ITER") for \`stk\`) while one tracer is attached
system-wide; median of $CTX_RUNS run(s), a new tracer each; "overhead" is ns/call minus the
same loop without a probe (the \`no probe\` rows), and "overhead / floor's" divides it by
the overhead of \`uscope trace --noop\` (the uprobe with an empty program) on the same
function. A goal "≤ R x OTHER" compares overheads: the row's overhead over no probe is at
most R times OTHER's. Every probed function starts with \`push %rbp\` (emulated by the
kernel), so the differences between rows are the programs'. "Met" is decided on the
medians of this run; on a loaded machine a few percent is noise. \`BENCH_QUICK=1\` runs
only bpftrace 0.23.5 among the peers in sections 5-9, one run each (two in section 5).

## 5. Context read in the kernel (issue 12)

**How it is measured: two tracers at once, one on each of two twin functions.** Separate
runs of table 2's method scatter by 10-15% on this VM, more than the goals' few percent. So
\`ctx pair N\` calls \`bench_int(i)\` and its twin \`bench_int_b(i)\` (the same machine
code, checked with objdump; both start with \`push %rbp\`) for i = 0..N-1 (N = $(thousands "$CTX_ITER")) in
alternating blocks of 100 calls, which twin first alternating too, times each block with
\`clock_gettime(CLOCK_MONOTONIC)\` and sums the times per twin. uscope (X) probes one twin
while the floor \`uscope trace --noop\` or a peer (Y, another process) probes the other, both
attached before the loop and stopped after it, so whatever else the machine does falls on
both alike. A row's ratio is X's overhead over Y's, each twin's ns/call minus the no-probe
ns/call of the same mode (above the table). $PAIR_RUNS runs a row, a new pair of tracers each; X
is on \`bench_int\` (A) in the odd runs and on the twin (B) in the even ones ("X on A / X on
B": each half's median), and runs 3 and 4 start Y first: on this VM B was seen to cost
~0.5-1% more a hit whatever probed it (also with the twins 64 bytes apart), and the median
of an even number of runs cancels that. A block pair in which either block took over 3x the
median block (a preemption: a few ms charged to one twin would tilt the ratio by percents)
is left out of both sums; typically under 2% of them are (the log says how many). Shown:
the median ratio, its min-max over the runs, each side's median ns/call, and the goal judged
on the median ratio. The first row, \`--noop\` against \`--noop\`, is the method's own
spread (ideally 1.00x).

The filter \`arg0 >= $(thousands "${CTX_KEEP:-0}")\` rejects every call but the last 100 of each
twin: the 100 kept prove that the probe and the filter worked ("counted"). bcc's \`trace\`
filter \`(arg1 >= ...)\` is BPF C that clang compiles at start. bcc's \`argdist\` prints only
at whole intervals (\`-i 1\`), so it runs 1.2 s longer after the loop to print the last one;
it has no \`comm\` key (\`\$PID\` instead), and it can miss a few hundred hits (it reads its
map, then clears it, at each interval). \`ctx strpair N\` is the same with
\`bench_str(word[i % 8], i)\` and \`bench_str_b\` (8 words of 4-19 bytes; DWARF types the
argument \`const char *s\`): counted by the string in the kernel (\`--by 'str(arg0)'\`), or
one event per call (every tracer's output to a file; a tenth of the calls, as the peers'
printing falls far behind). In the event rows the tracers' printing competes with the
target for the two CPUs and up to a third of the block pairs are dropped: they give the cost
of a hit while the target runs, not of that competition. The one-tracer-at-a-time rows that
this section had are gone (the pairs measure the same with less noise); the \`ctx loop\` rows
that section 6 compares with are in table 6.

EOF
ctx_table
cat <<EOF

## 6. A CET build: the endbr64 skip (issue 14)

\`ctx-cet\` is \`ctx\` built with \`-fcf-protection=full\`: \`bench_int\` starts with
\`endbr64; push %rbp\`. uscope moves the entry probe past the \`endbr64\` (to the emulated
\`push\`) when that counts the same calls; \`--no-skip-endbr\` keeps it on the \`endbr64\`
(single-stepped), where bpftrace puts it too. Goal: \`--count\` on the CET build within
1.2x of \`--count\` on the non-CET build. The first table runs the two builds one after the
other (overheads over each build's own no-probe loop; run-to-run scatter here is 10-15%, so it
judges nothing); the goal is judged on the pair below it, where one process holds both twins
and both are counted at once.

EOF
cet_table
cat <<EOF

## 7. Attaching to 10,000 functions with a filter, keys, a histogram (issue 12)

\`uscope trace -d 0.2 -x target-10000 'f_*'\` in each mode: uscope's own attach time
("Attached ... in X ms"), median of $ATT_RUNS runs, the four modes taking turns run after
run (one run's attach time scatters by about 25% here; a drift of the machine then falls on
every mode alike). The filter is one record in a map, shared by every site, and in
\`.rodata\` (the same for every entry). bpftrace 0.23.5 (one uprobe_multi link, \`@[func]\`) reports no attach
time of its own: its whole-run wall time is shown (median of $ATT_PEER_RUNS).

EOF
attach_table
cat <<EOF

## 8. User stacks per hit (issue 13)

\`stk loop N\`: main → stk_a → stk_b → stk_c → stk_leaf, probed at \`stk_leaf\`, built with
frame pointers (\`-fno-omit-frame-pointer -fno-optimize-sibling-calls -g\`), so every
frame-pointer walker sees the whole path. The count rows key the stacks in the kernel
(uscope \`--count --stack=fp\`, bpftrace \`@[ustack] = count()\`, bcc \`stackcount -U\`); the
event rows send one stack per hit to user space (uscope's stdout is /dev/null; a tenth of
the calls, as bcc's printing falls far behind).
\`--stack=dwarf\` copies the registers and 8 KiB of stack per hit into the ring buffer and
unwinds in user space, in count mode too, so it can fall behind: what it could not keep is
reported as "without a stack".

EOF
stacks_hit_table
cat <<EOF

## 9. Stacks at 100,000 hits/s, and naming 10,000 distinct stacks (issue 13)

\`stk pace 100000 $PACE_SECS\` takes the path of section 8 100,000 times a second
(busy-waiting on the clock) for $PACE_SECS s. "Hits counted" is the probe's count, "in
stacks counted" the sum of the counts of the stacks printed, "lost" what the tracer said
it could not record ("Stacks: N hits without a stack" for uscope).

EOF
pace_table
cat <<EOF

\`stk tree 1\` takes each of 10,000 distinct paths tree_g_I → tree_h_J → stk_leaf
(I, J < 100: 10,100 distinct return addresses) once and exits; the tracer runs it (\`-c\`)
and prints every stack with its count. Cold: the target, libc and their debug files are
dropped from the page cache first (\`dd iflag=nocache count=0\`); warm: the same run again
right away (each run is a new process, so uscope's own caches start empty both times).
When uscope prints \`uscope: symbolized N stacks (M frames, K distinct addresses) in X ms\`
(with \`-v\`), that is the time; otherwise the report phase is timed from outside, from the
target's exit (it prints CLOCK_REALTIME as it exits) to the tracer's exit, minus the same
for a run without stacks. Each run is bounded by $SYM_BOUND s.

EOF
sym_table
cat <<EOF

## 10. Prometheus metrics over 10,000 probes (issue 15)

\`uscope trace --metrics 127.0.0.1:PORT --count|--latency -x target-10000 'f_*'\`, after
\`target-10000 all 3\` so that every series has values; \`curl -s -o /dev/null -w
'%{time_total}'\`, median of $SCRAPES scrapes, as text (no Accept header) and as OpenMetrics.
Then the per-hit cost (table 2's method) of \`target-10000 loop\` (\`f_0\`) with all 10,000
probes served, without and with \`curl\` scraping every 100 ms during the loop.

EOF
metrics_table
echo
metrics_hit_table
}

# report_new_summary: the same tables, for the terminal.
report_new_summary() {
	local t
	for t in ctx_table cet_table attach_table stacks_hit_table pace_table sym_table metrics_table metrics_hit_table; do
		echo
		"$t"
	done
}
