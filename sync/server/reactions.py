"""Server-side reactions to applied mutations (auto-priority, regulatory clocks…), in the same transaction.

A reaction is `fn(session, ctx, name, outcome)`; it may change rows (and `ctx.touch` them so they
are published and audited). Modules that define reactions register them with `@reaction` and are
imported at the bottom of this file, so the list is complete whenever the executor runs.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

from sync.mutations.base import Context, Outcome

Reaction = Callable[[Session, Context, str, Outcome], None]
REACTIONS: list[Reaction] = []


def reaction(fn: Reaction) -> Reaction:
    """Register a reaction to run after every applied mutation."""
    REACTIONS.append(fn)
    return fn


def react(session: Session, ctx: Context, name: str, outcome: Outcome) -> None:
    """Run every registered reaction."""
    for fn in REACTIONS:
        fn(session, ctx, name, outcome)


from sync.server import (  # noqa: E402  (each module registers its reactions on import)
    intake,  # noqa: F401  (references, media completeness)
    obligations,  # noqa: F401  (regulatory notification clocks)
    triage,  # noqa: F401  (auto-priority, repeat linking)
)
