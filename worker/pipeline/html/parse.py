"""Bounded parsing: text in, an lxml document out, with the work a hostile page can cause capped.

libxml2's HTML parser (via lxml) is iterative and stops descending at 256 levels of nesting, so
100k nested tags cost nothing; the text below that level is recovered by re-parsing the markup
without its container tags. Two things are left to bound, both handled on the UTF-8 bytes with
linear scans before the parser sees them:

* size: markup above `LARGE_MARKUP_BYTES` loses its script/style/comment bulk, and whatever is
  still above `MAX_PARSE_BYTES` is cut (the largest benchmark page is 0.6 MB);
* very long start tags (8 KB or more of attributes: inline images, hostile padding) keep only
  their name. libxml2 checks each new attribute against all previous ones of the tag, which is
  quadratic: 40k attributes on one tag take seconds.

NUL and other C0 control bytes are deleted first; libxml2 would turn them into U+FFFD.
Deliberately no other filtering: the fast path and the second opinions parse the same tree.
"""

from __future__ import annotations

import re
from typing import Final

import lxml.etree
import lxml.html

from worker.pipeline.html.errors import HtmlRejected

#: Markup above this size is slimmed (script/style/comment bulk removed) before parsing.
LARGE_MARKUP_BYTES: Final = 1_000_000
#: Bytes handed to the C parser at most; the slimmed markup is cut beyond this.
MAX_PARSE_BYTES: Final = 2_000_000

# C0 controls except tab, LF, CR are deleted; form feed (HTML whitespace) becomes a space,
# because lxml refuses it in text that a later stage (readability) feeds back to it.
_C0_BYTES: Final = bytes([*range(0, 9), 11, *range(14, 32), 127])
_FORM_FEED_TO_SPACE: Final = bytes.maketrans(b"\x0c", b" ")

# A start tag with 8 KB or more of attributes. `_has_long_tag` is the cheap test run on every
# page; the rewrite runs only when it hits. `[^<>]` stops at the next angle bracket, so each
# byte is scanned from one '<' at most: linear.
_LONG_TAG_PROBE: Final = re.compile(rb"<[A-Za-z][^<>]{8192}")
# Any run of 8193 bytes without '<' or '>' (what the probe needs after the '<') contains a
# whole aligned block of half that size.
_BLOCK: Final = 4096
_LONG_TAG: Final = re.compile(rb"<([A-Za-z][A-Za-z0-9:-]{0,40})[^<>]{8192,}>?")

# Elements whose content is never article text; their bodies are skipped by a forward-only
# scan (each search starts where the previous ended, so the scan is linear even on input
# with thousands of unclosed openers).
_BULK_OPEN: Final = re.compile(rb"<(script|style|svg|noscript|template)\b|<!--", re.IGNORECASE)
_BULK_CLOSE: Final = {
    name: re.compile(rb"</" + name + rb"\s*>", re.IGNORECASE)
    for name in (b"script", b"style", b"svg", b"noscript", b"template")
}
_JSON_LD_OPEN: Final = re.compile(rb"<script[^>]{0,200}application/ld\+json", re.IGNORECASE)
_MAX_KEPT_JSON_LD: Final = 256 * 1024

# Tags kept when a page nests deeper than the parser allows: the ones that carry paragraph
# structure and metadata. Everything else is dropped so that the text survives. Attribute runs
# are bounded so that a '<' without a closing '>' cannot make the regex rescan the input.
_FLATTEN_KEEP: Final = frozenset(
    b"html head body title meta link p br h1 h2 h3 h4 h5 h6 li blockquote pre figcaption".split()
)
_ANY_TAG: Final = re.compile(rb"<(/?)([A-Za-z][A-Za-z0-9:-]{0,40})[^<>]{0,2000}>")
_DEPTH_LIMIT_MARKER: Final = "Excessive depth"


def parse_document(markup: str) -> lxml.html.HtmlElement:
    """Parse (bounded) markup into an lxml HTML document rooted at ``<html>``.

    Raises `HtmlRejected('html_no_content')` when nothing parseable remains.
    """
    data = bound_markup(markup)
    doc, too_deep = _parse(data)
    if too_deep:
        # The parser dropped everything below level 256; flattened markup keeps that text.
        flat, _ = _parse(_ANY_TAG.sub(_flatten_tag, data))
        doc = flat if flat is not None else doc
    if doc is None:
        raise HtmlRejected("html_no_content", "the markup has no elements or text")
    return doc


def bound_markup(markup: str) -> bytes:
    """UTF-8 bytes of `markup`, without control bytes, slimmed and cut (see module docstring)."""
    # errors="ignore" drops lone surrogates, which JSON strings can carry.
    data = markup.encode("utf-8", errors="ignore").translate(_FORM_FEED_TO_SPACE, _C0_BYTES)
    if _has_long_tag(data):
        data = _LONG_TAG.sub(rb"<\1>", data)
    if len(data) > LARGE_MARKUP_BYTES:
        data = strip_bulk(data)
        if len(data) > MAX_PARSE_BYTES:
            data = data[: _cut_point(data)]
    return data


