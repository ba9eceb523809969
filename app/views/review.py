"""The blameless post-incident review: schedule it, answer the five questions, agree actions with owners
and dates, and complete it (each action then becomes a corrective action on the board)."""

from __future__ import annotations

import datetime as dt

import flet as ft

from app.controls.widgets import Handler, note, readable
from app.queries_workflow import ReviewView
from app.views.incident_context import IncidentPage
from app.views.workflow_common import Problem, action_row, button, new_id, perform, section
from models import utcnow
from models.enums import IncidentRoleKind
from models.workflow import needs_review

ANSWERS = ("what_happened", "root_cause", "detection", "went_well")
DEFAULT_DUE_DAYS = 30


def parse_local(text: str, zone: dt.tzinfo) -> dt.datetime | None:
    """A "YYYY-MM-DD HH:MM" typed on the site's clock, or None when unreadable."""
    try:
        return dt.datetime.strptime(text.strip(), "%Y-%m-%d %H:%M").replace(tzinfo=zone)
    except ValueError:
        return None


def schedule_form(page: IncidentPage) -> list[ft.Control]:
    """Schedule the review: when, and who facilitates."""
    t, d = page.t, page.detail
    problem = Problem(key="review_problem")
    start = (utcnow() + dt.timedelta(days=1)).astimezone(page.zone).replace(hour=10, minute=0)
    when = ft.TextField(
        label=t("wf.review.when"),
        value=start.strftime("%Y-%m-%d %H:%M"),
        hint_text="YYYY-MM-DD HH:MM",
        key="review.when",
        width=220,
    )
    facilitator = ft.Dropdown(
        label=t("wf.review.facilitator"),
        tooltip=t("wf.review.facilitator"),
        options=page.people_options(),
        key="review.facilitator",
        width=320,
    )

    async def schedule(_e: ft.Event | None = None) -> None:
        moment = parse_local(when.value or "", page.zone)
        if moment is None:
            problem.say(t("wf.clocks.when_unreadable"))
            return
        args = {"id": new_id(), "incident_id": str(d.id), "scheduled_for": moment.isoformat()}
        if facilitator.value:
            args["facilitator_id"] = facilitator.value
        await perform(page.shell, "pir.create", args, problem, done=t("wf.done.review_scheduled"))

    return [
        ft.Row([when, facilitator], wrap=True),
        problem,
        action_row(
            [
                button(
                    t("wf.review.schedule"), schedule, key="review.schedule", icon=ft.Icons.EVENT, filled=True
                )
            ]
        ),
    ]


