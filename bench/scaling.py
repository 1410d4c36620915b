"""Benchmark 3: scaling. 1,000 vs 10,000 vs 50,000 WorkSpaces (pools grow in
proportion: one pool of 50 sessions per 500 WorkSpaces), first sync as a
whole process on a fresh scratch SQLite database: wall time and peak memory,
per device. Latency 0 (20 ms per call would make 50k take minutes per run,
and what is measured here is our own cost per device, not the network's)."""

from __future__ import annotations

from .common import PY, SimProcess, base_env, djtool, median, raw, run_timed, sqlite_url

SPP = 50


def run(ctx) -> None:
    res = ctx.results
    sizes = (200, 1_000) if ctx.quick else (1_000, 10_000, 50_000)
    # 50k takes over a minute a run while the collector is quadratic: two runs there.
    reps, warm = ((1,) * len(sizes), 0) if ctx.quick else ((3, 3, 2), 1)
    sim = SimProcess(
        workspaces=sizes[0],
        pools=sizes[0] // 500,
        sessions_per_pool=SPP,
        latency_ms=0,
        external_id="replaced-by-prepare",
    )
    rows = []
    try:
        tpl = ctx.scratch.path("scaling-template.sqlite3")
        info = djtool(["prepare", "--sim", sim.url], sqlite_url(tpl))
        env = base_env(AWS_ENDPOINT_URL=sim.url)
        for k, ws in enumerate(sizes):
            pools = ws // 500
            sim.seed(workspaces=ws, pools=pools, sessions_per_pool=SPP)
            devices = ws + pools * SPP
            times, rss = [], []
            for i in range((warm if k == 0 else 0) + reps[k]):
                db = ctx.scratch.copy_db(tpl, "scaling.sqlite3")
                env["DATABASE_URL"] = sqlite_url(db)
                proc = run_timed([PY, "manage.py", "sync_connector", info["nql_id"]], env).check(
                    "sync_connector"
                )
                if k > 0 or i >= warm:
                    times.append(proc.seconds)
                    rss.append(proc.maxrss_kb)
            run_row = djtool(["lastrun", info["nql_id"]], sqlite_url(db))
            if run_row["status"] != "succeeded" or run_row["devices"] != devices:
                raise RuntimeError(f"scaling run at {ws}: {run_row}")
            rows.append((ws, devices, times, rss))
            res.raw[f"3 seconds at {ws} WorkSpaces ({devices} devices)"] = raw(times)
            res.raw[f"3 peak RSS KiB at {ws} WorkSpaces"] = rss
            ctx.log(f"  scaling {ws}: {median(times):.2f} s, {median(rss) / 1024:.0f} MiB")
    finally:
        sim.stop()
    res.notes.append(
        "Scaling (3) runs at latency 0, not 20 ms: at 20 ms a call, 50,000 WorkSpaces "
        "(2,000 DescribeWorkspaces calls in a chain) would spend about a minute a run "
        "waiting, which hides our own cost per device, the thing measured there."
    )
    parts = []
    for ws, devices, times, rss in rows:
        parts.append(
            f"{ws:,} WS ({devices:,} devices): {median(times):.2f} s = "
            f"{median(times) / devices * 1e6:.0f} µs/device, "
            f"{median(rss) / 1024:.0f} MiB = {median(rss) / devices:.2f} KiB/device"
        )
    per_t = [median(t) / d for _, d, t, _ in rows]
    per_m = [median(m) / d for _, d, _, m in rows]
    (_, d0, _, m0), (_, d1, _, m1) = rows[0], rows[-1]
    marginal = (median(m1) - median(m0)) * 1024 / (d1 - d0)
    t_ratio, m_ratio = per_t[-1] / per_t[-2], per_m[-1] / per_m[-2]
    chain = " → ".join(f"{per_t[i + 1] / per_t[i]:.2f}" for i in range(len(per_t) - 1))
    res.add(
        "3",
        "Scaling, first sync, whole process, latency 0: time per device",
        "; ".join(parts[:]) + f"; per-device time ratios (each size vs the one before) {chain}",
        "largest vs middle size ≤ 1.10 (flat)",
        t_ratio <= 1.10,
    )
    res.add(
        "3",
        "Scaling: peak memory per device",
        f"largest vs middle size {m_ratio:.2f}; marginal memory {marginal:,.0f} bytes per "
        "extra device (peak RSS grows by that much per device)",
        "largest vs middle size ≤ 1.10 (flat)",
        m_ratio <= 1.10,
    )
