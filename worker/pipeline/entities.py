"""Named entities (person, location, organisation) from capitalised spans and their cues.

No model. A span is a run of capitalised words (with `dan`/`of`/`bin`... inside names).
Each span is read left to right against word lists (`worker/pipeline/data`):

- titles and ranks (`Kapolres`, `AKBP`, `Menteri`) announce a person: the name is the run of
  plain capitalised words after the title and its fillers (`Kabid Humas Polda Sumut Kombes
  Ferry Walintukan` -> org `Polda Sumut`, person `Ferry Walintukan`);
- organisation heads/tails (`PT`, `Kementerian`, `Tbk`, `Airlines`), well-known
  organisations and non-trivial acronyms mark organisations; place heads (`Kabupaten`,
  `Pelabuhan`) and a gazetteer of countries, provinces and cities mark places;
- a run of plain words is typed by its context: a speech verb (`kata Agus`, `Agus
  mengatakan`), `bernama`, an age `(21)`, or a name used as a speaker elsewhere -> person;
  `di`/`ke`/`dari` before it -> place; otherwise two or more plain words -> person.

Short mentions are merged into the fullest written form (`Putin` -> `Vladimir Putin`,
`Kejaksaan Agung (Kejagung)`, `Fakar Suhartami Pratama atau Fakarich` -> one entry) and
entities are ranked by mentions (body and title), then by first position.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Final, Literal

from worker.pipeline.data import entries, words
from worker.pipeline.model import Entities, Entity

Kind = Literal["person", "location", "organization"]

#: Most entities reported per type (labels hold at most 6; precision is pooled).
MAX_PER_TYPE: Final = 6

_STOP: Final = words("stopwords_id") | words("stopwords_en")
_TITLES: Final = words("person_titles")
_FILL: Final = words("title_words")
_ORG_HEADS: Final = words("org_heads")
_ORG_TAILS: Final = words("org_tails")
_LOC_HEADS: Final = words("location_heads")
_EXTENDERS: Final = words("place_extenders")
_COMMON: Final = words("common_words")
_NOT_ENTITY: Final = words("non_entity_acronyms")
_PLACES: Final = frozenset(p.casefold() for p in entries("places"))
# `Sumut = Sumatera Utara`: short place names newsrooms use inside organisation names.
_PLACE_ALIASES: Final = MappingProxyType(
    {k.strip().casefold(): v.strip() for k, v in (e.split("=") for e in entries("place_aliases"))}
)
_KNOWN_ORGS: Final = frozenset(o.casefold() for o in entries("known_organizations"))
_PLACE_FIRST_WORDS: Final = frozenset(p.split()[0] for p in _PLACES if " " in p)
_ORG_FIRST_WORDS: Final = frozenset(o.split()[0] for o in _KNOWN_ORGS if " " in o)
_HEADS: Final = _ORG_HEADS | _LOC_HEADS
_HEAD_WORDS: Final = _TITLES | _HEADS
_TITLE_WORDS: Final = _TITLES | _FILL
_PLACES_OR_STOP: Final = _PLACES | _STOP
_NOT_PLAIN: Final = _STOP | _TITLES | _FILL | _ORG_HEADS | _LOC_HEADS | _COMMON | _PLACES
# Capitalised words that end an organisation or place name (`Kota Bekasi Selasa`).
_BREAKS: Final = words("stopwords_dates")
# Administrative units: `Kabupaten Banyuwangi` and `Banyuwangi` are one place.
_ADMIN_HEADS: Final = frozenset(
    ("kota", "kabupaten", "kab", "provinsi", "kecamatan", "kelurahan", "desa", "dusun")
)
_NAME_LINKS: Final = frozenset(("bin", "binti", "van", "von", "de", "der", "al", "el"))
# Words glued to a preceding name by scrapers (`Anungmengaku`, `Jayayang`).
_GLUED: Final = (
    "mengatakan", "mengaku", "menyebut", "menjelaskan", "mengungkapkan", "menegaskan",
    "menyampaikan", "merupakan", "menjadi", "bersama", "sebagai", "dengan", "kepada",
    "selaku", "dalam", "untuk", "telah", "sudah", "juga", "tidak", "bahwa", "yang",
)  # fmt: skip

_U: Final = "A-ZÀ-ÖØ-Þ"
_TOKEN: Final = (
    rf"(?:(?:Dr|Prof|Ir|Jl|Hj|H|St|Mr|Mrs|Ms|Drs|Dra|Sdr)\.|[{_U}]\.(?= [{_U}])"
    rf"|[{_U}][\w'\u2019]*(?:-[\w'\u2019]+)*(?:\.com|\.co\.id)?)"
)
_SPAN_RE: Final = re.compile(rf"{_TOKEN}(?: (?:(?:dan|of|the|de|van|von|der|bin|binti|al|&) )*"
                             rf"{_TOKEN})*")  # fmt: skip
_GLUED_RE: Final = re.compile(rf"^[{_U}]\w{{2,}}?(?=(?:{'|'.join(_GLUED)})$)")
_CAMEL_RE: Final = re.compile(r"(?<=[a-z])(?=[A-Z][a-z])")
_ABBR_AFTER_RE: Final = re.compile(r"^\s*\(\s*([A-Z][\w-]{1,11})\s*\)")
_ALIAS_AFTER_RE: Final = re.compile(r"^,?\s+(?:alias|atau|a\.k\.a\.?)\s+(?=[A-Z])")
_AGE_AFTER_RE: Final = re.compile(r"^\s*\(\d{1,3}\)")
_SENTENCE_START_RE: Final = re.compile(r"(?:^|[.!?][\"”\u2019]?\s+|[\"“]\s*)$")
# What the words just before a span say about it; one search per span (the groups are
# alternatives), on the last 30 characters only.
_BEFORE_RE: Final = re.compile(
    r"\b(?:(?P<speech>kata|ujar|ungkap|jelas|tutur|tegas|imbuh|tambah|ucap|beber|sanjang|"
    r"tembung|lanjut|terang|papar|pungkas|tandas|menurut|said|according to)"
    r"|(?P<person>bernama|sosok|saudara|sdr\.?|asuhan|dijaga|dipimpin oleh|absennya|"
    r"pengamat \w+|putra|putri|istri|suami|anak|ayah|ibu|adik|kakak)"
    r"|(?P<place>di|ke|dari|asal|menuju|wilayah|kawasan|perairan|daerah|negara|kota|in|at|from)"
    r"|(?P<org>(?:diberitakan|dilansir|dikutip|mengutip|melansir|laporan|media|klub|grup|"
    r"kelompok|sanggar|perusahaan|aplikasi|platform|partai|organisasi|band)"
    r"(?:\s+(?:dari|[a-z]+))?))\s+$",
    re.IGNORECASE,
)
_BEFORE_CHARS: Final = 30
_SPEECH_AFTER_RE: Final = re.compile(
    r"^,?\s+(?:juga\s+|pun\s+|kemudian\s+|lantas\s+|sebelumnya\s+|saat\s+itu\s+)?(?:mengatakan|"
    r"menyatakan|menjelaskan|menambahkan|mengungkapkan|menegaskan|menyebut|menyebutkan|"
    r"menyampaikan|menilai|mengaku|berkata|menuturkan|memastikan|membenarkan|mendesak|"
    r"merespons|said|says|told|added)\b"
)
_ANCHOR_RE: Final = re.compile(
    rf"\b(?:kata|ujar|ungkap|tutur|tegas|imbuh|ucap|beber|sanjang|menurut|[Mm]enurut|said)\s+"
    rf"({_TOKEN})|({_TOKEN})\s+(?:mengatakan|menjelaskan|menambahkan|menegaskan|mengungkapkan|"
    rf"said|says)\b"
)


@dataclass(frozen=True, slots=True)
class Mention:
    """Where a person is named: paragraph index, character offsets, canonical name."""

    paragraph: int
    start: int
    end: int
    name: str
    speaks: bool  # named as a speaker (`kata X`, `X mengatakan`) or introduced with an age


@dataclass(frozen=True, slots=True)
class EntityAnalysis:
    """Entities plus the person mentions that quote attribution resolves against."""

    entities: Entities
    person_mentions: tuple[Mention, ...]


@dataclass(slots=True)
class _Candidate:
    kind: Kind
    text: str
    first: int
    count: int = 0
    cued: bool = False
    aliases: set[str] = field(default_factory=set)
    alnum: str = field(init=False)  # letters and digits only: `Al Jazeera` == `Al-Jazeera`
    words: list[str] = field(init=False)

    def __post_init__(self) -> None:
        self.alnum = "".join(ch for ch in self.text.casefold() if ch.isalnum())
        self.words = self.text.split()


def _fold(token: str) -> str:
    return token.rstrip(".").casefold()


def _is_acronym(token: str) -> bool:
    letters = token.replace("-", "")
    return len(letters) >= 2 and letters.isupper() and letters.isalpha()


def _is_plain(token: str) -> bool:
    """A token that may be part of a person's name."""
    return (
        not _is_acronym(token)
        and _fold(token) not in _NOT_PLAIN
        and not any(ch.isdigit() for ch in token)
    )


