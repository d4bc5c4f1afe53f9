"""`python -m worker` is the same as the `article-worker` command."""

from worker.cli import main

raise SystemExit(main())
