"""A minimal PDF writer for tests: text pages in any BMP script (Chinese included), no library.

Text is drawn with a Type0 font in Identity-H encoding (two bytes per character = its Unicode
code point) and a ToUnicode CMap, which is all a text extractor needs; the font is not embedded,
so viewers substitute one. `make_pdf([[]])` gives a page with no text, like a scanned page.
"""

from __future__ import annotations


def _cmap(codes: set[int]) -> bytes:
    highs = sorted({c >> 8 for c in codes}) or [0]
    ranges = "\n".join(f"<{h:02X}00> <{h:02X}FF> <{h:02X}00>" for h in highs)
    return (
        "/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n"
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
        "/CMapName /Adobe-Identity-UCS def /CMapType 2 def\n"
        "1 begincodespacerange <0000> <FFFF> endcodespacerange\n"
        f"{len(highs)} beginbfrange\n{ranges}\nendbfrange\n"
        "endcmap CMapName currentdict /CMap defineresource pop end end"
    ).encode("ascii")


def _page_stream(lines: list[str]) -> bytes:
    ops = ["BT", "/F1 12 Tf", "16 TL", "50 800 Td"]
    for line in lines:
        ops.append("<" + "".join(f"{ord(ch):04X}" for ch in line) + "> Tj T*")
    ops.append("ET")
    return "\n".join(ops).encode("ascii")


def _stream(data: bytes, extra: str = "") -> bytes:
    return f"<< /Length {len(data)}{extra} >>\nstream\n".encode() + data + b"\nendstream"


def _flate(data: bytes, blank_mb: int) -> bytes:
    """`data` and then `blank_mb` MB of blanks, zlib-compressed in pieces (never held inflated)."""
    import zlib

    packer = zlib.compressobj(9)
    blanks = b" " * (1024 * 1024)
    return packer.compress(data) + b"".join(packer.compress(blanks) for _ in range(blank_mb)) + packer.flush()


def make_pdf(pages: list[list[str]], *, title: str | None = None, blank_mb: int = 0) -> bytes:
    """A PDF whose page i shows pages[i], one string per line. With `blank_mb`, each page's content
    stream is compressed and padded with that many MB of blanks: a small file that inflates hugely
    (a decompression bomb)."""
    codes = {ord(ch) for page in pages for line in page for ch in line}
    n = len(pages)
    first_page = 7
    kids = " ".join(f"{first_page + 2 * i} 0 R" for i in range(n))
    objects: list[bytes] = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        f"<< /Type /Pages /Kids [{kids}] /Count {n} >>".encode(),
        b"<< /Type /Font /Subtype /Type0 /BaseFont /SimSun /Encoding /Identity-H "
        b"/DescendantFonts [4 0 R] /ToUnicode 5 0 R >>",
        b"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /SimSun /CIDToGIDMap /Identity "
        b"/CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /FontDescriptor 6 0 R /DW 1000 >>",
        _stream(_cmap(codes)),
        b"<< /Type /FontDescriptor /FontName /SimSun /Flags 4 /FontBBox [0 -141 1000 859] /ItalicAngle 0 "
        b"/Ascent 859 /Descent -141 /CapHeight 700 /StemV 80 >>",
    ]
    for i, lines in enumerate(pages):
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >> "
            f"/Contents {first_page + 2 * i + 1} 0 R >>".encode()
        )
        content = _page_stream(lines)
        objects.append(_stream(_flate(content, blank_mb), " /Filter /FlateDecode") if blank_mb else _stream(content))
    info = None
    if title is not None:
        objects.append(b"<< /Title <FEFF" + title.encode("utf-16-be").hex().upper().encode() + b"> >>")
        info = len(objects)
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += "".join(f"{offset:010d} 00000 n \n" for offset in offsets).encode()
    trailer = f"<< /Size {len(objects) + 1} /Root 1 0 R" + (f" /Info {info} 0 R" if info else "") + " >>"
    out += f"trailer\n{trailer}\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)

