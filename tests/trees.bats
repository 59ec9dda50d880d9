#!/usr/bin/env bats
# Process trees and cgroups: -f/--follow and --cgroup. The oracle is what
# the targets (tests/targets/trees/) print themselves: every process says
# "tree: PID calls NAME N". Links are made with pid 0 in these modes, so the
# targets are private copies (no other session runs them), and an identical,
# untraced tree runs alongside to show that the filter, not luck, keeps its
# calls out.

load lib

TREES_BUILD="$BUILD_DIR/trees"

# private_trees: copies of the targets in $TMP/trees (T_FORK, T_EXEC, T_LIB, T_DLOPEN, T_PLUGDIR).
private_trees() {
	mkdir -p "$TMP/trees/plugdir"
	cp "$TREES_BUILD"/tree_fork "$TREES_BUILD"/tree_exec "$TREES_BUILD"/libtreelib.so \
		"$TREES_BUILD"/tree_dlopen "$TMP/trees/"
	cp "$TREES_BUILD"/plugdir/libplug.so "$TMP/trees/plugdir/"
	T_FORK=$TMP/trees/tree_fork T_EXEC=$TMP/trees/tree_exec T_LIB=$TMP/trees/libtreelib.so
	T_DLOPEN=$TMP/trees/tree_dlopen T_PLUGDIR=$TMP/trees/plugdir
}

# tree_sum FILE NAME: the sum of the calls of NAME the processes printed in FILE.
tree_sum() { awk -v n="$2" '$1 == "tree:" && $3 == "calls" && $4 == n { s += $5 } END { print s + 0 }' "$1"; }

# tree_procs FILE: how many processes printed a count in FILE.
tree_procs() { awk '$1 == "tree:" { p[$2] = 1 } END { print length(p) }' "$1"; }

# expect_tree_counts OUT TREE-OUT NAME...: uscope's count of each NAME equals the tree's sum.
expect_tree_counts() {
	local out=$1 tree=$2 name got want bad=0
	shift 2
	for name in "$@"; do
		got=$(json_count "$out" "$name" entry)
		want=$(tree_sum "$tree" "$name")
		echo "$name: uscope $got, the tree printed $want"
		[[ "$want" -gt 0 && "$got" == "$want" ]] || bad=1
	done
	return $bad
}

@test "-f -c: 4 forked children and an exec'd program using a library: counts are the tree's sums; uscope ends after the last process" {
	private_trees
	# The exec'd program outlives the parent by 500 ms: uscope must wait for it.
	LD_LIBRARY_PATH=$TMP/trees start_uscope trace -f --count --json -x "$T_FORK" -x libtreelib.so \
		-c "sh -c 'exec $T_FORK 100 $T_EXEC 1000 500 > $TMP/tree.out'" tree_work treelib_work
	# An identical tree, not traced, at the same time: its calls must not count.
	"$T_FORK" 70 "$T_EXEC" 900 0 > "$TMP/other.out"
	finish_uscope 20
	cat "$TMP/err"
	grep -q ' Following the process tree\. ' "$TMP/err"
	[[ "$(tree_procs "$TMP/tree.out")" -eq 6 ]]
	expect_tree_counts "$TMP/out" "$TMP/tree.out" tree_work treelib_work
	# 4 children and the one that exec'd were followed.
	grep -q '^Followed 5 processes forked by the tree$' "$TMP/err"
	wait_no_uscope_links
}

@test "-f events: every process of the tree appears under its own pid with exactly the calls it printed" {
	private_trees
	LD_LIBRARY_PATH=$TMP/trees "$USCOPE" trace -f --json --args 0 -x "$T_FORK" -x libtreelib.so \
		-c "sh -c 'exec $T_FORK 20 $T_EXEC 50 0 > $TMP/tree.out'" tree_work treelib_work \
		> "$TMP/out" 2> "$TMP/err"
	awk '$1 == "tree:" { print $2, $4, $5 }' "$TMP/tree.out" | sort > "$TMP/want"
	jq -r 'select(.pid != null) | "\(.pid) \(.probe)"' "$TMP/out" | sort | uniq -c |
		awk '{ print $2, $3, $1 }' | sort > "$TMP/got"
	diff "$TMP/want" "$TMP/got"
	[[ $(wc -l < "$TMP/want") -eq 6 ]]
}

