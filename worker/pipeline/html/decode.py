"""Bytes to text for HTML payloads: BOM, then UTF-8, then the declared charset, then sniffing.

The order follows what the bytes can prove. A BOM is unambiguous. Valid UTF-8 that contains
non-ASCII bytes is almost never anything else, so it wins over a ``<meta charset>`` that says
otherwise (scrapers re-encode pages and leave the old declaration in place). Only bytes that are
not UTF-8 make the declaration, and failing that a statistical sniffer, decide. Pages that mix
UTF-8 with a legacy single-byte encoding keep their UTF-8 parts and read the rest as cp1252.
"""

from __future__ import annotations

import codecs
import re

from worker.pipeline.html.errors import HtmlRejected

# The WHATWG encoding standard decodes these labels as windows-1252; browsers do the same,
# and pages labelled latin-1 routinely contain cp1252 quotes in 0x80-0x9F.
_CP1252_ALIASES = frozenset({"iso8859-1", "latin-1", "iso-8859-1", "ascii", "us-ascii", "latin1"})

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),  # before UTF-16 LE: it starts with the same two bytes
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

# Charset declarations live in the first few KB (the HTML spec says 1024 bytes; real pages
# put long <head> preambles first, so look further).
_DECLARATION_WINDOW = 16 * 1024
_META_CHARSET = re.compile(
    rb"""<meta[^>]{0,512}?charset\s*=\s*["']?\s*([A-Za-z0-9._:-]{1,40})""", re.IGNORECASE
)
_XML_ENCODING = re.compile(rb"""^<\?xml[^>]{0,200}?encoding\s*=\s*["']([A-Za-z0-9._:-]{1,40})""")

# How much of an undeclared, non-UTF-8 page the sniffer reads: enough for a verdict, cheap.
_SNIFF_WINDOW = 16 * 1024
_BINARY_WINDOW = 64 * 1024
# Text, even in legacy encodings, has almost no C0 control bytes besides whitespace.
_CONTROL_BYTES = bytes(b for b in range(32) if b not in (9, 10, 12, 13))
_MAX_CONTROL_SHARE = 0.05
_MAX_REPLACEMENT_SHARE = 0.2
_GZIP_MAGIC = b"\x1f\x8b"

_ASCII_BYTES = bytes(range(128))
_SURROGATE_RUN = re.compile("[\udc80-\udcff]+")


def decode_html_bytes(raw: bytes) -> str:
    """Decode raw page bytes into text, or raise `HtmlRejected('html_undecodable')`.

    Raises for binary data (compressed streams, images, random bytes) rather than returning
    mojibake that later stages would treat as an article.
    """
    for bom, encoding in _BOMS:
        if raw.startswith(bom):
            return raw[len(bom) :].decode(encoding, errors="replace")
    utf16 = _utf16_without_bom(raw)
    if utf16 is not None:
        return raw.decode(utf16, errors="replace")
    _reject_binary(raw)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    declared = declared_charset(raw)
    if declared is not None and declared != "utf-8":
        try:
            return raw.decode(declared)
        except UnicodeDecodeError:
            pass  # the declaration lies; fall through to what the bytes say
    if declared == "utf-8" or _mostly_utf8(raw):
        return _decode_mixed_utf8(raw)
    sniffed = _sniff(raw)
    text = raw.decode(sniffed or "cp1252", errors="replace")
    if text.count("\ufffd") > _MAX_REPLACEMENT_SHARE * max(len(text), 1):
        raise HtmlRejected("html_undecodable", f"bytes do not decode as {sniffed or 'cp1252'}")
    return text


def declared_charset(raw: bytes) -> str | None:
    """The charset a page declares (XML declaration or ``<meta>``), as a Python codec name."""
    head = raw[:_DECLARATION_WINDOW]
    match = _XML_ENCODING.match(head) or _META_CHARSET.search(head)
    if match is None:
        return None
    return _codec_name(match.group(1).decode("ascii", errors="ignore"))


def _codec_name(label: str) -> str | None:
    label = label.strip().lower()
    if label in _CP1252_ALIASES:
        return "cp1252"
    try:
        name = codecs.lookup(label).name
    except LookupError:
        return None
    # A page cannot truly be UTF-16 if the declaration itself was readable as ASCII.
    if name.startswith(("utf-16", "utf-32")):
        return "utf-8"
    return "utf-8" if name == "utf-8" else name


def _utf16_without_bom(raw: bytes) -> str | None:
    """Detect BOM-less UTF-16 by its NUL bytes at every other position in ASCII-heavy text."""
    sample = raw[:4096]
    if len(sample) < 8:
        return None
    even, odd = sample[0::2], sample[1::2]
    if odd.count(0) > 0.9 * len(odd) and even.count(0) < 0.1 * len(even):
        return "utf-16-le"
    if even.count(0) > 0.9 * len(even) and odd.count(0) < 0.1 * len(odd):
        return "utf-16-be"
    return None


def _reject_binary(raw: bytes) -> None:
    sample = raw[:_BINARY_WINDOW]
    if sample.startswith(_GZIP_MAGIC):
        raise HtmlRejected("html_undecodable", "payload is a gzip stream, not HTML")
    if not sample:
        return
    controls = len(sample) - len(sample.translate(None, _CONTROL_BYTES))
    if controls > _MAX_CONTROL_SHARE * len(sample):
        raise HtmlRejected(
            "html_undecodable",
            f"{controls} of the first {len(sample)} bytes are control bytes: binary data",
        )


def _mostly_utf8(raw: bytes) -> bool:
    """True when most non-ASCII bytes form valid UTF-8 sequences (a page with a few stray bytes)."""
    text = raw.decode("utf-8", errors="surrogateescape")
    bad = sum(len(m) for m in _SURROGATE_RUN.findall(text))
    non_ascii = len(raw) - len(raw.translate(None, _ASCII_BYTES))
    return non_ascii > 0 and bad * 4 < non_ascii


def _decode_mixed_utf8(raw: bytes) -> str:
    """UTF-8 with the invalid byte runs read as cp1252 (pages pasted together from two sources)."""
    text = raw.decode("utf-8", errors="surrogateescape")

    def _legacy(match: re.Match[str]) -> str:
        return (
            match.group()
            .encode("utf-8", errors="surrogateescape")
            .decode("cp1252", errors="replace")
        )

    return _SURROGATE_RUN.sub(_legacy, text)


def _sniff(raw: bytes) -> str | None:
    # Imported here: the sniffer is needed only for undeclared legacy pages (rare), and its
    # import costs more than decoding a typical page.
    import charset_normalizer  # noqa: PLC0415

    best = charset_normalizer.from_bytes(raw[:_SNIFF_WINDOW]).best()
    return None if best is None else _codec_name(best.encoding)
