// SPDX-License-Identifier: BSD-2-Clause
/*
 * libnoharm_ifunc.so: a library with its own GNU IFUNC, noharm_pick, which
 * uscope never has mapped itself, so it cannot know which implementation a
 * process uses: probing it must be refused.
 */
static int pick_a(int x) { return x + 1; }
static int pick_b(int x) { return x + 2; }

static void *resolve_pick(void)
{
	return __builtin_cpu_supports("avx2") ? (void *)pick_a : (void *)pick_b;
}

int noharm_pick(int x) __attribute__((ifunc("resolve_pick")));
