"""The ``aikg`` command: parse arguments, call the core, print the answer.

Exit codes (the same for every command):

- 0: done (for ``validate``: the data conforms);
- 1: the data does not conform to the shapes (``validate``, ``load``);
- 2: unusable input: a syntax error (with file, line and column), a missing file, an
  unknown format or parameter, a refused query, a setting that cannot be used;
- 3: the service cannot do it: the store cannot be opened, a query timed out.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import json
import logging
import os
import shlex
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TextIO

from aikg import conflicts, sources
from aikg.config import Settings, redact_url
from aikg.diff import diff_paths
from aikg.errors import AikgError, InputError, NotFoundError, ValidationError
from aikg.formats import (
    ANSWERS,
    RDF_FORMATS,
    RESULT_FORMATS,
    RdfFormat,
    ResultFormat,
    answer_format,
    formats_for,
    misfit,
)
from aikg.interrupt import EXIT_INTERRUPTED, die_by_sigint, interruptible
from aikg.knowledge_graph import KnowledgeGraph
from aikg.loader import COMMITTED, ROLLED_BACK, Progress, load_files
from aikg.namespaces import curie, prefix_table
from aikg.saved_queries import catalog, describe, label_language, saved_query
from aikg.search import SEARCH_LIMIT, SEARCH_TEXT
from aikg.sparql.execute import QueryResult, SelectResult
from aikg.sparql.lexer import operation
from aikg.sparql.paging import PAGE_PARAMETER, page_number
from aikg.sparql.results import Serialized, text_table
from aikg.store.local import Store, bundled_data_paths

EXIT_OK, EXIT_VIOLATIONS, EXIT_INPUT, EXIT_SERVICE = 0, 1, 2, 3

RDF_NAMES = [f.name for f in RDF_FORMATS]
RESULT_NAMES = [f.name for f in RESULT_FORMATS]
ANSWER_NAMES = list(dict.fromkeys(["table", *RESULT_NAMES, *RDF_NAMES]))
"""What --format takes for a query: each name once (xml names a format of each kind)."""
ANSWER_HELP = (
    "for SELECT and ASK: table (the default), json, xml, csv, tsv, html; for CONSTRUCT "
    "and DESCRIBE: turtle (the default), ntriples, nquads, trig, jsonld, xml. xml is SPARQL "
    "XML results for SELECT and ASK and RDF/XML for graphs; a format that does not fit "
    "the query is refused (exit 2)"
)


def _settings(args: argparse.Namespace) -> Settings:
    settings = Settings.from_env(
        store=getattr(args, "store", None),
        base_iri=getattr(args, "base_iri", None),
    )
    extra = tuple(getattr(args, "source_dir", None) or ())
    return settings.replace(source_dirs=(*settings.source_dirs, *extra)) if extra else settings


def _open(args: argparse.Namespace) -> KnowledgeGraph:
    return KnowledgeGraph.open(_settings(args))


def _write_file(path: str, data: bytes | str) -> None:
    """Write a file the user named, or say why it cannot be written (no traceback)."""
    try:
        Path(path).write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    except OSError as error:
        raise _cannot_write(path, error) from None


def _cannot_write(path: str, error: OSError) -> InputError:
    return InputError(
        f"cannot write {path}: {error.strerror or error}",
        where=path,
        hint="name a file in a folder that exists and that you may write to",
    )


def _write(data: bytes | str, output: str | None, out: TextIO) -> None:
    if output:
        _write_file(output, data)
    elif isinstance(data, bytes):
        if out is sys.stdout:
            out.flush()
            sys.stdout.buffer.write(data)
        else:
            out.write(data.decode("utf-8"))
    else:
        out.write(data if data.endswith("\n") else data + "\n")


# -- commands ------------------------------------------------------------------------


def _server_report(settings: Settings, report: Callable[[str, str], None]) -> None:
    """What a remote store's server says about itself, and a warning where its limits do
    not fit aikg's settings (nothing for the embedded store)."""
    if settings.remote:
        for level, line in Store(settings).server_report():
            report(level, line)


def cmd_stats(args: argparse.Namespace, out: TextIO) -> int:
    settings = _settings(args)
    _server_report(
        settings,
        lambda level, line: print(
            ("warning: " if level == "warning" else "") + line, file=sys.stderr
        ),
    )
    kg = KnowledgeGraph.open(settings)
    stats = kg.stats()
    if args.format == "json":
        out.write(
            json.dumps(
                {"triples": stats.triples, "graphs": stats.graphs, "classes": stats.classes},
                indent=2,
            )
            + "\n"
        )
        return EXIT_OK
    prefixes = prefix_table(kg.settings.base_iri)
    out.write(f"{stats.triples} triples in {len(stats.graphs)} named graphs\n\n")
    out.write(
        text_table(
            ["graph", "triples"],
            [{"graph": g, "triples": n} for g, n in stats.graphs.items()],
            prefixes,
        )
        + "\n\n"
    )
    out.write(
        text_table(
            ["class", "instances"],
            [{"class": c, "instances": n} for c, n in stats.classes.items()],
            prefixes,
        )
        + "\n"
    )
    return EXIT_OK


