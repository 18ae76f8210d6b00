"""The report: machine facts, the scale targets as ratios, and markdown tables.

Every figure is read from the run's results (the JSON); nothing is asserted. A ratio
whose slower side timed out is a lower bound, written ``> X``.
"""

from __future__ import annotations

import importlib.metadata
import os
import platform
import subprocess
import time
from collections.abc import Callable
from typing import Any

from benchmarks.common import REPO, median

LOAD_ROWS = (
    "aikg (memory)",
    "aikg (disk)",
    "aikg load CLI (disk, wall)",
    "pyoxigraph (memory)",
    "pyoxigraph (disk)",
    "rdflib",
    "Virtuoso (native bulk loader)",
    "Virtuoso (aikg RemoteStore load_files)",
)
LATENCY_ROWS = (
    "aikg",
    "pyoxigraph (memory)",
    "pyoxigraph (disk)",
    "rdflib",
    "Virtuoso (aikg RemoteStore)",
    "Virtuoso (aikg RemoteStore, lang=None)",
)
HTTP_ROWS = ("aikg serve", "rdflib-endpoint", "Virtuoso /sparql")
VALIDATION_ROWS = (
    "aikg fast (validate_quads)",
    "aikg fast (KnowledgeGraph.validate in place)",
    "pySHACL",
)


def _version(package: str) -> str | None:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return None


def _run(args: list[str]) -> str:
    try:
        done = subprocess.run(args, capture_output=True, text=True, cwd=REPO, check=False)
    except OSError:
        return ""
    return (done.stdout + done.stderr).strip()


def machine_info() -> dict[str, Any]:
    model = ""
    with open("/proc/cpuinfo") as cpuinfo:
        for line in cpuinfo:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    ram_kb = 0
    with open("/proc/meminfo") as meminfo:
        for line in meminfo:
            if line.startswith("MemTotal"):
                ram_kb = int(line.split()[1])
    virtuoso = _run(["virtuoso-t", "+?"]).splitlines()
    return {
        "utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "cpus": os.cpu_count(),
        "cpu_model": model,
        "ram_gb": round(ram_kb / 2**20, 1),
        "load_average_at_start": os.getloadavg(),
        "os": platform.platform(),
        "python": platform.python_version(),
        "versions": {
            p: _version(p)
            for p in ("aikg", "pyoxigraph", "rdflib", "pyshacl", "fastapi", "uvicorn", "httpx")
        },
        "virtuoso": virtuoso[1] if len(virtuoso) > 1 else None,
        "git_commit": _run(["git", "rev-parse", "HEAD"]),
        "git_dirty": bool(
            _run(["git", "status", "--porcelain", "--", "src", "ontology", "queries", "data"])
        ),
    }


# -- formatting ------------------------------------------------------------------------


def _label(n: int) -> str:
    if n >= 1_000_000 and n % 1_000_000 == 0:
        return f"{n // 1_000_000}M"
    if n >= 1000 and n % 1000 == 0:
        return f"{n // 1000}k"
    return str(n)


def _num(value: float | None, digits: int = 1) -> str:
    if value is None:
        return "–"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:,.{digits}f}"


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return [*lines, ""]


def _sizes(results: dict[str, Any]) -> list[str]:
    return sorted(results.get("sizes", {}), key=int)


def _triples(results: dict[str, Any], size: str) -> int:
    return int(results["sizes"][size].get("data", {}).get("gen_quads") or size)


# -- the targets -------------------------------------------------------------------------


def _ratio(fast: float | None, slow: float | None, bound: bool = False) -> dict[str, Any]:
    if not fast or slow is None:
        return {"value": None}
    return {"value": slow / fast, "lower_bound": bound}


def _load_seconds(entry: dict[str, Any] | None) -> float | None:
    return None if not entry or "error" in entry else entry.get("seconds")


