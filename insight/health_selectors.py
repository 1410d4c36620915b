"""Reads for the Health page: what is broken now and since when. Each read is
one query (or one per page of rows), whatever the fleet size."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    DateTimeField,
    Exists,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.utils import timezone

from connectors.choices import WORKSPACE_PROBLEM_STATES, RunStatus
from connectors.models import Device, InboundConnector, Run

from . import hooks
from .models import FleetSnapshot, StateTransition
from .services import TRANSITIONAL_STATES, UNHEALTHY_STATES

PAGE_SIZE = 50
FLAPPING_SHOWN = 50
FLAP_WINDOW = timedelta(hours=24)
POOL_NEAR_LIMIT = 0.9  # active sessions over actual capacity
# A connector that should have run (enabled) but has not started a run for this
# many of its recurrences has stopped running: beat or the workers are down.
SILENT_AFTER_RECURRENCES = 3
SILENT_AT_LEAST = timedelta(minutes=30)
STALE_COUNTED = 1000  # stale devices counted per connector, then "1,000+"


def stuck_after() -> timedelta:
    return timedelta(minutes=settings.INSIGHT_STUCK_AFTER_MINUTES)


def _workspaces() -> QuerySet:
    return Device.objects.filter(removed_at__isnull=True).exclude(workspace_id="")


class InConstants(Func):
    """`field IN ('A', 'B', ...)` with the values written into the SQL, not
    bound: SQLite uses a partial index only when the query repeats its
    condition literally (device_problem_state). Only for constants of the
    code (upper-case state names), never for input."""

    output_field = BooleanField()

    def __init__(self, field: str, values: tuple[str, ...]):
        if not all(re.fullmatch(r"[A-Z_]+", v) for v in values):
            raise ValueError("InConstants takes upper-case constants only")
        self.template = "%(expressions)s IN (" + ", ".join(f"'{v}'" for v in values) + ")"
        super().__init__(F(field))


class Unindexed(Func):
    """A column SQLite must not look up through an index (`+column`; other
    databases: the column): where an index on it would make the planner start
    from the wrong table, as in problem_page's tracked rows."""

    template = "%(expressions)s"

    def __init__(self, field: str):
        super().__init__(F(field), output_field=CharField())

    def as_sqlite(self, compiler, connection, **extra):
        return super().as_sql(compiler, connection, template="+%(expressions)s", **extra)


def _problem_q(now: datetime) -> Q:
    # The outer `state IN (...)` of every problem state, written as the partial
    # index device_problem_state's condition, lets the database read only those
    # devices (a few percent of a fleet) instead of every device.
    return Q(InConstants("state", WORKSPACE_PROBLEM_STATES)) & (
        Q(state__in=UNHEALTHY_STATES) | Q(insight_state__since__lte=now - stuck_after())
    )


def unhealthy_count() -> int:
    return _workspaces().filter(state__in=UNHEALTHY_STATES).count()


def stuck_count(*, now: datetime | None = None) -> int:
    now = now or timezone.now()
    return (
        _workspaces()
        .filter(state__in=TRANSITIONAL_STATES, insight_state__since__lte=now - stuck_after())
        .count()
    )


class ProblemCounts(dict):
    """WorkSpaces per problem state, and how many of them per state have no
    tracked state matching (`untracked`): listed first, without a "since"."""

    def __init__(self, counts=(), untracked: dict[str, int] | None = None):
        super().__init__(counts)
        self.untracked = untracked or {}


def _untracked_q() -> Q:
    return Q(insight_state__isnull=True) | ~Q(insight_state__state__in=WORKSPACE_PROBLEM_STATES)


def problem_counts(*, now: datetime) -> ProblemCounts:
    """WorkSpaces per problem state (one GROUP BY)."""
    rows = (
        _workspaces()
        .filter(_problem_q(now))
        .order_by()
        .values_list("state")
        .annotate(n=Count("id"), untracked=Count("id", filter=_untracked_q()))
        .order_by("-n", "state")
    )
    counts, untracked = {}, {}
    for state, n, not_tracked in rows:
        counts[state] = n
        if not_tracked:
            untracked[state] = not_tracked
    return ProblemCounts(counts, untracked)


