r"""Word-boundary checks done by hand, for regexes that leave out their leading `\b`.

A pattern that starts with literal text (no `\b`) lets the regex engine skip straight to
candidate letters; the word boundary is then checked on the match, here, in one place.
"""

from __future__ import annotations

import re

__all__ = ["is_word_char", "word_search"]


def is_word_char(char: str) -> bool:
    r"""What `\w` matches in a str pattern."""
    return char.isalnum() or char == "_"


def word_search(pattern: re.Pattern[str], text: str) -> re.Match[str] | None:
    r"""The first match of `pattern` in `text` that starts a word (what `\b` + it finds)."""
    match = pattern.search(text)
    while match is not None and match.start() and is_word_char(text[match.start() - 1]):
        match = pattern.search(text, match.start() + 1)
    return match
