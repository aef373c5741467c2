#!/usr/bin/env python3
"""Regenerate the seed corpora in fuzz/corpus/ (committed; run by hand).

Synthetic .gopclntab tables for each format (small, fully consistent, so the
fuzzer starts from inputs that reach the deep paths), .go.buildinfo blobs in
both forms, and small ELF files taken from the test fixtures when they are
built (tests/fixtures/build.sh). Every seed stays well under 64 KiB.
"""
import os
import shutil
import struct
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
FIX = os.path.join(ROOT, "tests", "fixtures", "bin")
TEXT = 0x401000

FUNCS = [("main.main", 0x000, 0x60), ("main.tick", 0x060, 0x80), ("runtime.main", 0x0E0, 0x40)]
FILES = [b"/src/main.go", b"/src/runtime/proc.go"]


def zz(v):
    return (v << 1) if v >= 0 else ((-v - 1) << 1) | 1


def uv(v):
    out = bytearray()
    while True:
        b = v & 0x7F
        v >>= 7
        if v:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def pcvalue(pairs):
    """pairs: (value, pc_len) runs starting at value -1."""
    out, prev = bytearray(), -1
    for val, length in pairs:
        out += uv(zz(val - prev)) + uv(length)
        prev = val
    return bytes(out) + b"\0"


def strtab(names):
    offs, blob = [], bytearray()
    for n in names:
        offs.append(len(blob))
        blob += n + b"\0"
    return offs, bytes(blob)


