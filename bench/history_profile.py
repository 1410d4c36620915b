"""Benchmark 7's pages, profiled: where each page's time goes, at any size,
without rebuilding the history for every try (the large size takes minutes).

    python -m bench.history_profile build DIR [SIZES]  # e.g. 1000x1,100000x90
    python -m bench.history_profile time DB [--only health,usage] [--reps 9]

`build` writes each size with benchmark 7's own functions (browsing_data's
fleet, history._history), one SQLite file per size. `time` requests each page
of benchmark 7 on a built file (migrated first, so a branch's new migrations
apply) and prints, per page, CPU time (`time.process_time`: less disturbed by
other processes than wall time) as median of `--reps` after a warm-up: the
whole request, the statements' execution and the template rendering, then
each statement. Not part of `make bench`; nothing here is asserted.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import time
from pathlib import Path

from .common import base_env, sqlite_url


def _setup(db: Path) -> None:
    os.environ.update(base_env(DATABASE_URL=sqlite_url(db)))
    import django

    django.setup()


def build(directory: Path, sizes: list[tuple[int, int]]) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    work = directory / "work.sqlite3"
    work.unlink(missing_ok=True)
    _setup(work)
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection

    from . import browsing_data
    from .history import _history

    call_command("migrate", "--noinput", verbosity=0)
    get_user_model().objects.create_superuser("bench", password="bench-password-1")
    data = browsing_data.Data()
    for devices, days in sizes:
        began = time.perf_counter()
        data.grow(devices)
        rows = _history(data, days)
        print(f"{devices}x{days}: {rows} in {time.perf_counter() - began:.0f} s", flush=True)
        connection.close()  # checkpoints the WAL into the file copied
        shutil.copy(work, directory / f"{devices}x{days}.sqlite3")


def time_pages(db: Path, only: set[str], reps: int) -> None:
    _setup(db)
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.template.response import SimpleTemplateResponse
    from django.test import Client, override_settings
    from django.urls import reverse

    from .history import PAGES

    call_command("migrate", "--noinput", verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    client = Client(SERVER_NAME="localhost")
    client.force_login(get_user_model().objects.get(username="bench"))
    statements: list[tuple[float, bool, str]] = []
    rendering: list[float] = []
    in_render = [False]
    real_render = SimpleTemplateResponse.render

    def render(self):
        in_render[0], start = True, time.process_time()
        try:
            return real_render(self)
        finally:
            rendering.append(time.process_time() - start)
            in_render[0] = False

    def timer(execute, sql, params, many, context):
        start = time.process_time()
        try:
            return execute(sql, params, many, context)
        finally:
            statements.append((time.process_time() - start, in_render[0], " ".join(sql.split())))

    SimpleTemplateResponse.render = render
    plain = {
        "default": "django.core.files.storage.FileSystemStorage",
        "staticfiles": "django.contrib.staticfiles.storage.StaticFilesStorage",
    }
    with override_settings(STORAGES={k: {"BACKEND": v} for k, v in plain.items()}):
        for name, url_name, query in PAGES:
            if only and name not in only:
                continue
            totals, per_request, renders = [], [], []
            for i in range(reps + 1):  # the first is a warm-up
                statements.clear()
                rendering.clear()
                start = time.process_time()
                with connection.execute_wrapper(timer):
                    response = client.get(reverse(url_name) + query)
                if response.status_code != 200:
                    print(f"== {name}: HTTP {response.status_code}")
                    break
                if i:
                    totals.append(time.process_time() - start)
                    per_request.append(list(statements))
                    renders.append(sum(rendering))
            else:
                ms = 1000 * statistics.median(totals)
                db_ms = 1000 * statistics.median(sum(t for t, _, _ in p) for p in per_request)
                print(
                    f"== {name}: {ms:.1f} ms CPU (min {1000 * min(totals):.1f}), "
                    f"{len(per_request[0])} statements {db_ms:.1f} ms, "
                    f"render {1000 * statistics.median(renders):.1f} ms"
                )
                for j, (_, during_render, sql) in enumerate(per_request[0]):
                    t = statistics.median(p[j][0] for p in per_request if j < len(p))
                    print(f"   {1000 * t:6.2f} ms {'R' if during_render else ' '} {sql[:200]}")


def main() -> None:
    p = argparse.ArgumentParser(prog="python -m bench.history_profile")
    sub = p.add_subparsers(dest="cmd", required=True)
    b = sub.add_parser("build")
    b.add_argument("directory", type=Path)
    b.add_argument("sizes", nargs="?", default="1000x1,100000x90")
    t = sub.add_parser("time")
    t.add_argument("db", type=Path)
    t.add_argument("--only", default="", help="page names of benchmark 7, comma-separated")
    t.add_argument("--reps", type=int, default=9)
    args = p.parse_args()
    if args.cmd == "build":
        sizes = [tuple(int(x) for x in s.split("x")) for s in args.sizes.split(",")]
        build(args.directory, sizes)
    else:
        only = {s.strip() for s in args.only.split(",") if s.strip()}
        time_pages(args.db, only, args.reps)


if __name__ == "__main__":
    sys.exit(main())
