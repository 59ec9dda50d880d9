// SPDX-License-Identifier: BSD-2-Clause
/*
 * DWARF unwinding of copied user stacks with libdwfl.
 *
 * dwfl_attach_state() may be called once per Dwfl, so each process gets one
 * Dwfl whose thread callbacks read the *current* sample through the
 * unwinder (u->regs, u->stack): set it, call dwfl_getthread_frames(), and
 * the frames come back through frame_cb. get_thread accepts any thread id,
 * so one Dwfl serves every thread of the process.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <elfutils/libdwfl.h>
#include "unwind_dwarf.h"

struct unwind_proc {
	pid_t pid;
	unsigned int gen;	/* the symbolizer snapshot it was built from */
	Dwfl *dwfl;
};

struct dwarf_unwinder {
	struct symbolizer *sym;
	struct unwind_proc *procs;
	size_t nprocs;
	/* The sample being unwound. */
	const uint64_t *regs;
	const uint8_t *stack;
	size_t size;
	uint64_t *pcs;
	int n, max;
};

struct dwarf_unwinder *dwarf_unwinder__new(struct symbolizer *sym)
{
	struct dwarf_unwinder *u = calloc(1, sizeof(*u));

	if (u)
		u->sym = sym;
	return u;
}

void dwarf_unwinder__free(struct dwarf_unwinder *u)
{
	size_t i;

	if (!u)
		return;
	for (i = 0; i < u->nprocs; i++)
		if (u->procs[i].dwfl)
			dwfl_end(u->procs[i].dwfl);
	free(u->procs);
	free(u);
}

static pid_t next_thread(Dwfl *dwfl __attribute__((unused)), void *arg __attribute__((unused)),
			 void **thread_argp __attribute__((unused)))
{
	return 0;	/* threads are asked for by id only */
}

static bool get_thread(Dwfl *dwfl __attribute__((unused)), pid_t tid __attribute__((unused)), void *arg,
		       void **thread_argp)
{
	*thread_argp = arg;
	return true;
}

/* Only the copied stack is memory here; anything else (a frame beyond the copy) ends the walk. */
static bool memory_read(Dwfl *dwfl __attribute__((unused)), Dwarf_Addr addr, Dwarf_Word *result, void *arg)
{
	struct dwarf_unwinder *u = arg;
	uint64_t sp = u->regs[7];

	if (addr < sp || addr - sp + sizeof(*result) > u->size)
		return false;
	memcpy(result, u->stack + (addr - sp), sizeof(*result));
	return true;
}

static bool set_initial_registers(Dwfl_Thread *thread, void *arg)
{
	struct dwarf_unwinder *u = arg;
	Dwarf_Word regs[17];
	int i;

	for (i = 0; i < 17; i++)
		regs[i] = u->regs[i];
	return dwfl_thread_state_registers(thread, 0, 17, regs);
}

static const Dwfl_Thread_Callbacks thread_cb = {
	.next_thread = next_thread,
	.get_thread = get_thread,
	.memory_read = memory_read,
	.set_initial_registers = set_initial_registers,
};

static int report_module(void *arg, const char *path, int fd, uint64_t bias)
{
	int dupfd = dup(fd);

	if (dupfd >= 0 && !dwfl_report_elf(arg, path, path, dupfd, bias, false))
		close(dupfd);	/* a file libdwfl refuses: its frames end the walk */
	return 0;
}

static Dwfl *proc_dwfl(struct dwarf_unwinder *u, pid_t pid)
{
	static const Dwfl_Callbacks cb = {
		.find_elf = dwfl_build_id_find_elf,
		.find_debuginfo = dwfl_standard_find_debuginfo,
	};
	unsigned int gen = symbolizer__generation(u->sym, pid);
	struct unwind_proc *p = NULL, *grown;
	size_t i;

	for (i = 0; i < u->nprocs && !p; i++)
		if (u->procs[i].pid == pid)
			p = &u->procs[i];
	if (p && p->gen == gen)
		return p->dwfl;
	if (!p) {
		grown = realloc(u->procs, (u->nprocs + 1) * sizeof(*grown));
		if (!grown)
			return NULL;
		u->procs = grown;
		p = &u->procs[u->nprocs++];
		*p = (struct unwind_proc){ .pid = pid };
	}
	if (p->dwfl)
		dwfl_end(p->dwfl);
	p->gen = gen;
	p->dwfl = dwfl_begin(&cb);
	if (!p->dwfl)
		return NULL;
	dwfl_report_begin(p->dwfl);
	symbolizer__modules(u->sym, pid, report_module, p->dwfl);
	dwfl_report_end(p->dwfl, NULL, NULL);
	if (!dwfl_attach_state(p->dwfl, NULL, pid, &thread_cb, u)) {
		dwfl_end(p->dwfl);
		p->dwfl = NULL;
	}
	return p->dwfl;
}

static int frame_cb(Dwfl_Frame *frame, void *arg)
{
	struct dwarf_unwinder *u = arg;
	Dwarf_Addr pc;

	if (!dwfl_frame_pc(frame, &pc, NULL) || !pc)
		return DWARF_CB_ABORT;
	u->pcs[u->n++] = pc;
	return u->n < u->max ? DWARF_CB_OK : DWARF_CB_ABORT;
}

int dwarf_unwinder__unwind(struct dwarf_unwinder *u, pid_t pid, pid_t tid, const uint64_t *regs,
			   const uint8_t *stack, size_t size, uint64_t *pcs, int max)
{
	Dwfl *dwfl;

	if (max < 1)
		return -EINVAL;
	if (!symbolizer__generation(u->sym, pid))
		symbolizer__capture(u->sym, pid);
	dwfl = proc_dwfl(u, pid);
	u->regs = regs;
	u->stack = stack;
	u->size = size;
	u->pcs = pcs;
	u->max = max;
	u->n = 0;
	if (dwfl)
		dwfl_getthread_frames(dwfl, tid, frame_cb, u);	/* ends with an error at the outermost frame */
	if (!u->n)
		pcs[u->n++] = regs[16];
	return u->n;
}
