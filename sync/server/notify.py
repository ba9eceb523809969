"""Notifications: queue each one once (by key) in the caller's transaction, deliver later, log every try.

Queueing writes a NotificationLog row whose unique `key` (event key + channel + target) makes a
notification go out at most once, however often the jobs run and on however many servers.
Delivery happens outside any database transaction: e-mail through SMTP (`IMS_SMTP_*`), webhooks as
Slack-compatible JSON `{"text": ...}` posted with `requests`. A failed try is recorded (attempts,
error) and retried on the next run, up to MAX_ATTEMPTS; it never raises.
"""

from __future__ import annotations

import logging
import smtplib
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from email.message import EmailMessage

import requests
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from models import NotificationLog, NotificationRoute, User, utcnow
from models.enums import ChannelKind, Role
from sync.server.settings import ServerSettings

log = logging.getLogger("ims.notify")

MAX_ATTEMPTS = 5
TIMEOUT = 10


@dataclass(frozen=True)
class Message:
    """What to tell people about one event; `key` names the event (e.g. 'escalated:<id>:1')."""

    key: str
    event: str
    subject: str
    body: str
    incident_id: uuid.UUID | None = None


def queue(session: Session, message: Message, channel: ChannelKind, target: str) -> bool:
    """Queue one delivery unless the same event already went (or is going) to this target."""
    key = f"{message.key}|{channel.value}|{target}"
    if session.scalar(select(NotificationLog.id).where(NotificationLog.key == key)) is not None:
        return False
    row = NotificationLog(
        key=key,
        channel=channel,
        target=target,
        subject=message.subject,
        body=message.body,
        incident_id=message.incident_id,
        created_at=utcnow(),
    )
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:  # another server queued it at the same moment
        return False
    return True


def routes(session: Session, site_id: uuid.UUID, role: Role, event: str) -> list[NotificationRoute]:
    """The active routes of a site and role that take this event (an empty event list takes all)."""
    query = select(NotificationRoute).where(
        NotificationRoute.site_id == site_id, NotificationRoute.role == role, NotificationRoute.active
    )
    return [r for r in session.scalars(query) if not r.events or event in r.events]


def to_role(session: Session, site_id: uuid.UUID, role: Role, message: Message) -> int:
    """Queue a message to every route of a role at a site; return how many were queued."""
    return sum(
        queue(session, message, r.channel, r.target) for r in routes(session, site_id, role, message.event)
    )


def to_users(session: Session, users: Iterable[User | None], message: Message) -> int:
    """Queue a message by e-mail to people who have an address; return how many were queued."""
    return sum(
        queue(session, message, ChannelKind.EMAIL, u.email) for u in users if u is not None and u.email
    )


@dataclass
class Delivery:
    """What one delivery run did."""

    sent: int = 0
    failed: int = 0


class DeliveryError(Exception):
    """A notification could not be delivered; the message is stored on the log row."""


def send_email(settings: ServerSettings, target: str, subject: str, body: str) -> None:
    """Send one e-mail through the configured SMTP server."""
    if not settings.smtp_host:
        raise DeliveryError("e-mail is not configured: set IMS_SMTP_HOST")
    mail = EmailMessage()
    mail["From"] = settings.smtp_from
    mail["To"] = target
    mail["Subject"] = subject
    mail.set_content(body)
    try:
        with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=TIMEOUT) as smtp:
            smtp.send_message(mail)
    except (OSError, smtplib.SMTPException) as exc:
        raise DeliveryError(f"SMTP {settings.smtp_host}:{settings.smtp_port}: {exc}") from None


def send_webhook(http: requests.Session, target: str, subject: str, body: str) -> None:
    """Post a Slack-compatible JSON message to a webhook URL."""
    try:
        response = http.post(target, json={"text": f"*{subject}*\n{body}"}, timeout=TIMEOUT)
    except requests.RequestException as exc:
        raise DeliveryError(f"webhook: {type(exc).__name__}: {exc}") from None
    if response.status_code >= 300:
        raise DeliveryError(f"webhook answered HTTP {response.status_code}: {response.text[:200]}")


def deliver_pending(
    sessions: sessionmaker[Session], settings: ServerSettings, *, http: requests.Session | None = None
) -> Delivery:
    """Try every unsent notification that has tries left; each try is claimed first, so two servers
    never send the same one, and its outcome is recorded in its own transaction."""
    http = http or requests.Session()
    with sessions() as session:
        pending = session.execute(
            select(NotificationLog.id, NotificationLog.attempts)
            .where(NotificationLog.sent_at.is_(None), NotificationLog.attempts < MAX_ATTEMPTS)
            .order_by(NotificationLog.created_at)
        ).all()
    done = Delivery()
    for row_id, attempts in pending:
        claimed = _claim(sessions, row_id, attempts)
        if claimed is None:
            continue
        error = ""
        try:
            if claimed.channel is ChannelKind.EMAIL:
                send_email(settings, claimed.target, claimed.subject, claimed.body)
            else:
                send_webhook(http, claimed.target, claimed.subject, claimed.body)
        except DeliveryError as exc:
            error = str(exc)[:1000]
            log.warning("notification %s to %s failed: %s", row_id, claimed.target, error)
        with sessions.begin() as session:
            session.execute(
                update(NotificationLog)
                .where(NotificationLog.id == row_id)
                .values(error=error, sent_at=None if error else utcnow())
            )
        if error:
            done.failed += 1
        else:
            done.sent += 1
    return done


def _claim(sessions: sessionmaker[Session], row_id: uuid.UUID, attempts: int) -> NotificationLog | None:
    """Count a try on a notification if nobody else did since it was read; return it, or None."""
    with sessions.begin() as session:
        claimed = session.execute(
            update(NotificationLog)
            .where(
                NotificationLog.id == row_id,
                NotificationLog.attempts == attempts,
                NotificationLog.sent_at.is_(None),
            )
            .values(attempts=attempts + 1)
        ).rowcount
        return session.get(NotificationLog, row_id) if claimed == 1 else None