def targets(results: dict[str, Any]) -> list[dict[str, Any]]:
    """Each scale target, per size, as measured in this run."""
    rows: list[dict[str, Any]] = []

    def add(name: str, goal: str, better: str, compute: Callable[[dict[str, Any]], Any]) -> None:
        per_size = {}
        for size in _sizes(results):
            try:
                per_size[size] = compute(results["sizes"][size])
            except (KeyError, TypeError, ZeroDivisionError):
                per_size[size] = {"value": None}
        rows.append({"target": name, "goal": goal, "better": better, "per_size": per_size})

    def http_ratio(clients: str) -> Callable[[dict[str, Any]], Any]:
        def compute(s: dict[str, Any]) -> dict[str, Any]:
            ours = s["http"]["aikg serve"][clients]
            theirs = s["http"]["rdflib-endpoint"][clients]
            if theirs.get("ok", 0) == 0:  # none answered: fewer than 1 per elapsed time
                return {
                    "value": ours["rps"] * max(theirs.get("elapsed_s") or 0, 1e-9),
                    "lower_bound": True,
                }
            return {"value": ours["rps"] / theirs["rps"], "lower_bound": False}

        return compute

    add(
        "HTTP throughput, aikg serve / rdflib-endpoint, 1 client",
        ">= 20",
        "higher",
        http_ratio("1"),
    )
    add(
        "HTTP throughput, aikg serve / rdflib-endpoint, 16 clients",
        ">= 20",
        "higher",
        http_ratio("16"),
    )

    def overhead(raw: str) -> Callable[[dict[str, Any]], Any]:
        def compute(s: dict[str, Any]) -> dict[str, Any]:
            served = s["http"]["aikg serve"]["1"]["per_query_p50_ms"]
            inproc = s["latency"][raw]["queries"]
            diffs = [
                served[name] - entry["p50_ms"]
                for name, entry in inproc.items()
                if served.get(name) is not None and entry.get("p50_ms") is not None
            ]
            return {"value": median(diffs), "unit": "ms", "queries": len(diffs)}

        return compute

    add(
        "aikg HTTP p50 (1 client) − raw pyoxigraph p50 in memory, median over queries (ms)",
        "<= 1 ms",
        "lower",
        overhead("pyoxigraph (memory)"),
    )
    add(
        "aikg HTTP p50 (1 client) − raw pyoxigraph p50 on the same disk store, median (ms)",
        "<= 1 ms",
        "lower",
        overhead("pyoxigraph (disk)"),
    )

    def load_ratio(ours_key: str, with_validation: bool) -> Callable[[dict[str, Any]], Any]:
        def compute(s: dict[str, Any]) -> dict[str, Any]:
            ours = s["load"][ours_key]
            seconds = (
                ours["seconds"]
                if with_validation
                else ours["seconds"] - ours["validate_s"] - ours.get("sources_s", 0.0)
            )
            return _ratio(seconds, _load_seconds(s["load"]["rdflib"]))

        return compute

    add(
        "load, aikg in memory (validated) vs rdflib parse",
        ">= 10",
        "higher",
        load_ratio("aikg (memory)", True),
    )
    add(
        "load, aikg in memory (check + write, no validation) vs rdflib parse",
        ">= 10",
        "higher",
        load_ratio("aikg (memory)", False),
    )
    add(
        "load, aikg on disk (validated) vs rdflib parse",
        ">= 10",
        "higher",
        load_ratio("aikg (disk)", True),
    )

    def engine_ratio(s: dict[str, Any]) -> dict[str, Any]:
        ours = _load_seconds(s["load"]["aikg (disk)"])
        engine = _load_seconds(s["load"]["pyoxigraph (disk)"])
        return {"value": ours / engine if ours and engine else None, "unit": "x"}

    add(
        "load on disk, aikg (validated, inferred) / pyoxigraph bulk_load, time",
        "<= 1.5",
        "lower",
        engine_ratio,
    )
    add(
        "validation of a 1,000-triple addition where it reaches (s)",
        "<= 1",
        "lower",
        lambda s: {"value": s["incremental"]["median_s"]["incremental"], "unit": "s"},
    )

    def validation_ratio(ours_key: str) -> Callable[[dict[str, Any]], Any]:
        def compute(s: dict[str, Any]) -> dict[str, Any]:
            ours = s["validation"][ours_key]["seconds"]
            ref = s["validation"]["pySHACL"]
            if ref.get("timed_out"):
                cap = float(ref["error"].split()[3])
                return {"value": cap / ours, "lower_bound": True}
            return _ratio(ours, ref["seconds"])

        return compute

    add(
        "validation, pySHACL time / aikg fast validate_quads time",
        ">= 10 at 1M",
        "higher",
        validation_ratio("aikg fast (validate_quads)"),
    )
    add(
        "validation, pySHACL time / aikg KnowledgeGraph.validate() in place",
        ">= 10 at 1M",
        "higher",
        validation_ratio("aikg fast (KnowledgeGraph.validate in place)"),
    )
    return rows


