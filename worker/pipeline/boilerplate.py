"""Line-level boilerplate: spans inside lines, whole lines, label lists and sign-off tails.

Three steps, each a small pure function over `Line` lists:

1. `strip_inline` removes spans inside a line (`ADVERTISEMENT` in a flattened scrape, a byline
   glued to the dateline, `(*)` glued to the last sentence) and splits lines that a spider
   glued together (`.,` joins).
2. `classify_lines` removes whole lines: syndication credits (remembering the credited outlet),
   related-article labels with their headline lists, and every `line_rules` kind.
3. `strip_signoff_tail` removes what follows an article's sign-off (`(fem/wsw)`): topic tags,
   campaign promos.

A removed piece always ends the paragraph before it: the next kept line gets `new_paragraph`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from worker.pipeline.lines import FUNCTION_WORDS, Line, headline_shaped, word_count
from worker.pipeline.model import Removed
from worker.pipeline.rules import CleaningRules, KindPattern

__all__ = [
    "Found",
    "LineResult",
    "classify_lines",
    "strip_inline",
    "strip_signoff_tail",
]

#: A removed piece with its raw position, so that all removals can be sorted into raw order.
Found = tuple[tuple[int, int], Removed]

# Lines in the tail of the text where a sign-off (editor initials) still closes the article.
_SIGNOFF_WINDOW = 15
# A related-article headline is a line of this many words at most.
_MAX_HEADLINE_WORDS = 25
# Whole-line rules describe short chrome; longer lines are body (and skip the regex).
_MAX_RULE_LINE_CHARS = 400
# The spider-join split needs at least this many joins in one line to be trusted.
_MIN_JOINS = 2


# `__init__` written out: compiled, a dataclass's generated one runs in Python (and calls
# a factory per field), a written-out one natively.
@dataclass(slots=True, init=False)
class LineResult:
    """What line-level cleaning kept and removed (mutable only while one call builds it)."""

    kept: list[Line]
    removed: list[Found]
    credits: list[str]

    def __init__(self) -> None:
        self.kept = []
        self.removed = []
        self.credits = []


# --------------------------------------------------------------------------- step 1


def strip_inline(lines: list[Line], rules: CleaningRules, joined: str | None = None) -> LineResult:
    """Split spider-joined lines and remove boilerplate spans inside lines.

    `joined` is the lines' texts joined by newlines, when the caller has it already.
    """
    result = LineResult()
    # Each rule is tried once on the whole text; only the rules that hit run line by line.
    if joined is None:
        joined = "\n".join([line.text for line in lines])
    spans = rules.inline_rules.active(joined)
    labels = rules.inline_labels.active(joined)
    pairs = zip(rules.paragraph_joins, rules.joins_multiline, strict=True)
    joins = tuple(pattern for pattern, anywhere in pairs if anywhere.search(joined))
    if not (spans or labels or joins):
        result.kept.extend(lines)
        return result
    # Only lines that hold an active rule's literal prefix, or end with its suffix, can
    # change (found in the joined text, so the others cost nothing).
    candidates = None if joins else _candidate_lines(joined, (*spans, *labels))
    if candidates is None:
        candidates = list(range(len(lines)))
    kept = result.kept
    cut = False  # the line before was removed whole: the next one starts a paragraph
    done = 0  # lines before this index are in `kept` or removed
    for index in candidates:
        if index > done:
            # Untouched lines, as they are (the first one ends a removed line's paragraph).
            first = lines[done]
            kept.append(first.with_text(first.text, new_paragraph=True) if cut else first)
            kept.extend(lines[done + 1 : index])
            cut = False
        done = index + 1
        for piece in _split_joins(lines[index], joins):
            text, found = _remove_spans(piece, spans, labels)
            result.removed.extend(found)
            if text:
                unchanged = text == piece.text and not cut
                kept.append(
                    piece if unchanged else piece.with_text(text, new_paragraph=cut or None)
                )
                cut = False
            else:
                # A line that was only boilerplate ends the paragraph before it, like a
                # removed line; spans inside a line do not (CNN's inline ad markers).
                cut = True
    if done < len(lines):
        first = lines[done]
        kept.append(first.with_text(first.text, new_paragraph=True) if cut else first)
        kept.extend(lines[done + 1 :])
    return result


def _candidate_lines(joined: str, rules: tuple[KindPattern, ...]) -> list[int] | None:
    """Indexes (ascending) of the lines of `joined` that one of `rules` may match: lines
    that end with a rule's line-end suffix or hold its prefix. None when a rule has neither."""
    found: set[int] = set()
    for rule in rules:
        if rule.suffix:
            # A `...$` rule matches a line that ends with its suffix (rarer than anywhere).
            _add_lines(found, joined, rule.suffix + "\n")
            if joined.endswith(rule.suffix):
                found.add(joined.count("\n"))
        elif rule.prefix:
            _add_lines(found, joined, rule.prefix)
        else:
            return None
    return sorted(found)