@test "-f --count --by pid: one count per process of the tree, each equal to what that process printed" {
	private_trees
	LD_LIBRARY_PATH=$TMP/trees "$USCOPE" trace -f --count --json --by pid -x "$T_FORK" -x libtreelib.so \
		-c "sh -c 'exec $T_FORK 15 $T_EXEC 40 0 > $TMP/tree.out'" tree_work treelib_work \
		> "$TMP/out" 2> "$TMP/err"
	awk '$1 == "tree:" { print $2, $4, $5 }' "$TMP/tree.out" | sort > "$TMP/want"
	jq -r 'select(.count != null and .by != null) | "\(.by.pid) \(.probe) \(.count)"' "$TMP/out" | sort > "$TMP/got"
	diff "$TMP/want" "$TMP/got"
	[[ $(wc -l < "$TMP/want") -eq 6 ]]
}

@test "-f -p: a running shell's existing child and what it later forks and execs are all counted" {
	private_trees
	mkfifo "$TMP/gate"
	# The subshell exists before uscope starts (a descendant found in /proc);
	# it forks and execs the tree only once released.
	bash -c "( read x < $TMP/gate; $T_FORK 30 $T_EXEC 300 200 > $TMP/tree.out ) & wait" 3>&- &
	BG_PIDS=$!
	sleep 0.2
	LD_LIBRARY_PATH=$TMP/trees start_uscope trace -f -p "$BG_PIDS" --count --json -x "$T_FORK" \
		-x libtreelib.so tree_work treelib_work
	echo go > "$TMP/gate"
	finish_uscope 20
	expect_tree_counts "$TMP/out" "$TMP/tree.out" tree_work treelib_work
	wait_no_uscope_links
}

@test "--cgroup: a tree started in a new cgroup is counted; an identical tree outside is not; Attached names the cgroup" {
	private_trees
	local name="uscope-test-$$-$BATS_TEST_NUMBER" mnt dir
	mnt=$(awk '$9 == "cgroup2" { print $5; exit }' /proc/self/mountinfo)
	[[ -n "$mnt" ]] || skip "no cgroup v2 hierarchy mounted"
	dir=$mnt/$name
	mkdir "$dir"
	CG_DIR=$dir
	bash -c "echo \$\$ > $dir/cgroup.procs; while [ ! -e $TMP/go ]; do sleep 0.05; done;
		exec $T_FORK 100 $T_EXEC 1000 0 > $TMP/tree.out" 3>&- &
	BG_PIDS=$!
	wait_for "$dir/cgroup.procs" "^$BG_PIDS\$"
	# The cgroup named as systemd prints it, relative to the v2 root.
	LD_LIBRARY_PATH=$TMP/trees start_uscope trace --cgroup "/$name" --count --json -x "$T_FORK" \
		-x libtreelib.so tree_work treelib_work
	grep -qF " Tracing cgroup $dir. " "$TMP/err"
	touch "$TMP/go"
	"$T_FORK" 50 "$T_EXEC" 700 0 > "$TMP/other.out"
	wait "$BG_PIDS"
	wait_for "$TMP/tree.out" "treelib_work"
	kill -INT "$USCOPE_PID"
	finish_uscope
	expect_tree_counts "$TMP/out" "$TMP/tree.out" tree_work treelib_work
	wait_no_uscope_links
}

