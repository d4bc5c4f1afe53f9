"""Paragraph-level boilerplate, decided on re-joined paragraphs and their neighbours.

* `block_rules` (rules file): a whole paragraph such as Kompas' WhatsApp-channel prompt, which
  the scraper exploded over seven lines, is removed and reported line by line.
* Bare related headlines (VIVA): a lone Title-Case block between two body paragraphs, set off
  by blank lines in the payload, that shares almost no words with the paragraph after it.
  An in-article section heading (`Usulkan Tim Lintas Kementerian ...`) is echoed by the
  paragraph it introduces, so it stays; in line-exploded scrapes, which label their related
  links, a lone Title-Case line is always a heading.
* Repeated captions: a paragraph that repeats a caption removed earlier (Tribun prints the lead
  caption again mid-article, with a credit such as `(wartakota)` appended).
* Scraper duplicates: a long paragraph the scraper captured twice keeps its first copy.
* SEO keyword: a phrase that opens the first paragraph (`Pawarta bahasa jawa banjir – `) and
  comes back as a sentence of its own at the end.
"""

from __future__ import annotations

import re

from worker.pipeline.boilerplate import Found
from worker.pipeline.lines import (
    FUNCTION_WORDS,
    HEADLINE_MAX_CHARS,
    NOT_HEADLINE_ENDS,
    Line,
    headline_shaped,
)
from worker.pipeline.model import Removed
from worker.pipeline.paragraphs import join_text
from worker.pipeline.rules import CleaningRules, KindPattern

__all__ = ["Paragraph", "filter_paragraphs", "strip_seo_keyword"]

#: A re-joined paragraph: its text and the lines it came from.
Paragraph = tuple[str, list[Line]]

_WORD = re.compile(r"[^\W\d_]{4,}")
# Share of a heading's words the next paragraph must echo for it to count as a heading.
_HEADING_ECHO = 0.4
_MIN_HEADLINE_WORDS = 6
_MIN_DUPLICATE_CHARS = 40
# `block_rules` describe short promos; a long paragraph that mentions WhatsApp is news.
_MAX_BLOCK_RULE_CHARS = 500
_SEO_PHRASE = re.compile(r"^(?P<phrase>[^\W\d][^.!?,:;–—-]{5,60}?) [–—-] (?=\S)")
_CREDIT_TAIL = re.compile(r"\s*\([^()]{2,60}\)\s*$")


def filter_paragraphs(
    groups: list[list[Line]], rules: CleaningRules, captions: list[str]
) -> tuple[list[Paragraph], list[Found]]:
    """Drop boilerplate paragraphs; `captions` are caption texts removed before the lead."""
    paragraphs: list[Paragraph] = [(g[0].text if len(g) == 1 else join_text(g), g) for g in groups]
    kept: list[Paragraph] = []
    found: list[Found] = []
    seen: set[str] = set()
    caption_keys = {c.casefold() for c in captions if c}
    # Block rules run only if one of them hits the short paragraphs somewhere at all.
    # (Rules match the lower-cased text; lowering the joined text equals joining the
    # lowered texts: the newline stops the final-sigma context.)
    short = "\n".join([t for t, _ in paragraphs if len(t) <= _MAX_BLOCK_RULE_CHARS])
    block_rules = rules.block_rules.active_lowered(short) if short else ()
    last = len(paragraphs) - 1
    for index, (text, group) in enumerate(paragraphs):
        kind = None
        if block_rules and len(text) <= _MAX_BLOCK_RULE_CHARS:
            kind = _block_kind(text, block_rules)
        if kind is None and caption_keys and _repeats_caption(text, caption_keys):
            kind = "image_caption"
        # A bare headline stands alone: one short line between blank lines, neither first
        # nor last (tested here, before any call: most paragraphs fail it).
        if (
            kind is None
            and 0 < index < last
            and len(group) == 1
            and len(text) <= HEADLINE_MAX_CHARS
            and text[-1:] not in NOT_HEADLINE_ENDS
            and group[0].blank_before
            and paragraphs[index + 1][1][0].blank_before
            and _bare_headline(text, paragraphs[index + 1][0])
        ):
            kind = "related_headline"
        if kind is None and len(text) >= _MIN_DUPLICATE_CHARS:
            kind = "scraper_duplicate" if text in seen else None
            seen.add(text)
        if kind is None:
            kept.append((text, group))
            continue
        if kind == "scraper_duplicate":
            found.append((group[0].order, Removed(kind, text)))
        else:
            found.extend((ln.order, Removed(kind, ln.shown())) for ln in group)
    return kept, found


def _block_kind(text: str, block_rules: tuple[KindPattern, ...]) -> str | None:
    lowered = text.lower()
    for rule in block_rules:
        if rule.occurs(lowered):
            return rule.kind
    return None


def _repeats_caption(text: str, caption_keys: set[str]) -> bool:
    key = text.casefold()
    if key in caption_keys:
        return True
    # The credit tail ends the text: without a closing `)` there is none to cut (and the
    # regex, which starts with `\s*`, would be tried at every position).
    return key.rstrip().endswith(")") and _CREDIT_TAIL.sub("", key) in caption_keys


def _bare_headline(text: str, following_text: str) -> bool:
    """A headline-shaped block that shares few words with the paragraph after it."""
    if not headline_shaped(text, min_words=_MIN_HEADLINE_WORDS):
        return False
    words = {w for w in _WORD.findall(text.casefold()) if w not in FUNCTION_WORDS}
    if not words:
        return False
    following = following_text.casefold()
    echoed = sum(1 for w in words if w in following)
    return echoed / len(words) < _HEADING_ECHO


def strip_seo_keyword(paragraphs: list[Paragraph]) -> tuple[list[Paragraph], list[Found]]:
    """Remove an SEO phrase that opens the first paragraph and recurs later as a sentence."""
    if len(paragraphs) < 2:
        return paragraphs, []
    first_text, first_group = paragraphs[0]
    # The phrase is 6-61 characters, so its ` - ` ends by index 63: most leads have none.
    head = first_text[:64]
    if " - " not in head and " – " not in head and " — " not in head:
        return paragraphs, []
    m = _SEO_PHRASE.match(first_text)
    if m is None:
        return paragraphs, []
    phrase = m.group("phrase")
    echo = re.compile(r"(?:^|(?<=[.!?] ))" + re.escape(phrase) + r"\.(?=\s|$)", re.IGNORECASE)
    for index in range(len(paragraphs) - 1, 0, -1):
        text, group = paragraphs[index]
        e = echo.search(text)
        if e is None:
            continue
        found: list[Found] = [
            (first_group[0].order, Removed("seo_keyword", m.group())),
            ((group[-1].order[0], group[-1].order[1] + 1), Removed("seo_keyword", e.group())),
        ]
        out = list(paragraphs)
        out[0] = (first_text[m.end() :], first_group)
        rest = (text[: e.start()] + text[e.end() :]).strip()
        if rest:
            out[index] = (rest, group)
        else:
            del out[index]
        return out, found
    return paragraphs, []
