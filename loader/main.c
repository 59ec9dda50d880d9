// SPDX-License-Identifier: BSD-2-Clause
/* uscope's entry point: picks the subcommand. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include "commands.h"
#include "util.h"

static void usage(FILE *f)
{
	fprintf(f,
"Usage: uscope COMMAND [options] ...\n"
"User-space probing with one generic BPF program per kind, attached by cookie.\n"
"\n"
"Commands:\n"
"  funcs [--json] BINARY [GLOB...]          list functions: offset, size, name\n"
"  usdt  [--json] BINARY [PROVIDER:NAME]    list USDT probes (glob allowed)\n"
"  usdt  [--json] -p PID [PROVIDER:NAME]    ... of a process and its libraries\n"
"  trace [options] PROBE...                 attach and report (see uscope trace --help)\n"
"\n"
"  uscope --help, uscope COMMAND --help, uscope --version\n"
"\n"
"Examples:\n"
"  uscope funcs ./build/umark 'func_*'\n"
"  uscope usdt ./build/umark\n"
"  uscope trace -c './build/umark -n 3 -i 0' func_uprobe1 ret:func_uprobe2 'usdt:group*:*'\n");
}

int main(int argc, char **argv)
{
	if (isatty(STDOUT_FILENO))
		setvbuf(stdout, NULL, _IOLBF, 0);
	libbpf_log_init();
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V")) {
		printf("uscope %s (libbpf %s)\n", USCOPE_VERSION, libbpf_version_string());
		return 0;
	}
	if (!strcmp(argv[1], "funcs"))
		return cmd_funcs(argc - 1, argv + 1);
	if (!strcmp(argv[1], "usdt"))
		return cmd_usdt(argc - 1, argv + 1);
	if (!strcmp(argv[1], "trace"))
		return cmd_trace(argc - 1, argv + 1);
	err_msg("unknown command '%s' (see uscope --help)", argv[1]);
	return EXIT_USAGE;
}
