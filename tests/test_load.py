"""``aikg load`` and :func:`aikg.loader.load_files`: bulk loads that are all or nothing.

Every refusal is checked twice: the error says what, where and how to fix it, and the
store is byte-for-byte what it was (its N-Quads dump, before and after).
"""

from __future__ import annotations

import gzip
import io
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest

from aikg import KnowledgeGraph, loader
from aikg.cli import EXIT_INPUT, EXIT_INTERRUPTED, EXIT_OK, EXIT_VIOLATIONS
from aikg.config import DEFAULT_BASE_IRI, Settings
from aikg.errors import InputError, RdfSyntaxError, ValidationError
from aikg.loader import COMMITTED, ROLLED_BACK, Progress, load_files
from aikg.store.local import Store
from aikg.synthetic import generate
from aikg.validation import memory_copy
from tests.test_cli import aikg_from_a_terminal, run

GENERATED = "https://w3id.org/aikg/graph/generated-"


def dump(store: Path) -> bytes:
    """The whole store as sorted N-Quads (blank node labels are stable on disk)."""
    with KnowledgeGraph.open(Settings(store=str(store))) as kg:
        return b"\n".join(sorted(kg.export("nquads").splitlines()))


@pytest.fixture(scope="module")
def valid_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("data") / "synthetic.nq"
    generate.write(path, 5_000, seed=1)
    return path


@pytest.fixture(scope="module")
def invalid_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("data") / "broken.nq"
    generate.write(path, 5_000, seed=1, violations=3)
    return path


@pytest.fixture
def store(tmp_path: Path) -> Path:
    """A store on disk holding the bundled data."""
    directory = tmp_path / "store"
    KnowledgeGraph.open(Settings(store=str(directory))).close()
    return directory