def cmd_validate(args: argparse.Namespace, out: TextIO) -> int:
    settings = _settings(args)
    if args.files:
        files = [*bundled_data_paths(), *args.files] if args.with_bundled else args.files
        try:
            kg = KnowledgeGraph.load(files, settings=settings, validate=False)
        except FileNotFoundError as error:
            raise NotFoundError(str(error)) from None
    else:
        kg = KnowledgeGraph.open(settings, validate=False)
    change = None
    if args.files and args.with_bundled and not args.all:
        change = kg.added_by(str(f) for f in args.files)
    report = kg.validate(change)
    if args.format == "json":
        out.write(report.to_json() + "\n")
    elif args.format == "turtle":
        out.write(report.to_turtle())
    else:
        out.write(report.to_text() + "\n")
    return EXIT_OK if report.conforms else EXIT_VIOLATIONS


def cmd_source_add(args: argparse.Namespace, out: TextIO) -> int:
    if args.output and Path(args.output).resolve() == Path(args.text).resolve():
        raise InputError(
            f"--output names the source's own text ({args.text}): its Turtle would replace "
            "the text it registers",
            where="--output",
            hint="name another file, such as s3-source.ttl",
        )
    turtle = sources.register(
        Path(args.text),
        identifier=args.id,
        title=args.title,
        base_iri=_settings(args).base_iri,
        url=args.url,
        genre=args.genre,
        published=args.published,
    )
    _write(turtle, args.output, out)
    return EXIT_OK


def _query_text(args: argparse.Namespace) -> str:
    if args.file and args.query:
        raise InputError("give the query as text or with --file, not both", hint="drop one of them")
    if args.file:
        try:
            # A byte order mark is no part of the query (an editor may write one).
            return Path(args.file).read_text("utf-8-sig")
        except OSError as error:
            raise NotFoundError(
                f"cannot read {args.file}: {error.strerror}", where=args.file, hint="check the path"
            ) from None
        except UnicodeDecodeError as error:
            raise InputError(
                f"{args.file} is not UTF-8 text (byte {error.start + 1} cannot be read)",
                where=args.file,
                hint="save the query as UTF-8",
            ) from None
    if args.query == "-" or (args.query is None and not sys.stdin.isatty()):
        return sys.stdin.read()
    if not args.query:
        raise InputError("no query given", hint="aikg query 'SELECT ...' or --file q.rq")
    return str(args.query)


def _output_format(fmt: str | None, kind: str) -> ResultFormat | RdfFormat | None:
    """The format ``--format`` names for a query of this form, or None for the text table
    (the default for SELECT and ASK; Turtle is the default for graphs). A format that does
    not fit the form is refused before the query runs."""
    graph = formats_for(kind) is RDF_FORMATS
    if fmt is None:
        fmt = "turtle" if graph else "table"
    if fmt != "table":
        return answer_format(fmt, kind, where="--format")
    if graph:
        raise misfit("table", kind, where="--format")
    return None


def _query_kind(kg: KnowledgeGraph, sparql: str) -> str:
    """The query's form; when the lexer cannot tell, running it says (or fails saying why)."""
    kind = operation(sparql)
    if kind in ANSWERS:
        return kind
    result = kg.query(sparql)
    return (
        "ask"
        if isinstance(result, bool)
        else "select"
        if isinstance(result, SelectResult)
        else "graph"
    )


def _text(kg: KnowledgeGraph, result: QueryResult) -> str:
    """An answer as text: a table with its row count (and its page, when it has pages),
    or true or false."""
    if isinstance(result, bool):
        return "true" if result else "false"
    assert isinstance(result, SelectResult)
    text = text_table(result.variables, result.values(), prefix_table(kg.settings.base_iri))
    paged = result.page > 1 or result.next_page is not None
    where = f", page {result.page}" + ("" if result.next_page else ", the last") if paged else ""
    return text + f"\n({len(result)} rows{where})"


def _say_next_page(args: argparse.Namespace, page: int, next_page: int | None) -> None:
    """On stderr: the exact command that prints the next page of a long answer."""
    if next_page is None:
        return
    command = "aikg " + shlex.join(_with_page(args.argv, next_page))
    # Where a page ends depends on the row limit: a limit set for this command alone
    # (AIKG_MAX_ROWS=300 aikg ...) must be set for the next, or its page 2 is another's.
    if (rows := os.environ.get("AIKG_MAX_ROWS")) is not None:
        command = f"AIKG_MAX_ROWS={shlex.quote(rows)} {command}"
    stdin = " (with the same query on standard input)" if _reads_stdin(args) else ""
    print(
        f"aikg: page {page} of a longer answer (AIKG_MAX_ROWS rows a page); the next page: "
        f"{command}{stdin}",
        file=sys.stderr,
    )