@test "without -f the kernel's BTF is never opened (the tracepoint programs are not loaded); with -f it is" {
	command -v strace > /dev/null || skip "no strace"
	private_trees
	# LeakSanitizer cannot run under ptrace (strace); the sanitized run checks leaks elsewhere.
	export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
	strace -f -e trace=openat -o "$TMP/st" "$USCOPE" trace --count -c "$T_FORK 1 /bin/true 0" tree_work \
		> /dev/null 2>&1
	! grep -q /sys/kernel/btf/vmlinux "$TMP/st"
	strace -f -e trace=openat -o "$TMP/st" "$USCOPE" trace -f --count -c "$T_FORK 1 /bin/true 0" tree_work \
		> /dev/null 2>&1
	grep -q /sys/kernel/btf/vmlinux "$TMP/st"
}

@test "bad input: -f without -p/-c, --cgroup with -p, -f with nocookie are usage errors (exit 2)" {
	expect_failure 2 "-f/--follow needs -p or -c" "$USCOPE" trace -f -x "$UMARK" --count 'func_*'
	expect_failure 2 "--cgroup cannot be used with -p or -c" "$USCOPE" trace --cgroup / -p 1 --count 'func_*'
	expect_failure 2 "--attach nocookie cannot be used with -f" "$USCOPE" trace -f -c "$UMARK -n 1" \
		--attach nocookie 'func_*'
	expect_failure 2 "--cgroup" "$USCOPE" trace -x "$UMARK" 'func_*' --cgroup
}

@test "bad input: --cgroup naming no cgroup, or a directory that is not cgroup v2, exits 1 with one line" {
	expect_failure 1 "--cgroup '/uscope-no-such-cgroup-$$': no such cgroup" \
		"$USCOPE" trace --cgroup "/uscope-no-such-cgroup-$$" -x "$UMARK" --count 'func_*'
	expect_failure 1 "not a cgroup v2 directory" \
		"$USCOPE" trace --cgroup "$TMP" -x "$UMARK" --count 'func_*'
}

# start_dlopen PATH SYMBOL CALLS: tree_dlopen (private copy) in the background, held on a FIFO
# (DL_GATE) until release_dlopen; DL_PID, its output in $TMP/tree.out.
start_dlopen() {
	mkfifo "$TMP/dlgate"
	"$T_DLOPEN" "$@" < "$TMP/dlgate" > "$TMP/tree.out" 3>&- &
	DL_PID=$!
	BG_PIDS=$DL_PID
	exec {DL_GATE}> "$TMP/dlgate"
	wait_for "$TMP/tree.out" '^ready '
}
release_dlopen() { echo go >&"$DL_GATE"; exec {DL_GATE}>&-; DL_GATE=; }

@test "a library file the -p target has not mapped yet is attached by file from the start; counts exact" {
	private_trees
	start_dlopen "$T_PLUGDIR/libplug.so" plug_work 900
	! grep -q libplug /proc/"$DL_PID"/maps
	start_uscope trace -p "$DL_PID" --count --json -x "$T_PLUGDIR/libplug.so" plug_work
	grep -qF " $T_PLUGDIR/libplug.so is not mapped yet: attached by file." "$TMP/err"
	release_dlopen
	finish_uscope
	cat "$TMP/err"
	# The calls right after dlopen returned count: the probe sat on the file before it was mapped.
	expect_tree_counts "$TMP/out" "$TMP/tree.out" plug_work
	wait_no_uscope_links
}

@test "a library the -p target has mapped already gets no 'not mapped yet' sentence; counts exact" {
	private_trees
	# tree_exec links libtreelib.so and waits 1.5 s before its 300 calls.
	LD_LIBRARY_PATH=$TMP/trees "$T_EXEC" 300 1500 < /dev/null > "$TMP/tree.out" &
	BG_PIDS=$!
	wait_for "/proc/$BG_PIDS/maps" libtreelib
	start_uscope trace -p "$BG_PIDS" --count --json -x "$T_LIB" treelib_work
	! grep -q 'not mapped yet' "$TMP/err"
	finish_uscope
	expect_tree_counts "$TMP/out" "$TMP/tree.out" treelib_work
}

