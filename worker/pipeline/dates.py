"""The news day of an article: a parseable hint wins, else the date the text attaches to it.

Indonesian news states the day of the reported statement as a weekday with a date:
`kata X, Selasa (10/6/2025)`, `Kamis 25 April 2019`, `pada Ahad, 21 September 2025`. Dates
without a weekday (`pada 16 Juni 2025`, `15 Ogos 1974`) are almost always background (the
day of a post, a historical event), and future or earlier days are marked by cue words, so:

1. `published_hint` (payload/markup) when it parses with a year;
2. `date_text` (the date phrase cleaning found, e.g. in a dateline) when it has a year;
3. an explicit publication stamp in a removed piece (`Published on 2026-02-17T09:40:42+07:00`);
4. the best weekday date in the body: one in the sentence of an attribution verb
   (`kata`, `ujar`, `dikutip` ...) beats one in a sentence with future or background cues
   (`akan`, `direncanakan`, `sebelumnya`, `lalu`), ties go to the earliest.

A date without a year gives None: a year is never guessed. Numeric dates are day-first.
A time is kept only when it directly follows the date with a zone (WIB/WITA/WIT = +07/+08/
+09, UTC/GMT, or a numeric offset); the result is then `YYYY-MM-DDTHH:MM:SS+HH:MM`.
Regexes and month tables only: dateparser costs ~1.6 ms per string and is not needed here.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterator
from datetime import date
from itertools import accumulate
from typing import Final

from worker.pipeline.model import Removed
from worker.pipeline.wordscan import word_search

_MONTHS: Final = {
    # Indonesian / Malay / Javanese / English, full and abbreviated (lower case, no dot).
    **dict.fromkeys(("januari", "january", "jan"), 1),
    **dict.fromkeys(("februari", "pebruari", "february", "feb", "peb"), 2),
    **dict.fromkeys(("maret", "mac", "march", "mar"), 3),
    **dict.fromkeys(("april", "apr"), 4),
    **dict.fromkeys(("mei", "may"), 5),
    **dict.fromkeys(("juni", "jun", "june"), 6),
    **dict.fromkeys(("juli", "julai", "july", "jul"), 7),
    **dict.fromkeys(("agustus", "ogos", "august", "agu", "agt", "ags", "aug", "ogo"), 8),
    **dict.fromkeys(("september", "sept", "sep"), 9),
    **dict.fromkeys(("oktober", "october", "okt", "oct"), 10),
    **dict.fromkeys(("november", "nopember", "nov", "nop"), 11),
    **dict.fromkeys(("desember", "disember", "december", "des", "dec", "dis"), 12),
}
_WEEKDAYS: Final = (
    "senin|selasa|rabu|kamis|jum'?at|jumaat|sabtu|minggu|ahad|isnin|khamis|"
    "senen|rebo|kemis|jemuwah|setu|"
    "monday|tuesday|wednesday|thursday|friday|saturday|sunday|"
    "mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun"
)
_MONTH_ALT: Final = "|".join(sorted(_MONTHS, key=len, reverse=True))
_ZONES: Final = {"wib": "+07:00", "wita": "+08:00", "wit": "+09:00", "utc": "+00:00",
                 "gmt": "+00:00", "z": "+00:00"}  # fmt: skip

_TIME: Final = (
    r"(?:\s*[,|]?\s*(?:pukul|jam|pkl\.?|at)?\s*(?P<hh>[01]?\d|2[0-3])[:.](?P<mi>[0-5]\d)"
    r"(?::(?P<ss>[0-5]\d))?\s*(?P<zone>WITA|WIB|WIT|UTC|GMT|[+-]\d{2}:?\d{2})\b)?"
)
_D: Final = r"(?P<d>[0-3]?\d)"
_Y: Final = r"(?P<y>(?:19|20)\d{2})"
_MON: Final = rf"(?P<mon>{_MONTH_ALT})\.?"

#: Weekday + date: `Selasa (10/6/2025)`, `Kamis 25 April 2019`, `Ahad, 21 September 2025`,
#: `Tuesday, February 17, 2026`; the year is optional so that `Kamis (3/7)` is recognised
#: (and then yields no date).
_AFTER_WEEKDAY: Final = (
    rf"\b\.?,?\s*(?:\(\s*)?(?:"
    rf"{_D}\s*/\s*(?P<m>[01]?\d)(?:\s*/\s*(?P<y2>(?:19|20)?\d{{2}}))?"
    rf"|{_D.replace('d>', 'd3>')}\s+(?P<mon3>{_MONTH_ALT})\.?(?:\s+(?P<y3>(?:19|20)\d{{2}}))?"
    rf"|(?P<mon4>{_MONTH_ALT})\.?\s+(?P<d4>[0-3]?\d),?\s+(?P<y4>(?:19|20)\d{{2}})"
    rf")\s*\)?{_TIME}"
)
_WEEKDAY_DATE_RE: Final = re.compile(rf"\b(?P<wd>{_WEEKDAYS}){_AFTER_WEEKDAY}", re.IGNORECASE)
_AFTER_WEEKDAY_RE: Final = re.compile(_AFTER_WEEKDAY, re.IGNORECASE)
#: Stand-alone dates for hints, date_text and stamps.
_ISO_RE: Final = re.compile(
    r"\b(?P<y>(?:19|20)\d{2})-(?P<m>[01]\d)-(?P<d>[0-3]\d)"
    r"(?:[T ](?P<hh>[0-2]\d):(?P<mi>[0-5]\d)(?::(?P<ss>[0-5]\d)(?:\.\d+)?)?"
    r"\s*(?P<zone>Z|[+-]\d{2}:?\d{2})?)?"
)
_SLASH_RE: Final = re.compile(
    rf"\b{_D}\s*[/.-]\s*(?P<m>[01]?\d)\s*[/.-]\s*{_Y}\b{_TIME}", re.IGNORECASE
)
_YMD_SLASH_RE: Final = re.compile(rf"\b{_Y}/(?P<m>[01]?\d)/{_D}\b")
_DAY_MONTH_RE: Final = re.compile(rf"\b{_D}\s+{_MON}\s+{_Y}\b{_TIME}", re.IGNORECASE)
_MONTH_DAY_RE: Final = re.compile(rf"\b{_MON}\s+{_D}(?:st|nd|rd|th)?,?\s+{_Y}\b{_TIME}",
                                  re.IGNORECASE)  # fmt: skip
_SENTENCE_END_RE: Final = re.compile(r"[.!?](?=[\s\"”'\u2019A-Z]|$)")
_ATTRIBUTION_WORDS: Final = (
    "kata|ujar|ungkap|jelas|tutur|tegas|imbuh|tambah|ucap|terang|sebut|papar|beber|"
    "lanjut|pungkas|tandas|katanya|ujarnya|ungkapnya|jelasnya|tuturnya|tegasnya|"
    "mengatakan|menyatakan|menjelaskan|menyampaikan|mengungkapkan|menegaskan|menuturkan|"
    "dikutip|dilansir|diberitakan|dikonfirmasi|dihubungi|ditemui|sanjang|ngendika|"
    "said|says|told|added"
)
_FUTURE_OR_PAST_WORDS: Final = (
    "akan|direncanakan|dijadwalkan|rencananya|mendatang|besok|sebelumnya|lalu|"
    "kala itu|saat itu|sejak|pernah|will|scheduled|earlier|last"
)
_STAMP_WORDS: Final = (
    r"(?:published(?:\s+on)?|posted(?:\s+on)?|diterbitkan|dipublikasikan|dipublikasi|"
    r"tayang|terbit)\b\s*:?\s*"
)
_ATTRIBUTION_RE: Final = re.compile(rf"\b(?:{_ATTRIBUTION_WORDS})\b", re.IGNORECASE)
_FUTURE_OR_PAST_RE: Final = re.compile(rf"\b(?:{_FUTURE_OR_PAST_WORDS})\b", re.IGNORECASE)
_STAMP_RE: Final = re.compile(rf"\b{_STAMP_WORDS}", re.IGNORECASE)


def _by_first_letter(alternatives: str) -> str:
    """`a|b|...` regrouped by first character (`k(?:ata|atanya)|u(?:jar)|...`): the same
    set of matches, but the regex engine tries one group per position, not every word."""
    groups: dict[str, list[str]] = {}
    for word in alternatives.split("|"):
        groups.setdefault(word[0], []).append(word[1:])
    return "|".join(f"{first}(?:{'|'.join(rests)})" for first, rests in groups.items())


# The same searches on lower-cased text, without the leading `\b` and IGNORECASE: the regex
# engine then skips to the first letters of the words instead of trying every position
# (~5x cheaper); `word_search` checks the leading `\b` itself. Only whether the first two
# find anything counts, so their words may be regrouped.
_ATTRIBUTION_SCAN_RE: Final = re.compile(rf"(?:{_by_first_letter(_ATTRIBUTION_WORDS)})\b")
_FUTURE_OR_PAST_SCAN_RE: Final = re.compile(rf"(?:{_by_first_letter(_FUTURE_OR_PAST_WORDS)})\b")
_STAMP_SCAN_RE: Final = re.compile(_STAMP_WORDS)
_ATTRIBUTION_BYTES: Final = frozenset(
    word.encode("ascii") for word in _ATTRIBUTION_WORDS.split("|")
)
# What `\w` does not match, among ASCII bytes, becomes a space.
_ASCII_NON_WORD_TO_SPACE: Final = bytes(
    cp if chr(cp).isalnum() or cp == 0x5F else 0x20 for cp in range(0x80)
) + bytes(range(0x80, 0x100))
# The body scan finds capitalised weekday names first (a pattern without a leading `\b` or
# IGNORECASE lets the regex engine skip ahead: ~10x cheaper), then reads the date after it.
# Grouped by first letter, so that at each capital only the names starting with it are tried.
_WEEKDAY_SCAN_RE: Final = re.compile(
    "(?:"
    + _by_first_letter("|".join(w.capitalize() for w in _WEEKDAYS.split("|") if len(w) > 3))
    + ")"
)


class _Found:
    """A stated date: the day, "HH:MM:SS+HH:MM" when a zoned time was stated, and where
    the date starts. (A plain class: a compiled build runs a dataclass's generated
    `__init__` as interpreted code.)"""

    __slots__ = ("day", "start", "time")

    def __init__(self, day: date, time: str | None, start: int) -> None:
        self.day = day
        self.time = time
        self.start = start

    def iso(self) -> str:
        return f"{self.day.isoformat()}T{self.time}" if self.time else self.day.isoformat()


def published_date(
    *,
    paragraphs: tuple[str, ...],
    removed: tuple[Removed, ...] = (),
    published_hint: str | None = None,
    date_text: str | None = None,
) -> str | None:
    """The article's news day (ISO 8601), or None when no stated date carries a year."""
    for text in (published_hint, date_text):
        found = parse_date(text) if text else None
        if found is not None:
            return found
    for piece in removed:
        if piece.kind in ("image_caption", "photo_credit", "related_link", "related_headline"):
            continue
        stamp = _search_words(_STAMP_RE, _STAMP_SCAN_RE, piece.text)
        if stamp is not None:
            found = parse_date(piece.text[stamp.end() : stamp.end() + 40])
            if found is not None:
                return found
    best: _Found | None = None
    best_score = 0
    for paragraph, start, end, found_date in _weekday_dates(paragraphs):
        score = _context_score(paragraph, start, end)
        # Ties go to the earliest date.
        if (
            best is None
            or score > best_score
            or (score == best_score and found_date.start < best.start)
        ):
            best, best_score = found_date, score
    return best.iso() if best else None


