"""The Celery app: JSON only, time limits and beat's scheduler (beat_scheduler.py) come
from the CELERY_* settings."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nexthink_admin.settings.local")

app = Celery("nexthink_admin")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
