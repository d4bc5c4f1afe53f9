"""Build hook: compile the pure pipeline with mypyc when ARTICLE_WORKER_COMPILE=1.

Everything else about the package (metadata, dependencies, data files) is in pyproject.toml.
The image sets ARTICLE_WORKER_COMPILE=1 (Dockerfile) and so does `make bench`, which measures
what ships: compiled, the text pipeline needs about a fifth less CPU per article with byte-for-
byte the same outputs (tests/deploy/test_image_install.py compares them on every `make test`).
The developer venv is an editable install of the plain sources (the default, 0), so that an
edited module is what runs; the test suite and mypy --strict check those sources.

Only `worker/pipeline/*.py` is compiled: the pure core, where the CPU goes. The HTML cascade
(`worker/pipeline/html/`) spends its time in lxml and trafilatura, and the Kafka shell in
kafka-python, so compiling them would buy little.
"""

from __future__ import annotations

import os
from pathlib import Path

from setuptools import setup

COMPILE_FLAG = "ARTICLE_WORKER_COMPILE"


def compiled_modules() -> list[str]:
    """The modules mypyc compiles: every pipeline module but the package's `__init__`."""
    return sorted(str(path) for path in Path("worker/pipeline").glob("*.py")
                  if path.name != "__init__.py")


def ext_modules() -> list[object]:
    flag = os.environ.get(COMPILE_FLAG, "0")
    if flag not in {"0", "1"}:
        raise SystemExit(f"{COMPILE_FLAG} must be 0 or 1, not {flag!r}")
    if flag == "0":
        return []
    # Imported only here: a plain build needs no mypy.
    try:
        from mypyc.build import mypycify  # noqa: PLC0415
    except ImportError:
        raise SystemExit(
            f"{COMPILE_FLAG}=1 needs mypy in the build environment: install "
            "requirements/build.lock and requirements/runtime.lock and build with "
            "--no-build-isolation, as the Dockerfile does"
        ) from None

    # group_name: the shared runtime module is worker_pipeline__mypyc, not a hash.
    return list(mypycify(compiled_modules(), opt_level="3", group_name="worker_pipeline"))


setup(ext_modules=ext_modules())
