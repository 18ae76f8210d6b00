"""Saved queries: ``queries/*.rq`` files with a typed metadata header.

A saved query opens with ``#+`` comment lines holding YAML: a title, a description, and
its parameters, each with a type, whether it is required, a default, allowed values, an
example, a description, for IRIs the classes of what it takes, and for a string looked
for in the quotations' words the variable of the resources whose text holds it
(``text_of``: see :func:`narrow_by_text`); and the IRI columns that get a label column
beside them::

    #+ title: Hardware holdings, ranked
    #+ description: Who holds how many GPUs, largest first.
    #+ labels: [claim, hardwareModel, source]
    #+ params:
    #+   holder:
    #+     type: iri
    #+     class: [Country, Organization]
    #+     description: Only the claims about this holder.
    #+     example: country/KR

A parameter ``holder`` binds the query variable ``?holder``. Values are parsed into RDF
terms of the declared type (a wrong value is a :class:`~aikg.errors.ParameterError` naming
the parameter and the type it expects) and bound as a ``VALUES`` clause generated from
the terms' own serialization, placed first inside the query's WHERE group (found by the
lexer). Text is never pasted into the query, so a value cannot change its shape: grlc
pastes values and its users found the injection (grlc issue #101). An IRI must name an
instance of a declared class or of one of its subclasses (:func:`check_classes`).

An answer's columns are the query's projection, with ``<column>Label`` right after each
column named in ``labels``: they depend on the query, never on the rows, so a CSV file,
a DataFrame or a chart has the same columns whatever the parameters found.

>>> query = catalog()["holdings"]
>>> [p.name for p in query.params]
['holder', 'hardware', 'min']
>>> query.columns()[:4]
('claim', 'claimLabel', 'holder', 'holderLabel')
>>> query.bind({"holder": "country/KR"}, "https://w3id.org/aikg/").values_clause()
'VALUES ?holder { <https://w3id.org/aikg/country/KR> }'

"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import Any
from urllib.parse import urljoin, urlsplit

import pyoxigraph as ox
import yaml

from aikg import package_data
from aikg.config import DEFAULT_BASE_IRI, NOT_IN_IRIS, ONTOLOGY_NS
from aikg.errors import ConfigError, NotFoundError, ParameterError, did_you_mean
from aikg.names import NameIndex
from aikg.namespaces import XSD, curie, expand, prefix_table
from aikg.sparql.lexer import operation, tokens, where_group_start
from aikg.store.local import Store
from aikg.terms import OxTerm
from aikg.walks import ClassHierarchy

PARAMETER_TYPES: dict[str, str] = {
    "iri": "an IRI: absolute (https://...) or relative to the base IRI",
    "string": "a string",
    "langString": "a language-tagged string written text@lang (Korea@en)",
    "language": "a BCP 47 language tag (en, ko, en-GB)",
    "integer": "an xsd:integer (a whole number)",
    "decimal": "an xsd:decimal (a number such as 2.5)",
    "boolean": "an xsd:boolean (true or false)",
    "date": "an xsd:date (YYYY-MM-DD)",
    "gYear": "an xsd:gYear (YYYY)",
}

LANGUAGE_TAG = re.compile(r"^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$")
_NAME = re.compile(r"^[a-z][a-z0-9-]*$")
_VARIABLE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
RESERVED_PARAMETERS = ("lang", "format", "labels", "page")
"""Names every saved query's route takes for itself (label language, answer format,
label columns, the page of a long answer): no saved query may name a parameter so."""


def label_language(lang: object, where: str = "parameter 'lang'") -> str | None:
    """The language of a saved query's label columns as given (None: no label columns),
    or a :class:`~aikg.errors.ParameterError` naming ``where`` for what is no language tag.

    >>> label_language("ko"), label_language(None)
    ('ko', None)
    """
    if lang is None:
        return None
    if not isinstance(lang, str) or not LANGUAGE_TAG.match(lang):
        raise ParameterError(
            f"lang {lang!r} is not a BCP 47 language tag",
            where=where,
            hint="give a tag such as en or ko (in Python, lang=None for no label columns)",
        )
    return lang


@dataclass(frozen=True)
class Parameter:
    """A typed parameter of a saved query, bound to the query variable of the same name."""

    name: str
    type: str
    description: str = ""
    required: bool = False
    default: str | None = None
    example: str | None = None
    enum: tuple[str, ...] = ()
    list: bool = False
    classes: tuple[str, ...] = ()
    """For IRI parameters: the classes (IRIs) of the resources it takes; "*" for any.
    Entity pages offer the saved queries that take their resource."""
    text_of: str | None = None
    """For a string parameter the query looks for in a text (``schema:text``): the query
    variable holding the resources whose text must contain it, ignoring case. Where the
    store has a text index, that variable is narrowed to the resources the index finds
    before the query runs (:func:`narrow_by_text`); the query's own FILTER still decides."""
    planned: bool = False
    """Whether a single value is also given to an engine in this process as an initial
    binding of its variable (Oxigraph's ``substitutions``), beside the ``VALUES`` clause.
    Oxigraph plans an OPTIONAL group before it joins the VALUES, so without it a group
    that reads from the variable reads every match in the store and keeps the few that
    fit; with it the group is looked up from the value. For a variable the query
    projects (Oxigraph's requirement) and that a required pattern of the outermost group
    binds: the answer is then the same either way (:func:`substitutions`)."""

    @property
    def class_names(self) -> tuple[str, ...]:
        """The declared classes by their short names (``Country``, ``schema:Event``)."""
        return tuple(_short(c) for c in self.classes if c != "*")

    @property
    def expects(self) -> str:
        """What a value must look like, for error messages and documentation."""
        text = PARAMETER_TYPES[self.type]
        if self.class_names:
            text = text.replace("an IRI", f"an IRI of {_any_of(self.class_names)}", 1)
        if self.enum:
            text += " among " + ", ".join(self.enum)
        if self.list:
            text = "one or more values, each " + text
        return text

    def parse_one(self, raw: str, base_iri: str) -> OxTerm:
        """One value as an RDF term of this parameter's type."""
        value = raw.strip() if self.type != "string" else raw
        if self.enum and value not in self.enum:
            raise self._error(raw)
        try:
            return _TERM_PARSERS[self.type](value, base_iri)
        except (ValueError, InvalidOperation):
            raise self._error(raw) from None

    @property
    def hint(self) -> str:
        """How to fix a wrong value: what to give, and the example."""
        return f"give {self.expects}" + (f", e.g. {self.example}" if self.example else "")

    def _error(self, raw: str) -> ParameterError:
        shown = raw if len(raw) <= 80 else raw[:77] + "..."
        return ParameterError(
            f"parameter {self.name!r}: {shown!r} is not {self.expects}",
            where=f"parameter {self.name!r}",
            hint=self.hint,
        )

    def class_error(self, value: ox.NamedNode, types: set[str]) -> ParameterError:
        """A value that is not an instance of the declared classes, and what it is."""
        wanted = _any_of(self.class_names)
        what = (
            f"is {_all_of(sorted({_short(t) for t in types}))}, not {wanted}"
            if types
            else f"is not {wanted}: the graph gives it no class"
        )
        return ParameterError(
            f"parameter {self.name!r}: {value} {what}",
            where=f"parameter {self.name!r}",
            hint=f"give the IRI of {wanted}" + (f", e.g. {self.example}" if self.example else ""),
        )


