"""The cleaning stage: raw scraped text in, clean paragraphs and what was removed out.

`clean_text` runs a cascade of small pure steps (each in its own module):

1. `lines.split_lines`            normalise every line; blank lines mark paragraph breaks
2. `flattened.strip_page_chrome`  header echo, caption and headline strip of one-line pages
3. `boilerplate.strip_inline`     spans inside lines; spider-joined paragraphs split
4. `boilerplate.classify_lines`   whole boilerplate lines, related-link lists, credit lines
5. `boilerplate.strip_signoff_tail`  tags and promos after the editor's initials
6. `dateline.find_dateline`       the lead's prefix; `lead.strip_caption_zone` before it
7. `lead.strip_menu`              without a dateline: blog menus and breadcrumbs at the top
8. `paragraphs.paragraph_groups`  line-exploded paragraphs re-joined
9. `blocks.filter_paragraphs`     paragraph-level boilerplate; `blocks.strip_seo_keyword`
10. title, publisher and source credit from what the steps found

It never raises on odd input: every step accepts any list of lines, including none.
"""

from __future__ import annotations

from dataclasses import dataclass
from operator import itemgetter
from typing import Final

from worker.pipeline.blocks import filter_paragraphs, strip_seo_keyword
from worker.pipeline.boilerplate import Found, classify_lines, strip_inline, strip_signoff_tail
from worker.pipeline.credit import pick_credit
from worker.pipeline.dateline import DatelineMatch, find_dateline, raw_dateline
from worker.pipeline.flattened import strip_page_chrome
from worker.pipeline.lead import strip_caption_zone, strip_menu
from worker.pipeline.lines import Line, split_lines
from worker.pipeline.model import Dateline, Removed
from worker.pipeline.paragraphs import paragraph_groups
from worker.pipeline.publisher import (
    host_of,
    publisher_from_dateline,
    publisher_from_host,
    registrable_name,
)
from worker.pipeline.rules import CleaningRules
from worker.pipeline.title import alnum_key, clean_title, first_line_title, slug_words

__all__ = ["Cleaned", "clean_text"]


# Immutable by its `Final` fields rather than `frozen=True`: compiled, a frozen dataclass is
# built by its generated `__init__` in Python, a written-out one natively.
@dataclass(slots=True, init=False)
class Cleaned:
    """The result of cleaning one text.

    Attributes:
        title: the clean headline (payload title minus site suffix, else one found in the text).
        paragraphs: clean body paragraphs, in order (empty when nothing is left).
        removed: every removed piece with its kind, in raw order.
        dateline: the lead's publisher/place prefix, `raw` verbatim from the payload.
        publisher: masthead from the dateline, else the URL host, else the title suffix,
            else an outlet sign-off (`- UTUSAN ONLINE`).
        source_credit: the wire/sister outlet credited (credit line or in-text attribution).
        date_text: a date phrase seen in removed chrome (Jakarta Post `Published on ...`).
    """

    title: Final[str | None]
    paragraphs: Final[tuple[str, ...]]
    removed: Final[tuple[Removed, ...]]
    dateline: Final[Dateline | None]
    publisher: Final[str | None]
    source_credit: Final[str | None]
    date_text: Final[str | None]

    def __init__(
        self,
        *,
        title: str | None,
        paragraphs: tuple[str, ...],
        removed: tuple[Removed, ...],
        dateline: Dateline | None,
        publisher: str | None,
        source_credit: str | None,
        date_text: str | None = None,
    ) -> None:
        self.title = title
        self.paragraphs = paragraphs
        self.removed = removed
        self.dateline = dateline
        self.publisher = publisher
        self.source_credit = source_credit
        self.date_text = date_text


