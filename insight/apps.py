from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _ensure_schedule(sender, **kwargs) -> None:
    from .schedules import schedules_ensure

    schedules_ensure()


class InsightConfig(AppConfig):
    name = "insight"
    verbose_name = "Health, usage and drift"

    def ready(self) -> None:
        # Every `migrate` (make run does one) creates or repairs this app's beat entries.
        post_migrate.connect(_ensure_schedule, sender=self, dispatch_uid="insight-schedule")