class ReviewEditor:
    """The review's answers and action items, saved as they are written and completed at the end."""

    def __init__(self, page: IncidentPage, review: ReviewView) -> None:
        t = page.t
        self.page = page
        self.review = review
        self.problem = Problem(key="review_problem")
        self.answers = {
            name: ft.TextField(
                label=t(f"wf.review.q.{name}"),
                value=getattr(review, name),
                multiline=True,
                min_lines=2,
                key=f"review.{name}",
            )
            for name in ANSWERS
        }
        due = utcnow().astimezone(page.zone).date() + dt.timedelta(days=DEFAULT_DUE_DAYS)
        self.item = ft.TextField(
            label=t("wf.review.action"), key="review.action.description", col={"xs": 12, "md": 6}
        )
        self.owner = ft.Dropdown(
            label=t("wf.capa.owner"),
            tooltip=t("wf.capa.owner"),
            options=page.people_options(),
            key="review.action.owner",
            expand=True,
            col={"xs": 12, "md": 3},
        )
        self.due = ft.TextField(
            label=t("wf.capa.due"),
            value=due.isoformat(),
            hint_text="YYYY-MM-DD",
            key="review.action.due",
            col={"xs": 12, "md": 3},
        )

    def changed_answers(self) -> dict[str, str]:
        """The answers that differ from what is stored."""
        return {
            name: (field.value or "").strip()
            for name, field in self.answers.items()
            if (field.value or "").strip() != getattr(self.review, name)
        }

    async def patch(self, args: dict[str, object], done: str) -> bool:
        """Send a change of the review; True when it was taken."""
        result = await perform(
            self.page.shell,
            "pir.patch",
            {"id": str(self.review.id), **args},
            self.problem,
            done=done,
            refresh=False,
        )
        return result is not None

    async def save(self, _e: ft.Event | None = None) -> None:
        """Save the answers written so far."""
        t = self.page.t
        answers = self.changed_answers()
        if not answers:
            self.problem.say(t("wf.inv.nothing_changed"))
            return
        if await self.patch(answers, t("wf.done.saved")):
            await self.page.shell.refresh()

    async def add_action(self, _e: ft.Event | None = None) -> None:
        """Add an agreed action with its owner and date (the answers typed so far are saved with it)."""
        t = self.page.t
        description = (self.item.value or "").strip()
        if not description or not self.owner.value:
            self.problem.say(t("wf.review.action_missing"))
            return
        try:
            due = dt.date.fromisoformat((self.due.value or "").strip())
        except ValueError:
            self.problem.say(t("wf.capa.due_unreadable"))
            return
        item = {
            "id": new_id(),
            "description": description,
            "owner_id": self.owner.value,
            "due_on": due.isoformat(),
        }
        if await self.patch({**self.changed_answers(), "actions": [item]}, t("wf.done.saved")):
            await self.page.shell.refresh()

    def remover(self, action_id: str) -> Handler:
        """A click handler removing one action item."""

        async def remove(_e: ft.Event | None = None) -> None:
            if await self.patch({"remove_actions": [action_id]}, self.page.t("wf.done.saved")):
                await self.page.shell.refresh()

        return remove

    async def complete(self, _e: ft.Event | None = None) -> None:
        """Save the answers, then complete the review (its actions become corrective actions)."""
        t = self.page.t
        answers = self.changed_answers()
        if answers and not await self.patch(answers, ""):
            return
        await perform(
            self.page.shell,
            "pir.complete",
            {"id": str(self.review.id)},
            self.problem,
            done=t("wf.done.review_completed"),
        )

    def controls(self) -> list[ft.Control]:
        """The questions, the action items and the buttons."""
        t = self.page.t
        items: list[ft.Control] = [
            ft.Row(
                [
                    ft.Text(
                        t(
                            "wf.review.item",
                            description=a.description,
                            name=a.owner_name,
                            due=a.due_on.isoformat(),
                        ),
                        expand=True,
                    ),
                    button(
                        t("field.remove"),
                        self.remover(str(a.id)),
                        key=f"review.remove.{a.id}",
                        icon=ft.Icons.DELETE_OUTLINE,
                    ),
                ],
                key=f"review.item.{a.id}",
            )
            for a in self.review.actions
        ] or [note(t("wf.review.no_actions"))]
        return [
            section(
                t("wf.review.questions"),
                [note(t("wf.review.blameless")), *self.answers.values()],
                key="review.questions",
            ),
            section(
                t("wf.review.actions"),
                [
                    *items,
                    ft.ResponsiveRow([self.item, self.owner, self.due], run_spacing=8),
                    action_row(
                        [
                            button(
                                t("wf.review.add_action"),
                                self.add_action,
                                key="review.add_action",
                                icon=ft.Icons.ADD,
                            )
                        ]
                    ),
                ],
                key="review.actions",
            ),
            self.problem,
            action_row(
                [
                    button(t("wf.review.save"), self.save, key="review.save", icon=ft.Icons.SAVE),
                    button(
                        t("wf.review.complete"),
                        self.complete,
                        key="review.complete",
                        icon=ft.Icons.TASK_ALT,
                        filled=True,
                    ),
                ]
            ),
        ]


def read_only(page: IncidentPage, review: ReviewView) -> list[ft.Control]:
    """The review as it stands, read only (a completed one says when it was completed)."""
    t = page.t
    answers = [
        ft.Column(
            [
                ft.Text(t(f"wf.review.q.{name}"), weight=ft.FontWeight.W_600),
                readable(getattr(review, name) or "—"),
            ],
            spacing=2,
        )
        for name in ANSWERS
    ]
    when = (
        [note(t("wf.review.completed_at", time=page.time(review.completed_at)))]
        if review.completed_at
        else []
    )
    items = [
        note(
            t("wf.review.item", description=a.description, name=a.owner_name, due=a.due_on.isoformat()),
            key=f"review.item.{a.id}",
        )
        for a in review.actions
    ]
    return [
        section(t("wf.review.questions"), [*when, *answers], key="review.done"),
        section(t("wf.review.actions"), items or [note(t("wf.review.no_actions"))], key="review.actions"),
    ]


async def review_tab(page: IncidentPage) -> list[ft.Control]:
    """The review tab: schedule, write, or read the completed review."""
    t, d = page.t, page.detail
    head: list[ft.Control] = [
        note(
            t("wf.review.required") if needs_review(d.priority) else t("wf.review.optional"),
            key="review.required",
        )
    ]
    review = d.review
    allowed = page.can("pir.patch") or page.holds(IncidentRoleKind.COMMANDER)
    if review is None:
        if allowed:
            head += schedule_form(page)
        return [section(t("wf.tab.review"), head, key="review.schedule_block")]
    facts = [
        t(
            "wf.review.scheduled",
            time=page.time(review.scheduled_for) or "—",
            name=review.facilitator_name or "—",
        )
    ]
    head.append(note(" ".join(facts), key="review.facts"))
    blocks: list[ft.Control] = [section(t("wf.tab.review"), head, key="review.head")]
    if review.completed_at is not None or not allowed:
        return blocks + read_only(page, review)
    return blocks + ReviewEditor(page, review).controls()
