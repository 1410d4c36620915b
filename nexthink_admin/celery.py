"""The Celery app: JSON only, time limits and beat's DatabaseScheduler come
from the CELERY_* settings. Without DJANGO_SETTINGS_MODULE the worker and beat
get the production settings (never the development ones): see wsgi.py."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nexthink_admin.settings.production")

app = Celery("nexthink_admin")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