def clean_text(text: str, *, title: str | None, url: str | None, rules: CleaningRules) -> Cleaned:
    """Clean one scraped article text (plain text, or HTML-extracted paragraphs joined by
    blank lines). Total over all strings."""
    host = host_of(url)
    host_key = alnum_key(registrable_name(host)) if host else None
    payload_title, title_site = clean_title(title, rules, host_key)
    removed: list[Found] = []

    lines = split_lines(text)
    # Both steps test their rules on the whole text first; it is joined once for both.
    joined = "\n".join([line.text for line in lines])
    kept, found, chrome = strip_page_chrome(lines, payload_title, url, rules, joined)
    removed += found
    inline = strip_inline(kept, rules, joined if kept is lines else None)
    removed += inline.removed
    classified = classify_lines(inline.kept, rules)
    removed += classified.removed
    lines, found = strip_signoff_tail(classified.kept, removed, text.count("\n") + 1, rules)
    removed += found

    match = find_dateline(lines, rules.dateline, rules.dateline_space_runs)
    captions: list[str] = []
    echoed_title: str | None = None
    crumb_title: str | None = None
    lead_index: int | None = None
    dateline: Dateline | None = None
    if match is None:
        # Menus only open pages without a dateline; a dateline's own short lines
        # (`BEKASI, KOMPAS.com` / `-` / `Rafi Haikal`) must not look like one.
        lines, found, crumb_title = strip_menu(lines)
        removed += found
    else:
        lines, found, captions, echoed_title = strip_caption_zone(
            lines, match.line_index, payload_title, rules
        )
        removed += found
        lines, lead_index = _cut_dateline(lines, match)
        dateline = raw_dateline(match, text)

    found_title = payload_title or chrome.headline or echoed_title or crumb_title
    if found_title is None and match is None:
        found_title = first_line_title(lines, slug_words(url))
    if match is None:
        lines = _drop_title_echo(lines, found_title)

    paragraphs, found = filter_paragraphs(
        paragraph_groups(lines, after_dateline=lead_index), rules, captions
    )
    removed += found
    paragraphs, found = strip_seo_keyword(paragraphs)
    removed += found
    body = tuple([p for p, _ in paragraphs if p])

    publisher = _publisher(match, host or host_of(chrome.url), title_site, rules) or _signoff_name(
        removed, rules
    )
    wire = [match.wire] if match is not None and match.wire else []
    credit = pick_credit([*classified.credits, *wire], body, publisher, rules)
    removed.sort(key=itemgetter(0))
    return Cleaned(
        title=found_title,
        paragraphs=body,
        removed=tuple([piece for _, piece in removed]),
        dateline=dateline,
        publisher=publisher,
        source_credit=credit,
        date_text=chrome.date_text or (match.date_text if match is not None else None),
    )


def _cut_dateline(lines: list[Line], match: DatelineMatch) -> tuple[list[Line], int | None]:
    """Remove the dateline from the lead; return the lines and the lead's first index.

    `strip_caption_zone` already dropped the lines before the dateline, so it starts at 0.
    """
    used = match.lines_used
    rest = match.rest
    if rest:
        lead = lines[used - 1].with_text(rest, new_paragraph=True)
        return [lead, *lines[used:]], 0
    tail = lines[used:]
    if tail:
        tail = [tail[0].with_text(tail[0].text, new_paragraph=True), *tail[1:]]
        return tail, 0
    return tail, None


def _signoff_name(removed: list[Found], rules: CleaningRules) -> str | None:
    """The masthead an outlet sign-off names (`- UTUSAN ONLINE` -> `Utusan Malaysia`)."""
    for _, piece in removed:
        if piece.kind == "outlet_signoff":
            name = piece.text.strip(" -–—.")
            if name:
                return rules.masthead(name.casefold()) or name.title()
    return None


def _drop_title_echo(lines: list[Line], title: str | None) -> list[Line]:
    """Drop a first line that repeats the title (it is the title, not body or boilerplate)."""
    # The length test first: flattened scrapes have one 5,000-character line.
    if (
        title
        and lines
        and len(lines[0].text) < 2 * len(title) + 20
        and (alnum_key(lines[0].text) == alnum_key(title))
    ):
        rest = lines[1:]
        if rest:
            rest = [rest[0].with_text(rest[0].text, new_paragraph=True), *rest[1:]]
        return rest
    return lines


def _publisher(
    match: DatelineMatch | None, host: str | None, title_site: str | None, rules: CleaningRules
) -> str | None:
    if match is not None and match.publisher:
        return publisher_from_dateline(match.publisher, rules)
    if host:
        return publisher_from_host(host, rules)
    if title_site:
        return rules.masthead(title_site.casefold()) or title_site
    if match is not None and match.wire:
        return publisher_from_dateline(match.wire, rules)
    return None
