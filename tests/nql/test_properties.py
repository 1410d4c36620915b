"""Property tests: for random devices and random queries, the database's
answer (compiled ORM) equals a plain-Python evaluation (tests/nql/oracle.py)."""

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from connectors.models import Device
from nql.parser import parse
from nql.selectors import nql_run
from nql.tables import table_get
from tests.connectors.factories import make_connector
from tests.properties.strategies import CI

from .oracle import evaluate

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
POOLS = {
    "name": ["ws-a", "ws-b", "WS-C", "pc-1", "pc-10", "alpha"],
    "virtualization.desktop_pool": ["finance-a", "Finance-B", "hr", "", "eng pool"],
    "virtualization.environment_name": ["prod-eu", "Prod-US", "dev", "staging"],
    "virtualization.disk_image": ["golden-2025-01", "golden-2024-12", "win11", ""],
    "virtualization.instance_size": ["STANDARD", "GRAPHICS_G4DN", "graphics.g5", "POWER", ""],
    "virtualization.region": ["eu-west-1", "us-east-1", "ap-south-1"],
    "virtualization.desktop_broker": ["aws_workspaces", "citrix_daas"],
    "aws.state": ["AVAILABLE", "STOPPED", "ERROR"],
    "connector.nql_id": ["aws_prod_eu", "aws_dev_us"],
}
STRING_FIELDS = list(POOLS)
GROUP_FIELDS = [f for f in STRING_FIELDS if f != "name"] + ["virtualization.type"]
ATTRS = {
    "name": "name",
    "virtualization.desktop_pool": "desktop_pool",
    "virtualization.environment_name": "environment_name",
    "virtualization.disk_image": "disk_image",
    "virtualization.instance_size": "instance_size",
    "virtualization.region": "region",
    "virtualization.desktop_broker": "desktop_broker",
    "aws.state": "state",
}

device_values = st.fixed_dictionaries(
    {
        **{name: st.sampled_from(values) for name, values in POOLS.items()},
        "virtualization.type": st.sampled_from(["personal", "pooled"]),
        "hours_ago": st.integers(0, 24 * 12),
        "removed": st.sampled_from([False, False, False, True]),
    }
)