def _met(row: dict[str, Any], cell: dict[str, Any]) -> str:
    value = cell.get("value")
    if value is None:
        return "not measured"
    threshold = float(row["goal"].split()[1])
    if row["better"] == "higher":
        return "yes" if value >= threshold else ("unknown" if cell.get("lower_bound") else "no")
    return "yes" if value <= threshold else "no"


def _ratio_text(cell: dict[str, Any]) -> str:
    value = cell.get("value")
    if value is None:
        return "–"
    if cell.get("unit") == "ms":
        return f"{value:+.2f} ms"
    if cell.get("unit") == "s":
        return f"{value:,.2f} s"
    if cell.get("unit") == "x":
        return f"{value:,.2f}x"
    return f"{'> ' if cell.get('lower_bound') else ''}{value:,.1f}x"


# -- markdown ----------------------------------------------------------------------------


def markdown(results: dict[str, Any]) -> str:
    meta = results.get("meta", {})
    sizes = _sizes(results)
    heads = [_label(int(s)) for s in sizes]
    v = meta.get("versions", {})
    lines = [
        f"# aikg benchmarks, {meta.get('utc', '')}",
        "",
        f"{meta.get('cpus')} CPUs ({meta.get('cpu_model')}), {meta.get('ram_gb')} GB RAM, "
        f"load average at start "
        f"{tuple(round(x, 2) for x in meta.get('load_average_at_start', ()))}; "
        f"Python {meta.get('python')}, pyoxigraph {v.get('pyoxigraph')}, rdflib {v.get('rdflib')}, "
        f"pySHACL {v.get('pyshacl')}, rdflib-endpoint {meta.get('rdflib_endpoint')}, "
        f"{meta.get('virtuoso')}; commit {str(meta.get('git_commit'))[:12]}"
        f"{' (with uncommitted changes)' if meta.get('git_dirty') else ''}; "
        f"run took {_num((meta.get('elapsed_s') or 0) / 60)} min.",
        "",
        "Figures are medians measured in this run on a shared machine; ratios are computed "
        "from the same run. `–`: not measured (see the JSON for errors).",
        "",
    ]
    lines += _targets_md(results, sizes, heads)
    lines += _load_md(results, sizes, heads)
    lines += _latency_md(results, sizes, heads)
    lines += _http_md(results, sizes, heads)
    lines += _validation_md(results, sizes, heads)
    lines += _incremental_md(results, sizes, heads)
    lines += _agreement_md(results, sizes)
    lines += _overhead_md(results)
    lines += _big_md(results)
    return "\n".join(lines)


