"""Span context: the fast cue, sentence-start and anchor readers agree with plain regexes."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from worker.pipeline.entity_context import TOKEN, anchor_tokens, cue_before, starts_sentence
from worker.pipeline.entity_lexicon import is_plain

# The readers' specification, written as the one-regex searches they replace.
_CUE_RE = re.compile(
    r"\b(?:(?P<speech>kata|ujar|ungkap|jelas|tutur|tegas|imbuh|tambah|ucap|beber|sanjang|"
    r"tembung|lanjut|terang|papar|pungkas|tandas|menurut|said|according to)"
    r"|(?P<person>bernama|sosok|saudara|sdr\.?|asuhan|dijaga|dipimpin oleh|absennya|"
    r"pengamat \w+|putra|putri|istri|suami|anak|ayah|ibu|adik|kakak)"
    r"|(?P<place>di|ke|dari|asal|menuju|wilayah|kawasan|perairan|daerah|negara|kota|in|at|from)"
    r"|(?P<org>(?:diberitakan|dilansir|dikutip|mengutip|melansir|laporan|media|klub|grup|"
    r"kelompok|sanggar|perusahaan|aplikasi|platform|partai|organisasi|band)"
    r"(?:\s+(?:dari|[a-z]+))?))\s+$",
    re.IGNORECASE,
)
_SENTENCE_START_RE = re.compile(r"(?:^|[.!?][\"”\u2019]?\s+|[\"“]\s*)$")
_ANCHOR_RE = re.compile(
    rf"\b(?:kata|ujar|ungkap|tutur|tegas|imbuh|ucap|beber|sanjang|[Mm]enurut|said)\s+"
    rf"({TOKEN})|({TOKEN})\s+(?:mengatakan|menjelaskan|menambahkan|menegaskan|mengungkapkan|"
    rf"said|says)\b"
)

_PIECES = (
    "kata", "Kata", "KATA", "said", "di", "ke", "dari", "xdi", "_di", "1di", "(kata", "-di",
    "pengamat", "Pengamat", "politik", "p2", "dipimpin", "oleh", "according", "to", "sdr",
    "sdr.", "Sdr.", "SDR.", "xsdr.", "media", "dilansir", "band", "Inggris", "ibu", "Agus",
    "Budi", "Dr.", "H.", "M.", "Jean-Paul", "Kompas.com", "mengatakan", "menurut", "Menurut",
    "says", "é", "Köln", "ſ", "\u212a", "2025", "13:30", ".", ",", "!", "?", '"', "“", "”",
    "\u2019", "a.", 'b."', "(21)", "",
)  # fmt: skip
_SPACES = (" ", " ", "  ", "\n", "\t", "\xa0", "\u2003", "")
_texts = st.lists(st.tuples(st.sampled_from(_PIECES), st.sampled_from(_SPACES)), max_size=8).map(
    lambda parts: "".join(piece + space for piece, space in parts)
)


@given(_texts)
def test_cue_before_agrees_with_the_cue_regex(text: str) -> None:
    before = text[-40:]
    expected = _CUE_RE.search(before, max(0, len(before) - 30))
    assert cue_before(before) == (expected.lastgroup if expected else None)


@given(_texts)
def test_sentence_start_agrees_with_the_regex(text: str) -> None:
    assert starts_sentence(text) == bool(_SENTENCE_START_RE.search(text))


@given(st.lists(_texts, max_size=3))
def test_anchors_agree_with_one_alternation_scan(paragraphs: list[str]) -> None:
    expected = {m.group(1) or m.group(2) for p in paragraphs for m in _ANCHOR_RE.finditer(p)}
    assert anchor_tokens(tuple(paragraphs)) == {t for t in expected if is_plain(t)}


def test_cues_on_corpus_phrases() -> None:
    assert cue_before("seperti dikatakan pengamat politik ") == "person"
    assert cue_before("Rusia, Kamis 25 April 2019. ") is None
    assert cue_before('sehat," kata ') == "speech"
    assert cue_before("seperti diberitakan ") == "org"
    assert cue_before("tinggal di ") == "place"


_VERB_FIRST = ("kata", "ujar", "ungkap", "tutur", "tegas", "imbuh", "ucap", "beber", "sanjang",
               "menurut", "Menurut", "said")  # fmt: skip
_NAME_FIRST = ("mengatakan", "menjelaskan", "menambahkan", "menegaskan", "mengungkapkan",
               "said", "says")  # fmt: skip


def test_every_speech_verb_makes_an_anchor() -> None:
    # The substring tests that skip the scans must let every verb through, alone.
    for verb in _VERB_FIRST:
        assert anchor_tokens((f"itu {verb} Agus.",)) == {"Agus"}, verb
    for verb in _NAME_FIRST:
        assert anchor_tokens((f"Itu, Agus {verb}.",)) == {"Agus"}, verb


def test_cue_fast_path_edges() -> None:
    # The `... word ` fast path and the general reader agree where they meet.
    assert cue_before("menurut pengamat ") is None  # `pengamat` needs its field after it
    assert cue_before("pengamat politik ") == "person"
    assert cue_before("laporan media Inggris ") == "org"
    assert cue_before("x" * 31 + " di ") == "place"
    assert cue_before("x" * 30 + " di ") == "place"
    assert cue_before("tinggal\u00a0di ") == "place"
    assert cue_before("kata Sdr. ") == "person"
    assert cue_before("Dr. ") is None
    assert cue_before("\u212alub ") == "org"
    assert cue_before("di, ") is None
