"""Direct quotes and their speakers.

A quote is the text between quotation marks (`"…"`, `“…”`), without a trailing comma; a quote
that never closes runs to the end of its paragraph. Its attribution is read next to it:

- after it: `kata X`, `ujar Kapolres Bogor AKBP X`, `X menegaskan`, `said X`, `she added`,
  pronoun forms (`ujarnya`, `katanya`, `kata dia`, `dia menambahkan`, `lanjutnya`) and
  descriptions (`kata wanita yang akrab disapa Ami ini`);
- before it: `X mengatakan: "…"`, `Menurut X, "…"`;
- none: a quote that directly follows another one continues its speaker.

Names are resolved to the fullest form known from entity extraction; pronouns and
descriptions resolve to the person who last spoke in the text before the quote (a person
followed by a speech verb or named in an attribution), looking back two paragraphs, else to
the last person mentioned. Quotes whose speaker cannot be identified are not reported.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from worker.pipeline.entities import EntityAnalysis, Mention
from worker.pipeline.model import Quote
from worker.pipeline.wordscan import is_word_char

#: Shortest quote (in words) that is reported; shorter ones are scare quotes and titles.
MIN_WORDS: Final = 3
#: Paragraphs looked back through to resolve a pronoun attribution.
LOOKBACK_PARAGRAPHS: Final = 2

_VERBS: Final = (
    "kata|ujar|ungkap|jelas|tutur|tegas|imbuh|tambah|ucap|terang|sebut|papar|beber|lanjut|"
    "pungkas|tandas|tutup|timpal|seru|tanya|jawab|aku|klaim|sanjang|tembung|ngendika|"
    "sambung|urai|kilah|cetus|akui|tulis|minggah"
)
_NAME: Final = r"[A-ZÀ-Þ][\w'\u2019.-]*(?:,? (?:[A-ZÀ-Þ][\w'\u2019.-]*|dan|of|bin|binti|van|de))*"
_AFTER_VERB_RE: Final = re.compile(
    rf"^[\s,]*(?P<verb>(?:{_VERBS})(?P<nya>nya)?)\b(?P<rest>[^.!?\"“”]{{0,160}})",
    re.IGNORECASE,
)
_AFTER_SUBJECT_RE: Final = re.compile(
    rf"^[\s,]*(?P<subject>dia|ia|beliau|he|she|they|{_NAME})\s+(?:pun\s+|juga\s+)?"
    r"(?P<verb>menambahkan|menegaskan|mengatakan|menjelaskan|melanjutkan|menyatakan|"
    r"mengungkapkan|menuturkan|menyebut|berkata|said|says|added|told|explained)\b"
)
_AFTER_SAID_RE: Final = re.compile(rf"^[\s,]*(?P<verb>said|says|added|told)\s+(?P<subject>{_NAME})")
_BEFORE_RE: Final = re.compile(
    rf"(?:(?P<subject>{_NAME})\s+(?:mengatakan|menegaskan|menjelaskan|menyatakan|"
    rf"menambahkan|mengungkapkan|berkata|said)|(?:[Mm]enurut|[Kk]ata|[Uu]jar)\s+"
    rf"(?P<subject2>{_NAME}))\s*[,:]?\s*$"
)
_NAME_AFTER_RE: Final = re.compile(rf"\s+(?P<name>{_NAME})")
_SENTENCE_BETWEEN_RE: Final = re.compile(r"[A-Z][a-z]+ [a-z]+ [a-z]+ [a-z]+")
_PRONOUN_RE: Final = re.compile(r"^(?:dia|ia|beliau|he|she|they|nya)\b", re.IGNORECASE)


# Immutable by their `Final` fields rather than `frozen=True`: compiled, a frozen
# dataclass is built by its generated `__init__` in Python (~1 us a call), a written-out
# one natively.
@dataclass(slots=True, init=False)
class _Span:
    paragraph: Final[int]
    start: Final[int]  # index of the opening mark
    end: Final[int]  # index just after the closing mark (paragraph end when unclosed)
    text: Final[str]

    def __init__(self, paragraph: int, start: int, end: int, text: str) -> None:
        self.paragraph = paragraph
        self.start = start
        self.end = end
        self.text = text


def _quote_spans(index: int, paragraph: str) -> list[_Span]:
    """The quotes of a paragraph: from `"` or `“` to the next `"` or `”` (a `”` where none
    is open and a `“` inside one are text), or to the paragraph's end."""
    spans: list[_Span] = []
    opening = _next_mark(paragraph, "“", 0)
    while opening >= 0:
        closing = _next_mark(paragraph, "”", opening + 1)
        if closing < 0:
            spans.append(_span(index, paragraph, opening, len(paragraph)))
            break
        spans.append(_span(index, paragraph, opening, closing + 1))
        opening = _next_mark(paragraph, "“", closing + 1)
    return spans


