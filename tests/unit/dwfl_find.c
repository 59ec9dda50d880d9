// SPDX-License-Identifier: BSD-2-Clause
/*
 * dwfl_find: what does a libdwfl session using debug_find__dwfl() as its
 * find_debuginfo callback make of a binary? For tests/names.bats.
 *
 *   dwfl_find FILE ADDR   prints "debugfile PATH" (the debug file libdwfl
 *                         was given) and "name NAME" (the symbol at ADDR,
 *                         a file address); exit 1 when either is missing
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "debug_find_dwfl.h"

int main(int argc, char **argv)
{
	static const Dwfl_Callbacks cb = {
		.find_elf = dwfl_build_id_find_elf,
		.find_debuginfo = debug_find__dwfl,
	};
	const char *debugfile = NULL, *name;
	Dwfl_Module *mod;
	Dwarf_Addr bias;
	Dwfl *dwfl;

	if (argc != 3)
		return 2;
	dwfl = dwfl_begin(&cb);
	mod = dwfl ? dwfl_report_offline(dwfl, "", argv[1], -1) : NULL;
	if (!mod || dwfl_report_end(dwfl, NULL, NULL) != 0)
		return 1;
	if (!dwfl_module_getdwarf(mod, &bias))
		return printf("no dwarf: %s\n", dwfl_errmsg(-1)), 1;
	dwfl_module_info(mod, NULL, NULL, NULL, NULL, NULL, NULL, &debugfile);
	name = dwfl_module_addrname(mod, strtoull(argv[2], NULL, 0) + bias);
	printf("debugfile %s\nname %s\n", debugfile ? debugfile : "-", name ? name : "-");
	dwfl_end(dwfl);
	return debugfile && name ? 0 : 1;
}