def _targets_md(results: dict[str, Any], sizes: list[str], heads: list[str]) -> list[str]:
    rows = []
    found = targets(results)
    results["targets"] = found
    for row in found:
        cells = [_ratio_text(row["per_size"].get(s, {})) for s in sizes]
        last = row["per_size"].get(sizes[-1], {}) if sizes else {}
        rows.append([row["target"], row["goal"], *cells, _met(row, last)])
    return [
        "## Targets",
        "",
        *_table(["target", "goal", *heads, f"met at {heads[-1] if heads else '–'}"], rows),
    ]


def _load_md(results: dict[str, Any], sizes: list[str], heads: list[str]) -> list[str]:
    rows = []
    phases = []
    for name in LOAD_ROWS:
        cells = []
        present = False
        for s in sizes:
            entry = results["sizes"][s].get("load", {}).get(name)
            present |= entry is not None
            seconds = entry.get("seconds", entry.get("wall_s")) if entry else None
            if not entry or "error" in entry or not seconds:
                cells.append("–" if not entry else "failed")
                continue
            runs = len(entry.get("runs", [entry]))
            rss = entry.get("peak_rss_mb")
            cells.append(
                f"{_num(_triples(results, s) / seconds)} ({_num(seconds, 2)} s"
                + (f", ×{runs}" if runs > 1 else "")
                + (f", {_num(rss)} MB" if rss else "")
                + ")"
            )
        if present:
            rows.append([name, *cells])
        if name in ("aikg (memory)", "aikg (disk)", "Virtuoso (aikg RemoteStore load_files)"):
            phase_cells = []
            for s in sizes:
                e = results["sizes"][s].get("load", {}).get(name) or {}
                phase_cells.append(
                    f"{_num(e.get('check_s'), 2)} / {_num(e.get('write_s'), 2)} / "
                    f"{_num(e.get('validate_s'), 2)} / {_num(e.get('infer_s'), 2)}"
                    if "check_s" in e
                    else "–"
                )
            phases.append([name, *phase_cells])
    return [
        "## Load throughput (triples/s; median seconds, runs, peak RSS of the process)",
        "",
        "The generated N-Quads file only (aikg's bundled data is loaded before, untimed). "
        "aikg's figures include validating what the load reaches (the whole store past "
        "100,000 triples, on a copy in memory) and bringing the inferred graph and the name "
        "index up to date; the phases are below. "
        "The CLI row is `aikg load --store DIR` timed from outside (interpreter start "
        "included). Virtuoso: its native `ld_dir` + `rdf_loader_run` + checkpoint, and "
        "aikg's RemoteStore (SPARQL Update in 20,000-triple requests, then validation, "
        "which reads every quad back).",
        "",
        *_table(["engine", *heads], rows),
        "aikg load phases, seconds: check / write / validate / infer",
        "",
        *_table(["engine", *heads], phases),
    ]


def _latency_md(results: dict[str, Any], sizes: list[str], heads: list[str]) -> list[str]:
    rows = []
    for name in LATENCY_ROWS:
        cells = []
        present = False
        for s in sizes:
            entry = results["sizes"][s].get("latency", {}).get(name)
            present |= entry is not None
            if not entry or ("error" in entry and "queries" not in entry):
                cells.append("–" if not entry else "failed")
                continue
            note = []
            if entry.get("errors"):
                note.append(f"{len(entry['errors'])} failed")
            if entry.get("timed_out"):
                note.append(f"{len(entry['timed_out'])} timed out")
            p99 = entry.get("p99_ms")
            cells.append(
                f"{_num(entry.get('p50_ms'), 2)} / "
                + (_num(p99, 2) if p99 is not None else "timed out")
                + (f" ({', '.join(note)})" if note else "")
            )
        if present:
            rows.append([name, *cells])
    lines = [
        "## Saved-query latency in process (ms, p50 / p99 over the mix)",
        "",
        "Every saved query with its example parameters; each query weighs the same in the "
        "mix (warm-up run, then up to 10 timed runs; rdflib 3, with a per-run deadline). "
        "aikg: `kg.saved()` (label columns, rdflib terms); the others run the same SPARQL "
        "text with the union of all graphs as default graph and read every row. "
        "A failed query (an engine error) is left out of its engine's figures.",
        "",
        *_table(["engine", *heads], rows),
    ]
    if sizes:
        lines += _per_query_md(results, sizes[-1])
    return lines


