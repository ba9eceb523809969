"""Server-side reactions to applied mutations (auto-priority, regulatory clocks…), in the same transaction.

A reaction is `fn(session, ctx, name, outcome)`; it may change rows (and `ctx.touch` them so they
are published and audited), and never refuses. Modules that define reactions register them with
`@reaction` and are imported at the bottom of this file, so the list is complete whenever the executor
runs. Reactions run for every mutation of a push: they read what the mutation touched from `ctx`, and
what holds for the whole transaction from `memo`, rather than asking the database again.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import inspect
from sqlalchemy.orm import Session

from models.enums import MutationStatus
from sync.mutations.base import Context, Outcome

Reaction = Callable[[Session, Context, str, Outcome], None]
REACTIONS: list[Reaction] = []
MEMO = "ims.reactions.memo"
T = TypeVar("T")


def reaction(fn: Reaction) -> Reaction:
    """Register a reaction to run after every applied mutation."""
    REACTIONS.append(fn)
    return fn


def react(session: Session, ctx: Context, name: str, outcome: Outcome) -> None:
    """Run every registered reaction."""
    for fn in REACTIONS:
        fn(session, ctx, name, outcome)


def filed(name: str, outcome: Outcome) -> bool:
    """Whether the mutation filed a new report: its rows are the ones it built, and nothing refers to it yet
    (no clocks, investigation or hand-set priority can exist for an incident created this moment)."""
    return name == "report.create" and outcome.status is MutationStatus.APPLIED


def get(session: Session, ctx: Context, model: type[T], key: uuid.UUID) -> T | None:
    """A row by primary key: the one the mutation touched if it did (even before it is flushed), else
    the session's."""
    for row, _op in ctx.touched:
        if type(row) is model and inspect(row).mapper.primary_key_from_instance(row) == (key,):
            return row
    return session.get(model, key)


def memo(session: Session) -> dict[Any, Any]:
    """Lookups that hold for the session's current transaction (a site's rules), forgotten after it."""
    transaction = session.get_transaction()
    held = session.info.get(MEMO)
    if held is None or held[0] is not transaction:
        held = session.info[MEMO] = (transaction, {})
    return held[1]


from sync.server import (  # noqa: E402  (each module registers its reactions on import)
    intake,  # noqa: F401  (references, media completeness)
    obligations,  # noqa: F401  (regulatory notification clocks)
    triage,  # noqa: F401  (auto-priority, repeat linking)
)
