"""The connector form's "Run test": assume the role, read one small page of
WorkSpaces, and show the first one as it would be stored, or the API's error
with what to check."""

from __future__ import annotations

import logging
import threading
import time
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import asdict, dataclass, field

from botocore.config import Config
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectTimeoutError,
    EndpointConnectionError,
    ReadTimeoutError,
)

from ..models.device import VIRTUALIZATION_FIELDS
from . import aws
from .collector import ASSUME_ROLE_HINT, DESCRIBE_HINT, CallError
from .mapping import personal_record, stored_values

TIME_BOUND_SECONDS = 20
SAMPLE_PAGE = 5
# A test must answer quickly: two attempts, short timeouts, no long backoff.
PROBE_CONFIG = Config(
    retries={"mode": "standard", "max_attempts": 2}, connect_timeout=4, read_timeout=8
)
THROTTLE_HINT = "AWS rate limits were hit: run the test again, or test one region at a time."
TIMEOUT_HINT = (
    "AWS did not answer in time: check this server's outbound network access to AWS,"
    " then run it again."
)
REGION_HINT = (
    "The region may not be enabled for this AWS account, or WorkSpaces may not be offered there."
)
# Each probe runs in a daemon thread of its own, so a probe that timed out
# (AWS not answering) never delays the next one; botocore's timeouts above end
# it soon after. At most this many run at once (tests are also rate-limited).
MAX_PROBES_IN_FLIGHT = 16
_in_flight = threading.BoundedSemaphore(MAX_PROBES_IN_FLIGHT)
log = logging.getLogger(__name__)


@dataclass
class ProbeResult:
    ok: bool
    elapsed_ms: int
    status_code: int | None = None
    message: str = ""
    hint: str = ""
    error: dict | None = None
    sample: list[dict] = field(default_factory=list)
    raw: dict | None = None
    count: int = 0
    more: bool = False

    def as_dict(self) -> dict:
        return asdict(self)


def _hint_for(error: CallError) -> str:
    if error.code in aws.THROTTLE_CODES:
        return THROTTLE_HINT
    if error.action == "AssumeRole" and "AccessDenied" in error.code:
        return ASSUME_ROLE_HINT
    if "AccessDenied" in error.code or error.code == "UnauthorizedOperation":
        return DESCRIBE_HINT
    if error.code in {
        "InvalidClientTokenId",
        "UnrecognizedClientException",
        "OptInRequired",
        "InvalidRegion",
    }:
        return REGION_HINT
    if error.code in {"ReadTimeoutError", "ConnectTimeoutError", "EndpointConnectionError"}:
        return TIMEOUT_HINT
    return ""


def _sample(ws: dict, client, *, region: str, environment_name: str) -> list[dict]:
    """The ten fields as they would be stored (bundle and image looked up)."""
    bundle = image = None
    try:
        bundles = (
            client.describe_workspace_bundles(BundleIds=[ws["BundleId"]]).get("Bundles", [])
            if ws.get("BundleId")
            else []
        )
        bundle = bundles[0] if bundles else None
        if bundle and bundle.get("ImageId"):
            images = client.describe_workspace_images(ImageIds=[bundle["ImageId"]]).get(
                "Images", []
            )
            image = images[0] if images else None
    except (ClientError, BotoCoreError):
        pass  # the sample shows what is known; the collection reports such errors per run
    record = personal_record(ws, bundle, image)
    values = {
        **stored_values(record, environment_name=environment_name, region=region),
        "last_update": "set when a run stores it",
    }
    fields = [{"label": "Name", "nql": "device.name", "value": record.name}]
    fields += [
        {"label": label, "nql": nql, "value": values[attr]}
        for label, nql, attr in VIRTUALIZATION_FIELDS
    ]
    return fields