def _per_query_md(results: dict[str, Any], size: str) -> list[str]:
    s = results["sizes"][size]
    latency = s.get("latency", {})
    http = s.get("http", {}).get("aikg serve", {}).get("1", {}).get("per_query_p50_ms", {})
    engines = [name for name in LATENCY_ROWS if name in latency]
    names = sorted({q for e in engines for q in latency[e].get("queries", {})})
    rows = []
    for q in names:
        cells = []
        for e in engines:
            entry = latency[e].get("queries", {}).get(q, {})
            if "error" in entry:
                cells.append("error")
            elif entry.get("timed_out") and entry.get("p50_ms") is None:
                cells.append("timed out")
            else:
                cells.append(_num(entry.get("p50_ms"), 2))
        cells.append(_num(http.get(q), 2))
        rows.append([q, *cells])
    return [
        f"Per query at {_label(int(size))}, p50 ms",
        "",
        *_table(["query", *engines, "aikg HTTP (1 client)"], rows),
    ]


def _http_md(results: dict[str, Any], sizes: list[str], heads: list[str]) -> list[str]:
    rows = []
    for name in HTTP_ROWS:
        for clients in ("1", "16"):
            cells = []
            present = False
            for s in sizes:
                entry = results["sizes"][s].get("http", {}).get(name, {}).get(clients)
                present |= entry is not None
                if not entry or "rps" not in entry:
                    cells.append("–" if not entry else "failed")
                    continue
                failed = sum(entry.get("errors", {}).values())
                p99 = entry.get("p99_ms")
                cells.append(
                    f"{_num(entry['rps'])} req/s ({_num(entry.get('p50_ms'), 2)} / "
                    + (_num(p99, 2) if p99 is not None else "timed out")
                    + ")"
                    + (f", {failed} failed" if failed else "")
                )
            if present:
                rows.append([name, clients, *cells])
    floors = [
        f"{_label(int(s))} {_num(f, 2)} ms"
        for s in sizes
        if (f := results["sizes"][s].get("http", {}).get("aikg serve", {}).get("floor_p50_ms"))
    ]
    return [
        "## HTTP throughput of the saved-query mix (requests/s; p50 / p99 ms)",
        "",
        "aikg: `GET /queries/NAME?params` (SPARQL JSON, label columns) on `aikg serve "
        "--store DIR` (default workers); rdflib-endpoint and Virtuoso: the same SPARQL texts "
        "by POST to /sparql. Fixed duration per run, clients cycling through the mix; "
        "failed answers (errors, timeouts) are not counted as throughput. "
        "The HTTP stack alone (httpx client + uvicorn + FastAPI, aikg's `GET /health`, "
        f"1 client) takes p50 {', '.join(floors) or '–'}.",
        "",
        *_table(["server", "clients", *heads], rows),
    ]


