"""Bench-only Django app for ``bench/filing_bench.py``: the "bare" views the filing API is
compared with (docs/benchmarks.md) and the one trivial table they insert into. It is installed
only by ``bench.filing_support.settings``; the project's own settings never load it, so it
has no migrations; the bench creates its table with the schema editor in the throwaway
database."""