def _short(iri: str) -> str:
    return iri[len(ONTOLOGY_NS) :] if iri.startswith(ONTOLOGY_NS) else curie(iri)


def _article(name: str) -> str:
    return ("an " if name[:1].upper() in "AEIOU" else "a ") + name


def _any_of(names: Sequence[str]) -> str:
    """Any of the classes, each with its article: a Country or an Organization."""
    return " or ".join(_article(n) for n in names)


def _all_of(names: Sequence[str]) -> str:
    """All of the classes, each with its article: a Company and an Organization."""
    return " and ".join(_article(n) for n in names)


def _iri(value: str, base_iri: str) -> ox.NamedNode:
    # A short name as the tool prints it (country:KR) may be pasted back.
    value = expand(value, base_iri)
    resolved = urljoin(base_iri, value)
    if not urlsplit(resolved).scheme or NOT_IN_IRIS & set(value):
        raise ValueError(value)
    return ox.NamedNode(resolved)


def _typed(datatype: str, check: Any) -> Any:
    def parse(value: str, _base: str) -> ox.Literal:
        canonical = check(value)
        return ox.Literal(str(canonical), datatype=ox.NamedNode(XSD + datatype))

    return parse


def _boolean(value: str) -> str:
    lowered = value.lower()
    if lowered in ("true", "1"):
        return "true"
    if lowered in ("false", "0"):
        return "false"
    raise ValueError(value)


