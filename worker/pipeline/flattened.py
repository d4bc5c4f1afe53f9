"""Page chrome inside flattened scrapes, where the whole page is one line of text.

The Jakarta Post scrape reads `<teaser strip> <headline> Published on <time> <url> <caption
(Agency/Photographer)> <body> <headline strip> Get the latest news in your inbox`. With no
line breaks to go by, the pieces are found by anchors:

* the `headline_echo` pattern (rules) marks the end of the header; the headline before it is
  the text that spells the URL slug (or equals the payload title); anything before the
  headline is a teaser strip (reported twice when the scraper captured it twice);
* a caption right after the header ends in a photo credit `(Agency/Name)`;
* a trailing strip ends in a `strip_end_markers` phrase and holds no sentence punctuation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from worker.pipeline.boilerplate import Found
from worker.pipeline.lines import Line
from worker.pipeline.model import Removed
from worker.pipeline.rules import CleaningRules
from worker.pipeline.title import alnum_key, slug_headline_start, slug_words

__all__ = ["PageChrome", "strip_page_chrome"]

# A caption must close with its credit within this many characters after the header.
_MAX_CAPTION_CHARS = 400
# A page header longer than this is not searched for a doubled teaser strip (quadratic).
_MAX_HEADER_CHARS = 4000
_PHOTO_CREDIT = re.compile(r"\((?:[A-Z][\w.&-]*)(?: [A-Z][\w.&-]*)?/[^()]{2,60}\)(?=\s|$)")
_SENTENCE_END = re.compile(r"[.!?][\"”’']?\s+(?=[A-Z\"“‘'])")


@dataclass(frozen=True, slots=True)
class PageChrome:
    """What `strip_page_chrome` found besides removals: headline, date phrase, page URL."""

    headline: str | None = None
    date_text: str | None = None
    url: str | None = None


# Most pages have no chrome; the value is immutable, so one serves them all.
_NO_CHROME = PageChrome()


def strip_page_chrome(
    lines: list[Line],
    title: str | None,
    url: str | None,
    rules: CleaningRules,
    joined: str | None = None,
) -> tuple[list[Line], list[Found], PageChrome]:
    """Remove a flattened page's header, caption and trailing strip (first matching line).

    `joined` is the lines' texts joined by newlines, when the caller has it already. The
    lines come back as the same list object when there is nothing to remove.
    """
    if joined is None:
        joined = "\n".join([line.text for line in lines])
    # A line that ends in a marker holds it: one substring test on the whole text rules
    # out most pages (the loop below tests the line ends themselves).
    if not any(marker in joined for marker in rules.strip_end_markers) and (
        rules.headline_echo is None or rules.headline_echo.search(joined) is None
    ):
        return lines, [], _NO_CHROME
    out = list(lines)
    found: list[Found] = []
    chrome = _NO_CHROME
    for index, line in enumerate(out):
        text = line.text
        header = _header(text, line, title, url, rules)
        tail_cut = _tail_strip(text, rules)
        if header is None and tail_cut is None:
            continue
        end = len(text)
        if tail_cut is not None:
            found.append(
                (
                    (line.order[0], line.order[1] + tail_cut),
                    Removed("related_headline", text[tail_cut:].strip()),
                )
            )
            end = tail_cut
        start = 0
        if header is not None:
            start, header_found, chrome = header
            found.extend(header_found)
        out[index] = line.with_text(text[start:end].strip())
        break
    return [ln for ln in out if ln.text], found, chrome


def _header(
    text: str, line: Line, title: str | None, url: str | None, rules: CleaningRules
) -> tuple[int, list[Found], PageChrome] | None:
    if rules.headline_echo is None:
        return None
    m = rules.headline_echo.search(text)
    if m is None:
        return None
    before = text[: m.start()].rstrip()
    echo_url = m.groupdict().get("url") or url
    slug = slug_words(echo_url) or slug_words(url)
    # The headline before `Published on`: the payload's title, else what the slug spells,
    # else what follows a teaser strip captured twice.
    start = None
    if title and alnum_key(before).endswith(alnum_key(title)):
        start = _title_start(before, title)
    if start is None:
        start = slug_headline_start(before, slug)
    if start is None and len(before) <= _MAX_HEADER_CHARS:
        start = _after_repeated_strip(before)
    found: list[Found] = []
    row = line.order[0]
    headline = before[start:].strip() if start is not None else None
    teaser = before[:start].strip() if start is not None else before
    if teaser:
        half = len(teaser) // 2
        # A strip captured twice is `X X`: report both copies, as they stand in the text.
        if len(teaser) % 2 == 1 and teaser[:half] == teaser[half + 1 :]:
            found.append(((row, 0), Removed("related_headline", teaser[:half])))
            found.append(((row, half + 1), Removed("related_headline", teaser[half + 1 :])))
        else:
            found.append(((row, 0), Removed("related_headline", teaser)))
    echo_start = start if start is not None else len(before)
    found.append(((row, echo_start), Removed("headline_echo", text[echo_start : m.end()].strip())))
    end = m.end()
    caption = _PHOTO_CREDIT.search(text, end, end + _MAX_CAPTION_CHARS)
    if caption is not None:
        found.append(((row, end), Removed("image_caption", text[end : caption.end()].strip())))
        end = caption.end()
    date = m.groupdict().get("date")
    echoed_url = m.groupdict().get("url")
    return end, found, PageChrome(headline=headline or None, date_text=date, url=echoed_url)


def _after_repeated_strip(before: str) -> int | None:
    """Where the headline starts after a teaser strip captured twice (`X X <headline>`)."""
    for half in range(len(before) // 2, 0, -1):
        if before[half] == " " and before.startswith(before[:half] + " " + before[:half] + " "):
            rest = 2 * half + 2
            return rest if rest < len(before) else None
    return None


def _title_start(before: str, title: str) -> int | None:
    index = before.casefold().rfind(title.casefold())
    return index if index >= 0 else None


def _tail_strip(text: str, rules: CleaningRules) -> int | None:
    for marker in rules.strip_end_markers:
        if not text.endswith(marker):
            continue
        ends = [m.end() for m in _SENTENCE_END.finditer(text, 0, len(text) - len(marker))]
        if ends:
            return ends[-1]
    return None
