"""Bounded parsing: text in, an lxml document out, with the work a hostile page can cause capped.

libxml2's HTML parser is linear and iterative, and stops descending at 256 levels of nesting
(hostile pages with 100k nested tags cost nothing; the text below that level is recovered by
re-parsing the markup without its container tags). What is left to bound is the input size:
pages above `LARGE_MARKUP_CHARS` lose attribute values longer than 8 KB (inline images, hostile
padding) and their script/style/comment bulk, both with linear scans, and whatever is still
above `MAX_PARSE_CHARS` is cut. Real article pages are far below the limits (the largest of the
benchmark is 0.6 MB).
"""

from __future__ import annotations

import re
from typing import Final

import lxml.etree
import lxml.html

from worker.pipeline.html.errors import HtmlRejected

#: Markup above this size is slimmed (huge attributes and script/style bulk removed) first.
LARGE_MARKUP_CHARS: Final = 1_000_000
#: Characters handed to the C parser at most; the slimmed markup is cut beyond this.
MAX_PARSE_CHARS: Final = 2_000_000

# A quoted attribute value of 8 KB or more. `[^"]` stops at the next quote, so the scan is
# linear: each character is looked at from one opening quote only.
_HUGE_ATTRIBUTE: Final = re.compile(r"""(=\s*)(?:"[^"]{8192,}"|'[^']{8192,}')""")

# C0 controls except tab, LF, FF, CR: libxml2 turns them into U+FFFD noise. Deleted from the
# UTF-8 bytes (C speed; a str regex or translate costs 1-10 ms on a 100 KB page). C1 controls
# and U+FFFD are removed from extracted text instead (`blocks.normalize_space`).
_C0_BYTES: Final = bytes([*range(0, 9), 11, *range(14, 32), 127])

# Elements whose content is never article text; their bodies are skipped by a forward-only
# scan (each search starts where the previous ended, so the scan is linear even on input
# with thousands of unclosed openers).
_BULK_OPEN: Final = re.compile(r"<(script|style|svg|noscript|template)\b|<!--", re.IGNORECASE)
_JSON_LD_OPEN: Final = re.compile(r"""<script[^>]{0,200}application/ld\+json""", re.IGNORECASE)
_MAX_KEPT_JSON_LD: Final = 256 * 1024

# Tags kept when a page nests deeper than the parser allows: the ones that carry paragraph
# structure and metadata. Everything else is dropped so that the text survives. Attribute runs
# are bounded so that a '<' without a closing '>' cannot make the regex rescan the input.
_FLATTEN_KEEP: Final = frozenset(
    [
        "html",
        "head",
        "body",
        "title",
        "meta",
        "link",
        "p",
        "br",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "li",
        "blockquote",
        "pre",
        "figcaption",
    ]
)
_ANY_TAG: Final = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9:-]{0,40})[^<>]{0,2000}>")
_DEPTH_LIMIT_MARKER: Final = "Excessive depth"


def parse_document(markup: str) -> lxml.html.HtmlElement:
    """Parse (bounded) markup into an lxml HTML document rooted at ``<html>``.

    Raises `HtmlRejected('html_no_content')` when nothing parseable remains.
    """
    markup = bound_markup(markup)
    doc, too_deep = _parse(markup)
    if too_deep:
        # The parser dropped everything below level 256; flattened markup keeps that text.
        flat, _ = _parse(_ANY_TAG.sub(_flatten_tag, markup))
        doc = flat if flat is not None else doc
    if doc is None:
        raise HtmlRejected("html_no_content", "the markup has no elements or text")
    return doc


def bound_markup(markup: str) -> str:
    """Slim large markup and cut it to `MAX_PARSE_CHARS` (see the module docstring)."""
    if len(markup) <= LARGE_MARKUP_CHARS:
        return markup
    markup = strip_bulk(_HUGE_ATTRIBUTE.sub(r'\1""', markup))
    if len(markup) > MAX_PARSE_CHARS:
        cut = markup.rfind(">", 0, MAX_PARSE_CHARS)
        markup = markup[: cut + 1 if cut > 0 else MAX_PARSE_CHARS]
    return markup


def strip_bulk(markup: str) -> str:
    """Drop scripts (except small JSON-LD), styles, SVG, templates and comments; linear time."""
    out: list[str] = []
    pos = 0
    while True:
        match = _BULK_OPEN.search(markup, pos)
        if match is None:
            out.append(markup[pos:])
            break
        out.append(markup[pos : match.start()])
        tag = match.group(1)
        if tag is None:
            end = markup.find("-->", match.end())
            pos = len(markup) if end < 0 else end + 3
            continue
        close = re.compile(rf"</{tag}\s*>", re.IGNORECASE).search(markup, match.end())
        end = len(markup) if close is None else close.end()
        if (
            tag.lower() == "script"
            and end - match.start() <= _MAX_KEPT_JSON_LD
            and _JSON_LD_OPEN.match(markup, match.start()) is not None
        ):
            out.append(markup[match.start() : end])
        pos = end
    return "".join(out)


def _flatten_tag(match: re.Match[str]) -> str:
    if match.group(2).lower() in _FLATTEN_KEEP:
        return match.group(0)
    return " "


def _parse(markup: str) -> tuple[lxml.html.HtmlElement | None, bool]:
    # A parser per call: lxml parsers keep an error log and are not safe to share between
    # threads, and building one costs microseconds.
    parser = lxml.html.HTMLParser(  # type: ignore[call-arg]  # lxml-stubs lack default_doctype
        remove_comments=True,
        remove_pis=True,
        collect_ids=False,
        default_doctype=False,
        encoding="utf-8",
    )
    try:
        # errors="ignore" drops lone surrogates, which JSON strings can carry.
        data = markup.encode("utf-8", errors="ignore").translate(None, _C0_BYTES)
        doc = lxml.html.document_fromstring(data, parser=parser)
    except (lxml.etree.ParserError, lxml.etree.XMLSyntaxError, ValueError):
        return None, False
    too_deep = any(_DEPTH_LIMIT_MARKER in entry.message for entry in parser.error_log)
    return doc, too_deep
