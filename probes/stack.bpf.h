/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * stack.bpf.h: how does a probe take the user stack? (--stack)
 *
 * Included by uscope.bpf.c after its helpers (bump, submit, the events ring
 * buffer). Two hooks, both dead code unless the loader set stack_mode:
 *
 *   stack__count(ctx, site, kind)   --count --stack
 *       frame pointers: bpf_get_stackid(BPF_F_USER_STACK) into stack_traces,
 *       then one per-CPU count per (site, stack id, caller) in stack_counts,
 *       like bcc's stackcount -U; the first time a key appears a small note
 *       goes to the ring buffer so that user space captures the process's
 *       mappings while it still lives.
 *       dwarf: the stack cannot be keyed here (the kernel cannot unwind
 *       without frame pointers), so every hit sends its registers and stack
 *       bytes to user space, which unwinds and counts.
 *   stack__submit(ctx, e)           events
 *       the event is copied into a per-CPU record, the stack appended
 *       (frame addresses, or registers + stack bytes), and the used part sent
 *       with bpf_ringbuf_output; the reserved event is discarded.
 *
 * The caller fix: at a function's first instruction the function's frame
 * does not exist yet, so a frame-pointer walk from %rbp skips the immediate
 * caller; the kernel adds [%rsp] itself only when the probed instruction is
 * push %rbp or endbr64. Entry probes therefore read [%rsp] and hand it up;
 * user space knows the probed instruction and inserts it when needed.
 *
 * The stack copy (dwarf) is one bpf_probe_read_user of stack_bytes when it
 * fits; near the top of a stack (the main thread's, a few KiB above main)
 * that read would fault as a whole, so it is then copied in 256-byte pieces
 * until one faults: every frame below the top comes through.
 */
#ifndef USCOPE_STACK_BPF_H
#define USCOPE_STACK_BPF_H

const volatile __u32 stack_mode = USCOPE_STACK_OFF;	/* enum uscope_stack_mode */
const volatile bool stack_count = false;	/* --count --stack */
const volatile __u32 stack_depth = 64;	/* frames kept, at most USCOPE_STACK_MAX_DEPTH */
const volatile __u32 stack_bytes = 8192;	/* dwarf: stack bytes copied */
const volatile bool stack_caller = true;	/* fp: some entry site's walk misses its caller */

/* Frame-pointer stacks by id; value_size (8 * depth) and size set by the loader. */
struct {
	__uint(type, BPF_MAP_TYPE_STACK_TRACE);
	__uint(max_entries, 1);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, USCOPE_STACK_MAX_DEPTH * sizeof(__u64));
} stack_traces SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 1);
	__type(key, struct uscope_stack_key);
	__type(value, __u64);
} stack_counts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct uscope_stack_record);
} stack_scratch SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, USCOPE_STACK_LOSSES);
	__type(key, __u32);
	__type(value, __u64);
} stack_lost SEC(".maps");

/*
 * Processes that sent a stack already. The first record of a new process
 * wakes user space at once (whatever the batching), so that its mappings are
 * read while it still lives: a short-lived target is gone by the next poll.
 */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, __u8);
} stack_pids SEC(".maps");

static __always_inline bool stack__new_pid(__u32 pid)
{
	__u8 one = 1;

	if (bpf_map_lookup_elem(&stack_pids, &pid))
		return false;
	bpf_map_update_elem(&stack_pids, &pid, &one, BPF_ANY);
	return true;
}

static __always_inline __u64 stack__caller(struct pt_regs *ctx, __u16 kind)
{
	__u64 ret = 0;

	/* Not read when user space inserts no caller (every site starts with push %rbp or endbr64). */
	if (kind == USCOPE_SITE_ENTRY && stack_caller && bpf_probe_read_user(&ret, sizeof(ret), (void *)PT_REGS_SP(ctx)))
		ret = 0;
	return ret;
}

static __always_inline void stack__regs(struct pt_regs *ctx, __u64 *r)
{
	/* DWARF numbering for x86-64: rax rdx rcx rbx rsi rdi rbp rsp r8..r15 rip. */
	r[0] = ctx->ax;
	r[1] = ctx->dx;
	r[2] = ctx->cx;
	r[3] = ctx->bx;
	r[4] = ctx->si;
	r[5] = ctx->di;
	r[6] = ctx->bp;
	r[7] = ctx->sp;
	r[8] = ctx->r8;
	r[9] = ctx->r9;
	r[10] = ctx->r10;
	r[11] = ctx->r11;
	r[12] = ctx->r12;
	r[13] = ctx->r13;
	r[14] = ctx->r14;
	r[15] = ctx->r15;
	r[16] = ctx->ip;
}

