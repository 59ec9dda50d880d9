// SPDX-License-Identifier: BSD-2-Clause
/*
 * libFuzzer harness for helpers/usdt_args.c.
 *
 * The input, cut at its first NUL, is one USDT argument string. Checked:
 *  - the result is a count in 0..USDT_MAX_ARGS, or -EINVAL / -E2BIG with a
 *    reason, and the same whatever reason buffer (none, 1 byte, 96 bytes);
 *  - every parsed argument is well formed (size, kind, scale, register
 *    names NUL-terminated and known, offsets set exactly when meaningful);
 *  - round trip: printing the parsed arguments back in the canonical
 *    SIZE@OPERAND form and parsing that again gives the same arguments.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "usdt_args.h"
#include "fuzz_common.h"

static void check_arg(const struct usdt_arg *a, const char *str)
{
	FUZZ_CHECK(a->size == 1 || a->size == 2 || a->size == 4 || a->size == 8);
	FUZZ_CHECK(fuzz_terminated(a->reg, sizeof(a->reg)));
	FUZZ_CHECK(fuzz_terminated(a->idx_reg, sizeof(a->idx_reg)));
	FUZZ_CHECK(a->sym_addr == 0);
	if (a->sym_len)
		FUZZ_CHECK(a->sym_pos + a->sym_len <= strlen(str) && a->kind != USDT_ARG_REG);
	switch (a->kind) {
	case USDT_ARG_CONST:
		FUZZ_CHECK(a->reg_off == -1 && a->idx_reg_off == -1 && a->reg[0] == '\0');
		break;
	case USDT_ARG_REG:
		FUZZ_CHECK(a->val_off == 0);
		FUZZ_CHECK(a->reg_off >= 0 && a->reg[0] != '\0');
		/* fall through */
	case USDT_ARG_MEM:
		FUZZ_CHECK(a->idx_reg_off == -1 && a->idx_reg[0] == '\0');
		break;
	case USDT_ARG_MEM_SIB:
		FUZZ_CHECK(a->idx_reg_off >= 0 && a->idx_reg[0] != '\0');
		FUZZ_CHECK(strcmp(a->idx_reg, "rip") != 0 && strcmp(a->reg, "rip") != 0);
		FUZZ_CHECK(a->scale == 1 || a->scale == 2 || a->scale == 4 || a->scale == 8);
		break;
	default:
		FUZZ_CHECK(!"bad kind");
	}
	if (a->reg_off >= 0)
		FUZZ_CHECK(a->reg_off % 8 == 0 && a->reg_off < 21 * 8 && a->reg[0] != '\0');
	else
		FUZZ_CHECK(a->reg[0] == '\0');
	if (a->kind == USDT_ARG_MEM || a->kind == USDT_ARG_MEM_SIB)
		FUZZ_CHECK(a->reg_off >= 0 || a->idx_reg_off >= 0 || a->sym_len);
	if (strcmp(a->reg, "rip") == 0 && a->kind != USDT_ARG_REG)
		FUZZ_CHECK(a->sym_len);	/* a numeric offset from %rip is refused */
	if (a->kind != USDT_ARG_MEM_SIB)
		FUZZ_CHECK(a->scale == 0);
}

/* Append the canonical text of A (its symbol from STR) to BUF (which has room). */
static size_t print_arg(char *buf, size_t len, const struct usdt_arg *a, const char *str)
{
	/* The symbol may be as long as the whole input: size the buffer from it, never truncate. */
	size_t dlen = (size_t)a->sym_len + 24, out;
	char size[4], *disp = malloc(dlen);

	if (!disp)
		abort();
	snprintf(size, sizeof(size), "%s%u", a->is_signed ? "-" : "", a->size);
	if (a->sym_len)
		snprintf(disp, dlen, "%.*s%+" PRId64, (int)a->sym_len, str + a->sym_pos, a->val_off);
	else
		snprintf(disp, dlen, "%" PRId64, a->val_off);
	switch (a->kind) {
	case USDT_ARG_CONST:
		out = len + (size_t)sprintf(buf + len, " %s@$%s", size, disp);
		break;
	case USDT_ARG_REG:
		out = len + (size_t)sprintf(buf + len, " %s@%%%s", size, a->reg);
		break;
	case USDT_ARG_MEM:
		if (a->reg_off < 0)
			out = len + (size_t)sprintf(buf + len, " %s@%s", size, disp);
		else
			out = len + (size_t)sprintf(buf + len, " %s@%s(%%%s)", size, disp, a->reg);
		break;
	default:
		out = len + (size_t)sprintf(buf + len, " %s@%s(%s%s,%%%s,%u)", size, disp,
					    a->reg_off < 0 ? "" : "%", a->reg, a->idx_reg, a->scale);
	}
	free(disp);
	return out;
}

/* A and B are the same argument, their symbols (from SA and SB) included. */
static bool same_arg(const struct usdt_arg *a, const char *sa, const struct usdt_arg *b, const char *sb)
{
	struct usdt_arg x = *a, y = *b;

	if (a->sym_len != b->sym_len || memcmp(sa + a->sym_pos, sb + b->sym_pos, a->sym_len))
		return false;
	x.sym_pos = y.sym_pos = 0;
	return memcmp(&x, &y, sizeof(x)) == 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct usdt_arg args[USDT_MAX_ARGS], again[USDT_MAX_ARGS];
	char why[96], why1[1], *str;
	/* " -8@SYM-9223372036854775808(%r15d,%r15d,8)": 40 bytes + the symbol. */
	char *canon;
	size_t len = 0;
	int n, i;

	str = malloc(size + 1);
	if (!str)
		return 0;
	memcpy(str, data, size);
	str[size] = '\0';

	memset(why, 'x', sizeof(why));
	n = usdt_args__parse(str, args, why, sizeof(why));
	FUZZ_CHECK(fuzz_terminated(why, sizeof(why)));
	FUZZ_CHECK(usdt_args__parse(str, args, NULL, 0) == n);
	FUZZ_CHECK(usdt_args__parse(str, args, why1, sizeof(why1)) == n);
	FUZZ_CHECK(why1[0] == '\0');

	if (n < 0) {
		FUZZ_CHECK(n == -EINVAL || n == -E2BIG);
		FUZZ_CHECK(why[0] != '\0');
		free(str);
		return 0;
	}
	FUZZ_CHECK(n <= USDT_MAX_ARGS);
	FUZZ_CHECK(why[0] == '\0');

	canon = malloc(USDT_MAX_ARGS * 48 + size + 1);
	if (!canon) {
		free(str);
		return 0;
	}
	for (i = 0; i < n; i++) {
		check_arg(&args[i], str);
		len = print_arg(canon, len, &args[i], str);
	}
	canon[len] = '\0';	/* n == 0: nothing was printed */
	FUZZ_CHECK(usdt_args__parse(canon, again, why, sizeof(why)) == n);
	for (i = 0; i < n; i++)
		FUZZ_CHECK(same_arg(&args[i], str, &again[i], canon));
	free(canon);
	free(str);
	return 0;
}
