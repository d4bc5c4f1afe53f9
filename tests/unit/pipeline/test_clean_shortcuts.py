"""Cleaning shortcuts give the answers of the plain computations they skip.

Each property compares a function with a direct reference: the flexible regex search of
`raw_dateline`, the regex passes of `squash_spaces` and `alnum_key`, and the word lists of
`headline_shaped`.
"""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from worker.pipeline.dateline import _FLEX_SPACE, _RAW_FORM, DatelineMatch, raw_dateline
from worker.pipeline.lines import FUNCTION_WORDS, headline_shaped
from worker.pipeline.model import Dateline
from worker.pipeline.normalize import squash_spaces
from worker.pipeline.title import alnum_key

# Pieces that make the flexible dateline regex work: whitespace of several kinds, entities
# it accepts for a space or a dash, dashes, escapes and letters.
_DATELINE_PIECES = st.sampled_from(
    [
        "JAKARTA",
        "Bogor",
        ",",
        " ",
        "  ",
        "\n",
        "\t",
        "\u00a0",
        "-",
        "–",
        "—",
        "&",
        "&nbsp;",
        "&#160;",
        "&ndash;",
        "&#45;",
        ".",
        "(",
        ")",
        "\\",
        "*",
        "é",
    ]
)
_DATELINE_TEXT = st.lists(_DATELINE_PIECES, max_size=8).map("".join)


def _reference_raw(match: DatelineMatch, raw_text: str) -> Dateline:
    """`raw_dateline` without its shortcut: always the flexible regex search."""
    words = re.split(r"\s+", match.text)
    pattern = _FLEX_SPACE.join([word.translate(_RAW_FORM) for word in words])
    found = re.search(pattern, raw_text[:6000])
    return Dateline(raw=found.group() if found else match.text, location=match.location)


@given(_DATELINE_TEXT, _DATELINE_TEXT, st.booleans())
def test_raw_dateline_matches_the_regex_search(text: str, tail: str, leading: bool) -> None:
    match = DatelineMatch(0, 1, text, "", None, "Bogor")
    # Mostly texts that open with the matched dateline (the shortcut's case), some not.
    raw = text + tail if leading else tail + text
    assert raw_dateline(match, raw) == _reference_raw(match, raw)


_SPACED_TEXT = st.lists(
    st.sampled_from([" ", "  ", "   ", "a", "Bc", "\t", "\u00a0", "\n", "_", "ß", "İ", "½", "-"]),
    max_size=12,
).map("".join)


@given(st.one_of(_SPACED_TEXT, st.text(max_size=40)))
def test_squash_spaces_matches_the_regex(text: str) -> None:
    assert squash_spaces(text) == re.sub(" {2,}", " ", text).strip()


@given(st.one_of(_SPACED_TEXT, st.text(max_size=40)))
def test_alnum_key_matches_the_regex(text: str) -> None:
    assert alnum_key(text) == re.sub(r"[\W_]+", "", text.casefold())


_WORD = re.compile(r"[^\W\d_][\w'’-]*")


def _reference_headline_shaped(text: str, min_words: int, max_words: int) -> bool:
    """`headline_shaped` as first written: lists of words, every word casefolded."""
    if not text or len(text) > 220 or text[-1] in ".,;:…":
        return False
    stripped = text.strip().rstrip("\"'”’»)]")
    if not stripped or stripped[-1] in ".,;:…":
        return False
    if not (text[0].isupper() or text[0].isdigit() or text[0] in "\"'‘“"):
        return False
    if not min_words <= len(text.split()) <= max_words:
        return False
    content = [w for w in _WORD.findall(text) if len(w) >= 3 and w.casefold() not in FUNCTION_WORDS]
    if not content:
        return False
    capitalised: int = sum([w[0].isupper() for w in content])
    return capitalised / len(content) >= 0.6


_HEADLINE_WORDS = st.sampled_from(
    [
        "Dan",
        "dan",
        "SEBAGAI",
        "sebagai",
        "ſe",
        "Se",
        "ﬁle",
        "İni",
        "Jakarta",
        "banjir",
        "Presiden",
        "x",
        "12",
        "Budi's",
        "Ahmad-Dahlan",
    ]
)


@given(
    st.lists(_HEADLINE_WORDS, max_size=18).map(" ".join),
    st.sampled_from(["", ".", "?", ")", " "]),
    st.sampled_from([(2, 25), (1, 15), (6, 25)]),
)
def test_headline_shaped_matches_the_word_lists(
    words: str, end: str, bounds: tuple[int, int]
) -> None:
    text = words + end
    assert headline_shaped(text, min_words=bounds[0], max_words=bounds[1]) == (
        _reference_headline_shaped(text, *bounds)
    )
