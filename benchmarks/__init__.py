"""Benchmarks of article-worker: offline pipeline, end to end through a real broker, baseline.

`python -m benchmarks.run` (the `make bench` target) runs everything in one go and writes
`benchmarks/results/latest.json` and `latest.md`. The modules are importable on their own so
that `tests/benchmarks/` can run each code path on tiny sizes.
"""
