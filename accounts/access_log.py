"""Recording reads of case data in the access log (who looked at this case, and when)."""

from collections.abc import Iterable

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.http import HttpRequest

from accounts.selectors import agencies_summary, roles_summary
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
) -> AccessEvent:
    """One event; for a list or export, also one row per record it showed (written in bulk).
    `detail` names the kind of search and the filters, never their values."""
    user = request.user
    shown = [str(pk) for pk in object_ids]
    event = AccessEvent.objects.create(
        user=user,
        roles=roles_summary(user),
        agencies=agencies_summary(user),
        action=action,
        object_type=ContentType.objects.get_for_model(model),
        object_id=str(object_id) if object_id != "" else "",
        detail=detail[:200],
        row_count=len(shown) if action != AccessAction.VIEW else None,
        ip_address=client_ip(request),
        request_id=getattr(request, "id", ""),
        path=request.path[:500],  # never the query string: it holds search terms
    )
    if shown:
        # Not a tracked model: the access log is its own history (append-only).
        AccessEventObject.objects.bulk_create(
            AccessEventObject(event=event, object_id=pk) for pk in shown
        )
    return event
