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
    words = sum(len(p.split()) for p in kept)
    characters = sum(len(p) for p in kept)
    return Stats(
        words=words,
        characters=characters,
        paragraphs=len(kept),
        reading_time_s=math.ceil(words * 60 / READING_WPM),
    )