def _language(value: str, _base: str) -> ox.Literal:
    if not LANGUAGE_TAG.match(value):
        raise ValueError(value)
    return ox.Literal(value.lower())


def _lang_string(value: str, _base: str) -> ox.Literal:
    text, sep, lang = value.rpartition("@")
    if not sep or not LANGUAGE_TAG.match(lang):
        raise ValueError(value)
    return ox.Literal(text, language=lang.lower())


def _gyear(value: str) -> str:
    if not re.fullmatch(r"-?\d{4,}", value):
        raise ValueError(value)
    return value


_TERM_PARSERS: dict[str, Callable[[str, str], OxTerm]] = {
    "iri": _iri,
    "string": lambda value, _base: ox.Literal(value),
    "langString": _lang_string,
    "language": _language,
    "integer": _typed("integer", int),
    "decimal": _typed("decimal", Decimal),
    "boolean": _typed("boolean", _boolean),
    "date": _typed("date", lambda v: dt.date.fromisoformat(v).isoformat()),
    "gYear": _typed("gYear", _gyear),
}


@dataclass(frozen=True)
class Binding:
    """Parameter values bound for one run, each a list of RDF terms (one for a single value).

    They are bound as initial bindings: a ``VALUES`` clause generated from the terms' own
    serialization (Oxigraph escapes every character that could end a term) and placed
    first inside the query's WHERE group, so that every pattern and FILTER of the group
    sees them. Oxigraph's ``substitutions`` do not replace them: they require the variable
    in the projection and are not seen by FILTER expressions; a ``planned`` parameter's
    value is given as one beside the clause, for the planner (:func:`substitutions`).
    """

    values: dict[str, list[OxTerm]] = field(default_factory=dict)

    def values_clause(self) -> str:
        """The ``VALUES`` clauses for the bound parameters ('' when none is bound)."""
        return " ".join(self._clause(name) for name in self.values)

    def _clause(self, name: str) -> str:
        return f"VALUES ?{name} {{ {' '.join(str(term) for term in self.values[name])} }}"

    def apply(self, query: str) -> str:
        """The query with the bound values as initial bindings of its WHERE group, and in
        each of its placeholders (see :func:`placeholders`): a bound parameter's values
        replace its placeholder; an unbound one's placeholder goes."""
        for start, end, name in reversed(placeholders(query)):
            clause = self._clause(name) if name in self.values else ""
            query = f"{query[:start]}{clause}{query[end:]}"
        clause = self.values_clause()
        if not clause:
            return query
        start = where_group_start(query)
        return f"{query[:start]} {clause}\n{query[start:]}"


def placeholders(text: str) -> list[tuple[int, int, str]]:
    """Where a query asks for a parameter's values besides its outermost group: each
    ``VALUES ?name { UNDEF }`` (its start, its end, the variable's name).

    A subquery, or a UNION, is evaluated before it is joined with the group around it,
    so the values placed first in the WHERE group reach it only after it has read (and
    aggregated) every match in the store: ``holdings-compared`` computed the smallest
    count of every holder to keep one, ``companies-by-country`` read every organization
    in both of its branches. A placeholder puts the values where the query author says
    they hold, inside the subquery or the branch. As written, the placeholder is standard
    SPARQL that binds nothing (one solution with the variable unbound), so the text runs
    unchanged anywhere.

    >>> placeholders("SELECT * { { SELECT ?x WHERE { VALUES ?x { UNDEF } ?x ?p ?o } } }")
    [(31, 50, 'x')]
    """
    toks = list(tokens(text))
    found = []
    for i in range(len(toks) - 4):
        keyword, variable, opening, undef, closing = toks[i : i + 5]
        if (
            keyword.kind == "word"
            and keyword.text.upper() == "VALUES"
            and variable.kind == "variable"
            and opening.text == "{"
            and undef.kind == "word"
            and undef.text.upper() == "UNDEF"
            and closing.text == "}"
        ):
            found.append((keyword.offset, closing.offset + 1, variable.text[1:]))
    return found


