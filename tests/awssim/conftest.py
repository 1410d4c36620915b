"""Fixtures for the AWS simulator tests: no Django, no network, no real AWS."""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.retries.standard import ExponentialBackoff

from awssim import Simulator

CUSTOMER = "111122223333"
REGION = "eu-west-1"
EXTERNAL_ID = "nx-ext-0123456789abcdef"


@pytest.fixture(autouse=True)
def aws_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Plain test credentials and no shared config: the app's identity is moto's 123456789012."""
    for name in list(os.environ):
        if name.startswith("AWS_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


@pytest.fixture
def sim() -> Iterator[Simulator]:
    with Simulator.start() as s:
        yield s


@pytest.fixture
def no_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep botocore's real retry decisions but skip its sleeps."""
    monkeypatch.setattr(ExponentialBackoff, "delay_amount", lambda self, context: 0.0)


_SESSIONS: list[boto3.session.Session] = []


def _session() -> boto3.session.Session:
    """One boto3 session for all tests: its model cache makes clients cheap to create.

    Credentials are always the plain test keys from ``aws_env`` (or passed explicitly).
    """
    if not _SESSIONS:
        _SESSIONS.append(boto3.session.Session())
    return _SESSIONS[0]


class Kit:
    """Helpers bound to one simulator (a fixture, so tests need no imports)."""

    customer = CUSTOMER
    region = REGION
    external_id = EXTERNAL_ID

    def __init__(self, sim: Simulator) -> None:
        self.sim = sim

    def client(
        self,
        service: str = "workspaces",
        region: str = REGION,
        creds: dict[str, str] | None = None,
        **config: Any,
    ) -> Any:
        """A boto3 client pointed at the simulator (plain keys unless ``creds`` from AssumeRole)."""
        kwargs: dict[str, Any] = {}
        if creds:
            kwargs = {
                "aws_access_key_id": creds["AccessKeyId"],
                "aws_secret_access_key": creds["SecretAccessKey"],
                "aws_session_token": creds["SessionToken"],
            }
        return _session().client(
            service,
            region_name=region,
            endpoint_url=self.sim.endpoint_url,
            config=Config(**config) if config else None,
            **kwargs,
        )

    def role(
        self, actions: Any = None, role_name: str = "NexthinkConnector-Test", **kw: Any
    ) -> str:
        """Create the customer's role (five actions by default); returns its ARN."""
        if actions is not None:
            kw["actions"] = actions
        return self.sim.create_customer_role(CUSTOMER, role_name, external_id=EXTERNAL_ID, **kw)

    def assume(
        self,
        role_arn: str,
        external_id: str | None = EXTERNAL_ID,
        region: str = REGION,
        **extra: Any,
    ) -> dict[str, str]:
        """AssumeRole through the simulator with the app's plain keys; returns Credentials."""
        params: dict[str, Any] = {"RoleArn": role_arn, "RoleSessionName": "nexthink-test", **extra}
        if external_id is not None:
            params["ExternalId"] = external_id
        return self.client("sts", region).assume_role(**params)["Credentials"]

    def customer_client(self, region: str = REGION, **config: Any) -> Any:
        """A WorkSpaces client with credentials of the customer's role (five actions)."""
        return self.client(
            "workspaces", region, creds=self.assume(self.role(), region=region), **config
        )

    def control(
        self, method: str, name: str, body: dict[str, Any] | None = None
    ) -> tuple[int, Any]:
        """Call a /_sim/ control endpoint over HTTP; returns (status, JSON)."""
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(
            f"{self.sim.endpoint_url}/_sim/{name}",
            data=data,
            method=method,
            headers={"Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(req, timeout=10) as resp:
                return resp.status, json.loads(resp.read())
        except urllib.error.HTTPError as err:
            return err.code, json.loads(err.read())


@pytest.fixture
def kit(sim: Simulator) -> Kit:
    return Kit(sim)
