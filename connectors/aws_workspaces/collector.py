"""Collects one connector's AWS WorkSpaces, streaming: records are stored
page by page while the DescribeWorkspaces chain goes on.

Only the five actions of the IAM policy are used. The DescribeWorkspaces
chain is sequential (each page needs the previous NextToken), so a run can be
no faster than it: everything else hides behind it. Its pages are fetched in
a thread ahead of the consumer (pipeline.py), which maps them, completes the
records and hands them to storage in batches. A second thread lists the
account's images once up front (the fleet's images are nearly always all of
them: one call for 25), then reads pools and their sessions and hands their
records over page by page: pool records (PoolRecord, completed with their
bundle's image and compute type) and session records (SessionRecord), not
devices (pool_mapping.py). A session record always follows its pool's.
Bundles are fetched by the ids seen, 25 per call, in waves: as soon as 25
are waiting, or when the oldest has waited a few pages (a wait that
doubles after each wave, so a fleet's bundles cost a few calls more than
the minimum, never one per page). A record waits only until
its bundle and its image are known.
"""

from __future__ import annotations

import queue
import threading
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from botocore.exceptions import BotoCoreError, ClientError

from ..registry import CollectionFailed
from . import aws
from .hints import ASSUME_ROLE_HINT, DESCRIBE_HINT, hint_for  # noqa: F401  (re-exported)
from .mapping import DeviceRecord, complete, is_aws_owned, personal_base
from .pipeline import CollectionStopped, prefetched
from .pool_mapping import PoolRecord, SessionRecord, pool_base, pool_complete, session_base

