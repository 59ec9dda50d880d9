// SPDX-License-Identifier: BSD-2-Clause
/* debug_find_dwfl: libdwfl's find_debuginfo callback on top of debug_find(). */
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "debug_find.h"
#include "debug_find_dwfl.h"

int debug_find__dwfl(Dwfl_Module *mod, void **userdata, const char *modname, Dwarf_Addr base,
		     const char *file_name, const char *debuglink_file, GElf_Word debuglink_crc,
		     char **debuginfo_file_name)
{
	struct debug_found df = { 0 };
	struct elf_file ef;
	int fd = -1;

	if (file_name && elf_file__open(file_name, &ef) == 0) {
		if (debug_find(&ef, file_name, NULL, true, &df) == 0 && df.path) {
			fd = open(df.path, O_RDONLY | O_CLOEXEC);
			if (fd >= 0) {
				*debuginfo_file_name = df.path;
				df.path = NULL;
			}
		}
		debug_found__free(&df);
		elf_file__close(&ef);
	}
	if (fd >= 0)
		return fd;
	return dwfl_standard_find_debuginfo(mod, userdata, modname, base, file_name,
					    debuglink_file, debuglink_crc, debuginfo_file_name);
}
