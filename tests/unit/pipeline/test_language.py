"""Language: hint first, then CLD2 with the id/ms/jv marker check."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from worker.pipeline.language import (
    _UNSAFE_RE,
    SAMPLE_CHARS,
    _safe_for_cld2,
    _sample,
    detect_language,
    marker_votes,
    normalise_hint,
)

INDONESIAN = (
    "Kriminolog Universitas Indonesia, Adrianus Meliala, menyebutkan kemunculan kelompok "
    "remaja yang menyerupai gangster di kawasan Mulyaharja, Kecamatan Bogor Selatan, "
    "merupakan bentuk perilaku kolektif yang menyimpang."
)
MALAY = (
    "Pegawai Kesihatan Negeri, Dr. S. Thamothoram menasihatkan orang ramai supaya "
    "berjaga-jaga dan jangan mengadakan sebarang majlis kenduri buat sementara waktu "
    "sehingga penyakit tersebut dapat dibasmikan."
)
JAVANESE = (
    "Lepen Kemuning ingkang enten ing Sampang mboten saged nampung toya kesebat. Lepen "
    "Kemuning mbludak uga toyanipun mbenani dhusun-dhusun ingkang wonten."
)
ENGLISH = (
    "The dollar held gains on Tuesday as markets awaited signals, expected later this week, "
    "about the potential timing of rate cuts by the Federal Reserve."
)


@pytest.mark.parametrize(
    ("text", "code"), [(INDONESIAN, "id"), (MALAY, "ms"), (JAVANESE, "jv"), (ENGLISH, "en")]
)
def test_detects_the_four_languages(text: str, code: str) -> None:
    language = detect_language(None, (text,), hint=None, hint_method="payload")
    assert language.code == code
    assert language.method == "detected"
    assert 0.5 <= language.confidence <= 1.0


def test_a_bare_headline_is_enough() -> None:
    title = "Pertemuan Pertama Putin-Kim, Sepakat Tingkatkan Hubungan Bilateral"
    assert detect_language(title, (), hint=None, hint_method="payload").code == "id"


def test_a_valid_hint_wins_and_says_where_it_came_from() -> None:
    language = detect_language(None, (ENGLISH,), hint="id-ID", hint_method="markup")
    assert (language.code, language.confidence, language.method) == ("id", 1.0, "markup")


@pytest.mark.parametrize(
    ("hint", "code"),
    [("id", "id"), ("in", "id"), ("ID_id", "id"), ("jw", "jv"), ("msa", "ms"), ("en-GB", "en")],
)
def test_hints_are_normalised(hint: str, code: str) -> None:
    assert normalise_hint(hint) == code


@pytest.mark.parametrize("hint", ["", "  ", "indonesian", "12", "x", "zz-"])
def test_invalid_hints_are_ignored(hint: str) -> None:
    assert normalise_hint(hint) is None
    assert detect_language(None, (INDONESIAN,), hint=hint, hint_method="payload").code == "id"


def test_marker_words_tell_malay_from_indonesian() -> None:
    malay = marker_votes("Polis berkata lelaki itu ditahan kerana disyaki terlibat semalam.")
    indonesian = marker_votes("Polisi mengatakan pria itu ditahan karena diduga terlibat.")
    assert malay["ms"] > malay["id"]
    assert indonesian["id"] > indonesian["ms"]


def test_control_characters_do_not_break_detection() -> None:
    assert (
        detect_language(None, ("\x00\x07" + INDONESIAN,), hint=None, hint_method="payload").code
        == "id"
    )


@given(st.text(max_size=200))
def test_any_text_gets_a_code_and_a_bounded_confidence(text: str) -> None:
    language = detect_language(text, (text,), hint=None, hint_method="payload")
    assert language.code
    assert 0.0 <= language.confidence <= 1.0


_AWKWARD = st.sampled_from(
    [*"a \n\t\r\x00\x08\x0b\x1f\x7f\x80\x9f\xa0\xc2é“中", "\ud800", "\udfff", "\U0001f600"]
)


@given(st.lists(_AWKWARD, max_size=30).map("".join))
def test_cld2_sample_replaces_exactly_the_unsafe_characters(text: str) -> None:
    assert _safe_for_cld2(text) == _UNSAFE_RE.sub(" ", text)


@pytest.mark.parametrize("body_chars", [1990, 1994, 1995, 1996, 2000])
@pytest.mark.parametrize("tail", [(), ("",), ("", "x")])
def test_sample_is_cut_after_sample_chars(body_chars: int, tail: tuple[str, ...]) -> None:
    title, paragraphs = "abcde", ("a" * body_chars, *tail)
    parts, size = [title], len(title)
    for paragraph in paragraphs:  # the definition, step by step
        if size >= SAMPLE_CHARS:
            break
        parts.append(paragraph[: SAMPLE_CHARS - size])
        size += len(parts[-1])
    assert _sample(title, paragraphs) == "\n".join(parts)