def _tokens(span: str) -> list[tuple[str, int]]:
    """Tokens of a span with their offsets; possessives dropped, glued words cut off."""
    out: list[tuple[str, int]] = []
    offset = 0
    for raw in span.split(" "):
        token = raw[:-2] if raw.endswith(("'s", "\u2019s")) else raw
        glued = _GLUED_RE.match(token) if token[-1].islower() else None
        if glued is not None and _fold(token) not in _PLACES:
            token = glued.group(0)
        else:
            glued = None
        parts = _CAMEL_RE.split(token) if token[1:] != token[1:].lower() else [token]
        if len(parts) > 1 and _fold(parts[0]) in _PLACES_OR_STOP:
            out.extend((part, offset + token.index(part)) for part in parts)
        else:
            out.append((token, offset))
        if glued is not None:
            break
        offset += len(raw) + 1
    return out


def _place_length(tokens: list[str], start: int) -> int:
    """How many tokens from `start` form a gazetteer place (with extenders), or 0."""
    size = _gazetteer_length(tokens, start, _PLACES, _PLACE_FIRST_WORDS)
    if size:
        end = start + size
        while end < len(tokens) and _fold(tokens[end]) in _EXTENDERS:
            end += 1
        return end - start
    return 0


def _known_org_length(tokens: list[str], start: int) -> int:
    return _gazetteer_length(tokens, start, _KNOWN_ORGS, _ORG_FIRST_WORDS)


