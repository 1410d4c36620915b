"""The connector form's "Run test": assume the role, then one small call for
each of the five actions the role must allow, shown as a checklist (allowed,
denied, failed, or not called and why), with the first WorkSpace as it would
be stored. Success only when all five work."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
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
from . import aws, hints
from .collector import CallError
from .hints import REGION_HINT, THROTTLE_HINT, TIMEOUT_HINT  # noqa: F401  (the probe's hints)
from .mapping import personal_record, stored_values

TIME_BOUND_SECONDS = 20
TESTS_PER_MINUTE = 5  # per user; only tests that reach AWS count (views.py)
SAMPLE_PAGE = 5
# A test must answer quickly: two attempts, short timeouts, no long backoff.
PROBE_CONFIG = Config(
    retries={"mode": "standard", "max_attempts": 2}, connect_timeout=4, read_timeout=8
)
ACTIONS = (
    "DescribeWorkspaces",
    "DescribeWorkspaceBundles",
    "DescribeWorkspaceImages",
    "DescribeWorkspacesPools",
    "DescribeWorkspacesPoolSessions",
)
SUCCESS, INCOMPLETE, FAILED = "success", "incomplete", "failed"
UNREACHABLE = "AWS could not be reached by an earlier call."
# Each probe runs in a daemon thread of its own, so a probe that timed out
# (AWS not answering) never delays the next one; botocore's timeouts above end
# it soon after. At most this many run at once (tests are also rate-limited).
MAX_PROBES_IN_FLIGHT = 16
_in_flight = threading.BoundedSemaphore(MAX_PROBES_IN_FLIGHT)
log = logging.getLogger(__name__)


@dataclass
class Check:
    """One of the five actions: `status` is allowed, denied, failed or not_called;
    `detail` says what was called, or why it was not."""

    action: str
    status: str = "not_called"
    detail: str = ""
    code: str = ""
    message: str = ""
    hint: str = ""
    request_id: str = ""
    elapsed_ms: int | None = None


@dataclass
class ProbeResult:
    ok: bool
    elapsed_ms: int
    outcome: str = FAILED  # success (all five allowed), incomplete (one not checkable), failed
    status_code: int | None = None
    message: str = ""
    hint: str = ""
    error: dict | None = None
    checks: list[dict] = field(default_factory=list)
    sample: list[dict] = field(default_factory=list)
    raw: dict | None = None
    count: int = 0
    more: bool = False
    warning: str = ""  # set by the view: another connector reads the same account and region

    def as_dict(self) -> dict:
        return asdict(self)


def _sample(ws: dict, bundle, image, *, region: str, environment_name: str) -> list[dict]:
    """The ten fields as they would be stored."""
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


class _Checklist:
    """Makes the calls, one per action, and records each outcome. After a
    call that could not reach AWS, the rest are not called (each would wait
    out the same timeouts)."""

    def __init__(self):
        self.checks = {action: Check(action) for action in ACTIONS}
        self.errors: list[CallError] = []
        self.unreachable = False

    def call(self, action: str, method: Callable, detail: str, **params) -> dict | None:
        check = self.checks[action]
        if self.unreachable:
            check.detail = UNREACHABLE
            return None
        check.detail = detail
        started = time.monotonic()
        try:
            response = method(**params)
        except (ClientError, BotoCoreError) as exc:
            error = CallError.from_exception(action, exc)
            check.elapsed_ms = int((time.monotonic() - started) * 1000)
            check.status = "denied" if hints.is_denied(error.code) else "failed"
            check.code, check.message = error.code, error.message
            check.hint, check.request_id = hints.hint_for(error), error.request_id
            self.unreachable = hints.is_network(error.code)
            self.errors.append(error)
            return None
        check.elapsed_ms = int((time.monotonic() - started) * 1000)
        check.status = "allowed"
        return response

    def skip(self, action: str, why: str) -> None:
        self.checks[action].detail = why

    def as_list(self) -> list[dict]:
        return [asdict(check) for check in self.checks.values()]


def _visible_image_id(bundle: dict | None) -> str | None:
    """An AWS-owned bundle's image is Amazon's, never visible to the account."""
    if not bundle or str(bundle.get("Owner", "")).upper() == "AMAZON":
        return None
    return bundle.get("ImageId")


def _run_checks(
    client, calls: _Checklist, *, region: str
) -> tuple[dict | None, dict | None, dict | None]:
    """The five calls; returns the DescribeWorkspaces answer, a bundle and an image."""
    answer = calls.call(
        "DescribeWorkspaces",
        client.describe_workspaces,
        f"Read the first page of WorkSpaces (Limit={SAMPLE_PAGE}).",
        Limit=SAMPLE_PAGE,
    )
    workspaces = (answer or {}).get("Workspaces", [])
    bundle_id = workspaces[0].get("BundleId") if workspaces else None
    if bundle_id:
        found = calls.call(
            "DescribeWorkspaceBundles",
            client.describe_workspace_bundles,
            "Read the first WorkSpace's bundle.",
            BundleIds=[bundle_id],
        )
    else:
        found = calls.call(
            "DescribeWorkspaceBundles",
            client.describe_workspace_bundles,
            "Read the first page of the account's own bundles.",
        )
    bundles = (found or {}).get("Bundles", [])
    bundle = bundles[0] if bundle_id and bundles else None
    image_id = _visible_image_id(bundle)
    if image_id:
        found = calls.call(
            "DescribeWorkspaceImages",
            client.describe_workspace_images,
            "Read the image behind the first WorkSpace's bundle.",
            ImageIds=[image_id],
        )
    else:
        found = calls.call(
            "DescribeWorkspaceImages",
            client.describe_workspace_images,
            "Read one of the account's images (MaxResults=1).",
            MaxResults=1,
        )
    images = (found or {}).get("Images", [])
    image = images[0] if image_id and images else None
    pools_answer = calls.call(
        "DescribeWorkspacesPools",
        client.describe_workspaces_pools,
        "Read one pool (Limit=1).",
        Limit=1,
    )
    pools = (pools_answer or {}).get("WorkspacesPools", [])
    if pools:
        calls.call(
            "DescribeWorkspacesPoolSessions",
            client.describe_workspaces_pool_sessions,
            f"Read one session of pool {pools[0]['PoolId']} (Limit=1).",
            PoolId=pools[0]["PoolId"],
            Limit=1,
        )
    elif pools_answer is not None:
        calls.skip(
            "DescribeWorkspacesPoolSessions",
            f"There is no pool in {region} to list the sessions of, so AWS cannot"
            " say whether the role allows it. Runs make no such call until a pool exists.",
        )
    else:
        calls.skip(
            "DescribeWorkspacesPoolSessions",
            UNREACHABLE
            if calls.unreachable
            else "It needs a pool, and the pools could not be listed.",
        )
    return answer, bundle, image


def _probe(
    *, role_arn: str, external_id: str, region: str, session_label: str, environment_name: str
) -> ProbeResult:
    started = time.monotonic()

    def elapsed() -> int:
        return int((time.monotonic() - started) * 1000)

    calls = _Checklist()
    try:
        session = aws.assume_role_session(
            role_arn=role_arn,
            external_id=external_id,
            session_name=aws.role_session_name(session_label),
            region=region,
        )
    except (ClientError, BotoCoreError) as exc:
        for action in ACTIONS:
            calls.skip(action, "The role could not be assumed.")
        return _failure(CallError.from_exception("AssumeRole", exc), elapsed(), calls)
    client = session.client("workspaces", region_name=region, config=PROBE_CONFIG)
    answer, bundle, image = _run_checks(client, calls, region=region)
    if calls.errors:
        result = _failure(calls.errors[0], elapsed(), calls)
    else:
        result = _success(answer, calls, region=region, elapsed_ms=elapsed())
    if answer is not None:  # the first WorkSpace is shown, whatever else failed
        workspaces = answer.get("Workspaces", [])
        result.count, result.more = len(workspaces), bool(answer.get("NextToken"))
        if workspaces:
            result.raw = workspaces[0]
            result.sample = _sample(
                workspaces[0], bundle, image, region=region, environment_name=environment_name
            )
    return result


def _success(answer: dict, calls: _Checklist, *, region: str, elapsed_ms: int) -> ProbeResult:
    """Every call made was allowed: Success, unless one could not be made."""
    result = ProbeResult(
        ok=True,
        outcome=SUCCESS,
        elapsed_ms=elapsed_ms,
        status_code=answer.get("ResponseMetadata", {}).get("HTTPStatusCode"),
        checks=calls.as_list(),
        message="The role works: all five actions are allowed.",
    )
    unchecked = [c for c in calls.checks.values() if c.status == "not_called"]
    if unchecked:
        result.ok, result.outcome = False, INCOMPLETE
        result.message = (
            f"The role can be assumed and {len(ACTIONS) - len(unchecked)} of the five actions"
            f" are allowed; {', '.join(c.action for c in unchecked)} could not be checked."
        )
        result.hint = (
            "Make sure the permissions policy allows all five workspaces:Describe* actions"
            " before pools are added to this account."
        )
    if not answer.get("Workspaces"):
        result.message += f" This account has no WorkSpaces in {region}."
    return result


def _failure(error: CallError, elapsed_ms: int, calls: _Checklist | None = None) -> ProbeResult:
    status = error.http_status
    if status is None and error.code in {"ReadTimeoutError", "ConnectTimeoutError"}:
        status = 504
    checks = calls.as_list() if calls else []
    failed = [c for c in checks if c["status"] in {"denied", "failed"}]
    if error.action == "AssumeRole" or not checks:
        message = error.message
    elif hints.is_network(error.code):
        message = f"AWS could not be reached ({error.code}): {error.message}"
    else:
        message = f"The role can be assumed, but {len(failed)} of the five actions failed."
    hint = hints.hint_for(error)
    if len(failed) > 1 and all(c["status"] == "denied" for c in failed):
        hint = hints.DESCRIBE_HINT + " The list below shows which ones it does not allow."
    return ProbeResult(
        ok=False,
        outcome=FAILED,
        elapsed_ms=elapsed_ms,
        status_code=status,
        message=message,
        hint=hint,
        checks=checks,
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
    for check in result.checks:
        check["message"] = check["message"].replace(external_id, "[external id]")
    return result
