"""What the text around a capitalised span says about it, and speaker anchors.

`cue_before` reads the words right before a span (`kata`, `bernama`, `di`, `dilansir`),
`starts_sentence` whether the span opens a sentence, and `anchor_tokens` the capitalised
words that a text uses as speakers (`kata Agus`, `Agus mengatakan`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from types import MappingProxyType
from typing import Final

from worker.pipeline.entity_lexicon import UPPER, token_info
from worker.pipeline.wordscan import is_word_char

__all__ = ["TOKEN", "UPPER", "anchor_tokens", "cue_before", "starts_sentence"]

# A capitalised word, an initial (`M.`) or an abbreviated title (`Dr.`). Every form starts
# with the capital, written first so that the regex engine can skip to the next capital
# (a pattern that starts with a group or a `\b` is tried at every position: ~4x slower).
# The titles are tried first, as before, but only when a dot follows within three
# letters; the lookbehinds pick the title the capital starts. The word form is atomic:
# its greedy match is the only one that whitespace can follow, and giving characters
# back one by one when the text after a name does not fit (`Name mengatakan`) cost
# half of the speaker scan.
TOKEN: Final = (
    rf"[{UPPER}](?:(?=[a-z]{{0,3}}\.)(?:(?<=D)r|(?<=P)rof|(?<=I)r|(?<=J)l|(?<=H)j|(?<=H)|(?<=S)t"
    rf"|(?<=M)r|(?<=M)rs|(?<=M)s|(?<=D)rs|(?<=D)ra|(?<=S)dr)\.|\.(?= [{UPPER}])"
    rf"|(?>[\w'\u2019]*(?:-[\w'\u2019]+)*(?:\.com|\.co\.id)?))"
)
# What the words just before a span say about it (the cue ends right before the span):
# single words, two-word cues, and organisation words that may take one more word
# (`dilansir dari`, `media Inggris`), lower case.
_CUES: Final = MappingProxyType({
    "speech": ("kata", "ujar", "ungkap", "jelas", "tutur", "tegas", "imbuh", "tambah", "ucap",
               "beber", "sanjang", "tembung", "lanjut", "terang", "papar", "pungkas", "tandas",
               "menurut", "said"),
    "person": ("bernama", "sosok", "saudara", "sdr", "sdr.", "asuhan", "dijaga", "absennya",
               "putra", "putri", "istri", "suami", "anak", "ayah", "ibu", "adik", "kakak"),
    "place": ("di", "ke", "dari", "asal", "menuju", "wilayah", "kawasan", "perairan", "daerah",
              "negara", "kota", "in", "at", "from"),
    "org": ("diberitakan", "dilansir", "dikutip", "mengutip", "melansir", "laporan", "media",
            "klub", "grup", "kelompok", "sanggar", "perusahaan", "aplikasi", "platform",
            "partai", "organisasi", "band"),
})  # fmt: skip
_TWO_WORD_CUES: Final = MappingProxyType({"according to": "speech", "dipimpin oleh": "person"})
_WORD_TAIL_RE: Final = re.compile(r"[A-Za-z0-9_]+\Z")
_CUE_OF: Final = MappingProxyType({w: group for group, ws in _CUES.items() for w in ws})
# Words that can start a two-word cue (`according to`, `pengamat politik`, `media Inggris`).
_TWO_WORD_FIRSTS: Final = frozenset(
    (*(cue.split()[0] for cue in _TWO_WORD_CUES), "pengamat", *_CUES["org"])
)


def _alternatives(cues: tuple[str, ...]) -> str:
    return "|".join(map(re.escape, cues))


# The same cues as one regex, for text the word lookups below do not cover. At most one
# cue can end at the end of the text from a given start, so the leftmost start decides.
_BEFORE_RE: Final = re.compile(
    rf"\b(?:(?P<speech>{_alternatives(_CUES['speech'])}|according to)"
    rf"|(?P<person>{_alternatives(_CUES['person'])}|dipimpin oleh|pengamat \w+)"
    rf"|(?P<place>{_alternatives(_CUES['place'])})"
    rf"|(?P<org>(?:{_alternatives(_CUES['org'])})(?:\s+(?:dari|[a-z]+))?))\s+$",
    re.IGNORECASE,
)
_BEFORE_CHARS: Final = 30
# A speaker next to a speech verb: `kata Agus` (verb first) and `Agus mengatakan` (name
# first). `anchor_tokens` finds where the verbs are and matches these there, then merges
# the matches as one `\bverb\s+name|name\s+verb\b` scan would.
_VERB_FIRST_VERBS: Final = (
    "kata", "ujar", "ungkap", "tutur", "tegas", "imbuh", "ucap", "beber", "sanjang", "menurut",
    "Menurut", "said",
)  # fmt: skip
_NAME_FIRST_VERBS: Final = (
    "mengatakan", "menjelaskan", "menambahkan", "menegaskan", "mengungkapkan", "said", "says",
)  # fmt: skip
# The verbs of each form and of both (`said`), for `anchor_tokens` to find each once.
_SHARED_VERBS: Final = tuple(v for v in _VERB_FIRST_VERBS if v in _NAME_FIRST_VERBS)
_VERB_FIRST_ONLY: Final = tuple(v for v in _VERB_FIRST_VERBS if v not in _SHARED_VERBS)
_NAME_FIRST_ONLY: Final = tuple(v for v in _NAME_FIRST_VERBS if v not in _SHARED_VERBS)
_ANCHOR_VERB_FIRST_RE: Final = re.compile(rf"(?:{'|'.join(_VERB_FIRST_VERBS)})\s+({TOKEN})")
_ANCHOR_NAME_FIRST_RE: Final = re.compile(rf"({TOKEN})\s+(?:{'|'.join(_NAME_FIRST_VERBS)})\b")
# The characters `[{UPPER}]` matches: where a TOKEN can start.
_CAPITALS: Final = frozenset(
    chr(c) for first, last in ("AZ", "ÀÖ", "ØÞ") for c in range(ord(first), ord(last) + 1)
)


def starts_sentence(before: str) -> bool:
    r"""Whether a span after `before` starts a sentence: `before` is empty or ends with
    `.`/`!`/`?` (and a closing quote) and whitespace, or with an opening quote.

    String tests instead of a `(?:^|[.!?]["”’]?\s+|["“]\s*)$` search, which tries every
    position of `before`.
    """
    stripped = before.rstrip()
    if not stripped:
        return before in ("", "\n")  # `^$`: `$` also matches before a final newline
    if stripped[-1] in '"“':
        return True
    if len(stripped) == len(before):
        return False
    last = stripped[-2:] if stripped[-1] in '"”\u2019' else stripped[-1:]
    return last[0] in ".!?"


def cue_before(before: str) -> str | None:
    """Which group of cues (`_CUES`) ends right before a span, if any.

    A cue is followed by whitespace up to the end of `before`, spans at most two words and
    starts within the last _BEFORE_CHARS characters, so only the last two
    whitespace-separated chunks matter. For ASCII chunks (the usual case) a few dictionary
    lookups give what `_BEFORE_RE` would; other text is searched with it.
    """
    last_char = before[-1:]
    if last_char != " ":
        if not last_char or not last_char.isspace():
            return None  # no whitespace between a cue and the span
        return _cue_before(before)
    # The usual case, `... previous word `: single spaces, ASCII letters, and a previous
    # word that cannot start a two-word cue. Then `word` alone decides.
    space = before.rfind(" ", 0, -1)  # the one before `word`, if any
    word = before[space + 1 : -1]
    if word.isalpha() and word.isascii():
        if space < 0:
            common = True  # nothing before `word`
        else:
            previous = before[before.rfind(" ", 0, space) + 1 : space]
            char = previous[-1:]
            if char.isalpha():
                common = (
                    previous.isalpha()
                    and previous.isascii()
                    and previous.lower() not in _TWO_WORD_FIRSTS
                )
            else:
                common = bool(char) and not char.isspace()  # a mark (`,`, `)`) before it
        if common:
            # The cue must start within the last _BEFORE_CHARS characters.
            return _CUE_OF.get(word.lower()) if len(word) < _BEFORE_CHARS else None
        return _cue_before(before)
    mark = before[-2:-1]
    if mark and not (mark.isalnum() or mark.isspace()):
        if mark == "." and before[-3:-2] in "rR":  # `sdr. `: a cue
            return _cue_before(before)
        if mark != "_":
            return None  # every cue ends with a letter or `.` (`sdr.`)
    return _cue_before(before)


def _cue_before(before: str) -> str | None:
    """`cue_before` for any text."""
    stripped = before.rstrip()
    if not stripped or len(stripped) == len(before):
        return None
    if not (stripped[-1].isalnum() or stripped[-1] in "._"):
        return None  # every cue ends with a word character or `.` (`sdr.`)
    chunks = stripped.rsplit(None, 2)
    last = chunks[-1]
    previous = chunks[-2] if len(chunks) >= 2 else ""
    last_start = len(stripped) - len(last)
    first = len(before) - _BEFORE_CHARS  # earliest start of a cue
    previous_start = len(stripped[:last_start].rstrip()) - len(previous)
    search_from = max(previous_start, first, 0) if previous else max(first, 0)
    if not (last.isascii() and previous.isascii()):
        return _searched(before, search_from)
    if last[-1] == ".":  # a sentence end: of the cues only `sdr.` ends with a dot
        return _searched(before, search_from) if last.lower().endswith("sdr.") else None
    # ASCII from here on, where `\w` is [A-Za-z0-9_] and `\b` is the edge of such a run.
    tail = _WORD_TAIL_RE.search(last)
    word = tail.group(0) if tail else ""
    if word == last and previous[-1:].isalpha():
        # A two-word cue would start in the previous chunk (the leftmost start wins).
        if not previous.isalpha():
            return _searched(before, search_from)  # it may start after `(`, `-`, ...
        if previous_start >= first:
            found = _two_word_cue(previous.lower(), stripped[previous_start:].lower(), last)
            if found is not None:
                return found
    if word.isalpha() and len(stripped) - len(word) >= first:
        return _CUE_OF.get(word.lower())
    return None


def _two_word_cue(word: str, lowered: str, last: str) -> str | None:
    """The cue group of `word` + whitespace + `last` (`lowered`: both, lower case)."""
    if lowered in _TWO_WORD_CUES:
        return _TWO_WORD_CUES[lowered]
    if word == "pengamat" and lowered == f"pengamat {last.lower()}":
        return "person"  # `pengamat politik`: one space, as the regex has it
    if _CUE_OF.get(word) == "org" and last.isalpha():
        return "org"  # `media Inggris`, `dilansir dari`
    return None


def _searched(before: str, start: int) -> str | None:
    match = _BEFORE_RE.search(before, start)
    return match.lastgroup if match else None


def anchor_tokens(paragraphs: tuple[str, ...]) -> frozenset[str]:
    r"""Capitalised words used as speakers (`kata Agus`, `Agus mengatakan`): name parts.

    The names of the non-overlapping speaker matches, leftmost first, that one
    `\b(?:verb)\s+(name)|(name)\s+(?:verb)\b` scan of each paragraph finds (the
    verb-first form wins a tie, a match hides the ones that overlap it). Both forms can
    only match at a verb, and `str.find` finds the verbs faster than a regex scan finds
    the matches, so the patterns are tried only there. The paragraphs are read as one
    text joined by NUL, which no match can span.
    """
    text = "\x00".join(paragraphs)
    matches: dict[int, re.Match[str]] = {}  # verb first, by start
    shared = list(_occurrences(text, _SHARED_VERBS))  # found once for both forms
    for at in (*_occurrences(text, _VERB_FIRST_ONLY), *shared):
        if at and is_word_char(text[at - 1]):
            continue  # the verb must start a word
        match = _ANCHOR_VERB_FIRST_RE.match(text, at)
        if match is not None:
            matches[at] = match
    others: dict[int, re.Match[str]] = {}  # name first, by start
    for at in (*_occurrences(text, _NAME_FIRST_ONLY), *shared):
        # The name is a TOKEN that ends at the whitespace before the verb, so it starts
        # at a capital in the chunk of non-space characters before that.
        end = at
        while end and text[end - 1].isspace():
            end -= 1
        start = end
        while start and not text[start - 1].isspace() and text[start - 1] != "\x00":
            start -= 1
        for capital in range(start, end if end < at else start):
            if text[capital] in _CAPITALS and capital not in others:
                match = _ANCHOR_NAME_FIRST_RE.match(text, capital)
                if match is not None:
                    others[capital] = match
    found: set[str] = set()
    if not matches and not others:
        return frozenset(found)
    verb_first, name_first = sorted(matches.items()), sorted(others.items())
    i = j = pos = 0
    while True:
        while i < len(verb_first) and verb_first[i][0] < pos:
            i += 1
        while j < len(name_first) and name_first[j][0] < pos:
            j += 1
        if i < len(verb_first) and (j == len(name_first) or verb_first[i][0] <= name_first[j][0]):
            match = verb_first[i][1]
        elif j < len(name_first):
            match = name_first[j][1]
        else:
            return frozenset(found)
        name = match.group(1)
        if token_info(name)[2]:  # `is_plain`
            found.add(name)
        pos = match.end()


def _occurrences(text: str, words: tuple[str, ...]) -> Iterator[int]:
    """Where each of `words` occurs in `text` (overlaps included), word by word."""
    for word in words:
        at = text.find(word)
        while at >= 0:
            yield at
            at = text.find(word, at + 1)