def pctab_for(funcs):
    pct = bytearray(b"\0")  # offset 0 means "no table"
    tabs = []
    for i, (_, _, size) in enumerate(funcs):
        fno = 0 if i < 2 else 1
        f_off = len(pct)
        pct += pcvalue([(fno, size)])
        l_off = len(pct)
        pct += pcvalue([(10 + 10 * i, size // 2), (11 + 10 * i, size - size // 2)])
        tabs.append((f_off, l_off))
    return bytes(pct), tabs


def table_118(magic):
    name_offs, names = strtab([f[0].encode() for f in FUNCS])
    file_offs, files = strtab(FILES)
    cutab = struct.pack("<2I", *file_offs)
    pct, tabs = pctab_for(FUNCS)
    n = len(FUNCS)
    ft = bytearray()
    recs = bytearray()
    rec_base = (2 * n + 1) * 4
    for i, (name, off, size) in enumerate(FUNCS):
        ft += struct.pack("<II", off, rec_base + len(recs))
        rec = struct.pack("<Ii6II", off, name_offs[i], 0, 0, 0, tabs[i][0], tabs[i][1], 0, 0)
        if magic == 0xFFFFFFF1:
            rec += struct.pack("<i", 10 + 10 * i)
        rec += bytes([0, 0, 0, 0])
        recs += rec
    ft += struct.pack("<I", FUNCS[-1][1] + FUNCS[-1][2])
    hdr_len = 8 + 8 * 8
    o_name = hdr_len
    o_cu = o_name + len(names)
    o_file = o_cu + len(cutab)
    o_pc = o_file + len(files)
    o_func = o_pc + len(pct)
    hdr = struct.pack("<IBBBB", magic, 0, 0, 1, 8)
    hdr += struct.pack("<8Q", n, len(FILES), TEXT, o_name, o_cu, o_file, o_pc, o_func)
    return hdr + names + cutab + files + pct + bytes(ft) + bytes(recs)


def table_116():
    name_offs, names = strtab([f[0].encode() for f in FUNCS])
    file_offs, files = strtab(FILES)
    cutab = struct.pack("<2I", *file_offs)
    pct, tabs = pctab_for(FUNCS)
    n = len(FUNCS)
    ft, recs = bytearray(), bytearray()
    rec_base = (2 * n + 1) * 8
    for i, (name, off, size) in enumerate(FUNCS):
        ft += struct.pack("<QQ", TEXT + off, rec_base + len(recs))
        recs += struct.pack("<Qi6II", TEXT + off, name_offs[i], 0, 0, 0, tabs[i][0], tabs[i][1], 0, 0)
        recs += bytes([0, 0, 0, 0])
    ft += struct.pack("<Q", TEXT + FUNCS[-1][1] + FUNCS[-1][2])
    hdr_len = 8 + 7 * 8
    o_name = hdr_len
    o_cu = o_name + len(names)
    o_file = o_cu + len(cutab)
    o_pc = o_file + len(files)
    o_func = o_pc + len(pct)
    hdr = struct.pack("<IBBBB", 0xFFFFFFFA, 0, 0, 1, 8)
    hdr += struct.pack("<7Q", n, len(FILES), o_name, o_cu, o_file, o_pc, o_func)
    return hdr + names + cutab + files + pct + bytes(ft) + bytes(recs)


def table_12():
    # Everything is addressed from the start of the table.
    n = len(FUNCS)
    ft_off = 16
    ft_len = (2 * n + 1) * 8
    filetab_ptr_off = ft_off + ft_len
    body_off = filetab_ptr_off + 4
    body = bytearray()

    def add(b):
        off = body_off + len(body)
        body.extend(b)
        return off

    names = [add(f[0].encode() + b"\0") for f in FUNCS]
    fnames = [add(f + b"\0") for f in FILES]
    # file numbers start at 1 in 1.2 tables
    tabs = []
    for i, (_, _, size) in enumerate(FUNCS):
        fno = 1 if i < 2 else 2
        f_off = add(pcvalue([(fno, size)]))
        l_off = add(pcvalue([(10 + 10 * i, size)]))
        tabs.append((f_off, l_off))
    while (body_off + len(body)) % 8:
        body.append(0)
    recs = []
    for i, (name, off, size) in enumerate(FUNCS):
        recs.append(add(struct.pack("<Qi6II", TEXT + off, names[i], 0, 0, 0, tabs[i][0], tabs[i][1], 0, 0)))
    filetab = add(struct.pack("<3I", 3, fnames[0], fnames[1]))
    ft = bytearray()
    for i, (name, off, size) in enumerate(FUNCS):
        ft += struct.pack("<QQ", TEXT + off, recs[i])
    ft += struct.pack("<Q", TEXT + FUNCS[-1][1] + FUNCS[-1][2])
    hdr = struct.pack("<IBBBBQ", 0xFFFFFFFB, 0, 0, 1, 8, n)
    return hdr + bytes(ft) + struct.pack("<I", filetab) + bytes(body)


def buildinfo_inline(ver=b"go1.22.4", mod=b"path\tmarquee\n"):
    b = b"\xff Go buildinf:" + bytes([8, 2]) + b"\0" * 16
    return b + uv(len(ver)) + ver + uv(len(mod)) + mod


def buildinfo_pointer(ver=b"go1.16.3"):
    # pointers are virtual addresses = offset + 0x1000 (see fuzz_buildinfo.c)
    base = 0x1000
    hdr_off = 48
    str_off = 64
    b = bytearray(b"\xff Go buildinf:" + bytes([8, 0]))
    b += struct.pack("<QQ", base + hdr_off, base + hdr_off + 16)
    b += b"\0" * (hdr_off - len(b))
    b += struct.pack("<QQ", base + str_off, len(ver))
    b += struct.pack("<QQ", base + str_off, 0)
    b += ver
    return bytes(b)


def elf64(sections, phdrs_for, etype=2):
    """A little-endian x86-64 ELF. sections: (name, type, flags, addr, data,
    link, entsize); phdrs_for(offsets) -> [(type, flags, off, vaddr, size)]."""
    names = b"\0"
    name_off = []
    for s in sections:
        name_off.append(len(names))
        names += s[0].encode() + b"\0"
    shstr_off = len(names)
    names += b".shstrtab\0"
    nph = 2
    off = 64 + 56 * nph
    body = bytearray()
    offs = []
    for s in sections:
        pad = (-(off + len(body))) % 16
        body += b"\0" * pad
        offs.append(off + len(body))
        body += s[4]
    shstr_at = off + len(body)
    body += names
    body += b"\0" * ((-(off + len(body))) % 8)
    shoff = off + len(body)
    ph = b"".join(struct.pack("<IIQQQQQQ", t, fl, o, va, va, sz, sz, 0x1000)
                  for t, fl, o, va, sz in phdrs_for(offs))
    eh = b"\x7fELF" + bytes([2, 1, 1, 0]) + b"\0" * 8
    eh += struct.pack("<HHIQQQIHHHHHH", etype, 62, 1, 0x401000, 64, shoff, 0, 64, 56, nph, 64,
                      len(sections) + 2, len(sections) + 1)
    sh = b"\0" * 64
    for i, s in enumerate(sections):
        sh += struct.pack("<IIQQQQIIQQ", name_off[i], s[1], s[2], s[3], offs[i], len(s[4]),
                          s[5], 1 if s[1] == 2 else 0, 8, s[6])
    sh += struct.pack("<IIQQQQIIQQ", shstr_off, 3, 0, 0, shstr_at, len(names), 0, 0, 1, 0)
    return eh + ph + bytes(body) + sh


def goinfo_elf(t118, dwarf_ab, dwarf_info):
    """A small Go-looking executable for fuzz_goinfo: .text whose first
    function is runtime.stackcheck (MOVQ %fs:-8, %rcx), a 1.18 pclntab, an
    inline .go.buildinfo, a .rodata version string, .symtab and DWARF."""
    text = bytes([0x64, 0x48, 0x8B, 0x0C, 0x25, 0xF8, 0xFF, 0xFF, 0xFF]) + b"\xc3" * 0x177
    strt = b"\0runtime.stackcheck\0main.main\0"
    sym = b"\0" * 24
    sym += struct.pack("<IBBHQQ", 1, 0x12, 0, 1, 0x401000, 0x20)
    sym += struct.pack("<IBBHQQ", 20, 0x12, 0, 1, 0x401020, 0x40)
    secs = [
        (".text", 1, 6, 0x401000, text, 0, 0),
        (".rodata", 1, 2, 0x402000, b"go1.19.13\0needs go1.18.2\0", 0, 0),
        (".gopclntab", 1, 2, 0x403000, t118, 0, 0),
        (".go.buildinfo", 1, 3, 0x404000, buildinfo_inline(b"go1.21.3"), 0, 0),
        (".symtab", 2, 0, 0, sym, 6, 24),
        (".strtab", 3, 0, 0, strt, 0, 0),
        (".debug_abbrev", 1, 0, 0, dwarf_ab, 0, 0),
        (".debug_info", 1, 0, 0, dwarf_info, 0, 0),
    ]

    def phdrs(offs):
        return [(1, 5, offs[0], 0x401000, len(text)),
                (1, 6, offs[3], 0x404000, len(secs[3][4]))]
    return elf64(secs, phdrs)


def write(d, name, data):
    os.makedirs(os.path.join(HERE, "corpus", d), exist_ok=True)
    assert len(data) < 64 * 1024, name
    with open(os.path.join(HERE, "corpus", d, name), "wb") as f:
        f.write(data)


def main():
    t118, t120, t116, t12 = table_118(0xFFFFFFF0), table_118(0xFFFFFFF1), table_116(), table_12()
    write("fuzz_gopclntab", "synthetic-118", t118)
    write("fuzz_gopclntab", "synthetic-120", t120)
    write("fuzz_gopclntab", "synthetic-116", t116)
    write("fuzz_gopclntab", "synthetic-12", t12)
    write("fuzz_buildinfo", "inline-go122", buildinfo_inline())
    write("fuzz_buildinfo", "pointer-go116", buildinfo_pointer())
    write("fuzz_buildinfo", "rodata-version", b"requires go1.13\0runtime: go1.26.5internal/abi")
    # Real sections, when the fixtures are built.
    for binname in ("marquee-stripped", "esbuild-go1.16"):
        p = os.path.join(FIX, binname)
        if not os.path.exists(p):
            continue
        out = os.path.join("/tmp", "ttytop-seed.bin")
        for sec, d, cut in ((".go.buildinfo", "fuzz_buildinfo", 4096), (".gopclntab", "fuzz_gopclntab", 8192)):
            if subprocess.call(["objcopy", "-O", "binary", "--only-section=" + sec, p, out]) == 0:
                data = open(out, "rb").read()[:cut]
                if data:
                    write(d, f"{binname}{sec}-head", data)
    cw = os.path.join(FIX, "cwriter-stripped")
    if os.path.exists(cw):
        write("fuzz_elf", "cwriter-stripped", open(cw, "rb").read())
        # the same ELF with a synthetic Go table attached: reaches the pclntab path
        tab = os.path.join("/tmp", "ttytop-seed-pcln.bin")
        open(tab, "wb").write(t118)
        out = os.path.join("/tmp", "ttytop-seed-elf")
        if subprocess.call(["objcopy", "--add-section", ".gopclntab=" + tab, cw, out]) == 0:
            write("fuzz_elf", "cwriter-with-gopclntab", open(out, "rb").read())
    cws = os.path.join(FIX, "cwriter")
    if os.path.exists(cws):
        out = os.path.join("/tmp", "ttytop-seed-elf2")
        if subprocess.call(["strip", "--strip-debug", "-o", out, cws]) == 0:
            write("fuzz_elf", "cwriter-symtab", open(out, "rb").read())
    # DWARF: the marquee's decompressed abbrevs and the start of its .debug_info,
    # plus a hand-made unit holding runtime.g.goid (as in test_goinfo.c).
    mq = os.path.join(FIX, "marquee")
    if os.path.exists(mq):
        tmp = os.path.join("/tmp", "ttytop-seed-dwarf")
        if subprocess.call(["objcopy", "--decompress-debug-sections", mq, tmp]) == 0:
            secs = {}
            for sec in (".debug_abbrev", ".debug_info"):
                out = tmp + sec
                subprocess.call(["objcopy", "--dump-section", sec + "=" + out, tmp, tmp + ".x"])
                secs[sec] = open(out, "rb").read()
            ab, info = secs[".debug_abbrev"], secs[".debug_info"]
            write("fuzz_dwarf", "marquee-head", struct.pack("<I", len(ab)) + ab + info[:60000 - len(ab)])
    ab = bytes([1, 0x11, 1, 0x03, 0x08, 0, 0, 2, 0x13, 1, 0x03, 0x08, 0, 0,
                3, 0x0d, 0, 0x03, 0x08, 0x38, 0x0b, 0, 0, 0])
    body = b"\x01cu\0\x02runtime.g\0\x03goid\0\x98\x03m\0\x30\0\0"
    unit = struct.pack("<HIB", 4, 0, 8) + body
    info = struct.pack("<I", len(unit)) + unit
    write("fuzz_dwarf", "synthetic-v4", struct.pack("<I", len(ab)) + ab + info)
    write("fuzz_goinfo", "synthetic-go121", goinfo_elf(t118, ab, info))
    return 0


if __name__ == "__main__":
    sys.exit(main())