def _gazetteer_length(
    tokens: list[str], start: int, names: frozenset[str], first_words: frozenset[str]
) -> int:
    """Longest entry of `names` (up to 3 words) starting at `tokens[start]`, or 0."""
    first = _fold(tokens[start])
    if first in first_words:  # only then can a two- or three-word entry start here
        for size in (3, 2):
            if (
                start + size <= len(tokens)
                and " ".join(map(_fold, tokens[start : start + size])) in names
            ):
                return size
    return 1 if first in names else 0


@dataclass(slots=True)
class _Reader:
    """Types the spans of a text, collecting candidates, aliases and person mentions."""

    anchors: frozenset[str]
    found: dict[str, _Candidate] = field(default_factory=dict)
    redirect: dict[str, str] = field(default_factory=dict)  # alias key -> canonical key
    suppressed: set[str] = field(default_factory=set)
    mentions: list[tuple[int, int, str, bool]] = field(default_factory=list)
    order: int = 0
    alias_of: str | None = None  # set while reading the span after `atau`/`alias`
    alias_end: int = 0

    def add(self, kind: Kind, text: str, where: tuple[int, int], cued: bool, speaks: bool
            ) -> str:  # fmt: skip
        key = text.casefold()
        if self.alias_of is not None and self.alias_of != key:
            self.redirect[key] = self.alias_of
        key = self.redirect.get(key, key)
        self.order += 1
        candidate = self.found.get(key)
        if candidate is None:
            candidate = self.found[key] = _Candidate(kind, text, self.order)
        candidate.count += 1
        candidate.cued |= cued
        if candidate.kind == "person" and where[0] >= 0:
            self.mentions.append((where[0], where[1], key, speaks))
        return key

    def read(self, paragraph: int, text: str, *, title: bool = False) -> None:
        for match in _SPAN_RE.finditer(text):
            if self.alias_of is not None and match.start() > self.alias_end:
                self.alias_of = None
            before = text[max(0, match.start() - 40) : match.start()]
            after = text[match.end() : match.end() + 60]
            last = self._span(
                paragraph, match.start(), match.group(0), (before, after), title=title
            )
            abbr = _ABBR_AFTER_RE.match(after)
            if abbr is not None:
                self._abbreviation(abbr.group(1), last)
            self.alias_of = None
            alias = _ALIAS_AFTER_RE.match(after)
            if alias is not None and last is not None:
                self.alias_of, self.alias_end = last, match.end() + alias.end()

    def _abbreviation(self, abbr: str, last: str | None) -> None:
        """`Kejaksaan Agung (Kejagung)`: the abbreviation is the entity's alias, or noise."""
        if last is not None:
            self.redirect[abbr.casefold()] = last
            self.found[last].aliases.add(abbr)
        else:
            self.suppressed.add(abbr.casefold())

    def _span(self, paragraph: int, offset: int, span: str, context: tuple[str, str], *,
              title: bool) -> str | None:  # fmt: skip
        before, after = context
        pairs = _tokens(span)
        tokens = [t for t, _ in pairs]
        i = 0
        while i < len(tokens) and _fold(tokens[i]) in _STOP and _fold(tokens[i]) not in _HEAD_WORDS:
            i += 1
        if i:  # stripped leading words (`Menurut`, `Kata`) are context for the rest
            before = before + span[: pairs[i][1]] if i < len(pairs) else before
        if i == len(tokens):
            return None
        sentence_start = i == 0 and bool(_SENTENCE_START_RE.search(before))
        parse = _Parse(self, paragraph, offset, span, pairs, before, after, title=title)
        return parse.run(i, sentence_start)


