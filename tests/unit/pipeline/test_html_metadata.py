"""Metadata: JSON-LD pages, OpenGraph-only pages, pages with neither, and the normalisations."""

from __future__ import annotations

import pytest

from worker.pipeline.html import HtmlMetadata, extract_html
from worker.pipeline.html.dates import normalize_time
from worker.pipeline.html.metadata import extract_metadata
from worker.pipeline.html.parse import parse_document

BODY = "<p>" + "Kalimat isi berita yang cukup panjang untuk menjadi paragraf utama. " * 5 + "</p>"

JSON_LD_PAGE = (
    """<html lang="id-ID"><head><title>Judul Berita | Kabar Contoh</title>
<link rel="canonical" href="/2019/04/25/judul-berita">
<script type="application/ld+json">
{"@context": "https://schema.org", "@graph": [
  {"@type": "WebSite", "name": "Kabar Contoh"},
  {"@type": "NewsArticle", "headline": "Judul Berita dari JSON-LD",
   "datePublished": "2019-04-25 14:30:00+0700", "dateModified": "2019-04-25T15:00:00Z",
   "author": [{"@type": "Person", "name": "Budi Santoso"}, {"@type": "Person", "name": "Sari"}],
   "publisher": {"@type": "Organization", "name": "Kabar Contoh"},
   "articleSection": ["Politik", "Nasional"], "keywords": "pemilu, KPU,  Jakarta",
   "description": "Ringkasan
   dengan baris baru mentah."}
]}
</script></head><body><h1>Judul H1</h1>"""
    + BODY
    + "</body></html>"
)

OPEN_GRAPH_PAGE = (
    """<html><head><title>Ignored Title - Example Times</title>
<meta property="og:title" content="Storm hits the coast">
<meta property="og:site_name" content="Example Times">
<meta property="og:url" content="https://example.com/storm">
<meta property="og:locale" content="en_GB">
<meta property="og:description" content="A storm &amp;amp; its aftermath.">
<meta property="article:published_time" content="2019-11-19T10:43:00+00:00">
<meta property="article:modified_time" content="Tue, 19 Nov 2019 12:00:00 GMT">
<meta property="article:section" content="Weather">
<meta property="article:tag" content="storms">
<meta property="article:tag" content="coast">
<meta name="keywords" content="Storms, rain">
<meta name="author" content="By Jane Doe">
</head><body>"""
    + BODY
    + "</body></html>"
)

BARE_PAGE = (
    "<html><head><title>Local council approves budget | City Paper</title></head><body>"
    + '<article><time datetime="2018-03-02">2 March</time>'
    + BODY
    + "</article></body></html>"
)


def test_json_ld_page() -> None:
    meta = extract_html(JSON_LD_PAGE, url="https://kabar.example.id/x").metadata
    assert meta.title == "Judul Berita dari JSON-LD"
    assert meta.site_name == "Kabar Contoh"
    assert meta.authors == ("Budi Santoso", "Sari")
    assert meta.published_time == "2019-04-25T14:30:00+07:00"
    assert meta.modified_time == "2019-04-25T15:00:00+00:00"
    assert meta.canonical_url == "https://kabar.example.id/2019/04/25/judul-berita"
    assert meta.language == "id"
    assert meta.description == "Ringkasan dengan baris baru mentah."
    assert meta.section == "Politik"
    assert meta.tags == ("pemilu", "KPU", "Jakarta")


def test_open_graph_only_page() -> None:
    meta = extract_html(OPEN_GRAPH_PAGE, url="https://www.example.com/storm?ref=x").metadata
    assert meta == HtmlMetadata(
        title="Storm hits the coast",
        site_name="Example Times",
        authors=("Jane Doe",),
        published_time="2019-11-19T10:43:00+00:00",
        modified_time="2019-11-19T12:00:00+00:00",
        canonical_url="https://example.com/storm",
        language="en",
        description="A storm & its aftermath.",
        section="Weather",
        tags=("storms", "coast", "rain"),
    )


def test_page_with_neither_falls_back_to_title_host_and_time_element() -> None:
    meta = extract_html(BARE_PAGE, url="https://www.citypaper.example/news/1").metadata
    assert meta.title == "Local council approves budget"
    assert meta.site_name == "citypaper.example"
    assert meta.published_time == "2018-03-02"
    assert meta.canonical_url is None
    assert meta.language is None
    assert meta.authors == ()
    assert meta.tags == ()


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Storm hits the coast | Example Times", "Storm hits the coast"),
        ("Example Times - Storm hits the coast", "Storm hits the coast"),
        ("Storm hits - the coast", "Storm hits - the coast"),
        ("Storm hits the coast | Weather | Example Times", "Storm hits the coast | Weather"),
        ("Storm hits the coast | ET", "Storm hits the coast"),
    ],
)
def test_site_suffix_is_removed_from_the_title(title: str, expected: str) -> None:
    page = f"<html><head><title>{title}</title></head><body>{BODY}</body></html>"
    meta = extract_metadata(parse_document(page), "https://example-times.example/a")
    assert meta.title == expected


def test_h1_is_used_before_the_title_element() -> None:
    page = (
        f"<html><head><title>T | S</title></head><body><h1> Big  headline </h1>{BODY}</body></html>"
    )
    assert extract_metadata(parse_document(page), None).title == "Big headline"


@pytest.mark.parametrize(
    ("lang", "expected"),
    [("id-ID", "id"), ("en_US", "en"), ("in", "id"), ("ind", "id"), ("PT-br", "pt"), ("x", None)],
)
def test_language_is_normalised_to_iso_639_1(lang: str, expected: str | None) -> None:
    page = f'<html lang="{lang}"><body>{BODY}</body></html>'
    assert extract_metadata(parse_document(page), None).language == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2019-04-25T14:30:00+07:00", "2019-04-25T14:30:00+07:00"),
        ("2019-04-25 14:30:00", "2019-04-25T14:30:00"),
        ("2019-04-25T07:30:00Z", "2019-04-25T07:30:00+00:00"),
        ("2019-04-25", "2019-04-25"),
        ("Thu, 25 Apr 2019 07:30:00 GMT", "2019-04-25T07:30:00+00:00"),
        ("25 April 2019, 14:30 WIB", "25 April 2019, 14:30 WIB"),
        ("yesterday", None),
        ("", None),
    ],
)
def test_times_are_normalised(value: str, expected: str | None) -> None:
    assert normalize_time(value) == expected


def test_broken_json_ld_is_tolerated() -> None:
    page = (
        '<html><head><script type="application/ld+json">{"@type": "NewsArticle", '
        '"headline": "Still read"}}</script><script type="application/ld+json">{nope'
        f"</script></head><body>{BODY}</body></html>"
    )
    assert extract_metadata(parse_document(page), None).title == "Still read"


def test_metadata_values_are_capped() -> None:
    page = f'<html><head><meta name="description" content="{"x " * 3000}"></head><body>{BODY}</body></html>'
    description = extract_metadata(parse_document(page), None).description
    assert description is not None
    assert len(description) <= 1000
