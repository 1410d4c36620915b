"""Benchmark 6: many connectors, real Celery workers, PostgreSQL and Redis.

200 connectors, each with its own credential and role in its own simulated
customer account (50 WorkSpaces each, 20 ms per call). Phase A: one worker
runs every connector once; phase B: the devices are deleted (so the work is
the same first sync) and two workers run them all again; phase C: with two
workers, 50 connectors are each triggered twice back to back. Then every run row
is checked: each run finished, and no two `running` intervals of the same
connector intersect. Warm-up: each worker first runs a spare connector
through its own queue (excluded).

`run(ctx)` creates the scratch PostgreSQL database and flushes the Redis
database number, starts the driver (this file, Django set up), and drops and
flushes them afterwards; the driver starts and stops the workers.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from itertools import pairwise
from pathlib import Path

from .common import PY, ROOT, SimProcess, base_env, run_timed

PG = "postgresql://postgres@127.0.0.1:5432/{}"
# Flushed before and after: BENCH_REDIS_URL names another database where 13 is in use.
REDIS_DB = 13
FINAL = ("succeeded", "partial", "failed", "skipped")


def run(ctx) -> None:
    import psycopg
    import redis

    n, ws = (10, 20) if ctx.quick else (200, 50)
    dbname = f"bench_{os.getpid()}"
    redis_url = os.environ.get("BENCH_REDIS_URL") or f"redis://127.0.0.1:6379/{REDIS_DB}"
    pidfile = ctx.scratch.path("workers.pids")
    sim = SimProcess(
        workspaces=0,
        pools=0,
        sessions_per_pool=0,
        latency_ms=20,
        external_id="unused",
        bundles=4,
        images=2,
    )
    admin = psycopg.connect(PG.format("postgres"), autocommit=True)
    r = redis.Redis.from_url(redis_url)
    created = False
    try:
        r.flushdb()
        admin.execute(f'CREATE DATABASE "{dbname}"')
        created = True
        versions = admin.execute("SHOW server_version").fetchone()[0]
        ctx.results.raw["6 server versions"] = (
            f"PostgreSQL {versions}, Redis {r.info('server')['redis_version']}"
        )
        env = base_env(
            DATABASE_URL=PG.format(dbname), REDIS_URL=redis_url, AWS_ENDPOINT_URL=sim.url
        )
        proc = run_timed(
            [PY, "-m", "bench.many", sim.url, str(n), str(ws), str(pidfile)], env, timeout=1200
        )
        out = proc.check("many-connectors driver").json()
    finally:
        _kill_workers(pidfile)
        sim.stop()
        if created:
            admin.execute(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')
        admin.close()
        r.flushdb()
        r.close()
    a, b, c = out["A"], out["B"], out["C"]
    ctx.results.raw["6 phases"] = out
    res = ctx.results
    ok = out["complete"] and not out["overlaps"]
    res.add(
        "6",
        f"Many connectors: {n} connectors × {ws} WorkSpaces (own account and role each), "
        "real Celery workers",
        f"phases A+B+C: {out['runs']} run rows, all finished: "
        f"{'yes' if out['complete'] else 'NO'} ({out['statuses']}); overlapping `running` "
        f"intervals of one connector: {out['overlaps']}; C ({min(n, 50)} connectors triggered "
        f"twice at once, 2 workers): {c['skipped']} of {c['runs']} triggers skipped by the claim",
        "every run finished; no overlap",
        ok,
    )
    ratio = b["per_s"] / a["per_s"]
    res.add(
        "6",
        "Many connectors: throughput, two workers vs one (first sync each time)",
        f"1 worker: {n} runs in {a['seconds']:.1f} s = {a['per_s']:.2f} runs/s "
        f"(run median {a['run_median']:.2f} s); 2 workers: {b['seconds']:.1f} s = "
        f"{b['per_s']:.2f} runs/s (run median {b['run_median']:.2f} s); **×{ratio:.2f}**",
        "two workers faster than one",
        ratio > 1.0,
    )


def _kill_workers(pidfile: Path) -> None:
    if not pidfile.exists():
        return
    for line in pidfile.read_text().split():
        try:
            os.killpg(int(line), signal.SIGKILL)
        except (ProcessLookupError, PermissionError, ValueError):
            pass


# -- the driver (Django set up on the scratch PostgreSQL database) -------------------
def _post(sim: str, path: str, body: dict) -> dict:
    import urllib.request

    req = urllib.request.Request(
        f"{sim}/_sim/{path}",
        data=json.dumps(body).encode(),
        method="POST",
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(req, timeout=60) as resp:
        return json.loads(resp.read())


class Workers:
    def __init__(self, pidfile: Path, logdir: Path) -> None:
        self.pidfile, self.logdir, self.procs = pidfile, logdir, []

    def start(self, k: int) -> None:
        log = self.logdir / f"worker{k}.log"
        with open(log, "w") as out:  # the worker keeps writing to its own copy
            proc = subprocess.Popen(
                [
                    str(Path(PY).parent / "celery"),
                    "-A",
                    "nexthink_admin",
                    "worker",
                    "--concurrency",
                    "1",
                    "-n",
                    f"bench{k}-{os.getpid()}@%h",
                    "-Q",
                    f"celery,bench-w{k}",
                    "--without-gossip",
                    "--without-mingle",
                    "--without-heartbeat",
                    "-l",
                    "INFO",
                ],
                cwd=ROOT,
                env=os.environ.copy(),
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.procs.append((proc, log))
        with open(self.pidfile, "a") as f:
            f.write(f"{proc.pid}\n")
        deadline = time.monotonic() + 60
        while "ready." not in log.read_text():
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"worker {k} did not start: {log.read_text()[-1500:]}")
            time.sleep(0.1)

    def tail(self) -> str:
        return " | ".join(log.read_text()[-800:] for _, log in self.procs)

    def stop(self) -> None:
        for proc, _ in self.procs:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc, _ in self.procs:
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(10)
        self.procs = []


def driver(sim: str, n: int, ws: int, pidfile: Path) -> dict:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nexthink_admin.settings.local")
    import django

    django.setup()
    from django.core.management import call_command

    from connectors.models import Device, Run
    from connectors.services import ConnectorData, connector_save
    from connectors.tasks import run_connector
    from credentials import services

    call_command("migrate", "--noinput", verbosity=0)
    connectors = []
    for i in range(n + 2):  # the last two are the workers' warm-up connectors
        account = str(200000000000 + i)
        _post(
            sim,
            "seed",
            {
                "account_id": account,
                "region": "eu-west-1",
                "workspaces": ws,
                "bundles": 4,
                "images": 2,
            },
        )
        cred = services.credential_create(name=f"Bench many {i}")
        role = _post(
            sim,
            "roles",
            {
                "account_id": account,
                "role_name": "NexthinkConnector-Bench",
                "external_id": cred.external_id,
            },
        )["role_arn"]
        services.credential_update(credential=cred, name=cred.name, role_arn=role)
        connectors.append(
            connector_save(
                data=ConnectorData(
                    name=f"Bench many {i}",
                    description="",
                    recurrence=1440,
                    credential_id=cred.pk,
                    connector_type="aws_workspaces",
                    parameters={"region": "eu-west-1"},
                    environment_name="Bench",
                )
            ).pk
        )
    counted, spare = connectors[:n], connectors[n:]
    workers = Workers(pidfile, pidfile.parent)

    def wait(expected: int, since: int, timeout: float = 600) -> None:
        deadline = time.monotonic() + timeout
        while (
            Run.objects.filter(id__gt=since, connector_id__in=counted, status__in=FINAL).count()
            < expected
        ):
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f"runs not finished after {timeout} s; workers: {workers.tail()}"
                )
            time.sleep(0.1)

    def warm(k: int) -> None:
        last = Run.objects.order_by("-id").values_list("id", flat=True).first() or 0
        run_connector.apply_async(args=[spare[k]], queue=f"bench-w{k}")
        deadline = time.monotonic() + 120
        while not Run.objects.filter(id__gt=last, connector_id=spare[k], status__in=FINAL).exists():
            if time.monotonic() > deadline:
                raise RuntimeError(f"warm-up run did not finish; workers: {workers.tail()}")
            time.sleep(0.1)

    def phase(triggers: list[int]) -> dict:
        since = Run.objects.order_by("-id").values_list("id", flat=True).first() or 0
        start = time.perf_counter()
        for pk in triggers:
            run_connector.delay(pk)
        wait(len(triggers), since)
        seconds = time.perf_counter() - start
        runs = list(Run.objects.filter(id__gt=since, connector_id__in=counted))
        durations = sorted(r.duration_seconds for r in runs if r.duration_seconds is not None)
        return {
            "seconds": seconds,
            "per_s": len(triggers) / seconds,
            "runs": len(runs),
            "run_median": durations[len(durations) // 2] if durations else 0.0,
            "skipped": sum(r.status == "skipped" for r in runs),
            "statuses": sorted({r.status for r in runs}),
        }

    try:
        workers.start(0)
        warm(0)
        out = {"A": phase(counted)}
        workers.stop()
        Device.objects.filter(connector_id__in=counted).delete()
        workers.start(0)
        workers.start(1)
        warm(0)
        warm(1)
        out["B"] = phase(counted)
        out["C"] = phase([pk for pk in counted[:50] for _ in range(2)])
    finally:
        workers.stop()
    runs = list(Run.objects.filter(connector_id__in=counted).order_by("connector_id", "started_at"))
    overlaps = 0
    by_connector: dict[int, list] = {}
    for r in runs:
        if r.started_at:
            by_connector.setdefault(r.connector_id, []).append(r)
    for rs in by_connector.values():
        for prev, nxt in pairwise(rs):
            if prev.finished_at is None or nxt.started_at < prev.finished_at:
                overlaps += 1
    statuses: dict[str, int] = {}
    for r in runs:
        statuses[r.status] = statuses.get(r.status, 0) + 1
    out.update(
        runs=len(runs),
        statuses=statuses,
        overlaps=overlaps,
        complete=all(r.status in FINAL for r in runs)
        and all(any(r.status == "succeeded" for r in rs) for rs in by_connector.values())
        and len(by_connector) == n,
    )
    return out


if __name__ == "__main__":
    print(
        json.dumps(
            driver(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), Path(sys.argv[4])), default=str
        )
    )
