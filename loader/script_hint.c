// SPDX-License-Identifier: BSD-2-Clause
/* script_hint: name a '#!' script as a script, with its interpreter, instead of "not an ELF file". */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "script_hint.h"
#include "util.h"

bool script_hint(const char *shown, const char *open_path)
{
	char line[256], *interp;
	ssize_t n;
	size_t len;
	int fd = open(open_path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);

	if (fd < 0)
		return false;
	n = read(fd, line, sizeof(line) - 1);
	close(fd);
	if (n < 2 || line[0] != '#' || line[1] != '!')
		return false;
	line[n] = '\0';
	/* The interpreter: the first word after "#!" (spaces allowed before it). */
	interp = line + 2 + strspn(line + 2, " \t");
	len = strcspn(interp, " \t\r\n");
	interp[len] = '\0';
	if (!len)
		interp = "INTERPRETER";
	err_msg("'%s' is a script (#!%s), not an ELF binary: probe its interpreter with "
		"-x %s (or the real program it runs), or start it as -c '%s %s'",
		shown, interp, interp, interp, shown);
	return true;
}
