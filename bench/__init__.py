"""Benchmarks against ../shared/PERFORMANCE.md (not part of the test suite)."""
