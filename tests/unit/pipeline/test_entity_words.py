"""Span words and the shortcuts built on them agree with the general span parser."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from worker.pipeline.entity_parse import (
    AFTER_CHARS,
    AGE_AFTER_RE,
    SPEECH_AFTER_RE,
    read_span,
    read_title_span,
    speech_or_age_after,
)
from worker.pipeline.entity_spans import Reader
from worker.pipeline.entity_words import SPAN_MEMO, emitted, hyphen_head, span_words

_WORDS = (
    "Agus", "Jakarta", "Polri", "KPK", "PT", "Kabupaten", "Presiden", "Wali", "Catatan",
    "Pranowo-Mahfud", "Jong-un", "Al-Jazeera", "Rp", "WIB", "AS", "Ärzte", "Köln", "Budi's",
    "Anungmengaku", "JakartaSelatan", "Covid-19", "X", "TNI-AL", "Sumut", "Tbk", "Bandara",
    "Rumah", "Kota", "Namun", "Dalam", "Kompas.com", "The", "Dr", "Kamis", "AKBP", "Kombes",
    "PDIP", "UMKM", "NTT", "Balai", "Pos", "Airlines", "Semenanjung",
)  # fmt: skip
_BEFORE = (
    "", "kata ", "ujar ", "bernama ", "di ", "ke ", "dilansir ", "media ", "dilansir dari ",
    "pengamat politik ", "according to ", "yang ", ". ", ', "', "Menurut ", "sdr. ",
    "tinggal\u00a0di ", "x" * 45 + " di ",
)  # fmt: skip
_AFTER = (
    "", ".", " yang", ", mengatakan", " mengatakan", " juga mengatakan", " (21)", "  (21)",
    "\t(21)", " (KPK)", ", alias Budi", " said", " says", ",", " said.", "\nmengatakan",
    " amat", " (x)", "(21)",
)  # fmt: skip


def _state(reader: Reader) -> tuple[object, ...]:
    found = [(k, c.kind, c.text, c.count, c.cued) for k, c in reader.found.items()]
    return (found, reader.mentions, reader.redirect)


@pytest.mark.parametrize("word", _WORDS)
def test_one_word_shortcut_reads_as_the_span_parser(word: str) -> None:
    # `Reader._lone` types a one-word span from what `span_words` worked out about it;
    # `read_span` is the general parser. Both must leave the reader in the same state,
    # in every context here.
    words = span_words(word)
    if words.lone is None:
        return  # a lone function word or a span that `span_tokens` splits
    for before, after, anchored, suppressed in itertools.product(
        _BEFORE, _AFTER, (False, True), (False, True)
    ):
        text = before + word + after
        start, end = len(before), len(before) + len(word)
        readers = []
        for _ in range(2):
            reader = Reader(anchors=frozenset({words.lone.name_token} if anchored else ()))
            if suppressed:
                reader.suppressed.add(word.casefold())
            readers.append(reader)
        shortcut = readers[0]._lone(words.lone, 2, start, end, text, title=False)
        window = text[start - 40 if start > 40 else 0 : start]  # as `Reader.read` cuts it
        parsed = read_span(readers[1], words._replace(lone=None), text, (2, start, end), window)
        assert (shortcut, _state(readers[0])) == (parsed, _state(readers[1])), text
    # In a headline.
    readers = [Reader(anchors=frozenset()), Reader(anchors=frozenset())]
    shortcut = readers[0]._lone(words.lone, -1, 0, len(word), word, title=True)
    parsed = read_title_span(readers[1], words._replace(lone=None), word, 0)
    assert (shortcut, _state(readers[0])) == (parsed, _state(readers[1]))


@given(st.lists(st.sampled_from((" ", ",", "(", "\t", "\u00a0", "1", "2", ")", "a", "j", "x",
                                 "mengatakan", "said", "juga ", "(21)", "told", ".", "")),
                max_size=6))  # fmt: skip
def test_speech_or_age_after_agrees_with_the_regexes(parts: list[str]) -> None:
    text = "Agus" + "".join(parts)
    end, limit = 4, 4 + AFTER_CHARS
    assert speech_or_age_after(text, end) == (
        SPEECH_AFTER_RE.match(text, end, limit) is not None,
        AGE_AFTER_RE.match(text, end, limit) is not None,
    )


def test_span_words_are_memoised_and_the_memo_changes_nothing() -> None:
    spans = ("Presiden Joko Widodo", "Kata Agus", "Namun", "Jakarta", "Ganjar Pranowo-Mahfud")
    first = [span_words(span) for span in spans]
    assert all(SPAN_MEMO[span] is words for span, words in zip(spans, first, strict=True))
    SPAN_MEMO.clear()
    assert [span_words(span) for span in spans] == first
    assert first[1].start == 1  # `Kata` is context, not part of the name
    assert first[2].tokens == ()  # a lone function word: nothing to read


def test_emitted_and_hyphen_head() -> None:
    assert emitted("Agus, ") == ("Agus", "agus")
    assert emitted("A.") is None  # too short
    assert emitted("Yang") is None  # a stopword
    assert hyphen_head("Pranowo-Mahfud") == "Pranowo"
    assert hyphen_head("Jong-un") is None
    assert hyphen_head("Agus") is None
