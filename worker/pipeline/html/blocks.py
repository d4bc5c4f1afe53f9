"""One pass over the DOM that turns it into text blocks, plus the tree shape the scorer needs.

A *block* is the text between two block-level boundaries (``<p>``, ``<div>``, ``<li>``,
``<br>``...), with how much of it sits inside links and which boilerplate element, if any,
encloses it. Elements get preorder numbers; an element's subtree is the number range
``[index, ends[index]]``, so "is this block inside that container" is two comparisons and
subtree sums are one reverse sweep. The walk is iterative (lxml's `iterwalk`), so nesting depth
costs no recursion.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Final, TypeVar

import lxml.etree
import lxml.html

from worker.pipeline.html import noise

BLOCK_TAGS: Final = frozenset(
    [
        "html",
        "body",
        "p",
        "div",
        "section",
        "article",
        "main",
        "header",
        "footer",
        "aside",
        "nav",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "ul",
        "ol",
        "li",
        "dl",
        "dt",
        "dd",
        "blockquote",
        "pre",
        "table",
        "thead",
        "tbody",
        "tfoot",
        "tr",
        "td",
        "th",
        "caption",
        "figure",
        "figcaption",
        "form",
        "fieldset",
        "legend",
        "address",
        "hr",
        "center",
        "details",
        "summary",
        "hgroup",
        "menu",
        "noscript",
        "picture",
    ]
)
_Number = TypeVar("_Number", int, float)
HEADING_TAGS: Final = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
# Block kind by the tag of the block's own element (when no enclosing context overrides it).
_KIND_BY_TAG: Final = {
    **dict.fromkeys(HEADING_TAGS, "heading"),
    **dict.fromkeys(("li", "dt", "dd"), "item"),
    **dict.fromkeys(("td", "th"), "cell"),
    "p": "p",
}
#: Elements indexed per page at most; the walk's cost is linear in this.
MAX_ELEMENTS: Final = 50_000
#: Noise kinds of elements whose text belongs to an image (see `filters`).
MEDIA_KINDS: Final = frozenset({"caption", "credit"})
_CAPTION_TAGS: Final = frozenset({"figcaption", "caption"})
#: Noise kind of skipped (invisible) elements in `DomIndex.noise`.
DEAD: Final = noise.DEAD

# Whitespace runs (incl. NBSP and friends) collapse to one space. Zero-width characters and
# soft hyphens disappear (they split words for tokenizers), and so do control characters and
# U+FFFD, the debris of broken encodings.
_INVISIBLE: Final = re.compile(
    "[\x00-\x08\x0e-\x1f\x7f-\x9f\u00ad\u200b-\u200d\u2060\ufeff\ufffd\ud800-\udfff]+"
)


def normalize_space(text: str) -> str:
    """Collapse whitespace, drop invisible and control characters, strip the ends."""
    # str.split() splits on exactly the characters that `\s` matches, and drops the ends.
    return " ".join(_INVISIBLE.sub("", text).split())


@dataclass(slots=True)
class Block:
    """A run of text between block boundaries, with the context the filters need."""

    text: str
    link_chars: int
    owner: int  # preorder index of the nearest enclosing block-level element
    tag: str  # that element's tag
    kind: str  # "p" | "heading" | "item" | "quote" | "pre" | "cell" | "caption" | "text"
    noise: str | None  # boilerplate kind of the nearest noisy ancestor, None if none
    noisy_ancestors: tuple[int, ...]  # indices of all noisy ancestors, outermost first
    level: int = 0  # heading level (1-6) for headings

    @property
    def link_density(self) -> float:
        """Share of the block's characters that sit inside ``<a>`` elements."""
        return self.link_chars / len(self.text) if self.text else 0.0


@dataclass(slots=True)
class DomIndex:
    """Elements in preorder with their parents and subtree ends (see module docstring)."""

    elements: list[lxml.html.HtmlElement] = field(default_factory=list)
    parents: list[int] = field(default_factory=list)
    ends: list[int] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    noise: list[str | None] = field(default_factory=list)  # own kind, not inherited

    def contains(self, ancestor: int, index: int) -> bool:
        """True when element `index` lies in the subtree of element `ancestor`."""
        return ancestor <= index <= self.ends[ancestor]

    def add_up(self, values: list[_Number]) -> None:
        """Turn per-element `values` into subtree totals, in place (one reverse sweep)."""
        parents = self.parents
        for position in range(len(values) - 1, 0, -1):
            value = values[position]
            if value:  # most elements hold no text of their own; adding zero changes nothing
                parent = parents[position]
                if parent >= 0:
                    values[parent] += value


