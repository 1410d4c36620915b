"""Benchmark 3: scaling. 1,000 vs 10,000 vs 50,000 WorkSpaces (pools grow in
proportion: one pool of 50 sessions per 500 WorkSpaces), first sync as a
whole process, on SQLite (a fresh copy of a scratch database each run) and on
PostgreSQL, which is production (BENCH_PG_URL: a database of your own, its
device and run tables emptied before each run): wall time and peak memory,
per device. Latency 0 (20 ms per call would make 50k take minutes per run,
and what is measured here is our own cost per device, not the network's)."""

from __future__ import annotations

import os

from .common import PY, SimProcess, base_env, djtool, median, raw, run_timed, sqlite_url

SPP = 50
PG_URL = os.environ.get("BENCH_PG_URL", "")


def run(ctx) -> None:
    res = ctx.results
    sizes = (200, 1_000) if ctx.quick else (1_000, 10_000, 50_000)
    reps, warm = ((1,) * len(sizes), 0) if ctx.quick else ((3, 3, 2), 1)
    sim = SimProcess(
        workspaces=sizes[0],
        pools=sizes[0] // 500,
        sessions_per_pool=SPP,
        latency_ms=0,
        external_id="replaced-by-prepare",
    )
    backends = ["SQLite"] + (["PostgreSQL"] if PG_URL else [])
    try:
        tpl = ctx.scratch.path("scaling-template.sqlite3")
        info = {"SQLite": djtool(["prepare", "--sim", sim.url], sqlite_url(tpl))}
        if PG_URL:
            info["PostgreSQL"] = djtool(
                [
                    "prepare",
                    "--sim",
                    sim.url,
                    "--name",
                    f"Bench PG {os.getpid()}",  # a name of its own in a database that persists
                    "--role",
                    "NexthinkConnector-PG",
                ],
                PG_URL,
            )
        env = base_env(AWS_ENDPOINT_URL=sim.url)
        rows: dict[str, list] = {b: [] for b in backends}
        for k, ws in enumerate(sizes):
            pools = ws // 500
            sim.seed(workspaces=ws, pools=pools, sessions_per_pool=SPP)
            devices = ws + pools * SPP  # records a run handles: WorkSpaces and pool sessions
            times: dict[str, list] = {b: [] for b in backends}
            rss: dict[str, list] = {b: [] for b in backends}
            for i in range((warm if k == 0 else 0) + reps[k]):
                for backend in backends:  # interleaved: both see the same machine noise
                    nql_id = info[backend]["nql_id"]
                    if backend == "SQLite":
                        url = sqlite_url(ctx.scratch.copy_db(tpl, "scaling.sqlite3"))
                    else:
                        url = PG_URL
                        djtool(["reset", nql_id], url)
                    env["DATABASE_URL"] = url
                    proc = run_timed([PY, "manage.py", "sync_connector", nql_id], env).check(
                        f"sync_connector ({backend})"
                    )
                    if k > 0 or i >= warm:
                        times[backend].append(proc.seconds)
                        rss[backend].append(proc.maxrss_kb)
                    run_row = djtool(["lastrun", nql_id], url)
                    # Pool sessions are records of their pools, not devices: the run sees
                    # them all, the device table holds the WorkSpaces.
                    if (
                        run_row["status"] != "succeeded"
                        or run_row["seen"] != devices
                        or run_row["devices"] != ws
                    ):
                        raise RuntimeError(f"scaling run at {ws} ({backend}): {run_row}")
            for backend in backends:
                rows[backend].append((ws, devices, times[backend], rss[backend]))
                res.raw[f"3 {backend} seconds at {ws} WorkSpaces ({devices} devices)"] = raw(
                    times[backend]
                )
                res.raw[f"3 {backend} peak RSS KiB at {ws} WorkSpaces"] = rss[backend]
                ctx.log(
                    f"  scaling {backend} {ws}: {median(times[backend]):.2f} s, "
                    f"{median(rss[backend]) / 1024:.0f} MiB"
                )
    finally:
        if PG_URL and "PostgreSQL" in locals().get("info", {}):
            djtool(["reset", info["PostgreSQL"]["nql_id"]], PG_URL)
        sim.stop()
    res.notes.append(
        "Scaling (3) runs at latency 0, not 20 ms: at 20 ms a call, 50,000 WorkSpaces (2,000 "
        "DescribeWorkspaces calls in a chain) would spend about a minute a run waiting, which "
        "hides our own cost per device, the thing measured there."
    )
    if not PG_URL:
        res.notes.append("Scaling on PostgreSQL not measured: set BENCH_PG_URL to a database.")
    for backend in backends:
        _report(res, backend, rows[backend])


def _report(res, backend: str, rows: list) -> None:
    parts = []
    for ws, devices, times, rss in rows:
        parts.append(
            f"{ws:,} WS ({devices:,} devices): {median(times):.2f} s = "
            f"{median(times) / devices * 1e6:.0f} µs/device, {median(rss) / 1024:.0f} MiB"
        )
    per_t = [median(t) / d for _, d, t, _ in rows]
    t_ratio = per_t[-1] / per_t[-2]
    chain = " → ".join(f"{per_t[i + 1] / per_t[i]:.2f}" for i in range(len(per_t) - 1))
    res.add(
        "3",
        f"Scaling on {backend}, first sync, whole process, latency 0: time per device",
        "; ".join(parts) + f"; per-device time ratios (each size vs the one before) {chain}",
        "largest vs middle size ≤ 1.10 (flat)",
        t_ratio <= 1.10,
    )
    (_, d0, _, m0), (_, d1, _, m1) = rows[-2], rows[-1]
    m_ratio = median(m1) / median(m0)
    marginal = (median(m1) - median(m0)) * 1024 / (d1 - d0)
    res.add(
        "3",
        f"Scaling on {backend}: peak memory, largest vs middle size",
        f"{median(m1) / 1024:.0f} MiB vs {median(m0) / 1024:.0f} MiB: **×{m_ratio:.2f}** for "
        f"×{d1 / d0:.0f} devices; marginal memory {marginal:,.0f} bytes per extra device",
        "≤ 1.10 (memory does not grow with the fleet)",
        m_ratio <= 1.10,
    )