def _weekday_dates(paragraphs: tuple[str, ...]) -> Iterator[tuple[str, int, int, _Found]]:
    """Dates with a year that follow a weekday name: (paragraph, start, end, date), where
    start and end are positions in the paragraph and the date's start one in the body (the
    paragraphs joined by line breaks)."""
    # One scan of the whole body instead of one per paragraph; no weekday name spans a
    # line break, so the matches are the same.
    body = "\n".join(paragraphs)
    offsets = list(accumulate((len(paragraph) + 1 for paragraph in paragraphs), initial=0))
    for weekday in _WEEKDAY_SCAN_RE.finditer(body):
        position = weekday.start()
        if position and body[position - 1].isalnum():
            continue
        index = bisect_right(offsets, position) - 1
        paragraph, offset = paragraphs[index], offsets[index]
        match = _AFTER_WEEKDAY_RE.match(paragraph, weekday.end() - offset)
        if match is None:
            continue
        date_found = _from_weekday_match(match, position)
        if date_found is not None:
            yield paragraph, position - offset, match.end(), date_found


def parse_date(text: str) -> str | None:
    """Parse one date string (ISO, `Selasa, 17 Jun 2025 14:58 WIB`, `2025/07/03`, ...)."""
    found: _Found | None = None
    for pattern in (_ISO_RE, _WEEKDAY_DATE_RE, _SLASH_RE, _DAY_MONTH_RE, _MONTH_DAY_RE):
        match = pattern.search(text)
        if match is None:
            continue
        found = (
            _from_weekday_match(match, match.start())
            if pattern is _WEEKDAY_DATE_RE
            else _from_match(match)
        )
        if found is not None:
            return found.iso()
    ymd = _YMD_SLASH_RE.search(text)
    found = _from_match(ymd) if ymd is not None else None
    return found.iso() if found else None


