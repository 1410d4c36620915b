from django.http import HttpRequest

from .models import UserPreference

THEME_CHOICES = UserPreference.Theme.choices


def navigation(request: HttpRequest) -> dict:
    """Which left-navigation entry is current, from the URL namespace."""
    match = getattr(request, "resolver_match", None)
    return {"nav_section": (match.namespace or match.url_name) if match else ""}


def theme(request: HttpRequest) -> dict:
    """The signed-in user's theme (light, dark or system), which base.html
    renders on <html> so the page paints in it at once."""
    return {"theme": getattr(request, "theme", "system"), "theme_choices": THEME_CHOICES}
