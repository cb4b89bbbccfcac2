from celery import shared_task
from django.utils import timezone

from core.models import Heartbeat


@shared_task
def record_heartbeat() -> None:
    """Periodic proof that the worker and beat run: idempotent, one row per name."""
    Heartbeat.objects.update_or_create(name="beat", defaults={"at": timezone.now()})


@shared_task
def send_outbox_email(pk: int) -> None:
    """Send one queued email (a scan of its row: a repeat or late delivery sends nothing)."""
    from core.outbox import email_send

    email_send(pk)


@shared_task
def send_outbox_emails(pks: list[int]) -> None:
    """Send the emails queued together (`email_queue_many`), one by one."""
    from core.outbox import email_send

    for pk in pks:
        email_send(pk)


@shared_task
def send_outbox() -> None:
    """The sweep: every email still waiting and due, whatever happened to its task."""
    from core.outbox import sweep

    sweep()
