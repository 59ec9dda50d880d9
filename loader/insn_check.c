// SPDX-License-Identifier: BSD-2-Clause
/*
 * Checks a probe point inside a function (FUNC+OFF, --offset) by decoding
 * the function from its start: the kernel accepts any offset and, in the
 * middle of an instruction, writes its breakpoint there and corrupts the
 * target. An instruction the kernel refuses (lock or segment prefix, ...)
 * would attach and never fire, so it is refused too, with the reason.
 */
#include <errno.h>
#include <string.h>
#include "insn_check.h"
#include "util.h"
#include "../helpers/insn_cost.h"

int insn_check__offset(struct binary *b, const struct elf_func *f, uint64_t off, const char *what)
{
	size_t rel = off - f->offset, before, after;
	const uint8_t *buf = binary__func_bytes(b, f);	/* kept by the cache */
	struct insn_info ii;
	int r;

	if (!buf) {
		err_msg("%s: cannot decode %s in '%s' (%s) to check that an instruction starts there",
			what, f->name, b->path, errno == E2BIG ? "no or too large a symbol size" : strerror(errno));
		return -EINVAL;
	}
	r = insn_cost__boundary(buf, f->size, rel, &before, &after);
	if (r == 0)
		err_msg("%s is inside an instruction of %s in '%s': the instructions around it start at "
			"%s+0x%zx and %s+0x%zx", what, f->name, b->path, f->name, before, f->name, after);
	else if (r < 0)
		err_msg("%s: %s in '%s' does not decode from its start up to +0x%zx (it stops at +0x%zx), so "
			"an instruction start there cannot be checked (--unsafe-offset takes the risk)", what,
			f->name, b->path, rel, before);
	if (r == 1) {
		insn_cost__classify(buf + rel, f->size - rel, f->addr + rel, &ii);
		if (ii.cost == INSN_UNPROBEABLE) {
			err_msg("%s starts '%s', which the kernel cannot probe (%s)", what, ii.text, ii.why);
			r = -1;
		}
	}
	return r == 1 ? 0 : -EINVAL;
}
