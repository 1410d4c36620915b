"""``python -m awssim`` as a separate process."""

from __future__ import annotations

import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import boto3
import pytest

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _read_until(
    proc: subprocess.Popen, prefix: str, count: int, timeout: float = 30.0
) -> dict[str, str]:
    """Collect ``key=value`` lines until ``count`` lines start with ``prefix``."""
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in proc.stdout], daemon=True).start()
    info: dict[str, str] = {}
    seen = 0
    deadline = time.monotonic() + timeout
    while seen < count:
        try:
            line = lines.get(timeout=max(0.1, deadline - time.monotonic())).strip()
        except queue.Empty:
            raise AssertionError(f"simulator did not start: {info} {proc.poll()}") from None
        if line.startswith(prefix):
            seen += 1
        elif "=" in line and not line.startswith("#"):
            key, value = line.split("=", 1)
            info[key] = value
    return info


@pytest.mark.slow
def test_cli_serves_seeded_regions_and_the_role_until_sigterm():
    port = _free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "awssim",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--seed-workspaces",
            "60",
            "--seed-pools",
            "2",
            "--sessions-per-pool",
            "5",
            "--regions",
            "eu-west-1,us-east-1",
            "--account",
            "111122223333",
            "--external-id",
            "cli-external-id",
            "--role-name",
            "NexthinkConnector-Demo",
            "--latency-ms",
            "0",
            "--throttle",
            "0.0",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        info = _read_until(proc, "fleet ", 2)
        assert info["endpoint_url"] == f"http://127.0.0.1:{port}"
        assert info["role_arn"] == "arn:aws:iam::111122223333:role/NexthinkConnector-Demo"
        assert info["external_id"] == "cli-external-id"
        assert info["trusted_account"] == "123456789012"

        sts = boto3.client("sts", region_name="us-east-1", endpoint_url=info["endpoint_url"])
        creds = sts.assume_role(
            RoleArn=info["role_arn"], RoleSessionName="cli", ExternalId="cli-external-id"
        )
        c = creds["Credentials"]
        ws = boto3.client(
            "workspaces",
            region_name="us-east-1",
            endpoint_url=info["endpoint_url"],
            aws_access_key_id=c["AccessKeyId"],
            aws_secret_access_key=c["SecretAccessKey"],
            aws_session_token=c["SessionToken"],
        )
        ids = [
            w["WorkspaceId"]
            for p in ws.get_paginator("describe_workspaces").paginate()
            for w in p["Workspaces"]
        ]
        assert len(set(ids)) == 60
        assert len(ws.describe_workspaces_pools()["WorkspacesPools"]) == 2
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            code = proc.wait(timeout=10)
        finally:
            if proc.poll() is None:
                proc.kill()
            proc.stdout.close()
            proc.stderr.close()
    assert code == 0


def test_main_help_lists_the_documented_flags(capsys):
    from awssim import main

    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    for flag in (
        "--host",
        "--port",
        "--seed-workspaces",
        "--seed-pools",
        "--sessions-per-pool",
        "--regions",
        "--account",
        "--external-id",
        "--role-name",
        "--latency-ms",
        "--throttle",
    ):
        assert flag in out
