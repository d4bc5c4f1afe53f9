"""Article metadata from meta tags, JSON-LD, ``<link>``, ``<time>`` and headings.

Each field has a fixed order of sources, most specific first (see `extract_metadata`). Every
value is whitespace-normalised and length-capped, so hostile pages cannot push megabytes into
metadata.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from typing import Any, Final
from urllib.parse import urljoin, urlsplit

import lxml.html

from worker.pipeline.html import noise
from worker.pipeline.html.blocks import normalize_space
from worker.pipeline.html.dates import normalize_time
from worker.pipeline.html.jsonld import is_article, json_ld_objects
from worker.pipeline.html.model import HtmlMetadata

_MAX_FIELD_CHARS: Final = 1000
_MAX_LIST_ITEMS: Final = 50
_MAX_META_TAGS: Final = 2000
# " | ", " - ", en/em dash, "::", middle dot, bullet, guillemet, slash between spaces.
_TITLE_SEPARATORS: Final = re.compile("\\s+(?:\\||-|\u2013|\u2014|::|\u00b7|\u2022|\u00bb|/)\\s+")
# Legacy and three-letter codes that pages still declare, mapped to ISO 639-1.
_LANGUAGE_ALIASES: Final = dict(
    pair.split(":")
    for pair in [
        "in:id",
        "iw:he",
        "ji:yi",
        "jw:jv",
        "ind:id",
        "eng:en",
        "msa:ms",
        "may:ms",
        "jav:jv",
        "sun:su",
        "zho:zh",
        "chi:zh",
        "jpn:ja",
        "kor:ko",
        "ara:ar",
        "spa:es",
        "fra:fr",
        "fre:fr",
        "deu:de",
        "ger:de",
        "por:pt",
        "rus:ru",
        "ita:it",
        "nld:nl",
        "dut:nl",
        "tha:th",
        "vie:vi",
        "hin:hi",
    ]
)
_PUBLISHED_KEYS: Final = [
    "article:published_time",
    "og:published_time",
    "datepublished",
    "pubdate",
    "publishdate",
    "publish-date",
    "date",
    "dc.date.issued",
    "dcterms.created",
    "sailthru.date",
    "parsely-pub-date",
]
_MODIFIED_KEYS: Final = [
    "article:modified_time",
    "og:updated_time",
    "datemodified",
    "last-modified",
    "dcterms.modified",
]
_LANGUAGE_CODE: Final = re.compile(r"^([A-Za-z]{2,3})(?:[-_][A-Za-z0-9]{1,8})*$")
_AFFILIATION: Final = re.compile(r"\s+(?:\||\u2013|\u2014|/)\s+")
_MAX_HEADINGS: Final = 10
_MAX_CHROME_DEPTH: Final = 12
_BYLINE_PREFIX: Final = re.compile(r"^(?:by|oleh|por|par|von|di)\s+", re.IGNORECASE)


def extract_metadata(document: lxml.html.HtmlElement, url: str | None) -> HtmlMetadata:
    """Read the page's metadata (sources per field, most specific first).

    Title: og:title, JSON-LD headline, first ``<h1>``, ``<title>``; a site-name suffix such as
    `` | Site`` is removed. Site: og:site_name, JSON-LD publisher, host. Times: JSON-LD,
    article:*_time, ``<time datetime>``. Canonical: ``link rel=canonical``, og:url. Language:
    ``<html lang>``, content-language, og:locale, JSON-LD inLanguage.
    """
    meta = _meta_values(document)
    objects = json_ld_objects(document)
    article = next((obj for obj in objects if is_article(obj)), objects[0] if objects else {})
    canonical = _first(
        _absolute(_link_href(document, "canonical"), url), _absolute(_get(meta, "og:url"), url)
    )
    host = _host(url) or _host(canonical)
    site = _first(_get(meta, "og:site_name"), _name_of(article.get("publisher")), host)
    title = _first(
        _get(meta, "og:title", "twitter:title"),
        _text(article.get("headline")),
        _clean(_h1_text(document)),
        _clean(document.findtext(".//title")),
    )
    return HtmlMetadata(
        title=_strip_site_suffix(title, site, host) if title else None,
        site_name=site,
        authors=_unique(
            [
                *_names(article.get("author")),
                *_split_list(meta.get("author", [])),
                *(a for a in meta.get("article:author", []) if not a.startswith("http")),
            ],
            affiliation=True,
        ),
        published_time=_first_time(
            _text(article.get("datePublished")),
            _get(meta, *_PUBLISHED_KEYS),
            _time_datetime(document),
        ),
        modified_time=_first_time(
            _text(article.get("dateModified")),
            _get(meta, *_MODIFIED_KEYS),
        ),
        canonical_url=canonical,
        language=_first(
            _language(document.get("lang") or document.get("xml:lang")),
            _language(_get(meta, "content-language", "language", "dc.language")),
            _language(_get(meta, "og:locale")),
            _language(_text(article.get("inLanguage"))),
        ),
        description=_first(
            _get(meta, "og:description", "description", "twitter:description"),
            _text(article.get("description")),
        ),
        section=_first(
            _get(meta, "article:section", "section", "category"),
            *_strings(article.get("articleSection"))[:1],
        ),
        tags=_unique(
            [
                *meta.get("article:tag", []),
                *_split_list(meta.get("keywords", []) + meta.get("news_keywords", [])),
                *_split_list(_strings(article.get("keywords"))),
            ]
        ),
    )


def _meta_values(document: lxml.html.HtmlElement) -> dict[str, list[str]]:
    """``<meta>`` contents by lowercased name/property/itemprop/http-equiv, in page order."""
    values: dict[str, list[str]] = {}
    for count, element in enumerate(document.iter("meta")):
        if count >= _MAX_META_TAGS:
            break
        content = _clean(element.get("content"))
        if content is None:
            continue
        for attribute in ("property", "name", "itemprop", "http-equiv"):
            key = element.get(attribute)
            if key:
                values.setdefault(key.strip().lower()[:100], []).append(content)
    return values


def _get(meta: dict[str, list[str]], *keys: str) -> str | None:
    for key in keys:
        found = meta.get(key)
        if found:
            return found[0]
    return None


def _first(*values: str | None) -> str | None:
    return next((value for value in values if value), None)


def _first_time(*values: str | None) -> str | None:
    return _first(*(normalize_time(value) for value in values))


def _clean(value: str | None) -> str | None:
    if value is None:
        return None
    text = value[: _MAX_FIELD_CHARS * 4]
    if "&" in text:  # CMSes double-escape meta content ("PG&amp;E" arrives as "PG&amp;amp;E")
        text = html.unescape(text)
    text = normalize_space(text)[:_MAX_FIELD_CHARS]
    return text or None


def _text(value: Any) -> str | None:
    if isinstance(value, list):
        value = next((item for item in value if isinstance(item, str)), None)
    return _clean(value) if isinstance(value, str) else None


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [item for item in value if isinstance(item, str)]
    return []


def _name_of(value: Any) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        return _text(value.get("name"))
    return _text(value)


def _names(value: Any) -> list[str]:
    items = value if isinstance(value, list) else [value]
    names = [_name_of(item) for item in items[:_MAX_LIST_ITEMS]]
    return [name for name in names if name]


def _split_list(values: Iterable[str]) -> list[str]:
    out: list[str] = []
    for value in values:
        out.extend(part for part in re.split(r"\s*[,;]\s*", value) if part)
    return out


def _unique(values: Iterable[str], *, affiliation: bool = False) -> tuple[str, ...]:
    """Values in order without case-insensitive repeats; `affiliation` cuts "Name | Outlet"."""
    seen: set[str] = set()
    out: list[str] = []
    for value in values:
        name = _AFFILIATION.split(value, maxsplit=1)[0] if affiliation else value
        text = _clean(_BYLINE_PREFIX.sub("", name.strip()))
        if text and text.lower() not in seen:
            seen.add(text.lower())
            out.append(text)
        if len(out) >= _MAX_LIST_ITEMS:
            break
    return tuple(out)


def _h1_text(document: lxml.html.HtmlElement) -> str | None:
    """The first ``<h1>`` that is not the site logo (inside page chrome or a link)."""
    for count, h1 in enumerate(document.iter("h1")):
        if count >= _MAX_HEADINGS:
            break
        if not _in_page_chrome(h1):
            text: str = h1.text_content()
            return text[: _MAX_FIELD_CHARS * 4]
    return None


def _in_page_chrome(element: lxml.html.HtmlElement) -> bool:
    """True inside a link (logos link home), or inside site chrome outside any article.

    An article's own header ("entry-header" inside ``<article>``/``<main>``) is not chrome.
    """
    chrome = False
    for depth, ancestor in enumerate(element.iterancestors()):
        if depth >= _MAX_CHROME_DEPTH:
            break
        tag = ancestor.tag if isinstance(ancestor.tag, str) else ""
        if tag == "a":
            return True
        if tag in ("article", "main"):
            return False
        chrome = chrome or noise.classify_element(ancestor) in ("navigation", "aside", "footer")
    return chrome


def _link_href(document: lxml.html.HtmlElement, rel: str) -> str | None:
    for link in document.iter("link"):
        if rel in (link.get("rel") or "").lower().split():
            return _clean(link.get("href"))
    return None


def _time_datetime(document: lxml.html.HtmlElement) -> str | None:
    for element in document.iter("time"):
        value: str | None = element.get("datetime")
        if value:
            return value
    return None


def _absolute(href: str | None, base: str | None) -> str | None:
    if not href or href.startswith(("javascript:", "data:", "#")):
        return None
    try:
        return urljoin(base, href) if base else href
    except ValueError:  # malformed IPv6 hosts and the like
        return href


def _host(url: str | None) -> str | None:
    if not url:
        return None
    try:
        host = urlsplit(url).hostname
    except ValueError:
        return None
    if not host:
        return None
    return host[4:] if host.startswith("www.") else host


def _language(value: str | None) -> str | None:
    if not value:
        return None
    match = _LANGUAGE_CODE.match(value.strip())
    if match is None:
        return None
    code = match.group(1).lower()
    code = _LANGUAGE_ALIASES.get(code, code)
    return code if len(code) == 2 else None


def _strip_site_suffix(title: str, site: str | None, host: str | None) -> str:
    """Drop a leading or trailing `` | Site`` part that names the site (or, for ``|``, is short)."""
    parts = _TITLE_SEPARATORS.split(title)
    if len(parts) < 2:
        return title
    names = {_squeeze(n) for n in (site, host) if n}
    if host:
        names.add(_squeeze(host.split(".")[0]))
    names.discard("")

    def names_site(part: str) -> bool:
        squeezed = _squeeze(part)
        return any(squeezed == n or (len(n) >= 4 and n in squeezed) for n in names)

    if names_site(parts[-1]):
        return _rejoin(title, parts[:-1])
    if names_site(parts[0]):
        return _rejoin(title, parts[1:])
    if " | " in title and len(parts[-1]) < 0.5 * len(parts[0]):
        return _rejoin(title, parts[:-1])
    return title


def _squeeze(text: str) -> str:
    """Lowercase letters and digits only: "Example Times", "example-times" -> "exampletimes"."""
    return "".join(ch for ch in text.lower() if ch.isalnum())


def _rejoin(title: str, parts: list[str]) -> str:
    """The part of `title` spanning `parts` (keeps the original separators between them)."""
    start = title.find(parts[0])
    end = title.rfind(parts[-1]) + len(parts[-1])
    return title[start:end].strip() if start >= 0 and end > start else " ".join(parts)
