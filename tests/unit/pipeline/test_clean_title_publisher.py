"""Titles (suffixes, slugs, first lines) and publishers (dateline, host, title suffix)."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st

from worker.pipeline.lines import split_lines
from worker.pipeline.publisher import (
    host_of,
    publisher_from_dateline,
    publisher_from_host,
    registrable_domain,
)
from worker.pipeline.title import (
    alnum_key,
    clean_title,
    first_line_title,
    slug_headline_start,
    slug_words,
)
from worker.rules_file import load_rules

RULES = load_rules()


@pytest.mark.parametrize(
    ("raw", "host_key", "title", "site"),
    [
        (
            "Perlis diisytihar negeri taun - Utusan Malaysia",
            "utusan",
            "Perlis diisytihar negeri taun",
            "Utusan Malaysia",
        ),
        (
            "Mendagri Kini Izinkan Kepala Daerah | tempo.co",
            None,
            "Mendagri Kini Izinkan Kepala Daerah",
            "tempo.co",
        ),
        ("Harga Emas Naik - Bisnis Harian", "bisnisharian", "Harga Emas Naik", "Bisnis Harian"),
        # ` - ` inside a headline is not a suffix.
        (
            "VIDEO - Surya Paloh Yakin Anies-Cak Imin Raih Suara",
            None,
            "VIDEO - Surya Paloh Yakin Anies-Cak Imin Raih Suara",
            None,
        ),
        (
            "Pengamat: Polisi yang Lecehkan Korban &amp; Saksi",
            None,
            "Pengamat: Polisi yang Lecehkan Korban & Saksi",
            None,
        ),
        ("   ", None, None, None),
    ],
)
def test_site_suffixes(raw: str, host_key: str | None, title: str | None, site: str | None) -> None:
    assert clean_title(raw, RULES, host_key) == (title, site)


def test_slug_words_skip_extensions_and_ids() -> None:
    url = (
        "https://www.thejakartapost.com/business/2026/02/17/dollar-holds-gains-in-thin-trading.html"
    )
    assert slug_words(url) == ["dollar", "holds", "gains", "in", "thin", "trading"]
    assert slug_words("https://x.com/") == []
    assert slug_words(None) == []


def test_first_line_title_needs_a_headline_on_its_own() -> None:
    seed = "Pertemuan Pertama Putin-Kim, Sepakat Tingkatkan Hubungan Bilateral\n\nPemimpin Korea."
    assert first_line_title(split_lines(seed), []) == (
        "Pertemuan Pertama Putin-Kim, Sepakat Tingkatkan Hubungan Bilateral"
    )
    lead = "Polisi menangkap lima pelaku pembunuhan warga negara asing.\n\nLalu apa?"
    assert first_line_title(split_lines(lead), []) is None


@pytest.mark.parametrize(
    ("url", "publisher"),
    [
        ("https://megapolitan.kompas.com/read/2025/06/10/x", "Kompas.com"),
        ("https://aceh.tribunnews.com/2023/10/29/x", "Serambinews.com"),
        ("https://kaltim.tribunnews.com/2023/12/26/x", "TribunKaltim.co"),
        ("https://www.tribunnews.com/nasional/2022/03/29/x", "Tribunnews.com"),
        ("https://visual.republika.co.id/berita/x", "Republika"),
        ("https://www.cnnindonesia.com/nasional/x", "CNN Indonesia"),
        ("https://economy.okezone.com/read/x", "Okezone"),
        ("https://berita.contoh.co.id/x", "contoh.co.id"),
    ],
)
def test_publisher_from_host(url: str, publisher: str) -> None:
    host = host_of(url)
    assert host is not None
    assert publisher_from_host(host, RULES) == publisher


def test_hosts_and_domains() -> None:
    assert host_of("not a url") is None
    assert host_of("") is None
    assert host_of("www.detik.com/x") == "detik.com"
    assert registrable_domain("news.bbc.co.uk") == "bbc.co.uk"


@pytest.mark.parametrize(
    ("name", "publisher"),
    [
        ("VIVA", "VIVA"),
        ("KOMPAS.com", "Kompas.com"),
        ("REPUBLIKA.CO.ID", "Republika"),
        ("SERAMBINEWS.COM", "Serambinews.com"),
        ("Liputan6.com", "Liputan6.com"),
        ("BERITABARU.COM", "Beritabaru.com"),
    ],
)
def test_publisher_from_dateline(name: str, publisher: str) -> None:
    assert publisher_from_dateline(name, RULES) == publisher


def test_slug_finds_the_headline_after_a_teaser_strip() -> None:
    text = (
        "Teaser one two Teaser three Starlink gets license to operate in Indonesia, says minister"
    )
    cut = ["starlink", "gets", "license", "to", "operate", "in", "indonesia"]  # shortened
    full = [*cut, "says", "minister"]
    for slug in (full, cut):
        start = slug_headline_start(text, slug)
        assert start is not None
        assert text[start:] == "Starlink gets license to operate in Indonesia, says minister"
    assert slug_headline_start(text, ["nothing", "here", "at", "all"]) is None


_URL_PIECES = st.sampled_from(
    [
        *("http:", "https:", "HTTP:", "//", "/", "www.", "Kompas", ".com", ".co.id", "a-b", "@"),
        *(":", "8080", "[", "]", "::1", "?", "#", "\t", "\n", " ", "\x00", "é", "\u2100", "."),
    ]
)


@given(st.one_of(st.text(), st.lists(_URL_PIECES, max_size=8).map("".join)))
def test_host_of_reads_hosts_as_urlsplit_does(url: str) -> None:
    candidate = url.strip()
    if "//" not in candidate:
        candidate = "//" + candidate
    try:
        host = urlsplit(candidate).hostname
    except ValueError:
        host = None
    expected = host.removeprefix("www.") if host and "." in host else None
    assert host_of(url) == (expected if url else None)


@given(st.text())
def test_alnum_key_keeps_exactly_the_alphanumerics(text: str) -> None:
    assert alnum_key(text) == "".join(ch for ch in text.casefold() if ch.isalnum())
