"""The server process: the API at /api/v1, its docs at /docs, and the Flet web app at /."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Engine
from swagger_ui_bundle import swagger_ui_path

from sync.server.api import create_api
from sync.server.db import session_factory
from sync.server.jobs import run_forever
from sync.server.settings import ServerSettings


def create_app(settings: ServerSettings, engine: Engine) -> FastAPI:
    """Build the whole server for a store whose schema is already current."""
    api = create_api(settings, engine)
    outer = FastAPI(
        lifespan=_lifespan(settings, engine),
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    outer.state.api = api
    outer.mount("/api/v1", api)

    outer.mount("/docs-assets", StaticFiles(directory=swagger_ui_path), name="docs-assets")

    @outer.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url="/api/v1/openapi.json",
            title="Field IMS API",
            swagger_js_url="/docs-assets/swagger-ui-bundle.js",
            swagger_css_url="/docs-assets/swagger-ui.css",
            swagger_favicon_url="/docs-assets/favicon-32x32.png",
        )

    if settings.web_ui:
        outer.mount("/", _web_ui(settings, engine))
    else:

        @outer.get("/", include_in_schema=False)
        def root() -> RedirectResponse:
            return RedirectResponse("/docs")

    return outer


def _web_ui(settings: ServerSettings, engine: Engine) -> FastAPI:
    """The Flet web app, each browser tab with its own in-process store (imported only when served);
    drafts of every user in one file of the data directory."""
    import flet_web.fastapi as flet_fastapi

    from app.drafts import Drafts
    from app.i18n import ASSETS
    from app.main import make_main
    from sync.server.blobs import BlobStore
    from sync.server.webstore import ServerStore

    sessions = session_factory(engine)
    blobs = BlobStore(settings.blob_dir)
    drafts = Drafts.in_file(settings.data_dir / "web-drafts.db")
    return flet_fastapi.app(
        make_main(lambda: ServerStore(sessions, blobs), drafts_factory=lambda: drafts),
        no_cdn=True,
        assets_dir=str(ASSETS),
        app_name="Field IMS",
    )


def _lifespan(
    settings: ServerSettings, engine: Engine
) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    """Run the background jobs every IMS_JOBS_INTERVAL seconds, and Flet's session manager when serving
    the web app (mounted sub-apps get no lifespan of their own)."""

    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        task = asyncio.create_task(run_forever(session_factory(engine), settings))
        if settings.web_ui:
            import flet_web.fastapi as flet_fastapi

            await flet_fastapi.app_manager.start()
        try:
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            if settings.web_ui:
                await flet_fastapi.app_manager.shutdown()

    return lifespan
