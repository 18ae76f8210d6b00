"""``python -m benchmarks`` (or ``scripts/bench``): every benchmark measurement, one run.

    python -m benchmarks                         # 10k, 100k and 1M triples
    python -m benchmarks --quick                 # a smoke run on 2,000 triples
    python -m benchmarks --sizes 10000,100000 --big --out DIR
    python -m benchmarks --store DIR             # every saved query on a store, cold and warm
    python -m benchmarks --memory FILE           # the same on a graph in memory

Per size: generated data (:mod:`benchmarks.data`), load throughput (:mod:`benchmarks.load`),
saved-query latency in process (:mod:`benchmarks.queries`), HTTP throughput
(:mod:`benchmarks.http_throughput`), Virtuoso (:mod:`benchmarks.virtuoso`) and validation
(:mod:`benchmarks.validation`); then the validators' sanity run with injected violations,
and with ``--big`` the 10M store on disk (:mod:`benchmarks.big`). The raw figures go to
``OUT/<UTC timestamp>.json`` (written after every step, so an interrupted run keeps what
it measured), the tables to ``OUT/<timestamp>.md``, which is also printed.

With ``--store DIR`` (a store made by ``aikg load --store DIR``), nothing else runs: every
saved query with its example parameters, as ``kg.saved`` runs it (the first page, label
columns added), each in a fresh process, once cold (the first run after opening the
store) and ``--reps`` times warm (the median), in
``OUT/saved-queries-scale-<timestamp>.{json,md}`` (``--queries`` picks some). With
``--memory FILE``, the same on a graph in memory that holds the bundled data and FILE,
loaded once by the Python API (:func:`benchmarks.big.memory_queries`), in
``OUT/saved-queries-memory-<timestamp>.{json,md}``.

Figures are medians and ratios measured in this run, never asserted: the machine may be
shared and noisy, and the report says what it ran on.
"""

from __future__ import annotations

import argparse
import json
import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks import data, http_throughput, report, virtuoso
from benchmarks.common import (
    HERE,
    WORK,
    install_signal_handlers,
    log,
    median,
    run_job,
    stop_all,
)


@dataclass(frozen=True)
class Plan:
    sizes: list[int]
    seed: int
    big: bool
    quick: bool
    only: set[str]
    reps: int
    rdflib_reps: int
    rdflib_deadline: float
    duration: float
    request_timeout: float
    pyshacl_cap: float
    sanity_size: int
    sanity_violations: int
    big_size: int
    store: str | None
    memory: str | None
    queries: set[str]
    deadline: float


SECTIONS = (
    "load",
    "latency",
    "http",
    "overhead",
    "virtuoso",
    "rdflib-endpoint",
    "validation",
    "incremental",
    "sanity",
)


def parse_args(argv: list[str] | None = None) -> tuple[Plan, Path]:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--sizes",
        default="10000,100000,1000000",
        help="triples per run, comma-separated (default 10k,100k,1M)",
    )
    parser.add_argument("--big", action="store_true", help="add the 10M on-disk run")
    parser.add_argument("--quick", action="store_true", help="smoke run: 2,000 triples, short")
    parser.add_argument("--out", default=str(HERE / "results"), help="where results go")
    parser.add_argument("--seed", type=int, default=1, help="seed of the generated data")
    parser.add_argument(
        "--only",
        default=",".join(SECTIONS),
        help=f"sections to run (default all): {','.join(SECTIONS)}",
    )
    parser.add_argument(
        "--reps", type=int, default=None, help="timed runs per saved query (default 10; quick 3)"
    )
    parser.add_argument(
        "--duration", type=float, default=None, help="seconds per HTTP run (default 15; quick 3)"
    )
    parser.add_argument(
        "--rdflib-deadline",
        type=float,
        default=60,
        help="seconds one rdflib query may run before it counts as timed out",
    )
    parser.add_argument(
        "--big-size",
        type=int,
        default=None,
        help="triples of the --big run (default 10M; quick 20,000)",
    )
    parser.add_argument(
        "--pyshacl-cap",
        type=float,
        default=1800,
        help="seconds pySHACL may take on one size (default 30 min)",
    )
    parser.add_argument(
        "--store",
        default=None,
        help="only the saved queries, on this store directory (aikg load --store DIR) or "
        "remote store (the URL of its SPARQL endpoint)",
    )
    parser.add_argument(
        "--memory",
        default=None,
        help="only the saved queries, on a graph in memory of the bundled data and this "
        "file (loaded once, validated)",
    )
    parser.add_argument(
        "--queries",
        default="",
        help="with --store or --memory: only these saved queries, comma-separated (default all)",
    )
    parser.add_argument(
        "--deadline",
        type=float,
        default=600,
        help="with --store, --memory and --big: seconds a saved query may run before it "
        "counts as timed out",
    )
    args = parser.parse_args(argv)
    quick = bool(args.quick)
    sizes = [2000] if quick else [int(s) for s in args.sizes.split(",") if s.strip()]
    plan = Plan(
        sizes=sizes,
        seed=args.seed,
        big=bool(args.big),
        quick=quick,
        only={s.strip() for s in args.only.split(",") if s.strip()},
        reps=args.reps or (3 if quick else 10),
        rdflib_reps=2 if quick else 3,
        rdflib_deadline=args.rdflib_deadline,
        duration=args.duration or (3.0 if quick else 15.0),
        request_timeout=30 if quick else 120,
        pyshacl_cap=args.pyshacl_cap,
        sanity_size=2000 if quick else 10_000,
        sanity_violations=46,  # two of each of the 23 kinds
        big_size=args.big_size or (20_000 if quick else 10_000_000),
        store=args.store,
        memory=args.memory,
        queries={q.strip() for q in args.queries.split(",") if q.strip()},
        deadline=args.deadline,
    )
    return plan, Path(args.out)


