"""`make bench`: collection and browsing at scale, against the API floor and a peer tool.

    python -m bench              # full: writes docs/BENCHMARKS.md
    python -m bench --quick      # smoke: small sizes, 1 repetition (or BENCH_QUICK=1)
    python -m bench --only 1,4   # some benchmarks only

Benchmarks: 1 collection vs the floor, 2 unchanged re-sync, 3 scaling,
4 peer (Cloud Custodian), 5 browsing, 6 many connectors with Celery workers,
7 health/usage/drift pages over 90 days of history, 8 NQL summarize and
filtered list over 100,000 devices.
Only traffic to 127.0.0.1. Every process, scratch file and database started
here is removed at the end (try/finally). Timings are never asserted: a
target missed is written as MISSED in the table.
"""

from __future__ import annotations

import argparse
import os
import shlex
import sys
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path

from . import browsing, collection, history, many, querying, report, scaling
from .common import ROOT, Results, Scratch, machine

DOC = ROOT / "docs" / "BENCHMARKS.md"
ALL = (1, 2, 3, 4, 5, 6, 7, 8)


@dataclass
class Context:
    quick: bool
    sections: set[int]
    reps: int
    scratch: Scratch
    results: Results = field(default_factory=Results)
    started: float = field(default_factory=time.monotonic)

    def log(self, message: str) -> None:
        print(f"[{time.monotonic() - self.started:6.0f}s] {message}", flush=True)


def parse(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    p.add_argument(
        "--quick",
        action="store_true",
        default=os.environ.get("BENCH_QUICK", "") not in ("", "0"),
        help="small sizes, 1 repetition: proves the harness runs (also BENCH_QUICK=1)",
    )
    p.add_argument("--only", default="", help="comma-separated benchmark numbers (1-8)")
    p.add_argument(
        "--reps",
        type=int,
        default=4,
        help="measured repetitions of benchmarks 1, 2, 4 (full mode; one more warm-up is excluded)",
    )
    p.add_argument(
        "--out",
        default=None,
        help="write the report here (default: docs/BENCHMARKS.md for a full "
        "run of every benchmark; otherwise only printed)",
    )
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    sections = {int(x) for x in args.only.replace(" ", "").split(",") if x} or set(ALL)
    if not sections <= set(ALL):
        raise SystemExit(f"--only takes numbers among {ALL}")
    ctx = Context(args.quick, sections, args.reps, Scratch())
    ctx.results.raw["load average at start (1/5/15 min)"] = machine()["load"]
    steps = [
        ({1, 2, 4}, "collection, re-sync, peer", collection.run),
        ({3}, "scaling", scaling.run),
        ({5}, "browsing", browsing.run),
        ({6}, "many connectors", many.run),
        ({7}, "history pages (health, usage, drift)", history.run),
        ({8}, "NQL summarize and filtered list", querying.run),
    ]
    failed = []
    try:
        for wanted, name, step in steps:
            if wanted & sections:
                ctx.log(f"{name}...")
                try:
                    step(ctx)
                except Exception as exc:  # one benchmark failing must not hide the others
                    traceback.print_exc()
                    failed.append(name)
                    ctx.results.add(
                        ",".join(str(s) for s in sorted(wanted & sections)),
                        name,
                        f"not measured: harness error {type(exc).__name__}: {str(exc)[:300]}",
                    )
    finally:
        ctx.scratch.cleanup()
    elapsed = time.monotonic() - ctx.started
    command = "make bench" + (
        " ARGS=" + shlex.quote(" ".join(argv or sys.argv[1:])) if (argv or sys.argv[1:]) else ""
    )
    text = report.render(
        ctx.results, machine(), quick=ctx.quick, sections=sections, elapsed=elapsed, command=command
    )
    out = Path(args.out) if args.out else (DOC if not ctx.quick and sections == set(ALL) else None)
    print(text)
    if out:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text)
        ctx.log(f"written {out}")
    ctx.log(f"done in {elapsed:.0f} s")
    return 1 if failed else 0