def _next_mark(paragraph: str, curly: str, start: int) -> int:
    """Index of the first `"` or `curly` from `start`, or -1. (Two `str.find` instead of a
    regex scan for the marks, which tests every character against the set.)"""
    straight = paragraph.find('"', start)
    other = paragraph.find(curly, start, straight if straight >= 0 else len(paragraph))
    return other if other >= 0 else straight


def _span(index: int, paragraph: str, start: int, end: int) -> _Span:
    inner = paragraph[start + 1 : end - 1 if end < len(paragraph) or paragraph[-1] in "\"”"
                      else end]  # fmt: skip
    return _Span(index, start, end, inner.strip().rstrip(",").strip())


@dataclass(slots=True, init=False)
class _People:
    """What speaker names resolve against, prepared once per article."""

    # Each person's full name with the forms that identify it: the full name and its
    # words, those of 3+ characters.
    names: Final[tuple[tuple[str, tuple[str, ...]], ...]]
    mentions: Final[tuple[Mention, ...]]

    def __init__(self, analysis: EntityAnalysis) -> None:
        self.names = tuple(
            (
                entity.text,
                tuple(form for form in {entity.text, *entity.text.split()} if len(form) >= 3),
            )
            for entity in analysis.entities.person
        )
        self.mentions = analysis.person_mentions


def _resolve(name: str, people: _People) -> str:
    """The fullest known person name contained in `name` (rightmost wins), else `name`."""
    best: tuple[int, str] | None = None
    for full_name, forms in people.names:
        for form in forms:
            end = _last_whole_word_end(form, name) if form in name else -1
            if end >= 0 and (best is None or end > best[0]):
                best = (end, full_name)
    if best is not None:
        return best[1]
    for mention in people.mentions:
        if mention.name in name:
            return mention.name
    return name.rsplit(",", maxsplit=1)[-1].strip()


def _last_whole_word_end(word: str, text: str) -> int:
    """End of the last whole-word occurrence of `word` in `text` (-1 if none), scanning
    like `re.finditer(r"(?<!\\w)word(?!\\w)")` does: a match hides occurrences that overlap it.

    `str.find` instead of compiling a pattern per name (the names differ per article).
    """
    last, start = -1, text.find(word)
    while start >= 0:
        end = start + len(word)
        if (start == 0 or not is_word_char(text[start - 1])) and (
            end == len(text) or not is_word_char(text[end])
        ):
            last, start = end, text.find(word, end)
        else:
            start = text.find(word, start + 1)
    return last


def _last_speaker(mentions: tuple[Mention, ...], quotes: list[_Span], span: _Span) -> str | None:
    """The person who last spoke (or was last named) before `span`, outside quotes.

    `mentions` are in text order.
    """
    quoted: dict[int, list[tuple[int, int]]] = {}
    for quote in quotes:
        quoted.setdefault(quote.paragraph, []).append((quote.start, quote.end))
    # The last of each kind of mention before `span`, outside quotes: a named speaker
    # nearby beats anyone merely mentioned; a speaker further back beats a person
    # mentioned in passing (`... bernama Puput` after `kata Agus`).
    recent_speaker = speaker = recent = anyone = None
    for mention in mentions:
        if (mention.paragraph, mention.start) >= (span.paragraph, span.start):
            break
        ranges = quoted.get(mention.paragraph, ())
        if any(start <= mention.start < end for start, end in ranges):
            continue
        anyone = mention.name
        is_recent = mention.paragraph >= span.paragraph - LOOKBACK_PARAGRAPHS
        if is_recent:
            recent = mention.name
        if mention.speaks:
            speaker = mention.name
            if is_recent:
                recent_speaker = mention.name
    for name in (recent_speaker, speaker, recent, anyone):
        if name is not None:
            return name
    return None


