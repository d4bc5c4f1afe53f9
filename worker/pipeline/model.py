"""Typed values that flow through the pure pipeline: the decoded payload in, the article out.

Everything here is immutable. Stages take these values (or plain strings) and return new ones;
nothing in `worker.pipeline` touches Kafka, metrics, clocks or the environment.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

ContentKind = Literal["text", "html"]


@dataclass(frozen=True, slots=True)
class Payload:
    """A scraper's message after decoding and validation (see `worker.pipeline.decode`)."""

    content_kind: ContentKind
    content: str
    url: str | None = None
    title: str | None = None
    source_id: str | None = None
    published_at: str | None = None
    fetched_at: str | None = None
    lang: str | None = None
    meta: dict[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class Removed:
    """A piece of boilerplate that cleaning took out, with its kind (see the schema's list)."""

    kind: str
    text: str


@dataclass(frozen=True, slots=True)
class Dateline:
    """The publisher/place prefix of the first paragraph, e.g. `JAKARTA, KOMPAS.com -`."""

    raw: str
    location: str | None


@dataclass(frozen=True, slots=True)
class Language:
    """An ISO 639-1 code with the detector's confidence in [0, 1]."""

    code: str
    confidence: float
    method: str = "detected"


@dataclass(frozen=True, slots=True)
class Entity:
    """A named entity in its fullest written form and how often the text mentions it."""

    text: str
    count: int


@dataclass(frozen=True, slots=True)
class Entities:
    """Entities by type, most mentioned first."""

    person: tuple[Entity, ...] = ()
    location: tuple[Entity, ...] = ()
    organization: tuple[Entity, ...] = ()


@dataclass(frozen=True, slots=True)
class Quote:
    """A direct quote, its speaker (fullest name) and the attribution phrase as written."""

    text: str
    speaker: str | None
    attribution: str | None = None


@dataclass(frozen=True, slots=True)
class Stats:
    """Size of the clean body."""

    words: int
    characters: int
    paragraphs: int
    reading_time_s: int


@dataclass(frozen=True, slots=True)
class Fingerprints:
    """Content hashes: exact (`content_sha256`) and near-duplicate (`simhash64`)."""

    content_sha256: str
    simhash64: str


@dataclass(frozen=True, slots=True)
class MediaItem:
    """An image caption or photo credit kept apart from the body."""

    kind: str
    text: str


@dataclass(frozen=True, slots=True)
class PageMetadata:
    """What the markup of an HTML payload says about the article (empty for text payloads)."""

    site_name: str | None = None
    authors: tuple[str, ...] = ()
    published_time: str | None = None
    modified_time: str | None = None
    canonical_url: str | None = None
    description: str | None = None
    section: str | None = None
    tags: tuple[str, ...] = ()
    extractor: str | None = None


@dataclass(frozen=True, slots=True)
class Article:
    """A clean, enriched article: the pure pipeline's result, before it is serialised."""

    id: str
    source_id: str | None
    url: str | None
    title: str | None
    paragraphs: tuple[str, ...]
    publisher: str | None
    language: Language | None
    published_at: str | None
    dateline: Dateline | None
    entities: Entities
    quotes: tuple[Quote, ...]
    keywords: tuple[str, ...]
    stats: Stats
    fingerprints: Fingerprints
    removed: tuple[Removed, ...]
    source_credit: str | None = None
    media: tuple[MediaItem, ...] = ()
    page: PageMetadata = field(default_factory=PageMetadata)
    content_kind: ContentKind = "text"

    @property
    def body(self) -> str:
        """Paragraphs joined by blank lines."""
        return "\n\n".join(self.paragraphs)
