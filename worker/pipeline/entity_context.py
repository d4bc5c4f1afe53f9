"""What the text around a capitalised span says about it, and speaker anchors.

`cue_before` reads the words right before a span (`kata`, `bernama`, `di`, `dilansir`),
`starts_sentence` whether the span opens a sentence, and `anchor_tokens` the capitalised
words that a text uses as speakers (`kata Agus`, `Agus mengatakan`).
"""

from __future__ import annotations

import re
from types import MappingProxyType
from typing import Final

from worker.pipeline.entity_lexicon import UPPER, token_info

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
# first) are two patterns that each start with a literal or a capital, so the engine skips
# ahead; `_anchor_names` merges them as one `\bverb\s+name|name\s+verb\b` scan would.
_ANCHOR_VERB_FIRST_RE: Final = re.compile(
    rf"(?:kata|ujar|ungkap|tutur|tegas|imbuh|ucap|beber|sanjang|menurut|Menurut|said)\s+"
    rf"({TOKEN})"
)
_ANCHOR_NAME_FIRST_RE: Final = re.compile(
    rf"({TOKEN})\s+(?:mengatakan|menjelaskan|menambahkan|menegaskan|mengungkapkan|said|says)\b"
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
    else:
        mark = before[-2:-1]
        if mark and not (mark.isalnum() or mark.isspace()):
            if mark == "." and before[-3:-2] in "rR":  # `sdr. `: a cue
                return _cue_before(before)
            if mark != "_":
                return None  # every cue ends with a letter or `.` (`sdr.`)
        # The usual case, `... previous word `: single spaces, ASCII letters, and a
        # previous word that cannot start a two-word cue. Then `word` alone decides.
        end = len(before) - 1
        space = before.rfind(" ", 0, end)
        word = before[space + 1 : end]
        if word.isalpha() and word.isascii():
            char = before[space - 1 : space] if space > 0 else ""
            if space < 0 or not (char.isalpha() or char.isspace() or not char):
                common = True  # nothing before `word`, or a mark (`,`, `)`) before its space
            elif char.isalpha():
                previous = before[before.rfind(" ", 0, space) + 1 : space]
                common = (
                    previous.isalpha()
                    and previous.isascii()
                    and previous.lower() not in _TWO_WORD_FIRSTS
                )
            else:
                common = False
            if common:
                if space + 1 >= len(before) - _BEFORE_CHARS:
                    return _CUE_OF.get(word.lower())
                return None
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
    """Capitalised words used as speakers (`kata Agus`, `Agus mengatakan`): name parts."""
    found: set[str] = set()
    for text in paragraphs:
        # Most paragraphs hold none of the verbs of either form (`ungkap` is in
        # `mengungkapkan`): substring tests rule the regex scans out faster than the
        # scans themselves do.
        if (
            "kata" in text
            or "mengatakan" in text
            or "menegaskan" in text
            or "enurut" in text
            or "ujar" in text
            or "ungkap" in text
            or "tutur" in text
            or "tegas" in text
            or "imbuh" in text
            or "ucap" in text
            or "beber" in text
            or "sanjang" in text
            or "said" in text
            or "says" in text
            or "menjelaskan" in text
            or "menambahkan" in text
        ):
            found.update(token for token in _anchor_names(text) if token_info(token)[2])
    return frozenset(found)


def _anchor_names(text: str) -> list[str]:
    r"""The names of the non-overlapping speaker matches, leftmost first: what one
    `\b(?:verb)\s+(name)|(name)\s+(?:verb)\b` finditer scan finds (the verb-first form
    wins a tie, a match hides the ones that overlap it)."""
    names: list[str] = []
    # Substring tests first: both regexes start at every verb or capital.
    verb_first = (
        _verb_first(text, 0)
        if "kata" in text
        or "enurut" in text
        or "ujar" in text
        or "ungkap" in text
        or "tutur" in text
        or "tegas" in text
        or "imbuh" in text
        or "ucap" in text
        or "beber" in text
        or "sanjang" in text
        or "said" in text
        else None
    )
    name_first = (
        _ANCHOR_NAME_FIRST_RE.search(text)
        if "mengatakan" in text
        or "menjelaskan" in text
        or "menambahkan" in text
        or "menegaskan" in text
        or "mengungkapkan" in text
        or "said" in text
        or "says" in text
        else None
    )
    while verb_first is not None or name_first is not None:
        if name_first is None or (
            verb_first is not None and verb_first.start() <= name_first.start()
        ):
            match = verb_first
        else:
            match = name_first
        assert match is not None
        names.append(match.group(1))
        pos = match.end()
        if verb_first is not None and verb_first.start() < pos:
            verb_first = _verb_first(text, pos)
        if name_first is not None and name_first.start() < pos:
            name_first = _ANCHOR_NAME_FIRST_RE.search(text, pos)
    return names


def _verb_first(text: str, pos: int) -> re.Match[str] | None:
    """The next `verb name` match at or after `pos` whose verb starts a word."""
    match = _ANCHOR_VERB_FIRST_RE.search(text, pos)
    while match is not None and match.start() and _is_word_char(text[match.start() - 1]):
        match = _ANCHOR_VERB_FIRST_RE.search(text, match.start() + 1)
    return match


def _is_word_char(char: str) -> bool:
    r"""What `\w` matches in a str pattern."""
    return char.isalnum() or char == "_"
