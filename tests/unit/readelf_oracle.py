#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""readelf_oracle: what elfdump should print, computed from readelf -W output.

Independent of libelf and of helpers/: parses `readelf -lW`, `-SW`, `-sW` and
`-nW` text, applies the rules of helpers/elf_funcs.h and usdt_notes.h, and
prints the same lines as `elfdump funcs|usdt` (argument parsing is left out:
usdt lines stop after the raw argument string). Used by unit_helpers.bats.

  readelf_oracle.py funcs FILE
  readelf_oracle.py usdt FILE
"""
import re
import subprocess
import sys


def readelf(opt, path):
    return subprocess.run(["readelf", opt, path], check=True, capture_output=True,
                          text=True, env={"LC_ALL": "C"}).stdout


def loads(path):
    segs = []
    for line in readelf("-lW", path).splitlines():
        f = line.split()
        if f and f[0] == "LOAD":
            off, vaddr, filesz = int(f[1], 16), int(f[2], 16), int(f[4], 16)
            flags = " ".join(f[6:-1])
            segs.append((vaddr, filesz, off, "E" in flags))
    return segs


def to_off(segs, addr, need_exec):
    for vaddr, filesz, off, x in segs:
        if need_exec and not x:
            continue
        if vaddr <= addr < vaddr + filesz:
            return addr - vaddr + off
    return None


def sections(path):
    out = {}
    for line in readelf("-SW", path).splitlines():
        m = re.match(r"\s*\[\s*\d+\]\s+(\S+)\s+(\S+)\s+([0-9a-f]+)\s", line)
        if m:
            out.setdefault(m.group(1), (m.group(2), int(m.group(3), 16)))
    return out


def funcs(path):
    segs = loads(path)
    secs = sections(path)
    want = ".symtab" if any(t == "SYMTAB" for t, _ in secs.values()) else ".dynsym"
    cur, rows = None, []
    for line in readelf("-sW", path).splitlines():
        m = re.match(r"Symbol table '(\S+)'", line)
        if m:
            cur = m.group(1)
            continue
        if cur != want:
            continue
        f = line.split()
        if len(f) < 8 or not f[0].endswith(":") or not f[0][:-1].isdigit():
            continue
        value, size, typ, bind, ndx, name = f[1], f[2], f[3], f[4], f[6], f[7]
        if typ not in ("FUNC", "IFUNC") or ndx == "UND":
            continue
        addr = int(value, 16)
        size = int(size, 0)
        name = name.split("@")[0]
        if addr == 0 or not name:
            continue
        off = to_off(segs, addr, True)
        if off is None:
            continue
        b = {"LOCAL": "local", "GLOBAL": "global", "WEAK": "weak"}.get(bind, "other")
        rows.append((off, name, "%s 0x%x 0x%x %d %s%s" % (
            name, addr, off, size, b, " ifunc" if typ == "IFUNC" else "")))
    rows.sort(key=lambda r: (r[0], r[1].encode()))
    print("# funcs %d from_dynsym %d" % (len(rows), want == ".dynsym"))
    for r in rows:
        print(r[2])


def usdt(path):
    segs = loads(path)
    secs = sections(path)
    real_base = secs.get(".stapsdt.base", (None, None))[1]
    rows, in_sdt, cur = [], False, None
    for line in readelf("-nW", path).splitlines():
        if line.startswith("Displaying notes found in:"):
            in_sdt = line.split()[-1] == ".note.stapsdt"
            continue
        if not in_sdt:
            continue
        m = re.search(r"Provider: (\S+)", line)
        if m:
            cur = {"prov": m.group(1)}
            continue
        m = re.match(r"\s+Name: (\S+)", line)
        if m and cur is not None:
            cur["name"] = m.group(1)
            continue
        m = re.match(r"\s+Location: 0x([0-9a-f]+), Base: 0x([0-9a-f]+), Semaphore: 0x([0-9a-f]+)", line)
        if m and cur is not None:
            cur["pc"], cur["base"], cur["sema"] = (int(x, 16) for x in m.groups())
            continue
        m = re.match(r"\s+Arguments: ?(.*)$", line)
        if m and cur is not None:
            pc, base, sema = cur["pc"], cur["base"], cur["sema"]
            if real_base is not None and base:
                apc = (pc - base + real_base) % 2**64
                asema = (sema - base + real_base) % 2**64 if sema else 0
            else:
                apc, asema = pc, sema
            off = to_off(segs, apc, True)
            soff = to_off(segs, asema, False) if sema else 0
            if off is not None and soff is not None:
                rows.append("%s %s 0x%x 0x%x 0x%x 0x%x 0x%x '%s'" % (
                    cur["prov"], cur["name"], pc, base, sema, off, soff, m.group(1)))
            cur = None
    print("# usdt %d" % len(rows))
    for r in rows:
        print(r)


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] not in ("funcs", "usdt"):
        sys.exit(__doc__)
    (funcs if sys.argv[1] == "funcs" else usdt)(sys.argv[2])
