// SPDX-License-Identifier: BSD-2-Clause
/*
 * minidebuginfo: unpack .gnu_debugdata with liblzma.
 *
 * The section is one xz stream (gdb and elfutils read it the same way);
 * liblzma (liblzma-dev) is xz's own library. The section is small (a few
 * hundred KiB), so it is decoded into one growing heap buffer, the only
 * copy uscope makes of symbol data; a memory limit and a size cap keep a
 * hostile file from inflating without end.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <lzma.h>

#include "minidebuginfo.h"

#define MDI_MAX (256u << 20)

static int find_debugdata(const struct elf_file *bin, Elf_Data **data)
{
	Elf_Scn *scn = NULL;
	GElf_Shdr shdr;
	const char *name;
	int ret;

	*data = NULL;
	while ((ret = elf_file__next_section(bin, &scn, &shdr, &name)) > 0)
		if (strcmp(name, ".gnu_debugdata") == 0 && shdr.sh_type == SHT_PROGBITS)
			return elf_file__section_data(bin, scn, &shdr, data);
	return ret;
}

static int xz_decode(const uint8_t *in, size_t in_size, void **buf, size_t *size)
{
	lzma_stream s = LZMA_STREAM_INIT;
	size_t cap = in_size * 4 + 4096;
	uint8_t *out = NULL, *bigger;
	lzma_ret r;

	if (lzma_stream_decoder(&s, MDI_MAX, 0) != LZMA_OK)
		return -ENOMEM;
	s.next_in = in;
	s.avail_in = in_size;
	do {
		if (!out || s.avail_out == 0) {
			size_t used = out ? (size_t)(s.next_out - out) : 0;

			if (out)
				cap *= 2;
			if (cap > MDI_MAX)
				cap = MDI_MAX;
			if (out && used == cap)
				break;		/* too big: refused below */
			bigger = realloc(out, cap);
			if (!bigger) {
				free(out);
				lzma_end(&s);
				return -ENOMEM;
			}
			out = bigger;
			s.next_out = out + used;
			s.avail_out = cap - used;
		}
		r = lzma_code(&s, LZMA_FINISH);
	} while (r == LZMA_OK);
	*size = (size_t)(s.next_out - out);
	lzma_end(&s);
	if (r != LZMA_STREAM_END) {
		free(out);
		return r == LZMA_MEM_ERROR ? -ENOMEM : -EBADMSG;
	}
	*buf = out;
	return 1;
}

int minidebuginfo__read(const struct elf_file *bin, void **buf, size_t *size)
{
	Elf_Data *data;
	int err = find_debugdata(bin, &data);

	*buf = NULL;
	*size = 0;
	if (err < 0)
		return err;
	if (!data)
		return 0;
	return xz_decode(data->d_buf, data->d_size, buf, size);
}
