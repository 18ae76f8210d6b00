"""HTTP plumbing shared by the routers: bodies, forms, media types, auth, errors, headers.

Request parameters are parsed here strictly (UTF-8 or 400, a parameter given twice where
once is allowed is a 400), because the SPARQL protocol says so and because a lenient
parser is how requests get smuggled past checks.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from email.utils import formatdate
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from fastapi import Request
from fastapi.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Match

from aikg.config import Settings
from aikg.errors import (
    AikgError,
    InputError,
    PayloadTooLargeError,
    PreconditionFailedError,
    TooManyRequestsError,
    UnauthorizedError,
    UnsupportedMediaTypeError,
    WritesDisabledError,
)
from aikg.formats import answer_format, formats_for, negotiate
from aikg.jsonld import PROFILES, Form
from aikg.sparql.paging import page_number
from aikg.sparql.results import Serialized
from aikg.workers.dumps import DumpFile
from aikg.workers.gateway import Answer, Service

Params = dict[str, list[str]]

TEXT_TYPES = ("text/", "application/n-triples", "application/n-quads", "application/trig")
EXPOSED_HEADERS = (
    "ETag, AIKG-Rows, AIKG-Truncated, AIKG-Page, AIKG-Next-Page, Link, AIKG-Elapsed-Ms, "
    "AIKG-Data-Version, Server-Timing, Location"
)


ANSWER_HEADERS: dict[str, Any] = {
    "Link": {
        "description": 'The answer\'s permalink: `<.../cite?...>; rel="cite-as"` (RFC 8574)',
        "schema": {"type": "string"},
    },
    "AIKG-Data-Version": {
        "description": "The fingerprint of the data the answer comes from",
        "schema": {"type": "string"},
    },
    "AIKG-Rows": {"description": "Rows or triples in the answer", "schema": {"type": "integer"}},
    "AIKG-Truncated": {
        "description": "true when the row limit cut the answer",
        "schema": {"type": "boolean"},
    },
    "AIKG-Next-Page": {
        "description": "The page that follows this one, when one does (a SELECT answer)",
        "schema": {"type": "integer"},
    },
}
"""The headers of every query answer, for the OpenAPI document."""


def gateway(request: Request) -> Service:
    """The gateway to the workers that this application serves (usable as a FastAPI
    dependency: ``Depends(gateway)``)."""
    service: Service = request.app.state.service
    return service


def parse_params(raw: bytes | str, where: str) -> Params:
    """Parse URL-encoded parameters; text that is not UTF-8 is a 400."""
    text = raw.decode("latin-1") if isinstance(raw, bytes) else raw
    try:
        return parse_qs(
            text, keep_blank_values=True, strict_parsing=False, encoding="utf-8", errors="strict"
        )
    except UnicodeDecodeError:
        raise InputError(
            f"the {where} is not valid UTF-8 once percent-decoded",
            where=where,
            hint="percent-encode UTF-8 bytes",
        ) from None


def query_params(request: Request) -> Params:
    return parse_params(request.scope.get("query_string", b""), "URL query string")


def query_parameter(
    name: str, description: str, schema: dict[str, Any], **more: Any
) -> dict[str, Any]:
    """An optional URL query parameter, as OpenAPI describes one (for a route that reads
    its parameters itself, to say what each is wrong about)."""
    return {
        "name": name,
        "in": "query",
        "required": False,
        "schema": schema,
        "description": description,
        **more,
    }


def single(params: Params, name: str) -> str | None:
    """A parameter that may appear at most once."""
    values = params.get(name, [])
    if len(values) > 1:
        raise InputError(
            f"parameter {name!r} is given {len(values)} times",
            where=f"parameter {name!r}",
            hint="give it once",
        )
    return values[0] if values else None


def media_type(request: Request) -> tuple[str, dict[str, str]]:
    """The request's Content-Type as (type, parameters), lower-cased."""
    header = request.headers.get("content-type", "")
    kind, *rest = [part.strip() for part in header.split(";")]
    params = {}
    for part in rest:
        key, _, value = part.partition("=")
        params[key.strip().lower()] = value.strip().strip('"').lower()
    return kind.lower(), params


