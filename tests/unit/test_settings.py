"""Settings: file, then environment, then flags; unknown keys and bad values named."""

from __future__ import annotations

from pathlib import Path

import pytest

from worker.errors import ConfigError
from worker.settings import Settings, load_settings

REPO = Path(__file__).resolve().parents[2]
CONFIG = REPO / "config" / "worker.yaml"


def test_shipped_config_equals_the_defaults() -> None:
    # config/worker.yaml documents every default; the two must not drift apart.
    assert load_settings(CONFIG, environ={}) == Settings()


def test_environment_overrides_file_and_flags_override_environment() -> None:
    env = {"ARTICLE_WORKER__KAFKA__BOOTSTRAP_SERVERS": "env:9092",
           "ARTICLE_WORKER__TOPICS__INPUT": "from.env",
           "ARTICLE_WORKER__PROCESSING__MESSAGE_TIMEOUT_S": "2.5",
           "ARTICLE_WORKER__TOPICS__CREATE": "true"}
    s = load_settings(CONFIG, environ=env, overrides={"topics.input": "from.flag"})
    assert s.kafka.bootstrap_servers == "env:9092"
    assert s.topics.input == "from.flag"
    assert s.processing.message_timeout_s == 2.5
    assert s.topics.create is True


def test_unknown_key_in_file_is_named(tmp_path: Path) -> None:
    path = tmp_path / "w.yaml"
    path.write_text("consumer:\n  group_idd: x\n")
    with pytest.raises(ConfigError, match=r"consumer\.group_idd: unknown key"):
        load_settings(path, environ={})


def test_unknown_key_in_environment_is_named() -> None:
    with pytest.raises(ConfigError, match=r"topics\.inptu: unknown key"):
        load_settings(None, environ={"ARTICLE_WORKER__TOPICS__INPTU": "x"})


def test_bad_value_is_named(tmp_path: Path) -> None:
    path = tmp_path / "w.yaml"
    path.write_text("processing:\n  guarantee: at_most_once\n")
    with pytest.raises(ConfigError, match=r"processing\.guarantee"):
        load_settings(path, environ={})


def test_sasl_needs_credentials() -> None:
    with pytest.raises(ConfigError, match="sasl_mechanism is required"):
        load_settings(None, environ={"ARTICLE_WORKER__KAFKA__SECURITY_PROTOCOL": "SASL_SSL"})


def test_secrets_are_masked_and_never_echoed() -> None:
    s = load_settings(None, environ={
        "ARTICLE_WORKER__KAFKA__SECURITY_PROTOCOL": "SASL_SSL",
        "ARTICLE_WORKER__KAFKA__SASL_MECHANISM": "SCRAM-SHA-512",
        "ARTICLE_WORKER__KAFKA__SASL_USERNAME": "worker",
        "ARTICLE_WORKER__KAFKA__SASL_PASSWORD": "hunter2-secret",
    })
    assert s.masked()["kafka"]["sasl_password"] == "***"
    assert "hunter2-secret" not in repr(s)
    assert "hunter2-secret" not in str(s.masked())


def test_bad_password_value_is_not_echoed() -> None:
    with pytest.raises(ConfigError) as info:
        load_settings(None, environ={}, overrides={"kafka.sasl_password": ["hunter2-secret"]})
    assert "hunter2-secret" not in str(info.value)


def test_invalid_yaml_and_missing_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("kafka: [unclosed\n")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_settings(bad, environ={})
    with pytest.raises(ConfigError, match="cannot read"):
        load_settings(tmp_path / "absent.yaml", environ={})
