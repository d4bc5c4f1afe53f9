"""Character-level normalisation of one line of scraped text.

What the corpus rules ask for, in order: HTML entities unescaped until stable (scrapers
double-escape, `&amp;ldquo;`), mojibake repaired (only when a cheap check sees it), Unicode
NFC, control and zero-width characters dropped, NBSP and other space characters turned into
a plain space, whitespace runs collapsed, the line stripped. Scraper damage inside sentences
(glued words, dropped letters) is deliberately left alone.
"""

from __future__ import annotations

import html
import re
import unicodedata

import ftfy

__all__ = ["looks_mojibaked", "normalize_line", "squash", "squash_spaces"]

# UTF-8 read as cp1252/latin-1 leaves these pairs: `Ã©`, `â€™`, `Â `. A hit costs ~1 µs;
# ftfy costs ~1.5 ms per 10 KB, so it only runs when this fires.
_MOJIBAKE = re.compile(
    r"[ÃÂ][\u0080-\u00bf]|â€[\u0080-\u00bf™œ\u201c\u201d\u2019\u2018\u2022\u2013\u2014]|ï»¿"
)
# C0/C1 controls except tab (tabs become spaces below), zero-width and BOM characters.
_INVISIBLE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200d\u2060\ufeff\u00ad]")
_SPACE_RUNS = re.compile(" {2,}")
_MAX_UNESCAPE_ROUNDS = 4


# Substring tests run in C; the regex only confirms a line that holds one of these.
_MOJIBAKE_MARKERS = ("Ã", "Â", "â€", "ï»")


def looks_mojibaked(text: str) -> bool:
    """True when `text` shows the byte patterns of UTF-8 decoded as cp1252/latin-1."""
    if not any(marker in text for marker in _MOJIBAKE_MARKERS):
        return False
    return _MOJIBAKE.search(text) is not None


def unescape_all(text: str) -> str:
    """Unescape HTML entities until the text is stable (bounded, so it always ends)."""
    for _ in range(_MAX_UNESCAPE_ROUNDS):
        if "&" not in text:
            break
        unescaped = html.unescape(text)
        if unescaped == text:
            break
        text = unescaped
    return text


def squash(text: str) -> str:
    """Collapse every run of whitespace (NBSP included) to one space and strip."""
    return " ".join(text.split())


def squash_spaces(text: str) -> str:
    """Collapse runs of ASCII spaces and strip them: the whole work on a printable line."""
    # Most lines that come here only need the strip: the regex would stop at every space
    # of a long line (~4 µs for 2 KB) to find no run.
    if "  " in text:
        text = _SPACE_RUNS.sub(" ", text)
    return text.strip()


def normalize_line(line: str) -> str:
    """The normalised form of one line (no newlines in, none out)."""
    text = unescape_all(line) if "&" in line else line
    if not text.isascii():
        if looks_mojibaked(text):
            # Repair the encoding only: curly quotes, ligatures and widths stay as written.
            text = ftfy.fix_text(
                text,
                normalization="NFC",
                uncurl_quotes=False,
                fix_latin_ligatures=False,
                fix_character_width=False,
            )
        if not unicodedata.is_normalized("NFC", text):
            text = unicodedata.normalize("NFC", text)
    if text.isprintable():
        # Printable text holds no space but the ASCII one (NBSP, tabs and the other Unicode
        # spaces are not printable), so most lines need no work at all.
        if "  " in text or text[:1] == " " or text[-1:] == " ":
            text = squash_spaces(text)
        return text
    # str.split() splits on every Unicode space (NBSP, thin, ideographic, tab) in C.
    return " ".join(_INVISIBLE.sub("", text).split())
