"""Files the tests upload, built in code (the antivirus test string is never committed as a file)."""

# The standard EICAR antivirus test string, in two pieces so no scanner flags this source file.
EICAR = b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$" + b"EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"


def eicar_pdf() -> bytes:
    """EICAR behind a PDF header: the type check passes and the antivirus has the last word."""
    return b"%PDF-1.4\n" + EICAR + b"\n"
