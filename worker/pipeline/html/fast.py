"""The fast path: one walk, one container choice, block filters; about a millisecond or five."""

from __future__ import annotations

from dataclasses import dataclass

import lxml.html

from worker.pipeline.html.blocks import DomIndex, resolve_noise, walk
from worker.pipeline.html.container import Choice, choose_container
from worker.pipeline.html.filters import Cleaned, clean_blocks


@dataclass(frozen=True, slots=True)
class FastResult:
    """The fast path's body and the container choice it came from."""

    cleaned: Cleaned
    choice: Choice
    element_count: int
    visible_chars: int  # all visible text on the page, boilerplate included


def fast_extract(document: lxml.html.HtmlElement) -> FastResult:
    """Extract the article body from a parsed document with the DOM scorer."""
    body = document.find("body")
    index, blocks = walk(body if body is not None else document)
    resolve_noise(index, blocks)
    choice = choose_container(index, blocks)
    inside = [block for block in blocks if index.contains(choice.container, block.owner)]
    visible = sum(len(block.text) for block in blocks)
    cleaned = clean_blocks(inside)
    # A figure often sits beside the text container (`<article><figure/><div class=body>`):
    # its caption belongs to the article's media even though it is outside the body.
    scope = _article_scope(index, choice.container)
    beside = [
        block
        for block in blocks
        if block.kind == "caption"
        and index.contains(scope, block.owner)
        and not index.contains(choice.container, block.owner)
    ]
    if beside:
        cleaned.media[:0] = clean_blocks(beside).media
    return FastResult(cleaned, choice, len(index.elements), visible)


def _article_scope(index: DomIndex, container: int) -> int:
    """The nearest `<article>` or `<main>` around the container, else the container itself."""
    node = container
    while node >= 0:
        if index.tags[node] in ("article", "main"):
            return node
        node = index.parents[node]
    return container
