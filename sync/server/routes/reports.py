"""Downloads of the regulator's forms and the managers' reports, and the metrics behind the dashboard.

HSE managers may have the documents of every site they manage; safety officers those of their own sites.
Names of privacy cases (and the confidential list) are for HSE managers only.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import Response
from sqlalchemy.orm import Session, sessionmaker

from models import Site, utcnow
from models.enums import Role
from reports import charts
from reports import metrics as metrics_report
from sync.errors import Forbidden, NotFound
from sync.mutations.base import Actor
from sync.server import exports
from sync.server.blobs import BlobStore
from sync.server.deps import ActorDep, SessionsDep, SettingsDep

router = APIRouter(prefix="/reports", tags=["reports"])

SiteQuery = Annotated[str | None, Query(description="site code, e.g. HOU")]
YearQuery = Annotated[int | None, Query(description="calendar year, e.g. 2025")]
BaseQuery = Annotated[int | None, Query(gt=0, description="hours base of the LTIFR (default 1,000,000)")]


def check_access(actor: Actor, site: Site) -> None:
    """Let through HSE managers of the site (or of all sites) and the site's safety officers."""
    if not actor.has_role(Role.HSE_MANAGER, Role.SAFETY_OFFICER, site_id=site.id):
        raise Forbidden(
            f"reports of site {site.code} are for its HSE managers and safety officers", code="role_required"
        )


def reveals_private(actor: Actor, site: Site) -> bool:
    """Tell whether the actor may see the names of privacy cases at the site (HSE managers only)."""
    return actor.has_role(Role.HSE_MANAGER, site_id=site.id)


@router.get("/kinds")
def kinds(actor: ActorDep) -> list[dict[str, object]]:
    """List the document kinds: what each is, its media type, and whether it is per incident."""
    return [
        {"kind": name, "title": kind.title, "media_type": kind.media_type, "per_incident": kind.per_incident}
        for name, kind in exports.KINDS.items()
    ]


@router.get("/metrics/data")
def metrics_data(
    actor: ActorDep,
    sessions: SessionsDep,
    site: SiteQuery = None,
    year: YearQuery = None,
    ltifr_base: BaseQuery = None,
) -> dict[str, object]:
    """Return every safety metric of a site's year as JSON (rates, times, shares, volumes)."""
    return _metrics(actor, sessions, site, year, ltifr_base).as_dict()


@router.get("/metrics/charts/{chart}.svg")
def metrics_chart(
    chart: str,
    actor: ActorDep,
    sessions: SessionsDep,
    site: SiteQuery = None,
    year: YearQuery = None,
    ltifr_base: BaseQuery = None,
) -> Response:
    """Return one dashboard chart of a site's year as SVG (rates, response, performance or volume)."""
    drawings = metrics_report.charts(_metrics(actor, sessions, site, year, ltifr_base))
    if chart not in drawings:
        raise NotFound(f"no chart {chart!r}; charts: {', '.join(drawings)}", code="unknown_chart")
    return Response(charts.to_svg(drawings[chart]), media_type="image/svg+xml")


def _metrics(
    actor: Actor,
    sessions: sessionmaker[Session],
    site_code: str | None,
    year: int | None,
    ltifr_base: int | None,
) -> metrics_report.Metrics:
    """Check the request and compute the metrics of a site's year."""
    with sessions() as session:
        request = exports.prepare(session=session, kind="metrics", site_code=site_code, year=year)
        check_access(actor, request.site)
        data = exports.metrics_input(
            session=session, site=request.site, year=request.year, now=utcnow(), ltifr_base=ltifr_base
        )
    return metrics_report.compute(data)


@router.get("/{kind}")
def download(
    kind: str,
    actor: ActorDep,
    sessions: SessionsDep,
    settings: SettingsDep,
    site: SiteQuery = None,
    year: YearQuery = None,
    incident: Annotated[str | None, Query(description="incident reference (jkkp6, incident)")] = None,
    case: Annotated[str | None, Query(description="osha-301: one case number")] = None,
    ltifr_base: BaseQuery = None,
) -> Response:
    """Download one document: a site's year (site, year) or one incident (incident) as PDF or CSV."""
    with sessions() as session:
        request = exports.prepare(
            session=session, kind=kind, site_code=site, year=year, incident_ref=incident, case=case
        )
        check_access(actor, request.site)
        document = exports.render(
            session=session,
            request=request,
            now=utcnow(),
            blobs=BlobStore(settings.blob_dir),
            reveal_private=reveals_private(actor, request.site),
            ltifr_base=ltifr_base,
        )
    return Response(
        document.content,
        media_type=document.media_type,
        headers={"Content-Disposition": f'attachment; filename="{document.filename}"'},
    )
