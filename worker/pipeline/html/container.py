"""Pick the element that holds the article: the subtree with the best text-minus-boilerplate sum.

Each block gets a weight: long, sentence-like, link-poor text counts for its length; link
lists, flagged boilerplate and captions count against; short neutral lines (table cells,
labels, subheadings) count zero. The container is the element whose subtree sum is largest, a
tree-shaped version of the maximum-subsequence method for body text (Pinto et al.): it grows
as long as what it swallows has more article text than boilerplate, and no further. Ties go
to the smaller element (later in preorder), which drops wrappers that add nothing.

The same sums give the cascade its confidence signals (`Choice`): how much substantial text
lies outside the container, and whether a rival subtree scores nearly as well.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from worker.pipeline.html.blocks import Block, DomIndex

SUBSTANTIAL_CHARS: Final = 80
_SENTENCE_CHARS: Final = 30
# Sentence ends, incl. CJK full stops and closing quotes/brackets after the punctuation.
_SENTENCE_END: Final = re.compile('[.!?\u3002\uff01\uff1f\u2026:;"\u201d\u2019\u00bb)\\]]$')
_LINK_LIST_DENSITY: Final = 0.5
# List items that carry a link are teasers ("Headline - first sentence...") far more often
# than article text; they count against the container at half their length.
_TEASER_ITEM_DENSITY: Final = 0.1
# An <article> inside the container that scores this share of it is a full story of its own.
_ARTICLE_SHARE: Final = 0.25


@dataclass(frozen=True, slots=True)
class Choice:
    """The chosen container and the numbers the cascade judges it by."""

    container: int  # preorder index in the DomIndex
    score: float  # the container's subtree sum
    inside_chars: int  # substantial, unflagged text inside the container
    outside_chars: int  # substantial, unflagged text elsewhere on the page
    rival_score: float  # best subtree sum among elements disjoint from the container


def block_weight(block: Block) -> float:
    """How much a block argues for (positive) or against (negative) its enclosing elements."""
    length = len(block.text)
    density = block.link_density
    if block.noise is not None or density > _LINK_LIST_DENSITY:
        return -float(length)
    if block.kind == "caption":
        return -0.5 * length
    if block.kind == "item" and density > _TEASER_ITEM_DENSITY:
        return -0.5 * length
    if length >= SUBSTANTIAL_CHARS:
        return length * (1.0 - density)
    if length >= _SENTENCE_CHARS and _SENTENCE_END.search(block.text) is not None:
        return 0.5 * length * (1.0 - density)
    return 0.0


def is_substantial(block: Block) -> bool:
    """Long, link-poor, unflagged text: what an article body is made of."""
    return (
        block.noise is None
        and len(block.text) >= SUBSTANTIAL_CHARS
        and block.link_density <= _TEASER_ITEM_DENSITY
        and block.kind != "caption"
    )


def choose_container(index: DomIndex, blocks: list[Block]) -> Choice:
    """The element whose subtree has the highest block-weight sum (see module docstring)."""
    count = len(index.elements)
    sums = [0.0] * count
    for block in blocks:
        sums[block.owner] += block_weight(block)
    index.add_up(sums)
    # The last element with the highest sum (sums are never NaN): ties go to the smaller one.
    best = count - 1 - sums[::-1].index(max(sums)) if sums else 0
    if sums[best] <= 0:
        # Nothing on the page looks like prose (all short lines, or all boilerplate): take the
        # whole page and let the block filters decide, rather than one arbitrary element.
        best = 0
    best = _first_of_several_articles(index, sums, best)
    ends = index.ends
    end = ends[best]
    # Disjoint from the container: after its subtree, or before it and not an ancestor.
    rival = max(0.0, max(sums[end + 1 :], default=0.0))
    for position in range(best):
        if ends[position] < best and sums[position] > rival:
            rival = sums[position]
    inside = outside = 0
    for block in blocks:
        if is_substantial(block):
            if best <= block.owner <= end:
                inside += len(block.text)
            else:
                outside += len(block.text)
    return Choice(best, sums[best], inside, outside, rival)


def _first_of_several_articles(index: DomIndex, sums: list[float], best: int) -> int:
    """Narrow a container that holds several full articles to the first one.

    Infinite-scroll pages append the next stories, each its own ``<article>`` (or schema.org
    Article), to the one the URL names; the subtree sum happily spans them all. The first is
    the page's own story.
    """
    threshold = _ARTICLE_SHARE * sums[best]
    articles: list[int] = []
    position = best + 1
    end = index.ends[best]
    while position <= end:
        element = index.elements[position]
        if sums[position] >= threshold and (
            index.tags[position] == "article"
            or "article" in (element.get("itemtype") or "").lower()
        ):
            articles.append(position)
            position = index.ends[position] + 1  # nested articles are parts of this one
        else:
            position += 1
    return articles[0] if len(articles) >= 2 else best
