"""The signed-in user's preferences (time zone, theme), as every request needs
them: from the session, where they are kept at sign-in and whenever the user
saves them, so an ordinary request reads no UserPreference row. A session
without them (signed in before they were kept there) reads the row once.

A change made elsewhere (Django admin, another browser) reaches a session at
its next sign-in; the user's own changes apply at once to the session they are
made in. That is why Django admin shows preferences read-only."""

from __future__ import annotations

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from .models import UserPreference

SESSION_KEY = "preferences"
DEFAULTS = {"time_zone": "", "theme": UserPreference.Theme.SYSTEM.value}


def preferences_of(user) -> dict[str, str]:
    """The user's stored preferences (one query), or the defaults."""
    row = UserPreference.objects.filter(user=user).values("time_zone", "theme").first()
    return {**DEFAULTS, **(row or {})}


def preferences_remember(request, preference: UserPreference) -> None:
    """Keeps a just-saved preference in the session it was saved from."""
    request.session[SESSION_KEY] = {"time_zone": preference.time_zone, "theme": preference.theme}


def session_preferences(request) -> dict[str, str]:
    """The request user's preferences, from the session when it has them."""
    user = getattr(request, "user", None)
    if not getattr(user, "is_authenticated", False):
        return dict(DEFAULTS)
    kept = request.session.get(SESSION_KEY)
    if isinstance(kept, dict) and set(kept) == set(DEFAULTS):
        return kept
    values = preferences_of(user)
    request.session[SESSION_KEY] = values
    return values


@receiver(user_logged_in, dispatch_uid="nexthink_admin.session_preferences")
def _keep_at_sign_in(sender, request, user, **kwargs) -> None:
    if request is not None and hasattr(request, "session"):
        request.session[SESSION_KEY] = preferences_of(user)