@test "bad input: a soname no file matches yet, without -p/-c, is refused with one line naming why (exit 1); with -p the target runs on" {
	private_trees
	expect_failure 1 "cannot find binary 'libplug.so'" "$USCOPE" trace --count -x libplug.so plug_work
	grep -qF "a library name waits for its dlopen only with -p or -c" "$TMP/stderr"
	# Not a library's file name: a typo is said at once, even with -p.
	start_dlopen "$T_PLUGDIR/libplug.so" plug_work 10
	expect_failure 1 "cannot find binary 'libplugg'" "$USCOPE" trace -p "$DL_PID" --count -x libplugg plug_work
	release_dlopen
	wait_gone "$DL_PID"
	grep -q "^tree: $DL_PID calls plug_work 10\$" "$TMP/tree.out"
}

# Late libraries by a name no file matches yet: tree_dlopen in command mode
# (private copy), fed through a FIFO held as UMARK_GATE (which start_uscope
# keeps out of uscope); DL_PID, its output in $TMP/tree.out.
start_dl_commands() {
	mkfifo "$TMP/dlgate"
	"$T_DLOPEN" < "$TMP/dlgate" > "$TMP/tree.out" 3>&- &
	DL_PID=$!
	BG_PIDS=$DL_PID
	exec {UMARK_GATE}> "$TMP/dlgate"
	wait_for "$TMP/tree.out" '^ready '
	DL_DONE=0
}
# dl_do COMMAND: send one command, wait until the target has done it.
dl_do() {
	echo "$*" >&"$UMARK_GATE"
	DL_DONE=$((DL_DONE + 1))
	wait_for "$TMP/tree.out" "^done $DL_DONE\$" 20
}
dl_exit() { echo exit >&"$UMARK_GATE"; exec {UMARK_GATE}>&-; UMARK_GATE=; }

# no_int3_in LIB: the bytes of LIB's code in DL_PID equal its file (no breakpoint left).
no_int3_in() {
	local scan
	scan=$("$BUILD_DIR/noharm/memscan" int3 "$DL_PID" "$1")
	echo "$1 in $DL_PID: $scan"
	[[ "$scan" == "int3 0 differing 0 "* ]]
}

@test "late, by name: -x libplug.so, dlopened by full path after start: every call counts, those right after dlopen included; Attached and late lines say 'at load'" {
	private_trees
	start_dl_commands
	start_uscope trace -p "$DL_PID" --count --json -x libplug.so plug_work
	grep -qF " libplug.so is not a file yet: attached at load (the process is held at " "$TMP/err"
	dl_do open "$T_PLUGDIR/libplug.so" plug_work 900
	dl_exit
	finish_uscope
	cat "$TMP/err"
	grep -qE "^Attached 1 probe to $T_PLUGDIR/libplug.so at load \(named 'libplug.so'; process $DL_PID held [0-9.]+ ms so far\)\$" "$TMP/err"
	grep -qE '^Held the target 1 time at the loader.s r_brk: [0-9.]+ ms in all, [0-9.]+ ms at most$' "$TMP/err"
	expect_tree_counts "$TMP/out" "$TMP/tree.out" plug_work
	[[ "$(summary_field "$TMP/err" probe)" == 1 ]]
	wait_no_uscope_links
}

@test "late, by name: dlclose then dlopen again counts every call once, attaches once, and leaves no breakpoint behind" {
	private_trees
	start_dl_commands
	start_uscope trace -p "$DL_PID" --count --json -x libplug.so plug_work
	dl_do open "$T_PLUGDIR/libplug.so" plug_work 300
	dl_do close "$T_PLUGDIR/libplug.so"
	! grep -q libplug /proc/"$DL_PID"/maps
	dl_do open "$T_PLUGDIR/libplug.so" plug_work 200
	kill -INT "$USCOPE_PID"
	finish_uscope
	cat "$TMP/err"
	[[ $(grep -c ' at load (named ' "$TMP/err") -eq 1 ]]
	expect_tree_counts "$TMP/out" "$TMP/tree.out" plug_work
	[[ "$(tree_sum "$TMP/tree.out" plug_work)" -eq 500 ]]
	# uscope is gone; the target, still running, maps the library again: its code is the file's.
	wait_no_uscope_links
	no_int3_in "$T_PLUGDIR/libplug.so"
	dl_exit
}

