"""The one exception type of the HTML stage: input that cannot yield an article body."""

from __future__ import annotations

from typing import Final, Literal, get_args

HtmlRejectReason = Literal["html_undecodable", "html_no_content", "payload_too_large"]

#: Every reason `HtmlRejected` can carry; the lead maps them onto dead-letter reasons.
HTML_REJECT_REASONS: Final[tuple[str, ...]] = get_args(HtmlRejectReason)


class HtmlRejected(Exception):  # noqa: N818 - a rejection is an outcome, not an "Error"
    """Unusable HTML input, with a machine-readable `reason` and a human `message`."""

    def __init__(self, reason: HtmlRejectReason, message: str) -> None:
        super().__init__(f"{reason}: {message}")
        self.reason: HtmlRejectReason = reason
        self.message = message
