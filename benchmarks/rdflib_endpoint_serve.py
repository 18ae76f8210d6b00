"""Serve N-Quads with rdflib-endpoint, as its own `rdflib-endpoint serve` does.

Run by :mod:`benchmarks.http_throughput` with the Python of
``benchmarks/.venv-rdflib-endpoint`` (the peer's pinned versions stay out of aikg's
environment), so it imports nothing of aikg.
The same steps as ``rdflib_endpoint.__main__.run_serve`` (a
``Dataset(default_union=True)``, ``parse``, ``SparqlEndpoint``, ``uvicorn.run``), with
uvicorn's access log off, as aikg's server has it (``--log-level warning``): neither pays
for a log line per request.

Usage: python rdflib_endpoint_serve.py FILE.nq PORT
"""

from __future__ import annotations

import sys

import uvicorn
from rdflib import Dataset
from rdflib_endpoint import SparqlEndpoint  # type: ignore[import-not-found, unused-ignore]


def main() -> None:
    path, port = sys.argv[1], int(sys.argv[2])
    dataset = Dataset(default_union=True)
    dataset.parse(path, format="nquads")
    app = SparqlEndpoint(graph=dataset, path="/sparql")  # its docs' URL (the default is /)
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


if __name__ == "__main__":
    main()
