/* SPDX-License-Identifier: BSD-2-Clause */
/* Small shared pieces of the CLI: the one error printer, number parsing, JSON strings. */
#ifndef USCOPE_UTIL_H
#define USCOPE_UTIL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define USCOPE_VERSION "0.1.0"

/* Exit statuses: 1 for failures, 2 for usage errors, like grep and bpftrace. */
#define EXIT_USAGE 2

/* Print "uscope: <message>" on stderr, once, at the top. */
void err_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void warn_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * libbpf's messages: warnings only, or with VERBOSE every level (the
 * verifier log included); always on stderr, prefixed once with "libbpf: ".
 */
void libbpf_log_init(void);
void libbpf_log_verbose(bool verbose);

/*
 * QUIET: drop libbpf's warnings too (not with -v), while uscope reports the
 * same failure itself in one line (attaching).
 */
void libbpf_log_quiet(bool quiet);

/* Strict parsers: the whole string must be a number in range. */
bool parse_u64(const char *s, uint64_t max, uint64_t *out);
bool parse_seconds(const char *s, double *out);	/* > 0, finite, fractions allowed */

/* Write S as a JSON string literal, quotes included. */
void json_string(FILE *f, const char *s);

/* Monotonic clock in ns, the clock bpf_ktime_get_ns() reads. */
uint64_t now_ns(void);

#endif