def _validation_md(results: dict[str, Any], sizes: list[str], heads: list[str]) -> list[str]:
    rows = []
    for name in VALIDATION_ROWS:
        cells = []
        present = False
        for s in sizes:
            entry = results["sizes"][s].get("validation", {}).get(name)
            present |= entry is not None
            if not entry:
                cells.append("–")
            elif entry.get("timed_out"):
                cells.append(f"{entry['error']}")
            elif "error" in entry:
                cells.append("failed")
            else:
                cells.append(
                    f"{_num(entry['seconds'], 2)} s, {_num(entry.get('peak_rss_mb'))} MB peak "
                    f"({_num(entry.get('rss_before_mb'))} MB before)"
                )
        if present:
            rows.append([name, *cells])
    lines = [
        "## Validation (seconds; peak RSS of the process, and RSS with the data parsed)",
        "",
        "The generated data alone, each engine in a fresh process.",
        "",
        *_table(["engine", *heads], rows),
    ]
    sanity = results.get("sanity")
    if sanity:
        if "error" in sanity:
            lines += [f"Sanity run failed: {sanity['error']}", ""]
        else:
            lines += [
                f"Sanity, {sanity['violations_injected']} injected violations in "
                f"{_label(sanity['size'])} triples: aikg fast reports "
                f"{sanity['fast_violations']}, pySHACL {sanity['pyshacl_violations']}; "
                f"identical results (focus, path, value, shape, constraint, component, "
                f"message): **{'yes' if sanity['same_results'] else 'no'}** "
                f"(only fast {sanity['fast_only']}, only pySHACL {sanity['pyshacl_only']}); "
                f"aikg's results are exactly the injected ones: "
                f"**{'yes' if sanity['fast_matches_injected'] else 'no'}**.",
                "",
            ]
    return lines


def _agreement_md(results: dict[str, Any], sizes: list[str]) -> list[str]:
    """Where engines answer a saved query with different numbers of rows."""
    lines = []
    for s in sizes:
        counts: dict[str, dict[str, Any]] = {}
        for engine, entry in results["sizes"][s].get("latency", {}).items():
            for q, e in entry.get("queries", {}).items():
                counts.setdefault(q, {})[engine] = e.get("rows", "error" if "error" in e else None)
        for server, entry in results["sizes"][s].get("http", {}).items():
            for q, e in entry.get("check", {}).items():
                counts.setdefault(q, {})[f"{server} (HTTP)"] = e.get(
                    "rows", f"HTTP {e.get('status')}"
                )
        for q, by_engine in sorted(counts.items()):
            values = {str(c) for c in by_engine.values() if c is not None}
            if len(values) > 1:
                detail = ", ".join(f"{e} {c}" for e, c in by_engine.items())
                lines.append(f"- {_label(int(s))}, `{q}`: {detail}")
    if not lines:
        return ["## Answers", "", "Every engine gave every saved query as many rows.", ""]
    return [
        "## Answers that differ (rows per engine; an error or timeout counts as a difference)",
        "",
        *lines,
        "",
    ]


def _query_rows(queries: dict[str, Any]) -> list[list[str]]:
    """One row per saved query: cold and warm times, rows, peak RSS (or its error; a
    query stopped after some runs says so after its warm time)."""
    rows = []
    for q, e in queries.items():
        if "error" in e:
            rows.append([q, e["error"], "–", "–", _num(e.get("peak_rss_mb"))])
        else:
            stopped = f" (then {e['stopped']})" if e.get("stopped") else ""
            rows.append(
                [
                    q,
                    _num(e.get("cold_ms"), 1),
                    _num(e.get("warm_ms"), 1) + stopped,
                    f"{e.get('rows')}{' (truncated)' if e.get('truncated') else ''}",
                    _num(e.get("peak_rss_mb")),
                ]
            )
    return rows


def saved_queries_markdown(results: dict[str, Any]) -> str:
    """The report of ``--store DIR`` or ``--memory FILE``: every saved query on that
    store, cold and warm."""
    scale = results.get("saved_queries_scale", {})
    meta = results.get("meta", {})
    triples = scale.get("triples")
    reps = results.get("plan", {}).get("reps")
    if "load_s" in scale:  # --memory: one load, then each query in a fork of it
        how = (
            f"Loaded once by `KnowledgeGraph.load()` and `add_files` (validated) in "
            f"{scale['load_s']} s, at a peak RSS of {_num(scale.get('load_peak_rss_mb'))} MB. "
            "Each query as `kg.saved(name, **example)` runs it (the first page, label "
            "columns added), in a fork of that process (peak RSS with the graph it shares): "
            f"cold is its first run after the load, warm the median of up to {reps} more."
        )
    else:
        how = (
            "Each query as `kg.saved(name, **example)` runs it (the first page, label columns "
            "added), in a fresh process: cold is the first run after opening the store, warm "
            f"the median of up to {reps} more."
        )
    lines = [
        f"# Saved queries on {scale.get('store')} ({f'{triples:,}' if triples else '?'} triples)",
        "",
        f"{meta.get('utc')}, {meta.get('cpus')} CPUs ({meta.get('cpu_model')}), "
        f"load average at start {meta.get('load_average_at_start')}, "
        f"commit {str(meta.get('git_commit'))[:12]}{' (dirty)' if meta.get('git_dirty') else ''}.",
        how,
        "",
    ]
    if "error" in scale:
        lines += [f"The run failed: {scale['error']}", ""]
    lines += _table(
        ["query", "cold ms", "warm ms", "rows", "peak RSS MB"],
        _query_rows(scale.get("queries", {})),
    )
    return "\n".join(lines) + "\n"


