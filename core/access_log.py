"""Recording reads of case data in the access log (domain: who looked at this case?)."""

from collections.abc import Iterable

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.http import HttpRequest

from accounts.selectors import agencies_summary, roles_summary
from core.models import AccessAction, AccessEvent


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
) -> AccessEvent:
    user = request.user
    return AccessEvent.objects.create(
        user=user,
        roles=roles_summary(user),
        agencies=agencies_summary(user),
        action=action,
        object_type=ContentType.objects.get_for_model(model),
        object_id=str(object_id) if object_id != "" else "",
        object_ids=[str(pk) for pk in object_ids],
        ip_address=client_ip(request),
        request_id=getattr(request, "id", ""),
        path=request.get_full_path()[:500],
    )
