"""Word lists used by the enrichment stages, read once at import into immutable values.

Two file shapes, both UTF-8 with `#` starting a comment:
- `stopwords_*.txt`: whitespace-separated words (many per line);
- gazetteers and cue lists: one entry per line (entries may contain spaces).
"""

from __future__ import annotations

from importlib.resources import files


def _lines(name: str) -> list[str]:
    text = files(__package__).joinpath(f"{name}.txt").read_text(encoding="utf-8")
    return [line.split("#", 1)[0].strip() for line in text.splitlines()]


def entries(name: str) -> tuple[str, ...]:
    """One entry per non-blank line of `data/<name>.txt`, as written, in file order."""
    return tuple(line for line in _lines(name) if line)


def words(name: str) -> frozenset[str]:
    """The casefolded whitespace-separated words of `data/<name>.txt`."""
    return frozenset(word.casefold() for line in _lines(name) for word in line.split())