def _with_page(argv: Sequence[str], page: int) -> list[str]:
    """The command's arguments with ``--page`` set to ``page``: among the options, before
    a ``--`` (after which every argument is positional, a query text among them).

    >>> _with_page(["query", "--page", "2", "--", "SELECT --page"], 3)
    ['query', '--page', '3', '--', 'SELECT --page']
    """
    end = argv.index("--") if "--" in argv else len(argv)
    kept: list[str] = []
    skip = False
    for arg in argv[:end]:
        if skip:
            skip = False
        elif arg == "--page":
            skip = True
        elif not arg.startswith("--page="):
            kept.append(arg)
    return [*kept, "--page", str(page), *argv[end:]]


def _reads_stdin(args: argparse.Namespace) -> bool:
    return getattr(args, "query", None) == "-" or (
        getattr(args, "file", None) is None
        and getattr(args, "query", "") is None
        and not sys.stdin.isatty()
    )


def _write_serialized(
    args: argparse.Namespace, serialized: Serialized, output: str | None, out: TextIO
) -> None:
    _write(serialized.body, output, out)
    if serialized.kind == "select":
        _say_next_page(args, serialized.page, serialized.next_page)
    elif serialized.truncated:
        print(f"aikg: answer truncated at {serialized.rows} rows (AIKG_MAX_ROWS)", file=sys.stderr)


def _write_text(
    args: argparse.Namespace, kg: KnowledgeGraph, result: QueryResult, out: TextIO
) -> None:
    _write(_text(kg, result), args.output, out)
    if isinstance(result, SelectResult):
        _say_next_page(args, result.page, result.next_page)


def cmd_coverage(args: argparse.Namespace, out: TextIO) -> int:
    kg = _open(args)
    reports = [kg.coverage(args.source)] if args.source else kg.coverage_all()
    if args.format == "json":
        body = [r.to_dict() for r in reports]
        out.write(json.dumps(body if not args.source else body[0], indent=2, ensure_ascii=False))
        out.write("\n")
        return EXIT_OK
    for report in reports:
        n = report.counts()
        out.write(
            f"{report.source}: {n['units']} sentences and cells: {n['covered']} covered, "
            f"{n['listed']} listed as not modelled, {n['uncovered']} uncovered\n"
        )
        for unit in report.units:
            if unit.status == "uncovered" or (args.listed and unit.status == "listed"):
                why = f"  ({unit.reason})" if unit.reason else ""
                out.write(f"  {unit.status:<9} {unit.kind:<8} {unit.text}{why}\n")
        for problem in report.stale:
            out.write(f"  stale     {problem}\n")
    return EXIT_OK


def cmd_search(args: argparse.Namespace, out: TextIO) -> int:
    kg = _open(args)
    matches = kg.search(args.text, limit=args.limit)
    if args.format == "json":
        out.write(json.dumps([m.to_dict() for m in matches], indent=2, ensure_ascii=False) + "\n")
        return EXIT_OK
    table = prefix_table(kg.settings.base_iri)
    rows: list[dict[str, object]] = [
        {
            "resource": m.iri,
            "label": m.label,
            "matched": m.matched if m.matched != m.label else "",
            "types": ", ".join(curie(t, table) for t in m.types),
        }
        for m in matches
    ]
    out.write(text_table(["resource", "label", "matched", "types"], rows, table) + "\n")
    return EXIT_OK


def cmd_conflicts(args: argparse.Namespace, out: TextIO) -> int:
    kg = _open(args)
    if not args.candidates:
        if args.recorded:
            raise InputError(
                "--recorded only applies to candidates",
                where="--recorded",
                hint="add --candidates to list candidates with the recorded ones",
            )
        recorded = kg.conflicts().records
        if args.format == "json":
            out.write(json.dumps([dataclasses.asdict(c) for c in recorded], indent=2) + "\n")
        else:
            for c in recorded:
                out.write(f"{c.conflict}  {c.label or ''}\n")
                for claim in c.claims:
                    mark = "disputed" if claim.disputed else "weighed against"
                    out.write(f"  {claim.claim}  [{claim.source_id}] {mark}\n")
        return EXIT_OK
    found = kg.conflict_candidates(recorded=args.recorded).records
    if args.format == "json":
        out.write(conflicts.to_json(found) + "\n")
    else:
        out.write(conflicts.to_text(found, recorded=args.recorded) + "\n")
    return EXIT_OK


