"""The top of the text: site menus, breadcrumbs, and the caption zone before the dateline.

* A breadcrumb line (`» » » Judul`) ends a blog's menu: it and every short line before it
  are `site_navigation`, and its last crumb is a title candidate.
* Without a breadcrumb, a run of three or more short lines without final punctuation at the
  very top (before any prose) is a menu too.
* When the dateline is not on the first line, the lines before it are the title (if it is
  echoed), the photo caption and its credits (VIVA, Tribun leads): `lead_rules` kinds, else
  `image_caption`.
"""

from __future__ import annotations

from worker.pipeline.boilerplate import Found
from worker.pipeline.lines import Line, ends_sentence, has_words, headline_shaped
from worker.pipeline.model import Removed
from worker.pipeline.rules import CleaningRules
from worker.pipeline.title import alnum_key, breadcrumb_title

__all__ = ["strip_caption_zone", "strip_menu"]

_MENU_WORDS = 4
_MIN_MENU_LINES = 3
_MAX_MENU_LINES = 30


def strip_menu(lines: list[Line]) -> tuple[list[Line], list[Found], str | None]:
    """Remove a leading menu/breadcrumb; return kept lines, removals and a crumb title."""
    run = 0  # the lines before this one are menu items
    for line in lines[:_MAX_MENU_LINES]:
        crumb = breadcrumb_title(line)
        if crumb is not None:
            found = [(ln.order, Removed("site_navigation", ln.shown())) for ln in lines[: run + 1]]
            return _restart(lines[run + 1 :]), found, crumb
        if not _menu_item(line):
            break
        run += 1
    if run >= _MIN_MENU_LINES and run < len(lines):
        found = [(ln.order, Removed("site_navigation", ln.shown())) for ln in lines[:run]]
        return _restart(lines[run:]), found, None
    return lines, [], None


def _menu_item(line: Line) -> bool:
    return not has_words(line.text, _MENU_WORDS + 1) and not ends_sentence(line.text)


def _restart(lines: list[Line]) -> list[Line]:
    if lines and not lines[0].new_paragraph:
        lines = [lines[0].with_text(lines[0].text, new_paragraph=True), *lines[1:]]
    return lines


def strip_caption_zone(
    lines: list[Line], dateline_index: int, title: str | None, rules: CleaningRules
) -> tuple[list[Line], list[Found], list[str], str | None]:
    """Remove the lines before the dateline line.

    Returns the kept lines (from the dateline on), the removals, the caption texts (to spot
    a caption repeated later) and the first line when it is a headline-shaped title echo.
    """
    found: list[Found] = []
    captions: list[str] = []
    echoed_title: str | None = None
    title_key = alnum_key(title) if title and dateline_index else None
    for position, line in enumerate(lines[:dateline_index]):
        # The first line repeats the title, or is a headline standing before the caption.
        if position == 0 and (
            (title_key is not None and alnum_key(line.text) == title_key)
            or (title_key is None and _title_candidate(line, lines, dateline_index))
        ):
            echoed_title = line.text
            continue
        kind = rules.lead_rules.kind_of(line.text) or "image_caption"
        if kind == "image_caption":
            captions.append(line.text)
        found.append((line.order, Removed(kind, line.shown())))
    return lines[dateline_index:], found, captions, echoed_title


def _title_candidate(line: Line, lines: list[Line], dateline_index: int) -> bool:
    return (
        dateline_index > 1
        and headline_shaped(line.text, min_words=3, max_words=25)
        and (len(lines) > 1 and lines[1].new_paragraph)
    )
