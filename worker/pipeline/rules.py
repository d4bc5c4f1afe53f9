"""Typed cleaning rules: the data side of boilerplate removal, parsed from a plain mapping.

The rules file (`worker/rules/boilerplate.yaml`) holds every phrase and outlet-specific pattern;
the code in `worker.pipeline.clean` and its helper modules holds only generic logic. This module
turns the decoded file (a `Mapping`, no I/O here) into compiled, immutable `CleaningRules`, and
rejects a bad file with a `ConfigError` that names the offending key.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from worker.errors import ConfigError
from worker.pipeline.dateline import compile_dateline, max_space_runs

__all__ = [
    "CleaningRules",
    "KindPattern",
    "RelatedLabel",
    "RuleSet",
    "end_literal",
    "kind_pattern",
    "line_end_suffix",
    "literal_prefix",
    "multiline",
    "parse_rules",
    "rule_set",
]

#: The boilerplate kinds of the corpus README; a rule naming another kind is a typo.
KINDS: frozenset[str] = frozenset(
    {
        "related_link",
        "related_headline",
        "ad_marker",
        "scroll_prompt",
        "video_promo",
        "image_caption",
        "photo_credit",
        "editor_initials",
        "topic_tags",
        "social_promo",
        "syndication_credit",
        "byline",
        "pagination",
        "table_of_contents",
        "editor_pick",
        "event_promo",
        "headline_echo",
        "newsletter_prompt",
        "site_navigation",
        "seo_keyword",
        "archive_promo",
        "outlet_signoff",
        "separator",
        "scraper_duplicate",
        "scraper_artifact",
    }
)

_TOP_LEVEL_KEYS = frozenset(
    {
        "version",
        "line_rules",
        "lead_rules",
        "inline_rules",
        "related_labels",
        "inline_labels",
        "syndication",
        "credit_phrases",
        "block_rules",
        "signoff_rules",
        "dateline_publishers",
        "mastheads",
        "title_suffixes",
        "headline_echo",
        "strip_end_markers",
        "paragraph_joins",
    }
)


@dataclass(frozen=True, slots=True)
class KindPattern:
    """A compiled pattern and the boilerplate kind of what it matches.

    `prefix` is the literal text every match starts with ('' when there is none) and
    `literal` is True when the pattern is that text and nothing else: a substring test in C
    then rules a text out (or, for a literal, in) at a fraction of a regex search's cost.
    `suffix` is the literal text before a final `$`: a line the pattern matches ends with it.
    """

    kind: str
    pattern: re.Pattern[str]
    prefix: str = ""
    literal: bool = False
    suffix: str = ""

    def occurs(self, text: str) -> bool:
        """True when the pattern matches somewhere in `text` (same answer as `search`)."""
        if self.literal:
            return self.prefix in text
        if self.prefix and self.prefix not in text:
            return False
        # (`$` also matches before a newline that ends the text.)
        suffix = self.suffix
        if suffix and not (text.endswith(suffix) or text.endswith(suffix + "\n")):
            return False
        return self.pattern.search(text) is not None


def kind_pattern(kind: str, pattern: re.Pattern[str]) -> KindPattern:
    """A `KindPattern` with its literal prefix and line-end suffix worked out."""
    prefix, complete = literal_prefix(pattern)
    return KindPattern(kind, pattern, prefix, complete, line_end_suffix(pattern))


# Characters with a meaning in a pattern; a prefix scan stops at the first of them.
_META = frozenset(".^$*+?{}[]\\|()")


def literal_prefix(pattern: re.Pattern[str]) -> tuple[str, bool]:
    """The literal text every match of `pattern` starts with, and whether that is the whole
    pattern. Conservative: anything the scan does not understand ends the prefix."""
    if pattern.flags & (re.IGNORECASE | re.VERBOSE) or _top_level_alternation(pattern.pattern):
        return "", False
    source = pattern.pattern
    out: list[str] = []
    i = 0
    while i < len(source):
        char = source[i]
        step = 1
        if char == "\\":
            char = source[i + 1 : i + 2]
            # `\d`, `\A`, `\1`...: classes, anchors and references, not literal characters.
            if not char or char.isalnum():
                return "".join(out), False
            step = 2
        elif char in _META:
            return "".join(out), False
        following = source[i + step : i + step + 1]
        if following and following in "?*{":
            return "".join(out), False  # the character may be absent
        out.append(char)
        if following == "+":
            return "".join(out), False
        i += step
    return "".join(out), True


def line_end_suffix(pattern: re.Pattern[str]) -> str:
    """The literal text right before the `$` a pattern ends with ('' when it has none).

    Conservative like `literal_prefix`: the scan goes back from the `$` over literal
    characters only (one before a quantifier or a group is never reached).
    """
    source = pattern.pattern
    flags = re.IGNORECASE | re.VERBOSE | re.MULTILINE
    if pattern.flags & flags or not source.endswith("$") or _top_level_alternation(source):
        return ""
    out: list[str] = []
    end = len(source) - 1  # the `$`, or the first character taken
    if _escaped(source, end):
        return ""  # `\\$` is a dollar sign
    while end > 0:
        char = source[end - 1]
        if _escaped(source, end - 1):
            if char.isalnum():
                break  # `\\d`, `\\b`...
            out.append(char)
            end -= 2
        elif char in _META:
            break
        else:
            out.append(char)
            end -= 1
    return "".join(reversed(out))


def end_literal(pattern: re.Pattern[str]) -> str:
    """X for a pattern that opens with the lookahead `(?=.*X\\Z)` (X literal), else ''.

    Such a pattern only matches at the start of a text that ends with X: the rules file
    opens slow caption patterns with it so that other lines fail at once.
    """
    source = pattern.pattern
    if pattern.flags & (re.IGNORECASE | re.VERBOSE) or not source.startswith("(?=.*"):
        return ""
    close = _group_end(source, 0)
    inner = source[len("(?=.*") : close]
    if close < 0 or not inner.endswith("\\Z") or _escaped(inner, len(inner) - 2):
        return ""
    try:
        text, complete = literal_prefix(re.compile(inner[: -len("\\Z")]))
    except re.error:
        return ""
    return text if complete else ""


def _class_end(source: str, start: int) -> int:
    """Index of the `]` closing the character class that opens at `start` (or the end)."""
    # A `]` right after `[` or `[^` is a member, not the class's end.
    i = start + 1
    if source[i : i + 1] == "^":
        i += 1
    if source[i : i + 1] == "]":
        i += 1
    while i < len(source) and source[i] != "]":
        i += 2 if source[i] == "\\" else 1
    return i


def _structure(source: str, start: int = 0) -> Iterator[tuple[int, str, int]]:
    """The pattern characters of `source` from `start` outside escapes and character classes
    (a class yields its `[` at its closing index), each with the group depth after it."""
    depth = 0
    i = start
    while i < len(source):
        char = source[i]
        if char == "\\":
            i += 2
            continue
        if char == "[":
            i = _class_end(source, i)
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        yield i, char, depth
        i += 1


def _group_end(source: str, start: int) -> int:
    """Index of the `)` closing the group that opens at `start`, or -1."""
    for i, char, depth in _structure(source, start):
        if char == ")" and depth == 0:
            return i
    return -1


def _escaped(source: str, index: int) -> bool:
    """True when the character at `index` follows an odd number of backslashes."""
    count = 0
    while index - count > 0 and source[index - count - 1] == "\\":
        count += 1
    return count % 2 == 1


def _top_level_alternation(source: str) -> bool:
    """True when `source` has a `|` outside every group (its matches share no prefix)."""
    return any(char == "|" and depth == 0 for _, char, depth in _structure(source))


def multiline(patterns: Sequence[re.Pattern[str]]) -> tuple[re.Pattern[str], ...]:
    """Copies of `patterns` where `^`/`$` match at line breaks, to test a whole text at once.

    Testing each rule once against the article's lines joined by newlines, and then only
    the rules that hit against single lines, costs a few µs per article; a union of all
    rules searched line by line cost 48 µs (no literal-prefix speed-up for alternations).
    """
    return tuple(re.compile(p.pattern, p.flags | re.MULTILINE) for p in patterns)


#: A compiled pattern's `search` or `match`, bound.
_Probe = Callable[[str], "re.Match[str] | None"]


@dataclass(frozen=True, slots=True)
class RuleSet:
    """Kind patterns plus their union, so that a line no rule matches costs one regex call."""

    rules: tuple[KindPattern, ...] = ()
    union: re.Pattern[str] | None = None
    #: `rules`' patterns compiled with `re.MULTILINE`, in the same order (see `multiline`).
    multiline: tuple[re.Pattern[str], ...] = ()
    #: Per rule, how `active` tests it: a literal prefix to look for first ('' for none) and
    #: the whole-text regex call (None when the prefix test alone decides).
    probes: tuple[tuple[KindPattern, str, _Probe | None], ...] = ()
    #: The rules' ASCII prefixes as UTF-8 bytes, grouped under a text they all hold
    #: (see `_shared_cores`): one search rules out a group. Used by `active_lowered`.
    cores: tuple[tuple[bytes, tuple[tuple[int, bytes], ...]], ...] = ()
    #: True when every rule has an ASCII prefix (so `cores` covers them all).
    ascii_prefixed: bool = False

    def kind_of(self, text: str, *, full: bool = True) -> str | None:
        """Kind of the first rule matching `text` (whole text when `full`), else None."""
        if self.union is None:
            return None
        if (self.union.fullmatch(text) if full else self.union.search(text)) is None:
            return None
        for rule in self.rules:
            if (rule.pattern.fullmatch(text) if full else rule.pattern.search(text)) is not None:
                return rule.kind
        return None

    def active(self, joined_lines: str) -> tuple[KindPattern, ...]:
        """The rules that match somewhere in `joined_lines` (lines joined by newlines)."""
        out: list[KindPattern] = []
        for rule, gate, probe in self.probes:
            if gate and gate not in joined_lines:
                continue
            if probe is None or probe(joined_lines) is not None:
                out.append(rule)
        return tuple(out)

    def active_lowered(self, joined_lines: str) -> tuple[KindPattern, ...]:
        """`active(joined_lines.lower())`, mostly without lowering the text.

        Lowering maps no character but `İ` and the Kelvin sign to ASCII, so without those
        an ASCII prefix occurs in the lowered text exactly when it occurs in the text's
        UTF-8 bytes with ASCII lowered (`bytes.lower`, ~10x cheaper than `str.lower` on
        non-ASCII text, and byte search beats searching 2-byte text).
        """
        if "\u0130" in joined_lines or "\u212a" in joined_lines:
            return self.active(joined_lines.lower())
        folded = joined_lines.encode("utf-8", "surrogatepass").lower()
        present: set[int] = set()
        for core, members in self.cores:
            if core in folded:
                present.update(i for i, prefix in members if prefix in folded)
        indexes: Iterable[int] = range(len(self.probes))
        if self.ascii_prefixed:
            # Only the rules whose prefix was found can match (most texts: none).
            if not present:
                return ()
            indexes = sorted(present)
        lowered: str | None = None
        out: list[KindPattern] = []
        for index in indexes:
            rule, gate, probe = self.probes[index]
            if rule.prefix and rule.prefix.isascii():
                if index not in present:
                    continue
                if rule.literal:
                    out.append(rule)
                    continue
            if lowered is None:
                lowered = joined_lines.lower()
            if gate and gate not in lowered:
                continue
            if probe is None or probe(lowered) is not None:
                out.append(rule)
        return tuple(out)


# Below this length `in` is no faster than the regex engine's own prefix scan (measured on
# 1.6 KB articles); above it, it is up to 2.5x faster on non-ASCII text.
_GATE_CHARS = 8


def _probe(rule: KindPattern, anywhere: re.Pattern[str]) -> tuple[KindPattern, str, _Probe | None]:
    gate = rule.prefix if len(rule.prefix) >= _GATE_CHARS else ""
    if gate and rule.literal:
        return rule, gate, None
    # `search` would try a `\A`-anchored pattern at every position before giving up.
    if anywhere.pattern.startswith("\\A"):
        return rule, gate, anywhere.match
    return rule, gate, anywhere.search


def rule_set(rules: tuple[KindPattern, ...]) -> RuleSet:
    """A `RuleSet` over `rules` (one pattern each), its union compiled once here."""
    if not rules:
        return RuleSet()
    union = "|".join(f"(?:{_without_names(r.pattern.pattern)})" for r in rules)
    anywhere = multiline([r.pattern for r in rules])
    probes = tuple(_probe(r, m) for r, m in zip(rules, anywhere, strict=True))
    ascii_prefixes = [(i, r.prefix) for i, r in enumerate(rules) if r.prefix and r.prefix.isascii()]
    return RuleSet(
        rules,
        re.compile(union),
        anywhere,
        probes,
        _shared_cores(ascii_prefixes),
        ascii_prefixed=len(ascii_prefixes) == len(rules),
    )


# A shared text shorter than this is too common to rule a group out.
_MIN_CORE_CHARS = 6


def _shared_cores(
    prefixes: list[tuple[int, str]],
) -> tuple[tuple[bytes, tuple[tuple[int, bytes], ...]], ...]:
    """(Rule index, prefix) pairs grouped under a text all prefixes of a group hold, largest
    groups first; a prefix that shares nothing is its own group (its own core)."""
    left = dict(prefixes)
    groups: list[tuple[bytes, tuple[tuple[int, bytes], ...]]] = []
    while left:
        best: tuple[int, int, str, list[int]] | None = None
        for prefix in left.values():
            for start in range(len(prefix)):
                for end in range(start + _MIN_CORE_CHARS, len(prefix) + 1):
                    core = prefix[start:end]
                    members = [i for i, other in left.items() if core in other]
                    key = (len(members), len(core), core, members)
                    if len(members) > 1 and (best is None or key[:2] > best[:2]):
                        best = key
        if best is None:
            break
        _, _, core, members = best
        groups.append((core.encode(), tuple((i, left.pop(i).encode()) for i in members)))
    groups.extend((p.encode(), ((i, p.encode()),)) for i, p in left.items())
    return tuple(groups)


def _without_names(source: str) -> str:
    # Group names may repeat across rules, which one alternation does not allow.
    return re.sub(r"\(\?P<\w+>", "(?:", source)


@dataclass(frozen=True, slots=True)
class RelatedLabel:
    """A related-article label line (`Baca juga:`) and how many headline lines may follow it."""

    pattern: re.Pattern[str]
    max_items: int
    kind: str = "related_link"


@dataclass(frozen=True, slots=True)
class CleaningRules:
    """Compiled rules for `worker.pipeline.clean.clean_text` (see the rules file for meanings).

    Attributes:
        line_rules: a whole normalised line that fully matches is boilerplate of that kind.
        lead_rules: like `line_rules`, but only for lines before the dateline (caption zone).
        inline_rules: spans removed wherever they occur inside a line (flattened scrapes).
        related_labels: label lines that introduce related-article headlines.
        inline_labels: labels followed by a headline inside a flattened line (`Baca juga: X`).
        syndication: lines crediting a wire/sister outlet; group `credit` holds its name.
        credit_phrases: in-text attributions (`seperti diberitakan X`); group `credit`.
        block_rules: searched in a re-joined paragraph; a match removes the whole paragraph.
        signoff_rules: lines that end the article (editor initials); what follows is chrome.
        dateline_publishers: mastheads that appear in datelines without a domain (`VIVA`).
        mastheads: lower-case host or masthead key -> display name of the publisher.
        title_suffixes: site names stripped from a title after ` - ` (besides mastheads).
        site_keys: alphanumeric keys of every title suffix and masthead display name.
        headline_echo: a flattened page header (`<headline> Published on <time> <url>`).
        strip_end_markers: phrases that close a trailing strip of related headlines.
        paragraph_joins: glue sequences a spider put between paragraphs (Merdeka `.,`).
        dateline: the dateline grammar compiled with `dateline_publishers`.
        dateline_space_runs: the most whitespace runs before a dateline's dash (see
            `worker.pipeline.dateline.max_space_runs`).
        line_union: the whole-line patterns (credit lines, labels, line rules, in the order
            `classify_lines` tries them) in one regex, so that an ordinary body line costs
            a single failed match; without those in `line_tails`.
        line_tails: the whole-line patterns that open with `(?=.*X\\Z)` (a line they match
            ends with the literal X), one regex per X: only lines that end with X try it.
        line_which: `line_union` with each pattern in a group of its own, so that one match
            tells the first pattern a boilerplate line matches (groups cost the regex
            engine its quick skip of branches, so it only runs on lines `line_union` took).
        line_branches: for each group number of `line_which`, the position of the pattern
            whose group it is in that order (-1 for groups inside a pattern).
        joins_multiline: `paragraph_joins` compiled with `re.MULTILINE` (see `multiline`).
    """

    line_rules: RuleSet = RuleSet()
    lead_rules: RuleSet = RuleSet()
    inline_rules: RuleSet = RuleSet()
    related_labels: tuple[RelatedLabel, ...] = ()
    inline_labels: RuleSet = RuleSet()
    syndication: tuple[re.Pattern[str], ...] = ()
    credit_phrases: tuple[re.Pattern[str], ...] = ()
    block_rules: RuleSet = RuleSet()
    signoff_rules: RuleSet = RuleSet()
    dateline_publishers: tuple[str, ...] = ()
    mastheads: tuple[tuple[str, str], ...] = ()
    title_suffixes: tuple[str, ...] = ()
    site_keys: frozenset[str] = frozenset()
    headline_echo: re.Pattern[str] | None = None
    strip_end_markers: tuple[str, ...] = ()
    paragraph_joins: tuple[re.Pattern[str], ...] = ()
    dateline: re.Pattern[str] = field(default_factory=lambda: compile_dateline(()))
    dateline_space_runs: int = field(default_factory=lambda: max_space_runs(()))
    line_union: re.Pattern[str] | None = None
    line_tails: tuple[tuple[str, re.Pattern[str]], ...] = ()
    line_which: re.Pattern[str] | None = None
    line_branches: tuple[int, ...] = ()
    joins_multiline: tuple[re.Pattern[str], ...] = ()
    #: `mastheads` as a mapping (the first display name of a key), built from it.
    masthead_index: Mapping[str, str] = field(
        init=False, repr=False, compare=False, default_factory=dict
    )

    def __post_init__(self) -> None:
        index: dict[str, str] = {}
        for known, display in self.mastheads:
            index.setdefault(known, display)
        # Frozen: set once here, derived from `mastheads` (a scan cost ~1 µs per lookup).
        object.__setattr__(self, "masthead_index", index)

    def masthead(self, key: str) -> str | None:
        """The display name for a lower-case host or masthead key, if the rules know it."""
        return self.masthead_index.get(key)


def parse_rules(data: Mapping[str, object]) -> CleaningRules:
    """Validate and compile a decoded rules file; raise `ConfigError` naming the bad key."""
    if not isinstance(data, Mapping):
        raise ConfigError("rules: the top level must be a mapping")
    unknown = sorted(str(k) for k in data if k not in _TOP_LEVEL_KEYS)
    if unknown:
        raise ConfigError(f"rules: unknown key(s) {', '.join(unknown)}")
    version = data.get("version", 1)
    if version != 1:
        raise ConfigError(f"rules: unsupported version {version!r} (expected 1)")
    echo = data.get("headline_echo")
    publishers = _strings(data, "dateline_publishers")
    credit_phrases = _patterns(data, "credit_phrases", need_group="credit")
    mastheads = _mastheads(data)
    suffixes = _strings(data, "title_suffixes")
    line_rules = rule_set(_kind_patterns(data, "line_rules"))
    related = _related_labels(data)
    syndication = _patterns(data, "syndication", need_group="credit")
    inline_rules = rule_set(_kind_patterns(data, "inline_rules"))
    inline_labels = rule_set(_kind_patterns(data, "inline_labels"))
    joins = _patterns(data, "paragraph_joins")
    whole_line = (
        *syndication,
        *(r.pattern for r in related),
        *(r.pattern for r in line_rules.rules),
    )
    line_which, line_branches = _grouped_union(whole_line)
    tails: dict[str, list[re.Pattern[str]]] = {}
    for pattern in whole_line:
        tails.setdefault(end_literal(pattern), []).append(pattern)
    always = tails.pop("", [])
    return CleaningRules(
        line_rules=line_rules,
        lead_rules=rule_set(_kind_patterns(data, "lead_rules")),
        inline_rules=inline_rules,
        related_labels=related,
        inline_labels=inline_labels,
        syndication=syndication,
        credit_phrases=credit_phrases,
        block_rules=rule_set(_kind_patterns(data, "block_rules")),
        signoff_rules=rule_set(_kind_patterns(data, "signoff_rules")),
        dateline_publishers=publishers,
        mastheads=mastheads,
        title_suffixes=suffixes,
        site_keys=frozenset(
            _alnum(name) for name in (*suffixes, *(display for _, display in mastheads))
        ),
        headline_echo=None if echo is None else _compile(echo, "headline_echo"),
        strip_end_markers=_strings(data, "strip_end_markers"),
        paragraph_joins=joins,
        dateline=compile_dateline(publishers),
        dateline_space_runs=max_space_runs(publishers),
        line_union=_union(tuple(always)),
        line_tails=tuple((end, _union(tuple(p)) or _NEVER) for end, p in tails.items()),
        line_which=line_which,
        line_branches=line_branches,
        joins_multiline=multiline(joins),
    )


# --------------------------------------------------------------------------- helpers


def _alnum(text: str) -> str:
    return "".join(ch for ch in text.casefold() if ch.isalnum())


_NEVER = re.compile("(?!)")


def _union(patterns: tuple[re.Pattern[str], ...]) -> re.Pattern[str] | None:
    if not patterns:
        return None
    return re.compile("|".join(f"(?:{_without_names(p.pattern)})" for p in patterns))


def _grouped_union(
    patterns: tuple[re.Pattern[str], ...],
) -> tuple[re.Pattern[str] | None, tuple[int, ...]]:
    """`(p0)|(p1)|...` and, per group number, the pattern it belongs to (see `line_branches`).

    An alternation tries its branches in order, so a match goes through the first pattern
    that matches; its group is the last one the match closes (`Match.lastindex`).
    """
    if not patterns:
        return None, ()
    sources = [_without_names(p.pattern) for p in patterns]
    branches = [-1]  # group 0 is the whole match
    for position, source in enumerate(sources):
        branches.append(position)
        branches.extend([-1] * re.compile(source).groups)
    return re.compile("|".join(f"({source})" for source in sources)), tuple(branches)


def _compile(value: object, where: str) -> re.Pattern[str]:
    if not isinstance(value, str) or not value:
        raise ConfigError(f"rules: {where}: a pattern must be a non-empty string")
    try:
        return re.compile(value)
    except re.error as exc:
        raise ConfigError(f"rules: {where}: bad regular expression {value!r}: {exc}") from None


def _list(data: Mapping[str, object], key: str) -> Sequence[object]:
    value = data.get(key, [])
    if value is None:
        return []
    if not isinstance(value, list):
        raise ConfigError(f"rules: {key} must be a list")
    return value


def _mapping(value: object, where: str) -> Mapping[str, object]:
    if not isinstance(value, Mapping):
        raise ConfigError(f"rules: {where} must be a mapping")
    return value


def _kind(entry: Mapping[str, object], where: str) -> str:
    kind = entry.get("kind")
    if not isinstance(kind, str) or kind not in KINDS:
        raise ConfigError(f"rules: {where}: unknown kind {kind!r}")
    return kind


def _entry_patterns(entry: Mapping[str, object], where: str) -> list[object]:
    patterns = entry.get("patterns")
    if not isinstance(patterns, list) or not patterns:
        raise ConfigError(f"rules: {where}: 'patterns' must be a non-empty list")
    return patterns


_ENTRY_KEYS = frozenset({"kind", "patterns", "outlet", "max_items", "note"})


def _kind_patterns(data: Mapping[str, object], key: str) -> tuple[KindPattern, ...]:
    out: list[KindPattern] = []
    for number, raw in enumerate(_list(data, key)):
        where = f"{key}[{number}]"
        entry = _mapping(raw, where)
        extra = sorted(str(k) for k in entry if k not in _ENTRY_KEYS)
        if extra:
            raise ConfigError(f"rules: {where}: unknown key(s) {', '.join(extra)}")
        kind = _kind(entry, where)
        for index, source in enumerate(_entry_patterns(entry, where)):
            pattern = _compile(source, f"{where}.patterns[{index}]")
            out.append(kind_pattern(kind, pattern))
    return tuple(out)


def _patterns(
    data: Mapping[str, object], key: str, *, need_group: str | None = None
) -> tuple[re.Pattern[str], ...]:
    out: list[re.Pattern[str]] = []
    for number, source in enumerate(_list(data, key)):
        pattern = _compile(source, f"{key}[{number}]")
        if need_group and need_group not in pattern.groupindex:
            raise ConfigError(f"rules: {key}[{number}] needs a (?P<{need_group}>...) group")
        out.append(pattern)
    return tuple(out)


def _related_labels(data: Mapping[str, object]) -> tuple[RelatedLabel, ...]:
    out: list[RelatedLabel] = []
    for number, raw in enumerate(_list(data, "related_labels")):
        where = f"related_labels[{number}]"
        entry = _mapping(raw, where)
        max_items = entry.get("max_items", 1)
        if not isinstance(max_items, int) or isinstance(max_items, bool) or max_items < 0:
            raise ConfigError(f"rules: {where}: max_items must be a non-negative integer")
        kind = _kind(entry, where) if "kind" in entry else "related_link"
        for index, source in enumerate(_entry_patterns(entry, where)):
            pattern = _compile(source, f"{where}.patterns[{index}]")
            out.append(RelatedLabel(pattern, max_items, kind))
    return tuple(out)


def _strings(data: Mapping[str, object], key: str) -> tuple[str, ...]:
    values = _list(data, key)
    if not all(isinstance(v, str) and v for v in values):
        raise ConfigError(f"rules: {key} must be a list of non-empty strings")
    return tuple(str(v) for v in values)


def _mastheads(data: Mapping[str, object]) -> tuple[tuple[str, str], ...]:
    value = data.get("mastheads", {})
    entries = _mapping(value if value is not None else {}, "mastheads")
    out: list[tuple[str, str]] = []
    for key, display in entries.items():
        if not isinstance(key, str) or not isinstance(display, str) or not display:
            raise ConfigError(f"rules: mastheads: {key!r} must map to a non-empty string")
        out.append((key.casefold(), display))
    return tuple(out)
