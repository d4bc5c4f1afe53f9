"""The rules file: parsing is strict (typos are errors) and the packaged file loads."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from worker.errors import ConfigError
from worker.pipeline.rules import (
    CleaningRules,
    end_literal,
    line_end_suffix,
    literal_prefix,
    parse_rules,
)
from worker.rules_file import load_rules


def test_packaged_rules_load_and_know_the_corpus_kinds() -> None:
    rules = load_rules()
    assert isinstance(rules, CleaningRules)
    assert rules.line_rules.kind_of("SCROLL TO CONTINUE WITH CONTENT") == "scroll_prompt"
    assert rules.line_rules.kind_of("Advertisement") == "ad_marker"
    assert rules.line_rules.kind_of("(fem/wsw)") == "editor_initials"
    assert rules.line_rules.kind_of("Halaman Selanjutnya") == "pagination"
    assert rules.line_rules.kind_of("Ikuti Whatsapp Channel Republika") is None  # a block rule
    assert rules.masthead("aceh.tribunnews.com") == "Serambinews.com"


def test_empty_mapping_gives_rules_that_match_nothing() -> None:
    rules = parse_rules({})
    assert rules.line_rules.kind_of("ADVERTISEMENT") is None
    assert rules.inline_rules.active("ADVERTISEMENT") == ()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"line_rule": []}, "unknown key(s) line_rule"),
        ({"version": 2}, "unsupported version"),
        ({"line_rules": [{"kind": "adverts", "patterns": ["x"]}]}, "unknown kind 'adverts'"),
        ({"line_rules": [{"kind": "ad_marker", "patterns": ["(x"]}]}, "bad regular expression"),
        ({"line_rules": [{"kind": "ad_marker"}]}, "'patterns' must be a non-empty list"),
        ({"line_rules": [{"kind": "ad_marker", "patterns": ["x"], "outlt": "a"}]}, "outlt"),
        ({"syndication": ["sumber: (.*)"]}, "needs a (?P<credit>...) group"),
        ({"related_labels": [{"patterns": ["x"], "max_items": -1}]}, "max_items"),
        ({"mastheads": {"kompas.com": ""}}, "non-empty string"),
        ({"title_suffixes": "tempo.co"}, "must be a list"),
    ],
)
def test_bad_rules_are_rejected_with_the_key_named(data: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(message)):
        parse_rules(data)


def test_load_rules_reports_the_file_on_errors(tmp_path: Path) -> None:
    missing = tmp_path / "missing.yaml"
    with pytest.raises(ConfigError, match=r"cannot read rules file .*missing\.yaml"):
        load_rules(missing)
    broken = tmp_path / "broken.yaml"
    broken.write_text("line_rules: [unclosed\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_rules(broken)
    listy = tmp_path / "list.yaml"
    listy.write_text("- a\n- b\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="top level must be a mapping"):
        load_rules(listy)
    typo = tmp_path / "typo.yaml"
    typo.write_text("line_rules:\n  - kind: ad_markr\n    patterns: [x]\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"typo.yaml: rules: line_rules\[0\]: unknown kind"):
        load_rules(typo)


def test_a_custom_rules_file_is_used(tmp_path: Path) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text(
        "line_rules:\n  - kind: ad_marker\n    patterns: ['PARIWARA']\n", encoding="utf-8"
    )
    rules = load_rules(path)
    assert rules.line_rules.kind_of("PARIWARA") == "ad_marker"
    assert rules.line_rules.kind_of("ADVERTISEMENT") is None


@pytest.mark.parametrize(
    ("source", "prefix", "complete"),
    [
        ("abc", "abc", True),
        (r"a\.b", "a.b", True),
        (r"\[Gambas:[^\]]*\]", "[Gambas:", False),
        ("Ads?", "Ad", False),
        ("ab+c", "ab", False),
        ("ab{2}", "a", False),
        (r"a\d", "a", False),
        ("Laporan (?:Wartawan|Reporter)", "Laporan ", False),
        ("a|b", "", False),
        ("abc(?:d|e)|f", "", False),
        ("a[|]b", "a", False),
        (r"a\|b", "a|b", True),
        ("(?i)abc", "", False),
        (r"\Aabc", "", False),
    ],
)
def test_literal_prefix_is_what_every_match_starts_with(
    source: str, prefix: str, complete: bool
) -> None:
    assert literal_prefix(re.compile(source)) == (prefix, complete)


@pytest.mark.parametrize(
    ("source", "suffix"),
    [
        (r"\(\*\)$", "(*)"),
        (r"\((?:[a-z]{2,5}/){1,3}[a-z]{2,5}\)$", ")"),
        ('";$', '";'),
        (r"UTUSAN\.?$", ""),
        (r"a\$", ""),  # a dollar sign, no anchor
        (r"a\\$", "a\\"),
        ("a|b$", ""),
        ("(?m)a$", ""),
        ("abc", ""),
    ],
)
def test_line_end_suffix_is_what_a_matched_line_ends_with(source: str, suffix: str) -> None:
    assert line_end_suffix(re.compile(source)) == suffix


_PIECES = st.sampled_from(
    [
        *("Baca juga: ", "ADVERTISEMENT", "(abc/def)", "(*)", '";', "WhatsApp Channel", "Grup "),
        *(" ", "\n", "x", "İ", "\u212a", "K", "Σ", "ß", "[Gambas:Video]", "- UTUSAN ONLINE"),
        "Telegram",
    ]
)


# No deadline: each example loads and compiles the rules file (~0.1 s, more on a busy host).
@settings(deadline=None)
@given(st.lists(_PIECES, max_size=12).map("".join))
def test_prefix_and_suffix_gates_agree_with_the_regexes(text: str) -> None:
    rules = load_rules()
    for rule_set in (rules.inline_rules, rules.inline_labels, rules.block_rules):
        for rule in rule_set.rules:
            assert rule.occurs(text) == (rule.pattern.search(text) is not None)
        assert rule_set.active(text) == tuple(
            r for r, m in zip(rule_set.rules, rule_set.multiline, strict=True) if _hits(m, text)
        )
    lines = text.split("\n")
    assert rules.block_rules.active_lowered(text) == rules.block_rules.active(text.lower())
    assert "\n".join(ln.lower() for ln in lines) == text.lower()


def _hits(pattern: re.Pattern[str], text: str) -> bool:
    if pattern.pattern.startswith("\\A"):
        return pattern.match(text) is not None
    return pattern.search(text) is not None


def test_shared_cores_group_prefixes_that_hold_the_same_text() -> None:
    rules = parse_rules(
        {
            "block_rules": [
                {"kind": "social_promo", "patterns": ["whatsapp kami", "ikuti whatsapp", "x y"]}
            ]
        }
    )
    assert rules.block_rules.cores == (
        (b"whatsapp", ((0, b"whatsapp kami"), (1, b"ikuti whatsapp"))),
        (b"x y", ((2, b"x y"),)),
    )


@pytest.mark.parametrize(
    ("source", "end"),
    [
        (r"(?=.*\)\Z)[^()]{3,300}\(foto: .{1,60}\)", ")"),
        (r"(?=.*ab\Z)x.*", "ab"),
        (r"(?=.*a?\Z)x", ""),
        (r"(?=.*\\Z)x", ""),
        (r"(?=.*[)]\Z)x", ""),
        (r"(?=.*\Z)x", ""),
        ("(?i)(?=.*a\\Z)x", ""),
        ("abc", ""),
    ],
)
def test_end_literal_reads_an_opening_end_anchored_lookahead(source: str, end: str) -> None:
    assert end_literal(re.compile(source)) == end


def test_whole_line_patterns_split_by_end_literal_keep_their_union() -> None:
    rules = load_rules()
    caption = "Warga menonton banjir di Jakarta, Senin (1/1) (Tribunnews.com/Jeprima)"
    assert rules.line_tails
    assert rules.line_union is not None
    assert rules.line_union.fullmatch(caption) is None
    assert any(tail.fullmatch(caption) for end, tail in rules.line_tails if caption.endswith(end))
    assert rules.line_rules.kind_of(caption) == "image_caption"
