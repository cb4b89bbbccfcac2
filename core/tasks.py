from celery import shared_task
from django.utils import timezone

from core.models import Heartbeat


@shared_task
def record_heartbeat() -> None:
    """Periodic proof that the worker and beat run: idempotent, one row per name."""
    Heartbeat.objects.update_or_create(name="beat", defaults={"at": timezone.now()})
