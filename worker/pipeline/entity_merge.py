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
    is_acronym,
)
from worker.pipeline.entity_spans import Reader


def merge(reader: Reader) -> dict[str, str]:
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


def _is_short_form(short: Candidate, full: Candidate) -> bool:
    """Whether `short` names the same entity as the longer `full`."""
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
        or _abbreviates(short, full)
    )


def _abbreviates(short: Candidate, full: Candidate) -> bool:
    """`Kementerian ESDM` for `Kementerian Energi dan Sumber Daya Mineral`, `Polda Sumut`
    for `Polda Sumatera Utara`: same kind, same words around an acronym or a place alias."""
    if short.kind != full.kind or short.kind == "person":
        return False
    tokens = [PLACE_ALIASES.get(fold(t), t) for t in short.text.split()]
    long_tokens = full.text.split()
    if " ".join(tokens) == full.text:
        return True
    for index, token in enumerate(tokens):
        if not is_acronym(token):
            continue
        head, tail = tokens[:index], tokens[index + 1 :]
        middle = long_tokens[len(head) : len(long_tokens) - len(tail)]
        if long_tokens[: len(head)] != head or (tail and long_tokens[-len(tail) :] != tail):
            continue
        initials = "".join(w[0] for w in middle if w[0].isupper())
        if len(middle) >= 2 and initials == token.replace("-", ""):
            return True
    return False


def count_mentions(candidate: Candidate, body: str, title: str | None) -> int:
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
