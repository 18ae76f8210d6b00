"""The FastAPI application: ``create_app(settings)``.

The app only parses requests, calls :class:`~aikg.workers.gateway.Service` and renders answers;
it never runs a query itself (queries run in killable worker processes) and never blocks
its event loop (blocking calls go to the thread pool).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib.resources import files
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from aikg import __version__
from aikg.config import Settings
from aikg.errors import AikgError, ShuttingDownError
from aikg.web import citations, graph_store, pages, protocol, queries
from aikg.web.fair_share import FairShare, client_key
from aikg.web.http import EXPOSED_HEADERS, allowed_methods, error_response
from aikg.workers.gateway import Service

READ_METHODS = {"GET", "HEAD", "POST", "OPTIONS"}
log = logging.getLogger("aikg.requests")


class Guard:
    """Pure ASGI middleware: CORS for reads and security headers on every response, and
    a JSON 503 for a request the server stops as it shuts down.

    Reads may come from any origin, without credentials; a preflight is granted only for
    GET, HEAD and POST with the Accept and Content-Type headers, so a browser on another
    site can never send the Authorization header a write needs (and the write handlers
    refuse a foreign Origin outright).
    """

    def __init__(self, app: ASGIApp, settings: Settings):
        self.app = app
        self.settings = settings

    def _allowed_origin(self, origin: str | None) -> str | None:
        if not origin:
            return None
        if "*" in self.settings.cors_origins:
            return "*"
        return origin if origin in self.settings.cors_origins else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        origin = self._allowed_origin(headers.get("origin"))
        if scope["method"] == "OPTIONS" and "access-control-request-method" in headers:
            response = self._preflight(origin, headers)
            await response(scope, receive, send)
            return

        started = False

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                extra = [
                    (b"x-content-type-options", b"nosniff"),
                    (b"referrer-policy", b"no-referrer"),
                ]
                if origin:
                    extra += [
                        (b"access-control-allow-origin", origin.encode("latin-1")),
                        (b"access-control-expose-headers", EXPOSED_HEADERS.encode()),
                    ]
                    if origin != "*":
                        extra.append((b"vary", b"Origin"))
                message["headers"] = list(message.get("headers", [])) + extra
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        except asyncio.CancelledError:
            # uvicorn cancels the requests still running a moment after SIGTERM, and
            # answers each with a plain-text 500: a client (a load balancer) then cannot
            # tell a restart from a failure. It gets the JSON 503 it may retry instead.
            if started:
                raise
            stopped = ShuttingDownError(
                "the server is shutting down and stopped this request before its answer",
                hint="send it again once the server is back (GET /health); a query can be "
                "sent as it is, but check whether a write took effect before sending it again",
            )
            await error_response(stopped)(scope, receive, send_with_headers)

    def _preflight(self, origin: str | None, headers: dict[str, str]) -> Response:
        method = headers.get("access-control-request-method", "").upper()
        asked = {
            h.strip().lower()
            for h in headers.get("access-control-request-headers", "").split(",")
            if h.strip()
        }
        if (
            not origin
            or method not in {"GET", "HEAD", "POST"}
            or not asked <= {"accept", "content-type"}
        ):
            return Response(status_code=403, content=b"", headers={"Vary": "Origin"})
        return Response(
            status_code=204,
            headers={
                "Access-Control-Allow-Origin": origin,
                "Access-Control-Allow-Methods": "GET, HEAD, POST",
                "Access-Control-Allow-Headers": "Accept, Content-Type",
                "Access-Control-Max-Age": "600",
                "Vary": "Origin",
            },
        )


ERROR_SCHEMA = {
    "type": "object",
    "required": ["error", "status", "message"],
    "properties": {
        "error": {"type": "string", "description": "A stable code, e.g. sparql-syntax-error"},
        "status": {"type": "integer"},
        "message": {"type": "string", "description": "What went wrong"},
        "where": {"type": "string", "description": "Where: parameter, line and column"},
        "hint": {"type": "string", "description": "How to fix it"},
        "report": {"type": "object", "description": "For a refused write: the SHACL report"},
    },
}


ERRORS = {
    400: "The request is wrong (a syntax error, a refused query, a bad parameter): the "
    "message says what, where it is and how to fix it",
    404: "No such resource, graph, saved query or route",
    406: "None of the media types the request accepts can be served",
    413: "The body is larger than AIKG_MAX_BODY_BYTES",
    415: "The body's media type is not one taken here",
    429: "This client has used its share of the server: more requests at once than "
    "AIKG_CLIENT_CONCURRENCY for longer than the queue timeout, or more query time in the "
    "last minute than AIKG_CLIENT_QUERY_SECONDS (Retry-After says when to retry)",
    500: "The server failed on this request (an engine crash, a bug); it keeps running",
    503: "The query ran out of time (AIKG_QUERY_TIMEOUT) or took more memory than a query "
    "may (AIKG_QUERY_MEMORY), its answer is larger than the server sends "
    "(AIKG_MAX_ANSWER_BYTES), every worker stayed busy, or the store is unavailable; "
    "Retry-After only where a retry may succeed",
}
WRITE_ERRORS = {
    401: "A write without the right bearer token",
    403: "Writes are disabled (the server has no AIKG_TOKEN)",
    422: "The write would break the SHACL shapes; nothing was changed (the report lists "
    "each violation)",
}


def _openapi(app: FastAPI) -> dict[str, Any]:
    """The OpenAPI document, with the one error shape every route answers with.

    Every operation documents the errors any request may get (the guard refuses large
    bodies and unacceptable media types before a route runs), writes the two of
    authorization; FastAPI's 422 is replaced by the 400 the handler actually sends.
    """
    if app.openapi_schema is None:
        schema = get_openapi(
            title=app.title, version=app.version, routes=app.routes, description=app.description
        )
        schema.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
        error = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
        for path, operations in schema.get("paths", {}).items():
            for method, operation in operations.items():
                responses = operation.setdefault("responses", {})
                responses.pop("422", None)
                codes = dict(ERRORS)
                if method in ("put", "post", "delete") and not path.startswith("/queries"):
                    codes |= WRITE_ERRORS
                for code, description in codes.items():
                    entry = responses.setdefault(str(code), {"description": description})
                    entry.setdefault("content", error)
        schema["components"]["schemas"].pop("HTTPValidationError", None)
        schema["components"]["schemas"].pop("ValidationError", None)
        app.openapi_schema = schema
    return app.openapi_schema


def create_app(settings: Settings | None = None, service: Service | None = None) -> FastAPI:
    """The web application over a new :class:`Service` (or the one given).

    The service (its store process and query workers) starts here, in the calling thread,
    so that the store process is forked before the server starts its threads.
    """
    settings = settings or Settings.from_env()
    service = service or Service(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        service.close()

    app = FastAPI(
        title="aikg",
        version=__version__,
        description="A knowledge graph of the global AI race: every fact a sourced, quoted "
        "claim. SPARQL 1.1 Protocol, Graph Store Protocol, saved queries, linked data.",
        lifespan=lifespan,
    )
    app.state.service = service
    app.state.settings = settings

    @app.exception_handler(AikgError)
    async def aikg_error(request: Request, error: AikgError) -> JSONResponse:
        who = f"{request.method} {request.url.path} from {client_key(request.scope)}"
        if error.status >= 500:
            log.warning("failed %s: %d %s: %s", who, error.status, error.code, error.message)
        else:
            log.info("refused %s: %d %s: %s", who, error.status, error.code, error.message)
        return error_response(error)

    @app.exception_handler(Exception)
    async def unexpected_error(request: Request, error: Exception) -> JSONResponse:
        # Whatever went wrong, the client gets the one error shape (Starlette still logs
        # the traceback through uvicorn's error log).
        return error_response(
            AikgError(
                "the server failed on this request; the service is still running",
                hint="retry; if it happens again, report it with the time of the request",
            )
        )

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> JSONResponse:
        codes = {404: "not-found", 405: "method-not-allowed"}
        data: dict[str, Any] = {
            "error": codes.get(error.status_code, "http-error"),
            "status": error.status_code,
            "message": str(error.detail),
        }
        headers = dict(error.headers or {})
        if error.status_code == 404:
            data["hint"] = "see /docs for the routes"
        if error.status_code == 405:
            # Starlette names the methods of the first route at the path; RFC 9110 (15.5.6)
            # wants all the resource takes (/store has a route for each method).
            headers["Allow"] = ", ".join(allowed_methods(request))
            data["hint"] = f"{request.url.path} takes {headers['Allow']}"
        return JSONResponse(data, status_code=error.status_code, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, error: RequestValidationError) -> JSONResponse:
        first = error.errors()[0] if error.errors() else {}
        where = ".".join(str(p) for p in first.get("loc", ()))
        return JSONResponse(
            {
                "error": "bad-request",
                "status": 400,
                "message": first.get("msg", "invalid request"),
                "where": where,
            },
            status_code=400,
        )

    @app.get("/health", tags=["Service"], summary="Liveness, data version and sandbox state")
    async def health() -> dict[str, Any]:
        pool = service.pool.status()
        return {
            # degraded: fewer live workers than the setting, or no store process; the
            # pool replaces them by itself within a second or so.
            "status": "ok" if pool.healthy else "degraded",
            "version": __version__,
            "data_version": service.version,
            "workers": pool.live,
            "workers_busy": pool.busy,
            "workers_configured": pool.size,
            "workers_replaced": pool.replaced_workers,
            "store_restarts": pool.restarts,
            "query_timeout_s": settings.query_timeout,
            "query_memory_mb": service.pool.memory_budget // 2**20,
            "network_isolation": service.pool.network,
            "writable": settings.writable,
        }

    app.include_router(protocol.router)
    app.include_router(graph_store.router)
    app.include_router(queries.router)
    app.include_router(citations.router)
    # follow_symlink: an editable install links the package's own files; nothing else
    # is ever in this directory.
    static = StaticFiles(directory=str(files("aikg.web") / "static"), follow_symlink=True)
    app.mount("/static", static, name="static")
    app.include_router(pages.router)  # last: its catch-all dereferences data IRIs
    app.openapi = lambda: _openapi(app)  # type: ignore[method-assign]
    app.add_middleware(
        FairShare,
        concurrency=settings.client_concurrency,
        query_seconds=settings.client_query_seconds,
        queue_timeout=settings.queue_timeout,
        refuse=error_response,
    )
    app.add_middleware(Guard, settings=settings)  # outermost: its headers go on every answer
    return app