def _context_score(paragraph: str, start: int, end: int) -> int:
    """+2 for an attribution verb in the date's sentence, -2 for a future/background cue."""
    sentence_start = _sentence_start(paragraph, start)
    following = _SENTENCE_END_RE.search(paragraph, end)
    sentence_end = following.start() if following else len(paragraph)
    # Only the date's sentence is lowered and read (paragraphs run to 2,000 characters).
    lowered = _aligned_lower(paragraph[sentence_start:sentence_end])
    if lowered is None:
        before, after = paragraph[sentence_start:start], paragraph[end:sentence_end]
        attributed = bool(_ATTRIBUTION_RE.search(before) or _ATTRIBUTION_RE.search(after[:40]))
        cue = _FUTURE_OR_PAST_RE.search(before[-80:]) or _FUTURE_OR_PAST_RE.match(after.lstrip())
    else:
        before, after = lowered[: start - sentence_start], lowered[end - sentence_start :]
        attributed = _has_attribution(before) or _has_attribution(after[:40])
        # At the start of the text a cue (all letters) needs no check for a leading `\b`.
        cue = word_search(_FUTURE_OR_PAST_SCAN_RE, before[-80:]) or (
            _FUTURE_OR_PAST_SCAN_RE.match(after.lstrip())
        )
    return (2 if attributed else 0) - (2 if cue else 0)


