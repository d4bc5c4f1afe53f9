"""Re-joining line-exploded paragraphs (detik, kompas, republika put every link on its own line).

The corpus rule: a line continues the previous one when that line does not end a sentence
or when the line starts lower-case or with punctuation; no space goes before `, . ; : ) / ! ?
”` or after `(`. Headings and list items stay paragraphs of their own, and a removed piece
(or a blank line) always ends a paragraph (`Line.new_paragraph`).

Two refinements keep real paragraphs apart where the rule alone would glue them:

* a heading: a lone Title-Case line (that does not follow a dateline) before a long line
  that starts with a capital (`Respons Partai Golkar` / `Partai Golkar memberi ...`);
* two full sentences: a long line without final punctuation (scraper damage) followed by
  another long line that starts with a capital.
"""

from __future__ import annotations

import re

from worker.pipeline.lines import FUNCTION_WORDS, Line, ends_sentence, has_words, headline_shaped

__all__ = ["join_text", "paragraph_groups"]

_BULLET = re.compile(r"^(?:[•●▪◦·*‣–-]\s|\d{1,2}[.)]\s)")
_BULLET_FIRST = "•●▪◦·*‣–-"


def _bullet(text: str) -> bool:
    # The first character rules most lines out without the regex (`\d` is `isdecimal`).
    first = text[:1]
    return (first in _BULLET_FIRST or first.isdecimal()) and _BULLET.match(text) is not None


# Exactly the corpus rule's characters: no space before these, none after `(`.
_NO_SPACE_BEFORE = ",.;:)/!?”"
_NO_SPACE_AFTER = "("
# A line starting with one of these continues the previous one (`Rafi Haikal` / `(21), ...`).
_CONTINUATION_START = _NO_SPACE_BEFORE + "("
# "Long" lines are full sentences, not link texts.
_LONG_WORDS = 10
# A line ending in one of these words (or a comma) stops mid-sentence for certain.
_OPEN_ENDINGS = FUNCTION_WORDS | frozenset(
    {
        "kepada",
        "bahwa",
        "serta",
        "tentang",
        "terhadap",
        "antara",
        "melalui",
        "yakni",
        "yaitu",
        "adalah",
        "ialah",
        "menjadi",
        "merupakan",
        "bersama",
        "tanpa",
        "sejak",
        "sampai",
        "menurut",
        "kata",
        "ujar",
        "ucap",
        "tutur",
        "the",
        "a",
        "an",
    }
)


def paragraph_groups(lines: list[Line], *, after_dateline: int | None = None) -> list[list[Line]]:
    """Group lines into paragraphs; `after_dateline` is the index of the lead's first line."""
    groups: list[list[Line]] = []
    for index, line in enumerate(lines):
        if (
            groups
            and not line.new_paragraph
            and _continues(groups[-1], line, index - 1 == after_dateline)
        ):
            groups[-1].append(line)
        else:
            groups.append([line])
    return groups


def _continues(group: list[Line], line: Line, prev_is_lead: bool) -> bool:
    prev = group[-1].text
    text = line.text
    first = text[0]
    # `_bullet(text)`, inline: this runs for nearly every line.
    if (first in _BULLET_FIRST or first.isdecimal()) and _BULLET.match(text) is not None:
        return False
    if first in _CONTINUATION_START or first.islower():
        return True
    if _bullet(prev) or ends_sentence(prev):
        return False
    # The previous line stops mid-sentence and this one starts with a capital, digit or quote.
    last_word = prev[prev.rfind(" ") + 1 :]  # `rsplit` would copy all the rest of the line
    if prev[-1] == "," or last_word.casefold() in _OPEN_ENDINGS:
        return True  # `... diatur dalam` / `Peraturan Menteri Keuangan Nomor 12 ...`
    # A lone first line may be a heading, unless it is the lead's start (`PT` / `Mayora`).
    if len(group) == 1 and not prev_is_lead and _is_heading(prev, text):
        return False
    # Two full sentences: the first lost its full stop to the scraper.
    return not (has_words(prev, _LONG_WORDS) and has_words(text, _LONG_WORDS))


def _is_heading(candidate: str, following: str) -> bool:
    return (
        headline_shaped(candidate, min_words=1, max_words=15)
        and has_words(following, _LONG_WORDS)
        and not following[0].isdigit()
    )


def join_text(group: list[Line]) -> str:
    """The paragraph text of a group of lines, spaced per the corpus rule."""
    out = group[0].text
    for line in group[1:]:
        text = line.text
        if text[0] in _NO_SPACE_BEFORE or out[-1] in _NO_SPACE_AFTER:
            out += text
        else:
            out += " " + text
    return out
