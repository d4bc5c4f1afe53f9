"""The rules file: parsing is strict (typos are errors) and the packaged file loads."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from worker.errors import ConfigError
from worker.pipeline.rules import CleaningRules, parse_rules
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
