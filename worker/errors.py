"""Errors as data: every rejected message carries a reason from one fixed, documented set."""

from __future__ import annotations

from typing import Final, Literal, get_args

Reason = Literal[
    "invalid_utf8",
    "invalid_json",
    "not_an_object",
    "missing_content",
    "invalid_field",
    "payload_too_large",
    "html_undecodable",
    "html_no_content",
    "empty_after_cleaning",
    "timeout",
    "unhandled",
]

#: Every dead-letter reason, in documentation order. Metrics use these as label values.
REASONS: Final[tuple[str, ...]] = get_args(Reason)

Stage = Literal["decode", "html", "clean", "enrich", "output", "pipeline"]


class Rejected(Exception):  # noqa: N818 - a rejection is an outcome, not an "Error"
    """A message that cannot become an article; it goes to the dead-letter topic."""

    def __init__(self, reason: Reason, stage: Stage, message: str) -> None:
        super().__init__(f"{reason} at {stage}: {message}")
        self.reason: Reason = reason
        self.stage: Stage = stage
        self.message = message


class ConfigError(Exception):
    """Configuration that cannot be used; the CLI exits with code 2 and prints the message."""


class FatalIOError(Exception):
    """I/O that did not recover within its bounded retries; the worker exits non-zero."""
