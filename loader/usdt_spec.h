/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * usdt_spec: the BPF-side record (struct uscope_usdt_spec, probes/uscope.h)
 * that tells probes/usdt_read.bpf.h how to read one USDT location's
 * arguments, built from the parsed note.
 */
#ifndef USCOPE_USDT_SPEC_H
#define USCOPE_USDT_SPEC_H

#include <linux/types.h>
#include "../helpers/usdt_notes.h"
#include "../probes/uscope.h"

/* Fill OUT for NOTE; its unreadable arguments become USCOPE_USDT_BAD. */
void usdt_spec__build(struct uscope_usdt_spec *out, const struct usdt_note *note);

/* How many of NOTE's arguments cannot be read (0: all can). */
int usdt_spec__bad_args(const struct usdt_note *note);

/* Warn (once, the caller's business) when NOTE has unreadable arguments, naming them; BIN is shown. */
void usdt_spec__warn_unreadable(const struct usdt_note *note, const char *bin);

#endif