@dataclass(slots=True)
class _Parse:
    """One span, read left to right into typed segments (see the module docstring)."""

    reader: _Reader
    paragraph: int
    offset: int
    span: str
    pairs: list[tuple[str, int]]
    before: str
    after: str
    title: bool
    last: str | None = None
    cue: bool = False  # a title or speech verb announced a person
    context: str | None = None  # which group of _BEFORE_RE matched before the span
    after_other: bool = False
    sentence_start: bool = False

    tokens: list[str] = field(init=False)

    def __post_init__(self) -> None:
        self.tokens = [token for token, _ in self.pairs]

    def text(self, start: int, end: int) -> str:
        token, position = self.pairs[end - 1]
        return self.span[self.pairs[start][1] : position + len(token)]

    def emit(self, kind: Kind, start: int, end: int, *, cued: bool = True,
             speaks: bool = False) -> None:  # fmt: skip
        text = self.text(start, end).strip(" ,.-")
        folded = text.casefold()
        if len(text) < 2 or folded in _STOP or folded in _NOT_ENTITY:
            return
        if folded in self.reader.suppressed:
            return
        where = (self.paragraph, self.offset + self.pairs[start][1]) if not self.title else (-1, 0)
        self.last = self.reader.add(kind, text, where, cued, speaks)

    def run(self, i: int, sentence_start: bool) -> str | None:
        """Type the tokens from `i` on; return the key of the last entity emitted."""
        n = len(self.pairs)
        match = _BEFORE_RE.search(self.before, max(0, len(self.before) - _BEFORE_CHARS))
        self.context = match.lastgroup if match else None
        self.cue = self.context in ("speech", "person")
        if i == 0 and self.context == "org" and not self.title:
            self.emit("organization", 0, n)  # `dilansir Channel News Asia`
            return self.last
        self.sentence_start = sentence_start
        steps = (
            (self._gazetteer_only,)
            if self.title  # headlines are title case: only the gazetteers are trusted there
            else (self._headed, self._gazetteer, self._title, self._acronym, self._plain_step)
        )
        while i < n:
            for step in steps:
                j = step(i)
                if j is not None:
                    i = j
                    break
            else:
                # `Unit Mobil Mercedes Benz`: no name after a common word; `A dan B`: a
                # conjunction starts a new name.
                self.after_other = self.tokens[i] not in ("dan", "&")
                i += 1
        return self.last

    def _gazetteer_only(self, i: int) -> int | None:
        tokens = self.tokens
        size = _place_length(tokens, i)
        if size:
            self.emit("location", i, i + size)
            return i + size
        size = _known_org_length(tokens, i)
        if size:
            self.emit("organization", i, i + size)
            return i + size
        return None

    def _headed(self, i: int) -> int | None:
        """`Balai Kota Jakarta`, `PT Gag Nikel`, `Kabupaten Jembrana`."""
        tokens, n = self.tokens, len(self.tokens)
        folded = _fold(tokens[i])
        nxt = _fold(tokens[i + 1]) if i + 1 < n else ""
        if (folded, nxt) in (("balai", "kota"), ("bandar", "udara")):
            j = self._consume(i + 2, location=True)
            self.emit("location", i, j)
            return j
        if folded in _ORG_HEADS or (folded, nxt) == ("rumah", "sakit"):
            j = self._consume(i + 1, location=False)
            if j > i + 1:
                self.emit("organization", i, j)
            return j
        if folded in _LOC_HEADS and nxt and nxt not in _STOP:
            j = self._consume(i + 1, location=True)
            self.emit("location", i, j)
            return j
        return None

    def _gazetteer(self, i: int) -> int | None:
        """A known place (`Jawa Barat`, `Bogor Selatan`) or organisation (`Polri`)."""
        tokens = self.tokens
        size = _place_length(tokens, i)
        if size and i + size < len(tokens) and _fold(tokens[i + size]) in _ORG_TAILS:
            j = self._org_tail(i + size)  # `Jakarta Post`, `Commonwealth Bank of Australia`
            self.emit("organization", i, j)
            return j
        if size:
            self.emit("location", i, i + size)
            return i + size
        size = _known_org_length(tokens, i)
        if size:
            self.emit("organization", i, i + size)
            return i + size
        return None

    def _title(self, i: int) -> int | None:
        """`Kabid Humas`, `Wali Kota`, `AKBP`: skip the title, a name is expected next."""
        tokens, n = self.tokens, len(self.tokens)
        folded = _fold(tokens[i])
        if folded not in _TITLES or (
            folded == "wali" and i + 1 < n and _fold(tokens[i + 1]) != "kota"
        ):
            return None
        j = i + 1
        while j < n and (
            _fold(tokens[j]) in _TITLE_WORDS
            or tokens[j] in ("dan", "&")
            or (folded == "wali" and j == i + 1)
        ):
            j += 1
        self.cue = True
        return j

    def _acronym(self, i: int) -> int | None:
        tokens = self.tokens
        if not _is_acronym(tokens[i]):
            return None
        j = i + 1
        if j < len(tokens) and _fold(tokens[j]) in _ORG_TAILS:
            j = self._org_tail(j)
        folded = _fold(tokens[i])
        # A short unknown acronym after a title is a person's initials (`Aipda PS`).
        if folded not in _NOT_ENTITY and len(tokens[i]) >= 3 and not (self.cue and j == i + 1):
            self.emit("organization", i, j)
        self.after_other = True
        return j

    def _plain_step(self, i: int) -> int | None:
        tokens = self.tokens
        j = self._plain_run(i)
        if j == i:
            return None
        if j < len(tokens) and _fold(tokens[j]) in _ORG_TAILS:
            end = self._org_tail(j)  # `Saudia Airlines`, `The ... Resource Center`
            self.emit("organization", i - (i > 0 and tokens[i - 1] == "The"), end)
            return end
        self._plain(i, j)
        return j

    def _plain(self, i: int, j: int) -> None:
        """Type a run of name-like words by its context."""
        tokens = self.tokens
        at_end = j == len(tokens)
        speech_before = i == 0 and self.context == "speech"
        cue, after_other = self.cue, self.after_other
        speaks = speech_before or (at_end and bool(_SPEECH_AFTER_RE.match(self.after)))
        aged = at_end and bool(_AGE_AFTER_RE.match(self.after))
        anchored = any(t in self.reader.anchors for t in tokens[i:j])
        if cue or speaks or aged or anchored:
            self.emit("person", i, j, speaks=speaks or aged)
        elif i == 0 and self.context == "place":
            self.emit("location", i, j)
        elif j - i >= 2 and not after_other and not (at_end and _ABBR_AFTER_RE.match(self.after)):
            self.emit("person", i, j, cued=not (self.sentence_start and i == 0))

    def _plain_run(self, i: int) -> int:
        """End of the run of name-like tokens starting at `i` (== i when there is none)."""
        tokens = self.tokens
        j = i
        while j < len(tokens):
            token = tokens[j]
            if j > i and _fold(token) in _ORG_TAILS:
                break
            if _is_plain(token):
                if "-" in token and all(len(p) >= 3 and p[0].isupper() for p in token.split("-")):
                    # `Ganjar Pranowo-Mahfud`: two names joined by a hyphen
                    self.pairs[j] = (token.split("-")[0], self.pairs[j][1])
                    tokens[j] = self.pairs[j][0]
                    return j + 1
                j += 1
            elif j > i and token in _NAME_LINKS and j + 1 < len(tokens):
                j += 1
            elif j > i and len(token) <= 2 and token.isupper() and j + 1 == len(tokens):
                j += 1  # `Mahfud MD`, `Andri M Rijal`
            else:
                break
        return j

    def _consume(self, j: int, *, location: bool) -> int:
        """End of an organisation or place name that started before `j`."""
        tokens = self.tokens
        start = j
        while j < len(tokens):
            folded = _fold(tokens[j])
            if folded in _BREAKS:
                break
            if j > start and (folded in _TITLES or tokens[j] in self.reader.anchors):
                break
            if (
                j > start
                and self.cue
                and _is_plain(tokens[j])
                and (_is_acronym(tokens[j - 1]) or _fold(tokens[j - 1]) in _PLACES)
            ):
                break  # `Pos SAR Banyuwangi | Wahyu Setia Budi`
            if location and j > start and folded in _ORG_HEADS:
                break
            j += 1
        while j > start and tokens[j - 1] in ("dan", "of", "the", "&"):
            j -= 1
        return j

    def _org_tail(self, j: int) -> int:
        """Past an organisation tail word and an `of <place>`/place that completes it."""
        tokens = self.tokens
        j += 1
        if j + 1 < len(tokens) and tokens[j] == "of":
            size = _place_length(tokens, j + 1) or (1 if _is_plain(tokens[j + 1]) else 0)
            return j + 1 + size if size else j
        return j + (_place_length(tokens, j) if j < len(tokens) else 0)


