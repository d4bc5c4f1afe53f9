"""Article language: a valid hint wins, else CLD2 with a marker-word check for id/ms/jv.

CLD2 (pycld2, ~50 us for 2 KB, no model download) is right on Indonesian, Malay, Javanese
and English news text, including bare headlines. Malay and Indonesian share most of their
vocabulary, so when CLD2's answer is one of the two (or Javanese) and it is not sure, the
distinctive function words and spellings of each language decide (`_MARKERS`).
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Final

import pycld2  # type: ignore[import-untyped]  # ships no type information

from worker.pipeline.model import Language

#: How many characters of the article are shown to the detector (cost grows with length;
#: the lead paragraphs are representative).
SAMPLE_CHARS: Final = 2000

# Old or alternative tags that payloads and CLD2 use, mapped to ISO 639-1.
_ALIASES: Final = {
    "in": "id", "ind": "id", "jw": "jv", "jav": "jv", "iw": "he", "ji": "yi",
    "msa": "ms", "may": "ms", "zsm": "ms", "zlm": "ms", "eng": "en", "sun": "su",
}  # fmt: skip
_HINT_RE: Final = re.compile(r"([a-zA-Z]{2,3})(?:[-_][a-zA-Z0-9]{1,8})*")
# CLD2 raises on C0/C1 control characters (other than tab/newline) and surrogates.
_UNSAFE_RE: Final = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
_UNSAFE_ASCII: Final = bytes([*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F])
_WORD_RE: Final = re.compile(r"[a-z]+(?:'[a-z]+)?")

# Words that are frequent in one of the three languages and rare in the others (as words of
# running news text). Shared vocabulary is left out on purpose.
_MARKERS: Final = {
    "ms": frozenset(
        [
            "kerana",
            "bahawa",
            "daripada",
            "selepas",
            "sahaja",
            "iaitu",
            "kerajaan",
            "jabatan",
            "polis",
            "wang",
            "cukai",
            "mesyuarat",
            "majlis",
            "semalam",
            "baharu",
            "lelaki",
            "kenyataan",
            "berkata",
            "sebarang",
            "semula",
            "disyaki",
            "kakitangan",
            "pegawai",
            "menerusi",
            "ramai",
            "akhbar",
            "bilangan",
            "pelbagai",
            "berlaku",
            "ketika",
            "kes",
            "ringgit",
            "rm",
            "negeri",
            "timbalan",
            "perdana",
            "antarabangsa",
            "hospital",
        ]
    ),
    "id": frozenset(
        [
            "karena",
            "bahwa",
            "setelah",
            "saja",
            "yaitu",
            "pemerintah",
            "kepolisian",
            "uang",
            "pajak",
            "rapat",
            "kemarin",
            "baru",
            "pria",
            "mengatakan",
            "bisa",
            "nggak",
            "enggak",
            "kantor",
            "warga",
            "kabupaten",
            "provinsi",
            "rp",
            "wib",
            "terkait",
            "sejumlah",
            "menurut",
            "dikatakan",
            "melalui",
            "mengungkapkan",
            "berbagai",
            "kasus",
            "presiden",
            "wakil",
            "antara",
            "rumah",
            "sakit",
        ]
    ),
    "jv": frozenset(
        [
            "ing",
            "kang",
            "punika",
            "saking",
            "dening",
            "ingkang",
            "wonten",
            "sampun",
            "mboten",
            "ugi",
            "kaliyan",
            "menika",
            "inggih",
            "nanging",
            "taksih",
            "kanggo",
            "karo",
            "lan",
            "iki",
            "kuwi",
            "ora",
            "wis",
            "arep",
            "padha",
            "sing",
            "dadi",
            "marang",
            "utawa",
            "amarga",
            "mergo",
        ]
    ),
}
_ANY_MARKER: Final = frozenset().union(*_MARKERS.values())
_MIN_MARKERS: Final = 3


def normalise_hint(hint: str | None) -> str | None:
    """An ISO 639-1 code from a payload/markup tag like `id`, `id-ID`, `ind`; else None."""
    if not hint:
        return None
    match = _HINT_RE.fullmatch(hint.strip())
    if match is None:
        return None
    code = match.group(1).lower()
    code = _ALIASES.get(code, code)
    return code if len(code) == 2 else None


def marker_votes(text: str) -> dict[str, int]:
    """How many marker words of each of id/ms/jv occur in `text` (token occurrences)."""
    # Marker occurrences are counted in C; only the few distinct markers found are
    # looked up per language (a word may in principle mark more than one).
    found = Counter(filter(_ANY_MARKER.__contains__, _WORD_RE.findall(text.lower())))
    votes = dict.fromkeys(_MARKERS, 0)
    for word, count in found.items():
        for code, words in _MARKERS.items():
            if word in words:
                votes[code] += count
    return votes


def _cld2(text: str) -> tuple[str, float, bool]:
    """CLD2's top language (ISO 639-1), its share of the text and its reliability flag."""
    try:
        reliable, _, details = pycld2.detect(text, bestEffort=True)
    except pycld2.error:
        return "und", 0.0, False
    name, code, percent, _ = details[0]
    if name == "Unknown" or code == "un":
        return "und", 0.0, False
    code = _ALIASES.get(code, code).split("-")[0]
    return code, percent / 100, bool(reliable)