def _add_lines(found: set[int], joined: str, needle: str) -> None:
    """Add the index of every line of `joined` where `needle` starts."""
    line = 0  # the line that holds position `start`
    start = 0
    at = joined.find(needle)
    while at >= 0:
        line += joined.count("\n", start, at)
        found.add(line)
        # On to the next line: one hit per line is enough.
        end = joined.find("\n", at)
        if end < 0:
            return
        line += 1
        start = end + 1
        at = joined.find(needle, start)


def _split_joins(line: Line, joins: tuple[re.Pattern[str], ...]) -> list[Line]:
    for pattern in joins:
        cuts = [m.end() - 1 for m in pattern.finditer(line.text)]
        if len(cuts) < _MIN_JOINS:
            continue
        pieces: list[Line] = []
        start = 0
        for cut in [*cuts, len(line.text)]:
            text = line.text[start:cut].strip()
            if text:
                order = (line.order[0], line.order[1] + start)
                raw = line.raw if start == 0 and cut == len(line.text) else text
                pieces.append(Line(text, raw, order, new_paragraph=True))
            start = cut + 1
        if pieces:
            pieces[0] = pieces[0].with_text(pieces[0].text, new_paragraph=line.new_paragraph)
            return pieces
    return [line]


def _remove_spans(
    line: Line, spans: tuple[KindPattern, ...], labels: tuple[KindPattern, ...]
) -> tuple[str, list[Found]]:
    text = line.text
    found: list[Found] = []
    for rule in spans:
        if not rule.occurs(text):
            continue
        parts: list[str] = []
        last = 0
        for m in rule.pattern.finditer(text):
            if m.end() == m.start():
                continue
            parts.append(text[last : m.start()])
            where = (line.order[0], line.order[1] + m.start())
            found.append((where, Removed(rule.kind, m.group().strip())))
            last = m.end()
        parts.append(text[last:])
        text = " ".join(p.strip() for p in parts if p.strip())
    if labels:
        text, label_found = _remove_inline_labels(text, line, labels)
        found.extend(label_found)
    return text, found


def _remove_inline_labels(
    text: str, line: Line, labels: tuple[KindPattern, ...]
) -> tuple[str, list[Found]]:
    """`Baca juga: <Headline>` inside a flattened paragraph: remove label plus headline run."""
    found: list[Found] = []
    for rule in labels:
        m = rule.pattern.search(text) if rule.prefix in text else None
        # At the start of a line the whole line is the link; `line_rules` handles that.
        while m is not None and m.start() > 0:
            end = m.end() + inline_label_span(text[m.end() :])
            where = (line.order[0], line.order[1] + m.start())
            found.append((where, Removed(rule.kind, text[m.start() : end].strip())))
            text = (text[: m.start()].rstrip() + " " + text[end:].lstrip()).strip()
            # Each round removes the label itself, so this ends; a label right after the
            # removed one now starts where the first did.
            m = rule.pattern.search(text, m.start())
    return text, found


_TOKEN = re.compile(r"\S+")


def inline_label_span(rest: str) -> int:
    """Length of the headline that starts `rest`: the Title-Case run before the next sentence.

    The run takes capitalised words, numbers and headline function words; it stops at the
    first other lower-case word. The last capitalised word before that lower-case word opens
    the next sentence (`... di Bogor Kapolres mengatakan`), so it is given back.
    """
    end = 0  # end of the last capitalised word or number of the run
    before_last_cap = 0  # end of the run before that word
    last_was_cap = False
    count = 0
    for m in _TOKEN.finditer(rest):
        word = m.group()
        core = word.strip("\"'‘’“”(),:;!?")
        if not core:
            continue
        first = core[0]
        if first.isupper() or first.isdigit():
            before_last_cap, end = end, m.end()
            last_was_cap = True
            count += 1
        elif core.casefold() in FUNCTION_WORDS and count:
            last_was_cap = False
        else:
            return before_last_cap if last_was_cap and count > 3 else end
        if word[-1] in ".!?" and count > 1:
            return m.end()
        if count > _MAX_HEADLINE_WORDS:
            return end
    return end


# --------------------------------------------------------------------------- step 2


