#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""fuzz_elf: feed truncated and corrupted copies of ELF files to elfdump.

  fuzz_elf.py ELFDUMP WORKDIR ITERATIONS SEED FILE...

For each iteration picks a file and either truncates it at a random length
(then both loaders must fail: a cut binary may not pass for a whole one) or
flips random bytes, mostly inside the parts the helpers read (ELF header,
program and section headers, symbol and string tables, the USDT notes).
ELFDUMP (best built with -fsanitize=address,undefined
-fno-sanitize-recover=all) runs "all" on each copy; any crash, sanitizer
report or unexpected exit status is a failure. The failing copy is kept in
WORKDIR. Exit status 0 when every run was clean.
"""
import os
import random
import struct
import subprocess
import sys


def regions(data):
    """(start, end) byte ranges worth corrupting, from the file's own headers."""
    out = [(0, 64)]
    try:
        phoff, shoff = struct.unpack_from("<QQ", data, 0x20)
        phentsize, phnum, shentsize, shnum, shstrndx = struct.unpack_from("<HHHHH", data, 0x36)
        out.append((phoff, phoff + phnum * phentsize))
        out.append((shoff, shoff + shnum * shentsize))
        for i in range(shnum):
            sh = struct.unpack_from("<IIQQQQIIQQ", data, shoff + i * shentsize)
            typ, off, size = sh[1], sh[4], sh[5]
            if typ in (2, 3, 7, 11) and size:	# SYMTAB STRTAB NOTE DYNSYM
                out.append((off, off + min(size, 1 << 16)))
    except struct.error:
        pass
    return [(a, min(b, len(data))) for a, b in out if a < min(b, len(data))]


def main():
    if len(sys.argv) < 6:
        sys.exit(__doc__)
    elfdump, work, iters, seed = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    files = sys.argv[5:]
    rnd = random.Random(seed)
    blobs = {f: open(f, "rb").read() for f in files}
    regs = {f: regions(b) for f, b in blobs.items()}
    os.makedirs(work, exist_ok=True)
    bad = 0
    for it in range(iters):
        f = rnd.choice(files)
        data = bytearray(blobs[f])
        truncated = rnd.random() < 0.3
        if truncated:
            data = data[:rnd.randrange(0, len(data))]
            what = "truncated to %d" % len(data)
        else:
            n = rnd.choice((1, 1, 2, 4, 16))
            for _ in range(n):
                a, b = rnd.choice(regs[f])
                pos = rnd.randrange(a, b)
                data[pos] = rnd.randrange(256) if rnd.random() < 0.5 else data[pos] ^ (1 << rnd.randrange(8))
            what = "%d bytes changed" % n
        path = os.path.join(work, "fuzz.%d" % it)
        with open(path, "wb") as fp:
            fp.write(data)
        env = dict(os.environ, ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:exitcode=99",
                   UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:exitcode=98")
        p = subprocess.run([elfdump, "all", path], capture_output=True, text=True,
                           errors="replace", env=env, timeout=60)
        failed = p.returncode != 0 or "runtime error" in p.stderr or "Sanitizer" in p.stderr
        if truncated and not failed:
            errs = sum(l.startswith("error:") for l in p.stdout.splitlines())
            if errs != 2:
                failed = True
                p.stderr += "truncated copy loaded without an error:\n" + p.stdout[:2000]
        if failed:
            bad += 1
            print("FAIL %s (%s of %s) rc=%d\n%s" % (path, what, f, p.returncode, p.stderr[-3000:]))
        else:
            os.unlink(path)
    print("fuzz: %d runs, %d failures" % (iters, bad))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