def require_utf8(params: Mapping[str, str]) -> None:
    charset = params.get("charset")
    if charset and charset.replace("-", "") != "utf8":
        raise UnsupportedMediaTypeError(
            f"charset {charset} is not accepted",
            hint="send the body in UTF-8 (the SPARQL protocol requires it)",
        )


def decode_text(body: bytes, where: str) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as error:
        raise InputError(
            f"the {where} is not valid UTF-8 (byte {error.start})", where=where, hint="send UTF-8"
        ) from None


async def read_body(request: Request, settings: Settings) -> bytes:
    """The request body, refused with 413 beyond ``max_body_bytes`` (read no further),
    and with 415 if it is encoded (``Content-Encoding: gzip``): it would be read as text
    and refused as a syntax error, or, under a name it does not bear, taken as it is."""
    encoding = request.headers.get("content-encoding", "identity").strip().lower()
    if encoding not in ("", "identity"):
        raise UnsupportedMediaTypeError(
            f"the body is sent with Content-Encoding: {encoding}, which is not taken",
            where="Content-Encoding",
            hint="send the body as it is, without Content-Encoding",
        )
    limit = settings.max_body_bytes
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise PayloadTooLargeError(
            f"the body is {int(declared):,} bytes; the limit is {limit:,}",
            hint="send less, or raise AIKG_MAX_BODY_BYTES",
        )
    chunks = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise PayloadTooLargeError(
                f"the body is over the limit of {limit:,} bytes",
                hint="send less, or raise AIKG_MAX_BODY_BYTES",
            )
        chunks.append(chunk)
    return b"".join(chunks)


def require_writer(request: Request, settings: Settings) -> None:
    """Writes need the configured bearer token, and never come from another origin."""
    if not settings.token:
        raise WritesDisabledError(
            "this service is read-only",
            hint="start it with AIKG_TOKEN set to enable writes with "
            "'Authorization: Bearer <token>'",
        )
    origin = request.headers.get("origin")
    if origin and origin != own_origin(request):
        raise WritesDisabledError(
            f"writes from another origin ({origin}) are refused",
            hint="send writes from a server-side client, not a web page",
        )
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(
        token.strip().encode(), settings.token.encode()
    ):
        raise UnauthorizedError(
            "a write needs 'Authorization: Bearer <token>'",
            hint="send the token the service was started with",
        )


def own_origin(request: Request) -> str:
    parts = urlsplit(str(request.base_url))
    return f"{parts.scheme}://{parts.netloc}"


def choose(
    request: Request, offers: Sequence[str], fmt: str | None, by_name: Mapping[str, str]
) -> str:
    """The media type to answer with: the ``format`` parameter, else the Accept header."""
    if fmt:
        key = fmt.strip().lower()
        if key in offers:
            return key
        if key in by_name:
            return by_name[key]
        raise InputError(
            f"format {fmt!r} is not available here",
            where="parameter 'format'",
            hint="use one of " + ", ".join(sorted(by_name)),
        )
    return negotiate(request.headers.get("accept"), list(offers))


def answer_media(request: Request, kind: str, fmt: str | None) -> str:
    """The media type to answer a query of this form with: the ``format`` parameter read
    for the form (one that does not fit it is refused with the message the CLI and the
    Python API give), else the Accept header among the formats that fit."""
    if fmt:
        return answer_format(fmt, kind, where="parameter 'format'").media_type
    return negotiate(request.headers.get("accept"), [f.media_type for f in formats_for(kind)])


