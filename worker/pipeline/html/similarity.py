"""How much two texts say the same thing: F1 over word 4-gram multisets.

This is the article-extraction benchmark's own page metric, used here to judge agreement
between extractors (and with JSON-LD ``articleBody``) rather than against ground truth.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from typing import Final

_WORD: Final = re.compile(r"\w+")
_N: Final = 4


def shingles(paragraphs: Sequence[str]) -> Counter[tuple[str, ...]]:
    """Multiset of consecutive word 4-grams of the joined paragraphs (case-folded)."""
    words = _WORD.findall(" ".join(paragraphs).lower())
    if len(words) < _N:
        return Counter([tuple(words)]) if words else Counter()
    return Counter(zip(*(words[i:] for i in range(_N)), strict=False))


def agreement(left: Sequence[str], right: Sequence[str]) -> float:
    """Shingle F1 between two paragraph lists: 1.0 identical, 0.0 nothing in common."""
    a, b = shingles(left), shingles(right)
    total_a, total_b = sum(a.values()), sum(b.values())
    if not total_a or not total_b:
        return 1.0 if total_a == total_b else 0.0
    common = sum((a & b).values())
    return 2.0 * common / (total_a + total_b)
