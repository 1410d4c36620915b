"""Sign-in lockout, by django-axes, shared by every way to sign in (the
console's /login/ and Django admin's /admin/login/ both authenticate through
the backends in settings.AUTHENTICATION_BACKENDS, where axes comes first).

- The lock is per user name, read as Django's login form reads it (NFKC) and
  case folded, so `ａdmin` and `ADMIN` count against `admin`.
- Only user names are locked, never addresses: behind a reverse proxy every
  client may share one address, and failures on made-up names must not lock
  out a real administrator. The client address, recorded with every attempt,
  comes through the trusted-proxy setting (TRUSTED_PROXY_COUNT) only.
- An administrator unlocks an account with `manage.py axes_reset_username NAME`
  or by deleting its row in Django admin > Axes > Access attempts (README).
"""

import unicodedata

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.forms import AuthenticationForm
from django.shortcuts import render


def lockout_username(request, credentials: dict | None = None) -> str:
    """The name failures are counted under (axes' AXES_USERNAME_CALLABLE)."""
    field = settings.AXES_USERNAME_FORM_FIELD
    raw = (credentials or {}).get(field)
    if raw is None and request is not None:
        raw = getattr(request, "POST", {}).get(field)
    name = unicodedata.normalize("NFKC", str(raw or "")).casefold()
    return unicodedata.normalize("NFKC", name).strip()[:150]


def lockout_minutes() -> int:
    return int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)


def lockout_response(request, original_response=None, credentials=None):
    """The sign-in page again, 429, saying why; the password was not checked."""
    messages.error(
        request,
        f"Too many failed sign-ins for this account. Try again in {lockout_minutes()} minutes,"
        " or ask an administrator to unlock it.",
    )
    return render(
        request,
        "registration/login.html",
        {"form": AuthenticationForm(request), "next": request.POST.get("next", "")},
        status=429,
    )
