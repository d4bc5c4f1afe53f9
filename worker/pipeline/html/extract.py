"""`extract_html`: bytes or text in, article body and metadata out, via a two-speed cascade.

1. Bound and decode the input, parse it once (`parse`).
2. Fast path: the DOM scorer (`fast`). Its answer is final when the page is unambiguous: enough
   body text, little substantial text outside the chosen container, no rival subtree scoring
   close to it, not much boilerplate filtered out of the container. Most news pages are like
   that and cost a few milliseconds (on the benchmark's dev split, 61 of 62 pages).
3. Otherwise trafilatura (precision mode) gives a second opinion on the same tree. When the two
   agree, the fast answer stands (its paragraphs are the cleaner of the two). When they do not,
   readability gives a third and the answer that agrees best with the other two wins (the
   medoid), which overrules whichever extractor alone went astray.

`media` and `removed` always come from the fast path's container (the other extractors do not
report them), so they are best effort when `extractor` is not ``"fast"``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

import lxml.html

from worker.pipeline.html.decode import decode_html_bytes
from worker.pipeline.html.errors import HtmlRejected
from worker.pipeline.html.fallback import readability_paragraphs, trafilatura_paragraphs
from worker.pipeline.html.fast import FastResult, fast_extract
from worker.pipeline.html.metadata import extract_metadata
from worker.pipeline.html.model import HtmlExtraction
from worker.pipeline.html.parse import parse_document
from worker.pipeline.html.similarity import agreement

DEFAULT_MAX_BYTES: Final = 20 * 1024 * 1024

_CONFIDENT_CHARS: Final = 500
_OUTSIDE_SHARE: Final = 0.25
_RIVAL_SHARE: Final = 0.25
_REMOVED_SHARE: Final = 0.5
_AGREEMENT: Final = 0.8
_TITLE_SEARCH: Final = 2
# Second opinions cost 10-30 ms on a normal page and grow with the tree; past this many
# elements (only hostile or pathological pages have them) the fast answer is final.
_MAX_ELEMENTS_FOR_FALLBACK: Final = 20_000


def extract_html(
    markup: str | bytes, *, url: str | None = None, max_bytes: int = DEFAULT_MAX_BYTES
) -> HtmlExtraction:
    """Extract the article body, metadata, media text and removed boilerplate from a page.

    Raises `HtmlRejected` with reason ``payload_too_large`` (over `max_bytes`),
    ``html_undecodable`` (binary data) or ``html_no_content`` (no body text).
    """
    document = parse_document(_to_text(markup, max_bytes))
    fast = fast_extract(document)
    paragraphs, extractor = _cascade(document, fast, url)
    metadata = extract_metadata(document, url)
    paragraphs = _without_leading_title(paragraphs, metadata.title)
    if not paragraphs:
        raise HtmlRejected("html_no_content", "no article text found in the markup")
    return HtmlExtraction(
        paragraphs=tuple(paragraphs),
        metadata=metadata,
        media=tuple(fast.cleaned.media),
        removed=tuple((REMOVED_KINDS.get(kind, kind), text) for kind, text in fast.cleaned.removed),
        extractor=extractor,
    )


#: The markup's boilerplate kinds in the vocabulary of the article's `removed` list (the same
#: kinds the text cleaner reports), so that consumers see one set of names for both payloads.
REMOVED_KINDS: Final[dict[str, str]] = {
    "related": "related_link",
    "ad": "ad_marker",
    "share": "social_promo",
    "newsletter": "newsletter_prompt",
    "navigation": "site_navigation",
    "tags": "topic_tags",
    "caption": "image_caption",
    "credit": "photo_credit",
}


def _to_text(markup: str | bytes, max_bytes: int) -> str:
    if isinstance(markup, bytes):
        if len(markup) > max_bytes:
            raise HtmlRejected(
                "payload_too_large", f"markup is {len(markup)} bytes, the limit is {max_bytes}"
            )
        text = decode_html_bytes(markup)
    else:
        # len() counts characters; UTF-8 needs at least as many bytes, at most four times.
        size = len(markup)
        if size * 4 > max_bytes:
            size = len(markup.encode("utf-8", errors="surrogatepass"))
        if size > max_bytes:
            raise HtmlRejected(
                "payload_too_large", f"markup is {size} bytes as UTF-8, the limit is {max_bytes}"
            )
        text = markup
    return text


def is_confident(fast: FastResult) -> bool:
    """Whether the fast path's answer is unambiguous enough to skip the second opinion."""
    choice = fast.choice
    body_chars = sum(len(paragraph) for paragraph in fast.cleaned.paragraphs)
    removed_chars = sum(len(text) for _, text in fast.cleaned.removed)
    return (
        body_chars >= _CONFIDENT_CHARS
        and choice.outside_chars <= _OUTSIDE_SHARE * choice.inside_chars
        and choice.rival_score <= _RIVAL_SHARE * choice.score
        # A container that needed this much filtering is probably wider than the article.
        and removed_chars <= _REMOVED_SHARE * body_chars
    )


def _cascade(
    document: lxml.html.HtmlElement, fast: FastResult, url: str | None
) -> tuple[list[str], str]:
    paragraphs = fast.cleaned.paragraphs
    if (
        is_confident(fast)
        or not fast.visible_chars  # nothing visible: others could only find script/noscript text
        or fast.element_count > _MAX_ELEMENTS_FOR_FALLBACK
    ):
        return paragraphs, "fast"
    second = _second_opinion("trafilatura", document, url)
    if not second or (paragraphs and agreement(paragraphs, second) >= _AGREEMENT):
        return paragraphs, "fast"
    if not paragraphs:
        return second, "trafilatura"
    third = _second_opinion("readability", document, url)
    return _medoid([(paragraphs, "fast"), (second, "trafilatura"), (third, "readability")])


def _second_opinion(name: str, document: lxml.html.HtmlElement, url: str | None) -> list[str]:
    """Another extractor's paragraphs; empty if it fails.

    These libraries are not built for hostile input and may raise anything on it (lxml
    ValueErrors, recursion, type errors on odd trees). A second opinion that fails is no
    opinion: the page still gets the fast path's answer.
    """
    try:
        if name == "trafilatura":
            return trafilatura_paragraphs(document, url, precision=True)
        return readability_paragraphs(document)
    except Exception:  # noqa: BLE001 - see docstring: any failure means "no opinion"
        return []


def _without_leading_title(paragraphs: list[str], title: str | None) -> list[str]:
    """Drop the headline when it opens the body (sites that set it in ``<h2>`` or ``<p>``)."""
    if not title or not paragraphs:
        return paragraphs
    folded = title.casefold()
    start = 0
    while start < min(len(paragraphs), _TITLE_SEARCH) and paragraphs[start].casefold() == folded:
        start += 1
    return paragraphs[start:] if start else paragraphs


def _medoid(candidates: Sequence[tuple[list[str], str]]) -> tuple[list[str], str]:
    """The candidate agreeing most with the others; earlier candidates win ties."""
    best, best_score = candidates[0], -1.0
    for position, candidate in enumerate(candidates):
        if not candidate[0]:
            continue
        score = sum(
            agreement(candidate[0], other[0])
            for other_position, other in enumerate(candidates)
            if other_position != position and other[0]
        )
        if score > best_score:
            best, best_score = candidate, score
    return best
