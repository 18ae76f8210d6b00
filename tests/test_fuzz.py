"""Schemathesis against the server's own OpenAPI document: generated requests for every
operation (valid and invalid, in all of Schemathesis's phases: examples, coverage, fuzzing,
stateful), on a server that accepts writes.

Every response must not be a server error (5xx), must use a status code the document
lists for the operation, must have a documented content type and, where the document gives
a schema for it, match it. The run is bounded: ``AIKG_FUZZ_EXAMPLES`` cases per operation
(10 by default) with a fixed seed. A longer run, with its figures:
``AIKG_FUZZ_EXAMPLES=100 pytest tests/test_fuzz.py -s``.

Schemathesis runs as its command line: its pytest plugin does not work with pytest 9.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.server import running_server

pytestmark = [pytest.mark.server, pytest.mark.fuzz]

TOKEN = "fuzz-token"
EXAMPLES = os.environ.get("AIKG_FUZZ_EXAMPLES", "10")
CHECKS = "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance"


def test_no_server_error_and_every_response_as_documented(tmp_path: Path) -> None:
    report = tmp_path / "schemathesis.json"
    with running_server({"AIKG_TOKEN": TOKEN, "AIKG_QUERY_TIMEOUT": "3"}) as server:
        document = httpx.get(f"{server.url}/openapi.json", timeout=30).json()
        operations = sum(
            1
            for path in document["paths"].values()
            for method in path
            if method in {"get", "put", "post", "delete", "head", "patch", "options"}
        )
        completed = subprocess.run(
            [
                sys.executable,
                "-m",
                "schemathesis.cli",
                "run",
                f"{server.url}/openapi.json",
                "--checks",
                CHECKS,
                "--max-examples",
                EXAMPLES,
                "--seed",
                "1",
                "--header",
                f"Authorization: Bearer {TOKEN}",
                "--request-timeout",
                "30",
                "--continue-on-failure",
                "--report",
                "json",
                "--report-json-path",
                str(report),
            ],
            capture_output=True,
            text=True,
            timeout=1200,
            check=False,
        )
    summary = completed.stdout[completed.stdout.rfind("SUMMARY") :]
    assert completed.returncode == 0, completed.stdout[-8000:]
    results = json.loads(report.read_text())
    assert results["failures"] == [] and results["errors"] == []
    # Every operation of the document was tested: "N/N" operations in the summary.
    assert f"{operations}/{operations}" in summary, summary
    print(summary)  # the figures, with -s
