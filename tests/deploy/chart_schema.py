"""The `config` part of the chart's values.schema.json, derived from the worker's settings.

The chart renders `.Values.config` into worker.yaml, and the worker rejects unknown keys at
start-up. Deriving the chart's schema from the same pydantic models moves that rejection to
`helm install`, and keeps the two from drifting: test_chart.py fails when the committed
schema differs from what this module derives. After changing worker/settings.py, run

    .venv/bin/python -m tests.deploy.chart_schema

to rewrite helm/article-worker/values.schema.json.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from worker.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
SCHEMA_PATH = ROOT / "helm" / "article-worker" / "values.schema.json"

# Secrets would land in a ConfigMap: the chart takes them from kafkaSecrets instead.
_FORBIDDEN = {"kafka": ("sasl_password", "ssl_password")}
# Annotations that only pydantic or humans use; `format` values such as "path" are unknown to
# Helm's validator, and `default` would suggest that the chart fills them in.
_DROPPED_KEYS = ("title", "default", "format", "writeOnly")


def _inline(node: Any, defs: dict[str, Any]) -> Any:
    """Resolve `$ref`s (Helm validates `config` apart from the root) and drop annotations."""
    if isinstance(node, list):
        return [_inline(item, defs) for item in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        target = defs[node["$ref"].rsplit("/", 1)[-1]]
        extra = {k: v for k, v in node.items() if k != "$ref"}
        return _inline({**target, **extra}, defs)
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key == "properties":
            # Keys of a `properties` map are setting names (logging.format!), not keywords.
            out[key] = {name: _inline(sub, defs) for name, sub in value.items()}
        elif key not in _DROPPED_KEYS:
            out[key] = _inline(value, defs)
    return out


def config_schema() -> dict[str, Any]:
    """JSON schema of `.Values.config`: the worker's settings, minus what the chart forbids."""
    raw = Settings.model_json_schema()
    schema: dict[str, Any] = _inline({k: v for k, v in raw.items() if k != "$defs"}, raw["$defs"])
    for section, keys in _FORBIDDEN.items():
        props = schema["properties"][section]["properties"]
        for key in keys:
            del props[key]
    # The probes and the scrape need the HTTP server; port 0 (no server) cannot work in a pod.
    schema["properties"]["metrics"]["properties"]["port"]["minimum"] = 1
    schema["description"] = (
        "worker.yaml (see config/worker.yaml); derived from worker/settings.py by "
        "tests/deploy/chart_schema.py. Passwords are not accepted: use kafkaSecrets."
    )
    return schema


def expected_values_schema() -> dict[str, Any]:
    """The committed values.schema.json with its `config` part derived afresh."""
    values_schema: dict[str, Any] = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    values_schema["properties"]["config"] = config_schema()
    return values_schema


def main() -> None:
    """Rewrite values.schema.json with the derived `config` part."""
    SCHEMA_PATH.write_text(json.dumps(expected_values_schema(), indent=2) + "\n", encoding="utf-8")
    print(f"wrote {SCHEMA_PATH.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
