"""Django-side helpers, run as a child process on a scratch database (DATABASE_URL).

    python -m bench.djtool prepare --sim URL [--name NAME] [--account ID]
    python -m bench.djtool queries NQL_ID   # sync_connector in-process, counting queries
    python -m bench.djtool lastrun NQL_ID   # the latest run row, and the devices it touched
    python -m bench.djtool reset NQL_ID     # empty device and run tables: a first sync next

Each prints one JSON line. Nothing here changes the application: `queries`
only observes (connection.execute_wrapper, a counting wrapper around
devices_upsert).
"""

from __future__ import annotations

import argparse
import json
import os
import time
import urllib.request
from collections import Counter

ROLE_NAME = "NexthinkConnector-Bench"


def sim_role(sim: str, account: str, external_id: str, role_name: str = ROLE_NAME) -> str:
    body = json.dumps(
        {"account_id": account, "role_name": role_name, "external_id": external_id}
    ).encode()
    req = urllib.request.Request(
        f"{sim}/_sim/roles", data=body, method="POST", headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(req, timeout=60) as resp:
        return json.loads(resp.read())["role_arn"]


def prepare(args: argparse.Namespace) -> dict:
    """Migrate; a credential whose role exists in the simulator with the
    credential's External ID; a connector in the region."""
    from django.core.management import call_command

    from connectors.services import ConnectorData, connector_save
    from credentials import services

    if not args.no_migrate:
        call_command("migrate", "--noinput", verbosity=0)
    credential = services.credential_create(name=f"{args.name} credential")
    role_arn = sim_role(args.sim, args.account, credential.external_id, args.role)
    services.credential_update(credential=credential, name=credential.name, role_arn=role_arn)
    connector = connector_save(
        data=ConnectorData(
            name=args.name,
            description="benchmark",
            recurrence=60,
            credential_id=credential.pk,
            connector_type="aws_workspaces",
            parameters={"region": args.region},
            environment_name="Bench",
        )
    )
    return {
        "nql_id": connector.nql_id,
        "connector_id": connector.pk,
        "external_id": credential.external_id,
        "role_arn": role_arn,
    }


def first_stored_seconds(run) -> float | None:
    from django.db.models import Min

    from connectors.models import Device

    first = Device.objects.filter(last_seen_run=run).aggregate(t=Min("last_update"))["t"]
    return (first - run.started_at).total_seconds() if first and run.started_at else None


def run_summary(run) -> dict:
    from connectors.models import Device

    return {
        "status": run.status,
        "seen": run.seen,
        "created": run.created,
        "updated": run.updated,
        "unchanged": run.unchanged,
        "removed": run.removed,
        "api_calls": run.api_calls,
        "throttled": run.throttled,
        "duration": run.duration_seconds,
        # When the first devices reached the database, seconds after the run started.
        "first_stored_s": first_stored_seconds(run),
        "touched": Device.objects.filter(last_seen_run=run).count(),
        "devices": Device.objects.filter(connector_id=run.connector_id).count(),
        "error": f"{run.error_code} {run.error_message}".strip(),
    }


def lastrun(args: argparse.Namespace) -> dict:
    from connectors.models import Run

    run = Run.objects.filter(connector__nql_id=args.nql_id).order_by("-id").first()
    return run_summary(run) if run else {"status": "none"}


def reset(args: argparse.Namespace) -> dict:
    """Empty the device, change and run tables: the next sync is a first sync
    (PostgreSQL side of the scaling benchmark, on the operator's own database)."""
    from django.db import connection

    from connectors.models import Device, DeviceChange, Run

    tables = [m._meta.db_table for m in (DeviceChange, Device, Run)]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"TRUNCATE {', '.join(tables)}")
        else:
            for table in tables:
                cursor.execute(f"DELETE FROM {table}")
    return {"reset": tables}


def queries(args: argparse.Namespace) -> dict:
    """sync_connector in this process; every statement sent to the database counted."""
    from django.core.management import call_command
    from django.db import connection

    from connectors import runs
    from connectors.models import Run

    kinds: Counter = Counter()
    upserts: list[int] = []

    def counter(execute, sql, params, many, context):
        kinds[(sql.lstrip().split(None, 1) or ["?"])[0].upper()] += 1
        return execute(sql, params, many, context)

    real_upsert = runs.devices_upsert

    def counting_upsert(*, records, **kwargs):
        records = list(records)
        upserts.append(len(records))
        return real_upsert(records=records, **kwargs)

    runs.devices_upsert = counting_upsert
    start = time.perf_counter()
    with connection.execute_wrapper(counter), open(os.devnull, "w") as devnull:
        call_command("sync_connector", args.nql_id, stdout=devnull)
    seconds = time.perf_counter() - start
    run = Run.objects.filter(connector__nql_id=args.nql_id).order_by("-id").first()
    return {
        "queries": sum(kinds.values()),
        "by_kind": dict(kinds),
        "seconds": seconds,
        "upsert_calls": len(upserts),
        "records_per_upsert": (sum(upserts) / len(upserts)) if upserts else 0,
        "run": run_summary(run),
    }


def main() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nexthink_admin.settings.local")
    import django

    django.setup()
    p = argparse.ArgumentParser(prog="python -m bench.djtool")
    sub = p.add_subparsers(dest="cmd", required=True)
    pp = sub.add_parser("prepare")
    pp.add_argument("--sim", required=True)
    pp.add_argument("--name", default="Bench EU")
    pp.add_argument("--account", default="111122223333")
    pp.add_argument("--region", default="eu-west-1")
    pp.add_argument("--no-migrate", action="store_true")
    pp.add_argument("--role", default=ROLE_NAME, help="the role's name in the simulator")
    for name in ("queries", "lastrun", "reset"):
        sub.add_parser(name).add_argument("nql_id")
    args = p.parse_args()
    commands = {"prepare": prepare, "queries": queries, "lastrun": lastrun, "reset": reset}
    result = commands[args.cmd](args)
    print(json.dumps(result, default=str))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