def _anchor_tokens(paragraphs: tuple[str, ...]) -> frozenset[str]:
    """Capitalised words used as speakers (`kata Agus`, `Agus mengatakan`): name parts."""
    found: set[str] = set()
    for paragraph in paragraphs:
        for match in _ANCHOR_RE.finditer(paragraph):
            token = match.group(1) or match.group(2)
            if _is_plain(token):
                found.add(token)
    return frozenset(found)


def find_entities(title: str | None, paragraphs: tuple[str, ...]) -> EntityAnalysis:
    """Entities of the body (counted over body and title) and the person mentions."""
    reader = _Reader(anchors=_anchor_tokens(paragraphs))
    for index, paragraph in enumerate(paragraphs):
        reader.read(index, paragraph)
    if title:
        reader.read(-1, title, title=True)
    canonical = _merge(reader)
    body = "\n".join(paragraphs)
    by_kind: dict[Kind, list[_Candidate]] = {"person": [], "location": [], "organization": []}
    for key, candidate in reader.found.items():
        if key in canonical or not candidate.cued:
            continue
        candidate.count = max(_count(candidate, body, title), 1)
        by_kind[candidate.kind].append(candidate)
    mentions = tuple(
        Mention(p, s, s + len(reader.found[k].text), reader.found[canonical.get(k, k)].text, sp)
        for p, s, k, sp in reader.mentions
        if reader.found[canonical.get(k, k)].kind == "person"
    )
    return EntityAnalysis(
        entities=Entities(
            person=_ranked(by_kind["person"]),
            location=_ranked(by_kind["location"]),
            organization=_ranked(by_kind["organization"]),
        ),
        person_mentions=mentions,
    )


