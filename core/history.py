"""Who made a change, for django-simple-history, outside web requests.

Web requests are covered by `HistoryRequestMiddleware`. Management commands and Celery tasks
wrap their writes in `acting_as(user)`, so no history row is left without an actor; when no
person acts (a scheduled job, an installation command) the actor is the system account.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from simple_history.models import HistoricalRecords

SYSTEM_EMAIL = "system@cdop.invalid"


@dataclass
class _Actor:
    """Looks enough like a request for simple-history: it reads `.user` only."""

    user: Any


@contextmanager
def acting_as(user: Any) -> Iterator[None]:
    context = HistoricalRecords.context
    previous = getattr(context, "request", None)
    context.request = _Actor(user=user)
    try:
        yield
    finally:
        if previous is None:
            del context.request
        else:
            context.request = previous


def system_user() -> Any:
    """The account that scheduled jobs and installation commands act as; it cannot sign in."""
    user_model = get_user_model()
    user = user_model.objects.filter(email=SYSTEM_EMAIL).first()
    if user is None:
        user = user_model(email=SYSTEM_EMAIL, full_name="CDOP system", is_active=False)
        user.set_unusable_password()
        save_with_actor(user, by=user, reason="system account created")
    return user


@contextmanager
def acting_as_system() -> Iterator[Any]:
    user = system_user()
    with acting_as(user):
        yield user


def save_with_actor(instance: Any, *, by: Any, reason: str | None = None) -> None:
    """Save a tracked model with who made the change (and why, where it matters)."""
    instance._history_user = by
    if reason:
        instance._change_reason = reason
    instance.save()
