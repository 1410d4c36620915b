"""Small helpers shared by the benchmarks: timed whole-process runs, the
simulator as a separate server process, statistics, environment, machine."""

from __future__ import annotations

import json
import os
import platform
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
PY = sys.executable  # the project's venv python (make bench runs us with it)
C7N_VENV = BENCH / ".venv-c7n"
ACCOUNT = "111122223333"  # the simulated customer's account
ROLE_NAME = "NexthinkConnector-Bench"
REGION = "eu-west-1"


# -- numbers ---------------------------------------------------------------
def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def fmt_s(values: list[float]) -> str:
    """'12.34 s (11.9–13.1, n=5)' for a list of seconds."""
    if not values:
        return "–"
    if len(values) == 1:
        return f"{values[0]:.2f} s (n=1)"
    return f"{median(values):.2f} s ({min(values):.2f}–{max(values):.2f}, n={len(values)})"


def raw(values: list[float], digits: int = 3) -> str:
    return "[" + ", ".join(f"{v:.{digits}f}" for v in values) + "]"


def verdict(ok: bool | None) -> str:
    return "–" if ok is None else ("OK" if ok else "**MISSED**")


# -- environment -----------------------------------------------------------
def base_env(**extra: str) -> dict[str, str]:
    """The environment of every child: no real AWS identity or config, the
    app's own identity = moto's plain keys, production-like DEBUG=false."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_DEFAULT_REGION=REGION,
        AWS_CONFIG_FILE="/nonexistent-bench-aws-config",
        AWS_SHARED_CREDENTIALS_FILE="/nonexistent-bench-aws-creds",
        AWS_EC2_METADATA_DISABLED="true",
        DJANGO_SETTINGS_MODULE="nexthink_admin.settings.local",
        DEBUG="false",
        LOG_LEVEL="WARNING",
    )
    env.pop("BENCH_QUICK", None)
    env.update(extra)
    return env


@dataclass
class Proc:
    """A finished child: wall seconds, peak RSS (KiB, from wait4), output."""

    seconds: float
    maxrss_kb: int
    returncode: int
    stdout: str
    stderr: str
    cpu_seconds: float = 0.0  # user + system CPU of the process (wait4)

    def check(self, what: str) -> Proc:
        if self.returncode != 0:
            raise RuntimeError(
                f"{what} exited {self.returncode}: {self.stderr[-2000:] or self.stdout[-2000:]}"
            )
        return self

    def json(self) -> Any:
        """The last stdout line that is JSON."""
        for line in reversed(self.stdout.strip().splitlines()):
            if line.startswith(("{", "[")):
                return json.loads(line)
        raise ValueError(f"no JSON in output: {self.stdout[-500:]} {self.stderr[-1500:]}")


def run_timed(cmd: list[str], env: dict[str, str], timeout: float = 900, cwd: Path = ROOT) -> Proc:
    """Run a whole process; wall time around it and its own peak RSS (wait4)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(
            cmd, env=env, cwd=cwd, stdout=out, stderr=err, start_new_session=True
        )
        deadline = start + timeout
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                os.killpg(proc.pid, signal.SIGKILL)
                pid, status, usage = os.wait4(proc.pid, 0)
                break
            time.sleep(0.005)
        seconds = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return Proc(
            seconds,
            usage.ru_maxrss,
            proc.returncode,
            out.read().decode(errors="replace"),
            err.read().decode(errors="replace"),
            usage.ru_utime + usage.ru_stime,
        )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# -- the simulator as a separate server process ------------------------------