def extract_quotes(paragraphs: tuple[str, ...], analysis: EntityAnalysis) -> tuple[Quote, ...]:
    """Every attributed direct quote, in text order."""
    # Most paragraphs have no quotation mark: three substring checks are cheaper than the
    # regex scan in `_quote_spans`.
    spans = [
        span
        for index, paragraph in enumerate(paragraphs)
        if '"' in paragraph or "“" in paragraph or "”" in paragraph
        for span in _quote_spans(index, paragraph)
    ]
    if not spans:
        return ()
    quotes: list[Quote] = []
    previous: tuple[_Span, str | None] | None = None
    # Speakers named in attributions count as speaking at the end of their quote, so a
    # later `katanya` finds `kata Ketua ..., Andri M Rijal` even without a speech verb
    # right next to the name.
    mentions = list(analysis.person_mentions)
    people = _People(analysis)
    for position, span in enumerate(spans):
        if len(span.text.split(None, MIN_WORDS - 1)) < MIN_WORDS:
            continue  # (split no further than it takes to tell)
        paragraph = paragraphs[span.paragraph]
        speaker, attribution = _attribution(paragraph, span, people)
        if speaker == "":  # pronoun or description
            ordered = tuple(sorted(mentions, key=lambda m: (m.paragraph, m.start)))
            speaker = _last_speaker(ordered, spans[:position], span)
            if previous is not None and previous[1] and _adjacent(paragraphs, previous[0], span):
                speaker = previous[1]
        elif speaker is None and previous is not None and _adjacent(paragraphs, previous[0], span):
            speaker = previous[1]
        elif speaker:
            mentions.append(Mention(span.paragraph, span.end, span.end, speaker, speaks=True))
        if speaker:
            quotes.append(Quote(text=span.text, speaker=speaker, attribution=attribution))
            previous = (span, speaker)
    return tuple(quotes)


def _adjacent(paragraphs: tuple[str, ...], first: _Span, second: _Span) -> bool:
    """Whether `second` directly continues `first` (same or next paragraph, little between)."""
    if second.paragraph == first.paragraph:
        gap = paragraphs[first.paragraph][first.end : second.start]
        return len(gap) < 120 and not _SENTENCE_BETWEEN_RE.search(gap[:3])
    return second.paragraph == first.paragraph + 1 and second.start == 0


def _attribution(paragraph: str, span: _Span, people: _People) -> tuple[str | None, str | None]:
    """(speaker, attribution) next to `span`: speaker "" means a pronoun to resolve."""
    after = paragraph[span.end :]
    # The readers in turn, the first that finds one wins (a found pair is never falsy).
    found = (
        _after_verb(after, people) or _after_subject(after, people) or _after_said(after, people)
    )
    if found is not None:
        return found
    match = _BEFORE_RE.search(paragraph[max(0, span.start - 200) : span.start])
    if match is not None:
        subject = match.group("subject") or match.group("subject2")
        return _resolve(subject, people), match.group(0).strip(" ,:")
    return None, None


def _after_verb(after: str, people: _People) -> tuple[str, str] | None:
    """`kata Kapolres Bogor AKBP Rio Wahyu Anggoro`, `ujarnya`, `kata wanita yang ...`."""
    match = _AFTER_VERB_RE.match(after)
    if match is None:
        return None
    rest, verb = match.group("rest"), match.group("verb")
    name = _NAME_AFTER_RE.match(rest)
    if match.group("nya") or name is None or _PRONOUN_RE.match(rest.strip()):
        phrase = verb if match.group("nya") else (verb + rest).split(",")[0].strip()
        return "", phrase
    return _resolve(name.group("name"), people), f"{verb} {name.group('name')}".rstrip(",")


def _after_subject(after: str, people: _People) -> tuple[str, str] | None:
    """`Widiyanti menegaskan`, `dia menambahkan`."""
    match = _AFTER_SUBJECT_RE.match(after)
    if match is None:
        return None
    subject = match.group("subject")
    phrase = f"{subject} {match.group('verb')}"
    return ("", phrase) if _PRONOUN_RE.match(subject) else (_resolve(subject, people), phrase)


def _after_said(after: str, people: _People) -> tuple[str, str] | None:
    """`said Kristina Clifton`."""
    match = _AFTER_SAID_RE.match(after)
    if match is None:
        return None
    subject = match.group("subject")
    return _resolve(subject, people), f"{match.group('verb')} {subject}"
