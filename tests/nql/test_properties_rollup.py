"""Property tests: for random devices and random summaries the devices rollup
can answer, its answer is the scan's (values, row order, nulls), and it was
read from the rollup (one to three dimensions and more: the full cube)."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import given
from hypothesis import strategies as st

from connectors.devices.rollup import device_rollup_rebuild
from connectors.models import Device
from nql.compiler import compile_query
from nql.parser import parse
from nql.rollup import ROLLUP_TABLE, rollup_dimensions
from nql.runner import plan_run
from nql.selectors import nql_run
from tests.connectors.factories import make_connector
from tests.properties.strategies import CI

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
# Values of one field that differ only by case, blanks (== null) and wildcard-looking text.
POOLS = {
    "virtualization.region": ["eu-west-1", "EU-WEST-1", "us-east-1"],
    "virtualization.instance_size": ["STANDARD", "standard", "GRAPHICS_G4DN", "POWER", ""],
    "virtualization.environment_name": ["prod-eu", "Prod-US", "dev"],
    "virtualization.desktop_pool": ["finance-a", "Finance-B", ""],
    "virtualization.disk_image": ["golden-2025-01", "win11", ""],
    "virtualization.desktop_broker": ["aws_workspaces", "citrix_daas"],
    "aws.state": ["AVAILABLE", "STOPPED", "ERROR"],
    "aws.running_mode": ["AUTO_STOP", "ALWAYS_ON", ""],
    "aws.bundle_id": ["wsb-1", "wsb-2"],
    "aws.image_id": ["wsi-1", "WSI-1", ""],
    "connector.nql_id": ["aws_prod_eu", "aws_dev_us"],
    "connector.name": ["AWS Prod EU", "AWS Dev US"],
}
ATTRS = {
    "virtualization.region": "region",
    "virtualization.instance_size": "instance_size",
    "virtualization.environment_name": "environment_name",
    "virtualization.desktop_pool": "desktop_pool",
    "virtualization.disk_image": "disk_image",
    "virtualization.desktop_broker": "desktop_broker",
    "aws.state": "state",
    "aws.running_mode": "running_mode",
    "aws.bundle_id": "bundle_id",
    "aws.image_id": "image_id",
}
FIELDS = list(POOLS)
VERSION_READ = re.compile(
    r'SELECT MAX\("connectors_device"\."\w+"\) AS "v" FROM "connectors_device"'
)
GROUP_FIELDS = [*FIELDS, "virtualization.type"]

device_values = st.fixed_dictionaries(
    {
        **{attr: st.sampled_from(POOLS[name]) for name, attr in ATTRS.items()},
        "connector": st.sampled_from(["aws_prod_eu", "aws_dev_us"]),
        "pool_type": st.sampled_from(["personal", "pooled"]),
        "removed": st.sampled_from([False, False, False, True]),
    }
)


@st.composite
def patterns(draw, field: str) -> str:
    value = draw(st.sampled_from([v for v in POOLS[field] if v] + ["zzz"]))
    form = draw(st.sampled_from(["same", "upper", "lower", "prefix", "suffix", "single", "star"]))
    if form == "upper":
        return value.upper()
    if form == "lower":
        return value.lower()
    if form == "prefix":
        return value[: max(1, len(value) // 2)] + "*"
    if form == "suffix":
        return "*" + value[len(value) // 2 :]
    if form == "single":
        return value[:-1] + "?"
    if form == "star":
        return "*"
    return value


@st.composite
def leaves(draw) -> str:
    kind = draw(st.sampled_from(["string", "string", "enum", "null", "in"]))
    if kind == "string":
        field = draw(st.sampled_from(FIELDS))
        return f'{field} {draw(st.sampled_from(["==", "!=", "="]))} "{draw(patterns(field))}"'
    if kind == "enum":
        value = draw(st.sampled_from(["pooled", "personal", "POOLED"]))
        return f"virtualization.type {draw(st.sampled_from(['==', '!=']))} {value}"
    if kind == "null":
        field = draw(st.sampled_from(FIELDS))
        return f"{field} {draw(st.sampled_from(['==', '!=']))} null"
    field = draw(st.sampled_from(FIELDS))
    values = draw(st.lists(patterns(field), min_size=1, max_size=3))
    quoted = ", ".join(f'"{v}"' for v in values)
    return f"{field} {draw(st.sampled_from(['in', '!in']))} [{quoted}]"


conditions = st.recursive(
    leaves(),
    lambda inner: st.one_of(
        st.tuples(inner, st.sampled_from(["and", "or"]), inner).map(" ".join),
        inner.map(lambda c: f"not ({c})"),
    ),
    max_leaves=3,
)


@st.composite
def summaries(draw) -> str:
    text = "devices"
    for _ in range(draw(st.integers(0, 1))):
        text += f" | where {draw(conditions)}"
    keys = draw(st.lists(st.sampled_from(GROUP_FIELDS), max_size=3, unique=True))
    metrics = ["n = count()"]
    if draw(st.booleans()):
        metrics.append(f"hits = countif({draw(conditions)})")
    if draw(st.booleans()):
        metrics.append(f"share = countif({draw(leaves())}) / count()")
    if draw(st.booleans()):
        metrics.append("twice = count() * 2 + 1")
    text += " | summarize " + ", ".join(metrics)
    if keys:
        text += " by " + ", ".join(keys)
    if draw(st.booleans()):
        target = draw(st.sampled_from(["n", *keys]))
        text += f" | sort {target} {draw(st.sampled_from(['asc', 'desc']))}"
    if draw(st.booleans()):
        text += f" | limit {draw(st.integers(1, 5))}"
    return text


@pytest.fixture
def connectors():
    return {
        "aws_prod_eu": make_connector("AWS Prod EU", nql_id="aws_prod_eu"),
        "aws_dev_us": make_connector("AWS Dev US", nql_id="aws_dev_us", region="us-east-1"),
    }


def _store(connectors, devices: list[dict]) -> None:
    Device.objects.all().delete()
    Device.objects.bulk_create(
        Device(
            connector=connectors[values["connector"]],
            source_id=f"ws-{i}",
            name=f"ws-{i}",
            pool_type=values["pool_type"],
            last_update=NOW - timedelta(hours=i),
            removed_at=NOW if values["removed"] else None,
            **{attr: values[attr] for attr in ATTRS.values()},
        )
        for i, values in enumerate(devices)
    )


def scans_devices(sql: str) -> bool:
    """A statement reading the devices' rows (not the version's MAX of one indexed column)."""
    return '"connectors_device"' in sql and not VERSION_READ.fullmatch(sql)


def _scan(text: str):
    return plan_run(compile_query(text, now=NOW), default_rows=500)


@CI
@given(devices=st.lists(device_values, max_size=16), text=summaries())
def test_a_summary_counted_from_the_rollup_answers_as_the_scan_of_the_devices(
    connectors, devices, text
):
    _store(connectors, devices)
    device_rollup_rebuild()
    assert rollup_dimensions(parse(text)) is not None, text
    with CaptureQueriesContext(connection) as queries:
        counted = nql_run(text=text, can_query=lambda table: True, now=NOW, default_rows=500)
    statements = [q["sql"] for q in queries.captured_queries]
    assert any(ROLLUP_TABLE in sql for sql in statements), text
    assert not any(scans_devices(sql) for sql in statements), text
    scanned = _scan(text)
    assert counted.headers == scanned.headers, text
    assert counted.rows == scanned.rows, text
    assert counted.truncated == scanned.truncated, text
