"""Every mutation, registered on import: the same handlers run on the phone and on the server."""

from sync.mutations import capa, clocks, incidents, investigation, reports, review
from sync.mutations.base import REGISTRY, Actor, Context, Outcome, Rejected, apply, mutation

__all__ = [
    "REGISTRY",
    "Actor",
    "Context",
    "Outcome",
    "Rejected",
    "apply",
    "capa",
    "clocks",
    "incidents",
    "investigation",
    "mutation",
    "reports",
    "review",
]
