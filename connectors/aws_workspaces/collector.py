"""Collects one connector's AWS WorkSpaces with the fewest calls.

Only the five actions of the IAM policy are used. DescribeWorkspaces pages of
25 are mapped as they arrive (the next pages are fetched meanwhile, see
pipeline.py); pools and their sessions are read in a second thread alongside.
Bundles are fetched by the distinct BundleIds seen, 25 per call, and images by
the distinct ImageIds of those bundles, 25 per call, so each is fetched once
per run. A device record waits (compactly, grouped by bundle) only until its
bundle and image are known, then is handed to storage in batches.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from botocore.exceptions import BotoCoreError, ClientError

from . import aws
from .mapping import DeviceRecord, complete, personal_base, pooled_base
from .pipeline import CollectionStopped, prefetched

PAGE_WORKSPACES = 25
PAGE_POOLS = 25
PAGE_SESSIONS = 50
IDS_PER_CALL = 25
STORE_BATCH = 500  # records handed to storage at a time
UNKNOWN = object()  # asked for, but AWS did not return it (deleted, or an image not visible)
FAILED = object()  # the call that should have told failed: keep what the device had


@dataclass
class CallError:
    action: str
    code: str
    message: str
    request_id: str = ""
    http_status: int | None = None

    @classmethod
    def from_exception(cls, action: str, exc: Exception) -> CallError:
        if isinstance(exc, ClientError):
            error = exc.response.get("Error", {})
            meta = exc.response.get("ResponseMetadata", {})
            return cls(
                action,
                error.get("Code", "ClientError"),
                error.get("Message", str(exc)),
                meta.get("RequestId", ""),
                meta.get("HTTPStatusCode"),
            )
        return cls(action, type(exc).__name__, str(exc))


class CollectionFailed(Exception):
    """The run cannot go on (role not assumable, DescribeWorkspaces failing)."""

    def __init__(self, error: CallError, hint: str = ""):
        self.error, self.hint = error, hint
        super().__init__(f"{error.action}: {error.code}: {error.message}")


ASSUME_ROLE_HINT = (
    "Check the role's trust policy: its Principal must be this console's AWS account, its"
    " sts:ExternalId condition must equal the credential's External ID, and the Role ARN"
    " (name starting with the required prefix) must be exact."
)
DESCRIBE_HINT = (
    "Check the role's permissions policy: it must allow the five workspaces:Describe* actions."
)


@dataclass
class Progress:
    pages: int = 0
    seen: int = 0


class WorkspacesCollector:
    def __init__(
        self,
        *,
        client,
        on_page: Callable[[Progress], None] | None = None,
        reassume: Callable[[], None] | None = None,
        stop: threading.Event | None = None,
    ):
        self.client = client
        self.stop = stop or threading.Event()  # the run's one stop signal, for every thread
        self.reassume = reassume
        self.reassumed = 0
        self.on_page = on_page or (lambda progress: None)
        self.progress = Progress()
        self.errors: list[CallError] = []
        self.bundles: dict[str, object] = {}
        self.images: dict[str, object] = {}
        self._bundle_queue: list[str] = []
        self._image_queue: list[str] = []
        self._pending: dict[str, list[DeviceRecord]] = defaultdict(
            list
        )  # bundle id -> records waiting for it
        self._lock = threading.Lock()  # progress and errors are updated from two threads
        self._reassume_lock = threading.Lock()

    @property
    def complete(self) -> bool:
        return not self.errors

    # -- the run ---------------------------------------------------------
    def collect(self) -> Iterator[list[DeviceRecord]]:
        ready: list[DeviceRecord] = []
        with ThreadPoolExecutor(max_workers=2, thread_name_prefix="collector") as executor:
            try:
                pooled = executor.submit(self._pooled_records)  # pools and sessions, alongside
                for page in prefetched(executor, self._workspaces_pages(), stop=self.stop):
                    for ws in page:
                        self._add(personal_base(ws))
                    with self._lock:
                        self.progress.seen += len(page)
                    self._resolve(final=False)
                    ready.extend(self._take_ready())
                    if len(ready) >= STORE_BATCH:
                        yield ready
                        ready = []
                    self.on_page(self.progress)
                for record in pooled.result():
                    self._add(record)
            except BaseException:
                # Storage failed (the consumer closed us), the lease was lost
                # or a call failed: stop every thread before the executor
                # waits for them.
                self.stop.set()
                raise
        self._resolve(final=True)
        ready.extend(self._take_ready())
        if ready:
            yield ready

    def _add(self, record: DeviceRecord) -> None:
        if (
            record.bundle_id
            and record.bundle_id not in self.bundles
            and record.bundle_id not in self._bundle_queue
        ):
            self._bundle_queue.append(record.bundle_id)
        self._pending[record.bundle_id].append(record)

    def _pooled_records(self) -> list[DeviceRecord]:
        """Every pool session as a record (runs in its own thread)."""
        records: list[DeviceRecord] = []
        for pool in self._pools():
            for page in self._sessions_pages(pool):
                records.extend(pooled_base(session, pool) for session in page)
                with self._lock:
                    self.progress.seen += len(page)
        return records

    def _call(self, method, **kwargs) -> dict:
        """One API call; when the assumed-role session has expired mid-run,
        assume the role again (once, whichever thread sees it first) and
        repeat the call once."""
        generation = self.reassumed
        try:
            return method(**kwargs)
        except ClientError as exc:
            if (
                self.reassume is None
                or exc.response.get("Error", {}).get("Code") not in aws.EXPIRED_CODES
            ):
                raise
        with self._reassume_lock:
            if self.reassumed == generation:  # nobody refreshed since this call started
                self.reassume()
                self.reassumed += 1
        return method(**kwargs)

    # -- paging -----------------------------------------------------------
    def _pages(self, method, items_key: str, **params) -> Iterator[list[dict]]:
        """Every page of one call, following NextToken. Errors propagate."""
        token = None
        while True:
            if self.stop.is_set():
                raise CollectionStopped()
            response = self._call(method, **params, **({"NextToken": token} if token else {}))
            with self._lock:
                self.progress.pages += 1
            yield response.get(items_key, [])
            token = response.get("NextToken")
            if not token:
                return

    def _workspaces_pages(self) -> Iterator[list[dict]]:
        """The WorkSpaces themselves: without them the run cannot go on."""
        try:
            yield from self._pages(
                self.client.describe_workspaces, "Workspaces", Limit=PAGE_WORKSPACES
            )
        except (ClientError, BotoCoreError) as exc:
            error = CallError.from_exception("DescribeWorkspaces", exc)
            raise CollectionFailed(
                error, DESCRIBE_HINT if "AccessDenied" in error.code else ""
            ) from exc

    def _pools(self) -> list[dict]:
        pools: list[dict] = []
        try:
            for page in self._pages(
                self.client.describe_workspaces_pools, "WorkspacesPools", Limit=PAGE_POOLS
            ):
                pools.extend(page)
        except (ClientError, BotoCoreError) as exc:
            with self._lock:
                self.errors.append(CallError.from_exception("DescribeWorkspacesPools", exc))
        return pools

    def _sessions_pages(self, pool: dict) -> Iterator[list[dict]]:
        try:
            yield from self._pages(
                self.client.describe_workspaces_pool_sessions,
                "Sessions",
                PoolId=pool["PoolId"],
                Limit=PAGE_SESSIONS,
            )
        except (ClientError, BotoCoreError) as exc:
            with self._lock:
                self.errors.append(CallError.from_exception("DescribeWorkspacesPoolSessions", exc))

    # -- bundles and images, fetched once each, 25 ids a call ------------
    def _resolve(self, *, final: bool) -> None:
        while self._bundle_queue and (final or len(self._bundle_queue) >= IDS_PER_CALL):
            batch, self._bundle_queue = (
                self._bundle_queue[:IDS_PER_CALL],
                self._bundle_queue[IDS_PER_CALL:],
            )
            found = self._fetch(
                "DescribeWorkspaceBundles",
                self.client.describe_workspace_bundles,
                "BundleIds",
                batch,
                "Bundles",
                "BundleId",
            )
            for bundle_id in batch:
                bundle = FAILED if found is None else found.get(bundle_id, UNKNOWN)
                self.bundles[bundle_id] = bundle
                image_id = _visible_image_id(bundle)
                if image_id and image_id not in self.images and image_id not in self._image_queue:
                    self._image_queue.append(image_id)
        while self._image_queue and (final or len(self._image_queue) >= IDS_PER_CALL):
            batch, self._image_queue = (
                self._image_queue[:IDS_PER_CALL],
                self._image_queue[IDS_PER_CALL:],
            )
            found = self._fetch(
                "DescribeWorkspaceImages",
                self.client.describe_workspace_images,
                "ImageIds",
                batch,
                "Images",
                "ImageId",
            )
            for image_id in batch:
                self.images[image_id] = FAILED if found is None else found.get(image_id, UNKNOWN)

    def _fetch(
        self, action: str, call, param: str, ids: list[str], key: str, id_key: str
    ) -> dict[str, dict] | None:
        """Items by id (None when the call failed: the run is then partial)."""
        found: dict[str, dict] = {}
        try:
            for page in self._pages(call, key, **{param: ids}):
                found.update((item[id_key], item) for item in page)
        except (ClientError, BotoCoreError) as exc:
            with self._lock:
                self.errors.append(CallError.from_exception(action, exc))
            return None
        return found

    def _take_ready(self) -> list[DeviceRecord]:
        """Complete and release the records whose bundle (and its image) is known."""
        ready: list[DeviceRecord] = []
        for bundle_id in list(self._pending):
            if bundle_id and bundle_id not in self.bundles:
                continue
            bundle = self.bundles.get(bundle_id) if bundle_id else None
            bundle = bundle if isinstance(bundle, dict) else None
            image_id = _visible_image_id(bundle)
            if image_id and image_id not in self.images:
                continue
            image = self.images.get(image_id) if image_id else None
            for record in self._pending.pop(bundle_id):
                complete(record, bundle, image if isinstance(image, dict) else None)
                if image is FAILED:
                    record.disk_image = None
                ready.append(record)
        return ready


def _visible_image_id(bundle) -> str | None:
    """The image to look up for a bundle. An AWS-owned bundle's image is
    Amazon's and never visible to DescribeWorkspaceImages in the customer's
    account: asking would only spend a call; its id stands for its name."""
    if not isinstance(bundle, dict) or str(bundle.get("Owner", "")).upper() == "AMAZON":
        return None
    return bundle.get("ImageId")


def collect_connector(
    connector, *, stats: aws.CallStats, on_page=None, stop: threading.Event | None = None
) -> tuple[WorkspacesCollector, Iterable[list[DeviceRecord]]]:
    """Assume the connector's role and return the collector with its batches."""
    credential = connector.credential
    try:
        session = aws.assume_role_session(
            role_arn=credential.role_arn,
            external_id=credential.external_id,
            session_name=aws.role_session_name(connector.nql_id),
            region=connector.region,
        )
    except (ClientError, BotoCoreError) as exc:
        raise CollectionFailed(
            CallError.from_exception("AssumeRole", exc), ASSUME_ROLE_HINT
        ) from exc
    client = aws.workspaces_client(session, region=connector.region, stats=stats)
    stop = stop or threading.Event()

    def abort_when_stopped(**_) -> None:
        # Also between botocore's retry attempts: a stopped run does not sit
        # out a throttled call's retries.
        if stop.is_set():
            raise CollectionStopped()

    client.meta.events.register("before-send.workspaces", abort_when_stopped)
    collector = WorkspacesCollector(
        client=client, on_page=on_page, reassume=lambda: aws.session_reassume(session), stop=stop
    )
    return collector, collector.collect()
