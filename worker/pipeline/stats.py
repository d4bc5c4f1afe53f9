"""Size of a clean body: words, characters, paragraphs and an estimated reading time.

Definitions (part of the output schema, so kept stable):
- `words`: whitespace-separated tokens over all paragraphs (`str.split`).
- `characters`: sum of the paragraph lengths in code points, separators not counted.
- `paragraphs`: number of non-empty paragraphs.
- `reading_time_s`: words at READING_WPM words per minute, rounded up to whole seconds
  (0 for an empty body). 200 wpm is the usual figure for reading news on a screen; Indonesian
  words are longer than English ones on average, so this errs on the slow side.
"""

from __future__ import annotations

import math
from typing import Final

from worker.pipeline.model import Stats

READING_WPM: Final = 200


def compute_stats(paragraphs: tuple[str, ...]) -> Stats:
    """Count words, characters and paragraphs of `paragraphs` and estimate reading time."""
    kept = [p for p in paragraphs if p.strip()]
    words = _word_count(" ".join(kept))
    characters = sum(map(len, kept))
    return Stats(
        words=words,
        characters=characters,
        paragraphs=len(kept),
        reading_time_s=math.ceil(words * 60 / READING_WPM),
    )


# ASCII whitespace other than the space (what str.split also splits at below U+0080).
_ASCII_BREAKS: Final = b"\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f"


def _word_count(text: str) -> int:
    """`len(text.split())`, without building the words when the text is plain ASCII."""
    if (
        text.isascii()
        and "  " not in text
        and not text.startswith(" ")
        and not text.endswith(" ")
        and len(text.encode("ascii").translate(None, _ASCII_BREAKS)) == len(text)
    ):
        # Single spaces between words and no other whitespace: one word more than spaces.
        return text.count(" ") + 1 if text else 0
    return len(text.split())
