"""News day: hint, date_text, publication stamps, weekday dates scored by context."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from worker.pipeline.dates import (
    _ATTRIBUTION_RE,
    _FUTURE_OR_PAST_RE,
    _SENTENCE_END_RE,
    _STAMP_RE,
    _STAMP_SCAN_RE,
    _WEEKDAY_SCAN_RE,
    _WEEKDAYS,
    _context_score,
    _search_words,
    parse_date,
    published_date,
)
from worker.pipeline.model import Removed


def test_weekday_with_month_name() -> None:
    paragraph = (
        "Hal itu disepakati dalam pertemuan tatap muka pertama antara kedua pemimpin negara "
        "di kota Vladivostok, Rusia, Kamis 25 April 2019."
    )
    assert published_date(paragraphs=(paragraph,)) == "2019-04-25"


def test_the_attributed_date_beats_a_future_one() -> None:
    # Tribunnews: the summons date comes first but is in the future.
    paragraph = (
        "Bareskrim Polri kembali memanggil Fakar Suhartami Pratama atau Fakarich.Pemanggilan "
        "direncanakan akan berlangsung, Kamis (31/3/2022).Kabag Penum Divisi Humas Polri "
        '"Panggilan kedua hari Kamis tanggal 31 Maret 2022 jam 10.00 WIB terhadap saudara FSP '
        'alias Fakarich," ujar Gatot saat dikonfirmasi, Selasa (29/3/2022).'
    )
    assert published_date(paragraphs=(paragraph,)) == "2022-03-29"


def test_background_dates_lose_to_the_statement_date() -> None:
    paragraphs = (
        '"Pada dasarnya, ini adalah perilaku kolektif," ujar Adrianus saat dihubungi '
        "Kompas.com, Selasa (10/6/2025).",
        "Sebelumnya, pada Minggu (8/6/2025), polisi menggerebek sebuah kontrakan.",
    )
    assert published_date(paragraphs=paragraphs) == "2025-06-10"


@pytest.mark.parametrize(
    "paragraph",
    [
        # No year: the date phrase is kept by cleaning, the day is not guessed.
        '"Sampai dengan pukul 13:30 WIB, tim SAR gabungan mencatat," kata Wahyu, Kamis (3/7).',
        # A date without a weekday is the day of a post, not of the report.
        "Salah satu akun ada yang mengunggahnya di Facebook. "
        "Akun itu mempostingnya pada 16 Juni 2025.",
        # A historical date in a Malay column.
        "Pada 15 Ogos 1974 , Utusan Malaysia melaporkan Jabatan Kesihatan Negeri Perlis.",
    ],
)
def test_no_date_is_invented(paragraph: str) -> None:
    assert published_date(paragraphs=(paragraph,)) is None


def test_publication_stamp_in_a_removed_headline_echo() -> None:
    echo = Removed(
        "headline_echo",
        "Dollar holds gains in thin trading as markets await Fed minutes, US GDP "
        "Published on 2026-02-17T09:40:42+07:00 http://www.thejakartapost.com/business/",
    )
    found = published_date(paragraphs=("The dollar held gains on Tuesday.",), removed=(echo,))
    assert found == "2026-02-17T09:40:42+07:00"


def test_captions_are_not_read() -> None:
    caption = Removed("image_caption", "Wali Kota Solo, Gibran, di Solo, Rabu (11/10/2023).")
    assert published_date(paragraphs=("Tanpa tanggal.",), removed=(caption,)) is None


def test_hint_and_date_text_win_when_they_parse() -> None:
    body = ("Kata Agus, Sabtu (7/6/2025).",)
    assert published_date(paragraphs=body, published_hint="2025-06-10T20:18:00+07:00") == (
        "2025-06-10T20:18:00+07:00"
    )
    assert published_date(paragraphs=body, date_text="10 Jun 2025") == "2025-06-10"
    assert published_date(paragraphs=body, published_hint="kemarin") == "2025-06-07"
    assert published_date(paragraphs=body, date_text="Kamis (3/7)") == "2025-06-07"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Selasa, 17 Jun 2025 14:58 WIB", "2025-06-17T14:58:00+07:00"),
        ("Kompas.com - 10/06/2025, 21:50 WIB", "2025-06-10T21:50:00+07:00"),
        (", Jurnalis-Jum'at, 20 Juni 2025 |11:58 WIB", "2025-06-20T11:58:00+07:00"),
        ("25/04/2019 14:30 WITA", "2019-04-25T14:30:00+08:00"),
        ("Senin (3/6/2024)", "2024-06-03"),
        ("2025/07/03 16:13:50", "2025-07-03"),
        ("Feb. 17, 2026", "2026-02-17"),
        ("05/04/2019", "2019-04-05"),
        ("3 jam yang lalu", None),
        ("31/2/2024", None),
    ],
)
def test_parse_date_forms(text: str, expected: str | None) -> None:
    assert parse_date(text) == expected


@given(st.text(max_size=120))
def test_parse_date_never_raises_and_returns_iso(text: str) -> None:
    found = parse_date(text)
    assert found is None or (len(found) >= 10 and found[4] == "-" and found[7] == "-")


def test_lower_casing_keeps_what_the_word_searches_see() -> None:
    # `_aligned_lower` relies on these properties of str.lower for every character.
    ascii_letter_ci = re.compile("[a-z]", re.IGNORECASE)
    for code in range(0x110000):
        if 0xD800 <= code < 0xE000:
            continue
        char = chr(code)
        lowered = char.lower()
        if code == 0x130:
            assert len(lowered) == 2
            continue
        assert len(lowered) == 1
        assert (char.isalnum() or char == "_") == (lowered.isalnum() or lowered == "_")
        assert char.isspace() == lowered.isspace()
        if not char.isascii() and ascii_letter_ci.fullmatch(char):
            assert char in "ıſ\u212a"
        if not char.isascii() and lowered.isascii():
            assert char == "\u212a"
            assert ascii_letter_ci.fullmatch(char)


def _reference_score(paragraph: str, start: int, end: int) -> int:
    """The context score with the IGNORECASE regexes only."""
    sentence_start = 0
    for boundary in _SENTENCE_END_RE.finditer(paragraph, 0, start):
        sentence_start = boundary.end()
    following = _SENTENCE_END_RE.search(paragraph, end)
    before = paragraph[sentence_start:start]
    after = paragraph[end : following.start() if following else len(paragraph)]
    score = 2 if _ATTRIBUTION_RE.search(before) or _ATTRIBUTION_RE.search(after[:40]) else 0
    if _FUTURE_OR_PAST_RE.search(before[-80:]) or _FUTURE_OR_PAST_RE.match(after.lstrip()):
        score -= 2
    return score


_CONTEXT_PIECES = st.sampled_from(
    [
        *("kata", "Kata", "KATA", "katanya", "dikatakan", "said", "akan", "Sebelumnya"),
        *("kala itu", "saat  itu", "lalu", " ", ". ", "! ", '"', "\u201d", "_", "1", "x"),
        *("\u0130", "ı", "ſ", "\u212a", "é", "\n", "ſaid", "Kİta", "ditemuı", "ak\u212aan"),
        *("ujarnya", "-", "'", "told", "kata_", "2", "menjelaskan,"),
    ]
)


@given(
    st.lists(_CONTEXT_PIECES, max_size=20).map("".join),
    st.lists(_CONTEXT_PIECES, max_size=20).map("".join),
)
def test_context_score_matches_the_ignorecase_regexes(before: str, after: str) -> None:
    paragraph = f"{before}Selasa (10/6/2025){after}"
    start, end = len(before), len(before) + len("Selasa (10/6/2025)")
    assert _context_score(paragraph, start, end) == _reference_score(paragraph, start, end)


@given(st.lists(_CONTEXT_PIECES, max_size=12).map("".join))
def test_stamp_search_matches_the_ignorecase_regex(prefix: str) -> None:
    for stamp in ("Published on ", "diterbitkan: ", "TAYANG", "posted  on:"):
        text = f"{prefix}{stamp}17/2/2026"
        fast = _search_words(_STAMP_RE, _STAMP_SCAN_RE, text)
        slow = _STAMP_RE.search(text)
        assert (fast and fast.span()) == (slow and slow.span())


@given(
    st.lists(
        st.sampled_from(["Senin", "Sen", "Thur", "Thurs", "Thursday", "Jum'at", "Jumat", "x", " "]),
        max_size=12,
    ).map("".join)
)
def test_weekday_scan_finds_what_the_plain_alternation_finds(text: str) -> None:
    names = [name.capitalize() for name in _WEEKDAYS.split("|") if len(name) > 3]
    plain = re.compile("(?:" + "|".join(names) + ")")
    assert [m.span() for m in _WEEKDAY_SCAN_RE.finditer(text)] == [
        m.span() for m in plain.finditer(text)
    ]