def test_load_adds_the_files_graphs_and_they_survive_a_reopen(
    store: Path, valid_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = run("load", "--store", str(store), str(valid_file))
    assert code == EXIT_OK, capsys.readouterr().err
    loaded = sum(1 for line in valid_file.read_bytes().splitlines() if line.strip())
    assert f"loaded {loaded:,} triples from 1 file(s)" in out
    # Every phase is printed, the commit included, and the total is their sum.
    timing = re.search(r"in ([\d.]+) s \((.*)\)", out)
    assert timing is not None, out
    phases = dict(re.findall(r"(\w+) ([\d.]+) s", timing[2]))
    assert list(phases) == ["check", "write", "validate", "sources", "infer", "commit"]
    assert abs(sum(map(float, phases.values())) - float(timing[1])) <= 0.4  # rounded to 0.1
    with KnowledgeGraph.open(Settings(store=str(store))) as kg:
        graphs = kg.stats().graphs
        generated = {g: n for g, n in graphs.items() if g.startswith(GENERATED)}
        assert sum(generated.values()) == loaded
        assert "https://w3id.org/aikg/graph/holdings" in graphs  # the bundled data stays
        holders = {h.holder_label for h in kg.holdings().records}
        assert "China" in holders and len(holders) > 5
        assert kg.validate().conforms
    assert not store.with_name("store.checkpoint").exists()


def test_progress_is_reported_per_phase_and_reaches_the_total(
    store: Path, valid_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _ = run("load", "--store", str(store), str(valid_file))
    assert code == EXIT_OK
    err = capsys.readouterr().err
    assert "loading  " in err and "100%" in err
    assert "validating against the shapes" in err
    events: list[Progress] = []
    with KnowledgeGraph.open(Settings(store=str(store.with_name("other")))) as kg:
        report = load_files(kg, [valid_file], progress=events.append)
    writes = [e for e in events if e.phase == "write"]
    assert writes and writes[-1].done == writes[-1].total == report.triples
    assert [e.phase for e in events][-2:] == ["validate", "done"]


def test_data_that_breaks_the_shapes_is_refused_and_the_store_is_unchanged(
    store: Path, invalid_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = dump(store)
    code, _ = run("load", "-q", "--store", str(store), str(invalid_file))
    assert code == EXIT_VIOLATIONS
    err = capsys.readouterr().err
    assert "nothing was changed" in err
    assert f"{invalid_file}: <https://w3id.org/aikg/claim/holding-g" in err
    assert dump(store) == before
    assert not store.with_name("store.checkpoint").exists()


def test_the_report_names_exactly_the_injected_violations(
    tmp_path: Path, invalid_file: Path
) -> None:
    with (
        KnowledgeGraph.open(Settings(store=str(tmp_path / "s"))) as kg,
        pytest.raises(ValidationError) as caught,
    ):
        load_files(kg, [invalid_file])
    found = {
        (v.focus_node, v.source_shape, v.path, v.source_constraint)
        for v in caught.value.report.violations
    }
    assert found == {e.key() for e in generate.injected(5_000, 1, 3)}


@pytest.fixture
def copies(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Every copy for validation in memory a load makes, whatever the files' size."""
    made: list[object] = []
    make = memory_copy._copy

    def counted(*args: Any) -> object:
        made.append(copy := make(*args))
        return copy

    monkeypatch.setattr(memory_copy, "COPY_FROM_BYTES", 0)
    monkeypatch.setattr(memory_copy, "_copy", counted)
    return made


@pytest.mark.parametrize("base_iri", [DEFAULT_BASE_IRI, "http://localhost:8000/"])
def test_a_load_validated_in_full_reads_a_copy_in_memory_and_reports_the_same(
    tmp_path: Path,
    invalid_file: Path,
    monkeypatch: pytest.MonkeyPatch,
    copies: list[object],
    base_iri: str,
) -> None:
    """A load too large to validate where it can reach is validated in full on a copy of
    the store in memory, made while the files are checked: the same violations, and the
    store on disk unchanged."""
    directory = tmp_path / "store"
    KnowledgeGraph.open(Settings(store=str(directory), base_iri=base_iri)).close()
    before = dump(directory)
    copies.clear()
    monkeypatch.setattr(loader, "FULL_ABOVE", 0)  # every load is "too large"
    validated_on: list[object] = []
    validate = KnowledgeGraph.validate_shapes

    def spied(kg: KnowledgeGraph, change: object = None, *, copy: object = None) -> Any:
        validated_on.append(copy)
        return validate(kg, change, copy=copy)  # type: ignore[arg-type]

    monkeypatch.setattr(KnowledgeGraph, "validate_shapes", spied)
    with (
        KnowledgeGraph.open(Settings(store=str(directory), base_iri=base_iri)) as kg,
        pytest.raises(ValidationError) as caught,
    ):
        load_files(kg, [invalid_file])
    assert len(copies) == 1 and validated_on == copies
    found = {
        (v.focus_node, v.source_shape, v.path, v.source_constraint)
        for v in caught.value.report.violations
    }
    assert found == {e.key() for e in generate.injected(5_000, 1, 3, base_iri)}
    assert {v.file for v in caught.value.report.violations} == {str(invalid_file)}
    assert dump(directory) == before


def test_the_copy_in_memory_leaves_the_inferred_graph_out(
    store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, copies: list[object]
) -> None:
    """The shapes judge what the data states. S1 given an ISO code holds, in the
    inferred graph, a second identifier the data does not state: a load validated in
    full on the copy must not count it (it did, and refused a valid load)."""
    code = tmp_path / "code.ttl"
    code.write_text(
        '<https://w3id.org/aikg/source/s1> <https://w3id.org/aikg/ontology#iso3166Alpha2> "ZZ" .\n'
    )
    label = tmp_path / "label.ttl"
    label.write_text(
        "<https://w3id.org/aikg/source/s1> <http://www.w3.org/2004/02/skos/core#altLabel> "
        '"S one"@en .\n'
    )
    with KnowledgeGraph.open(Settings(store=str(store))) as kg:
        load_files(kg, [code])  # where it reaches
        monkeypatch.setattr(loader, "FULL_ABOVE", 0)  # then in full, on a copy
        load_files(kg, [label])
        assert len(copies) == 2
        inferred = ox.NamedNode(kg.store.inferred_graph)
        assert all(not copy.contains_named_graph(inferred) for copy in copies if copy is not None)
        assert kg.validate().conforms


def test_a_load_interrupted_while_it_compacts_is_rolled_back_and_says_so(
    store: Path, valid_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The compaction before the commit takes seconds (2 s at a million triples): a
    Ctrl-C there still puts the store back, now, and the error says so."""
    before = dump(store)
    settle = Store.settle

    def interrupted(self: Store) -> None:
        settle(self)
        raise KeyboardInterrupt

    monkeypatch.setattr(Store, "settle", interrupted)
    with KnowledgeGraph.open(Settings(store=str(store))) as kg:
        with pytest.raises(KeyboardInterrupt) as caught:
            load_files(kg, [valid_file])
        assert ROLLED_BACK in getattr(caught.value, "__notes__", [])
    assert dump(store) == before
    assert not store.with_name("store.checkpoint").exists()


def _interrupted_in(
    monkeypatch: pytest.MonkeyPatch,
    store: Path,
    valid_file: Path,
    owner: object,
    method: str,
    *,
    done: bool = True,
) -> tuple[int, str]:
    """``aikg load`` of the valid file, with a Ctrl-C raised as ``owner.method`` ends (or,
    not ``done``, as it begins); the exit code and the last line on standard error."""
    original = getattr(owner, method)

    def interrupted(*args: Any, **kwargs: Any) -> None:
        if done:
            original(*args, **kwargs)
        raise KeyboardInterrupt

    monkeypatch.setattr(owner, method, interrupted)
    err = io.StringIO()
    monkeypatch.setattr(sys, "stderr", err)
    code, _ = run("load", "--quiet", "--store", str(store), str(valid_file))
    return code, err.getvalue().strip().splitlines()[-1]


@pytest.mark.parametrize(("owner", "method"), [(Store, "commit"), (KnowledgeGraph, "close")])
def test_a_ctrl_c_once_the_load_is_committed_says_the_load_stays(
    store: Path, valid_file: Path, monkeypatch: pytest.MonkeyPatch, owner: object, method: str
) -> None:
    """A Ctrl-C as the snapshot is dropped, or as the store closes after: the load is
    kept, and the command says so rather than that a load is rolled back."""
    code, said = _interrupted_in(monkeypatch, store, valid_file, owner, method)
    assert code == EXIT_INTERRUPTED
    assert said == f"aikg: interrupted (Ctrl-C); {COMMITTED}"
    monkeypatch.undo()
    assert not store.with_name("store.checkpoint").exists()
    with KnowledgeGraph.open(Settings(store=str(store))) as kg:
        assert kg.search("G-REF")


def test_a_ctrl_c_before_the_snapshot_is_dropped_says_the_load_is_rolled_back(
    store: Path, valid_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Interrupted in the commit before the snapshot goes: the load is not kept (the
    store goes back when it next opens), and the command says no more than that."""
    before = dump(store)
    code, said = _interrupted_in(monkeypatch, store, valid_file, Store, "commit", done=False)
    assert code == EXIT_INTERRUPTED
    assert COMMITTED not in said and "rolled back when the store next opens" in said
    monkeypatch.undo()
    assert dump(store) == before


def test_pyshacl_validates_a_large_load_on_the_store_after_the_write(
    store: Path, invalid_file: Path, monkeypatch: pytest.MonkeyPatch, copies: list[object]
) -> None:
    """pySHACL reads the store, never a copy: validated while the engine still wrote, it
    would judge half a load. It runs after the write, and finds every violation."""
    before = dump(store)
    monkeypatch.setattr(loader, "FULL_ABOVE", 0)  # validated in full
    settings = Settings(store=str(store), validator="pyshacl")
    with KnowledgeGraph.open(settings) as kg, pytest.raises(ValidationError) as caught:
        load_files(kg, [invalid_file])
    assert copies == []
    found = {(v.focus_node, v.source_shape) for v in caught.value.report.violations}
    assert {e.key()[:2] for e in generate.injected(5_000, 1, 3)} <= found
    assert dump(store) == before


def test_a_copy_begun_for_a_load_that_is_small_or_broken_is_dropped(
    store: Path, invalid_file: Path, tmp_path: Path, copies: list[object]
) -> None:
    """A load validated where it reaches does not read the copy begun for it; a load
    whose check fails waits for the copy's thread and changes nothing."""
    before = dump(store)
    with KnowledgeGraph.open(Settings(store=str(store))) as kg:
        with pytest.raises(ValidationError) as caught:
            load_files(kg, [invalid_file])  # 5,000 triples: validated where they reach
        assert len(copies) == 1
        found = {(v.focus_node, v.source_shape) for v in caught.value.report.violations}
        assert found == {e.key()[:2] for e in generate.injected(5_000, 1, 3)}
        broken = tmp_path / "broken.ttl"
        broken.write_text("@prefix ex: <https://example.org/> .\nex:a ex:b .\n")
        with pytest.raises(RdfSyntaxError):
            load_files(kg, [broken])
    assert dump(store) == before


def test_a_store_too_big_for_a_copy_in_memory_is_validated_on_disk(
    store: Path, invalid_file: Path, monkeypatch: pytest.MonkeyPatch, copies: list[object]
) -> None:
    before = dump(store)
    monkeypatch.setattr(loader, "FULL_ABOVE", 0)
    monkeypatch.setattr(memory_copy, "available_memory", lambda: 0)
    with (
        KnowledgeGraph.open(Settings(store=str(store))) as kg,
        pytest.raises(ValidationError) as caught,
    ):
        load_files(kg, [invalid_file])
    assert copies == [None]
    found = {(v.focus_node, v.source_shape) for v in caught.value.report.violations}
    assert found == {e.key()[:2] for e in generate.injected(5_000, 1, 3)}
    assert dump(store) == before


def test_a_syntax_error_in_a_later_file_changes_nothing(
    store: Path, valid_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.ttl"
    bad.write_text(
        "@prefix ex: <https://example.org/> .\nex:a ex:b ex:c .\nex:d ex:e ex:f ex:g .\n"
    )
    before = dump(store)
    code, _ = run("load", "-q", "--store", str(store), str(valid_file), str(bad))
    assert code == EXIT_INPUT
    err = capsys.readouterr().err
    assert f"{bad}, line 3" in err and "turtle syntax error" in err
    assert dump(store) == before


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("holdings.ttl", "", "graph https://w3id.org/aikg/graph/holdings is already loaded"),
        ("ontology.ttl", "", "graph https://w3id.org/aikg/graph/ontology is one of aikg's own"),
        ("shapes.ttl", "", "graph https://w3id.org/aikg/graph/shapes is one of aikg's own"),
        ("inferred.ttl", "", "graph https://w3id.org/aikg/graph/inferred is one of aikg's own"),
        ("notes.txt", "", "cannot tell the RDF format"),
        ("notes.ttl.gz", "", "decompress it first"),
        (
            "packed.nq",
            gzip.compress(b'<http://e/s> <http://e/p> "x" .\n', mtime=0),
            "packed.nq is compressed (gzip), whatever its name says",
        ),
        (
            "remote.jsonld",
            '{"@context": "http://127.0.0.1:9/context.jsonld", "@id": "http://e/a"}',
            "names a @context (or @import) to fetch from elsewhere",
        ),
        ("Bad Name.ttl", "", "cannot name a graph"),
        (
            "blank.trig",
            '_:g { <https://w3id.org/aikg/x/a> <http://e/p> "abc"^^'
            "<http://www.w3.org/2001/XMLSchema#integer> . }",
            "a graph named by a blank node (_:g) cannot be loaded",
        ),
        (
            "bomb.rdf",
            '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaa">]><r/>',
            "DOCTYPE or entity declaration is refused",
        ),
    ],
)
def test_unusable_files_are_refused_before_anything_is_written(
    store: Path,
    tmp_path: Path,
    name: str,
    content: str | bytes,
    message: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    before = dump(store)
    code, _ = run("load", "-q", "--store", str(store), str(path))
    assert code == EXIT_INPUT
    err = capsys.readouterr().err
    assert message in err and "fix:" in err
    assert dump(store) == before


def test_a_directory_or_a_pipe_is_named_for_what_it_is(tmp_path: Path) -> None:
    folder = tmp_path / "folder.ttl"
    folder.mkdir()
    pipe = tmp_path / "pipe.ttl"
    os.mkfifo(pipe)
    kg = KnowledgeGraph.load()
    for path, says in [(folder, "is a directory"), (pipe, "is not a regular file")]:
        with pytest.raises(InputError) as caught:
            load_files(kg, [path])
        assert f"{path} {says}" in caught.value.message
        assert caught.value.where == str(path)


def test_a_byte_order_mark_before_the_triples_is_no_part_of_them(tmp_path: Path) -> None:
    """Windows editors start a UTF-8 file with one; the engine's Turtle and N-Triples
    parsers would take it for the first term."""
    kg = KnowledgeGraph.load()
    triple = '<https://example.org/a> <https://example.org/b> "bom" .\n'
    files = []
    for name in ("bom-turtle.ttl", "bom-triples.nt"):
        files.append(tmp_path / name)
        files[-1].write_bytes(b"\xef\xbb\xbf" + triple.encode())
    load_files(kg, files, validate=False)
    for name in ("bom-turtle", "bom-triples"):
        assert kg.query(f'ASK {{ GRAPH <graph/{name}> {{ ?s ?p "bom" }} }}') is True


def test_a_missing_file_and_a_missing_store_are_usage_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _ = run("load", "--store", str(tmp_path / "s"), str(tmp_path / "nope.ttl"))
    assert code == EXIT_INPUT
    assert "no such file" in capsys.readouterr().err
    env_store = os.environ.pop("AIKG_STORE", None)
    try:
        code, _ = run("load", str(tmp_path / "nope.ttl"))
    finally:
        if env_store is not None:
            os.environ["AIKG_STORE"] = env_store
    assert code == EXIT_INPUT
    assert "needs a persistent store" in capsys.readouterr().err


def test_an_in_memory_load_that_fails_drops_what_it_wrote(invalid_file: Path) -> None:
    kg = KnowledgeGraph.load()
    before = sorted(str(q) for q in kg.store.quads())
    with pytest.raises(ValidationError, match="nothing was changed"):
        load_files(kg, [invalid_file])
    assert sorted(str(q) for q in kg.store.quads()) == before
    assert "broken" not in " ".join(kg.graph_files.values())


def test_a_load_under_another_base_iri_moves_the_iris(tmp_path: Path) -> None:
    base = "https://example.org/kg/"
    path = tmp_path / "moved.nq"
    generate.write(path, 2_000, seed=2)  # written with the default base
    kg = KnowledgeGraph.load(settings=Settings(base_iri=base))
    load_files(kg, [path])
    graphs = kg.store.named_graphs()
    assert f"{base}graph/generated-holdings" in graphs
    assert not any(g.startswith("https://w3id.org/aikg/graph/generated") for g in graphs)
    assert kg.query(f"ASK {{ <{base}country/g0> a aikg:Country }}") is True


@pytest.mark.parametrize(
    ("graph", "message"),
    [
        ("holdings", "graph https://w3id.org/aikg/graph/holdings is already loaded"),
        ("shapes", "graph https://w3id.org/aikg/graph/shapes is one of aikg's own"),
    ],
)
def test_a_quad_file_may_not_write_into_a_graph_that_exists_or_of_aikg_s_own(
    tmp_path: Path, graph: str, message: str
) -> None:
    path = tmp_path / "sneaky.nq"
    path.write_text(
        "<https://example.org/a> <https://example.org/b> <https://example.org/c> "
        f"<https://w3id.org/aikg/graph/{graph}> .\n"
    )
    kg = KnowledgeGraph.load()
    before = set(kg.store.quads())
    with pytest.raises(InputError) as caught:
        load_files(kg, [path])
    assert message in str(caught.value)
    assert caught.value.where == str(path)
    assert set(kg.store.quads()) == before


def test_syntax_errors_name_file_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "bad.nt"
    path.write_text("<https://example.org/a> <https://example.org/b> .\n")
    with pytest.raises(RdfSyntaxError) as caught:
        load_files(KnowledgeGraph.load(), [path])
    assert (caught.value.source, caught.value.line) == (str(path), 1)


def _load_until_a_fifth_is_written(store: Path, big: Path) -> subprocess.Popen[str]:
    """``aikg load`` of ``big`` into ``store`` in a child process that takes Ctrl-C as in
    a terminal, returned once its progress says it has written a fifth of the file (its
    stderr open to read on)."""
    loader = subprocess.Popen(
        aikg_from_a_terminal("load", "--store", str(store), str(big)),
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
    )
    assert loader.stderr is not None
    deadline = time.monotonic() + 120
    try:
        for line in loader.stderr:
            share = re.search(r"\] +(\d+)%", line)
            if share and int(share.group(1)) >= 20:
                return loader
            assert time.monotonic() < deadline, "the load never started writing"
        raise AssertionError("the load ended before it had written a fifth")
    except BaseException:
        loader.kill()
        raise


@pytest.mark.load
def test_a_load_killed_half_way_is_rolled_back_when_the_store_next_opens(
    store: Path, tmp_path: Path
) -> None:
    big = tmp_path / "big.nq"
    generate.write(big, 400_000, seed=5)
    before = dump(store)
    loader = _load_until_a_fifth_is_written(store, big)
    loader.send_signal(signal.SIGKILL)  # without warning
    loader.wait()
    assert store.with_name("store.checkpoint").exists(), "the load left its snapshot"
    assert dump(store) == before  # opening rolls the half-done load back
    assert not store.with_name("store.checkpoint").exists()
    code, out = run("load", "-q", "--store", str(store), str(big))  # and it can be redone
    assert code == EXIT_OK, out
    with KnowledgeGraph.open(Settings(store=str(store))) as kg:
        total = sum(n for g, n in kg.stats().graphs.items() if g.startswith(GENERATED))
    assert total == sum(1 for _ in big.open("rb"))


def test_a_load_killed_before_its_commit_leaves_no_name_in_the_index(
    store: Path, valid_file: Path
) -> None:
    # Everything written, the name index too (it lives beside the store, outside its
    # snapshot), then the process dies: the store goes back when it next opens, and its
    # name index with it.
    before = dump(store)
    dies = (
        "import os, sys; from aikg.store import local; "
        "local.Store.commit = lambda self: os._exit(9); "
        "from aikg.cli import main; main(sys.argv[1:])"
    )
    args = ["load", "--quiet", "--store", str(store), str(valid_file)]
    assert subprocess.run([sys.executable, "-c", dies, *args], check=False).returncode == 9
    assert store.with_name("store.checkpoint").exists()
    # The next open dies too, after putting the store back and before the index: the
    # index, marked stale while the load ran, is rebuilt by the open after.
    dies_again = (
        "import os, sys; from aikg import names; "
        "names.NameIndex.rebuild = lambda self, quads: os._exit(7); "
        "from aikg.cli import main; main(sys.argv[1:])"
    )
    opens = ["stats", "--store", str(store)]
    assert subprocess.run([sys.executable, "-c", dies_again, *opens], check=False).returncode == 7
    assert not store.with_name("store.checkpoint").exists()
    with KnowledgeGraph.open(Settings(store=str(store))) as kg:
        assert kg.search("G-REF") == []
    assert dump(store) == before


@pytest.mark.load
def test_a_load_stopped_by_ctrl_c_is_rolled_back_and_says_so(store: Path, tmp_path: Path) -> None:
    big = tmp_path / "big.nq"
    generate.write(big, 400_000, seed=6)
    before = dump(store)
    loader = _load_until_a_fifth_is_written(store, big)
    assert loader.stderr is not None
    try:
        loader.send_signal(signal.SIGINT)
        rest = loader.stderr.read()
        assert loader.wait(timeout=120) == -signal.SIGINT
    finally:
        if loader.poll() is None:
            loader.kill()
    assert "Traceback" not in rest
    assert rest.strip().splitlines()[-1] == f"aikg: interrupted (Ctrl-C); {ROLLED_BACK}"
    assert not store.with_name("store.checkpoint").exists()  # undone on the way out
    assert dump(store) == before


def test_generate_writes_the_file_and_the_expected_violations(tmp_path: Path) -> None:
    out_file, expected_file = tmp_path / "g.nq", tmp_path / "expected.json"
    code, out = run(
        "generate",
        str(out_file),
        "--triples",
        "3000",
        "--seed",
        "4",
        "--violations",
        "2",
        "--expected",
        str(expected_file),
    )
    assert code == EXIT_OK
    assert out.startswith("wrote ") and "2 injected violation(s)" in out
    again = tmp_path / "again.nq"
    run("generate", str(again), "--triples", "3000", "--seed", "4", "--violations", "2")
    assert again.read_bytes() == out_file.read_bytes()
    expected = json.loads(expected_file.read_text())
    assert [e["source_shape"].rsplit("#")[-1] for e in expected] == [
        "HardwareHoldingShape-quantity",
        "ClaimShape-wasDerivedFrom",
    ]
    code, _ = run("generate", str(tmp_path / "x.nq"), "--triples", "-1")
    assert code == EXIT_INPUT
    assert not (tmp_path / "x.nq").exists()