class Run:
    """The results of this run, saved after every step."""

    def __init__(self, plan: Plan, out: Path, prefix: str = ""):
        self.plan = plan
        self.stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
        out.mkdir(parents=True, exist_ok=True)
        self.json_path = out / f"{prefix}{self.stamp}.json"
        self.md_path = out / f"{prefix}{self.stamp}.md"
        self.results: dict[str, Any] = {
            "meta": report.machine_info(),
            "plan": {k: (sorted(v) if isinstance(v, set) else v) for k, v in plan.__dict__.items()},
            "sizes": {},
        }
        self.started = time.monotonic()

    def size(self, n: int) -> dict[str, Any]:
        entry: dict[str, Any] = self.results["sizes"].setdefault(str(n), {})
        return entry

    def save(self) -> None:
        self.results["meta"]["elapsed_s"] = round(time.monotonic() - self.started, 1)
        self.json_path.write_text(json.dumps(self.results, indent=1, default=str) + "\n")


def repeated(runs: int, job: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """``runs`` runs of a load job: each run's figures and the median seconds."""
    results = [job() for _ in range(runs)]
    good = [r for r in results if "error" not in r]
    entry: dict[str, Any] = {"runs": results}
    if good:
        entry["seconds"] = median([r["seconds"] for r in good])
        for key in ("check_s", "write_s", "validate_s", "sources_s", "infer_s", "peak_rss_mb"):
            values = [r[key] for r in good if r.get(key) is not None]
            if values:
                entry[key] = median(values)
    else:
        entry["error"] = results[-1].get("error")
    return entry


# -- sections ----------------------------------------------------------------------------


def run_loads(run: Run, files: data.DataFiles, store_dir: Path) -> None:
    plan, n = run.plan, files.size
    cheap = 1 if plan.quick else 3
    slow = 1 if plan.quick or n >= 1_000_000 else 3
    loads: dict[str, Any] = run.size(n).setdefault("load", {})
    jobs: list[tuple[str, int, Callable[[], dict[str, Any]]]] = [
        (
            "aikg (memory)",
            cheap,
            lambda: run_job("load:aikg_memory", 3600, f"load-{n}", path=files.gen),
        ),
        (
            "aikg (disk)",
            cheap,
            lambda: run_job(
                "load:aikg_disk",
                3600,
                f"load-{n}",
                path=files.gen,
                store=str(WORK / f"load-disk-{n}"),
            ),
        ),
        (
            "pyoxigraph (memory)",
            cheap,
            lambda: run_job("load:pyoxigraph_memory", 3600, f"load-{n}", path=files.gen),
        ),
        (
            "pyoxigraph (disk)",
            cheap,
            lambda: run_job(
                "load:pyoxigraph_disk",
                3600,
                f"load-{n}",
                path=files.gen,
                store=str(WORK / f"load-oxdisk-{n}"),
            ),
        ),
        ("rdflib", slow, lambda: run_job("load:rdflib", 7200, f"load-{n}", path=files.gen)),
    ]
    for name, runs, job in jobs:
        log(f"{n}: load {name} x{runs}")
        loads[name] = repeated(runs, job)
        log(f"{n}: load {name}: {loads[name].get('seconds') or loads[name].get('error')}")
        run.save()
    shutil.rmtree(WORK / f"load-disk-{n}", ignore_errors=True)
    # The server's store, made by the command users run (wall time includes start-up).
    from benchmarks.big import cli_load  # noqa: PLC0415

    log(f"{n}: aikg load --store (the server's store)")
    loads["aikg load CLI (disk, wall)"] = cli_load(Path(files.gen), store_dir, timeout=7200)
    run.save()


def run_latency(run: Run, files: data.DataFiles, store_dir: Path) -> None:
    plan, n = run.plan, files.size
    latency: dict[str, Any] = run.size(n).setdefault("latency", {})
    budget = 5.0
    jobs: list[tuple[str, Callable[[], dict[str, Any]]]] = [
        (
            "aikg",
            lambda: run_job(
                "queries:aikg", 7200, f"latency-{n}", gen=files.gen, reps=plan.reps, budget=budget
            ),
        ),
        (
            "pyoxigraph (memory)",
            lambda: run_job(
                "queries:pyoxigraph_memory",
                7200,
                f"latency-{n}",
                full=files.full,
                reps=plan.reps,
                budget=budget,
            ),
        ),
        (
            "pyoxigraph (disk)",
            lambda: run_job(
                "queries:pyoxigraph_disk",
                7200,
                f"latency-{n}",
                store_dir=str(store_dir),
                reps=plan.reps,
                budget=budget,
            ),
        ),
        (
            "rdflib",
            lambda: run_job(
                "queries:rdflib",
                4 * 3600,
                f"latency-{n}",
                full=files.full,
                reps=plan.rdflib_reps,
                budget=10.0,
                deadline=plan.rdflib_deadline,
            ),
        ),
    ]
    for name, job in jobs:
        log(f"{n}: latency {name}")
        latency[name] = job()
        log(
            f"{n}: latency {name}: p50 {latency[name].get('p50_ms')} ms, "
            f"p99 {latency[name].get('p99_ms')} ms"
        )
        run.save()


def run_http(
    run: Run, label: str, requests: list[dict[str, Any]], n: int, floor: str | None = None
) -> None:
    plan = run.plan
    http: dict[str, Any] = run.size(n).setdefault("http", {})
    entry: dict[str, Any] = http.setdefault(label, {})
    entry["check"] = http_throughput.check(requests, plan.request_timeout)
    if floor:  # the HTTP stack alone (client, uvicorn, FastAPI): what no query can beat
        entry["floor_p50_ms"] = http_throughput.floor(floor)
    for clients in (1, 16):
        log(f"{n}: http {label}, {clients} client(s), {plan.duration:g} s")
        entry[f"{clients}"] = run_job(
            "http_throughput:drive",
            plan.duration + plan.request_timeout * 3 + 120,
            f"http-{n}",
            requests=requests,
            clients=clients,
            duration=plan.duration,
            timeout=plan.request_timeout,
        )
        log(f"{n}: http {label} x{clients}: {entry[f'{clients}'].get('rps')} req/s")
        run.save()


def run_virtuoso(run: Run, files: data.DataFiles) -> None:
    plan, n = run.plan, files.size
    if not virtuoso.available():
        run.size(n)["virtuoso"] = {"error": "virtuoso-t / isql-vt not installed"}
        return
    loads: dict[str, Any] = run.size(n).setdefault("load", {})
    gen = Path(files.gen)
    log(f"{n}: Virtuoso bulk loader (ld_dir + rdf_loader_run)")
    try:
        with virtuoso.running_virtuoso(gen.parent) as server:
            seconds = server.bulk_load(gen)
            loads["Virtuoso (native bulk loader)"] = {
                "seconds": seconds,
                "triples": server.count("https://w3id.org/aikg/"),
            }
    except (RuntimeError, OSError) as error:
        loads["Virtuoso (native bulk loader)"] = {"error": str(error)[:300]}
    run.save()
    with virtuoso.running_virtuoso(gen.parent, query_timeout=int(plan.rdflib_deadline)) as server:
        log(f"{n}: Virtuoso via aikg RemoteStore: load_files")
        loads["Virtuoso (aikg RemoteStore load_files)"] = run_job(
            "load:virtuoso_aikg",
            4 * 3600,
            f"load-{n}",
            path=files.gen,
            url=server.sparql_url,
            graph_store=server.graph_store_url,
        )
        run.save()
        if "error" in loads["Virtuoso (aikg RemoteStore load_files)"]:
            return
        if "latency" in plan.only:
            # With label columns (what kg.saved gives: one more request per 500 IRIs
            # of the answer) and without, the saved query's own cost.
            for name, labels in (
                ("Virtuoso (aikg RemoteStore)", True),
                ("Virtuoso (aikg RemoteStore, lang=None)", False),
            ):
                log(f"{n}: latency {name}")
                run.size(n).setdefault("latency", {})[name] = run_job(
                    "queries:virtuoso",
                    7200,
                    f"latency-{n}",
                    url=server.sparql_url,
                    reps=min(plan.reps, 3),
                    budget=5.0,
                    deadline=plan.rdflib_deadline,
                    labels=labels,
                )
                run.save()
        if "http" in plan.only:
            run_http(
                run,
                "Virtuoso /sparql",
                http_throughput.sparql_requests(server.sparql_url, form=True),
                n,
            )


def run_validation(run: Run, files: data.DataFiles) -> None:
    plan, n = run.plan, files.size
    validation: dict[str, Any] = run.size(n).setdefault("validation", {})
    for name, target, cap in (
        ("aikg fast (validate_quads)", "validation:fast", 7200.0),
        ("aikg fast (KnowledgeGraph.validate in place)", "validation:in_place", 7200.0),
        ("pySHACL", "validation:pyshacl", plan.pyshacl_cap),
    ):
        log(f"{n}: validation {name} (cap {cap:g} s)")
        validation[name] = run_job(target, cap, f"validation-{n}", path=files.gen)
        log(f"{n}: validation {name}: {validation[name].get('seconds')} s")
        run.save()


def run_incremental(store_dir: Path, label: str) -> dict[str, Any]:
    """A 1,000-triple addition to a store, validated where it reaches and in full, and a
    small write, as the server applies it (:mod:`benchmarks.incremental_validation`)."""
    log(f"{label}: incremental validation of a 1,000-triple addition")
    entry = run_job(
        "incremental_validation:measure",
        3600,
        f"incremental-{label}",
        store_dir=str(store_dir),
        triples=1_000,
        reps=3,
    )
    log(f"{label}: incremental {entry.get('median_s')}")
    return entry


def run_sanity(run: Run) -> None:
    plan = run.plan
    n, k = plan.sanity_size, plan.sanity_violations
    path = data.generated(n, plan.seed, violations=k)
    log(f"sanity: {k} injected violations in {n} triples")
    fast = run_job("validation:fast", 3600, "sanity", path=str(path), keys=True)
    reference = run_job("validation:pyshacl", 3600, "sanity", path=str(path), keys=True)
    from benchmarks.validation import compare, expected_keys  # noqa: PLC0415

    entry: dict[str, Any] = {"size": n, "violations_injected": k}
    if "error" in fast or "error" in reference:
        entry["error"] = fast.get("error") or reference.get("error")
    else:
        entry.update(compare(fast["keys"], reference["keys"], expected_keys(n, plan.seed, k)))
    run.results["sanity"] = entry
    run.save()


def run_store(plan: Plan, out: Path) -> int:
    """``--store DIR`` (or a remote store's URL): every saved query on a store that
    exists, cold and warm."""
    from benchmarks import big  # noqa: PLC0415

    store = plan.store or ""
    if not store.startswith(("http://", "https://")) and not Path(store).is_dir():
        raise SystemExit(
            f"--store {store}: no such store directory; make one with aikg load, or give "
            "the http(s) URL of a SPARQL endpoint that holds a store's quads"
        )
    run = Run(plan, out, prefix="saved-queries-scale-")
    log(f"saved queries on {store}; results in {run.json_path}")
    with _reported(run):
        scale: dict[str, Any] = {"store": store}
        run.results["saved_queries_scale"] = scale
        scale["triples"] = run_job(
            "big:store_size", 3600, "big-queries", store=store, deadline=3000
        ).get("triples")
        run.save()
        scale["queries"] = big.saved_queries(store, plan.reps, plan.deadline, plan.queries or None)
    return 0


def run_memory(plan: Plan, out: Path) -> int:
    """``--memory FILE``: every saved query on a graph in memory of the bundled data and
    FILE, cold and warm."""
    from benchmarks import big  # noqa: PLC0415
    from benchmarks.queries import mix  # noqa: PLC0415

    data_file = Path(plan.memory or "")
    if not data_file.is_file():
        raise SystemExit(
            f"--memory {data_file}: no such file; give an RDF file to load beside the "
            "bundled data (aikg generate writes one)"
        )
    run = Run(plan, out, prefix="saved-queries-memory-")
    log(f"saved queries in memory on {data_file}; results in {run.json_path}")
    # The load, then each query: a cold run and a first warm one of up to the deadline
    # each, the other warm runs within the budget.
    per_query = 2 * plan.deadline + plan.reps * big.WARM_BUDGET_S + 60
    with _reported(run):
        scale = run_job(
            "big:memory_queries",
            2 * 3600 + len(mix()) * per_query,
            "memory-queries",
            data=str(data_file.resolve()),
            reps=plan.reps,
            deadline=plan.deadline,
            names=sorted(plan.queries) or None,
        )
        scale["store"] = f"a graph in memory (the bundled data and {data_file.name})"
        run.results["saved_queries_scale"] = scale
    return 0


@contextmanager
def _reported(run: Run) -> Iterator[None]:
    """The saved-query report of what the run measured, written even when a step fails
    or the run is stopped, and printed when it ends well."""
    try:
        yield
    finally:
        stop_all()
        text = report.saved_queries_markdown(run.results)
        run.save()
        run.md_path.write_text(text)
        log(f"wrote {run.json_path} and {run.md_path}")
    print(text)


def main(argv: list[str] | None = None) -> int:
    plan, out = parse_args(argv)
    install_signal_handlers()
    if plan.store:
        return run_store(plan, out)
    if plan.memory:
        return run_memory(plan, out)
    run = Run(plan, out)
    log(
        f"benchmark {run.stamp}: sizes {plan.sizes}{' + 10M' if plan.big else ''}; "
        f"results in {run.json_path}"
    )
    try:
        if "rdflib-endpoint" in plan.only:
            http_throughput.ensure_rdflib_endpoint()
            run.results["meta"]["rdflib_endpoint"] = http_throughput.endpoint_version()
        for n in plan.sizes:
            files = data.prepare(n, plan.seed)
            run.size(n)["data"] = files.to_dict()
            run.save()
            store_dir = WORK / f"store-{n}"
            if "load" in plan.only or not store_dir.exists():
                run_loads(run, files, store_dir)
            if "latency" in plan.only:
                run_latency(run, files, store_dir)
            if "http" in plan.only:
                with http_throughput.aikg_server(str(store_dir)) as url:
                    run_http(
                        run,
                        "aikg serve",
                        http_throughput.aikg_requests(url),
                        n,
                        floor=f"{url}/health",
                    )
            if "virtuoso" in plan.only:
                run_virtuoso(run, files)
            if "rdflib-endpoint" in plan.only and "http" in plan.only:
                log(f"{n}: starting rdflib-endpoint (parses {files.full_quads:,} quads)")
                with http_throughput.rdflib_endpoint_server(files.full, 4 * 3600) as url:
                    run_http(
                        run,
                        "rdflib-endpoint",
                        http_throughput.sparql_requests(f"{url}/sparql", form=False),
                        n,
                    )
            if "validation" in plan.only:
                run_validation(run, files)
            if "incremental" in plan.only:
                run.size(n)["incremental"] = run_incremental(store_dir, str(n))
                run.save()
        if "sanity" in plan.only:
            run_sanity(run)
        if "overhead" in plan.only:
            from benchmarks import http_overhead  # noqa: PLC0415

            log("HTTP overhead of a one-lookup request: aikg, bare handler, oxigraph")
            run.results["http_overhead"] = http_overhead.run_servers(plan.duration)
            run.save()
        if plan.big:
            from benchmarks import big  # noqa: PLC0415

            gen = data.generated(plan.big_size, plan.seed)
            big_store = WORK / f"store-big-{plan.big_size}"
            run.results["big"] = big.run(gen, big_store, reps=2, deadline=plan.deadline)
            run.results["big"]["size"] = plan.big_size
            run.save()
            if "incremental" in plan.only and big_store.exists():
                run.results["big"]["incremental"] = run_incremental(big_store, "big")
            run.save()
    finally:
        stop_all()
        text = report.markdown(run.results)  # also after Ctrl-C: what was measured
        run.save()
        run.md_path.write_text(text)
        log(f"wrote {run.json_path} and {run.md_path}")
    print(text)
    log(f"the README's scale targets from this run: python -m benchmarks.readme {run.json_path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