@dataclass(frozen=True)
class SavedQuery:
    """A saved query: its file's header and its SPARQL text."""

    name: str
    title: str
    description: str
    text: str
    params: tuple[Parameter, ...] = ()
    tags: tuple[str, ...] = ()
    kind: str = "select"
    projection: tuple[str, ...] = ()
    """The variables a SELECT answers with, as the engine reads the query."""
    labelled: tuple[str, ...] = ()
    """The columns that get a label column ``<column>Label`` beside them."""

    def columns(self, labels: bool = True) -> tuple[str, ...]:
        """The answer's columns, the same whatever the rows: the projection, with a label
        column after each labelled one (``labels=False``: the projection alone)."""
        if not labels:
            return self.projection
        return tuple(
            name
            for column in self.projection
            for name in ((column, f"{column}Label") if column in self.labelled else (column,))
        )

    def param(self, name: str) -> Parameter:
        for p in self.params:
            if p.name == name:
                return p
        known = [p.name for p in self.params]
        raise ParameterError(
            f"saved query {self.name!r} has no parameter {name!r}{did_you_mean(name, known)}",
            where=f"parameter {name!r}",
            hint="its parameters are: " + (", ".join(known) or "none"),
        )

    def bind(self, given: Mapping[str, str | Sequence[str] | None], base_iri: str) -> Binding:
        """Parse and bind parameter values; defaults fill what is not given."""
        for name in given:
            self.param(name)
        binding = Binding()
        for p in self.params:
            raw = given.get(p.name)
            if not isinstance(raw, str) and raw is not None:
                # An empty value (an empty field of a web form) is no value.
                raw = [value for value in raw if value != ""]
            if not raw:
                raw = p.default
            if raw is None:
                if p.required:
                    raise ParameterError(
                        f"parameter {p.name!r} of {self.name!r} is required",
                        where=f"parameter {p.name!r}",
                        hint=p.hint,
                    )
                continue
            raws = [raw] if isinstance(raw, str) else list(raw)
            if p.list:
                # A single string may list values separated by commas, except for text
                # types, whose values may hold commas: repeat the parameter for those.
                items = (
                    raws
                    if p.type in ("string", "langString") or len(raws) > 1
                    else [part for part in raws[0].split(",") if part.strip()]
                )
                binding.values[p.name] = [p.parse_one(item, base_iri) for item in items]
            else:
                if len(raws) != 1:
                    raise ParameterError(
                        f"parameter {p.name!r} takes one value, got {len(raws)}",
                        where=f"parameter {p.name!r}",
                        hint=f"give {p.expects}",
                    )
                binding.values[p.name] = [p.parse_one(raws[0], base_iri)]
        return binding

    def sparql(self, given: Mapping[str, str | Sequence[str] | None], base_iri: str) -> str:
        """The query text to run with these parameter values bound."""
        return self.bind(given, base_iri).apply(self.text)


