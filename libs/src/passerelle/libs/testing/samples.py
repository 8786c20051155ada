"""Files the tests upload, built in code (the antivirus test string is never committed as a file)."""

# The standard EICAR antivirus test string, in two pieces so no scanner flags this source file.
EICAR = b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$" + b"EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"


def eicar_pdf() -> bytes:
    """EICAR behind a PDF header: the type check passes and the antivirus has the last word."""
    return b"%PDF-1.4\n" + EICAR + b"\n"


def sample_pdf(size: int = 2000, seed: bytes = b"") -> bytes:
    """A sound one-page PDF of about `size` bytes (a filler comment in its content stream), with a correct
    cross-reference table: what the documents service's structure check accepts."""
    filler = (b"% " + (seed or b"passerelle") + b"\n") * max(0, (size - 600) // (len(seed or b"passerelle") + 3))
    content = b"BT /F1 12 Tf 72 720 Td (Convention de formation) Tj ET\n" + filler
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(content)).encode() + b" >>\nstream\n" + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def sample_png(width: int = 4, height: int = 4) -> bytes:
    """A sound grey PNG (what the structure check accepts)."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + bytes([128]) * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")
