"""One error hierarchy for the package, the CLI and the HTTP API.

Every error says *what* went wrong, *where* (file and line, parameter, setting) and *how to
fix it*; it carries the HTTP status the server answers with and a stable machine-readable
code. The CLI prints :meth:`AikgError.describe`, the server returns :meth:`AikgError.to_dict`
as JSON.

>>> error = ParameterError("'abc' is not an xsd:integer", where="parameter 'limit'",
...                        hint="give a whole number")
>>> error.status, error.code
(400, 'invalid-parameter')
>>> print(error.describe())
'abc' is not an xsd:integer
  where: parameter 'limit'
  fix:   give a whole number
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    from aikg.validation.pyshacl_engine import ValidationReport


class AikgError(Exception):
    """Base class of every error aikg raises on purpose."""

    status: ClassVar[int] = 500
    code: ClassVar[str] = "internal-error"
    passes: ClassVar[bool] = True
    """Whether the same request may succeed later (a 503 then says when to retry): not for
    a limit the request itself goes past, which it would meet again."""

    def __init__(self, message: str, *, where: str | None = None, hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.where = where
        self.hint = hint

    def __reduce__(self) -> tuple[Any, ...]:
        # Errors cross process boundaries (query workers, the store keeper): rebuild them
        # from their attributes, whatever their constructor takes.
        return (_rebuild, (type(self), self.message, dict(self.__dict__)))

    def describe(self) -> str:
        """The message with where and how-to-fix lines, for people."""
        lines = [self.message]
        if self.where:
            lines.append(f"  where: {self.where}")
        if self.hint:
            lines.append(f"  fix:   {self.hint}")
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        """The error as JSON-ready data (the HTTP API's one error shape)."""
        data: dict[str, Any] = {"error": self.code, "status": self.status, "message": self.message}
        if self.where:
            data["where"] = self.where
        if self.hint:
            data["hint"] = self.hint
        return data


def did_you_mean(given: str, known: Iterable[str]) -> str:
    """The closest of ``known`` to a name that is not among them, as the end of a message:
    ``"; did you mean 'holdings'?"``, or ``""`` when none comes close.

    >>> "no saved query 'holding'" + did_you_mean("holding", ["holdings", "quotes"])
    "no saved query 'holding'; did you mean 'holdings'?"
    """
    close = difflib.get_close_matches(given, list(known), n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


def error_from_dict(data: dict[str, Any]) -> AikgError:
    """Rebuild an error from its JSON shape (what the HTTP API answers), by its code."""
    code = str(data.get("error", ""))
    classes: list[type[AikgError]] = [AikgError]
    found: type[AikgError] = AikgError
    while classes:
        cls = classes.pop()
        if cls.code == code:
            found = cls
            break
        classes.extend(cls.__subclasses__())
    message = str(data.get("message", code))
    state: dict[str, Any] = {
        "message": message,
        "where": data.get("where"),
        "hint": data.get("hint"),
        "details": data,
    }
    error = _rebuild(found, message, state)
    status = data.get("status")
    if isinstance(status, int) and status != found.status:
        # A code this client does not know: keep the server's status all the same.
        error.status = status  # type: ignore[misc]
    return error


def _rebuild(cls: type[AikgError], message: str, state: dict[str, Any]) -> AikgError:
    error = cls.__new__(cls)
    Exception.__init__(error, message)
    error.__dict__.update(state)
    return error


class ConfigError(AikgError):
    """aikg cannot work as configured: a saved query's definition, a sandbox that is
    required and unavailable (the service cannot do it)."""

    code = "invalid-configuration"


class SettingError(ConfigError):
    """A setting's value cannot be used (an option, an ``AIKG_`` variable): unusable
    input, which the user can fix."""

    status = 400
    code = "invalid-setting"


class MissingDependencyError(AikgError):
    """An optional package that this call needs is not installed."""

    code = "missing-dependency"


class InputError(AikgError):
    """The request or input is wrong; the caller must change it."""

    status = 400
    code = "bad-request"


class RdfSyntaxError(InputError):
    """RDF that does not parse, with the file, line and column."""

    code = "rdf-syntax-error"

    def __init__(
        self,
        message: str,
        *,
        source: str,
        line: int | None = None,
        column: int | None = None,
        hint: str | None = None,
    ):
        position = f"{source}, line {line}, column {column}" if line else source
        super().__init__(message, where=position, hint=hint or "correct the syntax and retry")
        self.source = source
        self.line = line
        self.column = column

    def to_dict(self) -> dict[str, Any]:
        data = super().to_dict()
        data.update({"source": self.source, "line": self.line, "column": self.column})
        return data


class QuerySyntaxError(InputError):
    """A SPARQL query or update that does not parse."""

    code = "sparql-syntax-error"


class QueryRefusedError(InputError):
    """A query the service will not run: too long, too deep, SERVICE or LOAD."""

    code = "query-refused"


class UnknownGraphError(InputError):
    """A query's dataset (FROM, FROM NAMED, default-graph-uri...) names a graph the store
    does not hold."""

    code = "unknown-graph"


class ParameterError(InputError):
    """A saved-query parameter of the wrong type or value."""

    code = "invalid-parameter"


class UnsupportedFormatError(InputError):
    """An RDF or result format aikg cannot read or write."""

    code = "unsupported-format"


class NotAcceptableError(AikgError):
    """Content negotiation found no representation the client accepts."""

    status = 406
    code = "not-acceptable"


class UnsupportedMediaTypeError(AikgError):
    """A request body in a media type the route does not take."""

    status = 415
    code = "unsupported-media-type"


class PayloadTooLargeError(AikgError):
    """A request body over the configured limit."""

    status = 413
    code = "payload-too-large"


class NotFoundError(AikgError):
    """No such resource, graph, saved query or file."""

    status = 404
    code = "not-found"


class PreconditionFailedError(AikgError):
    """A write whose ``If-Match`` or ``If-None-Match`` condition does not hold; nothing was
    changed (RFC 9110, 13.1)."""

    status = 412
    code = "precondition-failed"


class UnauthorizedError(AikgError):
    """A write without the right bearer token."""

    status = 401
    code = "unauthorized"


class WritesDisabledError(AikgError):
    """A write to a read-only service (no token configured)."""

    status = 403
    code = "writes-disabled"


class QueryTimeoutError(AikgError):
    """A query stopped at its deadline."""

    status = 503
    code = "query-timeout"


class QueryMemoryError(AikgError):
    """A query stopped because it took more memory than a query may."""

    status = 503
    code = "query-memory"
    passes = False


class AnswerTooLargeError(AikgError):
    """An answer larger than the server sends (``AIKG_MAX_ANSWER_BYTES``)."""

    status = 503
    code = "answer-too-large"
    passes = False


class EngineCrashError(AikgError):
    """The query engine died on a query; the service itself keeps running."""

    status = 500
    code = "engine-crash"


class ServiceBusyError(AikgError):
    """Every worker stayed busy for longer than the queue timeout."""

    status = 503
    code = "service-busy"


class ServerUnreachableError(AikgError):
    """``aikg.Client`` cannot reach the server: nothing listens, the name does not resolve,
    the connection broke or timed out."""

    status = 503
    code = "server-unreachable"


class ShuttingDownError(AikgError):
    """The server stopped (a restart, a deploy) while the request was in flight."""

    status = 503
    code = "shutting-down"


class TooManyRequestsError(AikgError):
    """One client has used its share of the server (concurrent requests or query time)."""

    status = 429
    code = "too-many-requests"

    def __init__(
        self, message: str, *, retry_after: int, where: str | None = None, hint: str | None = None
    ):
        super().__init__(message, where=where, hint=hint)
        self.retry_after = retry_after


class StoreError(AikgError):
    """The store cannot be opened or written (missing, read-only or full directory)."""

    status = 503
    code = "store-unavailable"


class ServerLimitError(StoreError):
    """A remote store refused a request for a limit only its own configuration can lift;
    ``where`` names the setting (for Virtuoso, in its ``virtuoso.ini``)."""

    status = 503
    code = "server-limit"


class DataChangedError(AikgError):
    """The data changed between two pages of one answer: read together, they might hold
    a row twice or miss one."""

    status = 409
    code = "data-changed"


class UnsupportedShapeError(AikgError):
    """The shapes use a construct the fast validator does not compile."""

    code = "unsupported-shape"


class ValidationError(AikgError):
    """Data that does not conform to the SHACL shapes; nothing was loaded or written."""

    status = 422
    code = "shacl-violation"

    def __init__(self, report: ValidationReport, *, action: str = "loading"):
        count = len(report.violations)
        first = report.violations[0] if report.violations else None
        where = first.location() if first else None
        super().__init__(
            f"{action} was refused: the data would not conform to the shapes "
            f"({count} violation{'s' if count != 1 else ''}); nothing was changed",
            where=where,
            hint="fix each violation listed in the report (focus node, path, message) and retry",
        )
        self.report = report

    def describe(self) -> str:
        return super().describe() + "\n" + self.report.to_text()

    def to_dict(self) -> dict[str, Any]:
        data = super().to_dict()
        data["report"] = self.report.to_dict()
        return data
