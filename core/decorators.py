from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse


def only_for(may: Callable) -> Callable:
    """Signed in and `may(user)`; for anyone else the pages "do not exist" (404), so their
    existence tells an outsider nothing."""

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if not may(request.user):
                raise Http404
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