def jsonld_form(request: Request) -> Form:
    """The JSON-LD form the ``Accept`` header asks for with its ``profile`` parameter
    (``http://www.w3.org/ns/json-ld#expanded``, ``#flattened``, ``#compacted``, or
    several, space-separated): compacted unless another form is named."""
    for part in request.headers.get("accept", "").split(","):
        kind, *params = [p.strip() for p in part.split(";")]
        if kind.lower() not in ("application/ld+json", "application/*", "*/*"):
            continue
        for param in params:
            key, _, value = param.partition("=")
            if key.strip().lower() == "profile":
                for profile in value.strip().strip('"').split():
                    if profile in PROFILES:
                        return PROFILES[profile]
    return "compacted"


def content_type(media: str) -> str:
    return f"{media}; charset=utf-8" if media.startswith(TEXT_TYPES) else media


def not_modified(request: Request, etag: str, *, exists: bool = True) -> Response | None:
    """A 304 when the client already holds this ETag, or holds any (``*``) of a resource
    that ``exists`` (a graph not yet read may be missing: a 404, not a 304)."""
    held = request.headers.get("if-none-match", "")
    tags = {t.strip() for t in held.split(",")}
    if (
        etag in tags
        or ("*" in tags and exists)
        or etag.removeprefix("W/") in {t.removeprefix("W/") for t in tags}
    ):
        return Response(status_code=304, headers={"ETag": etag, "Vary": "Accept"})
    return None


HTTP_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


def allowed_methods(request: Request) -> list[str]:
    """The methods some route at the request's path takes, for a 405's ``Allow`` (each
    method tried on the router: included routers keep their routes to themselves)."""
    routes = request.app.router.routes
    return [
        method
        for method in HTTP_METHODS
        if any(
            route.matches({**request.scope, "method": method})[0] == Match.FULL for route in routes
        )
    ]


def _entity_tags(header: str | None) -> set[str] | None:
    """The entity tags of an ``If-Match`` or ``If-None-Match`` header (None: absent, or
    empty, which names no condition)."""
    tags = {tag.strip() for tag in (header or "").split(",") if tag.strip()}
    return tags or None


def _opaque(tags: Iterable[str]) -> set[str]:
    return {tag.removeprefix("W/") for tag in tags}


def write_condition(request: Request, current: Callable[[], Iterable[str]]) -> bool | None:
    """Whether a write to one resource requires it to exist (True: ``If-Match: *``) or not
    to (False: ``If-None-Match: *``) by its preconditions, or neither (None), evaluated as
    RFC 9110 (13.2.2) orders them; a condition that cannot hold is a 412 here.

    ``current`` gives the resource's ETags now, one per representation (asked for only if
    ``If-None-Match`` names tags). aikg's ETags are weak (the same data may be written out
    in another order), and ``If-Match`` compares tags strongly: one that names tags never
    holds, and is refused rather than ignored (a client sending it means "only if no one
    changed it", which aikg cannot promise)."""
    match = _entity_tags(request.headers.get("if-match"))
    none_match = _entity_tags(request.headers.get("if-none-match"))
    required: bool | None = None
    if match is not None:
        if "*" not in match:
            raise PreconditionFailedError(
                "If-Match names entity tags, and aikg's are weak, which If-Match never "
                "matches (RFC 9110, 13.1.1); nothing was changed",
                where="header If-Match",
                hint="send If-Match: * to write only to a graph that exists, or "
                "If-None-Match: * to write only one that does not",
            )
        required = True
    if none_match is not None:
        if "*" in none_match:
            if required:
                raise PreconditionFailedError(
                    "If-Match: * and If-None-Match: * cannot both hold; nothing was changed",
                    where="headers If-Match, If-None-Match",
                    hint="send one of them",
                )
            required = False
        elif _opaque(none_match) & _opaque(current()):  # weak comparison
            raise PreconditionFailedError(
                "If-None-Match names the graph's current entity tag: it has not changed "
                "since it was read; nothing was changed",
                where="header If-None-Match",
            )
    return required


def requested_page(params: Params) -> int:
    """The ``page`` parameter (from 1; 1 when absent), or a 400 that names it."""
    return page_number(single(params, "page"))


