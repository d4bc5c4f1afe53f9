"""Raw text to normalised lines, and the line-shape tests the other cleaning steps share.

A `Line` keeps its raw form (so removed pieces are reported as they were scraped), its
normalised form, its position in the raw text (so removals are reported in raw order) and
whether it must start a new paragraph (a blank line or a removed piece came before it).
"""

from __future__ import annotations

import re
import unicodedata
from typing import Final, NamedTuple

from worker.pipeline.normalize import looks_mojibaked, normalize_line, squash_spaces

__all__ = [
    "FUNCTION_WORDS",
    "HEADLINE_MAX_CHARS",
    "NOT_HEADLINE_ENDS",
    "Line",
    "ends_sentence",
    "has_words",
    "headline_shaped",
    "split_lines",
    "word_count",
]


class Line(NamedTuple):
    """One non-blank line of the payload (a NamedTuple: immutable and cheap to create,
    which matters at ~15 lines per article and a budget of 0.3 ms per article).

    Attributes:
        text: normalised text (see `worker.pipeline.normalize`).
        raw: the line as scraped (for `Removed.text`); a piece of a split line holds its
            normalised text here.
        order: (raw line number, offset inside the line) for raw-order reporting.
        new_paragraph: True when a blank line, a split or a removed piece came before it.
        blank_before: True when a blank line came before it in the payload (or it is first):
            the payload itself marks it as a block of its own.
    """

    text: str
    raw: str
    order: tuple[int, int]
    new_paragraph: bool = False
    blank_before: bool = False

    def with_text(self, text: str, *, new_paragraph: bool | None = None) -> Line:
        """A copy with other text (and optionally another paragraph flag)."""
        flag = self.new_paragraph if new_paragraph is None else new_paragraph
        return Line(text, self.raw, self.order, flag, self.blank_before)

    def shown(self) -> str:
        """What to report when the line is removed: the raw line while it is whole (verbatim,
        as the corpus records it), else its current normalised text (a span was cut out)."""
        if self.raw == self.text:
            # Either way the answer is the text (a normalised line is stripped).
            return self.text
        return self.raw.strip() if normalize_line(self.raw) == self.text else self.text


def split_lines(text: str) -> list[Line]:
    """Non-blank normalised lines; a line after one or more blank lines starts a paragraph."""
    out: list[Line] = []
    blank_before = True
    # Most lines need no character work: their normal form is the line less any extra
    # spaces, and `normalize_line` (a call, a dozen tests over every character) is skipped.
    # Which lines those are is known from one pass over the whole text.
    ascii_plain, all_plain = _plain_lines(text)
    for number, raw in enumerate(text.splitlines()):
        if "&" in raw or not (all_plain or (ascii_plain and raw.isascii())):
            norm = normalize_line(raw)
        elif "  " in raw or raw[:1] == " " or raw[-1:] == " ":
            norm = squash_spaces(raw)
        else:
            norm = raw
        if not norm:
            blank_before = True
            continue
        # `tuple.__new__` skips the NamedTuple's Python-level `__new__` (a quarter of the loop).
        out.append(_new_line(Line, (norm, raw, (number, 0), blank_before, blank_before)))
        blank_before = False
    return out


_new_line: Final = tuple.__new__
# Printable ASCII and the newline. What is left of a text's UTF-8 bytes without them is its
# other characters, whole (no UTF-8 sequence holds an ASCII byte), in order.
_PLAIN_BYTES = b"\n" + bytes(range(0x20, 0x7F))
_NON_ASCII_BYTES = bytes(range(0x80, 0x100))


def _plain_lines(text: str) -> tuple[bool, bool]:
    """Which lines of `text` (without `&`) are their own normal form but for spaces.

    Returns (ASCII lines are, all lines are). A line is when it is printable, NFC and shows
    no mojibake; the tests run once over the text, or over its few non-ASCII characters:
    a mojibake pattern is a run of non-ASCII characters, so it survives in that residue,
    and a text is NFC exactly when its lines are (the newline never composes).
    """
    # Bytes translation runs over a 256-entry table in C, ~10x faster than `isprintable`
    # over the lines. `surrogatepass`: odd input must not raise (a surrogate is no plain line).
    rest = text.encode("utf-8", "surrogatepass").translate(None, _PLAIN_BYTES)
    if not rest:
        return True, True
    if rest.translate(None, _NON_ASCII_BYTES):
        return False, False  # control characters: every line goes through normalize_line
    others = rest.decode("utf-8", "surrogatepass")
    return True, (others.isprintable() and not looks_mojibaked(others) and _is_nfc(others, text))