def parse_saved_query(name: str, text: str) -> SavedQuery:
    """Read a saved query's header; a malformed header is a ConfigError naming the file."""
    where = f"queries/{name}.rq"
    header = "\n".join(
        line[3:] if line.startswith("#+ ") else line[2:]
        for line in text.splitlines()
        if line.startswith("#+")
    )
    try:
        meta = yaml.safe_load(header) or {}
    except yaml.YAMLError as error:
        raise ConfigError(
            f"the header of {name}.rq is not valid YAML: {error}",
            where=where,
            hint="fix the '#+' lines",
        ) from None
    if not _NAME.match(name) or not isinstance(meta, dict) or "title" not in meta:
        raise ConfigError(
            f"saved query {name!r} needs a lower-case name and a '#+ title:'",
            where=where,
            hint="see the README's *Saved queries* section for the header format",
        )
    params = []
    for pname, given_spec in (meta.get("params") or {}).items():
        spec = given_spec or {}
        ptype = spec.get("type", "string")
        if ptype not in PARAMETER_TYPES or not _VARIABLE.match(str(pname)):
            raise ConfigError(
                f"parameter {pname!r} of {name}.rq has unknown type {ptype!r}",
                where=where,
                hint="use one of " + ", ".join(PARAMETER_TYPES),
            )
        if pname in RESERVED_PARAMETERS:
            raise ConfigError(
                f"parameter {pname!r} of {name}.rq has a name every saved query's route "
                "takes for itself",
                where=where,
                hint="rename it (and its variable): "
                + ", ".join(RESERVED_PARAMETERS)
                + " are reserved",
            )
        default = spec.get("default")
        params.append(
            Parameter(
                name=str(pname),
                type=ptype,
                description=str(spec.get("description", "")).strip(),
                required=bool(spec.get("required", False)),
                default=None if default is None else str(default),
                example=None if spec.get("example") is None else str(spec["example"]),
                enum=tuple(str(v) for v in spec.get("enum") or ()),
                list=bool(spec.get("list", False)),
                classes=tuple(_class_iri(str(c)) for c in _as_list(spec.get("class"))),
                text_of=_text_of(name, str(pname), ptype, spec.get("text_of"), text),
                planned=bool(spec.get("planned", False)),
            )
        )
    kind = _query_kind(text)
    projection = _projection(text, where) if kind == "select" else ()
    for p in params:
        if p.planned and (p.list or p.name not in projection):
            raise ConfigError(
                f"parameter {p.name!r} of {name}.rq is planned, but it takes a list or "
                "the query does not project its variable",
                where=where,
                hint="planned is for a single-valued parameter whose variable the query "
                "projects and binds in its outermost group",
            )
    declared = {p.name for p in params}
    for _, _, variable in placeholders(text):
        if variable not in declared:
            raise ConfigError(
                f"{name}.rq has a placeholder for ?{variable}, which no parameter binds",
                where=where,
                hint="a 'VALUES ?name { UNDEF }' placeholder takes the values of the "
                "parameter of that name: declare it under '#+ params:', or write the "
                "VALUES clause out",
            )
    labelled = tuple(str(c) for c in _as_list(meta.get("labels")))
    for column in labelled:
        if column not in projection or f"{column}Label" in projection:
            raise ConfigError(
                f"{name}.rq labels {column!r}, which is not a column of its own "
                "without a label column",
                where=where,
                hint="list under '#+ labels:' the projected IRI columns to label; "
                "the query answers with " + ", ".join(projection),
            )
    return SavedQuery(
        name=name,
        title=str(meta["title"]).strip(),
        description=str(meta.get("description", "")).strip(),
        text=text,
        params=tuple(params),
        tags=tuple(str(t) for t in meta.get("tags") or ()),
        kind=kind,
        projection=projection,
        labelled=labelled,
    )


def _projection(text: str, where: str) -> tuple[str, ...]:
    """The variables a SELECT query answers with, as the engine reads it (asked of an
    empty dataset, which costs nothing)."""
    try:
        result = ox.Store().query(
            text, prefixes=prefix_table(DEFAULT_BASE_IRI), base_iri=DEFAULT_BASE_IRI
        )
    except SyntaxError as error:
        raise ConfigError(
            f"the saved query does not parse: {error}", where=where, hint="fix the query"
        ) from None
    assert isinstance(result, ox.QuerySolutions)
    return tuple(v.value for v in result.variables)


def _text_of(name: str, pname: str, ptype: str, variable: Any, text: str) -> str | None:
    """A parameter's ``text_of``: a variable of the query, for a string parameter."""
    if variable is None:
        return None
    if ptype != "string" or not _VARIABLE.match(str(variable)) or f"?{variable}" not in text:
        raise ConfigError(
            f"parameter {pname!r} of {name}.rq has text_of {variable!r}, which is not "
            "a variable of the query, or the parameter is no string",
            where=f"queries/{name}.rq",
            hint="text_of names the variable (without '?') of the resources whose "
            "schema:text holds the string parameter's value",
        )
    return str(variable)


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list | tuple) else [value]


def _class_iri(name: str) -> str:
    """A class named in a header: "*" (any), an absolute IRI, or a name in the aikg ontology."""
    if name == "*" or "://" in name:
        return name
    return ONTOLOGY_NS + name


def _query_kind(text: str) -> str:
    """The query form, read by the lexer the guard uses (a saved query is never an update)."""
    kind = operation(text)
    return kind if kind in ("select", "ask", "construct", "describe") else "select"


