"""Enrichment: everything the pipeline derives from a clean article, as one pure function.

`enrich` runs the stages in dependency order — language, news day, entities, quotes (which
resolve speakers through the entities), keywords, stats, fingerprints — and finds the source
credit when cleaning did not. Each stage lives in its own module; this one only wires them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from worker.pipeline.dates import published_date
from worker.pipeline.entities import find_entities
from worker.pipeline.fingerprints import fingerprint
from worker.pipeline.keywords import extract_keywords
from worker.pipeline.language import detect_language
from worker.pipeline.model import Entities, Fingerprints, Language, Quote, Removed, Stats
from worker.pipeline.quotes import extract_quotes
from worker.pipeline.stats import compute_stats
from worker.pipeline.wordscan import word_search

__all__ = ["Enrichment", "enrich", "find_source_credit"]


@dataclass(frozen=True, slots=True)
class Enrichment:
    """What enrichment adds to a clean article."""

    language: Language
    published_at: str | None
    entities: Entities
    quotes: tuple[Quote, ...]
    keywords: tuple[str, ...]
    stats: Stats
    fingerprints: Fingerprints
    source_credit: str | None


def enrich(
    *,
    title: str | None,
    paragraphs: tuple[str, ...],
    removed: tuple[Removed, ...],
    lang_hint: str | None,
    published_hint: str | None,
    source_credit: str | None,
    date_text: str | None = None,
    lang_hint_method: str = "payload",
) -> Enrichment:
    """Derive language, date, entities, quotes, keywords, stats and fingerprints.

    Hints (`lang_hint`, `published_hint`, `source_credit`) win when valid; `removed` and
    `date_text` are read for a publication stamp or credit that cleaning took out of the body.
    `lang_hint_method` says where `lang_hint` came from ('payload' or 'markup').
    """
    analysis = find_entities(title, paragraphs)
    return Enrichment(
        language=detect_language(title, paragraphs, hint=lang_hint, hint_method=lang_hint_method),
        published_at=published_date(
            paragraphs=paragraphs,
            removed=removed,
            published_hint=published_hint,
            date_text=date_text,
        ),
        entities=analysis.entities,
        quotes=extract_quotes(paragraphs, analysis),
        keywords=extract_keywords(title, paragraphs),
        stats=compute_stats(paragraphs),
        fingerprints=fingerprint(paragraphs),
        source_credit=source_credit or find_source_credit(paragraphs, removed),
    )


# `sumber : Antara`, `Artikel ini telah naik di detikJabar`, `Sumber: Liputan6.com`.
_CREDIT_LABEL_RE: Final = re.compile(
    r"^\s*(?:sumber|source|artikel ini telah (?:tayang|naik|terbit) di|"
    r"disadur dari|dikutip dari)\s*:?\s*",
    re.IGNORECASE,
)
# In-text credits: `seperti diberitakan Channel News Asia`, `dilansir Kompas.com`,
# `sebagaimana dikutip Antara`. Every alternative starts with a literal, so the regex
# engine skips to candidate letters instead of trying each position (~2x cheaper); the
# `\b` before the cue is checked in `_credit_in_text`.
_CREDIT_VERBS: Final = (
    r"diberitakan|dilansir(?: dari)?|dikutip(?: dari)?|melansir|mengutip|seperti dilaporkan|"
    r"as reported by"
)
# Every match of `_CREDIT_TEXT_RE` has one of these (each verb above contains one).
_CREDIT_CUES: Final = (
    "diberitakan", "dilansir", "dikutip", "melansir", "mengutip", "dilaporkan", "as reported by",
)  # fmt: skip
_CREDIT_TEXT_RE: Final = re.compile(
    rf"(?:seperti (?:{_CREDIT_VERBS})|sebagaimana (?:{_CREDIT_VERBS})|{_CREDIT_VERBS})\s+"
    r"(?P<name>(?:[A-Z][\w.]*|detik\w+)(?: (?:[A-Z][\w.]*))*)"
)
_CREDIT_END_RE: Final = re.compile(r"[\s.,;:]+$")


def find_source_credit(paragraphs: tuple[str, ...], removed: tuple[Removed, ...]) -> str | None:
    """The wire or sister outlet the text credits, from a removed credit line or the body."""
    labelled = [piece for piece in removed if piece.kind == "syndication_credit"]
    for position, piece in enumerate(labelled):
        label = _CREDIT_LABEL_RE.match(piece.text)
        rest = piece.text[label.end() :] if label else piece.text
        if label and not rest.strip() and position + 1 < len(labelled):
            rest = labelled[position + 1].text  # label and name were removed as two pieces
        name = _CREDIT_END_RE.sub("", rest.strip())
        if name:
            return name
    # Every in-text credit has one of the cue words; most bodies have none of them.
    body = "\n".join(paragraphs)
    if not any(cue in body for cue in _CREDIT_CUES):
        return None
    for paragraph in paragraphs:
        match = _credit_in_text(paragraph)
        if match is not None:
            return _CREDIT_END_RE.sub("", match.group("name"))
    return None


def _credit_in_text(text: str) -> re.Match[str] | None:
    """The first in-text credit whose cue starts a word."""
    return word_search(_CREDIT_TEXT_RE, text)
