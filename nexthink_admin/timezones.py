"""Each user's time zone: stored in UserPreference, applied to every request
(templates, forms and Django admin then show local times). The request reads
it from the session (session_preferences.py), not from the database."""

from __future__ import annotations

import zoneinfo
from functools import cache

from django.conf import settings
from django.utils import timezone

from .models import UserPreference
from .session_preferences import session_preferences


@cache
def time_zone_names() -> tuple[str, ...]:
    return tuple(sorted(zoneinfo.available_timezones() - {"localtime", "Factory"}))


def time_zone_valid(name: str) -> bool:
    return name in time_zone_names()


def preference_time_zone_set(*, user, time_zone: str) -> UserPreference:
    """The service behind the Preferences form (which validated the name)."""
    preference, _ = UserPreference.objects.update_or_create(
        user=user, defaults={"time_zone": time_zone}
    )
    return preference


class UserTimeZoneMiddleware:
    """Activates the signed-in user's time zone for the request, and says its
    theme (request.theme, which base.html renders on <html>): both from the
    session, so no query on an ordinary request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        preferences = session_preferences(request)
        name = preferences["time_zone"]
        request.theme = preferences["theme"]
        if name and time_zone_valid(name):
            timezone.activate(zoneinfo.ZoneInfo(name))
        else:
            timezone.deactivate()  # settings.TIME_ZONE
        request.time_zone = name or settings.TIME_ZONE
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
