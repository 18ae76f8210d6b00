"""Benchmarks of aikg against its peers: ``python -m benchmarks``.

One module per job: :mod:`benchmarks.data` (generated data), :mod:`benchmarks.load` (load
throughput), :mod:`benchmarks.queries` (saved-query latency in process),
:mod:`benchmarks.http_throughput` (HTTP throughput of servers; not ``http.py``, which
would shadow the standard library for scripts run from this folder),
:mod:`benchmarks.virtuoso` (a throwaway Virtuoso), :mod:`benchmarks.validation` (SHACL
engines), :mod:`benchmarks.big` (10M on disk), :mod:`benchmarks.report` (JSON and markdown),
:mod:`benchmarks.readme` (the README's table of scale targets, from one run).
Every measurement runs in a fresh subprocess (:mod:`benchmarks.job`), so that each engine's
peak memory is its own and one engine's garbage cannot slow the next.
"""
