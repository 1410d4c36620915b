"""Beat picks up connectors however close to its start they are saved
(issue 13, defect 4: `make demo` created its connectors 35 ms after beat
started, and django-celery-beat missed them for five minutes)."""

import pytest
from django.utils.module_loading import import_string
from django_celery_beat.models import PeriodicTasks

from nexthink_admin.celery import app as celery_app
from tests.connectors.factories import make_connector

pytestmark = pytest.mark.django_db(transaction=True)


def start_beat_scheduler():
    """Beat's start, stopped right after its initial read of the schedule
    (before it first checks the change marker): the window in which `make
    demo` saved its connectors."""
    scheduler_class = import_string(celery_app.conf.beat_scheduler.replace(":", "."))
    scheduler = scheduler_class(app=celery_app, lazy=True)
    assert scheduler.schedule is not None  # the initial read
    return scheduler


def test_a_connector_saved_right_after_beat_starts_on_a_fresh_database_is_scheduled():
    PeriodicTasks.objects.all().delete()  # a fresh database: no change marker yet
    scheduler = start_beat_scheduler()
    connector = make_connector("Saved as beat starts")
    assert connector.beat_task_name in scheduler.schedule


def test_a_connector_saved_between_beat_reading_and_its_first_check_is_scheduled():
    make_connector("Already there")  # a marker exists
    scheduler = start_beat_scheduler()
    connector = make_connector("Saved 35 ms later")
    assert connector.beat_task_name in scheduler.schedule


def test_beat_does_not_reread_an_unchanged_schedule(monkeypatch):
    make_connector("Already there")
    scheduler = start_beat_scheduler()
    scheduler.schedule  # noqa: B018  (its first check)
    assert not scheduler.schedule_changed()
    make_connector("Another")
    assert scheduler.schedule_changed()