def _merge(reader: _Reader) -> dict[str, str]:
    """Map each alias or short form (key) to the key of its fullest form."""
    found = reader.found
    canonical = {k: v for k, v in reader.redirect.items() if k in found and v in found}
    items = [(k, c) for k, c in found.items() if k not in canonical]
    for key, short in items:
        targets = [k for k, full in items if k != key and _is_short_form(short, full)]
        if targets:
            canonical[key] = max(targets, key=lambda k: (found[k].count, len(found[k].text)))
    resolved: dict[str, str] = {}
    for key, first_target in canonical.items():
        target, seen = first_target, {key}
        while target in canonical and target not in seen:
            seen.add(target)
            target = canonical[target]
        resolved[key] = target
    for key, target in list(resolved.items()):
        short, full = found[key], found[target]
        if (
            short.kind == full.kind == "location"
            and short.count >= full.count
            and _fold(full.words[0]) in _ADMIN_HEADS
        ):
            # `Banyuwangi` written alone more often than `Kabupaten Banyuwangi`: the
            # article's own usage wins over the administrative form.
            resolved = {k: (key if t == target else t) for k, t in resolved.items() if k != key}
            resolved[target] = key
            short, full = full, short
        full.aliases.add(short.text)
        full.cued |= short.cued
    return resolved