def page_url(request: Request, params: Params, page: int) -> str:
    """Where another page of this answer is: the request's path with the same parameters
    and ``page`` set (a query sent in a POST body among them: the page is a GET)."""
    pairs = [(k, v) for k, values in params.items() if k != "page" for v in values]
    return f"{request.url.path}?{urlencode([*pairs, ('page', str(page))])}"


LINK_URL_LIMIT = 8_000
"""The longest page URL a ``Link`` header carries. A query sent in a POST body is in the
URL of its other pages: past this, a header would outgrow what proxies and clients take
(httpx refuses 100 KB of headers; nginx's default request line is 8 KB), and a GET of it
would be refused anyway. ``AIKG-Next-Page`` still says which page follows: POST it."""


def page_links(request: Request, params: Params, result: Serialized) -> dict[str, str]:
    """The paging headers of a SELECT answer: ``AIKG-Page`` (which page it is),
    ``AIKG-Next-Page`` (the next, absent on the last page) and an RFC 8288 ``Link`` to the
    next page (``rel="next"``) and to the previous one (``rel="prev"``), each where its URL
    is no longer than :data:`LINK_URL_LIMIT`; nothing for an ASK or graph answer, which
    has no pages."""
    if result.kind != "select":
        return {}
    headers = {"AIKG-Page": str(result.page)}
    pages = []
    if result.next_page is not None:
        headers["AIKG-Next-Page"] = str(result.next_page)
        pages.append((result.next_page, "next"))
    if result.page > 1:
        pages.append((result.page - 1, "prev"))
    urls = [(page_url(request, params, page), rel) for page, rel in pages]
    if links := [f'<{url}>; rel="{rel}"' for url, rel in urls if len(url) <= LINK_URL_LIMIT]:
        headers["Link"] = ", ".join(links)
    return headers


def with_cite_as(links: Mapping[str, str], permalink: str) -> dict[str, str]:
    """The paging headers with the answer's permalink added to their ``Link``
    (``rel="cite-as"``, RFC 8574), unless it is longer than :data:`LINK_URL_LIMIT` (it
    holds the query's text, as the links to the other pages do)."""
    if len(permalink) > LINK_URL_LIMIT:
        return dict(links)
    cite = f'<{permalink}>; rel="cite-as"'
    return {**links, "Link": ", ".join(filter(None, [links.get("Link"), cite]))}


def body_response(
    body: bytes, media_type: str, headers: Mapping[str, str], *, head: bool = False
) -> Response:
    """A response with ``body``; to a HEAD request, the same headers without the body,
    its ``Content-Length`` included (RFC 9110: a HEAD is answered as the GET would be)."""
    if not head:
        return Response(body, media_type=media_type, headers=dict(headers))
    return Response(
        b"", media_type=media_type, headers={**headers, "Content-Length": str(len(body))}
    )


def answer_response(
    answer: Answer, etag: str, links: Mapping[str, str], *, head: bool = False
) -> Response:
    """The response for a query answer, with its completeness headers and ``links`` (the
    paging headers and the permalink: :func:`page_links`, :func:`with_cite_as`)."""
    result = answer.result
    headers = {
        "ETag": etag,
        "Vary": "Accept",
        "Cache-Control": "no-cache",
        "AIKG-Rows": str(result.rows),
        "AIKG-Truncated": "true" if result.truncated else "false",
        **links,
        "AIKG-Elapsed-Ms": f"{answer.elapsed_ms:.2f}",
        "AIKG-Data-Version": answer.version,
        "Server-Timing": f"query;dur={answer.elapsed_ms:.2f}",
    }
    return body_response(result.body, content_type(result.media_type), headers, head=head)


