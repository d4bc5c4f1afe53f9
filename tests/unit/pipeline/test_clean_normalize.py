"""Normalisation of one scraped line: entities, spaces, controls, mojibake, nothing else."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from worker.pipeline.lines import split_lines
from worker.pipeline.normalize import looks_mojibaked, normalize_line, squash, unescape_all


def test_double_escaped_entities_are_unescaped_until_stable() -> None:
    assert unescape_all("&amp;ldquo;Saya&amp;rdquo;") == "“Saya”"
    assert unescape_all("TEMPO.CO, Bandung&nbsp;-&nbsp;Pemerintah") == (
        "TEMPO.CO, Bandung\u00a0-\u00a0Pemerintah"
    )


def test_nbsp_becomes_a_plain_space_and_runs_collapse() -> None:
    # The VIVA seed's dateline line, byte-exact (NBSP around the en dash).
    raw = "VIVA\u00a0–\u00a0Presiden Rusia Vladimir Putin dan pemimpin Korea Utara Hal itu\u00a0disepakati"
    assert normalize_line(raw) == (
        "VIVA – Presiden Rusia Vladimir Putin dan pemimpin Korea Utara Hal itu disepakati"
    )
    assert normalize_line("  • Istimewa") == "• Istimewa"


def test_control_and_zero_width_characters_are_dropped() -> None:
    assert (
        normalize_line("Jakarta\u200b -\x00 Polisi\ufeff menangkap") == "Jakarta - Polisi menangkap"
    )
    assert normalize_line("a\tb") == "a b"


def test_scraper_damage_is_not_repaired() -> None:
    # Glued words and spaces inside brackets are kept as found (corpus rule).
    line = "Kapal Motor Penyeberangan(KMP) Tunu Pratama Jayayang tenggelam ( ASN )"
    assert normalize_line(line) == line


def test_mojibake_is_repaired_only_when_detected() -> None:
    assert looks_mojibaked("Menurut dia, â€œini pentingâ€\x9d")
    assert normalize_line("Menurut dia, â€œini pentingâ€\x9d") == "Menurut dia, “ini penting”"
    assert not looks_mojibaked("Dia menambahkan, “ini penting” – kata Ahmad.")
    assert normalize_line("São Paulo") == "São Paulo"


def test_decomposed_text_is_composed_to_nfc() -> None:
    assert normalize_line("Cafe\u0301") == "Café"


@given(st.text(max_size=200))
def test_normalised_lines_have_no_newlines_or_double_spaces(text: str) -> None:
    out = normalize_line(text.replace("\n", " "))
    assert "  " not in out
    assert out == out.strip()
    assert squash(out) == out


# The fast paths of `split_lines` (whole-text tests instead of `normalize_line` per line)
# must give what normalising every line gives.
_TRICKY = st.sampled_from(
    [
        *"ab AZ.,&;#\n\n\n",
        *("\r", "\r\n", "\t", "\x0b", "\x85", "\u2028", "\u00a0", "\u200b", "\ufeff", "\x00"),
        *("é", "e\u0301", "\u0301", "\u0316", "\u0334", "\u2126", "Ã©", "â€™", "Â ", "ï»¿"),
        *("&amp;", "&nbsp;", "&#10;", "“", "—", "İ", "\u3000", "\U0001f600", "  ", " \n"),
    ]
)


def _reference_lines(text: str) -> list[tuple[str, str, int, bool]]:
    out: list[tuple[str, str, int, bool]] = []
    blank_before = True
    for number, raw in enumerate(text.splitlines()):
        norm = normalize_line(raw)
        if not norm:
            blank_before = True
            continue
        out.append((norm, raw, number, blank_before))
        blank_before = False
    return out


@given(st.one_of(st.text(), st.lists(_TRICKY, max_size=40).map("".join)))
def test_split_lines_equals_normalising_every_line(text: str) -> None:
    got = [(ln.text, ln.raw, ln.order[0], ln.new_paragraph) for ln in split_lines(text)]
    assert got == _reference_lines(text)
    assert all(ln.blank_before == ln.new_paragraph for ln in split_lines(text))


def test_split_lines_fast_path_keeps_spaces_rule() -> None:
    lines = split_lines("  Satu  dua \n\nTiga\u201d  empat ")
    assert [ln.text for ln in lines] == ["Satu dua", "Tiga\u201d empat"]
    assert [ln.raw for ln in lines] == ["  Satu  dua ", "Tiga\u201d  empat "]