PAGE_WORKSPACES = 25
PAGE_POOLS = 25
PAGE_SESSIONS = 50
IDS_PER_CALL = 25
STORE_BATCH = 500  # records handed to storage at a time
FIRST_BATCH = 100  # the first batch is stored sooner: devices appear within the first pages
PREFETCH_PAGES = 64  # DescribeWorkspaces pages fetched ahead: storage never stalls the chain
FIRST_WAIT_PAGES = 2  # pages a bundle id may wait for others before a call; doubles per wave
MAX_WAIT_PAGES = 32
IMAGE_LIST_PAGES = 4  # the account's images listed up front, at most this many calls
_SIDE_DONE = object()
Record = DeviceRecord | PoolRecord | SessionRecord
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
        self._waits = {"bundles": FIRST_WAIT_PAGES, "images": FIRST_WAIT_PAGES}
        self._queued_at = {"bundles": 0, "images": 0}  # tick when the queue became non-empty
        self._tick = 0  # pages handled by the consumer (WorkSpaces and sessions)
        self._batch_size = FIRST_BATCH
        # Records waiting for their bundle, by bundle id (a pool's sessions wait
        # with their pool, in order, so a session is never stored before its pool).
        self._pending: dict[str, list] = defaultdict(list)
        self._side: queue.SimpleQueue = queue.SimpleQueue()  # pool, then its sessions by page
        self._listed: dict[str, dict] | None = None  # the account's images, listed up front
        self._listing_complete = False  # every visible image was listed
        self._listing_done = threading.Event()
        self._waiting_images: set[str] = set()  # needed before the listing arrived
        self._lock = threading.Lock()  # progress and errors are updated from several threads
        self._reassume_lock = threading.Lock()

    @property
    def complete(self) -> bool:
        return not self.errors

    # -- the run ---------------------------------------------------------
    def collect(self) -> Iterator[list[Record]]:
        ready: list[Record] = []
        with ThreadPoolExecutor(max_workers=2, thread_name_prefix="collector") as executor:
            try:
                side = executor.submit(self._side_thread)
                side_done = False
                pages = self._workspaces_pages()
                for page in prefetched(executor, pages, depth=PREFETCH_PAGES, stop=self.stop):
                    for ws in page:
                        self._add(personal_base(ws))
                    with self._lock:
                        self.progress.seen += len(page)
                    side_done = side_done or self._drain_side(block=False)
                    ready.extend(self._step())
                    if len(ready) >= self._batch_size:
                        yield ready
                        ready, self._batch_size = [], STORE_BATCH
                    self.on_page(self.progress)
                # The chain is done: the rest of the sessions, as they come.
                while not side_done:
                    side_done = self._drain_side(block=True)
                    ready.extend(self._step())
                    if len(ready) >= self._batch_size:
                        yield ready
                        ready, self._batch_size = [], STORE_BATCH
                    self.on_page(self.progress)
                side.result()  # raises what stopped the side thread
            except BaseException:
                # Storage failed (the consumer closed us), the lease was lost
                # or a call failed: stop every thread before the executor
                # waits for them.
                self.stop.set()
                raise
        self._use_listing()  # the side thread has ended: the listing is in
        self._resolve(final=True)
        ready.extend(self._take_ready())
        if ready:
            yield ready

    def _step(self) -> list[Record]:
        self._tick += 1
        self._resolve(final=False)
        return self._take_ready()

    def _add(self, record: Record) -> None:
        bundle_id = record.bundle_id
        if bundle_id and bundle_id not in self.bundles and bundle_id not in self._bundle_queue:
            self._enqueue("bundles", self._bundle_queue, bundle_id)
        self._pending[bundle_id].append(record)

    def _enqueue(self, kind: str, ids: list[str], item: str) -> None:
        if not ids:
            self._queued_at[kind] = self._tick
        ids.append(item)

    # -- the side thread: images listed once, then pools and sessions ----
    def _side_thread(self) -> None:
        try:
            self._list_images()
            for pool in self._pools():
                self._side.put([pool_base(pool)])
                for page in self._sessions_pages(pool):
                    self._side.put([session_base(session, pool) for session in page])
                    with self._lock:
                        self.progress.seen += len(page)
        finally:
            self._listing_done.set()  # also when stopped: the consumer never waits for nothing
            self._side.put(_SIDE_DONE)

    def _drain_side(self, *, block: bool) -> bool:
        """Take the session records handed over so far (waiting for the next
        page when `block`); True once the side thread has finished."""
        while True:
            try:
                item = self._side.get(timeout=0.2) if block else self._side.get_nowait()
            except queue.Empty:
                if block and self.stop.is_set():
                    raise CollectionStopped() from None
                if block:
                    continue
                return False
            if item is _SIDE_DONE:
                return True
            for record in item:
                self._add(record)
            if block:
                return False

    def _list_images(self) -> None:
        """The account's images (owned and shared), up to IMAGE_LIST_PAGES
        calls; an image not listed then is looked up by id if the listing
        was cut short, else it is not visible (UNKNOWN)."""
        listed: dict[str, dict] = {}
        complete_listing = False
        try:
            for n, page in enumerate(
                self._pages(self.client.describe_workspace_images, "Images", MaxResults=25),
                start=1,
            ):
                listed.update((image["ImageId"], image) for image in page)
                if n >= IMAGE_LIST_PAGES:
                    break
            else:
                complete_listing = True
        except (ClientError, BotoCoreError):
            pass  # looked up by id instead; a failure there makes the run partial
        self._listed, self._listing_complete = listed, complete_listing
        self._listing_done.set()

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
            raise CollectionFailed(error, hint_for(error)) from exc

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

    # -- bundles and images, fetched once each, 25 ids a call, in waves --
    def _due(self, kind: str, ids: list[str], final: bool) -> bool:
        if not ids:
            return False
        if final or len(ids) >= IDS_PER_CALL:
            return True
        if self._tick - self._queued_at[kind] >= self._waits[kind]:
            self._waits[kind] = min(self._waits[kind] * 2, MAX_WAIT_PAGES)
            return True
        return False

    def _resolve(self, *, final: bool) -> None:
        while self._due("bundles", self._bundle_queue, final):
            batch, self._bundle_queue = (
                self._bundle_queue[:IDS_PER_CALL],
                self._bundle_queue[IDS_PER_CALL:],
            )
            self._queued_at["bundles"] = self._tick
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
                    self._want_image(image_id, final)
        while self._due("images", self._image_queue, final):
            batch, self._image_queue = (
                self._image_queue[:IDS_PER_CALL],
                self._image_queue[IDS_PER_CALL:],
            )
            self._queued_at["images"] = self._tick
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

    def _want_image(self, image_id: str, final: bool) -> None:
        """An image a bundle needs: from the up-front listing when it has
        arrived (waiting for it, when it has not, only at the very end)."""
        if final:
            self._listing_done.wait()
        if not self._listing_done.is_set():
            self._waiting_images.add(image_id)
            return
        self._use_listing()
        if image_id in self.images:
            return
        if self._listing_complete:
            self.images[image_id] = UNKNOWN  # listed everything: not visible to this account
            return
        self._enqueue("images", self._image_queue, image_id)

    def _use_listing(self) -> None:
        if self._listed is not None:
            self.images.update(self._listed)
            self._listed = None
        if self._waiting_images:
            waiting, self._waiting_images = self._waiting_images, set()
            for image_id in waiting:
                self._want_image(image_id, False)

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

    def _take_ready(self) -> list[Record]:
        """Complete and release the records whose bundle (and its image) is known."""
        if self._waiting_images and self._listing_done.is_set():
            self._use_listing()
            self._resolve(final=False)
        ready: list[Record] = []
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
                if isinstance(record, SessionRecord):
                    ready.append(record)
                    continue
                if isinstance(record, PoolRecord):
                    pool_complete(record, bundle, image if isinstance(image, dict) else None)
                else:
                    complete(record, bundle, image if isinstance(image, dict) else None)
                if image is FAILED:
                    record.bundle_image = record.disk_image = None  # name unknown in this run
                ready.append(record)
        return ready


def _visible_image_id(bundle) -> str | None:
    """The image to look up for a bundle. An AWS-owned bundle's image is
    Amazon's and never visible to DescribeWorkspaceImages in the customer's
    account: asking would only spend a call; its id stands for its name."""
    if not isinstance(bundle, dict) or is_aws_owned(bundle):
        return None
    return bundle.get("ImageId")


def collect_connector(
    connector, *, stats: aws.CallStats, on_page=None, stop: threading.Event | None = None
) -> tuple[WorkspacesCollector, Iterable[list[Record]]]:
    """Assume the connector's role and return the collector with its batches."""
    credential = connector.credential
    try:
        session = aws.assume_role_session(
            role_arn=credential.role_arn,
            external_id=credential.external_id,
            session_name=aws.role_session_name(connector.nql_id),
            region=connector.parameters["region"],
        )
    except (ClientError, BotoCoreError) as exc:
        error = CallError.from_exception("AssumeRole", exc)
        raise CollectionFailed(error, hint_for(error)) from exc
    client = aws.workspaces_client(session, region=connector.parameters["region"], stats=stats)
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