@st.composite
def patterns(draw, field: str) -> str:
    value = draw(st.sampled_from([v for v in POOLS[field] if v] + ["zzz"]))
    form = draw(st.sampled_from(["same", "upper", "prefix", "suffix", "inner", "single", "star"]))
    if form == "upper":
        return value.upper()
    if form == "prefix":
        return value[: max(1, len(value) // 2)] + "*"
    if form == "suffix":
        return "*" + value[len(value) // 2 :]
    if form == "inner":
        return "*" + value[1:-1] + "*"
    if form == "single":
        return value[:-1] + "?"
    if form == "star":
        return "*"
    return value


@st.composite
def leaves(draw) -> str:
    kind = draw(st.sampled_from(["string", "string", "enum", "null", "in", "elapsed", "datetime"]))
    if kind == "string":
        field = draw(st.sampled_from(STRING_FIELDS))
        op = draw(st.sampled_from(["==", "!=", "="]))
        return f'{field} {op} "{draw(patterns(field))}"'
    if kind == "enum":
        op = draw(st.sampled_from(["==", "!="]))
        return f"virtualization.type {op} {draw(st.sampled_from(['pooled', 'personal', 'POOLED']))}"
    if kind == "null":
        field = draw(st.sampled_from(["virtualization.desktop_pool", "virtualization.disk_image"]))
        return f"{field} {draw(st.sampled_from(['==', '!=']))} null"
    if kind == "in":
        field = draw(st.sampled_from(STRING_FIELDS))
        values = draw(st.lists(patterns(field), min_size=1, max_size=3))
        op = draw(st.sampled_from(["in", "!in"]))
        return f"{field} {op} [{', '.join(chr(34) + v + chr(34) for v in values)}]"
    if kind == "elapsed":
        op = draw(st.sampled_from([">", ">=", "<", "<="]))
        amount = draw(st.sampled_from(["1d", "2d", "36h", "5d", "90min"]))
        return f"virtualization.last_update.time_elapsed() {op} {amount}"
    op = draw(st.sampled_from([">", ">=", "<", "<=", "==", "!="]))
    moment = NOW - timedelta(hours=draw(st.integers(0, 24 * 12)))
    return f"virtualization.last_update {op} {moment:%Y-%m-%d %H:%M:%S}"


conditions = st.recursive(
    leaves(),
    lambda inner: st.one_of(
        st.tuples(inner, st.sampled_from(["and", "or", "AND"]), inner).map(
            lambda t: f"{t[0]} {t[1]} {t[2]}"
        ),
        inner.map(lambda c: f"not ({c})"),
        inner.map(lambda c: f"({c})"),
    ),
    max_leaves=4,
)


@st.composite
def queries(draw) -> str:
    text = "devices"
    text += draw(
        st.sampled_from(["", "", " during past 3d", " during past 30h", "  during past 1d"])
    )
    for _ in range(draw(st.integers(0, 2))):
        text += f" | where {draw(conditions)}"
    if draw(st.booleans()):
        columns = draw(
            st.lists(
                st.sampled_from(STRING_FIELDS + ["virtualization.type"]),
                min_size=1,
                max_size=3,
                unique=True,
            )
        )
        text += " | list " + ", ".join(columns)
        if draw(st.booleans()):
            text += (
                f" | sort {draw(st.sampled_from(columns))} {draw(st.sampled_from(['asc', 'desc']))}"
            )
    else:
        keys = draw(st.lists(st.sampled_from(GROUP_FIELDS), min_size=0, max_size=2, unique=True))
        metrics = ["n = count()"]
        if draw(st.booleans()):
            metrics.append(f"hits = countif({draw(conditions)})")
        if draw(st.booleans()):
            metrics.append(f"share = countif({draw(leaves())}) / count()")
        text += " | summarize " + ", ".join(metrics)
        if keys:
            text += " by " + ", ".join(keys)
        if draw(st.booleans()):
            target = draw(st.sampled_from(["n", *keys]))
            text += f" | sort {target} {draw(st.sampled_from(['asc', 'desc']))}"
    if draw(st.booleans()):
        text += f" | limit {draw(st.integers(1, 6))}"
    return text


@pytest.fixture
def connectors():
    return {
        "aws_prod_eu": make_connector("AWS Prod EU", nql_id="aws_prod_eu"),
        "aws_dev_us": make_connector("AWS Dev US", nql_id="aws_dev_us", region="us-east-1"),
    }


def _store(connectors, devices: list[dict]) -> list[dict]:
    Device.objects.all().delete()
    records = []
    for i, values in enumerate(devices):
        device = Device.objects.create(
            connector=connectors[values["connector.nql_id"]],
            source_id=f"ws-{i}",
            pool_type=values["virtualization.type"],
            last_update=NOW - timedelta(hours=values["hours_ago"]),
            removed_at=NOW if values["removed"] else None,
            **{attr: values[name] for name, attr in ATTRS.items()},
        )
        if values["removed"]:
            continue  # removed devices are not in the devices table
        record = {name: values[name] for name in POOLS}
        record.update(
            {
                "_id": device.pk,
                "virtualization.type": values["virtualization.type"],
                "virtualization.last_update": device.last_update,
            }
        )
        records.append(record)
    return records


@CI
@given(devices=st.lists(device_values, max_size=14), text=queries())
def test_every_query_answers_as_the_plain_python_evaluation(connectors, devices, text):
    records = _store(connectors, devices)
    result = nql_run(text=text, can_query=lambda table: True, now=NOW, default_rows=500)
    headers, rows = evaluate(
        parse(text), records, now=NOW, time_field="virtualization.last_update", bound=500
    )
    assert result.headers == headers, text
    assert result.rows == rows, text


def test_the_devices_table_declares_every_field_the_property_tests_use():
    table = table_get("devices")
    for name in [*POOLS, "virtualization.type", "virtualization.last_update"]:
        assert table.field(name) is not None, name
