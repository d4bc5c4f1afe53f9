"""Datelines: the publisher/place prefix of the lead (`JAKARTA, KOMPAS.com -`, `VIVA –`).

The grammar is generic; only masthead names without a domain (`VIVA`) come from the rules:

    PUB, PLACE DASH      Liputan6.com, Banyuwangi -   REPUBLIKA.CO.ID, GRESIK --
    PLACE, PUB DASH      BOGOR, KOMPAS.com –          (also across a line break)
    PUB DASH             SERAMBINEWS.COM -            VIVA –
    PLACE [DATE] DASH    JAKARTA -                    KOTA BHARU 2 Jan. –   (upper-case place)
    Place / -            detik: the place and the dash each on their own line
    PLACE (PUB) DASH     Medan (ANTARA) -             (wire style)
    NAME, PLACE DASH     TIMESINDONESIA, MALANG –     (a capitalised masthead not listed)
    PLACE, Name DASH     SUMENEP, Warta Nusantara –   (upper-case place, title-case masthead)

PUB is a domain-shaped name or a listed masthead. A title-case place needs a publisher or
detik's two-line form, so that `Hukum - Kriminal` (a menu) or `Pawarta bahasa jawa banjir –`
(an SEO phrase) is not taken for a dateline.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from worker.pipeline.lines import Line
from worker.pipeline.model import Dateline

__all__ = [
    "DatelineMatch",
    "compile_dateline",
    "find_dateline",
    "max_space_runs",
    "raw_dateline",
]

_DASH = r"(?:-{1,3}|–|—)"
_DOMAIN = r"[A-Za-z][A-Za-z0-9]*(?:\.[A-Za-z]{2,}){1,2}"
_CAPS_PLACE = r"[A-Z][A-Z'’\-]+(?: [A-Z][A-Z'’\-]+){0,2}"
_TITLE_PLACE = r"[A-Z][a-z'’\-]+(?: [A-Z][a-z'’\-]+){0,2}"
_PLACE = rf"(?:{_CAPS_PLACE}|{_TITLE_PLACE})"
_DATE = r"\d{1,2} [A-Z][a-z]{2,8}\.?"
_WHITESPACE = re.compile(r"\s+")  # `\s` is `str.isspace`
# After the dash: the lead (possibly glued, `Banyuwangi -Di umur`) or the end of the text.
_AFTER = r"(?=\s|[A-Z0-9\"'“‘(]|$)"
# How far into the text a dateline may start (lines, characters).
_MAX_LINES = 8
_MAX_CHARS = 1500


class DatelineMatch(NamedTuple):
    """A dateline found at the start of `line_index` (possibly spanning the next line).

    (A NamedTuple, like `Line`: immutable and a third of a frozen dataclass's cost to create.)

    Attributes:
        line_index: index of the kept line where the dateline starts.
        lines_used: 1, or 2 when the dash is on the following line.
        text: the dateline as matched in normalised text (line break kept as `\\n`).
        rest: what remains of the last line used after the dateline (the lead's start).
        publisher: the masthead named in it, as written, if any.
        location: the place, title-cased, if any.
        date_text: a date written into the dateline (`KOTA BHARU 2 Jan. –` -> `2 Jan.`).
        wire: the agency of a wire-style dateline (`Medan (ANTARA) -` -> `ANTARA`): the story's
            source, which is the publisher only on the agency's own site.
    """

    line_index: int
    lines_used: int
    text: str
    rest: str
    publisher: str | None
    location: str | None
    date_text: str | None = None
    wire: str | None = None


def compile_dateline(publishers: tuple[str, ...]) -> re.Pattern[str]:
    """The dateline regex for a set of domain-less mastheads (`VIVA`, `ANTARA`)."""
    names = "|".join(re.escape(p) for p in sorted(publishers, key=len, reverse=True))
    pub = f"(?:{_DOMAIN}|{names})" if names else _DOMAIN
    forms = [
        rf"(?P<pub1>{pub}),\s*(?P<place1>{_PLACE})\s*{_DASH}",
        rf"(?P<place2>{_PLACE}),\s*(?P<pub2>{pub})\s*{_DASH}",
        rf"(?P<pub3>{pub})\s*{_DASH}",
        rf"(?P<place4>{_CAPS_PLACE})(?: (?P<date4>{_DATE}))?\s+{_DASH}",
        rf"(?P<place5>{_PLACE})\n{_DASH}$",
        # Wire style `Medan (ANTARA) -`, and an unlisted capitalised masthead before a place.
        rf"(?P<place6>{_PLACE}) \((?P<pub6>{pub}|[A-Z][A-Za-z]{{2,}})\)\s*{_DASH}",
        rf"(?P<pub7>[A-Z][A-Z0-9]{{3,}}), (?P<place7>{_CAPS_PLACE})\s*{_DASH}",
        # An unlisted title-case masthead after an upper-case place; the upper case is what
        # tells a dateline from a sentence such as `Menurut Ketua, Budi Santoso -`.
        rf"(?P<place8>{_CAPS_PLACE}),\s*(?P<pub8>[A-Z][a-z]+(?: [A-Z][a-z]+){{0,2}})\s*{_DASH}",
    ]
    return re.compile("^(?:" + "|".join(f"(?:{f})" for f in forms) + ")" + _AFTER)


def max_space_runs(publishers: tuple[str, ...]) -> int:
    """How many whitespace runs at most stand before a dateline's dash, whatever its form.

    Form by form in `compile_dateline`: a place holds up to 2 runs, a date 1, a title-case
    masthead 2, a listed masthead as many as its name, each `\\s*`, `\\s+`, `\\n` or
    literal space 1. The widest forms are `PLACE, Masthead -` (6) and `PUB, PLACE -` (4 plus
    the masthead's).
    """
    names = max((len(_WHITESPACE.findall(name)) for name in publishers), default=0)
    return max(6, names + 4)


def find_dateline(
    lines: list[Line], pattern: re.Pattern[str], space_runs: int | None = None
) -> DatelineMatch | None:
    """The first dateline at the start of one of the first lines, else None.

    `space_runs` is `max_space_runs` of the pattern's mastheads: with it, a line whose
    first dash comes after more words than any dateline holds skips the regex (~2 µs).
    """
    seen = 0
    for index, line in enumerate(lines[:_MAX_LINES]):
        if seen > _MAX_CHARS:
            break
        seen += len(line.text)
        found = _match(line.text, pattern, index, 1, space_runs=space_runs)
        if found is None and index + 1 < len(lines) and lines[index + 1].text[:1] in "-–—":
            # The dash opens the next line: `JAKARTA, KOMPAS.com` / `- Direktur ...`.
            nxt = lines[index + 1].text
            dash = re.match(_DASH, nxt)
            assert dash is not None  # guarded by the first-character test
            joined = line.text + "\n" + nxt[: dash.end()]
            rest = nxt[dash.end() :].strip()
            found = _match(joined, pattern, index, 2, space_runs=space_runs, rest=rest)
        if found is not None:
            return found
    return None


def _dash_after_few_words(text: str, space_runs: int) -> bool:
    """False when no dateline can open `text`: it has no dash, or more than `space_runs`
    whitespace runs stand before its first dash (so before every dash)."""
    # `find` (memchr) per dash: a regex class of these three scans ~10x slower. An ASCII
    # text (`isascii` reads a flag) has no en or em dash to look for.
    first = text.find("-")
    if not text.isascii():
        for dash in "–—":
            at = text.find(dash, 0, first) if first >= 0 else text.find(dash)
            if at >= 0:
                first = at
    # `space_runs + 2` words before the dash are at least `space_runs + 1` runs apart.
    return first >= 0 and len(text[:first].split(None, space_runs + 1)) <= space_runs + 1


def _match(
    text: str,
    pattern: re.Pattern[str],
    index: int,
    used: int,
    *,
    space_runs: int | None = None,
    rest: str | None = None,
) -> DatelineMatch | None:
    if space_runs is not None and not _dash_after_few_words(text, space_runs):
        return None
    m = pattern.match(text)
    if m is None:
        return None
    groups = m.groupdict()
    pub = next((groups[g] for g in ("pub1", "pub2", "pub3", "pub7", "pub8") if groups.get(g)), None)
    place = next(
        (
            groups[g]
            for g in ("place1", "place2", "place4", "place5", "place6", "place7", "place8")
            if groups.get(g)
        ),
        None,
    )
    matched = m.group().rstrip()
    return DatelineMatch(
        line_index=index,
        lines_used=used,
        text=matched,
        rest=text[m.end() :].strip() if rest is None else rest,
        publisher=pub,
        location=_title_case(place) if place else None,
        date_text=groups.get("date4"),
        wire=groups.get("pub6"),
    )


def _title_case(place: str) -> str:
    """`JAKARTA` -> `Jakarta`, `KOTA BHARU` -> `Kota Bharu`; mixed case is kept as written."""
    if place.isupper():
        return " ".join(w.capitalize() for w in place.split())
    return place


_FLEX_SPACE = r"(?:\s|&nbsp;|&#160;|&#xa0;)+"
_FLEX_DASH = {
    "-": r"(?:-|&#45;|&#x2d;)",
    "–": r"(?:–|&ndash;|&#8211;|&#x2013;)",
    "—": r"(?:—|&mdash;|&#8212;|&#x2014;)",
}
# What a non-space character of a normalised dateline stands for in the raw text's regex:
# itself, escaped as `re.escape` does (it only escapes ASCII), or a flexible dash.
_RAW_FORM = str.maketrans(
    {**{c: re.escape(c) for c in map(chr, range(0x80)) if re.escape(c) != c}, **_FLEX_DASH}
)


def raw_dateline(match: DatelineMatch, raw_text: str) -> Dateline:
    """The `Dateline` value, with `raw` exactly as it stands in the raw payload text.

    The match was made on normalised text; a tolerant regex built from it finds the raw
    form (`VIVA\\u00a0–`, `TEMPO.CO, Bandung&nbsp;-`). When it cannot be found (entities
    the regex does not know), the normalised form is reported.
    """
    text = match.text
    if raw_text.startswith(text) and _verbatim(text):
        # Most texts open with the dateline as it was matched. The regex below would find
        # it there: its first match starts at 0 and takes each whitespace run whole (a run
        # is followed by a character that neither `\s` nor an entity such as `&nbsp;` can
        # match) and each character as itself (every alternative tries that first).
        return Dateline(raw=text, location=match.location)
    # A whitespace run becomes one flexible space; other characters go through one table
    # (`re.escape` character by character cost ~5 µs).
    words = _WHITESPACE.split(text)
    pattern = _FLEX_SPACE.join([word.translate(_RAW_FORM) for word in words])
    found = re.search(pattern, raw_text[: _MAX_CHARS * 4])
    raw = found.group() if found else text
    return Dateline(raw=raw, location=match.location)


def _verbatim(text: str) -> bool:
    """Whether `text`'s regex in `raw_dateline` matches `text` itself, and no more, at the
    start of a text that starts with it: `text` is non-empty, opens and ends outside a
    whitespace run and has no `&` (which could open an entity a flexible space takes)."""
    return (
        0 < len(text) <= _MAX_CHARS * 4
        and "&" not in text
        and not text[0].isspace()
        and not text[-1].isspace()
    )
