"""The pipeline version: bump it whenever the same input would give a different article."""

from typing import Final

PIPELINE_VERSION: Final = "1"

#: The output schema identifiers; a breaking change of either is a new version.
ARTICLE_SCHEMA: Final = "article/v1"
DEAD_LETTER_SCHEMA: Final = "dead-letter/v1"
