"""Content fingerprints: an exact-duplicate hash and a 64-bit SimHash for near duplicates.

Both are part of the output schema. The parameters below are FIXED: changing any of them makes
new signatures incomparable with stored ones, so it is a schema version change.

`content_sha256`
    SHA-256 (hex) of the normalised body: each paragraph NFC-normalised, whitespace runs
    collapsed to one space and stripped, empty paragraphs dropped, joined with "\\n", UTF-8.
    Case and punctuation are kept: two bodies hash equal only when they read the same.

`simhash64` (Charikar SimHash, 16 lower-case hex digits, most significant bit first)
    - normalisation: NFKC, casefold; every character below U+0250 or in U+2000..U+206F
      (General Punctuation) that is not a word character (`\\w`) becomes a space; tokens
      are the whitespace-separated runs. For Latin-script text these are exactly the `\\w+`
      runs; punctuation and paragraph breaks vanish, so re-flowed copies stay close;
    - features: every contiguous SHINGLE_WORDS-word shingle (a multiset, weight 1 each);
      a text shorter than that is one feature made of all its tokens; no tokens -> all zero;
    - hashing: XXH3-64 (seed 0) of each shingle's UTF-8 bytes, words joined by one space;
    - bit i of the signature is 1 when more than half of the features have bit i set.
    Compare two signatures by Hamming distance; <= 3 of 64 bits is the usual near-duplicate cut.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Sequence
from itertools import compress
from typing import Final

import xxhash

from worker.pipeline.model import Fingerprints

SHINGLE_WORDS: Final = 3
_WORD_CHAR_RE: Final = re.compile(r"\w")
# The documented separators: non-word characters below U+0250 and in U+2000..U+206F.
_SEPARATORS: Final = tuple(
    cp for cp in (*range(0x250), *range(0x2000, 0x2070)) if not _WORD_CHAR_RE.match(chr(cp))
)
# Tokens are cut from UTF-8 bytes: bytes.translate with a 256-byte table and bytes.split
# are several times cheaper than str.translate with a dict. A non-ASCII byte belongs to a
# multi-byte character and is kept; non-ASCII separators (and the two whitespace
# characters beyond them that str.split also cuts at: U+1680, U+3000) become a space first.
_ASCII_SEPARATORS: Final = bytes(
    0x20 if cp < 0x80 and cp in _SEPARATORS else cp for cp in range(0x100)
)
_WIDE_SEPARATOR_RE: Final = re.compile(
    "[" + "".join(re.escape(chr(cp)) for cp in _SEPARATORS if cp >= 0x80) + "\u1680\u3000]"
)
# Signature bit of (digest byte, bit in that byte): XXH3 digests are big-endian.
_BIT_WEIGHTS: Final = tuple(1 << ((7 - byte) * 8 + bit) for byte in range(8) for bit in range(8))


def normalised_body(paragraphs: Sequence[str]) -> str:
    """The text `content_sha256` is computed from (see the module docstring)."""
    kept = []
    for paragraph in paragraphs:
        text = unicodedata.normalize("NFC", paragraph)
        # Clean paragraphs are already collapsed, so split+join is mostly skipped.
        if not _is_collapsed(text):
            text = " ".join(text.split())
        if text:
            kept.append(text)
    return "\n".join(kept)


def _is_collapsed(text: str) -> bool:
    """Whether `" ".join(text.split()) == text`, without splitting."""
    # Every whitespace character but the ASCII space is non-printable.
    return (
        text.isprintable()
        and "  " not in text
        and not text.startswith(" ")
        and not text.endswith(" ")
    )


def content_sha256(paragraphs: Sequence[str]) -> str:
    """SHA-256 hex digest of the normalised body."""
    return hashlib.sha256(normalised_body(paragraphs).encode("utf-8")).hexdigest()


def _tokens(text: str) -> list[bytes]:
    """The SimHash tokens of `text`, UTF-8 encoded (see the module docstring)."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    if not folded.isascii():
        folded = _WIDE_SEPARATOR_RE.sub(" ", folded)
    return folded.encode("utf-8").translate(_ASCII_SEPARATORS).split()


def simhash64(text: str) -> int:
    """The 64-bit SimHash of `text` as an integer (see the module docstring)."""
    words = _tokens(text)
    if not words:
        return 0
    if len(words) <= SHINGLE_WORDS:
        return _majority_bits([xxhash.xxh3_64_digest(b" ".join(words))])
    # One C-level join per shingle: zip's tuples of consecutive words feed bytes.join.
    count = len(words) - SHINGLE_WORDS + 1
    columns = [words[first : first + count] for first in range(SHINGLE_WORDS)]
    shingles = map(b" ".join, zip(*columns, strict=True))
    return _majority_bits(list(map(xxhash.xxh3_64_digest, shingles)))


def _majority_bits(digests: list[bytes]) -> int:
    """Bit i is set when more than half of the 8-byte big-endian `digests` have bit i set."""
    # Counting per byte lane with big-integer popcounts keeps the work in C: 64 popcounts
    # per text instead of 64 Python operations per feature. Lane k holds byte k of every
    # digest, one digest per byte.
    packed = b"".join(digests)
    ones = int.from_bytes(b"\x01" * len(digests), "little")
    masks = [ones << bit for bit in range(8)]
    half = len(digests) // 2  # count > len/2 exactly when count > len//2
    lanes = [int.from_bytes(packed[byte::8], "little") for byte in range(8)]
    majority = [(lane & mask).bit_count() > half for lane in lanes for mask in masks]
    return sum(compress(_BIT_WEIGHTS, majority))


def fingerprint(paragraphs: tuple[str, ...]) -> Fingerprints:
    """Exact and near-duplicate fingerprints of a clean body."""
    return Fingerprints(
        content_sha256=content_sha256(paragraphs),
        simhash64=f"{simhash64(chr(10).join(paragraphs)):016x}",
    )
