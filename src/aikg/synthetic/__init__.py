"""Synthetic data in the shape of the real graph, for benchmarks and tests (imported only
by the commands that need it)."""
