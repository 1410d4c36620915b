"""The devices rollup that cold NQL summaries count from: rebuilt by a run's
end and a connector's deletion, never used once the devices changed without
a rebuild, and never for the queries it cannot answer."""

import io

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from connectors.choices import RunStatus, RunTrigger
from connectors.devices.rollup import device_rollup_rebuild, device_rollup_refresh
from connectors.models import Device, DeviceRollup, DeviceRollupBuild
from connectors.runs import run_execute
from connectors.services import connector_delete
from connectors.tasks import device_rollup_refresh as refresh_task
from nexthink_admin.celery import app as celery_app
from nql.parser import parse
from nql.rollup import ROLLUP_TABLE, rollup_dimensions
from nql.selectors import nql_run
from tests.conftest import CUSTOMER_ACCOUNT
from tests.connectors.factories import make_connector
from tests.devices.factories import make_devices
from tests.insight.helpers import finish_run

from .test_properties_rollup import scans_devices

pytestmark = pytest.mark.django_db
REGION = "eu-west-1"
BY_SIZE = "devices | summarize n = count() by virtualization.instance_size"
BY_REGION = "devices | summarize n = count() by virtualization.region"


def answered(text: str) -> tuple[list[list], str]:
    """The rows of a cold summary (nothing cached), and where they were counted from:
    "rollup" or "scan"."""
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        rows = nql_run(text=text, can_query=lambda table: True).rows
    statements = [q["sql"] for q in queries.captured_queries]
    if any(scans_devices(sql) for sql in statements):
        return rows, "scan"
    assert any(ROLLUP_TABLE in sql for sql in statements), statements
    return rows, "rollup"


def stored(attr: str) -> list[list]:
    rows = (
        Device.objects.filter(removed_at__isnull=True)
        .values(attr)
        .annotate(n=Count("id"))
        .order_by(attr)
    )
    return [[r[attr], r["n"]] for r in rows]


def sync(connector) -> None:
    run = run_execute(connector_id=connector.pk, trigger=RunTrigger.COMMAND)
    assert run.status == RunStatus.SUCCEEDED, run.error_message


def test_after_a_run_summaries_scan_until_the_refresh_on_beat_recounts_the_rollup(
    aws_sim, aws_connector
):
    aws_sim.seed(CUSTOMER_ACCOUNT, REGION, workspaces=30, bundles=6, images=3, pools=0)
    sync(aws_connector)
    assert answered(BY_SIZE) == (stored("instance_size"), "scan")  # the run did not recount
    refresh_task()  # what beat runs every minute
    assert answered(BY_SIZE) == (stored("instance_size"), "rollup")

    aws_sim.mutate(CUSTOMER_ACCOUNT, REGION, add=10)
    sync(aws_connector)
    assert answered(BY_SIZE) == (stored("instance_size"), "scan")
    refresh_task()
    rows, source = answered(BY_SIZE)
    assert (rows, source) == (stored("instance_size"), "rollup")
    assert sum(n for _, n in rows) == 40  # the ten the last run stored are counted