class SimProcess:
    """`python -m awssim` on a free loopback port."""

    def __init__(
        self,
        *,
        workspaces: int,
        pools: int,
        sessions_per_pool: int,
        latency_ms: float,
        external_id: str,
        bundles: int = 40,
        images: int = 20,
    ) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.external_id = external_id
        fd, log = tempfile.mkstemp(prefix="bench-sim-", suffix=".log")
        self.log = Path(log)
        cmd = [
            PY,
            "-m",
            "awssim",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--seed-workspaces",
            str(workspaces),
            "--seed-bundles",
            str(bundles),
            "--seed-images",
            str(images),
            "--seed-pools",
            str(pools),
            "--sessions-per-pool",
            str(sessions_per_pool),
            "--latency-ms",
            str(latency_ms),
            "--regions",
            REGION,
            "--account",
            ACCOUNT,
            "--role-name",
            ROLE_NAME,
            "--external-id",
            external_id,
        ]
        with os.fdopen(fd, "w") as out:  # the child keeps writing to its own copy
            self.proc = subprocess.Popen(
                cmd,
                cwd=ROOT,
                env=base_env(),
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.role_arn = f"arn:aws:iam::{ACCOUNT}:role/{ROLE_NAME}"
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"simulator exited: {self.log.read_text()[-2000:]}")
            if "external_id=" in self.log.read_text():
                return
            time.sleep(0.1)
        self.stop()
        raise RuntimeError("simulator did not start in 120 s")

    def call(self, method: str, path: str, body: dict | None = None) -> Any:
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(
            self.url + "/_sim/" + path,
            data=data,
            method=method,
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(req, timeout=300) as resp:
            return json.loads(resp.read())

    def seed(
        self,
        *,
        workspaces: int,
        pools: int,
        sessions_per_pool: int,
        account: str = ACCOUNT,
        bundles: int = 40,
        images: int = 20,
    ) -> dict:
        return self.call(
            "POST",
            "seed",
            {
                "account_id": account,
                "region": REGION,
                "workspaces": workspaces,
                "bundles": bundles,
                "images": images,
                "pools": pools,
                "sessions_per_pool": sessions_per_pool,
            },
        )

    def latency(self, ms: float) -> None:
        self.call("POST", "config", {"latency_ms": ms})

    def reset_stats(self) -> None:
        self.call("POST", "reset-stats", {})

    def calls(self) -> dict[str, int]:
        return self.call("GET", "stats")["calls"]

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(10)
        self.log.unlink(missing_ok=True)


# -- scratch SQLite databases ------------------------------------------------
class Scratch:
    """A temporary folder for scratch databases and files, removed at the end."""

    def __init__(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="bench-"))

    def path(self, name: str) -> Path:
        return self.dir / name

    def copy_db(self, template: Path, name: str) -> Path:
        """A fresh copy of a prepared (migrated, closed) SQLite database."""
        target = self.path(name)
        for suffix in ("-wal", "-shm", ""):
            Path(f"{target}{suffix}").unlink(missing_ok=True)
        shutil.copyfile(template, target)
        return target

    def cleanup(self) -> None:
        shutil.rmtree(self.dir, ignore_errors=True)


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def djtool(args: list[str], database_url: str, **env: str) -> Any:
    """Run `python -m bench.djtool` (Django set up on `database_url`); returns its JSON."""
    proc = run_timed([PY, "-m", "bench.djtool", *args], base_env(DATABASE_URL=database_url, **env))
    return proc.check("djtool " + " ".join(args)).json()


# -- the machine -------------------------------------------------------------
def machine() -> dict[str, str]:
    mem_kb = 0
    cpu = platform.processor() or "?"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem_kb = int(line.split()[1])
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "nproc": str(os.cpu_count()),
        "cpu": cpu,
        "memory": f"{mem_kb / 1024 / 1024:.1f} GiB",
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "os": f"{platform.system()} {platform.release()}",
        "load": " / ".join(f"{x:.1f}" for x in os.getloadavg()),
    }


@dataclass
class Row:
    """One line of the results table."""

    section: str
    what: str
    measured: str
    target: str = "–"
    ok: bool | None = None
    note: str = ""


@dataclass
class Results:
    rows: list[Row] = field(default_factory=list)
    raw: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def add(self, *args: Any, **kwargs: Any) -> None:
        self.rows.append(Row(*args, **kwargs))