/* Copy the top of the user stack; returns the bytes copied. */
static __always_inline __u32 stack__copy(struct uscope_stack_record *rec, __u64 sp)
{
	__u32 n = stack_bytes, i;

	if (n > USCOPE_STACK_MAX_BYTES)
		n = USCOPE_STACK_MAX_BYTES;
	if (!bpf_probe_read_user(rec->data, n, (void *)sp))
		return n;
	for (i = 0; i < USCOPE_STACK_MAX_BYTES / USCOPE_STACK_CHUNK; i++) {
		__u32 off = i * USCOPE_STACK_CHUNK;

		if (off + USCOPE_STACK_CHUNK > n ||
		    bpf_probe_read_user(rec->data + off, USCOPE_STACK_CHUNK, (void *)(sp + off)))
			return off;
	}
	return n;
}

/* Append the stack to REC (its event part filled); returns the record's size. */
static __always_inline __u64 stack__fill(struct pt_regs *ctx, struct uscope_stack_record *rec)
{
	struct uscope_stack_tail *t = &rec->tail;
	long n;

	t->mode = stack_mode;
	t->caller = stack__caller(ctx, rec->ev.kind);
	if (stack_mode == USCOPE_STACK_DWARF) {
		stack__regs(ctx, t->regs);
		t->size = stack__copy(rec, PT_REGS_SP(ctx));
	} else {
		n = bpf_get_stack(ctx, rec->data, stack_depth * sizeof(__u64), BPF_F_USER_STACK);
		t->size = n > 0 ? n : 0;
	}
	if (t->size > USCOPE_STACK_MAX_BYTES)
		t->size = USCOPE_STACK_MAX_BYTES;
	return sizeof(rec->ev) + sizeof(*t) + t->size;
}

static __always_inline void stack__output(struct uscope_stack_record *rec, __u64 size, __u32 site)
{
	__u64 flags;

	if (size > sizeof(*rec))
		size = sizeof(*rec);
	/* Woken as plain events are (wake_flags), and at once for a new process: its mappings must be read while it lives. */
	flags = stack__new_pid(rec->ev.pid) ? BPF_RB_FORCE_WAKEUP : wake_flags(size);
	if (bpf_ringbuf_output(&events, rec, size, flags)) {
		bump(&drops, site);
		bump(&stack_lost, USCOPE_STACK_LOST_RB);
	}
}

static __always_inline struct uscope_stack_record *stack__scratch(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&stack_scratch, &zero);
}

/* Events: send E with the stack appended (or as it is, without --stack). */
static __always_inline void stack__submit(struct pt_regs *ctx, struct uscope_event *e)
{
	struct uscope_stack_record *rec;

	if (stack_mode == USCOPE_STACK_OFF || !(rec = stack__scratch())) {
		submit(e);
		return;
	}
	__builtin_memcpy(&rec->ev, e, sizeof(*e));
	bpf_ringbuf_discard(e, BPF_RB_NO_WAKEUP);
	rec->tail.count_only = 0;
	stack__output(rec, stack__fill(ctx, rec), rec->ev.site);
}

/*
 * --count in user space: the bare event header and the stack (dwarf: the
 * registers and stack bytes; frame pointers: the addresses, when the kernel's
 * maps had no room for this stack), counted by user space.
 */
static __always_inline void stack__count_record(struct pt_regs *ctx, __u32 site, __u16 kind)
{
	struct uscope_stack_record *rec = stack__scratch();
	__u64 id = bpf_get_current_pid_tgid();

	if (!rec)
		return;
	rec->ev.time_ns = bpf_ktime_get_ns();
	rec->ev.pid = id >> 32;
	rec->ev.tid = (__u32)id;
	rec->ev.site = site;
	rec->ev.kind = kind;
	rec->ev.nargs = 0;
	if (by_nkeys)	/* --by: the key rides in the event (by.bpf.h) */
		by_fill_event(ctx, &rec->ev, kind);
	rec->tail.count_only = 1;
	stack__output(rec, stack__fill(ctx, rec), site);
}