def _probe(
    *, role_arn: str, external_id: str, region: str, session_label: str, environment_name: str
) -> ProbeResult:
    started = time.monotonic()

    def elapsed() -> int:
        return int((time.monotonic() - started) * 1000)

    try:
        session = aws.assume_role_session(
            role_arn=role_arn,
            external_id=external_id,
            session_name=aws.role_session_name(session_label),
            region=region,
        )
    except (ClientError, BotoCoreError) as exc:
        return _failure(CallError.from_exception("AssumeRole", exc), elapsed())
    client = session.client("workspaces", region_name=region, config=PROBE_CONFIG)
    call_started = time.monotonic()
    try:
        response = client.describe_workspaces(Limit=SAMPLE_PAGE)
    except (ClientError, BotoCoreError) as exc:
        return _failure(CallError.from_exception("DescribeWorkspaces", exc), elapsed())
    call_ms = int((time.monotonic() - call_started) * 1000)
    workspaces = response.get("Workspaces", [])
    result = ProbeResult(
        ok=True,
        elapsed_ms=call_ms,
        status_code=response.get("ResponseMetadata", {}).get("HTTPStatusCode"),
        count=len(workspaces),
        more=bool(response.get("NextToken")),
    )
    if not workspaces:
        result.message = f"The role works, but this account has no WorkSpaces in {region}."
        return result
    result.raw = workspaces[0]
    result.sample = _sample(workspaces[0], client, region=region, environment_name=environment_name)
    result.message = "The role works and WorkSpaces can be read."
    return result


def _failure(error: CallError, elapsed_ms: int) -> ProbeResult:
    status = error.http_status
    if status is None and error.code in {"ReadTimeoutError", "ConnectTimeoutError"}:
        status = 504
    return ProbeResult(
        ok=False,
        elapsed_ms=elapsed_ms,
        status_code=status,
        message=error.message,
        hint=_hint_for(error),
        error={
            "action": error.action,
            "code": error.code,
            "message": error.message,
            "request_id": error.request_id,
        },
    )


def _unexpected(exc: Exception) -> ProbeResult:
    log.exception("connection test failed unexpectedly")
    return ProbeResult(
        ok=False,
        elapsed_ms=0,
        message="The test could not read AWS's answer; run it again, or run the connector and"
        " see its run's error.",
        error={
            "action": "",
            "code": type(exc).__name__,
            "message": "Unexpected answer.",
            "request_id": "",
        },
    )


def _timed_out() -> ProbeResult:
    return ProbeResult(
        ok=False,
        elapsed_ms=TIME_BOUND_SECONDS * 1000,
        status_code=504,
        hint=TIMEOUT_HINT,
        message=f"The test timed out after {TIME_BOUND_SECONDS} seconds.",
        error={"action": "", "code": "Timeout", "message": "No answer in time.", "request_id": ""},
    )


def connection_test(
    *, role_arn: str, external_id: str, region: str, session_label: str, environment_name: str = ""
) -> ProbeResult:
    """Run the probe with a hard time bound; never raises."""
    if not _in_flight.acquire(blocking=False):
        return ProbeResult(
            ok=False,
            elapsed_ms=0,
            status_code=503,
            message="Too many tests are waiting for AWS right now; run it again in a minute.",
            hint=TIMEOUT_HINT,
        )
    future: Future = Future()

    def probe() -> None:
        try:
            future.set_result(
                _probe(
                    role_arn=role_arn,
                    external_id=external_id,
                    region=region,
                    session_label=session_label,
                    environment_name=environment_name,
                )
            )
        except BaseException as exc:  # handed to the caller below
            future.set_exception(exc)
        finally:
            _in_flight.release()

    threading.Thread(target=probe, name="connector-test", daemon=True).start()
    try:
        result = future.result(timeout=TIME_BOUND_SECONDS)
    except FutureTimeout:
        return _timed_out()
    except (ConnectTimeoutError, ReadTimeoutError, EndpointConnectionError) as exc:
        result = _failure(CallError.from_exception("", exc), TIME_BOUND_SECONDS * 1000)
    except (ClientError, BotoCoreError) as exc:
        result = _failure(CallError.from_exception("", exc), 0)
    except Exception as exc:  # an unexpected answer (a missing key...): a message, never a 500
        result = _unexpected(exc)
    # Defensive: the External ID must never be echoed, whatever AWS put in a message.
    result.message = result.message.replace(external_id, "[external id]")
    if result.error:
        result.error["message"] = result.error["message"].replace(external_id, "[external id]")
    return result