def cmd_diff(args: argparse.Namespace, out: TextIO) -> int:
    found = diff_paths(args.old, args.new, _settings(args))
    out.write((found.to_json() if args.format == "json" else found.to_text()) + "\n")
    return EXIT_OK


def cmd_query(args: argparse.Namespace, out: TextIO) -> int:
    sparql = _query_text(args)
    kg = _open(args)
    spec = _output_format(args.format, _query_kind(kg, sparql))
    if spec is None:
        _write_text(args, kg, kg.query(sparql, page=args.page), out)
    else:
        _write_serialized(args, kg.serialize_query(sparql, spec, page=args.page), args.output, out)
    return EXIT_OK


def cmd_queries(args: argparse.Namespace, out: TextIO) -> int:
    queries = list(catalog().values())
    if args.format == "json":
        out.write(json.dumps([describe(q) for q in queries], indent=2, ensure_ascii=False) + "\n")
        return EXIT_OK
    for q in queries:
        out.write(f"{q.name}: {q.title}\n")
        width = max((len(p.name) for p in q.params), default=0)
        for p in q.params:
            facts = [f"type {p.type}"]
            if p.class_names:
                facts.append("class " + " or ".join(p.class_names))
            if p.enum:
                facts.append("one of " + ", ".join(p.enum))
            if p.required:
                facts.append("required")
            if p.default is not None:
                facts.append(f"default {p.default}")
            if p.list:
                facts.append("repeatable")
            indent = " " * (len("  --param ") + width + 2)
            out.write(f"  --param {p.name.ljust(width)}  {'; '.join(facts)}\n")
            if p.description:
                out.write(f"{indent}{p.description}\n")
            if p.example is not None:
                out.write(f"{indent}example: --param {p.name}={p.example}\n")
    out.write(f"\n{len(queries)} saved queries; run one with: aikg run NAME --param name=value\n")
    return EXIT_OK


def _params(pairs: Sequence[str]) -> dict[str, list[str]]:
    given: dict[str, list[str]] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            raise InputError(
                f"--param {pair!r} is not name=value",
                where="--param",
                hint="write --param holder=country/KR",
            )
        given.setdefault(name.strip(), []).append(value)
    return given


def cmd_run(args: argparse.Namespace, out: TextIO) -> int:
    query = saved_query(args.name)
    params = _params(args.param)
    for name in params:
        query.param(name)
    spec = _output_format(args.format, query.kind)
    kg = _open(args)
    if spec is None:
        _write_text(args, kg, kg.saved(args.name, lang=args.lang, page=args.page, **params), out)
    else:
        serialized = kg.serialize_saved(args.name, params, spec, lang=args.lang, page=args.page)
        _write_serialized(args, serialized, args.output, out)
    return EXIT_OK


def cmd_export(args: argparse.Namespace, out: TextIO) -> int:
    kg = _open(args)
    _write(kg.export(args.format, args.graph, inferred=args.inferred), args.output, out)
    return EXIT_OK


def cmd_serve(args: argparse.Namespace, out: TextIO) -> int:
    import uvicorn  # noqa: PLC0415 - only the server needs it

    from aikg.web import create_app  # noqa: PLC0415
    from aikg.web.connections import guarded_protocol  # noqa: PLC0415

    settings = Settings.from_env(
        store=args.store,
        base_iri=args.base_iri,
        host=args.host,
        port=args.port,
        workers=args.workers,
    )
    _log_to_stderr(args.log_level)
    logger = logging.getLogger("aikg")
    logger.info("settings: %r", settings)
    _server_report(
        settings,
        lambda level, line: logger.log(
            logging.WARNING if level == "warning" else logging.INFO, "%s", line
        ),
    )
    # The app (and its store process) is created here, before uvicorn starts any thread.
    app = create_app(settings)
    logging.getLogger("aikg").info(
        "serving on http://%s:%d/ (%s, store %s)",
        settings.host,
        settings.port,
        "writable" if settings.writable else "read-only",
        "in " + redact_url(settings.store) if settings.store else "in memory",
    )
    # uvicorn's own default: the proxies whose X-Forwarded-For it trusts.
    proxies = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
    if proxies.strip() == "*":
        logger.warning(
            "FORWARDED_ALLOW_IPS=* trusts every client's X-Forwarded-For: a client can "
            "then pass for any other, past the fair share and the cap on connections"
        )
    uvicorn.run(
        app,
        host=settings.host,
        port=settings.port,
        log_level=args.log_level,
        timeout_graceful_shutdown=2,
        timeout_keep_alive=settings.keep_alive,
        server_header=False,
        forwarded_allow_ips=proxies,
        ws="none",  # no WebSocket route; an upgrade would leave the connection uncounted
        # h11 even where httptools is installed (uvicorn[standard]): h11 bounds the request
        # head (a 400 past 16 kB); httptools buffers a header of any size. (httptools
        # would save ~0.1-0.3 ms a request here: not worth an unbounded buffer.) Its
        # requests' heads have a deadline, and a client a number of connections.
        http=guarded_protocol(settings, proxies),
    )
    return EXIT_OK


