"""Immutable result types of `extract_html`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

MediaKind = Literal["image_caption", "photo_credit"]


@dataclass(frozen=True, slots=True)
class MediaItem:
    """Text that belongs to an image rather than to the article body."""

    kind: MediaKind
    text: str


@dataclass(frozen=True, slots=True)
class HtmlMetadata:
    """Article metadata read from the markup (meta tags, JSON-LD, headings).

    Times are ISO 8601 strings as found (normalised when the page used another common
    form); `language` is an ISO 639-1 code such as ``"id"``.
    """

    title: str | None = None
    site_name: str | None = None
    authors: tuple[str, ...] = ()
    published_time: str | None = None
    modified_time: str | None = None
    canonical_url: str | None = None
    language: str | None = None
    description: str | None = None
    section: str | None = None
    tags: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class HtmlExtraction:
    """The article body of one page, its metadata, and what was set apart from the body.

    `extractor` names the cascade path that produced the body (``"fast"``,
    ``"trafilatura"``, ...), for metrics and debugging.
    """

    paragraphs: tuple[str, ...]
    metadata: HtmlMetadata = field(default_factory=HtmlMetadata)
    media: tuple[MediaItem, ...] = ()
    removed: tuple[tuple[str, str], ...] = ()
    extractor: str = "fast"
