"""Heavy reads from a PostgreSQL read replica, when there is one (REPLICA_DATABASE_URL).

Only the reads that scan many rows ask for it, by name: the exports and the case list read
`.using(replica_alias())`. Everything else, every write and every other read, goes to the
primary ("default"), so no other code has to think about replication.

A streaming replica is a little behind the primary. Someone who has just changed something
and goes back to the list expects to see their change, so for a short while after a signed-in
user's POST their requests read from the primary only. Outside a request (Celery tasks,
commands) the heavy reads use the replica.
"""

import time
from contextvars import ContextVar

from django.conf import settings
from django.http import HttpRequest, HttpResponse

PRIMARY = "default"
REPLICA = "replica"
_WROTE_AT = "replica_pin_wrote_at"  # in the session: when this user last sent a change
_SAFE_METHODS = ("GET", "HEAD", "OPTIONS", "TRACE")

_pinned_to_primary: ContextVar[bool] = ContextVar("pinned_to_primary", default=False)


def replica_alias() -> str:
    """The database a heavy read uses: the replica, unless there is none or the current
    request must see its own recent writes."""
    if settings.READ_FROM_REPLICA and not _pinned_to_primary.get():
        return REPLICA
    return PRIMARY


class PrimaryReplicaRouter:
    """Writes and migrations go to the primary, and so does every read that names no
    database. A row read from the replica reads its relations there too (Django's fallback to
    the instance's database) and, when changed, is saved on the primary."""

    def db_for_read(self, model, **hints):
        return None

    def db_for_write(self, model, **hints):
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the same rows on two connections: a row read anywhere is the same row

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == PRIMARY  # the replica gets the primary's schema by replication


class ReadAfterWriteMiddleware:
    """For REPLICA_READ_AFTER_WRITE_SECONDS after a signed-in user's POST (or any unsafe
    method), that user's heavy reads stay on the primary. Goes after the session and
    authentication middleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        wrote_at = request.session.get(_WROTE_AT) if request.user.is_authenticated else None
        recent = (
            wrote_at is not None
            and time.time() - wrote_at < settings.REPLICA_READ_AFTER_WRITE_SECONDS
        )
        token = _pinned_to_primary.set(recent)
        try:
            response = self.get_response(request)
        finally:
            _pinned_to_primary.reset(token)
        # After the view: a sign-in counts (request.user is the new user), a sign-out does not.
        if request.method not in _SAFE_METHODS and request.user.is_authenticated:
            request.session[_WROTE_AT] = time.time()
        return response
