"""`import aikg` is light and changes nothing outside aikg."""

from __future__ import annotations

import json
import subprocess
import sys

HEAVY = ["pyshacl", "httpx", "fastapi", "uvicorn", "aikg.synthetic.generate"]


def loaded_after(code: str) -> dict[str, object]:
    probe = (
        f"{code}\nimport sys, json, rdflib.plugins.sparql as s\n"
        f"print(json.dumps({{'loaded': [m for m in {HEAVY!r} if m in sys.modules],"
        " 'load_graphs': s.SPARQL_LOAD_GRAPHS}))"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def test_import_aikg_loads_no_server_no_pyshacl_and_no_generator() -> None:
    assert loaded_after("import aikg") == {"loaded": [], "load_graphs": True}


def test_aikg_help_loads_neither_the_server_nor_the_generator() -> None:
    code = "import sys\nsys.argv = ['aikg', '--help']\nfrom aikg.cli import main\n"
    code += "try:\n    main()\nexcept SystemExit:\n    pass"
    assert loaded_after(code)["loaded"] == []


def test_the_client_is_there_when_asked_for() -> None:
    assert loaded_after("from aikg import Client")["loaded"] == ["httpx"]


def test_pyshacl_validation_leaves_rdflib_as_it_found_it() -> None:
    code = (
        "from aikg import KnowledgeGraph, Settings\n"
        "assert KnowledgeGraph.open(Settings(validator='pyshacl')).validate().conforms"
    )
    assert loaded_after(code)["load_graphs"] is True
