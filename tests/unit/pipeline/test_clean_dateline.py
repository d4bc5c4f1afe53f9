"""Datelines: the generic grammar on every corpus form, and what must not count as one."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from worker.pipeline.dateline import compile_dateline, find_dateline, max_space_runs, raw_dateline
from worker.pipeline.lines import split_lines
from worker.rules_file import load_rules

RULES = load_rules()


@pytest.mark.parametrize(
    ("text", "raw", "location", "publisher", "rest"),
    [
        # The VIVA seed, byte-exact: NBSP on both sides of the en dash.
        ("VIVA\u00a0–\u00a0Presiden Rusia Vladimir Putin", "VIVA\u00a0–", None, "VIVA", "Presiden"),
        (
            "BOGOR, KOMPAS.com –\nKriminolog Universitas Indonesia",
            "BOGOR, KOMPAS.com –",
            "Bogor",
            "KOMPAS.com",
            "",
        ),
        (
            "JAKARTA, KOMPAS.com\n- Direktur Eksekutif The Indonesian",
            "JAKARTA, KOMPAS.com\n-",
            "Jakarta",
            "KOMPAS.com",
            "Direktur",
        ),
        ("Jakarta\n-\nMenteri Pariwisata Widiyanti", "Jakarta\n-", "Jakarta", None, ""),
        # An outlet with no rule: upper-case place, then a title-case masthead.
        (
            "SUMENEP, Warta Nusantara – Petani garam di Kabupaten Sumenep",
            "SUMENEP, Warta Nusantara –",
            "Sumenep",
            "Warta Nusantara",
            "Petani",
        ),
        (
            "Liputan6.com, Banyuwangi -Di umur yang masih belia",
            "Liputan6.com, Banyuwangi -",
            "Banyuwangi",
            "Liputan6.com",
            "Di",
        ),
        (
            "REPUBLIKA.CO.ID, GRESIK -- Pengendara sepeda motor",
            "REPUBLIKA.CO.ID, GRESIK --",
            "Gresik",
            "REPUBLIKA.CO.ID",
            "Pengendara",
        ),
        ("SERAMBINEWS.COM - Wali Kota Solo", "SERAMBINEWS.COM -", None, "SERAMBINEWS.COM", "Wali"),
        ("JAKARTA - Indeks Harga Saham Gabungan (IHSG)", "JAKARTA -", "Jakarta", None, "Indeks"),
        (
            "KOTA BHARU 2 Jan. – Seorang lelaki",
            "KOTA BHARU 2 Jan. –",
            "Kota Bharu",
            None,
            "Seorang",
        ),
        (
            "TEMPO.CO, Bandung&nbsp;-&nbsp;Pemerintah Provinsi",
            "TEMPO.CO, Bandung&nbsp;-",
            "Bandung",
            "TEMPO.CO",
            "Pemerintah",
        ),
    ],
)
def test_corpus_datelines(
    text: str, raw: str, location: str | None, publisher: str | None, rest: str
) -> None:
    match = find_dateline(split_lines(text), RULES.dateline)
    assert match is not None
    assert match.location == location
    assert match.publisher == publisher
    assert match.rest.split(" ")[0] == rest
    dateline = raw_dateline(match, text)
    assert dateline.raw == raw
    assert dateline.raw in text


def test_date_inside_a_dateline_is_reported() -> None:
    match = find_dateline(split_lines("KOTA BHARU 2 Jan. – Seorang lelaki"), RULES.dateline)
    assert match is not None
    assert match.date_text == "2 Jan."


def test_dateline_after_a_caption_line_is_found() -> None:
    text = (
        "Wali Kota Solo, Gibran Rakabuming Raka di Solo, Jawa Tengah, Rabu (11/10/2023).\n"
        "SERAMBINEWS.COM - Wali Kota Solo, Gibran Rakabuming Raka, dianggap telah membangkang."
    )
    match = find_dateline(split_lines(text), RULES.dateline)
    assert match is not None
    assert match.line_index == 1


@pytest.mark.parametrize(
    "text",
    [
        "Hukum - Kriminal",  # a blog menu entry
        "Pawarta bahasa jawa banjir – Kahanan banjir ing Sampang taksih inggil.",  # SEO phrase
        "MENTERI Dalam Negeri Tito Karnavian kini memperbolehkan kepala daerah",
        "Posko Operasi SAR dan Potensi SAR Gabungan di Pelabuhan Ketapang - Banyuwangi",
    ],
)
def test_things_that_are_not_datelines(text: str) -> None:
    assert find_dateline(split_lines(text), RULES.dateline) is None


def test_space_runs_bound_counts_the_widest_form_and_masthead() -> None:
    assert max_space_runs(()) == 6
    assert max_space_runs(("VIVA", "CNN Indonesia")) == 6
    assert max_space_runs(("A B C D",)) == 7


_DATELINE_TOKENS = st.sampled_from(
    [
        *("JAKARTA", "KOTA", "BHARU", "Bogor", "Kota", "KOMPAS.com", "VIVA", "CNN Indonesia"),
        *(",", ", ", " ", "  ", "\t", "\n", "-", "--", "–", "—", "(", ")", "(ANTARA)", "2"),
        *("Jan.", "Warta", "Nusantara", "O'NEIL", "TIMESINDONESIA", "x", "A B  C\tD"),
    ]
)


@given(st.lists(_DATELINE_TOKENS, min_size=1, max_size=14).map("".join))
def test_the_dash_gate_never_hides_a_dateline(text: str) -> None:
    lines = split_lines(text)
    for publishers in (RULES.dateline_publishers, ("A B  C\tD",)):
        pattern = compile_dateline(publishers)
        gated = find_dateline(lines, pattern, max_space_runs(publishers))
        assert gated == find_dateline(lines, pattern)
