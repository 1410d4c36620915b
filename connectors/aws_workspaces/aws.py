"""The one module that talks to AWS: every boto3 session and client is built here.

The application's own identity comes from the standard boto3 chain
(environment, profile, instance role); the standard AWS_ENDPOINT_URL (and
AWS_ENDPOINT_URL_STS / _WORKSPACES) is honoured by botocore itself, so the
whole application can be pointed at the simulator. A connector's session
assumes the customer's role with the credential's External ID and refreshes
itself before the assumed-role credentials expire.
"""

from __future__ import annotations

import re
import threading
from collections import Counter
from dataclasses import dataclass, field

import boto3
from botocore.config import Config
from botocore.credentials import RefreshableCredentials
from botocore.loaders import create_loader
from botocore.session import get_session

ASSUME_ROLE_SECONDS = 3600
EXPIRED_CODES = frozenset({"ExpiredTokenException", "ExpiredToken", "RequestExpired"})
THROTTLE_CODES = frozenset(
    {
        "ThrottlingException",
        "Throttling",
        "ThrottledException",
        "RequestLimitExceeded",
        "TooManyRequestsException",
        "RequestThrottled",
    }
)

# Standard mode backs off exponentially with jitter on throttling and
# transient errors; 10 attempts ride out a burst of throttling.
WORKSPACES_CONFIG = Config(
    retries={"mode": "standard", "max_attempts": 10},
    connect_timeout=5,
    read_timeout=20,
    max_pool_connections=4,
    user_agent_extra="workspaces-connector-console",
)
STS_CONFIG = Config(
    retries={"mode": "standard", "max_attempts": 3}, connect_timeout=5, read_timeout=10
)


@dataclass
class CallStats:
    """API calls per action (one per logical call, retries not counted) and
    throttled responses, gathered from botocore's event hooks."""

    calls: Counter = field(default_factory=Counter)
    throttled: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def on_before_call(self, model, **_):
        with self._lock:  # a run calls from two threads
            self.calls[model.name] += 1

    def on_needs_retry(self, response=None, **_):
        if response and response[1].get("Error", {}).get("Code") in THROTTLE_CODES:
            with self._lock:
                self.throttled += 1


class AssumedRoleCredentials(RefreshableCredentials):
    """Refreshes itself before expiry; force_refresh re-assumes at once (when
    AWS says the session expired earlier than its stated expiry)."""

    def force_refresh(self) -> None:
        self._protected_refresh(is_mandatory=True)


def session_reassume(session: boto3.Session) -> None:
    credentials = session._session._credentials
    if isinstance(credentials, AssumedRoleCredentials):
        credentials.force_refresh()


def role_session_name(label: str) -> str:
    """A RoleSessionName (2-64 chars of [\\w+=,.@-]) that names the connector."""
    cleaned = re.sub(r"[^\w+=,.@-]", "-", f"nexthink-{label}", flags=re.ASCII)
    return cleaned[:64]


# Service models are read from disk once per process, not once per session
# (two sessions a run: about 0.2 s saved on every run).
_LOADER = create_loader()


def _botocore_session():
    session = get_session()
    session.register_component("data_loader", _LOADER)
    return session


def app_session() -> boto3.Session:
    """The application's own identity, from the standard boto3 chain."""
    return boto3.Session(botocore_session=_botocore_session())


def assume_role_session(
    *, role_arn: str, external_id: str, session_name: str, region: str
) -> boto3.Session:
    """A boto3 session in `region` with the customer's role assumed.

    AssumeRole is called at once, so a denied role fails here (ClientError);
    later the credentials refresh themselves before they expire.
    """
    sts = app_session().client("sts", region_name=region, config=STS_CONFIG)

    def fetch() -> dict:
        creds = sts.assume_role(
            RoleArn=role_arn,
            RoleSessionName=session_name,
            ExternalId=external_id,
            DurationSeconds=ASSUME_ROLE_SECONDS,
        )["Credentials"]
        return {
            "access_key": creds["AccessKeyId"],
            "secret_key": creds["SecretAccessKey"],
            "token": creds["SessionToken"],
            "expiry_time": creds["Expiration"].isoformat(),
        }

    credentials = AssumedRoleCredentials.create_from_metadata(
        metadata=fetch(), refresh_using=fetch, method="sts-assume-role"
    )
    botocore_session = _botocore_session()
    botocore_session._credentials = credentials
    return boto3.Session(botocore_session=botocore_session, region_name=region)


def assume_role_once(
    *, role_arn: str, external_id: str, session_name: str, region: str, config: Config = STS_CONFIG
) -> dict:
    """One AssumeRole and nothing else (the credential's Verify): the assumed
    role's user (Arn, AssumedRoleId). The credentials AWS hands out are
    dropped unused, and last the shortest time AWS allows."""
    sts = app_session().client("sts", region_name=region, config=config)
    return sts.assume_role(
        RoleArn=role_arn,
        RoleSessionName=session_name,
        ExternalId=external_id,
        DurationSeconds=900,
    )["AssumedRoleUser"]


def workspaces_client(session: boto3.Session, *, region: str, stats: CallStats | None = None):
    client = session.client("workspaces", region_name=region, config=WORKSPACES_CONFIG)
    if stats is not None:
        client.meta.events.register("before-call.workspaces", stats.on_before_call)
        client.meta.events.register("needs-retry.workspaces", stats.on_needs_retry)
    return client
