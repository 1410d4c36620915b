"""Benchmark 7: the Health, Usage and Drift pages at 1,000 devices with one
day of runs vs 100,000 devices with 90 days of runs every 15 minutes (issue
15's scale target: same number of queries, at most twice the time).

The devices come from browsing_data (benchmark 5's fleet: WorkSpaces as
Device rows, pool sessions as PoolSession rows); on top of them the
child writes what 90 days of runs would have left under the default
retention: a snapshot per connector every 15 minutes (the newest written by
insight's snapshot_record, as a run's end does), each personal
WorkSpace's tracked state, state changes for a third of the AUTO_STOP
WorkSpaces twice a working day, and drift. Scratch SQLite, Django's test
Client, like benchmark 5."""

from __future__ import annotations

import json
import os
import sys
import time
from datetime import timedelta

from .common import PY, base_env, fmt_s, median, raw, run_timed, sqlite_url

PAGES = (
    ("health", "insight:health", ""),
    ("usage", "insight:usage", ""),
    ("likely unused", "insight:unused", ""),
    ("drift", "insight:drift", ""),
    ("drift changes", "insight:drift_changes", ""),
    ("state changes", "insight:transitions", ""),
)


def run(ctx) -> None:
    res = ctx.results
    sizes = ((200, 1), (2_000, 3)) if ctx.quick else ((1_000, 1), (100_000, 90))
    reps = 1 if ctx.quick else 5
    db = ctx.scratch.path("history.sqlite3")
    arg = ",".join(f"{n}x{d}" for n, d in sizes)
    out = (
        run_timed(
            [PY, "-m", "bench.history", arg, str(reps)],
            base_env(DATABASE_URL=sqlite_url(db)),
            timeout=3600,
        )
        .check("history driver")
        .json()
    )  # fmt: skip
    (n0, d0), (n1, d1) = sizes
    small, large = out["sizes"][arg.split(",")[0]], out["sizes"][arg.split(",")[1]]
    res.raw["7 history rows at the large size"] = out["rows"]
    res.raw["7 data creation seconds"] = out["created_seconds"]
    for name, _, _ in PAGES:
        a, b = small[name], large[name]
        what = f"History pages, {n1:,} devices x {d1} days vs {n0:,} x {d0}: {name}"
        if a.get("missing") or b.get("missing"):
            res.add("7", what, f"not measured: {a.get('missing') or b.get('missing')}")
            continue
        ratio = median(b["seconds"]) / median(a["seconds"])
        res.raw[f"7 {name} seconds small / large"] = (
            f"{raw(a['seconds'], 4)} / {raw(b['seconds'], 4)}"
        )
        res.raw[f"7 {name} at the large size, slowest three statements"] = " | ".join(b["slowest"])
        text = (
            f"{a['url']} — small: {fmt_s(a['seconds'])}, {a['queries']} queries; large: "
            f"{fmt_s(b['seconds'])}, {b['queries']} queries; **time ×{ratio:.2f}**"
        )
        ok = a["queries"] == b["queries"] and ratio <= 2
        res.add("7", what, text, "queries equal; time ×≤2", ok)


# -- the child ---------------------------------------------------------------------