@cache
def catalog() -> dict[str, SavedQuery]:
    """Every bundled saved query by name (the ``.rq`` file's stem), sorted by name."""
    queries = {}
    for f in package_data.query_files():
        name = f.name[: -len(".rq")]
        queries[name] = parse_saved_query(name, f.read_text("utf-8"))
    return dict(sorted(queries.items()))


def saved_query(name: str) -> SavedQuery:
    """The saved query called ``name``."""
    try:
        return catalog()[name]
    except KeyError:
        raise NotFoundError(
            f"no saved query {name!r}{did_you_mean(name, catalog())}",
            hint="list them with `aikg queries` or GET /queries",
        ) from None


def substitutions(query: SavedQuery, binding: Binding) -> dict[str, OxTerm]:
    """The values of the ``planned`` parameters, by variable, to give the engine as
    initial bindings (see :attr:`Parameter.planned`): only a parameter bound to one value,
    since an initial binding holds one. The ``VALUES`` clause stays in the query, so
    other engines, and the query's FILTERs, read the value as before."""
    return {
        p.name: terms[0]
        for p in query.params
        if p.planned and len(terms := binding.values.get(p.name, [])) == 1
    }


def check_classes(query: SavedQuery, binding: Binding, store: Store) -> None:
    """Refuse an IRI value that is not an instance of its parameter's declared classes or
    of their subclasses (a Company is an Organization): a ParameterError naming the
    classes and giving the example. One query asks the types of every value at once; the
    class hierarchy is read only when a value's own types are not those declared."""
    checked = [
        (p, term)
        for p in query.params
        if p.class_names
        for term in binding.values.get(p.name, ())
        if isinstance(term, ox.NamedNode)
    ]
    if not checked:
        return
    types = store.stated_types(term for _, term in checked)
    hierarchy: ClassHierarchy | None = None
    for p, term in checked:
        found = types.get(term.value, set())
        if found & set(p.classes):
            continue
        hierarchy = hierarchy or ClassHierarchy.of(store)
        accepted = {sub for c in p.classes for sub in hierarchy.descendants(c)}
        if not found & accepted:
            raise p.class_error(term, found)


MAX_NARROWED = 5_000
"""The most resources a text parameter narrows its variable to: each is an IRI in the
query's text, and the text must stay well under the longest query accepted
(``Settings.max_query_length``). A text found in more is looked for by the query's FILTER
alone, on every text of the store."""


def narrow_by_text(query: SavedQuery, binding: Binding, index: NameIndex | None) -> Binding:
    """The binding with each ``text_of`` variable bound to the resources whose text
    (``schema:text``) the store's text index finds containing the parameter's value: the
    query then reads those texts instead of every text of the store. Without an index (a
    remote store), with a variable the caller bound, or with a text found in more than
    :data:`MAX_NARROWED` resources, the binding is left as it is: the query's own FILTER
    finds the same rows, by a scan."""
    if index is None:
        return binding
    values = dict(binding.values)
    for p in query.params:
        terms = binding.values.get(p.name)
        if p.text_of is None or not terms or p.text_of in values:
            continue
        found: set[str] = set()
        for term in terms:
            found |= index.find_texts(term.value)
        if len(found) <= MAX_NARROWED:
            values[p.text_of] = [ox.NamedNode(iri) for iri in sorted(found)]
    return Binding(values)


def describe(query: SavedQuery) -> dict[str, Any]:
    """A saved query as a JSON-ready dictionary (the catalog of the CLI and of the HTTP
    API): what it is, the columns it answers with, and its parameters."""
    return {
        "name": query.name,
        "title": query.title,
        "description": query.description,
        "kind": query.kind,
        "tags": list(query.tags),
        "columns": list(query.columns()),
        "parameters": describe_parameters(query),
    }


def describe_parameters(query: SavedQuery) -> list[dict[str, Any]]:
    """The parameters as JSON-ready dictionaries (catalog, OpenAPI)."""
    return [
        {
            "name": p.name,
            "type": p.type,
            "class": list(p.class_names) or None,
            "description": p.description,
            "required": p.required,
            "default": p.default,
            "example": p.example,
            "enum": list(p.enum) or None,
            "list": p.list,
            "expects": p.expects,
        }
        for p in query.params
    ]
