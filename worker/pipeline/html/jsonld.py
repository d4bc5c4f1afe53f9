"""JSON-LD blocks of a page, flattened into the schema.org objects they describe.

Pages put their article metadata in ``<script type="application/ld+json">``: one object, a
list, or an ``@graph``; often with trailing garbage, raw newlines inside strings, or HTML
comments around the JSON. Parsing is lenient and bounded (big scripts are skipped), and the
result is a flat list of objects ranked so that article-like types come first.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any, Final

import lxml.html

_MAX_SCRIPT_CHARS: Final = 512 * 1024
_MAX_OBJECTS: Final = 200
_MAX_DEPTH: Final = 8
_ARTICLE_TYPES: Final = frozenset(
    [
        "article",
        "newsarticle",
        "blogposting",
        "reportagenewsarticle",
        "analysisnewsarticle",
        "opinionnewsarticle",
        "reviewnewsarticle",
        "backgroundnewsarticle",
        "liveblogposting",
        "scholarlyarticle",
        "techarticle",
        "report",
        "socialmediaposting",
        "posting",
    ]
)
_PAGE_TYPES: Final = frozenset({"webpage", "itempage", "collectionpage", "medicalwebpage"})
_COMMENT_WRAP: Final = re.compile(r"^\s*(?:<!--|//\s*<!\[CDATA\[)|(?:-->|//\s*\]\]>)\s*$")


def json_ld_objects(document: lxml.html.HtmlElement) -> list[dict[str, Any]]:
    """All JSON-LD objects of the page, articles first, then web pages, then the rest."""
    objects: list[dict[str, Any]] = []
    for script in document.iter("script"):
        if "ld+json" not in (script.get("type") or "").lower():
            continue
        text = script.text or ""
        if not text.strip() or len(text) > _MAX_SCRIPT_CHARS:
            continue
        data = _loads(text)
        if data is not None:
            objects.extend(_flatten(data, 0))
        if len(objects) >= _MAX_OBJECTS:
            break
    return sorted(objects[:_MAX_OBJECTS], key=_rank)


def types_of(obj: dict[str, Any]) -> set[str]:
    """The object's ``@type`` values, lowercased (a string or a list in the wild)."""
    value = obj.get("@type")
    if isinstance(value, str):
        return {value.lower()}
    if isinstance(value, list):
        return {item.lower() for item in value if isinstance(item, str)}
    return set()


def is_article(obj: dict[str, Any]) -> bool:
    """True for schema.org Article and its subtypes (NewsArticle, BlogPosting...)."""
    return bool(types_of(obj) & _ARTICLE_TYPES)


def _rank(obj: dict[str, Any]) -> int:
    types = types_of(obj)
    if types & _ARTICLE_TYPES:
        return 0
    return 1 if types & _PAGE_TYPES else 2


def _loads(text: str) -> Any:
    text = _COMMENT_WRAP.sub("", text.strip())
    try:
        # strict=False: raw newlines and tabs inside strings are common in hand-built JSON-LD.
        return json.loads(text, strict=False)
    except (ValueError, RecursionError):  # RecursionError: hostile nesting like [[[[...]]]]
        pass
    try:
        # Trailing junk after a valid document (a stray "}" or a second object): keep the first.
        data, _ = json.JSONDecoder(strict=False).raw_decode(text)
    except (ValueError, RecursionError):
        return None
    return data


def _flatten(data: Any, depth: int) -> Iterator[dict[str, Any]]:
    """Objects of a JSON-LD document: top-level ones, list members and ``@graph`` members."""
    if depth > _MAX_DEPTH:
        return
    if isinstance(data, list):
        for item in data:
            yield from _flatten(item, depth + 1)
    elif isinstance(data, dict):
        graph = data.get("@graph")
        if isinstance(graph, list):
            yield from _flatten(graph, depth + 1)
        if "@type" in data:
            yield data
        main = data.get("mainEntity")
        if isinstance(main, dict) and "@type" in main:
            yield from _flatten(main, depth + 1)
