"""Merging entity candidates into their fullest form, counting and ranking them."""

from __future__ import annotations

from worker.pipeline.entity_lexicon import (
    ADMIN_HEADS,
    HEADS,
    LOC_HEADS,
    ORG_HEADS,
    PLACE_ALIASES,
    PLACES,
    Candidate,
    fold,
    remember,
    token_info,
)
from worker.pipeline.entity_spans import Reader

# A short form's words with place aliases written out (`Sumut` -> `Sumatera Utara`),
# joined, and the indices of its acronyms.
_Parts = tuple[str, tuple[str, ...], tuple[int, ...]]
# Memo of `_abbreviation_parts` by the short form's text (pure; emptied when full).
_PARTS_MEMO: dict[str, _Parts | None] = {}


def merge(reader: Reader) -> dict[str, str]:
    """Map each alias or short form (key) to the key of its fullest form."""
    found = reader.found
    canonical = {k: v for k, v in reader.redirect.items() if k in found and v in found}
    items = [(k, c) for k, c in found.items() if k not in canonical]
    for key, short in items:
        # Cheap necessary conditions first (see `_is_short_form`): the same letters, or a
        # longer full form (of the same kind, unless the short form is a person's name)
        # that has the short form's first word or that it may abbreviate.
        alnum, size, kind = short.alnum, len(short.text), short.kind
        first = short.words[0] if short.words else None
        person = kind == "person"
        parts = None if person else _abbreviation_parts(short)
        targets = [
            k
            for k, full in items
            if (
                full.alnum == alnum
                or (
                    len(full.text) > size
                    and (person or full.kind == kind)
                    and (first is None or first in full.words or parts is not None)
                )
            )
            and k != key
            and _is_short_form(short, full, parts)
        ]
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
            and fold(full.words[0]) in ADMIN_HEADS
        ):
            # `Banyuwangi` written alone more often than `Kabupaten Banyuwangi`: the
            # article's own usage wins over the administrative form.
            resolved = {k: (key if t == target else t) for k, t in resolved.items() if k != key}
            resolved[target] = key
            short, full = full, short
        full.aliases.add(short.text)
        full.cued |= short.cued
    return resolved


def _is_short_form(short: Candidate, full: Candidate, parts: _Parts | None) -> bool:
    """Whether `short` names the same entity as the longer `full` (`parts`: what
    `_abbreviation_parts` gives for `short`)."""
    if short.alnum == full.alnum:
        return short.count < full.count or (short.count == full.count and short.first > full.first)
    if len(full.text) <= len(short.text) or short.kind not in (full.kind, "person"):
        return False
    tokens, full_tokens = short.words, full.words
    heads = HEADS
    if short.kind == full.kind == "person":
        return tokens in (full_tokens[: len(tokens)], full_tokens[-len(tokens) :])
    if short.kind == "person":  # `Mayora Indah` inside `PT Mayora Indah Tbk`
        return (
            (not short.cued or full.kind != "person")
            and f" {short.text} " in f" {full.text} "
            and fold(full_tokens[0]) in heads
        )
    if short.kind != full.kind:
        return False
    return (
        # `Banyuwangi` in `Kabupaten Banyuwangi`; `Kualanamu` in `Bandara Internasional
        # Kualanamu`, but a known place is not a site named after it (`Pendopo ... Sampang`).
        (
            full.text.endswith(" " + short.text)
            and (
                fold(full_tokens[0]) in ADMIN_HEADS
                or (fold(full_tokens[0]) in LOC_HEADS and short.text.casefold() not in PLACES)
            )
        )
        # `Golkar` for `Partai Golkar` (but not `PDIP` for `Sekolah Partai PDIP`)
        or (full_tokens[1:] == tokens and fold(full_tokens[0]) in ORG_HEADS)
        or (full_tokens[: len(tokens)] == tokens and short.kind == "organization")
        or (
            (full_tokens[0], full_tokens[-1]) == (tokens[0], tokens[-1])
            and set(tokens) <= set(full_tokens)
        )
        or (parts is not None and _abbreviates(parts, full))
    )


def _abbreviation_parts(short: Candidate) -> _Parts | None:
    """What `_abbreviates` compares for `short`, or None when it cannot hold: neither a
    place alias nor an acronym (the words alone are shorter than any full form)."""
    text = short.text
    if text in _PARTS_MEMO:
        return _PARTS_MEMO[text]
    tokens = tuple(PLACE_ALIASES.get(token_info(t)[0], t) for t in short.words)
    acronyms = tuple(index for index, token in enumerate(tokens) if token_info(token)[1])
    parts = None if not acronyms and tokens == short.words else (" ".join(tokens), tokens, acronyms)
    return remember(_PARTS_MEMO, text, parts)


def _abbreviates(parts: _Parts, full: Candidate) -> bool:
    """`Kementerian ESDM` for `Kementerian Energi dan Sumber Daya Mineral`, `Polda Sumut`
    for `Polda Sumatera Utara` (of the same kind): same words around an acronym or a
    place alias."""
    joined, tokens, acronyms = parts
    if joined == full.text:
        return True
    long_tokens = full.words
    for index in acronyms:
        head, tail = tokens[:index], tokens[index + 1 :]
        middle = long_tokens[len(head) : len(long_tokens) - len(tail)]
        if long_tokens[: len(head)] != head or (tail and long_tokens[-len(tail) :] != tail):
            continue
        initials = "".join(w[0] for w in middle if w[0].isupper())
        if len(middle) >= 2 and initials == tokens[index].replace("-", ""):
            return True
    return False


def count_mentions(candidate: Candidate, text: str) -> int:
    """Whole-word mentions of the entity or its aliases in `text` (body and title joined
    by a newline, which no name holds and which ends a word like either end).

    Longer names are counted first and their matches claimed, so `Putin` inside `Vladimir
    Putin` is one mention. `str.find` beats compiling a regex per entity by ~20x.
    """
    total = 0
    if not candidate.aliases:
        # One name: its matches never overlap, so none needs to be claimed.
        name = candidate.text
        size = len(name)
        start = text.find(name)
        while start >= 0:
            end = start + size
            # An empty slice (an end of the text) is not alphanumeric either.
            if not text[start - 1 : start].isalnum() and not text[end : end + 1].isalnum():
                total += 1
            start = text.find(name, end)
        return total
    claimed = bytearray(len(text))  # 1 inside a mention already counted
    for name in sorted({candidate.text, *candidate.aliases}, key=len, reverse=True):
        size = len(name)
        start = text.find(name)
        while start >= 0:
            end = start + size
            if (
                not claimed[start]
                and not text[start - 1 : start].isalnum()
                and not text[end : end + 1].isalnum()
            ):
                claimed[start:end] = b"\x01" * size
                total += 1
            start = text.find(name, end)
    return total
