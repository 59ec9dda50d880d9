#!/usr/bin/env bash
# gen-target.sh N OUTDIR: generates and builds OUTDIR/target-N, a benchmark target
# with N global `noinline` functions f_0 ... f_{N-1}.
#
# Every f_i has its own constants (and -fno-ipa-icf keeps them from being merged)
# and calls a shared helper, so with -O2 -fno-omit-frame-pointer each one starts
# with `push %rbp`, an instruction the kernel emulates cheaply at a uprobe (a
# leaf function would start with `lea`/`mov`, which is single-stepped: ~10x
# dearer per hit, see /work/shared/KERNEL-FACTS.md). The functions are spread
# over several source files compiled in parallel.
#
#   target-N loop ITER    call f_0 ITER times; prints "ns_per_call <float>"
#   target-N all ROUNDS   call every f_i once per round; prints "ns_per_call <float>"
#   target-N wait         sleep until SIGTERM/SIGINT (attach a tracer meanwhile)
#
# An existing OUTDIR/target-N newer than this script is kept (cache); set
# GEN_FORCE=1 to rebuild. Prints the path of the binary on stdout.
set -euo pipefail

usage() { echo "usage: $0 N OUTDIR" >&2; exit 2; }
(($# == 2)) || usage
n=$1
outdir=$2
[[ $n =~ ^[1-9][0-9]*$ ]] || usage

mkdir -p "$outdir"
bin="$outdir/target-$n"
self="${BASH_SOURCE[0]}"
if [[ ${GEN_FORCE:-0} != 1 && -x $bin && $bin -nt $self ]]; then
	echo "$bin"
	exit 0
fi

CC=${CC:-gcc}
# -fcf-protection=none: no endbr64 before the push; -g0 and no unwind tables
# only to compile faster (about 2 ms of gcc time per function).
CFLAGS=(-O2 -fno-omit-frame-pointer -fcf-protection=none -g0 -fno-asynchronous-unwind-tables)
if "$CC" --version 2>/dev/null | grep -q 'Free Software Foundation'; then
	CFLAGS+=(-fno-ipa-icf)   # gcc only; clang does not merge identical functions
fi
jobs=$(nproc 2>/dev/null || echo 2)
per_file=${GEN_PER_FILE:-2500}

src=$(mktemp -d "$outdir/.src-$n.XXXXXX")
trap 'rm -rf "$src"' EXIT

# Function files: f_lo .. f_hi per file. Distinct constants per function.
awk -v n="$n" -v per="$per_file" -v dir="$src" 'BEGIN {
	for (lo = 0; lo < n; lo += per) {
		file = sprintf("%s/funcs_%06d.c", dir, lo)
		print "long uscope_bench_helper(long);" > file
		hi = lo + per; if (hi > n) hi = n
		for (i = lo; i < hi; i++) {
			printf "__attribute__((noinline)) long f_%d(long x) { return uscope_bench_helper(x ^ %dL) * %d + %dL; }\n", \
				i, (i * 2654435761) % 2147483647, (i % 97) + 3, i * 7 + 1 > file
		}
		close(file)
	}
	# The table every "all" round walks, in its own file.
	file = dir "/table.c"
	for (i = 0; i < n; i++) printf "long f_%d(long);\n", i > file
	printf "long (*const uscope_bench_table[])(long) = {\n" > file
	for (i = 0; i < n; i++) printf "\tf_%d,\n", i > file
	printf "};\nconst long uscope_bench_count = %d;\n", n > file
	close(file)
}'

cat > "$src/main.c" <<'EOF'
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

long f_0(long);
extern long (*const uscope_bench_table[])(long);
extern const long uscope_bench_count;

volatile long uscope_bench_sink;
static volatile sig_atomic_t stop;

__attribute__((noinline)) long uscope_bench_helper(long x)
{
	return x + 1;
}

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static double now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

int main(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "wait") == 0) {
		struct sigaction sa;
		memset(&sa, 0, sizeof sa);
		sa.sa_handler = on_signal;
		sigaction(SIGTERM, &sa, NULL);
		sigaction(SIGINT, &sa, NULL);
		while (!stop)
			pause();
		return 0;
	}
	if (argc == 3 && strcmp(argv[1], "loop") == 0) {
		long iter = atol(argv[2]);
		double t0 = now_ns();
		for (long i = 0; i < iter; i++)
			uscope_bench_sink += f_0(i);
		double t1 = now_ns();
		printf("ns_per_call %.3f\n", iter > 0 ? (t1 - t0) / (double)iter : 0.0);
		return 0;
	}
	if (argc == 3 && strcmp(argv[1], "all") == 0) {
		long rounds = atol(argv[2]);
		double t0 = now_ns();
		for (long r = 0; r < rounds; r++)
			for (long i = 0; i < uscope_bench_count; i++)
				uscope_bench_sink += uscope_bench_table[i](i + r);
		double t1 = now_ns();
		long calls = rounds * uscope_bench_count;
		printf("ns_per_call %.3f\n", calls > 0 ? (t1 - t0) / (double)calls : 0.0);
		return 0;
	}
	fprintf(stderr, "usage: %s loop ITER | all ROUNDS | wait\n", argv[0]);
	return 2;
}
EOF

# Compile every file, nproc at a time; fail if any compile fails.
if ! (cd "$src" && printf '%s\0' ./*.c | xargs -0 -P "$jobs" -I{} "$CC" "${CFLAGS[@]}" -c {} -o {}.o); then
	echo "gen-target: compile failed" >&2
	exit 1
fi
# Link under a temporary name and rename: a concurrent user of the cache sees
# either no binary or a complete one.
"$CC" "${CFLAGS[@]}" -o "$src/target" "$src"/*.o
mv -f "$src/target" "$bin"
echo "$bin"
