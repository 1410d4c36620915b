"""Each user's colour theme (light, dark, system): kept in UserPreference, so
it follows the user to any browser. The menu's switch saves it here (JSON for
the script, a redirect back without it); the Preferences page offers it too.
Before sign-in, theme.js falls back to the choice this browser last made."""

from django.http import JsonResponse
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View

from .models import UserPreference
from .session_preferences import preferences_remember

THEMES = UserPreference.Theme


def preference_theme_set(*, user, theme: str) -> UserPreference:
    """The service behind the switch and the Preferences form (which validated it)."""
    preference, _ = UserPreference.objects.update_or_create(user=user, defaults={"theme": theme})
    return preference


class ThemeView(View):
    """POST theme=light|dark|system (CSRF-protected like every form)."""

    http_method_names = ["post"]

    def post(self, request):
        theme = request.POST.get("theme", "")
        if theme not in THEMES.values:
            return JsonResponse(
                {
                    "error": f"“{theme[:40]}” is not a theme: choose "
                    + ", ".join(THEMES.values[:-1])
                    + f" or {THEMES.values[-1]}."
                },
                status=400,
            )
        preferences_remember(request, preference_theme_set(user=request.user, theme=theme))
        if "application/json" in request.headers.get("Accept", ""):
            return JsonResponse({"theme": theme, "label": THEMES(theme).label})
        back = request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(
            back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            back = "/"
        return redirect(back)
