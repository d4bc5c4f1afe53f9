"""HTML payloads: main-text extraction and metadata, safe on hostile markup.

`extract_html` is the one entry point; it returns an `HtmlExtraction` or raises
`HtmlRejected`. Everything here is a pure function of its arguments.
"""

from worker.pipeline.html.errors import HTML_REJECT_REASONS, HtmlRejected, HtmlRejectReason
from worker.pipeline.html.extract import DEFAULT_MAX_BYTES, extract_html
from worker.pipeline.html.model import HtmlExtraction, HtmlMetadata, MediaItem, MediaKind

__all__ = [
    "DEFAULT_MAX_BYTES",
    "HTML_REJECT_REASONS",
    "HtmlExtraction",
    "HtmlMetadata",
    "HtmlRejectReason",
    "HtmlRejected",
    "MediaItem",
    "MediaKind",
    "extract_html",
]