def _is_short_form(short: _Candidate, full: _Candidate) -> bool:
    """Whether `short` names the same entity as the longer `full`."""
    if short.alnum == full.alnum:
        return short.count < full.count or (short.count == full.count and short.first > full.first)
    if len(full.text) <= len(short.text) or short.kind not in (full.kind, "person"):
        return False
    tokens, full_tokens = short.words, full.words
    heads = _HEADS
    if short.kind == full.kind == "person":
        return tokens in (full_tokens[: len(tokens)], full_tokens[-len(tokens) :])
    if short.kind == "person":  # `Mayora Indah` inside `PT Mayora Indah Tbk`
        return (
            (not short.cued or full.kind != "person")
            and f" {short.text} " in f" {full.text} "
            and _fold(full_tokens[0]) in heads
        )
    if short.kind != full.kind:
        return False
    return (
        # `Banyuwangi` in `Kabupaten Banyuwangi`; `Kualanamu` in `Bandara Internasional
        # Kualanamu`, but a known place is not a site named after it (`Pendopo ... Sampang`).
        (
            full.text.endswith(" " + short.text)
            and (
                _fold(full_tokens[0]) in _ADMIN_HEADS
                or (_fold(full_tokens[0]) in _LOC_HEADS and short.text.casefold() not in _PLACES)
            )
        )
        # `Golkar` for `Partai Golkar` (but not `PDIP` for `Sekolah Partai PDIP`)
        or (full_tokens[1:] == tokens and _fold(full_tokens[0]) in _ORG_HEADS)
        or (full_tokens[: len(tokens)] == tokens and short.kind == "organization")
        or (
            (full_tokens[0], full_tokens[-1]) == (tokens[0], tokens[-1])
            and set(tokens) <= set(full_tokens)
        )
        or _abbreviates(short, full)
    )


def _abbreviates(short: _Candidate, full: _Candidate) -> bool:
    """`Kementerian ESDM` for `Kementerian Energi dan Sumber Daya Mineral`, `Polda Sumut`
    for `Polda Sumatera Utara`: same kind, same words around an acronym or a place alias."""
    if short.kind != full.kind or short.kind == "person":
        return False
    tokens = [_PLACE_ALIASES.get(_fold(t), t) for t in short.text.split()]
    long_tokens = full.text.split()
    if " ".join(tokens) == full.text:
        return True
    for index, token in enumerate(tokens):
        if not _is_acronym(token):
            continue
        head, tail = tokens[:index], tokens[index + 1 :]
        middle = long_tokens[len(head) : len(long_tokens) - len(tail)]
        if long_tokens[: len(head)] != head or (tail and long_tokens[-len(tail) :] != tail):
            continue
        initials = "".join(w[0] for w in middle if w[0].isupper())
        if len(middle) >= 2 and initials == token.replace("-", ""):
            return True
    return False


def _count(candidate: _Candidate, body: str, title: str | None) -> int:
    """Whole-word mentions of the entity or its aliases in body and title.

    Longer names are counted first and their matches claimed, so `Putin` inside `Vladimir
    Putin` is one mention. `str.find` beats compiling a regex per entity by ~20x.
    """
    total = 0
    for text in (body, title or ""):
        claimed: list[tuple[int, int]] = []
        for name in sorted({candidate.text, *candidate.aliases}, key=len, reverse=True):
            start = text.find(name)
            while start >= 0:
                end = start + len(name)
                bounded = (start == 0 or not text[start - 1].isalnum()) and (
                    end == len(text) or not text[end].isalnum()
                )
                if bounded and not any(a <= start < b for a, b in claimed):
                    claimed.append((start, end))
                start = text.find(name, end)
        total += len(claimed)
    return total


def _ranked(candidates: list[_Candidate]) -> tuple[Entity, ...]:
    ordered = sorted(candidates, key=lambda c: (-c.count, c.first))
    return tuple(Entity(text=c.text, count=c.count) for c in ordered[:MAX_PER_TYPE])
