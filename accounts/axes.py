"""The username django-axes counts failures against.

allauth authenticates with `email=` in the credentials while the form field is `login`;
without this axes would see no username at all and lock by address alone, which would shut
out a whole NHS trust behind one address.
"""

from django.http import HttpRequest


def lockout_username(request: HttpRequest, credentials: dict | None) -> str | None:
    credentials = credentials or {}
    for key in ("email", "login", "username"):
        if credentials.get(key):
            return str(credentials[key]).strip().lower()
    data = getattr(request, "data", None) or getattr(request, "POST", {})
    value = data.get("login") if hasattr(data, "get") else None
    return value.strip().lower() if value else None
