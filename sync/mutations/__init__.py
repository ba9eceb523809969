"""Every mutation, registered on import: the same handlers run on the phone and on the server."""

from sync.mutations.base import REGISTRY, Actor, Context, Outcome, Rejected, apply, mutation

__all__ = ["REGISTRY", "Actor", "Context", "Outcome", "Rejected", "apply", "mutation"]