def _is_nfc(others: str, text: str) -> bool:
    """Whether `text` is NFC, where `others` is its non-ASCII characters in order."""
    # `normalize` returns its argument itself when the Unicode quick check says "yes"
    # (every character NFC-allowed, combining marks in order). A pass on the residue
    # implies a pass on the text: there a mark follows the same character or an ASCII
    # one (combining class 0). Otherwise the whole text is checked (~2 ns a character).
    return unicodedata.normalize("NFC", others) is others or unicodedata.is_normalized("NFC", text)


# Closing quotes/brackets that may follow a sentence's final punctuation.
_CLOSERS = "\"'”’»)]"
_FINAL = ".!?:…"
_CLOSERS_AND_SPACE = _CLOSERS + " "


def ends_sentence(text: str) -> bool:
    """True when `text` ends in sentence-final punctuation (closing quotes allowed after it)."""
    stripped = text.rstrip(_CLOSERS_AND_SPACE)
    return bool(stripped) and stripped[-1] in _FINAL


def word_count(text: str) -> int:
    """Number of space-separated words."""
    return len(text.split())


def has_words(text: str, count: int) -> bool:
    """`word_count(text) >= count` (count >= 1), without splitting a long text to its end:
    at most `count - 1` splits leave `count` pieces exactly when there are that many words."""
    return len(text.split(None, count - 1)) >= count


#: Lower-case words a Title-Case headline keeps lower-case (Indonesian, Malay, English).
FUNCTION_WORDS = frozenset(
    {
        "di",
        "ke",
        "dari",
        "dan",
        "yang",
        "untuk",
        "pada",
        "dengan",
        "soal",
        "jadi",
        "hingga",
        "usai",
        "jelang",
        "vs",
        "ini",
        "itu",
        "bagi",
        "atau",
        "tak",
        "tapi",
        "karena",
        "akan",
        "oleh",
        "dalam",
        "sebagai",
        "agar",
        "demi",
        "saat",
        "kala",
        "lewat",
        "via",
        "per",
        "se",
        "para",
        "si",
        "sang",
        "the",
        "of",
        "and",
        "to",
        "in",
        "on",
        "for",
        "at",
        "by",
        "a",
        "an",
        "with",
        "from",
        "as",
        "is",
        "are",
        "be",
        "not",
        "no",
    }
)
_LONGEST_FUNCTION_WORD: Final = max(len(word) for word in FUNCTION_WORDS)
_WORD = re.compile(r"[^\W\d_][\w'’-]*")
#: No longer line is `headline_shaped`.
HEADLINE_MAX_CHARS = 220
#: Nor is one that ends in one of these.
NOT_HEADLINE_ENDS = ".,;:…"


def headline_shaped(text: str, *, min_words: int = 2, max_words: int = 25) -> bool:
    """True for a Title-Case line without a full stop at its end, like a headline.

    `!` and `?` may end a headline (`..., Kenapa?`); `.`, `,`, `;` and `:` may not.
    At least 60 % of the longer words must be capitalised (function words are ignored).
    """
    # A last character in `.,;:…` is also the last one after the strips below (it is
    # neither a space nor a closer): most sentences leave here.
    if not text or len(text) > HEADLINE_MAX_CHARS or text[-1] in NOT_HEADLINE_ENDS:
        return False
    stripped = text.strip().rstrip(_CLOSERS)
    if not stripped or stripped[-1] in NOT_HEADLINE_ENDS:
        return False
    if not (text[0].isupper() or text[0].isdigit() or text[0] in "\"'‘“"):
        return False
    # At most `max_words` splits: a longer text still gives more than `max_words` pieces.
    if not min_words <= len(text.split(None, max_words)) <= max_words:
        return False
    content = 0
    capitalised = 0
    for word in _WORD.findall(text):
        # Casefolding never shortens a word: a longer one than every function word is none.
        if len(word) >= 3 and (
            len(word) > _LONGEST_FUNCTION_WORD or word.casefold() not in FUNCTION_WORDS
        ):
            content += 1
            if word[0].isupper():
                capitalised += 1
    return content > 0 and capitalised / content >= 0.6
