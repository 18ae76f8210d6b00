"""The benchmark's data: generated N-Quads of each size, and the dataset queries see.

- ``gen-N-sS.nq``: ``aikg.synthetic.generate.write(path, N, S)``, what every engine *loads*.
- ``full-N-sS.nq``: what every engine *queries*: the ontology, the shapes, the bundled data
  and the generated data, exported by aikg (``KnowledgeGraph.load()`` + ``load_files``).
  aikg always holds its ontology, shapes and bundled data; the peers must hold the same
  quads, or the same query would answer differently and cost differently.
- ``viol-N-sS-kK.nq``: generated data with K injected violations (the validators' sanity run).

Files are cached by name (generation is deterministic) and written under a temporary
name first, so a half-written file is never reused.
"""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from benchmarks.common import WORK, run_job

DATA = WORK / "data"


@dataclass(frozen=True)
class DataFiles:
    size: int
    seed: int
    gen: str
    full: str
    gen_quads: int
    full_quads: int

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _count_lines(path: Path) -> int:
    with path.open("rb") as file:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: file.read(1 << 20), b""))


def generated(size: int, seed: int, violations: int = 0) -> Path:
    """The generated N-Quads file of ``size`` triples (made once, then reused)."""
    from aikg.synthetic import generate  # noqa: PLC0415 - the orchestrator imports aikg only here

    DATA.mkdir(parents=True, exist_ok=True)
    name = f"viol-{size}-s{seed}-k{violations}.nq" if violations else f"gen-{size}-s{seed}.nq"
    path = DATA / name
    if not path.exists():
        partial = path.with_suffix(".partial")
        generate.write(partial, size, seed, violations=violations)
        os.replace(partial, path)
    return path


def build_full(gen: str, out: str) -> dict[str, Any]:
    """Job: aikg's whole dataset (ontology, shapes, bundled and generated data) as N-Quads."""
    from aikg.knowledge_graph import KnowledgeGraph  # noqa: PLC0415
    from aikg.loader import load_files  # noqa: PLC0415

    kg = KnowledgeGraph.load()
    load_files(kg, [gen], validate=False)
    partial = out + ".partial"
    with open(partial, "wb") as file:
        kg.store.write("nquads", file)
    os.replace(partial, out)
    return {"quads": _count_lines(Path(out))}


def prepare(size: int, seed: int) -> DataFiles:
    """The files of one size, generated and exported when missing."""
    gen = generated(size, seed)
    full = DATA / f"full-{size}-s{seed}.nq"
    if not full.exists():
        result = run_job("data:build_full", 3600, f"data-{size}", gen=str(gen), out=str(full))
        if "error" in result:
            raise RuntimeError(f"cannot export the full dataset of {size}: {result['error']}")
    return DataFiles(size, seed, str(gen), str(full), _count_lines(gen), _count_lines(full))