def _has_long_tag(data: bytes) -> bool:
    """Whether `_LONG_TAG_PROBE` matches somewhere in `data`, without running it on every tag.

    The probe can only match at the '<' that opens a bracket-free run of 8193 bytes or more,
    and such a run holds a whole aligned `_BLOCK` without brackets. So look for those blocks
    (two memchr calls each; on ordinary markup the first bracket is a few bytes in) and try
    the probe only at the bracket that opens each one's run. Runs after a '>' (scripts, long
    texts) are skipped as a whole. Linear: the backward searches stop at the previous run's
    end, and the forward ones resume where they stopped.
    """
    find, rfind = data.find, data.rfind
    size = len(data)
    start = 0
    floor = 0  # the previous run's closing bracket: no later run opens before it
    next_lt = next_gt = 0  # the next '<' and '>' at or after `floor` (-1: there is none)
    while start + _BLOCK <= size:
        end = start + _BLOCK
        if find(b"<", start, end) >= 0 or find(b">", start, end) >= 0:
            start = end
            continue
        opener = max(rfind(b"<", floor, start), rfind(b">", floor, start))
        if opener >= 0 and data[opener] == ord("<") and _LONG_TAG_PROBE.match(data, opener):
            return True
        # Every block up to the run's closing bracket belongs to the same run.
        if 0 <= next_lt < end:
            next_lt = find(b"<", end)
        if 0 <= next_gt < end:
            next_gt = find(b">", end)
        if next_lt < 0 and next_gt < 0:
            return False
        floor = next_gt if next_lt < 0 else next_lt if next_gt < 0 else min(next_lt, next_gt)
        start = (floor // _BLOCK + 1) * _BLOCK
    return False


def _cut_point(data: bytes) -> int:
    """Where to cut oversized markup: after the last tag end, else on a UTF-8 boundary."""
    cut = data.rfind(b">", 0, MAX_PARSE_BYTES)
    if cut > 0:
        return cut + 1
    cut = MAX_PARSE_BYTES
    while cut > 0 and data[cut] & 0xC0 == 0x80:  # inside a multi-byte character
        cut -= 1
    return cut


def strip_bulk(data: bytes) -> bytes:
    """Drop scripts (except small JSON-LD), styles, SVG, templates and comments; linear time."""
    out: list[bytes] = []
    pos = 0
    while True:
        match = _BULK_OPEN.search(data, pos)
        if match is None:
            out.append(data[pos:])
            break
        out.append(data[pos : match.start()])
        name = match.group(1)
        if name is None:
            end = data.find(b"-->", match.end())
            pos = len(data) if end < 0 else end + 3
            continue
        close = _BULK_CLOSE[name.lower()].search(data, match.end())
        end = len(data) if close is None else close.end()
        if (
            name.lower() == b"script"
            and end - match.start() <= _MAX_KEPT_JSON_LD
            and _JSON_LD_OPEN.match(data, match.start()) is not None
        ):
            out.append(data[match.start() : end])
        pos = end
    return b"".join(out)


def _flatten_tag(match: re.Match[bytes]) -> bytes:
    if match.group(2).lower() in _FLATTEN_KEEP:
        return match.group(0)
    return b" "


def _element_classes() -> lxml.etree.ElementNamespaceClassLookup:
    """lxml.html's element classes, chosen in C.

    `lxml.html.HTMLParser` picks each element's class with a Python callback, run whenever
    lxml makes a Python object for a node: once per element in the walk, and again in the
    second opinions. This lookup gives the same classes (``HtmlElement``, ``FormElement``
    for ``<form>``...) without the callback: ~5 % of the fast path.
    """
    lookup = lxml.etree.ElementNamespaceClassLookup(
        lxml.etree.ElementDefaultClassLookup(
            element=lxml.html.HtmlElement,
            comment=lxml.html.HtmlComment,
            pi=lxml.html.HtmlProcessingInstruction,
            entity=lxml.html.HtmlEntity,
        )
    )
    by_tag = lookup.get_namespace(None)
    for tag, element_class in lxml.html.HtmlElementClassLookup._default_element_classes.items():
        by_tag[tag] = element_class
    return lookup


_ELEMENT_CLASSES: Final = _element_classes()


def _parse(data: bytes) -> tuple[lxml.html.HtmlElement | None, bool]:
    # A parser per call: lxml parsers keep an error log and are not safe to share between
    # threads, and building one costs microseconds.
    parser = lxml.html.HTMLParser(  # type: ignore[call-arg]  # lxml-stubs lack default_doctype
        remove_comments=True,
        remove_pis=True,
        collect_ids=False,
        default_doctype=False,
        encoding="utf-8",
    )
    parser.set_element_class_lookup(_ELEMENT_CLASSES)
    try:
        doc = lxml.html.document_fromstring(data, parser=parser)
    except (lxml.etree.ParserError, lxml.etree.XMLSyntaxError, ValueError):
        return None, False
    too_deep = any(_DEPTH_LIMIT_MARKER in entry.message for entry in parser.error_log)
    return doc, too_deep