@test "late, by name: two different late libraries, each attached when it arrives; a function of it never called counts 0" {
	private_trees
	mkdir -p "$TMP/trees/plugdir2"
	cp "$TREES_BUILD/plugdir2/libplug2.so" "$TMP/trees/plugdir2/"
	start_dl_commands
	start_uscope trace -p "$DL_PID" --count --json -x libplug.so -x libplug2.so 'libplug.so:plug_*' \
		'libplug2.so:plug2_*'
	dl_do open "$T_PLUGDIR/libplug.so" plug_work 250
	dl_do open "$TMP/trees/plugdir2/libplug2.so" plug2_a 350
	dl_exit
	finish_uscope
	cat "$TMP/err"
	grep -qF "Attached 1 probe to $T_PLUGDIR/libplug.so at load (named 'libplug.so'" "$TMP/err"
	grep -qF "Attached 2 probes to $TMP/trees/plugdir2/libplug2.so at load (named 'libplug2.so'" "$TMP/err"
	expect_tree_counts "$TMP/out" "$TMP/tree.out" plug_work plug2_a
	[[ "$(json_count "$TMP/out" plug2_b entry)" == 0 ]]
	# Both libraries were held for: 2 holds (the r_brk link went once the second arrived).
	grep -qE '^Held the target 2 times at ' "$TMP/err"
}

@test "late, by name: a library that never arrives: uscope ends with the target, exit 0, and says it was never loaded" {
	private_trees
	start_dl_commands
	start_uscope trace -p "$DL_PID" --count --json -x libplug.so plug_work
	dl_exit
	finish_uscope
	cat "$TMP/err"
	grep -qF "uscope: warning: 'libplug.so' was never loaded: nothing was attached to it" "$TMP/err"
	grep -qE '^Held the target 0 times at ' "$TMP/err"
	! grep -q ' at load (named ' "$TMP/err"
}

@test "late, by name: a library that cannot be attached (no room left, no function matching) is said in one line each; the target always continues" {
	private_trees
	mkdir -p "$TMP/trees/plugdir2"
	cp "$TREES_BUILD/plugdir2/libplug2.so" "$TMP/trees/plugdir2/"
	start_dl_commands
	start_uscope trace -p "$DL_PID" --count --json --late-room 1 -x libplug.so -x libplug2.so \
		'libplug.so:nosuch_*' 'libplug2.so:plug2_*'
	dl_do open "$T_PLUGDIR/libplug.so" plug_work 40
	dl_do open "$TMP/trees/plugdir2/libplug2.so" plug2_a 60
	dl_exit
	finish_uscope
	cat "$TMP/err"
	[[ $(grep -c "nosuch_" "$TMP/err") -eq 1 ]]
	grep -qF "uscope: '$TMP/trees/plugdir2/libplug2.so' (named 'libplug2.so'): 2 probes do not fit in the room kept for libraries loaded later (1 left of --late-room 1); nothing attached to it" "$TMP/err"
	! grep -q ' at load (named ' "$TMP/err"
	# The target was continued both times: it did all it was told.
	[[ "$(tree_sum "$TMP/tree.out" plug_work)" -eq 40 && "$(tree_sum "$TMP/tree.out" plug2_a)" -eq 60 ]]
	wait_no_uscope_links
}

