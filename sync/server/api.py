"""The HTTP API at /api/v1: routers, and the one place where errors become HTTP statuses."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy import Engine
from starlette.exceptions import HTTPException as StarletteHTTPException

from sync import errors
from sync.server.db import session_factory
from sync.server.routes import auth, blobs, devices, health, incidents, reports, sync, uploads
from sync.server.settings import ServerSettings

log = logging.getLogger("ims.api")

# The HTTP status of each error class; subclasses inherit the nearest entry.
STATUS: dict[type[errors.ImsError], int] = {
    errors.InvalidRequest: 400,
    errors.NotAuthenticated: 401,
    errors.BadCredentials: 401,
    errors.Forbidden: 403,
    errors.NotFound: 404,
    errors.Conflict: 409,
    errors.Unavailable: 503,
    errors.DigestMismatch: 422,
    errors.ChecksumMismatch: 460,
    errors.UploadTooLarge: 413,
    errors.UnsupportedMediaType: 415,
    errors.TusVersionUnsupported: 412,
}

HTTP_CODES = {404: "not_found", 405: "method_not_allowed", 413: "too_large", 415: "unsupported_media_type"}


def status_for(exc: errors.ImsError) -> int:
    """Find the HTTP status for an error by walking its class hierarchy."""
    for cls in type(exc).__mro__:
        if cls in STATUS:
            return STATUS[cls]
    return 400


def create_api(settings: ServerSettings, engine: Engine) -> FastAPI:
    """Build the API sub-app for one store."""
    api = FastAPI(
        title="Field IMS API",
        version="1",
        description="Offline-first incident management: sync, evidence, workflows and regulatory exports.",
    )
    api.state.settings = settings
    api.state.engine = engine
    api.state.sessions = session_factory(engine)
    routers = (health, auth, devices, sync, uploads, blobs, incidents, reports)
    for router in (module.router for module in routers):
        api.include_router(router)
    _install_error_handlers(api)
    return api


def _install_error_handlers(api: FastAPI) -> None:
    """Answer every failure with JSON carrying a stable code; never a bare 500 page."""

    @api.exception_handler(errors.ImsError)
    async def _ims_error(_request: Request, exc: errors.ImsError) -> JSONResponse:
        status = status_for(exc)
        headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
        return JSONResponse(exc.to_dict(), status_code=status, headers=headers)

    @api.exception_handler(RequestValidationError)
    async def _invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = exc.errors()
        if any(p.get("type") == "json_invalid" for p in problems):
            body = {"code": "malformed_json", "message": "the request body is not valid JSON"}
            return JSONResponse(body, status_code=400)
        fields = [
            {"field": ".".join(str(part) for part in p.get("loc", ())[1:]), "problem": p.get("msg", "")}
            for p in problems
        ]
        message = "; ".join(f"{f['field'] or 'body'}: {f['problem']}" for f in fields)
        return JSONResponse(
            {"code": "invalid_request", "message": message, "errors": fields}, status_code=422
        )

    @api.exception_handler(StarletteHTTPException)
    async def _http(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = HTTP_CODES.get(exc.status_code, "http_error")
        return JSONResponse({"code": code, "message": str(exc.detail)}, status_code=exc.status_code)

    @api.exception_handler(Exception)
    async def _unexpected(_request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error", exc_info=exc)
        body = {"code": "internal_error", "message": "the server failed; the error is logged"}
        return JSONResponse(body, status_code=500)