def classify_lines(lines: list[Line], rules: CleaningRules) -> LineResult:
    """Remove whole boilerplate lines; collect syndication credits on the way."""
    result = LineResult()
    kept = result.kept
    if rules.line_which is None:
        kept.extend(lines)
        return result
    fullmatch = rules.line_union.fullmatch if rules.line_union is not None else _no_match
    tails = rules.line_tails
    # The rules hold the credit lines, then the labels, then the line rules (the order
    # the steps are tried in): the pattern a line matches first tells which step removes it.
    labels_from = len(rules.syndication)
    rules_from = labels_from + len(rules.related_labels)
    cut = False  # a removed line ends the paragraph before the next kept line
    i = 0
    count = len(lines)
    while i < count:
        line = lines[i]
        text = line.text
        # Whole-line rules describe short chrome; longer lines are body (and skip the regex).
        short = len(text) <= _MAX_RULE_LINE_CHARS
        hit = short and fullmatch(text) is not None
        if short and not hit:
            for end, tail in tails:
                if text.endswith(end) and tail.fullmatch(text) is not None:
                    hit = True
                    break
        if not hit:
            # An ordinary body line: no whole-line rule can match it.
            kept.append(line.with_text(text, new_paragraph=True) if cut else line)
            cut = False
            i += 1
            continue
        m = rules.line_which.fullmatch(text)
        # The same alternation as `line_union`, which matched: one of its groups did.
        assert m is not None
        assert m.lastindex is not None
        branch = rules.line_branches[m.lastindex]
        if branch < labels_from:
            i += _syndication(lines, i, rules, result)
        elif branch < rules_from:
            i += _related(lines, i, rules, result)
        else:
            kind = rules.line_rules.rules[branch - rules_from].kind
            result.removed.append((line.order, Removed(kind, line.shown())))
            i += 1
        cut = True
    return result


def _no_match(_text: str) -> None:
    return None


def _syndication(lines: list[Line], i: int, rules: CleaningRules, result: LineResult) -> int:
    line = lines[i]
    for pattern in rules.syndication:
        m = pattern.fullmatch(line.text)
        if m is None:
            continue
        result.removed.append((line.order, Removed("syndication_credit", line.shown())))
        credit = m.group("credit")
        if credit:
            result.credits.append(credit.rstrip("."))
            return 1
        # `Artikel ini telah naik di` / `detikJabar.`: the name is on the next line.
        if i + 1 < len(lines) and word_count(lines[i + 1].text) <= 3:
            nxt = lines[i + 1]
            result.removed.append((nxt.order, Removed("syndication_credit", nxt.shown())))
            result.credits.append(nxt.text.rstrip("."))
            return 2
        return 1
    return 0


def _related(lines: list[Line], i: int, rules: CleaningRules, result: LineResult) -> int:
    line = lines[i]
    for label in rules.related_labels:
        if label.pattern.fullmatch(line.text) is None:
            continue
        result.removed.append((line.order, Removed(label.kind, line.shown())))
        # A table of contents lists the article's own subheadings: its entries come back
        # later as headings, whatever their case (`Cara daftar KIP Kuliah`).
        toc = label.kind == "table_of_contents"
        entries: set[str] = set()
        taken = 1
        while taken <= label.max_items and i + taken < len(lines):
            nxt = lines[i + taken]
            if nxt.text in entries:
                break  # the first entry again: the list is over, that is its heading
            entries.add(nxt.text)
            entry = toc and _count_text(lines, nxt.text) > 1
            if not entry and not headline_shaped(nxt.text, max_words=_MAX_HEADLINE_WORDS):
                break
            if rules.line_rules.kind_of(nxt.text) is not None:
                break
            result.removed.append((nxt.order, Removed(label.kind, nxt.shown())))
            taken += 1
        return taken
    return 0


def _count_text(lines: list[Line], text: str) -> int:
    return sum(1 for ln in lines if ln.text == text)


# --------------------------------------------------------------------------- step 3


def strip_signoff_tail(
    lines: list[Line], removed: list[Found], total_lines: int, rules: CleaningRules
) -> tuple[list[Line], list[Found]]:
    """Drop kept lines after the last sign-off line (editor initials) near the end.

    `removed` is what earlier steps took out; `total_lines` is the raw line count, which
    bounds the tail window. Returns the kept lines and the new removals.
    """
    signoff_at: tuple[int, int] | None = None
    for order, piece in removed:
        if order[0] < total_lines - _SIGNOFF_WINDOW:
            continue
        if rules.signoff_rules.kind_of(piece.text) is not None and (
            signoff_at is None or order > signoff_at
        ):
            signoff_at = order
    if signoff_at is None:
        return lines, []
    kept = [ln for ln in lines if ln.order < signoff_at]
    found: list[Found] = []
    for ln in lines:
        if ln.order < signoff_at:
            continue
        kind = rules.line_rules.kind_of(ln.text)
        if kind is None:
            kind = "topic_tags" if ln.text == ln.text.lower() else "site_navigation"
        found.append((ln.order, Removed(kind, ln.shown())))
    return kept, found