/* --count --stack with frame pointers: the stack's id, then its per-CPU count. */
static __always_inline void stack__count_fp(struct pt_regs *ctx, __u32 site, __u16 kind)
{
	struct uscope_stack_key key = { .site = site };
	struct uscope_stack_note note = { .magic = USCOPE_STACK_NOTE_MAGIC };
	__u64 one = 1, *c;

	/*
	 * -EEXIST: another stack holds this one's hash bucket (the stack map
	 * keeps one stack a bucket; at 10,000 distinct stacks in 16,384 buckets
	 * a quarter collide). Such a stack is sent whole and counted in user
	 * space, under the same key as the kernel's, rather than lost.
	 */
	key.stack_id = bpf_get_stackid(ctx, &stack_traces, BPF_F_USER_STACK);
	if (key.stack_id < 0) {
		bump(&stack_lost, USCOPE_STACK_LOST_ID);
		stack__count_record(ctx, site, kind);
		return;
	}
	key.caller = stack__caller(ctx, kind);
	key.pid = bpf_get_current_pid_tgid() >> 32;
	if (by_nkeys) {	/* --by: counted per (stack, key) in by.bpf.h */
		if (by_stack_count(ctx, kind, &key) > 0)
			goto note;
		return;
	}
	c = bpf_map_lookup_elem(&stack_counts, &key);
	if (c) {
		*c += 1;
		return;
	}
	if (bpf_map_update_elem(&stack_counts, &key, &one, BPF_NOEXIST)) {
		c = bpf_map_lookup_elem(&stack_counts, &key);	/* another CPU inserted it first */
		if (c) {
			*c += 1;
		} else {
			bump(&stack_lost, USCOPE_STACK_LOST_KEY);	/* the count table is full */
			stack__count_record(ctx, site, kind);
		}
		return;
	}
note:
	/*
	 * Woken at once only for a new process (its mappings must be read while
	 * it lives); 10,000 new stacks of one process each forcing a wakeup made
	 * the IPI (irq_work) a quarter of the target's time.
	 */
	note.key = key;
	bpf_ringbuf_output(&events, &note, sizeof(note),
			   stack__new_pid(key.pid) ? BPF_RB_FORCE_WAKEUP : BPF_RB_NO_WAKEUP);
}

/*
 * --count --stack: count this hit under its stack. The checks come first,
 * apart from the keys' initializers, which clang would otherwise write on
 * every hit of a run without --stack.
 */
static __always_inline void stack__count(struct pt_regs *ctx, __u32 site, __u16 kind)
{
	if (stack_mode == USCOPE_STACK_OFF || !stack_count)
		return;
	if (stack_mode == USCOPE_STACK_DWARF)
		stack__count_record(ctx, site, kind);
	else
		stack__count_fp(ctx, site, kind);
}

/*
 * --latency --stack (frame pointers): the entry stores its stack id and
 * caller in the thread's newest timed call; its return finds them there
 * (latency_pop leaves the popped frame in place) and times the call into the
 * histogram of that stack. A stack whose stack-map bucket is taken is timed
 * under stack id -1 and counted in stack_lost (never silently dropped).
 */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 1);
	__type(key, struct uscope_stack_key);
	__type(value, struct uscope_hist);
} stack_hists SEC(".maps");

static struct uscope_hist stack_zero_hist;	/* too big for the BPF stack */

/* At a timed entry, after latency_entry: K the key of its thread's (or goroutine's) call stack. */
static __always_inline void stack__lat_entry(struct pt_regs *ctx, __u32 site, const struct stack_key *k)
{
	struct call_stack *st;
	__u32 d;

	if (stack_mode != USCOPE_STACK_FP || !latency)
		return;
	st = bpf_map_lookup_elem(&stacks, k);
	if (!st || !st->depth || st->depth > USCOPE_MAX_DEPTH)
		return;
	d = (st->depth - 1) & (USCOPE_MAX_DEPTH - 1);
	st->frames[d].stk.site = site;
	st->frames[d].stk.stack_id = bpf_get_stackid(ctx, &stack_traces, BPF_F_USER_STACK);
	st->frames[d].stk.caller = st->frames[d].stk.stack_id < 0 ? 0 : stack__caller(ctx, USCOPE_SITE_ENTRY);
	if (st->frames[d].stk.stack_id < 0)
		bump(&stack_lost, USCOPE_STACK_LOST_ID);
}

/* At a return, after latency_pop: the histogram of the popped call's stack, or NULL. */
static __always_inline struct uscope_hist *stack__lat_hist(const struct stack_key *k)
{
	struct uscope_stack_note note = { .magic = USCOPE_STACK_NOTE_MAGIC };
	__u64 id = bpf_get_current_pid_tgid();
	struct uscope_hist *h;
	struct call_stack *st;
	struct frame *f;

	if (stack_mode != USCOPE_STACK_FP || !latency)
		return NULL;
	st = bpf_map_lookup_elem(&stacks, k);
	if (!st || st->depth >= USCOPE_MAX_DEPTH)
		return NULL;
	f = &st->frames[st->depth & (USCOPE_MAX_DEPTH - 1)];
	note.key = (struct uscope_stack_key){ .site = f->stk.site, .stack_id = f->stk.stack_id,
					      .caller = f->stk.caller, .pid = id >> 32 };
	h = bpf_map_lookup_elem(&stack_hists, &note.key);
	if (h)
		return h;
	if (!bpf_map_update_elem(&stack_hists, &note.key, &stack_zero_hist, BPF_NOEXIST))
		bpf_ringbuf_output(&events, &note, sizeof(note),
				   stack__new_pid(note.key.pid) ? BPF_RB_FORCE_WAKEUP : BPF_RB_NO_WAKEUP);
	h = bpf_map_lookup_elem(&stack_hists, &note.key);
	if (!h)
		bump(&stack_lost, USCOPE_STACK_LOST_KEY);
	return h;
}

#endif
