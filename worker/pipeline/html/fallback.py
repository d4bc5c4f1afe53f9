"""Second opinions for the cascade: trafilatura (and readability) run on the parsed tree.

Both libraries accept an lxml tree, so the page is parsed once. trafilatura runs in
precision mode without its internal fallbacks (``fast``). trafilatura copies the tree
before cleaning it; readability is given a copy here because it edits its input in place.
Their text output is split into paragraphs and whitespace-normalised like the fast path's.
"""

from __future__ import annotations

import copy
from typing import Final

import lxml.html

from worker.pipeline.html.blocks import BLOCK_TAGS, normalize_space

_LIST_BULLET: Final = "- "

#: Loggers of the second-opinion libraries. They log every page they give up on at WARNING,
#: which is the cascade's business to judge, not an operator's: the shell should set them to
#: ERROR (this package configures no logging; it stays pure).
THIRD_PARTY_LOGGERS: Final = ("trafilatura", "readability", "readability.readability")


def trafilatura_paragraphs(
    document: lxml.html.HtmlElement, url: str | None, *, precision: bool
) -> list[str]:
    """trafilatura's body text as paragraphs (empty when it finds nothing)."""
    # Imported on first use: ~0.25 s and ~10 MB that text-only workers never need.
    import trafilatura  # noqa: PLC0415

    text = trafilatura.extract(
        document,
        url=url,
        output_format="txt",
        include_comments=False,
        include_tables=True,
        include_images=False,
        favor_precision=precision,
        # fast: skip trafilatura's own readability/justext comparison. Same answers on the
        # dev split as the full mode when used as the cascade's second opinion, 40 % cheaper,
        # and readability is consulted by the cascade itself when it matters.
        fast=True,
        deduplicate=False,
        with_metadata=False,
    )
    if not isinstance(text, str):
        return []
    paragraphs = []
    for line in text.splitlines():
        paragraph = normalize_space(line)
        if paragraph.startswith(_LIST_BULLET):  # trafilatura's rendering of list items
            paragraph = paragraph[len(_LIST_BULLET) :]
        if paragraph:
            paragraphs.append(paragraph)
    return paragraphs


def readability_paragraphs(document: lxml.html.HtmlElement) -> list[str]:
    """readability-lxml's body text as paragraphs (empty when it finds nothing)."""
    # Imported on first use, like trafilatura; it ships no type information.
    from readability import Document  # type: ignore[import-untyped]  # noqa: PLC0415

    summary = Document(copy.deepcopy(document)).summary(html_partial=True)
    if not summary.strip():
        return []
    fragment = lxml.html.fragment_fromstring(summary, create_parent="div")
    paragraphs: list[str] = []
    parts: list[str] = []

    def flush() -> None:
        text = normalize_space("".join(parts))
        parts.clear()
        if text:
            paragraphs.append(text)

    for event, element in lxml.etree.iterwalk(fragment, events=("start", "end")):
        tag = element.tag if isinstance(element.tag, str) else ""
        if event == "start":
            if tag in BLOCK_TAGS or tag == "br":
                flush()
            if element.text:
                parts.append(element.text)
        else:
            if tag in BLOCK_TAGS:
                flush()
            if element.tail and element is not fragment:
                parts.append(element.tail)
    flush()
    return paragraphs
