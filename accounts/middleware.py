"""Sign-in rules applied to every request: two-factor enrolment and the session's hard limit."""

from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control

from accounts.permissions import has_second_factor

SIGNED_IN_AT = "signed_in_at"
ABSOLUTE_SESSION_LIMIT = timedelta(hours=12)

# What a signed-in user without two-factor may still reach: enrolment itself and the way out.
ENROLMENT_PATHS = (
    "/accounts/2fa/",
    "/accounts/reauthenticate/",  # enrolment may ask for the password again first
    "/accounts/logout/",
    "/accessibility/",
    "/healthz/",
)


@receiver(user_logged_in)
def _remember_sign_in_time(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        request.session[SIGNED_IN_AT] = timezone.now().isoformat()


class SignInPolicyMiddleware:
    """After AuthenticationMiddleware: ends sessions older than 12 hours, whatever the activity,
    and sends anyone without two-factor to enrol before they see anything else."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated:
            started = request.session.get(SIGNED_IN_AT)
            too_old = started is None or (
                timezone.now() - datetime.fromisoformat(started) > ABSOLUTE_SESSION_LIMIT
            )
            if too_old:
                logout(request)
                return redirect(f"{reverse('account_login')}?next={request.path}")
            if (
                settings.MFA_REQUIRED
                and not request.path.startswith(ENROLMENT_PATHS)
                and not request.path.startswith(settings.STATIC_URL)
                and not has_second_factor(user)
            ):
                return redirect("mfa_activate_totp")
        response = self.get_response(request)
        if user.is_authenticated:
            # Everything a signed-in person sees may be confidential: never keep a copy.
            patch_cache_control(response, no_store=True, private=True)
        return response