def problem_page(
    *,
    now: datetime,
    state: str = "",
    page: str | None = None,
    per_page: int = PAGE_SIZE,
    counts: ProblemCounts | None = None,
) -> Page:
    """Unhealthy, impaired, in error, or stuck WorkSpaces, the longest-standing
    first (equal times in the order the console first tracked them), with
    since when; the few whose state no run has tracked yet come first, by
    name. One page query (two while some are untracked), after
    problem_counts (given as `counts` when the caller has them).

    The tracked ones are read in the order of the partial index
    devicestate_problem_since, so a page stops after its rows instead of
    reading and sorting every problem WorkSpace."""
    if counts is None:
        counts = problem_counts(now=now)
    extra = [a for a in (hooks.ERROR_CODE_FIELD, hooks.ERROR_MESSAGE_FIELD) if hooks.device_has(a)]
    # The problem devices first (through the state index), then their rows
    # and connectors: joined first, SQLite's planner would scan each connector's devices.
    queryset = (
        _workspaces()
        .select_related("connector", "insight_state")
        .only(
            "id",
            "name",
            "state",
            "workspace_id",
            "user_name",
            "last_update",
            "connector__name",
            "insight_state__since",
            "insight_state__since_first_seen",
            *extra,
        )
    )
    if state:
        queryset = queryset.filter(state=state)
    # The lookup makes the join an inner one (a left join keeps SQLite from
    # starting at the tracked states); the literal IN matches the index.
    # The device's own state is compared unindexed here: with the index
    # device_problem_state (and a DeviceState (device, state) index for the join)
    # SQLite's statistics made it start from the devices and sort every problem
    # WorkSpace (18 ms at 100,000 devices) instead of walking
    # devicestate_problem_since in order and stopping after the page.
    tracked = (
        queryset.alias(device_state=Unindexed("state"))
        .filter(
            Q(device_state__in=WORKSPACE_PROBLEM_STATES)
            & (
                Q(device_state__in=UNHEALTHY_STATES)
                | Q(insight_state__since__lte=now - stuck_after())
            ),
            InConstants("insight_state__state", WORKSPACE_PROBLEM_STATES),
            insight_state__state__in=WORKSPACE_PROBLEM_STATES,
        )
        .order_by("insight_state__since", "insight_state__id")
    )
    untracked = queryset.filter(_problem_q(now), _untracked_q()).order_by("name", "id")
    paginator = Paginator(tracked, per_page)
    paginator.count = counts.get(state, 0) if state else sum(counts.values())
    n_untracked = counts.untracked.get(state, 0) if state else sum(counts.untracked.values())
    page_obj = paginator.get_page(page)
    start = (page_obj.number - 1) * paginator.per_page
    end = start + paginator.per_page
    rows = list(untracked[start:end]) if start < n_untracked else []
    # Always read (even when nothing qualifies): the same statements at any size.
    rows += list(tracked[max(start - n_untracked, 0) : max(end - n_untracked, 0)])
    page_obj.object_list = rows
    return page_obj


def error_of(device: Device) -> tuple[str, str]:
    """(ErrorCode, ErrorMessage) where collected (issue 19), else blanks."""
    code = (
        getattr(device, hooks.ERROR_CODE_FIELD, "")
        if hooks.device_has(hooks.ERROR_CODE_FIELD)
        else ""
    )
    message = (
        getattr(device, hooks.ERROR_MESSAGE_FIELD, "")
        if hooks.device_has(hooks.ERROR_MESSAGE_FIELD)
        else ""
    )
    return code or "", message or ""


def modifications_collected() -> bool:
    return hooks.device_has(hooks.MODIFICATION_STATE_FIELD)


