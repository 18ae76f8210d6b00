"""A non-editable install carries the ontology, data and queries and runs from anywhere."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.install

ROOT = Path(__file__).resolve().parent.parent


def test_pip_install_runs_aikg_stats_from_another_directory(tmp_path: Path) -> None:
    wheels, target, elsewhere = tmp_path / "wheels", tmp_path / "site", tmp_path / "elsewhere"
    elsewhere.mkdir()
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q"]
    subprocess.run(
        [*pip, "wheel", "--no-deps", "--no-build-isolation", "-w", str(wheels), str(ROOT)],
        check=True,
        cwd=tmp_path,
        timeout=600,
    )
    [wheel] = wheels.glob("aikg-*.whl")
    subprocess.run(
        [*pip, "install", "--no-deps", "--target", str(target), str(wheel)],
        check=True,
        cwd=tmp_path,
        timeout=600,
    )
    env = {**os.environ, "PYTHONPATH": str(target)}
    done = subprocess.run(
        [str(target / "bin" / "aikg"), "stats"],
        capture_output=True,
        text=True,
        cwd=elsewhere,
        env=env,
        check=False,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert "triples in 15 named graphs" in done.stdout
    packaged = {
        p.relative_to(target / "aikg" / "_resources").as_posix()
        for p in (target / "aikg" / "_resources").rglob("*.*")
    }
    assert {
        "ontology/aikg.ttl",
        "ontology/shapes.ttl",
        "triples/holdings.ttl",
        "queries/holdings.rq",
        "sources/article.txt",
    } <= packaged
    # The web page's assets, the vendored editor and its licence among them.
    static = target / "aikg" / "web" / "static"
    served = {p.relative_to(static).as_posix() for p in static.rglob("*.*")}
    assert {
        "aikg.css",
        "editor.js",
        "vendor/codemirror/lib/codemirror.js",
        "vendor/codemirror/mode/sparql/sparql.js",
        "vendor/codemirror/addon/hint/show-hint.js",
    } <= served
    assert (static / "vendor" / "codemirror" / "LICENSE").is_file()
