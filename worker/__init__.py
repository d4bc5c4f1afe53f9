"""article-worker: clean and enrich scraped news articles streamed through Kafka."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("article-worker")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0.0.0+unknown"

__all__ = ["__version__"]
