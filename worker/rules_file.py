"""Loading the cleaning rules file (the I/O side of `worker.pipeline.rules`)."""

from __future__ import annotations

import pathlib
from importlib import resources

import yaml

from worker.errors import ConfigError
from worker.pipeline.rules import CleaningRules, parse_rules

__all__ = ["load_rules"]


def load_rules(path: pathlib.Path | None = None) -> CleaningRules:
    """Read and compile a rules file; `None` reads the packaged `worker/rules/boilerplate.yaml`.

    Raises `ConfigError` with the file name when the file is missing, not YAML, or invalid.
    """
    where = str(path) if path is not None else "packaged worker/rules/boilerplate.yaml"
    try:
        if path is None:
            text = (
                resources.files("worker").joinpath("rules", "boilerplate.yaml").read_text("utf-8")
            )
        else:
            text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read rules file {where}: {exc}") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError(f"rules file {where} is not valid YAML: {exc}") from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(f"rules file {where}: the top level must be a mapping")
    try:
        return parse_rules(data)
    except ConfigError as exc:
        raise ConfigError(f"rules file {where}: {exc}") from None