def detect_language(
    title: str | None, paragraphs: tuple[str, ...], *, hint: str | None, hint_method: str
) -> Language:
    """The article language: the hint when it is a valid code, else detected from the text.

    `hint_method` names where the hint came from ('payload' or 'markup').
    """
    hinted = normalise_hint(hint)
    if hinted is not None:
        return Language(code=hinted, confidence=1.0, method=hint_method)
    sample = _sample(title, paragraphs)
    code, confidence, reliable = _cld2(sample)
    if code in ("id", "ms", "jv", "und") and (not reliable or confidence < 0.9):
        votes = marker_votes(sample)
        best = max(votes, key=lambda c: votes[c])
        runner_up = max(v for c, v in votes.items() if c != best)
        if votes[best] >= _MIN_MARKERS and votes[best] >= 2 * runner_up:
            share = votes[best] / (votes[best] + runner_up)
            return Language(code=best, confidence=round(share, 2), method="detected")
    if code == "und":
        return Language(code="und", confidence=0.0, method="detected")
    return Language(code=code, confidence=round(confidence, 2), method="detected")


def _sample(title: str | None, paragraphs: tuple[str, ...]) -> str:
    """Title and paragraphs, line by line, cut after SAMPLE_CHARS characters of text."""
    parts: list[str] = [title] if title else []
    size = len(title or "")
    if size + sum(map(len, paragraphs)) < SAMPLE_CHARS:  # nothing to cut: no loop
        return _safe_for_cld2("\n".join([*parts, *paragraphs]))
    for paragraph in paragraphs:
        if size >= SAMPLE_CHARS:
            break
        parts.append(paragraph[: SAMPLE_CHARS - size])
        size += len(parts[-1])
    return _safe_for_cld2("\n".join(parts))


def _safe_for_cld2(text: str) -> str:
    """`text` with every character CLD2 rejects (`_UNSAFE_RE`) replaced by a space."""
    # Checking the UTF-8 bytes for them is ~7x cheaper than the regex scan: ASCII control
    # bytes are deleted (same length: none there), C1 controls are encoded as \xc2\x80-\x9f
    # (any \xc2 lead byte sends the text to the regex), surrogates do not encode.
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError:
        return _UNSAFE_RE.sub(" ", text)
    if b"\xc2" in data or len(data.translate(None, _UNSAFE_ASCII)) != len(data):
        return _UNSAFE_RE.sub(" ", text)
    return text
