"""A credential's Verify: AssumeRole with its External ID, nothing else, and
what to check when it fails (the same hints as runs and the Run test)."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from . import aws
from .collector import CallError
from .hints import hint_for, is_network

# An administrator waits for the page: two attempts, short timeouts.
VERIFY_CONFIG = Config(
    retries={"mode": "standard", "max_attempts": 2}, connect_timeout=4, read_timeout=8
)
# STS in the role's partition: the partition's first region, always enabled.
PARTITION_REGIONS = {"aws": "us-east-1", "aws-cn": "cn-north-1", "aws-us-gov": "us-gov-west-1"}
log = logging.getLogger(__name__)


@dataclass
class VerifyResult:
    ok: bool
    code: str = ""
    message: str = ""
    hint: str = ""
    request_id: str = ""
    reached_aws: bool = True  # False: a network, proxy or TLS failure; the role was not checked


def role_verify(*, role_arn: str, external_id: str, label: str) -> VerifyResult:
    """Assume the role once; never raises. The External ID is never echoed."""
    parts = role_arn.split(":")
    region = PARTITION_REGIONS.get(parts[1] if len(parts) > 1 else "", "us-east-1")
    try:
        aws.assume_role_once(
            role_arn=role_arn,
            external_id=external_id,
            session_name=aws.role_session_name(label),
            region=region,
            config=VERIFY_CONFIG,
        )
    except (ClientError, BotoCoreError) as exc:
        error = CallError.from_exception("AssumeRole", exc)
        return VerifyResult(
            ok=False,
            code=error.code,
            message=error.message.replace(external_id, "[external id]")[:2000],
            hint=hint_for(error),
            request_id=error.request_id,
            reached_aws=not is_network(error.code),
        )
    except Exception as exc:  # an unexpected answer: a message, never a 500
        log.exception("credential verify failed unexpectedly")
        return VerifyResult(ok=False, code=type(exc).__name__, message="Unexpected answer.")
    return VerifyResult(ok=True)


def verification_hint(code: str) -> str:
    """The hint for a stored outcome's error code."""
    return hint_for(CallError("AssumeRole", code, "")) if code else ""
