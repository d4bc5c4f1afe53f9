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
import sys
import unicodedata
from array import array
from itertools import accumulate, count
from operator import add
from types import MappingProxyType
from typing import Final

import xxhash

from worker.pipeline.model import Fingerprints

SHINGLE_WORDS: Final = 3
_WORD_CHAR_RE: Final = re.compile(r"\w")
# str.translate + split is ~4x cheaper than re.findall(r"\w+") on these texts.
_SEPARATORS: Final = MappingProxyType(
    {cp: " " for cp in (*range(0x250), *range(0x2000, 0x2070)) if not _WORD_CHAR_RE.match(chr(cp))}
)


def normalised_body(paragraphs: tuple[str, ...]) -> str:
    """The text `content_sha256` is computed from (see the module docstring)."""
    cleaned = (" ".join(unicodedata.normalize("NFC", p).split()) for p in paragraphs)
    return "\n".join(p for p in cleaned if p)


def content_sha256(paragraphs: tuple[str, ...]) -> str:
    """SHA-256 hex digest of the normalised body."""
    return hashlib.sha256(normalised_body(paragraphs).encode("utf-8")).hexdigest()


def simhash64(text: str) -> int:
    """The 64-bit SimHash of `text` as an integer (see the module docstring)."""
    words = unicodedata.normalize("NFKC", text).casefold().translate(_SEPARATORS).split()
    if not words:
        return 0
    joined = " ".join(words)
    buffer = joined.encode("utf-8")
    if len(words) <= SHINGLE_WORDS:
        return _majority_bits([xxhash.xxh3_64_intdigest(buffer)])
    # Byte offset of word i is (bytes of words before it) + i separators; shingle i is then
    # one slice of the joined buffer: one C-level hash call per shingle, no per-shingle
    # join, and all offsets come from C-level map/accumulate (no Python call per word).
    # ASCII text (one byte per character) skips encoding every word (str.encode: UTF-8).
    lengths = map(len, words) if joined.isascii() else map(len, map(str.encode, words))
    before = list(accumulate(lengths, initial=0))
    starts = map(add, before, count())
    ends = map(add, before[SHINGLE_WORDS:], count(SHINGLE_WORDS - 1))
    shingles = map(buffer.__getitem__, map(slice, starts, ends))
    return _majority_bits(list(map(xxhash.xxh3_64_intdigest, shingles)))


def _majority_bits(features: list[int]) -> int:
    """Bit i is set when more than half of the 64-bit `features` have bit i set."""
    # Counting per byte lane with big-integer popcounts keeps the work in C: 64 popcounts
    # per text instead of 64 Python operations per feature. Lane k of the packed array
    # holds byte k of every feature (little-endian packing, whatever the machine's order).
    lanes = array("Q", features)
    if sys.byteorder == "big":
        lanes.byteswap()
    packed = lanes.tobytes()
    half = len(features) / 2
    ones = int.from_bytes(b"\x01" * len(features), "little")
    masks = [ones << bit for bit in range(8)]
    signature = 0
    for lane in range(8):
        lane_int = int.from_bytes(packed[lane::8], "little")
        for bit, mask in enumerate(masks):
            if (lane_int & mask).bit_count() > half:
                signature |= 1 << (lane * 8 + bit)
    return signature


def fingerprint(paragraphs: tuple[str, ...]) -> Fingerprints:
    """Exact and near-duplicate fingerprints of a clean body."""
    return Fingerprints(
        content_sha256=content_sha256(paragraphs),
        simhash64=f"{simhash64(chr(10).join(paragraphs)):016x}",
    )