def error_response(error: AikgError) -> JSONResponse:
    """The one error shape: {"error", "status", "message", "where", "hint", ...}."""
    headers: dict[str, Any] = {}
    if error.status == 401:
        headers["WWW-Authenticate"] = 'Bearer realm="aikg"'
    if error.status == 503 and error.passes:
        headers["Retry-After"] = "1"
    if isinstance(error, TooManyRequestsError):
        headers["Retry-After"] = str(error.retry_after)
    return JSONResponse(error.to_dict(), status_code=error.status, headers=headers)


def accepts_gzip(request: Request) -> bool:
    """Whether ``Accept-Encoding`` takes gzip (named with q > 0, or ``*``)."""
    for part in request.headers.get("accept-encoding", "").split(","):
        coding, *params = [p.strip() for p in part.split(";")]
        q = 1.0
        for param in params:
            key, _, value = param.partition("=")
            if key.strip() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        if coding.lower() in ("gzip", "x-gzip", "*") and q > 0:
            return True
    return False


def _byte_range(header: str, size: int) -> tuple[int, int] | None:
    """The one range of a ``Range: bytes=...`` header as (first, last), inclusive; None
    for a header this server answers with the whole file (several ranges, another unit,
    or nonsense: RFC 9110 lets a server ignore Range). Raises for a range past the end."""
    unit, _, spec = header.partition("=")
    if unit.strip().lower() != "bytes" or "," in spec:
        return None
    first_text, dash, last_text = spec.strip().partition("-")
    if not dash or not (first_text.isdigit() or last_text.isdigit()):
        return None
    if not first_text:  # the last N bytes
        length = int(last_text)
        if length == 0:
            raise RangeNotSatisfiable
        return max(size - length, 0), size - 1
    first = int(first_text)
    last = int(last_text) if last_text.isdigit() else size - 1
    if first >= size:
        raise RangeNotSatisfiable
    if last < first:
        return None
    return first, min(last, size - 1)


class RangeNotSatisfiable(Exception):
    """A byte range that starts past the end of the file."""


def _read(path: Any, first: int, last: int) -> Iterator[bytes]:
    with open(path, "rb") as handle:
        handle.seek(first)
        left = last - first + 1
        while left > 0:
            chunk = handle.read(min(1 << 20, left))
            if not chunk:
                return
            left -= len(chunk)
            yield chunk


def file_response(
    request: Request,
    dump: DumpFile,
    media: str,
    headers: dict[str, str],
    *,
    encoding: str | None = None,
) -> Response:
    """A file as a downloader expects it: ``HEAD``, a strong ``ETag``, ``Last-Modified``,
    ``Accept-Ranges``, one ``Range`` (206, or 416 past the end), ``If-Range`` (a range
    only while the file is the one the client began), ``If-None-Match`` (304). Read
    from disk a megabyte at a time, never whole in memory."""
    headers = {
        **headers,
        "ETag": dump.etag,
        "Last-Modified": formatdate(dump.modified, usegmt=True),
        "Accept-Ranges": "bytes",
    }
    if encoding:
        headers["Content-Encoding"] = encoding
    held = {t.strip() for t in request.headers.get("if-none-match", "").split(",")}
    if dump.etag in held or "*" in held:
        return Response(status_code=304, headers=headers)
    first, last = 0, dump.size - 1
    status = 200
    wanted = request.headers.get("range")
    if_range = request.headers.get("if-range")
    still_same = if_range is None or if_range.strip() in (dump.etag, headers["Last-Modified"])
    if wanted and still_same and dump.size > 0:
        try:
            chosen = _byte_range(wanted, dump.size)
        except RangeNotSatisfiable:
            return Response(
                status_code=416, headers={**headers, "Content-Range": f"bytes */{dump.size}"}
            )
        if chosen is not None:
            first, last = chosen
            status = 206
            headers["Content-Range"] = f"bytes {first}-{last}/{dump.size}"
    headers["Content-Length"] = str(max(last - first + 1, 0))
    if request.method == "HEAD":
        return Response(status_code=status, headers=headers, media_type=media)
    return StreamingResponse(
        _read(dump.path, first, last), status_code=status, headers=headers, media_type=media
    )
