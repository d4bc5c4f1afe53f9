"""Fingerprints: exact SHA-256 of the normalised body and the fixed SimHash64."""

from __future__ import annotations

import hashlib
import re
import unicodedata

import xxhash
from hypothesis import given
from hypothesis import strategies as st

from worker.pipeline.fingerprints import SHINGLE_WORDS, fingerprint, simhash64

# Two paragraphs of the VIVA seed article.
SEED = (
    "Presiden Rusia Vladimir Putin dan pemimpin Korea Utara Kim Jong-un sepakat untuk "
    "meningkatkan hubungan bilateral kedua negara. Hal itu disepakati dalam pertemuan tatap "
    "muka pertama antara kedua pemimpin negara di kota Vladivostok, Rusia, Kamis 25 April 2019.",
    "Dalam pernyataan singkat sebelum melakukan pembicaraan tertutup, kedua pemimpin "
    "mengungkapkan harapan mereka untuk memperkuat hubungan bersejarah antara Korut dan Rusia.",
)


def _distance(a: int, b: int) -> int:
    return (a ^ b).bit_count()


def _reference_simhash(text: str) -> int:
    """The documented algorithm, written the slow and obvious way."""
    words = re.findall(r"\w+", unicodedata.normalize("NFKC", text).casefold())
    if not words:
        return 0
    if len(words) <= SHINGLE_WORDS:
        shingles = [" ".join(words)]
    else:
        shingles = [" ".join(words[i : i + SHINGLE_WORDS]) for i in range(len(words) - 2)]
    hashes = [xxhash.xxh3_64_intdigest(s.encode("utf-8")) for s in shingles]
    return sum(
        1 << bit for bit in range(64) if sum((h >> bit) & 1 for h in hashes) > len(hashes) / 2
    )


def test_signature_format_and_stability() -> None:
    prints = fingerprint(SEED)
    assert re.fullmatch(r"[0-9a-f]{64}", prints.content_sha256)
    assert re.fullmatch(r"[0-9a-f]{16}", prints.simhash64)
    assert fingerprint(SEED) == prints


def test_whitespace_and_nbsp_do_not_change_the_exact_hash() -> None:
    spaced = tuple(p.replace(" ", "  ") for p in SEED)
    assert fingerprint(spaced).content_sha256 == fingerprint(SEED).content_sha256
    assert fingerprint(("", *SEED)).content_sha256 == fingerprint(SEED).content_sha256


def test_a_changed_word_changes_the_exact_hash_but_not_much_the_simhash() -> None:
    edited = (SEED[0].replace("sepakat", "setuju"), SEED[1])
    assert fingerprint(edited).content_sha256 != fingerprint(SEED).content_sha256
    near = _distance(simhash64(" ".join(edited)), simhash64(" ".join(SEED)))
    far = _distance(simhash64(" ".join(SEED)), simhash64("Harga saham turun tajam hari ini."))
    assert near <= 6 < far


def test_reflowed_and_repunctuated_copies_have_the_same_simhash() -> None:
    text = " ".join(SEED)
    assert simhash64(text.upper().replace(",", "")) == simhash64(text)
    assert simhash64("\n\n".join(SEED)) == simhash64(text)


def test_matches_the_documented_algorithm_on_corpus_text() -> None:
    for text in (" ".join(SEED), SEED[1], "Kondisinya sudah sehat", "Halo", ""):
        assert simhash64(text) == _reference_simhash(text)


def _stays_latin(text: str) -> bool:
    return all(ord(ch) < 0x250 for ch in unicodedata.normalize("NFKC", text).casefold())


@given(st.text(alphabet=st.characters(max_codepoint=0x24F), max_size=300).filter(_stays_latin))
def test_matches_the_documented_algorithm_on_latin_text(text: str) -> None:
    # For Latin-script text the documented separators give exactly the \w+ tokens.
    assert simhash64(text) == _reference_simhash(text)
    assert 0 <= simhash64(text) < 1 << 64


def _reference_sha256(paragraphs: tuple[str, ...]) -> str:
    """The documented exact hash, written the slow and obvious way."""
    cleaned = [" ".join(unicodedata.normalize("NFC", p).split()) for p in paragraphs]
    return hashlib.sha256("\n".join(p for p in cleaned if p).encode("utf-8")).hexdigest()


_SPACES_AND_MARKS = st.sampled_from(
    list(" \t\n\r\x0b\x0c\x1c\x85\xa0\u1680\u2000\u2028\u202f\u3000\u200b\ufeffae\u0301\u212b")
)


@given(st.lists(st.text(_SPACES_AND_MARKS, max_size=12), max_size=4))
def test_exact_hash_matches_the_documented_normalisation(paragraphs: list[str]) -> None:
    assert fingerprint(tuple(paragraphs)).content_sha256 == _reference_sha256(tuple(paragraphs))


def test_every_whitespace_character_separates_simhash_tokens() -> None:
    spaces = [chr(cp) for cp in range(0x110000) if chr(cp).isspace()]
    for space in spaces:
        assert simhash64(f"alpha{space}beta gamma delta") == simhash64("alpha beta gamma delta")


def _documented_tokens(text: str) -> list[str]:
    folded = unicodedata.normalize("NFKC", text).casefold()
    return "".join(
        " " if (ord(ch) < 0x250 or 0x2000 <= ord(ch) < 0x2070) and not re.match(r"\w", ch) else ch
        for ch in folded
    ).split()


def test_non_latin_words_and_separators() -> None:
    # Beyond Latin script the tokens are not the \w+ runs: U+0307 (from casefolding U+0130)
    # is not a word character but is no separator either.
    for text in (
        "中文 “新闻” — тест, ελληνικά… ſtraße",
        "İstanbul\u3000Kelvin \u212a",
        "a\u203fb c",
    ):
        words = _documented_tokens(text)
        shingles = [" ".join(words[i : i + SHINGLE_WORDS]) for i in range(len(words) - 2)]
        hashes = [
            xxhash.xxh3_64_intdigest(s.encode("utf-8")) for s in shingles or [" ".join(words)]
        ]
        expected = sum(
            1 << bit for bit in range(64) if sum((h >> bit) & 1 for h in hashes) > len(hashes) / 2
        )
        assert simhash64(text) == expected
