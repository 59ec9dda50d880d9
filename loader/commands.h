/* SPDX-License-Identifier: BSD-2-Clause */
/* The uscope subcommands; each returns the process exit status. */
#ifndef USCOPE_COMMANDS_H
#define USCOPE_COMMANDS_H

int cmd_funcs(int argc, char **argv);
int cmd_usdt(int argc, char **argv);
int cmd_trace(int argc, char **argv);

#endif
