"""Django admin: no staff user can make it answer 500, and the console stays
the only way to rewire a connector's schedule."""

import pytest
from django.contrib import admin
from django.urls import reverse

from connectors.models import Run
from nexthink_admin.audit import audit_record
from tests.connectors.factories import make_connector
from tests.devices.factories import make_device

pytestmark = pytest.mark.django_db


def date_hierarchy_admins():
    return sorted(
        (model._meta.label, model_admin.date_hierarchy)
        for model, model_admin in admin.site._registry.items()
        if model_admin.date_hierarchy
    )


def test_the_date_hierarchy_admins_include_devices_runs_changes_and_audit():
    labels = {label for label, _ in date_hierarchy_admins()}
    assert {
        "connectors.Device",
        "connectors.Run",
        "connectors.DeviceChange",
        "nexthink_admin.AuditEvent",
    } <= labels


@pytest.mark.parametrize("label, field", date_hierarchy_admins())
@pytest.mark.parametrize(
    "query",
    [
        "{f}__year=99999999999999999999999999",
        "{f}__year=2025&{f}__month=99999999999999999999999999",
        "{f}__year=2025&{f}__month=1&{f}__day=99999999999999999999999999",
        "{f}__year=9999&{f}__month=12",
        "{f}__year=9999",
        "{f}__year=0",
        "{f}__year=-1",
        "{f}__year=٢٠٢٥",
        "{f}__year=2025&{f}__month=13",
    ],
)
def test_an_out_of_range_date_in_the_admin_hierarchy_is_not_a_500(
    admin_client, label, field, query
):
    connector = make_connector("Admin dates")
    make_device(connector)
    Run.objects.create(connector=connector, status="succeeded")
    audit_record(actor=None, action="created", obj=connector, object_type="connector")
    app_label, model = label.lower().split(".")
    url = reverse(f"admin:{app_label}_{model}_changelist") + "?" + query.format(f=field)
    response = admin_client.get(url)
    assert response.status_code in (200, 302), f"{url}: {response.status_code}"


def test_connector_schedules_cannot_be_edited_in_django_admin(admin_client):
    connector = make_connector("Scheduled")
    task = connector.periodic_task
    index = admin_client.get(reverse("admin:index")).content.decode()
    assert "Periodic tasks" not in index
    for url in (
        f"/admin/django_celery_beat/periodictask/{task.pk}/change/",
        "/admin/django_celery_beat/periodictask/add/",
        "/admin/django_celery_beat/intervalschedule/",
    ):
        assert admin_client.get(url).status_code in (302, 404), url
    admin_client.post(
        f"/admin/django_celery_beat/periodictask/{task.pk}/change/",
        {"name": "connector:999", "task": "connectors.tasks.run_connector", "kwargs": "{}"},
    )
    task.refresh_from_db()
    assert task.name == connector.beat_task_name