@test "late, by name: SIGKILL of uscope while the guardian attaches the late library: the target continues, nothing stays attached" {
	private_trees
	start_dl_commands
	USCOPE_TEST_CRASH=late:kill start_uscope trace -p "$DL_PID" --count -x libplug.so plug_work
	dl_do open "$T_PLUGDIR/libplug.so" plug_work 700
	wait_gone "$USCOPE_PID"
	! wait "$USCOPE_PID"
	grep -q "^tree: $DL_PID calls plug_work 700\$" "$TMP/tree.out"
	wait_no_uscope_links
	no_int3_in "$T_PLUGDIR/libplug.so"
	alive "$DL_PID"
	dl_exit
}

@test "late, by name, -c: the child dlopens the library right after it starts; every call counts" {
	private_trees
	"$USCOPE" trace --count --json -x libplug.so \
		-c "sh -c 'exec $T_DLOPEN $T_PLUGDIR/libplug.so plug_work 333 > $TMP/tree.out'" plug_work \
		<<< go > "$TMP/out" 2> "$TMP/err"
	cat "$TMP/err"
	grep -q ' at load (named ' "$TMP/err"
	expect_tree_counts "$TMP/out" "$TMP/tree.out" plug_work
	# Events of the late sites: one per call, with the arguments the calls had (0, 1, ...).
	"$USCOPE" trace --json -x libplug.so \
		-c "sh -c 'exec $T_DLOPEN $T_PLUGDIR/libplug.so plug_work 50 > $TMP/tree.out'" plug_work \
		<<< go > "$TMP/out" 2> "$TMP/err"
	[[ "$(jq -r 'select(.probe == "plug_work" and .args != null) | .args[0]' "$TMP/out" | tr '\n' ' ')" == \
		"$(seq -s ' ' 0 49) " ]]
	! grep -q DWARF "$TMP/err"
}

@test "late, by name, -f: a forked child that dlopens the library is held and counted; the parent's later dlopen too" {
	private_trees
	printf 'open %s plug_work 120\nexit\n' "$T_PLUGDIR/libplug.so" > "$TMP/cmds"
	"$USCOPE" trace -f --count --json -x libplug.so \
		-c "sh -c '$T_DLOPEN < $TMP/cmds > $TMP/tree.out; $T_DLOPEN < $TMP/cmds >> $TMP/tree.out'" plug_work \
		> "$TMP/out" 2> "$TMP/err"
	cat "$TMP/err"
	[[ "$(tree_procs "$TMP/tree.out")" -eq 2 ]]
	expect_tree_counts "$TMP/out" "$TMP/tree.out" plug_work
	[[ "$(tree_sum "$TMP/tree.out" plug_work)" -eq 240 ]]
}

@test "bad input: a name that waits cannot be combined with per-site options or USDT probes (one line, exit 1); --late-room must be a number (exit 2)" {
	private_trees
	start_dl_commands
	expect_failure 1 "'libplug.so' is not a file yet: waiting for its dlopen cannot be combined with --latency" \
		"$USCOPE" trace -p "$DL_PID" --latency -x libplug.so plug_work
	expect_failure 1 "cannot be combined with --filter" \
		"$USCOPE" trace -p "$DL_PID" --count --filter 'arg0 > 1' -x libplug.so plug_work
	expect_failure 1 "cannot be combined with --attach nocookie" \
		"$USCOPE" trace -p "$DL_PID" --attach nocookie -x libplug.so plug_work
	expect_failure 1 "probe 'usdt:libplug.so:p:n': USDT probes of a library that is not a file yet" \
		"$USCOPE" trace -p "$DL_PID" --count 'usdt:libplug.so:p:n'
	expect_failure 2 "--late-room" "$USCOPE" trace -p "$DL_PID" --late-room x -x libplug.so plug_work
	dl_exit
	wait_gone "$DL_PID"
}

teardown() {
	kill_bg
	[[ -z "${DL_GATE:-}" ]] || { exec {DL_GATE}>&- ; } 2>/dev/null
	[[ -z "${CG_DIR:-}" ]] || rmdir "$CG_DIR" 2>/dev/null || true
	rm -rf "$TMP"
}