def modifications(*, limit: int = PAGE_SIZE) -> list[tuple[Device, str]]:
    """WorkSpaces with a modification under way or failed (ModificationStates,
    once stored: issue 19), longest in their state first (one query)."""
    attr = hooks.device_attr(hooks.MODIFICATION_STATE_FIELD)
    if not attr:
        return []
    field = Device._meta.get_field(attr)
    if field.get_internal_type() == "JSONField":
        queryset = _workspaces().exclude(**{f"{attr}__isnull": True}).exclude(**{attr: []})
    else:
        # `> ''`: not null and not blank, as a range of the index device_active_modification.
        queryset = _workspaces().filter(**{f"{attr}__gt": ""})
    rows = queryset.select_related("connector", "insight_state").order_by(
        "insight_state__since", "name", "id"
    )[:limit]
    return [(d, str(getattr(d, attr))) for d in rows]


@dataclass
class Flapper:
    device_id: int
    name: str
    connector: str
    changes: int


def flapping(*, now: datetime, limit: int = FLAPPING_SHOWN) -> list[Flapper]:
    """WorkSpaces that changed state at least INSIGHT_FLAP_TRANSITIONS times in 24 h."""
    rows = (
        # Bounded on both sides: SQLite then estimates the window small and reads
        # it through the index on `at` (one-sided, it skip-scans every device).
        StateTransition.objects.filter(at__gte=now - FLAP_WINDOW, at__lte=now)
        .order_by()
        .values("device_id", "device__name", "connector__name")
        .annotate(n=Count("id"))
        .filter(n__gte=settings.INSIGHT_FLAP_TRANSITIONS)
        .order_by("-n", "device__name")[:limit]
    )
    return [Flapper(r["device_id"], r["device__name"], r["connector__name"], r["n"]) for r in rows]


def stale_after(recurrence_minutes: int) -> timedelta:
    """A device is stale when no successful run confirmed it for three recurrences."""
    return timedelta(minutes=max(3 * recurrence_minutes, 60))


def silent_after(recurrence_minutes: int, recurrences: int = SILENT_AFTER_RECURRENCES) -> timedelta:
    """How long an enabled connector may go without starting a run."""
    return max(timedelta(minutes=recurrences * recurrence_minutes), SILENT_AT_LEAST)


def with_last_started(connectors: QuerySet) -> QuerySet:
    """Annotate `last_started` (the newest run that started; one index probe per
    connector on (connector, -created_at)) and `running` (a run in progress)."""
    newest = (
        Run.objects.filter(connector=OuterRef("pk"), started_at__isnull=False)
        .order_by("-created_at", "-id")
        .values("started_at")[:1]
    )
    running = Run.objects.filter(connector=OuterRef("pk"), status=RunStatus.RUNNING)
    return connectors.annotate(last_started=Subquery(newest), running=Exists(running))


def silence_of(
    connector: InboundConnector, *, now: datetime, recurrences: int = SILENT_AFTER_RECURRENCES
) -> timedelta | None:
    """How long an enabled connector has gone without starting a run, when that
    is longer than `recurrences` of its recurrence; else None. A connector that
    never ran counts from when it was last saved (created, enabled or edited).
    Needs `with_last_started`."""
    if not connector.enabled or connector.running:
        return None
    since = max(filter(None, (connector.last_started, connector.updated_at)))
    quiet = now - since
    return quiet if quiet > silent_after(connector.recurrence, recurrences) else None


def silent_connectors(
    *, now: datetime, recurrences: int = SILENT_AFTER_RECURRENCES, connector_id: int | None = None
) -> list[InboundConnector]:
    """Enabled connectors that stopped running (one query), each with `silence`."""
    connectors = with_last_started(InboundConnector.objects.filter(enabled=True))
    if connector_id is not None:
        connectors = connectors.filter(pk=connector_id)
    out = []
    for c in connectors.order_by("name", "id"):
        c.silence = silence_of(c, now=now, recurrences=recurrences)
        if c.silence:
            out.append(c)
    return out