def _log_to_stderr(level: str) -> None:
    """aikg's log lines to stderr, in uvicorn's format, at the server's log level."""
    from uvicorn.logging import DefaultFormatter  # noqa: PLC0415 - only the server needs it

    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(DefaultFormatter("%(levelprefix)s %(name)s: %(message)s"))
    logger = logging.getLogger("aikg")
    logger.handlers = [handler]
    logger.setLevel(level.upper())
    logger.propagate = False


# -- parser --------------------------------------------------------------------------


class ProgressBar:
    """A one-line progress bar on a terminal; on anything else, a line per phase and file."""

    def __init__(self, stream: TextIO):
        self.stream = stream
        self.live = stream.isatty()
        self.last: tuple[str, str, int] | None = None
        self.started = time.perf_counter()

    def __call__(self, event: Progress) -> None:
        decile = event.done * 10 // event.total if event.phase == "write" and event.total else 0
        key = (event.phase, event.source, decile)
        elapsed = max(time.perf_counter() - self.started, 1e-9)
        if event.phase == "check":
            line = f"checking {event.source}: {event.done:,} triples"
        elif event.phase == "write":
            share = event.done / event.total if event.total else 1.0
            filled = int(share * 30)
            line = (
                f"loading  {event.source} [{'#' * filled}{'.' * (30 - filled)}] "
                f"{share:4.0%} {event.done:,}/{event.total:,} triples"
            )
        elif event.phase == "validate":
            line = "validating against the shapes"
        else:
            line = f"loaded {event.total:,} triples in {elapsed:.1f} s"
        if self.live:
            self.stream.write("\r\x1b[2K" + line + ("\n" if event.phase == "done" else ""))
        elif key != self.last:
            self.stream.write(line + "\n")
        self.stream.flush()
        self.last = key


def cmd_load(args: argparse.Namespace, out: TextIO) -> int:
    settings = _settings(args)
    if not settings.store:
        raise InputError(
            "aikg load needs a persistent store",
            where="--store",
            hint="give --store DIR (or set AIKG_STORE); an in-memory store ends with the command",
        )
    report = None
    try:
        with KnowledgeGraph.open(settings) as kg:
            report = load_files(
                kg,
                args.files,
                validate=not args.no_validate,
                progress=None if args.quiet else ProgressBar(sys.stderr),
            )
        out.write(
            f"loaded {report.triples:,} triples from {len(report.files)} file(s) into "
            f"{settings.store} in {report.seconds:.1f} s (check {report.check_seconds:.1f} s, "
            f"write {report.write_seconds:.1f} s, validate {report.validate_seconds:.1f} s, "
            f"sources {report.sources_seconds:.1f} s, "
            f"infer {report.infer_seconds:.1f} s, commit {report.commit_seconds:.1f} s)\n"
        )
    except KeyboardInterrupt as error:
        # A Ctrl-C as the store closed or the report was written: the load is committed.
        if report is not None and COMMITTED not in getattr(error, "__notes__", ()):
            error.add_note(COMMITTED)
        raise
    return EXIT_OK


def cmd_generate(args: argparse.Namespace, out: TextIO) -> int:
    from aikg.synthetic import generate  # noqa: PLC0415 - 1,300 lines only this command needs

    suffix = Path(args.output).suffix.lower()
    if suffix not in (".nq", ".nquads", ".trig"):
        raise InputError(
            f"{args.output}: aikg generate writes N-Quads (.nq, .nquads) or TriG (.trig)",
            where="OUT",
            hint="end the file name with .nq or .trig",
        )
    if args.expected and Path(args.expected).resolve() == Path(args.output).resolve():
        raise InputError(
            f"--expected names the file the data goes to ({args.output})",
            where="--expected",
            hint="name another file for the list of violations",
        )
    fmt = "trig" if suffix == ".trig" else "nq"
    base = _settings(args).base_iri
    try:
        written = generate.write(
            args.output, args.triples, args.seed, fmt=fmt, violations=args.violations, base_iri=base
        )
        expected = generate.injected(args.triples, args.seed, args.violations, base)
    except ValueError as error:
        raise InputError(
            str(error), where="aikg generate", hint="see `aikg generate --help`"
        ) from None
    except OSError as error:
        raise _cannot_write(args.output, error) from None
    if args.expected:
        listed = json.dumps([dataclasses.asdict(e) for e in expected], indent=2) + "\n"
        _write_file(args.expected, listed)
    out.write(
        f"wrote {written:,} quads to {args.output} (seed {args.seed}, "
        f"{args.violations} injected violation(s))\n"
    )
    return EXIT_OK


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--store",
        metavar="DIR",
        help="persistent store directory (default: in memory, or AIKG_STORE)",
    )
    parser.add_argument(
        "--base-iri",
        metavar="IRI",
        help="base of entity IRIs (default https://w3id.org/aikg/, or AIKG_BASE_IRI)",
    )


