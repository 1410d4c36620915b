import json

import pytest
from django.urls import reverse
from django_celery_beat.models import IntervalSchedule, PeriodicTask, PeriodicTasks

from connectors.models import InboundConnector
from connectors.services import (
    ConnectorData,
    connector_delete,
    connector_save,
    connector_set_enabled,
)

from .factories import form_data, make_connector

pytestmark = pytest.mark.django_db


def only_task() -> PeriodicTask:
    (task,) = PeriodicTask.objects.filter(name__startswith="connector:")
    return task


def test_creating_a_connector_creates_one_periodic_task_with_only_its_id():
    connector = make_connector(recurrence=15)
    task = only_task()
    assert task.name == f"connector:{connector.pk}"
    assert task.task == "connectors.tasks.run_connector"
    assert json.loads(task.kwargs) == {"connector_id": connector.pk}
    assert json.loads(task.args) == []
    assert (task.interval.every, task.interval.period) == (15, IntervalSchedule.MINUTES)
    assert task.enabled
    connector.refresh_from_db()
    assert connector.periodic_task_id == task.pk


def test_beat_kwargs_never_carry_credential_material():
    connector = make_connector()
    task = only_task()
    for secret in (connector.credential.external_id, connector.credential.role_arn):
        assert secret not in task.kwargs and secret not in task.args


@pytest.mark.parametrize("minutes", [15, 30, 60, 120, 240, 360, 720, 1440])
def test_every_recurrence_is_reflected_in_the_beat_interval(minutes):
    connector = make_connector(recurrence=60)
    data = ConnectorData(
        name=connector.name,
        description="",
        recurrence=minutes,
        credential_id=connector.credential_id,
        parameters=connector.parameters,
        environment_name=connector.environment_name,
    )
    connector_save(data=data, connector=connector)
    assert only_task().interval.every == minutes


def test_interval_rows_are_reused_not_duplicated():
    first = make_connector("A", recurrence=30)
    make_connector("B", credential=first.credential, recurrence=30)
    connector_save(
        data=ConnectorData(
            name="A",
            description="",
            recurrence=30,
            credential_id=first.credential_id,
            parameters={"region": "eu-west-1"},
            environment_name="E",
        ),
        connector=first,
    )
    assert IntervalSchedule.objects.filter(every=30, period="minutes").count() == 1
    assert PeriodicTask.objects.filter(name__startswith="connector:").count() == 2


def test_disabling_and_enabling_follow_in_the_periodic_task():
    connector = make_connector()
    connector_set_enabled(connector=connector, enabled=False)
    assert only_task().enabled is False
    connector_set_enabled(connector=connector, enabled=True)
    assert only_task().enabled is True


def test_deleting_the_connector_removes_its_periodic_task():
    connector = make_connector()
    connector_delete(connector=connector)
    assert not PeriodicTask.objects.filter(name__startswith="connector:").exists()
    assert not InboundConnector.objects.exists()


def test_schedule_changes_bump_beats_change_marker_so_beat_reloads_without_restart():
    connector = make_connector(recurrence=60)
    before = PeriodicTasks.last_change()
    connector_set_enabled(connector=connector, enabled=False)
    after = PeriodicTasks.last_change()
    assert after is not None and (before is None or after > before)


def test_a_failed_save_leaves_no_half_written_schedule(monkeypatch):
    from connectors import schedules

    def boom(**kwargs):
        raise RuntimeError("beat tables unavailable")

    monkeypatch.setattr(schedules, "periodic_task_sync", boom)
    with pytest.raises(RuntimeError):
        make_connector()
    assert not InboundConnector.objects.exists()


def test_views_keep_the_schedule_in_step(admin_client, make_user):
    from tests.credentials.factories import make_credential

    credential = make_credential()
    admin_client.post(
        reverse("connectors:create", args=["aws_workspaces"]),
        form_data(credential, recurrence="15"),
    )
    connector = InboundConnector.objects.get()
    assert only_task().interval.every == 15
    admin_client.post(
        reverse("connectors:edit", args=[connector.pk]), form_data(credential, recurrence="720")
    )
    assert only_task().interval.every == 720
    admin_client.post(reverse("connectors:toggle", args=[connector.pk]))
    assert only_task().enabled is False
    admin_client.post(reverse("connectors:delete", args=[connector.pk]))
    assert not PeriodicTask.objects.filter(name__startswith="connector:").exists()


def test_django_admin_keeps_the_schedule_in_step(admin_client):
    from tests.credentials.factories import make_credential

    credential = make_credential()
    add = reverse("admin:connectors_inboundconnector_add")
    response = admin_client.post(
        add, {**form_data(credential, nql_id="from_admin", recurrence="30"), "enabled": "on"}
    )
    assert response.status_code == 302
    connector = InboundConnector.objects.get()
    assert only_task().interval.every == 30 and only_task().enabled
    change = reverse("admin:connectors_inboundconnector_change", args=[connector.pk])
    admin_client.post(change, form_data(credential, recurrence="120"))  # enabled unchecked
    task = only_task()
    assert task.interval.every == 120 and task.enabled is False
    admin_client.post(
        reverse("admin:connectors_inboundconnector_delete", args=[connector.pk]), {"post": "yes"}
    )
    assert not PeriodicTask.objects.filter(name__startswith="connector:").exists()


def test_a_new_connector_is_due_at_once_then_on_its_interval():
    from django_celery_beat.schedulers import ModelEntry

    make_connector(recurrence=60)
    entry = ModelEntry(only_task())
    due, _ = entry.is_due()
    assert due


def test_next_run_follows_the_newest_run_even_before_beat_saves_last_run_at():
    from datetime import timedelta

    from django.utils import timezone

    from connectors import selectors
    from connectors.models import Run

    connector = make_connector(recurrence=60)
    Run.objects.create(connector=connector, status="succeeded")
    listed = selectors.connector_detail(pk=connector.pk)
    next_run = selectors.connector_next_run(listed)
    assert timedelta(minutes=59) < next_run - timezone.now() <= timedelta(minutes=60)
    connector_set_enabled(connector=connector, enabled=False)
    assert selectors.connector_next_run(selectors.connector_detail(pk=connector.pk)) is None
