"""Recording reads of case data in the access log (who looked at this case, and when)."""

from collections.abc import Iterable, Iterator

from django.contrib.contenttypes.models import ContentType
from django.db import connection, models, transaction
from django.http import HttpRequest

from accounts.selectors import roles_and_agencies_summary
from core.models import AccessAction, AccessEvent, AccessEventObject


def client_ip(request: HttpRequest) -> str | None:
    # The same address django-axes uses, so a lockout and a read can be matched.
    from axes.helpers import get_client_ip_address

    return get_client_ip_address(request) or None


def record_access(
    request: HttpRequest,
    *,
    action: AccessAction,
    model: type[models.Model],
    object_id: object = "",
    object_ids: Iterable[object] = (),
    detail: str = "",
    row_count: int | None = None,
) -> AccessEvent:
    """One event; for a list or export, also one row per record it showed (written in bulk).
    `detail` names the kind of search and the filters, never their values."""
    user = request.user
    shown = [str(pk) for pk in object_ids]
    roles, agencies = roles_and_agencies_summary(user)
    event = AccessEvent(
        user=user,
        roles=roles,
        agencies=agencies,
        action=action,
        object_type=ContentType.objects.get_for_model(model),
        object_id=str(object_id) if object_id != "" else "",
        detail=detail[:200],
        row_count=row_count
        if row_count is not None
        else (len(shown) if action != AccessAction.VIEW else None),
        ip_address=client_ip(request),
        request_id=getattr(request, "id", ""),
        path=request.path[:500],  # never the query string: it holds search terms
    )
    if connection.vendor == "postgresql":
        _insert_with_shown(event, shown)
    else:
        with transaction.atomic():
            event.save()
            record_shown(event, shown)
    return event


def _insert_with_shown(event: AccessEvent, shown: list[str]) -> None:
    """The event and the records it showed in one statement: every page of case data writes
    one, so it costs one round trip, not a transaction of four."""
    fields = [f for f in AccessEvent._meta.concrete_fields if not f.primary_key]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    values = [f.get_db_prep_save(f.pre_save(event, add=True), connection) for f in fields]
    shown_table = quote(AccessEventObject._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            # Names from the models, every value a parameter.
            f"WITH event AS (INSERT INTO {quote(AccessEvent._meta.db_table)} ({columns}) "  # noqa: S608
            f"VALUES ({', '.join(['%s'] * len(fields))}) RETURNING id), "
            f"shown AS (INSERT INTO {shown_table} (event_id, object_id) "
            "SELECT event.id, unnest(%s::varchar[]) FROM event) "
            "SELECT id FROM event",
            [*values, shown],
        )
        [event.pk] = cursor.fetchone()
    event._state.adding = False
    event._state.db = "default"


def record_shown(event: AccessEvent, object_ids: Iterable[object]) -> None:
    """The records a list or an export showed, in one insert (an export calls it per chunk,
    as it streams, so a case's viewers list every export that included it)."""
    # Not a tracked model: the access log is its own history (append-only).
    AccessEventObject.objects.bulk_create(
        AccessEventObject(event=event, object_id=str(pk)) for pk in object_ids
    )


def logged_as_shown(event: AccessEvent, rows: Iterable, *, chunk: int = 2000) -> Iterator:
    """Pass `rows` (each a tuple of values, the record's id first) through, recording each
    chunk of them in the access log as it goes."""
    batch = []
    for row in rows:
        batch.append(row)
        if len(batch) == chunk:
            record_shown(event, [r[0] for r in batch])
            yield from batch
            batch = []
    if batch:
        record_shown(event, [r[0] for r in batch])
        yield from batch