def _port(text: str) -> int:
    if not text.isascii() or not text.isdigit() or not 0 <= int(text) <= 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is no TCP port: give 0 to 65535")
    return int(text)


def _label_language(text: str) -> str:
    try:
        return label_language(text, where="--lang") or text
    except AikgError as error:
        raise argparse.ArgumentTypeError(f"{error.message}; {error.hint}") from None


def _page_number(text: str) -> int:
    try:
        return page_number(text, where="--page")
    except AikgError as error:
        raise argparse.ArgumentTypeError(f"{error.message}; {error.hint}") from None


def _page_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--page",
        type=_page_number,
        default=1,
        metavar="N",
        help="which page of a SELECT answer longer than the row limit (AIKG_MAX_ROWS rows "
        "a page, in a stable order; default 1): each page but the last says on stderr the "
        "command that prints the next",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="aikg",
        description="A knowledge graph of the global AI race: query, validate, export.",
        epilog="Exit codes: 0 done, 1 data does not conform, 2 unusable input, 3 service error.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser(
        "search",
        help="find resources by a part of a name (English or Korean)",
        description="Resources whose label, prefLabel or altLabel contains TEXT "
        "(case and width ignored), things before the records about them, best first.",
    )
    _common(p)
    p.add_argument("text", metavar="TEXT", help="a part of a name, e.g. korea or 한국")
    p.add_argument("--limit", type=int, default=10, help="at most this many (1 to 100)")
    p.add_argument("--format", choices=["text", "json"], default="text")
    p.set_defaults(handler=cmd_search)

    p = sub.add_parser(
        "conflicts",
        help="the recorded conflicts, or the candidates the rules find",
        description="Without --candidates: the conflicts recorded as aikg:Conflict. With "
        "it: pairs of claims the rules find in conflict (different values for the same "
        "subject, one figure for two holders, a contradicted rank, a subject a list leaves "
        "out), those not yet recorded unless --recorded.",
    )
    _common(p)
    p.add_argument("--candidates", action="store_true", help="find candidates by the rules")
    p.add_argument("--recorded", action="store_true", help="with --candidates: the recorded too")
    p.add_argument("--format", choices=["text", "json"], default="text")
    p.set_defaults(handler=cmd_conflicts)

    p = sub.add_parser(
        "diff",
        help="the claims added, removed and changed between two versions of the data",
        description="Compare two versions of the data claim by claim: each OLD and NEW is "
        "a store directory, a folder of RDF files, an RDF file or an http(s):// SPARQL "
        "endpoint. Lists the claims added and removed with their parts, and the parts "
        "of each changed claim. Exit 0 whether or not they differ; 2: unusable input.",
    )
    p.add_argument("--base-iri", metavar="IRI", help="base of entity IRIs")
    p.add_argument("old", metavar="OLD", help="the earlier version")
    p.add_argument("new", metavar="NEW", help="the later version")
    p.add_argument("--format", choices=["text", "json"], default="text")
    p.set_defaults(handler=cmd_diff)

    p = sub.add_parser(
        "coverage",
        help="which sentences and table cells of a source the claims rest on",
        description="Cut a registered source's text into sentences and table cells and "
        "report, for each, the claims it is evidence of, or the reason it is listed as not "
        "modelled (not-modelled.json beside the texts); the rest are uncovered.",
    )
    _common(p)
    p.add_argument(
        "source", metavar="SOURCE", nargs="?", help="a source identifier (S1); all if none"
    )
    p.add_argument(
        "--listed", action="store_true", help="also show the units listed as not modelled"
    )
    p.add_argument("--format", choices=["text", "json"], default="text")
    p.set_defaults(handler=cmd_coverage)

    p = sub.add_parser("stats", help="triples per named graph and instances per class")
    _common(p)
    p.add_argument("--format", choices=["text", "json"], default="text")
    p.set_defaults(handler=cmd_stats)

    p = sub.add_parser(
        "validate",
        help="check data against the SHACL shapes",
        description="Validate the bundled data (or the files given) against "
        "the SHACL shapes. By default, files given with --with-bundled are validated where "
        "they can change a verdict, as `aikg load` validates a load: their own nodes and "
        "the bundled nodes whose shapes reach them; without files, every node of the "
        "store. --all validates every node. "
        "Exit 0: conforms; 1: violations; 2: unusable input.",
    )
    _common(p)
    p.add_argument(
        "files", nargs="*", metavar="FILE", help="RDF files to check instead of the bundled data"
    )
    p.add_argument(
        "--with-bundled",
        action="store_true",
        help="check the files together with the bundled data (claims about its entities)",
    )
    p.add_argument(
        "--all",
        action="store_true",
        help="validate every node of the data, not only what the files can affect",
    )
    p.add_argument(
        "--source-dir",
        action="append",
        metavar="DIR",
        help="a folder holding source texts (aikg:textFile), after data/sources/ and "
        "AIKG_SOURCE_DIRS; repeatable",
    )
    p.add_argument("--format", choices=["text", "turtle", "json"], default="text")
    p.set_defaults(handler=cmd_validate)

    p = sub.add_parser("source", help="register a new source text")
    source = p.add_subparsers(dest="source_command", required=True, metavar="ACTION")
    p = source.add_parser(
        "add",
        help="write the Turtle that registers a text as a source",
        description="Write the Turtle that registers TEXT (a UTF-8 file) as a source: "
        "its identifier, title, text file name and SHA-256, and only what is given. "
        "Write claims against it, then check them with aikg validate --with-bundled "
        "--source-dir DIR FILE...: every quotation must be in the text.",
    )
    _common(p)
    p.add_argument("text", metavar="TEXT", help="the source's text file (UTF-8)")
    p.add_argument("--id", required=True, help="its identifier, such as S3")
    p.add_argument("--title", required=True, help="its title, as the source gives it")
    p.add_argument("--url", help="its address, if it has one")
    p.add_argument("--genre", help="its genre (article, interview, report)")
    p.add_argument("--published", metavar="YYYY-MM-DD", help="its date, if the source gives one")
    p.add_argument("--output", "-o", metavar="FILE", help="write to a file")
    p.set_defaults(handler=cmd_source_add)

    p = sub.add_parser(
        "query",
        help="run a SPARQL query",
        description="Run a SPARQL query on the graph. The common prefixes "
        "(aikg, rdf, rdfs, xsd, owl, skos, schema, prov, dcterms, org) need no "
        "declaration; relative IRIs resolve against the base IRI.",
    )
    _common(p)
    p.add_argument("query", nargs="?", help="the query text ('-' reads standard input)")
    p.add_argument("--file", "-f", metavar="FILE", help="read the query from a file")
    p.add_argument("--format", choices=ANSWER_NAMES, default=None, help=ANSWER_HELP)
    _page_option(p)
    p.add_argument("--output", "-o", metavar="FILE", help="write to a file")
    p.set_defaults(handler=cmd_query)

    p = sub.add_parser(
        "serve",
        help="serve the graph over HTTP (SPARQL endpoint and more)",
        description="Serve the graph: SPARQL 1.1 Protocol at /sparql, Graph "
        "Store at /store. Read-only unless AIKG_TOKEN is set.",
    )
    _common(p)
    p.add_argument("--host", default=None, help="interface to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=_port, default=None, help="port (default 8000)")
    p.add_argument(
        "--workers",
        type=int,
        default=None,
        help="query worker processes (default 4, or AIKG_WORKERS)",
    )
    p.add_argument(
        "--log-level", default="info", choices=["critical", "error", "warning", "info", "debug"]
    )
    p.set_defaults(handler=cmd_serve)

    p = sub.add_parser("queries", help="list the saved queries and their parameters")
    p.add_argument("--format", choices=["text", "json"], default="text")
    p.set_defaults(handler=cmd_queries)

    p = sub.add_parser(
        "run",
        help="run a saved query",
        description="Run a saved query with typed parameters (`aikg queries` lists them); "
        "the query's IRI columns get a label column beside them. The columns are the same "
        "whatever the answer holds.",
    )
    _common(p)
    p.add_argument("name", help="the saved query (see `aikg queries`)")
    p.add_argument(
        "--param",
        "-p",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a parameter value (repeat for lists)",
    )
    p.add_argument("--format", choices=ANSWER_NAMES, default=None, help=ANSWER_HELP)
    p.add_argument(
        "--lang",
        default="en",
        type=_label_language,
        help="language of the label columns (default en)",
    )
    _page_option(p)
    p.add_argument("--output", "-o", metavar="FILE", help="write to a file")
    p.set_defaults(handler=cmd_run)

    p = sub.add_parser(
        "load",
        help="bulk-load RDF files into a persistent store, validated, all or nothing",
        description="Load RDF files into the store, each into the named graph of its file "
        "name. The files are checked first, then written with a progress bar, then "
        "validated where they can change a verdict (their nodes and those whose shapes "
        "reach them; `aikg validate --all` checks every node); if anything fails the store "
        "is left as it was. "
        "Exit 0: loaded; 1: the data does not conform; 2: unusable input; 3: store error.",
    )
    _common(p)
    p.add_argument("files", nargs="+", metavar="FILE", help="RDF files (format from extension)")
    p.add_argument(
        "--no-validate", action="store_true", help="skip the SHACL validation (not advised)"
    )
    p.add_argument("--quiet", "-q", action="store_true", help="no progress bar")
    p.set_defaults(handler=cmd_load)

    p = sub.add_parser(
        "generate",
        help="write deterministic synthetic data that conforms to the shapes",
        description="Write synthetic aikg data (countries, companies, people, holdings over "
        "years, index positions, quotes, each with sources) to an N-Quads (.nq) or TriG "
        "(.trig) file. The same --triples and --seed always give the same file. With "
        "--violations K, K facts break the shapes, and --expected lists the violations a "
        "validator must report.",
    )
    p.add_argument("output", metavar="FILE", help="where to write (.nq or .trig)")
    p.add_argument("--triples", type=int, required=True, help="about how many triples")
    p.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    p.add_argument("--violations", type=int, default=0, help="violations to inject")
    p.add_argument("--expected", metavar="FILE", help="write the injected violations as JSON")
    p.add_argument(
        "--base-iri",
        metavar="IRI",
        help="base of the IRIs (default https://w3id.org/aikg/, or AIKG_BASE_IRI)",
    )
    p.set_defaults(handler=cmd_generate)

    p = sub.add_parser("export", help="dump the graph in an RDF format")
    _common(p)
    p.add_argument("--format", choices=RDF_NAMES, default="turtle")
    p.add_argument(
        "--graph", metavar="GRAPH", help="one named graph (its IRI, or its name such as 'holdings')"
    )
    p.add_argument(
        "--inferred",
        action="store_true",
        help="include the inferred graph (what the ontology entails; left out by default)",
    )
    p.add_argument("--output", "-o", metavar="FILE", help="write to a file")
    p.set_defaults(handler=cmd_export)
    return parser


def main(argv: Sequence[str] | None = None, out: TextIO | None = None) -> int:
    """Run the command line; returns the exit code."""
    out = out or sys.stdout
    parser = build_parser()
    args = parser.parse_args(argv)
    args.argv = list(sys.argv[1:] if argv is None else argv)
    handler: Callable[[argparse.Namespace, TextIO], int] = args.handler
    load = handler is cmd_load
    # On a terminal, off the line of the terminal's ^C (or of a load's progress bar).
    head = ("\n" if sys.stderr.isatty() else "") + "aikg: interrupted (Ctrl-C)"
    stopped = head + (
        "; a load not yet committed is rolled back when the store next opens" if load else ""
    )
    # The server handles its own signals; every other command stops at Ctrl-C, even
    # inside the engine (see aikg.interrupt).
    ends_at_ctrl_c = contextlib.nullcontext() if handler is cmd_serve else interruptible(stopped)
    try:
        with ends_at_ctrl_c:
            return handler(args, out)
    except ValidationError as error:
        print(f"aikg: {error.describe()}", file=sys.stderr)
        return EXIT_VIOLATIONS
    except AikgError as error:
        # What the core calls a parameter, by its name here.
        if error.where == PAGE_PARAMETER and hasattr(args, "page"):
            error.where = "--page"
        elif handler is cmd_search:
            error.where = {SEARCH_TEXT: "TEXT", SEARCH_LIMIT: "--limit"}.get(
                error.where or "", error.where
            )
        print(f"aikg: {error.describe()}", file=sys.stderr)
        return EXIT_INPUT if error.status < 500 else EXIT_SERVICE
    except BrokenPipeError:
        return EXIT_OK
    except KeyboardInterrupt as error:
        # What became of a load, where it is known; else what becomes of one.
        notes = getattr(error, "__notes__", ())
        known = [note for note in (ROLLED_BACK, COMMITTED) if note in notes]
        print(f"{head}; {known[0]}" if known else stopped, file=sys.stderr)
        return EXIT_INTERRUPTED


def command() -> None:
    """The ``aikg`` command: :func:`main` on the process's arguments. A command that
    Ctrl-C stopped ends the process by SIGINT, so that a shell running it in a script
    stops the script too (an exit status of 130 would let a loop go on)."""
    code = main()
    if code == EXIT_INTERRUPTED:
        for stream in (sys.stdout, sys.stderr):  # what was written before is kept
            with contextlib.suppress(OSError, ValueError):
                stream.flush()
        die_by_sigint()
    sys.exit(code)


if __name__ == "__main__":
    command()
