"""Summaries of the devices table are answered from the cache only while the
devices are unchanged: a run that stores, resizes or removes WorkSpaces shows
in the next answer, and so does a connector renamed."""

import pytest
from django.db.models import Count

from connectors.choices import RunStatus, RunTrigger
from connectors.models import Device, InboundConnector
from connectors.runs import run_execute
from nql.selectors import nql_run
from tests.conftest import CUSTOMER_ACCOUNT
from tests.connectors.factories import make_connector
from tests.devices.factories import make_devices

pytestmark = pytest.mark.django_db
REGION = "eu-west-1"
BY_SIZE = "devices | summarize n = count() by virtualization.instance_size"


def run(text: str):
    return nql_run(text=text, can_query=lambda table: True)


def stored_sizes() -> dict[str, int]:
    rows = (
        Device.objects.filter(removed_at__isnull=True)
        .values("instance_size")
        .annotate(n=Count("id"))
    )
    return {r["instance_size"]: r["n"] for r in rows}


def sync(connector) -> None:
    run_ = run_execute(connector_id=connector.pk, trigger=RunTrigger.COMMAND)
    assert run_.status == RunStatus.SUCCEEDED, run_.error_message


def test_a_summary_asked_again_after_each_run_counts_what_that_run_stored(aws_sim, aws_connector):
    aws_sim.seed(CUSTOMER_ACCOUNT, REGION, workspaces=30, bundles=6, images=3, pools=0)
    sync(aws_connector)
    assert dict(map(tuple, run(BY_SIZE).rows)) == stored_sizes()
    assert sum(r[1] for r in run(BY_SIZE).rows) == 30  # asked twice: the same answer

    for change, total in (({"add": 10}, 40), ({"resize": 8}, 40), ({"remove": 5}, 35)):
        aws_sim.mutate(CUSTOMER_ACCOUNT, REGION, **change)
        sync(aws_connector)
        rows = run(BY_SIZE).rows
        assert dict(map(tuple, rows)) == stored_sizes(), change
        assert sum(r[1] for r in rows) == total, change


def test_a_summary_by_connector_name_shows_a_rename_at_once():
    connector = make_connector("Prod EU", nql_id="prod_eu")
    make_devices(connector, 3)
    query = "devices | summarize n = count() by connector.name"
    assert run(query).rows == [["Prod EU", 3]]
    InboundConnector.objects.filter(pk=connector.pk).update(name="Production Europe")
    assert run(query).rows == [["Production Europe", 3]]