def _sentence_start(paragraph: str, start: int) -> int:
    """Where the sentence holding position `start` begins: the end of the last
    `_SENTENCE_END_RE` match in `paragraph[:start]`, else 0."""
    # Backwards from `start` instead of every match from the paragraph's start: a match is
    # a final character (found with `rfind`) whose lookahead holds, up to `start`.
    at = start
    while True:
        at = max(
            paragraph.rfind(".", 0, at), paragraph.rfind("!", 0, at), paragraph.rfind("?", 0, at)
        )
        if at < 0 or _SENTENCE_END_RE.match(paragraph, at, start) is not None:
            return at + 1


def _has_attribution(lowered: str) -> bool:
    """Whether an attribution word is a whole word of the lower-cased `lowered`."""
    if lowered.isascii():
        # Every attribution word is one run of word characters: on ASCII text a set test on
        # the runs (non-word bytes made spaces) is ~4x cheaper than the regex scan, whose
        # first letters are among the most common ones.
        runs = lowered.encode("ascii").translate(_ASCII_NON_WORD_TO_SPACE).split()
        return not _ATTRIBUTION_BYTES.isdisjoint(runs)
    return word_search(_ATTRIBUTION_SCAN_RE, lowered) is not None


def _search_words(
    pattern: re.Pattern[str], scan: re.Pattern[str], text: str
) -> re.Match[str] | None:
    """`pattern.search(text)` for an IGNORECASE `pattern` = `\b` + `scan` (with lower-case
    words), searched with the cheaper `scan` when the lower-cased text allows it."""
    lowered = _aligned_lower(text)
    return pattern.search(text) if lowered is None else word_search(scan, lowered)


def _aligned_lower(text: str) -> str | None:
    """`text.lower()` when IGNORECASE matching on `text` is exact matching on it, else None.

    That holds unless lower-casing changes the length (U+0130 becomes two characters) or
    the text has one of the two characters IGNORECASE also matches to ASCII letters without
    lower-casing to them (dotless i, long s). Lower-casing keeps every character a word
    character or not, and a space or not (a unit test checks all of Unicode).
    """
    lowered = text.lower()
    if text.isascii() or (len(lowered) == len(text) and "ı" not in text and "ſ" not in text):
        return lowered
    return None




def _from_weekday_match(match: re.Match[str], start: int) -> _Found | None:
    groups = match.groupdict()
    if groups["d"]:
        day, month, year = groups["d"], groups["m"], groups["y2"]
        if year is not None and len(year) == 2:
            year = "20" + year
        month_number = int(month)
    elif groups["d3"]:
        day, month_number, year = groups["d3"], _MONTHS[groups["mon3"].lower()], groups["y3"]
    else:
        day, month_number, year = groups["d4"], _MONTHS[groups["mon4"].lower()], groups["y4"]
    if year is None:
        return None
    return _build(int(year), month_number, int(day), groups, start)


def _from_match(match: re.Match[str]) -> _Found | None:
    groups = match.groupdict()
    month = int(groups["m"]) if groups.get("m") else _MONTHS[groups["mon"].lower()]
    return _build(int(groups["y"]), month, int(groups["d"]), groups, match.start())


def _build(year: int, month: int, day: int, groups: dict[str, str | None], start: int
           ) -> _Found | None:  # fmt: skip
    try:
        stated = date(year, month, day)
    except ValueError:
        return None
    return _Found(stated, _time(groups), start)


def _time(groups: dict[str, str | None]) -> str | None:
    hour, minute, zone = groups.get("hh"), groups.get("mi"), groups.get("zone")
    if hour is None or minute is None or zone is None:
        return None
    offset = _ZONES.get(zone.lower())
    if offset is None:
        digits = zone.replace(":", "")
        offset = f"{digits[:3]}:{digits[3:]}"
    return f"{int(hour):02d}:{minute}:{groups.get('ss') or '00'}{offset}"