def stale_counts(connectors: list[InboundConnector], *, now: datetime) -> dict[int, int]:
    """Each connector's active devices not confirmed for `stale_after` (one
    query), counted up to STALE_COUNTED + 1: a connector that stopped
    succeeding has its whole fleet stale, and counting it all would cost a
    read of the fleet; the page says "1,000+" instead."""
    stale_before = Case(
        *(When(pk=c.pk, then=Value(now - stale_after(c.recurrence))) for c in connectors),
        output_field=DateTimeField(),
    )
    # Unordered: ordered (the model's name order), SQLite would sort every
    # stale device of the connector before taking the first ones.
    first = (
        Device.objects.filter(
            connector=OuterRef("pk"),
            removed_at__isnull=True,
            last_update__lt=OuterRef("stale_before"),
        )
        .order_by()
        .values("pk")[: STALE_COUNTED + 1]
    )
    counted = Func(
        Subquery(first),
        template="(SELECT COUNT(*) FROM %(expressions)s AS first_stale)",
        output_field=IntegerField(),
    )
    rows = (
        InboundConnector.objects.filter(pk__in=[c.pk for c in connectors])
        .annotate(stale_before=stale_before)
        .annotate(stale=counted)
        .values_list("pk", "stale")
    )
    return dict(rows)


def connector_health(*, now: datetime) -> list[InboundConnector]:
    """Every connector with its run streak, its stale devices and whether it
    stopped running (two queries)."""
    connectors = list(
        with_last_started(InboundConnector.objects.select_related("insight_health")).order_by(
            "name", "id"
        )
    )
    if not connectors:
        return connectors
    stale = stale_counts(connectors, now=now)
    for c in connectors:
        c.health = getattr(c, "insight_health", None)
        c.stale_devices = min(stale.get(c.pk, 0), STALE_COUNTED)
        c.stale_capped = stale.get(c.pk, 0) > STALE_COUNTED
        c.stale_after = stale_after(c.recurrence)
        c.silence = silence_of(c, now=now)
        c.silent_after = silent_after(c.recurrence)
    return connectors


def latest_snapshot_ids() -> QuerySet:
    """The ids of the newest snapshot of each connector, as a subquery."""
    # One index probe per connector on (connector, -taken_at), not a scan of the history.
    newest = FleetSnapshot.objects.filter(connector=OuterRef("pk")).order_by("-taken_at", "-id")
    return InboundConnector.objects.annotate(last=Subquery(newest.values("id")[:1])).values("last")


def latest_snapshots() -> list[FleetSnapshot]:
    """The newest snapshot of each connector (one query)."""
    return list(
        FleetSnapshot.objects.filter(pk__in=latest_snapshot_ids()).select_related("connector")
    )


@dataclass
class PoolProblem:
    connector: str
    pool: str
    problem: str
    available: int
    desired: int
    actual: int
    active: int


def pool_problems(snapshots: list[FleetSnapshot]) -> list[PoolProblem]:
    """Pools in error, short of capacity (desired over actual), or near their
    limit (active over actual), from each connector's last snapshot."""
    out = []
    for snap in snapshots:
        for name, pool in (snap.pools or {}).items():
            desired, actual = pool.get("desired", 0), pool.get("actual", 0)
            active = pool.get("active", 0)
            problems = []
            if str(pool.get("state", "")).upper() in ("ERROR", "FAILED"):
                problems.append("in error")
            if pool.get("errors"):  # AWS reports a pool's trouble in its Errors, not a state
                n = pool["errors"]
                problems.append(f"{n} error{'' if n == 1 else 's'} reported by AWS")
            if desired > actual:
                problems.append(f"short of {desired - actual} sessions")
            if actual and active / actual >= POOL_NEAR_LIMIT:
                problems.append(f"near its limit ({active} of {actual} in use)")
            if problems:
                out.append(
                    PoolProblem(
                        snap.connector.name,
                        name,
                        ", ".join(problems),
                        pool.get("available", 0),
                        desired,
                        actual,
                        active,
                    )
                )
    return out
