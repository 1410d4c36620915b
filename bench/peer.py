"""Benchmark 4, the peer: Cloud Custodian's `aws.workspaces` against the same
simulator and the same WorkSpaces, whole process, vs our sync_connector.

c7n assumes the same customer role with the same External ID (`--assume`,
`--external-id`), so both sides read the one fleet of the customer account
(plain keys would make c7n the app's own account, 123456789012, which holds
another fleet). It calls AssumeRole, DescribeWorkspaces (paged by 25) and the
Resource Groups Tagging API's GetResources (100 ARNs a call) for tags; the
simulator passes GetResources to moto, which answers with no tags.
The runs themselves are interleaved with ours in bench/collection.py.
"""

from __future__ import annotations

import json
from pathlib import Path

from .common import C7N_VENV, REGION, Proc, Scratch, SimProcess, base_env, run_timed

POLICY = """policies:
  - name: bench-workspaces
    resource: aws.workspaces
"""


def custodian() -> Path:
    return C7N_VENV / "bin" / "custodian"


def unavailable() -> str | None:
    """Why the peer cannot be measured, or None."""
    if not custodian().exists():
        return (
            f"c7n is not installed in {C7N_VENV} "
            "(`make bench` installs requirements/bench.txt there)"
        )
    return None


class Peer:
    """Runs `custodian run` on the simulator; `reason` is set once it cannot."""

    def __init__(self, sim: SimProcess, scratch: Scratch, info: dict, workspaces: int) -> None:
        self.sim, self.scratch, self.info, self.workspaces = sim, scratch, info, workspaces
        self.reason = unavailable()
        self.policy = scratch.path("c7n-policy.yml")
        self.policy.write_text(POLICY)
        self.times: list[float] = []
        self.rss_kb: list[int] = []
        self.cpu: list[float] = []
        self.calls: dict[str, int] = {}

    def run(self, *, keep: bool) -> Proc | None:
        """One whole-process `custodian run`; None (and `reason`) if it fails."""
        if self.reason:
            return None
        out = self.scratch.path("c7n-out")
        env = base_env(AWS_ENDPOINT_URL=self.sim.url, AWS_DEFAULT_REGION=REGION)
        cmd = [
            str(custodian()),
            "run",
            "-s",
            str(out),
            "--cache-period",
            "0",
            "--region",
            REGION,
            # `=`: an External ID may start with "-", which argparse would take for an option
            f"--assume={self.info['role_arn']}",
            f"--external-id={self.info['external_id']}",
            str(self.policy),
        ]
        self.sim.reset_stats()
        proc = run_timed(cmd, env, timeout=600)
        calls = self.sim.calls()
        found = out / "bench-workspaces" / "resources.json"
        if proc.returncode != 0 or not found.exists():
            output = (proc.stderr or proc.stdout).strip()[-300:]
            self.reason = f"custodian run exited {proc.returncode}: {output}"
            return None
        count = len(json.loads(found.read_text()))
        if count != self.workspaces:
            self.reason = (
                f"c7n saw {count} WorkSpaces, not {self.workspaces}: {proc.stderr.strip()[-300:]}"
            )
            return None
        if keep:
            self.times.append(proc.seconds)
            self.rss_kb.append(proc.maxrss_kb)
            self.cpu.append(proc.cpu_seconds)
            self.calls = calls
        return proc
