"""The pipeline version: bump it whenever the same input would give a different article."""

from importlib.machinery import EXTENSION_SUFFIXES
from typing import Final

PIPELINE_VERSION: Final = "1"

#: How this pipeline runs: "mypyc" when its modules are compiled (the image's build, see
#: setup.py), "interpreted" from plain sources. Both give the same articles; only speed differs.
PIPELINE_BUILD: Final = "mypyc" if __file__.endswith(tuple(EXTENSION_SUFFIXES)) \
    else "interpreted"  # fmt: skip

#: The output schema identifiers; a breaking change of either is a new version.
ARTICLE_SCHEMA: Final = "article/v1"
DEAD_LETTER_SCHEMA: Final = "dead-letter/v1"
