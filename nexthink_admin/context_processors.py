from django.http import HttpRequest


def navigation(request: HttpRequest) -> dict:
    """Which left-navigation entry is current, from the URL namespace."""
    match = getattr(request, "resolver_match", None)
    return {"nav_section": (match.namespace or match.url_name) if match else ""}