def walk(root: lxml.html.HtmlElement) -> tuple[DomIndex, list[Block]]:  # noqa: PLR0915
    """Index the elements under `root` and cut its visible text into blocks, in order."""
    # One loop with its state in local variables, on purpose: this is the fast path's hot loop
    # (two events per element), where a helper call or an attribute lookup per event costs
    # more than the work itself (~10 % of the walk on the benchmark pages).
    index = DomIndex()
    elements, parents, ends, tags, kinds = (
        index.elements,
        index.parents,
        index.ends,
        index.tags,
        index.noise,
    )
    blocks: list[Block] = []
    parts: list[str] = []  # text of the block being collected
    link_chars = 0  # how much of it sits inside <a>
    block_stack: list[int] = []  # open block-level elements
    open_stack: list[int] = []  # all open elements
    noise_stack: list[int] = []  # open noisy elements
    anchors = captions = quotes = pres = 0  # open <a>, caption, <blockquote>, <pre> elements
    count = 0  # == len(elements)
    classify = noise.NoiseClassifier().kind

    def flush() -> None:
        # Called only when `parts` is not empty; leaves it empty and `link_chars` at zero.
        nonlocal link_chars
        joined = "".join(parts)
        parts.clear()
        chars = link_chars
        link_chars = 0
        if joined.isspace():  # indentation between tags: most flushes, never a block
            return
        text = normalize_space(joined)
        if not text:
            return
        owner = block_stack[-1] if block_stack else 0
        tag = tags[owner]
        # Context first: a caption is a caption whatever its tags; headings keep their kind
        # inside quotes; text inside <pre>/<blockquote> is code/quote, not a plain paragraph.
        if captions:
            kind = "caption"
        else:
            kind = _KIND_BY_TAG.get(tag, "text")
            if kind != "heading":
                if pres:
                    kind = "pre"
                elif quotes:
                    kind = "quote"
        blocks.append(
            Block(
                text=text,
                link_chars=min(chars, len(text)),
                owner=owner,
                tag=tag,
                kind=kind,
                noise=kinds[noise_stack[-1]] if noise_stack else None,
                noisy_ancestors=tuple(noise_stack),
                level=int(tag[1]) if tag in HEADING_TAGS else 0,
            )
        )

    walker = lxml.etree.iterwalk(root, events=("start", "end"))
    for event, element in walker:
        if count >= MAX_ELEMENTS:
            # Only hostile markup gets here (real pages have a few thousand elements): the
            # rest of the page is not read; open elements end where the walk stopped.
            for position in open_stack:
                ends[position] = count - 1
            break
        tag = element.tag  # lowercase: the lxml HTML parser normalises tag names
        if not isinstance(tag, str):  # comments/PIs survive when a caller built the tree
            if event == "end" and element is not root:
                tail = element.tail
                if tail:
                    parts.append(tail)
                    if anchors:
                        link_chars += len(tail.strip())
            continue
        if event == "start":
            position = count
            count += 1
            elements.append(element)
            parents.append(open_stack[-1] if open_stack else -1)
            ends.append(position)
            tags.append(tag)
            open_stack.append(position)
            kind = classify(element, tag)
            kinds.append(kind)
            if kind == DEAD:
                walker.skip_subtree()
                continue
            # Noisy inline elements (a caption <span>, a share <a>) get their own block so
            # that their text carries the flag instead of melting into the paragraph.
            is_block = tag in BLOCK_TAGS
            if (is_block or kind is not None or tag == "br") and parts:
                flush()
            if is_block:
                block_stack.append(position)
            if kind is not None:
                noise_stack.append(position)
            if tag == "a":
                anchors += 1
            elif tag in _CAPTION_TAGS or kind in MEDIA_KINDS:
                captions += 1
            elif tag == "blockquote":
                quotes += 1
            elif tag == "pre":
                pres += 1
            text = element.text
            if text:
                parts.append(text)
                if anchors:
                    link_chars += len(text.strip())
        else:
            position = open_stack.pop()
            ends[position] = count - 1
            kind = kinds[position]
            if kind != DEAD:
                is_block = tag in BLOCK_TAGS
                if (is_block or kind is not None) and parts:
                    flush()
                if is_block and block_stack and block_stack[-1] == position:
                    block_stack.pop()
                if kind is not None and noise_stack:
                    noise_stack.pop()
                if tag == "a":
                    anchors -= 1
                elif tag in _CAPTION_TAGS or kind in MEDIA_KINDS:
                    captions -= 1
                elif tag == "blockquote":
                    quotes -= 1
                elif tag == "pre":
                    pres -= 1
            if element is not root:
                tail = element.tail
                if tail:
                    parts.append(tail)
                    if anchors:
                        link_chars += len(tail.strip())
    if parts:
        flush()
    return index, blocks


# A "noisy" element (class names a sidebar, role=banner...) that holds this share of the page's
# substantial text is a page wrapper with a misleading name ("has-sidebar", "with-comments"),
# not boilerplate; its flag is dropped.
_WRAPPER_SHARE: Final = 0.5
_SUBSTANTIAL_CHARS: Final = 80
_SUBSTANTIAL_MAX_LINKS: Final = 0.3
_EMBED_KINDS: Final = frozenset({"share", "navigation"})


def resolve_noise(index: DomIndex, blocks: list[Block]) -> None:
    """Settle the noise flags once the whole page is known.

    Flags that enclose most of the page's substantial text are dropped (see above), and quoted
    text inside embed widgets (a tweet's ``<blockquote>`` in a "social-embed" box) is unflagged:
    the article quotes it.
    """
    for block in blocks:
        if block.kind == "quote" and block.noise in _EMBED_KINDS:
            block.noise = None
    substantial = [0] * len(index.elements)
    total = 0
    for block in blocks:
        if len(block.text) >= _SUBSTANTIAL_CHARS and block.link_density < _SUBSTANTIAL_MAX_LINKS:
            substantial[block.owner] += len(block.text)
            total += len(block.text)
    if not total:
        return
    index.add_up(substantial)
    vetoed = {
        position
        for position, kind in enumerate(index.noise)
        if kind is not None and kind != DEAD and substantial[position] >= _WRAPPER_SHARE * total
    }
    if not vetoed:
        return
    for block in blocks:
        if block.noise is None or not vetoed.intersection(block.noisy_ancestors):
            continue
        remaining = [i for i in block.noisy_ancestors if i not in vetoed]
        block.noise = index.noise[remaining[-1]] if remaining else None