def _history(data, days: int) -> dict:
    """What `days` days of runs every 15 minutes leave behind."""
    from django.db import connection
    from django.utils import timezone

    from connectors.models import Device, DeviceChange
    from insight.models import DeviceState, FleetSnapshot, SnapshotHour, StateTransition
    from insight.services import snapshot_hours_rebuild, snapshot_record

    now = timezone.now()
    start = now - timedelta(days=days)
    FleetSnapshot.objects.all().delete()
    StateTransition.objects.all().delete()
    DeviceState.objects.all().delete()
    snaps = []
    for connector in data.connectors:
        t = start
        while t < now:
            office = t.weekday() < 5 and 8 <= t.hour < 18
            snaps.append(
                FleetSnapshot(
                    connector=connector, taken_at=t, devices=data.active // 4,
                    workspaces=data.active // 5, sessions=60 if office else 5,
                    auto_stop_available=400 if office else 40, auto_stop_stopped=600,
                    counts={"state": {"AVAILABLE": 900, "STOPPED": 80},
                            "running_mode": {"AUTO_STOP": 500, "ALWAYS_ON": 480}},
                )
            )  # fmt: skip
            t += timedelta(minutes=15)
    FleetSnapshot.objects.bulk_create(snaps, batch_size=5000)
    # Each connector's newest snapshot as a run writes it at its end (the
    # pages read today's figures from it), not a synthetic one.
    for connector in data.connectors:
        snapshot_record(run=data.runs[connector.pk], now=now)
    # Each run's snapshot adds to its hour's sums (SnapshotHour); the synthetic
    # ones, written in bulk, are summed as the history backfill sums its own.
    snapshot_hours_rebuild()
    personal = Device.objects.filter(removed_at__isnull=True).exclude(workspace_id="")
    rows = personal.values_list("id", "connector_id", "state", "running_mode").iterator(5000)
    states, transitions = [], []
    # Working days; a period shorter than a week keeps every day, so that the
    # small size has state changes too (whatever the weekday it starts on).
    working_days = [
        start + timedelta(days=i)
        for i in range(days)
        if days < 7 or (start + timedelta(days=i)).weekday() < 5
    ]

    def flush():
        DeviceState.objects.bulk_create(states, batch_size=5000)
        StateTransition.objects.bulk_create(transitions, batch_size=5000)
        states.clear()
        transitions.clear()

    for device_id, connector_id, state, mode in rows:
        states.append(
            DeviceState(device_id=device_id, state=state, since=start, since_first_seen=True)
        )
        if mode == "AUTO_STOP" and device_id % 3 == 0:
            for day in working_days:
                for hour, old, new in ((8, "STOPPED", "AVAILABLE"), (18, "AVAILABLE", "STOPPED")):
                    transitions.append(
                        StateTransition(
                            device_id=device_id, connector_id=connector_id, from_state=old,
                            to_state=new, at=day.replace(hour=hour, minute=device_id % 60),
                        )
                    )  # fmt: skip
        if len(transitions) >= 50_000:
            flush()
    flush()
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return {
        "snapshots": FleetSnapshot.objects.count(),
        "snapshot hours": SnapshotHour.objects.count(),
        "device states": DeviceState.objects.count(),
        "state changes": StateTransition.objects.count(),
        "device changes": DeviceChange.objects.count(),
    }


def main(sizes: list[tuple[int, int]], reps: int) -> dict:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nexthink_admin.settings.local")
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.test import Client, override_settings
    from django.urls import reverse

    from . import browsing_data
    from .browsing import _measure

    call_command("migrate", "--noinput", verbosity=0)
    user = get_user_model().objects.create_superuser("bench", password="bench-password-1")
    client = Client(SERVER_NAME="localhost")
    client.force_login(user)
    data = browsing_data.Data()
    out: dict = {"sizes": {}, "created_seconds": {}, "rows": {}}
    plain = {
        "default": "django.core.files.storage.FileSystemStorage",
        "staticfiles": "django.contrib.staticfiles.storage.StaticFilesStorage",
    }
    for devices, days in sizes:
        began = time.perf_counter()
        data.grow(devices)
        out["rows"] = _history(data, days)
        out["created_seconds"][f"{devices}x{days}"] = round(time.perf_counter() - began, 1)
        pages = {}
        with override_settings(STORAGES={k: {"BACKEND": v} for k, v in plain.items()}):
            for name, url_name, query in PAGES:
                m = _measure(client, reverse(url_name) + query, reps)
                m.pop("body", None)
                pages[name] = m
        out["sizes"][f"{devices}x{days}"] = pages
    return out


if __name__ == "__main__":
    pairs = [tuple(int(x) for x in s.split("x")) for s in sys.argv[1].split(",")]
    print(json.dumps(main(pairs, int(sys.argv[2]))))
