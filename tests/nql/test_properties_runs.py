"""Property tests over connector.runs: number fields (comparisons, sum, avg,
min, max, arithmetic) and time buckets, against plain Python."""

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from connectors.models import Run
from nql.parser import parse
from nql.selectors import nql_run
from tests.connectors.factories import make_connector
from tests.properties.strategies import CI

from .oracle import evaluate

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
runs = st.lists(
    st.fixed_dictionaries(
        {
            "connector.nql_id": st.sampled_from(["aws_prod_eu", "aws_dev_us"]),
            "status": st.sampled_from(["succeeded", "failed", "partial"]),
            "devices_seen": st.integers(0, 50),
            "throttled": st.integers(0, 3),
            "minutes_ago": st.integers(0, 60 * 24 * 5),
        }
    ),
    max_size=12,
)
conditions = st.sampled_from(
    [
        "devices_seen > 10",
        "devices_seen <= 25 and throttled >= 1",
        "status == failed or status == partial",
        "not (status == succeeded)",
        'connector.nql_id == "aws_prod_*"',
        "status in [failed, succeeded] and devices_seen != 7",
    ]
)
metrics = st.lists(
    st.sampled_from(
        [
            "n = count()",
            "seen = devices_seen.sum()",
            "mean = devices_seen.avg()",
            "low = devices_seen.min()",
            "high = devices_seen.max()",
            "ratio = throttled.sum() / count()",
            "mix = devices_seen.max() - devices_seen.min() + 1",
        ]
    ),
    min_size=1,
    max_size=3,
    unique_by=lambda m: m.split(" ")[0],
)


@pytest.fixture
def connectors():
    return {
        "aws_prod_eu": make_connector("AWS Prod EU", nql_id="aws_prod_eu"),
        "aws_dev_us": make_connector("AWS Dev US", nql_id="aws_dev_us"),
    }


def _store(connectors, values: list[dict]) -> list[dict]:
    Run.objects.all().delete()
    records = []
    for v in values:
        run = Run.objects.create(
            connector=connectors[v["connector.nql_id"]],
            status=v["status"],
            seen=v["devices_seen"],
            throttled=v["throttled"],
        )
        created = NOW - timedelta(minutes=v["minutes_ago"])
        Run.objects.filter(pk=run.pk).update(created_at=created)
        records.append({**v, "_id": run.pk, "time": created, "name": ""})
    return records


@CI
@given(
    values=runs,
    where=st.one_of(st.none(), conditions),
    chosen=metrics,
    by=st.sampled_from([[], ["connector.nql_id"], ["status", "connector.nql_id"]]),
)
def test_run_summaries_answer_as_plain_python(connectors, values, where, chosen, by):
    records = _store(connectors, values)
    text = "connector.runs"
    if where:
        text += f" | where {where}"
    text += " | summarize " + ", ".join(chosen) + (" by " + ", ".join(by) if by else "")
    result = nql_run(text=text, can_query=lambda table: True, now=NOW)
    headers, rows = evaluate(parse(text), records, now=NOW, time_field="time", bound=1000)
    assert result.headers == headers, text
    assert result.rows == rows, text


@CI
@given(values=runs, days=st.sampled_from([1, 2, 3]))
def test_time_buckets_count_each_run_once_in_its_bucket(connectors, values, days):
    records = _store(connectors, values)
    result = nql_run(
        text=f"connector.runs | summarize n = count(), seen = devices_seen.sum() by {days}d",
        can_query=lambda table: True,
        now=NOW,
    )
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    expected: dict[str, list[int]] = {}
    for r in records:
        index = (r["time"] - epoch).days // days
        start = epoch + timedelta(days=index * days)
        key = start.strftime("%Y-%m-%d %H:%M:%S")
        counts = expected.setdefault(key, [0, 0])
        counts[0] += 1
        counts[1] += r["devices_seen"]
    assert [[row[0], row[3], row[4]] for row in result.rows] == [
        [key, n, seen] for key, (n, seen) in sorted(expected.items())
    ]
    assert all(row[2] == f"{days}d" for row in result.rows)
