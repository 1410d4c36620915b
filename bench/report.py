"""docs/BENCHMARKS.md: the table, the raw numbers, the machine, how to reproduce."""

from __future__ import annotations

import json
import subprocess
import time

from .common import ROOT, Results, verdict

METHOD = """\
## How it is measured

- **The simulator** runs as a separate server process
  (`python -m awssim --port N ...`) on 127.0.0.1, with
  a fixed latency per call, one region (eu-west-1), 40 bundles (27 the account's own,
  13 AWS-owned) over 20 images, in the customer account 111122223333. API calls are
  read from its `/_sim/stats` around each process.
- **Our sync** is `python manage.py sync_connector <nql_id>` as a whole process, on a
  scratch SQLite database (`DATABASE_URL`), prepared once by the harness (migrate,
  a credential whose role is created in the simulator with the credential's External
  ID through `/_sim/roles`, a connector in eu-west-1) and copied fresh before every
  first sync. `DEBUG=false`, `LOG_LEVEL=WARNING`.
- **The floor** (`bench/floor.py`) is bare boto3 in its own process: AssumeRole, then
  DescribeWorkspaces (Limit 25, by NextToken), DescribeWorkspacesPools,
  DescribeWorkspaceBundles by the BundleIds seen (25 a call), DescribeWorkspaceImages
  of the account (MaxResults 25), DescribeWorkspacesPoolSessions per pool (Limit 50),
  one after the other, nothing processed or stored. Its calls are the minimum.
- **The peer** is Cloud Custodian (`c7n`, in `bench/.venv-c7n`: its pins, boto3
  1.43.103 and PyYAML 6.0.3, conflict with ours) running `custodian run --cache-period 0`
  with an `aws.workspaces` policy, `AWS_ENDPOINT_URL` and `AWS_DEFAULT_REGION` set, and
  `--assume <the same role ARN> --external-id <the same External ID>`, so that both
  sides read the same WorkSpaces of the customer account.
- **Times** are wall-clock seconds around whole processes (interpreter start
  included), medians of the measured runs with (min–max, n); the first repetition is a
  warm-up and is excluded. Floor, sync, re-sync and peer runs are interleaved in each
  repetition. **Peak memory** is the process's own `ru_maxrss` (`os.wait4`).
- **Database statements** are counted in-process with `connection.execute_wrapper`
  around `call_command("sync_connector")` (every statement, BEGIN and SAVEPOINT
  included; COMMIT is not a statement in Django's SQLite backend), at latency 0:
  the run's progress heartbeat adds about one UPDATE per second of run.
- **Browsing** bulk-creates the devices into a scratch SQLite database and requests
  each page with Django's test `Client` as a signed-in superuser; URL names are found
  at run time (`devices:*`, `home`), so a page not built yet is reported, not failed.
- **History pages** (7) and **NQL** (8) bulk-create benchmark 5's fleet into a scratch
  SQLite database; 7 adds what 90 days of runs every 15 minutes leave under the
  default retention and requests the pages with the test `Client`; 8 runs each query
  in-process through `nql.selectors.nql_run` (what the NQL page and the API call).
- **Many connectors** uses real `celery -A nexthink_admin worker --concurrency 1`
  processes, the machine's Redis (a flushed database number) and a scratch
  PostgreSQL database (`bench_<pid>`), dropped at the end.
"""


def _git() -> str:
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=10,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=10,
        ).stdout.strip()
        return f"{head}{' + uncommitted changes' if dirty else ''}"
    except (OSError, subprocess.SubprocessError):
        return "?"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render(
    results: Results,
    machine: dict,
    *,
    quick: bool,
    sections: set[int],
    elapsed: float,
    command: str,
) -> str:
    lines = ["# Benchmarks", ""]
    if quick:
        lines += [
            "> **Quick mode** (smoke test of the harness): small sizes, one repetition, "
            "no warm-up.",
            "> The verdicts below are not meaningful at these sizes.",
            "",
        ]
    lines += [
        "Collection and browsing at scale, against the API floor and a peer tool (issue #8). "
        "Written by `make bench`; targets are checked here, never asserted in the test suite. "
        "A target missed says **MISSED**.",
        "",
        "| # | what | measured (raw numbers beside the ratios) | target | verdict |",
        "| --- | --- | --- | --- | --- |",
    ]
    order = {s: i for i, s in enumerate(["1", "2", "3", "4", "5", "6", "7", "8"])}
    for row in sorted(results.rows, key=lambda r: order.get(r.section.split(",")[0], 9)):
        measured = row.measured + (f" — {row.note}" if row.note else "")
        lines.append(
            f"| {row.section} | {_cell(row.what)} | {_cell(measured)} | {_cell(row.target)} | "
            f"{verdict(row.ok)} |"
        )
    missed = [r for r in results.rows if r.ok is False]
    lines += [
        "",
        f"Targets missed: {len(missed)}"
        + (" (" + "; ".join(f"{r.section}: {r.what}" for r in missed) + ")" if missed else "")
        + ".",
    ]
    if results.notes:
        lines += ["", "## Notes", ""] + [f"- {n}" for n in results.notes]
    servers = results.raw.get("6 server versions")
    servers = f": {servers}" if servers else ""
    load_at_start = results.raw.get("load average at start (1/5/15 min)", "?")
    lines += [
        "",
        "## Machine",
        "",
        f"- {machine['nproc']} CPUs ({machine['cpu']}), {machine['memory']} memory, "
        f"{machine['os']}",
        f"- Python {machine['python']}; SQLite {machine['sqlite']} (benchmarks 1–5); "
        f"PostgreSQL and Redis on 127.0.0.1 (benchmark 6{servers})",
        f"- load average (1/5/15 min) at start {load_at_start}, at end {machine['load']}: "
        "the machine is shared and noisy, hence the interleaving and medians",
        f"- code: {_git()}; run on {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, "
        f"benchmarks {','.join(str(s) for s in sorted(sections))}, {elapsed / 60:.1f} min in all",
        "",
        "## Reproduce",
        "",
        "```sh",
        command,
        "make bench ARGS=--quick   # smoke mode, about 2 minutes",
        "make bench ARGS='--only 1,4'   # some benchmarks only (1-8)",
        "```",
        "",
        METHOD,
        "## Raw numbers",
        "",
        "```",
    ]
    for key, value in results.raw.items():
        if key not in ("6 server versions", "load average at start (1/5/15 min)"):
            lines.append(f"{key}: {value if isinstance(value, str) else json.dumps(value)}")
    lines += ["```", ""]
    return "\n".join(lines)
