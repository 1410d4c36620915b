"""What Django admin must never do, applied to every registered model admin,
ours and the libraries' alike.

- A date hierarchy (``?at__year=…&at__month=…``) built from an out-of-range
  number raised OverflowError or ValueError outside Django's own check: a 500
  that any staff user could trigger. It is now an invalid lookup, which Django
  answers like any bad filter (the list again, with ``?e=1``).
- django-celery-beat's periodic tasks and schedules are not editable in admin:
  each connector's schedule is kept by the console (connectors/schedules.py),
  and an edited ``connector:N`` task would bypass it. Their change page also
  used an inline script, which the CSP blocks.
"""

from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ChangeList


class SafeDateHierarchyChangeList(ChangeList):
    def get_filters(self, request):
        try:
            return super().get_filters(request)
        except (OverflowError, ValueError) as exc:
            raise IncorrectLookupParameters(exc) from exc


def _safe_changelist(request, **kwargs):
    return SafeDateHierarchyChangeList


def harden_admin_site(site: admin.AdminSite = admin.site) -> None:
    from django_celery_beat import models as beat

    for model in (
        beat.PeriodicTask,
        beat.IntervalSchedule,
        beat.CrontabSchedule,
        beat.SolarSchedule,
        beat.ClockedSchedule,
    ):
        if site.is_registered(model):
            site.unregister(model)
    for model_admin in site._registry.values():
        if model_admin.date_hierarchy:
            model_admin.get_changelist = _safe_changelist