def _incremental_md(results: dict[str, Any], sizes: list[str], heads: list[str]) -> list[str]:
    entries = [results["sizes"][s].get("incremental") or {} for s in sizes]
    big = (results.get("big") or {}).get("incremental")
    if big:
        entries.append(big)
        heads = [*heads, _label(int(results["big"].get("size") or 0))]
    if not any("median_s" in e for e in entries):
        return []

    def cell(entry: dict[str, Any], key: str) -> str:
        return _num(entry["median_s"][key], 3) if "median_s" in entry else "–"

    writes = [
        " / ".join(_num(ms * 1000, 1) for ms in e["write_median_s"].values())
        if "write_median_s" in e
        else "–"
        for e in entries
    ]
    return [
        "## A 1,000-triple addition to the store (median seconds)",
        "",
        "Validated where it reaches (`validate_change`) and in full (`validate_store`), on "
        "the size's store on disk; same violations checked. Then a 2-triple SPARQL update "
        "and its undoing as the server applies them, derived data included (ms).",
        "",
        *_table(
            ["", *heads],
            [
                ["where it reaches", *(cell(e, "incremental") for e in entries)],
                ["in full", *(cell(e, "full") for e in entries)],
                ["INSERT DATA / DELETE DATA (ms)", *writes],
            ],
        ),
    ]


def _overhead_md(results: dict[str, Any]) -> list[str]:
    overhead = results.get("http_overhead")
    if not overhead or "servers" not in overhead:
        return []
    from benchmarks.http_overhead import markdown as overhead_markdown  # noqa: PLC0415

    body = overhead_markdown(overhead).splitlines()[1:]  # its own title dropped
    return ["## HTTP overhead of a one-lookup request (bundled data)", *body, ""]


def _big_md(results: dict[str, Any]) -> list[str]:
    big = results.get("big")
    if not big:
        return []
    load = big.get("load", {})
    lines = [
        f"## {_label(int(big.get('size') or 0))} triples on disk (`--big`)",
        "",
        f"`aikg load --store DIR`: {_num(load.get('wall_s'))} s wall, peak RSS "
        f"{_num(load.get('peak_rss_mb'))} MB, exit {load.get('status')}. "
        f"{load.get('output', load.get('error', ''))}",
        "",
    ]
    queries = big.get("queries", {})
    warm = {name: q.get("warm_ms") for name, q in queries.items() if q.get("warm_ms") is not None}
    if warm:
        slowest = max(warm, key=lambda name: warm[name])
        over = sorted(name for name, ms in warm.items() if ms > 1000)
        lines += [
            f"Slowest warm query: `{slowest}`, {_num(warm[slowest])} ms; over 1 s warm: "
            f"{', '.join(f'`{n}`' for n in over) or 'none'} "
            f"({len(warm)} of {len(queries)} queries measured warm).",
            "",
        ]
    lines += _table(["query", "cold ms", "warm ms", "rows", "peak RSS MB"], _query_rows(queries))
    return lines