def test_the_refresh_is_on_beat_every_minute_and_known_to_the_worker(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["refresh-device-rollup"]
    assert entry["task"] == refresh_task.name == "connectors.tasks.device_rollup_refresh"
    assert entry["schedule"] == settings.DEVICE_ROLLUP_REFRESH_SECONDS == 60
    assert celery_app.tasks[refresh_task.name].name == refresh_task.name  # the worker knows it


def test_devices_changed_without_a_rebuild_are_counted_by_a_scan():
    eu = make_connector("AWS Prod EU", nql_id="aws_prod_eu")
    make_devices(eu, 3)
    device_rollup_rebuild()
    assert answered(BY_REGION) == ([[REGION, 3]], "rollup")

    make_devices(eu, 2, start=10, region="eu-central-1")  # stored by other means: no rebuild
    assert answered(BY_REGION) == ([["eu-central-1", 2], [REGION, 3]], "scan")
    Device.objects.filter(region="eu-central-1").update(
        removed_at=Device.objects.first().last_update
    )
    assert answered(BY_REGION) == ([[REGION, 3]], "scan")

    out = io.StringIO()
    call_command("rebuild_device_rollup", stdout=out)
    assert "3 active devices" in out.getvalue()
    assert answered(BY_REGION) == ([[REGION, 3]], "rollup")


def test_a_run_that_ended_since_the_build_is_recounted_even_if_the_version_did_not_move():
    """Two runs writing at once: a batch committed late with timestamps and ids below
    those already stored leaves the devices' version as it was; its run ends after."""
    eu = make_connector("AWS Prod EU", nql_id="aws_prod_eu")
    make_devices(eu, 3)
    device_rollup_rebuild()
    Device.objects.filter(name__endswith="1").update(region="eu-central-1")  # version unmoved

    device_rollup_refresh()  # no run ended since the build: nothing to recount
    assert answered(BY_REGION) == ([[REGION, 3]], "rollup")  # the window the run's end closes

    finish_run(eu, timezone.now())
    device_rollup_refresh()
    assert answered(BY_REGION) == (stored("region"), "rollup")
    assert stored("region") != [[REGION, 3]]
    build = DeviceRollupBuild.objects.get()
    device_rollup_refresh()  # nothing new since: the build stays
    assert DeviceRollupBuild.objects.get().built_at == build.built_at


def test_a_deleted_connectors_devices_leave_the_rollup_with_it():
    eu = make_connector("AWS Prod EU", nql_id="aws_prod_eu")
    us = make_connector("AWS Dev US", nql_id="aws_dev_us", region="us-east-1")
    make_devices(eu, 3)
    make_devices(us, 2, start=10)
    device_rollup_rebuild()
    by_connector = "devices | summarize n = count() by connector.nql_id, virtualization.region"
    assert answered(by_connector) == (
        [["aws_dev_us", "us-east-1", 2], ["aws_prod_eu", REGION, 3]],
        "rollup",
    )

    us_pk = us.pk
    connector_delete(connector=us)
    assert not DeviceRollup.objects.filter(connector_id=us_pk).exists()
    assert answered(BY_REGION) == ([[REGION, 3]], "scan")  # until the next refresh
    device_rollup_refresh()
    assert answered(by_connector) == ([["aws_prod_eu", REGION, 3]], "rollup")
    assert answered(BY_REGION) == ([[REGION, 3]], "rollup")
    assert answered("devices | summarize n = count()") == ([[3]], "rollup")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('devices | where name == "WSAMZN-000001" | summarize n = count()', [[1]]),
        (
            "devices | summarize n = count(), latest = virtualization.last_update.max() "
            "by virtualization.region",
            [[REGION, 3]],
        ),
        ("devices | summarize n = count() by 1d", None),
        ("devices during past 30d | summarize n = count()", [[0]]),
        (
            "devices | summarize n = countif(virtualization.last_update.time_elapsed() > 1d)",
            [[3]],
        ),
    ],
)
def test_summaries_the_rollup_cannot_answer_scan_the_devices(text, expected):
    eu = make_connector("AWS Prod EU", nql_id="aws_prod_eu")
    make_devices(eu, 3)
    device_rollup_rebuild()
    assert rollup_dimensions(parse(text)) is None
    rows, source = answered(text)
    assert source == "scan"
    if expected is not None:
        assert [row[: len(expected[0])] for row in rows] == expected
    else:
        assert [row[-1] for row in rows] == [3]


def test_a_summary_over_no_devices_counts_nothing_from_the_rollup():
    device_rollup_rebuild()
    assert answered("devices | summarize n = count()") == ([[0]], "rollup")
    assert answered(BY_REGION) == ([], "rollup")


def test_three_dimensions_scan_when_the_cube_was_too_large_to_keep(monkeypatch):
    eu = make_connector("AWS Prod EU", nql_id="aws_prod_eu")
    make_devices(eu, 2)
    make_devices(eu, 1, start=10, state="STOPPED")
    three = "devices | summarize n = count() by virtualization.region, aws.state, aws.running_mode"
    expected = [[REGION, "AVAILABLE", "AUTO_STOP", 2], [REGION, "STOPPED", "AUTO_STOP", 1]]
    device_rollup_rebuild()
    assert answered(three) == (expected, "rollup")  # from the full cube

    monkeypatch.setattr("connectors.devices.rollup.CUBE_ALWAYS_ROWS", 0)
    monkeypatch.setattr("connectors.devices.rollup.CUBE_MAX_SHARE", 0)
    assert device_rollup_rebuild().has_cube is False
    assert answered(three) == (expected, "scan")
    two = "devices | summarize n = count() by virtualization.region, aws.state"
    assert answered(two) == ([[REGION, "AVAILABLE", 2], [REGION, "STOPPED", 1]], "rollup")


def test_a_refresh_that_fails_is_logged_and_summaries_keep_scanning(
    aws_sim, aws_connector, monkeypatch, caplog
):
    def boom(**kwargs):
        raise RuntimeError("rollup down")

    monkeypatch.setattr("connectors.devices.rollup.device_rollup_rebuild", boom)
    aws_sim.seed(CUSTOMER_ACCOUNT, REGION, workspaces=12, bundles=3, images=2, pools=0)
    sync(aws_connector)  # a run never recounts: it cannot fail on the rollup
    assert refresh_task() is None
    assert "refreshing it failed" in caplog.text
    assert answered(BY_SIZE) == (stored("instance_size"), "scan")
