"""Benchmark 8: NQL over 1,000 vs 100,000 devices (issue 16's scale target:
a summarize and a filtered list, each within twice its time at 1,000
devices, with the same number of queries).

The devices come from browsing_data (benchmark 5's fleet), then the devices
rollup is rebuilt as beat's refresh after a run would (its time is a raw figure), in a scratch
SQLite database (or, with BENCH_NQL_DATABASE_URL=postgres://..., an empty
PostgreSQL database of yours: the bench fills it and leaves the rows); each
query is run in-process through `nql.selectors.nql_run`, what the NQL page and the API call."""

from __future__ import annotations

import json
import os
import sys
import time

from .common import PY, base_env, fmt_s, median, raw, run_timed, sqlite_url

QUERIES = (
    ("summarize count by region", "devices | summarize c = count() by virtualization.region"),
    (
        "summarize count and share by instance size",
        'devices | summarize c = count(), auto = countif(aws.running_mode == "AUTO_STOP") / '
        "count() by virtualization.instance_size",
    ),
    (
        "filtered list, first 100 by name",
        'devices | where virtualization.instance_size == "STANDARD" '
        "| list name, virtualization.region | limit 100",
    ),
    (
        "filtered list, two conditions",
        'devices | where virtualization.instance_size == "POWER" and '
        'virtualization.region == "us-east-1" | list name, virtualization.region | limit 100',
    ),
)


def run(ctx) -> None:
    res = ctx.results
    sizes = (200, 2_000) if ctx.quick else (1_000, 100_000)
    reps = 1 if ctx.quick else 7
    db = ctx.scratch.path("nql.sqlite3")
    arg = ",".join(str(n) for n in sizes)
    out = (
        run_timed(
            [PY, "-m", "bench.querying", arg, str(reps)],
            base_env(DATABASE_URL=os.environ.get("BENCH_NQL_DATABASE_URL") or sqlite_url(db)),
            timeout=3600,
        )
        .check("NQL driver")
        .json()
    )  # fmt: skip
    small, large = out["sizes"][str(sizes[0])], out["sizes"][str(sizes[1])]
    res.raw["8 data creation seconds"] = out["created_seconds"]
    res.raw["8 devices rollup rebuild (on beat, at most once a minute)"] = " / ".join(
        f"{int(size):,} devices: {r['seconds']:.2f} s, {r['rows']:,} rows"
        f"{'' if r['cube'] else ' (cube not kept)'}"
        for size, r in out["rollup"].items()
    )
    for name, text in QUERIES:
        a, b = small[name], large[name]
        what = f"NQL over {sizes[1]:,} devices vs {sizes[0]:,}: {name}"
        if a.get("error") or b.get("error"):
            res.add("8", what, f"not measured: {a.get('error') or b.get('error')}")
            continue
        ratio = median(b["seconds"]) / median(a["seconds"])
        res.raw[f"8 {name} seconds small / large"] = (
            f"{raw(a['seconds'], 4)} / {raw(b['seconds'], 4)}"
        )
        res.raw[f"8 {name} at the large size, statements"] = " | ".join(b["statements"])
        text_cell = (
            f"`{text}` — small: {fmt_s(a['seconds'])}, {a['queries']} queries, {a['rows']} rows; "
            f"large: {fmt_s(b['seconds'])}, {b['queries']} queries, {b['rows']} rows; "
            f"**time ×{ratio:.2f}**"
        )
        ok = a["queries"] == b["queries"] and ratio <= 2
        res.add("8", what + " (cold: cache emptied)", text_cell, "queries equal; time ×≤2", ok)
        wa, wb = a["warm"], b["warm"]
        if wa["queries"] == a["queries"]:
            continue  # not cached: warm is cold
        ratio = median(wb["seconds"]) / median(wa["seconds"])
        res.raw[f"8 {name} warm seconds small / large"] = (
            f"{raw(wa['seconds'], 4)} / {raw(wb['seconds'], 4)}"
        )
        res.raw[f"8 {name} warm, statements"] = " | ".join(wb["statements"])
        cell = (
            f"same query again, devices unchanged — small: {fmt_s(wa['seconds'])}, "
            f"{wa['queries']} queries; large: {fmt_s(wb['seconds'])}, {wb['queries']} queries; "
            f"**time ×{ratio:.2f}**"
        )
        ok = wa["queries"] == wb["queries"] and ratio <= 2
        res.add("8", what + " (warm: cached)", cell, "queries equal; time ×≤2", ok)


# -- the child ---------------------------------------------------------------------


def _measure(text: str, reps: int) -> dict:
    """Cold (the cache emptied before each run: what the first person asking waits) and warm
    (the same query again over unchanged devices) times; lists are never cached (nql/cache.py)."""
    from django.core.cache import cache

    cold = _measure_runs(text, reps, before=cache.clear)
    warm = _measure_runs(text, reps, before=lambda: None)
    return {**cold, "warm": warm}


def _measure_runs(text: str, reps: int, before) -> dict:
    from django.db import connection

    from nql.ast import NqlError
    from nql.selectors import nql_run

    statements: list[tuple[float, str]] = []

    def timer(execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            statements.append((time.perf_counter() - start, " ".join(sql.split())[:160]))

    seconds = []
    result = None
    for i in range(reps + 1):  # the first run is a warm-up
        before()
        statements.clear()
        start = time.perf_counter()
        try:
            with connection.execute_wrapper(timer):
                result = nql_run(text=text, can_query=lambda table: True)
        except NqlError as exc:
            return {"error": f"{type(exc).__name__}: {exc}"}
        if i:
            seconds.append(time.perf_counter() - start)
    return {
        "seconds": seconds,
        "queries": len(statements),
        "rows": len(result.rows),
        "statements": [f"{t * 1000:.1f} ms: {sql}" for t, sql in statements],
    }


def _analyze() -> None:
    """PostgreSQL plans from statistics; a real fleet has them (autovacuum), fresh bulk
    inserts do not yet."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def main(sizes: list[int], reps: int) -> dict:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nexthink_admin.settings.local")
    os.environ.pop("REDIS_URL", None)  # a process-local cache, that cold runs may clear
    import django

    django.setup()
    from django.core.management import call_command

    from connectors.devices.rollup import device_rollup_rebuild

    from . import browsing_data

    call_command("migrate", "--noinput", verbosity=0)
    data = browsing_data.Data()
    out: dict = {"sizes": {}, "created_seconds": {}, "rollup": {}}
    for devices in sizes:
        began = time.perf_counter()
        data.grow(devices)
        out["created_seconds"][str(devices)] = round(time.perf_counter() - began, 1)
        # What the end of the run that stored these devices does (connectors/runs.py): paid
        # in the worker, once per run, not by the person asking.
        build = device_rollup_rebuild()
        out["rollup"][str(devices)] = {
            "seconds": build.seconds,
            "rows": build.rows,
            "cube": build.has_cube,
        }
        _analyze()
        out["sizes"][str(devices)] = {name: _measure(text, reps) for name, text in QUERIES}
    return out


if __name__ == "__main__":
    print(json.dumps(main([int(s) for s in sys.argv[1].split(",")], int(sys.argv[2]))))
