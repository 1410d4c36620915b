"""Times as every page shows them: relative ("3 min ago"), with the exact time in
the user's time zone, labelled with the zone, on hover and for screen readers.

    {{ run.created_at|when }}  <time datetime="…" title="2026-11-29 07:03:12 CET">3 min ago</time>
    {{ run.created_at|exact }} 2026-11-29 07:03:12 CET (plain text, for attributes)

Registered as a template builtin (settings TEMPLATES), so no {% load %} is needed."""

from __future__ import annotations

from datetime import date, datetime

from django import template
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.html import format_html

register = template.Library()

EXACT = "Y-m-d H:i:s T"  # the one format (also DATETIME_FORMAT: nexthink_admin/formats)
RELATIVE_UNTIL_DAYS = 30  # older (or further ahead) times show the date itself


def exact_time(value: datetime) -> str:
    return date_format(timezone.localtime(value) if timezone.is_aware(value) else value, EXACT)


def _amount(n: int, unit: str) -> str:
    return f"{n} {unit}" if unit in ("min", "h") or n == 1 else f"{n} {unit}s"


def relative_time(value: datetime, now: datetime | None = None) -> str:
    """ "just now", "3 min ago", "2 h ago", "4 days ago", "in 5 min"; beyond 30
    days the local date ("on 2026-10-01")."""
    now = now or timezone.now()
    seconds = (now - value).total_seconds()
    ahead, seconds = seconds < 0, abs(seconds)
    if seconds < 45:
        return "in under a minute" if ahead else "just now"
    if seconds < 3600:
        text = _amount(max(1, round(seconds / 60)), "min")
    elif seconds < 86400:
        text = _amount(round(seconds / 3600), "h")
    elif seconds < RELATIVE_UNTIL_DAYS * 86400:
        text = _amount(round(seconds / 86400), "day")
    else:
        return f"on {date_format(timezone.localtime(value), 'Y-m-d')}"
    return f"in {text}" if ahead else f"{text} ago"


@register.filter(name="exact")
def exact_filter(value) -> str:
    if isinstance(value, datetime):
        return exact_time(value)
    if isinstance(value, date):
        return date_format(value, "Y-m-d")
    return ""


@register.filter(name="when")
def when_filter(value):
    """A <time> element: relative text, the exact labelled time as its title and,
    for screen readers, after it in a visually hidden span."""
    if not isinstance(value, datetime):
        return ""
    exact = exact_time(value)
    return format_html(
        '<time datetime="{}" title="{}">{}<span class="visually-hidden"> ({})</span></time>',
        value.isoformat(),
        exact,
        relative_time(value),
        exact,
    )
