"""The Celery app: JSON only, time limits and beat's scheduler (operations/beat.py) come
from the CELERY_* settings. Without DJANGO_SETTINGS_MODULE the worker and beat
get the production settings (never the development ones): see wsgi.py."""

import os

from celery import Celery
from celery.signals import after_setup_logger, after_setup_task_logger

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nexthink_admin.settings.production")

app = Celery("nexthink_admin")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@after_setup_logger.connect
@after_setup_task_logger.connect
def _json_lines_when_asked(logger=None, **kwargs) -> None:
    """Worker and beat log as the web server does when LOG_FORMAT=json."""
    from django.conf import settings

    if logger is not None and getattr(settings, "LOG_FORMAT", "plain") == "json":
        from operations.logs import use_json_lines

        use_json_lines(logger)
