"""The email outbox: nothing lost when Redis or the mail server is down, nothing sent twice.

`email_queue` writes the row inside the caller's transaction and, once it commits, asks a
worker to send it (one quick try: a web request never waits on Redis). `email_send` sends one
row under its row lock and marks it sent in the same transaction; a failure waits longer each
time (1, 2, 4… minutes, at most an hour) and gives up after MAX_ATTEMPTS, with the reason kept
for the administrator, who can retry it. `sweep` sends everything due, so an email whose task
was never queued or was lost goes out on the next minute's run. Two sweeps at once skip each
other's locked rows.
"""

import hashlib
import logging
from dataclasses import dataclass, field
from datetime import timedelta
from smtplib import SMTPException

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone

from core.models import OutboxEmail, OutboxStatus

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
MAX_WAIT = timedelta(hours=1)


def email_queue(
    *,
    key: str,
    to: str,
    subject: str,
    body: str,
    kind: str,
    panel=None,
    case_number: str = "",
) -> OutboxEmail:
    """Queue one email; the same key again is the same email (not a second one)."""
    email, created = OutboxEmail.objects.get_or_create(
        key=key[:200],
        defaults={
            "to": to,
            "subject": subject[:200],
            "body": body,
            "kind": kind,
            "panel": panel,
            "case_number": case_number,
        },
    )
    if created:
        transaction.on_commit(lambda: _ask_a_worker(email.pk))
    return email


def email_queue_many(emails: list[dict]) -> int:
    """Queue many emails at once (`email_queue`'s fields in each dict): one read and one
    insert for the lot, one task for the worker. A key already queued is skipped. Returns how
    many were queued."""
    keys = [email["key"][:200] for email in emails]
    known = set(OutboxEmail.objects.filter(key__in=keys).values_list("key", flat=True))
    rows, seen = [], set()
    for key, email in zip(keys, emails, strict=True):
        if key in known or key in seen:
            continue
        seen.add(key)
        rows.append(
            OutboxEmail(
                key=key,
                to=email["to"],
                subject=email["subject"][:200],
                body=email["body"],
                kind=email["kind"],
                panel=email.get("panel"),
                case_number=email.get("case_number", ""),
            )
        )
    created = OutboxEmail.objects.bulk_create(rows)
    if created:
        pks = [email.pk for email in created]
        transaction.on_commit(lambda: _ask_a_worker_for_many(pks))
    return len(created)


def _ask_a_worker_for_many(pks: list[int]) -> None:
    from core.tasks import send_outbox_emails

    try:
        send_outbox_emails.delay(pks)
    except Exception as error:  # the broker is down: the sweep will send them
        logger.warning("outbox: %s emails not queued (%s); the sweep sends them", len(pks), error)


def _ask_a_worker(pk: int) -> None:
    from core.tasks import send_outbox_email

    try:
        send_outbox_email.delay(pk)
    except Exception as error:  # the broker is down: the sweep will send it
        logger.warning("outbox: email %s not queued (%s); the sweep sends it", pk, error)


def message_id(email: OutboxEmail) -> str:
    """The same for every attempt, so a rare second delivery is recognisably the same email."""
    digest = hashlib.sha256(email.key.encode()).hexdigest()[:32]
    domain = settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1].strip(">") or "cdop.invalid"
    return f"<{digest}@{domain}>"


def _wait_after(attempts: int) -> timedelta:
    return min(timedelta(minutes=2 ** (attempts - 1)), MAX_WAIT)


SENT, TAKEN, FAILED = "sent", "taken", "failed"


def email_send(pk: int) -> str:
    """Send one waiting email that is due: SENT by this call; TAKEN when it was sent already,
    is not due, or another worker has it now; FAILED when the mail server refused it."""
    with transaction.atomic():
        email = (
            OutboxEmail.objects.select_for_update(skip_locked=True)
            .filter(pk=pk, status=OutboxStatus.WAITING, next_attempt_at__lte=timezone.now())
            .first()
        )
        if email is None:
            return TAKEN
        message = EmailMessage(
            subject=email.subject,
            body=email.body,
            to=[email.to],
            headers={"Message-ID": message_id(email)},
        )
        try:
            message.send()
        except (SMTPException, OSError) as error:
            email.attempts += 1
            email.last_error = f"{error.__class__.__name__}: {error}"[:300]
            if email.attempts >= MAX_ATTEMPTS:
                email.status = OutboxStatus.FAILED
            else:
                email.next_attempt_at = timezone.now() + _wait_after(email.attempts)
            email.save(update_fields=["attempts", "last_error", "status", "next_attempt_at"])
            logger.warning("outbox: email %s not sent (%s)", pk, email.last_error)
            return FAILED
        email.status, email.sent_at = OutboxStatus.SENT, timezone.now()
        email.save(update_fields=["status", "sent_at"])
        return SENT


def emails_due(panel=None):
    due = OutboxEmail.objects.filter(
        status=OutboxStatus.WAITING, next_attempt_at__lte=timezone.now()
    )
    return due.filter(panel=panel) if panel is not None else due


@dataclass
class SweepResult:
    sent: list[OutboxEmail] = field(default_factory=list)
    taken: int = 0  # sent meanwhile by another worker or sweep
    failed: int = 0  # the mail server refused them: they wait for the next try


def sweep(*, panel=None, dry_run: bool = False, limit: int = 500) -> SweepResult:
    result = SweepResult()
    for email in emails_due(panel).order_by("next_attempt_at", "pk")[:limit]:
        outcome = SENT if dry_run else email_send(email.pk)
        if outcome == SENT:
            result.sent.append(email)
        elif outcome == TAKEN:
            result.taken += 1
        else:
            result.failed += 1
    return result


@transaction.atomic
def email_retry(*, email: OutboxEmail) -> OutboxEmail:
    """A failed email is tried again now, from the first attempt."""
    email = OutboxEmail.objects.select_for_update().get(pk=email.pk)
    if email.status == OutboxStatus.FAILED:
        email.status, email.attempts = OutboxStatus.WAITING, 0
        email.next_attempt_at = timezone.now()
        email.save(update_fields=["status", "attempts", "next_attempt_at"])
        transaction.on_commit(lambda: _ask_a_worker(email.pk))
    return email
